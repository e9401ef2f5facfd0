//! The change under review: commits with their metadata, trailers, files and hunks.

use serde::Serialize;

use super::GitPath;
use crate::Result;

/// How much of each commit's diff to load. `status` and `verify` need only the file list;
/// the TUI needs hunks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoadDepth {
    /// Files with status, modes, blob ids and the binary flag.
    Files,
    /// Files plus every hunk and line.
    Hunks,
}

/// The commits of a REVSPEC, oldest first, each with its diff.
#[derive(Clone, Debug, Serialize)]
pub struct ChangeSet {
    /// Oldest first (the order they were made in).
    pub commits: Vec<CommitChange>,
}

/// A person as git records them on a commit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Person {
    /// Display name (lossy UTF-8).
    pub name: String,
    /// E-mail address (lossy UTF-8).
    pub email: String,
    /// Seconds since the Unix epoch.
    pub time: i64,
    /// Offset from UTC in minutes.
    pub offset_minutes: i32,
}

/// One `Key: value` trailer from the last paragraph of a commit message, as git parses them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Trailer {
    /// The key as written (`Co-authored-by`).
    pub key: String,
    /// The value, trimmed.
    pub value: String,
}

/// What a commit's diff was taken against.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "commit", rename_all = "kebab-case")]
pub enum DiffBase {
    /// The only parent.
    Parent(String),
    /// A merge commit: the first parent (the other parents are listed in `parents`).
    FirstParentOfMerge(String),
    /// A root commit: the empty tree.
    EmptyTree,
}

/// One commit and its change.
#[derive(Clone, Debug, Serialize)]
pub struct CommitChange {
    /// Full hex id.
    pub id: String,
    /// Full hex id of its tree.
    pub tree: String,
    /// Full hex ids of its parents, in order.
    pub parents: Vec<String>,
    /// The author.
    pub author: Person,
    /// The committer.
    pub committer: Person,
    /// The whole message (lossy UTF-8).
    pub message: String,
    /// The first line of the message.
    pub summary: String,
    /// Trailers of the message's last paragraph, in order.
    pub trailers: Vec<Trailer>,
    /// What the diff below was taken against.
    pub diff_base: DiffBase,
    /// The changed files, sorted by path.
    pub files: Vec<FileChange>,
    /// `sha256:<hex>` over the change's file list: for each file (in path order) its status,
    /// old and new paths, old and new modes and old and new blob ids. Blob ids hash every byte
    /// of both sides, so the same change gives the same digest and any byte of difference
    /// another one, independent of diff algorithms or tool versions.
    pub patch_digest: String,
}

/// How a file changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileStatus {
    /// New file.
    Added,
    /// Contents or mode changed.
    Modified,
    /// File removed.
    Deleted,
    /// Moved (maybe also edited).
    Renamed,
    /// Copied from another file (maybe also edited).
    Copied,
    /// Kind changed (file ↔ symlink ↔ submodule).
    TypeChange,
}

impl FileStatus {
    /// The one-letter code git uses (`A`, `M`, `D`, `R`, `C`, `T`).
    pub fn letter(self) -> char {
        match self {
            FileStatus::Added => 'A',
            FileStatus::Modified => 'M',
            FileStatus::Deleted => 'D',
            FileStatus::Renamed => 'R',
            FileStatus::Copied => 'C',
            FileStatus::TypeChange => 'T',
        }
    }
}

/// A submodule's pointer change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SubmoduleChange {
    /// Commit the submodule pointed at before (None when added).
    pub old_commit: Option<String>,
    /// Commit it points at after (None when removed).
    pub new_commit: Option<String>,
}

/// One changed file of a commit.
#[derive(Clone, Debug, Serialize)]
pub struct FileChange {
    /// How it changed.
    pub status: FileStatus,
    /// Path before (None for added files).
    pub old_path: Option<GitPath>,
    /// Path after (None for deleted files).
    pub new_path: Option<GitPath>,
    /// Git file mode before (0 when absent), e.g. 0o100644.
    pub old_mode: u32,
    /// Git file mode after (0 when absent).
    pub new_mode: u32,
    /// Blob id before (None when absent).
    pub old_id: Option<String>,
    /// Blob id after (None when absent).
    pub new_id: Option<String>,
    /// Git considers either side binary.
    pub binary: bool,
    /// Set when this entry is a submodule (gitlink).
    pub submodule: Option<SubmoduleChange>,
    /// Hunks, when loaded with [`LoadDepth::Hunks`] (empty for binary files and submodules).
    pub hunks: Vec<Hunk>,
}

impl FileChange {
    /// The path a reviewer knows the file by: the new one, or the old one for deletions.
    pub fn path(&self) -> &GitPath {
        self.new_path
            .as_ref()
            .or(self.old_path.as_ref())
            .expect("a file change has at least one side")
    }

    /// Every path this change touches (both sides of a rename).
    pub fn paths(&self) -> impl Iterator<Item = &GitPath> {
        let old = self
            .old_path
            .as_ref()
            .filter(|o| Some(*o) != self.new_path.as_ref());
        self.new_path.iter().chain(old)
    }
}

/// A hunk of a file's diff.
#[derive(Clone, Debug, Serialize)]
pub struct Hunk {
    /// First line in the old file (1-based; 0 for an empty side).
    pub old_start: u32,
    /// Line count in the old file.
    pub old_lines: u32,
    /// First line in the new file.
    pub new_start: u32,
    /// Line count in the new file.
    pub new_lines: u32,
    /// The `@@ … @@ context` header line (lossy UTF-8, without newline).
    pub header: String,
    /// The hunk's lines.
    pub lines: Vec<DiffLine>,
}

/// Whether a diff line is unchanged, added or removed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LineKind {
    /// Present on both sides.
    Context,
    /// Only in the new file.
    Added,
    /// Only in the old file.
    Removed,
}

/// One line of a hunk.
#[derive(Clone, Debug, Serialize)]
pub struct DiffLine {
    /// Unchanged, added or removed.
    pub kind: LineKind,
    /// Line number in the old file (None for added lines).
    pub old_lineno: Option<u32>,
    /// Line number in the new file (None for removed lines).
    pub new_lineno: Option<u32>,
    /// The line's bytes without its line terminator (`\r` of CRLF is kept).
    #[serde(serialize_with = "serialize_lossy")]
    pub content: Vec<u8>,
    /// The file has no newline at the end of this line.
    pub no_newline_at_eof: bool,
}

fn serialize_lossy<S: serde::Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&String::from_utf8_lossy(b))
}

impl ChangeSet {
    /// Loads the given commits (as returned by [`super::resolve_range`]), oldest first.
    pub fn load(repo: &git2::Repository, commits: &[git2::Oid], depth: LoadDepth) -> Result<Self> {
        let commits = commits
            .iter()
            .map(|id| CommitChange::load(repo, *id, depth))
            .collect::<Result<Vec<_>>>()?;
        Ok(ChangeSet { commits })
    }
}

impl CommitChange {
    /// Loads one commit: metadata, trailers, files (and hunks at [`LoadDepth::Hunks`]),
    /// diffed against its first parent, or the empty tree for a root commit.
    pub fn load(repo: &git2::Repository, id: git2::Oid, depth: LoadDepth) -> Result<Self> {
        let _ = (repo, id, depth);
        todo!("implemented by the git change-set work")
    }

    /// The short id (7 hex digits) for display.
    pub fn short_id(&self) -> &str {
        &self.id[..self.id.len().min(7)]
    }

    /// True for a merge commit.
    pub fn is_merge(&self) -> bool {
        self.parents.len() > 1
    }
}
