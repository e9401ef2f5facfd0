//! Phase 3, the module import graph: which modules of the changed crates, and of every crate
//! that depends on them however indirectly, can see a changed module, and through which
//! import chain. Crates are read in dependency order, and a dependent only when a crate it
//! depends on holds a reached module ([`graph`]).
//!
//! 1. [`tree`] builds each target's module tree (lib, bins, tests, benches, examples, build
//!    script) from its root file, with [`scan`] reading each file.
//! 2. [`resolve`] resolves every `use` path and every `a::b` path in code to the module that
//!    *defines* the item it names (`crate::`, `self::`, `super::`, child modules, `use`
//!    re-export chains, glob imports, `extern crate`, other workspace crates by their library
//!    or renamed name); a type's `impl` blocks in other files and `macro_rules!` macros by
//!    name are edges too.
//! 3. [`seeds`] decides what a changed file that is not a module reaches (data read by
//!    `include_str!`, the manifest, `Cargo.lock`, the build script and what it reads;
//!    documentation and CI files reach nothing), and [`graph`] walks the edges backwards
//!    from the changed modules.
//!
//! A crate whose tree cannot be trusted — a file that does not tokenize or whose delimiters
//! do not balance, a `mod` with no file, a changed build script or a file it reads, a
//! manifest change beyond metadata and dependency versions — counts as a whole: it is listed
//! in the fallbacks with the reason, and every module of it that could be read counts as
//! affected. The crate-level result is never narrowed by this phase.

mod graph;
mod removed;
mod resolve;
mod scan;
mod seeds;
mod tree;

pub use removed::Removed;
pub use seeds::Changes;

/// Scans one Rust source file as the module phase does; true when it parsed (for fuzzing).
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) fn scan_source(src: &str) -> bool {
    scan::scan(src).is_ok()
}

use serde::Serialize;

use super::crates::CrateImpact;
use crate::git::ListFiles;

/// An affected module.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ModuleImpact {
    /// The package it belongs to.
    #[serde(rename = "crate")]
    pub crate_name: String,
    /// The target it belongs to: `lib`, or `bin NAME`, `test NAME`, …
    pub target: String,
    /// Its path, like `core_types::codec` (library modules start with the library's name;
    /// other targets' with `KIND:NAME`, e.g. `bin:server::cli`).
    pub module: String,
    /// Its file, relative to the repository root.
    pub file: String,
    /// Its file changed.
    pub changed: bool,
    /// Module paths from a changed module to this one, both included: each hop is a module
    /// naming an item the one before it defines.
    pub via: Vec<String>,
    /// Why it counts though its file did not change and no import chain reaches it (it reads
    /// a changed data file, uses a package `Cargo.lock` changed, …); null otherwise.
    pub reason: Option<String>,
}

/// A crate whose module graph could not be built: the whole crate counts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ModuleFallback {
    /// The package.
    #[serde(rename = "crate")]
    pub crate_name: String,
    /// Why, as a sentence.
    pub reason: String,
}

/// The affected modules of the changed crates and of the crates within `depth` dependency
/// hops of them, and the crates that fall back to "the whole crate".
pub fn analyze(
    tree: &impl ListFiles,
    crates: &[CrateImpact],
    changes: &Changes<'_>,
    depth: usize,
) -> (Vec<ModuleImpact>, Vec<ModuleFallback>) {
    graph::run(changes.ws, tree, crates, changes, depth, None)
}

/// The dependents, in the base revision's graph (`base_ws` read from `base_tree`), of the
/// modules the change removes, merged into `tip` (the tip graph's answer, which wins where
/// both list a module): a moved module is a delete plus an add, so what named the old module
/// counts even where the tip graph no longer reaches it. Modules gone at the tip are not
/// listed.
pub(crate) fn add_removed(
    tip: &mut (Vec<ModuleImpact>, Vec<ModuleFallback>),
    base_ws: &super::workspace::Workspace,
    base_tree: &impl ListFiles,
    crates: &[CrateImpact],
    changes: &Changes<'_>,
    depth: usize,
    removed: &Removed,
) {
    let (mods, fallbacks) = graph::run(base_ws, base_tree, crates, changes, depth, Some(removed));
    // Where both list a module, the shorter chain wins; on a tie the base one, which names
    // the removed module the dependent really referenced (the tip's may go through the
    // module an unresolved path falls back to).
    let index: std::collections::HashMap<(String, String), usize> = tip
        .0
        .iter()
        .enumerate()
        .map(|(i, t)| ((t.crate_name.clone(), t.module.clone()), i))
        .collect();
    for m in mods {
        match index.get(&(m.crate_name.clone(), m.module.clone())) {
            Some(&i) if tip.0[i].via.len() >= m.via.len() => {
                let t = &mut tip.0[i];
                t.via = m.via;
                t.reason = t.reason.take().or(m.reason);
            }
            Some(_) => {}
            None => tip.0.push(m),
        }
    }
    tip.0
        .sort_by(|a, b| (&a.crate_name, &a.module).cmp(&(&b.crate_name, &b.module)));
    for f in fallbacks {
        if !tip.1.iter().any(|t| t.crate_name == f.crate_name) {
            tip.1.push(f);
        }
    }
    tip.1.sort_by(|a, b| a.crate_name.cmp(&b.crate_name));
}
