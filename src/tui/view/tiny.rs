//! What a terminal too small for the panels shows: a sentence, not garbage.

use ratatui::layout::Rect;
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use crate::tui::app::App;
use crate::tui::layout::MIN_SIZE;

/// Draws the "needs more room" notice.
pub fn draw(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let text = format!(
        "countersign needs more room: at least {}×{} (now {}×{})",
        MIN_SIZE.0, MIN_SIZE.1, area.width, area.height
    );
    frame.render_widget(
        Paragraph::new(text)
            .style(app.theme.notice)
            .wrap(Wrap { trim: true }),
        area,
    );
}
