//! A member's targets (lib, bins, tests, benches, examples, build script) with their root
//! files, as Cargo finds them: the manifest's explicit tables, plus auto-discovered ones
//! (`src/lib.rs`, `src/main.rs`, `src/bin/*.rs`, `src/bin/*/main.rs`, `tests/*.rs`,
//! `benches/*.rs`, `examples/*.rs`, each also as `DIR/*/main.rs`, and `build.rs`), unless
//! `autobins = false` etc. turns discovery off. As in Cargo, an explicit target hides an
//! auto-discovered one of the same name or path, and a 2015-edition package with explicit
//! targets of a kind discovers none of that kind.

use serde::Serialize;

use super::manifest::{RawBuild, RawTarget};
use super::relpath::{join, normalize};
use super::workspace::Member;
use crate::git::ListFiles;

/// What a target is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TargetKind {
    /// The library (any crate type, proc-macro included).
    Lib,
    /// A binary.
    Bin,
    /// An integration test.
    Test,
    /// A benchmark.
    Bench,
    /// An example (`examples/`).
    Example,
    /// The build script (`build.rs`).
    CustomBuild,
}

impl TargetKind {
    /// The name Cargo uses (`lib`, `bin`, `test`, `bench`, `example`, `custom-build`).
    pub fn name(self) -> &'static str {
        match self {
            TargetKind::Lib => "lib",
            TargetKind::Bin => "bin",
            TargetKind::Test => "test",
            TargetKind::Bench => "bench",
            TargetKind::Example => "example",
            TargetKind::CustomBuild => "custom-build",
        }
    }
}

/// One target of a member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BuildTarget {
    /// What it is.
    pub kind: TargetKind,
    /// Its name (`build-script-build` for a build script, as Cargo names it).
    pub name: String,
    /// Its root file, relative to the repository root.
    pub src_path: String,
}

/// One target kind: its explicit tables, its `auto…` flag and what discovery found.
type KindSpec<'a> = (
    TargetKind,
    &'a [RawTarget],
    Option<bool>,
    Vec<(String, String)>,
);

/// The targets of `member` in `tree`: lib first, then bins, tests, benches, examples, build
/// script, each kind sorted by name.
pub fn discover(member: &Member, tree: &impl ListFiles) -> Vec<BuildTarget> {
    let d = &member.declared;
    let dir = member.dir.as_str();
    let is2015 = member.edition == "2015";
    let mut out = Vec::new();
    // The library.
    let lib_path = join(dir, "src/lib.rs");
    let lib_auto = d.autolib != Some(false) && tree.is_file(&lib_path);
    if let Some(lib) = &d.lib {
        let path = lib
            .path
            .as_deref()
            .and_then(|p| normalize(dir, p))
            .unwrap_or(lib_path);
        out.push(BuildTarget {
            kind: TargetKind::Lib,
            name: member.lib_name(),
            src_path: path,
        });
    } else if lib_auto {
        out.push(BuildTarget {
            kind: TargetKind::Lib,
            name: member.lib_name(),
            src_path: lib_path,
        });
    }
    // Binaries: src/main.rs counts among the auto-discovered ones.
    let mut auto_bins = Vec::new();
    let main = join(dir, "src/main.rs");
    if tree.is_file(&main) {
        auto_bins.push((member.name.clone(), main));
    }
    auto_bins.extend(discover_dir(tree, &join(dir, "src/bin")));
    let kinds: [KindSpec<'_>; 4] = [
        (TargetKind::Bin, &d.bins, d.autobins, auto_bins),
        (
            TargetKind::Test,
            &d.tests,
            d.autotests,
            discover_dir(tree, &join(dir, "tests")),
        ),
        (
            TargetKind::Bench,
            &d.benches,
            d.autobenches,
            discover_dir(tree, &join(dir, "benches")),
        ),
        (
            TargetKind::Example,
            &d.examples,
            d.autoexamples,
            discover_dir(tree, &join(dir, "examples")),
        ),
    ];
    for (i, (kind, explicit, auto, inferred)) in kinds.into_iter().enumerate() {
        let mut targets: Vec<BuildTarget> = explicit
            .iter()
            .filter_map(|t| {
                let name = t.name.clone()?;
                let src_path = match &t.path {
                    Some(p) => normalize(dir, p)?,
                    None => default_path(kind, dir, &name, &inferred),
                };
                Some(BuildTarget {
                    kind,
                    name,
                    src_path,
                })
            })
            .collect();
        let discover = auto.unwrap_or(!(is2015 && d.explicit[i]));
        if discover {
            let explicit_paths: Vec<String> = explicit
                .iter()
                .filter_map(|t| t.path.as_deref().and_then(|p| normalize(dir, p)))
                .collect();
            for (name, path) in inferred {
                if !targets.iter().any(|t| t.name == name) && !explicit_paths.contains(&path) {
                    targets.push(BuildTarget {
                        kind,
                        name,
                        src_path: path,
                    });
                }
            }
        }
        targets.sort_by(|a, b| a.name.cmp(&b.name));
        out.extend(targets);
    }
    // The build script.
    let build = match &d.build {
        Some(RawBuild::Flag(false)) => None,
        Some(RawBuild::Path(p)) => normalize(dir, p),
        Some(RawBuild::Flag(true)) => Some(join(dir, "build.rs")),
        None => {
            let p = join(dir, "build.rs");
            tree.is_file(&p).then_some(p)
        }
    };
    if let Some(src_path) = build {
        out.push(BuildTarget {
            kind: TargetKind::CustomBuild,
            name: "build-script-build".to_string(),
            src_path,
        });
    }
    out
}

/// Where an explicit target without `path` lives: the auto-discovered file of that name, else
/// Cargo's default (`src/bin/NAME.rs`, `tests/NAME.rs`, …).
fn default_path(kind: TargetKind, dir: &str, name: &str, inferred: &[(String, String)]) -> String {
    if let Some((_, p)) = inferred.iter().find(|(n, _)| n == name) {
        return p.clone();
    }
    let sub = match kind {
        TargetKind::Bin => "src/bin",
        TargetKind::Test => "tests",
        TargetKind::Bench => "benches",
        _ => "examples",
    };
    join(dir, &format!("{sub}/{name}.rs"))
}

/// `(name, root file)` of every `DIR/*.rs` and `DIR/*/main.rs`.
fn discover_dir(tree: &impl ListFiles, dir: &str) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = tree
        .files(dir)
        .into_iter()
        .filter_map(|f| {
            let stem = f.strip_suffix(".rs")?.to_string();
            Some((stem, join(dir, &f)))
        })
        .collect();
    for sub in tree.subdirs(dir) {
        let sub_dir = join(dir, &sub);
        if tree.files(&sub_dir).iter().any(|f| f == "main.rs") {
            found.push((sub, join(&sub_dir, "main.rs")));
        }
    }
    found.sort();
    found
}
