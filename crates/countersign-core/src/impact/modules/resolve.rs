//! Name resolution to the item: a path lands in the module that *defines* what it names,
//! through `use` re-export chains and glob imports, not in the modules it passes through.
//!
//! - `crate::vcs::JjBackend`, where `vcs/mod.rs` says `pub use jj::JjBackend;`, lands in
//!   `vcs::jj`: `vcs` is only passed through.
//! - A glob import (`use super::*;`) depends on the definers of the names it brings in that
//!   the file mentions anywhere (every identifier of the file counts, so a name used in a
//!   macro or as a method is not missed).
//!   A trait the glob brings counts too when the file calls one of its methods, named or
//!   not: an extension trait is imported for its methods (`"x".shout()`).
//! - A type's `impl` blocks may sit in other files (`impl App` in `app/tree.rs`); methods are
//!   called without a path, so a file naming a type (or defining it, or holding an `impl` of
//!   it) depends on every file holding a trait `impl` of it, and on every file whose inherent
//!   `impl` defines a method the file mentions (`x.method()`, `Type::method`: without type
//!   inference, any receiver counts).
//! - `macro_rules!` macros by textual scope (defined earlier in the file or in an enclosing
//!   module before the `mod` leading here, or in a `#[macro_use]` module declared before),
//!   and `#[macro_export]` ones by name, in the crate and in the crates it names.
//!
//! A name the scanner cannot find (made by a macro, say) is taken to be defined in the module
//! it was looked up in: the old module-level answer, never less.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::scan::{FileScan, ItemKind, MacroCall, PathRef};
use super::tree::{ModTree, Unit};

/// A module anywhere: (unit, target, node).
pub(super) type Id = (usize, usize, usize);

/// What a path lands on.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) enum Pos {
    /// A module itself.
    Module(Id),
    /// An item named `String`, defined in module `Id` (or not found there).
    Item(Id, String),
}

/// What a module depends on.
pub(super) struct ModuleDeps {
    /// The modules defining what it names, or what the macros it invokes expand to name.
    pub(super) uses: BTreeSet<Id>,
    /// The modules holding the `macro_rules!` definitions it invokes: it depends on them only
    /// where they change (the macro's text), not on what reaches them.
    pub(super) macro_homes: BTreeSet<Id>,
}

/// What one module holds, read from its file's scan.
#[derive(Default)]
pub(super) struct Info {
    items: HashMap<String, ItemKind>,
    /// Trait name → the methods its body declares (empty: unknown, any).
    trait_methods: HashMap<String, Vec<String>>,
    /// `use` names → indices of their paths in the scan.
    imports: HashMap<String, Vec<usize>>,
    /// Indices of glob `use` paths.
    globs: Vec<usize>,
    /// Indices of every path (use and code).
    pub refs: Vec<usize>,
    /// Indices of `impl` blocks in the scan.
    impls: Vec<usize>,
    /// Macros invoked.
    pub macro_calls: Vec<MacroCall>,
    /// `extern crate` names in scope → package.
    externs: HashMap<String, String>,
}

/// Modules holding an `impl` of one type, with the methods their inherent impls define (None:
/// a trait impl, whose methods are called unseen).
type Holders = BTreeMap<Id, Option<BTreeSet<String>>>;

/// Resolves paths across every unit under analysis. Units are added in dependency order
/// ([`Resolver::add`]): what a module's paths resolve to depends only on its own unit and the
/// units it depends on, so the answers given for the units already added stay true.
#[derive(Default)]
pub(super) struct Resolver {
    /// The units, in the order added.
    pub units: Vec<Unit>,
    by_name: HashMap<String, usize>,
    /// The packages the units added so far name.
    named: HashSet<String>,
    infos: Vec<Vec<Vec<Info>>>,
    /// Per unit, the units it depends on (directly or not) among those added: only their
    /// `impl` blocks can be seen from it.
    sees: Vec<HashSet<usize>>,
    memo: RefCell<HashMap<(Id, String), Vec<Pos>>>,
    /// (module globbed, unit of the importer) → the definers it may bring.
    glob_memo: RefCell<HashMap<(Id, usize), BTreeSet<Id>>>,
    traits_memo: RefCell<HashMap<Id, Vec<TraitInScope>>>,
    /// (definer, type name) → modules holding an `impl` of it, with the methods their
    /// inherent impls define (None: a trait impl, whose methods are called unseen).
    holders: HashMap<(Id, String), Holders>,
    /// Macro name → the `macro_rules!` definitions of that name, per unit.
    macros: Vec<HashMap<String, Vec<MacroAt>>>,
}

