//! [`Review::open`]: the one way every command and the workstation start — the trusted ref,
//! the policy and roster, the range and the change set, resolved once.

use git2::{Oid, Repository};

use super::assess::{Assessment, Assessor};
use super::report::Report;
use super::tiered::TieredImpact;
use super::trusted::{resolve_trusted, TrustedRef};
use crate::git::{self, ChangeSet, LoadDepth, RangeSpec};
use crate::impact::Options;
use crate::policy::{self, Policy};
use crate::{Error, Result};

/// What the review is opened for: it decides whether a policy is required and whether a
/// default trusted ref may contain the change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// `status`: needs the policy; a default trusted ref that contains HEAD leaves nothing
    /// to judge.
    Triage,
    /// The workstation: without a policy on the trusted ref, the built-in defaults judge
    /// (with a notice), so anyone can try it on any Cargo repository. Files are loaded with
    /// rename detection and content (what the reviewer reads).
    Explore,
    /// `impact`, the workstation's impact panel and its first screen: like
    /// [`Purpose::Explore`], but only paths are loaded.
    Impact,
    /// `verify`: needs the policy; a default trusted ref that contains the change is an
    /// error, because a gate never passes on a guessed ref that judges the change by its own
    /// policy.
    Gate,
    /// `sign`: needs the policy.
    Sign,
}

/// The arguments every judging command shares, as the user gave them.
#[derive(Clone, Copy, Debug, Default)]
pub struct Selection<'a> {
    /// The REVSPEC (`A..B`, `A...B`, one commit), or None for the commits of HEAD not on the
    /// trusted ref.
    pub revspec: Option<&'a str>,
    /// `--trusted-ref`, or None for the settled default.
    pub trusted_ref: Option<&'a str>,
}

/// What an opened review resolved, as plain values: enough to open the same review again on
/// another thread (the workstation's jobs) without resolving anything a second time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    /// The trusted ref and the commit everything is read from.
    pub trusted: TrustedRef,
    /// The commits under review, oldest first.
    pub commits: Vec<Oid>,
    /// How the range was chosen, for display.
    pub range: String,
}

/// An opened review: the trusted ref, the policy and roster read from its commit, the range
/// and its change set (files, no hunks), and the assessor that judges the commits.
pub struct Review<'r> {
    /// Everything the review reads comes from this repository.
    pub repo: &'r Repository,
    /// The trusted ref, resolved once.
    pub trusted: TrustedRef,
    /// The range under review.
    pub range: RangeSpec,
    /// Its commits with their files.
    pub changes: ChangeSet,
    /// One-line notices for headers and stderr: built-in policy, a policy `base` that differs
    /// from the trusted ref.
    pub notices: Vec<String>,
    /// True when the trusted ref has no policy and the built-in defaults judge.
    pub builtin_policy: bool,
    assessor: Assessor<'r>,
    purpose: Purpose,
}

impl<'r> Review<'r> {
    /// Opens the review of `selection` in `repo` for `purpose`: resolves the trusted ref (see
    /// [`super::trusted`]), reads the policy and roster from its commit, resolves the range
    /// and loads the change set. Errors (exit 2): no trusted ref can be determined, an
    /// ambiguous name, a range that reaches a shallow boundary, a default trusted ref that
    /// contains the change under [`Purpose::Gate`], a missing policy where one is needed.
    pub fn open(repo: &'r Repository, selection: Selection<'_>, purpose: Purpose) -> Result<Self> {
        let (trusted, range) = resolve(repo, selection, purpose, false)?;
        Self::with_range(repo, trusted, range, purpose, true)
    }

