//! The result of the analysis, as `impact --format json` prints it and the TUI shows it.
//! Field names are a contract (DESIGN.md): add fields freely, rename none.

use serde::Serialize;

use super::crates::CrateImpact;
use super::modules::{ModuleFallback, ModuleImpact};
use super::targets::TargetKind;
use crate::model::CommitId;

/// What a change can reach.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Impact {
    /// The commit whose workspace the graph is read from (the range's tip); null for an
    /// empty change.
    pub revision: Option<CommitId>,
    /// The commit before the change (the first commit's parent); null for a root commit.
    pub base: Option<CommitId>,
    /// Every path the change touches (both sides of renames), sorted.
    pub changed_files: Vec<String>,
    /// Crates with a changed file (deleted ones included), sorted.
    pub changed_crates: Vec<String>,
    /// Every affected crate, changed ones included, sorted.
    pub affected_crates: Vec<String>,
    /// Affected crates in detail, by distance then name.
    pub crates: Vec<CrateImpact>,
    /// Affected bins, tests, benches and examples.
    pub targets: Vec<TargetImpact>,
    /// Affected modules of the changed crates and of the crates that depend on them
    /// directly, with the import chain that reaches each.
    pub modules: Vec<ModuleImpact>,
    /// Crates whose module graph could not be built, so that the whole crate counts, and why.
    pub module_fallbacks: Vec<ModuleFallback>,
    /// Sentences about workspace-wide files the change touches.
    pub workspace_wide: Vec<String>,
    /// Problems reading manifests (the analysis goes on without the bad values).
    pub problems: Vec<String>,
}

/// An affected target.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TargetImpact {
    /// The package it belongs to.
    #[serde(rename = "crate")]
    pub crate_name: String,
    /// `bin`, `test`, `bench` or `example`.
    pub kind: TargetKind,
    /// The target's name.
    pub name: String,
    /// Its root file, relative to the repository root.
    pub src_path: String,
}
