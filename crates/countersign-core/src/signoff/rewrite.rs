//! Re-review after a rewrite: finding the earlier, signed version of a commit that was
//! rebased or amended, and what changed since it was approved.
//!
//! A sign-off binds one commit's exact content (commit, tree, parents, patch digest), so when
//! an agent rebases or amends, the sign-offs stay with the old commit and the new one must be
//! signed again (security principle 3). That is right, but the reviewer should not have to
//! re-read the whole change: this module finds the version P that was approved, so that
//! `status` and `verify` can say "approved before rewrite — re-review the interdiff" and the
//! workstation can show only what changed since.
//!
//! # Three ways to find P for a commit C
//!
//! 1. **Copied note** ([`FoundBy::CopiedNote`]). With `notes.rewriteRef =
//!    refs/notes/countersign` (which `countersign init` sets), `git rebase` and
//!    `git commit --amend` copy the old commit's note to the new one. Each copied line's
//!    payload still names the commit it was made for: P. This is the most direct evidence,
//!    so it is tried first.
//! 2. **Change-Id** ([`FoundBy::ChangeId`]). A `Change-Id:` trailer (Gerrit's convention,
//!    kept across amends and rebases by its commit-msg hook and by agents that follow it)
//!    equal to that of a commit carrying sign-offs; the newest such commit first.
//! 3. **Same patch** ([`FoundBy::PatchId`]). A commit carrying sign-offs whose patch has the
//!    same `git patch-id --stable` as C's — libgit2's `git_diff_patchid`, which hashes the
//!    diff's lines ignoring whitespace and line numbers, as git does. This catches a rebase
//!    that did not touch the change's own lines when there is neither a note nor a Change-Id.
//!    Only commits touching exactly the same paths as C are hashed, to keep it cheap.
//!
//! The candidates are found in one pass over the notes ref (built on first use and kept for
//! the life of the `Finder`, so a long range reads it once).
//!
//! # Why only signatures valid for P count
//!
//! Everything the three ways look at is under the control of whoever pushed the branch, the
//! agent included: note lines can be written by anyone with push access, a Change-Id is a
//! line of the commit message, and a patch can be copied. So a candidate P is reported only
//! when it carries sign-offs that `verify` would accept **for P itself**: signed by the key
//! the trusted roster lists for the principal, with a payload binding P's commit, tree,
//! parents and patch digest, by a principal holding the role P's tier requires under the
//! trusted policy, whose latest decision on P is approve. A forged line, an edited payload,
//! or a line naming a commit it was not made for proves nothing and is ignored — the caller
//! (see [`crate::review::Assessor`]) judges each candidate with the same
//! `super::Checker` and [`super::verify::judge`] as the gate.
//!
//! Even then "approved before rewrite" is only a pointer for the reviewer: it never counts
//! toward C's approvals, and `verify` keeps failing C until someone signs C itself. It says
//! that P was approved and how P was linked to C, not that C is P rewritten: someone could
//! copy a genuine sign-off of an unrelated commit onto C, which is why the interdiff shows
//! every file either version touches rather than trusting the link.

use std::collections::{BTreeSet, HashSet};

use git2::{Oid, Repository};
use serde::Serialize;

use super::notes::NOTES_REF;
use super::patch_index::PatchIndex;
use super::record::{NoteLine, Payload};
use crate::git::{read_hunks, short_id, CommitChange, GitPath, Hunk, Trailer};
use crate::model::CommitId;
use crate::model::Tier;
use crate::{Error, Result};

/// The trailer key that names a change across rewrites (Gerrit's convention).
pub(crate) const CHANGE_ID: &str = "Change-Id";

/// How many candidates are judged before giving up (each costs a commit load and a few
/// signature checks).
pub(crate) const MAX_CANDIDATES: usize = 16;

/// How the earlier version was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FoundBy {
    /// The commit's note holds sign-off lines naming P (git copied them on rebase or amend).
    CopiedNote,
    /// P has the same `Change-Id:` trailer.
    ChangeId,
    /// P's patch has the same `git patch-id --stable`.
    PatchId,
}

