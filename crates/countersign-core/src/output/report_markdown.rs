//! `report --format markdown`: the report for a pull request or a wiki: tables and a Mermaid
//! chart, every text from the repository escaped as `verify --format markdown` escapes it
//! (no HTML, links or Mermaid syntax from subjects, agent names or principals).

use std::fmt::Write;

use super::markdown::{mermaid_label, text};
use super::report_html::{hours, pct, summary_rows};
use crate::pattern::model::{Bucket, PatternReport};

fn cell(s: &str) -> String {
    let cut: String = s.chars().take(120).collect();
    text(&cut, true)
}

fn bucket_cells(b: &Bucket) -> String {
    let agents = b
        .agents
        .iter()
        .take(5)
        .map(|a| format!("{} ({})", cell(&a.agent), a.lines))
        .collect::<Vec<_>>()
        .join(", ");
    let tiers = ["autonomous", "supervised", "prohibited"]
        .iter()
        .map(|t| b.ai_tiers.get(*t).copied().unwrap_or(0).to_string())
        .collect::<Vec<_>>()
        .join(" / ");
    format!(
        "{} | {} | {} | {agents} | {tiers} | {} / {} | {} / {} | {}",
        b.commits,
        b.ai_commits,
        pct(b.ai_lines, b.lines_added),
        b.approvals_needed,
        b.approvals_given,
        hours(b.approval_latency_hours.median),
        hours(b.approval_latency_hours.p90),
        b.rejects
    )
}

const BUCKET_HEAD: &str = "commits | AI commits | AI share of lines | agents (lines) | AI tiers A / S / P | approvals needed / given | to approval median / p90 | rejects";
const BUCKET_RULE: &str = "--: | --: | --: | --- | --- | --: | --: | --:";

/// The report as Markdown: a heading, then one table per section; repository text quoted cell by cell.
pub fn render(r: &PatternReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## countersign report: {}\n", cell(&r.range));
    let _ = writeln!(
        out,
        "Judged by today's policy and roster on {} ({}); months in UTC{}; {}.\n",
        cell(&r.trusted_ref),
        &r.trusted_commit,
        r.since
            .as_ref()
            .map_or(String::new(), |s| format!("; since {}", cell(s))),
        r.dates_note
    );
    out.push_str("| figure | value |\n| --- | --: |\n");
    // Our own words and numbers: nothing from the repository is in them.
    for (k, v) in summary_rows(r) {
        let _ = writeln!(out, "| {k} | {v} |");
    }
    out.push_str("\n### Per month\n\n");
    if !r.months.is_empty() {
        out.push_str(
            "```mermaid\nxychart-beta\n  title \"AI share of lines added (%)\"\n  x-axis [",
        );
        let months: Vec<String> = r
            .months
            .iter()
            .map(|m| format!("\"{}\"", mermaid_label(&m.month)))
            .collect();
        out.push_str(&months.join(", "));
        out.push_str("]\n  y-axis \"%\" 0 --> 100\n  bar [");
        let values: Vec<String> = r
            .months
            .iter()
            .map(|m| {
                let b = &m.bucket;
                if b.lines_added == 0 {
                    "0".to_string()
                } else {
                    format!("{:.1}", b.ai_lines as f64 * 100.0 / b.lines_added as f64)
                }
            })
            .collect();
        out.push_str(&values.join(", "));
        out.push_str("]\n```\n\n");
    }
    let _ = writeln!(out, "| month | {BUCKET_HEAD} |\n| --- | {BUCKET_RULE} |");
    for m in &r.months {
        let _ = writeln!(out, "| {} | {} |", cell(&m.month), bucket_cells(&m.bucket));
    }
    out.push_str("\n### Per crate\n\n");
    let _ = writeln!(out, "| crate | {BUCKET_HEAD} |\n| --- | {BUCKET_RULE} |");
    for c in &r.crates {
        let _ = writeln!(out, "| {} | {} |", cell(&c.name), bucket_cells(&c.bucket));
    }
    let _ = writeln!(
        out,
        "\n### Changed again within {} days\n",
        r.fix_window_days
    );
    out.push_str(
        "| AI commit | agent | subject | later commit | kind | later subject | days | lines |\n\
         | --- | --- | --- | --- | --- | --- | --: | --: |\n",
    );
    for f in &r.fixes {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            crate::git::short_id(&f.commit),
            cell(&f.agent),
            cell(&f.summary),
            crate::git::short_id(&f.later_commit),
            f.kind,
            cell(&f.later_summary),
            f.days,
            f.lines
        );
    }
    out.push_str("\n### Rejects\n\n| month | commit | subject | by |\n| --- | --- | --- | --- |\n");
    for x in &r.rejects {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            cell(&x.month),
            crate::git::short_id(&x.commit),
            cell(&x.summary),
            cell(&x.principal)
        );
    }
    out.push_str(
        "\n### Blast radius\n\n| crate | AI commits reaching it | as a dependent |\n| --- | --: | --: |\n",
    );
    for x in &r.blast_radius {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            cell(&x.name),
            x.reached,
            x.as_dependent
        );
    }
    let c = &r.coverage;
    let _ = writeln!(
        out,
        "\n### Review coverage\n\n{} counting approvals recorded {} of {} files viewed ({}); {} viewed every file; {} had the impact panel shown.",
        c.approvals,
        c.files_viewed,
        c.files_total,
        pct(c.files_viewed, c.files_total),
        c.all_files_viewed,
        c.impact_shown
    );
    if c.hunk_evidence > 0 {
        let _ = writeln!(
            out,
            "{} of them recorded hunks: {} of {} hunks viewed ({}); {} viewed every hunk.",
            c.hunk_evidence,
            c.hunks_viewed,
            c.hunks_total,
            pct(c.hunks_viewed, c.hunks_total),
            c.all_hunks_viewed
        );
    }
    out
}
