//! The governance policy: tiers, rules, roles, AI provenance rules and the signer roster.
//!
//! Three steps, each its own module:
//!
//! 1. **Read** ([`load_trusted`], [`load_worktree`]): `.countersign/policy.toml` and
//!    `.countersign/allowed_signers`, from a trusted revision (what judges a change) or from
//!    the work tree (what `policy check` validates while you edit).
//! 2. **Check** ([`parse_policy`], [`parse_roster`], [`Trusted::check`]): raw TOML is compiled
//!    into a [`Policy`] whose invariants hold — tier names known, globs compiled, roles
//!    resolved to roster principals — and every problem becomes a [`Diagnostic`] with file,
//!    line, column and what to write instead. Keys left out take the values in [`defaults`];
//!    [`summary`] is the one line `policy check` prints when all is well.
//! 3. **Apply**: [`provenance::detect`] says whether a commit is AI-generated and by which
//!    rule; [`tier::Classifier`] gives each commit its direct tier with reasons a person reads.
//!
//! ```text
//! policy.toml ─┐
//!              ├─► Trusted { Policy, Roster } ─► provenance::detect(commit) ─► tier::classify(...)
//! allowed_signers ┘
//! ```

pub mod defaults;
pub mod history;
pub(crate) mod line_evidence;
pub mod line_log;
pub(crate) mod lint;
mod load;
mod parse;
pub mod pattern;
pub mod provenance;
mod roster;
pub(crate) mod rule_globs;
pub mod template;
pub mod tier;
mod types;

#[cfg(any(test, feature = "test-support"))]
pub use crate::model::Diagnostic;
pub use crate::model::Diagnostics;
pub(crate) use load::builtin;
#[cfg(any(test, feature = "test-support"))]
pub use load::policy_digest;
pub use load::{
    load_trusted, load_trusted_at, load_worktree, summary, Trusted, POLICY_PATH, ROSTER_PATH,
};
pub use parse::parse_policy;
pub(crate) use roster::principal_matches;
pub use roster::{parse_roster, AllowedSigner, Roster};
pub use rule_globs::RuleGlobs;
pub use types::{
    AiRules, BuildCode, Escalation, Policy, PolicySource, Reach, Rule, TierRequirement,
    DEFAULT_AGENTS,
};
pub use types::{Presence, Viewed};
