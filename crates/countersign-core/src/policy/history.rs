//! Every roster key and role the trusted ref's first-parent history ever held: what a reject
//! is judged by.
//!
//! A reject stands until its own principal lifts it (DESIGN, "Decisions that must not fail
//! open"). The trusted roster of today is not enough to judge one: rotating a key, removing a
//! reviewer from the roster or taking their role away on the trusted branch would otherwise
//! lift every reject they ever signed. So a reject counts when its signature verifies with a
//! key its principal held in the roster of *any* commit of the trusted ref's first-parent
//! history, and the principal held the tier's role in any policy of that history. The one
//! way to end a key's veto is explicit: `revoked` in today's policy.
//!
//! The history is read only when a reject needs it (the trusted roster of today does not
//! admit it, or its principal no longer holds the role), each distinct `.countersign` tree
//! once. A shallow trusted history is an error: the cut could hide the key a reject was
//! signed with.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use git2::{Oid, Repository};

use super::{parse_roster, AllowedSigner, Roster, POLICY_PATH, ROSTER_PATH};
use crate::util::bounded;
use crate::{Error, Result};

/// The union of the rosters and roles of a trusted ref's first-parent history.
#[derive(Clone, Debug, Default)]
pub(crate) struct TrustedHistory {
    /// Every roster line of every version (each distinct line once), in the order found
    /// (newest first).
    pub roster: Roster,
    /// Role name → every principal it named in some version of the policy.
    pub roles: BTreeMap<String, BTreeSet<String>>,
}

/// Reads the rosters and roles of every commit on `tip`'s first-parent history (`label`
/// names it in messages). A version that does not parse adds nothing: it never judged
/// anything either.
pub(crate) fn trusted_history(repo: &Repository, tip: Oid, label: &str) -> Result<TrustedHistory> {
    let walk_err = || Error::git(format!("walking the history of {label}"));
    let mut walk = repo.revwalk().map_err(walk_err())?;
    walk.simplify_first_parent().map_err(walk_err())?;
    walk.push(tip).map_err(walk_err())?;
    let commits = walk
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(walk_err())?;
    if let Some(cut) = crate::git::shallow_boundary(repo, &commits)? {
        return Err(Error::Message(format!(
            "the history of {label} is shallow (cut at {}): a reject is judged by every roster \
             that history held, and the cut could hide the key it was signed with. Fetch the \
             trusted branch's whole history (git fetch --unshallow, or fetch-depth: 0 in CI)",
            crate::git::short_id(&cut.to_string())
        )));
    }
    let mut out = TrustedHistory::default();
    let mut seen_dirs: HashSet<Oid> = HashSet::new();
    let mut seen_blobs: HashSet<Oid> = HashSet::new();
    let mut seen_lines: HashSet<(Vec<String>, String, Option<Vec<String>>)> = HashSet::new();
    for id in commits {
        let tree = repo
            .find_commit(id)
            .and_then(|c| c.tree())
            .map_err(Error::git(format!("reading commit {id} of {label}")))?;
        let Some(dir) = tree.get_name(".countersign").map(|e| e.id()) else {
            continue;
        };
        if !seen_dirs.insert(dir) {
            continue;
        }
        let Ok(dir) = repo.find_tree(dir) else {
            continue;
        };
        let file = |path: &str| {
            let name = path.trim_start_matches(".countersign/");
            dir.get_name(name)
                .filter(|e| e.kind() == Some(git2::ObjectType::Blob))
                .map(|e| e.id())
        };
        if let Some(blob) = file(ROSTER_PATH).filter(|b| seen_blobs.insert(*b)) {
            let shown = format!("{ROSTER_PATH} at {}", crate::git::short_id(&id.to_string()));
            if let Ok(bytes) = bounded::read_blob(repo, blob, &shown, bounded::ROSTER) {
                if let Ok(roster) = parse_roster(&String::from_utf8_lossy(&bytes), &shown) {
                    for e in roster.entries {
                        if seen_lines.insert(line_key(&e)) {
                            out.roster.entries.push(e);
                        }
                    }
                }
            }
        }
        if let Some(blob) = file(POLICY_PATH).filter(|b| seen_blobs.insert(*b)) {
            let shown = format!("{POLICY_PATH} at {}", crate::git::short_id(&id.to_string()));
            if let Ok(bytes) = bounded::read_blob(repo, blob, &shown, bounded::POLICY) {
                add_roles(&String::from_utf8_lossy(&bytes), &mut out.roles);
            }
        }
    }
    Ok(out)
}

/// What makes two roster lines the same line: principals, key and namespaces (times do not
/// matter to a reject).
fn line_key(e: &AllowedSigner) -> (Vec<String>, String, Option<Vec<String>>) {
    (
        e.principals.clone(),
        e.key.to_openssh().unwrap_or_default(),
        e.namespaces.clone(),
    )
}

/// The `[roles]` of a policy file, read leniently: a version that today's parser would refuse
/// for another reason (a key added since) still named its reviewers.
fn add_roles(text: &str, roles: &mut BTreeMap<String, BTreeSet<String>>) {
    let (root, _) = toml::de::DeTable::parse_recoverable(text);
    let Some(table) = root.get_ref().get("roles") else {
        return;
    };
    let toml::de::DeValue::Table(table) = table.get_ref() else {
        return;
    };
    for (name, value) in table.iter() {
        let toml::de::DeValue::Array(items) = value.get_ref() else {
            continue;
        };
        let entry = roles.entry(name.get_ref().to_string()).or_default();
        for item in items.iter() {
            if let toml::de::DeValue::String(p) = item.get_ref() {
                entry.insert(p.to_string());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_read_from_a_policy_todays_parser_would_refuse() {
        let mut roles = BTreeMap::new();
        add_roles(
            "base = \"main\"\nunknown_key = 1\n[roles]\nsenior = [\"a@x\", \"b@x\"]\nlead = [\"c@x\"]\n",
            &mut roles,
        );
        add_roles("[roles]\nsenior = [\"d@x\"]\n", &mut roles);
        assert_eq!(
            roles["senior"].iter().collect::<Vec<_>>(),
            ["a@x", "b@x", "d@x"]
        );
        assert!(roles["lead"].contains("c@x"));
    }
}
