//! Building the units (crates) under analysis, their import edges, and walking the edges
//! backwards from the changed modules.
//!
//! The graph follows the change through every crate it reaches, with no fixed depth, and
//! reads no more than that: crates are taken in dependency order, and a dependent is read
//! only when a crate it depends on holds a module the change reaches (what a crate's code
//! refers to lies in it or in its dependencies, so nothing else can reach it).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

use super::removed::Removed;
use super::resolve::{Id, Resolver};
use super::seeds::{self, Changes};
use super::tree::{build, Listing, ModTree, Unit};
use super::{ModuleFallback, ModuleImpact};
use crate::git::ListFiles;
use crate::impact::crates::CrateImpact;
use crate::impact::targets::{discover, TargetKind};
use crate::impact::workspace::Workspace;

pub(super) fn run(
    ws: &Workspace,
    files: &impl ListFiles,
    crates: &[CrateImpact],
    changes: &Changes<'_>,
    depth: usize,
    removed: Option<&Removed>,
) -> (Vec<ModuleImpact>, Vec<ModuleFallback>) {
    let (candidates, mut fallbacks) = candidates(crates, changes, depth, removed);
    let mut g = Graph {
        ws,
        changes,
        changed_files: changes.files.iter().map(String::as_str).collect(),
        removed,
        listing: Listing::new(files),
        deps: direct_deps(ws, &candidates),
        resolver: Resolver::default(),
        edges: HashMap::new(),
        reached: HashSet::new(),
        built: HashMap::new(),
        early: Vec::new(),
        metadata_macros: BTreeSet::new(),
    };
    for layer in layers(&candidates, &g.deps) {
        g.add_layer(&layer, &mut fallbacks);
    }
    g.recompute_early();
    let via = g.walk();
    let out = g.report(via);
    fallbacks.sort_by(|a, b| a.crate_name.cmp(&b.crate_name));
    drop_behind((g.resolver, g.edges, g.listing.take_scans()));
    (out, fallbacks)
}

/// Drops `tables` on a thread of its own: freeing every file's scan and every module's
/// edges, tens of thousands of small allocations on a large workspace, took 7% of `impact`
/// on the generated 400-crate one, and the answer does not wait for it (a process that
/// exits first leaves the freeing to the system). Dropped here when no thread can be made.
fn drop_behind<T: Send + 'static>(tables: T) {
    // When no thread can be made, the closure, and `tables` with it, is dropped here.
    let _ = std::thread::Builder::new()
        .name("drop-behind".into())
        .spawn(move || drop(tables));
}

/// A crate that may take part: its impact, and whether it is a root (its own files or
/// `Cargo.lock` seed modules in it) rather than a dependent that counts only if a crate it
/// depends on holds a reached module.
struct Candidate<'c> {
    krate: &'c CrateImpact,
    root: bool,
}

/// The crates that may take part, and the crates a workspace-wide file makes count whole.
fn candidates<'c>(
    crates: &'c [CrateImpact],
    changes: &Changes<'_>,
    depth: usize,
    removed: Option<&Removed>,
) -> (Vec<Candidate<'c>>, Vec<ModuleFallback>) {
    let mut fallbacks = Vec::new();
    let mut out = Vec::new();
    for c in crates.iter().filter(|c| !c.deleted) {
        let lock_only = changes.lock_reach.is_some() && !changes.wide_whole.contains(&c.name);
        if c.changed {
            out.push(Candidate {
                krate: c,
                root: true,
            });
        } else if c.distance >= 1 {
            if c.distance <= depth {
                out.push(Candidate {
                    krate: c,
                    root: false,
                });
            }
        } else if removed.is_some() {
            // The base graph: only what can name a removed module.
        } else if lock_only {
            // Affected through `Cargo.lock` alone: the modules using the changed packages.
            out.push(Candidate {
                krate: c,
                root: true,
            });
        } else {
            let why = match c.reasons.as_slice() {
                [] => String::new(),
                r => format!(": {}", r.join("; ")),
            };
            fallbacks.push(ModuleFallback {
                crate_name: c.name.clone(),
                reason: format!("a workspace-wide file affects the whole crate{why}"),
            });
        }
    }
    (out, fallbacks)
}

/// Per candidate crate, the candidates it depends on (any kind of dependency) and the names
/// its code calls every workspace crate it depends on by.
struct Deps {
    on: HashMap<String, BTreeSet<String>>,
    externs: HashMap<String, HashMap<String, String>>,
}

