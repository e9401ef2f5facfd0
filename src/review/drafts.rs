//! Reading the workstation's comment drafts without the workstation: where a repository's
//! review state lives in the data directory, and the drafts it holds.
//!
//! The TUI writes the state ([`crate::tui`]'s store); `countersign feedback` reads the drafts
//! here, so a core command never imports the TUI. Both use [`state_file`] for the location.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
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

/// A comment draft as the workstation stores it: on a line or a range of lines of a file
/// (on one side of the diff), or on the whole file.
///
/// The side is the sign of `line` (`+` new, `-` old), so drafts written before ranges existed
/// (no `end`) read as one-line comments.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    /// The commit it belongs to (full id).
    pub commit: String,
    /// The file's path.
    pub path: String,
    /// The (first) line it is on: `+N` (new side) or `-N` (old side); None for the whole file.
    pub line: Option<String>,
    /// The last line of a range on the same side (`V` in the workstation); None: one line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<u32>,
    /// What the reviewer wrote.
    pub text: String,
}

impl Draft {
    /// The comment as it goes into a signed record: `path:+12: text`, `path:+12..14: text`.
    pub fn render(&self) -> String {
        match &self.line {
            Some(l) => format!("{}:{}: {}", self.path, self.place(l), self.text),
            None => format!("{}: {}", self.path, self.text),
        }
    }

    /// `+12`, or `+12..14` for a range.
    fn place(&self, line: &str) -> String {
        match self.end {
            Some(e) if Some(e) != self.start() => format!("{line}..{e}"),
            _ => line.to_string(),
        }
    }

    /// The side of the diff it is on (None for a whole-file comment).
    pub fn side(&self) -> Option<crate::diff::Side> {
        match self.line.as_deref()?.as_bytes().first()? {
            b'-' => Some(crate::diff::Side::Old),
            _ => Some(crate::diff::Side::New),
        }
    }

    /// The first line number (None for a whole-file comment).
    pub fn start(&self) -> Option<u32> {
        self.line.as_deref()?.get(1..)?.parse().ok()
    }

    /// The lines it covers on its side, first and last (equal for one line).
    pub fn lines(&self) -> Option<(u32, u32)> {
        let s = self.start()?;
        Some((s, self.end.unwrap_or(s).max(s)))
    }

    /// Whether it covers line `n` on `side`.
    pub fn covers(&self, side: crate::diff::Side, n: u32) -> bool {
        self.side() == Some(side) && self.lines().is_some_and(|(a, b)| (a..=b).contains(&n))
    }
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
