//! `countersign report [RANGE]`: the pattern over history ([`crate::pattern`]) as one HTML
//! page, Markdown or JSON, to stdout or `-o FILE`. Exit 0, or 2 on an error.

use std::io::Write;
use std::path::Path;

use super::args::{ReportArgs, ReportFormat};
use super::progress::Progress;
use super::style::{finish, write_json};
use super::{Context, EXIT_OK};
use crate::output::{report_html, report_markdown};
use crate::pattern::{self, ReportOptions};
use crate::review::resolve_trusted;
use crate::{Error, Result};

/// Runs `report`.
pub fn run(cwd: &Path, args: &ReportArgs) -> Result<i32> {
    let since = match &args.since {
        None => None,
        Some(s) => Some(
            chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
                Error::Message(format!(
                    "`--since {}` is not a date: write YYYY-MM-DD, e.g. --since 2026-01-31",
                    crate::util::escape::line(s)
                ))
            })?,
        ),
    };
    let ctx = Context::open(cwd)?;
    let repo = &ctx.repo;
    let trusted = resolve_trusted(repo, args.trust.trusted_ref.as_deref())?;
    let (commits, range) = match args.range.as_deref() {
        Some(spec) if spec.contains("..") => {
            let r = crate::git::resolve_range(repo, spec)?;
            (r.commits, r.description)
        }
        Some(rev) => (
            history(repo, crate::git::resolve_rev(repo, rev)?.commit)?,
            format!("the history of {rev}"),
        ),
        None => (
            history(repo, trusted.commit)?,
            format!("the history of {}", trusted.name),
        ),
    };
    let opts = ReportOptions {
        since,
        fix_window_days: args.fix_window,
    };
    let mut progress = Progress::new("report", false);
    let report = pattern::build(repo, &trusted, commits, &range, &opts, &mut |what, i, n| {
        progress.tick_phase(what, i, n)
    })?;
    progress.finish();
    let mut bytes = Vec::new();
    match args.format {
        ReportFormat::Json => write_json(&mut bytes, &report)
            .map_err(|e| Error::Message(format!("writing the report failed: {e}")))?,
        ReportFormat::Html => bytes.extend(report_html::render(&report).into_bytes()),
        ReportFormat::Markdown => bytes.extend(report_markdown::render(&report).into_bytes()),
    }
    match &args.output {
        Some(path) => {
            std::fs::write(path, &bytes).map_err(|e| {
                Error::Message(format!(
                    "cannot write the report to {}: {e}; name a file in a directory you can write",
                    path.display()
                ))
            })?;
            Ok(EXIT_OK)
        }
        None => {
            let mut out = std::io::stdout().lock();
            finish(out.write_all(&bytes).and_then(|()| out.flush()), EXIT_OK)
        }
    }
}

/// Every commit reachable from `tip`, oldest first (parents before children).
fn history(repo: &git2::Repository, tip: git2::Oid) -> Result<Vec<git2::Oid>> {
    let mut walk = repo.revwalk().map_err(Error::git("walking history"))?;
    walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::REVERSE)
        .map_err(Error::git("walking history"))?;
    walk.push(tip).map_err(Error::git("walking history"))?;
    walk.map(|id| id.map_err(Error::git("walking history")))
        .collect()
}
