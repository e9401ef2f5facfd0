//! What the workstation shows, loaded from the repository: the change (file lists first, each
//! file's hunks on demand), each commit's verdict, and the impact analysis when it exists.
//!
//! Everything here is plain data; the loading functions block and are called either before
//! the first frame (the cheap parts) or from background jobs (hunks, impact).

use std::path::{Path, PathBuf};

use crate::git::{self, CommitChange, FileChange};
use crate::model::CommitId;
use crate::model::Tier;
use crate::policy::TierRequirement;
use crate::review::{Assessment, Purpose, Resolved, Review, Selection};
use crate::signoff::ReviewState;
use crate::{Error, Result};

/// One commit of the change with its verdict.
#[derive(Clone, Debug)]
pub struct CommitEntry {
    /// The commit and its files (hunks are loaded per file, on demand).
    pub change: CommitChange,
    /// The verdict, when a policy could judge it.
    pub verdict: Option<Judgement>,
}

/// What the policy says about one commit.
#[derive(Clone, Debug)]
pub struct Judgement {
    /// The agent when AI-generated, with the rule that matched.
    pub ai: Option<(String, String)>,
    /// Effective tier.
    pub tier: Tier,
    /// Why the tier is what it is, as sentences.
    pub reasons: Vec<String>,
    /// Where it stands.
    pub state: ReviewState,
    /// What its tier requires.
    pub requirement: TierRequirement,
    /// Principals who have approved it so far.
    pub approved_by: Vec<String>,
    /// Principals who have rejected it so far.
    pub rejected_by: Vec<String>,
    /// Its earlier version approved before a rebase or amend, when it lacks approvals.
    pub rewritten_from: Option<crate::signoff::rewrite::RewrittenFrom>,
    /// Rejects that stand on it though signed on an earlier version with the same patch (an
    /// amend, a reword, a rebase that changed nothing of its own): who, and that version.
    pub carried_rejects: Vec<crate::signoff::verify::CarriedFrom>,
    /// Per file, the added lines a line-provenance note attests to an agent (new-side
    /// numbers, inclusive ranges): marked in the diff gutter and on hunk headers.
    pub ai_lines: std::collections::BTreeMap<String, Vec<(u32, u32)>>,
    /// Changed files the trusted ref's `.gitattributes` make git check out differently from
    /// the blob shown (`ident`, `filter=lfs`, …): named in the sign dialog and on the file.
    pub checkout_attributes: Vec<crate::review::CheckoutFlag>,
}

impl Judgement {
    /// From an assessment and the requirement of its tier.
    pub fn from_assessment(a: &Assessment, requirement: TierRequirement) -> Self {
        Judgement {
            ai: a.ai.as_ref().map(|p| (p.agent.clone(), p.rule.clone())),
            tier: a.tier,
            reasons: a.tier_reasons.clone(),
            state: a.state,
            requirement,
            approved_by: a.gate.approved_by.clone(),
            rejected_by: a.gate.rejected_by.clone(),
            rewritten_from: a.rewritten_from.clone(),
            carried_rejects: a
                .signoffs
                .iter()
                .filter(|s| s.counts && s.decision == Some(crate::signoff::Decision::Reject))
                .filter_map(|s| s.carried_from.clone())
                .collect(),
            ai_lines: a
                .ai
                .as_ref()
                .and_then(|p| p.lines.as_ref())
                .map(|l| l.files.clone())
                .unwrap_or_default(),
            checkout_attributes: a.checkout_attributes.clone(),
        }
    }
}

