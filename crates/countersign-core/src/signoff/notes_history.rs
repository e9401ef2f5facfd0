//! Every earlier version of each note that the notes ref's history holds: where a reject
//! someone removed from a note, or a rewrite could carry, is still found.
//!
//! One sign-off is one notes commit, so the history grows by one commit per sign-off and
//! anyone who may push notes can make it long. Reading it must cost what `git log --raw` of
//! the notes ref costs, linear with a small constant: each notes commit's tree is compared
//! with its parents' as git compares them — tree objects read raw from the object database
//! and walked side by side in their sorted order, every subtree whose id did not change
//! skipped unread — and each tree object is read once for the step where it is the newer
//! side and the next where it is the older (the walk goes from child to parent). No blob is
//! read here.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::rc::Rc;

use git2::{ObjectType, Oid, Repository};

use super::notes::NOTES_REF;
use crate::{Error, Result};

/// The largest notes tree object read (a fanned-out notes tree holds 256 entries a level; a
/// flat one 50 bytes a note): a bigger one fails the read rather than the memory.
const MAX_TREE_BYTES: usize = 64 * 1024 * 1024;

/// For each annotated commit (its hex, as the note's path spells it with the fan-out's
/// slashes dropped), the note blobs that a later notes commit of the history reachable from
/// `tip` changed or deleted, each once, in the order met. A shallow notes history is an
/// error: what it cut off could hold a reject.
pub(crate) fn earlier_versions(repo: &Repository, tip: Oid) -> Result<HashMap<String, Vec<Oid>>> {
    let mut walk = repo
        .revwalk()
        .map_err(Error::git("walking the notes history"))?;
    walk.push(tip)
        .map_err(Error::git("walking the notes history"))?;
    let commits = walk
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(Error::git("walking the notes history"))?;
    if let Some(cut) = crate::git::shallow_boundary(repo, &commits)? {
        return Err(Error::Message(format!(
            "the history of {NOTES_REF} is shallow (cut at {}): a reject recorded before the \
             cut would not be seen. Fetch its whole history (git fetch --unshallow, or fetch \
             {NOTES_REF} without --depth)",
            crate::git::short_id(&cut.to_string())
        )));
    }
    let odb = repo
        .odb()
        .map_err(Error::git("opening the object database"))?;
    let mut trees = Trees::new(&odb);
    let mut versions: HashMap<String, Vec<Oid>> = HashMap::new();
    let mut prefix = Vec::new();
    // Like `git log --raw`, this walk does not hash every tree it reads again to check it
    // against its id (a quarter of its time): the objects came from git, which checked them
    // when it received them (index-pack), and nothing of the change has run before the gate.
    let _unverified = crate::git::ReadsWithout::hash_check();
    for id in commits {
        let commit = repo
            .find_commit(id)
            .map_err(Error::git(format!("reading the notes commit {id}")))?;
        let tree = commit.tree_id();
        for parent in commit.parent_ids() {
            let old = repo
                .find_commit(parent)
                .map_err(Error::git(format!("reading the notes commit {parent}")))?
                .tree_id();
            changed_or_deleted(&mut trees, old, Some(tree), &mut prefix, &mut versions)?;
        }
        trees.step();
    }
    Ok(versions)
}

