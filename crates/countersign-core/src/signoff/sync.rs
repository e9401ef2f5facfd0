//! `countersign sync`: share sign-offs with a remote without ever dropping one.
//!
//! One round: fetch the remote's notes into `refs/notes/remotes/REMOTE/countersign`, merge
//! them into the local `refs/notes/countersign` with git's line-union strategy
//! (`cat_sort_uniq`: every line of both sides, sorted, duplicates once — a sign-off is one
//! line, so none is lost), then push. A push the remote rejects because it moved meanwhile
//! starts a new round. The network goes through the `git` CLI so the user's credentials,
//! transports and hooks apply.

use std::path::Path;
use std::process::Command;

use super::notes::NOTES_REF;
use crate::{Error, Result};

/// How many fetch–merge–push rounds to try before giving up on a busy remote.
pub(crate) const MAX_ROUNDS: usize = 8;

/// What a sync did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// The remote had sign-offs, and they were merged in.
    pub merged_remote: bool,
    /// Local sign-offs were pushed.
    pub pushed: bool,
    /// Rounds needed (more than one when the remote moved during a push).
    pub rounds: usize,
}

/// Fetches, merges and pushes the sign-offs of the repository at `workdir` with `remote`.
pub fn sync(workdir: &Path, remote: &str) -> Result<SyncReport> {
    let tracking = format!("refs/notes/remotes/{remote}/countersign");
    let mut report = SyncReport::default();
    let mut last_push = String::new();
    for round in 1..=MAX_ROUNDS {
        report.rounds = round;
        let fetched = git(
            workdir,
            &[
                "fetch",
                "--quiet",
                remote,
                &format!("+{NOTES_REF}:{tracking}"),
            ],
        )?;
        if fetched.ok {
            merge(workdir, &tracking)?;
            report.merged_remote = true;
        } else if let Some(lock) = lock_race(&fetched.stderr) {
            return Err(lock);
        } else if !fetched.stderr.contains("couldn't find remote ref") {
            return Err(Error::Message(format!(
                "fetching sign-offs from {remote} failed: {}; check that the remote exists and you can fetch from it",
                fetched.stderr.trim()
            )));
        }
        if !git(workdir, &["rev-parse", "--verify", "--quiet", NOTES_REF])?.ok {
            // Nothing local to push (and nothing fetched): done.
            return Ok(report);
        }
        let pushed = git(
            workdir,
            &[
                "push",
                "--quiet",
                remote,
                &format!("{NOTES_REF}:{NOTES_REF}"),
            ],
        )?;
        if pushed.ok {
            report.pushed = true;
            return Ok(report);
        }
        if let Some(refused) = refused_by_remote(remote, &pushed.stderr) {
            return Err(refused);
        }
        last_push.clone_from(&pushed.stderr);
        let rejected = [
            "rejected",
            "fetch first",
            "non-fast-forward",
            "stale info",
            "cannot lock ref",
        ]
        .iter()
        .any(|s| pushed.stderr.contains(s));
        if !rejected {
            return Err(Error::Message(format!(
                "pushing sign-offs to {remote} failed: {}; your local sign-offs are safe in {NOTES_REF}",
                pushed.stderr.trim()
            )));
        }
    }
    Err(Error::Message(format!(
        "{remote} kept moving during {MAX_ROUNDS} attempts to push sign-offs; run `countersign sync {remote}` again (nothing was lost: local sign-offs stay in {NOTES_REF}); the last push said: {}",
        last_push.trim()
    )))
}

/// A push the remote itself refused — a hook, a protected ref, missing permission — rather
/// than lost to a race: git prints `! [remote rejected] REF -> REF (REASON)` and the remote's
/// own lines (`remote: …`). A retry cannot help, so the remote's words are shown. A remote
/// that could not lock or update the ref (`cannot lock ref`, its own race) is left to the
/// retry, whose last message then says what the remote said.
fn refused_by_remote(remote: &str, stderr: &str) -> Option<Error> {
    let rejected = stderr
        .lines()
        .find(|l| l.contains("[remote rejected]") || l.contains("[remote failure]"))?;
    // The remote lost a race for its own ref lock: a retry helps.
    if stderr.contains("cannot lock ref") || rejected.contains("failed to update ref") {
        return None;
    }
    let reason = rejected
        .rsplit_once('(')
        .map_or(rejected.trim(), |(_, r)| r.trim_end_matches(')').trim());
    let said: Vec<&str> = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("remote:"))
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let said = if said.is_empty() {
        String::new()
    } else {
        format!("; it said: {}", said.join(" / "))
    };
    Some(Error::Message(format!(
            "{remote} refused the push of sign-offs ({reason}){said}. Nothing was lost: your sign-offs stay in {NOTES_REF}. \
             Ask whoever runs {remote} to let {NOTES_REF} be pushed (a hook, a ref protection or your permissions decide it), then run `countersign sync {remote}` again"
    )))
}

/// Merges the fetched notes into the local notes with the line-union strategy.
fn merge(workdir: &Path, tracking: &str) -> Result<()> {
    let out = git(
        workdir,
        &[
            "notes",
            &format!("--ref={NOTES_REF}"),
            "merge",
            "--quiet",
            "-s",
            "cat_sort_uniq",
            tracking,
        ],
    )?;
    if out.ok {
        Ok(())
    } else if let Some(lock) = lock_race(&out.stderr) {
        Err(lock)
    } else {
        Err(Error::Message(format!(
            "merging the fetched sign-offs failed: {}; nothing was changed in {NOTES_REF}",
            out.stderr.trim()
        )))
    }
}

/// A git failure caused by a lock file in this repository (another `countersign sync`, or
/// any git command, is writing the same ref right now): a local race, not a remote problem.
fn lock_race(stderr: &str) -> Option<Error> {
    let locked = [
        "cannot lock ref",
        "Unable to create",
        "File exists",
        "another git process",
    ]
    .iter()
    .any(|s| stderr.contains(s));
    locked.then(|| {
        Error::Message(format!(
            "another git process in this repository (a second `countersign sync`?) holds the lock on \
             the sign-off notes ref ({}); wait for it to finish and run `countersign sync` again \
             (if nothing else is running, a crashed git left the .lock file named there: remove it)",
            crate::util::escape::text(stderr.trim(), "  ")
        ))
    })
}

pub(super) struct GitOutput {
    pub(super) ok: bool,
    pub(super) stderr: String,
}

/// Runs `git` in `workdir`; a notes merge needs an identity, so a neutral one is supplied
/// when the user has none configured.
pub(super) fn git(workdir: &Path, args: &[&str]) -> Result<GitOutput> {
    let mut cmd = Command::new("git");
    cmd.current_dir(workdir);
    let has_identity = Command::new("git")
        .current_dir(workdir)
        .args(["config", "user.email"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_identity {
        cmd.args([
            "-c",
            "user.name=countersign",
            "-c",
            "user.email=countersign@localhost",
        ]);
    }
    let out = cmd.args(args).output().map_err(|e| {
        Error::Message(format!(
            "running git failed: {e}; countersign sync needs the git command on PATH"
        ))
    })?;
    Ok(GitOutput {
        ok: out.status.success(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    })
}
