//! The inline comment editor: `c` opens it on the cursor's line (the whole file when the
//! cursor is on no line), or on the lines selected with `V`, with the draft already there;
//! Enter saves (empty deletes), Alt-Enter or Ctrl-J starts a new line, Esc cancels, Ctrl-C
//! closes it keeping what was typed as the draft. Its editing keys are [`TextField`]'s.

use super::Handled;
use crate::git::LineKind;
use crate::model::Side;
use crate::review::drafts::Draft;
use crate::tui::action::{Action, Effect};
use crate::tui::app::{App, CommentTarget, Overlay};
use crate::tui::doc::{DiffDoc, Line, Row, SplitRow};
use crate::tui::field::TextField;

/// The most lines one comment covers (the Decisions' cap on quoted lines per comment).
pub const MAX_LINES: u32 = 40;

/// `V`: starts a selection of lines at the cursor (`j`/`k` extend it, `c` comments on it),
/// or cancels the open one.
pub fn select_lines(app: &mut App) {
    if app.anchor.take().is_some() {
        return;
    }
    if app.doc().is_none() {
        app.flash("there are no lines to select here", true);
        return;
    }
    app.anchor = Some(app.pos.cursor);
}

/// The diff lines shown on rows `rows` of `doc`.
fn lines_in(doc: &DiffDoc, rows: std::ops::RangeInclusive<usize>, split: bool) -> Vec<&Line> {
    let mut out = Vec::new();
    for r in rows {
        let idx: Vec<usize> = if split {
            match doc.split.get(r) {
                Some(SplitRow::Pair { left, right }) => left.iter().chain(right).copied().collect(),
                _ => Vec::new(),
            }
        } else {
            match doc.unified.get(r) {
                Some(Row::Line(i)) => vec![*i],
                _ => Vec::new(),
            }
        };
        out.extend(idx.into_iter().filter_map(|i| doc.lines.get(i)));
    }
    out
}

/// The selection as one side's line range: the old side when it holds only removed lines,
/// else the new side. Err with a sentence when it has no lines or is too long.
fn selected_range(app: &App, anchor: usize) -> Result<(String, Option<u32>), String> {
    let doc = app.doc().ok_or("the diff is still loading")?;
    let (lo, hi) = (anchor.min(app.pos.cursor), anchor.max(app.pos.cursor));
    let lines = lines_in(doc, lo..=hi, app.split);
    let old_only = !lines.is_empty() && lines.iter().all(|l| l.kind == LineKind::Removed);
    let (side, sign) = if old_only {
        (Side::Old, '-')
    } else {
        (Side::New, '+')
    };
    let numbers: Vec<u32> = lines
        .iter()
        .filter_map(|l| match side {
            Side::Old => l.old.filter(|_| l.kind != LineKind::Added),
            Side::New => l.new.filter(|_| l.kind != LineKind::Removed),
        })
        .collect();
    let (Some(first), Some(last)) = (numbers.iter().min(), numbers.iter().max()) else {
        return Err("the selection holds no lines of the file".to_string());
    };
    if last - first + 1 > MAX_LINES {
        return Err(format!(
            "a comment covers at most {MAX_LINES} lines; this selection covers {}",
            last - first + 1
        ));
    }
    Ok((format!("{sign}{first}"), (last > first).then_some(*last)))
}

/// `c`: opens the editor on the selection (`V`), the cursor's line, or the whole file; or
/// says there is no file.
pub fn open(app: &mut App) {
    let Some(key) = app.selected else {
        app.flash("there is no file to comment on", true);
        return;
    };
    if let Some(anchor) = app.anchor {
        match selected_range(app, anchor) {
            Ok((line, end)) => {
                app.anchor = None;
                open_on(
                    app,
                    CommentTarget {
                        key,
                        line: Some(line),
                        end,
                    },
                );
            }
            Err(e) => app.flash(&e, true),
        }
        return;
    }
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
        end: None,
    };
    open_on(app, target);
}

/// Opens the editor on `target`, with the draft there already typed in.
pub fn open_on(app: &mut App, target: CommentTarget) {
    let input = app
        .comment_at(&target)
        .map(|c| TextField::new(&c.text))
        .unwrap_or_default();
    app.overlays.push(Overlay::Comment { target, input });
}

/// Ctrl-C in the editor: closes it and keeps what was typed as the draft (a comment half
/// written is not thrown away by the key that quits elsewhere).
pub fn interrupt(app: &mut App) -> Vec<Effect> {
    let Some(Overlay::Comment { target, input }) = app.overlays.last() else {
        return Vec::new();
    };
    let target = target.clone();
    let text = input.text().trim().to_string();
    app.overlays.pop();
    if text.is_empty() {
        return Vec::new();
    }
    let effects = save(app, &target, text);
    app.flash(
        "comment box closed; the draft is kept (c opens it again)",
        false,
    );
    effects
}

/// Keys while the editor is on top: it takes them all.
pub fn on_key(app: &mut App, action: &Action) -> Handled {
    let Some(Overlay::Comment { target, input }) = app.overlays.last_mut() else {
        return Handled::Ignored;
    };
    if input.apply(action) {
        return Handled::used();
    }
    match action {
        Action::Cancel => {
            app.overlays.pop();
            Handled::used()
        }
        Action::Confirm => {
            let target = target.clone();
            let text = input.text().trim().to_string();
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
    let commit = entry.change.id;
    let path = file.path().display();
    let comments = &mut app.store.saved.comments;
    let existing = comments.iter().position(|c| {
        commit.is(&c.commit) && c.path == path && c.line == target.line && c.end == target.end
    });
    match (existing, text.is_empty()) {
        (Some(i), true) => {
            comments.remove(i);
            app.flash("comment deleted", false);
        }
        (Some(i), false) => {
            comments[i].text = text;
            comments[i].conflict = false;
        }
        (None, true) => return Vec::new(),
        (None, false) => comments.push(Draft::new(
            commit.to_string(),
            path,
            target.line.clone(),
            target.end,
            text,
        )),
    }
    vec![Effect::Save]
}
