//! The change under review: commits with their metadata, trailers, files and hunks.

use serde::Serialize;

use sha2::{Digest, Sha256};

use super::GitPath;
use crate::model::CommitId;
use crate::{Error, Result};

/// How much of each commit's diff to load. `status` and `verify` need only the file list;
/// the TUI needs hunks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoadDepth {
    /// Paths, statuses, modes and blob ids only, for judging: no rename or copy detection (a
    /// rename is a deletion and an addition, so both paths are still judged) and no content
    /// read (`binary` is false). `patch_digest` is left empty: load the commit with
    /// [`LoadDepth::Files`] where a sign-off must be checked against it.
    Paths,
    /// Paths with rename and copy detection and the patch digest, no content read (`binary`
    /// is false, sizes unknown): what checking a sign-off against its commit needs.
    Digest,
    /// Files with status, modes, blob ids and the binary flag.
    Files,
    /// Files plus every hunk and line.
    Hunks,
}

/// The most threads [`ChangeSet::load`] uses.
pub const LOAD_THREADS: usize = 4;
/// Fewer commits than this per thread are loaded on one thread (starting one costs more).
const COMMITS_PER_THREAD: usize = 32;

/// The commits of a REVSPEC, oldest first, each with its diff.
#[derive(Clone, Debug, Default, Serialize)]
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
    Parent(CommitId),
    /// A merge commit: the first parent (the other parents are listed in `parents`).
    FirstParentOfMerge(CommitId),
    /// A root commit: the empty tree.
    EmptyTree,
}

/// One commit and its change.
#[derive(Clone, Debug, Serialize)]
pub struct CommitChange {
    /// Serialised as the full hex id.
    pub id: CommitId,
    /// Full hex id of its tree.
    pub tree: String,
    /// In order; the first is what the diff below was taken against.
    pub parents: Vec<CommitId>,
    /// Who wrote the change (decoded in the commit's encoding).
    pub author: Person,
    /// Who made the commit (decoded in the commit's encoding).
    pub committer: Person,
    /// The whole message (lossy UTF-8).
    pub message: String,
    /// The subject as `git log --oneline` shows it: the message's first paragraph on one line
    /// (lossy UTF-8).
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
    /// Either side is binary by its content ([`super::content::looks_binary`]); attributes
    /// from the repository (`-diff`, `binary`, `textconv`) never count.
    pub binary: bool,
    /// Size in bytes of the old blob (None when absent or a submodule).
    #[serde(skip)]
    pub old_size: Option<u64>,
    /// Size in bytes of the new blob (None when absent or a submodule).
    #[serde(skip)]
    pub new_size: Option<u64>,
    /// Set when this entry is a submodule (gitlink).
    pub submodule: Option<SubmoduleChange>,
    /// Hunks, when loaded with [`LoadDepth::Hunks`] (empty for binary files and submodules).
    pub hunks: Vec<Hunk>,
}

impl FileChange {
    /// The path a reviewer knows the file by: the new one, or the old one for deletions.
    ///
    /// Every `FileChange` that [`CommitChange::load`] makes has at least one side, so the
    /// fallback (an empty path) is only reachable for a hand-built value with neither.
    pub fn path(&self) -> &GitPath {
        static NO_PATH: std::sync::OnceLock<GitPath> = std::sync::OnceLock::new();
        self.new_path
            .as_ref()
            .or(self.old_path.as_ref())
            .unwrap_or_else(|| NO_PATH.get_or_init(|| GitPath::from_bytes(Vec::new())))
    }

    /// Every path this change touches (both sides of a rename).
    pub fn paths(&self) -> impl Iterator<Item = &GitPath> {
        let old = self
            .old_path
            .as_ref()
            .filter(|o| Some(*o) != self.new_path.as_ref());
        self.new_path.iter().chain(old)
    }

