//! The impact panel: the effective tier, what it says of the selected file (its tier and
//! the crates compiling it), and why the tier is what it is (first: on a large change the
//! tree runs far down), then the tree of crates and modules the change reaches (with the
//! chain that reaches each and their tiers) and the affected targets. Focused (`i`), a cursor
//! walks the tree and the panel scrolls to keep it on screen. Before the analysis arrives it
//! says so, and shows the commits' own reasons.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::{fit, panel_block, tier_badge};
use crate::tui::app::{App, Panel};
use crate::tui::impact::{ImpactSlot, ImpactView};

/// Draws the impact panel.
pub fn draw(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let focused = app.focus == Panel::Impact;
    let title = match app.impact_commit() {
        Some(ci) => format!(
            " Impact · commit {} ",
            app.data
                .commits
                .get(ci)
                .map_or_else(|| "?".to_string(), |e| e.change.short_id())
        ),
        None if app.data.commits.len() > 1 => " Impact · range ".to_string(),
        None => " Impact ".to_string(),
    };
    let block = panel_block(app, title, focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = usize::from(inner.width);
    let mut lines: Vec<Line<'static>> = Vec::new();
    match app.shown_impact() {
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
            for l in super::text::wrap_words(&super::text::visible(&note), width) {
                lines.push(Line::styled(l, style));
            }
            lines.push(Line::raw(""));
            reasons(app, &commit_reasons(app), width, &mut lines);
        }
    }
    let scroll = if focused {
        match app.shown_impact() {
            ImpactSlot::Ready(view) => scroll_for(
                cursor_line(
                    view,
                    &selected_file_lines(app, view, width),
                    width,
                    app.impact_cursor,
                ),
                inner.height,
            ),
            _ => 0,
        }
    } else {
        0
    };
    frame.render_widget(
        Paragraph::new(lines).scroll((u16::try_from(scroll).unwrap_or(u16::MAX), 0)),
        inner,
    );
}

/// The first line to show so that line `at` is on a panel `height` lines high.
fn scroll_for(at: usize, height: u16) -> usize {
    (at + 1).saturating_sub(usize::from(height).max(1))
}

/// The screen line (from the panel's top) of tree row `row` in `view` at `width`: after the
/// tier line, the selected file's lines, the reasons (as wrapped) and a blank line.
fn cursor_line(view: &ImpactView, file: &[String], width: usize, row: usize) -> usize {
    1 + file.len() + reason_lines(&view.reasons, width).len() + row
}

/// What the impact says of the file selected in the file list (each of a rename's paths):
/// its own tier and the crates that compile it, `does` or `may` (as `impact`'s JSON `files`),
/// wrapped, then a blank line. Empty when no file is selected or the analysis does not list
/// it.
fn selected_file_lines(app: &App, view: &ImpactView, width: usize) -> Vec<String> {
    let Some(change) = app.selected_file() else {
        return Vec::new();
    };
    let mut paths: Vec<String> = [&change.old_path, &change.new_path]
        .into_iter()
        .flatten()
        .map(|p| p.display())
        .collect();
    paths.dedup();
    let renamed = paths.len() > 1;
    let mut out = Vec::new();
    for path in paths {
        let Some(file) = view.files.get(&path) else {
            continue;
        };
        let into = if file.compiled_into.is_empty() {
            "compiled into no crate".to_string()
        } else {
            format!("compiled into {}", file.compiled_into.join(", "))
        };
        // The diff's title names the file; a rename's two paths are told apart here.
        let name = if renamed { path.as_str() } else { "this file" };
        let text = format!("{name}: {} · {into}", file.tier);
        out.extend(super::text::wrap_words(&super::text::visible(&text), width));
    }
    let flags = app
        .data
        .commits
        .iter()
        .filter_map(|e| e.verdict.as_ref())
        .flat_map(|v| v.checkout_attributes.iter())
        .filter(|f| {
            [&change.old_path, &change.new_path]
                .into_iter()
                .flatten()
                .any(|p| p.display() == f.path)
        });
    for flag in flags {
        let text = format!("⚠ {}", flag.sentence());
        out.extend(super::text::wrap_words(&super::text::visible(&text), width));
    }
    if !out.is_empty() {
        out.push(String::new());
    }
    out
}

/// Wrapped reason lines, `why:` first (empty when there are no reasons), and a blank line
/// after them.
fn reason_lines(reasons: &[String], width: usize) -> Vec<String> {
    if reasons.is_empty() {
        return Vec::new();
    }
    let mut out = vec!["why:".to_string()];
    for r in reasons {
        out.extend(super::text::wrap_words(&super::text::visible(r), width));
    }
    out.push(String::new());
    out
}

fn tier_line(app: &App, tier: Option<crate::model::Tier>, escalated: bool) -> Line<'static> {
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

fn reasons(app: &App, reasons: &[String], width: usize, lines: &mut Vec<Line<'static>>) {
    for (i, l) in reason_lines(reasons, width).into_iter().enumerate() {
        let style = if i == 0 {
            app.theme.border_focused
        } else {
            app.theme.text
        };
        lines.push(Line::styled(l, style));
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
    for l in selected_file_lines(app, view, width) {
        lines.push(Line::styled(l, app.theme.text));
    }
    reasons(app, &view.reasons, width, lines);
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
            let t = super::text::visible(t);
            lines.push(Line::styled(
                format!("  {}", fit(&t, width.saturating_sub(2))),
                app.theme.text,
            ));
        }
    }
}