    /// [`Review::open`] without loading the change set: the range's commit ids are known,
    /// their changes are loaded later with [`Review::load_changes`] (the workstation opens a
    /// long range on its first commit and loads the rest behind the first screen). For the
    /// workstation only: the gate and `status` judge what [`Review::open`] loads.
    pub fn open_unloaded(
        repo: &'r Repository,
        selection: Selection<'_>,
        purpose: Purpose,
    ) -> Result<Self> {
        // Listing the range reads every commit of it once, which libgit2 would hash again and
        // keep in its cache (a tenth of the first screen of 20,000 commits each; `git log`
        // does neither): the commits are read again, verified, by whatever loads their
        // changes before they are judged or signed (the workstation's loader opens the
        // repository afresh).
        let (trusted, range) = resolve(repo, selection, purpose, true)?;
        Self::with_range(repo, trusted, range, purpose, false)
    }

    /// Opens the review `resolved` describes (the same trusted commit and commits), as a
    /// workstation job does after the first screen.
    pub fn reopen(repo: &'r Repository, resolved: &Resolved, purpose: Purpose) -> Result<Self> {
        let range = RangeSpec {
            commits: resolved.commits.clone(),
            description: resolved.range.clone(),
        };
        Self::with_range(repo, resolved.trusted.clone(), range, purpose, true)
    }

    /// [`Review::reopen`] without loading the change set (see [`Review::open_unloaded`]).
    pub fn reopen_unloaded(
        repo: &'r Repository,
        resolved: &Resolved,
        purpose: Purpose,
    ) -> Result<Self> {
        let range = RangeSpec {
            commits: resolved.commits.clone(),
            description: resolved.range.clone(),
        };
        Self::with_range(repo, resolved.trusted.clone(), range, purpose, false)
    }

    fn with_range(
        repo: &'r Repository,
        trusted: TrustedRef,
        range: RangeSpec,
        purpose: Purpose,
        load: bool,
    ) -> Result<Self> {
        let mut notices = Vec::new();
        // Replace refs and grafts change what git checks out, not what countersign reads.
        let mut judged = range.commits.clone();
        judged.push(trusted.commit);
        notices.extend(super::replaced::check(repo, &judged)?);
        let (policy, builtin_policy) =
            match policy::load_trusted_at(repo, trusted.commit, &trusted.name) {
                Ok(t) => (t, false),
                Err(Error::NoPolicy { rev })
                    if matches!(purpose, Purpose::Explore | Purpose::Impact) =>
                {
                    notices.push(format!(
                        "no policy at {rev}:.countersign/policy.toml; using the built-in \
                         defaults (countersign init writes one)"
                    ));
                    (policy::builtin(), true)
                }
                Err(e) => return Err(e),
            };
        if !builtin_policy {
            if let Some(branch) = trusted.branch() {
                if branch != policy.policy.base {
                    notices.push(format!(
                        "the policy names base `{}`, but the trusted ref is {} ({}); the \
                         policy's base is not followed: pass --trusted-ref or set git config \
                         countersign.trustedRef to judge by another branch",
                        policy.policy.base,
                        trusted.name,
                        trusted.source.describe()
                    ));
                }
            }
        }
        let mut assessor = Assessor::with_trusted(repo, policy, &trusted)?;
        assessor.cache_scans = matches!(purpose, Purpose::Explore | Purpose::Impact);
        // A run that only reads judges every commit against one snapshot of the notes; the
        // workstation and `sign`, which add to them, read them as they are.
        if matches!(purpose, Purpose::Gate | Purpose::Triage | Purpose::Impact) {
            assessor.pin_notes();
        }
        let mut review = Review {
            repo,
            trusted,
            range,
            changes: ChangeSet::default(),
            notices,
            builtin_policy,
            assessor,
            purpose,
        };
        if load {
            let ids = review.range.commits.clone();
            review.changes.commits = review.load_changes(&ids)?;
        }
        Ok(review)
    }