    /// The blob ids before and after (None for an absent side), parsed here so that callers
    /// reading the blobs hold ids, not text.
    pub fn blob_oids(&self) -> [Option<git2::Oid>; 2] {
        let oid = |id: &Option<String>| id.as_deref().and_then(|i| git2::Oid::from_str(i).ok());
        [oid(&self.old_id), oid(&self.new_id)]
    }
}

impl FileChange {
    /// Loads this file's diff on its own, from its two blobs (3 lines of context, as
    /// `git show`): the file with what its content decides filled in (the `binary` flag and
    /// both sizes, by the same rule as [`LoadDepth::Files`]) and its hunks. A viewer that
    /// loaded the change at [`LoadDepth::Paths`] gets the same file a full load would give.
    /// Binary files and submodules have no hunks.
    pub fn load_diff(&self, repo: &git2::Repository) -> Result<(FileChange, Vec<Hunk>)> {
        let mut file = self.clone();
        if file.submodule.is_some() {
            return Ok((file, Vec::new()));
        }
        let blob = |id: &Option<String>| -> Result<Option<git2::Blob<'_>>> {
            match id {
                None => Ok(None),
                Some(id) => {
                    let oid = git2::Oid::from_str(id)
                        .map_err(Error::git(format!("parsing blob id {id}")))?;
                    repo.find_blob(oid)
                        .map(Some)
                        .map_err(Error::git(format!("reading blob {}", super::short_id(id))))
                }
            }
        };
        let old = blob(&file.old_id)?;
        let new = blob(&file.new_id)?;
        let old_bytes = old.as_ref().map(|b| b.content());
        let new_bytes = new.as_ref().map(|b| b.content());
        file.old_size = old_bytes.map(|b| b.len() as u64);
        file.new_size = new_bytes.map(|b| b.len() as u64);
        file.binary = [(old_bytes, &file.old_path), (new_bytes, &file.new_path)]
            .iter()
            .any(|(b, p)| b.is_some_and(|b| super::content::looks_binary(p.as_ref(), b)));
        if file.binary {
            return Ok((file, Vec::new()));
        }
        let patch = super::content::text_patch(
            old_bytes.unwrap_or_default(),
            file.old_path.as_ref(),
            new_bytes.unwrap_or_default(),
            file.new_path.as_ref(),
        )
        .map_err(Error::git(format!("diffing {}", file.path())))?;
        let hunks = read_hunks(&patch)
            .map_err(Error::git(format!("reading the diff of {}", file.path())))?;
        Ok((file, hunks))
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
    ///
    /// A long range is loaded on the machine's cores (up to [`LOAD_THREADS`]), each thread
    /// with its own handle on the repository: diffing hundreds of trees is most of opening a
    /// gate's range. The commits come back in the order given either way.
    pub fn load(repo: &git2::Repository, commits: &[git2::Oid], depth: LoadDepth) -> Result<Self> {
        let each: Vec<(git2::Oid, LoadDepth)> = commits.iter().map(|id| (*id, depth)).collect();
        Self::load_each(repo, &each)
    }

    /// [`ChangeSet::load`] with a depth of its own for each commit.
    pub fn load_each(repo: &git2::Repository, commits: &[(git2::Oid, LoadDepth)]) -> Result<Self> {
        let one_by_one = |repo: &git2::Repository, ids: &[(git2::Oid, LoadDepth)]| {
            ids.iter()
                .map(|(id, depth)| CommitChange::load(repo, *id, *depth))
                .collect::<Result<Vec<_>>>()
        };
        let loaded =
            super::shares::on_threads(repo, commits, LOAD_THREADS, COMMITS_PER_THREAD, &one_by_one);
        let mut all = Vec::with_capacity(commits.len());
        for part in loaded {
            all.extend(part?);
        }
        Ok(ChangeSet { commits: all })
    }
}

