//! `countersign impact`: what a change can reach, and the tier that follows.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use super::args::{ImpactArgs, ImpactFormat};
use super::style::{colour_stdout, paint, tier_colour, wrap};
use super::style::{finish, write_json};
use super::{notify, Context, EXIT_OK};
use crate::impact::{CrateImpact, Options};
use crate::output::graph::Graph;
use crate::review::tiered::TieredImpact;
use crate::review::{Purpose, Review, SCHEMA_VERSION};
use crate::util::escape::line as esc;
use crate::Result;

/// The JSON document `impact --format json` prints: the analysis's fields (the contract),
/// with the trusted ref and commit that judged it.
#[derive(serde::Serialize)]
struct ImpactDocument<'a> {
    schema_version: u32,
    trusted_ref: &'a str,
    trusted_commit: String,
    range: &'a str,
    #[serde(flatten)]
    impact: &'a TieredImpact,
}

/// Width the text form fits in: `COLUMNS`, else the terminal, else 80.
fn width() -> usize {
    super::style::width()
}

/// Runs `impact`.
pub fn run(cwd: &Path, args: &ImpactArgs) -> Result<i32> {
    // `impact` reads thousands of blobs and only reports; like git itself, it does not
    // re-hash every object it reads (libgit2's default, a third of the run time on large
    // workspaces). The gate (`verify`) and signing keep libgit2's strict verification
    // (but for the inclusion scan's source reads: see impact::compiled::scan_entries).
    git2::opts::strict_hash_verification(false);
    let ctx = Context::open(cwd)?;
    let mut review = Review::open(
        &ctx.repo,
        args.trust.select(args.revspec.as_deref()),
        Purpose::Impact,
    )?;
    notify(&review.notices);
    let mut progress =
        super::progress::Progress::new("analysing", args.format != ImpactFormat::Text);
    let impact = review.impact_with(&Options::default(), &mut |d, t, c| progress.tick(d, t, c))?;
    progress.finish();
    let commits = review.changes.commits.len();
    let _pager = super::pager::start(args.format == ImpactFormat::Text)?;
    let mut out = std::io::stdout().lock();
    let written = match args.format {
        ImpactFormat::Mermaid => out.write_all(Graph::of(&impact).mermaid().as_bytes()),
        ImpactFormat::Dot => out.write_all(Graph::of(&impact).dot().as_bytes()),
        ImpactFormat::Json => write_json(
            &mut out,
            &ImpactDocument {
                schema_version: SCHEMA_VERSION,
                trusted_ref: &review.trusted.name,
                trusted_commit: review.trusted.commit.to_string(),
                range: &review.range.description,
                impact: &impact,
            },
        ),
        ImpactFormat::Text => write_text(
            &mut out,
            &impact,
            &review.range.description,
            &review.trusted.display(),
            commits,
            colour_stdout(),
        ),
    };
    finish(written, EXIT_OK)
}

