//! Reading files from a revision without checking it out, or from the work tree: one reader
//! of each ([`GitTree`], [`WorkTree`]) behind the traits the loaders take.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;

use crate::util::bounded::{self, Limit};
use crate::{Error, Result};

/// Files of the repository at some revision, or as they are in the work tree: what the
/// workspace loader and the policy reader need, whichever the source.
pub trait RepoFiles {
    /// How to name this source in messages: `main`, `4f2a1c9…`, or `work tree`.
    fn label(&self) -> &str;
    /// The bytes of the file at `path` (`/`-separated, relative to the root); None when there
    /// is no such file.
    fn read(&self, path: &str) -> Result<Option<Vec<u8>>>;
    /// The names of the subdirectories of `dir` (`""` is the root), sorted.
    fn subdirs(&self, dir: &str) -> Vec<String>;
    /// `path` as shown in messages: `main:Cargo.toml`, or `Cargo.toml` in the work tree.
    fn display_path(&self, path: &str) -> String {
        format!("{}:{path}", self.label())
    }

    /// The id of the blob at `path`, where the files are a git tree's (None elsewhere): what
    /// [`RepoFiles::read`] returns for it is that blob's content, so a caller may keep what
    /// it made of a blob by its id.
    fn blob_id(&self, _path: &str) -> Option<git2::Oid> {
        None
    }

    /// Each file of `paths` read as [`RepoFiles::read`] reads it and turned by `f` into what
    /// the caller keeps, in the order given. A path that is no file, or whose read fails, is
    /// left out: reading it with [`RepoFiles::read`] says why. Here one by one; a git tree
    /// reads and applies `f` on several threads.
    fn map_files<R: Send>(
        &self,
        paths: &[String],
        f: &(dyn Fn(&[u8]) -> R + Sync),
    ) -> Vec<(String, R)>
    where
        Self: Sized,
    {
        paths
            .iter()
            .filter_map(|p| Some((p.clone(), f(&self.read(p).ok()??))))
            .collect()
    }
}

/// The work tree on disk, for `policy check` while the user edits.
pub struct WorkTree {
    /// The work tree's root directory.
    pub root: PathBuf,
}

impl RepoFiles for WorkTree {
    fn label(&self) -> &str {
        "work tree"
    }

    /// Reads without following symlinks, regular files only, within the cap of the file's
    /// kind (manifests and policy files 4 MiB, anything else the source-file cap): the work
    /// tree is the branch author's.
    fn read(&self, path: &str) -> Result<Option<Vec<u8>>> {
        bounded::read_in_tree(&self.root, path, limit_for(path))
    }

    fn subdirs(&self, dir: &str) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.root.join(dir)) else {
            return Vec::new();
        };
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| n != ".git")
            .collect();
        names.sort();
        names
    }

    fn display_path(&self, path: &str) -> String {
        path.to_string()
    }
}

/// The read cap for a work-tree file, by its name.
fn limit_for(path: &str) -> Limit {
    let name = path.rsplit('/').next().unwrap_or(path);
    if name == "Cargo.toml" {
        bounded::MANIFEST
    } else if path.ends_with("policy.toml") {
        bounded::POLICY
    } else {
        bounded::SOURCE
    }
}

/// A source of files that can also list a directory's files: a revision's tree
/// ([`GitTree`]) or the work tree (target discovery and the module graph need the names of
/// a directory's files).
pub trait ListFiles: RepoFiles {
    /// The names of the regular files (and symlinks) directly in `dir` (`""` is the root),
    /// sorted; non-UTF-8 names are skipped.
    fn files(&self, dir: &str) -> Vec<String>;

    /// True when `path` is a file, without reading it.
    fn is_file(&self, path: &str) -> bool {
        let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
        self.files(dir).iter().any(|f| f == name)
    }

