//! The notes store: every sign-off on a commit, one per line, in the note that
//! `refs/notes/countersign` attaches to it.
//!
//! Appending never loses a line. Each attempt reads the notes ref's current tip, builds a new
//! notes commit whose parent is that tip (the note's old lines plus the new ones), and moves
//! the ref only if it still points at that tip (a compare-and-swap under git's ref lock). If
//! another writer got there first the attempt is thrown away and redone on the new tip. The
//! ref is never moved to anything but a complete commit, so it is never half-written.
//!
//! Lines stay independent one-line JSON objects, so git's own
//! `git notes --ref=countersign merge -s cat_sort_uniq` merges two clones' notes losslessly.

use std::time::Duration;

use git2::{ErrorCode, Oid, Repository};

use crate::{Error, Result};

/// The notes ref holding sign-offs.
pub const NOTES_REF: &str = "refs/notes/countersign";

/// How many times an append is retried when other writers keep winning the race.
const MAX_ATTEMPTS: u32 = 200;

/// The lines of the note on `commit` (empty when there is none), blank lines dropped.
pub fn read_lines(repo: &Repository, commit: Oid) -> Result<Vec<String>> {
    match repo.find_note(Some(NOTES_REF), commit) {
        Ok(note) => Ok(split_lines(note.message_bytes())),
        Err(e) if e.code() == ErrorCode::NotFound => Ok(Vec::new()),
        Err(e) => Err(Error::git(format!(
            "reading the countersign note on {commit}"
        ))(e)),
    }
}

/// Every note on the notes ref: (annotated commit, lines). One pass over the notes tree, for
/// verifying long ranges.
pub fn read_all(repo: &Repository) -> Result<std::collections::HashMap<Oid, Vec<String>>> {
    let mut all = std::collections::HashMap::new();
    let notes = match repo.notes(Some(NOTES_REF)) {
        Ok(n) => n,
        Err(e) if e.code() == ErrorCode::NotFound => return Ok(all),
        Err(e) => return Err(Error::git("listing countersign notes")(e)),
    };
    for item in notes {
        let (blob_id, commit) = item.map_err(Error::git("listing countersign notes"))?;
        let blob = repo.find_blob(blob_id).map_err(Error::git(format!(
            "reading the countersign note on {commit}"
        )))?;
        all.insert(commit, split_lines(blob.content()));
    }
    Ok(all)
}

fn split_lines(bytes: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(bytes)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// One commit's new note lines.
#[derive(Clone, Debug)]
pub struct Append {
    /// The annotated commit.
    pub commit: Oid,
    /// Lines to add (each one line, no newline); lines already present are not repeated.
    pub lines: Vec<String>,
}

/// Appends lines to the notes of several commits in one notes commit, with compare-and-swap
/// on the notes ref and retries on a race. Returns the new notes commit id.
pub fn append(repo: &Repository, appends: &[Append], message: &str) -> Result<Oid> {
    let signature = notes_signature(repo)?;
    let mut last_error = None;
    for attempt in 0..MAX_ATTEMPTS {
        let tip = current_tip(repo)?;
        let new_commit = build_commit(repo, tip, appends, &signature, message)?;
        if Some(new_commit) == tip {
            return Ok(new_commit);
        }
        match update_ref(repo, tip, new_commit, message) {
            Ok(()) => return Ok(new_commit),
            Err(e) if is_race(&e) => {
                last_error = Some(e);
                // Back off a little, more with each loss, with jitter from the attempt count
                // and process id so racing writers spread out.
                let jitter = (std::process::id() as u64 * 7 + attempt as u64 * 13) % 10;
                std::thread::sleep(Duration::from_millis((1 + attempt as u64).min(20) + jitter));
            }
            Err(e) => return Err(Error::git(format!("updating {NOTES_REF}"))(e)),
        }
    }
    Err(Error::Message(format!(
        "{NOTES_REF} kept changing under countersign ({MAX_ATTEMPTS} attempts); nothing was \
         written; try again{}",
        last_error.map_or(String::new(), |e| format!(" (last: {})", e.message()))
    )))
}

/// The notes ref's current target, None when it does not exist yet.
fn current_tip(repo: &Repository) -> Result<Option<Oid>> {
    match repo.find_reference(NOTES_REF) {
        Ok(r) => match r.target() {
            Some(id) => Ok(Some(id)),
            None => Err(Error::Message(format!(
                "{NOTES_REF} is a symbolic reference; countersign expects it to point at a \
                 notes commit"
            ))),
        },
        Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
        Err(e) => Err(Error::git(format!("reading {NOTES_REF}"))(e)),
    }
}

/// Moves the notes ref from `old` to `new`, failing if it no longer points at `old` (or, when
/// `old` is None, if someone created it meanwhile).
fn update_ref(
    repo: &Repository,
    old: Option<Oid>,
    new: Oid,
    message: &str,
) -> std::result::Result<(), git2::Error> {
    // libgit2 compares the old value under the ref's lock; a zero id means "must not exist".
    let expected = old.unwrap_or(Oid::ZERO_SHA1);
    repo.reference_matching(NOTES_REF, new, true, expected, message)
        .map(drop)
}

/// Errors that mean "another writer moved or held the ref": retry.
fn is_race(e: &git2::Error) -> bool {
    matches!(
        e.code(),
        ErrorCode::Modified | ErrorCode::Exists | ErrorCode::Locked
    ) || e.message().contains("lock")
}

/// Who the notes commit is by: the repository's user, else `countersign`.
fn notes_signature(repo: &Repository) -> Result<git2::Signature<'static>> {
    repo.signature()
        .map(|s| s.to_owned())
        .or_else(|_| git2::Signature::now("countersign", "countersign@localhost"))
        .map_err(Error::git("making the notes commit's signature"))
}

