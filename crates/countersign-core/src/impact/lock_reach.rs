//! Which direct dependencies of each workspace package a `Cargo.lock` change reaches, judged
//! by what the package resolves to — (name, version, source) — not by name.
//!
//! A lock may hold two versions of a crate (clap's held `anstream 0.6.21` for an old registry
//! `clap` and `anstream 1.0.0` for its own `clap_builder`); dropping one changes nothing the
//! packages on the other build. So each package's dependency entries are resolved as cargo
//! resolves them (`"name"` when one package has that name, `"name version"` when several do,
//! `"name version (source)"` when that is not enough; without a source, the path package is
//! meant where one fits), and a direct dependency counts when its locked tree holds an entry
//! that was added or changed (version, source, checksum or its own dependencies), or when the
//! package now resolves it to another entry. Anything that cannot be resolved to exactly one
//! package leaves the judgement to the package names (the caller's wider answer).

use std::collections::{BTreeMap, BTreeSet};

use foldhash::{HashMap, HashSet};

use super::wide::{dep_parts, LockFile, LockedPackage};

/// What a `Cargo.lock` change that could be narrowed reaches at the module level.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LockReach {
    /// Workspace package → the package names of its direct dependencies the change reaches.
    pub exact: BTreeMap<String, BTreeSet<String>>,
    /// The locked packages, by name, that changed or depend on one that did: the wider
    /// answer, for a package the exact judgement does not cover.
    pub by_name: BTreeSet<String>,
    /// Why every package is judged by name (an entry no single package fits), if it is.
    pub why_by_name: Option<String>,
}

impl LockReach {
    /// The package names among `member`'s direct dependencies that the change reaches, and
    /// why they are judged by name alone where they are.
    pub fn of(&self, member: &str) -> (&BTreeSet<String>, Option<String>) {
        if let Some(why) = &self.why_by_name {
            return (&self.by_name, Some(why.clone()));
        }
        match self.exact.get(member) {
            Some(reached) => (reached, None),
            None => (
                &self.by_name,
                Some(format!("`{member}` has no entry in it")),
            ),
        }
    }
}

/// A locked package as cargo identifies it: name, version, source (None for a path package).
type Key<'a> = (&'a str, &'a str, Option<&'a str>);

/// A lock file's packages, each with its dependencies resolved to entries of the same file
/// (kept with the parsed file: see [`LockFile::resolved`]).
#[derive(Debug)]
pub(super) struct Resolution {
    deps: Vec<Vec<usize>>,
    /// The same entries ordered by their keys: a package's identity, compared between two
    /// files without building it again.
    sorted: Vec<Vec<usize>>,
}

fn key(p: &LockedPackage) -> Key<'_> {
    (p.name.as_str(), p.version.as_str(), p.source.as_deref())
}

/// Every dependency entry of `lock` resolved as cargo resolves it, or why one cannot be
/// (worked out once per parsed file).
fn resolved(lock: &LockFile) -> Result<&Resolution, String> {
    lock.resolved
        .get_or_init(|| resolve(lock))
        .as_ref()
        .map_err(String::clone)
}

fn resolve(lock: &LockFile) -> Result<Resolution, String> {
    let mut by_name: HashMap<&str, Vec<usize>> = Default::default();
    for (i, p) in lock.package.iter().enumerate() {
        by_name.entry(p.name.as_str()).or_default().push(i);
    }
    let mut deps = Vec::with_capacity(lock.package.len());
    for p in &lock.package {
        let mut mine = Vec::with_capacity(p.dependencies.len());
        for d in &p.dependencies {
            let (name, version, source) = dep_parts(d);
            let fits: Vec<usize> = by_name
                .get(name)
                .into_iter()
                .flatten()
                .copied()
                .filter(|&i| {
                    let c = &lock.package[i];
                    version.is_none_or(|v| c.version == v)
                        && source.is_none_or(|s| c.source.as_deref() == Some(s))
                })
                .collect();
            // Cargo's rule for an entry written without a source: the path package, when
            // exactly one fits (a path package never has a source to write).
            let path: Vec<usize> = match source {
                None => fits
                    .iter()
                    .copied()
                    .filter(|&i| lock.package[i].source.is_none())
                    .collect(),
                Some(_) => Vec::new(),
            };
            match (fits.as_slice(), path.as_slice()) {
                ([one], _) | (_, [one]) => mine.push(*one),
                _ => {
                    return Err(format!(
                        "the entry `{d}` of `{} {}` fits {} packages",
                        p.name,
                        p.version,
                        fits.len()
                    ))
                }
            }
        }
        deps.push(mine);
    }
    let sorted = deps
        .iter()
        .map(|ds| {
            let mut s = ds.clone();
            s.sort_unstable_by(|&a, &b| key(&lock.package[a]).cmp(&key(&lock.package[b])));
            s
        })
        .collect();
    Ok(Resolution { deps, sorted })
}