/// The change under review and where it came from.
#[derive(Clone, Debug, Default)]
pub struct ReviewData {
    /// The repository's work tree (or git dir), for background jobs to reopen it.
    pub repo_path: PathBuf,
    /// How the range was chosen (`main..HEAD`).
    pub range: String,
    /// The trusted ref whose policy judges the change, for the header (`refs/heads/main
    /// (4f2a1c9)`); None for hand-made data.
    pub trusted_ref: Option<String>,
    /// What the review resolved (trusted ref and commit, the commits): background jobs
    /// reopen exactly this review. None for hand-made data.
    pub resolved: Option<Resolved>,
    /// A one-line notice for the header (no policy yet, policy errors).
    pub notice: Option<String>,
    /// The commits, oldest first.
    pub commits: Vec<CommitEntry>,
    /// The file lists were loaded with paths only, for the first screen: a rename shows as a
    /// deletion and an addition and the binary flags are unknown until the full lists
    /// ([`load_full_files`]) arrive.
    pub paths_only: bool,
    /// Commits at the end of [`ReviewData::commits`] whose files and verdicts have not
    /// arrived yet: a range of more than [`FIRST_SCREEN_COMMITS`] opens on its first commit
    /// and the rest load behind the first screen ([`load_range`]). Until it is 0 the counts
    /// drawn are not final and signing waits.
    pub unloaded: usize,
    /// The loaded commits' verdicts have not arrived yet: a first screen of more than
    /// [`FIRST_JUDGED_PATHS`] changed paths is drawn from the paths alone and its commits
    /// are judged behind it, with the rest of the range ([`load_range`]). Until then no
    /// verdict or count is drawn as final and signing waits.
    pub judging: bool,
}

impl ReviewData {
    /// Commits whose files and verdicts are loaded (the first ones, oldest first).
    pub fn loaded(&self) -> usize {
        self.commits.len().saturating_sub(self.unloaded)
    }

    /// Commits judged so far (the first ones, oldest first): the loaded ones, unless they
    /// are still being judged ([`ReviewData::judging`]).
    pub fn judged(&self) -> usize {
        if self.judging {
            0
        } else {
            self.loaded()
        }
    }

    /// True when every commit's files are listed (their verdicts may still be judged).
    pub fn listed(&self) -> bool {
        self.unloaded == 0
    }

    /// True when every commit's files and verdict are loaded.
    pub fn settled(&self) -> bool {
        self.listed() && !self.judging
    }

    /// Commits an AI made.
    pub fn ai_count(&self) -> usize {
        self.commits
            .iter()
            .filter(|c| c.verdict.as_ref().is_some_and(|v| v.ai.is_some()))
            .count()
    }

    /// The highest effective tier over the commits.
    pub fn tier(&self) -> Option<Tier> {
        self.commits
            .iter()
            .filter_map(|c| c.verdict.as_ref().map(|v| v.tier))
            .max()
    }

    /// None for a key of another change (a late job's result).
    pub fn file(&self, key: FileKey) -> Option<&FileChange> {
        self.commits.get(key.commit)?.change.files.get(key.file)
    }
}

/// A file of the change: commit index and file index within it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileKey {
    /// Index into [`ReviewData::commits`].
    pub commit: usize,
    /// Index into that commit's files.
    pub file: usize,
}

/// A change of up to this many files is loaded in full before the first screen (renames
/// found, binary flags known: milliseconds); a larger one shows its paths first and the full
/// lists follow from a background job ([`ReviewData::paths_only`]).
pub const FULL_FIRST_FILES: usize = 64;

/// A range of up to this many commits is loaded and judged before the first screen
/// (milliseconds); a longer one opens on its first commit, the one the workstation shows,
/// and the others load behind the first screen ([`load_range`]): judging 20,000 commits
/// takes seconds, listing their ids a few milliseconds.
pub const FIRST_SCREEN_COMMITS: usize = 16;

/// A first screen whose loaded commits change more than this many paths is drawn before they
/// are judged ([`ReviewData::judging`]). Judging loads the trusted and the changed workspace,
/// scans the changed sources for inclusions and gives every path its tier and crates: two
/// thirds of the first screen of a 400-file change in a 400-crate workspace (40 of 65 ms),
/// half a second for 50,000 paths, where listing the paths costs a tenth of that. Up to here
/// the verdict is on the first screen; past it, it follows within a blink to half a second.
pub const FIRST_JUDGED_PATHS: usize = 256;

