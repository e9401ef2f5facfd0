//! Phase 2, crate level: which members a change touches (the nearest member above each
//! changed file, on the side of the diff where the file lives), which it affects through
//! workspace-wide files, which it deletes or moves, and the reverse closure from them.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use super::closure::{reverse_closure, Reached, Seed};
use super::deps::DepKind;
use super::lock_reach::LockReach;
use super::wide::{lock_change_packages, root_manifest_change, wide_file_reason, WideEffect};
use super::workspace::{Member, Workspace};
use crate::git::{FileChange, FileStatus, GitPath, RepoFiles};
use crate::Result;

/// One affected crate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CrateImpact {
    /// Package name.
    pub name: String,
    /// Its directory at the tip (at the base, for a deleted crate).
    pub dir: String,
    /// One of its own files changed (or it was deleted).
    pub changed: bool,
    /// It no longer exists at the tip.
    pub deleted: bool,
    /// Its directory before the change, when the change moved it.
    pub moved_from: Option<String>,
    /// Dependency hops from a changed crate (0: changed, or affected by a workspace-wide file).
    pub distance: usize,
    /// Crate names from a changed crate to this one, both included.
    pub via: Vec<String>,
    /// The kind of the last hop of `via` (null for distance 0).
    pub edge: Option<DepKind>,
    /// Reached only through a dev-dependency: only its tests, benches and examples.
    pub dev_only: bool,
    /// Why it is affected directly (files changed, workspace-wide files), as sentences.
    pub reasons: Vec<String>,
}

impl CrateImpact {
    /// How the change reaches this crate, for people: `changed`, `2 hops`, `1 hop, dev-dep`,
    /// `deleted`; `dev_label` names a dev-dependency edge (the CLI says what it means, the
    /// narrow TUI panel does not).
    pub fn describe(&self, dev_label: &str) -> String {
        if self.deleted {
            return "deleted".to_string();
        }
        let mut parts = Vec::new();
        if self.changed {
            parts.push("changed".to_string());
        } else if self.distance == 0 {
            parts.push("workspace-wide".to_string());
        } else {
            let plural = if self.distance == 1 { "" } else { "s" };
            parts.push(format!("{} hop{plural}", self.distance));
        }
        match self.edge {
            Some(DepKind::Dev) => parts.push(dev_label.to_string()),
            Some(DepKind::Build) => parts.push("build-dep".to_string()),
            _ => {}
        }
        if let Some(from) = &self.moved_from {
            parts.push(format!("moved from {from}"));
        }
        parts.join(", ")
    }
}

/// The two sides of a change: the workspace at the base (before the first commit) and at
/// the tip (after the last), with their files.
pub(crate) struct Sides<'a> {
    /// The workspace before the change (empty for a root commit).
    pub base: &'a Workspace,
    /// The workspace after the change.
    pub tip: &'a Workspace,
    /// Files before the change.
    pub base_files: &'a dyn RepoFiles,
    /// Files after the change.
    pub tip_files: &'a dyn RepoFiles,
    /// What crates compile and read (see [`super::compiled`]), when known: a file in a
    /// crate's folder that the crate provably does not build does not mark it changed.
    pub inclusions: Option<&'a super::compiled::Inclusions>,
}

/// The crate-level result.
#[derive(Clone, Debug, Default)]
pub(crate) struct CrateLevel {
    /// Every path the change touches (both sides of renames), sorted.
    pub changed_files: Vec<String>,
    /// Affected crates, by distance then name.
    pub crates: Vec<CrateImpact>,
    /// Sentences about workspace-wide files.
    pub workspace_wide: Vec<String>,
    /// When `Cargo.lock` changed some packages only: which direct dependencies of each
    /// member it reaches (for the module graph: the modules using them count).
    pub lock_reach: Option<LockReach>,
    /// Crates a workspace-wide file other than a narrowed `Cargo.lock` affects as a whole.
    pub wide_whole: BTreeSet<String>,
}

#[derive(Default)]
struct Direct {
    /// Changed crate → file count and notes.
    changed: BTreeMap<String, (usize, BTreeSet<String>)>,
    deleted: BTreeSet<String>,
    /// Root files judged after every path is seen: `Cargo.toml`, `Cargo.lock`.
    roots: BTreeSet<String>,
    /// Crates affected by workspace-wide files, with the reason.
    wide: BTreeMap<String, BTreeSet<String>>,
    wide_reasons: Vec<String>,
    /// Crates affected as a whole by a workspace-wide file (not a narrowed lock file).
    wide_whole: BTreeSet<String>,
}

/// Whether the base side's workspace matters for `files`: only where a path leaves the tree
/// (deleted, renamed, type-changed) or a manifest changes. Otherwise the tip's workspace can
/// stand in for it, which saves reading every manifest twice.
pub(crate) fn needs_base(files: &[&FileChange]) -> bool {
    files.iter().any(|f| {
        f.old_path != f.new_path
            || matches!(f.status, FileStatus::Deleted | FileStatus::TypeChange)
            || f.paths()
                .any(|p| p.as_bytes().ends_with(b"Cargo.toml") || p.as_bytes() == b"Cargo.lock")
    })
}

