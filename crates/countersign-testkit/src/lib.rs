//! Fixtures shared by countersign's integration tests and benches: a throwaway repository
//! with the developer's git config shut out, Cargo workspaces, policies, rosters and signed
//! commits, each built in one fluent chain.
//!
//! ```no_run
//! use countersign_testkit::{AllowedSigners, Package, PolicyToml, TestRepo};
//!
//! let key = countersign_core::signoff::keys::generate_ed25519("alice@example.com").unwrap();
//! let t = TestRepo::new();
//! t.cargo_workspace(&["crates/*"])
//!     .package(&Package::new("core-types").lib("pub fn f() {}\n"))
//!     .package(&Package::new("auth").dep("core-types").lib("pub fn g() { core_types::f() }\n"))
//!     .policy(&PolicyToml::one_senior("alice@example.com").render())
//!     .roster(&AllowedSigners::new().signer("alice@example.com", key.public_key()).render());
//! t.commit("base");
//! t.start_branch("feature");
//! t.write("crates/core-types/src/lib.rs", "pub fn f() { }\n");
//! let ai = t.commit_ai("kiro", "Speed up f");
//!
//! // A bench's thousand signed AI commits, written without a work tree.
//! let dir = tempfile::tempdir().unwrap();
//! let repo = countersign_testkit::governed_history(dir.path(), &key, 1000);
//! countersign_testkit::sign_range(&repo, &key, "main..feature", "refs/heads/main");
//! ```
//!
//! Benches build thousands of commits without a work tree ([`History`]) and sign them through
//! the library's own signing path ([`sign_range`]). Everything here panics on failure: it is
//! set-up, and a failing set-up should stop the test with the reason.

mod history;
mod policy;
mod repo;
mod roster;
mod sign;
mod workspace;

pub use history::{governed_giant_commit, governed_history, History};
pub use policy::PolicyToml;
pub use repo::{git_in, git_stdin, isolate_git_config, TestRepo, HUMAN_EMAIL, HUMAN_NAME};
pub use roster::AllowedSigners;
pub use sign::sign_range;
pub use workspace::Package;