    /// Every file below the directories `under` (recursively; each file once) whose name
    /// ends in `suffix`, turned by `f` (given its bytes, as [`RepoFiles::read`] returns them)
    /// into what the caller keeps. Here one by one; a git tree reads and applies `f` on
    /// several threads.
    fn map_files_under<R: Send>(
        &self,
        under: &[&str],
        suffix: &str,
        f: &(dyn Fn(&[u8]) -> R + Sync),
    ) -> Vec<(String, R)> {
        let mut out = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut dirs: Vec<String> = under.iter().map(|d| d.to_string()).collect();
        while let Some(d) = dirs.pop() {
            for name in self.files(&d).into_iter().filter(|n| n.ends_with(suffix)) {
                let path = join_path(&d, &name);
                if !seen.insert(path.clone()) {
                    continue;
                }
                if let Ok(Some(bytes)) = self.read(&path) {
                    out.push((path, f(&bytes)));
                }
            }
            dirs.extend(self.subdirs(&d).iter().map(|s| join_path(&d, s)));
        }
        out
    }
}

/// `dir/name` (`name` alone in the root).
fn join_path(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// The most threads [`map_blobs`] reads on.
const READ_THREADS: usize = 4;
/// Fewer blobs than this per thread are read on one thread.
const BLOBS_PER_THREAD: usize = 16;

/// Each blob of `blobs` (a key and its id) read and turned by `f` (given the key and the
/// content) into what the caller keeps, on up to `READ_THREADS` threads (see
/// [`super::shares::on_threads`]). A blob that cannot be read is left out. In the order
/// given.
pub(crate) fn map_blobs<K: Clone + Send + Sync, R: Send>(
    repo: &git2::Repository,
    blobs: &[(K, git2::Oid)],
    f: &(dyn Fn(&K, &[u8]) -> R + Sync),
) -> Vec<(K, R)> {
    map_blobs_within(repo, blobs, None, f)
}

/// [`map_blobs`], leaving out too the blobs larger than `cap` bytes (their size is read
/// before their content is).
fn map_blobs_within<K: Clone + Send + Sync, R: Send>(
    repo: &git2::Repository,
    blobs: &[(K, git2::Oid)],
    cap: Option<u64>,
    f: &(dyn Fn(&K, &[u8]) -> R + Sync),
) -> Vec<(K, R)> {
    let read_with = |repo: &git2::Repository, share: &[(K, git2::Oid)]| {
        let odb = cap.and_then(|_| repo.odb().ok());
        share
            .iter()
            .filter_map(|(key, id)| {
                if let Some(cap) = cap {
                    let (size, _) = odb.as_ref()?.read_header(*id).ok()?;
                    if size as u64 > cap {
                        return None;
                    }
                }
                let blob = repo.find_blob(*id).ok()?;
                Some((key.clone(), f(key, blob.content())))
            })
            .collect::<Vec<_>>()
    };
    super::shares::on_threads(repo, blobs, READ_THREADS, BLOBS_PER_THREAD, &read_with)
        .into_iter()
        .flatten()
        .collect()
}

impl ListFiles for WorkTree {
    fn files(&self, dir: &str) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.root.join(dir)) else {
            return Vec::new();
        };
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_ok_and(|t| !t.is_dir()))
            .filter_map(|e| e.file_name().into_string().ok())
            .collect();
        names.sort();
        names
    }
}

/// A commit's tree, read straight from git objects (no checkout): the one reader of a
/// revision's files, for the policy and roster, the workspace and the module graph.
///
/// Directories are cached once parsed: libgit2 does not cache tree objects larger than
/// 4 KiB, so without this every lookup below a wide directory (`crates/` with 1,600 members)
/// would parse it again, and reading every manifest would take quadratic time.
pub struct GitTree<'r> {
    repo: &'r git2::Repository,
    tree: git2::Tree<'r>,
    /// The revision as the user named it (for messages: `main:.countersign/policy.toml`).
    pub rev: String,
    /// The commit id the tree belongs to.
    pub commit: String,
    dirs: RefCell<HashMap<String, Option<git2::Tree<'r>>>>,
}