/// Builds (but does not publish) a notes commit on top of `tip` with `appends` added.
fn build_commit(
    repo: &Repository,
    tip: Option<Oid>,
    appends: &[Append],
    signature: &git2::Signature<'_>,
    message: &str,
) -> Result<Oid> {
    let parent = match tip {
        Some(id) => Some(
            repo.find_commit(id)
                .map_err(Error::git(format!("reading the notes commit {id}")))?,
        ),
        None => None,
    };
    let mut tree_id = match &parent {
        Some(p) => Some(p.tree().map_err(Error::git("reading the notes tree"))?.id()),
        None => None,
    };
    for a in appends {
        let hex = a.commit.to_string();
        let existing = match tree_id {
            Some(t) => find_note_blob(repo, t, &hex)?,
            None => None,
        };
        let mut lines = match existing {
            Some(blob) => split_lines(
                repo.find_blob(blob)
                    .map_err(Error::git(format!("reading the note on {hex}")))?
                    .content(),
            ),
            None => Vec::new(),
        };
        let mut changed = false;
        for l in &a.lines {
            if !lines.contains(l) {
                lines.push(l.clone());
                changed = true;
            }
        }
        if !changed {
            continue;
        }
        let mut text = lines.join("\n");
        text.push('\n');
        let blob = repo
            .blob(text.as_bytes())
            .map_err(Error::git("writing a note"))?;
        tree_id = Some(put_note(repo, tree_id, &hex, blob)?);
    }
    if let (Some(p), Some(t)) = (&parent, tree_id) {
        if p.tree_id() == t {
            // Every line was already there: nothing to write.
            return Ok(p.id());
        }
    }
    let tree_id = match tree_id {
        Some(t) => t,
        None => repo
            .treebuilder(None)
            .and_then(|b| b.write())
            .map_err(Error::git("writing an empty notes tree"))?,
    };
    let tree = repo
        .find_tree(tree_id)
        .map_err(Error::git("reading the new notes tree"))?;
    let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
    repo.commit(None, signature, signature, message, &tree, &parents)
        .map_err(Error::git("writing the notes commit"))
}

/// Finds the note blob for commit `hex` in notes tree `tree`, whatever its fan-out
/// (`abcd…`, `ab/cd…`, `ab/cd/ef…`).
fn find_note_blob(repo: &Repository, tree: Oid, hex: &str) -> Result<Option<Oid>> {
    let tree = repo
        .find_tree(tree)
        .map_err(Error::git("reading the notes tree"))?;
    if let Some(e) = tree.get_name(hex) {
        return Ok((e.kind() == Some(git2::ObjectType::Blob)).then(|| e.id()));
    }
    if hex.len() > 2 {
        if let Some(e) = tree.get_name(&hex[..2]) {
            if e.kind() == Some(git2::ObjectType::Tree) {
                return find_note_blob(repo, e.id(), &hex[2..]);
            }
        }
    }
    Ok(None)
}

