//! What every subcommand starts from: the repository. Everything else (trusted ref, policy,
//! range) is resolved by [`crate::review::Review::open`].

use std::path::Path;

use crate::git;
use crate::Result;

/// An opened repository.
pub struct Context {
    /// Opened once per command; every step reads this handle.
    pub repo: git2::Repository,
}

impl Context {
    /// Opens the repository containing `dir`.
    pub fn open(dir: &Path) -> Result<Self> {
        Ok(Context {
            repo: git::open(dir)?,
        })
    }
}
