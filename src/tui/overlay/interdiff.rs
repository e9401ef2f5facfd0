//! The interdiff view: "what changed since alice approved it", for a commit that was rebased
//! or amended after an earlier version P of it was approved (see
//! [`crate::signoff::rewrite`]).
//!
//! `I` opens it over the panels for the selected file's commit (or the first commit of the
//! change that has an approved earlier version). It lists every file that either P's or the
//! commit's own patch touches and shows P's version of the file against the commit's (a
//! file-level interdiff, [`crate::signoff::rewrite::interdiff`]): files whose content is the
//! same as in P say "unchanged since approval"; the rest show only the lines that differ
//! from what was approved. Where the rewrite moved the change onto a new base that also
//! changed one of these files, those upstream lines show too.
//!
//! Viewed marks are keyed by blob id and path ([`crate::tui::store::viewed_key`]), so a file the
//! reviewer marked viewed while reviewing P is still marked in the rewritten commit when its
//! content is unchanged, and not when it changed. `v` here marks the commit's file (the
//! same mark as in the file list). `a` / `r` open the normal sign dialog over the view: the
//! sign-off is a fresh one on the rewritten commit itself, through the normal signing path.
//!
//! Only this file builds the view's rows (their types are in [`super::interdiff_state`]);
//! `update`, `jobs` and `view` call in through [`open`], [`on_key`], [`apply`], [`load`] and
//! `view::interdiff::draw`.

use std::path::Path;

pub use super::interdiff_state::{Body, InterdiffEntry, InterdiffRow, View};
use super::Handled;
use crate::model::CommitId;
use crate::signoff::rewrite::{self, InterdiffFile, RewrittenFrom};
use crate::tui::action::{Action, Effect, JobResult};
use crate::tui::app::{App, Overlay};
use crate::tui::data::FileKey;

/// The commit `I` would open: the selected file's commit when it has an approved earlier
/// version, else the first commit that has one.
pub fn target(app: &App) -> Option<(usize, &RewrittenFrom)> {
    let from = |i: usize| {
        app.data
            .commits
            .get(i)?
            .verdict
            .as_ref()?
            .rewritten_from
            .as_ref()
    };
    if let Some(sel) = app.selected {
        if let Some(r) = from(sel.commit) {
            return Some((sel.commit, r));
        }
    }
    (0..app.data.commits.len()).find_map(|i| from(i).map(|r| (i, r)))
}

/// The header's sentence when some commit of the change was approved before a rewrite.
pub fn header_note(app: &App) -> Option<String> {
    let (_, r) = target(app)?;
    Some(format!(
        "approved before rewrite ({} by {}): I shows the interdiff",
        r.commit.short(),
        r.approvers()
    ))
}

/// `I`: opens the view (and asks for its content), or says why there is none.
pub fn open(app: &mut App) -> Vec<Effect> {
    let Some((commit, from)) = target(app) else {
        app.flash(
            "no earlier approved version of this change was found: I shows what changed \
             since an approval after a rebase or amend",
            false,
        );
        return Vec::new();
    };
    let from = from.clone();
    let commit_id = app.data.commits[commit].change.id;
    let effect = Effect::LoadInterdiff {
        from: from.commit,
        to: app.data.commits[commit].change.id,
    };
    app.overlays.push(Overlay::Interdiff(Box::new(View {
        commit,
        commit_id,
        from,
        body: Body::Loading,
        scroll: 0,
        current: 0,
    })));
    vec![effect]
}

/// Computes the interdiff of `from` → `to` in the repository at `repo_path` (a job).
pub fn load(repo_path: &Path, from: CommitId, to: CommitId) -> JobResult {
    let result = (|| -> crate::Result<Vec<InterdiffFile>> {
        let repo = crate::git::open(repo_path)?;
        rewrite::interdiff(&repo, from.oid(), to.oid())
    })()
    .map_err(|e| e.to_string());
    JobResult::Interdiff { to, result }
}

/// A loaded interdiff arrives: fills the open view for commit `to`.
pub fn apply(app: &mut App, to: CommitId, result: Result<Vec<InterdiffFile>, String>) {
    let Some(idx) = app.data.commits.iter().position(|c| c.change.id == to) else {
        return;
    };
    let body = match result {
        Err(e) => Body::Failed(format!("the interdiff could not be computed: {e}")),
        Ok(files) => build(app, idx, &files),
    };
    for o in app.overlays.iter_mut().rev() {
        if let Overlay::Interdiff(v) = o {
            if v.commit_id == to {
                v.body = body;
                return;
            }
        }
    }
}

