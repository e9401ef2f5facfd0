//! Resolving paths to modules and walking the import edges backwards from changed modules.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use super::scan::PathRef;
use super::tree::{build, Listing, ModTree};
use super::{ModuleFallback, ModuleImpact};
use crate::git::GitPath;
use crate::impact::crates::CrateImpact;
use crate::impact::targets::{discover, TargetKind};
use crate::impact::tree::ListFiles;
use crate::impact::workspace::Workspace;

/// One crate under analysis.
struct Unit {
    name: String,
    changed: bool,
    /// (label like `lib` or `bin server`, module prefix, tree).
    targets: Vec<(String, String, ModTree)>,
    /// Names code uses for other crates (and its own library) → package name.
    externs: HashMap<String, String>,
    /// Why the whole crate counts, if it does.
    whole: Option<String>,
}

/// A module anywhere: (unit, target, node).
type Id = (usize, usize, usize);

pub(super) fn run(
    ws: &Workspace,
    files: &impl ListFiles,
    crates: &[CrateImpact],
    changed_files: &[String],
    depth: usize,
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
        if c.changed || (c.distance >= 1 && c.distance <= depth && from_changed) {
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
            changed: c.changed,
            targets: Vec::new(),
            externs,
            whole: None,
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
                Ok(tree) => {
                    if let Some((f, s)) = tree.scans.iter().find(|(_, s)| s.include_line.is_some())
                    {
                        unit.whole.get_or_insert(format!(
                            "`{f}` uses include! (line {}), whose code is not read",
                            s.include_line.unwrap_or(0)
                        ));
                    }
                    unit.targets.push((label, prefix, tree));
                }
                Err(reason) => {
                    unit.whole.get_or_insert(reason);
                }
            }
        }
        if c.changed {
            for f in changed_files {
                if ws.member_of(&GitPath::from(f.as_str())).map(|m| &m.name) != Some(&c.name) {
                    continue;
                }
                let scans = unit.targets.iter().flat_map(|(_, _, t)| t.scans.iter());
                match scans.clone().find(|(file, _)| file == f) {
                    Some((_, s)) if s.defines_macros => {
                        unit.whole.get_or_insert(format!(
                            "`{f}` changed and defines macro_rules! macros, which code uses without paths"
                        ));
                    }
                    Some(_) => {}
                    None => {
                        unit.whole.get_or_insert(format!(
                            "`{f}` changed and is no module of any target (a manifest, data read by \
                             include_str!, or code included another way)"
                        ));
                    }
                }
            }
        }
        if let Some(reason) = &unit.whole {
            fallbacks.push(ModuleFallback {
                crate_name: c.name.clone(),
                reason: reason.clone(),
            });
        }
        units.push(unit);
    }
    let by_name: HashMap<&str, usize> = units
        .iter()
        .enumerate()
        .map(|(i, u)| (u.name.as_str(), i))
        .collect();
    // Reverse edges: to → from.
    let mut rev: HashMap<Id, Vec<Id>> = HashMap::new();
    for (ui, u) in units.iter().enumerate() {
        for (ti, (_, _, t)) in u.targets.iter().enumerate() {
            for (ni, node) in t.nodes.iter().enumerate() {
                let scan = &t.scans[node.scan].1;
                let paths: Vec<&PathRef> = scan
                    .paths
                    .iter()
                    .filter(|p| p.scope == node.inline_scope)
                    .collect();
                let mut externs = u.externs.clone();
                for (scope, name, alias) in &scan.externs {
                    if scope == &node.inline_scope {
                        if let Some(to) = u.externs.get(name).cloned() {
                            externs.insert(alias.clone().unwrap_or_else(|| name.clone()), to);
                        }
                    }
                }
                let r = Resolver {
                    units: &units,
                    by_name: &by_name,
                    unit: ui,
                    target: ti,
                    tree: t,
                    externs: &externs,
                    aliases: paths
                        .iter()
                        .filter(|p| p.is_use)
                        .filter_map(|p| Some((p.alias.clone()?, *p)))
                        .collect(),
                };
                for p in &paths {
                    if let Some(to) = r.resolve(ni, &p.segs, p.leading, 0) {
                        if to != (ui, ti, ni) {
                            rev.entry(to).or_default().push((ui, ti, ni));
                        }
                    }
                }
            }
        }
    }
    // A module declared twice (under different #[cfg]s) is one module: edges both ways.
    for (ui, u) in units.iter().enumerate() {
        for (ti, (_, _, t)) in u.targets.iter().enumerate() {
            for &(a, b) in &t.twins {
                rev.entry((ui, ti, a)).or_default().push((ui, ti, b));
                rev.entry((ui, ti, b)).or_default().push((ui, ti, a));
            }
        }
    }
    // Seeds: changed modules, and every module of a crate that counts as a whole.
    let changed_set: BTreeSet<&str> = changed_files.iter().map(String::as_str).collect();
    let display = |id: Id| -> String {
        let (ui, ti, ni) = id;
        let (_, prefix, t) = &units[ui].targets[ti];
        let node = &t.nodes[ni];
        if node.path.is_empty() {
            prefix.clone()
        } else {
            format!("{prefix}::{}", node.path.join("::"))
        }
    };
    let file_of = |id: Id| -> &str { &units[id.0].targets[id.1].2.nodes[id.2].file };
    let mut via: BTreeMap<Id, Vec<String>> = BTreeMap::new();
    let mut queue: VecDeque<Id> = VecDeque::new();
    for (ui, u) in units.iter().enumerate() {
        for (ti, (_, _, t)) in u.targets.iter().enumerate() {
            for ni in 0..t.nodes.len() {
                let id = (ui, ti, ni);
                let seed = (u.changed && changed_set.contains(file_of(id))) || u.whole.is_some();
                if seed {
                    via.insert(id, vec![display(id)]);
                    queue.push_back(id);
                }
            }
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
        .map(|(id, chain)| ModuleImpact {
            crate_name: units[id.0].name.clone(),
            target: units[id.0].targets[id.1].0.clone(),
            module: display(id),
            file: file_of(id).to_string(),
            changed: units[id.0].changed && changed_set.contains(file_of(id)),
            via: chain,
        })
        .collect();
    out.sort_by(|a, b| (&a.crate_name, &a.module).cmp(&(&b.crate_name, &b.module)));
    fallbacks.sort_by(|a, b| a.crate_name.cmp(&b.crate_name));
    (out, fallbacks)
}

/// Resolves the paths written in one module.
struct Resolver<'u> {
    units: &'u [Unit],
    by_name: &'u HashMap<&'u str, usize>,
    unit: usize,
    target: usize,
    tree: &'u ModTree,
    externs: &'u HashMap<String, String>,
    /// Names brought in by `use` → the use path.
    aliases: HashMap<String, &'u PathRef>,
}

