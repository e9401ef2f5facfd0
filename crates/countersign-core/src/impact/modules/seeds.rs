//! Which modules a changed file makes count, when the file is not itself a module: only what
//! can change the compiled code does.
//!
//! - A data file a module reads at compile time (`include_str!("x.txt")`, `include_bytes!`,
//!   `#[doc = include_str!("../README.md")]`, `concat!(env!("CARGO_MANIFEST_DIR"), …)`, a
//!   string given to a macro or an attribute, as templates are): the modules naming it.
//! - The build script, or a file it reads (its path-like literals, `CARGO_MANIFEST_DIR`
//!   joins and `include_*!`, as the build-time scan reads them; a script reading a computed
//!   path may read any file of the package; `rerun-if-changed` is no read, and a script that
//!   reads nothing reads nothing): the whole crate, since its output can reach any module.
//! - The package's `Cargo.toml`: descriptive `[package]` keys (version, description, …) reach
//!   the modules reading `CARGO_PKG_*`; a dependency added, removed or moved to another
//!   version reaches the modules naming it; anything else (features, edition, targets,
//!   lints, how a dependency is built) the whole crate.
//! - `Cargo.lock`: the modules naming a direct dependency whose locked tree holds a changed
//!   package (the whole crate when no module names such a dependency, as when its library
//!   name differs from its package name).
//! - A `.rs` file no target reaches: the modules that `include!` a computed path (they may
//!   include it); the whole crate when a macro declares modules (`mod $name;`).
//! - A file no module names: the modules whose `include_str!`/`include_bytes!` reads a
//!   computed path (it may be that file).
//! - Anything else (documentation, CI files, scripts): no module. Their tier still comes
//!   from the policy's path rules.

use std::collections::{BTreeMap, BTreeSet};

use super::tree::Unit;
use crate::git::{GitPath, RepoFiles};
use crate::impact::compiled::build_script_inputs;
use crate::impact::relpath::normalize;
use crate::impact::targets::TargetKind;
use crate::impact::wide::wide_file_reason;
use crate::impact::workspace::{Member, Workspace};
use crate::impact::LockReach;

/// What changed, beyond the crate level.
pub struct Changes<'a> {
    /// The workspace at the tip.
    pub ws: &'a Workspace,
    /// Every changed path (both sides of renames).
    pub files: &'a [String],
    /// Files before the change (the tip's where the base was not read).
    pub base_files: &'a dyn RepoFiles,
    /// Files after the change.
    pub tip_files: &'a dyn RepoFiles,
    /// When `Cargo.lock` changed some packages only: the direct dependencies of each
    /// member whose locked tree changed.
    pub lock_reach: Option<&'a LockReach>,
    /// Crates a workspace-wide file affects as a whole (toolchain, Cargo config, root
    /// manifest, a lock file that cannot be narrowed).
    pub wide_whole: &'a BTreeSet<String>,
}

/// `[package]` keys that reach the code only through `CARGO_PKG_*` variables.
const DESCRIPTIVE: &[&str] = &[
    "version",
    "description",
    "readme",
    "keywords",
    "categories",
    "homepage",
    "repository",
    "documentation",
    "license",
    "license-file",
    "authors",
    "metadata",
    "publish",
    "exclude",
    "include",
    "rust-version",
];

const DEP_TABLES: &[&str] = &["dependencies", "dev-dependencies", "build-dependencies"];

