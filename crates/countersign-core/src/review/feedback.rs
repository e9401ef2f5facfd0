//! `countersign feedback`: the review handed back to the agent — the decision and every
//! comment with the code it is about, found again on the agent's next revision.
//!
//! 1. **Gather.** Comments come from valid signed records (approve or reject, payload
//!    version 2) on the commits of the range and on the earlier versions the rewrite
//!    detection (`crate::signoff::rewrite`) finds for them, plus the workstation's current
//!    drafts ([`super::drafts`]) on those commits. Only records the trusted roster's keys
//!    signed count: anyone can push note lines, and a forged one must not put words in a
//!    reviewer's mouth.
//! 2. **Anchor by content.** Each comment carries the lines it is about. On the range's tip
//!    (new side) — or for old-side comments, the parent the lines were removed from — those
//!    lines are looked for again: at the same place the comment is `open`; elsewhere it has
//!    `moved` (with the new line numbers; ties go to the match whose context also matches,
//!    then to the nearest); not at all, it is `outdated` (these lines changed).
//! 3. **Render** ([`super::feedback_render`]): Markdown for the agent, JSON for tools.

use std::collections::{HashMap, HashSet};

use git2::Oid;
use serde::Serialize;

use super::assess::Assessment;
use super::drafts::Draft;
use super::open::Review;
use crate::git::{CommitChange, LoadDepth};
use crate::model::{CommitId, Side};
use crate::signoff::comment::{self, CommentInput, ReviewComment};
use crate::signoff::notes::NotesReader;
use crate::signoff::rewrite::{self, Finder};
use crate::signoff::{Checker, Decision, ReviewState, SignoffVerdict};
use crate::Result;

/// The version of the JSON document `feedback --format json` prints.
pub const SCHEMA_VERSION: u32 = 1;

/// Where a comment stands on the range's tip.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Its lines are where they were.
    Open,
    /// Its lines are there, at other line numbers.
    Moved,
    /// Its lines are no longer there: they changed (or the file went away).
    Outdated,
}

impl State {
    /// `open`, `moved`, `outdated`.
    pub fn name(self) -> &'static str {
        match self {
            State::Open => "open",
            State::Moved => "moved",
            State::Outdated => "outdated",
        }
    }
}

/// Where a comment came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// A valid signed record.
    Signed,
    /// A draft in the workstation, not signed yet.
    Draft,
}

/// The overall decision the feedback reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// A reviewer's reject stands (no approval of theirs names it): the agent must change
    /// the code.
    ChangesRequested,
    /// Approvals and no standing reject.
    Approved,
    /// Nothing signed yet (drafts at most).
    Pending,
}

/// Where the agent's work stands with the gate: what `verify` would say about the range now.
/// Unlike [`Verdict`] (the reviewers' signed decisions, earlier versions included), this
/// follows the gate: a reject on a version the agent has since replaced no longer holds the
/// range up, and a commit the gate forbids does, signed or not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LoopState {
    /// `verify` would pass: nothing is left to do.
    Approved,
    /// A reject or a forbidden commit stands: the agent must change the branch
    /// (see [`Feedback::actions`]).
    ChangesRequested,
    /// Waiting for reviewers (or no policy yet to judge by).
    Pending,
}

impl LoopState {
    /// `approved`, `changes-requested`, `pending`.
    pub fn name(self) -> &'static str {
        match self {
            LoopState::Approved => "approved",
            LoopState::ChangesRequested => "changes-requested",
            LoopState::Pending => "pending",
        }
    }
}

/// One commit the gate does not pass yet, with what the agent (or a reviewer) must do.
#[derive(Clone, Debug, Serialize)]
pub struct NextStep {
    /// The commit to act on (its full hex id in JSON).
    pub commit: CommitId,
    /// Its summary line.
    pub summary: String,
    /// Where it stands with the gate (`rejected`, `forbidden`, `needs-signoff`, …).
    pub state: ReviewState,
    /// True when the agent must change the branch (drop, amend or squash); false when it
    /// waits for a reviewer.
    pub agent: bool,
    /// What to do, as a sentence.
    pub action: String,
    /// The gate's reasons, as `verify` prints them.
    pub problems: Vec<String>,
}

