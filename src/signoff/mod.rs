//! Signed sign-offs: the record format, SSHSIG signing and verification, the notes store and
//! the `verify` gate. Filled in by the sign-off work; the foundation only needs the states.

pub mod keys;

use serde::Serialize;

/// Where a commit stands in the triage queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReviewState {
    /// Human-made, or its tier needs no approval.
    NotRequired,
    /// Its tier needs approvals it does not have yet.
    NeedsSignoff,
    /// It has every approval its tier needs.
    Approved,
    /// A qualified reviewer's latest decision is reject.
    Rejected,
    /// An AI-generated commit in the prohibited tier: a human must make this change.
    Forbidden,
}

impl ReviewState {
    /// The name used in JSON and tables.
    pub fn name(self) -> &'static str {
        match self {
            ReviewState::NotRequired => "not-required",
            ReviewState::NeedsSignoff => "needs-signoff",
            ReviewState::Approved => "approved",
            ReviewState::Rejected => "rejected",
            ReviewState::Forbidden => "forbidden",
        }
    }
}
