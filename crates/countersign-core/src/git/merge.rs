//! What a merge commit itself changed: its tree against an automatic merge of its parents
//! (git's "remerge diff"). A merge of the base branch into a change brings the base's
//! commits along; judging it by its first-parent diff would charge it with them. Judged by
//! what it adds beyond the automatic merge, a clean merge changes nothing of its own, while
//! an "evil merge" (lines written in the merge itself, conflict resolutions included) still
//! shows every line it wrote.

use std::collections::{BTreeMap, BTreeSet};

use git2::{Oid, Repository};

use crate::{Error, Result};

/// The paths a two-parent merge commit `merge` changed beyond an automatic merge of its
/// parents: paths whose content or mode differs from the automatic result, paths the
/// automatic merge left conflicted (the merge's resolution is its own work), and paths it
/// added or removed. None for a commit that is not a two-parent merge (octopus merges are
/// judged by their first-parent diff: the conservative answer).
pub fn merge_own_paths(repo: &Repository, merge: Oid) -> Result<Option<BTreeSet<String>>> {
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
    let mut auto: BTreeMap<String, (Oid, u32)> = BTreeMap::new();
    let mut own: BTreeSet<String> = BTreeSet::new();
    for entry in index.iter() {
        let path = String::from_utf8_lossy(&entry.path).into_owned();
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
    let mut actual: BTreeMap<String, (Oid, u32)> = BTreeMap::new();
    tree.walk(git2::TreeWalkMode::PreOrder, |dir, e| {
        if e.kind() != Some(git2::ObjectType::Tree) {
            let name = String::from_utf8_lossy(e.name_bytes());
            actual.insert(format!("{dir}{name}"), (e.id(), e.filemode() as u32));
        }
        git2::TreeWalkResult::Ok
    })
    .map_err(Error::git(format!("reading the tree of {merge}")))?;
    for (path, id) in &actual {
        if auto.get(path) != Some(id) {
            own.insert(path.clone());
        }
    }
    own.extend(auto.keys().filter(|p| !actual.contains_key(*p)).cloned());
    Ok(Some(own))
}
