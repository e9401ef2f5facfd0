//! The title line: the range, how many commits (and how many by an AI), where trust comes
//! from, any notice, and review progress.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::fit;
use crate::tui::app::App;

/// Draws the title line.
pub fn draw(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let d = &app.data;
    let n = d.commits.len();
    // Until a long range is loaded, the AI count is of the commits judged so far.
    let mut left = format!(
        " countersign · {} ({} commit{}, {} AI{})",
        d.range,
        n,
        if n == 1 { "" } else { "s" },
        d.ai_count(),
        if d.settled() { "" } else { " so far" }
    );
    if let Some(t) = &d.trusted_ref {
        left.push_str(&format!(" · trusted: {t}"));
    }
    let mut noted = false;
    if let Some(notice) = &d.notice {
        left.push_str(&format!(" · {notice}"));
        noted = true;
    }
    if let Some(note) = carried_reject_note(app) {
        left.push_str(&format!(" · {note}"));
        noted = true;
    }
    if let Some(note) = crate::tui::interdiff::header_note(app) {
        left.push_str(&format!(" · {note}"));
        noted = true;
    }
    // Ref names may hold bidi controls: show them as markers.
    let left = super::text::visible(&left);
    let width = usize::from(area.width);
    // `+`: more files arrive with the rest of a long range.
    let viewed = format!(
        "{}/{}{} viewed ",
        app.viewed_count(),
        app.files.len(),
        if d.listed() { "" } else { "+" }
    );
    // The gate line shortens the title (its trusted ref) when needed, but gives way to a
    // notice in it (no policy, a rewrite after approval).
    let right = match gate_line(app) {
        Some(g)
            if !noted
                || left.chars().count() + g.chars().count() + viewed.chars().count() + 4
                    <= width =>
        {
            format!("{g} · {viewed}")
        }
        _ => viewed,
    };
    let left = fit(&left, width.saturating_sub(right.chars().count() + 1));
    let pad = width.saturating_sub(left.chars().count() + right.chars().count());
    let line = Line::from(vec![
        Span::raw(left),
        Span::raw(" ".repeat(pad)),
        Span::raw(right),
    ])
    .style(app.theme.header);
    frame.render_widget(Paragraph::new(line).style(app.theme.header), area);
}

/// The header's sentence when a reject made on an earlier version of a commit (same
/// verbatim patch) stands on it: the selected commit's, else the first such commit's.
pub fn carried_reject_note(app: &App) -> Option<String> {
    let carried = |i: usize| {
        let e = app.data.commits.get(i)?;
        let v = e.verdict.as_ref()?;
        (!v.carried_rejects.is_empty()).then_some((e, &v.carried_rejects))
    };
    let (entry, rejects) = app
        .selected
        .and_then(|s| carried(s.commit))
        .or_else(|| (0..app.data.commits.len()).find_map(carried))?;
    let by: Vec<String> = rejects
        .iter()
        .map(|r| format!("{} on {}", r.by, r.commit.short()))
        .collect();
    Some(format!(
        "{} rejected before rewrite ({}, same patch): the reject stands",
        entry.change.short_id(),
        by.join(", ")
    ))
}

/// Whether the range passes the gate as the verdicts stand (what `verify` would say):
/// `gate: passes`, or what is missing (`gate: 2 need approval · 1 rejected · 1 forbidden`).
/// None for an empty range or one no policy judged.
pub fn gate_line(app: &App) -> Option<String> {
    use crate::signoff::ReviewState as S;
    let d = &app.data;
    if d.commits.is_empty() {
        return None;
    }
    if d.judging {
        // A giant change drawn before its verdicts: how much is being judged.
        let files: usize = d.commits[..d.loaded()]
            .iter()
            .map(|c| c.change.files.len())
            .sum();
        return Some(format!(
            "gate: judging {} files…",
            crate::model::thousands(files)
        ));
    }
    if d.commits.iter().all(|c| c.verdict.is_none()) {
        return None;
    }
    if !d.settled() {
        // The counts would be of the commits judged so far: say how far judging is instead.
        return Some(format!(
            "gate: judging {} / {}",
            crate::model::thousands(d.loaded()),
            crate::model::thousands(d.commits.len())
        ));
    }
    if d.commits.iter().any(|c| c.verdict.is_none()) {
        return Some("gate: judging…".to_string());
    }
    let count = |s: S| {
        d.commits
            .iter()
            .filter(|c| c.verdict.as_ref().is_some_and(|v| v.state == s))
            .count()
    };
    let mut missing = Vec::new();
    for (state, what) in [
        (S::NeedsSignoff, "need approval"),
        (S::Rejected, "rejected"),
        (S::Forbidden, "forbidden"),
    ] {
        let n = count(state);
        if n > 0 {
            let what = if n == 1 && state == S::NeedsSignoff {
                "needs approval"
            } else {
                what
            };
            missing.push(format!("{n} {what}"));
        }
    }
    Some(if missing.is_empty() {
        "gate: passes".to_string()
    } else {
        format!("gate: {}", missing.join(" · "))
    })
}