/// Records under `versions` every blob of tree `old` (at path `prefix`) that tree `new` no
/// longer has at the same path with the same id; equal subtrees are skipped unread.
fn changed_or_deleted(
    trees: &mut Trees<'_>,
    old: Oid,
    new: Option<Oid>,
    prefix: &mut Vec<u8>,
    versions: &mut HashMap<String, Vec<Oid>>,
) -> Result<()> {
    if Some(old) == new {
        return Ok(());
    }
    let old_tree = trees.read(old)?;
    let new_tree = new.map(|n| trees.read(n)).transpose()?;
    // The raw bytes, asked of libgit2 once per tree rather than per entry.
    let od = old_tree.raw.data();
    let nd = new_tree.as_ref().map_or(&[][..], |t| t.raw.data());
    let mut gone = |entry: &Entry, now: Option<&Entry>, prefix: &mut Vec<u8>| -> Result<()> {
        if now.is_some_and(|n| id_of(nd, n) == id_of(od, entry)) {
            return Ok(());
        }
        let len = prefix.len();
        prefix.extend_from_slice(&od[entry.name.clone()]);
        let id =
            Oid::from_bytes(id_of(od, entry)).map_err(Error::git("reading a notes tree entry"))?;
        let done = match entry.kind {
            Kind::Tree => {
                let sub = match now {
                    Some(n) if n.kind == Kind::Tree => Some(
                        Oid::from_bytes(id_of(nd, n))
                            .map_err(Error::git("reading a notes tree entry"))?,
                    ),
                    _ => None,
                };
                changed_or_deleted(trees, id, sub, prefix, versions)
            }
            Kind::Blob => {
                let list = versions
                    .entry(String::from_utf8_lossy(prefix).into_owned())
                    .or_default();
                if !list.contains(&id) {
                    list.push(id);
                }
                Ok(())
            }
            Kind::Other => Ok(()),
        };
        prefix.truncate(len);
        done
    };
    let Some(new_tree) = new_tree.as_deref() else {
        for entry in &old_tree.entries {
            gone(entry, None, prefix)?;
        }
        return Ok(());
    };
    // Side by side in git's order, as `git log --raw` walks them; an entry the same byte for
    // byte on both sides (mode, name and id: nearly all of them) is passed over at once. A
    // match needs the same name, so a tree out of order (not written by git) can only make
    // an entry look unmatched: such an entry is looked up by name before it counts as gone.
    let entries = &new_tree.entries;
    let mut by_name: Option<HashMap<&[u8], &Entry>> = None;
    let mut j = 0;
    for entry in &old_tree.entries {
        if let Some(n) = entries.get(j) {
            if od[entry.mode.start..entry.id + 20] == nd[n.mode.start..n.id + 20] {
                j += 1;
                continue;
            }
        }
        let order = |n: &Entry| git_order(nd, n, od, entry);
        while j < entries.len() && order(&entries[j]) == Ordering::Less {
            j += 1;
        }
        let now = match entries.get(j).filter(|n| order(n) == Ordering::Equal) {
            Some(n) => Some(n),
            None => by_name
                .get_or_insert_with(|| entries.iter().map(|e| (&nd[e.name.clone()], e)).collect())
                .get(&od[entry.name.clone()])
                .copied(),
        };
        gone(entry, now, prefix)?;
    }
    Ok(())
}

/// The 20 bytes of `e`'s id in the raw tree `data`.
fn id_of<'d>(data: &'d [u8], e: &Entry) -> &'d [u8] {
    &data[e.id..e.id + 20]
}

/// What a tree entry points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Tree,
    Blob,
    /// A gitlink (a commit): no note.
    Other,
}

/// One entry of a raw tree object, as offsets into it.
#[derive(Debug)]
struct Entry {
    /// Its mode's octal digits.
    mode: std::ops::Range<usize>,
    name: std::ops::Range<usize>,
    /// Where its 20-byte id starts.
    id: usize,
    kind: Kind,
}

/// A raw tree object and its entries, parsed once.
struct Tree<'o> {
    raw: git2::OdbObject<'o>,
    entries: Vec<Entry>,
}

impl<'o> Tree<'o> {
    /// Parses the raw tree object `raw` (`<octal mode> <name>\0<20-byte id>`…), whose id
    /// is `id`. A malformed tree is an error naming it.
    fn parse(raw: git2::OdbObject<'o>, id: Oid) -> Result<Self> {
        let entries = entries(raw.data(), id)?;
        Ok(Tree { raw, entries })
    }
}

