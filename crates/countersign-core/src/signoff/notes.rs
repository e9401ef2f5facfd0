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

use std::collections::BTreeMap;
use std::time::Duration;

use git2::{ErrorCode, Oid, Repository};

use crate::{Error, Result};

/// The notes ref holding sign-offs.
pub const NOTES_REF: &str = "refs/notes/countersign";

/// How many times an append is retried when other writers keep winning the race.
const MAX_ATTEMPTS: u32 = 200;

/// The lines of the note on `commit` (empty when there is none), blank lines dropped.
#[cfg(any(test, feature = "test-support"))]
pub fn read_lines(repo: &Repository, commit: Oid) -> Result<Vec<String>> {
    match repo.find_note(Some(NOTES_REF), commit) {
        Ok(note) => Ok(split_lines(note.message_bytes())),
        Err(e) if e.code() == ErrorCode::NotFound => Ok(Vec::new()),
        Err(e) => Err(Error::git(format!(
            "reading the countersign note on {commit}"
        ))(e)),
    }
}

/// Reads notes for many commits, parsing the notes tree once per notes-ref tip rather than
/// once per commit (libgit2 does not cache large trees, and a notes tree holds an entry per
/// signed commit). Each lookup still checks the ref, so lines signed meanwhile are seen.
pub struct NotesReader<'r> {
    repo: &'r Repository,
    cached: Option<(Oid, git2::Tree<'r>)>,
    /// For the notes tip of `.0`: every earlier version of each note (annotated commit's
    /// hex → blob ids) that a later notes commit changed or deleted.
    history: Option<(Oid, std::collections::HashMap<String, Vec<Oid>>)>,
    /// Set by [`NotesReader::pin`]: the notes tip every read uses (resolved by the first
    /// read), and the lines read so far by commit. Unset, each read follows the ref as it is
    /// then.
    pinned: Option<(Option<Option<Oid>>, LinesRead)>,
    /// Annotated commits with a note blob (now or in the history) over [`MAX_NOTE_BYTES`],
    /// left unread, with the biggest such size.
    oversized: std::collections::HashMap<Oid, u64>,
}

/// Note lines read so far, by annotated commit.
type LinesRead = std::collections::HashMap<Oid, Vec<String>>;

impl<'r> NotesReader<'r> {
    /// A reader over `repo`'s countersign notes.
    pub fn new(repo: &'r Repository) -> Self {
        NotesReader {
            repo,
            cached: None,
            history: None,
            pinned: None,
            oversized: std::collections::HashMap::new(),
        }
    }

    /// Reads the notes as they are now for the rest of this reader's life: one snapshot for
    /// a whole run (`verify`, `status`), which judges every commit against the same notes
    /// (a notes push landing mid-run changes nothing) and resolves the ref once instead of
    /// several times per commit.
    /// The ref is resolved by the first read, so that a run which reads no note fails on no
    /// notes ref it would not have read.
    pub fn pin(&mut self) {
        self.pinned = Some((None, std::collections::HashMap::new()));
    }

    /// The notes tip reads use: the pinned one, or the ref's current target.
    fn tip(&mut self) -> Result<Option<Oid>> {
        match &mut self.pinned {
            Some((Some(tip), _)) => Ok(*tip),
            Some((unresolved, _)) => {
                let tip = current_tip(self.repo)?;
                *unresolved = Some(tip);
                Ok(tip)
            }
            None => current_tip(self.repo),
        }
    }

    /// The lines of the note on `commit` (empty when there is none), blank lines dropped.
    pub fn lines(&mut self, commit: Oid) -> Result<Vec<String>> {
        if let Some(lines) = self.pinned.as_ref().and_then(|(_, read)| read.get(&commit)) {
            return Ok(lines.clone());
        }
        let lines = self.read_lines(commit)?;
        if let Some((_, read)) = &mut self.pinned {
            read.insert(commit, lines.clone());
        }
        Ok(lines)
    }

