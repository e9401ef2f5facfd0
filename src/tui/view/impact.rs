//! The impact panel: the effective tier, the tree of crates and modules the change reaches
//! (with the chain that reaches each and their tiers), the affected targets, and why the tier
//! is what it is. Before the analysis arrives it says so, and shows the commits' own reasons.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use super::{fit, panel_block, tier_badge};
use crate::tui::app::{App, Panel};
use crate::tui::impact::{ImpactSlot, ImpactView};

/// Draws the impact panel.
pub fn draw(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let focused = app.focus == Panel::Impact;
    let block = panel_block(app, " Impact ", focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = usize::from(inner.width);
    let mut lines: Vec<Line<'static>> = Vec::new();
    match &app.impact {
        ImpactSlot::Ready(view) => ready(app, view, width, focused, &mut lines),
        other => {
            let tier = app.data.tier();
            lines.push(tier_line(app, tier, false));
            let note = match other {
                ImpactSlot::Computing => "computing the blast radius…".to_string(),
                ImpactSlot::Failed(e) => format!("impact analysis failed: {e}"),
                _ => "impact analysis not available".to_string(),
            };
            let style = if matches!(other, ImpactSlot::Failed(_)) {
                app.theme.error
            } else {
                app.theme.notice
            };
            lines.push(Line::styled(note, style));
            reasons(app, &commit_reasons(app), &mut lines);
        }
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

fn tier_line(app: &App, tier: Option<crate::policy::Tier>, escalated: bool) -> Line<'static> {
    match tier {
        Some(t) => {
            let mut spans = vec![Span::styled(t.name().to_uppercase(), app.theme.tier(t))];
            if escalated {
                spans.push(Span::styled(" (escalated)", app.theme.tier(t)));
            }
            Line::from(spans)
        }
        None => Line::styled(no_tier(app), app.theme.dim),
    }
}

/// What stands where the tier would: an empty range has none (there is always a policy,
/// the trusted one or the built-in defaults), otherwise the verdicts are still being judged.
pub(super) fn no_tier(app: &App) -> &'static str {
    if app.data.commits.is_empty() {
        "no tier: nothing to judge (the range has no commits)"
    } else {
        "tier not judged yet"
    }
}

fn commit_reasons(app: &App) -> Vec<String> {
    let mut out = Vec::new();
    let top = app.data.tier();
    for e in &app.data.commits {
        if let Some(v) = e.verdict.as_ref().filter(|v| Some(v.tier) == top) {
            for r in &v.reasons {
                out.push(format!("{}: {r}", e.change.short_id()));
            }
        }
    }
    out
}

fn reasons(app: &App, reasons: &[String], lines: &mut Vec<Line<'static>>) {
    if reasons.is_empty() {
        return;
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled("why:", app.theme.border_focused));
    for r in reasons {
        lines.push(Line::styled(r.clone(), app.theme.text));
    }
}

fn ready(
    app: &App,
    view: &ImpactView,
    width: usize,
    focused: bool,
    lines: &mut Vec<Line<'static>>,
) {
    lines.push(tier_line(app, view.tier, view.escalated));
    for (i, row) in view.rows.iter().enumerate() {
        let mut prefix = String::new();
        if row.depth > 0 {
            prefix.push_str(&"│ ".repeat(row.depth - 1));
            let last = view.rows.get(i + 1).is_none_or(|n| n.depth < row.depth);
            prefix.push_str(if last { "└─" } else { "├─" });
        }
        let badge_w = if row.tier.is_some() { 5 } else { 0 };
        let label_w = width.saturating_sub(prefix.chars().count() + badge_w);
        let text = super::text::visible(&if row.detail.is_empty() {
            row.label.clone()
        } else {
            format!("{}  {}", row.label, row.detail)
        });
        let mut line = Line::from(vec![
            Span::styled(prefix, app.theme.dim),
            Span::styled(format!("{:<label_w$}", fit(&text, label_w)), app.theme.text),
        ]);
        // Modules and headings have no tier of their own.
        if row.tier.is_some() {
            line.push_span(Span::raw(" "));
            line.push_span(tier_badge(app, row.tier));
        }
        if focused && i == app.impact_cursor {
            line = line.style(app.theme.selected);
        }
        lines.push(line);
    }
    if !view.targets.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::styled("targets:", app.theme.border_focused));
        for t in &view.targets {
            lines.push(Line::styled(format!("  {t}"), app.theme.text));
        }
    }
    reasons(app, &view.reasons, lines);
}