/// Sets `unit.whole` or `unit.extra_seeds` for what changed in it.
/// `metadata_macros`: the macros of the crates read before whose bodies read `CARGO_PKG_*`.
pub(super) fn classify(
    unit: &mut Unit,
    member: &Member,
    changes: &Changes<'_>,
    changed: bool,
    metadata_macros: &BTreeSet<String>,
) {
    if changes.wide_whole.contains(&unit.name) {
        unit.whole = Some("a workspace-wide file affects the whole crate".to_string());
        return;
    }
    let manifest = member.manifest_path();
    let tip_manifest = read(changes.tip_files, &manifest);
    if let Some(reach) = changes.lock_reach {
        let (pkgs, by_name) = reach.of(&unit.name);
        let deps = registry_deps(tip_manifest.as_deref().unwrap_or_default());
        let hit: BTreeSet<String> = deps
            .iter()
            // A workspace member's entry changes with what it locks; the graph follows the
            // references into it, so only the packages from elsewhere are seeds here.
            .filter(|(_, pkg)| pkgs.contains(pkg.as_str()) && changes.ws.member(pkg).is_none())
            .map(|(name, _)| name.clone())
            .collect();
        for name in hit {
            let why = match &by_name {
                None => format!("`Cargo.lock` changes `{name}` or a package it depends on"),
                Some(why) => format!(
                    "`Cargo.lock` changes a package named `{name}` or one it depends on \
                     (judged by name: {why})"
                ),
            };
            seed_users(unit, &name, &why, true);
        }
    }
    if !changed || unit.whole.is_some() {
        return;
    }
    let name = unit.name.clone();
    let mine = |f: &String| {
        changes
            .ws
            .member_of(&GitPath::from_display(f))
            .map(|m| &m.name)
            == Some(&name)
            && wide_file_reason(f).is_none()
    };
    let build_reads = build_script_reads(unit, member, changes.tip_files);
    for f in changes.files.iter().filter(|f| mine(f)) {
        if let Some(kind) = module_kind(unit, f) {
            if kind == TargetKind::CustomBuild {
                unit.whole = Some(format!(
                    "its build script `{f}` changed, whose output can reach any module"
                ));
                return;
            }
            continue;
        }
        if *f == manifest {
            let old = read(changes.base_files, &manifest);
            let path_version = |path: &str| path_dep_version(changes.tip_files, &member.dir, path);
            match manifest_change(old.as_deref(), tip_manifest.as_deref(), &path_version) {
                Err(reason) => {
                    unit.whole = Some(format!("`{f}` {reason}"));
                    return;
                }
                Ok(ManifestChange {
                    metadata,
                    deps,
                    targets,
                }) => {
                    if metadata {
                        let why = format!("`{f}` changes package metadata");
                        seed_metadata_readers(unit, &why, metadata_macros);
                    }
                    for (kind, name) in targets {
                        let why = match &name {
                            Some(name) => format!("`{f}` changes its [[{kind}]] target `{name}`"),
                            None => format!("`{f}` changes its [[{kind}]] targets"),
                        };
                        seed_targets(unit, kind, name.as_deref(), &why);
                    }
                    for d in deps {
                        let why = format!("`{f}` changes the dependency `{d}`");
                        seed_users(unit, &d, &why, false);
                    }
                }
            }
            continue;
        }
        let read_by_build = match &build_reads {
            BuildReads::None => None,
            BuildReads::Anything(why) => {
                Some(format!("its build script may read any file ({why})"))
            }
            BuildReads::Paths(p) => p
                .iter()
                .any(|x| f == x || f.starts_with(&format!("{x}/")))
                .then(|| "its build script reads it".to_string()),
        };
        if let Some(how) = read_by_build {
            unit.whole = Some(format!(
                "`{f}` changed and {how}, whose output can reach any module"
            ));
            return;
        }
        let named = seed_readers(unit, f);
        if !named {
            let why = format!("`{f}` changed and may be the file its `include_str!` reads");
            seed_where(unit, &why, |s, _| s.reads_unknown_file);
        }
        if !named && f.ends_with(".rs") {
            if unit
                .targets
                .iter()
                .any(|(_, _, _, t)| t.scans.iter().any(|(_, s)| s.macro_mods))
            {
                unit.whole = Some(format!(
                    "`{f}` changed and is no module the scanner sees, but a macro declares modules"
                ));
                return;
            }
            let why = format!("`{f}` changed and may be what its `include!` reads");
            seed_where(unit, &why, |s, _| s.include_line.is_some());
        }
    }
}

/// What the build script reads.
enum BuildReads {
    /// There is no build script.
    None,
    /// It reads a computed path (or cannot be scanned), as the sentence says: any file.
    Anything(String),
    /// The files and directories it names, relative to the repository root.
    Paths(Vec<String>),
}

/// What the build script of `unit` reads, from its source as the build-time scan reads it
/// (`rerun-if-changed` says when cargo reruns it, not what it reads).
fn build_script_reads(unit: &Unit, member: &Member, files: &dyn RepoFiles) -> BuildReads {
    let mut found = false;
    let mut paths = Vec::new();
    for (_, _, kind, t) in &unit.targets {
        if *kind != TargetKind::CustomBuild {
            continue;
        }
        found = true;
        for (file, _) in &t.scans {
            let Some(content) = files.read(file).ok().flatten() else {
                return BuildReads::Anything(format!("{file} cannot be read"));
            };
            match build_script_inputs(member, file, &content) {
                Ok(p) => paths.extend(p),
                Err(why) => return BuildReads::Anything(why),
            }
        }
    }
    match found {
        false => BuildReads::None,
        true => BuildReads::Paths(paths),
    }
}

