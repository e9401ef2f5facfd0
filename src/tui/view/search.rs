//! The `/` prompt, drawn over the status line.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use crate::tui::app::App;

/// Draws the search prompt.
pub fn draw(frame: &mut Frame<'_>, app: &App, input: &str, area: Rect) {
    frame.render_widget(Clear, area);
    let line = Line::from(vec![
        Span::styled("/", app.theme.border_focused),
        Span::styled(input.to_string(), app.theme.text),
        Span::styled("▏", app.theme.border_focused),
        Span::styled("   Enter search · Esc cancel", app.theme.dim),
    ]);
    frame.render_widget(Paragraph::new(line), area);
}
