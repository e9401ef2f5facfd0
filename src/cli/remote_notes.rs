//! Hints for sign-offs that are not where the gate reads them:
//!
//! - fetched but not merged: after a plain `git fetch` with init's refspec the team's
//!   sign-offs sit in `refs/notes/remotes/REMOTE/countersign`, which nothing judges (only
//!   `refs/notes/countersign` counts). When a commit without a sign-off here has a note there,
//!   say so and name the command that merges them;
//! - not fetched at all: a CI clone has no notes ref unless the job fetches it. "No sign-off
//!   is recorded" would then send a reviewer to sign again what is already signed, so the
//!   commits it concerns say the notes ref is missing and what fetches or pushes it.

use crate::model::CommitId;
use crate::review::Report;
use crate::signoff::notes::NOTES_REF;
use crate::signoff::ReviewState;
use crate::util::escape::line as esc;

/// The notice for `commits` (commits with no sign-off in [`NOTES_REF`]), or None when no
/// remote notes ref has a note on any of them.
pub fn hint(repo: &git2::Repository, commits: &[CommitId]) -> Option<String> {
    if commits.is_empty() {
        return None;
    }
    let refs: Vec<String> = repo
        .references_glob("refs/notes/remotes/*/countersign")
        .ok()?
        .filter_map(|r| r.ok().and_then(|r| r.name().ok().map(str::to_string)))
        .collect();
    let mut found = 0;
    let mut where_ = None;
    for c in commits {
        if let Some(r) = refs
            .iter()
            .find(|r| repo.find_note(Some(r), c.oid()).is_ok())
        {
            found += 1;
            where_.get_or_insert_with(|| r.clone());
        }
    }
    let r = where_?;
    Some(format!(
        "{found} commit{} without a sign-off in {NOTES_REF} {} sign-offs in {}, fetched but \
         not merged: run `countersign sync` to merge them",
        if found == 1 { "" } else { "s" },
        if found == 1 { "has" } else { "have" },
        esc(&r)
    ))
}

/// When [`NOTES_REF`] does not exist in `repo` and a commit of `report` fails for want of
/// approvals with no sign-off found: adds to each such commit's problems that the notes ref is
/// missing, and returns the notice for stderr (None when the ref exists or nothing needs it).
pub fn missing_notes_ref(repo: &git2::Repository, report: &mut Report) -> Option<String> {
    if repo.find_reference(NOTES_REF).is_ok() {
        return None;
    }
    let sentence = format!(
        "the notes ref {NOTES_REF} does not exist in this repository, so no sign-off could be \
         read: fetch it (git fetch origin +{NOTES_REF}:{NOTES_REF}) and check that the fetch \
         succeeded; if the remote has none, the signer has not pushed: they run `countersign \
         sync`"
    );
    let mut touched = 0;
    for c in report
        .commits
        .iter_mut()
        .filter(|c| !c.ok && c.signoffs.is_empty() && c.state == ReviewState::NeedsSignoff)
    {
        c.problems.push(sentence.clone());
        touched += 1;
    }
    (touched > 0).then(|| {
        format!(
            "{touched} commit{} without a sign-off: {sentence}",
            if touched == 1 { "" } else { "s" }
        )
    })
}