/// Computes the crate-level impact of `files` (the union over the change's commits).
pub(crate) fn crate_level(sides: &Sides<'_>, files: &[&FileChange]) -> Result<CrateLevel> {
    let (changed_files, mut direct, root_files_changed) = attribute_files(sides, files);
    let lock_reach = if root_files_changed {
        judge_roots(sides, &mut direct)?
    } else {
        None
    };
    let reached = reverse_closure(sides.tip.edge_list(), &seeds(sides, &direct));
    let crates = crate_impacts(sides, &direct, reached);
    Ok(CrateLevel {
        changed_files: changed_files.into_iter().collect(),
        crates,
        workspace_wide: direct.wide_reasons,
        lock_reach,
        wide_whole: direct.wide_whole,
    })
}

/// Each changed path (both sides of a move) placed in its crate: the changed files, what
/// they change directly, and whether a root `Cargo.toml` or `Cargo.lock` is among them.
fn attribute_files(sides: &Sides<'_>, files: &[&FileChange]) -> (BTreeSet<String>, Direct, bool) {
    let mut changed_files: BTreeSet<String> = BTreeSet::new();
    let mut direct = Direct::default();
    let mut root_files_changed = false;
    for f in files {
        for p in f.paths() {
            changed_files.insert(p.display());
        }
        if let Some(new) = &f.new_path {
            root_files_changed |= attribute(&mut direct, new, sides.tip, sides, false);
        }
        if let Some(old) = f
            .old_path
            .as_ref()
            .filter(|o| Some(*o) != f.new_path.as_ref())
        {
            root_files_changed |= attribute(&mut direct, old, sides.base, sides, true);
        }
    }
    (changed_files, direct, root_files_changed)
}

/// Judges a changed root `Cargo.toml` and `Cargo.lock` (after every path is seen): the
/// crates they affect go into `direct`; returns what the lock change reaches at the module
/// level, when the lock file narrows it.
fn judge_roots(sides: &Sides<'_>, direct: &mut Direct) -> Result<Option<LockReach>> {
    let read = |t: &dyn RepoFiles, path: &str| -> Result<Option<String>> {
        Ok(t.read(path)?
            .map(|b| String::from_utf8_lossy(&b).into_owned()))
    };
    if direct.roots.contains("Cargo.toml") {
        let (old, new) = (
            read(sides.base_files, "Cargo.toml")?,
            read(sides.tip_files, "Cargo.toml")?,
        );
        match root_manifest_change(old.as_deref(), new.as_deref(), sides.base, sides.tip) {
            None => {
                if let Some(root) = sides.tip.members.iter().find(|m| m.dir.is_empty()) {
                    note(direct, &root.name, "its Cargo.toml changed");
                }
            }
            Some(effect) => {
                if let WideEffect::Some { crates, .. } = &effect {
                    direct.wide_whole.extend(crates.iter().cloned());
                }
                apply(direct, sides.tip, effect)
            }
        }
    }
    let mut lock_reach = None;
    if direct.roots.contains("Cargo.lock") {
        let (old, new) = (
            super::lock_text::read(sides.base_files, "Cargo.lock")?,
            super::lock_text::read(sides.tip_files, "Cargo.lock")?,
        );
        let (effect, packages) = lock_change_packages(old.as_deref(), new.as_deref(), sides.tip);
        // Where the packages could be compared (a format change), the module graph lists
        // the modules using the changed ones instead of every crate whole.
        let whole = direct.wide_whole.clone();
        apply(direct, sides.tip, effect);
        if packages.is_some() {
            direct.wide_whole = whole;
        }
        lock_reach = packages;
    }
    Ok(lock_reach)
}

/// Where the reverse closure starts: the changed and workspace-wide crates, and the
/// dependents of a deleted crate that still exist (its removal affects them).
fn seeds(sides: &Sides<'_>, direct: &Direct) -> Vec<Seed> {
    let mut seeds: Vec<Seed> = Vec::new();
    for name in direct.changed.keys().chain(direct.wide.keys()) {
        seeds.push(Seed {
            name: name.clone(),
            distance: 0,
            via: vec![name.clone()],
        });
    }
    if direct.deleted.is_empty() {
        return seeds;
    }
    let base_edges = sides.base.edge_list();
    for gone in &direct.deleted {
        for e in base_edges.iter().filter(|e| &e.to == gone) {
            if sides.tip.member(&e.from).is_some() && e.kind != DepKind::Dev {
                seeds.push(Seed {
                    name: e.from.clone(),
                    distance: 1,
                    via: vec![gone.clone(), e.from.clone()],
                });
            }
        }
    }
    seeds
}