/// The kind of the first target `f` is a module of.
fn module_kind(unit: &Unit, f: &str) -> Option<TargetKind> {
    unit.targets
        .iter()
        .find(|(_, _, _, t)| t.nodes.iter().any(|n| n.file == f))
        .map(|(_, _, k, _)| *k)
}

/// Seeds every module (node) of a file whose scan `pred` accepts (given the node's inline
/// scope); returns whether any matched.
fn seed_where(
    unit: &mut Unit,
    why: &str,
    pred: impl Fn(&super::scan::FileScan, &[String]) -> bool,
) -> bool {
    let mut hits = Vec::new();
    for (ti, (_, _, _, t)) in unit.targets.iter().enumerate() {
        for (ni, n) in t.nodes.iter().enumerate() {
            if pred(&t.scans[n.scan].1, &n.inline_scope) {
                hits.push((ti, ni));
            }
        }
    }
    let any = !hits.is_empty();
    for h in hits {
        unit.extra_seeds.entry(h).or_insert_with(|| why.to_string());
    }
    any
}

/// The modules naming the data file `f` in a string literal (relative to their own file's
/// directory, to the package, or to the repository root).
fn seed_readers(unit: &mut Unit, f: &str) -> bool {
    let matches = |cand: Option<String>| {
        cand.is_some_and(|c| !c.is_empty() && (f == c || f.starts_with(&format!("{c}/"))))
    };
    let mut hits = Vec::new();
    for (ti, (_, _, _, t)) in unit.targets.iter().enumerate() {
        for (ni, n) in t.nodes.iter().enumerate() {
            let (file, s) = &t.scans[n.scan];
            let dir = file.rsplit_once('/').map_or("", |(d, _)| d);
            let templates = crate::impact::relpath::join(&unit.dir, "templates");
            let hit = s.file_strings.iter().any(|(scope, lit)| {
                scope == &n.inline_scope
                    && (matches(normalize(&unit.dir, lit)) || matches(normalize(&templates, lit)))
            }) || s
                .includes
                .iter()
                .chain(&s.data_includes)
                .any(|(scope, lit)| scope == &n.inline_scope && matches(normalize(dir, lit)));
            if hit {
                hits.push((ti, ni));
            }
        }
    }
    let any = !hits.is_empty();
    for h in hits {
        unit.extra_seeds
            .entry(h)
            .or_insert_with(|| format!("it reads `{f}`, which changed"));
    }
    any
}

/// Seeds every module of the target of kind `kind` (`example`, `test`, …) named `name`, or
/// of every target of that kind where the changed entry has no name to tell it by.
fn seed_targets(unit: &mut Unit, kind: &str, name: Option<&str>, why: &str) {
    for (ti, (label, _, k, t)) in unit.targets.iter().enumerate() {
        let this = label.split_once(' ').map(|(_, n)| n);
        if k.name() == kind && (name.is_none() || this == name) {
            for ni in 0..t.nodes.len() {
                unit.extra_seeds
                    .entry((ti, ni))
                    .or_insert_with(|| why.to_string());
            }
        }
    }
}

/// Seeds the modules reading the package's metadata: naming a `CARGO_PKG_*` variable, or
/// invoking a macro whose body does, directly or through another macro (it expands there:
/// clap's `command!` invokes `crate_version!`) — one of the package's or of `known`, those of
/// the crates read before; the file defining such a macro reads nothing by defining it.
fn seed_metadata_readers(unit: &mut Unit, why: &str, known: &BTreeSet<String>) {
    let macros = metadata_macros(unit, known);
    seed_where(unit, why, |s, scope| {
        (s.reads_package_metadata && scope.is_empty())
            || s.macro_calls
                .iter()
                .any(|c| c.scope == scope && c.in_macro.is_none() && macros.contains(&c.name))
    });
}

