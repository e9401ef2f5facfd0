//! The `?` overlay: every key, then what the marks on screen mean (the legend). Scrolls with
//! `j`/`k` when the terminal is shorter than both.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use super::{centered, panel_block};
use crate::tui::app::App;
use crate::tui::keys::{HELP, LEGEND};

/// Rows of the help text (keys, a blank row, the legend's title, the legend).
pub fn rows() -> usize {
    HELP.len() + 2 + LEGEND.len()
}

fn width(table: &[(&str, &str)], col: usize) -> usize {
    table
        .iter()
        .map(|(k, t)| if col == 0 { k } else { t }.chars().count())
        .max()
        .unwrap_or(0)
}

/// Draws the key table and the legend.
pub fn draw(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let key_w = width(HELP, 0).max(width(LEGEND, 0));
    let text_w = width(HELP, 1).max(width(LEGEND, 1));
    let w = (key_w + text_w + 7) as u16;
    let h = u16::try_from(rows() + 2).unwrap_or(u16::MAX);
    let r = centered(area, w, h);
    let row = |k: &str, t: &'static str, key_style| {
        Line::from(vec![
            Span::styled(format!(" {k:<key_w$}  "), key_style),
            Span::styled(t, app.theme.text),
        ])
    };
    let mut lines: Vec<Line<'_>> = HELP
        .iter()
        .map(|(k, t)| row(k, t, app.theme.border_focused))
        .collect();
    lines.push(Line::raw(""));
    lines.push(Line::styled(" Marks", app.theme.hunk));
    lines.extend(LEGEND.iter().map(|(k, t)| row(k, t, app.theme.text)));
    let scroll = u16::try_from(app.help_scroll).unwrap_or(u16::MAX);
    frame.render_widget(Clear, r);
    frame.render_widget(
        Paragraph::new(lines).scroll((scroll, 0)).block(panel_block(
            app,
            " Keys · j/k scroll · ? or Esc closes ",
            true,
        )),
        r,
    );
}
