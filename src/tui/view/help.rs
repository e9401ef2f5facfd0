//! The `?` overlay: every key, then what the marks on screen mean (the legend). Scrolls with
//! `j`/`k` when the terminal is shorter than both.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use super::{centered, panel_block};
use crate::tui::app::App;
use crate::tui::keymap::help_sections;
use crate::tui::keys::LEGEND;

/// Rows of the help text (each layer's heading and keys, a blank row, the legend's title, the
/// legend).
pub fn rows() -> usize {
    help_sections()
        .iter()
        .map(|(_, lines)| lines.len() + 1)
        .sum::<usize>()
        + 2
        + LEGEND.len()
}

fn width<K: AsRef<str>>(table: &[(K, &str)], col: usize) -> usize {
    table
        .iter()
        .map(|(k, t)| if col == 0 { k.as_ref() } else { t }.chars().count())
        .max()
        .unwrap_or(0)
}

/// Draws the key table (from [`crate::tui::keymap::TABLE`]) and the legend.
pub fn draw(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let sections = help_sections();
    let keys: Vec<(String, &str)> = sections.iter().flat_map(|(_, l)| l.clone()).collect();
    let key_w = width(&keys, 0).max(width(LEGEND, 0));
    let text_w = width(&keys, 1).max(width(LEGEND, 1));
    let w = (key_w + text_w + 7) as u16;
    let h = u16::try_from(rows() + 2).unwrap_or(u16::MAX);
    let r = centered(area, w, h);
    let row = |k: &str, t: &'static str, key_style| {
        Line::from(vec![
            Span::styled(format!(" {k:<key_w$}  "), key_style),
            Span::styled(t, app.theme.text),
        ])
    };
    let mut lines: Vec<Line<'_>> = Vec::new();
    for (title, keys) in &sections {
        lines.push(Line::styled(format!(" {title}"), app.theme.hunk));
        lines.extend(
            keys.iter()
                .map(|(k, t)| row(k, t, app.theme.border_focused)),
        );
    }
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
