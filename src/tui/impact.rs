//! The impact panel's data: the analysis flattened into tree rows the panel draws and the
//! cursor walks. Filled from [`crate::impact`] by a background job when the analysis exists.

use crate::policy::Tier;

/// One row of the impact tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImpactRow {
    /// Nesting depth (0 for a changed crate).
    pub depth: usize,
    /// The crate or module name.
    pub label: String,
    /// What to show after it: `changed`, `1 hop`, `dev-dep`, a module path.
    pub detail: String,
    /// The crate's own tier, when known.
    pub tier: Option<Tier>,
    /// For a module: the commit and path Enter opens read-only.
    pub open: Option<(String, String)>,
}

/// The impact analysis as the panel shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImpactView {
    /// The effective tier of the change.
    pub tier: Option<Tier>,
    /// Whether the blast radius raised it above the direct tier.
    pub escalated: bool,
    /// The tree: changed crates, the crates and modules they reach.
    pub rows: Vec<ImpactRow>,
    /// Affected targets (`billing-api (bin)`).
    pub targets: Vec<String>,
    /// Why the effective tier is what it is.
    pub reasons: Vec<String>,
}

/// Where the impact analysis stands.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ImpactSlot {
    /// This build has no impact analysis.
    #[default]
    Unavailable,
    /// A job is computing it.
    Computing,
    /// It is here.
    Ready(ImpactView),
    /// It failed, as a sentence.
    Failed(String),
}
