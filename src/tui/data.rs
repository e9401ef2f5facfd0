//! What the workstation shows, loaded from the repository: the change (file lists first, each
//! file's hunks on demand), each commit's verdict, and the impact analysis when it exists.
//!
//! Everything here is plain data; the loading functions block and are called either before
//! the first frame (the cheap parts) or from background jobs (hunks, impact).

use std::path::{Path, PathBuf};

use crate::assess::{Assessment, Assessor};
use crate::git::{self, ChangeSet, CommitChange, FileChange, LoadDepth};
use crate::policy::{Tier, TierRequirement};
use crate::signoff::ReviewState;
use crate::{Error, Result};

/// One commit of the change with its verdict.
#[derive(Clone, Debug)]
pub struct CommitEntry {
    /// The commit and its files (hunks are loaded per file, on demand).
    pub change: CommitChange,
    /// The verdict, when a policy could judge it.
    pub verdict: Option<Verdict>,
}

/// What the policy says about one commit.
#[derive(Clone, Debug)]
pub struct Verdict {
    /// The agent when AI-generated, with the rule that matched.
    pub ai: Option<(String, String)>,
    /// Effective tier.
    pub tier: Tier,
    /// Why.
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
}

impl Verdict {
    /// From an assessment and the requirement of its tier.
    pub fn from_assessment(a: &Assessment, requirement: TierRequirement) -> Self {
        Verdict {
            ai: a.ai.as_ref().map(|p| (p.agent.clone(), p.rule.clone())),
            tier: a.tier,
            reasons: a.tier_reasons.clone(),
            state: a.state,
            requirement,
            approved_by: a.gate.approved_by.clone(),
            rejected_by: a.gate.rejected_by.clone(),
            rewritten_from: a.rewritten_from.clone(),
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
    /// The trusted ref whose policy judges the change (None when there is no base branch).
    pub trusted_ref: Option<String>,
    /// A one-line notice for the header (no policy yet, policy errors).
    pub notice: Option<String>,
    /// The commits, oldest first.
    pub commits: Vec<CommitEntry>,
}

impl ReviewData {
    /// Files over all commits.
    pub fn file_count(&self) -> usize {
        self.commits.iter().map(|c| c.change.files.len()).sum()
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

    /// The file at `key`.
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

/// Loads the change's file lists and verdicts: what the first frame needs, without hunks.
/// A repository without a policy still loads (no verdicts, and a notice saying so).
pub fn load_review(
    dir: &Path,
    revspec: Option<&str>,
    trusted_ref: Option<&str>,
) -> Result<ReviewData> {
    let repo = git::open(dir)?;
    let repo_path = repo.workdir().unwrap_or_else(|| repo.path()).to_path_buf();
    let trusted = match trusted_ref {
        Some(r) => Some(r.to_string()),
        None => crate::assess::default_trusted_ref(&repo),
    };
    let mut notice = None;
    let mut assessor = match &trusted {
        Some(t) => match Assessor::new(&repo, t) {
            Ok(a) => Some(a),
            Err(Error::NoPolicy { rev }) => {
                notice = Some(format!(
                    "no policy on {rev}: showing the change without tiers (add .countersign/policy.toml)"
                ));
                None
            }
            Err(e) => return Err(e),
        },
        None => {
            notice = Some("no base branch: showing the change without tiers".to_string());
            None
        }
    };
    let base = assessor
        .as_ref()
        .map(|a| a.trusted.policy.base.clone())
        .unwrap_or_else(|| trusted.clone().unwrap_or_else(|| "main".to_string()));
    let range = git::resolve_range(&repo, revspec, &base)?;
    let changes = ChangeSet::load(&repo, &range.commits, LoadDepth::Files)?;
    let mut commits = Vec::with_capacity(changes.commits.len());
    for change in changes.commits {
        let verdict = match assessor.as_mut() {
            Some(a) => {
                let assessment = a.assess(&change)?;
                let req = a.trusted.policy.requirement(assessment.tier);
                Some(Verdict::from_assessment(&assessment, req))
            }
            None => None,
        };
        commits.push(CommitEntry { change, verdict });
    }
    Ok(ReviewData {
        repo_path,
        range: range.description,
        trusted_ref: trusted,
        notice,
        commits,
    })
}

/// Reads `path` as of commit `rev` (for the read-only file viewer).
pub fn read_file_at(repo: &git2::Repository, rev: &str, path: &str) -> Result<String> {
    let oid = git2::Oid::from_str(rev).map_err(Error::git(format!("parsing commit id {rev}")))?;
    let snap = git::TreeSnapshot::of_commit(repo, oid)?;
    match snap.read(path)? {
        Some(bytes) => Ok(String::from_utf8_lossy(&bytes).into_owned()),
        None => Err(Error::Message(format!(
            "{path} does not exist at {}",
            git::short_id(rev)
        ))),
    }
}
