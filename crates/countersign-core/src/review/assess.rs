//! The per-commit verdict that `status`, `verify` and the TUI show: AI provenance, the tier
//! with its reasons, and where the commit stands.
//!
//! An [`Assessor`] holds what judges a change — the policy and roster from the trusted
//! commit, and the workspace as of that commit — and assesses commits one by one, caching
//! each revision's workspace so a long range reads every manifest once. It is made by
//! [`super::Review::open`] from the resolved [`TrustedRef`], never from a raw option.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::tiered::TieredImpact;
use super::trusted::TrustedRef;
use crate::git::{CommitChange, DiffBase, FileChange, LoadDepth};
use crate::impact::compiled::{self, Inclusions};
use crate::impact::crates::{crate_level, needs_base, Sides};
use crate::impact::{GitTree, Workspace};
use crate::model::{CommitId, Tier};
use crate::policy::history::{trusted_history, TrustedHistory};
use crate::policy::line_evidence::LineNotes;
use crate::policy::provenance::{self, Provenance};
use crate::policy::tier::{Classifier, TierVerdict};
use crate::policy::{load_trusted_at, Diagnostics, Trusted};
use crate::signoff::rewrite::{self, RewrittenFrom};
use crate::signoff::{
    eligibility, notes, verify, Checker, Decision, GateVerdict, ReviewState, SignoffVerdict,
};
use crate::{Error, Result};

/// One commit's verdict.
#[derive(Clone, Debug, Serialize)]
pub struct Assessment {
    /// The commit judged (its full hex id in JSON).
    pub commit: CommitId,
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
    /// For a commit on the trusted branch that squashes a range approved commit by commit
    /// (its tree equals the approved tip's, its parent is the range's base): that range.
    /// Such a commit counts as approved, whatever trailers the forge added to it.
    pub squash_of: Option<SquashOf>,
    /// The crates the commit's crate-level impact reaches (changed ones included), by name.
    #[serde(skip)]
    pub reached: Vec<String>,
    /// Changed files the trusted ref's `.gitattributes` make git check out differently from
    /// their blobs (DESIGN, "Checkout fidelity"): flagged, changing no tier.
    pub checkout_attributes: Vec<CheckoutFlag>,
    /// Line-provenance notes (`[ai] line_notes`) that were not used, and why: reported,
    /// changing nothing else.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub line_note_problems: Vec<String>,
    /// Under its tier's `carry = "rebase"`: the earlier version whose approvals count for
    /// this commit (same verbatim patch, a new parent on the trusted ref, a tier not higher
    /// today), and who approved it; null otherwise.
    pub carried_from: Option<CarriedApproval>,
    /// What the counting approvals viewed together (files, and hunks where known); null when
    /// no approval counts.
    pub viewing: Option<crate::signoff::Coverage>,
    /// What the gate makes of them: approvals required and held, and why it fails.
    #[serde(skip)]
    pub gate: GateVerdict,
    /// The full tier verdict (per path and crate).
    #[serde(skip)]
    pub verdict: TierVerdict,
}

/// A changed file with checkout attributes on the trusted ref (`ident`, `filter=lfs`, …).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CheckoutFlag {
    /// The file's path (as `GitPath::display` writes it).
    pub path: String,
    /// The attributes that change how git writes it, as the `.gitattributes` lines say them.
    pub attributes: Vec<String>,
}

impl CheckoutFlag {
    /// The flag as a sentence.
    pub fn sentence(&self) -> String {
        format!(
            "`{}` has checkout attributes on the trusted ref ({}): git may write it \
             differently from the blob reviewed",
            self.path,
            self.attributes.join(", ")
        )
    }
}

/// The approved range a squash commit stands for.
#[derive(Clone, Debug, Serialize)]
pub struct SquashOf {
    /// The range's base: the squash commit's parent.
    pub base: String,
    /// The range's tip, whose tree the squash commit has.
    pub tip: String,
    /// How many commits the range holds, each approved or needing no sign-off.
    pub commits: usize,
}

/// Approvals carried from an earlier version of a commit (`carried_from` in JSON).
#[derive(Clone, Debug, Serialize)]
pub struct CarriedApproval {
    /// The earlier version, whose own sign-offs approved it.
    pub commit: CommitId,
    /// The principals whose approvals of it count here (sorted).
    pub by: Vec<String>,
}

/// Rejected commits with their reject lines, by patch (touched paths, verbatim patch id).
type RejectIndex = crate::signoff::patch_index::PatchIndex<[u8; 20], Vec<String>>;

/// The most commits a range may hold to be recognised as squashed (a bound on the work).
const MAX_SQUASHED: usize = 500;

/// Workspaces kept between commits judged one by one: a range is judged oldest first and a
/// commit needs only its own and its parents', so past this many the others are let go
/// (read again should anything ask for one) and memory stays flat over a long history.
const KEPT_WORKSPACES: usize = 32;