/// An `impl` block of a unit being added: (definer and name of the type it extends, the
/// module holding it, whether it implements a trait, the methods it defines).
type ImplFound = ((Id, String), Id, bool, Vec<String>);

/// A trait a glob import brings into scope: where it is, and the methods it declares (empty:
/// unknown, any).
type TraitInScope = (Pos, Vec<String>);

/// How many `use` hops a chain may take before it is taken for a cycle.
const MAX_HOPS: usize = 24;

impl Resolver {
    /// Adds `unit`, whose dependencies among the units to analyse are already added (or
    /// hold nothing the change reaches); returns its index. Its modules' scans are read into
    /// [`Info`]s and its `impl` blocks become holders of the types they extend.
    pub(crate) fn add(&mut self, unit: Unit) -> usize {
        let ui = self.units.len();
        // A unit named by units added before it (a dev-dependency cycle): their cached
        // answers may have missed it.
        if self.named.contains(&unit.name) {
            self.memo.borrow_mut().clear();
            self.glob_memo.borrow_mut().clear();
            self.traits_memo.borrow_mut().clear();
        }
        let mut per_target = Vec::new();
        let mut defs: HashMap<String, Vec<MacroAt>> = HashMap::new();
        for (ti, (_, _, _, t)) in unit.targets.iter().enumerate() {
            let mut per_node = Vec::new();
            for (ni, node) in t.nodes.iter().enumerate() {
                let scan = &t.scans[node.scan].1;
                per_node.push(info_of(scan, &node.inline_scope, &unit.externs, &unit.name));
                for (def, m) in scan
                    .macro_defs
                    .iter()
                    .enumerate()
                    .filter(|(_, m)| m.scope == node.inline_scope)
                {
                    defs.entry(m.name.clone()).or_default().push(MacroAt {
                        module: (ui, ti, ni),
                        def,
                        at: m.at,
                        exported: m.exported,
                    });
                }
            }
            per_target.push(per_node);
        }
        let mut sees = HashSet::new();
        for pkg in unit.externs.values() {
            if let Some(&d) = self.by_name.get(pkg) {
                sees.insert(d);
                sees.extend(self.sees[d].iter().copied());
            }
        }
        self.by_name.insert(unit.name.clone(), ui);
        self.named.extend(unit.externs.values().cloned());
        self.units.push(unit);
        self.infos.push(per_target);
        self.macros.push(defs);
        self.sees.push(sees);
        let mut found: Vec<ImplFound> = Vec::new();
        for id in self.ids_of(ui) {
            for &k in &self.info(id).impls {
                let imp = &self.scan(id).impls[k];
                for pos in self.resolve(id, &imp.self_path, false, 0) {
                    if let Pos::Item(d, name) = pos {
                        found.push(((d, name), id, imp.of_trait, imp.methods.clone()));
                    }
                }
            }
        }
        for (key, id, of_trait, methods) in found {
            let slot = self
                .holders
                .entry(key)
                .or_default()
                .entry(id)
                .or_insert_with(|| Some(BTreeSet::new()));
            match (of_trait, slot.as_mut()) {
                (true, _) => *slot = None,
                (false, Some(m)) => m.extend(methods),
                (false, None) => {}
            }
        }
        ui
    }

    /// The modules of unit `ui`.
    pub(crate) fn ids_of(&self, ui: usize) -> Vec<Id> {
        let mut out = Vec::new();
        for (ti, (_, _, _, t)) in self.units[ui].targets.iter().enumerate() {
            out.extend((0..t.nodes.len()).map(|ni| (ui, ti, ni)));
        }
        out
    }

