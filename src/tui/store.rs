//! What survives a restart: viewed marks and comment drafts (in the data directory). The
//! config directory (`config.toml`, `themes/`) is read by [`crate::diff`].
//!
//! Directories come from `directories` (`ProjectDirs::from("", "", "countersign")`), and
//! `COUNTERSIGN_DATA_DIR` / `COUNTERSIGN_CONFIG_DIR` override them, so tests never touch the
//! real home. A viewed mark is keyed by the file's path and content hash (its new blob id),
//! so it resets itself when the file changes again.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::git::FileChange;
use crate::{Error, Result};

pub use crate::review::drafts::{data_dir, DATA_DIR_ENV};

/// Environment variable that overrides the config directory.
pub const CONFIG_DIR_ENV: &str = "COUNTERSIGN_CONFIG_DIR";

/// The config directory (`config.toml`, `themes/`), if one can be found.
pub fn config_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os(CONFIG_DIR_ENV) {
        return Some(PathBuf::from(d));
    }
    directories::ProjectDirs::from("", "", "countersign").map(|p| p.config_dir().to_path_buf())
}

/// A comment draft: on a line of a file, or on the whole file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    /// The commit it belongs to (full id).
    pub commit: String,
    /// The file's path.
    pub path: String,
    /// The line it is on: `+N` (new side) or `-N` (old side); None for the whole file.
    pub line: Option<String>,
    /// What the reviewer wrote.
    pub text: String,
}

impl Comment {
    /// The comment as it goes into a signed record: `path:+12: text`.
    pub fn render(&self) -> String {
        match &self.line {
            Some(l) => format!("{}:{}: {}", self.path, l, self.text),
            None => format!("{}: {}", self.path, self.text),
        }
    }
}

/// Per-repository review state on disk.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Saved {
    /// Viewed marks: `blob-id path` keys.
    #[serde(default)]
    pub viewed: BTreeSet<String>,
    /// Comment drafts, in the order written.
    #[serde(default)]
    pub comments: Vec<Comment>,
}

/// Where one repository's review state lives, and the state itself.
#[derive(Clone, Debug, Default)]
pub struct Store {
    /// The JSON file, or None when there is no data directory (nothing is saved).
    pub path: Option<PathBuf>,
    /// The state.
    pub saved: Saved,
}

/// The viewed-mark key of a file: its content hash (new blob id, or old for a deletion) and
/// path.
pub fn viewed_key(file: &FileChange) -> String {
    let id = file
        .new_id
        .as_deref()
        .or(file.old_id.as_deref())
        .unwrap_or("-");
    format!("{id} {}", file.path())
}

impl Store {
    /// Opens the state of the repository at `repo_path` under `data_dir`. A missing or
    /// unreadable file starts empty (a broken file is not worth refusing to review over, and
    /// it is replaced on the next save).
    pub fn open(data_dir: Option<&Path>, repo_path: &Path) -> Store {
        let Some(dir) = data_dir else {
            return Store::default();
        };
        let path = crate::review::drafts::state_file(dir, repo_path);
        let saved = std::fs::read(&path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        Store {
            path: Some(path),
            saved,
        }
    }

    /// Writes the state (atomically: a temporary file renamed over the old one).
    pub fn save(&self) -> Result<()> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(Error::io(parent))?;
        }
        let bytes = serde_json::to_vec_pretty(&self.saved)
            .map_err(|e| Error::Message(format!("encoding the review state: {e}")))?;
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, bytes).map_err(Error::io(&tmp))?;
        std::fs::rename(&tmp, path).map_err(Error::io(path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_round_trips_through_the_data_directory() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(Some(dir.path()), Path::new("/nonexistent/repo"));
        s.saved.viewed.insert("abc src/lib.rs".into());
        s.saved.comments.push(Comment {
            commit: "c".into(),
            path: "src/lib.rs".into(),
            line: Some("+3".into()),
            text: "why?".into(),
        });
        s.save().unwrap();
        let again = Store::open(Some(dir.path()), Path::new("/nonexistent/repo"));
        assert!(again.saved.viewed.contains("abc src/lib.rs"));
        assert_eq!(again.saved.comments[0].render(), "src/lib.rs:+3: why?");
    }
}