/// Assesses commits against the policy, roster and workspace of one trusted revision.
pub struct Assessor<'r> {
    repo: &'r git2::Repository,
    /// The policy and roster that judge every commit.
    pub trusted: Trusted,
    /// The trusted ref's full name (or commit id), for messages.
    pub trusted_ref: String,
    trusted_workspace: Workspace,
    /// The trusted revision's tree, so that a commit with the same tree reuses its workspace.
    trusted_tree: git2::Oid,
    workspaces: HashMap<CommitId, std::rc::Rc<Workspace>>,
    /// The commit the trusted ref pointed at.
    trusted_commit: git2::Oid,
    /// Files crates compile from outside their directories: the trusted tree's, grown with
    /// what each assessed commit adds (never shrunk: stricter, never laxer).
    inclusions: Option<Inclusions>,
    /// Whether the trusted tree's inclusion scan may be read from (and written to) the cache
    /// in the git directory: only for exploring (`impact`, the workstation). The gate and
    /// signing always scan: a build step of the change under review can write the git
    /// directory of the checkout CI runs in, so nothing that decides a tier is read from it.
    pub cache_scans: bool,
    /// Commits whose trees' inclusions were learned.
    learned: std::collections::HashSet<git2::Oid>,
    /// Blobs already scanned for inclusions.
    scanned: std::collections::HashSet<(String, git2::Oid)>,
    /// Tree id → the annotated commits with that tree (for recognising squash merges).
    signed_trees: Option<HashMap<git2::Oid, Vec<git2::Oid>>>,
    notes: notes::NotesReader<'r>,
    /// Line-level provenance from the notes refs the trusted policy names.
    line_notes: LineNotes<'r>,
    rewrites: rewrite::Finder,
    /// Signatures of the range's sign-offs checked ahead, on the machine's cores.
    signatures: verify::CheckedSignatures,
    /// The rosters and roles of the trusted ref's first-parent history, read when a reject
    /// first needs them.
    history: Option<std::rc::Rc<TrustedHistory>>,
    /// Reject lines anywhere in the notes (and their history), by the commit each names,
    /// indexed by that commit's patch: read when an AI commit is first judged.
    rejects: Option<RejectIndex>,
    /// Touched paths, verbatim patch ids and loaded earlier versions, by commit.
    paths: HashMap<git2::Oid, std::rc::Rc<std::collections::BTreeSet<Vec<u8>>>>,
    patch_ids: HashMap<git2::Oid, Option<[u8; 20]>>,
    versions: HashMap<git2::Oid, std::rc::Rc<CommitChange>>,
    /// The trusted tree's checkout attributes, read per directory when first asked.
    checkout_attributes: Option<crate::git::attributes::CheckoutAttributes<'r>>,
    /// The trusted crates' own tiers, found once for the whole range (see
    /// [`Classifier::with_trusted_tiers`]).
    trusted_tiers: std::cell::RefCell<HashMap<usize, Tier>>,
}

impl<'r> Assessor<'r> {
    /// Reads the policy, roster and workspace from the trusted commit. Cargo metadata tiers
    /// that do not parse are reported here, with the policy's own errors.
    pub fn new(repo: &'r git2::Repository, trusted_ref: &TrustedRef) -> Result<Self> {
        let trusted = load_trusted_at(repo, trusted_ref.commit, &trusted_ref.name)?;
        Self::with_trusted(repo, trusted, trusted_ref)
    }

    /// An assessor judging by an already loaded policy and roster (built-in defaults, for
    /// `impact` in a repository with no policy yet), with Cargo metadata tiers read from the
    /// trusted commit.
    pub fn with_trusted(
        repo: &'r git2::Repository,
        trusted: Trusted,
        trusted_ref: &TrustedRef,
    ) -> Result<Self> {
        let snapshot = GitTree::of_commit(repo, trusted_ref.commit, &trusted_ref.name)?;
        let trusted_workspace = Workspace::load(&snapshot)?;
        if !trusted_workspace.problems.is_empty() {
            return Err(Error::Policy(Diagnostics(
                trusted_workspace.problems.clone(),
            )));
        }
        let line_notes = LineNotes::new(repo, &trusted.policy.ai.line_notes);
        Ok(Assessor {
            repo,
            line_notes,
            trusted,
            trusted_ref: trusted_ref.name.clone(),
            trusted_workspace,
            trusted_tree: snapshot.tree_id(),
            workspaces: HashMap::new(),
            trusted_commit: trusted_ref.commit,
            inclusions: None,
            cache_scans: false,
            learned: std::collections::HashSet::new(),
            scanned: std::collections::HashSet::new(),
            signed_trees: None,
            notes: notes::NotesReader::new(repo),
            rewrites: rewrite::Finder::new(),
            signatures: verify::CheckedSignatures::default(),
            history: None,
            rejects: None,
            paths: HashMap::new(),
            patch_ids: HashMap::new(),
            versions: HashMap::new(),
            checkout_attributes: None,
            trusted_tiers: Default::default(),
        })
    }

    /// The workspace as of commit `id` (cached).
    pub fn workspace_at(&mut self, id: CommitId) -> Result<&Workspace> {
        if !self.workspaces.contains_key(&id) {
            let snapshot = GitTree::of_commit(self.repo, id.oid(), &id.to_string())?;
            let ws = if snapshot.tree_id() == self.trusted_tree {
                self.trusted_workspace.clone()
            } else {
                Workspace::load(&snapshot)?
            };
            self.workspaces.insert(id, std::rc::Rc::new(ws));
        }
        Ok(&self.workspaces[&id])
    }

    /// Lets go of the workspaces `commit` cannot need (see [`KEPT_WORKSPACES`]).
    fn forget_workspaces(&mut self, commit: &CommitChange) {
        if self.workspaces.len() > KEPT_WORKSPACES {
            self.workspaces
                .retain(|id, _| *id == commit.id || commit.parents.contains(id));
        }
    }

    /// The commit a commit's diff was taken against (None for a root commit).
    fn parent_of(commit: &CommitChange) -> Option<CommitId> {
        match commit.diff_base {
            DiffBase::Parent(p) | DiffBase::FirstParentOfMerge(p) => Some(p),
            DiffBase::EmptyTree => None,
        }
    }

    /// The direct tier verdict of `commit`: the highest tier of its files.
    pub fn direct_verdict(&mut self, commit: &CommitChange) -> Result<TierVerdict> {
        self.inherit_workspace(commit);
        self.workspace_at(commit.id)?;
        // The parent's workspace places old paths; without any, the commit's own stands in.
        let files: Vec<&FileChange> = commit.files.iter().collect();
        let parent = Self::parent_of(commit)
            .filter(|_| needs_base(&files))
            .or(Some(commit.id));
        if let Some(p) = parent {
            self.workspace_at(p)?;
        }
        self.learn_inclusions(commit)?;
        let empty = Workspace::default();
        let ws = &self.workspaces[&commit.id];
        let parent_ws = parent.as_ref().map_or(&empty, |p| &self.workspaces[p]);
        let views = [&**ws, parent_ws, &self.trusted_workspace];
        let paths = commit.files.iter().flat_map(|f| f.paths());
        Self::read_names_for(self.repo, &mut self.inclusions, paths, &views);
        let none = Inclusions::default();
        let reaches =
            super::reach::reaches(self.repo, commit, ws, parent_ws, self.inclusions.as_ref());
        let classifier = Classifier::new(&self.trusted.policy, &self.trusted_workspace)
            .with_inclusions(self.inclusions.as_ref().unwrap_or(&none))
            .with_reaches(&reaches);
        Ok(classifier.classify(commit, ws, parent_ws))
    }