/// The deleted crates, then every reached crate with its reasons, nearest first.
fn crate_impacts(sides: &Sides<'_>, direct: &Direct, reached: Vec<Reached>) -> Vec<CrateImpact> {
    let tip_by_name: HashMap<&str, &Member> = sides
        .tip
        .members
        .iter()
        .map(|m| (m.name.as_str(), m))
        .collect();
    let base_by_name: HashMap<&str, &Member> = sides
        .base
        .members
        .iter()
        .map(|m| (m.name.as_str(), m))
        .collect();
    let mut crates: Vec<CrateImpact> = Vec::new();
    for gone in &direct.deleted {
        let dir = sides
            .base
            .member(gone)
            .map(|m| m.dir.clone())
            .unwrap_or_default();
        crates.push(CrateImpact {
            name: gone.clone(),
            dir,
            changed: true,
            deleted: true,
            moved_from: None,
            distance: 0,
            via: vec![gone.clone()],
            edge: None,
            dev_only: false,
            reasons: vec!["it was deleted (or left the workspace)".to_string()],
        });
    }
    for r in reached {
        let Some(member) = tip_by_name.get(r.name.as_str()).copied() else {
            continue;
        };
        let mut reasons = Vec::new();
        let changed = direct.changed.get(&r.name);
        if let Some((count, notes)) = changed {
            if *count > 0 {
                reasons.push(format!("{count} of its files changed"));
            }
            reasons.extend(notes.iter().cloned());
        }
        if let Some(w) = direct.wide.get(&r.name) {
            reasons.extend(w.iter().cloned());
        }
        let moved_from = base_by_name
            .get(r.name.as_str())
            .filter(|b| b.dir != member.dir)
            .map(|b| b.dir.clone());
        if let Some(from) = &moved_from {
            reasons.push(format!("it moved from `{from}` to `{}`", member.dir));
        }
        crates.push(CrateImpact {
            name: r.name,
            dir: member.dir.clone(),
            changed: changed.is_some(),
            deleted: false,
            moved_from,
            distance: r.distance,
            via: r.via,
            edge: r.edge,
            dev_only: r.dev_only,
            reasons,
        });
    }
    crates.sort_by(|a, b| (a.distance, &a.name).cmp(&(b.distance, &b.name)));
    crates
}

/// Records one side of a changed path. Returns true when it is the root `Cargo.toml` (judged
/// once, after every file is seen).
fn attribute(
    direct: &mut Direct,
    path: &GitPath,
    ws: &Workspace,
    sides: &Sides<'_>,
    old_side: bool,
) -> bool {
    let text = path.display();
    if text == "Cargo.toml" || text == "Cargo.lock" {
        direct.roots.insert(text);
        return true;
    }
    if let Some(reason) = wide_file_reason(&text) {
        // Workspace-wide whichever side it is on.
        wide_all(direct, sides.tip, &format!("`{text}` changed: {reason}"));
        return false;
    }
    let Some(member) = ws.member_of(path) else {
        return false;
    };
    if sides.inclusions.is_some_and(|i| i.not_built(member, path)) {
        return false;
    }
    if old_side && sides.tip.member(&member.name).is_none() {
        direct.deleted.insert(member.name.clone());
        return false;
    }
    let entry = direct.changed.entry(member.name.clone()).or_default();
    if old_side {
        entry
            .1
            .insert("files were deleted or moved out of it".to_string());
    } else {
        entry.0 += 1;
    }
    let rel = text
        .strip_prefix(&member.dir)
        .map(|r| r.trim_start_matches('/'))
        .unwrap_or(&text);
    if rel == "build.rs" {
        entry.1.insert("its build script changed".to_string());
    } else if rel == "Cargo.toml" {
        entry.1.insert("its Cargo.toml changed".to_string());
    }
    false
}

/// Records what a workspace-wide file change affects.
fn apply(direct: &mut Direct, tip: &Workspace, effect: WideEffect) {
    match effect {
        WideEffect::All { reason } => wide_all(direct, tip, &reason),
        WideEffect::Some { crates, reason } => {
            direct.wide_reasons.push(reason.clone());
            for c in crates {
                if tip.member(&c).is_some() {
                    direct.wide.entry(c).or_default().insert(reason.clone());
                }
            }
        }
    }
}

fn note(direct: &mut Direct, name: &str, why: &str) {
    direct
        .changed
        .entry(name.to_string())
        .or_default()
        .1
        .insert(why.to_string());
}

fn wide_all(direct: &mut Direct, tip: &Workspace, reason: &str) {
    if !direct.wide_reasons.iter().any(|r| r == reason) {
        direct.wide_reasons.push(reason.to_string());
    }
    for m in &tip.members {
        direct
            .wide
            .entry(m.name.clone())
            .or_default()
            .insert(reason.to_string());
        direct.wide_whole.insert(m.name.clone());
    }
}
