//! What a merge commit itself changed: its tree against an automatic merge of its parents
//! (git's "remerge diff"). A merge of the base branch into a change brings the base's
//! commits along; judging it by its first-parent diff would charge it with them. Judged by
//! what it adds beyond the automatic merge, a clean merge changes nothing of its own, while
//! an "evil merge" (lines written in the merge itself, conflict resolutions included) still
//! shows every line it wrote.

use std::collections::{BTreeMap, BTreeSet};

use git2::{Oid, Repository};

use super::GitPath;
use crate::{Error, Result};

/// The paths a two-parent merge commit `merge` changed beyond an automatic merge of its
/// parents: paths whose content or mode differs from the automatic result, paths the
/// automatic merge left conflicted (the merge's resolution is its own work), and paths it
/// added or removed. None for a commit that is not a two-parent merge (octopus merges are
/// judged by their first-parent diff: the conservative answer).
///
/// Paths are compared as bytes: two names that differ only in bytes that are not UTF-8 are
/// two paths (a lossy key let one stand for the other and hid an edit to it).
pub(crate) fn merge_own_paths(repo: &Repository, merge: Oid) -> Result<Option<BTreeSet<GitPath>>> {
    let commit = repo
        .find_commit(merge)
        .map_err(Error::git(format!("reading commit {merge}")))?;
    if commit.parent_count() != 2 {
        return Ok(None);
    }
    let parents = (commit.parent(0), commit.parent(1));
    let (Ok(ours), Ok(theirs)) = parents else {
        // A parent missing (shallow history): no automatic merge to compare with.
        return Ok(None);
    };
    let index = repo
        .merge_commits(&ours, &theirs, None)
        .map_err(Error::git(format!("re-merging the parents of {merge}")))?;
    let mut auto: BTreeMap<GitPath, (Oid, u32)> = BTreeMap::new();
    let mut own: BTreeSet<GitPath> = BTreeSet::new();
    for entry in index.iter() {
        let path = GitPath::from_bytes(entry.path);
        let stage = (entry.flags >> 12) & 0x3;
        if stage == 0 {
            auto.insert(path, (entry.id, entry.mode));
        } else {
            own.insert(path);
        }
    }
    let tree = commit
        .tree()
        .map_err(Error::git(format!("reading the tree of {merge}")))?;
    let mut actual: BTreeMap<GitPath, (Oid, u32)> = BTreeMap::new();
    blobs_below(repo, &tree, &mut Vec::new(), &mut actual)
        .map_err(Error::git(format!("reading the tree of {merge}")))?;
    for (path, id) in &actual {
        if auto.get(path) != Some(id) {
            own.insert(path.clone());
        }
    }
    own.extend(auto.keys().filter(|p| !actual.contains_key(*p)).cloned());
    Ok(Some(own))
}

/// Every non-tree entry below `tree`, by its full path as bytes (git2's `Tree::walk` gives up
/// on a directory name that is not UTF-8).
fn blobs_below(
    repo: &Repository,
    tree: &git2::Tree<'_>,
    prefix: &mut Vec<u8>,
    out: &mut BTreeMap<GitPath, (Oid, u32)>,
) -> std::result::Result<(), git2::Error> {
    for e in tree.iter() {
        let len = prefix.len();
        prefix.extend_from_slice(e.name_bytes());
        if e.kind() == Some(git2::ObjectType::Tree) {
            prefix.push(b'/');
            blobs_below(repo, &repo.find_tree(e.id())?, prefix, out)?;
        } else {
            out.insert(
                GitPath::from_bytes(prefix.clone()),
                (e.id(), e.filemode() as u32),
            );
        }
        prefix.truncate(len);
    }
    Ok(())
}