    /// Loads the changes of `ids` (commits of the range) as this review's purpose needs
    /// them, on the machine's cores. The change set of a review opened with
    /// [`Review::open_unloaded`] stays empty: the caller keeps what it loads.
    pub fn load_changes(&mut self, ids: &[Oid]) -> Result<Vec<git::CommitChange>> {
        // Judging needs paths only: rename similarity and content are read where a verdict
        // depends on them (a sign-off's patch digest), and for the reviewer's screen.
        let depth = match self.purpose {
            Purpose::Explore | Purpose::Sign => LoadDepth::Files,
            Purpose::Triage | Purpose::Gate | Purpose::Impact => LoadDepth::Paths,
        };
        // A commit with sign-off lines (or lines its note lost) is checked against its patch
        // digest: load those with rename detection now, on the loader's threads, rather than
        // again one by one while judging.
        let mut each = Vec::with_capacity(ids.len());
        for id in ids {
            let own = match depth {
                LoadDepth::Paths if self.assessor.has_note_lines(*id)? => LoadDepth::Digest,
                d => d,
            };
            each.push((*id, own));
        }
        Ok(ChangeSet::load_each(self.repo, &each)?.commits)
    }

    /// The verdicts of `commits`, in order: the workstation judges a long range part by
    /// part as it loads, oldest first like [`Review::assess_all`], with one assessor.
    pub fn assess_some(&mut self, commits: &[git::CommitChange]) -> Result<Vec<Assessment>> {
        self.assessor.check_signatures_ahead(commits)?;
        commits.iter().map(|c| self.assessor.assess(c)).collect()
    }

    /// The resolved values, for jobs that reopen this review on another thread.
    pub fn resolved(&self) -> Resolved {
        Resolved {
            trusted: self.trusted.clone(),
            commits: self.range.commits.clone(),
            range: self.range.description.clone(),
        }
    }

    /// The trusted policy (or the built-in defaults, see [`Review::builtin_policy`]).
    pub fn policy(&self) -> &Policy {
        &self.assessor.trusted.policy
    }

    /// The trusted policy and roster (what signing plans under).
    pub(super) fn trusted_files(&self) -> &policy::Trusted {
        &self.assessor.trusted
    }

    /// The assessor, for callers that judge commits one by one (the workstation).
    pub fn assessor(&mut self) -> &mut Assessor<'r> {
        &mut self.assessor
    }

    /// True when the range has no commits: nothing to judge.
    pub fn is_empty(&self) -> bool {
        self.range.commits.is_empty()
    }

    /// Every commit's verdict, oldest first.
    pub fn assess_all(&mut self) -> Result<Vec<Assessment>> {
        self.assess_all_with(&mut |_, _, _| {})
    }

    /// [`Review::assess_all`], telling `progress` (commits judged, total, the one being
    /// judged) before each commit, for long ranges.
    pub fn assess_all_with(
        &mut self,
        progress: &mut dyn FnMut(usize, usize, &crate::git::CommitChange),
    ) -> Result<Vec<Assessment>> {
        let mut all = Vec::with_capacity(self.changes.commits.len());
        self.assess_each_with(progress, &mut |a| {
            all.push(a);
            Ok(())
        })?;
        Ok(all)
    }

    /// [`Review::assess_all_with`], handing each verdict to `each` as soon as it is made
    /// rather than keeping them all: what reads a long history (`report`) keeps only what it
    /// needs of each commit, so its memory does not grow with every verdict's detail.
    pub fn assess_each_with(
        &mut self,
        progress: &mut dyn FnMut(usize, usize, &crate::git::CommitChange),
        each: &mut dyn FnMut(Assessment) -> Result<()>,
    ) -> Result<()> {
        let commits = std::mem::take(&mut self.changes.commits);
        let total = commits.len();
        let result = self
            .assessor
            .check_signatures_ahead(&commits)
            .and_then(|()| {
                commits.iter().enumerate().try_for_each(|(i, c)| {
                    progress(i, total, c);
                    each(self.assessor.assess(c)?)
                })
            });
        self.changes.commits = commits;
        result
    }

    /// The gate's report on the range (what `verify` prints).
    pub fn report(&mut self) -> Result<Report> {
        self.report_with(&mut |_, _, _| {})
    }

    /// [`Review::report`] with progress (see [`Review::assess_all_with`]).
    pub fn report_with(
        &mut self,
        progress: &mut dyn FnMut(usize, usize, &crate::git::CommitChange),
    ) -> Result<Report> {
        let commits = self.assess_all_with(progress)?;
        Ok(Report::new(&self.trusted, &self.range.description, commits))
    }

    /// The impact of the whole range, with the effective tier.
    pub fn impact(&mut self, opts: &Options) -> Result<TieredImpact> {
        self.impact_with(opts, &mut |_, _, _| {})
    }

    /// [`Review::impact`], telling `progress` (commits judged, total, the one being judged)
    /// as the commits' direct tiers are worked out.
    pub fn impact_with(
        &mut self,
        opts: &Options,
        progress: &mut dyn FnMut(usize, usize, &crate::git::CommitChange),
    ) -> Result<TieredImpact> {
        let commits = std::mem::take(&mut self.changes.commits);
        let result = self.assessor.impact(&commits, opts, progress);
        self.changes.commits = commits;
        result
    }
}

