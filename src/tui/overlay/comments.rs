//! The comments overview (`C`): every draft on the change, in the order written, before
//! deciding. `j`/`k` move, Enter jumps to the comment's line, `e` edits it (the comment
//! editor opens over the list), `d` deletes it, `Y` copies the review prompt, `C`/Esc close.
//! `Y` anywhere copies the prompt ([`export`]).

use super::Handled;
use crate::model::Side;
use crate::review::drafts::Draft;
use crate::tui::action::{Action, Effect};
use crate::tui::app::{App, CommentTarget, Overlay, Panel};
use crate::tui::data::FileKey;
use crate::tui::doc::{Row, SplitRow};

/// `C`: opens the overview.
pub fn open(app: &mut App) {
    app.anchor = None;
    app.overlays.push(Overlay::Comments { cursor: 0 });
}

/// The file of the change a comment is on.
fn key_of(app: &App, c: &Draft) -> Option<FileKey> {
    app.files.iter().copied().find(|k| {
        app.data
            .commits
            .get(k.commit)
            .is_some_and(|e| e.change.id.is(&c.commit))
            && app
                .data
                .file(*k)
                .is_some_and(|f| f.path().display() == c.path)
    })
}

/// Keys while the overview is on top: it takes them all. A click selects the draft under
/// the pointer; a click on the highlighted one jumps to it, as Enter does.
pub fn on_key(app: &mut App, action: &Action) -> Handled {
    if let (Action::Click(col, row), Some(Overlay::Comments { cursor })) =
        (action, app.overlays.last())
    {
        let cursor = *cursor;
        let screen = ratatui::layout::Rect::new(0, 0, app.size.0, app.size.1);
        return match crate::tui::view::comments::at(app, cursor, screen, *col, *row) {
            Some(i) if i == cursor => on_key(app, &Action::Enter),
            Some(i) => {
                if let Some(Overlay::Comments { cursor }) = app.overlays.last_mut() {
                    *cursor = i;
                }
                Handled::used()
            }
            None => Handled::used(),
        };
    }
    let n = app.comments().len();
    let Some(Overlay::Comments { cursor }) = app.overlays.last_mut() else {
        return Handled::Ignored;
    };
    match action {
        Action::Down => *cursor = (*cursor + 1).min(n.saturating_sub(1)),
        Action::Up => *cursor = cursor.saturating_sub(1),
        Action::Top => *cursor = 0,
        Action::Bottom => *cursor = n.saturating_sub(1),
        Action::Cancel | Action::Comments | Action::Quit => {
            app.overlays.pop();
        }
        Action::Export => return Handled::Used(export(app)),
        Action::Enter | Action::Every | Action::Delete | Action::Comment => {
            let i = *cursor;
            let Some(c) = app.comments().get(i).map(|c| (*c).clone()) else {
                return Handled::used();
            };
            return Handled::Used(act_on(app, action, i, &c));
        }
        _ => {}
    }
    Handled::used()
}

fn act_on(app: &mut App, action: &Action, i: usize, c: &Draft) -> Vec<Effect> {
    if *action == Action::Delete {
        app.store.saved.comments.retain(|x| x != c);
        // Deleting one version of a conflict resolves it: the other stands unmarked.
        if c.conflict {
            for x in &mut app.store.saved.comments {
                if x.conflict && (&x.commit, &x.path, &x.line) == (&c.commit, &c.path, &c.line) {
                    x.conflict = false;
                }
            }
        }
        if let Some(Overlay::Comments { cursor }) = app.overlays.last_mut() {
            *cursor = i.min(app.store.saved.comments.len().saturating_sub(1));
        }
        app.flash("comment deleted", false);
        return vec![Effect::Save];
    }
    let Some(key) = key_of(app, c) else {
        app.flash("that comment's file is not in this change", true);
        return Vec::new();
    };
    if *action == Action::Enter {
        app.overlays.pop();
        app.focus = Panel::Diff;
        let effects = crate::tui::nav::select(app, key);
        app.jump = c.line.clone().map(|l| (key, l));
        finish_jump(app);
        return effects;
    }
    super::comment::open_on(
        app,
        CommentTarget {
            key,
            line: c.line.clone(),
            end: c.end,
        },
    );
    Vec::new()
}

/// Puts the cursor on the line a jump asked for, once the file's diff is loaded.
pub fn finish_jump(app: &mut App) {
    let Some((key, line)) = app.jump.clone() else {
        return;
    };
    if app.selected != Some(key) {
        app.jump = None;
        return;
    }
    let Some(doc) = app.doc().cloned() else {
        return;
    };
    app.jump = None;
    let side = if line.starts_with('-') {
        Side::Old
    } else {
        Side::New
    };
    // `get`, not slicing: a hand-edited state file may hold anything there.
    let Some(Ok(n)) = line.get(1..).map(str::parse::<u32>) else {
        return;
    };
    let at = |i: usize| {
        doc.lines.get(i).is_some_and(|l| match side {
            Side::Old => l.old == Some(n),
            Side::New => l.new == Some(n),
        })
    };
    let row = if app.split {
        doc.split.iter().position(|r| match r {
            SplitRow::Pair { left, right } => left.is_some_and(at) || right.is_some_and(at),
            _ => false,
        })
    } else {
        doc.unified
            .iter()
            .position(|r| matches!(r, Row::Line(i) if at(*i)))
    };
    if let Some(row) = row {
        app.pos.cursor = row;
        crate::tui::nav::keep_cursor_visible(app);
    }
}

/// `Y`: copies the review as a prompt for the agent to the clipboard with OSC 52 (written to
/// the terminal by the event loop) and says so.
pub fn export(app: &mut App) -> Vec<Effect> {
    let prompt = crate::tui::prompt::render(app);
    let n = app.comments().len();
    app.outbox.push(crate::tui::prompt::osc52(&prompt));
    app.flash(
        &format!(
            "copied the review prompt ({n} comment{}, {} bytes) to the clipboard (OSC 52; in tmux: set -g set-clipboard on)",
            if n == 1 { "" } else { "s" },
            prompt.len()
        ),
        false,
    );
    Vec::new()
}