impl<'r> GitTree<'r> {
    /// The tree of revision `rev`: a full ref name, a short name only one ref answers to, or
    /// a commit id (see [`super::resolve_rev`]: no short-name guessing).
    pub fn at(repo: &'r git2::Repository, rev: &str) -> Result<Self> {
        let commit = super::resolve_rev(repo, rev)?.commit;
        Self::of_commit(repo, commit, rev)
    }

    /// The tree of commit `id`, named `label` in messages.
    pub fn of_commit(repo: &'r git2::Repository, id: git2::Oid, label: &str) -> Result<Self> {
        let c = repo
            .find_commit(id)
            .map_err(Error::git(format!("reading commit {id}")))?;
        let tree = c
            .tree()
            .map_err(Error::git(format!("reading the tree of {id}")))?;
        Ok(GitTree {
            repo,
            tree,
            rev: label.to_string(),
            commit: id.to_string(),
            dirs: RefCell::new(HashMap::new()),
        })
    }

    /// Equal ids mean equal trees: what lets a workspace read at one commit be reused at another.
    pub fn tree_id(&self) -> git2::Oid {
        self.tree.id()
    }

    /// The tree of directory `dir` (`""` is the root), parsed once.
    fn subtree(&self, dir: &str) -> Option<git2::Tree<'r>> {
        if dir.is_empty() {
            return Some(self.tree.clone());
        }
        if let Some(t) = self.dirs.borrow().get(dir) {
            return t.clone();
        }
        let (parent, name) = dir.rsplit_once('/').unwrap_or(("", dir));
        let found = self.subtree(parent).and_then(|p| {
            let entry = p.get_name(name)?;
            if entry.kind() != Some(git2::ObjectType::Tree) {
                return None;
            }
            self.repo.find_tree(entry.id()).ok()
        });
        self.dirs
            .borrow_mut()
            .insert(dir.to_string(), found.clone());
        found
    }

    /// The blob entry at `path` (None: no such file, or a directory or submodule).
    fn blob_entry(&self, path: &str) -> Option<git2::TreeEntry<'static>> {
        let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
        let entry = self.subtree(dir)?.get_name(name)?.to_owned();
        (entry.kind() == Some(git2::ObjectType::Blob)).then_some(entry)
    }

    /// The bytes of the file at `path` (`/`-separated, relative to the root), or None when
    /// there is no such file (a directory or submodule is also None). A manifest is parsed
    /// whole: its size is checked against the manifest cap before it is loaded.
    pub fn read(&self, path: &str) -> Result<Option<Vec<u8>>> {
        let Some(entry) = self.blob_entry(path) else {
            return Ok(None);
        };
        let shown = format!("{}:{path}", self.rev);
        if path == "Cargo.toml" || path.ends_with("/Cargo.toml") {
            return bounded::read_blob(self.repo, entry.id(), &shown, bounded::MANIFEST).map(Some);
        }
        let blob = self
            .repo
            .find_blob(entry.id())
            .map_err(Error::git(format!("reading {shown}")))?;
        Ok(Some(blob.content().to_vec()))
    }

    /// [`GitTree::read`] for files with a size cap (the policy, the roster): the blob's size
    /// is checked before its content is loaded, and a symlink entry is refused (its "content"
    /// is a path, never the file it names).
    pub fn read_capped(&self, path: &str, limit: Limit) -> Result<Option<Vec<u8>>> {
        let Some(entry) = self.blob_entry(path) else {
            return Ok(None);
        };
        let shown = format!("{}:{path}", self.rev);
        if entry.filemode() == 0o120000 {
            return Err(Error::Message(format!(
                "refused to read {shown}: it is a symbolic link, and a {} is only read from a \
                 regular file; commit the file itself there",
                limit.what
            )));
        }
        bounded::read_blob(self.repo, entry.id(), &shown, limit).map(Some)
    }

    /// The names of the entries of `kind` in directory `dir` (`""` is the root), sorted;
    /// non-UTF-8 names are skipped.
    fn names(&self, dir: &str, kind: git2::ObjectType) -> Vec<String> {
        let Some(tree) = self.subtree(dir) else {
            return Vec::new();
        };
        let mut names: Vec<String> = tree
            .iter()
            .filter(|e| e.kind() == Some(kind))
            .filter_map(|e| e.name().ok().map(str::to_string))
            .collect();
        names.sort();
        names
    }

    /// The names of the subdirectories of directory `dir` (`""` is the root), sorted.
    pub fn subdirs(&self, dir: &str) -> Vec<String> {
        self.names(dir, git2::ObjectType::Tree)
    }

    /// True when `path` is a directory in this tree.
    pub fn is_dir(&self, path: &str) -> bool {
        self.subtree(path).is_some()
    }
}

