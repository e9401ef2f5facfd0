//! The content scan: every file of the change is read once, in the background, for what a
//! reader could not see (invisible characters, mixed-script identifiers, see
//! [`crate::diff::invisible`]) in the lines it adds and in its name. The file list flags
//! those files and their commits; the sign dialog names them before anything is signed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::action::JobResult;
use super::app::App;
use super::data::FileKey;
use crate::diff::invisible::Findings;
use crate::git::{FileChange, Hunk, LineKind};

/// The scan of every file of `app`'s change, as a job to run on a worker.
pub fn job(app: &App, repo_path: &Path) -> impl FnOnce() -> JobResult + Send + 'static {
    let files: Vec<(FileKey, FileChange)> = app
        .files
        .iter()
        .filter_map(|k| app.data.file(*k).map(|f| (*k, f.clone())))
        .collect();
    let repo_path: PathBuf = repo_path.to_path_buf();
    move || JobResult::Scanned(run(&repo_path, &files))
}

/// Scans `files` (their own hunks when loaded, else read from the repository at `repo_path`).
pub fn run(repo_path: &Path, files: &[(FileKey, FileChange)]) -> HashMap<FileKey, Findings> {
    let repo = git2::Repository::open(repo_path).ok();
    let mut out = HashMap::new();
    for (key, file) in files {
        let mut found = Findings::default();
        for p in file.paths() {
            found.add_text(&p.display());
        }
        let loaded;
        let hunks: &[Hunk] = if !file.hunks.is_empty() || file.binary || file.submodule.is_some() {
            &file.hunks
        } else {
            loaded = repo
                .as_ref()
                .and_then(|r| file.load_hunks(r).ok())
                .unwrap_or_default();
            &loaded
        };
        for l in hunks.iter().flat_map(|h| &h.lines) {
            if l.kind == LineKind::Added {
                found.add_text(&crate::diff::display_text(&l.content));
            }
        }
        if !found.is_empty() {
            out.insert(*key, found);
        }
    }
    out
}