/// Commits after the first of a long range whose headers (summary, author) are read before
/// the first screen, enough to fill any list on screen; past them a commit shows its id
/// until its part of the range arrives.
const FIRST_HEADERS: usize = 256;

/// Commits loaded and judged per part of a long range: each part updates the list and the
/// counts on screen.
pub const RANGE_PART: usize = 500;

/// Loads the change's file lists and verdicts: what the first frame needs (paths only for a
/// change of more than [`FULL_FIRST_FILES`] files; the first commit alone of a range of more
/// than [`FIRST_SCREEN_COMMITS`]; no verdict yet past [`FIRST_JUDGED_PATHS`] paths).
/// Opened through [`Review::open_unloaded`] like every command opens a review, so the
/// workstation shows the commits `status` and `verify` judge. A trusted ref without a policy
/// still loads (built-in defaults, and a notice saying so).
pub fn load_review(dir: &Path, selection: Selection<'_>) -> Result<ReviewData> {
    let repo = git::open(dir)?;
    let review = Review::open_unloaded(&repo, selection, Purpose::Impact)?;
    let n = review.range.commits.len();
    let first = if n <= FIRST_SCREEN_COMMITS { n } else { 1 };
    data_of(&repo, review, first, true)
}

/// Loads the review `resolved` describes again (after signing, the sign-off states change):
/// the verdicts, over file lists of paths only (the workstation keeps the lists it has).
pub fn reload_review(repo_path: &Path, resolved: &Resolved) -> Result<ReviewData> {
    let repo = git::open(repo_path)?;
    let review = Review::reopen_unloaded(&repo, resolved, Purpose::Impact)?;
    let n = resolved.commits.len();
    data_of(&repo, review, n, false)
}

/// The review's data with the first `first` commits loaded and judged (the others by their
/// headers or ids, see [`ReviewData::unloaded`]); with `full_if_small`, loaded commits of at
/// most [`FULL_FIRST_FILES`] files in all get their full file lists now.
fn data_of(
    repo: &git2::Repository,
    mut review: Review<'_>,
    first: usize,
    full_if_small: bool,
) -> Result<ReviewData> {
    let repo_path = repo.workdir().unwrap_or_else(|| repo.path()).to_path_buf();
    let builtin = review.builtin_policy;
    let ids = review.range.commits.clone();
    let first = first.min(ids.len());
    let mut changes = review.load_changes(&ids[..first])?;
    let paths: usize = changes.iter().map(|c| c.files.len()).sum();
    // The first screen of a giant change is drawn before it is judged; a reload (after
    // signing) judges what it loads.
    let judging = !builtin && full_if_small && paths > FIRST_JUDGED_PATHS;
    let assessments = if builtin || judging {
        Vec::new()
    } else {
        review.assess_some(&changes)?
    };
    let mut notice = if builtin {
        Some(format!(
            "no policy on {}: showing the change without tiers (add .countersign/policy.toml)",
            review.trusted.name
        ))
    } else {
        review.notices.first().cloned()
    };
    if review.is_empty() && notice.is_none() {
        notice = Some(format!(
            "nothing to judge: {} has no commits",
            review.range.description
        ));
    }
    let resolved = review.resolved();
    let trusted_ref = Some(review.trusted.display());
    let range = review.range.description.clone();
    let mut verdicts: Vec<Option<Judgement>> = judgements(&review, &assessments);
    verdicts.resize(changes.len(), None);
    // A long range's later commits arrive with paths only: their full lists follow them.
    let paths_only = !full_if_small || first < ids.len() || paths > FULL_FIRST_FILES;
    if paths <= FULL_FIRST_FILES && full_if_small {
        let loaded: Vec<CommitId> = changes.iter().map(|c| c.id).collect();
        changes = load_full_files_in(repo, &loaded)?;
    }
    let mut commits: Vec<CommitEntry> = Vec::with_capacity(ids.len());
    commits.extend(
        changes
            .into_iter()
            .zip(verdicts)
            .map(|(change, verdict)| CommitEntry { change, verdict }),
    );
    for (i, id) in ids.iter().enumerate().skip(first) {
        let change = if i < first + FIRST_HEADERS {
            CommitChange::header(repo, *id)?
        } else {
            CommitChange::unread(*id)
        };
        commits.push(CommitEntry {
            change,
            verdict: None,
        });
    }
    Ok(ReviewData {
        repo_path,
        range,
        trusted_ref,
        resolved: Some(resolved),
        notice,
        commits,
        paths_only,
        unloaded: ids.len() - first,
        judging,
    })
}