    /// Reads the put-off names (see [`compiled::read_names`]) of the crates that hold any of
    /// `paths` in any of `views`: what [`Inclusions::not_built`] is asked about them.
    fn read_names_for<'p>(
        repo: &git2::Repository,
        inclusions: &mut Option<Inclusions>,
        paths: impl Iterator<Item = &'p crate::git::GitPath>,
        views: &[&Workspace],
    ) {
        let Some(inclusions) = inclusions.as_mut() else {
            return;
        };
        let crates: std::collections::BTreeSet<String> = paths
            .flat_map(|p| views.iter().filter_map(move |w| w.member_of(p)))
            .map(|m| m.name.clone())
            .collect();
        compiled::read_names(repo, inclusions, &crates);
    }

    /// A commit that touches no manifest has its parent's workspace: reuse it when it was
    /// read already (a range is judged oldest first), rather than reading every manifest of
    /// the tree again.
    fn inherit_workspace(&mut self, commit: &CommitChange) {
        if self.workspaces.contains_key(&commit.id) {
            return;
        }
        let [parent] = commit.parents.as_slice() else {
            return;
        };
        let touches_manifest = commit.files.iter().any(|f| {
            f.paths().any(|p| {
                let b = p.as_bytes();
                b.ends_with(b"Cargo.toml") || b.ends_with(b"Cargo.lock")
            })
        });
        if touches_manifest {
            return;
        }
        // Shared, not copied: a long range of commits that touch no manifest holds one
        // workspace.
        if let Some(ws) = self.workspaces.get(parent).cloned() {
            self.workspaces.insert(commit.id, ws);
        }
    }

    /// Adds what the tree of `commit` makes its crates compile from outside their
    /// directories — every `.rs` file and symlink that differs from the trusted tree, so an
    /// `include!` added by an earlier commit of the branch counts even when only this commit
    /// is judged — to the inclusions, reading the trusted tree's first.
    fn learn_inclusions(&mut self, commit: &CommitChange) -> Result<()> {
        if self.inclusions.is_none() {
            self.inclusions = Some(if self.cache_scans {
                compiled::scan_tree_cached(self.repo, self.trusted_commit, &self.trusted_workspace)?
            } else {
                compiled::scan_tree_putting_off_names(
                    self.repo,
                    self.trusted_commit,
                    &self.trusted_workspace,
                )?
            });
        }
        let trusted_tree = self
            .repo
            .find_tree(self.trusted_tree)
            .map_err(Error::git("reading the trusted tree"))?;
        let tree = self
            .repo
            .find_commit(commit.id.oid())
            .and_then(|c| c.tree())
            .map_err(Error::git(format!("reading the tree of {}", commit.id)))?;
        let first_time = self.learned.insert(commit.id.oid());
        if tree.id() == trusted_tree.id() || !first_time {
            return Ok(());
        }
        // The inclusions only grow: once a commit's parent was learned, what its tree holds
        // beyond the parent's is the commit's own change (its files, diffed against that
        // parent). Otherwise compare with the trusted tree.
        let parent_learned = match (commit.parents.as_slice(), &commit.diff_base) {
            ([parent], DiffBase::Parent(_)) => self.learned.contains(&parent.oid()),
            _ => false,
        };
        let mut entries: Vec<(String, git2::Oid, u32)> = Vec::new();
        let mut consider = |path: &[u8], id: git2::Oid, mode: u32| {
            let text = String::from_utf8_lossy(path).into_owned();
            // The raw mode from the change: a non-canonical link mode is a link too.
            // Every file: scan_entries reads the sources of crates, and the files outside
            // them that a crate is known to compile.
            if self.scanned.insert((text.clone(), id)) {
                entries.push((text, id, mode));
            }
        };
        if parent_learned {
            for file in &commit.files {
                let (Some(path), [_, Some(id)]) = (&file.new_path, file.blob_oids()) else {
                    continue;
                };
                consider(path.as_bytes(), id, file.new_mode);
            }
        } else {
            let diff = self
                .repo
                .diff_tree_to_tree(Some(&trusted_tree), Some(&tree), None)
                .map_err(Error::git("comparing the trusted tree"))?;
            for delta in diff.deltas() {
                let file = delta.new_file();
                let (Some(path), true) = (file.path_bytes(), file.exists()) else {
                    continue;
                };
                consider(path, file.id(), u32::from(file.mode()));
            }
        }
        if entries.is_empty() {
            return Ok(());
        }
        let ws = &self.workspaces[&commit.id];
        let found = compiled::scan_entries(
            self.repo,
            ws,
            &entries,
            &tree,
            self.inclusions.as_ref(),
            compiled::Names::PutOff,
        )?;
        if let Some(all) = self.inclusions.as_mut() {
            all.extend(found);
        }
        Ok(())
    }

    /// The effective tier verdict of `commit`: its direct tier, raised by escalation through
    /// the crates that depend on what it touches (crate level, as far as the policy's
    /// `escalation.reach` goes, no higher than its `cap`).
    pub fn classify(&mut self, commit: &CommitChange) -> Result<TierVerdict> {
        Ok(self.classify_reach(commit)?.0)
    }

    /// [`Assessor::classify`], with the crates the commit's crate-level impact reaches (its
    /// blast radius, changed crates included), by name.
    pub fn classify_reach(&mut self, commit: &CommitChange) -> Result<(TierVerdict, Vec<String>)> {
        let direct = self.direct_verdict(commit)?;
        let parent = Self::parent_of(commit);
        let files: Vec<&FileChange> = commit.files.iter().collect();
        let (verdict, reached) = self.escalate(direct, parent, commit.id, &files)?;
        Ok((verdict, reached.into_keys().collect()))
    }

    /// Escalates `direct` by the crate-level impact of `files` changed between `base` and
    /// `tip`; also returns that impact's crates with their own tiers.
    fn escalate(
        &mut self,
        direct: TierVerdict,
        base: Option<CommitId>,
        tip: CommitId,
        files: &[&FileChange],
    ) -> Result<(TierVerdict, BTreeMap<String, Tier>)> {
        let base = base.map(|b| if needs_base(files) { b } else { tip });
        self.workspace_at(tip)?;
        if let Some(b) = base {
            self.workspace_at(b)?;
        }
        let empty = Workspace::default();
        let tip_ws = &self.workspaces[&tip];
        let base_ws = base.map_or(&empty, |b| &self.workspaces[&b]);
        let tip_files = GitTree::of_commit(self.repo, tip.oid(), &tip.to_string())?;
        let base_files = match base {
            Some(b) => GitTree::of_commit(self.repo, b.oid(), &b.to_string())?,
            None => GitTree::of_commit(self.repo, tip.oid(), &tip.to_string())?,
        };
        let sides = Sides {
            base: base_ws,
            tip: tip_ws,
            base_files: &base_files,
            tip_files: &tip_files,
            inclusions: self.inclusions.as_ref(),
        };
        let crates = crate_level(&sides, files)?.crates;
        let classifier = Classifier::new(&self.trusted.policy, &self.trusted_workspace)
            .with_trusted_tiers(&self.trusted_tiers);
        let escalated = classifier.escalate(direct, &crates, tip_ws, base_ws);
        Ok((escalated.verdict, escalated.crate_tiers))
    }

    /// The impact of `commits` (oldest first) taken together, with the effective tier: the
    /// highest direct tier of the commits, raised by escalation through the crates the whole
    /// change reaches, and each crate's own tier.
    pub fn impact(
        &mut self,
        commits: &[CommitChange],
        opts: &crate::impact::Options,
        progress: &mut dyn FnMut(usize, usize, &CommitChange),
    ) -> Result<TieredImpact> {
        let (Some(first), Some(last)) = (commits.first(), commits.last()) else {
            return Ok(TieredImpact::default());
        };
        let base = Self::parent_of(first);
        let files: Vec<&FileChange> = commits.iter().flat_map(|c| c.files.iter()).collect();
        self.workspace_at(last.id)?;
        if let Some(b) = base.filter(|_| needs_base(&files)) {
            self.workspace_at(b)?;
        }
        let loaded = crate::impact::Loaded {
            tip: self.workspaces.get(&last.id).map(|w| &**w),
            base: base
                .as_ref()
                .and_then(|b| self.workspaces.get(b))
                .map(|w| &**w),
        };
        let graph = crate::impact::analyze_range(
            self.repo,
            base.map(CommitId::oid),
            last.id.oid(),
            &files,
            opts,
            loaded,
        )?;
        let mut direct: Option<TierVerdict> = None;
        for (i, c) in commits.iter().enumerate() {
            progress(i, commits.len(), c);
            let v = self.direct_verdict(c)?;
            direct = Some(match direct {
                None => v,
                Some(mut d) => {
                    if v.tier > d.tier {
                        d.tier = v.tier;
                        d.direct_tier = v.tier;
                        d.reasons = v.reasons;
                    } else if v.tier == d.tier {
                        for r in v.reasons {
                            if !d.reasons.contains(&r) && d.reasons.len() < 4 {
                                d.reasons.push(r);
                            }
                        }
                    }
                    d.paths.extend(v.paths);
                    d.crates.extend(v.crates);
                    d
                }
            });
        }
        let Some(direct) = direct else {
            return Ok(TieredImpact {
                graph,
                ..TieredImpact::default()
            });
        };
        if let Some(ws) = self.workspaces.get(&last.id).cloned() {
            let paths = direct.paths.iter().map(|p| &p.path);
            Self::read_names_for(self.repo, &mut self.inclusions, paths, &[&*ws]);
        }
        let entries = self.file_entries(&direct.paths, last.id);
        let (verdict, crate_tiers) = self.escalate(direct, base, last.id, &files)?;
        Ok(TieredImpact {
            crate_tiers,
            graph,
            tier: Some(verdict.tier),
            direct_tier: Some(verdict.direct_tier),
            tier_reasons: verdict.reasons,
            files: entries,
        })
    }

    /// Each path of `paths` once (at its highest tier), with the crates compiling it: its
    /// folder's crate when that crate builds it, then those including, reading or possibly
    /// compiling it from elsewhere.
    fn file_entries(
        &self,
        paths: &[crate::policy::tier::PathTier],
        tip: CommitId,
    ) -> Vec<super::tiered::FileEntry> {
        use crate::impact::compiled::{Certainty, Compiler};
        let mut best: BTreeMap<String, &crate::policy::tier::PathTier> = BTreeMap::new();
        for p in paths {
            let key = p.path.display();
            if best.get(&key).is_none_or(|b| p.tier > b.tier) {
                best.insert(key, p);
            }
        }
        let none = Inclusions::default();
        let inclusions = self.inclusions.as_ref().unwrap_or(&none);
        let ws = self.workspaces.get(&tip).map(|w| &**w);
        best.into_iter()
            .map(|(path, p)| {
                let mut compiled_into: Vec<Compiler> = Vec::new();
                let member = ws.and_then(|w| w.member_of(&p.path));
                if let Some(m) = member.filter(|m| !inclusions.not_built(m, &p.path)) {
                    compiled_into.push(Compiler {
                        krate: m.name.clone(),
                        how: format!(
                            "in its folder {}",
                            if m.dir.is_empty() { "." } else { &m.dir }
                        ),
                        certainty: Certainty::Does,
                    });
                }
                for c in inclusions.compilers(&p.path) {
                    let dup = compiled_into
                        .iter()
                        .any(|x| x.krate == c.krate && x.certainty == c.certainty);
                    if !dup && member.is_none_or(|m| m.name != c.krate) {
                        compiled_into.push(c);
                    }
                }
                super::tiered::FileEntry {
                    path,
                    tier: p.tier,
                    compiled_into,
                }
            })
            .collect()
    }

    /// The full verdict on `commit`. When it needs sign-offs, its earlier signed version is
    /// looked for (see `rewrite`) and, when found, named in
    /// [`Assessment::rewritten_from`] and in the gate's problems.
    pub fn assess(&mut self, commit: &CommitChange) -> Result<Assessment> {
        self.forget_workspaces(commit);
        let lines = self.note_lines(commit)?;
        let removed = self.notes.removed_lines(commit.id.oid())?;
        let mut a = self.assess_lines_with(commit, &lines, &removed)?;
        if a.state == ReviewState::NeedsSignoff {
            if let Some(squash) = self.squash_of(commit, a.tier)? {
                a.tier_reasons.push(format!(
                    "a squash of an approved range: its tree is that of {} and its parent the \
                     range's base; each of the range's {} commit{} was approved or needed no \
                     sign-off",
                    crate::git::short_id(&squash.tip),
                    squash.commits,
                    if squash.commits == 1 { "" } else { "s" }
                ));
                a.state = ReviewState::Approved;
                a.gate.state = ReviewState::Approved;
                a.gate.ok = true;
                a.gate.problems.clear();
                a.squash_of = Some(squash);
                return Ok(a);
            }
            let (carried, barred) = self.carried_approval(commit, &lines, &a)?;
            a.gate.problems.extend(barred);
            if let Some(carried) = carried {
                let mut by = a.gate.approved_by.clone();
                for p in &carried.by {
                    if !by.contains(p) {
                        by.push(p.clone());
                    }
                }
                by.sort();
                let sentence = format!(
                    "{} approved {}, of which this commit is a rewrite with the same patch (git \
                     patch-id --verbatim) on a new parent on {}; the tier's carry = \"rebase\" \
                     counts that approval here",
                    carried.by.join(", "),
                    carried.commit.short(),
                    self.trusted_ref
                );
                a.tier_reasons.push(sentence);
                if by.len() as u32 >= a.gate.required {
                    a.state = ReviewState::Approved;
                    a.gate.state = ReviewState::Approved;
                    a.gate.ok = true;
                    a.gate.problems.clear();
                }
                a.gate.approved_by = by;
                a.carried_from = Some(carried);
                if a.gate.ok {
                    return Ok(a);
                }
            }
            if let Some(r) = self.rewritten_from(commit, &lines)? {
                a.gate.problems.push(r.sentence(commit.id));
                a.rewritten_from = Some(r);
            }
        }
        Ok(a)
    }

    /// The approved range `commit` squashes, if any: a signed commit with the same tree that
    /// descends from `commit`'s only parent, every commit between them passing the gate on
    /// its own sign-offs.
    fn squash_of(&mut self, commit: &CommitChange, squash_tier: Tier) -> Result<Option<SquashOf>> {
        let [parent] = commit.parents.as_slice() else {
            return Ok(None);
        };
        let parent = parent.oid();
        if self.signed_trees.is_none() {
            let mut map: HashMap<git2::Oid, Vec<git2::Oid>> = HashMap::new();
            for annotated in notes::read_all(self.repo)?.into_keys() {
                if let Ok(c) = self.repo.find_commit(annotated) {
                    map.entry(c.tree_id()).or_default().push(annotated);
                }
            }
            self.signed_trees = Some(map);
        }
        let tree = oid(&commit.tree)?;
        let candidates: Vec<git2::Oid> = self
            .signed_trees
            .as_ref()
            .and_then(|m| m.get(&tree))
            .cloned()
            .unwrap_or_default();
        for tip in candidates {
            if tip == commit.id.oid()
                || !self.repo.graph_descendant_of(tip, parent).unwrap_or(false)
            {
                continue;
            }
            let range = crate::git::commits_since(self.repo, tip, parent)?;
            if range.is_empty() || range.len() > MAX_SQUASHED {
                continue;
            }
            let mut all_pass = true;
            let mut tip_verdict = None;
            for id in &range {
                let Ok(c) = CommitChange::load(self.repo, *id, LoadDepth::Files) else {
                    all_pass = false;
                    break;
                };
                let lines = self.note_lines(&c)?;
                let removed = self.notes.removed_lines(*id)?;
                let judged = self.assess_lines_with(&c, &lines, &removed)?;
                if !judged.gate.ok {
                    all_pass = false;
                    break;
                }
                if *id == tip {
                    tip_verdict = Some(judged);
                }
            }
            // Credit comes only from approvals: the tip must have been approved by
            // signatures that verify, enough of them from the role the squash commit's own
            // tier needs. A tip that needed no approval (a human-looking twin with the same
            // parent and tree, say) lends nothing to an AI commit.
            let lends = tip_verdict
                .as_ref()
                .is_some_and(|t| t.state == ReviewState::Approved && self.meets(t, squash_tier));
            if all_pass && lends {
                return Ok(Some(SquashOf {
                    base: parent.to_string(),
                    tip: tip.to_string(),
                    commits: range.len(),
                }));
            }
        }
        Ok(None)
    }

    /// Under `carry = "rebase"` for `judged`'s tier: the earlier version of `commit` (found
    /// as [`Assessor::rewritten_from`] finds them) with the same verbatim patch id, judged on
    /// its own sign-offs, whose approvals by the role `commit`'s tier needs carry, provided
    /// `commit`'s parent is on the trusted ref and its tier today is not higher. Under
    /// `independent = true` an approver who is the author, committer or co-author of either
    /// version does not carry (whoever rebases a commit becomes the rewrite's committer):
    /// why not is returned as problems for the gate.
    fn carried_approval(
        &mut self,
        commit: &CommitChange,
        lines: &[String],
        judged: &Assessment,
    ) -> Result<(Option<CarriedApproval>, Vec<String>)> {
        let mut barred = Vec::new();
        if !self.trusted.policy.carry_rebase.contains(&judged.tier)
            || !judged.gate.rejected_by.is_empty()
        {
            return Ok((None, barred));
        }
        let [parent] = commit.parents.as_slice() else {
            return Ok((None, barred));
        };
        let parent = parent.oid();
        let on_trusted = parent == self.trusted_commit
            || self
                .repo
                .graph_descendant_of(self.trusted_commit, parent)
                .unwrap_or(false);
        if !on_trusted {
            return Ok((None, barred));
        }
        let this = commit.id.oid();
        let Some(mine) = self.patch_id(this)? else {
            return Ok((None, barred));
        };
        let req = self.trusted.policy.requirement(judged.tier);
        let role = req.role.clone();
        let candidates = self.rewrites.candidates(self.repo, commit, lines)?;
        for cand in candidates.into_iter().take(rewrite::MAX_CANDIDATES) {
            if self.patch_id(cand.commit)? != Some(mine) {
                continue;
            }
            let Ok(earlier) = CommitChange::load(self.repo, cand.commit, LoadDepth::Files) else {
                continue;
            };
            let mut own = self.notes.lines(cand.commit)?;
            for l in cand.copied_lines {
                if !own.contains(&l) {
                    own.push(l);
                }
            }
            let Ok(before) = self.assess_lines(&earlier, &own) else {
                continue;
            };
            if before.tier < judged.tier || before.gate.state != ReviewState::Approved {
                continue;
            }
            let mut by: Vec<String> = before
                .gate
                .approved_by
                .into_iter()
                .filter(|p| {
                    role.as_deref().is_none_or(|r| {
                        self.trusted
                            .policy
                            .principals_with_role(r)
                            .iter()
                            .any(|x| x == p)
                    })
                })
                .collect();
            if req.independent {
                by.retain(|p| {
                    let part = eligibility::involvement(commit, p)
                        .map(|part| (part, "this rewrite"))
                        .or_else(|| {
                            eligibility::involvement(&earlier, p)
                                .map(|part| (part, "the version approved"))
                        });
                    let Some((part, of)) = part else {
                        return true;
                    };
                    barred.push(format!(
                        "{p}'s approval of {} does not carry: {p} is the {part} of {of}, and \
                         its tier asks for an independent approver (independent = true, \
                         judged against both versions); someone else must approve it",
                        earlier.id.short()
                    ));
                    false
                });
            }
            if by.is_empty() {
                continue;
            }
            by.sort();
            return Ok((
                Some(CarriedApproval {
                    commit: earlier.id,
                    by,
                }),
                barred,
            ));
        }
        Ok((None, barred))
    }

    /// Whether the approvals counted for `judged` meet what `tier` requires: as many
    /// principals holding its role.
    fn meets(&self, judged: &Assessment, tier: Tier) -> bool {
        let req = self.trusted.policy.requirement(tier);
        let holding = judged
            .gate
            .approved_by
            .iter()
            .filter(|p| {
                req.role.as_deref().is_none_or(|r| {
                    self.trusted
                        .policy
                        .principals_with_role(r)
                        .iter()
                        .any(|x| x == *p)
                })
            })
            .count();
        req.approvals > 0 && holding as u32 >= req.approvals
    }

    /// The verdict on `commit` judging exactly `lines` as its sign-offs (no rewrite search).
    fn assess_lines(&mut self, commit: &CommitChange, lines: &[String]) -> Result<Assessment> {
        self.assess_lines_with(commit, lines, &[])
    }

    /// The verdict on `commit` judging `lines` as its sign-offs, and `removed` as lines the
    /// notes ref's history holds but the note no longer does (a signed reject among them
    /// stands).
    fn assess_lines_with(
        &mut self,
        commit: &CommitChange,
        lines: &[String],
        removed: &[String],
    ) -> Result<Assessment> {
        let reading = self.line_notes.read(commit.id.oid());
        let ai = provenance::with_line_notes(
            provenance::detect(commit, &self.trusted.policy.ai),
            &reading,
        );
        let own = self.own_change(commit)?;
        let (mut verdict, reached) = self.classify_reach(own.as_ref().unwrap_or(commit))?;
        if let Some(own) = &own {
            verdict.reasons.push(format!(
                "a merge is judged by what it adds beyond an automatic merge of its parents: \
                 {} of its {} changed file{} against the first parent",
                own.files.len(),
                commit.files.len(),
                if commit.files.len() == 1 { "" } else { "s" }
            ));
        }
        // A commit loaded for judging only carries no patch digest: sign-offs are checked
        // against the commit loaded again with rename detection (which the digest binds), but
        // without its content (which it does not).
        let full;
        let checked = if commit.patch_digest.is_empty() && !(lines.is_empty() && removed.is_empty())
        {
            full = CommitChange::load(self.repo, commit.id.oid(), LoadDepth::Digest)?;
            &full
        } else {
            commit
        };
        let carried = if ai.is_some() {
            self.carried_rejects(commit)?
        } else {
            Vec::new()
        };
        let (signoffs, mut gate) =
            self.judge_signoffs(checked, lines, removed, &carried, ai.as_ref(), &verdict)?;
        if let (Some(_), Some(size)) = (&ai, self.notes.oversized(commit.id.oid())) {
            // Unread, it could hold a reject: fail closed.
            gate.problems.push(format!(
                "its sign-off note (now or in the history of {}) holds a version of {} MiB, \
                 over the 16 MiB a note may hold; it was not read, and a reject in it cannot \
                 be ruled out. Make a new commit of this change (a new commit id, e.g. \
                 `git commit --amend --no-edit --date=now`) and have it signed",
                notes::NOTES_REF,
                size.div_ceil(1024 * 1024)
            ));
            gate.ok = false;
            if gate.state != ReviewState::Forbidden {
                gate.state = ReviewState::NeedsSignoff;
            }
        }
        if let Some(why) = crate::git::malformed_tree(self.repo, commit)? {
            gate.ok = false;
            gate.problems.push(format!(
                "{why}: git checks out one entry per name, so what a reviewer saw may not be \
                 what builds; make the commit again with git (which writes trees in order, \
                 once per name)"
            ));
        }
        let checkout_attributes = self.checkout_flags(commit)?;
        Ok(Assessment {
            commit: commit.id,
            summary: commit.summary.clone(),
            author: commit.author.name.clone(),
            checkout_attributes,
            ai,
            tier: verdict.tier,
            tier_reasons: verdict.reasons.clone(),
            state: gate.state,
            signoffs,
            rewritten_from: None,
            squash_of: None,
            reached,
            line_note_problems: reading.problems,
            carried_from: None,
            viewing: gate.viewing.clone(),
            gate,
            verdict,
        })
    }

    /// The changed files of `commit` that the trusted ref's `.gitattributes` make git check
    /// out differently from their blobs.
    fn checkout_flags(&mut self, commit: &CommitChange) -> Result<Vec<CheckoutFlag>> {
        if self.checkout_attributes.is_none() {
            let tree = self
                .repo
                .find_tree(self.trusted_tree)
                .map_err(Error::git("reading the trusted tree"))?;
            self.checkout_attributes = Some(crate::git::attributes::CheckoutAttributes::new(
                self.repo, tree,
            ));
        }
        let Some(attributes) = self.checkout_attributes.as_mut() else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for path in commit.files.iter().filter_map(|f| f.new_path.as_ref()) {
            let set = attributes.on(&String::from_utf8_lossy(path.as_bytes()));
            if !set.is_empty() {
                out.push(CheckoutFlag {
                    path: path.display(),
                    attributes: set,
                });
            }
        }
        Ok(out)
    }

    /// For a two-parent merge: the commit with only the files it changed beyond an
    /// automatic merge of its parents (see [`crate::git::merge_own_paths`]), so that a merge
    /// of the base into a change is not charged with the base's commits. None otherwise.
    fn own_change(&self, commit: &CommitChange) -> Result<Option<CommitChange>> {
        if !commit.is_merge() {
            return Ok(None);
        }
        let Some(own) = crate::git::merge_own_paths(self.repo, commit.id.oid())? else {
            return Ok(None);
        };
        let mut view = commit.clone();
        view.files.retain(|f| f.paths().any(|p| own.contains(p)));
        Ok(Some(view))
    }

    /// True when `commit` has sign-off lines in its note, or lines an earlier version of
    /// the note held: judging it checks them against the commit's patch digest.
    pub fn has_note_lines(&mut self, commit: git2::Oid) -> Result<bool> {
        Ok(!self.notes.lines(commit)?.is_empty() || !self.notes.removed_lines(commit)?.is_empty())
    }

    /// Reads the notes as they are now for the rest of this assessor's life (see
    /// [`notes::NotesReader::pin`]).
    pub fn pin_notes(&mut self) {
        self.notes.pin();
    }

    /// Checks the signatures of the sign-off lines (current and removed) on `commits` ahead,
    /// on the machine's cores, for the verdicts to take (see
    /// `verify::check_signatures_ahead`).
    pub fn check_signatures_ahead(&mut self, commits: &[CommitChange]) -> Result<()> {
        let mut lines = Vec::new();
        for c in commits {
            let oid = c.id.oid();
            lines.extend(self.notes.lines(oid)?);
            lines.extend(self.notes.removed_lines(oid)?);
        }
        self.signatures = verify::check_signatures_ahead(&self.trusted.roster, &lines);
        Ok(())
    }

    fn note_lines(&mut self, commit: &CommitChange) -> Result<Vec<String>> {
        let oid = commit.id.oid();
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
    /// sign-off half of the verdict. A reject the trusted roster of today does not admit, or
    /// whose principal no longer holds the tier's role, is judged by every roster and policy
    /// of the trusted history (see [`crate::policy::history`]).
    fn judge_signoffs(
        &mut self,
        commit: &CommitChange,
        lines: &[String],
        removed: &[String],
        carried: &[(std::rc::Rc<CommitChange>, String)],
        ai: Option<&Provenance>,
        verdict: &TierVerdict,
    ) -> Result<(Vec<SignoffVerdict>, GateVerdict)> {
        let now = chrono::Utc::now();
        let checker = Checker {
            roster: &self.trusted.roster,
            trusted_ref: &self.trusted_ref,
            now,
            checked: Some(&self.signatures),
        };
        // Each line with the commit it is checked against (an earlier version for a carried
        // reject) and whether the note no longer holds it.
        let all: Vec<(&String, &CommitChange, bool)> = lines
            .iter()
            .map(|l| (l, commit, false))
            .chain(removed.iter().map(|l| (l, commit, true)))
            .chain(carried.iter().map(|(p, l)| (l, &**p, false)))
            .collect();
        let mut signoffs: Vec<SignoffVerdict> = all
            .iter()
            .map(|(l, against, was_removed)| {
                let mut v = checker.check_line(l, against);
                v.removed = *was_removed;
                v
            })
            .collect();
        let role = self.trusted.policy.requirement(verdict.tier).role;
        let holds_role = |p: &str| {
            role.as_deref().is_none_or(|r| {
                self.trusted
                    .policy
                    .principals_with_role(r)
                    .iter()
                    .any(|x| x == p)
            })
        };
        let needs_history = ai.is_some()
            && signoffs.iter().any(|s| {
                s.decision == Some(Decision::Reject)
                    && (!s.valid || s.principal.as_deref().is_some_and(|p| !holds_role(p)))
            });
        let past_roles = if needs_history {
            let history = self.history()?;
            let past = Checker {
                roster: &history.roster,
                trusted_ref: &self.trusted_ref,
                now,
                checked: None,
            };
            for (s, (line, against, was_removed)) in signoffs.iter_mut().zip(&all) {
                if s.valid || s.decision != Some(Decision::Reject) {
                    continue;
                }
                let mut again = past.check_line(line, against);
                if again.valid {
                    again.removed = *was_removed;
                    *s = again;
                }
            }
            history.roles.clone()
        } else {
            verify::PastRoles::new()
        };
        // A carried line counts only as the reject it is, made on the earlier version.
        for (s, (_, against, _)) in signoffs.iter_mut().zip(&all) {
            if against.id == commit.id {
                continue;
            }
            if s.decision != Some(Decision::Reject) {
                s.valid = false;
                s.parsed = None;
            }
            s.carried_from = Some(verify::CarriedFrom {
                commit: against.id,
                by: s.who(),
            });
        }
        // The hunk list, where viewing evidence is judged by it (the tier asks for hunks) or
        // shown (an approval records hunks viewed); unreadable, no approval meets "hunks".
        let asks_hunks = self.trusted.policy.requirement(verdict.tier).require_viewed
            == crate::policy::Viewed::Hunks;
        let approvals: Vec<&crate::signoff::Payload> = signoffs
            .iter()
            .filter(|s| s.valid)
            .filter_map(|s| s.parsed.as_ref())
            .filter(|p| p.decision == Decision::Approve)
            .collect();
        let hunk_list = if (asks_hunks && !approvals.is_empty())
            || approvals.iter().any(|p| p.evidence.hunks.is_some())
        {
            crate::signoff::hunks::list(self.repo, commit).ok()
        } else {
            None
        };
        let gate = verify::judge_with(
            &self.trusted.policy,
            commit,
            ai,
            verdict.tier,
            &verdict.reasons,
            &mut signoffs,
            &past_roles,
            hunk_list.as_ref(),
        );
        Ok((signoffs, gate))
    }

    /// The reject lines of earlier versions of `commit` — commits a reject names whose
    /// verbatim patch id (see [`crate::signoff::patch_id`]) equals `commit`'s — each with
    /// the version it names: a rewrite that changes nothing of the change (an amend, a
    /// reword, a rebase) keeps its rejects, whatever links the branch author kept or cut
    /// (copied notes, Change-Id). Unverified here: the caller checks each line against its
    /// version.
    fn carried_rejects(
        &mut self,
        commit: &CommitChange,
    ) -> Result<Vec<(std::rc::Rc<CommitChange>, String)>> {
        if self.rejects.is_none() {
            let mut by_commit: BTreeMap<git2::Oid, Vec<String>> = BTreeMap::new();
            for line in self.notes.reject_lines()? {
                if let Some(named) = rewrite::named_commit(&line) {
                    by_commit.entry(named).or_default().push(line);
                }
            }
            // Indexed by patch (touched paths, then verbatim patch id): one lookup per judged
            // commit, however many commits the notes reject.
            let mut index = RejectIndex::default();
            for (named, lines) in by_commit {
                if self.repo.find_commit(named).is_err() {
                    continue;
                }
                let paths = (*self.touched(named)?).clone();
                index.insert(paths, named, lines);
            }
            self.rejects = Some(index);
        }
        let this = commit.id.oid();
        if self.rejects.as_ref().is_none_or(RejectIndex::is_empty) || commit.parents.len() > 1 {
            return Ok(Vec::new());
        }
        let paths = self.touched(this)?;
        if !self.rejects.as_ref().is_some_and(|r| r.has_paths(&paths)) {
            return Ok(Vec::new());
        }
        let Some(mine) = self.patch_id(this)? else {
            return Ok(Vec::new());
        };
        // Taken out while its group's patch ids are computed (through the cache on self).
        let mut index = self.rejects.take().unwrap_or_default();
        let same: Result<Vec<(git2::Oid, Vec<String>)>> = index
            .lookup(&paths, &mine, |c| self.patch_id(c))
            .map(|hits| hits.into_iter().cloned().collect());
        self.rejects = Some(index);
        let mut out = Vec::new();
        for (p, lines) in same? {
            if p == this {
                continue;
            }
            let earlier = match self.versions.get(&p) {
                Some(e) => e.clone(),
                None => {
                    let e = std::rc::Rc::new(CommitChange::load(self.repo, p, LoadDepth::Digest)?);
                    self.versions.insert(p, e.clone());
                    e
                }
            };
            out.extend(lines.into_iter().map(|l| (earlier.clone(), l)));
        }
        Ok(out)
    }

    /// The paths `commit`'s patch touches (cached).
    fn touched(
        &mut self,
        commit: git2::Oid,
    ) -> Result<std::rc::Rc<std::collections::BTreeSet<Vec<u8>>>> {
        if let Some(p) = self.paths.get(&commit) {
            return Ok(p.clone());
        }
        let p = std::rc::Rc::new(rewrite::touched_paths(self.repo, commit)?);
        self.paths.insert(commit, p.clone());
        Ok(p)
    }

    /// `commit`'s verbatim patch id (cached; None for a merge).
    fn patch_id(&mut self, commit: git2::Oid) -> Result<Option<[u8; 20]>> {
        if let Some(id) = self.patch_ids.get(&commit) {
            return Ok(*id);
        }
        let id = crate::signoff::patch_id::verbatim(self.repo, commit)?;
        self.patch_ids.insert(commit, id);
        Ok(id)
    }

    /// The rosters and roles of the trusted ref's first-parent history (read once).
    fn history(&mut self) -> Result<std::rc::Rc<TrustedHistory>> {
        if let Some(h) = &self.history {
            return Ok(h.clone());
        }
        let h = std::rc::Rc::new(trusted_history(
            self.repo,
            self.trusted_commit,
            &self.trusted_ref,
        )?);
        self.history = Some(h.clone());
        Ok(h)
    }
}

fn oid(id: &str) -> Result<git2::Oid> {
    git2::Oid::from_str(id).map_err(Error::git(format!("parsing commit id {id}")))
}
