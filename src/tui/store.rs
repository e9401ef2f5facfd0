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

/// A comment draft (one type with what `feedback` reads: [`crate::review::drafts::Draft`]).
pub use crate::review::drafts::Draft as Comment;

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
    /// Why the state on disk could not be used (it was kept aside under another name), to
    /// tell the reviewer; None when it loaded or there was none.
    pub problem: Option<String>,
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
    /// Opens the state of the repository at `repo_path` under `data_dir`. A missing file
    /// starts empty. A file that cannot be read or parsed (corrupt, or written by a version
    /// that stored something else) starts empty too, but is never overwritten: it is renamed
    /// to `NAME.json.unreadable-<time>` and [`Store::problem`] says so and where.
    pub fn open(data_dir: Option<&Path>, repo_path: &Path) -> Store {
        let Some(dir) = data_dir else {
            return Store::default();
        };
        let path = crate::review::drafts::state_file(dir, repo_path);
        let (saved, problem) = load(&path);
        Store {
            path: Some(path),
            saved,
            problem,
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

/// The largest state file read (drafts and viewed marks of one repository).
const MAX_STATE_FILE: u64 = 16 * 1024 * 1024;

/// Reads the state at `path`; a file that is there but unusable is renamed aside.
fn load(path: &Path) -> (Saved, Option<String>) {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (Saved::default(), None),
        Err(e) => return (Saved::default(), Some(aside(path, &e.to_string()))),
    };
    let why = if !meta.is_file() {
        "it is not a regular file".to_string()
    } else if meta.len() > MAX_STATE_FILE {
        format!("it is larger than {MAX_STATE_FILE} bytes")
    } else {
        // The user's own data directory, but read like any file: regular, within a cap.
        match crate::util::bounded::read_own_file(path, crate::util::bounded::REVIEW_STATE) {
            Err(e) => e.to_string(),
            Ok(bytes) => match serde_json::from_slice::<Saved>(&bytes) {
                Ok(saved) => return (saved, None),
                Err(e) => e.to_string(),
            },
        }
    };
    (Saved::default(), Some(aside(path, &why)))
}

/// Renames the unusable state file aside and says so.
fn aside(path: &Path, why: &str) -> String {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    let mut kept = path.as_os_str().to_owned();
    kept.push(format!(".unreadable-{stamp}"));
    let kept = PathBuf::from(kept);
    match std::fs::rename(path, &kept) {
        Ok(()) => format!(
            "the saved review state could not be read; kept it as {} ({why}); this review starts without viewed marks or drafts",
            kept.display()
        ),
        Err(e) => format!(
            "the saved review state {} could not be read ({why}) nor moved aside ({e}); move it away to keep it, or the next save replaces it",
            path.display()
        ),
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
            end: None,
            text: "why?".into(),
        });
        s.save().unwrap();
        let again = Store::open(Some(dir.path()), Path::new("/nonexistent/repo"));
        assert!(again.saved.viewed.contains("abc src/lib.rs"));
        assert_eq!(again.saved.comments[0].render(), "src/lib.rs:+3: why?");
    }

    #[test]
    fn a_corrupt_state_file_is_kept_aside_and_reported_never_reset() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Path::new("/nonexistent/repo");
        let path = Store::open(Some(dir.path()), repo).path.unwrap();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, b"{\"viewed\": [1, 2").unwrap();
        let s = Store::open(Some(dir.path()), repo);
        let problem = s.problem.clone().expect("reported");
        assert!(problem.contains("could not be read"), "{problem}");
        assert!(!path.exists(), "moved aside, so a save cannot overwrite it");
        let kept: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".unreadable-"))
            .collect();
        assert_eq!(kept.len(), 1, "{kept:?}");
        assert!(problem.contains(&kept[0]), "{problem}");
        let bytes = std::fs::read(path.parent().unwrap().join(&kept[0])).unwrap();
        assert_eq!(bytes, b"{\"viewed\": [1, 2");
    }

    #[test]
    fn old_drafts_without_ranges_still_load_and_ranges_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Path::new("/nonexistent/repo2");
        let path = Store::open(Some(dir.path()), repo).path.unwrap();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(
            &path,
            br#"{"viewed":[],"comments":[{"commit":"c","path":"a.rs","line":"-7","text":"old"}]}"#,
        )
        .unwrap();
        let mut s = Store::open(Some(dir.path()), repo);
        assert!(s.problem.is_none());
        let c = s.saved.comments[0].clone();
        assert_eq!(
            (c.side(), c.lines()),
            (Some(crate::diff::Side::Old), Some((7, 7)))
        );
        s.saved.comments.push(Comment {
            commit: "c".into(),
            path: "a.rs".into(),
            line: Some("+3".into()),
            end: Some(5),
            text: "range".into(),
        });
        s.save().unwrap();
        let again = Store::open(Some(dir.path()), repo);
        assert_eq!(again.saved.comments[1].render(), "a.rs:+3..5: range");
        assert!(again.saved.comments[1].covers(crate::diff::Side::New, 4));
        assert!(!again.saved.comments[1].covers(crate::diff::Side::Old, 4));
    }
}
