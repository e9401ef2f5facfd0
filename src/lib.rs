//! countersign, the application: the command line ([`cli`]), the review workstation ([`tui`])
//! and the demo ([`demo`]), on top of the core package `countersign_core`, which knows no
//! terminal and cannot import this one.
//!
//! The core's public modules (`review`, `model`, `util`, `pattern`) are imported at this
//! crate's root (privately), and so are the views `review` gives of the layers under it: in
//! this crate `crate::git`, `crate::signoff`, `crate::policy`, `crate::impact` and `crate::diff`
//! name `countersign_core::review::{git, …}`, the lists of what the application may use (the
//! layers themselves are private to the core, so the compiler refuses a reach-around).

#![warn(missing_docs)]

// The test fixtures shared with the integration tests and benches (tests/support/sample.rs)
// name this crate `countersign`, as they do there.
#[cfg(test)]
extern crate self as countersign;

pub mod cli;
pub mod demo;
pub mod tui;

use countersign_core::review::{diff, git, impact, policy, signoff};
use countersign_core::{model, output, pattern, review, util, Error, Result};