    /// Every module id.
    pub(crate) fn ids(&self) -> Vec<Id> {
        (0..self.units.len()).flat_map(|u| self.ids_of(u)).collect()
    }

    fn tree(&self, id: Id) -> &ModTree {
        &self.units[id.0].targets[id.1].3
    }

    fn scan(&self, id: Id) -> &FileScan {
        let t = self.tree(id);
        &t.scans[t.nodes[id.2].scan].1
    }

    fn info(&self, id: Id) -> &Info {
        &self.infos[id.0][id.1][id.2]
    }

    fn path(&self, id: Id, k: usize) -> &PathRef {
        &self.scan(id).paths[k]
    }

    fn child(&self, id: Id, name: &str) -> Option<Id> {
        self.tree(id).nodes[id.2]
            .children
            .get(name)
            .map(|c| (id.0, id.1, *c))
    }

    /// True when code of unit `from` can see an `impl` block of unit `holder`: its own, or
    /// one of a crate it depends on.
    fn visible(&self, from: usize, holder: usize) -> bool {
        from == holder || self.sees[from].contains(&holder)
    }

    /// The root of the library of the crate that `name` stands for in module `at`.
    fn extern_root(&self, at: Id, name: &str) -> Option<Id> {
        let pkg = self
            .info(at)
            .externs
            .get(name)
            .or_else(|| self.units[at.0].externs.get(name))?;
        let ui = *self.by_name.get(pkg.as_str())?;
        let ti = self.units[ui]
            .targets
            .iter()
            .position(|(label, _, _, _)| label == "lib")?;
        Some((ui, ti, 0))
    }

    /// Where `segs`, written in module `at`, lands.
    pub(crate) fn resolve(&self, at: Id, segs: &[String], leading: bool, hops: usize) -> Vec<Pos> {
        if hops > MAX_HOPS || segs.is_empty() {
            return Vec::new();
        }
        if leading {
            return match self.extern_root(at, &segs[0]) {
                Some(root) => self.walk(vec![Pos::Module(root)], &segs[1..], hops),
                None => Vec::new(),
            };
        }
        let first = segs[0].as_str();
        let start = match first {
            "crate" => vec![Pos::Module((at.0, at.1, 0))],
            "self" => vec![Pos::Module(at)],
            "Self" => return Vec::new(),
            "super" => {
                let mut n = at.2;
                let mut rest = segs;
                while rest.first().map(String::as_str) == Some("super") {
                    match self.tree(at).nodes[n].parent {
                        Some(p) => n = p,
                        None => return Vec::new(),
                    }
                    rest = &rest[1..];
                }
                return self.walk(vec![Pos::Module((at.0, at.1, n))], rest, hops);
            }
            _ => {
                let found = self.lookup(at, first, hops);
                if !found.is_empty() {
                    self.path_parents(found, segs.len() > 1)
                } else if let Some(root) = self.extern_root(at, first) {
                    vec![Pos::Module(root)]
                } else if let Some(c) = self.child((at.0, at.1, 0), first) {
                    // 2015-edition paths are crate-relative.
                    vec![Pos::Module(c)]
                } else {
                    return Vec::new();
                }
            }
        };
        self.walk(start, &segs[1..], hops)
    }

    /// Follows `rest` from `start`: through modules, stopping at the first item.
    fn walk(&self, start: Vec<Pos>, rest: &[String], hops: usize) -> Vec<Pos> {
        let mut cur = start;
        for (k, s) in rest.iter().enumerate() {
            let mut next = Vec::new();
            for p in cur {
                match p {
                    Pos::Module(m) => {
                        let found = self.lookup(m, s, hops);
                        if found.is_empty() {
                            next.push(Pos::Item(m, s.clone()));
                        } else {
                            next.extend(self.path_parents(found, k + 1 < rest.len()));
                        }
                    }
                    item => next.push(item),
                }
            }
            next.sort();
            next.dedup();
            cur = next;
        }
        cur
    }

