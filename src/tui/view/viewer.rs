//! A file at the reviewed revision, read-only (opened from the impact panel): invisible
//! characters as markers, long lines cut with a mark and scrolled with `h` / `l`.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use super::{panel_block, text};
use crate::tui::app::App;

/// Draws the viewer over `area`.
pub fn draw(
    frame: &mut Frame<'_>,
    app: &App,
    title: &str,
    lines: Option<&Result<Vec<String>, String>>,
    scroll: usize,
    area: Rect,
) {
    frame.render_widget(Clear, area);
    let block = panel_block(app, format!(" {title} · Esc closes "), true);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let body: Vec<Line<'_>> = match lines {
        None => vec![Line::styled("loading…", app.theme.notice)],
        Some(Err(e)) => vec![Line::styled(e.clone(), app.theme.error)],
        Some(Ok(lines)) => {
            let marker = text::marker_style(&app.theme);
            let width = usize::from(inner.width).saturating_sub(8);
            lines
                .iter()
                .enumerate()
                .skip(scroll)
                .take(usize::from(inner.height))
                .map(|(i, l)| {
                    let limit = app.hscroll + width + 2;
                    let cells = text::plain_cells(l, app.theme.text, app.tab_width, marker, limit);
                    let mut spans = vec![Span::styled(format!("{:>5} │ ", i + 1), app.theme.dim)];
                    spans.extend(text::window(&cells, app.hscroll, width, marker));
                    Line::from(spans)
                })
                .collect()
        }
    };
    frame.render_widget(Paragraph::new(body), inner);
}
