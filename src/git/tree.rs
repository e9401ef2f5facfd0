//! Reading files from a revision without checking it out.

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

impl RepoFiles for TreeSnapshot<'_> {
    fn label(&self) -> &str {
        &self.rev
    }

    fn read(&self, path: &str) -> Result<Option<Vec<u8>>> {
        TreeSnapshot::read(self, path)
    }

    fn subdirs(&self, dir: &str) -> Vec<String> {
        TreeSnapshot::subdirs(self, dir)
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

/// A tree at some revision, read straight from git objects.
pub struct TreeSnapshot<'r> {
    repo: &'r git2::Repository,
    tree: git2::Tree<'r>,
    /// The revision as the user named it (for messages: `main:.countersign/policy.toml`).
    pub rev: String,
    /// The commit id the tree belongs to.
    pub commit: String,
}

impl<'r> TreeSnapshot<'r> {
    /// The tree of revision `rev`: a full ref name, a short name only one ref answers to, or
    /// a commit id (see [`super::resolve_rev`]: no short-name guessing).
    pub fn at(repo: &'r git2::Repository, rev: &str) -> Result<Self> {
        let commit = super::resolve_rev(repo, rev)?.commit;
        let mut snap = Self::of_commit(repo, commit)?;
        snap.rev = rev.to_string();
        Ok(snap)
    }

    /// The tree of a commit id.
    pub fn of_commit(repo: &'r git2::Repository, commit: git2::Oid) -> Result<Self> {
        let c = repo
            .find_commit(commit)
            .map_err(Error::git(format!("reading commit {commit}")))?;
        let tree = c
            .tree()
            .map_err(Error::git(format!("reading the tree of {commit}")))?;
        Ok(TreeSnapshot {
            repo,
            tree,
            rev: commit.to_string(),
            commit: commit.to_string(),
        })
    }

    /// The tree's id.
    pub fn tree_id(&self) -> git2::Oid {
        self.tree.id()
    }

    /// The bytes of the file at `path` (`/`-separated, relative to the root), or None when
    /// there is no such file (a directory or submodule is also None).
    pub fn read(&self, path: &str) -> Result<Option<Vec<u8>>> {
        let entry = match self.tree.get_path(std::path::Path::new(path)) {
            Ok(e) => e,
            Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(None),
            Err(e) => return Err(Error::git(format!("looking up {}:{path}", self.rev))(e)),
        };
        if entry.kind() != Some(git2::ObjectType::Blob) {
            return Ok(None);
        }
        let blob = self
            .repo
            .find_blob(entry.id())
            .map_err(Error::git(format!("reading {}:{path}", self.rev)))?;
        Ok(Some(blob.content().to_vec()))
    }

    /// [`TreeSnapshot::read`] for files with a size cap (the policy, the roster): the blob's
    /// size is checked before its content is loaded, and a symlink entry is refused (its
    /// "content" is a path, never the file it names).
    pub fn read_capped(&self, path: &str, limit: Limit) -> Result<Option<Vec<u8>>> {
        let entry = match self.tree.get_path(std::path::Path::new(path)) {
            Ok(e) => e,
            Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(None),
            Err(e) => return Err(Error::git(format!("looking up {}:{path}", self.rev))(e)),
        };
        if entry.kind() != Some(git2::ObjectType::Blob) {
            return Ok(None);
        }
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

    /// The subtree at `dir` (`""` is the root), if it is a directory.
    fn subtree(&self, dir: &str) -> Option<git2::Tree<'r>> {
        if dir.is_empty() {
            return Some(self.tree.clone());
        }
        let entry = self.tree.get_path(std::path::Path::new(dir)).ok()?;
        if entry.kind() != Some(git2::ObjectType::Tree) {
            return None;
        }
        self.repo.find_tree(entry.id()).ok()
    }

    /// The names of the subdirectories of directory `dir` (`""` is the root), sorted;
    /// non-UTF-8 names are skipped.
    pub fn subdirs(&self, dir: &str) -> Vec<String> {
        let Some(tree) = self.subtree(dir) else {
            return Vec::new();
        };
        let mut names: Vec<String> = tree
            .iter()
            .filter(|e| e.kind() == Some(git2::ObjectType::Tree))
            .filter_map(|e| e.name().ok().map(str::to_string))
            .collect();
        names.sort();
        names
    }

    /// True when `path` is a directory in this tree.
    pub fn is_dir(&self, path: &str) -> bool {
        self.subtree(path).is_some()
    }
}