/// One signed decision behind the feedback.
#[derive(Clone, Debug, Serialize)]
pub struct SignedDecision {
    /// Who signed.
    pub principal: String,
    /// What they decided.
    pub decision: Decision,
    /// The commit it was signed on.
    pub commit: CommitId,
    /// That commit's summary line.
    pub summary: String,
    /// When (RFC 3339).
    pub timestamp: String,
    /// The free-text comment (may be empty).
    pub comment: String,
    /// True when signed on an earlier version (rebased or amended since).
    pub earlier_version: bool,
    /// For a reject: no approval by the same principal names it (it stands).
    pub standing: bool,
    #[serde(skip)]
    digest: Option<String>,
    #[serde(skip)]
    supersedes: Option<String>,
    /// The free-text comment without the lines that repeat the record's structured comments
    /// (the workstation writes each line comment into both): what the prompt prints.
    #[serde(skip)]
    pub extra_comment: String,
}

/// One comment, anchored on the range's tip.
#[derive(Clone, Debug, Serialize)]
pub struct FeedbackComment {
    /// Signed or draft.
    pub source: Source,
    /// Who wrote it (None for a draft).
    pub principal: Option<String>,
    /// The decision of the record that carries it (None for a draft).
    pub decision: Option<Decision>,
    /// True when made on an earlier version of a commit of the range.
    pub earlier_version: bool,
    /// The comment as made: commit, path, side, lines, text and quoted code.
    #[serde(flatten)]
    pub comment: ReviewComment,
    /// Open, moved or outdated.
    pub state: State,
    /// Where its lines are now (open or moved): first line on the same side.
    pub now_start: Option<u32>,
    /// Last line now.
    pub now_end: Option<u32>,
    /// The commit `now_start`/`now_end` count in.
    pub now_commit: Option<String>,
}

impl FeedbackComment {
    /// Whether `--unresolved` keeps it: not outdated and not marked resolved.
    pub fn unresolved(&self) -> bool {
        self.state != State::Outdated && !self.comment.resolved
    }
}

/// The review as a prompt: decision, decisions signed and comments anchored.
#[derive(Clone, Debug, Serialize)]
pub struct Feedback {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The range, as given or defaulted (`refs/heads/main..HEAD`).
    pub range: String,
    /// The trusted ref whose roster judged the records.
    pub trusted_ref: String,
    /// The range's tip: where comments are anchored (None for an empty range).
    pub tip: Option<String>,
    /// The overall decision.
    pub verdict: Verdict,
    /// Where the work stands with the gate: `approved` (done), `changes-requested`, `pending`.
    pub state: LoopState,
    /// The commits the gate does not pass yet, each with what to do (empty when approved).
    pub actions: Vec<NextStep>,
    /// The valid signed decisions, range commits first, oldest first.
    pub decisions: Vec<SignedDecision>,
    /// Every comment with its state, grouped by path (sorted), then by line.
    pub comments: Vec<FeedbackComment>,
}

impl Feedback {
    /// Leaves out the outdated comments and those marked resolved (`--unresolved`).
    pub fn keep_unresolved(&mut self) {
        self.comments.retain(FeedbackComment::unresolved);
    }
}

/// A record with the commit it was found on.
struct Found {
    verdict: SignoffVerdict,
    commit: CommitChange,
    earlier: bool,
}

