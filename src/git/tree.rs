//! Reading files from a revision without checking it out.

use crate::{Error, Result};

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
        let commit = repo
            .revparse_single(rev)
            .and_then(|o| o.peel_to_commit())
            .map_err(|e| Error::UnknownRevision {
                spec: rev.to_string(),
                reason: e.message().to_string(),
            })?;
        let mut snap = Self::of_commit(repo, commit.id())?;
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
