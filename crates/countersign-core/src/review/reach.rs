//! What a changed file's content reaches beyond its folder, for the direct tier:
//!
//! - **Feature reach** (DESIGN, "Feature reach"): a manifest change that alters the
//!   features it requests of a workspace member X (`features`, `default` unless
//!   `default-features = false`, `optional`, `package`, a `[features]` entry naming X)
//!   changes the feature set cargo unifies X with for the whole workspace when X defines
//!   such a feature, and what that feature enables reaches further members: the change
//!   takes their tiers. A manifest that cannot be read reaches everything it names (fail
//!   closed).
//! - **Checkout attributes**: a `.gitattributes` change that sets `filter`, `ident`,
//!   `eol`/`text`/`crlf`, `export-subst` or `working-tree-encoding` (or a macro, which may
//!   set them) makes the checkout differ from the blobs reviewed for the files below it: it
//!   takes the tier of every crate compiling files there.

use std::collections::{BTreeMap, BTreeSet};

use crate::git::{CommitChange, GitPath};
use crate::impact::compiled::Inclusions;
use crate::impact::Workspace;
use crate::util::bounded;

/// Attributes that change what a checkout writes.
const CHECKOUT_ATTRIBUTES: &[&str] = &[
    "filter",
    "ident",
    "eol",
    "text",
    "crlf",
    "export-subst",
    "working-tree-encoding",
    "binary",
];

/// Path → (crates, why) for the files of `commit` whose content reaches crates.
pub(super) fn reaches(
    repo: &git2::Repository,
    commit: &CommitChange,
    ws: &Workspace,
    parent_ws: &Workspace,
    inclusions: Option<&Inclusions>,
) -> BTreeMap<GitPath, (Vec<String>, String)> {
    let mut out = BTreeMap::new();
    let tree = repo
        .find_commit(commit.id.oid())
        .and_then(|c| c.tree())
        .ok();
    let read_manifest = |p: &str| -> Option<toml::Value> {
        let entry = tree.as_ref()?.get_path(std::path::Path::new(p)).ok()?;
        let bytes = bounded::read_blob(repo, entry.id(), p, bounded::MANIFEST).ok()?;
        toml::from_str(&String::from_utf8_lossy(&bytes)).ok()
    };
    let read = |id: Option<git2::Oid>| -> Option<String> {
        bounded::read_blob(repo, id?, "a changed file", bounded::MANIFEST)
            .ok()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
    };
    for f in &commit.files {
        let Some(path) = f.new_path.as_ref().or(f.old_path.as_ref()) else {
            continue;
        };
        let text = path.display();
        let name = text.rsplit('/').next().unwrap_or(&text);
        if name == "Cargo.toml" {
            let [old, new] = f.blob_oids().map(read);
            let dir = text
                .strip_suffix("Cargo.toml")
                .unwrap_or("")
                .trim_end_matches('/');
            let crates = feature_reach(
                &read_manifest,
                old.as_deref(),
                new.as_deref(),
                dir,
                ws,
                parent_ws,
            );
            if !crates.is_empty() {
                out.insert(
                    path.clone(),
                    (
                        crates,
                        "it changes how cargo unifies a workspace member's features (a \
                         dependency's features, default-features, optional or package, or a \
                         [features] entry naming it)"
                            .to_string(),
                    ),
                );
            }
        } else if name == ".gitattributes" {
            let Some(new) = read(f.blob_oids()[1]) else {
                continue;
            };
            if !sets_checkout_attributes(&new) {
                continue;
            }
            let dir = text
                .strip_suffix(".gitattributes")
                .unwrap_or("")
                .trim_end_matches('/');
            let crates = crates_below(dir, ws, parent_ws, inclusions);
            if !crates.is_empty() {
                out.insert(
                    path.clone(),
                    (
                        crates,
                        "it sets checkout attributes (filter, ident, eol/text, export-subst or \
                         working-tree-encoding) on files crates compile, so a checkout may \
                         differ from the blobs reviewed"
                            .to_string(),
                    ),
                );
            }
        }
    }
    out
}

