//! Signed sign-offs: a reviewer's decision that no one can forge, move to another commit or
//! quietly drop, and the `verify` gate that CI runs on it.
//!
//! The model, in four steps:
//!
//! 1. **Record** ([`record`]): a [`Payload`] says who ([`Payload::principal`], with
//!    the key's fingerprint) decided what ([`Decision`], a comment) about exactly which change
//!    (commit, tree, parents and [`crate::git::CommitChange::patch_digest`]), at which tier and
//!    under which policy ([`Payload::policy_digest`]), when, and with what evidence
//!    (files viewed of total, impact panel shown). Its canonical bytes — sorted-key, one-line
//!    JSON — are what gets signed.
//! 2. **Sign** ([`sign`], [`keys`], [`sshsig`]): [`sign::plan`] checks the key against the
//!    trusted roster and builds the payloads (refusing a key the roster does not list, an
//!    expired key, an approval of a prohibited AI commit); [`sign::execute`] makes an SSHSIG
//!    (namespace `countersign`, SHA-512) over each payload — the same signature
//!    `ssh-keygen -Y sign -n countersign` makes, so `ssh-keygen -Y verify` accepts it.
//! 3. **Store** ([`notes`]): each sign-off is one line `{"payload": …, "signature": …}` of the
//!    note that `refs/notes/countersign` attaches to the commit. Appends use compare-and-swap
//!    on the notes ref, so concurrent signers all land, and independent lines merge across
//!    clones with `git notes merge -s cat_sort_uniq`.
//! 4. **Verify** ([`verify`]): a line counts only if the trusted roster's key for its principal
//!    made the signature, in the namespace, while valid, and the payload names this very
//!    commit; then [`verify::judge`] counts distinct qualified principals by their latest
//!    decision against the tier's requirement. Trust comes only from the trusted ref.
//!
//! 5. **Rewrites** ([`rewrite`]): a rebased or amended commit's old sign-offs name the old
//!    commit and count for nothing; [`crate::review::Assessor::assess`] finds the earlier
//!    version whose sign-offs are valid for it (copied note, Change-Id, same patch) so that
//!    `status`, `verify` and the workstation can point at the interdiff.
//!
//! ```text
//! CommitChange + tier ─► Payload ─canonical─► SSHSIG ─► NoteLine ─► refs/notes/countersign
//!                                                                          │
//! trusted roster + policy ─► Checker::check_line ◄── note lines ◄──────────┘
//!                                   └─► judge ─► GateVerdict (state, approvals, problems)
//! ```
//!
//! Nothing here touches the terminal: passphrases arrive through a callback
//! (`keys::PassphraseFn`), so the CLI and the TUI each ask in their own way.

pub mod agent;
pub(crate) mod bounds;
pub(crate) mod clone_setup;
pub mod comment;
pub(crate) mod eligibility;
pub mod hunks;
mod keyid;
pub mod keys;
pub(crate) mod line_notes_sync;
pub mod notes;
mod notes_history;
pub mod patch_id;
pub(crate) mod patch_index;
pub mod record;
pub mod rewrite;
pub mod sign;
pub mod sshsig;
pub mod sync;
pub mod verify;

use serde::Serialize;

#[cfg(any(test, feature = "test-support"))]
pub use comment::ReviewComment;
pub use record::{Decision, Evidence, HunkEvidence, NoteLine, Payload};
pub use sign::{execute, plan, Judged, SignOutcome, SignPlan, SignRequest};
pub(crate) use sshsig::NAMESPACE;
pub(crate) use verify::Checker;
pub use verify::{Coverage, GateVerdict, SignoffVerdict};

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
