//! The command line, one test binary: adoption (init, sync, CI formats), output, errors,
//! man page and completions, feedback, pull-request formats, reports, the README's recipes.
//!
//! Each file is a module here, so the whole group links once; helpers live in
//! `tests/support` (a throwaway repository, the binary, optional tools) and
//! `tests/signoff_common` (a governed repository with real keys).

#[path = "../signoff_common/mod.rs"]
mod signoff_common;
#[path = "../support/mod.rs"]
mod support;

mod adoption_ci_formats;
mod adoption_init;
mod adoption_sync;
mod cli_man;
mod cli_output;
mod error_messages;
mod feedback_loop;
mod foundation_cli;
mod hostile_input;
mod pull_request_formats;
mod readme_recipes;
mod report_pattern;
mod review_layer;
mod situations;