/// True when `.gitattributes` text names an attribute that changes checkouts, or defines or
/// uses a macro (which may set one).
fn sets_checkout_attributes(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .any(|l| {
            l.starts_with("[attr]")
                || l.split_whitespace().skip(1).any(|a| {
                    let a = a.trim_start_matches(['-', '!']);
                    let name = a.split('=').next().unwrap_or(a);
                    CHECKOUT_ATTRIBUTES.contains(&name)
                })
        })
}

/// The members with files below `dir` (or holding it), and the crates compiling files
/// there from elsewhere.
fn crates_below(
    dir: &str,
    ws: &Workspace,
    parent_ws: &Workspace,
    inclusions: Option<&Inclusions>,
) -> Vec<String> {
    let mut out: BTreeSet<String> = BTreeSet::new();
    for m in ws.members.iter().chain(&parent_ws.members) {
        let below = dir.is_empty() || GitPath::from(m.dir.as_str()).starts_with_dir(dir);
        let holds = m.dir.is_empty() || GitPath::from(dir).starts_with_dir(&m.dir);
        if below || holds {
            out.insert(m.name.clone());
        }
    }
    if let Some(i) = inclusions {
        out.extend(i.compiled_under(dir).into_iter().map(|(k, _)| k));
        out.extend(
            i.compilers(&GitPath::from(dir))
                .into_iter()
                .map(|c| c.krate),
        );
    }
    out.into_iter().collect()
}

/// The members whose resolved features a manifest change from `old` to `new` (texts; None
/// where absent) may alter, as cargo's feature unification does: a dependency entry on a
/// member X whose requested features differ (its `features`, `default` unless
/// `default-features = false`, `optional`, `package`, or a `[features]` entry naming X)
/// reaches X when X defines one of those features (or the manifests cannot be read: fail
/// closed), and then, through X's `[features]` entries (`Y/f`, `Y?/f`, `dep:Y`, an
/// optional dependency's name), the members those enable.
fn feature_reach(
    read_manifest: &dyn Fn(&str) -> Option<toml::Value>,
    old: Option<&str>,
    new: Option<&str>,
    dir: &str,
    ws: &Workspace,
    parent_ws: &Workspace,
) -> Vec<String> {
    let parse = |t: Option<&str>| -> Option<toml::Value> {
        match t {
            None => Some(toml::Value::Table(Default::default())),
            Some(t) => toml::from_str(t).ok(),
        }
    };
    let member_at = |d: &str| {
        ws.members
            .iter()
            .find(|m| m.dir == d)
            .or_else(|| parent_ws.members.iter().find(|m| m.dir == d))
    };
    let Some(this) = member_at(dir) else {
        return Vec::new();
    };
    // Dependency key → member, for a member's path dependencies.
    let keys_of = |name: &str| -> BTreeMap<String, String> {
        let mut keys = BTreeMap::new();
        for w in [ws, parent_ws] {
            if let Some(m) = w.member(name) {
                for d in &m.deps {
                    let to = d
                        .path
                        .as_deref()
                        .and_then(|p| w.members.iter().find(|t| t.dir == p));
                    if let Some(t) = to {
                        keys.insert(d.key.clone(), t.name.clone());
                    }
                }
            }
        }
        keys
    };
    let keys = keys_of(&this.name);
    if keys.is_empty() {
        return Vec::new();
    }
    // (member, feature) pairs whose enabling may have changed; "*" = any (fail closed).
    let mut todo: Vec<(String, String)> = Vec::new();
    match (parse(old), parse(new)) {
        (Some(o), Some(n)) => {
            for (key, member) in &keys {
                let (a, b) = (requested(&o, key), requested(&n, key));
                if a != b {
                    for f in a.symmetric_difference(&b) {
                        todo.push((member.clone(), f.clone()));
                    }
                }
            }
        }
        _ => todo.extend(keys.values().map(|m| (m.clone(), "*".to_string()))),
    }
    let mut reached: BTreeSet<String> = BTreeSet::new();
    let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
    while let Some((name, feature)) = todo.pop() {
        if name == this.name || !seen.insert((name.clone(), feature.clone())) || seen.len() > 10_000
        {
            continue;
        }
        let Some(m) = ws.member(&name).or_else(|| parent_ws.member(&name)) else {
            continue;
        };
        let features = read_manifest(&m.manifest_path()).map(|v| {
            v.get("features")
                .and_then(|f| f.as_table())
                .cloned()
                .unwrap_or_default()
        });
        let dep_keys = keys_of(&name);
        let Some(features) = features else {
            // Unreadable: it and everything it depends on (fail closed).
            reached.insert(name.clone());
            todo.extend(dep_keys.values().map(|d| (d.clone(), "*".to_string())));
            continue;
        };
        // The features this one enables: all of them for "*", else the named one; an
        // optional dependency is enabled by its own name (`optional`/`package` changes).
        let enabled: Vec<&toml::Value> = if feature == "*" {
            features.values().collect()
        } else {
            features.get(&feature).into_iter().collect()
        };
        let defines =
            feature == "*" || features.contains_key(&feature) || dep_keys.contains_key(&feature);
        if !defines {
            continue;
        }
        reached.insert(name.clone());
        if let Some(dep) = dep_keys.get(&feature) {
            todo.push((dep.clone(), "default".to_string()));
        }
        for list in enabled {
            for v in list
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|x| x.as_str())
            {
                let (key, f) = match v.split_once('/') {
                    Some((k, f)) => (k.trim_end_matches('?'), f.to_string()),
                    None => (v.strip_prefix("dep:").unwrap_or(v), "default".to_string()),
                };
                if let Some(dep) = dep_keys.get(key) {
                    todo.push((dep.clone(), f));
                } else if features.contains_key(v) {
                    todo.push((name.clone(), v.to_string()));
                }
            }
        }
    }
    reached.remove(&this.name);
    reached.into_iter().collect()
}

