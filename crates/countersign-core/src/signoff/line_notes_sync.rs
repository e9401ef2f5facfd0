//! `countersign sync` for the line-provenance notes refs (`[ai] line_notes`): fetch the
//! remote's, merge them into the local ref keeping the local note where both annotate one
//! commit (`git notes merge -s ours`, as git-ai itself merges: an authorship log is a whole
//! document, so a line union would garble it), then push.
//!
//! These refs are evidence that only ever raises a commit to AI, so a failure here is a
//! warning beside the sign-offs' sync, never a reason to stop it.

use std::path::Path;

/// What [`sync`] says of a ref neither side has.
pub const NOTHING: &str = "none on either side";

/// Syncs each of `refs` with `remote`; one sentence per ref saying what happened.
pub fn sync(workdir: &Path, remote: &str, refs: &[String]) -> Vec<String> {
    refs.iter()
        .map(|r| match sync_one(workdir, remote, r) {
            Ok(done) => format!("{r}: {done}"),
            Err(why) => format!("{r}: not synced ({why}); sign-offs are not affected"),
        })
        .collect()
}

fn sync_one(workdir: &Path, remote: &str, notes_ref: &str) -> Result<&'static str, String> {
    let Some(name) = notes_ref.strip_prefix("refs/notes/") else {
        return Err("not a notes ref".to_string());
    };
    let tracking = format!("refs/notes/remotes/{remote}/{name}");
    let mut fetched = false;
    for _round in 0..4 {
        let fetch = git(
            workdir,
            &[
                "fetch",
                "--quiet",
                remote,
                &format!("+{notes_ref}:{tracking}"),
            ],
        )?;
        if fetch.0 {
            fetched = true;
            let merge = git(
                workdir,
                &[
                    "notes",
                    &format!("--ref={notes_ref}"),
                    "merge",
                    "--quiet",
                    "-s",
                    "ours",
                    &tracking,
                ],
            )?;
            if !merge.0 {
                return Err(format!("merging failed: {}", first_line(&merge.1)));
            }
        } else if !fetch.1.contains("couldn't find remote ref") {
            return Err(format!("fetching failed: {}", first_line(&fetch.1)));
        }
        if !git(workdir, &["rev-parse", "--verify", "--quiet", notes_ref])?.0 {
            return Ok(NOTHING);
        }
        let push = git(
            workdir,
            &[
                "push",
                "--quiet",
                remote,
                &format!("{notes_ref}:{notes_ref}"),
            ],
        )?;
        if push.0 {
            return Ok(if fetched {
                "merged and pushed"
            } else {
                "pushed (the remote had none)"
            });
        }
        if !["rejected", "fetch first", "non-fast-forward", "stale info"]
            .iter()
            .any(|s| push.1.contains(s))
        {
            return Err(format!("pushing failed: {}", first_line(&push.1)));
        }
    }
    Err("the remote kept moving".to_string())
}

fn first_line(s: &str) -> String {
    crate::util::escape::line(s.trim().lines().next().unwrap_or("")).into_owned()
}

/// `sync`'s git runner (a neutral identity for the notes merge where the user has none),
/// as whether it succeeded and its stderr.
fn git(workdir: &Path, args: &[&str]) -> Result<(bool, String), String> {
    super::sync::git(workdir, args)
        .map(|o| (o.ok, o.stderr))
        .map_err(|e| e.to_string())
}
