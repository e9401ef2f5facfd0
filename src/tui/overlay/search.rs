//! The `/` prompt and what it leaves behind: typing edits the query, Enter searches the
//! selected file, moves to the first match at or after the cursor and counts the matches in
//! every file of the change (a background job); Esc cancels. `n`/`N` (panel keys) step
//! through the matches with [`step`], on to the next (previous) file with a match past the
//! last (first) one. The status line says where the match is: `match 2 of 5 in this file ·
//! 14 in 4 files`.

use super::{type_into_line, Handled};
use crate::tui::action::{Action, Effect};
use crate::tui::app::{App, Overlay};
use crate::tui::data::FileKey;
use crate::tui::nav::{keep_cursor_visible, reveal_match, select};

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
    if type_into_line(input, action) {
        return Handled::used();
    }
    match action {
        Action::Cancel => {
            app.overlays.pop();
        }
        Action::Confirm => {
            let query = std::mem::take(input);
            app.overlays.pop();
            return Handled::Used(run(app, query));
        }
        _ => {}
    }
    Handled::used()
}

/// Searches the selected file for `query`, moves to the first match at or after the cursor,
/// and asks for the matches in every file to be counted.
pub fn run(app: &mut App, query: String) -> Vec<Effect> {
    app.search.query = query;
    app.search.counts = None;
    app.search.jump = None;
    app.search.matches = match app.doc() {
        Some(doc) => doc.search(&app.search.query, app.split),
        None => Vec::new(),
    };
    if app.search.query.is_empty() {
        return Vec::new();
    }
    let count = vec![Effect::CountMatches(app.search.query.clone())];
    if app.search.matches.is_empty() {
        let text = format!(
            "no match for `{}` in this file; counting the other files (n goes to the next match)",
            app.search.query
        );
        app.flash(&text, false);
        return count;
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
    say_where(app);
    count
}

/// The counts across files arrived (for `query`, if it is still the search).
pub fn counted(app: &mut App, query: &str, counts: Vec<(FileKey, usize)>) {
    if app.search.query != query {
        return;
    }
    app.search.counts = Some(counts);
    if app.search.matches.is_empty() {
        let text = match total(app) {
            Some((0, _)) => format!("no match for `{query}` in any file"),
            Some((n, files)) => format!(
                "no match for `{query}` in this file; {n} in {files} other file{} (n goes there)",
                if files == 1 { "" } else { "s" }
            ),
            None => return,
        };
        app.flash(&text, false);
    } else {
        say_where(app);
    }
}

/// Matches and files with a match, once counted.
fn total(app: &App) -> Option<(usize, usize)> {
    let counts = app.search.counts.as_ref()?;
    Some((counts.iter().map(|(_, n)| n).sum(), counts.len()))
}

/// Puts `match i of n in this file · N in F files` in the status line.
fn say_where(app: &mut App) {
    let m = &app.search.matches;
    let Some(i) = m.iter().position(|r| *r == app.pos.cursor) else {
        return;
    };
    let mut text = format!("match {} of {} in this file", i + 1, m.len());
    if let Some((n, files)) = total(app) {
        text.push_str(&format!(
            " · {n} in {files} file{}",
            if files == 1 { "" } else { "s" }
        ));
    }
    app.flash(&text, false);
}

/// The selected file's diff arrived: after `n`/`N` moved here, go to its first or last
/// match.
pub fn land(app: &mut App) {
    let Some(forward) = app.search.jump else {
        return;
    };
    if app.doc().is_none() {
        return;
    }
    app.search.jump = None;
    let m = &app.search.matches;
    let Some(&to) = (if forward { m.first() } else { m.last() }) else {
        return;
    };
    app.pos.cursor = to;
    keep_cursor_visible(app);
    reveal_match(app);
    say_where(app);
}

/// The next (or previous) file after the selected one, in the change's order and wrapping
/// around, that has a match.
fn next_file_with_match(app: &App, forward: bool) -> Option<FileKey> {
    let counts = app.search.counts.as_ref()?;
    let sel = app.selected?;
    let n = app.files.len();
    let at = app.files.iter().position(|k| *k == sel)?;
    (1..n)
        .map(|step| {
            if forward {
                app.files[(at + step) % n]
            } else {
                app.files[(at + n - step) % n]
            }
        })
        .find(|k| counts.iter().any(|(c, _)| c == k))
}

/// `n` / `N`: the next or previous match; past the file's last (first) one, the next
/// (previous) file with a match; within one file with matches, wrapping around.
pub fn step(app: &mut App, forward: bool) -> Vec<Effect> {
    if app.search.query.is_empty() {
        app.flash("no search yet: / searches the change", true);
        return Vec::new();
    }
    let c = app.pos.cursor;
    let m = app.search.matches.clone();
    let within = if forward {
        m.iter().copied().find(|x| *x > c)
    } else {
        m.iter().rev().copied().find(|x| *x < c)
    };
    if let Some(to) = within {
        app.pos.cursor = to;
        keep_cursor_visible(app);
        reveal_match(app);
        say_where(app);
        return Vec::new();
    }
    if let Some(key) = next_file_with_match(app, forward) {
        app.search.jump = Some(forward);
        let effects = select(app, key);
        land(app);
        return effects;
    }
    if m.is_empty() {
        let text = match total(app) {
            None => format!(
                "no match for `{}` in this file (still counting the others)",
                app.search.query
            ),
            Some(_) => format!("no match for `{}` in any file", app.search.query),
        };
        app.flash(&text, true);
        return Vec::new();
    }
    // Only this file has matches: wrap around in it.
    app.pos.cursor = if forward { m[0] } else { m[m.len() - 1] };
    keep_cursor_visible(app);
    reveal_match(app);
    say_where(app);
    Vec::new()
}
