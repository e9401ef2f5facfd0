//! `countersign sync [REMOTE]`: fetch, merge and push sign-offs.

use std::path::Path;

use super::{Context, EXIT_OK};
use crate::util::escape::line as esc;
use crate::util::pipe::Printer;
use crate::{Error, Result};

/// Runs `sync`.
pub fn run(cwd: &Path, remote: &str) -> Result<i32> {
    let ctx = Context::open(cwd)?;
    let workdir = ctx
        .repo
        .workdir()
        .ok_or_else(|| Error::BareRepository(ctx.repo.path().to_path_buf()))?;
    if ctx.repo.find_remote(remote).is_err() {
        return Err(Error::Message(format!(
            "there is no remote `{remote}`: name one of `git remote`'s, e.g. `countersign sync origin`"
        )));
    }
    let report = crate::signoff::sync::sync(workdir, remote)?;
    let what = match (report.merged_remote, report.pushed) {
        (true, true) => format!("merged {remote}'s sign-offs and pushed the union"),
        (true, false) => format!("merged {remote}'s sign-offs (nothing local to push)"),
        (false, true) => format!("pushed local sign-offs ({remote} had none)"),
        (false, false) => "no sign-offs on either side yet".to_string(),
    };
    let rounds = if report.rounds > 1 {
        format!(
            " after {} rounds (the remote moved meanwhile)",
            report.rounds
        )
    } else {
        String::new()
    };
    let mut out = Printer::stdout();
    out.line(format_args!("countersign sync: {}{rounds}", esc(&what)));
    let refs = line_notes_refs(&ctx.repo);
    for line in crate::signoff::line_notes_sync::sync(workdir, remote, &refs) {
        if line.ends_with(crate::signoff::line_notes_sync::NOTHING) {
            continue;
        }
        out.line(format_args!("  line provenance {}", esc(&line)));
    }
    out.finish(EXIT_OK)
}

/// The notes refs the trusted policy's `[ai] line_notes` names (the default where no
/// policy can be read: sync shares notes, it does not judge with them).
fn line_notes_refs(repo: &git2::Repository) -> Vec<String> {
    crate::review::resolve_trusted(repo, None)
        .and_then(|t| crate::policy::load_trusted_at(repo, t.commit, &t.name))
        .map(|t| t.policy.ai.line_notes)
        .unwrap_or_else(|_| vec![crate::policy::defaults::LINE_NOTES.to_string()])
}