impl CommitChange {
    /// Loads one commit: metadata, trailers, files (and hunks at [`LoadDepth::Hunks`]),
    /// diffed against its first parent, or the empty tree for a root commit.
    ///
    /// Renames and copies (from files the commit also modifies) are detected; typechanges are
    /// reported as such; submodules are never ignored. The `binary` flag is decided from both
    /// sides' content alone (`super::content`), the same at either depth; no attribute of
    /// the repository changes it or the hunks.
    pub fn load(repo: &git2::Repository, id: git2::Oid, depth: LoadDepth) -> Result<Self> {
        let short = super::short_id(&id.to_string()).to_string();
        let ctx = |what: &str| Error::git(format!("{what} of commit {short}"));
        let commit = repo.find_commit(id).map_err(ctx("reading"))?;
        let tree = commit.tree().map_err(ctx("reading the tree"))?;
        let parents: Vec<CommitId> = commit.parent_ids().map(CommitId::from).collect();
        let (parent_tree, diff_base) = match parents.first() {
            None => (None, DiffBase::EmptyTree),
            Some(_) => {
                let parent = commit.parent(0).map_err(ctx("reading the first parent"))?;
                let tree = parent.tree().map_err(ctx("reading the parent tree"))?;
                let base = if parents.len() > 1 {
                    DiffBase::FirstParentOfMerge(parent.id().into())
                } else {
                    DiffBase::Parent(parent.id().into())
                };
                (Some(tree), base)
            }
        };
        let files = load_files(repo, parent_tree.as_ref(), &tree, depth)
            .map_err(ctx("diffing the tree"))?;
        // In the encoding the commit declares, as `git log` shows it (see `encoding`).
        let encoding = super::CommitEncoding::of(&commit);
        let message = encoding.decode(commit.message_bytes()).into_owned();
        let summary = commit
            .summary_bytes()
            .map(|s| encoding.decode(s).into_owned())
            .unwrap_or_default();
        let trailers = parse_trailers(message.as_bytes());
        let patch_digest = if depth == LoadDepth::Paths {
            String::new()
        } else {
            patch_digest(&files)
        };
        let author = Person::from_signature(&commit.author(), encoding);
        let committer = Person::from_signature(&commit.committer(), encoding);
        Ok(CommitChange {
            id: id.into(),
            tree: tree.id().to_string(),
            parents,
            author,
            committer,
            message,
            summary,
            trailers,
            diff_base,
            files,
            patch_digest,
        })
    }

    /// The commit's metadata (message, people, parents) without its files: what a commit
    /// list shows of a commit whose change has not been loaded yet (the workstation's long
    /// ranges, whose later commits load behind the first screen). No tree is read.
    pub fn header(repo: &git2::Repository, id: git2::Oid) -> Result<Self> {
        let commit = repo.find_commit(id).map_err(Error::git(format!(
            "reading commit {}",
            super::short_id(&id.to_string())
        )))?;
        let encoding = super::CommitEncoding::of(&commit);
        let message = encoding.decode(commit.message_bytes()).into_owned();
        let parents: Vec<git2::Oid> = commit.parent_ids().collect();
        let author = Person::from_signature(&commit.author(), encoding);
        let committer = Person::from_signature(&commit.committer(), encoding);
        let summary = commit
            .summary_bytes()
            .map(|s| encoding.decode(s).into_owned())
            .unwrap_or_default();
        Ok(CommitChange {
            id: id.into(),
            tree: commit.tree_id().to_string(),
            diff_base: match parents.as_slice() {
                [] => DiffBase::EmptyTree,
                [p] => DiffBase::Parent((*p).into()),
                [p, ..] => DiffBase::FirstParentOfMerge((*p).into()),
            },
            parents: parents.iter().map(|p| (*p).into()).collect(),
            author,
            committer,
            summary,
            trailers: parse_trailers(message.as_bytes()),
            message,
            files: Vec::new(),
            patch_digest: String::new(),
        })
    }

    /// A commit known by its id alone (nothing read): a place in a commit list whose
    /// metadata and files arrive later.
    pub fn unread(id: git2::Oid) -> Self {
        let nobody = Person {
            name: String::new(),
            email: String::new(),
            time: 0,
            offset_minutes: 0,
        };
        CommitChange {
            id: id.into(),
            tree: String::new(),
            parents: Vec::new(),
            author: nobody.clone(),
            committer: nobody,
            message: String::new(),
            summary: String::new(),
            trailers: Vec::new(),
            diff_base: DiffBase::EmptyTree,
            files: Vec::new(),
            patch_digest: String::new(),
        }
    }

