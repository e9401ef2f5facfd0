//! Everything countersign reads from git: the repository, revspecs, change sets and trees.
//!
//! - [`open`] finds the repository (refusing bare ones with a clear sentence);
//! - [`resolve_range`] turns a REVSPEC (`A..B`, one commit, or nothing) into commits, oldest first;
//! - [`ChangeSet::load`] reads each commit's metadata, trailers, files and (optionally) hunks,
//!   plus a [`CommitChange::patch_digest`] that binds the exact change;
//! - [`TreeSnapshot`] reads files from any revision without checking it out, so the workspace
//!   graph and the trusted policy come from the revision that matters, not the work tree.

mod changeset;
mod path;
mod repo;
mod revspec;
mod tree;

pub(crate) use changeset::read_hunks;
pub use changeset::{
    ChangeSet, CommitChange, DiffBase, DiffLine, FileChange, FileStatus, Hunk, LineKind, LoadDepth,
    Person, SubmoduleChange, Trailer,
};
pub use path::GitPath;
pub use repo::{open, short_id};
pub use revspec::{resolve_range, RangeSpec};
pub use tree::{RepoFiles, TreeSnapshot, WorkTree};
