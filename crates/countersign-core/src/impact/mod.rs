//! Dependency impact: what a change can reach, at the crate, target and module level.
//!
//! The analysis runs in phases, each a plain function over data read from git objects (no
//! checkout, no network, no toolchain), so it works on any revision of any Cargo repository:
//!
//! 1. **Workspace graph** ([`Workspace::load`]): members (`members` globs, `exclude`, path
//!    dependencies inside the workspace), their path dependencies with kind (normal, build,
//!    dev), `[target.…]` tables, renames and `workspace = true` inheritance, and declared
//!    targets; [`targets::discover`] completes the targets with Cargo's auto-discovery.
//! 2. **Crate closure** (`crates::crate_level`): the changed crates (the nearest member above
//!    each changed file; workspace-wide files such as `Cargo.lock` count for every member,
//!    a `[workspace.dependencies]` edit for the members inheriting it), then every member
//!    depending on them through normal or build dependencies, transitively, with distance and
//!    the chain (`via`) that reaches it; dev-dependents are affected (tests, benches,
//!    examples) but do not propagate. This set is sound and nothing below shrinks it.
//! 3. **Module graph** ([`modules`]): inside the changed crates and every crate they reach,
//!    `mod` declarations resolved to files and `use`/path references resolved to the module
//!    defining the item (through re-exports and globs; a type's `impl` files; macros by name);
//!    the modules reaching a changed module, with the chain of references. Files that do not
//!    compile into code (documentation, CI) reach no module; data files reach the modules
//!    reading them; `Cargo.lock` the modules naming the changed packages. Anything unreadable
//!    (a file that does not tokenize, a missing module file) or reaching everything (the build
//!    script, a manifest change beyond metadata and dependency versions) makes that crate
//!    count as a whole, with the reason in [`Impact::module_fallbacks`].
//! 4. **Tiers** are not this module's: [`crate::policy::tier::Classifier::escalate`] judges
//!    the graph (the effective tier also takes the tiers of affected crates, as far as the
//!    policy's `escalation.reach` goes and no higher than its `cap`), and the review layer
//!    returns both as one value, [`crate::review::tiered::TieredImpact`].
//!
//! ```no_run
//! # fn main() -> countersign_core::Result<()> {
//! use countersign_core::git::{self, ChangeSet, LoadDepth};
//! use countersign_core::impact::{self, Options};
//!
//! let repo = git::open(std::path::Path::new("."))?;
//! let range = git::resolve_range(&repo, "refs/heads/main..HEAD")?;
//! let change = ChangeSet::load(&repo, &range.commits, LoadDepth::Files)?;
//! let impact = impact::analyze(&repo, &change.commits, &Options::default())?;
//! // e.g. core-types changed; auth (1 hop) and billing-api (2 hops, via auth) affected.
//! for c in &impact.crates {
//!     println!("{} at distance {} via {}", c.name, c.distance, c.via.join(" → "));
//! }
//! # Ok(()) }
//! ```
//!
//! [`Impact`] is `Clone + Send + Serialize`: the TUI computes it on a worker thread (with its
//! own `git2::Repository`) and posts it to the UI.

mod analyze;
mod closure;
// Its docs map its private parts for readers of `cargo doc --document-private-items`; the
// public docs (`--features test-support` exposes it) leave those links unresolved.
#[allow(rustdoc::private_intra_doc_links)]
pub mod compiled;
pub mod crates;
mod deps;
mod lock_reach;
mod lock_text;
mod manifest;
mod members;
// Its docs map its private parts for readers of `cargo doc --document-private-items`; the
// public docs (`--features test-support` exposes it) leave those links unresolved.
#[allow(rustdoc::private_intra_doc_links)]
pub mod modules;
mod relpath;
mod report;
pub mod targets;
pub mod wide;
mod workspace;

pub use crate::git::GitTree;
#[cfg(any(test, feature = "test-support"))]
pub use analyze::analyze;
pub(crate) use analyze::analyze_range;
pub use analyze::{Loaded, Options};
pub use crates::CrateImpact;
pub use deps::DepKind;
pub use lock_reach::LockReach;
pub use report::{Impact, TargetImpact};
pub(crate) use workspace::plain_dir;
pub use workspace::{Member, Workspace};
