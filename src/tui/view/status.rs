//! The status line: a message when there is one, else the keys that apply now.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::fit;
use crate::signoff::Decision;
use crate::tui::app::{App, Overlay, Panel, SignStage};
use crate::tui::keymap::{self, KeyContext};

/// What the keys mean now, for the status line; None while a signature is being made (no
/// key does anything then).
pub fn context(app: &App) -> Option<KeyContext> {
    Some(match app.top() {
        None if app.anchor.is_some() => KeyContext::Selecting,
        None if app.focus == Panel::Impact => KeyContext::Impact,
        None if crate::tui::interdiff::target(app).is_some() => KeyContext::Rewritten,
        None => KeyContext::Panels,
        Some(Overlay::Help) => KeyContext::Help,
        Some(Overlay::Comments { .. }) => KeyContext::Comments,
        Some(Overlay::Viewer { .. }) => KeyContext::Viewer,
        Some(Overlay::Interdiff(_)) => KeyContext::Interdiff,
        Some(Overlay::Search { .. }) => KeyContext::Search,
        Some(Overlay::Comment { .. }) => KeyContext::CommentBox,
        Some(Overlay::Sign {
            stage, decision, ..
        }) => match stage {
            SignStage::Passphrase { .. } => KeyContext::Passphrase,
            SignStage::Signing => return None,
            SignStage::Done { .. } => KeyContext::SignDone,
            _ if *decision == Decision::Approve && app.forbidden_in(app.sign_scope()) => {
                KeyContext::SignForbidden
            }
            _ => KeyContext::Sign,
        },
    })
}

/// The keys that apply in the current state, as `(key, what)` pairs from the key table.
pub fn hints(app: &App) -> Vec<(String, &'static str)> {
    match context(app) {
        Some(c) => keymap::hints(c),
        None => vec![(String::new(), "signing…")],
    }
}

/// Draws the status line.
pub fn draw(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let width = usize::from(area.width);
    let line = if let Some(f) = &app.flash {
        let style = if f.error {
            app.theme.error
        } else {
            app.theme.ok
        };
        Line::from(Span::styled(
            format!(" {}", fit(&f.text, width.saturating_sub(1))),
            style,
        ))
    } else {
        let all = hints(app);
        let w = |(k, what): &(String, &str)| k.chars().count() + what.chars().count() + 3;
        // `? help` and `q quit` stay however narrow the line: they are the way out.
        let pinned = |(k, _): &(String, &str)| matches!(k.as_str(), "?" | "q");
        let reserved: usize = all.iter().filter(|h| pinned(h)).map(w).sum();
        let mut spans = vec![Span::raw(" ")];
        let mut used = 1 + reserved;
        let mut room = true;
        for h in &all {
            if pinned(h) {
                continue;
            }
            room &= used + w(h) <= width;
            if room {
                spans.push(Span::styled(h.0.clone(), app.theme.border_focused));
                spans.push(Span::styled(format!(" {}  ", h.1), app.theme.status));
                used += w(h);
            }
        }
        for h in all.iter().filter(|h| pinned(h)) {
            spans.push(Span::styled(h.0.clone(), app.theme.border_focused));
            spans.push(Span::styled(format!(" {}  ", h.1), app.theme.status));
        }
        Line::from(spans)
    };
    frame.render_widget(Paragraph::new(line), area);
}
