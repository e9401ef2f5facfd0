//! countersign: review, tier and sign off AI-generated changes to Cargo repositories.
//!
//! The library is a chain of plain data transformations, each in its own module:
//!
//! 1. [`git`] opens the repository, resolves a revspec and loads a [`git::ChangeSet`]
//!    (commits, files, hunks, a stable patch digest);
//! 2. [`diff`] turns hunks into what a reviewer reads (word-level emphasis, highlighting);
//! 3. [`impact`] reads the Cargo workspace at a revision and computes what a change reaches;
//! 4. [`policy`] reads the trusted policy and roster, detects AI provenance and assigns tiers;
//! 5. [`signoff`] signs, stores and verifies sign-offs as git notes;
//! 6. [`review`] is the one way in: it resolves the trusted ref, policy, range and change set
//!    once and joins the parts above into the per-commit verdict that `status`, `verify`,
//!    `sign` and the TUI show;
//! 7. [`pattern`] reads the whole history through [`review`] for `countersign report`.
//!
//! [`tui`] and [`cli`] sit on top; no module below them imports them. [`util`] is a leaf
//! every layer may use: terminal escaping, bounded reads, quiet exit on a closed pipe.

#![warn(missing_docs)]

pub mod cli;
pub mod demo;
pub mod diff;
pub mod error;
pub mod fuzzing;
pub mod git;
pub mod impact;
pub mod model;
pub mod pattern;
pub mod policy;
pub mod review;
pub mod signoff;
pub mod tui;
pub mod util;

pub use error::{Error, Result};
