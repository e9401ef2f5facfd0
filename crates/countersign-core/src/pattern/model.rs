//! The pattern report as data: what `countersign report` prints in every format (the JSON
//! document is its contract, described by `schemas/report.schema.json`).

use std::collections::BTreeMap;

use serde::Serialize;

/// The version of the JSON document's shape.
pub const SCHEMA_VERSION: u32 = 1;

/// What the report says of the dates it uses (printed beside every latency).
pub const DATES_NOTE: &str = "dates are what commits (committer date) and sign-offs \
    (their signed timestamp) claim; nothing vouches for them";

/// The whole report.
#[derive(Clone, Debug, Default, Serialize)]
pub struct PatternReport {
    /// The shape of this document ([`SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// The trusted ref whose policy and roster judged every commit (today's).
    pub trusted_ref: String,
    /// The commit it pointed at.
    pub trusted_commit: String,
    /// The history reported on, as chosen.
    pub range: String,
    /// `--since`, when given (YYYY-MM-DD, UTC).
    pub since: Option<String>,
    /// `--fix-window`, in days.
    pub fix_window_days: u32,
    /// [`DATES_NOTE`].
    pub dates_note: String,
    /// Over the whole history.
    pub totals: Bucket,
    /// Per month (UTC, `YYYY-MM`), oldest first.
    pub months: Vec<Period>,
    /// Per workspace crate (files outside any crate under `(no crate)`), most AI lines first.
    pub crates: Vec<CrateRow>,
    /// AI commits whose added lines a later commit changed within the fix window.
    pub fixes: Vec<Fix>,
    /// Rejects that stand, with who made them.
    pub rejects: Vec<Reject>,
    /// The crates the blast radius of AI commits reaches most often, most first.
    pub blast_radius: Vec<CrateReach>,
    /// What approvals record of the reviewer's viewing.
    pub coverage: ViewingTotals,
}

/// Counts over a set of commits (the whole history, a month, a crate).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Bucket {
    /// Every commit in the set, human and AI.
    pub commits: u64,
    /// Of them, judged AI (by provenance rules or a line-provenance note).
    pub ai_commits: u64,
    /// Lines added (text files, against the first parent).
    pub lines_added: u64,
    /// Of them, written by an agent: a line-provenance note's attested lines where one is
    /// used, else every line of an AI commit.
    pub ai_lines: u64,
    /// Per agent: AI commits and lines, most lines first.
    pub agents: Vec<AgentRow>,
    /// The effective tier of the AI commits: `autonomous`, `supervised`, `prohibited`.
    pub ai_tiers: BTreeMap<String, u64>,
    /// Approvals the AI commits' tiers need, summed.
    pub approvals_needed: u64,
    /// Approvals that count, summed.
    pub approvals_given: u64,
    /// AI commits by state (`approved`, `needs-signoff`, `rejected`, `forbidden`,
    /// `not-required`).
    pub states: BTreeMap<String, u64>,
    /// Hours from commit to its first counting approval (approved AI commits only).
    pub approval_latency_hours: Latency,
    /// Rejects that stand.
    pub rejects: u64,
}

/// An agent's share.
#[derive(Clone, Debug, Default, Serialize)]
pub struct AgentRow {
    /// The agent as provenance names it.
    pub agent: String,
    /// AI commits attributed to it.
    pub commits: u64,
    /// Lines attributed to it.
    pub lines: u64,
}

/// A distribution of latencies, in hours.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Latency {
    /// How many.
    pub count: u64,
    /// The median, when any.
    pub median: Option<f64>,
    /// The 90th percentile, when any.
    pub p90: Option<f64>,
    /// The longest, when any.
    pub max: Option<f64>,
}

/// One month.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Period {
    /// `YYYY-MM`, UTC.
    pub month: String,
    /// Its counts.
    #[serde(flatten)]
    pub bucket: Bucket,
}

/// One crate.
#[derive(Clone, Debug, Default, Serialize)]
pub struct CrateRow {
    /// The package name.
    #[serde(rename = "crate")]
    pub name: String,
    /// Its counts (commits touching it; lines added to its files).
    #[serde(flatten)]
    pub bucket: Bucket,
}

/// An AI commit whose lines a later commit changed soon after.
#[derive(Clone, Debug, Serialize)]
pub struct Fix {
    /// The AI commit.
    pub commit: String,
    /// Its subject.
    pub summary: String,
    /// As the commit's AI provenance names it.
    pub agent: String,
    /// The commit that changed those lines (full id).
    pub later_commit: String,
    /// Its subject.
    pub later_summary: String,
    /// `fix`, `revert` (by the later subject's words) or `change`.
    pub kind: String,
    /// Days between the two commits' dates.
    pub days: f64,
    /// How many of the AI commit's lines it changed.
    pub lines: u64,
}

/// A standing reject.
#[derive(Clone, Debug, Serialize)]
pub struct Reject {
    /// The rejected commit (full id).
    pub commit: String,
    /// Its subject.
    pub summary: String,
    /// Who rejected it.
    pub principal: String,
    /// The month of the commit.
    pub month: String,
}

/// How often the blast radius of AI commits reached a crate.
#[derive(Clone, Debug, Default, Serialize)]
pub struct CrateReach {
    /// The package name.
    #[serde(rename = "crate")]
    pub name: String,
    /// AI commits whose crate-level impact reached it.
    pub reached: u64,
    /// Of them, those that did not change it (it depends on what they changed).
    pub as_dependent: u64,
}

/// What counting approvals record of the reviewer's viewing.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ViewingTotals {
    /// Counting approvals.
    pub approvals: u64,
    /// Files they marked viewed, summed.
    pub files_viewed: u64,
    /// Files the changes held, summed.
    pub files_total: u64,
    /// Approvals that viewed every file.
    pub all_files_viewed: u64,
    /// Approvals made with the impact panel on screen.
    pub impact_shown: u64,
    /// Approvals that record which hunks were viewed (payload version 3).
    pub hunk_evidence: u64,
    /// Hunks they viewed, summed.
    pub hunks_viewed: u64,
    /// Hunks their changes held, summed.
    pub hunks_total: u64,
    /// Of them, approvals that viewed every hunk.
    pub all_hunks_viewed: u64,
}