impl RepoFiles for GitTree<'_> {
    fn label(&self) -> &str {
        &self.rev
    }

    fn read(&self, path: &str) -> Result<Option<Vec<u8>>> {
        GitTree::read(self, path)
    }

    fn blob_id(&self, path: &str) -> Option<git2::Oid> {
        self.blob_entry(path).map(|e| e.id())
    }

    fn subdirs(&self, dir: &str) -> Vec<String> {
        GitTree::subdirs(self, dir)
    }

    /// The entries are looked up here, then the blobs read and mapped on up to
    /// `READ_THREADS` threads (a workspace's hundreds of manifests). Manifests over their
    /// cap are left out, for [`GitTree::read`] to refuse with the reason.
    fn map_files<R: Send>(
        &self,
        paths: &[String],
        f: &(dyn Fn(&[u8]) -> R + Sync),
    ) -> Vec<(String, R)> {
        let is_manifest = |p: &str| p == "Cargo.toml" || p.ends_with("/Cargo.toml");
        let (manifests, others): (Vec<&String>, Vec<&String>) =
            paths.iter().partition(|p| is_manifest(p));
        let entries = |paths: Vec<&String>| -> Vec<(String, git2::Oid)> {
            paths
                .into_iter()
                .filter_map(|p| Some((p.clone(), self.blob_entry(p)?.id())))
                .collect()
        };
        let f = |_: &String, bytes: &[u8]| f(bytes);
        let mut out = map_blobs_within(
            self.repo,
            &entries(manifests),
            Some(bounded::MANIFEST.bytes),
            &f,
        );
        out.extend(map_blobs_within(self.repo, &entries(others), None, &f));
        let order: HashMap<&str, usize> = paths
            .iter()
            .enumerate()
            .map(|(i, p)| (p.as_str(), i))
            .collect();
        out.sort_by_key(|(p, _)| order.get(p.as_str()).copied());
        out
    }
}

impl ListFiles for GitTree<'_> {
    fn files(&self, dir: &str) -> Vec<String> {
        self.names(dir, git2::ObjectType::Blob)
    }

    /// The blobs are listed here, then read and mapped on up to `READ_THREADS` threads
    /// (the machine's cores), each with its own handle on the repository: inflating and
    /// scanning a crate's sources is most of `impact`'s time. A thread that cannot open the
    /// repository leaves its share to this one.
    fn map_files_under<R: Send>(
        &self,
        under: &[&str],
        suffix: &str,
        f: &(dyn Fn(&[u8]) -> R + Sync),
    ) -> Vec<(String, R)> {
        let mut blobs: Vec<(String, git2::Oid)> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut dirs: Vec<String> = under.iter().map(|d| d.to_string()).collect();
        while let Some(d) = dirs.pop() {
            let Some(tree) = self.subtree(&d) else {
                continue;
            };
            for e in tree.iter() {
                let Ok(name) = e.name() else { continue };
                let path = join_path(&d, name);
                match e.kind() {
                    Some(git2::ObjectType::Tree) => dirs.push(path),
                    Some(git2::ObjectType::Blob)
                        if name.ends_with(suffix) && seen.insert(path.clone()) =>
                    {
                        blobs.push((path, e.id()))
                    }
                    _ => {}
                }
            }
        }
        map_blobs(self.repo, &blobs, &|_: &String, bytes: &[u8]| f(bytes))
    }

    fn is_file(&self, path: &str) -> bool {
        self.blob_entry(path).is_some()
    }
}
