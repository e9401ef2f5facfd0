//! The impact as the policy sees it: the graph (`impact::Impact`, which knows nothing of
//! tiers) and what the policy made of it — the effective and direct tier, their reasons and
//! each reached crate's own tier. One value, built once when escalation runs; nothing is
//! patched into the graph afterwards.
//!
//! It serializes exactly as `impact --format json` always has: the graph's fields, each crate
//! with its `tier`, then `tier`, `direct_tier` and `tier_reasons` (a test checks that every
//! field of the graph is there).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::impact::modules::{ModuleFallback, ModuleImpact};
use crate::impact::{CrateImpact, Impact, TargetImpact};
use crate::model::{CommitId, Tier};

/// The impact with its tiers. Reads as the graph (`Deref`) for everything that is not a
/// tier.
#[derive(Clone, Debug, Default)]
pub struct TieredImpact {
    /// What the change reaches.
    pub graph: Impact,
    /// Each reached crate's own tier under the policy, by name.
    pub crate_tiers: BTreeMap<String, Tier>,
    /// The effective tier (direct tier raised by escalation); None for an empty change.
    pub tier: Option<Tier>,
    /// The highest tier of the touched files.
    pub direct_tier: Option<Tier>,
    /// Sentences explaining `tier`, most important first.
    pub tier_reasons: Vec<String>,
    /// Each changed file with its tier and the crates it is compiled into.
    pub files: Vec<FileEntry>,
}

/// A changed file as `impact` reports it: its tier, and every crate that compiles it or
/// may (its own folder's, when the crate builds it; those including or reading it).
#[derive(Clone, Debug, Serialize)]
pub struct FileEntry {
    /// Repository-relative, `/`-separated.
    pub path: String,
    /// Its direct tier.
    pub tier: Tier,
    /// The crates compiling it: `crate`, `how`, `certainty` (`does` or `may`).
    pub compiled_into: Vec<crate::impact::compiled::Compiler>,
}

impl TieredImpact {
    /// The own tier of crate `name` (None when the change does not reach it).
    pub fn crate_tier(&self, name: &str) -> Option<Tier> {
        self.crate_tiers.get(name).copied()
    }

    /// True when escalation raised the tier above the touched files' own.
    pub fn escalated(&self) -> bool {
        matches!((self.direct_tier, self.tier), (Some(d), Some(t)) if d < t)
    }
}

impl std::ops::Deref for TieredImpact {
    type Target = Impact;

    fn deref(&self) -> &Impact {
        &self.graph
    }
}

/// A crate as the JSON has it: its fields and its own tier.
#[derive(Serialize)]
struct CrateJson<'a> {
    #[serde(flatten)]
    krate: &'a CrateImpact,
    tier: Option<Tier>,
}

/// The JSON document's impact fields, in their order.
#[derive(Serialize)]
struct ImpactJson<'a> {
    revision: &'a Option<CommitId>,
    base: &'a Option<CommitId>,
    changed_files: &'a [String],
    changed_crates: &'a [String],
    affected_crates: &'a [String],
    crates: Vec<CrateJson<'a>>,
    targets: &'a [TargetImpact],
    modules: &'a [ModuleImpact],
    module_fallbacks: &'a [ModuleFallback],
    workspace_wide: &'a [String],
    problems: &'a [String],
    tier: Option<Tier>,
    direct_tier: Option<Tier>,
    tier_reasons: &'a [String],
    files: &'a [FileEntry],
}

impl Serialize for TieredImpact {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let g = &self.graph;
        ImpactJson {
            revision: &g.revision,
            base: &g.base,
            changed_files: &g.changed_files,
            changed_crates: &g.changed_crates,
            affected_crates: &g.affected_crates,
            crates: g
                .crates
                .iter()
                .map(|c| CrateJson {
                    krate: c,
                    tier: self.crate_tier(&c.name),
                })
                .collect(),
            targets: &g.targets,
            modules: &g.modules,
            module_fallbacks: &g.module_fallbacks,
            workspace_wide: &g.workspace_wide,
            problems: &g.problems,
            tier: self.tier,
            direct_tier: self.direct_tier,
            tier_reasons: &self.tier_reasons,
            files: &self.files,
        }
        .serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every field the graph serializes is in the tiered JSON (a field added to `Impact` and
    /// forgotten in [`ImpactJson`] fails here), plus the tier fields.
    #[test]
    fn the_tiered_json_has_every_field_of_the_graph_and_the_tiers() {
        let graph = serde_json::to_value(Impact::default()).expect("graph json");
        let tiered = serde_json::to_value(TieredImpact::default()).expect("tiered json");
        let (Some(g), Some(t)) = (graph.as_object(), tiered.as_object()) else {
            panic!("objects: {graph} {tiered}");
        };
        for key in g.keys() {
            assert!(t.contains_key(key), "{key} is missing from the tiered JSON");
        }
        for key in ["tier", "direct_tier", "tier_reasons", "files"] {
            assert!(t.contains_key(key), "{key}");
        }
        assert_eq!(t.len(), g.len() + 4, "{tiered}");
    }
}
