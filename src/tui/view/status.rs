//! The status line: a message when there is one, else the keys that apply now.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::fit;
use crate::tui::action::Decision;
use crate::tui::app::{App, Overlay, Panel, SignStage};

/// The keys that apply in the current state, as `(key, what)` pairs.
pub fn hints(app: &App) -> Vec<(&'static str, &'static str)> {
    if app.top().is_none() && app.anchor.is_some() {
        return vec![
            ("j/k", "extend the selection"),
            ("c", "comment on the selected lines"),
            ("V/Esc", "cancel"),
            ("?", "help"),
            ("q", "quit"),
        ];
    }
    match app.top() {
        Some(Overlay::Help) => vec![("j/k", "scroll"), ("?/Esc", "close help")],
        Some(Overlay::Comments { .. }) => vec![
            ("j/k", "move"),
            ("Enter", "jump to"),
            ("e", "edit"),
            ("d", "delete"),
            ("Y", "copy prompt"),
            ("C/Esc", "close"),
        ],
        Some(Overlay::Viewer { .. }) => vec![("j/k", "scroll"), ("Esc", "close")],
        Some(Overlay::Interdiff(_)) => vec![
            ("j/k", "scroll"),
            ("]/[", "file"),
            ("v", "viewed"),
            ("a", "approve this commit"),
            ("r", "reject"),
            ("I/Esc", "close"),
        ],
        Some(Overlay::Search { .. }) => vec![("Enter", "search"), ("Esc", "cancel")],
        Some(Overlay::Comment { .. }) => vec![
            ("Enter", "save (empty deletes)"),
            ("Alt-Enter", "new line"),
            ("Esc", "cancel"),
            ("Ctrl-C", "close, keep the draft"),
        ],
        Some(Overlay::Sign {
            stage: SignStage::Passphrase { .. },
            ..
        }) => {
            vec![("Enter", "unlock and sign"), ("Esc", "cancel")]
        }
        Some(Overlay::Sign {
            stage: SignStage::Signing,
            ..
        }) => vec![("", "signing…")],
        Some(Overlay::Sign {
            stage: SignStage::Done { .. },
            ..
        }) => vec![("y/Esc", "close")],
        Some(Overlay::Sign {
            decision: Decision::Approve,
            ..
        }) if app.forbidden_in(app.sign_scope()) => {
            vec![("Esc", "close")]
        }
        Some(Overlay::Sign { .. }) => vec![("y", "sign"), ("Esc", "cancel")],
        None => match app.focus {
            Panel::Impact => vec![
                ("j/k", "move"),
                ("Enter", "open module"),
                ("o", "commit / range"),
                ("z", "zoom"),
                ("i/Esc", "back to diff"),
                ("Tab", "next panel"),
                ("?", "help"),
                ("q", "quit"),
            ],
            _ if crate::tui::interdiff::target(app).is_some() => vec![
                ("I", "interdiff since approval"),
                ("j/k", "move"),
                ("}/{", "hunk"),
                ("]/[", "file"),
                ("v", "viewed"),
                ("a", "approve"),
                ("r", "reject"),
                ("s", "split"),
                ("i", "impact"),
                ("c", "comment"),
                ("/", "search"),
                ("?", "help"),
                ("q", "quit"),
            ],
            _ => vec![
                ("j/k", "move"),
                ("}/{", "hunk"),
                ("]/[", "file"),
                ("v", "viewed"),
                ("s", "split"),
                ("i", "impact"),
                ("c", "comment"),
                ("/", "search"),
                ("a", "approve"),
                ("r", "reject"),
                ("A/R", "whole range"),
                ("V", "lines"),
                ("C", "comments"),
                ("Y", "copy prompt"),
                ("?", "help"),
                ("q", "quit"),
            ],
        },
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
        let w = |(k, what): &(&str, &str)| k.chars().count() + what.chars().count() + 3;
        // `? help` and `q quit` stay however narrow the line: they are the way out.
        let pinned = |(k, _): &(&str, &str)| matches!(*k, "?" | "q");
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
                spans.push(Span::styled(h.0, app.theme.border_focused));
                spans.push(Span::styled(format!(" {}  ", h.1), app.theme.status));
                used += w(h);
            }
        }
        for h in all.iter().filter(|h| pinned(h)) {
            spans.push(Span::styled(h.0, app.theme.border_focused));
            spans.push(Span::styled(format!(" {}  ", h.1), app.theme.status));
        }
        Line::from(spans)
    };
    frame.render_widget(Paragraph::new(line), area);
}
