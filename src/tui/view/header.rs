//! The title line: the range, how many commits (and how many by an AI), where trust comes
//! from, any notice, and review progress.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::fit;
use crate::tui::app::App;

/// Draws the title line.
pub fn draw(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let d = &app.data;
    let n = d.commits.len();
    let mut left = format!(
        " countersign · {} ({} commit{}, {} AI)",
        d.range,
        n,
        if n == 1 { "" } else { "s" },
        d.ai_count()
    );
    if let Some(t) = &d.trusted_ref {
        left.push_str(&format!(" · trusted: {t}"));
    }
    if let Some(notice) = &d.notice {
        left.push_str(&format!(" · {notice}"));
    }
    if let Some(note) = crate::tui::interdiff::header_note(app) {
        left.push_str(&format!(" · {note}"));
    }
    // Ref names may hold bidi controls: show them as markers.
    let left = super::text::visible(&left);
    let right = format!("{}/{} viewed ", app.viewed_count(), app.files.len());
    let width = usize::from(area.width);
    let left = fit(&left, width.saturating_sub(right.chars().count() + 1));
    let pad = width.saturating_sub(left.chars().count() + right.chars().count());
    let line = Line::from(vec![
        Span::raw(left),
        Span::raw(" ".repeat(pad)),
        Span::raw(right),
    ])
    .style(app.theme.header);
    frame.render_widget(Paragraph::new(line).style(app.theme.header), area);
}
