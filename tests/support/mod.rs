//! What every integration test reaches for: the countersign binary with the user's settings
//! shut out, the optional-tool skip, and (from `countersign-testkit`, shared with the benches)
//! a throwaway git repository with the developer's git config shut out and the builders of
//! workspaces, policies and rosters.
//!
//! ```ignore
//! use crate::support; // each test binary's main.rs declares `mod support` once
//! let t = support::TestRepo::new();          // branch `main`, user Dana Human
//! t.write("src/lib.rs", "pub fn f() {}\n");   // work tree + index
//! let base = t.commit("initial");            // deterministic, increasing timestamps
//! t.branch("feature");
//! t.checkout("feature");
//! t.write("src/lib.rs", "pub fn g() {}\n");
//! let ai = t.commit_ai("kiro", "Rename f"); // + `Co-authored-by: kiro <kiro@agents.example>`
//! let log = t.git(&["log", "--oneline"]);    // the real git CLI, same isolation
//! ```
//!
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

#[allow(unused_imports)]
pub use countersign_testkit::{
    git_in, git_stdin, isolate_git_config, AllowedSigners, Package, PolicyToml, TestRepo,
    HUMAN_EMAIL, HUMAN_NAME,
};

/// The countersign binary run in `dir`, with the user's git configuration and countersign
/// settings shut out (`HOME` is `dir`, no colours, no key or passphrase from the environment).
pub fn countersign(dir: &Path) -> assert_cmd::Command {
    let mut cmd =
        assert_cmd::Command::cargo_bin("countersign").expect("the countersign binary is built");
    cmd.current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .env("NO_COLOR", "1")
        .env_remove("COUNTERSIGN_KEY")
        .env_remove("COUNTERSIGN_PASSPHRASE")
        .env_remove("SSH_AUTH_SOCK");
    cmd
}

/// core-types ← auth ← billing-api: auth calls core-types' `codec` module, billing-api calls
/// auth (the policy of the test says which of them is prohibited).
pub fn billing_chain() -> [Package; 3] {
    [
        Package::new("core-types")
            .lib("pub mod codec;\n")
            .file("src/codec.rs", "pub fn encode() {}\n"),
        Package::new("auth")
            .dep("core-types")
            .lib("pub fn login() { core_types::codec::encode() }\n"),
        Package::new("billing-api")
            .dep("auth")
            .lib("pub fn bill() { auth::login() }\n"),
    ]
}

/// An allowed_signers line for alice@example.com with a fresh key made by the real
/// `ssh-keygen` (the private half is thrown away).
pub fn alice_roster_line(scratch: &Path) -> String {
    let key = scratch.join("alice_key");
    let status = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "alice", "-f"])
        .arg(&key)
        .status()
        .expect("ssh-keygen runs");
    assert!(status.success());
    let public = std::fs::read_to_string(key.with_extension("pub")).expect("public key written");
    std::fs::remove_file(&key).ok();
    std::fs::remove_file(key.with_extension("pub")).ok();
    format!("alice@example.com namespaces=\"countersign\" {public}")
}

/// Whether the optional tool `name` (graphviz `dot`, zsh, fish, tmux, jq, python3) is on
/// `PATH`, for a test that needs it: the README's `cargo test` must pass on a machine with only
/// a Rust toolchain, a C compiler and git. A missing tool prints `skipped: NAME not found` on
/// stderr and returns false (the test returns early); with `COUNTERSIGN_REQUIRE_TOOLS=1` (set
/// by `.ci/run`) it panics instead, so CI never skips silently.
///
/// ```ignore
/// if !support::require_tool("dot") {
///     return;
/// }
/// ```
pub fn require_tool(name: &str) -> bool {
    if tool_on_path(name) {
        return true;
    }
    if std::env::var_os("COUNTERSIGN_REQUIRE_TOOLS").is_some_and(|v| v == "1") {
        panic!("{name} not found on PATH, and COUNTERSIGN_REQUIRE_TOOLS=1 forbids skipping");
    }
    eprintln!("skipped: {name} not found");
    false
}

/// `command -v NAME`: an executable regular file named `name` in a `PATH` directory.
fn tool_on_path(name: &str) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let Some(path) = std::env::var_os("PATH") else {
        return false;
    };
    std::env::split_paths(&path).any(|dir| {
        std::fs::metadata(dir.join(name))
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    })
}

/// Hex ids (commits, keys) vary from run to run: masked for the snapshot (whole words of 7
/// or more lowercase hex digits).
pub fn mask_ids(s: &str) -> String {
    let mut out = String::new();
    let mut run = String::new();
    let mut before = ' ';
    for c in s.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_hexdigit() && !c.is_ascii_uppercase() {
            run.push(c);
            continue;
        }
        let word = !before.is_alphanumeric() && !c.is_alphanumeric();
        out.push_str(if run.len() >= 7 && word { "[id]" } else { &run });
        run.clear();
        out.push(c);
        before = c;
    }
    out.pop();
    out
}
