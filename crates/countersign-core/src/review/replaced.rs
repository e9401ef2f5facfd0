//! Replace refs (`refs/replace/*`) and grafts (`.git/info/grafts`): git honours them when it
//! checks out and builds, countersign reads objects as stored. A replaced object the gate
//! judges (a commit of the range, the trusted commit, or any tree or blob of their trees)
//! means the gate would judge one thing and CI build another: refused (exit 2). Other
//! replacements are named in a notice.

use std::collections::{BTreeMap, HashSet};

use git2::{Oid, Repository};

use crate::util::bounded;
use crate::{Error, Result};

/// The most bytes of `.git/info/grafts` read.
const GRAFTS: bounded::Limit = bounded::Limit {
    what: "grafts file",
    bytes: 1024 * 1024,
};

/// Checks `repo`'s replacements against `commits` (the range and the trusted commit):
/// an error naming the first that replaces one of their objects, else a notice per
/// replacement (none when there are none).
pub(super) fn check(repo: &Repository, commits: &[Oid]) -> Result<Vec<String>> {
    // Replaced id → where it is replaced.
    let mut replaced: BTreeMap<Oid, String> = BTreeMap::new();
    if let Ok(mut refs) = repo.references_glob("refs/replace/*") {
        for name in refs.names().flatten() {
            if let Ok(id) = Oid::from_str(name.trim_start_matches("refs/replace/")) {
                replaced.insert(id, crate::util::escape::line(name).to_string());
            }
        }
    }
    let grafts = repo.path().join("info").join("grafts");
    if let Ok(Some(bytes)) = bounded::read_in_tree(repo.path(), "info/grafts", GRAFTS) {
        for line in String::from_utf8_lossy(&bytes).lines() {
            if let Some(id) = line
                .split_whitespace()
                .next()
                .and_then(|t| Oid::from_str(t).ok())
            {
                replaced.insert(id, grafts.display().to_string());
            }
        }
    }
    if replaced.is_empty() {
        return Ok(Vec::new());
    }
    let mut seen: HashSet<Oid> = HashSet::new();
    for c in commits {
        if let Some(by) = replaced.get(c) {
            return Err(refusal(*c, by, "a commit the gate judges"));
        }
        let Ok(tree) = repo.find_commit(*c).and_then(|c| c.tree()) else {
            continue;
        };
        let mut stack = vec![tree];
        while let Some(t) = stack.pop() {
            if !seen.insert(t.id()) {
                continue;
            }
            if let Some(by) = replaced.get(&t.id()) {
                return Err(refusal(t.id(), by, "a tree the gate reads"));
            }
            for e in t.iter() {
                if let Some(by) = replaced.get(&e.id()) {
                    return Err(refusal(e.id(), by, "an object the gate reads"));
                }
                if e.kind() == Some(git2::ObjectType::Tree) && !seen.contains(&e.id()) {
                    if let Ok(sub) = repo.find_tree(e.id()) {
                        stack.push(sub);
                    }
                }
            }
        }
    }
    Ok(replaced
        .iter()
        .map(|(id, by)| {
            format!(
                "{by} replaces {id}, which is not among the objects judged here; git honours \
                 it at checkout, countersign does not"
            )
        })
        .collect())
}

fn refusal(id: Oid, by: &str, what: &str) -> Error {
    Error::Message(format!(
        "{by} replaces {id}, {what}: git checks out the replacement while countersign reads \
         the original, so the gate would judge what does not build. Remove it (`git replace \
         -d {id}`, or delete the grafts file) or judge in a clone without it"
    ))
}
