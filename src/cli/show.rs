//! `countersign show`: every sign-off on a commit with its verdict under the trusted roster.

use std::io::Write;
use std::path::Path;

use super::args::{Format, ShowArgs};
use super::style::{finish, write_json};
use super::{Context, EXIT_OK};
use crate::git::{short_id, CommitChange, LoadDepth};
use crate::signoff::SignoffVerdict;
use crate::util::escape::{clip, line as esc, text};

/// How many unreadable note lines `show` prints in full before counting the rest.
const MAX_UNREADABLE_SHOWN: usize = 5;
/// How much of one problem sentence `show` prints (it may quote a hostile payload).
const MAX_PROBLEM_CHARS: usize = 300;
use crate::{Error, Result};

/// Runs `show`.
pub fn run(cwd: &Path, args: &ShowArgs) -> Result<i32> {
    let ctx = Context::open(cwd)?;
    let trusted_ref = ctx.trusted_ref(args.trust.trusted_ref.as_deref())?;
    let mut assessor = ctx.assessor(&trusted_ref)?;
    let oid = ctx
        .repo
        .revparse_single(&args.commit)
        .and_then(|o| o.peel_to_commit())
        .map_err(|e| Error::UnknownRevision {
            spec: args.commit.clone(),
            reason: e.message().to_string(),
        })?
        .id();
    let commit = CommitChange::load(&ctx.repo, oid, LoadDepth::Files)?;
    let a = assessor.assess(&commit)?;
    let mut out = std::io::stdout().lock();
    let written = match args.format {
        Format::Json => write_json(&mut out, &a.signoffs),
        Format::Text => write_text(&mut out, &commit, &a.signoffs, &trusted_ref),
    };
    finish(written, EXIT_OK)
}

/// Writes each sign-off with its verdict; principals, comments and problems are escaped, and
/// a comment's later lines are indented under it.
fn write_text(
    out: &mut impl Write,
    commit: &CommitChange,
    signoffs: &[SignoffVerdict],
    trusted_ref: &str,
) -> std::io::Result<()> {
    writeln!(
        out,
        "{} sign-off{} on {} {} (checked against the roster on {})",
        signoffs.len(),
        if signoffs.len() == 1 { "" } else { "s" },
        short_id(&commit.id),
        esc(&commit.summary),
        esc(trusted_ref),
    )?;
    let mut hidden = 0usize;
    for s in signoffs {
        if !s.valid && s.principal.is_none() {
            // Unreadable lines: a few in full, the rest counted (a note can hold 200,000).
            hidden += 1;
            if hidden > MAX_UNREADABLE_SHOWN {
                continue;
            }
        }
        let verdict = match (s.valid, s.counts) {
            (true, true) => "valid, counts",
            (true, false) => "valid, does not count",
            (false, _) => "INVALID",
        };
        writeln!(
            out,
            "  {:<8} {:<24} {:<21} {verdict}",
            s.decision.map_or("?", |d| d.name()),
            esc(&s.who()),
            esc(s.timestamp.as_deref().unwrap_or("?")),
        )?;
        if let Some(fp) = &s.key_fingerprint {
            writeln!(out, "           key {}", esc(fp))?;
        }
        if let Some(c) = s.comment.as_deref().filter(|c| !c.is_empty()) {
            writeln!(
                out,
                "           comment: {}",
                text(c, "                    ")
            )?;
        }
        if let Some(why) = &s.not_counted {
            writeln!(out, "           does not count: {}", esc(why))?;
        }
        for p in &s.problems {
            writeln!(
                out,
                "           invalid: {}",
                esc(&clip(p, MAX_PROBLEM_CHARS))
            )?;
        }
    }
    if hidden > MAX_UNREADABLE_SHOWN {
        writeln!(
            out,
            "  … and {} more unreadable line{} like these (`--format json` lists every one)",
            hidden - MAX_UNREADABLE_SHOWN,
            if hidden - MAX_UNREADABLE_SHOWN == 1 {
                ""
            } else {
                "s"
            }
        )?;
    }
    Ok(())
}