fn direct_deps(ws: &Workspace, candidates: &[Candidate<'_>]) -> Deps {
    let names: HashSet<&str> = candidates.iter().map(|c| c.krate.name.as_str()).collect();
    let mut deps = Deps {
        on: HashMap::new(),
        externs: HashMap::new(),
    };
    for e in ws.edges() {
        if !names.contains(e.from.as_str()) {
            continue;
        }
        if names.contains(e.to.as_str()) && e.to != e.from {
            deps.on
                .entry(e.from.clone())
                .or_default()
                .insert(e.to.clone());
        }
        deps.externs
            .entry(e.from)
            .or_default()
            .insert(e.extern_name, e.to);
    }
    deps
}

/// The candidates in dependency order, as layers whose crates depend only on crates of
/// earlier layers. A cycle (through dev-dependencies) is broken at its nearest crate, which
/// is then marked `early`: it comes before a crate it depends on.
fn layers<'a, 'c>(
    candidates: &'a [Candidate<'c>],
    deps: &Deps,
) -> Vec<Vec<(&'a Candidate<'c>, bool)>> {
    let mut left: BTreeMap<(usize, &str), &Candidate<'_>> = candidates
        .iter()
        .map(|c| ((c.krate.distance, c.krate.name.as_str()), c))
        .collect();
    let mut done: HashSet<&str> = HashSet::new();
    let mut out = Vec::new();
    while !left.is_empty() {
        let ready: Vec<(usize, &str)> = left
            .iter()
            .filter(|(_, c)| {
                deps.on
                    .get(&c.krate.name)
                    .is_none_or(|d| d.iter().all(|x| done.contains(x.as_str())))
            })
            .map(|(k, _)| *k)
            .collect();
        let (keys, early) = match ready.is_empty() {
            false => (ready, false),
            // A cycle: take the nearest crate now.
            true => (left.keys().next().copied().into_iter().collect(), true),
        };
        let mut layer = Vec::new();
        for k in keys {
            if let Some(c) = left.remove(&k) {
                layer.push((c, early));
            }
        }
        done.extend(layer.iter().map(|(c, _)| c.krate.name.as_str()));
        out.push(layer);
    }
    out
}

/// The graph being built, unit by unit.
struct Graph<'w, 'c, T: ListFiles> {
    ws: &'w Workspace,
    changes: &'w Changes<'c>,
    /// The changed paths, for lookups.
    changed_files: HashSet<&'w str>,
    removed: Option<&'w Removed>,
    listing: Listing<'w, T>,
    deps: Deps,
    resolver: Resolver,
    /// Forward edges: module → the modules it depends on.
    edges: HashMap<Id, BTreeSet<Id>>,
    /// Modules the change reaches (seeds and what depends on them), as far as known.
    reached: HashSet<Id>,
    /// Crate name → (unit index, whether it holds a reached module).
    built: HashMap<String, (usize, bool)>,
    /// Units added before a crate they depend on (a dev-dependency cycle).
    early: Vec<usize>,
    /// The macros of the crates read so far whose bodies read `CARGO_PKG_*` (dependencies
    /// are read first): invoking one reads the invoking package's metadata.
    metadata_macros: BTreeSet<String>,
}

