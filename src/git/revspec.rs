//! Resolving REVSPECs the way DESIGN.md says.

use crate::Result;

/// What a REVSPEC resolved to, for messages and headers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RangeSpec {
    /// The commits, oldest first (first-parent and merged-in commits alike, as `git log A..B`).
    pub commits: Vec<git2::Oid>,
    /// How the range was chosen, for display: `main..HEAD`, `HEAD~1`, `HEAD (no base branch)`.
    pub description: String,
}

/// Resolves a REVSPEC: `A..B` (commits reachable from B, not from A), a single commit (that
/// commit alone), or `None`: the commits of HEAD not on `base` (looked up as `refs/heads/BASE`,
/// then `refs/remotes/origin/BASE`, as CI checkouts often lack the local branch); HEAD alone when
/// there is no such branch; an empty list when HEAD is already on it.
pub fn resolve_range(repo: &git2::Repository, spec: Option<&str>, base: &str) -> Result<RangeSpec> {
    let _ = (repo, spec, base);
    todo!("implemented by the git change-set work")
}
