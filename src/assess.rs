//! The per-commit verdict that `status`, `verify` and the TUI show: AI provenance, the tier
//! with its reasons, and where the commit stands.
//!
//! An [`Assessor`] holds what judges a change — the policy and roster from the trusted
//! revision, and the workspace as of that revision — and assesses commits one by one,
//! caching each revision's workspace so a long range reads every manifest once.

use std::collections::HashMap;

use serde::Serialize;

use crate::git::{CommitChange, DiffBase, LoadDepth, TreeSnapshot};
use crate::impact::Workspace;
use crate::policy::provenance::{self, Provenance};
use crate::policy::tier::{Classifier, TierVerdict};
use crate::policy::{load_trusted, Diagnostics, Tier, Trusted};
use crate::signoff::rewrite::{self, RewrittenFrom};
use crate::signoff::{notes, verify, Checker, GateVerdict, ReviewState, SignoffVerdict};
use crate::{Error, Result};

/// One commit's verdict.
#[derive(Clone, Debug, Serialize)]
pub struct Assessment {
    /// Full commit id.
    pub commit: String,
    /// First line of the message.
    pub summary: String,
    /// Author name.
    pub author: String,
    /// AI provenance, None for a human commit.
    pub ai: Option<Provenance>,
    /// Effective tier.
    pub tier: Tier,
    /// Why the tier is what it is.
    pub tier_reasons: Vec<String>,
    /// Where the commit stands.
    pub state: ReviewState,
    /// Sign-offs recorded on the commit, each with its verdict under the trusted roster.
    pub signoffs: Vec<SignoffVerdict>,
    /// For a commit that needs sign-offs: its earlier version that holds valid approvals
    /// (the commit was rebased or amended after they were made), or null. It never counts
    /// toward this commit's approvals; it points the reviewer at the interdiff.
    pub rewritten_from: Option<RewrittenFrom>,
    /// What the gate makes of them: approvals required and held, and why it fails.
    #[serde(skip)]
    pub gate: GateVerdict,
    /// The full tier verdict (per path and crate).
    #[serde(skip)]
    pub verdict: TierVerdict,
}

/// Assesses commits against the policy, roster and workspace of one trusted revision.
pub struct Assessor<'r> {
    repo: &'r git2::Repository,
    /// The policy and roster that judge every commit.
    pub trusted: Trusted,
    /// The revision they were read from, as named.
    pub trusted_ref: String,
    trusted_workspace: Workspace,
    workspaces: HashMap<String, Workspace>,
    notes: notes::NotesReader<'r>,
    rewrites: rewrite::Finder,
}

impl<'r> Assessor<'r> {
    /// Reads the policy, roster and workspace from `trusted_ref`. Cargo metadata tiers that do
    /// not parse are reported here, with the policy's own errors.
    pub fn new(repo: &'r git2::Repository, trusted_ref: &str) -> Result<Self> {
        let trusted = load_trusted(repo, trusted_ref)?;
        let snapshot = TreeSnapshot::at(repo, trusted_ref)?;
        let trusted_workspace = Workspace::load(&snapshot)?;
        if !trusted_workspace.problems.is_empty() {
            return Err(Error::Policy(Diagnostics(
                trusted_workspace.problems.clone(),
            )));
        }
        Ok(Assessor {
            repo,
            trusted,
            trusted_ref: trusted_ref.to_string(),
            trusted_workspace,
            workspaces: HashMap::new(),
            notes: notes::NotesReader::new(repo),
            rewrites: rewrite::Finder::new(),
        })
    }

    /// The workspace as of commit `id` (cached).
    pub fn workspace_at(&mut self, id: &str) -> Result<&Workspace> {
        if !self.workspaces.contains_key(id) {
            let oid =
                git2::Oid::from_str(id).map_err(Error::git(format!("parsing commit id {id}")))?;
            let ws = Workspace::load(&TreeSnapshot::of_commit(self.repo, oid)?)?;
            self.workspaces.insert(id.to_string(), ws);
        }
        Ok(&self.workspaces[id])
    }

    /// The direct tier verdict of `commit` (escalation is applied by the impact analysis).
    pub fn classify(&mut self, commit: &CommitChange) -> Result<TierVerdict> {
        self.workspace_at(&commit.id)?;
        let parent = match &commit.diff_base {
            DiffBase::Parent(p) | DiffBase::FirstParentOfMerge(p) => Some(p.clone()),
            DiffBase::EmptyTree => None,
        };
        if let Some(p) = &parent {
            self.workspace_at(p)?;
        }
        let empty = Workspace::default();
        let ws = &self.workspaces[&commit.id];
        let parent_ws = parent.as_ref().map_or(&empty, |p| &self.workspaces[p]);
        let classifier = Classifier::new(&self.trusted.policy, &self.trusted_workspace);
        Ok(classifier.classify(commit, ws, parent_ws))
    }