impl Resolver<'_> {
    /// The module `segs` (written in module `at`) lands in: the deepest module along it.
    fn resolve(&self, at: usize, segs: &[String], leading: bool, hops: usize) -> Option<Id> {
        if hops > 8 || segs.is_empty() {
            return None;
        }
        if leading {
            return self.external(segs);
        }
        let local = |n: usize| Some((self.unit, self.target, n));
        match segs[0].as_str() {
            "crate" => local(self.within(0, &segs[1..])),
            "self" => local(self.within(at, &segs[1..])),
            "super" => {
                let mut n = at;
                let mut rest = segs;
                while rest.first().map(String::as_str) == Some("super") {
                    n = self.tree.nodes[n].parent?;
                    rest = &rest[1..];
                }
                local(self.within(n, rest))
            }
            first => {
                if self.tree.nodes[at].children.contains_key(first) {
                    return local(self.within(at, segs));
                }
                if let Some(p) = self.aliases.get(first) {
                    // A `use` resolves from the same module; stop at the use path itself.
                    if p.segs.as_slice() != segs {
                        let mut full = p.segs.clone();
                        full.extend_from_slice(&segs[1..]);
                        return self.resolve(at, &full, p.leading, hops + 1);
                    }
                }
                if self.externs.contains_key(first) {
                    return self.external(segs);
                }
                if self.tree.nodes[0].children.contains_key(first) {
                    // 2015-edition `use` paths are crate-relative.
                    return local(self.within(0, segs));
                }
                None
            }
        }
    }

    /// Walks down from `n` along `segs` as far as they name modules.
    fn within(&self, mut n: usize, segs: &[String]) -> usize {
        for s in segs {
            match self.tree.nodes[n].children.get(s) {
                Some(c) => n = *c,
                None => break,
            }
        }
        n
    }

    /// A path into another crate (or this crate's own library, from another target).
    fn external(&self, segs: &[String]) -> Option<Id> {
        let krate = self.externs.get(&segs[0])?;
        let ui = *self.by_name.get(krate.as_str())?;
        let (ti, (_, _, tree)) = self.units[ui]
            .targets
            .iter()
            .enumerate()
            .find(|(_, (label, _, _))| label == "lib")?;
        let mut n = 0;
        for s in &segs[1..] {
            match tree.nodes[n].children.get(s) {
                Some(c) => n = *c,
                None => break,
            }
        }
        Some((ui, ti, n))
    }
}
