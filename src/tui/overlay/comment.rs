//! The inline comment editor: `c` opens it on the cursor's line (the whole file when the
//! cursor is on no line) with the draft already there; Enter saves (empty deletes), Esc
//! cancels.

use super::{type_into, Handled};
use crate::git::LineKind;
use crate::tui::action::{Action, Effect};
use crate::tui::app::{App, CommentTarget, Overlay};
use crate::tui::store::Comment;

/// `c`: opens the editor on the cursor's line, or says there is no file.
pub fn open(app: &mut App) {
    let Some(key) = app.selected else {
        app.flash("there is no file to comment on", true);
        return;
    };
    let line = app
        .doc()
        .and_then(|d| d.line_at(app.pos.cursor, app.split))
        .map(|l| match (l.kind, l.old, l.new) {
            (LineKind::Removed, Some(o), _) => format!("-{o}"),
            (_, _, Some(n)) => format!("+{n}"),
            (_, Some(o), None) => format!("-{o}"),
            _ => String::new(),
        });
    let target = CommentTarget {
        key,
        line: line.filter(|l| !l.is_empty()),
    };
    let input = app
        .comment_at(&target)
        .map(|c| c.text.clone())
        .unwrap_or_default();
    app.overlays.push(Overlay::Comment { target, input });
}

/// Keys while the editor is on top: it takes them all.
pub fn on_key(app: &mut App, action: &Action) -> Handled {
    let Some(Overlay::Comment { target, input }) = app.overlays.last_mut() else {
        return Handled::Ignored;
    };
    if type_into(input, action) {
        return Handled::used();
    }
    match action {
        Action::Cancel => {
            app.overlays.pop();
            Handled::used()
        }
        Action::Confirm => {
            let target = target.clone();
            let text = input.trim().to_string();
            app.overlays.pop();
            Handled::Used(save(app, &target, text))
        }
        _ => Handled::used(),
    }
}

/// Stores `text` as the comment at `target`: replaces a draft there, deletes it when empty.
fn save(app: &mut App, target: &CommentTarget, text: String) -> Vec<Effect> {
    let (Some(entry), Some(file)) = (
        app.data.commits.get(target.key.commit),
        app.data.file(target.key),
    ) else {
        return Vec::new();
    };
    let commit = entry.change.id.clone();
    let path = file.path().display();
    let comments = &mut app.store.saved.comments;
    let existing = comments
        .iter()
        .position(|c| c.commit == commit && c.path == path && c.line == target.line);
    match (existing, text.is_empty()) {
        (Some(i), true) => {
            comments.remove(i);
            app.flash("comment deleted", false);
        }
        (Some(i), false) => comments[i].text = text,
        (None, true) => return Vec::new(),
        (None, false) => comments.push(Comment {
            commit,
            path,
            line: target.line.clone(),
            text,
        }),
    }
    vec![Effect::Save]
}