impl FoundBy {
    /// The name used in JSON (`copied-note`, `change-id`, `patch-id`).
    pub fn name(self) -> &'static str {
        match self {
            FoundBy::CopiedNote => "copied-note",
            FoundBy::ChangeId => "change-id",
            FoundBy::PatchId => "patch-id",
        }
    }

    /// How it was found, for sentences: "found by its sign-off note, which git copied …".
    pub fn describe(self) -> &'static str {
        match self {
            FoundBy::CopiedNote => {
                "found by the sign-off note git copied to this commit when it was rebased or amended"
            }
            FoundBy::ChangeId => "found by the same Change-Id trailer",
            FoundBy::PatchId => "found by the same patch (git patch-id --stable)",
        }
    }
}

/// The earlier, approved version of a commit that lacks approvals of its own.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RewrittenFrom {
    /// The earlier version P.
    pub commit: CommitId,
    /// P's summary line.
    pub summary: String,
    /// Principals whose sign-offs are valid for P and count for P's tier, latest decision
    /// approve (sorted).
    pub approved_by: Vec<String>,
    /// How P was found.
    pub found_by: FoundBy,
    /// P's effective tier under the trusted policy.
    pub tier: Tier,
}

impl RewrittenFrom {
    /// `alice@example.com` or `alice@example.com and bob@example.com`.
    pub fn approvers(&self) -> String {
        match self.approved_by.as_slice() {
            [] => "nobody".to_string(),
            [one] => one.clone(),
            [init @ .., last] => format!("{} and {last}", init.join(", ")),
        }
    }

    /// The sentence `verify` adds to the problems of `commit` (the rewritten one).
    pub fn sentence(&self, commit: CommitId) -> String {
        format!(
            "{} approved {} before a rewrite ({}); re-review the interdiff: `countersign review \
             {}` (key I shows what changed since), then sign this commit itself",
            self.approvers(),
            self.commit.short(),
            self.found_by.describe(),
            commit.short()
        )
    }
}

/// One earlier version to judge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Candidate {
    /// The earlier commit P.
    pub commit: Oid,
    /// How it was found.
    pub found_by: FoundBy,
    /// Lines of the rewritten commit's own note whose payload names P (copied by git); they
    /// are judged against P together with P's own note.
    pub copied_lines: Vec<String>,
}

/// A commit carrying countersign notes, as far as the finder has read it.
#[derive(Debug)]
struct Annotated {
    id: Oid,
    time: i64,
    change_id: Option<String>,
}

/// The commits carrying countersign notes (newest first), indexed so that finding the
/// candidates of one commit costs lookups, not a pass over every signed commit: `feedback`
/// and rewrite detection over a range stay linear in the range plus the notes read.
#[derive(Debug, Default)]
struct Index {
    commits: Vec<Annotated>,
    /// Change-Id → positions in `commits` (newest first).
    by_change_id: std::collections::HashMap<String, Vec<usize>>,
    /// By touched paths, then `git patch-id --stable` (newest first); built on the first
    /// patch lookup.
    by_patch: Option<PatchIndex<Oid, ()>>,
}

/// Finds candidate earlier versions; reads the notes ref once, on first use.
#[derive(Debug, Default)]
pub(crate) struct Finder {
    annotated: Option<Index>,
}

impl Finder {
    /// A finder that has read nothing yet.
    pub(crate) fn new() -> Self {
        Finder::default()
    }

