//! The review layer: the one way every command and the workstation open a change.
//!
//! What gitui's `asyncgit` is to its UI, this is to `cli` and `tui`: [`Review::open`] takes
//! the user's selection (REVSPEC and `--trusted-ref`) and resolves, once,
//!
//! 1. the trusted ref ([`trusted`]): a full ref name and the commit it points at, by the
//!    settled order (`--trusted-ref`, git config `countersign.trustedRef`, `origin/HEAD`, the
//!    only `main`/`master` of a repository without a remote) with no short-name guessing;
//! 2. the policy and roster, read from that commit (built-in defaults for exploring a
//!    repository that has none);
//! 3. the range (the commits of HEAD not on the trusted commit by default), refusing a range
//!    that reaches a shallow boundary, and for the gate a default trusted ref that contains
//!    the change;
//! 4. the change set (files, no hunks).
//!
//! On top of an opened review sit the per-commit verdict ([`assess`]), the gate's report
//! ([`report`]) and sign plans ([`Review::plan_signing`]). Callers receive the opened review
//! or its [`Resolved`] values, never raw options, so `status`, `verify`, `sign` and `review`
//! given the same arguments see the same commits judged by the same policy.

pub mod assess;
pub mod drafts;
pub mod feedback;
pub mod feedback_render;
mod open;
mod parts;
mod reach;
mod replaced;
pub mod report;
pub mod signing;
pub mod tiered;
pub mod trusted;

pub use assess::{Assessment, Assessor, CheckoutFlag};
pub use open::{Purpose, Resolved, Review, Selection};
pub use parts::{diff, git, impact, policy, signoff};
pub use report::{CommitReport, Report, SCHEMA_VERSION};
pub use trusted::{resolve_trusted, TrustSource, TrustedRef};
