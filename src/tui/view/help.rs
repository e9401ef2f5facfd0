//! The `?` overlay: every key.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use super::{centered, panel_block};
use crate::tui::app::App;
use crate::tui::keys::HELP;

/// Draws the key table.
pub fn draw(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let key_w = HELP
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let text_w = HELP
        .iter()
        .map(|(_, t)| t.chars().count())
        .max()
        .unwrap_or(0);
    let w = (key_w + text_w + 7) as u16;
    let h = HELP.len() as u16 + 2;
    let r = centered(area, w, h);
    let lines: Vec<Line<'_>> = HELP
        .iter()
        .map(|(k, t)| {
            Line::from(vec![
                Span::styled(format!(" {k:<key_w$}  "), app.theme.border_focused),
                Span::styled(*t, app.theme.text),
            ])
        })
        .collect();
    frame.render_widget(Clear, r);
    frame.render_widget(
        Paragraph::new(lines).block(panel_block(app, " Keys · ? or Esc closes ", true)),
        r,
    );
}
