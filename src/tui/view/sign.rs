//! The sign dialog: exactly what will be signed, then `y` to sign. Three parts:
//!
//! - the top, always on screen: the decision's commits with their tier, author or agent,
//!   required approvals, who has approved and their state, and the effective tier;
//! - the middle, scrolled with `j`/`k` when it does not fit: why each tier, what the screen
//!   could not show as text (binary files with size and blob id) or showed as markers
//!   (invisible characters, mixed-script identifiers), files git checks out differently from
//!   the blob shown (checkout attributes on the trusted ref), files viewed of total, the
//!   comments;
//! - the bottom, always on screen: the prompt, the passphrase, or the outcome.
//!
//! An AI commit in the prohibited tier gets no approval: the dialog says a human must make
//! the change. Unviewed files are named before signing.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::text::{escape_name, visible};
use super::{centered, fit, panel_block, tier_badge};
use crate::signoff::Decision;
use crate::signoff::ReviewState;
use crate::tui::app::{App, Overlay, SignScope, SignStage};
use crate::tui::data::FileKey;
use crate::tui::view::files::display_path;

/// The dialog's three parts.
struct Parts {
    top: Vec<Line<'static>>,
    middle: Vec<Line<'static>>,
    bottom: Vec<Line<'static>>,
}

/// Where each part goes: the dialog's rectangle and the rows of each part.
struct Geometry {
    rect: Rect,
    top: usize,
    middle: usize,
    bottom: usize,
    /// Rows of the middle part that do not fit (the most it scrolls).
    max_scroll: usize,
}

fn width(area: Rect) -> u16 {
    area.width.saturating_sub(8).min(100)
}

/// Rows a line takes wrapped in `w` columns.
fn rows(lines: &[Line<'_>], w: usize) -> usize {
    lines
        .iter()
        .map(|l| l.width().max(1).div_ceil(w.max(1)))
        .sum()
}

fn geometry(parts: &mut Parts, area: Rect) -> Geometry {
    let w = width(area);
    let inner_w = usize::from(w.saturating_sub(2));
    let room = usize::from(area.height.saturating_sub(4));
    let bottom = rows(&parts.bottom, inner_w).min(room);
    // The top keeps at least two thirds of what is left; beyond that its last lines scroll
    // with the middle.
    let cap = (room - bottom) * 2 / 3;
    while rows(&parts.top, inner_w) > cap.max(1) && parts.top.len() > 1 {
        if let Some(l) = parts.top.pop() {
            parts.middle.insert(0, l);
        }
    }
    let top = rows(&parts.top, inner_w).min(room - bottom);
    let middle_all = rows(&parts.middle, inner_w);
    let middle = middle_all.min(room - bottom - top);
    let h = u16::try_from(top + middle + bottom + 2).unwrap_or(u16::MAX);
    Geometry {
        rect: centered(area, w, h),
        top,
        middle,
        bottom,
        max_scroll: middle_all - middle,
    }
}

/// How far the open dialog's middle part can scroll at the current size.
pub fn max_scroll(app: &App) -> usize {
    let Some(Overlay::Sign {
        decision, stage, ..
    }) = app.top()
    else {
        return 0;
    };
    let area = Rect::new(0, 0, app.size.0, app.size.1);
    let mut parts = parts(
        app,
        *decision,
        stage,
        usize::from(width(area).saturating_sub(2)),
    );
    geometry(&mut parts, area).max_scroll
}

/// Draws the sign dialog, its middle part scrolled by `scroll` rows.
pub fn draw(
    frame: &mut Frame<'_>,
    app: &App,
    decision: Decision,
    stage: &SignStage,
    scroll: usize,
    area: Rect,
) {
    let inner_w = usize::from(width(area).saturating_sub(2));
    let mut parts = parts(app, decision, stage, inner_w);
    let g = geometry(&mut parts, area);
    let what = match decision {
        Decision::Approve => "Approve and sign",
        Decision::Reject => "Reject (request changes) and sign",
    };
    let title = match app.sign_scope() {
        SignScope::Commit(i) => format!(
            " {what} · commit {} ",
            app.data
                .commits
                .get(i)
                .map_or_else(|| "?".to_string(), |e| e.change.short_id())
        ),
        SignScope::Range { every } => format!(
            " {what} · the range{} ",
            if every { ", every commit" } else { "" }
        ),
    };
    let block = panel_block(app, title, true);
    let inner = block.inner(g.rect);
    frame.render_widget(Clear, g.rect);
    frame.render_widget(block, g.rect);
    let mut y = inner.y;
    let mut put = |lines: Vec<Line<'static>>, h: usize, skip: usize| {
        let h = u16::try_from(h).unwrap_or(u16::MAX);
        let r = Rect::new(
            inner.x,
            y,
            inner.width,
            h.min(inner.bottom().saturating_sub(y)),
        );
        let skip = u16::try_from(skip).unwrap_or(u16::MAX);
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .scroll((skip, 0)),
            r,
        );
        y = y.saturating_add(h);
    };
    put(parts.top, g.top, 0);
    put(parts.middle, g.middle, scroll.min(g.max_scroll));
    let hidden_bottom = rows(&parts.bottom, inner_w).saturating_sub(g.bottom);
    put(parts.bottom, g.bottom, hidden_bottom);
}

