//! `countersign verify`: the CI gate. Every AI commit of the range must carry the sign-offs
//! its tier demands under the policy and roster of the trusted ref.

use std::io::Write;
use std::path::Path;

use super::args::{VerifyArgs, VerifyFormat};
use super::progress::Progress;
use super::style::{colour_stdout, fit, known_width, paint, state_colour, tier_colour, wrap};
use super::style::{finish, write_json};
use super::{Context, EXIT_OK, EXIT_VIOLATION};
use crate::git::short_id;
use crate::model::CommitId;
use crate::output::ci;
use crate::output::summary;
pub use crate::review::{CommitReport, Report};
use crate::review::{Purpose, Review};
use crate::util::escape::line as esc;
use crate::Result;

/// Runs `verify`: 0 all pass, 1 any violation; errors (bad policy, unknown revspec) are 2.
pub fn run(cwd: &Path, args: &VerifyArgs) -> Result<i32> {
    crate::git::limit_object_cache();
    let ctx = Context::open(cwd)?;
    let anchored = match &args.notes_anchor {
        Some(file) => Some((file, super::notes_anchor::check(&ctx.repo, file)?)),
        None => None,
    };
    let mut review = Review::open(&ctx.repo, args.selection(), Purpose::Gate)?;
    // Replacements git honours at checkout are named even by the gate (the other notices
    // are for people at a terminal).
    let replaced: Vec<String> = review
        .notices
        .iter()
        .filter(|n| n.contains(" replaces "))
        .cloned()
        .collect();
    super::notify(&replaced);
    let mut progress = Progress::new("verifying", args.format != VerifyFormat::Text);
    let report = review.report_with(&mut |done, total, c| progress.tick(done, total, c))?;
    progress.finish();
    let mut report = report;
    let missing = super::remote_notes::missing_notes_ref(&ctx.repo, &mut report);
    let unsigned: Vec<CommitId> = report
        .commits
        .iter()
        .filter(|c| !c.ok && c.signoffs.is_empty())
        .map(|c| c.commit)
        .collect();
    super::notify(
        &missing
            .into_iter()
            .chain(super::remote_notes::hint(&ctx.repo, &unsigned))
            .collect::<Vec<_>>(),
    );
    let code = if report.ok { EXIT_OK } else { EXIT_VIOLATION };
    if let Some((file, tip)) = anchored {
        super::notes_anchor::record(file, tip)?;
    }
    let _pager = super::pager::start(args.format == VerifyFormat::Text)?;
    let mut out = std::io::stdout().lock();
    let written = match args.format {
        VerifyFormat::Json => write_json(&mut out, &report),
        VerifyFormat::Text => write_text(&mut out, &report),
        VerifyFormat::Github => ci::github(&mut out, &report, &ctx.repo),
        VerifyFormat::Junit => ci::junit(&mut out, &report),
        VerifyFormat::Markdown => {
            let impact = review.impact(&crate::impact::Options::default());
            out.write_all(
                summary::markdown(&report, impact.as_ref().map_err(|e| e.to_string())).as_bytes(),
            )
        }
    };
    finish(written, code)
}

/// The text report; subjects, agent names and problems (which quote paths and principals)
/// are escaped, so no line of it can be forged or rubbed out by the branch under review.
fn write_text(out: &mut impl Write, r: &Report) -> std::io::Result<()> {
    let on = colour_stdout();
    let failed = r.commits.iter().filter(|c| !c.ok).count();
    let head = format!(
        "countersign verify: {} commit{} in {}, judged by the policy and roster on {} ({})",
        r.commits.len(),
        if r.commits.len() == 1 { "" } else { "s" },
        esc(&r.range),
        esc(&r.trusted_ref),
        short_id(&r.trusted_commit)
    );
    // Fitted to a known width (a terminal, COLUMNS); a pipe or a CI log gets whole lines.
    let width = known_width();
    match width {
        Some(w) => {
            for line in wrap(&head, w, "", "  ") {
                writeln!(out, "{line}")?;
            }
        }
        None => writeln!(out, "{head}")?,
    }
    if r.commits.is_empty() {
        return writeln!(
            out,
            "verify: OK (nothing to judge: the range has no commits)"
        );
    }
    for c in &r.commits {
        let by =
            c.ai.as_ref()
                .map_or("human".to_string(), |a| esc(&a.agent).into_owned());
        let need = if c.required > 0 {
            format!("  {}/{} approvals", c.approvals, c.required)
        } else {
            String::new()
        };
        // The subject takes what the columns before it leave of the width.
        let used = 4 + 1 + 7 + 2 + 10 + 2 + 10 + 2 + 13 + need.chars().count() + 2;
        let summary = match width {
            Some(w) => fit(&esc(&c.summary), w.saturating_sub(used).max(12)),
            None => esc(&c.summary).into_owned(),
        };
        writeln!(
            out,
            "{} {}  {:<10}  {}  {}{need}  {}",
            if c.ok {
                paint(on, "32", "ok  ")
            } else {
                paint(on, "1;31", "FAIL")
            },
            c.commit.short(),
            by,
            paint(on, tier_colour(c.tier), &format!("{:<10}", c.tier.name())),
            paint(
                on,
                state_colour(c.state),
                &format!("{:<13}", c.state.name())
            ),
            summary.trim_end()
        )?;
        for p in &c.problems {
            match width {
                Some(w) => {
                    for line in wrap(&esc(p), w, "       ", "         ") {
                        writeln!(out, "{line}")?;
                    }
                }
                None => writeln!(out, "       {}", esc(p))?,
            }
        }
        if let Some(lines) = c.ai.as_ref().and_then(|a| a.lines.as_ref()) {
            if !lines.sole_evidence {
                writeln!(out, "       also: {}", esc(&lines.sentence()))?;
            }
        }
        for p in &c.line_note_problems {
            writeln!(out, "       warning: {}", esc(p))?;
        }
        for f in &c.checkout_attributes {
            writeln!(out, "       warning: {}", esc(&f.sentence()))?;
        }
    }
    if failed == 0 {
        writeln!(out, "verify: {}", paint(on, "32", "OK"))
    } else {
        writeln!(
            out,
            "verify: {}: {failed} of {} commit{} may not ship",
            paint(on, "1;31", "FAILED"),
            r.commits.len(),
            if r.commits.len() == 1 { "" } else { "s" }
        )
    }
}
