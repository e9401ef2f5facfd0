//! `countersign show`: every sign-off on a commit with its verdict under the trusted roster.

use std::io::Write;
use std::path::Path;

use super::args::{Format, ShowArgs};
use super::style::{finish, write_json};
use super::{Context, EXIT_OK};
use crate::git::{short_id, CommitChange, LoadDepth};
use crate::signoff::SignoffVerdict;
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

fn write_text(
    out: &mut impl Write,
    commit: &CommitChange,
    signoffs: &[SignoffVerdict],
    trusted_ref: &str,
) -> std::io::Result<()> {
    writeln!(
        out,
        "{} sign-off{} on {} {} (checked against the roster on {trusted_ref})",
        signoffs.len(),
        if signoffs.len() == 1 { "" } else { "s" },
        short_id(&commit.id),
        commit.summary
    )?;
    for s in signoffs {
        let verdict = match (s.valid, s.counts) {
            (true, true) => "valid, counts",
            (true, false) => "valid, does not count",
            (false, _) => "INVALID",
        };
        writeln!(
            out,
            "  {:<8} {:<24} {:<21} {verdict}",
            s.decision.map_or("?", |d| d.name()),
            s.who(),
            s.timestamp.as_deref().unwrap_or("?"),
        )?;
        if let Some(fp) = &s.key_fingerprint {
            writeln!(out, "           key {fp}")?;
        }
        if let Some(c) = s.comment.as_deref().filter(|c| !c.is_empty()) {
            writeln!(out, "           comment: {c}")?;
        }
        if let Some(why) = &s.not_counted {
            writeln!(out, "           does not count: {why}")?;
        }
        for p in &s.problems {
            writeln!(out, "           invalid: {p}")?;
        }
    }
    Ok(())
}