/// Gathers and anchors the feedback on the opened `review`, with the workstation's `drafts`.
pub fn collect(review: &mut Review<'_>, drafts: &[Draft]) -> Result<Feedback> {
    let repo = review.repo;
    let assessments = review.assess_all()?;
    let commits = review.changes.commits.clone();
    let roster = review.assessor().trusted.roster.clone();
    let trusted_ref = review.trusted.name.clone();
    let checker = Checker {
        roster: &roster,
        trusted_ref: &trusted_ref,
        now: chrono::Utc::now(),
        checked: None,
    };
    let in_range: HashSet<CommitId> = commits.iter().map(|c| c.id).collect();

    let mut found = signed_in_range(&commits, &assessments);
    let earlier_seen = signed_on_earlier_versions(repo, &commits, &in_range, &checker, &mut found)?;
    let (mut decisions, mut comments, mut seen) = decisions_and_comments(&found);
    mark_lifted_rejects(&mut decisions);
    let known: HashMap<String, bool> = commits
        .iter()
        .map(|c| (c.id.to_string(), false))
        .chain(earlier_seen.iter().map(|o| (o.to_string(), true)))
        .collect();
    add_drafts(repo, drafts, &known, &mut seen, &mut comments);
    let tip = place_comments(repo, &commits, &in_range, &mut comments)?;

    let actions: Vec<NextStep> = commits
        .iter()
        .zip(&assessments)
        .filter(|(_, a)| !a.gate.ok)
        .map(|(c, a)| action_for(c, a, &trusted_ref))
        .collect();
    let state = if actions.iter().any(|a| a.agent) {
        LoopState::ChangesRequested
    } else if actions.is_empty() && !commits.is_empty() && !review.builtin_policy {
        LoopState::Approved
    } else {
        LoopState::Pending
    };
    Ok(Feedback {
        schema_version: SCHEMA_VERSION,
        range: review.range.description.clone(),
        trusted_ref: review.trusted.display(),
        tip: tip.map(|t| t.to_string()),
        verdict: verdict_of(&decisions),
        state,
        actions,
        decisions,
        comments,
    })
}

/// The valid, parsed sign-offs on the range's own commits.
fn signed_in_range(commits: &[CommitChange], assessments: &[Assessment]) -> Vec<Found> {
    let mut found = Vec::new();
    for (c, a) in commits.iter().zip(assessments) {
        for s in a.signoffs.iter().filter(|s| s.valid && s.parsed.is_some()) {
            found.push(Found {
                verdict: s.clone(),
                commit: c.clone(),
                earlier: false,
            });
        }
    }
    found
}

/// Adds to `found` the sign-offs on the earlier versions the rewrite detection finds (each
/// judged against itself, copied note lines included); returns those versions.
fn signed_on_earlier_versions(
    repo: &git2::Repository,
    commits: &[CommitChange],
    in_range: &HashSet<CommitId>,
    checker: &Checker<'_>,
    found: &mut Vec<Found>,
) -> Result<HashSet<Oid>> {
    let mut notes = NotesReader::new(repo);
    let mut finder = Finder::new();
    let mut earlier_seen: HashSet<Oid> = HashSet::new();
    for c in commits {
        let lines = notes.lines(c.id.oid())?;
        let candidates = finder.candidates(repo, c, &lines)?;
        for cand in candidates.into_iter().take(rewrite::MAX_CANDIDATES) {
            if in_range.contains(&cand.commit.into()) || !earlier_seen.insert(cand.commit) {
                continue;
            }
            let Ok(earlier) = CommitChange::load(repo, cand.commit, LoadDepth::Files) else {
                continue;
            };
            let mut own = notes.lines(cand.commit)?;
            for l in cand.copied_lines {
                if !own.contains(&l) {
                    own.push(l);
                }
            }
            for l in &own {
                let v = checker.check_line(l, &earlier);
                if v.valid && v.parsed.is_some() {
                    found.push(Found {
                        verdict: v,
                        commit: earlier.clone(),
                        earlier: true,
                    });
                }
            }
        }
    }
    Ok(earlier_seen)
}

/// The comment keys already listed, so that a comment signed twice or also drafted is
/// listed once.
type Seen = HashSet<(String, String, Side, u32, u32, String)>;

