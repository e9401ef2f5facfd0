//! The inline comment editor, drawn at the bottom of the diff panel: as many lines as the
//! comment has (up to half the panel), wrapped at words, the cursor where it is.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::panel_block;
use crate::tui::app::{App, CommentTarget};
use crate::tui::field::TextField;

/// Where a comment goes, as its title says it: `path:762`, `path:762–764`, `(removed)` for
/// the old side, `(whole file)` for none.
pub fn place(path: &str, target: &CommentTarget) -> String {
    let Some(line) = &target.line else {
        return format!("{path} (whole file)");
    };
    let (old, n) = match line.split_at_checked(1) {
        Some(("-", n)) => (true, n),
        Some(("+", n)) => (false, n),
        _ => (false, line.as_str()),
    };
    let lines = match target.end {
        Some(e) if n.parse::<u32>().is_ok_and(|s| e > s) => format!("{n}–{e}"),
        _ => n.to_string(),
    };
    format!(
        "{path}:{lines}{}",
        if old { " (removed lines)" } else { "" }
    )
}

/// Draws the comment editor.
pub fn draw(
    frame: &mut Frame<'_>,
    app: &App,
    target: &CommentTarget,
    input: &TextField,
    area: Rect,
) {
    let path = app
        .data
        .file(target.key)
        .map(|f| super::text::escape_path(f.path().as_bytes()))
        .unwrap_or_default();
    let place = place(&path, target);
    let text = input.text();
    let (before, after) = text.split_at(input.cursor());
    let mut lines: Vec<Line<'static>> = vec![Line::default()];
    let caret = Span::styled("▏", app.theme.border_focused);
    for (part, cursor_after) in [(before, true), (after, false)] {
        for (i, piece) in part.split('\n').enumerate() {
            if i > 0 {
                lines.push(Line::default());
            }
            if let Some(l) = lines.last_mut() {
                let shown = super::text::visible(&piece.replace('\t', "    "));
                l.push_span(Span::styled(shown, app.theme.text));
            }
        }
        if cursor_after {
            if let Some(l) = lines.last_mut() {
                l.push_span(caret.clone());
            }
        }
    }
    let want = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX).max(5);
    let h = want.min((area.height / 2).max(5)).min(area.height);
    let r = Rect::new(area.x, area.y + area.height - h, area.width, h);
    // Keep the cursor's line in view when the comment is taller than the box.
    let cursor_line = before.matches('\n').count();
    let scroll = cursor_line.saturating_sub(usize::from(h.saturating_sub(3)));
    frame.render_widget(Clear, r);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((u16::try_from(scroll).unwrap_or(0), 0))
            .block(panel_block(
                app,
                format!(" Comment on {place} · Enter saves · Alt-Enter new line · Esc cancels "),
                true,
            )),
        r,
    );
}
