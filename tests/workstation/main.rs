//! The review workstation, one test binary: the first screen, daily keys, fidelity and
//! snapshots by frames (`TestBackend`), and the real terminal (tmux).
//!
//! Each file is a module here, so the whole group links once; helpers live in
//! `tests/support` (a throwaway repository, the binary, optional tools) and
//! `tests/signoff_common` (a governed repository with real keys).

#[path = "../support/sample.rs"]
mod sample;
#[path = "../signoff_common/mod.rs"]
mod signoff_common;
#[path = "../support/mod.rs"]
mod support;

mod rewrite_tui;
mod tui_cli;
mod tui_daily;
mod tui_fidelity;
mod tui_first_screen;
mod tui_giant_commit;
mod tui_long_range;
mod tui_pty;
mod tui_snapshots;