    /// The candidates for `commit`, whose note holds `lines`, most direct evidence first:
    /// commits named by copied note lines, then commits with the same Change-Id (newest
    /// first), then commits with the same patch id (newest first). Each commit appears once;
    /// `commit` itself never does. Nothing here is verified yet.
    pub(crate) fn candidates(
        &mut self,
        repo: &Repository,
        commit: &CommitChange,
        lines: &[String],
    ) -> Result<Vec<Candidate>> {
        let mut out: Vec<Candidate> = Vec::new();
        let mut seen: HashSet<Oid> = HashSet::new();
        let this = commit.id.oid();
        seen.insert(this);

        // 1. Lines on this commit naming another one.
        for line in lines {
            let Some(named) = named_commit(line) else {
                continue;
            };
            if named == this || repo.find_commit(named).is_err() {
                continue;
            }
            match out.iter_mut().find(|c| c.commit == named) {
                Some(c) => c.copied_lines.push(line.clone()),
                None => {
                    seen.insert(named);
                    out.push(Candidate {
                        commit: named,
                        found_by: FoundBy::CopiedNote,
                        copied_lines: vec![line.clone()],
                    });
                }
            }
        }

        // 2. The same Change-Id.
        let index = self.index(repo)?;
        if let Some(id) = change_id(&commit.trailers) {
            for &i in index.by_change_id.get(id).into_iter().flatten() {
                let a = &index.commits[i];
                if seen.insert(a.id) {
                    out.push(Candidate {
                        commit: a.id,
                        found_by: FoundBy::ChangeId,
                        copied_lines: Vec::new(),
                    });
                }
            }
        }

        // 3. The same patch, among commits touching the same paths (none without signed
        // commits: the commit's own tree diff, a second one, is not worth reading then).
        if commit.parents.len() <= 1 && !index.commits.is_empty() {
            if index.by_patch.is_none() {
                let mut by_patch = PatchIndex::default();
                for a in &index.commits {
                    by_patch.insert(touched_paths(repo, a.id)?, a.id, ());
                }
                index.by_patch = Some(by_patch);
            }
            let paths = touched_paths(repo, this)?;
            if let Some(by_patch) = index.by_patch.as_mut().filter(|b| b.has_paths(&paths)) {
                if let Some(mine) = patch_id(repo, this)? {
                    for (id, ()) in by_patch.lookup(&paths, &mine, |c| patch_id(repo, c))? {
                        if seen.insert(*id) {
                            out.push(Candidate {
                                commit: *id,
                                found_by: FoundBy::PatchId,
                                copied_lines: Vec::new(),
                            });
                        }
                    }
                }
            }
        }
        Ok(out)
    }

    /// The signed commits, indexed (read once).
    fn index(&mut self, repo: &Repository) -> Result<&mut Index> {
        if self.annotated.is_none() {
            let commits = read_annotated(repo)?;
            let mut by_change_id: std::collections::HashMap<String, Vec<usize>> =
                std::collections::HashMap::new();
            for (i, a) in commits.iter().enumerate() {
                if let Some(id) = &a.change_id {
                    by_change_id.entry(id.clone()).or_default().push(i);
                }
            }
            self.annotated = Some(Index {
                commits,
                by_change_id,
                by_patch: None,
            });
        }
        Ok(self.annotated.get_or_insert_with(Index::default))
    }
}

fn read_annotated(repo: &Repository) -> Result<Vec<Annotated>> {
    let mut out = Vec::new();
    let notes = match repo.notes(Some(NOTES_REF)) {
        Ok(n) => n,
        Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(out),
        Err(e) => return Err(Error::git("listing countersign notes")(e)),
    };
    for item in notes {
        let (_, id) = item.map_err(Error::git("listing countersign notes"))?;
        // A note on something that is not a commit here (pruned, not fetched) names nothing
        // to compare with.
        let Ok(commit) = repo.find_commit(id) else {
            continue;
        };
        let trailers: Vec<Trailer> = match git2::message_trailers_bytes(commit.message_bytes()) {
            Ok(t) => t
                .iter()
                .map(|(k, v)| Trailer {
                    key: String::from_utf8_lossy(k).trim().to_string(),
                    value: String::from_utf8_lossy(v).trim().to_string(),
                })
                .collect(),
            Err(_) => Vec::new(),
        };
        out.push(Annotated {
            id,
            time: commit.committer().when().seconds(),
            change_id: change_id(&trailers).map(str::to_string),
        });
    }
    out.sort_by(|a, b| b.time.cmp(&a.time).then_with(|| a.id.cmp(&b.id)));
    Ok(out)
}

/// The commit a note line's payload names, if the line is a record at all (unverified).
pub(crate) fn named_commit(line: &str) -> Option<Oid> {
    let record = NoteLine::parse(line).ok()?;
    let payload = Payload::parse(&record.payload).ok()?;
    payload.commit.parse().ok().map(CommitId::oid)
}

