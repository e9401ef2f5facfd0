//! The review state a workstation keeps per repository — viewed marks and comment drafts — and
//! the one reader and writer of its file, used by the workstation (its `tui::store`) and
//! by `countersign feedback` alike, so a core command never imports the TUI.
//!
//! Several workstations may have the same change open (two terminals, two panes). None of
//! them owns the file: each remembers the state it last read or wrote (the *base*) and saves
//! by merging, under a lock, its own edits since the base into what is on disk now
//! ([`save_state`], [`merge`]). Drafts are merged by id: an edit on one side only wins; the
//! same draft edited differently on both sides is kept twice, both marked as a conflict; a
//! deletion loses to an edit. Viewed marks merge as a set. Nothing is last-writer-wins.
//!
//! Without a data directory (`HOME` unset and no home in the password database, as under
//! `docker --user`), the state goes inside the repository's git directory and the reviewer is
//! told so ([`state_home`]).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::model::{LineAnchor, Side};
use crate::{Error, Result};

/// Environment variable that overrides the data directory.
pub const DATA_DIR_ENV: &str = "COUNTERSIGN_DATA_DIR";

/// The largest state file read (a review's drafts and viewed marks).
pub const MAX_STATE_FILE: u64 = crate::util::bounded::REVIEW_STATE.bytes;

/// The data directory (viewed marks, drafts): `$COUNTERSIGN_DATA_DIR`, else the platform's
/// (`directories`), if one can be found.
pub fn data_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os(DATA_DIR_ENV) {
        return Some(PathBuf::from(d));
    }
    directories::ProjectDirs::from("", "", "countersign").map(|p| p.data_dir().to_path_buf())
}

/// Where a repository's review state is kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateHome {
    /// The directory holding `reviews/`.
    pub dir: PathBuf,
    /// What the reviewer should know about the choice (the fallback inside the git directory).
    pub note: Option<String>,
}

/// The data directory, or without one the repository's git directory (`.git/countersign`),
/// with a note saying why. `Err` says that there is nowhere to keep the state at all.
pub fn state_home(repo_path: &Path) -> std::result::Result<StateHome, String> {
    home_or_fallback(data_dir(), repo_path)
}

fn home_or_fallback(
    data_dir: Option<PathBuf>,
    repo_path: &Path,
) -> std::result::Result<StateHome, String> {
    if let Some(dir) = data_dir {
        return Ok(StateHome { dir, note: None });
    }
    let why = "there is no data directory (HOME is unset and this user has no home directory in the password database)";
    match git2::Repository::discover(repo_path) {
        Ok(repo) => {
            let dir = repo.commondir().join("countersign");
            Ok(StateHome {
                note: Some(format!(
                    "{why}: viewed marks and drafts are kept in {}; set HOME or {DATA_DIR_ENV} to keep them elsewhere",
                    dir.display()
                )),
                dir,
            })
        }
        Err(e) => Err(format!(
            "{why} and the git directory cannot be found ({}): viewed marks and drafts will not be saved; set HOME or {DATA_DIR_ENV}",
            e.message()
        )),
    }
}

/// The file holding the review state of the repository at `repo_path` under `data_dir`:
/// `reviews/<first 10 bytes of the SHA-256 of the canonical path, hex>.json`.
pub fn state_file(data_dir: &Path, repo_path: &Path) -> PathBuf {
    let canonical = repo_path
        .canonicalize()
        .unwrap_or_else(|_| repo_path.to_path_buf());
    let digest = Sha256::digest(canonical.to_string_lossy().as_bytes());
    let name: String = digest.iter().take(10).map(|b| format!("{b:02x}")).collect();
    data_dir.join("reviews").join(format!("{name}.json"))
}

/// A comment draft as the workstation stores it: on a line or a range of lines of a file
/// (on one side of the diff), or on the whole file.
///
/// The side is the sign of `line` (`+` new, `-` old), so drafts written before ranges existed
/// (no `end`) read as one-line comments; drafts written before ids existed get an id derived
/// from their content when read ([`content_id`]), the same on every workstation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    /// Identifies the draft across workstations and edits ([`Draft::new`] makes a fresh one).
    #[serde(default)]
    pub id: String,
    /// The commit it belongs to (full id).
    pub commit: String,
    /// The file's path.
    pub path: String,
    /// The (first) line it is on: `+N` (new side) or `-N` (old side); None for the whole file.
    pub line: Option<String>,
    /// The last line of a range on the same side (`V` in the workstation); None: one line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<u32>,
    /// What the reviewer wrote.
    pub text: String,
    /// Two workstations edited this draft differently: both versions are kept, each marked,
    /// until the reviewer edits or deletes one.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub conflict: bool,
}

