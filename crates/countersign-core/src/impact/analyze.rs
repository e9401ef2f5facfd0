//! The whole analysis for a change: read both workspaces, run the crate closure, list the
//! affected targets and build the module graph.

use super::crates::{crate_level, Sides};
use super::modules;
use super::report::{Impact, TargetImpact};
use super::targets::{discover, TargetKind};
use super::workspace::Workspace;
use crate::git::{FileChange, GitTree};
use crate::Result;

/// What to compute beyond the crate level.
#[derive(Clone, Debug)]
pub struct Options {
    /// Build the module graph.
    pub modules: bool,
    /// How many dependency hops from the changed crates the module graph covers
    /// (`usize::MAX`, the default: every crate the change reaches; 1: the changed crates and
    /// the crates that depend on them directly).
    pub module_depth: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            modules: true,
            module_depth: usize::MAX,
        }
    }
}

/// The impact of `commits` (oldest first) taken together: the graph is the tip's workspace,
/// the base is the first commit's parent (its first parent, for a merge).
#[cfg(any(test, feature = "test-support"))]
pub fn analyze(
    repo: &git2::Repository,
    commits: &[crate::git::CommitChange],
    opts: &Options,
) -> Result<Impact> {
    use crate::git::DiffBase;
    let (Some(first), Some(last)) = (commits.first(), commits.last()) else {
        return Ok(Impact::default());
    };
    let base = match &first.diff_base {
        DiffBase::Parent(p) | DiffBase::FirstParentOfMerge(p) => Some(p.oid()),
        DiffBase::EmptyTree => None,
    };
    let files: Vec<&FileChange> = commits.iter().flat_map(|c| c.files.iter()).collect();
    analyze_range(repo, base, last.id.oid(), &files, opts, Loaded::default())
}

/// Workspaces the caller has already read (the review layer's `Assessor` caches them), so
/// that the analysis does not read every manifest again.
#[derive(Clone, Copy, Default)]
pub struct Loaded<'a> {
    /// The workspace at the base commit.
    pub base: Option<&'a Workspace>,
    /// The workspace at the tip commit.
    pub tip: Option<&'a Workspace>,
}

/// The impact of `files` changed between commit `base` (None: the empty tree) and `tip`.
pub(crate) fn analyze_range(
    repo: &git2::Repository,
    base: Option<git2::Oid>,
    tip: git2::Oid,
    files: &[&FileChange],
    opts: &Options,
    loaded: Loaded<'_>,
) -> Result<Impact> {
    let tip_tree = GitTree::of_commit(repo, tip, &tip.to_string())?;
    let tip_owned;
    let tip_ws = match loaded.tip {
        Some(w) => w,
        None => {
            tip_owned = Workspace::load(&tip_tree)?;
            &tip_owned
        }
    };
    // The base side matters only where paths leave the tree or a manifest changes.
    // A change that removes a module needs the base graph too (a move is a delete plus an add).
    let removed = match (opts.modules, base) {
        (true, Some(_)) => modules::Removed::of(repo, files),
        _ => None,
    };
    let needs_base = super::crates::needs_base(files) || removed.is_some();
    let base_tree = match base {
        Some(b) if needs_base => Some(GitTree::of_commit(repo, b, &b.to_string())?),
        _ => None,
    };
    let base_ws = match (&base_tree, base, loaded.base) {
        (Some(_), _, Some(w)) => Some(w.clone()),
        (Some(t), _, None) => Some(Workspace::load(t)?),
        (None, None, _) => Some(Workspace::default()),
        (None, Some(_), _) => None,
    };
    let sides = Sides {
        base: base_ws.as_ref().unwrap_or(tip_ws),
        tip: tip_ws,
        base_files: base_tree.as_ref().map_or(&tip_tree, |t| t),
        tip_files: &tip_tree,
        // The graph shows every crate whose folder the change touches; the tier (the
        // review layer's) leaves out files a crate provably does not build.
        inclusions: None,
    };
    let level = crate_level(&sides, files)?;
    let targets = affected_targets(tip_ws, &tip_tree, &level.crates);
    let (modules, module_fallbacks) = if opts.modules {
        let changes = modules::Changes {
            ws: tip_ws,
            files: &level.changed_files,
            base_files: sides.base_files,
            tip_files: &tip_tree,
            lock_reach: level.lock_reach.as_ref(),
            wide_whole: &level.wide_whole,
        };
        let mut out = modules::analyze(&tip_tree, &level.crates, &changes, opts.module_depth);
        if let (Some(r), Some(bt), Some(bw)) = (&removed, &base_tree, &base_ws) {
            modules::add_removed(
                &mut out,
                bw,
                bt,
                &level.crates,
                &changes,
                opts.module_depth,
                r,
            );
        }
        out
    } else {
        (Vec::new(), Vec::new())
    };
    let mut changed_crates: Vec<String> = level
        .crates
        .iter()
        .filter(|c| c.changed)
        .map(|c| c.name.clone())
        .collect();
    changed_crates.sort();
    let mut affected_crates: Vec<String> = level.crates.iter().map(|c| c.name.clone()).collect();
    affected_crates.sort();
    let problems = tip_ws
        .problems
        .iter()
        .chain(base_ws.iter().flat_map(|w| w.problems.iter()))
        .map(|p| p.to_string())
        .collect();
    Ok(Impact {
        revision: Some(tip.into()),
        base: base.map(Into::into),
        changed_files: level.changed_files,
        changed_crates,
        affected_crates,
        crates: level.crates,
        targets,
        modules,
        module_fallbacks,
        workspace_wide: level.workspace_wide,
        problems,
    })
}

/// The bins, tests, benches and examples of affected crates (only tests, benches and
/// examples for crates reached through a dev-dependency).
fn affected_targets(
    ws: &Workspace,
    tree: &GitTree<'_>,
    crates: &[super::crates::CrateImpact],
) -> Vec<TargetImpact> {
    let mut out = Vec::new();
    for c in crates.iter().filter(|c| !c.deleted) {
        let Some(member) = ws.member(&c.name) else {
            continue;
        };
        for t in discover(member, tree) {
            let wanted = match t.kind {
                TargetKind::Bin => !c.dev_only,
                TargetKind::Test | TargetKind::Bench | TargetKind::Example => true,
                TargetKind::Lib | TargetKind::CustomBuild => false,
            };
            if wanted {
                out.push(TargetImpact {
                    crate_name: c.name.clone(),
                    kind: t.kind,
                    name: t.name,
                    src_path: t.src_path,
                });
            }
        }
    }
    out.sort_by(|a, b| (&a.crate_name, a.kind, &a.name).cmp(&(&b.crate_name, b.kind, &b.name)));
    out
}