/// The value of the last `Change-Id:` trailer (key compared without case), if any.
pub(crate) fn change_id(trailers: &[Trailer]) -> Option<&str> {
    trailers
        .iter()
        .rev()
        .find(|t| t.key.eq_ignore_ascii_case(CHANGE_ID) && !t.value.is_empty())
        .map(|t| t.value.as_str())
}

/// The diff of `commit` against its first parent (the empty tree for a root), without
/// rename detection: what patch ids and path sets are computed from. Also says whether the
/// commit is a merge.
fn first_parent_diff(repo: &Repository, commit: Oid) -> Result<(git2::Diff<'_>, bool)> {
    let short = short_id(&commit.to_string()).to_string();
    let c = repo
        .find_commit(commit)
        .map_err(Error::git(format!("reading commit {short}")))?;
    let tree = c
        .tree()
        .map_err(Error::git(format!("reading the tree of {short}")))?;
    let parent_tree = match c.parent(0) {
        Ok(p) => Some(
            p.tree()
                .map_err(Error::git(format!("reading the parent tree of {short}")))?,
        ),
        Err(_) => None,
    };
    let mut opts = git2::DiffOptions::new();
    opts.ignore_submodules(false);
    let diff = repo
        .diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), Some(&mut opts))
        .map_err(Error::git(format!("diffing commit {short}")))?;
    Ok((diff, c.parent_count() > 1))
}

/// The paths `commit`'s patch touches (old and new sides), against its first parent.
pub(crate) fn touched_paths(repo: &Repository, commit: Oid) -> Result<BTreeSet<Vec<u8>>> {
    let (diff, _) = first_parent_diff(repo, commit)?;
    let mut out = BTreeSet::new();
    for d in diff.deltas() {
        for f in [d.old_file(), d.new_file()] {
            if let Some(p) = f.path_bytes() {
                out.insert(p.to_vec());
            }
        }
    }
    Ok(out)
}

/// `git patch-id --stable` of `commit`'s patch against its first parent (None for a merge):
/// the diff's lines hashed with whitespace and line numbers ignored, so the same change on
/// another base has the same id.
pub fn patch_id(repo: &Repository, commit: Oid) -> Result<Option<Oid>> {
    let (diff, merge) = first_parent_diff(repo, commit)?;
    if merge {
        return Ok(None);
    }
    diff.patchid(None)
        .map(Some)
        .map_err(Error::git(format!("computing the patch id of {commit}")))
}

/// One file of an interdiff: its content at the approved version P and at the rewritten
/// commit C.
#[derive(Clone, Debug, Serialize)]
pub struct InterdiffFile {
    /// The same path at P and at C (a rename shows as two files).
    pub path: GitPath,
    /// Blob id at P (None: absent there).
    pub before: Option<String>,
    /// Blob id at C (None: absent there).
    pub after: Option<String>,
    /// Mode at P (0 when absent).
    pub before_mode: u32,
    /// Mode at C (0 when absent).
    pub after_mode: u32,
    /// Git judges the content binary (no hunks are shown).
    pub binary: bool,
    /// P's version against C's (3 lines of context); empty when unchanged or binary.
    pub hunks: Vec<Hunk>,
}

impl InterdiffFile {
    /// Same content and mode at P and C: whatever was reviewed in P is what C has.
    pub fn unchanged(&self) -> bool {
        self.before == self.after && self.before_mode == self.after_mode
    }
}

