//! Phase 3, the module import graph (placeholder).

use serde::Serialize;

use super::crates::CrateImpact;
use super::tree::ListFiles;
use super::workspace::Workspace;

/// An affected module.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ModuleImpact {
    /// The package it belongs to.
    #[serde(rename = "crate")]
    pub crate_name: String,
    /// Its path, like `core_types::codec`.
    pub module: String,
    /// Its file, relative to the repository root.
    pub file: String,
    /// Its file changed.
    pub changed: bool,
    /// Module paths from a changed module to this one, both included.
    pub via: Vec<String>,
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

/// The affected modules of the crates within `depth` hops of a change.
pub fn analyze(
    ws: &Workspace,
    tree: &impl ListFiles,
    crates: &[CrateImpact],
    depth: usize,
) -> (Vec<ModuleImpact>, Vec<ModuleFallback>) {
    let _ = (ws, tree, crates, depth);
    (Vec::new(), Vec::new())
}
