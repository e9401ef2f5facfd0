//! The full file lists, arriving after the first screen.
//!
//! The first screen is drawn from the change's paths alone ([`super::data::load_review`]): no
//! rename or copy similarity, which on a large rename commit costs several times what
//! `git show` takes. A background job then loads each commit's files in full (renames and
//! copies as `sign` binds them, binary flags, sizes) and [`merge`] puts them in place. A
//! rename first listed as a deletion and an addition becomes one entry, so file keys change:
//! the selection, loaded diffs, the pending jump and open editors follow their files by
//! identity (or, for a file that became part of a rename, by path).

use std::collections::HashMap;

use super::action::Effect;
use super::app::{App, Overlay};
use super::data::FileKey;
use super::nav::{keep_list_visible, request_diffs, select};
use super::overlay::interdiff_state::Body;
use crate::git::{CommitChange, FileChange, GitPath};
use crate::model::CommitId;

/// A file's identity across loads: how it changed, at which paths, between which blobs
/// (not what its content decided, which a paths-only load does not know).
#[derive(Clone, PartialEq, Eq, Hash)]
struct Identity {
    status: char,
    old_path: Option<GitPath>,
    new_path: Option<GitPath>,
    old_id: Option<String>,
    new_id: Option<String>,
}

impl Identity {
    fn of(f: &FileChange) -> Self {
        Identity {
            status: f.status.letter(),
            old_path: f.old_path.clone(),
            new_path: f.new_path.clone(),
            old_id: f.old_id.clone(),
            new_id: f.new_id.clone(),
        }
    }
}

/// True when `a` and `b` are the same change of the same file, however each was loaded.
pub fn same_file(a: &FileChange, b: &FileChange) -> bool {
    a.status == b.status
        && a.old_path == b.old_path
        && a.new_path == b.new_path
        && a.old_id == b.old_id
        && a.new_id == b.new_id
}

/// Puts the full file lists of `full` in place of the paths-only ones and carries every key
/// the state holds over to the new lists. Returns the effects to start: the selected file's
/// diff when its entry changed, and the content scan (which runs on the final lists).
pub fn merge(app: &mut App, full: Vec<CommitChange>) -> Vec<Effect> {
    let before: HashMap<FileKey, Identity> = app
        .files
        .iter()
        .filter_map(|k| app.data.file(*k).map(|f| (*k, Identity::of(f))))
        .collect();
    let mut full: HashMap<CommitId, CommitChange> = full.into_iter().map(|c| (c.id, c)).collect();
    for entry in &mut app.data.commits {
        if let Some(change) = full.remove(&entry.change.id) {
            entry.change.files = change.files;
            entry.change.patch_digest = change.patch_digest;
        }
    }
    app.data.paths_only = false;
    app.files = super::app::list_keys(&app.data);

    let mut exact: HashMap<(usize, Identity), FileKey> = HashMap::new();
    let mut by_path: HashMap<(usize, GitPath), FileKey> = HashMap::new();
    for key in &app.files {
        if let Some(f) = app.data.file(*key) {
            exact.insert((key.commit, Identity::of(f)), *key);
            for p in f.paths() {
                by_path.insert((key.commit, p.clone()), *key);
            }
        }
    }
    let same = |k: FileKey| -> Option<FileKey> {
        let id = before.get(&k)?;
        exact.get(&(k.commit, id.clone())).copied()
    };
    let nearest = |k: FileKey| -> Option<FileKey> {
        same(k).or_else(|| {
            let id = before.get(&k)?;
            let path = id.new_path.as_ref().or(id.old_path.as_ref())?;
            by_path.get(&(k.commit, path.clone())).copied()
        })
    };

    let diffs = std::mem::take(&mut app.diffs);
    app.diffs = diffs
        .into_iter()
        .filter_map(|(k, slot)| same(k).map(|n| (n, slot)))
        .collect();
    app.jump = app
        .jump
        .take()
        .and_then(|(k, line)| nearest(k).map(|n| (n, line)));
    for overlay in &mut app.overlays {
        match overlay {
            Overlay::Comment { target, .. } => {
                if let Some(n) = nearest(target.key) {
                    target.key = n;
                }
            }
            Overlay::Interdiff(view) => {
                if let Body::Ready { files, .. } = &mut view.body {
                    for f in files {
                        f.key = f.key.and_then(nearest);
                    }
                }
            }
            _ => {}
        }
    }
    let mut effects = match app.selected {
        Some(k) => match same(k) {
            Some(n) => {
                app.selected = Some(n);
                keep_list_visible(app);
                request_diffs(app)
            }
            None => {
                // Its entry changed (a deletion or addition now part of a rename): the same
                // file's new entry, from its top.
                app.selected = None;
                match nearest(k).or_else(|| app.files.first().copied()) {
                    Some(n) => select(app, n),
                    None => Vec::new(),
                }
            }
        },
        None => {
            app.selected = app.files.first().copied();
            request_diffs(app)
        }
    };
    effects.push(Effect::ScanContent);
    effects
}
