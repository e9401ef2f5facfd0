//! Listing and reading the files of a revision: what target discovery and the module graph
//! need beyond [`RepoFiles`] (the names of the files in a directory).

use std::cell::RefCell;
use std::collections::HashMap;

use crate::git::{RepoFiles, WorkTree};
use crate::util::bounded;
use crate::{Error, Result};

/// A source of files that can also list a directory's files: a revision's tree
/// ([`GitTree`]) or the work tree.
pub trait ListFiles: RepoFiles {
    /// The names of the regular files (and symlinks) directly in `dir` (`""` is the root),
    /// sorted; non-UTF-8 names are skipped.
    fn files(&self, dir: &str) -> Vec<String>;

    /// True when `path` is a file, without reading it.
    fn is_file(&self, path: &str) -> bool {
        let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
        self.files(dir).iter().any(|f| f == name)
    }
}

/// A commit's tree read straight from git objects (no checkout).
///
/// Directories are cached once parsed: libgit2 does not cache tree objects larger than
/// 4 KiB, so without this every lookup below a wide directory (`crates/` with 1,600 members)
/// would parse it again, and reading every manifest would take quadratic time.
pub struct GitTree<'r> {
    repo: &'r git2::Repository,
    tree: git2::Tree<'r>,
    label: String,
    dirs: RefCell<HashMap<String, Option<git2::Tree<'r>>>>,
}

impl<'r> GitTree<'r> {
    /// The tree of commit `id`, named `label` in messages.
    pub fn of_commit(repo: &'r git2::Repository, id: git2::Oid, label: &str) -> Result<Self> {
        let commit = repo
            .find_commit(id)
            .map_err(Error::git(format!("reading commit {id}")))?;
        let tree = commit
            .tree()
            .map_err(Error::git(format!("reading the tree of {id}")))?;
        Ok(GitTree {
            repo,
            tree,
            label: label.to_string(),
            dirs: RefCell::new(HashMap::new()),
        })
    }

    /// The tree of revision `rev` (anything `git rev-parse` accepts that names a commit).
    pub fn at(repo: &'r git2::Repository, rev: &str) -> Result<Self> {
        let id = crate::git::resolve_rev(repo, rev)?.commit;
        Self::of_commit(repo, id, rev)
    }

    /// The id of the whole tree.
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
}

impl RepoFiles for GitTree<'_> {
    fn label(&self) -> &str {
        &self.label
    }

    fn read(&self, path: &str) -> Result<Option<Vec<u8>>> {
        let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
        let Some(tree) = self.subtree(dir) else {
            return Ok(None);
        };
        let Some(entry) = tree.get_name(name) else {
            return Ok(None);
        };
        if entry.kind() != Some(git2::ObjectType::Blob) {
            return Ok(None);
        }
        if name == "Cargo.toml" {
            // A manifest is parsed whole: its size is checked before it is loaded.
            let shown = format!("{}:{path}", self.label);
            return bounded::read_blob(self.repo, entry.id(), &shown, bounded::MANIFEST).map(Some);
        }
        let blob = self
            .repo
            .find_blob(entry.id())
            .map_err(Error::git(format!("reading {}:{path}", self.label)))?;
        Ok(Some(blob.content().to_vec()))
    }

    fn subdirs(&self, dir: &str) -> Vec<String> {
        self.names(dir, git2::ObjectType::Tree)
    }
}

impl ListFiles for GitTree<'_> {
    fn files(&self, dir: &str) -> Vec<String> {
        self.names(dir, git2::ObjectType::Blob)
    }

    fn is_file(&self, path: &str) -> bool {
        let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
        self.subtree(dir)
            .and_then(|t| {
                t.get_name(name)
                    .map(|e| e.kind() == Some(git2::ObjectType::Blob))
            })
            .unwrap_or(false)
    }
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

/// `dir/name`, or `name` at the root.
pub(crate) fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// Joins `rel` (which may hold `.` and `..`) onto `dir` and normalises the result; None when
/// it climbs above the repository root or is absolute.
pub(crate) fn normalize(dir: &str, rel: &str) -> Option<String> {
    if rel.starts_with('/') || rel.contains('\\') && rel.starts_with("\\\\") {
        return None;
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for p in rel.split(['/', '\\']) {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_joins_and_climbs() {
        assert_eq!(normalize("crates/a", "../b").as_deref(), Some("crates/b"));
        assert_eq!(normalize("", "./x/y/").as_deref(), Some("x/y"));
        assert_eq!(normalize("a", "../..").as_deref(), None);
        assert_eq!(normalize("a", "/abs").as_deref(), None);
    }
}
