//! Opening the repository.

use std::path::Path;

use crate::{Error, Result};

/// Opens the repository containing `path` (searching upwards, like git). Refuses bare
/// repositories and non-repositories with a sentence that says what to do.
pub fn open(path: &Path) -> Result<git2::Repository> {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::Message(format!(
                "{} does not exist: pass -C with the directory of a clone (or run countersign inside one)",
                path.display()
            )));
        }
        Ok(m) if !m.is_dir() => {
            return Err(Error::Message(format!(
                "{} is not a directory: pass -C with the directory of a clone (or run countersign inside one)",
                path.display()
            )));
        }
        _ => {}
    }
    let repo = git2::Repository::discover(path).map_err(|e| {
        if e.code() == git2::ErrorCode::NotFound {
            Error::NotARepository(path.to_path_buf())
        } else {
            Error::git(format!("opening the repository at {}", path.display()))(e)
        }
    })?;
    if repo.is_bare() {
        return Err(Error::BareRepository(repo.path().to_path_buf()));
    }
    Ok(repo)
}

/// The 7-digit short form of an id for display.
pub fn short_id(id: &str) -> &str {
    &id[..id.len().min(7)]
}
