//! Reading the policy and roster from a trusted revision or from the work tree.

use std::path::Path;

use super::{Diagnostics, Policy, Roster};
use crate::Result;

/// Where the policy lives in a repository.
pub const POLICY_PATH: &str = ".countersign/policy.toml";
/// Where the roster lives in a repository.
pub const ROSTER_PATH: &str = ".countersign/allowed_signers";

/// The policy and roster that judge a change, read together from one place.
#[derive(Clone, Debug)]
pub struct Trusted {
    /// The checked policy.
    pub policy: Policy,
    /// The checked roster.
    pub roster: Roster,
}

impl Trusted {
    /// Cross-file checks: every principal a role names is in the roster; every role a tier
    /// requires exists. Returns all problems found, positioned in the policy file.
    pub fn check(
        policy_text: &str,
        policy_file: &str,
        policy: &Policy,
        roster: &Roster,
    ) -> Diagnostics {
        let _ = (policy_text, policy_file, policy, roster);
        todo!("implemented by the policy work")
    }
}

/// Reads and checks the policy and roster from revision `rev` (a branch, tag or commit).
/// A missing policy is [`crate::Error::NoPolicy`]; a missing roster is an empty roster.
pub fn load_trusted(repo: &git2::Repository, rev: &str) -> Result<Trusted> {
    let _ = (repo, rev);
    todo!("implemented by the policy work")
}

/// Reads and checks the policy and roster from the work tree rooted at `root`.
pub fn load_worktree(root: &Path) -> Result<Trusted> {
    let _ = root;
    todo!("implemented by the policy work")
}
