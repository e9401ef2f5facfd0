//! Reading the workstation's comment drafts without the workstation: where a repository's
//! review state lives in the data directory, and the drafts it holds.
//!
//! The TUI writes the state ([`crate::tui`]'s store); `countersign feedback` reads the drafts
//! here, so a core command never imports the TUI. Both use [`state_file`] for the location.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

/// Environment variable that overrides the data directory.
pub const DATA_DIR_ENV: &str = "COUNTERSIGN_DATA_DIR";

/// The largest state file read (a review's drafts and viewed marks).
pub const MAX_STATE_FILE: u64 = 16 * 1024 * 1024;

/// The data directory (viewed marks, drafts): `$COUNTERSIGN_DATA_DIR`, else the platform's
/// (`directories`), if one can be found.
pub fn data_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os(DATA_DIR_ENV) {
        return Some(PathBuf::from(d));
    }
    directories::ProjectDirs::from("", "", "countersign").map(|p| p.data_dir().to_path_buf())
}

/// The file holding the review state of the repository at `repo_path` under `data_dir`:
/// `reviews/<first 10 bytes of the SHA-256 of the canonical path, hex>.json`.
pub fn state_file(data_dir: &Path, repo_path: &Path) -> PathBuf {
    let canonical = repo_path
        .canonicalize()
        .unwrap_or_else(|_| repo_path.to_path_buf());
    let digest = Sha256::digest(canonical.to_string_lossy().as_bytes());
    let name: String = digest.iter().take(10).map(|b| format!("{b:02x}")).collect();
    data_dir.join("reviews").join(format!("{name}.json"))
}

/// A comment draft as the workstation stores it: on a line of a file, or on the whole file.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Draft {
    /// The commit it belongs to (full id).
    pub commit: String,
    /// The file's path.
    pub path: String,
    /// The line it is on: `+N` (new side) or `-N` (old side); None for the whole file.
    pub line: Option<String>,
    /// The last line of a range on the same side (`V` in the workstation); None: one line.
    #[serde(default)]
    pub end: Option<u32>,
    /// What the reviewer wrote.
    pub text: String,
}

#[derive(Deserialize)]
struct DraftsOnly {
    #[serde(default)]
    comments: Vec<Draft>,
}

/// The drafts saved for the repository at `repo_path` (empty without a data directory, a
/// state file, or when the file is unreadable or over [`MAX_STATE_FILE`]: drafts are a
/// convenience, never a reason to fail).
pub fn read_drafts(data_dir: Option<&Path>, repo_path: &Path) -> Vec<Draft> {
    let Some(dir) = data_dir else {
        return Vec::new();
    };
    let path = state_file(dir, repo_path);
    let small = std::fs::metadata(&path).is_ok_and(|m| m.is_file() && m.len() <= MAX_STATE_FILE);
    if !small {
        return Vec::new();
    }
    std::fs::read(&path)
        .ok()
        .and_then(|b| serde_json::from_slice::<DraftsOnly>(&b).ok())
        .map(|d| d.comments)
        .unwrap_or_default()
}
