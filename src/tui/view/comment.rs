//! The inline comment editor, drawn at the bottom of the diff panel.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::panel_block;
use crate::tui::app::{App, CommentTarget};

/// Draws the comment editor.
pub fn draw(frame: &mut Frame<'_>, app: &App, target: &CommentTarget, input: &str, area: Rect) {
    let path = app
        .data
        .file(target.key)
        .map(|f| super::text::escape_path(f.path().as_bytes()))
        .unwrap_or_default();
    let place = match &target.line {
        Some(l) => format!("{path}:{l}"),
        None => format!("{path} (whole file)"),
    };
    let h = 5.min(area.height);
    let r = Rect::new(area.x, area.y + area.height - h, area.width, h);
    let text = Line::from(vec![
        Span::styled(input.to_string(), app.theme.text),
        Span::styled("▏", app.theme.border_focused),
    ]);
    frame.render_widget(Clear, r);
    frame.render_widget(
        Paragraph::new(text)
            .wrap(Wrap { trim: false })
            .block(panel_block(
                app,
                format!(" Comment on {place} · Enter saves · Esc cancels "),
                true,
            )),
        r,
    );
}