/// Writes `blob` as the note for `hex` into `tree` (None: empty), replacing any note it has,
/// following the tree's existing fan-out; returns the new tree id.
fn put_note(repo: &Repository, tree: Option<Oid>, hex: &str, blob: Oid) -> Result<Oid> {
    let existing = match tree {
        Some(t) => Some(
            repo.find_tree(t)
                .map_err(Error::git("reading the notes tree"))?,
        ),
        None => None,
    };
    let mut builder = repo
        .treebuilder(existing.as_ref())
        .map_err(Error::git("building the notes tree"))?;
    let fanout = existing.as_ref().and_then(|t| {
        if t.get_name(hex).is_some() || hex.len() <= 2 {
            return None;
        }
        t.get_name(&hex[..2])
            .filter(|e| e.kind() == Some(git2::ObjectType::Tree))
            .map(|e| e.id())
    });
    match fanout {
        Some(sub) => {
            let new_sub = put_note(repo, Some(sub), &hex[2..], blob)?;
            builder
                .insert(&hex[..2], new_sub, 0o040000)
                .map_err(Error::git("building the notes tree"))?;
        }
        None => {
            builder
                .insert(hex, blob, 0o100644)
                .map_err(Error::git("building the notes tree"))?;
        }
    }
    builder
        .write()
        .map_err(Error::git("writing the notes tree"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo_with_commit() -> (tempfile::TempDir, Repository, Oid) {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let sig = git2::Signature::new("t", "t@example.com", &git2::Time::new(1, 0)).unwrap();
        let tree = repo.treebuilder(None).unwrap().write().unwrap();
        let commit = {
            let tree = repo.find_tree(tree).unwrap();
            repo.commit(None, &sig, &sig, "c", &tree, &[]).unwrap()
        };
        (dir, repo, commit)
    }

    #[test]
    fn appends_into_an_existing_fanned_out_note() {
        let (_dir, repo, commit) = repo_with_commit();
        let hex = commit.to_string();
        // A notes tree as git writes it once it fans out: `ab/cdef…`.
        let blob = repo.blob(b"old line\n").unwrap();
        let mut sub = repo.treebuilder(None).unwrap();
        sub.insert(&hex[2..], blob, 0o100644).unwrap();
        let sub = sub.write().unwrap();
        let mut root = repo.treebuilder(None).unwrap();
        root.insert(&hex[..2], sub, 0o040000).unwrap();
        let root = repo.find_tree(root.write().unwrap()).unwrap();
        let sig = git2::Signature::new("t", "t@example.com", &git2::Time::new(2, 0)).unwrap();
        let tip = repo.commit(None, &sig, &sig, "notes", &root, &[]).unwrap();
        repo.reference(NOTES_REF, tip, false, "test").unwrap();

        append(
            &repo,
            &[Append {
                commit,
                lines: vec!["new line".into(), "old line".into()],
            }],
            "append",
        )
        .unwrap();
        assert_eq!(read_lines(&repo, commit).unwrap(), ["old line", "new line"]);
        let tree = repo
            .find_reference(NOTES_REF)
            .unwrap()
            .peel_to_commit()
            .unwrap()
            .tree()
            .unwrap();
        assert_eq!(tree.len(), 1, "no flat duplicate beside the fan-out");
        assert!(tree.get_name(&hex[..2]).is_some());
    }

    #[test]
    fn first_append_creates_the_ref_and_repeats_are_not_duplicated() {
        let (_dir, repo, commit) = repo_with_commit();
        assert!(read_lines(&repo, commit).unwrap().is_empty());
        let one = Append {
            commit,
            lines: vec!["a".into()],
        };
        let first = append(&repo, &[one.clone()], "first").unwrap();
        assert_eq!(append(&repo, &[one], "again").unwrap(), first);
        assert_eq!(read_lines(&repo, commit).unwrap(), ["a"]);
        let tip = repo.find_reference(NOTES_REF).unwrap().target().unwrap();
        assert_eq!(tip, first, "nothing new, no new notes commit");
    }
}
