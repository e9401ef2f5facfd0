//! The sign dialog: exactly what will be signed (the commits, the effective tier and its
//! reasons, required approvals and who has signed, files viewed of total, the comments), then
//! `y` to sign. An AI commit in the prohibited tier gets no approval: the dialog says a human
//! must make the change. Unviewed files are named before signing.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::{centered, fit, panel_block, tier_badge};
use crate::signoff::ReviewState;
use crate::tui::action::Decision;
use crate::tui::app::{App, SignStage};
use crate::tui::view::files::display_path;

/// Draws the sign dialog.
pub fn draw(frame: &mut Frame<'_>, app: &App, decision: Decision, stage: &SignStage, area: Rect) {
    let w = area.width.saturating_sub(8).min(100);
    let inner_w = usize::from(w.saturating_sub(2));
    let t = &app.theme;
    let forbidden = decision == Decision::Approve && app.forbidden();
    let title = match decision {
        Decision::Approve => " Approve and sign ",
        Decision::Reject => " Reject (request changes) and sign ",
    };
    let mut lines: Vec<Line<'static>> = Vec::new();
    let tier = app.data.tier();
    lines.push(Line::from(vec![
        Span::styled("effective tier: ", t.dim),
        match tier {
            Some(tier) => Span::styled(tier.name().to_string(), t.tier(tier)),
            None => Span::styled("unknown (no policy)".to_string(), t.dim),
        },
    ]));
    lines.push(Line::raw(""));
    for e in &app.data.commits {
        let c = &e.change;
        let v = e.verdict.as_ref();
        let by = match v.and_then(|v| v.ai.as_ref()) {
            Some((agent, _)) => format!("AI: {agent}"),
            None => c.author.name.clone(),
        };
        lines.push(Line::from(vec![
            Span::styled(c.short_id().to_string(), t.hunk),
            Span::raw(" "),
            tier_badge(app, v.map(|v| v.tier)),
            Span::raw(" "),
            Span::styled(fit(&by, 14), t.ai),
            Span::raw(" "),
            Span::styled(fit(&c.summary, inner_w.saturating_sub(30)), t.text),
        ]));
        if let Some(v) = v {
            let role = v
                .requirement
                .role
                .as_deref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default();
            let signed = if v.approved_by.is_empty() {
                "none yet".to_string()
            } else {
                v.approved_by.join(", ")
            };
            lines.push(Line::styled(
                format!(
                    "    needs {} approval{}{role}; approved by: {signed}; state: {}",
                    v.requirement.approvals,
                    if v.requirement.approvals == 1 {
                        ""
                    } else {
                        "s"
                    },
                    v.state.name()
                ),
                t.dim,
            ));
            for reason in v.reasons.iter().take(3) {
                lines.push(Line::styled(format!("    {reason}"), t.dim));
            }
            if v.state == ReviewState::Forbidden {
                lines.push(Line::styled(
                    "    an AI may not make this change (prohibited tier): a human must make it",
                    t.error,
                ));
            }
        }
    }
    lines.push(Line::raw(""));
    let unviewed = app.unviewed();
    lines.push(Line::from(vec![
        Span::styled("files viewed: ", t.dim),
        Span::styled(
            format!("{} of {}", app.viewed_count(), app.files.len()),
            if unviewed.is_empty() { t.ok } else { t.notice },
        ),
    ]));
    let comments = app.comments();
    if comments.is_empty() {
        lines.push(Line::styled("comments: none", t.dim));
    } else {
        lines.push(Line::styled(
            format!("comments ({}):", comments.len()),
            t.dim,
        ));
        for c in comments {
            lines.push(Line::styled(format!("  {}", c.render()), t.text));
        }
    }
    lines.push(Line::raw(""));
    if forbidden {
        lines.push(Line::styled(
            "No approval is possible: an AI-generated commit in the prohibited tier must be made by a human. Reject it (r) or have a human redo the change.",
            t.error,
        ));
        lines.push(Line::styled("Esc close", t.dim));
    } else {
        match stage {
            SignStage::Review => {
                lines.push(Line::styled(
                    format!("y sign ({}) · Esc cancel", decision.name()),
                    t.border_focused,
                ));
            }
            SignStage::ConfirmUnviewed => {
                let names: Vec<String> = unviewed
                    .iter()
                    .filter_map(|k| app.data.file(*k))
                    .map(display_path)
                    .collect();
                lines.push(Line::styled(
                    format!(
                        "{} file{} not marked viewed: {}",
                        names.len(),
                        if names.len() == 1 { " is" } else { "s are" },
                        names.join(", ")
                    ),
                    t.notice,
                ));
                lines.push(Line::styled(
                    format!("y sign ({}) anyway · Esc go back and look", decision.name()),
                    t.border_focused,
                ));
            }
            SignStage::Passphrase { input, error, .. } => {
                if let Some(e) = error {
                    lines.push(Line::styled(e.clone(), t.error));
                }
                lines.push(Line::from(vec![
                    Span::styled("key passphrase: ", t.border_focused),
                    Span::styled("•".repeat(input.chars().count()), t.text),
                    Span::styled("▏", t.border_focused),
                ]));
                lines.push(Line::styled("Enter unlock and sign · Esc cancel", t.dim));
            }
            SignStage::Signing => lines.push(Line::styled("signing…", t.notice)),
            SignStage::Done {
                signed,
                lines: result,
            } => {
                let style = if *signed { t.ok } else { t.error };
                if !*signed {
                    lines.push(Line::styled("Nothing was signed:", style));
                }
                for l in result {
                    lines.push(Line::styled(l.clone(), style));
                }
                lines.push(Line::styled("y/Esc close", t.dim));
            }
        }
    }
    // As tall as its wrapped text, within the screen.
    let rows: usize = lines
        .iter()
        .map(|l| l.width().max(1).div_ceil(inner_w.max(1)))
        .sum();
    let h = u16::try_from(rows + 2)
        .unwrap_or(u16::MAX)
        .min(area.height.saturating_sub(2));
    // When it does not fit, the bottom (the prompt or the result) stays on screen.
    let hidden =
        u16::try_from(rows.saturating_sub(usize::from(h.saturating_sub(2)))).unwrap_or(u16::MAX);
    let r = centered(area, w, h);
    frame.render_widget(Clear, r);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((hidden, 0))
            .block(panel_block(app, title, true)),
        r,
    );
}
