//! `countersign show`: every sign-off on a commit with its verdict under the trusted roster.

use std::io::Write;
use std::path::Path;

use super::args::{Format, ShowArgs};
use super::style::{finish, write_json};
use super::{notify, Context, EXIT_OK};
use crate::git::{short_id, CommitChange};
use crate::review::{Purpose, Review};
use crate::signoff::SignoffVerdict;
use crate::{Error, Result};

/// One element of `show --format json`: the sign-off and the trusted ref and commit whose
/// roster judged it (arrays stay arrays; elements gain fields).
#[derive(serde::Serialize)]
struct ShowRow<'a> {
    #[serde(flatten)]
    signoff: &'a SignoffVerdict,
    trusted_ref: &'a str,
    trusted_commit: String,
}

/// Runs `show`.
pub fn run(cwd: &Path, args: &ShowArgs) -> Result<i32> {
    let ctx = Context::open(cwd)?;
    if args.commit.contains("..") {
        return Err(Error::UnknownRevision {
            spec: args.commit.clone(),
            reason: "show takes one commit, not a range; use `countersign status A..B` for a \
                     range"
                .to_string(),
        });
    }
    let mut review = Review::open(
        &ctx.repo,
        args.trust.select(Some(&args.commit)),
        Purpose::Triage,
    )?;
    notify(&review.notices);
    let a = review
        .assess_all()?
        .pop()
        .ok_or_else(|| Error::Message(format!("`{}` names no commit", args.commit)))?;
    let Some(commit) = review.changes.commits.first() else {
        return Err(Error::Message(format!("`{}` names no commit", args.commit)));
    };
    let mut out = std::io::stdout().lock();
    let written = match args.format {
        Format::Json => {
            let rows: Vec<ShowRow<'_>> = a
                .signoffs
                .iter()
                .map(|signoff| ShowRow {
                    signoff,
                    trusted_ref: &review.trusted.name,
                    trusted_commit: review.trusted.commit.to_string(),
                })
                .collect();
            write_json(&mut out, &rows)
        }
        Format::Text => write_text(&mut out, commit, &a.signoffs, &review.trusted.display()),
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