    /// The short id (7 hex digits) for display.
    pub fn short_id(&self) -> String {
        self.id.short()
    }

    /// True for a merge commit.
    pub fn is_merge(&self) -> bool {
        self.parents.len() > 1
    }
}

impl Person {
    fn from_signature(sig: &git2::Signature<'_>, encoding: super::CommitEncoding) -> Self {
        Person {
            name: encoding.decode(sig.name_bytes()).into_owned(),
            email: encoding.decode(sig.email_bytes()).into_owned(),
            time: sig.when().seconds(),
            offset_minutes: sig.when().offset_minutes(),
        }
    }
}

/// Trailers by git's own rules (the last paragraph, `Key: value` lines, continuation lines).
/// A message libgit2 cannot parse (an interior NUL) has no trailers.
fn parse_trailers(message: &[u8]) -> Vec<Trailer> {
    // The bytes variant: the `strs` iterator panics on a non-UTF-8 trailer.
    match git2::message_trailers_bytes(message) {
        Ok(trailers) => trailers
            .iter()
            .map(|(k, v)| Trailer {
                key: String::from_utf8_lossy(k).trim().to_string(),
                value: String::from_utf8_lossy(v).trim().to_string(),
            })
            .collect(),
        Err(_) => Vec::new(),
    }
}

const GITLINK: u32 = 0o160000;

/// Raw modes of paths in one tree (0 when absent), read from the tree entries rather than
/// `DiffFile::mode`, which panics on a mode outside git's canonical set. Each directory's
/// tree is read once: `Tree::get_path` reads (and hash-checks) every tree on the way down
/// again for each path, which on a bulk change cost more than the diff.
struct Modes<'r> {
    repo: &'r git2::Repository,
    root: Option<git2::Tree<'r>>,
    dirs: std::collections::HashMap<Vec<u8>, Option<git2::Tree<'r>>>,
}

impl<'r> Modes<'r> {
    fn new(repo: &'r git2::Repository, root: Option<&git2::Tree<'r>>) -> Self {
        Modes {
            repo,
            root: root.cloned(),
            dirs: std::collections::HashMap::new(),
        }
    }

    fn of(&mut self, path: Option<&GitPath>) -> u32 {
        let Some(path) = path else { return 0 };
        let bytes = path.as_bytes();
        let (dir, name) = match bytes.iter().rposition(|b| *b == b'/') {
            Some(i) => (&bytes[..i], &bytes[i + 1..]),
            None => (&b""[..], bytes),
        };
        self.dir(dir)
            .and_then(|t| t.get_name_bytes(name).map(|e| e.filemode_raw() as u32))
            .unwrap_or(0)
    }

    /// The tree at `dir` ("" for the root), read through its parent's (cached) tree.
    fn dir(&mut self, dir: &[u8]) -> Option<&git2::Tree<'r>> {
        if dir.is_empty() {
            return self.root.as_ref();
        }
        if !self.dirs.contains_key(dir) {
            let (parent, name) = match dir.iter().rposition(|b| *b == b'/') {
                Some(i) => (&dir[..i], &dir[i + 1..]),
                None => (&b""[..], dir),
            };
            let repo = self.repo;
            let tree = self.dir(parent).and_then(|p| {
                let entry = p.get_name_bytes(name)?;
                repo.find_tree(entry.id()).ok()
            });
            self.dirs.insert(dir.to_vec(), tree);
        }
        self.dirs.get(dir).and_then(Option::as_ref)
    }
}

/// One name's entries in the old and the new tree, for [`changed_paths`].
#[derive(Default)]
struct Sides {
    /// (id, raw mode) in the old tree, then in the new one.
    entry: [Option<(git2::Oid, i32)>; 2],
    /// A side lists the name more than once.
    twice: bool,
}

