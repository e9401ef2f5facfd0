//! Workspace-wide files: a change to the root `Cargo.toml`, `Cargo.lock`,
//! `rust-toolchain(.toml)` or `.cargo/config(.toml)` can change how every member builds, so
//! it affects all members, unless the change is provably narrower:
//!
//! - only `[workspace.dependencies]` entries changed: the members that inherit one of them
//!   (`workspace = true`);
//! - only `members`/`exclude` changed: the crates that joined or left the workspace;
//! - only the root package's own tables changed: the root package (a changed crate anyway).
//!
//! Build scripts are not workspace-wide: a `build.rs` belongs to its package, and is reported
//! as that crate's build script changing.

use std::collections::BTreeSet;

use super::workspace::Workspace;

/// What a workspace-wide file change affects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WideEffect {
    /// Every member.
    All {
        /// Why, as a sentence.
        reason: String,
    },
    /// Only these members.
    Some {
        /// Package names.
        crates: BTreeSet<String>,
        /// Why, as a sentence.
        reason: String,
    },
}

/// Whether `path` is a workspace-wide file (other than the root `Cargo.toml`, which is
/// judged by [`root_manifest_change`]), and why it matters.
pub fn wide_file_reason(path: &str) -> Option<&'static str> {
    match path {
        "Cargo.lock" => Some("the lock file pins every member's dependency versions"),
        "rust-toolchain" | "rust-toolchain.toml" => {
            Some("the toolchain pin changes the compiler every member is built with")
        }
        ".cargo/config" | ".cargo/config.toml" => {
            Some("Cargo's configuration applies to every member's build")
        }
        _ => None,
    }
}

/// Root package tables: a change confined to these concerns the root package alone.
const PACKAGE_TABLES: &[&str] = &[
    "package",
    "lib",
    "bin",
    "test",
    "bench",
    "example",
    "dependencies",
    "dev-dependencies",
    "dev_dependencies",
    "build-dependencies",
    "build_dependencies",
    "target",
    "features",
    "badges",
    "lints",
];

/// What a change of the root `Cargo.toml` from `old` to `new` (their texts; None when absent)
/// affects, judged against the workspaces on both sides. None when the root manifest only
/// concerns the root package (a changed crate like any other).
pub fn root_manifest_change(
    old: Option<&str>,
    new: Option<&str>,
    old_ws: &Workspace,
    new_ws: &Workspace,
) -> Option<WideEffect> {
    let all = |why: &str| {
        Some(WideEffect::All {
            reason: format!("the root Cargo.toml {why}, which concerns every member"),
        })
    };
    let (Some(old), Some(new)) = (old, new) else {
        return all("was added or removed");
    };
    let (Ok(old), Ok(new)) = (
        toml::from_str::<toml::Table>(old),
        toml::from_str::<toml::Table>(new),
    ) else {
        return all("does not parse on one side");
    };
    let keys: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    let changed: Vec<&str> = keys
        .into_iter()
        .filter(|k| old.get(*k) != new.get(*k))
        .map(String::as_str)
        .collect();
    let root_is_member = new_ws.members.iter().any(|m| m.dir.is_empty());
    let package_only = changed.iter().all(|k| PACKAGE_TABLES.contains(k));
    if package_only && root_is_member {
        return None;
    }
    if changed
        .iter()
        .any(|k| *k != "workspace" && !PACKAGE_TABLES.contains(k))
    {
        let k = changed
            .iter()
            .find(|k| **k != "workspace" && !PACKAGE_TABLES.contains(k))
            .copied()
            .unwrap_or_default();
        return all(&format!("changes [{k}]"));
    }
    let empty = toml::Table::new();
    let table = |t: &toml::Table| -> toml::Table {
        t.get("workspace")
            .and_then(|w| w.as_table())
            .cloned()
            .unwrap_or_else(|| empty.clone())
    };
    let (ow, nw) = (table(&old), table(&new));
    let sub: BTreeSet<&String> = ow.keys().chain(nw.keys()).collect();
    let changed_sub: Vec<&str> = sub
        .into_iter()
        .filter(|k| ow.get(*k) != nw.get(*k))
        .map(String::as_str)
        .collect();
    let mut crates = BTreeSet::new();
    let mut reasons = Vec::new();
    if changed.iter().any(|k| PACKAGE_TABLES.contains(k)) {
        match new_ws.members.iter().find(|m| m.dir.is_empty()) {
            Some(root) => {
                crates.insert(root.name.clone());
                reasons.push(format!("the root package `{}` changed", root.name));
            }
            None => return all("changes package tables of a virtual manifest"),
        }
    }
    for k in &changed_sub {
        match *k {
            "dependencies" => {
                let (od, nd) = (dep_table(&ow), dep_table(&nw));
                let names: BTreeSet<&String> = od.keys().chain(nd.keys()).collect();
                let entries: Vec<&String> = names
                    .into_iter()
                    .filter(|n| od.get(*n) != nd.get(*n))
                    .collect();
                crates.extend(inheriting_members(new_ws, &entries));
                let list: Vec<String> = entries.iter().map(|e| format!("`{e}`")).collect();
                reasons.push(format!(
                    "[workspace.dependencies] {} changed in the root Cargo.toml",
                    list.join(", ")
                ));
            }
            "members" | "exclude" | "default-members" => {
                let before: BTreeSet<&str> =
                    old_ws.members.iter().map(|m| m.name.as_str()).collect();
                let after: BTreeSet<&str> =
                    new_ws.members.iter().map(|m| m.name.as_str()).collect();
                crates.extend(
                    before
                        .symmetric_difference(&after)
                        .map(|s| (*s).to_string()),
                );
                reasons.push(format!("[workspace] {k} changed"));
            }
            other => return all(&format!("changes [workspace.{other}]")),
        }
    }
    if crates.is_empty() && reasons.is_empty() {
        return None;
    }
    Some(WideEffect::Some {
        crates,
        reason: reasons.join("; "),
    })
}

fn dep_table(ws: &toml::Table) -> toml::Table {
    ws.get("dependencies")
        .and_then(|d| d.as_table())
        .cloned()
        .unwrap_or_default()
}

/// Members whose manifests inherit one of `entries` (registry dependencies included), as
/// recorded when the workspace was loaded.
fn inheriting_members(ws: &Workspace, entries: &[&String]) -> BTreeSet<String> {
    ws.members
        .iter()
        .filter(|m| m.inherits.iter().any(|k| entries.contains(&k)))
        .map(|m| m.name.clone())
        .collect()
}