/// The entries of the raw tree `raw`, in the order stored.
fn entries(raw: &[u8], id: Oid) -> Result<Vec<Entry>> {
    let bad = || {
        Error::Message(format!(
            "the notes tree {id} in the history of {NOTES_REF} is malformed: its sign-offs \
             cannot be read. Point {NOTES_REF} back at a notes commit you trust (git reflog \
             {NOTES_REF}, or fetch it from a clone you trust)"
        ))
    };
    let mut out = Vec::new();
    let mut at = 0;
    while at < raw.len() {
        let rest = &raw[at..];
        let space = memchr::memchr(b' ', rest).ok_or_else(bad)?;
        let mode = octal(&rest[..space]).ok_or_else(bad)?;
        let nul = memchr::memchr(0, &rest[space + 1..]).ok_or_else(bad)? + space + 1;
        if nul == space + 1 || rest.len() < nul + 21 {
            return Err(bad());
        }
        let kind = match mode & 0o170000 {
            0o040000 => Kind::Tree,
            0o160000 => Kind::Other,
            _ => Kind::Blob,
        };
        out.push(Entry {
            mode: at..at + space,
            name: at + space + 1..at + nul,
            id: at + nul + 1,
            kind,
        });
        at += nul + 21;
    }
    Ok(out)
}

/// An octal number of at most 7 digits (a tree entry's mode).
fn octal(digits: &[u8]) -> Option<u32> {
    if digits.is_empty() || digits.len() > 7 {
        return None;
    }
    digits.iter().try_fold(0u32, |n, d| match d {
        b'0'..=b'7' => Some(n * 8 + u32::from(d - b'0')),
        _ => None,
    })
}

/// Git's order of tree entries (`a` in raw tree `da`, `b` in `db`): by name, a tree's name
/// read as if it ended in `/`.
fn git_order(da: &[u8], a: &Entry, db: &[u8], b: &Entry) -> Ordering {
    let (an, bn) = (&da[a.name.clone()], &db[b.name.clone()]);
    let len = an.len().min(bn.len());
    match an[..len].cmp(&bn[..len]) {
        Ordering::Equal => {}
        other => return other,
    }
    let next = |name: &[u8], kind: Kind| match name.get(len) {
        Some(c) => *c,
        None if kind == Kind::Tree => b'/',
        None => 0,
    };
    next(an, a.kind).cmp(&next(bn, b.kind))
}

/// Trees parsed for this step of the walk and the one before: the tree a notes commit has
/// as the newer side is the older side of the next step.
struct Trees<'o> {
    odb: &'o git2::Odb<'o>,
    now: HashMap<Oid, Rc<Tree<'o>>>,
    before: HashMap<Oid, Rc<Tree<'o>>>,
}

impl<'o> Trees<'o> {
    fn new(odb: &'o git2::Odb<'o>) -> Self {
        Trees {
            odb,
            now: HashMap::new(),
            before: HashMap::new(),
        }
    }

