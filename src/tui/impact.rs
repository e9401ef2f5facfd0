//! The impact panel's data: the analysis flattened into tree rows the panel draws and the
//! cursor walks. [`compute`] runs [`crate::review::Review::impact`] (the same analysis as
//! `countersign impact`) on a worker thread when the review opens; [`view_of`] flattens it.

use std::collections::BTreeMap;
use std::path::Path;

use crate::impact::{CrateImpact, Options};
use crate::model::CommitId;
use crate::model::Tier;
use crate::review::tiered::TieredImpact;
use crate::review::{Purpose, Resolved, Review};
use crate::Result;

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
    pub open: Option<(CommitId, String)>,
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
    /// Each changed file (as `impact`'s JSON `files` has it), by path: shown for the file
    /// selected in the file list.
    pub files: BTreeMap<String, FileImpact>,
}

/// A changed file's own tier and the crates that compile it (or may).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileImpact {
    /// Its direct tier.
    pub tier: Tier,
    /// Each compiling crate as a line: `billing-api (does: in its folder crates/billing-api)`.
    pub compiled_into: Vec<String>,
}

/// Where the impact analysis stands.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ImpactSlot {
    /// Not asked for: the change has no commits, or the data was not read from a repository
    /// (hand-made test data).
    #[default]
    Unavailable,
    /// A job is computing it.
    Computing,
    /// It is here.
    Ready(ImpactView),
    /// It failed, as a sentence.
    Failed(String),
}

/// Computes the impact of `commits` (full ids, oldest first) in the repository at
/// `repo_path`, judged under the review as it was resolved when it opened (its trusted
/// commit; without a policy there, the built-in defaults), and flattens it for the panel.
/// Blocking: the workstation calls it from a worker thread.
pub fn compute(
    repo_path: &Path,
    resolved: &Resolved,
    commits: &[CommitId],
) -> Result<ImpactView, String> {
    analyse(repo_path, resolved, commits)
        .map(|impact| view_of(&impact))
        .map_err(|e| e.to_string())
}

fn analyse(repo_path: &Path, resolved: &Resolved, commits: &[CommitId]) -> Result<TieredImpact> {
    let repo = crate::git::open(repo_path)?;
    let resolved = Resolved {
        commits: commits.iter().map(|c| c.oid()).collect(),
        ..resolved.clone()
    };
    // Paths only, as `countersign impact` loads them: a rename is judged by both its paths.
    let mut review = Review::reopen(&repo, &resolved, Purpose::Impact)?;
    review.impact(&Options::default())
}

/// The panel's view of an analysis: each crate under the one before it in its chain, then
/// the affected modules (Enter opens a module's file at the analysed revision), the targets, and the reasons for the tier (then workspace-wide files, whole-crate
/// fallbacks and problems).
pub fn view_of(impact: &TieredImpact) -> ImpactView {
    let mut children: BTreeMap<&str, Vec<&CrateImpact>> = BTreeMap::new();
    let mut roots: Vec<&CrateImpact> = Vec::new();
    for c in &impact.crates {
        match c.via.len().checked_sub(2).and_then(|i| c.via.get(i)) {
            Some(parent)
                if parent != &c.name && impact.crates.iter().any(|p| &p.name == parent) =>
            {
                children.entry(parent.as_str()).or_default().push(c)
            }
            _ => roots.push(c),
        }
    }
    let mut rows = Vec::new();
    let mut stack: Vec<(&CrateImpact, usize)> = roots.iter().rev().map(|c| (*c, 0)).collect();
    let mut seen: Vec<&str> = Vec::new();
    while let Some((c, depth)) = stack.pop() {
        if seen.contains(&c.name.as_str()) {
            continue;
        }
        seen.push(&c.name);
        rows.push(ImpactRow {
            depth,
            label: c.name.clone(),
            detail: c.describe("dev-dep"),
            tier: impact.crate_tier(&c.name),
            open: None,
        });
        if let Some(kids) = children.get(c.name.as_str()) {
            for k in kids.iter().rev() {
                stack.push((k, depth + 1));
            }
        }
    }
    // Stragglers (a chain through a crate not in the list) are shown rather than lost.
    for c in &impact.crates {
        if !seen.contains(&c.name.as_str()) {
            rows.push(ImpactRow {
                depth: 0,
                label: c.name.clone(),
                detail: c.describe("dev-dep"),
                tier: impact.crate_tier(&c.name),
                open: None,
            });
        }
    }
    if !impact.modules.is_empty() {
        rows.push(ImpactRow {
            depth: 0,
            label: "modules:".to_string(),
            detail: String::new(),
            tier: None,
            open: None,
        });
    }
    for m in &impact.modules {
        let detail = if m.changed {
            "changed".to_string()
        } else if m.via.len() >= 2 {
            format!("uses {}", m.via[m.via.len() - 2])
        } else {
            String::new()
        };
        rows.push(ImpactRow {
            depth: 0,
            label: m.module.clone(),
            detail,
            tier: None,
            open: impact.revision.map(|r| (r, m.file.clone())),
        });
    }
    let mut reasons = impact.tier_reasons.clone();
    reasons.extend(
        impact
            .workspace_wide
            .iter()
            .map(|w| format!("workspace-wide: {w}")),
    );
    reasons.extend(
        impact
            .module_fallbacks
            .iter()
            .map(|f| format!("{}: whole crate ({})", f.crate_name, f.reason)),
    );
    reasons.extend(
        impact
            .problems
            .iter()
            .map(|p| format!("problem: {}", one_line(p))),
    );
    ImpactView {
        tier: impact.tier,
        escalated: impact.escalated(),
        rows,
        targets: impact
            .targets
            .iter()
            .map(|t| {
                if t.name == t.crate_name {
                    format!("{} ({})", t.name, t.kind.name())
                } else {
                    format!("{} ({}, {})", t.name, t.kind.name(), t.crate_name)
                }
            })
            .collect(),
        reasons,
        files: impact
            .files
            .iter()
            .map(|f| {
                let compiled_into = f.compiled_into.iter().map(|c| c.describe()).collect();
                (
                    f.path.clone(),
                    FileImpact {
                        tier: f.tier,
                        compiled_into,
                    },
                )
            })
            .collect(),
    }
}

/// A diagnostic (file:line:col: message, then its source lines and `= help:`) as one line for
/// the narrow panel: the message and the help, without the quoted source.
fn one_line(diagnostic: &str) -> String {
    let mut lines = diagnostic.lines();
    let mut out = lines.next().unwrap_or_default().to_string();
    if let Some(help) = lines.find_map(|l| l.trim_start().strip_prefix("= help:")) {
        out.push_str(" (");
        out.push_str(help.trim());
        out.push(')');
    }
    out
}
