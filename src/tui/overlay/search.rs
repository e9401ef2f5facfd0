//! The `/` prompt and what it leaves behind: typing edits the query, Enter searches the
//! selected file and moves to the first match at or after the cursor, Esc cancels. `n`/`N`
//! (panel keys) step through the matches with [`step`].

use super::{type_into, Handled};
use crate::tui::action::Action;
use crate::tui::app::{App, Overlay};
use crate::tui::nav::{keep_cursor_visible, reveal_match};

/// Opens the prompt.
pub fn open(app: &mut App) {
    app.overlays.push(Overlay::Search {
        input: String::new(),
    });
}

/// Keys while the prompt is on top: it takes them all.
pub fn on_key(app: &mut App, action: &Action) -> Handled {
    let Some(Overlay::Search { input }) = app.overlays.last_mut() else {
        return Handled::Ignored;
    };
    if type_into(input, action) {
        return Handled::used();
    }
    match action {
        Action::Cancel => {
            app.overlays.pop();
        }
        Action::Confirm => {
            let query = std::mem::take(input);
            app.overlays.pop();
            run(app, query);
        }
        _ => {}
    }
    Handled::used()
}

/// Searches the selected file for `query` and moves to the first match at or after the
/// cursor (or says there is none).
pub fn run(app: &mut App, query: String) {
    app.search.query = query;
    app.search.matches = match app.doc() {
        Some(doc) => doc.search(&app.search.query, app.split),
        None => Vec::new(),
    };
    if app.search.query.is_empty() {
        return;
    }
    if app.search.matches.is_empty() {
        let text = format!("no match for `{}` in this file", app.search.query);
        app.flash(&text, true);
        return;
    }
    let c = app.pos.cursor;
    let first = app
        .search
        .matches
        .iter()
        .copied()
        .find(|m| *m >= c)
        .unwrap_or(app.search.matches[0]);
    app.pos.cursor = first;
    keep_cursor_visible(app);
    reveal_match(app);
}

/// `n` / `N`: the next or previous match, wrapping around.
pub fn step(app: &mut App, forward: bool) {
    if app.search.matches.is_empty() {
        let text = if app.search.query.is_empty() {
            "no search yet: / searches this file".to_string()
        } else {
            format!("no match for `{}` in this file", app.search.query)
        };
        app.flash(&text, true);
        return;
    }
    let c = app.pos.cursor;
    let m = &app.search.matches;
    let next = if forward {
        m.iter().copied().find(|x| *x > c).unwrap_or(m[0])
    } else {
        m.iter()
            .rev()
            .copied()
            .find(|x| *x < c)
            .unwrap_or(m[m.len() - 1])
    };
    app.pos.cursor = next;
    keep_cursor_visible(app);
    reveal_match(app);
}
