//! What a changed file's content reaches beyond its folder, for the direct tier:
//!
//! - **Feature reach** (DESIGN, "Feature reach"): a manifest change that alters how it
//!   depends on a workspace member X (`features`, `default-features`, `optional`, `package`,
//!   or a `[features]` entry naming X) changes the feature set cargo unifies X with for the
//!   whole workspace, and what X enables reaches X's own dependencies: the change takes the
//!   tier of X and of every member X depends on. A manifest that does not parse on either
//!   side reaches every member it names (fail closed).
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
pub fn reaches(
    repo: &git2::Repository,
    commit: &CommitChange,
    ws: &Workspace,
    parent_ws: &Workspace,
    inclusions: Option<&Inclusions>,
) -> BTreeMap<GitPath, (Vec<String>, String)> {
    let mut out = BTreeMap::new();
    let read = |id: Option<&String>| -> Option<String> {
        let id = git2::Oid::from_str(id?).ok()?;
        bounded::read_blob(repo, id, "a changed file", bounded::MANIFEST)
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
            let (old, new) = (read(f.old_id.as_ref()), read(f.new_id.as_ref()));
            let dir = text
                .strip_suffix("Cargo.toml")
                .unwrap_or("")
                .trim_end_matches('/');
            let crates = feature_reach(old.as_deref(), new.as_deref(), dir, ws, parent_ws);
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
            let Some(new) = read(f.new_id.as_ref()) else {
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
/// where absent) may alter: those whose dependency entry or `[features]` mention changed,
/// and every member they depend on.
fn feature_reach(
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
    let member_of_dir = |w: &Workspace| w.members.iter().find(|m| m.dir == dir).cloned();
    let Some(this) = member_of_dir(ws).or_else(|| member_of_dir(parent_ws)) else {
        return Vec::new();
    };
    // The members this manifest depends on by path: dependency key → member name.
    let mut keys: BTreeMap<String, String> = BTreeMap::new();
    for w in [ws, parent_ws] {
        if let Some(m) = w.members.iter().find(|m| m.dir == dir) {
            for d in &m.deps {
                if let Some(target) = d
                    .path
                    .as_deref()
                    .and_then(|p| w.members.iter().find(|t| t.dir == p))
                {
                    keys.insert(d.key.clone(), target.name.clone());
                }
            }
        }
    }
    if keys.is_empty() {
        return Vec::new();
    }
    let mut reached: BTreeSet<String> = BTreeSet::new();
    match (parse(old), parse(new)) {
        (Some(o), Some(n)) => {
            for (key, member) in &keys {
                let spec = |v: &toml::Value| -> String {
                    let mut parts = Vec::new();
                    for table in [
                        "dependencies",
                        "build-dependencies",
                        "build_dependencies",
                        "dev-dependencies",
                        "dev_dependencies",
                    ] {
                        parts.push(
                            v.get(table)
                                .and_then(|t| t.get(key.as_str()))
                                .map(|x| x.to_string())
                                .unwrap_or_default(),
                        );
                    }
                    if let Some(targets) = v.get("target").and_then(|t| t.as_table()) {
                        for (k, t) in targets {
                            for table in ["dependencies", "build-dependencies", "dev-dependencies"]
                            {
                                if let Some(x) = t.get(table).and_then(|t| t.get(key.as_str())) {
                                    parts.push(format!("{k}:{x}"));
                                }
                            }
                        }
                    }
                    // `[features]` entries naming it: `key/feat`, `key?/feat`, `dep:key`.
                    if let Some(features) = v.get("features").and_then(|f| f.as_table()) {
                        for (fname, list) in features {
                            let names_it = list.as_array().is_some_and(|a| {
                                a.iter().filter_map(|x| x.as_str()).any(|x| {
                                    x == format!("dep:{key}")
                                        || x.starts_with(&format!("{key}/"))
                                        || x.starts_with(&format!("{key}?/"))
                                })
                            });
                            if names_it {
                                parts.push(format!("{fname}={list}"));
                            }
                        }
                    }
                    parts.join("\n")
                };
                if spec(&o) != spec(&n) {
                    reached.insert(member.clone());
                }
            }
        }
        // A side that does not parse: every member it depends on (fail closed).
        _ => reached.extend(keys.values().cloned()),
    }
    // What X enables can reach X's own dependencies.
    let mut stack: Vec<String> = reached.iter().cloned().collect();
    while let Some(name) = stack.pop() {
        for w in [ws, parent_ws] {
            if let Some(m) = w.member(&name) {
                for d in &m.deps {
                    if let Some(t) = d
                        .path
                        .as_deref()
                        .and_then(|p| w.members.iter().find(|t| t.dir == p))
                    {
                        if t.name != this.name && reached.insert(t.name.clone()) {
                            stack.push(t.name.clone());
                        }
                    }
                }
            }
        }
    }
    reached.remove(&this.name);
    reached.into_iter().collect()
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
