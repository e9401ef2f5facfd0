//! The gate's report: every commit of the range with its verdict, as `verify` prints it in
//! each format (the JSON document is a contract: fields are added, never renamed).

use serde::Serialize;

use super::assess::Assessment;
use super::trusted::TrustedRef;
use crate::model::{CommitId, Tier};
use crate::policy::provenance::Provenance;
use crate::signoff::rewrite::RewrittenFrom;
use crate::signoff::{ReviewState, SignoffVerdict};

/// The version of the JSON documents' shape; raised when a field changes meaning.
pub const SCHEMA_VERSION: u32 = 1;

/// The JSON document `verify --format json` prints.
#[derive(Debug, Serialize)]
pub struct Report {
    /// The shape of this document ([`SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// Every commit passes.
    pub ok: bool,
    /// The trusted ref the policy and roster were read from: a full ref name, or a commit id.
    pub trusted_ref: String,
    /// The commit it pointed at: everything was read from this commit.
    pub trusted_commit: String,
    /// The range, as resolved.
    pub range: String,
    /// One entry per commit, oldest first.
    pub commits: Vec<CommitReport>,
}

/// One commit's verdict.
#[derive(Debug, Serialize)]
pub struct CommitReport {
    /// The commit judged (its full hex id in JSON).
    pub commit: CommitId,
    /// First line of the message.
    pub summary: String,
    /// AI provenance, null for a human commit.
    pub ai: Option<Provenance>,
    /// Effective tier under the trusted policy.
    pub tier: Tier,
    /// Why the tier is what it is, as sentences.
    pub tier_reasons: Vec<String>,
    /// Approvals required.
    pub required: u32,
    /// The role approvers must hold.
    pub role: Option<String>,
    /// Approvals that count.
    pub approvals: usize,
    /// Who gave them.
    pub approved_by: Vec<String>,
    /// Qualified reviewers whose latest decision is reject.
    pub rejected_by: Vec<String>,
    /// Where it stands.
    pub state: ReviewState,
    /// It may ship: it needs no sign-off, or is approved as its tier requires.
    pub ok: bool,
    /// Why it fails, as sentences.
    pub problems: Vec<String>,
    /// Every sign-off found, with its verdict.
    pub signoffs: Vec<SignoffVerdict>,
    /// The earlier version approved before a rewrite (rebase, amend), when the commit itself
    /// lacks approvals; it never counts toward them.
    pub rewritten_from: Option<RewrittenFrom>,
    /// For a squash of a range approved commit by commit: that range (the commit passes).
    pub squash_of: Option<super::assess::SquashOf>,
    /// Line-provenance notes that were not used, and why (they change nothing else).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub line_note_problems: Vec<String>,
    /// Changed files the trusted ref's `.gitattributes` make git check out differently from
    /// their blobs (flagged; they change no tier).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub checkout_attributes: Vec<super::assess::CheckoutFlag>,
    /// Under `carry = "rebase"`: the earlier version whose approvals count here, and by whom.
    pub carried_from: Option<super::assess::CarriedApproval>,
    /// The first touched path with the commit's direct tier: the file behind its tier, where
    /// a CI annotation points (`verify --format github`).
    #[serde(skip)]
    pub tier_path: Option<crate::git::GitPath>,
}

impl From<Assessment> for CommitReport {
    fn from(a: Assessment) -> Self {
        let tier_path = a
            .verdict
            .paths
            .iter()
            .find(|p| p.tier == a.verdict.direct_tier)
            .map(|p| p.path.clone());
        CommitReport {
            tier_path,
            commit: a.commit,
            summary: a.summary,
            ai: a.ai,
            tier: a.tier,
            tier_reasons: a.tier_reasons,
            required: a.gate.required,
            role: a.gate.role,
            approvals: a.gate.approved_by.len(),
            approved_by: a.gate.approved_by,
            rejected_by: a.gate.rejected_by,
            state: a.gate.state,
            ok: a.gate.ok,
            problems: a.gate.problems,
            signoffs: a.signoffs,
            rewritten_from: a.rewritten_from,
            squash_of: a.squash_of,
            line_note_problems: a.line_note_problems,
            checkout_attributes: a.checkout_attributes,
            carried_from: a.carried_from,
        }
    }
}

impl Report {
    /// The report on `commits` (oldest first) judged under `trusted`.
    pub fn new(trusted: &TrustedRef, range: &str, commits: Vec<Assessment>) -> Self {
        let commits: Vec<CommitReport> = commits.into_iter().map(CommitReport::from).collect();
        Report {
            schema_version: SCHEMA_VERSION,
            ok: commits.iter().all(|c| c.ok),
            trusted_ref: trusted.name.clone(),
            trusted_commit: trusted.commit.to_string(),
            range: range.to_string(),
            commits,
        }
    }
}
