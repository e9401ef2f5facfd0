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
}

impl ReviewData {
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

/// Loads the change's file lists and verdicts: what the first frame needs (paths only for a
/// change of more than [`FULL_FIRST_FILES`] files).
/// Opened through [`Review::open`] like every command, so the workstation shows the commits
/// `status` and `verify` judge. A trusted ref without a policy still loads (built-in
/// defaults, and a notice saying so).
pub fn load_review(dir: &Path, selection: Selection<'_>) -> Result<ReviewData> {
    let repo = git::open(dir)?;
    let review = Review::open(&repo, selection, Purpose::Impact)?;
    data_of(&repo, review, true)
}

/// Loads the review `resolved` describes again (after signing, the sign-off states change):
/// the verdicts, over file lists of paths only (the workstation keeps the lists it has).
pub fn reload_review(repo_path: &Path, resolved: &Resolved) -> Result<ReviewData> {
    let repo = git::open(repo_path)?;
    let review = Review::reopen(&repo, resolved, Purpose::Impact)?;
    data_of(&repo, review, false)
}

/// The review's data; with `full_if_small`, a change of at most [`FULL_FIRST_FILES`] files
/// gets its full file lists now.
fn data_of(
    repo: &git2::Repository,
    mut review: Review<'_>,
    full_if_small: bool,
) -> Result<ReviewData> {
    let repo_path = repo.workdir().unwrap_or_else(|| repo.path()).to_path_buf();
    let builtin = review.builtin_policy;
    let assessments = if builtin {
        Vec::new()
    } else {
        review.assess_all()?
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
    let mut verdicts: Vec<Option<Judgement>> = assessments
        .iter()
        .map(|a| {
            Some(Judgement::from_assessment(
                a,
                review.policy().requirement(a.tier),
            ))
        })
        .collect();
    verdicts.resize(review.changes.commits.len(), None);
    let mut changes = std::mem::take(&mut review.changes.commits);
    let paths_only =
        !full_if_small || changes.iter().map(|c| c.files.len()).sum::<usize>() > FULL_FIRST_FILES;
    if !paths_only {
        let ids: Vec<CommitId> = changes.iter().map(|c| c.id).collect();
        changes = load_full_files_in(repo, &ids)?;
    }
    let commits = changes
        .into_iter()
        .zip(verdicts)
        .map(|(change, verdict)| CommitEntry { change, verdict })
        .collect();
    Ok(ReviewData {
        repo_path,
        range,
        trusted_ref,
        resolved: Some(resolved),
        notice,
        commits,
        paths_only,
    })
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
