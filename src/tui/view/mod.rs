//! Drawing: functions from `&App` to a frame, one file per panel or dialog. Nothing here
//! changes the state; everything a frame shows was decided in `update`.

mod comment;
pub mod comments;
mod diff;
pub mod files;
mod header;
mod help;
mod impact;
mod interdiff;
mod search;
pub mod sign;
mod status;
pub mod text;
mod tiny;
mod viewer;

use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::{Block, BorderType, Borders};
use ratatui::Frame;
use unicode_width::UnicodeWidthChar;

use super::app::{App, Overlay};
use super::layout;

pub use diff::whole_lines;
pub use help::rows as help_rows;

/// Draws the whole screen.
pub fn draw(frame: &mut Frame<'_>, app: &App) {
    let size = (frame.area().width, frame.area().height);
    if layout::too_small(size) {
        tiny::draw(frame, app, frame.area());
        return;
    }
    let areas = app.areas();
    header::draw(frame, app, areas.header);
    if let Some(r) = areas.files {
        files::draw(frame, app, r);
    }
    if areas.diff.width > 0 {
        diff::draw(frame, app, areas.diff);
    }
    if let Some(r) = areas.impact {
        impact::draw(frame, app, r);
    }
    status::draw(frame, app, areas.status);
    for overlay in &app.overlays {
        match overlay {
            Overlay::Help => help::draw(frame, app, frame.area()),
            Overlay::Search { input } => search::draw(frame, app, input, areas.status),
            Overlay::Comment { target, input } => {
                comment::draw(frame, app, target, input, areas.diff)
            }
            Overlay::Comments { cursor } => comments::draw(frame, app, *cursor, frame.area()),
            Overlay::Sign {
                decision,
                stage,
                scroll,
                ..
            } => sign::draw(frame, app, *decision, stage, *scroll, frame.area()),
            Overlay::Viewer {
                title,
                lines,
                scroll,
            } => viewer::draw(frame, app, title, lines.as_ref(), *scroll, areas.diff),
            Overlay::Interdiff(view) => interdiff::draw(frame, app, view, &areas),
        }
    }
}

/// A panel's frame: rounded border, title, highlighted when focused.
fn panel_block<'a>(
    app: &App,
    title: impl Into<ratatui::text::Line<'a>>,
    focused: bool,
) -> Block<'a> {
    let style = if focused {
        app.theme.border_focused
    } else {
        app.theme.border
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(style)
        .title(title);
    if focused {
        block.title_style(style.patch(app.theme.focus_title))
    } else {
        block
    }
}

/// `text` cut to `width` terminal columns, with `…` where it was cut.
fn fit(text: &str, width: usize) -> String {
    let mut used = 0;
    let mut out = String::new();
    for (i, c) in text.char_indices() {
        let w = c.width().unwrap_or(0);
        if used + w > width {
            // Make room for the ellipsis.
            while used + 1 > width && !out.is_empty() {
                if let Some(p) = out.pop() {
                    used -= p.width().unwrap_or(0);
                }
            }
            if width > 0 {
                out.push('…');
            }
            let _ = i;
            return out;
        }
        out.push(c);
        used += w;
    }
    out
}

/// `text` cut from the left to `width` columns (`…` first), for paths whose end matters.
fn fit_left(text: &str, width: usize) -> String {
    let total: usize = text.chars().map(|c| c.width().unwrap_or(0)).sum();
    if total <= width {
        return text.to_string();
    }
    let mut used = 1;
    let mut kept: Vec<char> = Vec::new();
    for c in text.chars().rev() {
        let w = c.width().unwrap_or(0);
        if used + w > width {
            break;
        }
        kept.push(c);
        used += w;
    }
    let mut out = String::from("…");
    out.extend(kept.into_iter().rev());
    out
}

fn tier_badge(app: &App, tier: Option<crate::model::Tier>) -> Span<'static> {
    match tier {
        Some(t) => Span::styled(t.badge(), app.theme.tier(t)),
        None => Span::styled("  — ", app.theme.dim),
    }
}

/// A centred rectangle of at most `w`×`h` inside `area`.
fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fitting_cuts_with_an_ellipsis() {
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("abc", 4), "abc");
        assert_eq!(fit_left("crates/auth/src/lib.rs", 10), "…rc/lib.rs");
    }
}
