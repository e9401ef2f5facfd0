//! Workspace-wide files: a change to the root `Cargo.toml`, `Cargo.lock`,
//! `rust-toolchain(.toml)` or `.cargo/config(.toml)` can change how every member builds, so
//! it affects all members, unless the change is provably narrower:
//!
//! - only `[workspace.dependencies]` entries changed: the members that inherit one of them
//!   (`workspace = true`);
//! - only `members`/`exclude` changed: the crates that joined or left the workspace;
//! - only the root package's own tables changed: the root package (a changed crate anyway);
//! - `Cargo.lock` changing some packages only: the members that use them, directly or
//!   through other locked packages (read from the lock file's own dependency lists).
//!
//! Build scripts are not workspace-wide: a `build.rs` belongs to its package, and is reported
//! as that crate's build script changing.

use std::collections::BTreeSet;

use super::lock_reach::{direct_reach, LockReach};
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

/// Whether `path` is a workspace-wide file (other than the root `Cargo.toml` and
/// `Cargo.lock`, which are judged by [`root_manifest_change`] and [`lock_change`]), and why
/// it matters.
pub(crate) fn wide_file_reason(path: &str) -> Option<&'static str> {
    // Cargo and rustup look for these from the directory a build starts in upwards, and
    // that build covers the whole workspace: a nested one counts as much as the root's.
    let path = match path.rsplit_once("/.cargo/") {
        Some((_, rest)) => &path[path.len() - rest.len() - ".cargo/".len()..],
        None => path
            .rsplit('/')
            .next()
            .filter(|n| n.starts_with("rust-toolchain"))
            .unwrap_or(path),
    };
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
pub(crate) fn root_manifest_change(
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

/// One `[[package]]` of a lock file.
#[derive(serde::Deserialize, PartialEq, Eq, Hash, Clone)]
pub(super) struct LockedPackage {
    pub(super) name: String,
    pub(super) version: String,
    pub(super) source: Option<String>,
    pub(super) checksum: Option<String>,
    #[serde(default)]
    pub(super) dependencies: Vec<String>,
}

/// A lock file as read, whatever its format version: the packages, each with its checksum
/// and its dependencies written in full (`name version (source)`), and what else it holds.
#[derive(serde::Deserialize)]
pub(super) struct LockFile {
    #[serde(default)]
    pub(super) package: Vec<LockedPackage>,
    /// Everything besides the packages (`patch`, tables of later formats), compared whole;
    /// the format `version` and version 1's and 2's `[metadata]` checksums are taken out.
    #[serde(flatten)]
    rest: toml::Table,
    /// The format version (`version = 4`; none before version 3).
    #[serde(skip)]
    format: Option<toml::Value>,
    /// Its dependency entries resolved (see [`super::lock_reach`]), once per parsed file: a
    /// range compares each lock file with the one before and the one after it.
    #[serde(skip)]
    pub(super) resolved: std::cell::OnceCell<Result<super::lock_reach::Resolution, String>>,
}

impl LockFile {
    /// Reads every format the same way: versions 1 and 2 keep checksums in `[metadata]`
    /// (`"checksum NAME VERSION (SOURCE)" = "…"`), version 1 writes every dependency in full
    /// while later versions write only what tells it apart, and version 4 percent-encodes
    /// git sources. A later format that adds tables keeps them in `rest`, compared whole.
    fn normalize(mut self) -> Self {
        self.format = self.rest.remove("version");
        for p in &mut self.package {
            p.source = p.source.take().map(|s| percent_decode(&s));
        }
        if let Some(toml::Value::Table(meta)) = self.rest.get_mut("metadata") {
            let keys: Vec<String> = meta
                .keys()
                .filter(|k| k.starts_with("checksum "))
                .cloned()
                .collect();
            // Each package by its full name, the first one of a name as a search in order
            // finds it: one lookup per checksum (a search per checksum made the 300 KB lock
            // files of diem's older history cost 10 ms each).
            let mut by_full: foldhash::HashMap<String, usize> = Default::default();
            for (i, p) in self.package.iter().enumerate() {
                by_full.entry(full_name(p)).or_insert(i);
            }
            for k in keys {
                let Some(toml::Value::String(sum)) = meta.remove(&k) else {
                    continue;
                };
                let full = normalize_dep(&k["checksum ".len()..]);
                if let Some(p) = by_full
                    .get(full.as_ref())
                    .and_then(|&i| self.package.get_mut(i))
                {
                    p.checksum.get_or_insert(sum);
                }
            }
            if meta.is_empty() {
                self.rest.remove("metadata");
            }
        }
        let mut by_name: foldhash::HashMap<&str, Vec<&LockedPackage>> = Default::default();
        for p in &self.package {
            by_name.entry(p.name.as_str()).or_default().push(p);
        }
        // A dependency written short means the one package it fits; written in full (or
        // fitting several), it stays as written.
        let full: Vec<Vec<String>> = self
            .package
            .iter()
            .map(|p| {
                p.dependencies
                    .iter()
                    .map(|d| {
                        let written = normalize_dep(d);
                        let (name, version, source) = dep_parts(&written);
                        let mut fits = by_name.get(name).into_iter().flatten().filter(|p| {
                            version.is_none_or(|v| p.version == v)
                                && source.is_none_or(|s| p.source.as_deref() == Some(s))
                        });
                        match (fits.next(), fits.next()) {
                            (Some(one), None) => full_name(one),
                            _ => written.into_owned(),
                        }
                    })
                    .collect()
            })
            .collect();
        for (p, deps) in self.package.iter_mut().zip(full) {
            p.dependencies = deps;
        }
        self
    }
}

/// `name version (source)` of a package, its source percent-decoded.
fn full_name(p: &LockedPackage) -> String {
    match &p.source {
        Some(s) => format!("{} {} ({s})", p.name, p.version),
        None => format!("{} {}", p.name, p.version),
    }
}

/// (name, version, source) of a dependency string: `name`, `name version` or
/// `name version (source)`.
pub(super) fn dep_parts(dep: &str) -> (&str, Option<&str>, Option<&str>) {
    let mut parts = dep.splitn(3, ' ');
    let name = parts.next().unwrap_or_default();
    let version = parts.next();
    let source = parts
        .next()
        .map(|s| s.trim().trim_start_matches('(').trim_end_matches(')'));
    (name, version, source)
}

/// A dependency string with its source, if any, percent-decoded.
fn normalize_dep(d: &str) -> std::borrow::Cow<'_, str> {
    match d.split_once(" (") {
        Some((head, src)) => {
            format!("{head} ({})", percent_decode(src.trim_end_matches(')'))).into()
        }
        None => d.into(),
    }
}

