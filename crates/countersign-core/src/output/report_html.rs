//! `report --format html`: one self-contained page. Charts are inline SVG, each followed by
//! the table it draws (readable with images off); no script, no font or image from the
//! network (a Content-Security-Policy says so to the browser); every text from the
//! repository is escaped. The page is well-formed XML too, so any parser reads it.

use std::fmt::Write;

use crate::pattern::model::{Bucket, PatternReport};

/// Escapes text for HTML element content and attribute values; control characters (which
/// XML forbids) become visible `\u{…}`.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            '\u{fffe}' | '\u{ffff}' => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// `part` as a percentage of `whole` (one decimal), or a dash for nothing; the report's
/// Markdown summary writes the same figures.
pub(super) fn pct(part: u64, whole: u64) -> String {
    if whole == 0 {
        "—".to_string()
    } else {
        format!("{:.1}%", part as f64 * 100.0 / whole as f64)
    }
}

/// A latency in hours (one decimal), or a dash where there is none.
pub(super) fn hours(h: Option<f64>) -> String {
    h.map_or("—".to_string(), |h| format!("{h:.1} h"))
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em;max-width:72em;color:#222}\
table{border-collapse:collapse;margin:.5em 0 1.5em}th,td{border:1px solid #ccc;padding:.25em .6em;\
text-align:left;vertical-align:top}td.n{text-align:right}caption{text-align:left;font-weight:bold}\
.note{color:#555;font-size:.9em}svg{display:block;margin:.5em 0}";

/// The first table: the whole history in a few figures (the README shows it as text).
pub fn summary_rows(r: &PatternReport) -> Vec<(String, String)> {
    let t = &r.totals;
    let fixes = r.fixes.iter().filter(|f| f.kind != "change").count();
    vec![
        ("Commits".into(), t.commits.to_string()),
        (
            "AI commits".into(),
            format!("{} ({})", t.ai_commits, pct(t.ai_commits, t.commits)),
        ),
        ("Lines added".into(), t.lines_added.to_string()),
        (
            "Lines written by agents".into(),
            format!("{} ({})", t.ai_lines, pct(t.ai_lines, t.lines_added)),
        ),
        (
            "Approvals needed / given".into(),
            format!("{} / {}", t.approvals_needed, t.approvals_given),
        ),
        (
            "Commit to approval, median (p90)".into(),
            format!(
                "{} ({}) — as dated by commits and sign-offs",
                hours(t.approval_latency_hours.median),
                hours(t.approval_latency_hours.p90)
            ),
        ),
        ("Rejects standing".into(), t.rejects.to_string()),
        (
            format!("AI commits changed again within {} days", r.fix_window_days),
            format!(
                "{} ({fixes} by a fix or revert)",
                r.fixes
                    .iter()
                    .map(|f| f.commit.as_str())
                    .collect::<std::collections::BTreeSet<_>>()
                    .len()
            ),
        ),
    ]
}

/// Horizontal bars: (label, value, of) — the share value/of, drawn to `width`.
fn bars(title: &str, rows: &[(String, u64, u64)]) -> String {
    let row_h = 22;
    let label_w = 220;
    let bar_w = 400;
    let h = row_h * rows.len().max(1) + 10;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"{}\" height=\"{h}\" \
         aria-label=\"{}\"><title>{}</title>",
        label_w + bar_w + 80,
        esc(title),
        esc(title)
    );
    for (i, (label, part, whole)) in rows.iter().enumerate() {
        let y = i * row_h + 5;
        let frac = if *whole == 0 {
            0.0
        } else {
            *part as f64 / *whole as f64
        };
        let shown: String = label.chars().take(32).collect();
        let _ = write!(
            s,
            "<text x=\"0\" y=\"{}\" font-size=\"12\">{}</text>\
             <rect x=\"{label_w}\" y=\"{y}\" width=\"{bar_w}\" height=\"16\" fill=\"#eee\"/>\
             <rect x=\"{label_w}\" y=\"{y}\" width=\"{:.0}\" height=\"16\" fill=\"#c0392b\"/>\
             <text x=\"{}\" y=\"{}\" font-size=\"12\">{}</text>",
            y + 12,
            esc(&shown),
            frac * bar_w as f64,
            label_w + bar_w + 6,
            y + 12,
            esc(&pct(*part, *whole))
        );
    }
    s.push_str("</svg>\n");
    s
}

fn agents(b: &Bucket) -> String {
    b.agents
        .iter()
        .take(5)
        .map(|a| format!("{} ({} lines)", a.agent, a.lines))
        .collect::<Vec<_>>()
        .join(", ")
}

fn tiers(b: &Bucket) -> String {
    ["autonomous", "supervised", "prohibited"]
        .iter()
        .map(|t| b.ai_tiers.get(*t).copied().unwrap_or(0).to_string())
        .collect::<Vec<_>>()
        .join(" / ")
}

/// A table: a caption, a header row and rows of cells (already plain text; escaped here).
/// A cell starting with `#` is numeric (right-aligned, the `#` dropped).
fn table(out: &mut String, caption: &str, head: &[&str], rows: &[Vec<String>]) {
    let _ = write!(out, "<table><caption>{}</caption><thead><tr>", esc(caption));
    for h in head {
        let _ = write!(out, "<th>{}</th>", esc(h));
    }
    out.push_str("</tr></thead><tbody>\n");
    for r in rows {
        out.push_str("<tr>");
        for c in r {
            match c.strip_prefix('#') {
                Some(n) => {
                    let _ = write!(out, "<td class=\"n\">{}</td>", esc(n));
                }
                None => {
                    let _ = write!(out, "<td>{}</td>", esc(c));
                }
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
}

fn bucket_cells(b: &Bucket) -> Vec<String> {
    vec![
        format!("#{}", b.commits),
        format!("#{}", b.ai_commits),
        format!("#{}", pct(b.ai_lines, b.lines_added)),
        agents(b),
        tiers(b),
        format!("#{} / {}", b.approvals_needed, b.approvals_given),
        format!(
            "#{} / {}",
            hours(b.approval_latency_hours.median),
            hours(b.approval_latency_hours.p90)
        ),
        format!("#{}", b.rejects),
    ]
}

const BUCKET_HEAD: [&str; 8] = [
    "commits",
    "AI commits",
    "AI share of lines",
    "agents (lines)",
    "AI tiers A / S / P",
    "approvals needed / given",
    "to approval median / p90",
    "rejects",
];

/// The report as one self-contained page (see the module doc).
pub fn render(r: &PatternReport) -> String {
    let mut out = String::new();
    let title = format!("countersign report — {}", r.range);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\"><head>\
         <meta charset=\"utf-8\"/>\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\"/>\
         <title>{}</title><style>{STYLE}</style></head><body>\n<h1>{}</h1>\n",
        esc(&title),
        esc(&title)
    );
    let _ = writeln!(
        out,
        "<p class=\"note\">Judged by today's policy and roster on {} ({}); months in UTC{}; {}.</p>",
        esc(&r.trusted_ref),
        esc(&r.trusted_commit),
        r.since
            .as_ref()
            .map_or(String::new(), |s| format!("; since {}", esc(s))),
        esc(&r.dates_note)
    );
    out.push_str("<h2>Summary</h2>\n");
    let rows: Vec<Vec<String>> = summary_rows(r)
        .into_iter()
        .map(|(k, v)| vec![k, v])
        .collect();
    table(&mut out, "The whole history", &["figure", "value"], &rows);

    out.push_str("<h2>Per month</h2>\n");
    let month_bars: Vec<(String, u64, u64)> = r
        .months
        .iter()
        .map(|m| (m.month.clone(), m.bucket.ai_lines, m.bucket.lines_added))
        .collect();
    out.push_str(&bars("AI share of lines added, per month", &month_bars));
    let mut head = vec!["month"];
    head.extend(BUCKET_HEAD);
    let rows: Vec<Vec<String>> = r
        .months
        .iter()
        .map(|m| {
            let mut row = vec![m.month.clone()];
            row.extend(bucket_cells(&m.bucket));
            row
        })
        .collect();
    table(
        &mut out,
        "Per month (latencies as dated by commits and sign-offs)",
        &head,
        &rows,
    );

    out.push_str("<h2>Per crate</h2>\n");
    let crate_bars: Vec<(String, u64, u64)> = r
        .crates
        .iter()
        .take(30)
        .map(|c| (c.name.clone(), c.bucket.ai_lines, c.bucket.lines_added))
        .collect();
    out.push_str(&bars("AI share of lines added, per crate", &crate_bars));
    let mut head = vec!["crate"];
    head.extend(BUCKET_HEAD);
    let rows: Vec<Vec<String>> = r
        .crates
        .iter()
        .map(|c| {
            let mut row = vec![c.name.clone()];
            row.extend(bucket_cells(&c.bucket));
            row
        })
        .collect();
    table(&mut out, "Per crate", &head, &rows);

    out.push_str("<h2>Agents</h2>\n");
    let rows: Vec<Vec<String>> = r
        .totals
        .agents
        .iter()
        .map(|a| {
            vec![
                a.agent.clone(),
                format!("#{}", a.commits),
                format!("#{}", a.lines),
            ]
        })
        .collect();
    table(&mut out, "Agents", &["agent", "AI commits", "lines"], &rows);

    let _ = writeln!(
        out,
        "<h2>Changed again within {} days</h2>",
        r.fix_window_days
    );
    let rows: Vec<Vec<String>> = r
        .fixes
        .iter()
        .map(|f| {
            vec![
                crate::git::short_id(&f.commit).to_string(),
                f.agent.clone(),
                f.summary.clone(),
                crate::git::short_id(&f.later_commit).to_string(),
                f.kind.clone(),
                f.later_summary.clone(),
                format!("#{}", f.days),
                format!("#{}", f.lines),
            ]
        })
        .collect();
    table(
        &mut out,
        "AI commits whose lines a later commit changed",
        &[
            "AI commit",
            "agent",
            "subject",
            "later commit",
            "kind",
            "later subject",
            "days",
            "lines",
        ],
        &rows,
    );

    out.push_str("<h2>Rejects</h2>\n");
    let rows: Vec<Vec<String>> = r
        .rejects
        .iter()
        .map(|x| {
            vec![
                x.month.clone(),
                crate::git::short_id(&x.commit).to_string(),
                x.summary.clone(),
                x.principal.clone(),
            ]
        })
        .collect();
    table(
        &mut out,
        "Rejects that stand",
        &["month", "commit", "subject", "by"],
        &rows,
    );

    out.push_str("<h2>Blast radius</h2>\n");
    let ai = r.totals.ai_commits;
    let reach_bars: Vec<(String, u64, u64)> = r
        .blast_radius
        .iter()
        .take(20)
        .map(|x| (x.name.clone(), x.reached, ai))
        .collect();
    out.push_str(&bars(
        "Share of AI commits whose blast radius reaches the crate",
        &reach_bars,
    ));
    let rows: Vec<Vec<String>> = r
        .blast_radius
        .iter()
        .map(|x| {
            vec![
                x.name.clone(),
                format!("#{}", x.reached),
                format!("#{}", x.as_dependent),
            ]
        })
        .collect();
    table(
        &mut out,
        "Crates the blast radius of AI commits reaches",
        &["crate", "AI commits reaching it", "as a dependent"],
        &rows,
    );

    out.push_str("<h2>Review coverage</h2>\n");
    let c = &r.coverage;
    let rows = vec![
        vec!["Counting approvals".into(), format!("#{}", c.approvals)],
        vec![
            "Files viewed / in the change".into(),
            format!(
                "#{} / {} ({})",
                c.files_viewed,
                c.files_total,
                pct(c.files_viewed, c.files_total)
            ),
        ],
        vec![
            "Approvals that viewed every file".into(),
            format!("#{}", c.all_files_viewed),
        ],
        vec![
            "Approvals with the impact panel shown".into(),
            format!("#{}", c.impact_shown),
        ],
        vec![
            "Approvals recording hunks viewed".into(),
            format!("#{}", c.hunk_evidence),
        ],
        vec![
            "Hunks viewed / in their changes".into(),
            format!(
                "#{} / {} ({})",
                c.hunks_viewed,
                c.hunks_total,
                pct(c.hunks_viewed, c.hunks_total)
            ),
        ],
        vec![
            "Approvals that viewed every hunk".into(),
            format!("#{}", c.all_hunks_viewed),
        ],
    ];
    table(
        &mut out,
        "What approvals record of viewing (attested by the signer's client)",
        &["figure", "value"],
        &rows,
    );
    out.push_str("</body></html>\n");
    out
}
