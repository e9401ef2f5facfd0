//! Opening the repository.

use std::path::Path;

use crate::{Error, Result};

/// Opens the repository containing `path` (searching upwards, like git). Refuses bare
/// repositories and non-repositories with a sentence that says what to do.
pub fn open(path: &Path) -> Result<git2::Repository> {
    let _ = path;
    let _ = Error::NotARepository;
    todo!("implemented by the git change-set work")
}

/// The 7-digit short form of an id for display.
pub fn short_id(id: &str) -> &str {
    &id[..id.len().min(7)]
}