/// What changed between the approved version `before` (P) and the rewritten commit `after`
/// (C): for every path that either commit's own patch touches (against its first parent),
/// P's version of the file against C's, sorted by path, unchanged files included (with no
/// hunks) so that the reviewer sees they need no second look.
///
/// This is a file-level interdiff: where the rewrite moved the change onto a new base that
/// also changed one of these files, those upstream lines show too (they are part of what C
/// ships and P did not). Files only the new base changed are left out. Renames are not
/// followed: a renamed file shows as its two paths.
pub fn interdiff(repo: &Repository, before: Oid, after: Oid) -> Result<Vec<InterdiffFile>> {
    let mut paths = touched_paths(repo, before)?;
    paths.extend(touched_paths(repo, after)?);
    let tree_of = |id: Oid| {
        repo.find_commit(id)
            .and_then(|c| c.tree())
            .map_err(Error::git(format!(
                "reading the tree of {}",
                short_id(&id.to_string())
            )))
    };
    let (p_tree, c_tree) = (tree_of(before)?, tree_of(after)?);
    let mut out = Vec::with_capacity(paths.len());
    for raw in paths {
        let path = GitPath::from_bytes(raw);
        let entry = |tree: &git2::Tree<'_>| {
            tree.get_path(path.as_path())
                .ok()
                .filter(|e| e.kind() != Some(git2::ObjectType::Tree))
                .map(|e| (e.id(), e.filemode_raw() as u32))
        };
        let (old, new) = (entry(&p_tree), entry(&c_tree));
        let mut file = InterdiffFile {
            path: path.clone(),
            before: old.map(|(id, _)| id.to_string()),
            after: new.map(|(id, _)| id.to_string()),
            before_mode: old.map_or(0, |(_, m)| m),
            after_mode: new.map_or(0, |(_, m)| m),
            binary: false,
            hunks: Vec::new(),
        };
        let blob = |side: Option<(Oid, u32)>| {
            side.filter(|(_, mode)| *mode != 0o160000)
                .and_then(|(id, _)| repo.find_blob(id).ok())
        };
        let changed_content = file.before != file.after;
        let (old_blob, new_blob) = (blob(old), blob(new));
        let gitlink = [old, new].iter().flatten().any(|(_, m)| *m == 0o160000);
        if changed_content && !gitlink {
            let content = |b: &Option<git2::Blob<'_>>| -> Vec<u8> {
                b.as_ref().map_or_else(Vec::new, |b| b.content().to_vec())
            };
            let (old_bytes, new_bytes) = (content(&old_blob), content(&new_blob));
            // Text or binary from the content alone, diffed without the repository: no
            // attribute of the change decides what the reviewer sees.
            let present = |b: &Option<git2::Blob<'_>>, bytes: &[u8]| {
                b.is_some() && crate::git::content::looks_binary(Some(&path), bytes)
            };
            file.binary = present(&old_blob, &old_bytes) || present(&new_blob, &new_bytes);
            let patch =
                crate::git::content::text_patch(&old_bytes, Some(&path), &new_bytes, Some(&path))
                    .map_err(Error::git(format!("diffing {path}")))?;
            if !file.binary {
                file.hunks = read_hunks(&patch)
                    .map_err(Error::git(format!("reading the interdiff of {path}")))?;
            }
        }
        out.push(file);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trailer(k: &str, v: &str) -> Trailer {
        Trailer {
            key: k.into(),
            value: v.into(),
        }
    }

    #[test]
    fn change_id_is_the_last_one_whatever_its_case() {
        let t = vec![
            trailer("Change-Id", "I1"),
            trailer("Co-authored-by", "kiro"),
            trailer("change-id", "I2"),
        ];
        assert_eq!(change_id(&t), Some("I2"));
        assert_eq!(change_id(&[trailer("Change-Id", "")]), None);
        assert_eq!(change_id(&[]), None);
    }

    #[test]
    fn lines_that_are_not_records_name_no_commit() {
        assert_eq!(named_commit("not json"), None);
        assert_eq!(named_commit(r#"{"payload":"x","signature":"y"}"#), None);
    }

    #[test]
    fn approvers_read_as_a_list() {
        let mut r = RewrittenFrom {
            commit: "a".repeat(40).parse().expect("a full id"),
            summary: String::new(),
            approved_by: vec!["alice@example.com".into()],
            found_by: FoundBy::ChangeId,
            tier: Tier::Supervised,
        };
        assert_eq!(r.approvers(), "alice@example.com");
        r.approved_by.push("bob@example.com".into());
        r.approved_by.push("dave@example.com".into());
        assert_eq!(
            r.approvers(),
            "alice@example.com, bob@example.com and dave@example.com"
        );
        let s = r.sentence("b".repeat(40).parse().expect("a full id"));
        assert!(s.contains("approved aaaaaaa before a rewrite"), "{s}");
        assert!(
            s.contains("re-review the interdiff: `countersign review bbbbbbb`"),
            "{s}"
        );
    }
}