impl Draft {
    /// A new draft with a fresh id.
    pub fn new(
        commit: String,
        path: String,
        line: Option<String>,
        end: Option<u32>,
        text: String,
    ) -> Draft {
        Draft {
            id: fresh_id(),
            commit,
            path,
            line,
            end,
            text,
            conflict: false,
        }
    }

    /// The comment as it goes into a signed record: `path:+12: text`, `path:+12..14: text`.
    pub fn render(&self) -> String {
        match &self.line {
            Some(l) => format!("{}:{}: {}", self.path, self.place(l), self.text),
            None => format!("{}: {}", self.path, self.text),
        }
    }

    /// `+12`, or `+12..14` for a range.
    fn place(&self, line: &str) -> String {
        match self.end {
            Some(e) if Some(e) != self.start() => format!("{line}..{e}"),
            _ => line.to_string(),
        }
    }

    /// Where it sits, parsed from the state file's `line` and `end` ([`LineAnchor::parse`]:
    /// the one parse every reader uses). None for a whole-file comment, and for text in the
    /// file that is no anchor, which every reader then treats as a whole-file comment.
    pub fn anchor(&self) -> Option<LineAnchor> {
        LineAnchor::parse(self.line.as_deref()?, self.end)
    }

    /// The side of the diff it is on (None for a whole-file comment).
    pub fn side(&self) -> Option<Side> {
        self.anchor().map(|a| a.side)
    }

    /// The first line number (None for a whole-file comment).
    pub fn start(&self) -> Option<u32> {
        self.anchor().map(|a| a.start)
    }

    /// The lines it covers on its side, first and last (equal for one line).
    pub fn lines(&self) -> Option<(u32, u32)> {
        self.anchor().map(|a| (a.start, a.end))
    }

    /// Whether it covers line `n` on `side`.
    pub fn covers(&self, side: Side, n: u32) -> bool {
        self.anchor().is_some_and(|a| a.covers(side, n))
    }

    /// Same place and text (ids and conflict marks aside).
    fn same_content(&self, other: &Draft) -> bool {
        self.commit == other.commit
            && self.path == other.path
            && self.line == other.line
            && self.end == other.end
            && self.text == other.text
    }
}

/// The id of a draft saved before drafts had ids: a digest of its place and text, so that
/// every workstation reading the same old file gives it the same id.
pub fn content_id(d: &Draft) -> String {
    let mut h = Sha256::new();
    for part in [
        d.commit.as_str(),
        d.path.as_str(),
        d.line.as_deref().unwrap_or(""),
        &d.end.map(|e| e.to_string()).unwrap_or_default(),
        d.text.as_str(),
    ] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    hex12(&h.finalize())
}

/// A new id, unique across processes and workstations: a digest of the time, the process,
/// the thread and a counter.
fn fresh_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = Sha256::new();
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default();
    h.update(now.as_nanos().to_le_bytes());
    h.update(std::process::id().to_le_bytes());
    h.update(format!("{:?}", std::thread::current().id()).as_bytes());
    h.update(COUNTER.fetch_add(1, Ordering::Relaxed).to_le_bytes());
    hex12(&h.finalize())
}

fn hex12(digest: &[u8]) -> String {
    digest.iter().take(6).map(|b| format!("{b:02x}")).collect()
}

/// A repository's review state on disk.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Saved {
    /// Viewed marks: `blob-id path` keys.
    #[serde(default)]
    pub viewed: BTreeSet<String>,
    /// Comment drafts, in the order written.
    #[serde(default)]
    pub comments: Vec<Draft>,
}

impl Saved {
    /// Gives every draft without an id its [`content_id`].
    fn with_ids(mut self) -> Saved {
        for d in &mut self.comments {
            if d.id.is_empty() {
                d.id = content_id(d);
            }
        }
        self
    }
}