    /// What of `found` (the meanings of one name) a path can go on through when `more`
    /// segments follow: a module, a type or trait — not a function, constant or static of
    /// the same name (they live in the value name space: `mod search;` beside
    /// `fn search()`).
    fn path_parents(&self, found: Vec<Pos>, more: bool) -> Vec<Pos> {
        if !more || !found.iter().any(|p| matches!(p, Pos::Module(_))) {
            return found;
        }
        found
            .into_iter()
            .filter(|p| match p {
                Pos::Module(_) => true,
                Pos::Item(d, name) => self.info(*d).items.get(name) != Some(&ItemKind::Other),
            })
            .collect()
    }

    /// What `name` means inside module `m`: its item and its child module (a module and a
    /// function may share a name), the crate an `extern crate … as name` names (`pub`, it
    /// re-exports that crate), what a `use` of that name brings, or what a glob brings. Empty
    /// when none of them has it.
    fn lookup(&self, m: Id, name: &str, hops: usize) -> Vec<Pos> {
        let key = (m, name.to_string());
        if let Some(v) = self.memo.borrow().get(&key) {
            return v.clone();
        }
        // A cycle of imports sees an empty answer.
        self.memo.borrow_mut().insert(key.clone(), Vec::new());
        let info = self.info(m);
        let mut out = Vec::new();
        if info.items.contains_key(name) {
            out.push(Pos::Item(m, name.to_string()));
        }
        if let Some(c) = self.child(m, name) {
            out.push(Pos::Module(c));
        }
        if info.externs.contains_key(name) {
            out.extend(self.extern_root(m, name).map(Pos::Module));
        }
        // A `use` may bring a name into the name space the items above leave free.
        if !out.iter().any(|p| matches!(p, Pos::Module(_))) {
            for &k in info.imports.get(name).into_iter().flatten() {
                let p = self.path(m, k);
                out.extend(self.resolve(m, &p.segs, p.leading, hops + 1));
            }
        }
        if out.is_empty() {
            for &k in &info.globs {
                let p = self.path(m, k);
                for src in self.resolve(m, &p.segs, p.leading, hops + 1) {
                    match src {
                        Pos::Module(x) if x != m => out.extend(self.lookup(x, name, hops + 1)),
                        // `use Enum::*`: its variants.
                        Pos::Item(d, e) if name.starts_with(|c: char| c.is_ascii_uppercase()) => {
                            out.push(Pos::Item(d, e))
                        }
                        _ => {}
                    }
                }
            }
        }
        // `#[macro_export]` macros live at the crate root (`use clap::arg;`, also through a
        // facade's `pub use clap_builder::*;`): the name lands where the macro is defined.
        if out.is_empty() && m.2 == 0 && self.units[m.0].targets[m.1].0 == "lib" {
            let defs = self.macros[m.0].get(name).into_iter().flatten();
            out.extend(
                defs.filter(|d| d.exported)
                    .map(|d| Pos::Item(d.module, name.to_string())),
            );
        }
        out.sort();
        out.dedup();
        self.memo.borrow_mut().insert(key, out.clone());
        out
    }

    /// The modules a position depends on: its definer, and for a type the holders of its
    /// `impl` blocks (of a trait: always; inherent: when the file mentions one of the
    /// methods they define, as `x.method()` or `Type::method`). Without `from`, every holder.
    fn definers(&self, p: &Pos, unit: usize, out: &mut BTreeSet<Id>) {
        self.definers_with(p, unit, None, None, out)
    }

    /// [`Self::definers`] for code of `from`: inherent `impl` holders count when `from`
    /// mentions one of their methods.
    fn definers_from(&self, p: &Pos, unit: usize, from: &FileScan, out: &mut BTreeSet<Id>) {
        self.definers_with(p, unit, Some(from), None, out)
    }