/// The trusted ref and the range of `selection`, checked ([`check_range`]); with
/// `unverified_walk`, the range's commits are listed without libgit2's hash check and
/// object cache (each commit is read once).
fn resolve(
    repo: &Repository,
    selection: Selection<'_>,
    purpose: Purpose,
    unverified_walk: bool,
) -> Result<(TrustedRef, RangeSpec)> {
    let trusted = resolve_trusted(repo, selection.trusted_ref)?;
    let unverified =
        unverified_walk.then(|| (git::ReadsWithout::hash_check(), git::ReadsWithout::cache()));
    let range = match selection.revspec {
        Some(spec) => git::resolve_range(repo, spec)?,
        None => {
            let head = git::head_commit(repo)?;
            RangeSpec {
                commits: git::commits_since(repo, head, trusted.commit)?,
                description: format!("{}..HEAD", trusted.name),
            }
        }
    };
    drop(unverified);
    check_range(repo, &trusted, &range, purpose)?;
    Ok((trusted, range))
}

/// Refuses a range that reaches a shallow boundary (commits of the change may lie past it),
/// and, for the gate, a default trusted ref that contains the change.
fn check_range(
    repo: &Repository,
    trusted: &TrustedRef,
    range: &RangeSpec,
    purpose: Purpose,
) -> Result<()> {
    if let Some(cut) = git::shallow_boundary(repo, &range.commits)? {
        return Err(Error::Message(format!(
            "{} reaches the shallow boundary of this clone at {}: the commits below it were not \
             fetched, so the change may hold commits countersign cannot see. Fetch the whole \
             history (`git fetch --unshallow`, or actions/checkout with `fetch-depth: 0`) and \
             run again",
            range.description,
            git::short_id(&cut.to_string())
        )));
    }
    if purpose != Purpose::Gate || trusted.source.is_explicit() {
        return Ok(());
    }
    let contains = |c: Oid| -> bool {
        c == trusted.commit || repo.graph_descendant_of(trusted.commit, c).unwrap_or(true)
    };
    let judged_by_itself = match range.commits.last() {
        None => true,
        Some(&tip) => contains(tip),
    };
    if judged_by_itself {
        return Err(Error::Message(format!(
            "the default trusted ref {} ({}) already contains {}: it is the change itself (a \
             clone of the branch under review?), and a gate never judges a change by its own \
             policy. Pass --trusted-ref with the full name of the protected base branch, after \
             fetching it (git fetch origin main; --trusted-ref refs/remotes/origin/main)",
            trusted.display(),
            trusted.source.describe(),
            match range.description.rsplit("..").next() {
                // An empty range: its tip, as written (`main` of `main..main`).
                Some(tip) if range.commits.is_empty() && range.description.contains("..") =>
                    format!("{tip}, the tip of {}", range.description),
                _ if range.commits.is_empty() => "HEAD".to_string(),
                _ => range.description.clone(),
            }
        )));
    }
    Ok(())
}