/// One decision per signed record (by digest, so that a range of many signed commits is not
/// compared pairwise) and the structured comments each carries on its own commit.
fn decisions_and_comments(found: &[Found]) -> (Vec<SignedDecision>, Vec<FeedbackComment>, Seen) {
    let mut decisions: Vec<SignedDecision> = Vec::new();
    let mut comments: Vec<FeedbackComment> = Vec::new();
    let mut seen: Seen = HashSet::new();
    let mut listed: HashSet<Option<String>> = HashSet::new();
    for f in found {
        let Some(p) = &f.verdict.parsed else { continue };
        if !listed.insert(f.verdict.digest.clone()) {
            continue;
        }
        decisions.push(SignedDecision {
            principal: p.principal.clone(),
            decision: p.decision,
            commit: f.commit.id,
            summary: f.commit.summary.clone(),
            timestamp: p.timestamp.clone(),
            comment: p.comment.clone(),
            earlier_version: f.earlier,
            standing: p.decision == Decision::Reject,
            digest: f.verdict.digest.clone(),
            supersedes: p.supersedes.clone(),
            extra_comment: without_structured(&p.comment, &p.comments),
        });
        for c in p.comments.iter().filter(|c| c.commit == p.commit) {
            if seen.insert(key(c)) {
                comments.push(new_comment(Source::Signed, Some(p), f.earlier, c.clone()));
            }
        }
    }
    (decisions, comments, seen)
}

/// A reject stands unless an approval by the same principal names it in `supersedes`.
fn mark_lifted_rejects(decisions: &mut [SignedDecision]) {
    let lifted: HashSet<(String, String)> = decisions
        .iter()
        .filter_map(|d| Some((d.principal.clone(), d.supersedes.clone()?)))
        .collect();
    for d in decisions
        .iter_mut()
        .filter(|d| d.decision == Decision::Reject)
    {
        d.standing = !d
            .digest
            .as_ref()
            .is_some_and(|dig| lifted.contains(&(d.principal.clone(), dig.clone())));
    }
}

/// The workstation's drafts on `known` commits (the range and its earlier versions; the
/// value says which), quoted from their commit, unless a signed comment already says it.
fn add_drafts(
    repo: &git2::Repository,
    drafts: &[Draft],
    known: &HashMap<String, bool>,
    seen: &mut Seen,
    comments: &mut Vec<FeedbackComment>,
) {
    for d in drafts {
        let Some(&earlier) = known.get(&d.commit) else {
            continue;
        };
        let c = draft_comment(Some(repo), &d.commit, d);
        if seen.insert(key(&c)) {
            comments.push(new_comment(Source::Draft, None, earlier, c));
        }
    }
}

/// Finds where each comment's lines are at the tip (open, moved or outdated) and sorts them
/// by path and line; returns the tip (None for an empty range, where all are outdated).
fn place_comments(
    repo: &git2::Repository,
    commits: &[CommitChange],
    in_range: &HashSet<CommitId>,
    comments: &mut [FeedbackComment],
) -> Result<Option<Oid>> {
    let tip = commits.last().map(|c| c.id.oid());
    let base = commits
        .first()
        .and_then(|c| c.parents.first())
        .map(|p| p.oid());
    let mut files = FileCache::default();
    if let Some(tip) = tip {
        for c in comments.iter_mut() {
            let still_in_range =
                (c.comment.commit.parse::<CommitId>()).is_ok_and(|id| in_range.contains(&id));
            anchor(repo, &mut files, c, tip, base, still_in_range)?;
        }
    } else {
        for c in comments.iter_mut() {
            c.state = State::Outdated;
        }
    }
    comments.sort_by(|a, b| {
        (&a.comment.path, a.now_start.unwrap_or(a.comment.start))
            .cmp(&(&b.comment.path, b.now_start.unwrap_or(b.comment.start)))
    });
    Ok(tip)
}

/// The reviewers' overall decision: a standing reject, else any approval, else pending.
fn verdict_of(decisions: &[SignedDecision]) -> Verdict {
    if decisions.iter().any(|d| d.standing) {
        Verdict::ChangesRequested
    } else if decisions.iter().any(|d| d.decision == Decision::Approve) {
        Verdict::Approved
    } else {
        Verdict::Pending
    }
}