    /// [`Self::definers_from`], where the path also names `method` of the type
    /// (`Type::method`). Only holders code of `unit` can see count.
    fn definers_with(
        &self,
        p: &Pos,
        unit: usize,
        from: Option<&FileScan>,
        method: Option<&str>,
        out: &mut BTreeSet<Id>,
    ) {
        match p {
            Pos::Module(m) => {
                out.insert(*m);
            }
            Pos::Item(d, name) => {
                out.insert(*d);
                if let Some(h) = self.holders.get(&(*d, name.clone())) {
                    for (holder, methods) in h {
                        if !self.visible(unit, holder.0) {
                            continue;
                        }
                        let used = match (methods, from) {
                            (Some(ms), Some(s)) => {
                                method.is_some_and(|m| ms.contains(m))
                                    || ms.iter().any(|m| s.fields.contains(m))
                            }
                            _ => true,
                        };
                        if used {
                            out.insert(*holder);
                        }
                    }
                }
            }
        }
    }

    /// Everything a glob import of module `m` by code of `unit` may bring: the definers of
    /// all it holds.
    fn glob_definers(&self, m: Id, unit: usize) -> BTreeSet<Id> {
        let key = (m, unit);
        if let Some(v) = self.glob_memo.borrow().get(&key) {
            return v.clone();
        }
        self.glob_memo.borrow_mut().insert(key, BTreeSet::new());
        let mut out = BTreeSet::from([m]);
        let info = self.info(m);
        for name in info.items.keys() {
            self.definers(&Pos::Item(m, name.clone()), unit, &mut out);
        }
        for idx in info.imports.values() {
            for &k in idx {
                let p = self.path(m, k);
                for pos in self.resolve(m, &p.segs, p.leading, 0) {
                    if matches!(pos, Pos::Item(..)) {
                        self.definers(&pos, unit, &mut out);
                    }
                }
            }
        }
        for &k in &info.globs {
            let p = self.path(m, k);
            for pos in self.resolve(m, &p.segs, p.leading, 0) {
                match pos {
                    Pos::Module(x) => out.extend(self.glob_definers(x, unit)),
                    item => self.definers(&item, unit, &mut out),
                }
            }
        }
        self.glob_memo.borrow_mut().insert(key, out.clone());
        out
    }

    /// Every trait a glob import of module `m` brings (its own traits, those it imports by
    /// name, and those of its globs), with the methods each declares.
    fn glob_traits(&self, m: Id) -> Vec<TraitInScope> {
        if let Some(v) = self.traits_memo.borrow().get(&m) {
            return v.clone();
        }
        self.traits_memo.borrow_mut().insert(m, Vec::new());
        let mut out = Vec::new();
        let trait_at = |pos: &Pos| match pos {
            Pos::Item(d, name) => self.info(*d).trait_methods.get(name).cloned(),
            Pos::Module(_) => None,
        };
        let info = self.info(m);
        for name in info.trait_methods.keys() {
            let pos = Pos::Item(m, name.clone());
            if let Some(methods) = trait_at(&pos) {
                out.push((pos, methods));
            }
        }
        for idx in info.imports.values() {
            for &k in idx {
                let p = self.path(m, k);
                for pos in self.resolve(m, &p.segs, p.leading, 0) {
                    if let Some(methods) = trait_at(&pos) {
                        out.push((pos, methods));
                    }
                }
            }
        }
        for &k in &info.globs {
            let p = self.path(m, k);
            for pos in self.resolve(m, &p.segs, p.leading, 0) {
                if let Pos::Module(x) = pos {
                    if x != m {
                        out.extend(self.glob_traits(x));
                    }
                }
            }
        }
        self.traits_memo.borrow_mut().insert(m, out.clone());
        out
    }