/// `%XX` escapes decoded (version 4 writes git sources so); anything else kept as written.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (
            b[i],
            b.get(i + 1).copied().and_then(hex),
            b.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

/// How many parsed lock files are kept: a range of commits compares each lock file with the
/// next, so every one is parsed once, not twice.
const PARSED_LOCKS: usize = 4;

thread_local! {
    static LOCKS: std::cell::RefCell<Vec<(String, std::rc::Rc<LockFile>)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// `text` as a lock file: read line by line when it has the shape cargo writes (see
/// [`super::lock_text`]), by the TOML parser otherwise; None when it does not parse.
fn read_lock(text: &str) -> Option<LockFile> {
    let Some(super::lock_text::Parsed {
        format,
        packages,
        metadata,
    }) = super::lock_text::parse(text)
    else {
        return toml::from_str::<LockFile>(text).ok();
    };
    let mut rest = toml::Table::new();
    if let Some(n) = format {
        rest.insert("version".to_string(), toml::Value::Integer(n));
    }
    if let Some(entries) = metadata {
        let table: toml::Table = entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), toml::Value::String(v.to_string())))
            .collect();
        rest.insert("metadata".to_string(), toml::Value::Table(table));
    }
    let own = |s: Option<&str>| s.map(str::to_string);
    let package = packages
        .into_iter()
        .map(|p| LockedPackage {
            name: p.name.to_string(),
            version: p.version.to_string(),
            source: own(p.source),
            checksum: own(p.checksum),
            dependencies: p.dependencies.into_iter().map(str::to_string).collect(),
        })
        .collect();
    Some(LockFile {
        package,
        rest,
        format: None,
        resolved: Default::default(),
    })
}