/// `known` and the macros of `unit` whose bodies read `CARGO_PKG_*` or invoke such a macro.
pub(super) fn metadata_macros(unit: &Unit, known: &BTreeSet<String>) -> BTreeSet<String> {
    let scans: Vec<&super::scan::FileScan> = unit
        .targets
        .iter()
        .flat_map(|(_, _, _, t)| &t.scans)
        .map(|(_, s)| s)
        .collect();
    let mut macros = known.clone();
    loop {
        let mut more = Vec::new();
        for s in &scans {
            for (k, d) in s.macro_defs.iter().enumerate() {
                let calls_one = || {
                    s.macro_calls
                        .iter()
                        .any(|c| c.in_macro == Some(k) && macros.contains(&c.name))
                };
                if !macros.contains(&d.name) && (d.reads_package_metadata || calls_one()) {
                    more.push(d.name.clone());
                }
            }
        }
        if more.is_empty() {
            return macros;
        }
        macros.extend(more);
    }
}

/// The modules naming dependency `name` (`name::…`, `use name…`, `extern crate name`); the
/// whole crate when none does and `whole_if_unused`.
fn seed_users(unit: &mut Unit, name: &str, why: &str, whole_if_unused: bool) {
    let any = seed_where(unit, why, |s, scope| {
        s.paths
            .iter()
            .any(|p| p.scope == scope && p.segs.first().is_some_and(|x| x == name))
            || s.externs.iter().any(|(sc, n, _)| sc == scope && n == name)
    });
    if !any && whole_if_unused {
        unit.whole.get_or_insert(format!(
            "{why}, and no module names `{name}` (its library may have another name)"
        ));
    }
}