    /// The modules that path `k` of module `id`'s file, written in `id`, depends on.
    fn path_definers(&self, id: Id, k: usize, out: &mut BTreeSet<Id>) {
        let scan = self.scan(id);
        let p = &scan.paths[k];
        let glob = p.is_use && p.alias.is_none();
        for pos in self.resolve(id, &p.segs, p.leading, 0) {
            match pos {
                // A glob brings in only the names this file mentions.
                Pos::Module(x) if glob && !scan.idents.is_empty() => {
                    // A trait whose method the file calls (or one whose methods are
                    // unknown): extension traits are imported for their methods.
                    for (pos, methods) in self.glob_traits(x) {
                        if methods.is_empty()
                            || methods
                                .iter()
                                .any(|m| scan.fields.contains(m) || scan.idents.contains(m))
                        {
                            self.definers_from(&pos, id.0, scan, out);
                        }
                    }
                    for name in &scan.idents {
                        for pos in self.lookup(x, name, 0) {
                            if matches!(pos, Pos::Item(..)) {
                                self.definers_from(&pos, id.0, scan, out);
                            }
                        }
                    }
                }
                Pos::Module(x) if glob => out.extend(self.glob_definers(x, id.0)),
                Pos::Item(d, name) => {
                    // `Type::method`: the segment after the type names the method.
                    let method = p
                        .segs
                        .iter()
                        .position(|s| *s == name)
                        .and_then(|j| p.segs.get(j + 1))
                        .map(String::as_str);
                    self.definers_with(&Pos::Item(d, name), id.0, Some(scan), method, out)
                }
                pos => self.definers_from(&pos, id.0, scan, out),
            }
        }
    }

    /// The modules module `id` depends on (itself left out), and the modules holding the
    /// `macro_rules!` definitions it invokes.
    pub(super) fn edges(&self, id: Id) -> ModuleDeps {
        let info = self.info(id);
        let scan = self.scan(id);
        let mut out = BTreeSet::new();
        for &k in &info.refs {
            self.path_definers(id, k, &mut out);
        }
        // An `impl` of a type: the type's definer and its other `impl` files (methods on
        // `self` are called without a path).
        for &k in &info.impls {
            for pos in self.resolve(id, &scan.impls[k].self_path, false, 0) {
                self.definers_from(&pos, id.0, scan, &mut out);
            }
        }
        // A type defined here with `impl` blocks elsewhere.
        for (name, kind) in &info.items {
            if *kind == ItemKind::Type {
                self.definers_from(&Pos::Item(id, name.clone()), id.0, scan, &mut out);
            }
        }
        let mut macro_homes = BTreeSet::new();
        let mut seen = HashSet::new();
        let calls: Vec<&MacroCall> = info.macro_calls.iter().collect();
        self.expansions(id, &calls, &mut out, &mut macro_homes, &mut seen);
        out.remove(&id);
        macro_homes.remove(&id);
        ModuleDeps {
            uses: out,
            macro_homes,
        }
    }

    /// What invoking `calls` (made in module `id`) depends on: the definers of the paths in
    /// each invoked macro's body, resolved where the macro is defined (`$crate::Command`),
    /// and of the macros those bodies invoke in turn. `homes` gets the modules holding the
    /// definitions: a change to them changes every expansion.
    fn expansions(
        &self,
        id: Id,
        calls: &[&MacroCall],
        deps: &mut BTreeSet<Id>,
        homes: &mut BTreeSet<Id>,
        seen: &mut HashSet<(Id, usize)>,
    ) {
        for &call in calls {
            let mut defs = BTreeSet::new();
            self.macro_definers(id, call, &mut defs);
            for (home, def) in defs {
                homes.insert(home);
                if !seen.insert((home, def)) {
                    continue;
                }
                let scan = self.scan(home);
                for (k, p) in scan.paths.iter().enumerate() {
                    if p.in_macro == Some(def) {
                        self.path_definers(home, k, deps);
                    }
                }
                let inner: Vec<&MacroCall> = scan
                    .macro_calls
                    .iter()
                    .filter(|c| c.in_macro == Some(def))
                    .collect();
                self.expansions(home, &inner, deps, homes, seen);
            }
        }
    }