impl<'w, 'c, T: ListFiles> Graph<'w, 'c, T> {
    /// Reads the crates of one layer that can be reached — roots, and dependents of a crate
    /// holding a reached module — all their sources first (on several threads), then builds
    /// each one's module tree, its edges and what of it is reached.
    fn add_layer(&mut self, layer: &[(&Candidate<'_>, bool)], fallbacks: &mut Vec<ModuleFallback>) {
        let wanted: Vec<(&CrateImpact, bool)> = layer
            .iter()
            .filter(|(c, early)| {
                c.root
                    || *early
                    || self.deps.on.get(&c.krate.name).is_some_and(|d| {
                        d.iter().any(|x| self.built.get(x).is_some_and(|(_, r)| *r))
                    })
            })
            .map(|(c, early)| (c.krate, *early))
            .collect();
        let dirs: Vec<&str> = wanted
            .iter()
            .filter_map(|(c, _)| self.ws.member(&c.name))
            .map(|m| m.dir.as_str())
            .collect();
        self.listing.prescan(&dirs);
        for (c, early) in wanted {
            let Some(unit) = self.unit(c, fallbacks) else {
                continue;
            };
            let ui = self.resolver.add(unit);
            let ids = self.resolver.ids_of(ui);
            for &id in &ids {
                let e = self.module_edges(id);
                self.edges.insert(id, e);
            }
            let any = self.reach(ui, &ids) || self.reexports_reached(ui);
            // A crate read before one it depends on may yet be reached: its dependents are
            // read.
            self.built.insert(c.name.clone(), (ui, any || early));
            if early {
                self.early.push(ui);
            }
        }
    }

    /// The unit of crate `c`: its targets' module trees and what the change seeds in it.
    fn unit(&mut self, c: &CrateImpact, fallbacks: &mut Vec<ModuleFallback>) -> Option<Unit> {
        let member = self.ws.member(&c.name)?;
        let lib_name = member.lib_name();
        let mut externs = self.deps.externs.get(&c.name).cloned().unwrap_or_default();
        externs.insert(lib_name.clone(), c.name.clone());
        let mut unit = Unit {
            name: c.name.clone(),
            dir: member.dir.clone(),
            changed: c.changed,
            targets: Vec::new(),
            externs,
            whole: None,
            extra_seeds: BTreeMap::new(),
        };
        for t in discover(member, self.listing.tree()) {
            let (label, prefix) = match t.kind {
                TargetKind::Lib => ("lib".to_string(), lib_name.clone()),
                k => (
                    format!("{} {}", k.name(), t.name),
                    format!("{}:{}", k.name(), t.name),
                ),
            };
            match build(&t.src_path, &member.dir, &mut self.listing) {
                Ok(tree) => unit.targets.push((label, prefix, t.kind, tree)),
                Err(reason) => {
                    unit.whole.get_or_insert(reason);
                }
            }
        }
        if unit.whole.is_none() && self.removed.is_none() {
            seeds::classify(
                &mut unit,
                member,
                self.changes,
                c.changed,
                &self.metadata_macros,
            );
        }
        self.metadata_macros = seeds::metadata_macros(&unit, &self.metadata_macros);
        if let Some(reason) = &unit.whole {
            let reason = match self.removed {
                Some(_) => format!("before the change: {reason}"),
                None => reason.clone(),
            };
            fallbacks.push(ModuleFallback {
                crate_name: c.name.clone(),
                reason,
            });
        }
        Some(unit)
    }

    /// The modules `id` depends on; code the scanner cannot see (an `include!` of a
    /// computed path) may name any module of its crate. A module holding a macro `id`
    /// invokes counts only where it is a seed (its text changed): what its other items
    /// reach, the expansion does not name (what it names is among `uses`).
    fn module_edges(&self, id: Id) -> BTreeSet<Id> {
        let found = self.resolver.edges(id);
        let mut deps = found.uses;
        deps.extend(found.macro_homes.into_iter().filter(|&h| self.is_seed(h)));
        let (ui, ti, ni) = id;
        let u = &self.resolver.units[ui];
        let t = &u.targets[ti].3;
        if t.scans[t.nodes[ni].scan].1.include_line.is_some() {
            for (tj, (_, _, _, tt)) in u.targets.iter().enumerate() {
                deps.extend((0..tt.nodes.len()).map(|n| (ui, tj, n)));
            }
            deps.remove(&id);
        }
        deps
    }

    /// True when module `id` is a seed: its file changed, it reads what changed, its crate
    /// counts whole (or, in the base graph, it is a module the change removes).
    fn is_seed(&self, id: Id) -> bool {
        let u = &self.resolver.units[id.0];
        match self.removed {
            Some(r) => u.whole.is_some() || is_removed(r, &u.targets[id.1].3, id.2),
            None => {
                (u.changed && self.changed_files.contains(self.file_of(id)))
                    || u.whole.is_some()
                    || u.extra_seeds.contains_key(&(id.1, id.2))
            }
        }
    }

    /// Marks what of unit `ui` (modules `ids`) the change reaches: its seeds, the modules
    /// depending on a reached module of an earlier unit, and within the unit what depends on
    /// those. True when any is.
    fn reach(&mut self, ui: usize, ids: &[Id]) -> bool {
        let mut rev: HashMap<Id, Vec<Id>> = HashMap::new();
        let mut stack = Vec::new();
        for &id in ids {
            let edges = &self.edges[&id];
            if self.is_seed(id) || edges.iter().any(|d| d.0 != ui && self.reached.contains(d)) {
                stack.push(id);
            }
            for &d in edges.iter().filter(|d| d.0 == ui) {
                rev.entry(d).or_default().push(id);
            }
        }
        for (ti, (_, _, _, t)) in self.resolver.units[ui].targets.iter().enumerate() {
            for &(a, b) in &t.twins {
                rev.entry((ui, ti, a)).or_default().push((ui, ti, b));
                rev.entry((ui, ti, b)).or_default().push((ui, ti, a));
            }
        }
        let mut any = false;
        while let Some(id) = stack.pop() {
            if !self.reached.insert(id) {
                continue;
            }
            any = true;
            stack.extend(rev.get(&id).into_iter().flatten().copied());
        }
        any
    }

    /// True when unit `ui` re-exports a whole crate holding a reached module (`pub extern
    /// crate x as y;`, `pub use x;`, `pub use x::*;`): its dependents can name that module
    /// through it, so they are read.
    fn reexports_reached(&self, ui: usize) -> bool {
        let u = &self.resolver.units[ui];
        let reached = |name: &str| {
            u.externs
                .get(name)
                .filter(|pkg| **pkg != u.name)
                .and_then(|pkg| self.built.get(pkg))
                .is_some_and(|(_, r)| *r)
        };
        u.targets.iter().any(|(_, _, _, t)| {
            t.scans.iter().any(|(_, s)| {
                s.externs.iter().any(|(_, name, _)| reached(name))
                    || s.paths
                        .iter()
                        .any(|p| p.is_use && p.segs.len() == 1 && reached(&p.segs[0]))
            })
        })
    }

    /// The edges of units read before a crate they depend on, again now that it is read.
    fn recompute_early(&mut self) {
        for ui in std::mem::take(&mut self.early) {
            for id in self.resolver.ids_of(ui) {
                let e = self.module_edges(id);
                self.edges.insert(id, e);
            }
        }
    }

    /// Every module reached, with the shortest chain from a seed (breadth first over the
    /// reversed edges, in module order).
    fn walk(&self) -> BTreeMap<Id, Vec<String>> {
        let mut rev: HashMap<Id, Vec<Id>> = HashMap::new();
        for (&from, to) in &self.edges {
            for &t in to {
                rev.entry(t).or_default().push(from);
            }
        }
        // A module declared twice (under different #[cfg]s) is one module: edges both ways.
        for (ui, u) in self.resolver.units.iter().enumerate() {
            for (ti, (_, _, _, t)) in u.targets.iter().enumerate() {
                for &(a, b) in &t.twins {
                    rev.entry((ui, ti, a)).or_default().push((ui, ti, b));
                    rev.entry((ui, ti, b)).or_default().push((ui, ti, a));
                }
            }
        }
        let mut via: BTreeMap<Id, Vec<String>> = BTreeMap::new();
        let mut queue: VecDeque<Id> = VecDeque::new();
        for id in self.resolver.ids() {
            if self.is_seed(id) {
                via.insert(id, vec![self.display(id)]);
                queue.push_back(id);
            }
        }
        while let Some(id) = queue.pop_front() {
            let chain = via[&id].clone();
            let mut next: Vec<Id> = rev.get(&id).cloned().unwrap_or_default();
            next.sort();
            next.dedup();
            for from in next {
                if via.contains_key(&from) {
                    continue;
                }
                let mut c = chain.clone();
                c.push(self.display(from));
                via.insert(from, c);
                queue.push_back(from);
            }
        }
        via
    }

    /// The reached modules as reported.
    fn report(&self, via: BTreeMap<Id, Vec<String>>) -> Vec<ModuleImpact> {
        let units = &self.resolver.units;
        let mut out: Vec<ModuleImpact> = via
            .into_iter()
            // In the base graph, report the dependents that still exist, not the removed
            // modules.
            .filter(|(id, chain)| match self.removed {
                Some(r) => chain.len() > 1 && !r.files.contains(self.file_of(*id)),
                None => true,
            })
            .map(|(id, chain)| {
                let file = self.file_of(id);
                let u = &units[id.0];
                ModuleImpact {
                    crate_name: u.name.clone(),
                    target: u.targets[id.1].0.clone(),
                    module: self.display(id),
                    file: file.to_string(),
                    changed: u.changed && self.changed_files.contains(file),
                    reason: match self.removed {
                        Some(_) => Some(format!(
                            "named `{}`, which the change removes or moves, before the change",
                            chain[0]
                        )),
                        None => u.extra_seeds.get(&(id.1, id.2)).cloned(),
                    },
                    via: chain,
                }
            })
            .collect();
        out.sort_by(|a, b| (&a.crate_name, &a.module).cmp(&(&b.crate_name, &b.module)));
        out
    }

    /// A module's path as shown: `lib_name::a::b`, `bin:server::cli`.
    fn display(&self, id: Id) -> String {
        let (_, prefix, _, t) = &self.resolver.units[id.0].targets[id.1];
        let node = &t.nodes[id.2];
        if node.path.is_empty() {
            prefix.clone()
        } else {
            format!("{prefix}::{}", node.path.join("::"))
        }
    }

    fn file_of(&self, id: Id) -> &str {
        &self.resolver.units[id.0].targets[id.1].3.nodes[id.2].file
    }
}

/// Node `ni` of `tree` is a module the change removes: its file is deleted or moved away, or
/// its `mod` declaration was dropped from its parent's file.
fn is_removed(r: &Removed, tree: &ModTree, ni: usize) -> bool {
    let node = &tree.nodes[ni];
    if r.files.contains(&node.file) {
        return true;
    }
    let (Some(parent), Some(name)) = (node.parent, node.path.last()) else {
        return false;
    };
    r.decls
        .contains(&(tree.nodes[parent].file.clone(), name.clone()))
}