/// What to do about `c`, which the gate does not pass (`a`).
fn action_for(c: &CommitChange, a: &super::Assessment, trusted_ref: &str) -> NextStep {
    let short = c.id.short();
    let (agent, action) = match a.gate.state {
        ReviewState::Forbidden => (
            true,
            format!(
                "drop commit {short} from the branch (git rebase -i {trusted_ref}, delete its \
                 line): an AI-generated change in the prohibited tier never passes, whatever \
                 sign-offs it carries; a human must make this change"
            ),
        ),
        ReviewState::Rejected => (
            true,
            format!(
                "rejected by {}: fix it in commit {short} itself — amend it, or commit the fix \
                 with git commit --fixup={short} and squash it (git rebase -i --autosquash \
                 {trusted_ref}); a fix stacked on top leaves the reject standing on {short}",
                a.gate.rejected_by.join(", ")
            ),
        ),
        ReviewState::NeedsSignoff => {
            let missing = (a.gate.required as usize).saturating_sub(a.gate.approved_by.len());
            (
                false,
                format!(
                    "waiting for {missing} more approval{}{}: nothing to change unless a \
                     comment asks for it",
                    if missing == 1 { "" } else { "s" },
                    a.gate
                        .role
                        .as_deref()
                        .map_or(String::new(), |r| format!(" from role {r}"))
                ),
            )
        }
        _ => (
            true,
            "the gate refuses this commit: see its problems".to_string(),
        ),
    };
    NextStep {
        commit: c.id,
        summary: c.summary.clone(),
        state: a.gate.state,
        agent,
        action,
        problems: a.gate.problems.clone(),
    }
}