/// The paths (files, or directories that appear or vanish whole) whose entries differ
/// between `old` (None: the empty tree) and `new`, found by descending only into
/// subdirectories whose ids differ.
fn changed_paths(
    repo: &git2::Repository,
    old: Option<&git2::Tree<'_>>,
    new: &git2::Tree<'_>,
) -> std::result::Result<Vec<Vec<u8>>, git2::Error> {
    let mut out = Vec::new();
    let mut todo: Vec<(Vec<u8>, Option<git2::Tree<'_>>, Option<git2::Tree<'_>>)> =
        vec![(Vec::new(), old.cloned(), Some(new.clone()))];
    while let Some((dir, a, b)) = todo.pop() {
        let entries = |t: &Option<git2::Tree<'_>>| -> Vec<(Vec<u8>, git2::Oid, i32)> {
            t.iter()
                .flat_map(|t| t.iter())
                .map(|e| (e.name_bytes().to_vec(), e.id(), e.filemode_raw()))
                .collect()
        };
        // Per name: the entry on each side, and whether a side lists the name twice (a
        // malformed tree, which no comparison of one entry per side can judge: it counts as
        // changed, and the diff reads it).
        let mut by_name: std::collections::BTreeMap<Vec<u8>, Sides> =
            std::collections::BTreeMap::new();
        for (side, tree) in [&a, &b].into_iter().enumerate() {
            for (name, id, mode) in entries(tree) {
                let slot = by_name.entry(name).or_default();
                slot.twice |= slot.entry[side].is_some();
                slot.entry[side] = Some((id, mode));
            }
        }
        for (
            name,
            Sides {
                entry: [was, is],
                twice,
            },
        ) in by_name
        {
            if was == is && !twice {
                continue;
            }
            let mut path = dir.clone();
            if !path.is_empty() {
                path.push(b'/');
            }
            path.extend_from_slice(&name);
            let tree_of = |side: Option<(git2::Oid, i32)>| match side {
                Some((id, 0o040000)) => repo.find_tree(id).map(Some),
                _ => Ok(None),
            };
            let (was_tree, is_tree) = (tree_of(was)?, tree_of(is)?);
            // A directory on both sides is looked into; anything else (a file, a link, a
            // submodule, a directory that appears, vanishes or replaces a file, a name
            // listed twice) is a path of its own, which covers everything below it.
            if was_tree.is_some() && is_tree.is_some() && !twice {
                todo.push((path, was_tree, is_tree));
            } else {
                out.push(path);
            }
        }
    }
    Ok(out)
}