fn read(files: &dyn RepoFiles, path: &str) -> Option<String> {
    files
        .read(path)
        .ok()
        .flatten()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// Registry (and every other) dependency of a manifest: (name code uses, package name).
fn registry_deps(text: &str) -> BTreeMap<String, String> {
    let Ok(t) = toml::from_str::<toml::Table>(text) else {
        return BTreeMap::new();
    };
    dep_entries(&t)
        .into_iter()
        .map(|((_, _, key), v)| {
            let pkg = v
                .get("package")
                .and_then(|p| p.as_str())
                .unwrap_or(&key)
                .to_string();
            (key.replace('-', "_"), pkg)
        })
        .collect()
}

type DepKey = (Option<String>, String, String);

/// Every dependency entry: ((cfg target, table, key), value).
fn dep_entries(t: &toml::Table) -> BTreeMap<DepKey, toml::Value> {
    let mut out = BTreeMap::new();
    let mut tables = |cfg: Option<String>, t: &toml::Table| {
        for table in DEP_TABLES {
            let alt = table.replace('-', "_");
            for name in [*table, alt.as_str()] {
                if let Some(d) = t.get(name).and_then(|d| d.as_table()) {
                    for (k, v) in d {
                        out.insert((cfg.clone(), table.to_string(), k.clone()), v.clone());
                    }
                }
            }
        }
    };
    tables(None, t);
    if let Some(targets) = t.get("target").and_then(|x| x.as_table()) {
        for (cfg, tt) in targets {
            if let Some(tt) = tt.as_table() {
                tables(Some(cfg.clone()), tt);
            }
        }
    }
    out
}

/// What a change of a package's manifest reaches, when not the whole crate.
#[derive(Debug, PartialEq, Eq)]
struct ManifestChange {
    /// Metadata the code reads (`CARGO_PKG_*`) changed.
    metadata: bool,
    /// Dependencies whose entries were added, removed or changed version.
    deps: BTreeSet<String>,
    /// Target-table entries (`[[example]]`, `[[test]]`, `[[bench]]`, `[[bin]]`) added,
    /// removed or edited, by kind and `name` (None: an entry without one, so every target
    /// of the kind): those targets' modules, never the library nor other packages.
    targets: BTreeSet<(&'static str, Option<String>)>,
}

/// The `name`s of the entries of one target table (`[[example]]`, …) that one side has and
/// the other has not, or has otherwise; None for an entry without a name (or a table that is
/// not an array of tables), which cannot be told apart from its siblings.
fn changed_entries(old: Option<&toml::Value>, new: Option<&toml::Value>) -> Vec<Option<String>> {
    /// Entries by name; None where one has no name, a name repeats or the table is no array.
    fn entries(v: Option<&toml::Value>) -> Option<BTreeMap<&str, &toml::Value>> {
        let mut out = BTreeMap::new();
        let Some(v) = v else {
            return Some(out);
        };
        for e in v.as_array()? {
            let name = e.get("name").and_then(|n| n.as_str())?;
            if out.insert(name, e).is_some() {
                return None;
            }
        }
        Some(out)
    }
    let (Some(o), Some(n)) = (entries(old), entries(new)) else {
        return vec![None];
    };
    let names: BTreeSet<&str> = o.keys().chain(n.keys()).copied().collect();
    names
        .into_iter()
        .filter(|k| o.get(k) != n.get(k))
        .map(|k| Some(k.to_string()))
        .collect()
}

/// The `[package] version` of the package at `path` (a path dependency's, relative to the
/// directory `dir` of the manifest naming it) as the tip has it, `version.workspace = true`
/// read from the root manifest's `[workspace.package]`; None when it cannot be read.
fn path_dep_version(files: &dyn RepoFiles, dir: &str, path: &str) -> Option<String> {
    let manifest = crate::impact::relpath::join(&normalize(dir, path)?, "Cargo.toml");
    let table = |p: &str| toml::from_str::<toml::Table>(&read(files, p)?).ok();
    let version = table(&manifest)?.get("package")?.get("version")?.clone();
    match version {
        toml::Value::String(v) => Some(v),
        v if v.get("workspace").and_then(|w| w.as_bool()) == Some(true) => table("Cargo.toml")?
            .get("workspace")?
            .get("package")?
            .get("version")?
            .as_str()
            .map(str::to_string),
        _ => None,
    }
}

/// Whether a dependency entry changed only its `version` requirement while it is a path
/// dependency whose package's version (`version_at(path)`) the new requirement still
/// matches: cargo builds the same package either way (a release bumping
/// `clap_builder = { path = "./clap_builder", version = "=4.6.6" }` with the member).
fn only_path_requirement(b: &toml::Value, version_at: &dyn Fn(&str) -> Option<String>) -> bool {
    let (Some(path), Some(req)) = (
        b.get("path").and_then(|p| p.as_str()),
        b.get("version").and_then(|v| v.as_str()),
    ) else {
        return false;
    };
    let (Ok(req), Some(Ok(version))) = (
        semver::VersionReq::parse(req),
        version_at(path).map(|v| semver::Version::parse(&v)),
    ) else {
        return false;
    };
    req.matches(&version)
}

/// What a change of a package's manifest reaches, or Err(why the whole crate counts).
/// `version_at` reads a path dependency's package version (see [`only_path_requirement`]).
fn manifest_change(
    old: Option<&str>,
    new: Option<&str>,
    version_at: &dyn Fn(&str) -> Option<String>,
) -> Result<ManifestChange, String> {
    let (Some(old), Some(new)) = (old, new) else {
        return Err("was added or removed".to_string());
    };
    let (Ok(o), Ok(n)) = (
        toml::from_str::<toml::Table>(old),
        toml::from_str::<toml::Table>(new),
    ) else {
        return Err("does not parse on one side".to_string());
    };
    let mut metadata = false;
    let mut targets = BTreeSet::new();
    let keys: BTreeSet<&String> = o.keys().chain(n.keys()).collect();
    for key in keys {
        if o.get(key) == n.get(key) {
            continue;
        }
        match key.as_str() {
            "package" => {
                let empty = toml::Table::new();
                let po = o.get(key).and_then(|v| v.as_table()).unwrap_or(&empty);
                let pn = n.get(key).and_then(|v| v.as_table()).unwrap_or(&empty);
                let sub: BTreeSet<&String> = po.keys().chain(pn.keys()).collect();
                for k in sub {
                    if po.get(k) == pn.get(k) {
                        continue;
                    }
                    if DESCRIPTIVE.contains(&k.as_str()) {
                        metadata = true;
                    } else {
                        return Err(format!("changes [package] {k}"));
                    }
                }
            }
            "badges" | "target" | "dependencies" | "dev-dependencies" | "build-dependencies"
            | "dev_dependencies" | "build_dependencies" => {}
            "bin" | "example" | "test" | "bench" => {
                let kind = match key.as_str() {
                    "bin" => "bin",
                    "example" => "example",
                    "test" => "test",
                    _ => "bench",
                };
                for name in changed_entries(o.get(key), n.get(key)) {
                    targets.insert((kind, name));
                }
            }
            other => return Err(format!("changes [{other}]")),
        }
    }
    let (od, nd) = (dep_entries(&o), dep_entries(&n));
    let mut deps = BTreeSet::new();
    let keys: BTreeSet<&DepKey> = od.keys().chain(nd.keys()).collect();
    for k in keys {
        let (a, b) = (od.get(k), nd.get(k));
        if a == b {
            continue;
        }
        let without_version = |v: &toml::Value| -> Option<toml::Table> {
            let mut t = v.as_table().cloned().unwrap_or_default();
            t.remove("version");
            Some(t)
        };
        if let (Some(a), Some(b)) = (a, b) {
            if without_version(a) != without_version(b) {
                return Err(format!(
                    "changes how `{}` is depended on (features, source or kind), which can \
                     change any module through feature unification",
                    k.2
                ));
            }
            if only_path_requirement(b, version_at) {
                continue;
            }
        }
        for v in [a, b].into_iter().flatten() {
            deps.insert(k.2.replace('-', "_"));
            if let Some(p) = v.get("package").and_then(|p| p.as_str()) {
                deps.insert(p.replace('-', "_"));
            }
        }
    }
    Ok(ManifestChange {
        metadata,
        deps,
        targets,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_bump_reads_as_metadata_and_a_feature_change_as_whole() {
        let none = |_: &str| None;
        let old = "[package]\nname = \"a\"\nversion = \"0.1.0\"\n[dependencies]\nserde = \"1\"\n";
        let bump = old.replace("0.1.0", "0.2.0");
        let only = |metadata, deps: &[&str], targets: &[(&'static str, Option<&str>)]| {
            Ok(ManifestChange {
                metadata,
                deps: deps.iter().map(|d| d.to_string()).collect(),
                targets: targets
                    .iter()
                    .map(|(k, n)| (*k, n.map(str::to_string)))
                    .collect(),
            })
        };
        assert_eq!(
            manifest_change(Some(old), Some(&bump), &none),
            only(true, &[], &[])
        );
        // An [[example]] table reaches the examples only (clap's doc-scrape-examples keys).
        let example = format!("{old}[[example]]\nname = \"demo\"\ndoc-scrape-examples = true\n");
        assert_eq!(
            manifest_change(Some(old), Some(&example), &none),
            only(false, &[], &[("example", Some("demo"))])
        );
        // One entry of several: that example only (clap adds `[[example]] name = "git"`).
        let two = format!("{example}[[example]]\nname = \"git\"\n");
        let edited = two.replace(
            "name = \"git\"\n",
            "name = \"git\"\ndoc-scrape-examples = true\n",
        );
        assert_eq!(
            manifest_change(Some(&two), Some(&edited), &none),
            only(false, &[], &[("example", Some("git"))])
        );
        // An entry without a name cannot be told from its siblings: every example.
        let nameless = format!("{example}[[example]]\npath = \"examples/x.rs\"\n");
        assert_eq!(
            manifest_change(Some(&example), Some(&nameless), &none),
            only(false, &[], &[("example", None)])
        );
        let lib = format!("{old}[lib]\nbench = false\n");
        assert!(manifest_change(Some(old), Some(&lib), &none).is_err());
        let dep = old.replace("serde = \"1\"", "serde = \"1.1\"\nfoo-bar = \"2\"");
        assert_eq!(
            manifest_change(Some(old), Some(&dep), &none),
            only(false, &["foo_bar", "serde"], &[])
        );
        let feat = old.replace(
            "serde = \"1\"",
            "serde = { version = \"1\", features = [\"derive\"] }",
        );
        assert!(manifest_change(Some(old), Some(&feat), &none).is_err());
        // A path dependency's requirement bumped with the package it points to (clap's
        // release commits): the same package is built, no dependency changed. When the
        // requirement no longer matches, or the version cannot be read, it counts.
        let path = format!("{old}core = {{ path = \"../core\", version = \"=4.6.5\" }}\n");
        let bumped = path.replace("=4.6.5", "=4.6.6");
        let at = |v: &'static str| move |p: &str| (p == "../core").then(|| v.to_string());
        assert_eq!(
            manifest_change(Some(&path), Some(&bumped), &at("4.6.6")),
            only(false, &[], &[])
        );
        for version in ["4.6.5", "not a version"] {
            assert_eq!(
                manifest_change(Some(&path), Some(&bumped), &at(version)),
                only(false, &["core"], &[])
            );
        }
        assert_eq!(
            manifest_change(Some(&path), Some(&bumped), &none),
            only(false, &["core"], &[])
        );
        let edition = format!("{old}[lints.rust]\nunsafe_code = \"forbid\"\n");
        assert!(manifest_change(Some(old), Some(&edition), &none).is_err());
    }
}