/// `comment` without the lines the workstation wrote for each of `structured` (`path:+12: text`
/// or `path:+12..14: text`), which the prompt prints with their code already.
fn without_structured(comment: &str, structured: &[ReviewComment]) -> String {
    let mut rest = comment.to_string();
    for c in structured {
        let sign = if c.side == Side::Old { '-' } else { '+' };
        let place = if c.end > c.start {
            format!("{sign}{}..{}", c.start, c.end)
        } else {
            format!("{sign}{}", c.start)
        };
        let rendered = format!("{}:{place}: {}", c.path, c.text);
        if let Some(at) = rest.find(&rendered) {
            rest.replace_range(at..at + rendered.len(), "");
        }
    }
    rest.lines()
        .filter(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

fn key(c: &ReviewComment) -> (String, String, Side, u32, u32, String) {
    (
        c.commit.clone(),
        c.path.clone(),
        c.side,
        c.start,
        c.end,
        c.text.clone(),
    )
}

fn new_comment(
    source: Source,
    payload: Option<&crate::signoff::Payload>,
    earlier_version: bool,
    comment: ReviewComment,
) -> FeedbackComment {
    FeedbackComment {
        source,
        principal: payload.map(|p| p.principal.clone()),
        decision: payload.map(|p| p.decision),
        earlier_version,
        comment,
        state: State::Open,
        now_start: None,
        now_end: None,
        now_commit: None,
    }
}

/// A draft as a comment: its line quoted from the commit when `repo` holds it (a whole-file
/// draft, or one whose line is gone, quotes nothing).
fn draft_comment(repo: Option<&git2::Repository>, commit: &str, d: &Draft) -> ReviewComment {
    let anchor = d.anchor();
    let side = anchor.map_or(Side::New, |a| a.side);
    let line = anchor.map(|a| a.start);
    let start = line.unwrap_or(0);
    let bare = ReviewComment {
        commit: commit.to_string(),
        path: d.path.clone(),
        side,
        start,
        end: d.end.filter(|e| *e >= start).unwrap_or(start),
        text: d.text.clone(),
        code: Vec::new(),
        before: Vec::new(),
        after: Vec::new(),
        resolved: false,
    };
    let (Some(start), Some(repo), Ok(commit)) = (line, repo, commit.parse()) else {
        return bare;
    };
    let input = CommentInput {
        commit,
        path: d.path.clone(),
        side,
        start,
        end: d.end.filter(|e| *e >= start),
        text: d.text.clone(),
        resolved: false,
    };
    comment::quote(repo, &input).unwrap_or(bare)
}

/// The feedback of drafts alone, each open where it was made (quoted from `repo` when there
/// is one), under the `verdict` given: for a workstation whose review was not opened from a
/// repository (hand-made data) or could not be opened again.
pub fn of_drafts(
    repo: Option<&git2::Repository>,
    range: &str,
    drafts: &[Draft],
    verdict: Verdict,
) -> Feedback {
    let comments = drafts
        .iter()
        .map(|d| {
            let mut c = new_comment(
                Source::Draft,
                None,
                false,
                draft_comment(repo, &d.commit, d),
            );
            if c.comment.start > 0 {
                c.now_start = Some(c.comment.start);
                c.now_end = Some(c.comment.end);
                c.now_commit = Some(d.commit.clone());
            }
            c
        })
        .collect();
    Feedback {
        schema_version: SCHEMA_VERSION,
        range: range.to_string(),
        trusted_ref: String::new(),
        tip: None,
        verdict,
        // Without the gate's view, only a signed reject in this session is known to stand.
        state: if verdict == Verdict::ChangesRequested {
            LoopState::ChangesRequested
        } else {
            LoopState::Pending
        },
        actions: Vec::new(),
        decisions: Vec::new(),
        comments,
    }
}

/// File contents read for anchoring, by (commit, path, side).
#[derive(Default)]
struct FileCache {
    files: HashMap<(Oid, String, Side), Option<Vec<String>>>,
}

impl FileCache {
    fn lines(
        &mut self,
        repo: &git2::Repository,
        commit: Oid,
        path: &str,
        side: Side,
    ) -> Result<Option<&Vec<String>>> {
        let key = (commit, path.to_string(), side);
        if !self.files.contains_key(&key) {
            let lines = comment::file_lines(repo, commit, path, side)?;
            self.files.insert(key.clone(), lines);
        }
        Ok(self.files.get(&key).and_then(Option::as_ref))
    }
}

/// Finds `c`'s lines again: new-side comments on the tip; old-side comments on the parent of
/// their commit while it is still in the range, else on the range's base.
fn anchor(
    repo: &git2::Repository,
    files: &mut FileCache,
    c: &mut FeedbackComment,
    tip: Oid,
    base: Option<Oid>,
    still_in_range: bool,
) -> Result<()> {
    let own = c.comment.commit.parse().ok().map(CommitId::oid);
    let (target, side) = match c.comment.side {
        Side::New => (Some(tip), Side::New),
        Side::Old if still_in_range => (own, Side::Old),
        Side::Old => (base, Side::New),
    };
    let Some(target) = target else {
        c.state = State::Outdated;
        return Ok(());
    };
    let Some(lines) = files.lines(repo, target, &c.comment.path, side)? else {
        c.state = State::Outdated;
        return Ok(());
    };
    let code = &c.comment.code;
    if code.is_empty() {
        // A whole-file comment: open while the file is there.
        c.state = State::Open;
        return Ok(());
    }
    let n = code.len();
    let mut best: Option<(usize, usize, usize)> = None; // (index, context score, distance)
    if lines.len() >= n {
        for i in 0..=lines.len() - n {
            if lines[i] != code[0] || lines[i..i + n] != code[..] {
                continue;
            }
            let score = context_score(lines, i, n, &c.comment.before, &c.comment.after);
            let distance = (i + 1).abs_diff(c.comment.start as usize);
            let better = match best {
                None => true,
                Some((_, s, d)) => score > s || (score == s && distance < d),
            };
            if better {
                best = Some((i, score, distance));
            }
        }
    }
    match best {
        None => c.state = State::Outdated,
        Some((i, _, distance)) => {
            let start = u32::try_from(i + 1).unwrap_or(u32::MAX);
            c.now_start = Some(start);
            c.now_end = Some(start.saturating_add(u32::try_from(n - 1).unwrap_or(0)));
            c.now_commit = Some(target.to_string());
            c.state = if distance == 0 {
                State::Open
            } else {
                State::Moved
            };
        }
    }
    Ok(())
}

/// How many of the quoted context lines match around a match at `i` of length `n`.
fn context_score(
    lines: &[String],
    i: usize,
    n: usize,
    before: &[String],
    after: &[String],
) -> usize {
    let b = before
        .iter()
        .rev()
        .zip(lines[..i].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let a = after
        .iter()
        .zip(lines[i + n..].iter())
        .take_while(|(a, b)| a == b)
        .count();
    a + b
}