fn load_files(
    repo: &git2::Repository,
    old: Option<&git2::Tree<'_>>,
    new: &git2::Tree<'_>,
    depth: LoadDepth,
) -> std::result::Result<Vec<FileChange>, git2::Error> {
    let mut opts = git2::DiffOptions::new();
    opts.include_typechange(true).ignore_submodules(false);
    // libgit2's tree diff reads every directory of both trees, equal or not; the paths that
    // differ are found here by skipping equal subtrees, as git does, and the diff is asked
    // for those paths only: the same deltas, read from the trees that changed.
    let changed = changed_paths(repo, old, new)?;
    if changed.is_empty() {
        return Ok(Vec::new());
    }
    opts.disable_pathspec_match(true);
    for path in changed {
        opts.pathspec(path);
    }
    let mut diff = repo.diff_tree_to_tree(old, Some(new), Some(&mut opts))?;
    if depth != LoadDepth::Paths {
        let mut find = git2::DiffFindOptions::new();
        // Copies only from files the commit also modifies: copies_from_unmodified would
        // compare every added file with every file of the tree.
        find.renames(true).copies(true);
        diff.find_similar(Some(&mut find))?;
    }

    let mut old_modes = Modes::new(repo, old);
    let mut new_modes = Modes::new(repo, Some(new));
    let mut files = Vec::with_capacity(diff.deltas().len());
    for idx in 0..diff.deltas().len() {
        let Some(delta) = diff.get_delta(idx) else {
            continue;
        };
        let status = match delta.status() {
            git2::Delta::Added => FileStatus::Added,
            git2::Delta::Deleted => FileStatus::Deleted,
            git2::Delta::Renamed => FileStatus::Renamed,
            git2::Delta::Copied => FileStatus::Copied,
            git2::Delta::Typechange => FileStatus::TypeChange,
            git2::Delta::Unmodified => continue,
            _ => FileStatus::Modified,
        };
        let has_old = status != FileStatus::Added;
        let has_new = status != FileStatus::Deleted;
        let side = |present: bool, file: git2::DiffFile<'_>| {
            let path = present
                .then(|| file.path_bytes().map(GitPath::from_bytes))
                .flatten();
            let id = (present && !file.id().is_zero()).then(|| file.id());
            (path, id)
        };
        let (old_path, old_oid) = side(has_old, delta.old_file());
        let (new_path, new_oid) = side(has_new, delta.new_file());
        if old_path.is_none() && new_path.is_none() {
            continue;
        }
        let old_mode = old_modes.of(old_path.as_ref());
        let new_mode = new_modes.of(new_path.as_ref());
        let submodule = (old_mode == GITLINK || new_mode == GITLINK).then(|| SubmoduleChange {
            old_commit: old_oid
                .filter(|_| old_mode == GITLINK)
                .map(|o| o.to_string()),
            new_commit: new_oid
                .filter(|_| new_mode == GITLINK)
                .map(|o| o.to_string()),
        });
        // Both sides' content decides text or binary, and the hunks are a text diff made
        // without the repository: attributes in the change under review (`-diff`, `binary`,
        // a textconv or filter driver) never hide code from the reviewer.
        let blob = |oid: Option<git2::Oid>, mode: u32| match oid {
            Some(oid)
                if mode != GITLINK && matches!(depth, LoadDepth::Files | LoadDepth::Hunks) =>
            {
                repo.find_blob(oid).map(Some)
            }
            _ => Ok(None),
        };
        let _turn = matches!(depth, LoadDepth::Files | LoadDepth::Hunks)
            .then(|| super::large_blob_turn(repo, &[old_oid, new_oid]))
            .flatten();
        let old_blob = blob(old_oid, old_mode)?;
        let new_blob = blob(new_oid, new_mode)?;
        let old_bytes = old_blob.as_ref().map(|b| b.content());
        let new_bytes = new_blob.as_ref().map(|b| b.content());
        let binary = submodule.is_none()
            && [(&old_bytes, &old_path), (&new_bytes, &new_path)]
                .iter()
                .any(|(b, p)| b.is_some_and(|b| super::content::looks_binary(p.as_ref(), b)));
        let hunks = match depth {
            LoadDepth::Hunks if !binary && submodule.is_none() => {
                let patch = super::content::text_patch(
                    old_bytes.unwrap_or_default(),
                    old_path.as_ref(),
                    new_bytes.unwrap_or_default(),
                    new_path.as_ref(),
                )?;
                read_hunks(&patch)?
            }
            _ => Vec::new(),
        };
        files.push(FileChange {
            status,
            old_path,
            new_path,
            old_mode,
            new_mode,
            old_id: old_oid.map(|o| o.to_string()),
            new_id: new_oid.map(|o| o.to_string()),
            binary,
            old_size: old_bytes.map(|b| b.len() as u64),
            new_size: new_bytes.map(|b| b.len() as u64),
            submodule,
            hunks,
        });
    }
    files.sort_by(|a, b| {
        a.path()
            .cmp(b.path())
            .then_with(|| a.old_path.cmp(&b.old_path))
    });
    Ok(files)
}

