//! countersign, the application: the command line ([`cli`]), the review workstation ([`tui`])
//! and the demo ([`demo`]), on top of the core package `countersign_core`, which knows no
//! terminal and cannot import this one.
//!
//! The core's modules are imported at this crate's root (privately), so `crate::review`,
//! `crate::git`, … name the core's modules throughout the application.

#![warn(missing_docs)]

pub mod cli;
pub mod demo;
pub mod tui;

#[allow(unused_imports)]
use countersign_core::{
    diff, git, impact, model, pattern, policy, review, signoff, util, Error, Result,
};