fn build(app: &App, commit: usize, files: &[InterdiffFile]) -> Body {
    let change = &app.data.commits[commit].change;
    let changed = files.iter().filter(|f| !f.unchanged()).count();
    let mut rows = vec![
        InterdiffRow::Note(format!(
            "{} file{} either version touches: {changed} changed since approval, {} unchanged",
            files.len(),
            if files.len() == 1 { "" } else { "s" },
            files.len() - changed
        )),
        InterdiffRow::Note(
            "each file is the approved version's against this commit's (+ is new since \
             approval, - is gone); changes the new base made to these files show too"
                .to_string(),
        ),
    ];
    let mut entries = Vec::with_capacity(files.len());
    for f in files {
        let path = crate::tui::view::text::escape_path(f.path.as_bytes());
        let key = change
            .files
            .iter()
            .position(|c| c.paths().any(|p| *p == f.path))
            .map(|file| FileKey { commit, file });
        let what = match (&f.before, &f.after) {
            _ if f.unchanged() => "unchanged since approval".to_string(),
            (None, Some(_)) => "new since approval".to_string(),
            (Some(_), None) => "deleted since approval".to_string(),
            _ if f.before == f.after => "mode changed since approval".to_string(),
            _ if f.binary => "changed since approval (binary)".to_string(),
            _ => "changed since approval".to_string(),
        };
        rows.push(InterdiffRow::File(entries.len()));
        entries.push(InterdiffEntry {
            path,
            unchanged: f.unchanged(),
            what,
            row: rows.len() - 1,
            key,
        });
        for h in &f.hunks {
            rows.push(InterdiffRow::Hunk(h.header.clone()));
            for l in &h.lines {
                let text = crate::tui::doc::display_text(&l.content);
                rows.push(InterdiffRow::Line {
                    kind: l.kind,
                    old: l.old_lineno,
                    new: l.new_lineno,
                    text: crate::tui::doc::terminal_safe(&text, &mut 0),
                });
            }
        }
    }
    Body::Ready {
        files: entries,
        rows,
    }
}

/// Keys while the view is on top: approve, reject and help are ignored, so they fall through
/// and open their dialogs over the view; the view takes every other key.
pub fn on_key(app: &mut App, action: &Action) -> Handled {
    let page = usize::from(app.size.1.saturating_sub(6)).max(1);
    let Some(Overlay::Interdiff(view)) = app.overlays.last_mut() else {
        return Handled::Ignored;
    };
    let (len, starts): (usize, Vec<usize>) = match &view.body {
        Body::Ready { files, rows } => (rows.len(), files.iter().map(|f| f.row).collect()),
        _ => (0, Vec::new()),
    };
    let last = len.saturating_sub(1);
    match action {
        Action::Approve
        | Action::Reject
        | Action::ApproveRange
        | Action::RejectRange
        | Action::Help => return Handled::Ignored,
        Action::Cancel | Action::Quit | Action::Interdiff => {
            app.overlays.pop();
            return Handled::used();
        }
        Action::Down | Action::WheelDown(..) => view.scroll = (view.scroll + 1).min(last),
        Action::Up | Action::WheelUp(..) => view.scroll = view.scroll.saturating_sub(1),
        Action::PageDown => view.scroll = (view.scroll + page).min(last),
        Action::PageUp => view.scroll = view.scroll.saturating_sub(page),
        Action::Top => view.scroll = 0,
        Action::Bottom => view.scroll = last,
        Action::NextFile | Action::NextHunk => {
            if view.current + 1 < starts.len() {
                view.current += 1;
                view.scroll = starts[view.current];
            }
            return Handled::used();
        }
        Action::PrevFile | Action::PrevHunk => {
            view.current = view.current.saturating_sub(1);
            view.scroll = starts.get(view.current).copied().unwrap_or(0);
            return Handled::used();
        }
        Action::ToggleViewed => return Handled::Used(toggle_viewed(app)),
        Action::ScrollLeft => {
            app.hscroll = app.hscroll.saturating_sub(16);
            return Handled::used();
        }
        Action::ScrollRight => {
            app.hscroll += 16;
            return Handled::used();
        }
        _ => return Handled::used(),
    }
    // Scrolling moves the current file along: the last one whose header is at or above the
    // top row.
    view.current = starts.iter().rposition(|s| *s <= view.scroll).unwrap_or(0);
    Handled::used()
}

fn toggle_viewed(app: &mut App) -> Vec<Effect> {
    let Some(Overlay::Interdiff(view)) = app.overlays.last() else {
        return Vec::new();
    };
    let Body::Ready { files, .. } = &view.body else {
        return Vec::new();
    };
    let Some(entry) = files.get(view.current) else {
        return Vec::new();
    };
    let Some(file) = entry.key.and_then(|k| app.data.file(k)) else {
        let text = format!(
            "{} is not part of this commit's own change (only the approved version touched it): \
             nothing to mark",
            entry.path
        );
        app.flash(&text, false);
        return Vec::new();
    };
    let k = crate::tui::store::viewed_key(file);
    if !app.store.saved.viewed.remove(&k) {
        app.store.saved.viewed.insert(k);
    }
    vec![Effect::Save]
}