/// What a manifest asks of its dependency `key` in every table: each requested feature,
/// `default` unless `default-features = false`, and `optional:`/`package:`/`[features]`
/// markers, so that any change shows as a difference.
fn requested(v: &toml::Value, key: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut entries: Vec<&toml::Value> = Vec::new();
    for table in [
        "dependencies",
        "build-dependencies",
        "build_dependencies",
        "dev-dependencies",
        "dev_dependencies",
    ] {
        entries.extend(v.get(table).and_then(|t| t.get(key)));
    }
    if let Some(targets) = v.get("target").and_then(|t| t.as_table()) {
        for t in targets.values() {
            for table in ["dependencies", "build-dependencies", "dev-dependencies"] {
                entries.extend(t.get(table).and_then(|t| t.get(key)));
            }
        }
    }
    for e in entries {
        let default_off = e
            .get("default-features")
            .or_else(|| e.get("default_features"))
            .and_then(|d| d.as_bool())
            == Some(false);
        if !default_off {
            out.insert("default".to_string());
        }
        for f in e
            .get("features")
            .and_then(|f| f.as_array())
            .into_iter()
            .flatten()
            .filter_map(|x| x.as_str())
        {
            out.insert(f.to_string());
        }
        // Optional or renamed: the dependency itself comes and goes; any feature may change.
        if e.get("optional").is_some() || e.get("package").is_some() {
            out.insert("*".to_string());
        }
    }
    // `[features]` entries naming it: `key/feat`, `key?/feat`, `dep:key`.
    if let Some(features) = v.get("features").and_then(|f| f.as_table()) {
        for list in features.values() {
            for x in list
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|x| x.as_str())
            {
                if let Some(f) = x
                    .strip_prefix(&format!("{key}/"))
                    .or_else(|| x.strip_prefix(&format!("{key}?/")))
                {
                    out.insert(f.to_string());
                } else if x == format!("dep:{key}") {
                    out.insert("*".to_string());
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkout_attributes_are_recognised() {
        assert!(sets_checkout_attributes("*.rs ident\n"));
        assert!(sets_checkout_attributes("src/** filter=lfs -text\n"));
        assert!(sets_checkout_attributes("[attr]mine text\n"));
        assert!(!sets_checkout_attributes(
            "# eol\n*.md linguist-documentation -diff\n"
        ));
    }
}