/// A patch's hunks and lines ("no newline at end of file" folded into the line it concerns).
pub(crate) fn read_hunks(patch: &git2::Patch<'_>) -> std::result::Result<Vec<Hunk>, git2::Error> {
    let mut hunks = Vec::with_capacity(patch.num_hunks());
    for h in 0..patch.num_hunks() {
        let (hunk, count) = patch.hunk(h)?;
        let mut header = hunk.header();
        while let [rest @ .., b'\n' | b'\r'] = header {
            header = rest;
        }
        let mut lines: Vec<DiffLine> = Vec::with_capacity(count);
        for l in 0..count {
            let line = patch.line_in_hunk(h, l)?;
            let kind = match line.origin() {
                ' ' => LineKind::Context,
                '+' => LineKind::Added,
                '-' => LineKind::Removed,
                // '=', '>', '<': "\ No newline at end of file" after the line it concerns.
                '=' | '>' | '<' => {
                    if let Some(prev) = lines.last_mut() {
                        prev.no_newline_at_eof = true;
                    }
                    continue;
                }
                _ => continue,
            };
            let mut content = line.content();
            if let [rest @ .., b'\n'] = content {
                content = rest;
            }
            lines.push(DiffLine {
                kind,
                old_lineno: line.old_lineno(),
                new_lineno: line.new_lineno(),
                content: content.to_vec(),
                no_newline_at_eof: false,
            });
        }
        hunks.push(Hunk {
            old_start: hunk.old_start(),
            old_lines: hunk.old_lines(),
            new_start: hunk.new_start(),
            new_lines: hunk.new_lines(),
            header: String::from_utf8_lossy(header).into_owned(),
            lines,
        });
    }
    Ok(hunks)
}

/// The digest described on [`CommitChange::patch_digest`]. Encoding: a version tag, the file
/// count, then per file the status letter, each path as a presence byte plus a big-endian
/// u64 length plus the bytes, both modes as big-endian u32, each blob id as a presence byte
/// plus its hex. Every field is framed, so no two different file lists encode the same.
fn patch_digest(files: &[FileChange]) -> String {
    let mut h = Sha256::new();
    h.update(b"countersign-patch-digest-v1\0");
    h.update((files.len() as u64).to_be_bytes());
    let opt_bytes = |h: &mut Sha256, b: Option<&[u8]>| match b {
        None => h.update([0u8]),
        Some(b) => {
            h.update([1u8]);
            h.update((b.len() as u64).to_be_bytes());
            h.update(b);
        }
    };
    for f in files {
        h.update([f.status.letter() as u8]);
        opt_bytes(&mut h, f.old_path.as_ref().map(GitPath::as_bytes));
        opt_bytes(&mut h, f.new_path.as_ref().map(GitPath::as_bytes));
        h.update(f.old_mode.to_be_bytes());
        h.update(f.new_mode.to_be_bytes());
        opt_bytes(&mut h, f.old_id.as_deref().map(str::as_bytes));
        opt_bytes(&mut h, f.new_id.as_deref().map(str::as_bytes));
    }
    let hex: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn added(path: &[u8], id: &str) -> FileChange {
        FileChange {
            status: FileStatus::Added,
            old_path: None,
            new_path: Some(GitPath::from_bytes(path)),
            old_mode: 0,
            new_mode: 0o100644,
            old_id: None,
            new_id: Some(id.to_string()),
            binary: false,
            old_size: None,
            new_size: None,
            submodule: None,
            hunks: Vec::new(),
        }
    }

    #[test]
    fn patch_digest_fields_are_framed() {
        let one = patch_digest(&[added(b"ab", "c1"), added(b"d", "e")]);
        let shifted = patch_digest(&[added(b"a", "bc1"), added(b"d", "e")]);
        let merged = patch_digest(&[added(b"ab", "c1d"), added(b"", "e")]);
        assert_ne!(one, shifted);
        assert_ne!(one, merged);
        assert_ne!(patch_digest(&[]), patch_digest(&[added(b"", "")]));
        assert_eq!(one, patch_digest(&[added(b"ab", "c1"), added(b"d", "e")]));
    }

    #[test]
    fn path_of_a_change_without_sides_is_empty_not_a_panic() {
        let mut f = added(b"x", "1");
        f.new_path = None;
        assert_eq!(f.path().as_bytes(), b"");
    }
}