/// Each assessment as the workstation shows it.
fn judgements(review: &Review<'_>, assessments: &[Assessment]) -> Vec<Option<Judgement>> {
    assessments
        .iter()
        .map(|a| {
            Some(Judgement::from_assessment(
                a,
                review.policy().requirement(a.tier),
            ))
        })
        .collect()
}

/// A part of a long range, loaded and judged behind the first screen.
#[derive(Clone, Debug)]
pub struct RangePart {
    /// The index of its first commit in [`ReviewData::commits`].
    pub first: usize,
    /// Its commits with their files (paths only) and verdicts, in order.
    pub commits: Vec<CommitEntry>,
}

/// Loads and judges every commit of `resolved`, oldest first, [`RANGE_PART`] at a time with
/// one assessor (so the verdicts are those `status` gives), handing each part to `each`
/// until it returns false (nobody is listening any more). The first commits, already on
/// screen, are judged again with the rest: the workstation keeps their files and takes
/// their verdicts. A failure is handed on as a sentence and ends the loading.
pub fn load_range(
    repo_path: &Path,
    resolved: &Resolved,
    each: &mut dyn FnMut(std::result::Result<RangePart, String>) -> bool,
) {
    let mut run = |repo: &git2::Repository| -> Result<()> {
        let mut review = Review::reopen_unloaded(repo, resolved, Purpose::Impact)?;
        for (k, ids) in resolved.commits.chunks(RANGE_PART).enumerate() {
            let changes = review.load_changes(ids)?;
            let mut verdicts = if review.builtin_policy {
                Vec::new()
            } else {
                let assessments = review.assess_some(&changes)?;
                judgements(&review, &assessments)
            };
            verdicts.resize(changes.len(), None);
            let commits = changes
                .into_iter()
                .zip(verdicts)
                .map(|(change, verdict)| CommitEntry { change, verdict })
                .collect();
            let part = RangePart {
                first: k * RANGE_PART,
                commits,
            };
            if !each(Ok(part)) {
                return Ok(());
            }
        }
        Ok(())
    };
    let result = git::open(repo_path).and_then(|repo| run(&repo));
    if let Err(e) = result {
        each(Err(e.to_string()));
    }
}

/// The commits' files in full, as `sign` loads them: rename and copy detection, binary flags,
/// sizes and the patch digest. The slow part of opening a large change, so the workstation
/// runs it in the background after the first screen.
pub fn load_full_files(repo_path: &Path, commits: &[CommitId]) -> Result<Vec<CommitChange>> {
    load_full_files_in(&git::open(repo_path)?, commits)
}

fn load_full_files_in(repo: &git2::Repository, commits: &[CommitId]) -> Result<Vec<CommitChange>> {
    commits
        .iter()
        .map(|id| CommitChange::load(repo, id.oid(), git::LoadDepth::Files))
        .collect()
}

/// Reads `path` as of `commit` (for the read-only file viewer).
pub fn read_file_at(repo: &git2::Repository, commit: CommitId, path: &str) -> Result<String> {
    let snap = git::GitTree::of_commit(repo, commit.oid(), &commit.to_string())?;
    match snap.read(path)? {
        Some(bytes) => Ok(String::from_utf8_lossy(&bytes).into_owned()),
        None => Err(Error::Message(format!(
            "{path} does not exist at {}",
            commit.short()
        ))),
    }
}
