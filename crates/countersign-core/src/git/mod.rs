//! Everything countersign reads from git: the repository, revspecs, change sets and trees.
//!
//! - [`open`] finds the repository (refusing bare ones with a clear sentence);
//! - [`resolve_rev`] names a revision without git's short-name guessing (an ambiguous name is
//!   refused); [`resolve_range`] turns a REVSPEC (`A..B`, `A...B`, one commit) into commits,
//!   oldest first;
//! - [`ChangeSet::load`] reads each commit's metadata, trailers, files and (optionally) hunks,
//!   plus a [`CommitChange::patch_digest`] that binds the exact change;
//! - [`GitTree`] reads files from any revision without checking it out, so the workspace
//!   graph and the trusted policy come from the revision that matters, not the work tree.

pub mod attributes;
mod changeset;
pub mod content;
mod encoding;
mod large;
mod malformed;
mod merge;
mod path;
mod refs;
mod repo;
mod revspec;
mod safe_dir;
pub mod shares;
mod tree;

pub(crate) use changeset::read_hunks;
#[cfg(any(test, feature = "test-support"))]
pub use changeset::LOAD_THREADS;
pub use changeset::{
    ChangeSet, CommitChange, DiffBase, DiffLine, FileChange, FileStatus, Hunk, LineKind, LoadDepth,
    Person, SubmoduleChange, Trailer,
};
pub(crate) use encoding::CommitEncoding;
pub use large::{large_blob_turn, LARGE_BLOB};
pub(crate) use malformed::malformed_tree;
pub(crate) use merge::merge_own_paths;
pub use path::GitPath;
pub use refs::resolve_rev;
pub use repo::{limit_object_cache, open, short_id, verify_every_read, ReadsWithout};
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) use revspec::split_range;
pub(crate) use revspec::{commits_since, head_commit, shallow_boundary};
pub use revspec::{resolve_range, RangeSpec};
pub(crate) use tree::map_blobs;
pub use tree::{GitTree, ListFiles, RepoFiles, WorkTree};