/// The state file at `path`, read as the one reader does: regular, within
/// [`MAX_STATE_FILE`], parsed. `Ok(None)`: there is none. `Err`: why it cannot be used.
pub fn read_state(path: &Path) -> std::result::Result<Option<Saved>, String> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    if !meta.is_file() {
        return Err("it is not a regular file".to_string());
    }
    if meta.len() > MAX_STATE_FILE {
        return Err(format!("it is larger than {MAX_STATE_FILE} bytes"));
    }
    // The user's own data directory, but read like any file: regular, within a cap.
    let bytes = crate::util::bounded::read_own_file(path, crate::util::bounded::REVIEW_STATE)
        .map_err(|e| e.to_string())?;
    serde_json::from_slice::<Saved>(&bytes)
        .map(|s| Some(s.with_ids()))
        .map_err(|e| e.to_string())
}

/// Opens the state at `path` for a workstation: missing starts empty; a file that cannot be
/// used (corrupt, or written by a version that stored something else) starts empty too but is
/// never overwritten: it is renamed to `NAME.json.unreadable-<time>` and the message says so.
pub fn load_state(path: &Path) -> (Saved, Option<String>) {
    match read_state(path) {
        Ok(s) => (s.unwrap_or_default(), None),
        Err(why) => (Saved::default(), Some(aside(path, &why))),
    }
}

/// Renames the unusable state file aside and says so.
fn aside(path: &Path, why: &str) -> String {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    let mut kept = path.as_os_str().to_owned();
    kept.push(format!(".unreadable-{stamp}"));
    let kept = PathBuf::from(kept);
    match std::fs::rename(path, &kept) {
        Ok(()) => format!(
            "the saved review state could not be read; kept it as {} ({why}); this review starts without viewed marks or drafts",
            kept.display()
        ),
        Err(e) => format!(
            "the saved review state {} could not be read ({why}) nor moved aside ({e}); move it away to keep it, or the next save replaces it",
            path.display()
        ),
    }
}

/// Saves `ours` to `path`: under the file's lock, merges the edits made since `base` (what
/// this workstation last read or wrote) into what is on disk now ([`merge`]), writes the
/// result atomically and returns it (the new base, and what the workstation shows).
pub fn save_state(path: &Path, base: &Saved, ours: &Saved) -> Result<Saved> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(Error::io(parent))?;
    }
    let _lock = StateLock::take(path)?;
    let ours = ours.clone().with_ids();
    let merged = match read_state(path) {
        Ok(Some(theirs)) => merge(base, &ours, &theirs),
        // Missing (never written, or removed by hand): nothing to merge with.
        Ok(None) => ours,
        Err(why) => {
            return Err(Error::Message(format!(
                "the review state {} cannot be read ({why}), so saving would lose what it holds: move it away and save again",
                path.display()
            )))
        }
    };
    let bytes = serde_json::to_vec_pretty(&merged)
        .map_err(|e| Error::Message(format!("encoding the review state: {e}")))?;
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, bytes).map_err(Error::io(&tmp))?;
    std::fs::rename(&tmp, path).map_err(Error::io(path))?;
    Ok(merged)
}

/// Three-way merge of review states: `ours` and `theirs` both started from `base`.
///
/// Viewed marks: theirs, plus the marks we added, minus the marks we removed. Drafts, by id:
/// unchanged on one side takes the other side's version (edit or deletion); changed on both
/// sides to different content keeps both, marked as a conflict (ours under a new id); a
/// deletion against an edit keeps the edit. Order: theirs, then our new drafts.
pub fn merge(base: &Saved, ours: &Saved, theirs: &Saved) -> Saved {
    let added: Vec<&String> = ours.viewed.difference(&base.viewed).collect();
    let removed: HashSet<&String> = base.viewed.difference(&ours.viewed).collect();
    let mut viewed: BTreeSet<String> = theirs
        .viewed
        .iter()
        .filter(|v| !removed.contains(v))
        .cloned()
        .collect();
    viewed.extend(added.into_iter().cloned());

    let by_id = |s: &Saved| -> HashMap<String, Draft> {
        s.comments
            .iter()
            .map(|d| (d.id.clone(), d.clone()))
            .collect()
    };
    let (b, o) = (by_id(base), by_id(ours));
    let their_ids: HashSet<&str> = theirs.comments.iter().map(|d| d.id.as_str()).collect();
    let mut comments = Vec::new();
    for t in &theirs.comments {
        match (b.get(&t.id), o.get(&t.id)) {
            // Ours is new or changed and theirs is the same: one version.
            (_, Some(o)) if o.same_content(t) => comments.push(Draft {
                conflict: t.conflict && o.conflict,
                ..t.clone()
            }),
            (Some(b), Some(o)) if o.same_content(b) => comments.push(t.clone()),
            (Some(b), Some(o)) if t.same_content(b) => comments.push(o.clone()),
            // Both changed it (or both made it, from an old file's content id), differently.
            (_, Some(o)) => {
                comments.push(Draft {
                    conflict: true,
                    ..t.clone()
                });
                comments.push(Draft {
                    id: fresh_id(),
                    conflict: true,
                    ..o.clone()
                });
            }
            // We deleted it: gone, unless they edited it meanwhile.
            (Some(b), None) if t.same_content(b) => {}
            (Some(_), None) | (None, None) => comments.push(t.clone()),
        }
    }
    for o in &ours.comments {
        if their_ids.contains(o.id.as_str()) {
            continue;
        }
        match b.get(&o.id) {
            // They deleted it: gone, unless we edited it meanwhile.
            Some(b) if o.same_content(b) => {}
            _ => comments.push(o.clone()),
        }
    }
    Saved { viewed, comments }
}