    fn read_lines(&mut self, commit: Oid) -> Result<Vec<String>> {
        let Some(tip) = self.tip()? else {
            return Ok(Vec::new());
        };
        if self.cached.as_ref().map(|(id, _)| *id) != Some(tip) {
            let tree = self
                .repo
                .find_commit(tip)
                .and_then(|c| c.tree())
                .map_err(Error::git(format!("reading the notes commit {tip}")))?;
            self.cached = Some((tip, tree));
        }
        let Some((_, tree)) = &self.cached else {
            return Ok(Vec::new());
        };
        // git reads every copy of a note (a flat `abcd…` entry beside a fanned-out
        // `ab/cd…` one) and shows them concatenated: so does countersign.
        let mut blobs = Vec::new();
        find_all_in_tree(self.repo, tree, &commit.to_string(), &mut blobs)?;
        if let [one] = blobs.as_slice() {
            return self.blob_lines(*one, commit);
        }
        let mut lines = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for blob in blobs {
            for l in self.blob_lines(blob, commit)? {
                if seen.insert(l.clone()) {
                    lines.push(l);
                }
            }
        }
        Ok(lines)
    }

    /// The lines that were once in the note on `commit`, in any notes commit reachable from
    /// the notes ref's tip, and are no longer in it (someone who can push the notes ref
    /// rewrote the note without them). A shallow notes history is an error: what it cut off
    /// could hold a reject.
    pub fn removed_lines(&mut self, commit: Oid) -> Result<Vec<String>> {
        let Some(tip) = self.tip()? else {
            return Ok(Vec::new());
        };
        if self.history.as_ref().map(|(id, _)| *id) != Some(tip) {
            self.history = Some((tip, super::notes_history::earlier_versions(self.repo, tip)?));
        }
        let hex = commit.to_string();
        let old: Vec<Oid> = match &self.history {
            Some((_, h)) => h.get(&hex).cloned().unwrap_or_default(),
            None => Vec::new(),
        };
        if old.is_empty() {
            return Ok(Vec::new());
        }
        let mut seen: std::collections::HashSet<String> = self.lines(commit)?.into_iter().collect();
        let mut removed = Vec::new();
        for blob in old {
            for l in self.blob_lines(blob, commit)? {
                if seen.insert(l.clone()) {
                    removed.push(l);
                }
            }
        }
        Ok(removed)
    }

    /// Every line, in any note of the notes tree or in an earlier version the history holds,
    /// that records a reject (unverified: parsing only). What a rewrite's carried rejects
    /// are looked for in; each distinct note blob is read once, and one over the note cap
    /// is left to the commit it annotates (which it fails, see `MAX_NOTE_BYTES`).
    pub fn reject_lines(&mut self) -> Result<Vec<String>> {
        let Some(tip) = self.tip()? else {
            return Ok(Vec::new());
        };
        if self.history.as_ref().map(|(id, _)| *id) != Some(tip) {
            self.history = Some((tip, super::notes_history::earlier_versions(self.repo, tip)?));
        }
        let mut blobs: Vec<Oid> = Vec::new();
        let tree = self
            .repo
            .find_commit(tip)
            .and_then(|c| c.tree())
            .map_err(Error::git(format!("reading the notes commit {tip}")))?;
        tree.walk(git2::TreeWalkMode::PreOrder, |_, entry| {
            if entry.kind() == Some(git2::ObjectType::Blob) {
                blobs.push(entry.id());
            }
            git2::TreeWalkResult::Ok
        })
        .map_err(Error::git("reading the notes tree"))?;
        if let Some((_, h)) = &self.history {
            blobs.extend(h.values().flatten().copied());
        }
        let mut seen_blobs = std::collections::HashSet::new();
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        let odb = self
            .repo
            .odb()
            .map_err(Error::git("opening the object database"))?;
        for blob in blobs {
            if !seen_blobs.insert(blob) {
                continue;
            }
            match odb.read_header(blob) {
                Ok((size, _)) if size as u64 <= MAX_NOTE_BYTES => {}
                _ => continue,
            }
            let Ok(b) = self.repo.find_blob(blob) else {
                continue;
            };
            if memchr::memmem::find(b.content(), b"reject").is_none() {
                continue;
            }
            for line in split_lines(b.content()) {
                if line.contains("reject") && is_reject(&line) && seen.insert(line.clone()) {
                    out.push(line);
                }
            }
        }
        Ok(out)
    }

