//! `countersign show`: every sign-off on a commit with its verdict under the trusted roster.

use std::io::Write;
use std::path::Path;

use super::args::{Format, ShowArgs};
use super::style::{finish, write_json};
use super::{notify, Context, EXIT_OK};
use crate::git::CommitChange;
use crate::model::clip;
use crate::review::{Purpose, Review};
use crate::signoff::SignoffVerdict;
use crate::util::escape::{line as esc, text};

/// How many unreadable note lines `show` prints in full before counting the rest.
const MAX_UNREADABLE_SHOWN: usize = 5;
/// How much of one problem sentence `show` prints (it may quote a hostile payload).
const MAX_PROBLEM_CHARS: usize = 300;
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
    let _pager = super::pager::start(args.format == Format::Text)?;
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
        commit.id.short(),
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
