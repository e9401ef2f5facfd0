//! What survives a restart: viewed marks and comment drafts (in the data directory). The
//! config directory (`config.toml`, `themes/`) is read by [`crate::diff`].
//!
//! Directories come from `directories` (`ProjectDirs::from("", "", "countersign")`), and
//! `COUNTERSIGN_DATA_DIR` / `COUNTERSIGN_CONFIG_DIR` override them, so tests never touch the
//! real home. A viewed mark is keyed by the file's path and content hash (its new blob id),
//! so it resets itself when the file changes again.

use std::path::{Path, PathBuf};

use crate::git::FileChange;
use crate::review::drafts::Saved;
use crate::Result;

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

/// Where one repository's review state lives, and the state itself.
#[derive(Clone, Debug, Default)]
pub struct Store {
    /// The JSON file, or None when there is nowhere to keep it (nothing is saved, and
    /// [`Store::problem`] says so).
    pub path: Option<PathBuf>,
    /// Drafts and viewed marks as this workstation holds them now (saved on every change).
    pub saved: Saved,
    /// The state as this workstation last read or wrote it: a save merges the edits made
    /// since into the file, so another workstation's edits are never overwritten.
    pub base: Saved,
    /// What the reviewer should be told about the state when the workstation opens: the
    /// file could not be used (it was kept aside under another name), or it is kept in the
    /// git directory, or nowhere. None when all is well.
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
    /// Opens the state of the repository at `repo_path` under `data_dir` (missing: starts
    /// empty; unusable: kept aside and reported, [`crate::review::drafts::load_state`]).
    pub fn open(data_dir: Option<&Path>, repo_path: &Path) -> Store {
        let Some(dir) = data_dir else {
            return Store::default();
        };
        let path = crate::review::drafts::state_file(dir, repo_path);
        let (saved, problem) = crate::review::drafts::load_state(&path);
        Store {
            path: Some(path),
            base: saved.clone(),
            saved,
            problem,
        }
    }

    /// Opens the state of the repository at `repo_path` in the data directory, or without
    /// one in the git directory, telling the reviewer (or that nothing will be saved).
    pub fn open_for(repo_path: &Path) -> Store {
        match crate::review::drafts::state_home(repo_path) {
            Ok(home) => {
                let mut store = Store::open(Some(&home.dir), repo_path);
                store.problem = match (home.note, store.problem) {
                    (Some(a), Some(b)) => Some(format!("{a}; {b}")),
                    (a, b) => a.or(b),
                };
                store
            }
            Err(why) => Store {
                problem: Some(why),
                ..Store::default()
            },
        }
    }

    /// Writes the state, merged with what other workstations saved since this one last read
    /// or wrote it; returns the merged state ([`Store::adopt`] makes it this one's).
    pub fn save(&self) -> Result<Saved> {
        match &self.path {
            None => Ok(self.saved.clone()),
            Some(path) => crate::review::drafts::save_state(path, &self.base, &self.saved),
        }
    }

    /// Takes `merged` (what [`Store::save`] wrote) as the state shown and the new base.
    pub fn adopt(&mut self, merged: Saved) {
        self.base = merged.clone();
        self.saved = merged;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::drafts::Draft;

    #[test]
    fn state_round_trips_through_the_data_directory() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(Some(dir.path()), Path::new("/nonexistent/repo"));
        s.saved.viewed.insert("abc src/lib.rs".into());
        s.saved.comments.push(Draft::new(
            "c".into(),
            "src/lib.rs".into(),
            Some("+3".into()),
            None,
            "why?".into(),
        ));
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
            (Some(crate::model::Side::Old), Some((7, 7)))
        );
        s.saved.comments.push(Draft::new(
            "c".into(),
            "a.rs".into(),
            Some("+3".into()),
            Some(5),
            "range".into(),
        ));
        s.save().unwrap();
        let again = Store::open(Some(dir.path()), repo);
        assert_eq!(again.saved.comments[1].render(), "a.rs:+3..5: range");
        assert!(again.saved.comments[1].covers(crate::model::Side::New, 4));
        assert!(!again.saved.comments[1].covers(crate::model::Side::Old, 4));
    }
}
