//! A file at the reviewed revision, read-only (opened from the impact panel).

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use super::panel_block;
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
        Some(Ok(lines)) => lines
            .iter()
            .enumerate()
            .skip(scroll)
            .take(usize::from(inner.height))
            .map(|(i, l)| {
                Line::from(vec![
                    Span::styled(format!("{:>5} │ ", i + 1), app.theme.dim),
                    Span::styled(crate::tui::doc::terminal_safe(l, &mut 0), app.theme.text),
                ])
            })
            .collect(),
    };
    frame.render_widget(Paragraph::new(body), inner);
}