    /// The size of the biggest note blob on `commit` (its note now or an earlier version)
    /// that was over `MAX_NOTE_BYTES` and so was not read, if any was met.
    pub fn oversized(&self, commit: Oid) -> Option<u64> {
        self.oversized.get(&commit).copied()
    }

    /// The lines of note blob `blob` on `commit`; none for a blob over [`MAX_NOTE_BYTES`],
    /// whose size (read from the object header, before the content) is recorded instead.
    fn blob_lines(&mut self, blob: Oid, commit: Oid) -> Result<Vec<String>> {
        let read = Error::git(format!("reading the countersign note on {commit}"));
        let (size, _) = self
            .repo
            .odb()
            .and_then(|odb| odb.read_header(blob))
            .map_err(read)?;
        let size = size as u64;
        if size > MAX_NOTE_BYTES {
            let biggest = self.oversized.entry(commit).or_insert(size);
            *biggest = (*biggest).max(size);
            return Ok(Vec::new());
        }
        Ok(split_lines(
            self.repo
                .find_blob(blob)
                .map_err(Error::git(format!(
                    "reading the countersign note on {commit}"
                )))?
                .content(),
        ))
    }
}

/// The most bytes one note blob may hold (16 MiB): a bigger one, even only in the notes
/// ref's history, fails the commit it annotates, unread.
pub(crate) const MAX_NOTE_BYTES: u64 = 16 * 1024 * 1024;

/// Whether `line` is a record whose payload says reject (nothing verified).
fn is_reject(line: &str) -> bool {
    super::record::NoteLine::parse(line)
        .and_then(|r| super::record::Payload::parse(&r.payload))
        .is_ok_and(|p| p.decision == super::record::Decision::Reject)
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
            Err(e) if is_race(&e) && stuck(repo, &e).is_none() => {
                last_error = Some(e);
                // Back off a little, more with each loss, with jitter from the attempt count
                // and process id so racing writers spread out.
                let jitter = (std::process::id() as u64 * 7 + attempt as u64 * 13) % 10;
                std::thread::sleep(Duration::from_millis((1 + attempt as u64).min(20) + jitter));
            }
            Err(e) => {
                return Err(stuck(repo, &e)
                    .unwrap_or_else(|| Error::git(format!("updating {NOTES_REF}"))(e)))
            }
        }
    }
    let lock = repo.commondir().join("refs/notes/countersign.lock");
    if lock.exists() {
        return Err(Error::Message(format!(
            "{NOTES_REF} stayed locked by {} for {MAX_ATTEMPTS} attempts; nothing was written. \
             If no git or countersign is running in this repository, remove it (rm {}) and try again",
            lock.display(),
            crate::util::shell::quote(&lock.display().to_string())
        )));
    }
    Err(Error::Message(format!(
        "{NOTES_REF} kept changing under countersign ({MAX_ATTEMPTS} attempts); nothing was \
         written; try again{}",
        last_error.map_or(String::new(), |e| format!(" (last: {})", e.message()))
    )))
}

/// A lock file older than this was left by a git or countersign that died while writing.
const STALE_LOCK: Duration = Duration::from_secs(10);

/// A failure to move the notes ref that retrying cannot cure, as a sentence with the fix:
/// a stale `refs/notes/countersign.lock`, or a refs directory countersign may not write.
fn stuck(repo: &Repository, e: &git2::Error) -> Option<Error> {
    let dir = repo.commondir().join("refs").join("notes");
    let lock = dir.join("countersign.lock");
    let msg = e.message();
    // EACCES (a mode), EPERM (an immutable attribute), EROFS (a read-only mount).
    if [
        "ermission denied",
        "peration not permitted",
        "ead-only file system",
    ]
    .iter()
    .any(|m| msg.contains(m))
    {
        return Some(Error::Message(format!(
            "cannot write {NOTES_REF}: {} is not writable ({msg}); nothing was written. \
             Make it writable for this user (e.g. chown or chmod u+w {}), or sign from a clone you own",
            dir.display(),
            crate::util::shell::quote(&dir.display().to_string())
        )));
    }
    let age = std::fs::symlink_metadata(&lock)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())?;
    (age > STALE_LOCK).then(|| {
        Error::Message(format!(
            "{NOTES_REF} is locked by {} (left {} s ago by a git or countersign that did not finish); nothing was written. \
             If no git or countersign is running in this repository, remove it (rm {}) and try again",
            lock.display(),
            age.as_secs(),
            crate::util::shell::quote(&lock.display().to_string())
        ))
    })
}