/// A package is the same in both files: its checksum and its dependencies as entries (so a
/// lock that starts writing `anstream 1.0.0` where it wrote `anstream`, because a second
/// version arrived, changes nothing).
fn same_identity(
    (old, ro, o): (&LockFile, &Resolution, usize),
    (new, rn, i): (&LockFile, &Resolution, usize),
) -> bool {
    let (a, b) = (&ro.sorted[o], &rn.sorted[i]);
    old.package[o].checksum == new.package[i].checksum
        && a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(&x, &y)| key(&old.package[x]) == key(&new.package[y]))
}

/// For each workspace package (by name) the lock file holds, the package names of its direct
/// dependencies from outside the workspace whose locked tree holds a changed entry, or that it
/// now resolves to another entry; Err(why) when an entry of either side cannot be resolved
/// to exactly one package. A package `is_member` says is the workspace's own: its entry
/// changes with its manifest, and the module graph follows references into it.
pub(super) fn direct_reach(
    old: &LockFile,
    new: &LockFile,
    is_member: impl Fn(&LockedPackage) -> bool,
) -> Result<BTreeMap<String, BTreeSet<String>>, String> {
    let (ro, rn) = (resolved(old)?, resolved(new)?);
    let old_index: HashMap<Key<'_>, usize> = old
        .package
        .iter()
        .enumerate()
        .map(|(i, p)| (key(p), i))
        .collect();
    let changed = |i: usize| {
        !is_member(&new.package[i])
            && old_index
                .get(&key(&new.package[i]))
                .is_none_or(|&o| !same_identity((old, ro, o), (new, rn, i)))
    };
    // Reverse closure of the changed entries over the new file's edges.
    let mut rdeps: Vec<Vec<usize>> = vec![Vec::new(); new.package.len()];
    for (i, ds) in rn.deps.iter().enumerate() {
        for &j in ds {
            rdeps[j].push(i);
        }
    }
    let mut tainted: Vec<bool> = (0..new.package.len()).map(changed).collect();
    let mut stack: Vec<usize> = (0..new.package.len()).filter(|&i| tainted[i]).collect();
    while let Some(i) = stack.pop() {
        for &r in &rdeps[i] {
            if !tainted[r] {
                tainted[r] = true;
                stack.push(r);
            }
        }
    }
    // A workspace package's earlier entry, found by name: a release changes its version.
    let mut old_members: HashMap<&str, HashSet<Key<'_>>> = HashMap::default();
    for (o, p) in old.package.iter().enumerate() {
        if is_member(p) {
            let deps = ro.deps[o].iter().map(|&j| key(&old.package[j]));
            old_members.entry(p.name.as_str()).or_default().extend(deps);
        }
    }
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (i, p) in new.package.iter().enumerate() {
        if !is_member(p) {
            continue;
        }
        let empty = HashSet::default();
        let before = old_members.get(p.name.as_str()).unwrap_or(&empty);
        let now: HashSet<Key<'_>> = rn.deps[i].iter().map(|&j| key(&new.package[j])).collect();
        let reached = out.entry(p.name.clone()).or_default();
        for &j in &rn.deps[i] {
            let d = &new.package[j];
            if !is_member(d) && (tainted[j] || !before.contains(&key(d))) {
                reached.insert(d.name.clone());
            }
        }
        // An entry it no longer resolves to (a dependency the lock moved or dropped).
        for k in before.difference(&now) {
            if !old_index
                .get(k)
                .is_some_and(|&o| is_member(&old.package[o]))
            {
                reached.insert(k.0.to_string());
            }
        }
    }
    Ok(out)
}