/// Writes the readable tree: summary, tier with reasons, crates, targets, modules. Names and
/// reasons from the repository (crate, target and module names, paths) are escaped.
pub fn write_text(
    out: &mut impl Write,
    impact: &TieredImpact,
    range: &str,
    trusted: &str,
    commits: usize,
    colour: bool,
) -> std::io::Result<()> {
    for line in wrap(
        &plural_line(impact, &esc(range), commits),
        width(),
        "",
        "  ",
    ) {
        writeln!(out, "{line}")?;
    }
    writeln!(out, "judged by the policy on {}", esc(trusted))?;
    if let Some(tier) = impact.tier {
        let escalated = impact.direct_tier.is_some_and(|d| d < tier);
        let head = format!(
            "tier: {}{}",
            tier.name().to_uppercase(),
            match impact.direct_tier {
                Some(d) if escalated => format!(" (escalated from {d})"),
                _ => String::new(),
            }
        );
        writeln!(out, "{}", paint(colour, tier_colour(tier), &head))?;
        for r in &impact.tier_reasons {
            for line in wrap(&esc(r), width(), "  ", "    ") {
                writeln!(out, "{line}")?;
            }
        }
    }
    for w in &impact.workspace_wide {
        for line in wrap(&format!("workspace-wide: {}", esc(w)), width(), "", "  ") {
            writeln!(out, "{line}")?;
        }
    }
    if !impact.crates.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", paint(colour, "1", "crates"))?;
        write_tree(out, impact, colour)?;
    }
    if !impact.targets.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", paint(colour, "1", "targets"))?;
        let mut by_crate: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for t in &impact.targets {
            by_crate
                .entry(esc(&t.crate_name).into_owned())
                .or_default()
                .push(format!("{} {}", t.kind.name(), esc(&t.name)));
        }
        for (c, ts) in by_crate {
            for line in wrap(&format!("{c}: {}", ts.join(", ")), width(), "  ", "    ") {
                writeln!(out, "{line}")?;
            }
        }
    }
    if !impact.modules.is_empty() || !impact.module_fallbacks.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", paint(colour, "1", "modules"))?;
        for m in &impact.modules {
            let how = if m.changed {
                "changed".to_string()
            } else if m.via.len() >= 2 {
                format!("uses {}", esc(&m.via[m.via.len() - 2]))
            } else {
                String::new()
            };
            let line = super::style::fit(&format!("  {}  {how}", esc(&m.module)), width());
            writeln!(out, "{}", line.trim_end())?;
        }
        for f in &impact.module_fallbacks {
            for line in wrap(
                &format!("{}: whole crate ({})", esc(&f.crate_name), esc(&f.reason)),
                width(),
                "  ",
                "      ",
            ) {
                writeln!(out, "{line}")?;
            }
        }
    }
    // A problem is a diagnostic with its source lines (file:line:col, the line, a caret, the
    // help): printed as lines, each after the first indented under `problem:`.
    for p in &impact.problems {
        writeln!(
            out,
            "problem: {}",
            crate::util::escape::text(p.trim_end(), "  ")
        )?;
    }
    Ok(())
}

fn plural_line(impact: &TieredImpact, range: &str, commits: usize) -> String {
    let s = |n: usize| if n == 1 { "" } else { "s" };
    let files = impact.changed_files.len();
    let changed = impact.changed_crates.len();
    let affected = impact.affected_crates.len();
    format!(
        "{range} ({commits} commit{}): {files} file{} changed in {changed} crate{}, \
         {affected} crate{} affected",
        s(commits),
        s(files),
        s(changed),
        s(affected)
    )
}

/// The crates as a tree: each crate under the one before it in its chain.
fn write_tree(out: &mut impl Write, impact: &TieredImpact, colour: bool) -> std::io::Result<()> {
    let mut children: BTreeMap<&str, Vec<&CrateImpact>> = BTreeMap::new();
    let mut roots: Vec<&CrateImpact> = Vec::new();
    for c in &impact.crates {
        match c.via.len().checked_sub(2).and_then(|i| c.via.get(i)) {
            Some(parent) if impact.crates.iter().any(|p| &p.name == parent) => {
                children.entry(parent.as_str()).or_default().push(c)
            }
            _ => roots.push(c),
        }
    }
    let mut stack: Vec<(&CrateImpact, String, bool, bool)> = roots
        .iter()
        .rev()
        .map(|c| (*c, String::new(), true, true))
        .collect();
    while let Some((c, prefix, last, root)) = stack.pop() {
        let branch = if root {
            ""
        } else if last {
            "└─ "
        } else {
            "├─ "
        };
        let tier = impact.crate_tier(&c.name);
        let badge = tier.map_or("    ", |t| t.badge());
        let what = esc(&c.describe("dev-dep (tests)")).into_owned();
        let head = format!("{prefix}{branch}{}", esc(&c.name));
        let used = unicode_width::UnicodeWidthStr::width(head.as_str());
        let room = width().saturating_sub(used + 7);
        let tail = super::style::fit(&what, room);
        let badge = tier.map_or(badge.to_string(), |t| {
            paint(colour, tier_colour(t), t.badge())
        });
        writeln!(out, "{head}  {badge} {}", tail.trim_end())?;
        let child_prefix = if root {
            String::new()
        } else {
            format!("{prefix}{}", if last { "   " } else { "│  " })
        };
        if let Some(kids) = children.get(c.name.as_str()) {
            for (i, k) in kids.iter().enumerate().rev() {
                stack.push((k, child_prefix.clone(), i + 1 == kids.len(), false));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_keeps_lines_within_width() {
        let text = "supervised: `billing-api` (prohibited) depends on `core-types` through \
                    `auth`; escalation capped at supervised";
        let lines = wrap(text, 40, "  ", "    ");
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| l.chars().count() <= 40));
        assert!(lines[1].starts_with("    "));
    }
}
