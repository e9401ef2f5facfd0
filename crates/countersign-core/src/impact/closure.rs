//! The crate-level reverse closure: from the seeds (changed crates), every member that
//! depends on them through normal or build dependencies, transitively, breadth first (so
//! each crate gets its shortest distance and one shortest chain); then every member that
//! dev-depends on a crate of that set, which is affected (its tests, benches, examples) but
//! does not propagate further.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use super::deps::DepKind;
use super::workspace::Edge;

/// A seed of the closure: a crate affected directly by the change.
#[derive(Clone, Debug)]
pub(crate) struct Seed {
    /// Package name.
    pub name: String,
    /// Its distance (0 for a changed crate).
    pub distance: usize,
    /// The chain that reaches it (ends with `name`).
    pub via: Vec<String>,
}

/// A crate the closure reached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Reached {
    /// Package name.
    pub name: String,
    /// Dependency hops from the nearest seed chain's start.
    pub distance: usize,
    /// Crate names from a changed crate to this one, both included.
    pub via: Vec<String>,
    /// The kind of the last hop (None for a seed).
    pub edge: Option<DepKind>,
    /// Reached only through a dev-dependency: its tests, benches and examples are affected,
    /// and it does not propagate.
    pub dev_only: bool,
}

/// The closure of `seeds` over `edges`, sorted by distance, then name.
pub(crate) fn reverse_closure(edges: &[Edge], seeds: &[Seed]) -> Vec<Reached> {
    // Reverse adjacency, deterministic: to → [(from, kind)] sorted.
    let mut rdeps: BTreeMap<&str, BTreeSet<(&str, DepKind)>> = BTreeMap::new();
    for e in edges {
        rdeps
            .entry(e.to.as_str())
            .or_default()
            .insert((e.from.as_str(), e.kind));
    }
    let mut reached: BTreeMap<String, Reached> = BTreeMap::new();
    let mut seeds: Vec<&Seed> = seeds.iter().collect();
    seeds.sort_by(|a, b| (a.distance, &a.name).cmp(&(b.distance, &b.name)));
    // Breadth first over propagating edges; seeds enter the queue in distance order.
    let mut queue: VecDeque<String> = VecDeque::new();
    let mut pending = seeds.into_iter().peekable();
    loop {
        // Admit every seed no farther than the queue's head (or, when the queue is empty,
        // the nearest pending seeds).
        let limit = queue
            .front()
            .and_then(|n| reached.get(n))
            .map(|r| r.distance)
            .or_else(|| pending.peek().map(|s| s.distance));
        while let Some(s) = pending.next_if(|s| limit.is_some_and(|d| s.distance <= d)) {
            if reached.contains_key(&s.name) {
                continue;
            }
            reached.insert(
                s.name.clone(),
                Reached {
                    name: s.name.clone(),
                    distance: s.distance,
                    via: s.via.clone(),
                    edge: None,
                    dev_only: false,
                },
            );
            queue.push_back(s.name.clone());
        }
        let Some(name) = queue.pop_front() else {
            break;
        };
        let (distance, via) = match reached.get(&name) {
            Some(r) => (r.distance, r.via.clone()),
            None => continue,
        };
        for &(from, kind) in rdeps.get(name.as_str()).into_iter().flatten() {
            if kind == DepKind::Dev || reached.contains_key(from) {
                continue;
            }
            let mut chain = via.clone();
            chain.push(from.to_string());
            reached.insert(
                from.to_string(),
                Reached {
                    name: from.to_string(),
                    distance: distance + 1,
                    via: chain,
                    edge: Some(kind),
                    dev_only: false,
                },
            );
            queue.push_back(from.to_string());
        }
    }
    // Dev-dependents of the propagating set: affected, not propagating.
    let mut dev: BTreeMap<String, Reached> = BTreeMap::new();
    for r in reached.values() {
        for &(from, kind) in rdeps.get(r.name.as_str()).into_iter().flatten() {
            if kind != DepKind::Dev || reached.contains_key(from) {
                continue;
            }
            let better = dev.get(from).is_none_or(|d| r.distance + 1 < d.distance);
            if better {
                let mut chain = r.via.clone();
                chain.push(from.to_string());
                dev.insert(
                    from.to_string(),
                    Reached {
                        name: from.to_string(),
                        distance: r.distance + 1,
                        via: chain,
                        edge: Some(DepKind::Dev),
                        dev_only: true,
                    },
                );
            }
        }
    }
    let mut all: Vec<Reached> = reached.into_values().chain(dev.into_values()).collect();
    all.sort_by(|a, b| (a.distance, &a.name).cmp(&(b.distance, &b.name)));
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge(from: &str, to: &str, kind: DepKind) -> Edge {
        Edge {
            from: from.into(),
            to: to.into(),
            kind,
            target: None,
            extern_name: to.replace('-', "_"),
        }
    }

    fn seed(name: &str) -> Seed {
        Seed {
            name: name.into(),
            distance: 0,
            via: vec![name.into()],
        }
    }

    #[test]
    fn transitive_with_shortest_chain() {
        let edges = [
            edge("auth", "core", DepKind::Normal),
            edge("billing", "auth", DepKind::Normal),
            edge("billing", "core", DepKind::Build),
            edge("app", "billing", DepKind::Normal),
            edge("other", "app", DepKind::Dev),
        ];
        let r = reverse_closure(&edges, &[seed("core")]);
        let get = |n: &str| r.iter().find(|x| x.name == n).cloned();
        assert_eq!(get("billing").map(|b| b.distance), Some(1));
        assert_eq!(
            get("app").map(|b| b.via),
            Some(vec!["core".into(), "billing".into(), "app".into()])
        );
        let other = get("other").expect("dev-dependent is affected");
        assert!(other.dev_only);
        assert_eq!(other.distance, 3);
    }

    #[test]
    fn dev_dependency_does_not_propagate_and_cycles_end() {
        let edges = [
            edge("qa", "core", DepKind::Dev),
            edge("core", "qa", DepKind::Normal),
            edge("top", "qa", DepKind::Normal),
            edge("tests-of-top", "core", DepKind::Dev),
        ];
        // core is changed; qa dev-depends on core but core depends on qa normally.
        let r = reverse_closure(&edges, &[seed("core")]);
        let names: Vec<&str> = r.iter().map(|x| x.name.as_str()).collect();
        assert_eq!(names, ["core", "qa", "tests-of-top"]);
        assert!(r.iter().all(|x| x.name != "top"));
    }

    #[test]
    fn farther_seeds_do_not_override_nearer_paths() {
        let edges = [edge("b", "a", DepKind::Normal)];
        let seeds = [
            seed("a"),
            Seed {
                name: "b".into(),
                distance: 3,
                via: vec!["x".into(), "b".into()],
            },
        ];
        let r = reverse_closure(&edges, &seeds);
        assert_eq!(r[1].distance, 1);
    }
}
