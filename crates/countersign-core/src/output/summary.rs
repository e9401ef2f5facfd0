//! `verify --format markdown`: the gate's verdict for GitHub's job summary or a PR comment —
//! a table of the commits (tier, state, approvals, who signed), why each failing one fails,
//! and the blast radius as a Mermaid graph.
//!
//! Subjects, principals, agents, reasons and crate names are attacker text: each goes through
//! [`super::markdown`] and is cut to a bounded length, and sections are added only while the
//! summary stays under [`BUDGET`], well below GitHub's 65,536-character limit for a job
//! summary or a comment. What does not fit is counted, never silently dropped.

use std::fmt::Write;

use super::graph::Graph;
use super::markdown::{code_span, text};
use crate::git::short_id;
use crate::review::tiered::TieredImpact;
use crate::review::{CommitReport, Report};

/// GitHub's limit for a job summary or a comment, in characters.
pub const GITHUB_LIMIT: usize = 65_536;

/// What the summary may use: the limit less room for the closing lines.
pub const BUDGET: usize = 60_000;

/// The longest quoted name (subject, principal, agent) before it is cut.
const MAX_NAME: usize = 120;

/// The longest quoted sentence (a reason, a problem) before it is cut.
const MAX_SENTENCE: usize = 400;

fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max).collect();
        t.push('…');
        t
    }
}

/// Attacker prose (a subject, an agent's name) for a GFM table cell: escaped text (pipes
/// included), cut to [`MAX_NAME`].
fn cell(s: &str) -> String {
    text(&cut(s, MAX_NAME), true)
}

/// A principal for a table cell: a code span (no autolinked address), pipes escaped, which
/// GitHub undoes inside cells.
fn principal(s: &str) -> String {
    code_span(&cut(s, MAX_NAME)).replace('|', "\\|")
}

fn row(c: &CommitReport) -> String {
    let by =
        c.ai.as_ref()
            .map_or("human".to_string(), |a| a.agent.clone());
    let signed: Vec<String> = c
        .approved_by
        .iter()
        .map(|p| format!("✅ {}", principal(p)))
        .chain(c.rejected_by.iter().map(|p| format!("❌ {}", principal(p))))
        .collect();
    format!(
        "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
        if c.ok { "✅" } else { "❌" },
        code_span(&c.commit.short()),
        cell(&c.summary),
        cell(&by),
        c.tier.name(),
        c.state.name(),
        if c.required > 0 {
            format!("{}/{}", c.approvals, c.required)
        } else {
            "—".to_string()
        },
        if signed.is_empty() {
            "—".to_string()
        } else {
            signed.join("<br>")
        }
    )
}

fn reasons(c: &CommitReport) -> String {
    let mut out = format!("- {} {}\n", code_span(&c.commit.short()), cell(&c.summary));
    for p in &c.problems {
        let _ = writeln!(out, "  - {}", text(&cut(p, MAX_SENTENCE), true));
    }
    for r in &c.tier_reasons {
        let _ = writeln!(out, "  - tier: {}", text(&cut(r, MAX_SENTENCE), true));
    }
    out
}

/// The summary of `report`, with the blast radius of the range drawn from `impact` (or the
/// reason it could not be computed).
pub fn markdown(report: &Report, impact: Result<&TieredImpact, String>) -> String {
    let failed = report.commits.iter().filter(|c| !c.ok).count();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## countersign verify: {}\n",
        if report.commits.is_empty() {
            "nothing to judge".to_string()
        } else if failed == 0 {
            format!(
                "✅ pass ({} commit{})",
                report.commits.len(),
                if report.commits.len() == 1 { "" } else { "s" }
            )
        } else {
            format!(
                "❌ {failed} of {} commit{} may not ship",
                report.commits.len(),
                if report.commits.len() == 1 { "" } else { "s" }
            )
        }
    );
    let _ = writeln!(
        out,
        "Range {}, judged by the policy and roster on {} ({}).\n",
        code_span(&cut(&report.range, MAX_NAME)),
        code_span(&cut(&report.trusted_ref, MAX_NAME)),
        code_span(short_id(&report.trusted_commit))
    );
    if !report.commits.is_empty() {
        out.push_str("| | Commit | Subject | By | Tier | State | Approvals | Signed |\n");
        out.push_str("|---|---|---|---|---|---|---|---|\n");
        // Failing commits first, so they are what a cut keeps.
        let mut order: Vec<&CommitReport> = report.commits.iter().filter(|c| !c.ok).collect();
        order.extend(report.commits.iter().filter(|c| c.ok));
        let mut left = 0;
        for c in &order {
            let r = row(c);
            if out.len() + r.len() > BUDGET / 2 {
                left += 1;
                continue;
            }
            out.push_str(&r);
        }
        if left > 0 {
            let _ = writeln!(out, "\n… and {left} more commits (see the job log).");
        }
        out.push('\n');
    }
    let failing: Vec<&CommitReport> = report.commits.iter().filter(|c| !c.ok).collect();
    if !failing.is_empty() {
        out.push_str("### Why\n\n");
        let mut left = 0;
        for c in failing {
            let r = reasons(c);
            if out.len() + r.len() > BUDGET * 3 / 4 {
                left += 1;
                continue;
            }
            out.push_str(&r);
        }
        if left > 0 {
            let _ = writeln!(out, "- … and {left} more failing commits (see the job log)");
        }
        out.push('\n');
    }
    out.push_str("### Blast radius\n\n");
    match impact {
        Err(e) => {
            let _ = writeln!(out, "Not computed: {}", text(&cut(&e, MAX_SENTENCE), true));
        }
        Ok(impact) => blast_radius(&mut out, impact),
    }
    debug_assert!(out.chars().count() < GITHUB_LIMIT);
    out
}

fn blast_radius(out: &mut String, impact: &TieredImpact) {
    if let Some(tier) = impact.tier {
        let _ = write!(out, "Tier of the range: **{}**", tier.name());
        match impact.direct_tier {
            Some(d) if d < tier => {
                let _ = writeln!(
                    out,
                    " (escalated from {} by the dependents marked red).\n",
                    d.name()
                );
            }
            _ => out.push_str(".\n\n"),
        }
    }
    let _ = writeln!(
        out,
        "{} changed crate{}, {} affected in all.\n",
        impact.changed_crates.len(),
        if impact.changed_crates.len() == 1 {
            ""
        } else {
            "s"
        },
        impact.affected_crates.len()
    );
    let mut graph = Graph::of(impact);
    let mut drawn = graph.mermaid();
    if out.len() + drawn.len() + 64 > BUDGET && !graph.collapsed {
        // Too large even under the node cap: draw the crates only.
        graph.nodes.retain(|n| n.id.starts_with('c'));
        graph.edges.retain(|e| e.to.starts_with('c'));
        graph.collapsed = true;
        drawn = graph.mermaid();
    }
    if out.len() + drawn.len() + 64 > BUDGET {
        let _ = writeln!(
            out,
            "The graph ({} nodes) is too large for a summary: run `countersign impact --format \
             dot` locally.",
            graph.nodes.len()
        );
        return;
    }
    if graph.collapsed {
        out.push_str("Over 100 nodes: collapsed to crates.\n\n");
    }
    out.push_str("```mermaid\n");
    out.push_str(&drawn);
    out.push_str("```\n");
}
