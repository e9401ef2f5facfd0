//! What most subcommands start from: the repository, the trusted revision, the range.

use std::path::Path;

use crate::assess::{branch_ref, default_trusted_ref, Assessor};
use crate::git::{self, RangeSpec};
use crate::{Error, Result};

/// An opened repository.
pub struct Context {
    /// The repository.
    pub repo: git2::Repository,
}

impl Context {
    /// Opens the repository containing `dir`.
    pub fn open(dir: &Path) -> Result<Self> {
        Ok(Context {
            repo: git::open(dir)?,
        })
    }

    /// The trusted ref: the one given, else the base branch (see [`default_trusted_ref`]).
    pub fn trusted_ref(&self, given: Option<&str>) -> Result<String> {
        if let Some(r) = given {
            return Ok(r.to_string());
        }
        default_trusted_ref(&self.repo).ok_or_else(|| {
            Error::Message(
                "no base branch to read the policy from: there is no `main` or `master` branch \
                 (locally or on origin); pass --trusted-ref REF naming the branch that holds \
                 .countersign/policy.toml"
                    .to_string(),
            )
        })
    }

    /// An assessor judging by the policy at `trusted_ref`.
    pub fn assessor(&self, trusted_ref: &str) -> Result<Assessor<'_>> {
        Assessor::new(&self.repo, trusted_ref)
    }

    /// Resolves the REVSPEC, with the policy's base branch for the default range. When that
    /// branch exists neither locally nor on origin (a CI checkout of a detached commit), the
    /// default range is the commits of HEAD not on the trusted ref rather than HEAD alone, so
    /// earlier commits of the change are not skipped.
    pub fn range(&self, spec: Option<&str>, base: &str, trusted_ref: &str) -> Result<RangeSpec> {
        if spec.is_none() && branch_ref(&self.repo, base).is_none() && trusted_ref != "HEAD" {
            let mut range =
                git::resolve_range(&self.repo, Some(&format!("{trusted_ref}..HEAD")), base)?;
            range.description = format!("{trusted_ref}..HEAD (no branch {base})");
            return Ok(range);
        }
        git::resolve_range(&self.repo, spec, base)
    }
}
