//! Reading files from a revision without checking it out.

use crate::Result;

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
    /// The tree of revision `rev` (anything `git rev-parse` accepts that names a commit).
    pub fn at(repo: &'r git2::Repository, rev: &str) -> Result<Self> {
        let _ = (repo, rev);
        todo!("implemented by the git change-set work")
    }

    /// The tree of a commit id.
    pub fn of_commit(repo: &'r git2::Repository, commit: git2::Oid) -> Result<Self> {
        let _ = (repo, commit);
        todo!("implemented by the git change-set work")
    }

    /// The bytes of the file at `path` (`/`-separated, relative to the root), or None when
    /// there is no such file (a directory or submodule is also None).
    pub fn read(&self, path: &str) -> Result<Option<Vec<u8>>> {
        let _ = (self.repo, &self.tree, path);
        todo!("implemented by the git change-set work")
    }

    /// The names of the subdirectories of directory `dir` (`""` is the root), sorted.
    pub fn subdirs(&self, dir: &str) -> Result<Vec<String>> {
        let _ = dir;
        todo!("implemented by the git change-set work")
    }

    /// True when `path` is a directory in this tree.
    pub fn is_dir(&self, path: &str) -> bool {
        let _ = path;
        todo!("implemented by the git change-set work")
    }
}
