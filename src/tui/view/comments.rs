//! The comments overview: one row per draft (commit, file, lines, text), the highlighted
//! one reversed.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use super::text::{escape_name, visible};
use super::{centered, fit, panel_block};
use crate::tui::app::App;

/// Before a draft two workstations edited differently (both versions are shown).
pub(super) const CONFLICT: &str = "[conflict: edited on two workstations] ";

/// Where the overview stands in `area` with row `cursor` highlighted: its box, and the index
/// of the draft on its first row (the drawing and a mouse click read the same geometry).
pub fn layout(app: &App, cursor: usize, area: Rect) -> (Rect, usize) {
    let w = area.width.saturating_sub(6).min(110);
    let h = u16::try_from(app.comments().len().max(1) + 2)
        .unwrap_or(u16::MAX)
        .min(area.height.saturating_sub(2));
    let body = usize::from(h.saturating_sub(2)).max(1);
    (centered(area, w, h), cursor.saturating_sub(body - 1))
}

/// The draft under (column, row) of the screen, if the click fell on one of the overview's rows.
pub fn at(app: &App, cursor: usize, area: Rect, column: u16, row: u16) -> Option<usize> {
    let (r, first) = layout(app, cursor, area);
    let inner_x = r.x.saturating_add(1)..r.x.saturating_add(r.width).saturating_sub(1);
    let inner_y = r.y.saturating_add(1)..r.y.saturating_add(r.height).saturating_sub(1);
    if !inner_x.contains(&column) || !inner_y.contains(&row) {
        return None;
    }
    let i = first + usize::from(row - inner_y.start);
    (i < app.comments().len()).then_some(i)
}

/// Draws the overview with row `cursor` highlighted.
pub fn draw(frame: &mut Frame<'_>, app: &App, cursor: usize, area: Rect) {
    let comments = app.comments();
    let (r, first) = layout(app, cursor, area);
    let inner_w = usize::from(r.width.saturating_sub(2));
    let body = usize::from(r.height.saturating_sub(2)).max(1);
    let mut lines: Vec<Line<'_>> = Vec::new();
    if comments.is_empty() {
        lines.push(Line::styled(
            " no comments yet: c comments on a line, V selects lines",
            app.theme.dim,
        ));
    }
    for (i, c) in comments.iter().enumerate().skip(first).take(body) {
        let place = match (&c.line, c.end) {
            (Some(l), Some(e)) => format!("{l}..{e}"),
            (Some(l), None) => l.clone(),
            (None, _) => "file".to_string(),
        };
        let head = format!(
            " {} {}:{} ",
            crate::git::short_id(&c.commit),
            escape_name(&c.path),
            place
        );
        let head_w = head.chars().count().min(inner_w / 2);
        let conflict = if c.conflict { CONFLICT } else { "" };
        let text = fit(
            &format!("{conflict}{}", visible(&c.text).replace('\n', " ")),
            inner_w.saturating_sub(head_w),
        );
        let mut line = Line::from(vec![
            Span::styled(fit(&head, head_w), app.theme.hunk),
            Span::styled(text, app.theme.text),
        ]);
        if i == cursor {
            line = line.style(app.theme.selected);
        }
        lines.push(line);
    }
    frame.render_widget(Clear, r);
    frame.render_widget(
        Paragraph::new(lines).block(panel_block(
            app,
            format!(
                " Comments ({}) · Enter jump · e edit · d delete · Y copy prompt · Esc close ",
                comments.len()
            ),
            true,
        )),
        r,
    );
}
