//! Trees git itself never writes: a name listed twice, or names out of git's order. A
//! checkout of such a tree keeps one entry per name, so the files a reviewer saw (every
//! entry) and the files a build compiles (the one kept) can differ; `verify` fails the
//! commit rather than guess which one builds.

use std::collections::HashSet;

use super::CommitChange;
use crate::{Error, Result};

/// Why the trees of `commit` along its changed paths are malformed, or None. Only the
/// trees on the way to a changed path are read (and each once).
pub(crate) fn malformed_tree(
    repo: &git2::Repository,
    commit: &CommitChange,
) -> Result<Option<String>> {
    let tree = repo
        .find_commit(commit.id.oid())
        .and_then(|c| c.tree())
        .map_err(Error::git(format!("reading the tree of {}", commit.id)))?;
    let mut seen: HashSet<git2::Oid> = HashSet::new();
    // (tree, its directory, the changed paths below it, relative to it)
    let mut work: Vec<(git2::Tree<'_>, String, Vec<Vec<u8>>)> = vec![(
        tree,
        String::new(),
        commit
            .files
            .iter()
            .flat_map(|f| f.paths())
            .map(|p| p.as_bytes().to_vec())
            .collect(),
    )];
    while let Some((tree, dir, below)) = work.pop() {
        if !seen.insert(tree.id()) {
            continue;
        }
        if let Some(why) = check(&tree, &dir) {
            return Ok(Some(why));
        }
        for e in tree.iter() {
            if e.kind() != Some(git2::ObjectType::Tree) {
                continue;
            }
            let name = e.name_bytes();
            let sub: Vec<Vec<u8>> = below
                .iter()
                .filter_map(|p| {
                    p.strip_prefix(name)
                        .and_then(|r| r.strip_prefix(b"/"))
                        .map(<[u8]>::to_vec)
                })
                .collect();
            if sub.is_empty() {
                continue;
            }
            if let Ok(t) = repo.find_tree(e.id()) {
                let d = format!("{dir}{}/", String::from_utf8_lossy(name));
                work.push((t, d, sub));
            }
        }
    }
    Ok(None)
}

/// The first problem in one tree's entry list, or None.
fn check(tree: &git2::Tree<'_>, dir: &str) -> Option<String> {
    let mut prev: Option<(Vec<u8>, Vec<u8>)> = None;
    for e in tree.iter() {
        let name = e.name_bytes().to_vec();
        // git orders names as bytes, a directory's as if it ended in `/`.
        let mut key = name.clone();
        if e.kind() == Some(git2::ObjectType::Tree) {
            key.push(b'/');
        }
        if let Some((p_name, p_key)) = &prev {
            let shown = format!("{dir}{}", String::from_utf8_lossy(&name));
            if *p_name == name {
                return Some(format!("its tree lists `{shown}` twice"));
            }
            if key <= *p_key {
                return Some(format!(
                    "its tree lists `{shown}` out of git's order (after `{dir}{}`)",
                    String::from_utf8_lossy(p_name)
                ));
            }
        }
        prev = Some((name, key));
    }
    None
}
