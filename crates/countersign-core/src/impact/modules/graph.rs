//! Building the units (crates) under analysis, their import edges, and walking the edges
//! backwards from the changed modules.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use super::removed::Removed;
use super::resolve::{Id, Resolver, UnitView};
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
    let changed: BTreeSet<&str> = crates
        .iter()
        .filter(|c| c.changed && !c.deleted)
        .map(|c| c.name.as_str())
        .collect();
    let mut fallbacks = Vec::new();
    let mut chosen = Vec::new();
    for c in crates.iter().filter(|c| !c.deleted) {
        let from_changed = c.via.first().is_some_and(|v| changed.contains(v.as_str()));
        let lock_only = changes.lock_packages.is_some() && !changes.wide_whole.contains(&c.name);
        if c.changed || (c.distance >= 1 && c.distance <= depth && from_changed) {
            chosen.push(c);
        } else if removed.is_some() {
            // The base graph: only what can name a removed module.
        } else if c.distance == 0 && lock_only {
            // Affected through `Cargo.lock` alone: the modules using the changed packages.
            chosen.push(c);
        } else if c.distance == 0 {
            fallbacks.push(ModuleFallback {
                crate_name: c.name.clone(),
                reason: "a workspace-wide file affects the whole crate".to_string(),
            });
        }
    }
    let edges = ws.edges();
    let mut listing = Listing::new(files);
    let dirs: Vec<&str> = chosen
        .iter()
        .filter_map(|c| ws.member(&c.name))
        .map(|m| m.dir.as_str())
        .collect();
    listing.prescan(&dirs);
    let mut units: Vec<Unit> = Vec::new();
    for c in chosen {
        let Some(member) = ws.member(&c.name) else {
            continue;
        };
        let lib_name = member.lib_name();
        let mut externs: HashMap<String, String> = edges
            .iter()
            .filter(|e| e.from == c.name)
            .map(|e| (e.extern_name.clone(), e.to.clone()))
            .collect();
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
        for t in discover(member, files) {
            let (label, prefix) = match t.kind {
                TargetKind::Lib => ("lib".to_string(), lib_name.clone()),
                k => (
                    format!("{} {}", k.name(), t.name),
                    format!("{}:{}", k.name(), t.name),
                ),
            };
            match build(&t.src_path, &mut listing) {
                Ok(tree) => unit.targets.push((label, prefix, t.kind, tree)),
                Err(reason) => {
                    unit.whole.get_or_insert(reason);
                }
            }
        }
        if unit.whole.is_none() && removed.is_none() {
            seeds::classify(&mut unit, member, changes, c.changed);
        }
        if let Some(reason) = &unit.whole {
            let reason = match removed {
                Some(_) => format!("before the change: {reason}"),
                None => reason.clone(),
            };
            fallbacks.push(ModuleFallback {
                crate_name: c.name.clone(),
                reason,
            });
        }
        units.push(unit);
    }
    let names: Vec<&str> = units.iter().map(|u| u.name.as_str()).collect();
    let views = units
        .iter()
        .map(|u| UnitView {
            targets: u
                .targets
                .iter()
                .map(|(l, _, _, t)| (l.as_str(), t))
                .collect(),
            externs: &u.externs,
        })
        .collect();
    let resolver = Resolver::new(views, &names);
    // Reverse edges: to → from.
    let mut rev: HashMap<Id, Vec<Id>> = HashMap::new();
    for id in resolver.ids() {
        let mut deps = resolver.edges(id);
        let (ui, ti, ni) = id;
        let t = &units[ui].targets[ti].3;
        // Code the scanner cannot see (`include!` of a computed path) may name anything.
        if t.scans[t.nodes[ni].scan].1.include_line.is_some() {
            for (tj, (_, _, _, tt)) in units[ui].targets.iter().enumerate() {
                deps.extend((0..tt.nodes.len()).map(|n| (ui, tj, n)));
            }
            deps.remove(&id);
        }
        for to in deps {
            rev.entry(to).or_default().push(id);
        }
    }
    // A module declared twice (under different #[cfg]s) is one module: edges both ways.
    for (ui, u) in units.iter().enumerate() {
        for (ti, (_, _, _, t)) in u.targets.iter().enumerate() {
            for &(a, b) in &t.twins {
                rev.entry((ui, ti, a)).or_default().push((ui, ti, b));
                rev.entry((ui, ti, b)).or_default().push((ui, ti, a));
            }
        }
    }
    // Seeds: changed modules, modules reading changed data or packages, and every module of
    // a crate that counts as a whole.
    let changed_set: BTreeSet<&str> = changes.files.iter().map(String::as_str).collect();
    let display = |id: Id| -> String {
        let (ui, ti, ni) = id;
        let (_, prefix, _, t) = &units[ui].targets[ti];
        let node = &t.nodes[ni];
        if node.path.is_empty() {
            prefix.clone()
        } else {
            format!("{prefix}::{}", node.path.join("::"))
        }
    };
    let file_of = |id: Id| -> &str { &units[id.0].targets[id.1].3.nodes[id.2].file };
    let mut via: BTreeMap<Id, Vec<String>> = BTreeMap::new();
    let mut queue: VecDeque<Id> = VecDeque::new();
    for id in resolver.ids() {
        let u = &units[id.0];
        let file_changed = u.changed && changed_set.contains(file_of(id));
        let seed = match removed {
            Some(r) => u.whole.is_some() || is_removed(r, &units[id.0].targets[id.1].3, id.2),
            None => file_changed || u.whole.is_some() || u.extra_seeds.contains_key(&(id.1, id.2)),
        };
        if seed {
            via.insert(id, vec![display(id)]);
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
            c.push(display(from));
            via.insert(from, c);
            queue.push_back(from);
        }
    }
    let mut out: Vec<ModuleImpact> = via
        .into_iter()
        // In the base graph, report the dependents that still exist, not the removed modules.
        .filter(|(id, chain)| match removed {
            Some(r) => chain.len() > 1 && !r.files.contains(file_of(*id)),
            None => true,
        })
        .map(|(id, chain)| ModuleImpact {
            crate_name: units[id.0].name.clone(),
            target: units[id.0].targets[id.1].0.clone(),
            module: display(id),
            file: file_of(id).to_string(),
            changed: units[id.0].changed && changed_set.contains(file_of(id)),
            via: chain.clone(),
            reason: match removed {
                Some(_) => Some(format!(
                    "named `{}`, which the change removes or moves, before the change",
                    chain[0]
                )),
                None => units[id.0].extra_seeds.get(&(id.1, id.2)).cloned(),
            },
        })
        .collect();
    out.sort_by(|a, b| (&a.crate_name, &a.module).cmp(&(&b.crate_name, &b.module)));
    fallbacks.sort_by(|a, b| a.crate_name.cmp(&b.crate_name));
    (out, fallbacks)
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
