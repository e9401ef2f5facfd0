//! countersign's core: everything that judges and signs a change, and nothing that draws it.
//!
//! A chain of plain data transformations, each in its own module:
//!
//! 1. `git` opens the repository, resolves a revspec and loads a `git::ChangeSet`
//!    (commits, files, hunks, a stable patch digest);
//! 2. `diff` turns hunks into what a reviewer reads (word-level emphasis, highlighting);
//! 3. `impact` reads the Cargo workspace at a revision and computes what a change reaches;
//! 4. `policy` reads the trusted policy and roster, detects AI provenance and assigns tiers;
//! 5. `signoff` signs, stores and verifies sign-offs as git notes;
//! 6. [`review`] is the one way in: it resolves the trusted ref, policy, range and change set
//!    once and joins the parts above into the per-commit verdict that `status`, `verify`,
//!    `sign` and the workstation show.
//!
//! [`model`] holds the shared leaf types and [`util`] the helpers every layer may use
//! (terminal escaping, bounded reads, quiet exit on a closed pipe); [`output`] writes the
//! formats besides text and JSON, and [`pattern`] is `countersign report`. The application
//! package (`countersign`: the command line, the workstation, the demo) sits on top; this
//! package cannot import it, and the compiler keeps it so. Layers 1 to 5 are private to this
//! package (public with the `test-support` feature, for tests and benches): the application
//! sees them only through the views `review` lists, so it cannot reach around `review`.

#![warn(missing_docs)]
// With the lower layers public (test-support), a `pub` item that no path from the root reaches
// is one only its own module tree uses: it says `pub(crate)` (or narrower).
#![cfg_attr(all(feature = "test-support", not(test)), warn(unreachable_pub))]

#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod model;
pub mod output;
pub mod pattern;
pub mod review;
pub mod util;

// The layers under `review`: private, so the application reaches them only through the views
// `review` lists (review/parts.rs) and the compiler refuses a reach-around. Tests and benches
// see them whole through the `test-support` feature.
#[cfg(feature = "test-support")]
pub mod diff;
#[cfg(not(feature = "test-support"))]
mod diff;
#[cfg(feature = "test-support")]
pub mod git;
#[cfg(not(feature = "test-support"))]
mod git;
#[cfg(feature = "test-support")]
pub mod impact;
#[cfg(not(feature = "test-support"))]
mod impact;
#[cfg(feature = "test-support")]
pub mod policy;
#[cfg(not(feature = "test-support"))]
mod policy;
#[cfg(feature = "test-support")]
pub mod signoff;
#[cfg(not(feature = "test-support"))]
mod signoff;

pub use model::{Error, Result};
