//! The content scan: every file of the change is read once, in the background, for what a
//! reader could not see (invisible characters, mixed-script identifiers, see
//! [`crate::diff::invisible`]) in the lines it adds and in its name. The file list flags
//! those files and their commits; the sign dialog names them before anything is signed.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::action::JobResult;
use super::app::App;
use super::data::FileKey;
use crate::diff::invisible::Findings;
use crate::git::{FileChange, LineKind};

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
    let repo = crate::git::open(repo_path).ok();
    let mut out = HashMap::new();
    for (key, file) in files {
        let mut found = Findings::default();
        for p in file.paths() {
            found.add_text(&p.display());
        }
        if !file.hunks.is_empty() {
            for l in file.hunks.iter().flat_map(|h| &h.lines) {
                if l.kind == LineKind::Added {
                    found.add_text(&crate::diff::display_text(&l.content));
                }
            }
        } else if !file.binary && file.submodule.is_none() {
            if let Some(repo) = &repo {
                for l in added_lines_to_check(repo, file) {
                    found.add_text(&crate::diff::display_text(&l));
                }
            }
        }
        if !found.is_empty() {
            out.insert(*key, found);
        }
    }
    out
}

/// The lines of the file's new content that its old content does not have, among those
/// holding anything but printable ASCII and tabs (the only lines where something can hide).
/// A set difference instead of a diff: the scan reads every file of the change, and most
/// lines are plain.
fn added_lines_to_check(repo: &git2::Repository, file: &FileChange) -> Vec<Vec<u8>> {
    let [old_oid, new_oid] = file.blob_oids();
    let _turn = crate::git::large_blob_turn(repo, &[old_oid, new_oid]);
    let blob = |oid: Option<git2::Oid>| oid.and_then(|oid| repo.find_blob(oid).ok());
    let Some(new) = blob(new_oid) else {
        return Vec::new();
    };
    // The binary flag is unknown on a list loaded with paths only.
    if crate::git::content::looks_binary(file.new_path.as_ref(), new.content()) {
        return Vec::new();
    }
    let plain = |l: &&[u8]| l.iter().all(|c| matches!(c, 0x20..=0x7e | b'\t'));
    let suspect: Vec<&[u8]> = new
        .content()
        .split(|c| *c == b'\n')
        .filter(|l| !plain(l))
        .collect();
    if suspect.is_empty() {
        // Most files: nothing but printable ASCII; the old side need not be read.
        return Vec::new();
    }
    let old = blob(old_oid);
    let old_lines: HashSet<&[u8]> = old
        .as_ref()
        .map(|b| {
            b.content()
                .split(|c| *c == b'\n')
                .filter(|l| !plain(l))
                .collect()
        })
        .unwrap_or_default();
    suspect
        .into_iter()
        .filter(|l| !old_lines.contains(l))
        .map(<[u8]>::to_vec)
        .collect()
}