fn parts(app: &App, decision: Decision, stage: &SignStage, inner_w: usize) -> Parts {
    let t = &app.theme;
    let scope = app.sign_scope();
    let forbidden = decision == Decision::Approve && app.forbidden_in(scope);
    let mut top: Vec<Line<'static>> = Vec::new();
    let mut middle: Vec<Line<'static>> = Vec::new();
    // The tier the payload binds is each signed commit's own, not the range's highest.
    let range_tier = app.data.tier();
    match scope {
        SignScope::Commit(i) => {
            let tier = app
                .data
                .commits
                .get(i)
                .and_then(|e| e.verdict.as_ref())
                .map(|v| v.tier);
            let mut line = vec![
                Span::styled("tier signed: ", t.dim),
                match tier {
                    Some(tier) => Span::styled(tier.name().to_string(), t.tier(tier)),
                    None => Span::styled(super::impact::no_tier(app).to_string(), t.dim),
                },
            ];
            if let (Some(r), Some(c)) = (range_tier, tier) {
                if r != c {
                    line.push(Span::styled(
                        format!(" (this commit's; the range's highest is {})", r.name()),
                        t.dim,
                    ));
                }
            }
            top.push(Line::from(line));
        }
        SignScope::Range { .. } => top.push(Line::styled(
            "tiers signed: each commit's own, as listed",
            t.dim,
        )),
    }
    commits(app, scope, inner_w, &mut top, &mut middle);
    hidden_content(app, &mut middle);
    let unviewed = app.unviewed_in(scope);
    let (signed, _) = app.scope_commits(scope);
    let in_scope = app
        .files
        .iter()
        .filter(|k| signed.contains(&k.commit))
        .count();
    middle.push(Line::from(vec![
        Span::styled("files viewed: ", t.dim),
        Span::styled(
            format!("{} of {in_scope}", in_scope - unviewed.len()),
            if unviewed.is_empty() { t.ok } else { t.notice },
        ),
    ]));
    let comments = app.comments_in(scope);
    if comments.is_empty() {
        middle.push(Line::styled("comments: none", t.dim));
    } else {
        middle.push(Line::styled(
            format!("comments ({}):", comments.len()),
            t.dim,
        ));
        for c in comments {
            middle.push(Line::styled(
                format!("  {}", escape_name(&c.render())),
                t.text,
            ));
        }
    }
    Parts {
        top,
        middle,
        bottom: bottom(app, decision, stage, forbidden, &unviewed),
    }
}

