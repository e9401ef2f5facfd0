//! The interdiff view ([`crate::tui::overlay::interdiff`]) over the panels: what changed in a
//! rewritten commit since its earlier version was approved.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use super::{fit, fit_left, panel_block, text};
use crate::git::LineKind;
use crate::tui::app::App;
use crate::tui::layout::Areas;
use crate::tui::overlay::interdiff_state::{Body, InterdiffRow, View};

/// Draws the view over every panel (the header and the status line stay).
pub fn draw(frame: &mut Frame<'_>, app: &App, view: &View, areas: &Areas) {
    let top = areas.header.y + areas.header.height;
    let area = Rect::new(
        0,
        top,
        frame.area().width,
        areas.status.y.saturating_sub(top),
    );
    frame.render_widget(Clear, area);
    let title = format!(
        " Interdiff · what changed in {} since {} approved {} ({}) · I/Esc closes ",
        view.commit_id.short(),
        view.from.approvers(),
        view.from.commit.short(),
        view.from.found_by.name(),
    );
    let block = panel_block(
        app,
        fit(&title, usize::from(area.width).saturating_sub(2)),
        true,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = usize::from(inner.width);
    let lines: Vec<Line<'_>> = match &view.body {
        Body::Loading => vec![Line::styled("computing the interdiff…", app.theme.notice)],
        Body::Failed(e) => vec![Line::styled(e.clone(), app.theme.error)],
        Body::Ready { files, rows } => rows
            .iter()
            .skip(view.scroll)
            .take(usize::from(inner.height))
            .map(|row| match row {
                InterdiffRow::Note(t) => Line::styled(fit(t, width), app.theme.dim),
                InterdiffRow::File(i) => {
                    let f = &files[*i];
                    let viewed = f.key.is_some_and(|k| app.is_viewed(k));
                    let mark = if viewed {
                        Span::styled("✓ ", app.theme.ok)
                    } else {
                        Span::styled("· ", app.theme.dim)
                    };
                    let what_style = if f.unchanged {
                        app.theme.ok
                    } else {
                        app.theme.notice
                    };
                    let cursor = if *i == view.current { "▸ " } else { "  " };
                    let longest = files
                        .iter()
                        .map(|x| unicode_width::UnicodeWidthStr::width(x.path.as_str()))
                        .max()
                        .unwrap_or(0);
                    let path_w = width
                        .saturating_sub(f.what.chars().count() + 7)
                        .min(longest);
                    let path = fit_left(&f.path, path_w);
                    let pad =
                        path_w.saturating_sub(unicode_width::UnicodeWidthStr::width(path.as_str()));
                    Line::from(vec![
                        Span::styled(cursor, app.theme.border_focused),
                        mark,
                        Span::styled(path, app.theme.text),
                        Span::raw(" ".repeat(pad + 2)),
                        Span::styled(f.what.clone(), what_style),
                    ])
                }
                InterdiffRow::Hunk(h) => Line::styled(fit(h, width), app.theme.hunk),
                InterdiffRow::Line {
                    kind,
                    old,
                    new,
                    text,
                } => {
                    let num = |n: &Option<u32>| n.map_or("    ".to_string(), |n| format!("{n:>4}"));
                    let (sign, style) = match kind {
                        LineKind::Added => ("+", app.theme.added),
                        LineKind::Removed => ("-", app.theme.removed),
                        LineKind::Context => (" ", app.theme.text),
                    };
                    let gutter = format!("{} {} │{sign}", num(old), num(new));
                    let room = width.saturating_sub(gutter.chars().count());
                    // Cut at the horizontal scroll position with marks where text
                    // continues (`h` / `l` scroll), as in the diff panel.
                    let marker = text::marker_style(&app.theme);
                    let cells = text::plain_cells(text, style, 4, marker, app.hscroll + room + 2);
                    let mut spans = vec![Span::styled(gutter, app.theme.dim)];
                    spans.extend(text::window(&cells, app.hscroll, room, marker));
                    Line::from(spans)
                }
            })
            .collect(),
    };
    frame.render_widget(Paragraph::new(lines), inner);
}
