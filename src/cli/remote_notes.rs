//! A hint for sign-offs fetched but not merged: after a plain `git fetch` with init's refspec
//! the team's sign-offs sit in `refs/notes/remotes/REMOTE/countersign`, which nothing judges
//! (only `refs/notes/countersign` counts). When a commit without a sign-off here has a note
//! there, say so and name the command that merges them.

use crate::signoff::notes::NOTES_REF;
use crate::util::escape::line as esc;

/// The notice for `commits` (full ids of commits with no sign-off in [`NOTES_REF`]), or None
/// when no remote notes ref has a note on any of them.
pub fn hint(repo: &git2::Repository, commits: &[&str]) -> Option<String> {
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
        let Ok(oid) = git2::Oid::from_str(c) else {
            continue;
        };
        if let Some(r) = refs.iter().find(|r| repo.find_note(Some(r), oid).is_ok()) {
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