/// The exclusive lock on a state file while it is merged and written (`NAME.json.lock`,
/// created exclusively, removed on drop).
struct StateLock(PathBuf);

/// How long a save waits for another workstation's save to finish.
const LOCK_WAIT: Duration = Duration::from_secs(2);
/// A lock older than this is left by a process that died while saving.
const STALE_LOCK: Duration = Duration::from_secs(60);

impl StateLock {
    fn take(path: &Path) -> Result<StateLock> {
        let mut lock = path.as_os_str().to_owned();
        lock.push(".lock");
        let lock = PathBuf::from(lock);
        let start = std::time::Instant::now();
        loop {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&lock)
            {
                Ok(_) => return Ok(StateLock(lock)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let stale = std::fs::metadata(&lock)
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|t| t.elapsed().ok())
                        .is_some_and(|age| age > STALE_LOCK);
                    if stale {
                        let _ = std::fs::remove_file(&lock);
                        continue;
                    }
                    if start.elapsed() > LOCK_WAIT {
                        return Err(Error::Message(format!(
                            "the review state is being saved by another countersign (lock file {}): try again; if no countersign is running, remove that file",
                            lock.display()
                        )));
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(e) => return Err(Error::io(&lock)(e)),
            }
        }
    }
}

impl Drop for StateLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The drafts saved for the repository at `repo_path` under `home` (empty without one, a
/// state file, or when the file cannot be used: drafts are a convenience, never a reason to
/// fail; the workstation says why when it opens).
pub fn read_drafts(home: Option<&Path>, repo_path: &Path) -> Vec<Draft> {
    let Some(dir) = home else {
        return Vec::new();
    };
    read_state(&state_file(dir, repo_path))
        .ok()
        .flatten()
        .map(|s| s.comments)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A state file is anything on disk: a draft whose `line` is no anchor (empty, no sign,
    /// multi-byte, `x12`) covers no line for any reader (the workstation's gutter used to
    /// put `x12` on the new side while the sign dialog and `feedback` did not), and a valid
    /// one reads the same everywhere.
    #[test]
    fn a_state_file_anchor_is_parsed_once_and_bad_ones_cover_nothing() {
        let json = |line: &str| {
            format!(
                r#"{{"comments":[{{"commit":"c","path":"a.rs","line":{},"end":5,"text":"t"}}]}}"#,
                serde_json::to_string(line).expect("json")
            )
        };
        for bad in ["", "é12", "x12", "12", "+", "±3", "+-1"] {
            let saved: Saved = serde_json::from_str(&json(bad)).expect("the file reads");
            let d = &saved.comments[0];
            assert_eq!(d.anchor(), None, "{bad:?}");
            assert_eq!((d.side(), d.lines()), (None, None), "{bad:?}");
            assert!(!(1..20).any(|n| d.covers(Side::New, n) || d.covers(Side::Old, n)));
        }
        let saved: Saved = serde_json::from_str(&json("-3")).expect("the file reads");
        let d = &saved.comments[0];
        assert_eq!(
            d.anchor().map(|a| (a.side, a.start, a.end)),
            Some((Side::Old, 3, 5))
        );
        assert!(d.covers(Side::Old, 5) && !d.covers(Side::New, 4));
    }

    fn draft(id: &str, text: &str) -> Draft {
        Draft {
            id: id.into(),
            commit: "c".into(),
            path: "a.rs".into(),
            line: Some("+1".into()),
            end: None,
            text: text.into(),
            conflict: false,
        }
    }

    fn state(drafts: &[Draft], viewed: &[&str]) -> Saved {
        Saved {
            viewed: viewed.iter().map(|v| v.to_string()).collect(),
            comments: drafts.to_vec(),
        }
    }

    fn texts(s: &Saved) -> Vec<(String, bool)> {
        s.comments
            .iter()
            .map(|d| (d.text.clone(), d.conflict))
            .collect()
    }

    #[test]
    fn drafts_added_on_two_sides_are_both_kept_with_the_viewed_marks_of_both() {
        let base = state(&[draft("a", "one")], &["x f"]);
        let ours = state(&[draft("a", "one"), draft("b", "ours")], &["x f", "y g"]);
        let theirs = state(&[draft("a", "one"), draft("c", "theirs")], &["z h"]);
        let m = merge(&base, &ours, &theirs);
        assert_eq!(
            texts(&m),
            [
                ("one".into(), false),
                ("theirs".into(), false),
                ("ours".into(), false)
            ]
        );
        // They unmarked `x f`, we marked `y g`.
        assert_eq!(m.viewed, ["y g", "z h"].map(String::from).into());
    }

    #[test]
    fn an_edit_on_one_side_wins_over_no_change_and_over_a_deletion() {
        let base = state(&[draft("a", "one"), draft("b", "two")], &[]);
        // We edited a and deleted b; they deleted a and edited b.
        let ours = state(&[draft("a", "one!")], &[]);
        let theirs = state(&[draft("b", "two!")], &[]);
        let m = merge(&base, &ours, &theirs);
        assert_eq!(texts(&m), [("two!".into(), false), ("one!".into(), false)]);
        // A deletion against no change deletes.
        let m = merge(&base, &state(&[draft("b", "two")], &[]), &base);
        assert_eq!(texts(&m), [("two".into(), false)]);
    }

    #[test]
    fn the_same_draft_edited_differently_on_two_sides_is_kept_twice_as_a_conflict() {
        let base = state(&[draft("a", "one")], &[]);
        let ours = state(&[draft("a", "ours")], &[]);
        let theirs = state(&[draft("a", "theirs")], &[]);
        let m = merge(&base, &ours, &theirs);
        assert_eq!(texts(&m), [("theirs".into(), true), ("ours".into(), true)]);
        assert_eq!(m.comments[0].id, "a");
        assert_ne!(m.comments[1].id, "a");
        // The same edit on both sides is no conflict.
        let same = merge(&base, &ours, &ours);
        assert_eq!(texts(&same), [("ours".into(), false)]);
    }

    #[test]
    fn old_drafts_without_ids_get_the_same_id_on_every_reader() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        std::fs::write(
            &path,
            br#"{"viewed":[],"comments":[{"commit":"c","path":"a.rs","line":"-7","text":"old"}]}"#,
        )
        .unwrap();
        let a = read_state(&path).unwrap().unwrap();
        let b = read_state(&path).unwrap().unwrap();
        assert_eq!(a.comments[0].id.len(), 12);
        assert_eq!(a, b);
    }

    #[test]
    fn without_a_data_directory_the_state_goes_inside_the_git_directory_with_a_note() {
        let dir = tempfile::tempdir().unwrap();
        git2::Repository::init(dir.path()).unwrap();
        let home = home_or_fallback(None, dir.path()).unwrap();
        assert!(home.dir.ends_with(".git/countersign"), "{home:?}");
        let note = home.note.unwrap();
        assert!(
            note.contains("no data directory") && note.contains("HOME"),
            "{note}"
        );
        let nowhere = home_or_fallback(None, &dir.path().join("missing")).unwrap_err();
        assert!(nowhere.contains("will not be saved"), "{nowhere}");
        let given = home_or_fallback(Some(dir.path().join("d")), dir.path()).unwrap();
        assert_eq!(given.note, None);
    }

    #[test]
    fn a_stale_lock_is_broken_and_a_live_one_names_its_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        let lock = dir.path().join("s.json.lock");
        std::fs::write(&lock, b"").unwrap();
        let err = save_state(&path, &Saved::default(), &Saved::default()).unwrap_err();
        assert!(err.to_string().contains("s.json.lock"), "{err}");
        let old = SystemTime::now() - Duration::from_secs(3600);
        std::fs::File::options()
            .write(true)
            .open(&lock)
            .unwrap()
            .set_modified(old)
            .unwrap();
        save_state(&path, &Saved::default(), &state(&[draft("a", "x")], &[])).unwrap();
        assert!(!lock.exists());
        assert_eq!(read_state(&path).unwrap().unwrap().comments.len(), 1);
    }
}
