//! The gate, one test binary: git changes and environment, encodings, policy errors, crate-
//! and module-level impact (with their oracles), and attacks on `verify`.
//!
//! Each file is a module here, so the whole group links once; helpers live in
//! `tests/support` (a throwaway repository, the binary, optional tools) and
//! `tests/signoff_common` (a governed repository with real keys).

#[path = "../signoff_common/mod.rs"]
mod signoff_common;
#[path = "../support/mod.rs"]
mod support;

mod encodings;
mod gate_attacks;
mod gate_build_reach;
mod gate_graph;
mod gate_merge;
mod git_changes;
mod git_environment;
mod impact_cli;
mod impact_cross_crate;
mod impact_escalation;
mod impact_graph;
mod impact_module_oracle;
mod impact_oracle;
mod policy_errors;
