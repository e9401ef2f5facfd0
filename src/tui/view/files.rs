//! The change panel: each commit (id, AI badge, tier badge, sign-off state, summary) followed
//! by its files (viewed mark, path or `old → new`, status letter). Only the rows on screen are
//! built.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::{fit, fit_left, panel_block, tier_badge};
use crate::git::{FileChange, FileStatus};
use crate::signoff::ReviewState;
use crate::tui::app::{App, Panel};
use crate::tui::data::FileKey;

/// Draws the change panel.
pub fn draw(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let focused = app.focus == Panel::Files;
    // Until the full lists arrive, a rename shows as a deletion and an addition: say so
    // where the renames will appear (the header keeps the viewed count).
    let title = if !app.data.listed() {
        format!(
            " Change · loading {}/{}… ",
            crate::model::thousands(app.data.loaded()),
            crate::model::thousands(app.data.commits.len())
        )
    } else if app.data.judging {
        " Change · judging… ".to_string()
    } else if app.data.paths_only {
        " Change · finding renames… ".to_string()
    } else {
        format!(
            " Change · {}/{} viewed ",
            app.viewed_count(),
            app.files.len()
        )
    };
    let block = panel_block(app, title, focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = usize::from(inner.width);
    let height = usize::from(inner.height);
    let mut lines: Vec<Line<'static>> = Vec::with_capacity(height);
    let mut row = 0usize;
    'outer: for (ci, entry) in app.data.commits.iter().enumerate() {
        let rows_here = HEADER_ROWS + entry.change.files.len();
        if row + rows_here <= app.list_scroll {
            row += rows_here;
            continue;
        }
        for (k, header) in commit_lines(app, ci, width).into_iter().enumerate() {
            if row + k >= app.list_scroll {
                lines.push(header);
                if lines.len() >= height {
                    break 'outer;
                }
            }
        }
        row += HEADER_ROWS;
        for (fi, file) in entry.change.files.iter().enumerate() {
            if row >= app.list_scroll {
                let key = FileKey {
                    commit: ci,
                    file: fi,
                };
                lines.push(file_line(app, key, file, width, focused));
                if lines.len() >= height {
                    break 'outer;
                }
            }
            row += 1;
        }
    }
    if app.data.commits.is_empty() {
        lines.push(Line::styled(" no commits in this range", app.theme.dim));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// Rows each commit takes above its files.
pub const HEADER_ROWS: usize = 2;

fn commit_lines(app: &App, ci: usize, width: usize) -> [Line<'static>; HEADER_ROWS] {
    let entry = &app.data.commits[ci];
    let c = &entry.change;
    let v = entry.verdict.as_ref();
    let who = match v.and_then(|v| v.ai.as_ref()) {
        Some((agent, _)) => Span::styled(format!("{:<6}", fit(agent, 6)), app.theme.ai),
        None => Span::styled(
            format!(
                "{:<6}",
                fit(c.author.name.split(' ').next().unwrap_or(""), 6)
            ),
            app.theme.dim,
        ),
    };
    // A commit of a long range past the headers read for the first screen: its summary
    // arrives with its part of the range.
    let summary = if ci >= app.data.loaded() && c.summary.is_empty() && c.message.is_empty() {
        "loading…".to_string()
    } else {
        fit(&super::text::visible(&c.summary), width.saturating_sub(2))
    };
    [
        Line::from(vec![
            // A commit that adds characters a reader cannot see is flagged in place of its
            // bullet (the sign dialog names them).
            if app.commit_findings(ci).is_some() {
                Span::styled("⚠ ", app.theme.error)
            } else {
                Span::styled("▸ ", app.theme.dim)
            },
            Span::styled(c.short_id().to_string(), app.theme.hunk),
            Span::raw(" "),
            who,
            Span::raw(" "),
            if ci >= app.data.judged() {
                // Not judged yet (a long range loading behind the first screen, a giant
                // change judged behind it).
                Span::styled("  … ", app.theme.dim)
            } else {
                tier_badge(app, v.map(|v| v.tier))
            },
            state_mark(app, v.map(|v| v.state)),
            Span::styled(
                if v.is_some_and(|v| v.rewritten_from.is_some()) {
                    " ↻I"
                } else {
                    ""
                },
                app.theme.notice,
            ),
        ]),
        Line::from(vec![
            Span::raw("  "),
            Span::styled(summary, app.theme.border_focused),
        ]),
    ]
}

/// The commit's sign-off state as one mark: `✓` approved, `✗` rejected, `?` waiting for a
/// sign-off, `⊘` forbidden (an AI commit in the prohibited tier); nothing when none is needed.
fn state_mark(app: &App, state: Option<ReviewState>) -> Span<'static> {
    match state {
        Some(ReviewState::Approved) => Span::styled(" ✓", app.theme.ok),
        Some(ReviewState::Rejected) => Span::styled(" ✗", app.theme.error),
        Some(ReviewState::NeedsSignoff) => Span::styled(" ?", app.theme.notice),
        Some(ReviewState::Forbidden) => Span::styled(" ⊘", app.theme.error),
        Some(ReviewState::NotRequired) | None => Span::raw(""),
    }
}

/// The path as the list shows it: `old → new` for renames and copies, with `\n`, `\t`,
/// invisible characters and bytes that are not UTF-8 escaped ([`super::text::escape_path`])
/// so that two names never look the same.
pub fn display_path(file: &FileChange) -> String {
    let esc = |p: &crate::git::GitPath| super::text::escape_path(p.as_bytes());
    match (file.status, &file.old_path, &file.new_path) {
        (FileStatus::Renamed | FileStatus::Copied, Some(o), Some(n)) if o != n => {
            format!("{} → {}", esc(o), esc(n))
        }
        _ => esc(file.path()),
    }
}

fn file_line(
    app: &App,
    key: FileKey,
    file: &FileChange,
    width: usize,
    focused: bool,
) -> Line<'static> {
    let viewed = app.is_viewed(key);
    let mark = if viewed {
        Span::styled("✓ ", app.theme.ok)
    } else {
        Span::styled("· ", app.theme.dim)
    };
    let letter = file.status.letter();
    let letter_style = match file.status {
        FileStatus::Added => app.theme.added,
        FileStatus::Deleted => app.theme.removed,
        _ => app.theme.hunk,
    };
    let flagged = app.file_findings(key).is_some();
    let path_w = width.saturating_sub(2 + 2 + 2 + if flagged { 2 } else { 0 });
    let path = fit_left(&display_path(file), path_w);
    let pad = path_w.saturating_sub(unicode_width::UnicodeWidthStr::width(path.as_str()));
    let mut line = Line::from(vec![
        Span::raw("  "),
        mark,
        Span::styled(
            path,
            if viewed {
                app.theme.dim
            } else {
                app.theme.text
            },
        ),
        Span::raw(" ".repeat(pad + 1)),
        Span::styled(if flagged { "⚠ " } else { "" }, app.theme.error),
        Span::styled(letter.to_string(), letter_style),
    ]);
    if app.selected == Some(key) {
        line = line.style(if focused {
            app.theme.selected
        } else {
            app.theme.cursor
        });
    }
    line
}
