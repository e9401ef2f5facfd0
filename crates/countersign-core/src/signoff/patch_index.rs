//! Signed commits indexed by their patches, so that finding the earlier versions of a
//! range's commits (rewrite detection, carried approvals and rejects, `feedback`) costs a
//! lookup per commit — linear in the range plus the notes read — never a comparison of each
//! commit of the range with every signed commit.
//!
//! Two levels, cheapest first: the paths a commit's patch touches (one tree diff, no
//! content), then, only inside a group some commit of the range falls in, the patch id (which
//! reads the content). A group's patch ids are computed once, on its first lookup.

use std::collections::{BTreeSet, HashMap};
use std::hash::Hash;

use git2::Oid;

use crate::Result;

/// The paths a patch touches (old and new sides).
pub(crate) type Paths = BTreeSet<Vec<u8>>;

/// Commits with an item each (`T`), grouped by touched paths, each group indexed by patch
/// id (`K`) on its first lookup.
#[derive(Debug)]
pub(crate) struct PatchIndex<K, T> {
    groups: HashMap<Paths, Group<K, T>>,
}

#[derive(Debug)]
struct Group<K, T> {
    items: Vec<(Oid, T)>,
    /// Patch id → positions in `items`, in insertion order; built on the first lookup.
    by_id: Option<HashMap<K, Vec<usize>>>,
}

impl<K, T> Default for PatchIndex<K, T> {
    fn default() -> Self {
        PatchIndex {
            groups: HashMap::new(),
        }
    }
}

impl<K: Hash + Eq + Clone, T> PatchIndex<K, T> {
    /// Adds `commit`, whose patch touches `paths`, with `item`.
    pub(crate) fn insert(&mut self, paths: Paths, commit: Oid, item: T) {
        let group = self.groups.entry(paths).or_insert_with(|| Group {
            items: Vec::new(),
            by_id: None,
        });
        group.items.push((commit, item));
        group.by_id = None;
    }

    /// Whether nothing was added.
    pub(crate) fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// Whether some commit touching exactly `paths` was added (no patch id is computed).
    pub(crate) fn has_paths(&self, paths: &Paths) -> bool {
        self.groups.contains_key(paths)
    }

    /// The commits (with their items, in insertion order) whose patch touches `paths` and
    /// whose patch id is `id`. `patch_id` computes a commit's id (None: it has none, a
    /// merge) for each commit of the group, once, on the group's first lookup.
    pub(crate) fn lookup(
        &mut self,
        paths: &Paths,
        id: &K,
        mut patch_id: impl FnMut(Oid) -> Result<Option<K>>,
    ) -> Result<Vec<&(Oid, T)>> {
        let Some(group) = self.groups.get_mut(paths) else {
            return Ok(Vec::new());
        };
        if group.by_id.is_none() {
            let mut by_id: HashMap<K, Vec<usize>> = HashMap::new();
            for (i, (commit, _)) in group.items.iter().enumerate() {
                if let Some(k) = patch_id(*commit)? {
                    by_id.entry(k).or_default().push(i);
                }
            }
            group.by_id = Some(by_id);
        }
        let hits = group
            .by_id
            .as_ref()
            .and_then(|m| m.get(id))
            .map(Vec::as_slice)
            .unwrap_or_default();
        Ok(hits.iter().map(|&i| &group.items[i]).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oid(n: u8) -> Oid {
        Oid::from_bytes(&[n; 20]).expect("oid")
    }

    #[test]
    fn a_lookup_finds_only_the_same_paths_and_id_and_computes_each_id_once() {
        let mut index: PatchIndex<u32, &str> = PatchIndex::default();
        let a: Paths = [b"src/a.rs".to_vec()].into();
        let b: Paths = [b"src/b.rs".to_vec()].into();
        index.insert(a.clone(), oid(1), "one");
        index.insert(a.clone(), oid(2), "two");
        index.insert(a.clone(), oid(3), "three");
        index.insert(b.clone(), oid(4), "four");
        let ids: HashMap<Oid, u32> = [(oid(1), 7), (oid(2), 8), (oid(3), 7), (oid(4), 7)].into();
        let mut computed = Vec::new();
        let mut id_of = |c: Oid| {
            computed.push(c);
            Ok(ids.get(&c).copied())
        };
        let hits: Vec<&str> = index
            .lookup(&a, &7, &mut id_of)
            .unwrap()
            .into_iter()
            .map(|(_, t)| *t)
            .collect();
        assert_eq!(hits, ["one", "three"]);
        assert!(index.lookup(&a, &9, &mut id_of).unwrap().is_empty());
        assert_eq!(
            computed,
            [oid(1), oid(2), oid(3)],
            "group b untouched, ids once"
        );
        assert!(index.has_paths(&b));
        assert!(!index.has_paths(&Paths::new()));
    }
}
