//! Path dependencies of one manifest: every table (normal, build, dev, and each
//! `[target.'cfg(..)'.*]`), with `workspace = true` resolved through
//! `[workspace.dependencies]` and renames (`package = "..."`) kept.

use std::collections::BTreeMap;

use serde::Serialize;

use super::manifest::{RawDep, RawManifest};
use super::relpath::normalize;

/// How a member depends on another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DepKind {
    /// `[dependencies]`: propagates.
    Normal,
    /// `[build-dependencies]`: propagates (the build script runs the dependency's code).
    Build,
    /// `[dev-dependencies]`: affects the dependent's tests, benches and examples only.
    Dev,
}

impl DepKind {
    /// The name used in JSON and text (`normal`, `build`, `dev`).
    pub fn name(self) -> &'static str {
        match self {
            DepKind::Normal => "normal",
            DepKind::Build => "build",
            DepKind::Dev => "dev",
        }
    }
}

/// One dependency that is a path, as declared.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Dependency {
    /// The key in the dependency table (the name code uses, when renamed).
    pub key: String,
    /// The package depended on (`package = "..."`, else the key).
    pub package: String,
    /// True when `package = "..."` renames it.
    pub renamed: bool,
    /// True when it comes from `[workspace.dependencies]` through `workspace = true`.
    pub inherited: bool,
    /// Normal, build or dev.
    pub kind: DepKind,
    /// The `[target.…]` key, for target-specific dependencies.
    pub target: Option<String>,
    /// The directory it points at, relative to the repository root; None when it points
    /// outside the repository.
    pub path: Option<String>,
    /// True when the path comes from the root's `[patch]`/`[replace]` rather than the
    /// dependency itself (cargo metadata lists such a dependency under its registry source).
    pub patched: bool,
}

/// The root manifest's tables a member's dependencies are resolved against: what resolving
/// `workspace = true` needs.
pub(crate) struct RootTables<'a> {
    pub workspace_deps: &'a BTreeMap<String, RawDep>,
    /// Package name → directory, from the root manifest's `[patch]` and `[replace]` tables
    /// that point at paths: a registry dependency on such a package compiles that directory.
    pub patches: &'a BTreeMap<String, String>,
}

/// The root manifest's `[patch.*]` and `[replace]` entries that point at a path inside the
/// repository: package name → normalised directory.
pub(crate) fn patched_paths(raw: &RawManifest) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let replace = raw
        .replace
        .iter()
        .map(|(k, d)| (k.split(':').next().unwrap_or(k).to_string(), d));
    let patch = raw
        .patch
        .values()
        .flat_map(|t| t.iter().map(|(k, d)| (k.clone(), d)));
    for (key, dep) in patch.chain(replace) {
        let Some(detail) = dep.detail() else { continue };
        let Some(path) = detail.path.as_deref().and_then(|p| normalize("", p)) else {
            continue;
        };
        out.insert(detail.package.clone().unwrap_or(key), path);
    }
    out
}

/// Every path dependency of the manifest in directory `dir`.
pub(crate) fn collect(raw: &RawManifest, dir: &str, ctx: &RootTables<'_>) -> Vec<Dependency> {
    let mut out = Vec::new();
    let mut table = |deps: &BTreeMap<String, RawDep>, kind: DepKind, target: Option<&String>| {
        for (key, dep) in deps {
            if let Some(d) = resolve(key, dep, dir, kind, target, ctx) {
                out.push(d);
            }
        }
    };
    table(&raw.dependencies, DepKind::Normal, None);
    table(&raw.build_dependencies, DepKind::Build, None);
    table(&raw.dev_dependencies, DepKind::Dev, None);
    for (t, tables) in &raw.target {
        table(&tables.dependencies, DepKind::Normal, Some(t));
        table(&tables.build_dependencies, DepKind::Build, Some(t));
        table(&tables.dev_dependencies, DepKind::Dev, Some(t));
    }
    out
}

fn resolve(
    key: &str,
    dep: &RawDep,
    dir: &str,
    kind: DepKind,
    target: Option<&String>,
    ctx: &RootTables<'_>,
) -> Option<Dependency> {
    let Some(local) = dep.detail() else {
        // `foo = "1.0"`: a registry dependency, compiled from a path only when patched.
        let path = ctx.patches.get(key)?.clone();
        return Some(Dependency {
            key: key.to_string(),
            renamed: false,
            package: key.to_string(),
            inherited: false,
            kind,
            target: target.cloned(),
            path: Some(path),
            patched: true,
        });
    };
    let patched =
        |package: &Option<String>| ctx.patches.get(package.as_deref().unwrap_or(key)).cloned();
    if local.path.is_none() && local.workspace != Some(true) {
        let path = patched(&local.package)?;
        return Some(Dependency {
            key: key.to_string(),
            renamed: local.package.is_some(),
            package: local.package.clone().unwrap_or_else(|| key.to_string()),
            inherited: false,
            kind,
            target: target.cloned(),
            path: Some(path),
            patched: true,
        });
    }
    let (path, package, inherited) = if local.workspace == Some(true) {
        // `path` in [workspace.dependencies] is relative to the workspace root.
        let ws_dep = ctx.workspace_deps.get(key)?;
        let ws = ws_dep.detail().cloned().unwrap_or_default();
        let package = local.package.clone().or_else(|| ws.package.clone());
        let path = match ws.path.as_deref() {
            Some(p) => normalize("", p),
            // A registry dependency inherited from the workspace, patched to a path.
            None => Some(patched(&package)?),
        };
        (path, package, true)
    } else {
        (
            normalize(dir, local.path.as_deref()?),
            local.package.clone(),
            false,
        )
    };
    Some(Dependency {
        key: key.to_string(),
        renamed: package.is_some(),
        package: package.unwrap_or_else(|| key.to_string()),
        inherited,
        kind,
        target: target.cloned(),
        path,
        patched: false,
    })
}

/// Keys of every dependency declared with `workspace = true`, in any table, sorted.
pub(crate) fn inherited_keys(raw: &RawManifest) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    let mut table = |deps: &BTreeMap<String, RawDep>| {
        keys.extend(
            deps.iter()
                .filter(|(_, d)| d.detail().is_some_and(|d| d.workspace == Some(true)))
                .map(|(k, _)| k.clone()),
        );
    };
    table(&raw.dependencies);
    table(&raw.build_dependencies);
    table(&raw.dev_dependencies);
    for t in raw.target.values() {
        table(&t.dependencies);
        table(&t.build_dependencies);
        table(&t.dev_dependencies);
    }
    keys.sort();
    keys.dedup();
    keys
}