/// The notes ref's current target, None when it does not exist yet. A target that is not a
/// commit (a blob, tree or tag written there by hand or by a hostile push) is an error that
/// says so, rather than libgit2's "type does not match".
fn current_tip(repo: &Repository) -> Result<Option<Oid>> {
    match repo.find_reference(NOTES_REF) {
        Ok(r) => match r.target() {
            Some(id) => {
                let kind = repo
                    .find_object(id, None)
                    .map_err(Error::git(format!("reading {NOTES_REF} ({id})")))?
                    .kind();
                match kind {
                    Some(git2::ObjectType::Commit) => Ok(Some(id)),
                    other => Err(Error::Message(format!(
                        "{NOTES_REF} points at a {} ({id}), not a notes commit: sign-offs cannot be read from it. \
                         Inspect it (git cat-file -p {id}), then point the ref back at its last notes commit \
                         (git reflog {NOTES_REF}, or fetch it from a clone you trust: git fetch origin +{NOTES_REF}:{NOTES_REF})",
                        other.map_or("object of unknown type", |k| k.str())
                    ))),
                }
            }
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
    let tree_id = match &parent {
        Some(p) => Some(p.tree().map_err(Error::git("reading the notes tree"))?.id()),
        None => None,
    };
    let base = match tree_id {
        Some(t) => Some(
            repo.find_tree(t)
                .map_err(Error::git("reading the notes tree"))?,
        ),
        None => None,
    };
    // New lines per commit, in order, a commit named twice merged into one entry.
    let mut wanted: BTreeMap<String, Vec<&String>> = BTreeMap::new();
    for a in appends {
        wanted
            .entry(a.commit.to_string())
            .or_default()
            .extend(&a.lines);
    }
    let mut writes = Vec::new();
    for (hex, new_lines) in wanted {
        let existing = match &base {
            Some(t) => find_in_tree(repo, t, &hex)?,
            None => None,
        };
        if let Some(blob) = existing {
            let (size, _) = repo
                .odb()
                .and_then(|odb| odb.read_header(blob))
                .map_err(Error::git(format!("reading the note on {hex}")))?;
            if size as u64 > MAX_NOTE_BYTES {
                // A sign-off appended to it would be as unread as the rest: refuse, so that
                // no reject is ever written where the gate cannot see it.
                return Err(Error::Message(format!(
                    "the sign-off note on {hex} holds {} MiB, over the 16 MiB a note may hold; \
                     nothing was written. The gate fails this commit: sign a new commit of \
                     the change instead",
                    (size as u64).div_ceil(1024 * 1024)
                )));
            }
        }
        let mut lines = match existing {
            Some(blob) => split_lines(
                repo.find_blob(blob)
                    .map_err(Error::git(format!("reading the note on {hex}")))?
                    .content(),
            ),
            None => Vec::new(),
        };
        let before = lines.len();
        for l in new_lines {
            if !lines.contains(l) {
                lines.push(l.clone());
            }
        }
        if lines.len() == before {
            continue;
        }
        let mut text = lines.join("\n");
        text.push('\n');
        let blob = repo
            .blob(text.as_bytes())
            .map_err(Error::git("writing a note"))?;
        writes.push((hex, blob));
    }
    if writes.is_empty() {
        if let Some(p) = &parent {
            // Every line was already there: nothing to write.
            return Ok(p.id());
        }
    }
    let tree_id = if writes.is_empty() {
        tree_id
    } else {
        Some(put_notes(repo, base.as_ref(), &writes)?)
    };
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
    find_in_tree(repo, &tree, hex)
}

/// Every note blob for commit `hex` in `tree`, flat and fanned out alike, as git reads them.
fn find_all_in_tree(
    repo: &Repository,
    tree: &git2::Tree<'_>,
    hex: &str,
    out: &mut Vec<Oid>,
) -> Result<()> {
    if let Some(e) = tree.get_name(hex) {
        if e.kind() == Some(git2::ObjectType::Blob) {
            out.push(e.id());
        }
    }
    if hex.len() > 2 {
        if let Some(e) = tree.get_name(&hex[..2]) {
            if e.kind() == Some(git2::ObjectType::Tree) {
                let sub = repo
                    .find_tree(e.id())
                    .map_err(Error::git("reading the notes tree"))?;
                find_all_in_tree(repo, &sub, &hex[2..], out)?;
            }
        }
    }
    Ok(())
}

/// [`find_note_blob`] on an already parsed tree.
fn find_in_tree(repo: &Repository, tree: &git2::Tree<'_>, hex: &str) -> Result<Option<Oid>> {
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

/// Writes each `(hex, blob)` as the note for that commit into `tree` (None: empty),
/// replacing any note it has and following the tree's existing fan-out; every tree is
/// written once however many notes change. Returns the new tree id.
fn put_notes(
    repo: &Repository,
    tree: Option<&git2::Tree<'_>>,
    writes: &[(String, Oid)],
) -> Result<Oid> {
    let mut builder = repo
        .treebuilder(tree)
        .map_err(Error::git("building the notes tree"))?;
    let mut fanned: BTreeMap<String, (Oid, Vec<(String, Oid)>)> = BTreeMap::new();
    for (hex, blob) in writes {
        let sub = tree.and_then(|t| {
            if t.get_name(hex).is_some() || hex.len() <= 2 {
                return None;
            }
            t.get_name(&hex[..2])
                .filter(|e| e.kind() == Some(git2::ObjectType::Tree))
                .map(|e| e.id())
        });
        match sub {
            Some(id) => fanned
                .entry(hex[..2].to_string())
                .or_insert_with(|| (id, Vec::new()))
                .1
                .push((hex[2..].to_string(), *blob)),
            None => {
                builder
                    .insert(hex, *blob, 0o100644)
                    .map_err(Error::git("building the notes tree"))?;
            }
        }
    }
    for (prefix, (sub_id, entries)) in fanned {
        let sub = repo
            .find_tree(sub_id)
            .map_err(Error::git("reading the notes tree"))?;
        let new_sub = put_notes(repo, Some(&sub), &entries)?;
        builder
            .insert(&prefix, new_sub, 0o040000)
            .map_err(Error::git("building the notes tree"))?;
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
    fn a_pinned_reader_keeps_its_snapshot_and_a_live_one_follows_the_ref() {
        let (_dir, repo, commit) = repo_with_commit();
        let add = |line: &str| {
            append(
                &repo,
                &[Append {
                    commit,
                    lines: vec![line.to_string()],
                }],
                "test",
            )
            .unwrap();
        };
        add("first");
        let mut pinned = NotesReader::new(&repo);
        pinned.pin();
        let mut live = NotesReader::new(&repo);
        assert_eq!(pinned.lines(commit).unwrap(), vec!["first"]);
        let other = {
            let sig = git2::Signature::new("t", "t@example.com", &git2::Time::new(3, 0)).unwrap();
            let tree = repo
                .find_tree(repo.treebuilder(None).unwrap().write().unwrap())
                .unwrap();
            repo.commit(None, &sig, &sig, "d", &tree, &[]).unwrap()
        };
        add("second");
        assert_eq!(pinned.lines(commit).unwrap(), vec!["first"]);
        assert!(pinned.removed_lines(commit).unwrap().is_empty());
        // A note added after the pin is not there for this reader, even on a commit it had
        // not read yet.
        append(
            &repo,
            &[Append {
                commit: other,
                lines: vec!["late".to_string()],
            }],
            "test",
        )
        .unwrap();
        assert!(pinned.lines(other).unwrap().is_empty());
        assert_eq!(live.lines(other).unwrap(), vec!["late"]);
        assert_eq!(live.lines(commit).unwrap(), vec!["first", "second"]);
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
        let first = append(&repo, std::slice::from_ref(&one), "first").unwrap();
        assert_eq!(append(&repo, &[one], "again").unwrap(), first);
        assert_eq!(read_lines(&repo, commit).unwrap(), ["a"]);
        let tip = repo.find_reference(NOTES_REF).unwrap().target().unwrap();
        assert_eq!(tip, first, "nothing new, no new notes commit");
    }
}