/// Each commit on top (id, tier, author or agent, subject; required approvals, who approved,
/// its state), and why it has its tier in the middle.
fn commits(
    app: &App,
    scope: SignScope,
    inner_w: usize,
    top: &mut Vec<Line<'static>>,
    middle: &mut Vec<Line<'static>>,
) {
    let t = &app.theme;
    let (signed, skipped) = app.scope_commits(scope);
    let state = |i: &usize| app.data.commits[*i].verdict.as_ref().map(|v| v.state);
    let (forbidden, unneeded): (Vec<usize>, Vec<usize>) = skipped
        .iter()
        .partition(|i| state(i) == Some(ReviewState::Forbidden));
    let ids = |list: &[usize]| {
        list.iter()
            .map(|i| app.data.commits[*i].change.short_id())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !forbidden.is_empty() {
        top.push(Line::styled(
            format!(
                "not signed: {} (AI-generated in the prohibited tier: no approval can make {} \
                 pass; a human must make the change)",
                ids(&forbidden),
                if forbidden.len() == 1 { "it" } else { "them" }
            ),
            t.error,
        ));
    }
    if !unneeded.is_empty() {
        top.push(Line::styled(
            format!(
                "not signed: {} (need{} no sign-off; e signs {} too)",
                ids(&unneeded),
                if unneeded.len() == 1 { "s" } else { "" },
                if unneeded.len() == 1 { "it" } else { "them" }
            ),
            t.dim,
        ));
    }
    if signed.is_empty() {
        top.push(Line::styled(
            "no commit here needs a sign-off: e signs every commit anyway",
            t.notice,
        ));
    }
    for ci in signed {
        let e = &app.data.commits[ci];
        let c = &e.change;
        let v = e.verdict.as_ref();
        let by = match v.and_then(|v| v.ai.as_ref()) {
            Some((agent, _)) => format!("AI: {}", visible(agent)),
            None => visible(&c.author.name),
        };
        let mut head = vec![
            Span::styled(c.short_id().to_string(), t.hunk),
            Span::raw(" "),
            tier_badge(app, v.map(|v| v.tier)),
            Span::raw(" "),
            Span::styled(fit(&by, 14), t.ai),
            Span::raw(" "),
        ];
        if app.commit_findings(ci).is_some() {
            head.push(Span::styled("⚠ hidden characters ", t.error));
        }
        head.push(Span::styled(
            fit(&visible(&c.summary), inner_w.saturating_sub(30)),
            t.text,
        ));
        top.push(Line::from(head));
        let Some(v) = v else { continue };
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
        top.push(Line::styled(
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
        if v.state == ReviewState::Forbidden {
            top.push(Line::styled(
                "    an AI may not make this change (prohibited tier): a human must make it",
                t.error,
            ));
        }
        for r in &v.carried_rejects {
            top.push(Line::styled(
                format!(
                    "    rejected by {} on {}, an earlier version with the same patch: the \
                     reject stands here until {} lifts it",
                    visible(&r.by),
                    r.commit.short(),
                    visible(&r.by)
                ),
                t.error,
            ));
        }
        for reason in v.reasons.iter().take(3) {
            middle.push(Line::styled(
                format!("{}: {}", c.short_id(), visible(reason)),
                t.dim,
            ));
        }
    }
}

/// What the screen could not show as text, and what it showed as markers: named so that the
/// reviewer knows what their signature covers.
fn hidden_content(app: &App, out: &mut Vec<Line<'static>>) {
    let t = &app.theme;
    let binaries: Vec<String> = app
        .files
        .iter()
        .filter_map(|k| app.data.file(*k))
        .filter(|f| f.binary)
        .map(|f| match crate::tui::doc::binary_detail(f) {
            Some(d) => format!("{} ({d})", display_path(f)),
            None => display_path(f),
        })
        .collect();
    if !binaries.is_empty() {
        out.push(Line::styled(
            format!(
                "binary file{} (content not shown as text, signed by blob id): {}",
                if binaries.len() == 1 { "" } else { "s" },
                binaries.join("; ")
            ),
            t.notice,
        ));
    }
    for (c, flag) in app.data.commits.iter().flat_map(|e| {
        e.verdict
            .iter()
            .flat_map(move |v| v.checkout_attributes.iter().map(move |f| (&e.change, f)))
    }) {
        out.push(Line::styled(
            format!("⚠ {}: {}", c.short_id(), visible(&flag.sentence())),
            t.error,
        ));
    }
    match &app.findings {
        None => out.push(Line::styled(
            "checking the change for invisible characters…",
            t.notice,
        )),
        Some(found) => {
            let mut keys: Vec<&FileKey> = found.keys().collect();
            keys.sort_by_key(|k| (k.commit, k.file));
            for k in keys {
                let (Some(file), Some(f)) = (app.data.file(*k), found.get(k)) else {
                    continue;
                };
                out.push(Line::styled(
                    format!(
                        "⚠ {} adds characters a reader cannot see: {}",
                        display_path(file),
                        f.summary()
                    ),
                    t.error,
                ));
            }
        }
    }
}

fn bottom(
    app: &App,
    decision: Decision,
    stage: &SignStage,
    forbidden: bool,
    unviewed: &[FileKey],
) -> Vec<Line<'static>> {
    let t = &app.theme;
    let mut lines = vec![Line::raw("")];
    if forbidden {
        lines.push(Line::styled(
            "No approval is possible: an AI-generated commit in the prohibited tier must be made by a human. Reject it (r) or have a human redo the change.",
            t.error,
        ));
        lines.push(Line::styled("Esc close", t.dim));
        return lines;
    }
    match stage {
        SignStage::Review => {
            let every = match app.sign_scope() {
                SignScope::Range { every: false } => " · e every commit",
                SignScope::Range { every: true } => " · e only those needing sign-off",
                SignScope::Commit(_) => "",
            };
            lines.push(Line::styled(
                format!(
                    "y sign ({}) · Esc cancel · j/k scroll{every}",
                    decision.name()
                ),
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
        SignStage::Signing => lines.push(Line::styled(
            "signing… a security key waits for your touch: touch it when it blinks (Esc cancels)",
            t.notice,
        )),
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
    lines
}