    /// The modules defining the `macro_rules!` macro that `call` in module `id` invokes:
    /// an exported one (`#[macro_export]`) of its crate or of a crate it names, by name; a
    /// crate-private one only where textual scope brings it — defined earlier in the file
    /// or in an enclosing module before the `mod` leading here, or in a `#[macro_use]`
    /// module declared before. Std's `write!` is no local `macro_rules! write` of another
    /// file, nor is a test module's macro anyone else's.
    fn macro_definers(&self, id: Id, call: &MacroCall, out: &mut BTreeSet<(Id, usize)>) {
        let mut units = vec![id.0];
        units.extend(
            self.units[id.0]
                .externs
                .values()
                .filter_map(|p| self.by_name.get(p.as_str()).copied()),
        );
        for x in units {
            let defs = self.macros[x].get(&call.name).into_iter().flatten();
            out.extend(defs.filter(|d| d.exported).map(|d| (d.module, d.def)));
        }
        let Some(defs) = self.macros[id.0].get(&call.name) else {
            return;
        };
        if call.qualified {
            return;
        }
        let t = self.tree(id);
        let (mut node, mut pos) = (id.2, call.at);
        loop {
            for d in defs {
                if d.module == (id.0, id.1, node) && d.at < pos {
                    out.insert((d.module, d.def));
                }
            }
            for &c in t.nodes[node].children.values() {
                if t.nodes[c].macro_use && t.nodes[c].decl_at < pos {
                    macro_use_defs(t, (id.0, id.1, c), defs, out);
                }
            }
            match t.nodes[node].parent {
                Some(p) => {
                    pos = t.nodes[node].decl_at;
                    node = p;
                }
                None => break,
            }
        }
    }
}

/// A `macro_rules!` definition: the module holding it, its index in that file's
/// [`FileScan::macro_defs`], its token position in the file, and whether it is exported.
struct MacroAt {
    module: Id,
    def: usize,
    at: usize,
    exported: bool,
}

/// The definitions `defs` in `#[macro_use]` module `m` of `tree` and in its own
/// `#[macro_use]` children: all of them are in scope after its declaration.
fn macro_use_defs(tree: &ModTree, m: Id, defs: &[MacroAt], out: &mut BTreeSet<(Id, usize)>) {
    out.extend(
        defs.iter()
            .filter(|d| d.module == m)
            .map(|d| (d.module, d.def)),
    );
    for &c in tree.nodes[m.2].children.values() {
        if tree.nodes[c].macro_use {
            macro_use_defs(tree, (m.0, m.1, c), defs, out);
        }
    }
}

/// The parts of `scan` in the inline scope `scope` (empty: the file's top module).
fn info_of(
    scan: &FileScan,
    scope: &[String],
    unit_externs: &HashMap<String, String>,
    unit_name: &String,
) -> Info {
    let mut info = Info::default();
    for it in scan.items.iter().filter(|i| i.scope == scope) {
        info.items.insert(it.name.clone(), it.kind);
        if it.kind == ItemKind::Trait {
            info.trait_methods
                .insert(it.name.clone(), it.methods.clone());
        }
    }
    for (k, p) in scan.paths.iter().enumerate() {
        // A macro body's paths are its invokers' references.
        if p.scope != scope || p.in_macro.is_some() {
            continue;
        }
        info.refs.push(k);
        if p.is_use {
            match &p.alias {
                Some(a) if a != "_" => info.imports.entry(a.clone()).or_default().push(k),
                Some(_) => {}
                None => info.globs.push(k),
            }
        }
    }
    info.impls = (0..scan.impls.len())
        .filter(|k| scan.impls[*k].scope == scope)
        .collect();
    info.macro_calls = scan
        .macro_calls
        .iter()
        .filter(|c| c.scope == scope && c.in_macro.is_none())
        .cloned()
        .collect();
    for (s, name, alias) in &scan.externs {
        if s == scope {
            // `extern crate self as name;` names the crate's own library.
            let to = match name.as_str() {
                "self" => Some(unit_name),
                _ => unit_externs.get(name),
            };
            if let Some(to) = to {
                info.externs
                    .insert(alias.clone().unwrap_or_else(|| name.clone()), to.clone());
            }
        }
    }
    info
}