    /// The full verdict on `commit`. When it needs sign-offs, its earlier signed version is
    /// looked for (see [`rewrite`]) and, when found, named in
    /// [`Assessment::rewritten_from`] and in the gate's problems.
    pub fn assess(&mut self, commit: &CommitChange) -> Result<Assessment> {
        let lines = self.note_lines(commit)?;
        let mut a = self.assess_lines(commit, &lines)?;
        if a.state == ReviewState::NeedsSignoff {
            if let Some(r) = self.rewritten_from(commit, &lines)? {
                a.gate.problems.push(r.sentence(&commit.id));
                a.rewritten_from = Some(r);
            }
        }
        Ok(a)
    }

    /// The verdict on `commit` judging exactly `lines` as its sign-offs (no rewrite search).
    fn assess_lines(&mut self, commit: &CommitChange, lines: &[String]) -> Result<Assessment> {
        let ai = provenance::detect(commit, &self.trusted.policy.ai);
        let verdict = self.classify(commit)?;
        let (signoffs, gate) = self.judge_signoffs(commit, lines, ai.as_ref(), &verdict);
        Ok(Assessment {
            commit: commit.id.clone(),
            summary: commit.summary.clone(),
            author: commit.author.name.clone(),
            ai,
            tier: verdict.tier,
            tier_reasons: verdict.reasons.clone(),
            state: gate.state,
            signoffs,
            rewritten_from: None,
            gate,
            verdict,
        })
    }

    fn note_lines(&mut self, commit: &CommitChange) -> Result<Vec<String>> {
        let oid = git2::Oid::from_str(&commit.id)
            .map_err(Error::git(format!("parsing commit id {}", commit.id)))?;
        self.notes.lines(oid)
    }

    /// The first candidate earlier version of `commit` (whose note holds `lines`) that holds
    /// approvals valid for itself and counting for its own tier, judged exactly as the gate
    /// judges it: P's own note plus the lines on `commit` that name P.
    pub fn rewritten_from(
        &mut self,
        commit: &CommitChange,
        lines: &[String],
    ) -> Result<Option<RewrittenFrom>> {
        let candidates = self.rewrites.candidates(self.repo, commit, lines)?;
        for cand in candidates.into_iter().take(rewrite::MAX_CANDIDATES) {
            // A candidate that cannot be read or judged (pruned, a broken manifest at that
            // revision) is no evidence of anything: skip it rather than fail the command.
            let Ok(earlier) = CommitChange::load(self.repo, cand.commit, LoadDepth::Files) else {
                continue;
            };
            let mut own = self.notes.lines(cand.commit)?;
            for l in cand.copied_lines {
                if !own.contains(&l) {
                    own.push(l);
                }
            }
            let Ok(judged) = self.assess_lines(&earlier, &own) else {
                continue;
            };
            if judged.gate.approved_by.is_empty() {
                continue;
            }
            let mut approved_by = judged.gate.approved_by;
            approved_by.sort();
            return Ok(Some(RewrittenFrom {
                commit: earlier.id,
                summary: earlier.summary,
                approved_by,
                found_by: cand.found_by,
                tier: judged.tier,
            }));
        }
        Ok(None)
    }

    /// Judges `lines` as the sign-offs of `commit` under the trusted roster and policy: the
    /// sign-off half of the verdict.
    fn judge_signoffs(
        &self,
        commit: &CommitChange,
        lines: &[String],
        ai: Option<&Provenance>,
        verdict: &TierVerdict,
    ) -> (Vec<SignoffVerdict>, GateVerdict) {
        let checker = Checker {
            roster: &self.trusted.roster,
            trusted_ref: &self.trusted_ref,
            now: chrono::Utc::now(),
        };
        let mut signoffs: Vec<SignoffVerdict> = lines
            .iter()
            .map(|l| checker.check_line(l, commit))
            .collect();
        let gate = verify::judge(
            &self.trusted.policy,
            commit,
            ai,
            verdict.tier,
            &verdict.reasons,
            &mut signoffs,
        );
        (signoffs, gate)
    }
}

/// The trusted ref to use when the user gives none: the remote's default branch
/// (`refs/remotes/origin/HEAD`) when known, else the first of `main`, `master` that exists
/// locally or on `origin`. The policy read from it names the base branch for ranges.
pub fn default_trusted_ref(repo: &git2::Repository) -> Option<String> {
    if let Ok(r) = repo.find_reference("refs/remotes/origin/HEAD") {
        if let Some(target) = r.symbolic_target().ok().flatten() {
            if let Some(branch) = target.strip_prefix("refs/remotes/origin/") {
                return Some(
                    branch_ref(repo, branch).unwrap_or_else(|| format!("origin/{branch}")),
                );
            }
        }
    }
    ["main", "master"]
        .into_iter()
        .find_map(|b| branch_ref(repo, b))
}

/// `BRANCH` when the local branch exists, else `origin/BRANCH` when that exists.
pub fn branch_ref(repo: &git2::Repository, branch: &str) -> Option<String> {
    if repo.find_reference(&format!("refs/heads/{branch}")).is_ok() {
        Some(branch.to_string())
    } else if repo
        .find_reference(&format!("refs/remotes/origin/{branch}"))
        .is_ok()
    {
        Some(format!("origin/{branch}"))
    } else {
        None
    }
}