    /// Tree `id`, parsed.
    fn read(&mut self, id: Oid) -> Result<Rc<Tree<'o>>> {
        if let Some(t) = self.now.get(&id) {
            return Ok(t.clone());
        }
        if let Some(t) = self.before.remove(&id) {
            self.now.insert(id, t.clone());
            return Ok(t);
        }
        let read = Error::git(format!("reading the notes tree {id}"));
        let (size, kind) = self.odb.read_header(id).map_err(read)?;
        if kind != ObjectType::Tree || size > MAX_TREE_BYTES {
            return Err(Error::Message(format!(
                "{id} in the history of {NOTES_REF} is {}, not a notes tree countersign reads: \
                 its sign-offs cannot be read. Point {NOTES_REF} back at a notes commit you \
                 trust (git reflog {NOTES_REF}, or fetch it from a clone you trust)",
                if kind == ObjectType::Tree {
                    format!("a tree of {} MiB", size.div_ceil(1024 * 1024))
                } else {
                    format!("a {}", kind.str())
                }
            )));
        }
        let raw = self
            .odb
            .read(id)
            .map_err(Error::git(format!("reading the notes tree {id}")))?;
        let tree = Rc::new(Tree::parse(raw, id)?);
        self.now.insert(id, tree.clone());
        Ok(tree)
    }

    /// The walk moves to the next notes commit: what this step read becomes "before".
    fn step(&mut self) {
        std::mem::swap(&mut self.now, &mut self.before);
        self.now.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_malformed_tree_is_an_error_not_a_panic() {
        for raw in [
            &b"100644 x"[..],
            b"100644 x\0short",
            b"zz x\0",
            b"100644 \0",
        ] {
            assert!(entries(raw, Oid::ZERO_SHA1).is_err(), "{raw:?}");
        }
        let mut ok = b"100644 x\0".to_vec();
        ok.extend_from_slice(&[7; 20]);
        ok.extend_from_slice(b"40000 y\0");
        ok.extend_from_slice(&[8; 20]);
        let parsed = entries(&ok, Oid::ZERO_SHA1).unwrap();
        assert_eq!(parsed.len(), 2);
        assert_eq!(parsed[0].kind, Kind::Blob);
        assert_eq!(&ok[parsed[0].name.clone()], b"x");
        assert_eq!(parsed[1].kind, Kind::Tree);
        assert_eq!(&ok[parsed[1].id..parsed[1].id + 20], &[8; 20]);
    }

    #[test]
    fn an_unchanged_note_in_a_tree_out_of_order_is_not_taken_for_a_removed_one() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let (one, two, three) = (
            repo.blob(b"1").unwrap(),
            repo.blob(b"2").unwrap(),
            repo.blob(b"3").unwrap(),
        );
        let odb = repo.odb().unwrap();
        let raw_tree = |entries: &[(&str, Oid)]| {
            let mut raw = Vec::new();
            for (name, id) in entries {
                raw.extend_from_slice(format!("100644 {name}\0").as_bytes());
                raw.extend_from_slice(id.as_bytes());
            }
            odb.write(ObjectType::Tree, &raw).unwrap()
        };
        // Written by hand, not by git: `b` before `a`.
        let old = raw_tree(&[("b", one), ("a", two)]);
        let new = raw_tree(&[("a", two), ("b", three)]);
        let mut trees = Trees::new(&odb);
        let mut versions = HashMap::new();
        changed_or_deleted(&mut trees, old, Some(new), &mut Vec::new(), &mut versions).unwrap();
        assert_eq!(versions.len(), 1, "{versions:?}");
        assert_eq!(versions["b"], [one]);
    }

    #[test]
    fn trees_are_ordered_as_git_orders_them() {
        // A blob "a" < "a.b" < a tree "a" (read "a/") < "a0", written by git itself.
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let blob = repo.blob(b"x").unwrap();
        let empty = repo.treebuilder(None).unwrap().write().unwrap();
        let mut sub = repo.treebuilder(None).unwrap();
        sub.insert("n", blob, 0o100644).unwrap();
        let sub = sub.write().unwrap();
        let mut b = repo.treebuilder(None).unwrap();
        b.insert("a.b", blob, 0o100644).unwrap();
        b.insert("a", sub, 0o040000).unwrap();
        b.insert("a0", empty, 0o040000).unwrap();
        let id = b.write().unwrap();
        let odb = repo.odb().unwrap();
        let tree = Tree::parse(odb.read(id).unwrap(), id).unwrap();
        let data = tree.raw.data();
        let names: Vec<&[u8]> = tree.entries.iter().map(|e| &data[e.name.clone()]).collect();
        assert_eq!(names, [&b"a.b"[..], b"a", b"a0"]);
        let (a, b, c) = (&tree.entries[0], &tree.entries[1], &tree.entries[2]);
        assert_eq!(git_order(data, a, data, b), Ordering::Less);
        assert_eq!(git_order(data, b, data, c), Ordering::Less);
    }
}