/// `text` parsed as a lock file (None when it does not parse), from the last few parsed.
fn parse_lock(text: &str) -> Option<std::rc::Rc<LockFile>> {
    if let Some(hit) = LOCKS.with(|c| {
        c.borrow()
            .iter()
            .find(|(t, _)| t == text)
            .map(|(_, l)| l.clone())
    }) {
        return Some(hit);
    }
    let parsed = std::rc::Rc::new(read_lock(text)?.normalize());
    LOCKS.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() == PARSED_LOCKS {
            c.remove(0);
        }
        c.push((text.to_string(), parsed.clone()));
    });
    Some(parsed)
}

/// What a `Cargo.lock` change from `old` to `new` affects: the members whose locked
/// dependency tree contains a package that was added, removed or changed (version, source,
/// checksum or its own dependencies). Every member when either side does not parse, or
/// anything besides `[[package]]` entries changed.
#[cfg(any(test, feature = "test-support"))]
pub fn lock_change(old: Option<&str>, new: Option<&str>, ws: &Workspace) -> WideEffect {
    lock_change_packages(old, new, ws).0
}

/// [`lock_change`], with what it reaches at the module level (None when every member is
/// affected): per workspace package, its direct dependencies whose locked tree changed, judged
/// by (name, version, source); by name alone where an entry cannot be resolved.
pub(crate) fn lock_change_packages(
    old: Option<&str>,
    new: Option<&str>,
    ws: &Workspace,
) -> (WideEffect, Option<LockReach>) {
    let all = |why: &str| {
        (
            WideEffect::All {
                reason: format!("`Cargo.lock` {why}, so every member's dependencies may differ"),
            },
            None,
        )
    };
    let (Some(old_text), Some(new_text)) = (old, new) else {
        return all("was added or removed");
    };
    let (Some(old_l), Some(new_l)) = (parse_lock(old_text), parse_lock(new_text)) else {
        return all("does not parse on one side");
    };
    if old_l.rest != new_l.rest {
        return all("changes more than its packages");
    }
    let member_names: BTreeSet<&str> = ws.members.iter().map(|m| m.name.as_str()).collect();
    // Sets and an index by name, so that a lock file of thousands of packages is compared in
    // linear time.
    let old_entries: foldhash::HashSet<&LockedPackage> = old_l.package.iter().collect();
    let new_keys: foldhash::HashSet<(&str, &str, Option<&str>)> = new_l
        .package
        .iter()
        .map(|p| (p.name.as_str(), p.version.as_str(), p.source.as_deref()))
        .collect();
    let mut by_name: foldhash::HashMap<&str, Vec<usize>> = Default::default();
    for (i, p) in new_l.package.iter().enumerate() {
        by_name.entry(p.name.as_str()).or_default().push(i);
    }
    // A member's own entry changes with its manifest (a changed crate already, whose
    // dependents the crate closure finds); what the lock file adds is the rest.
    let is_member =
        |p: &LockedPackage| p.source.is_none() && member_names.contains(p.name.as_str());
    // Changed: entries of the new lock file that the old one lacks exactly; the dependents of
    // removed entries changed their dependency lists, so they are among them.
    let changed: BTreeSet<usize> = new_l
        .package
        .iter()
        .enumerate()
        .filter(|(_, p)| !old_entries.contains(p) && !is_member(p))
        .map(|(i, _)| i)
        .collect();
    let removed: Vec<String> = old_l
        .package
        .iter()
        .filter(|p| {
            !is_member(p)
                && !new_keys.contains(&(p.name.as_str(), p.version.as_str(), p.source.as_deref()))
        })
        .map(|p| format!("`{} {}`", p.name, p.version))
        .collect();
    // Reverse edges of the new lock graph: a dependency string names a package by name, or
    // name and version, or name, version and (source). Every package it can mean gets the
    // edge: two `foo 1.0.0` from different sources are told apart by the source, and a
    // string that names fewer parts links to each candidate (stricter, never laxer).
    let find = |dep: &str| -> Vec<usize> {
        let (name, version, source) = dep_parts(dep);
        by_name
            .get(name)
            .map(|c| {
                c.iter()
                    .copied()
                    .filter(|&i| {
                        let p = &new_l.package[i];
                        version.is_none_or(|v| p.version == v)
                            && source.is_none_or(|s| p.source.as_deref() == Some(s))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut rdeps: Vec<Vec<usize>> = vec![Vec::new(); new_l.package.len()];
    for (i, p) in new_l.package.iter().enumerate() {
        for d in &p.dependencies {
            for j in find(d) {
                rdeps[j].push(i);
            }
        }
    }
    let mut seen: BTreeSet<usize> = changed.clone();
    let mut stack: Vec<usize> = changed.iter().copied().collect();
    while let Some(i) = stack.pop() {
        for &r in &rdeps[i] {
            if seen.insert(r) {
                stack.push(r);
            }
        }
    }
    let crates: BTreeSet<String> = seen
        .iter()
        .map(|&i| &new_l.package[i])
        .filter(|p| p.source.is_none() && member_names.contains(p.name.as_str()))
        .map(|p| p.name.clone())
        .collect();
    let mut what: Vec<String> = changed
        .iter()
        .map(|&i| &new_l.package[i])
        .map(|p| format!("`{} {}`", p.name, p.version))
        .collect();
    what.extend(removed.iter().map(|r| format!("{r} (removed)")));
    let packages: BTreeSet<String> = seen
        .iter()
        .map(|&i| new_l.package[i].name.clone())
        .chain(
            old_l
                .package
                .iter()
                .filter(|p| {
                    !is_member(p)
                        && !new_keys.contains(&(
                            p.name.as_str(),
                            p.version.as_str(),
                            p.source.as_deref(),
                        ))
                })
                .map(|p| p.name.clone()),
        )
        .collect();
    let packages = match direct_reach(&old_l, &new_l, is_member) {
        Ok(exact) => LockReach {
            exact,
            by_name: packages,
            why_by_name: None,
        },
        Err(why) => LockReach {
            exact: Default::default(),
            by_name: packages,
            why_by_name: Some(why),
        },
    };
    if old_l.format != new_l.format {
        // Cargo reads every entry anew under another format: every member counts at the
        // crate level, while the packages compared as read say which modules use a change.
        let shown =
            |v: &Option<toml::Value>| v.as_ref().map_or("1 or 2".to_string(), |v| v.to_string());
        return (
            WideEffect::All {
                reason: format!(
                    "`Cargo.lock` changes its format version ({} → {}), so every member's \
                     dependencies may be read differently",
                    shown(&old_l.format),
                    shown(&new_l.format)
                ),
            },
            Some(packages),
        );
    }
    if what.is_empty() {
        return (
            WideEffect::Some {
                crates: BTreeSet::new(),
                reason: "`Cargo.lock` only records the workspace's own changes".to_string(),
            },
            Some(packages),
        );
    }
    let shown: Vec<String> = what.iter().take(4).cloned().collect();
    let more = what.len().saturating_sub(shown.len());
    let reason = format!(
        "`Cargo.lock` changes {}{} for the members that use {}",
        shown.join(", "),
        if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        },
        if what.len() == 1 { "it" } else { "them" }
    );
    (WideEffect::Some { crates, reason }, Some(packages))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = "version = 3\n\n[[package]]\nname = \"itoa\"\nversion = \"1.0.0\"\n\
                        source = \"registry+https://github.com/rust-lang/crates.io-index\"\n";

    #[test]
    fn a_lock_file_is_judged_by_its_packages_and_by_everything_else_whole() {
        let ws = Workspace::default();
        let bumped = LOCK.replace("1.0.0", "1.0.1");
        let (effect, packages) = lock_change_packages(Some(LOCK), Some(&bumped), &ws);
        assert!(!matches!(effect, WideEffect::All { .. }), "{effect:?}");
        assert!(packages.is_some());
        // Anything besides `[[package]]` (here a new table) counts for every member, as
        // before the lock files were parsed once each.
        let other = format!("{LOCK}\n[metadata]\nx = \"y\"\n");
        let (effect, packages) = lock_change_packages(Some(LOCK), Some(&other), &ws);
        assert!(matches!(effect, WideEffect::All { .. }), "{other}");
        assert!(packages.is_none());
        // The same text again comes from the parsed ones kept, with the same answer.
        let again = lock_change_packages(Some(LOCK), Some(&bumped), &ws);
        assert!(!matches!(again.0, WideEffect::All { .. }));
    }

    /// One lock file in every format cargo has written: version 1 (dependencies in full,
    /// checksums in `[metadata]`), 2 (short dependencies, checksums in `[metadata]`), 3
    /// (checksums in the packages), 4 (git sources percent-encoded).
    fn lock_in(format: u8, itoa: &str) -> String {
        let git = match format {
            4 => "git+https://example.com/t/tool?branch=feat%2Fx#0123abcd",
            _ => "git+https://example.com/t/tool?branch=feat/x#0123abcd",
        };
        let reg = "registry+https://github.com/rust-lang/crates.io-index";
        let (head, dep, sums_inline) = match format {
            1 => (String::new(), format!("itoa {itoa} ({reg})"), false),
            2 => (String::new(), "itoa".to_string(), false),
            v => (format!("version = {v}\n\n"), "itoa".to_string(), true),
        };
        let sum = |name: &str| format!("checksum = \"{name}-sum\"\n");
        let mut out = format!(
            "{head}[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"{dep}\",\n \"tool\",\n]\n\n\
             [[package]]\nname = \"itoa\"\nversion = \"{itoa}\"\nsource = \"{reg}\"\n{}\n\
             [[package]]\nname = \"tool\"\nversion = \"0.3.0\"\nsource = \"{git}\"\n",
            if sums_inline { sum(&format!("itoa{itoa}")) } else { String::new() }
        );
        if !sums_inline {
            out.push_str(&format!(
                "\n[metadata]\n\"checksum itoa {itoa} ({reg})\" = \"itoa{itoa}-sum\"\n"
            ));
        }
        out
    }

    /// The line reader and the TOML parser make the same lock of every format, `[metadata]`
    /// checksums included (the line reader now takes formats 1 and 2 too).
    #[test]
    fn the_line_reader_reads_every_format_as_the_toml_parser_does() {
        for format in 1..=4 {
            for extra in ["", "\"checksum gone 0.1.0 (registry+x)\" = \"zz\"\n"] {
                let mut text = lock_in(format, "1.0.0");
                if !extra.is_empty() && text.contains("[metadata]") {
                    text.push_str(extra);
                }
                assert!(super::super::lock_text::parse(&text).is_some(), "{text}");
                let ours = read_lock(&text).expect("reads").normalize();
                let theirs = toml::from_str::<LockFile>(&text).expect("TOML").normalize();
                assert!(ours.package == theirs.package, "{text}");
                assert_eq!(ours.rest, theirs.rest, "{text}");
                assert_eq!(ours.format, theirs.format, "{text}");
                let itoa = ours.package.iter().find(|p| p.name == "itoa");
                assert_eq!(
                    itoa.and_then(|p| p.checksum.as_deref()),
                    Some("itoa1.0.0-sum"),
                    "{text}"
                );
            }
        }
    }

    #[test]
    fn every_lock_file_format_reads_the_same_packages() {
        let ws = Workspace::default();
        for (from, to) in [(3, 4), (1, 3), (2, 4), (1, 4), (4, 3)] {
            let (effect, packages) = lock_change_packages(
                Some(&lock_in(from, "1.0.0")),
                Some(&lock_in(to, "1.0.0")),
                &ws,
            );
            // The crate level stays whole (cargo reads every entry anew), but the packages
            // are compared: none changed.
            assert!(
                matches!(effect, WideEffect::All { ref reason } if reason.contains("format version")),
                "{from} -> {to}: {effect:?}"
            );
            assert_eq!(
                packages.map(|p| p.by_name),
                Some(BTreeSet::new()),
                "{from} -> {to}"
            );
            // With a bump in the same commit, the bumped package and what depends on it.
            let (_, packages) = lock_change_packages(
                Some(&lock_in(from, "1.0.0")),
                Some(&lock_in(to, "1.0.1")),
                &ws,
            );
            assert_eq!(
                packages.map(|p| p.by_name),
                Some(BTreeSet::from(["app".to_string(), "itoa".to_string()])),
                "{from} -> {to}"
            );
        }
        // A later format with nothing else new is read too; one that adds a table, or a
        // file that does not parse, counts whole with no packages (and says why).
        let five = lock_in(4, "1.0.1").replace("version = 4", "version = 5");
        let (_, packages) = lock_change_packages(Some(&lock_in(4, "1.0.0")), Some(&five), &ws);
        assert_eq!(
            packages.map(|p| p.by_name),
            Some(BTreeSet::from(["app".to_string(), "itoa".to_string()]))
        );
        for bad in [
            format!("{five}\n[shards]\nx = 1\n"),
            "[[package]\n".to_string(),
        ] {
            let (effect, packages) =
                lock_change_packages(Some(&lock_in(4, "1.0.0")), Some(&bad), &ws);
            assert!(packages.is_none(), "{bad}");
            let WideEffect::All { reason } = effect else {
                panic!("{bad}: {effect:?}")
            };
            assert!(
                reason.contains("parse") || reason.contains("more than"),
                "{reason}"
            );
        }
    }

    /// A workspace of `names` (package names only: what the lock judgement reads).
    fn members(names: &[&str]) -> Workspace {
        let mut ws = Workspace::default();
        for n in names {
            ws.members.push(crate::impact::Member {
                name: n.to_string(),
                dir: format!("crates/{n}"),
                metadata_tier: None,
                edition: "2021".to_string(),
                deps: Vec::new(),
                inherits: Vec::new(),
                declared: Default::default(),
                path_only: false,
            });
        }
        ws
    }

    /// clap's lock as of 1f7ca4eb9, cut down: the workspace's `core 4.6.6` uses `anstream
    /// 1.0.0`; `bench` dev-uses the registry's `divan`, which used a registry `core 4.5.60` on
    /// `anstream 0.6.21`. `deep` is the windows-sys version anstyle-query locks.
    fn two_versions(tip: bool, deep: &str) -> String {
        let reg = "registry+https://github.com/rust-lang/crates.io-index";
        let pkg = |name: &str, version: &str, registry: bool, deps: &[&str]| {
            let source = match registry {
                true => format!("source = \"{reg}\"\nchecksum = \"{name}-{version}\"\n"),
                false => String::new(),
            };
            let deps: String = deps.iter().map(|d| format!(" \"{d}\",\n")).collect();
            format!("[[package]]\nname = \"{name}\"\nversion = \"{version}\"\n{source}dependencies = [\n{deps}]\n\n")
        };
        let mut out = "version = 4\n\n".to_string();
        if !tip {
            out.push_str(&pkg("anstream", "0.6.21", true, &["anstyle-query"]));
        }
        out.push_str(&pkg("anstream", "1.0.0", true, &["anstyle-query"]));
        out.push_str(&pkg(
            "anstyle-query",
            "1.1.5",
            true,
            &[&format!("windows-sys {deep}")],
        ));
        out.push_str(&pkg("bench", "0.1.0", false, &["divan"]));
        if tip {
            // The registry now holds a `core 4.6.6` too: written without a source, the
            // entry means the path package (cargo's rule).
            out.push_str(&pkg("core", "4.6.6", false, &["anstream"]));
            out.push_str(&pkg("core", "4.6.6", true, &["anstream"]));
            out.push_str(&pkg(
                "divan",
                "0.1.21",
                true,
                &[&format!("core 4.6.6 ({reg})")],
            ));
        } else {
            out.push_str(&pkg("core", "4.5.60", true, &["anstream 0.6.21"]));
            out.push_str(&pkg("core", "4.6.6", false, &["anstream 1.0.0"]));
            out.push_str(&pkg("divan", "0.1.21", true, &["core 4.5.60"]));
        }
        out.push_str(&pkg("windows-sys", "0.60.2", true, &[]));
        out.push_str(&pkg("windows-sys", "0.61.2", true, &[]));
        out
    }

    #[test]
    fn a_lock_change_reaches_a_package_by_the_versions_it_resolves_to() {
        let ws = members(&["core", "bench"]);
        let set = |s: &[&str]| -> BTreeSet<String> { s.iter().map(|x| x.to_string()).collect() };
        // Dropping `anstream 0.6.21` changes nothing `core` builds: its `anstream 1.0.0` and
        // that one's tree are as they were; `bench`'s divan changed its dependencies.
        let (_, reach) = lock_change_packages(
            Some(&two_versions(false, "0.60.2")),
            Some(&two_versions(true, "0.60.2")),
            &ws,
        );
        let reach = reach.expect("narrowed");
        assert_eq!(reach.of("core"), (&set(&[]), None), "{reach:?}");
        assert_eq!(reach.of("bench"), (&set(&["divan"]), None), "{reach:?}");
        // By name alone, `anstream` changed (the wider answer, kept for failing closed).
        assert!(reach.by_name.contains("anstream"), "{reach:?}");
        // A change deep in `anstream 1.0.0`'s tree reaches it.
        let (_, reach) = lock_change_packages(
            Some(&two_versions(false, "0.60.2")),
            Some(&two_versions(true, "0.61.2")),
            &ws,
        );
        let reach = reach.expect("narrowed");
        assert_eq!(reach.of("core"), (&set(&["anstream"]), None), "{reach:?}");
        // An entry that fits two packages (`anstream` while two are locked) cannot be
        // resolved: every package is judged by name, and the reason says which entry.
        let odd = two_versions(false, "0.60.2").replace("\"anstream 1.0.0\"", "\"anstream\"");
        let (_, reach) = lock_change_packages(Some(&odd), Some(&two_versions(true, "0.60.2")), &ws);
        let reach = reach.expect("narrowed");
        let (pkgs, why) = reach.of("core");
        assert!(pkgs.contains("anstream"), "{reach:?}");
        assert!(
            why.as_deref()
                .is_some_and(|w| w.contains("`anstream` of `core 4.6.6` fits 2 packages")),
            "{why:?}"
        );
        // A workspace package the lock does not hold is judged by name too.
        let (_, reach) = lock_change_packages(
            Some(&two_versions(false, "0.60.2")),
            Some(&two_versions(true, "0.60.2")),
            &members(&["core", "bench", "new"]),
        );
        let reach = reach.expect("narrowed");
        assert!(reach.of("new").1.is_some_and(|w| w.contains("no entry")));
    }
}
