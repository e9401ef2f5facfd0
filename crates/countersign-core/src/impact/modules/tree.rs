//! A target's module tree: from its root file, every `mod` declaration resolved to a file the
//! way rustc does it — `name.rs` or `name/mod.rs` beside a `mod.rs`-style file (or in the
//! directory named after a non-`mod.rs` file), `#[path]` relative to the declaring file's
//! directory (or the inline module's directory), inline `mod name { … }` bodies.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::scan::{scan, FileScan, ModDecl, ScanError};
use crate::git::ListFiles;
use crate::impact::relpath::{join, normalize};
use crate::impact::targets::TargetKind;

/// One crate under analysis.
pub(super) struct Unit {
    pub name: String,
    pub dir: String,
    pub changed: bool,
    /// (label like `lib` or `bin server`, module prefix, kind, tree).
    pub targets: Vec<(String, String, TargetKind, ModTree)>,
    /// Names code uses for other workspace crates (and its own library) → package name.
    pub externs: HashMap<String, String>,
    /// Why the whole crate counts, if it does.
    pub whole: Option<String>,
    /// Modules that count as changed though their file did not change (they read a changed
    /// data file, use a changed package, read the package's metadata), with why.
    pub extra_seeds: BTreeMap<(usize, usize), String>,
}

/// One module.
#[derive(Clone, Debug)]
pub(crate) struct Node {
    /// Segments below the target's root (empty for the root).
    pub path: Vec<String>,
    /// The file it lives in (an inline module lives in its parent's file).
    pub file: String,
    /// Its child modules by name.
    pub children: BTreeMap<String, usize>,
    /// Its parent (None for the root).
    pub parent: Option<usize>,
    /// Where its `mod x;` children are looked for.
    child_dir: String,
    /// Index of its file's scan in [`ModTree::scans`].
    pub scan: usize,
    /// Inline modules of the file enclosing it (empty for a file's top module).
    pub inline_scope: Vec<String>,
    /// Token position of its `mod` declaration in its parent's file (0 for the root).
    pub decl_at: usize,
    /// Declared `#[macro_use]`: its macros stay in scope in its parent after it.
    pub macro_use: bool,
}

/// The modules of one target.
#[derive(Clone, Debug, Default)]
pub(crate) struct ModTree {
    /// Node 0 is the root.
    pub nodes: Vec<Node>,
    /// Every file read, with its scan.
    pub scans: Vec<(String, FileScan)>,
    /// Pairs of nodes that are one module declared twice with different files (under
    /// different `#[cfg]`s, as `#[cfg(unix)] #[path = "unix.rs"] mod sys;` and its Windows
    /// twin): a path to one may mean the other.
    pub twins: Vec<(usize, usize)>,
}

/// How deep modules may nest before a `#[path]` cycle is assumed.
const MAX_DEPTH: usize = 64;

/// Caches directory listings of one tree.
pub(crate) struct Listing<'t, T: ListFiles> {
    tree: &'t T,
    files: HashMap<String, HashSet<String>>,
    /// Files read and scanned ahead ([`Listing::prescan`]), by path.
    scanned: HashMap<String, Result<FileScan, ScanError>>,
}

impl<'t, T: ListFiles> Listing<'t, T> {
    /// A cache over `tree`.
    pub(crate) fn new(tree: &'t T) -> Self {
        Listing {
            tree,
            files: HashMap::new(),
            scanned: HashMap::new(),
        }
    }

    /// The tree the listing reads.
    pub(crate) fn tree(&self) -> &'t T {
        self.tree
    }

    /// Reads and scans every `.rs` file below the directories `dirs` ahead, on several
    /// threads where the tree allows: [`build`] then takes the scans instead of reading the
    /// files one by one. The root directory is not read ahead (it holds every other crate).
    pub(crate) fn prescan(&mut self, dirs: &[&str]) {
        let dirs: Vec<&str> = dirs.iter().copied().filter(|d| !d.is_empty()).collect();
        if dirs.is_empty() {
            return;
        }
        let done = self
            .tree
            .map_files_under(&dirs, ".rs", &|bytes: &[u8]| scan_bytes(bytes));
        self.scanned.extend(done);
    }

    /// The scans read ahead and not yet taken, for the caller to drop where it likes.
    pub(crate) fn take_scans(&mut self) -> HashMap<String, Result<FileScan, ScanError>> {
        std::mem::take(&mut self.scanned)
    }

    fn exists(&mut self, path: &str) -> bool {
        let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
        let tree = self.tree;
        self.files
            .entry(dir.to_string())
            .or_insert_with(|| tree.files(dir).into_iter().collect())
            .contains(name)
    }
}

/// A file's scan from its bytes (invalid UTF-8 replaced).
fn scan_bytes(bytes: &[u8]) -> Result<FileScan, ScanError> {
    // Validating is cheaper than the lossy conversion, which is only for invalid files.
    match std::str::from_utf8(bytes) {
        Ok(text) => scan(text),
        Err(_) => scan(&String::from_utf8_lossy(bytes)),
    }
}

fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

/// Builds the module tree of the target whose root file is `root`. The error is a sentence
/// saying why the tree cannot be trusted (a file that does not scan, a missing or ambiguous
/// module file), for the whole-crate fallback.
pub(crate) fn build<T: ListFiles>(
    root: &str,
    pkg_dir: &str,
    listing: &mut Listing<'_, T>,
) -> Result<ModTree, String> {
    let mut t = ModTree::default();
    t.nodes.push(Node {
        path: Vec::new(),
        file: root.to_string(),
        children: BTreeMap::new(),
        parent: None,
        child_dir: dir_of(root).to_string(),
        scan: 0,
        inline_scope: Vec::new(),
        decl_at: 0,
        macro_use: false,
    });
    let mut queue = vec![0usize];
    while let Some(file_node) = queue.pop() {
        let file = t.nodes[file_node].file.clone();
        if t.nodes[file_node].path.len() > MAX_DEPTH {
            return Err(format!(
                "`{file}` nests modules deeper than {MAX_DEPTH} (a #[path] cycle?)"
            ));
        }
        // Taken, not copied: a second target using the same file reads it again.
        let scanned = match listing.scanned.remove(&file) {
            Some(done) => done,
            None => {
                let bytes = listing
                    .tree
                    .read(&file)
                    .map_err(|e| format!("`{file}` cannot be read: {e}"))?
                    .ok_or_else(|| format!("`{file}` does not exist"))?;
                scan_bytes(&bytes)
            }
        };
        let mut scanned = scanned
            .map_err(|e| format!("`{file}` does not parse (line {}: {})", e.line, e.what))?;
        // `include!("x.rs")` pastes code in: its paths and items are the includer's.
        for (scope, lit) in scanned.includes.clone() {
            let included = normalize(dir_of(&file), &lit)
                .and_then(|p| listing.tree.read(&p).ok().flatten())
                .and_then(|b| scan(&String::from_utf8_lossy(&b)).ok());
            match included {
                Some(s) => scanned.absorb(s, &scope),
                None => {
                    // Unreadable: like an `include!` of a computed path.
                    scanned.include_line.get_or_insert(0);
                }
            }
        }
        let scan_idx = t.scans.len();
        t.nodes[file_node].scan = scan_idx;
        for decl in &scanned.mods {
            // The node of the inline scope the declaration sits in.
            let mut at = file_node;
            for name in &decl.scope {
                match t.nodes[at].children.get(name) {
                    Some(c) => at = *c,
                    None => return Err(format!("`{file}`: inline module `{name}` not found")),
                }
            }
            let parent = &t.nodes[at];
            let mut path = parent.path.clone();
            path.push(decl.name.clone());
            let (node_file, child_dir, inline_scope) = place(decl, parent, &file, listing)?;
            // The same module declared again (under another #[cfg]): the same file is the
            // same node; another file is its twin.
            let twin = t.nodes[at].children.get(&decl.name).copied();
            if let Some(first) = twin {
                if t.nodes[first].file == node_file && t.nodes[first].inline_scope == inline_scope {
                    continue;
                }
            }
            let id = t.nodes.len();
            if let Some(first) = twin {
                t.twins.push((first, id));
            }
            t.nodes.push(Node {
                path,
                file: node_file,
                children: BTreeMap::new(),
                parent: Some(at),
                child_dir,
                scan: scan_idx,
                inline_scope,
                decl_at: decl.at,
                macro_use: decl.macro_use,
            });
            t.nodes[at].children.entry(decl.name.clone()).or_insert(id);
            if !decl.inline {
                queue.push(id);
            }
        }
        macro_modules(
            &mut t, file_node, &scanned, pkg_dir, scan_idx, listing, &mut queue,
        );
        t.scans.push((file, scanned));
    }
    Ok(t)
}

/// Where the module `decl` (declared in `file`, inside the node `parent`) lives: its file,
/// the directory its own `mod x;` children are looked for in, and its inline scope in that
/// file (empty for a module with a file of its own).
fn place<T: ListFiles>(
    decl: &ModDecl,
    parent: &Node,
    file: &str,
    listing: &mut Listing<'_, T>,
) -> Result<(String, String, Vec<String>), String> {
    let base_dir = if decl.scope.is_empty() {
        dir_of(file).to_string()
    } else {
        parent.child_dir.clone()
    };
    let default_dir = join(&parent.child_dir, &decl.name);
    if decl.inline {
        let dir = match &decl.path_attr {
            Some(p) => normalize(&base_dir, p).unwrap_or(default_dir),
            None => default_dir,
        };
        let mut scope = decl.scope.clone();
        scope.push(decl.name.clone());
        return Ok((file.to_string(), dir, scope));
    }
    if let Some(p) = &decl.path_attr {
        let f = normalize(&base_dir, p)
            .ok_or_else(|| format!("`{file}`: #[path = \"{p}\"] leaves the repository"))?;
        let d = dir_of(&f).to_string();
        return Ok((f, d, Vec::new()));
    }
    let flat = format!("{default_dir}.rs");
    let nested = join(&default_dir, "mod.rs");
    match (listing.exists(&flat), listing.exists(&nested)) {
        (true, false) => Ok((flat, default_dir, Vec::new())),
        (false, true) => Ok((nested, default_dir, Vec::new())),
        (true, true) => Err(format!(
            "module `{}` in `{file}` is both `{flat}` and `{nested}`",
            decl.name
        )),
        (false, false) => Err(format!(
            "module `{}` declared in `{file}` has no file (neither `{flat}` nor `{nested}`)",
            decl.name
        )),
    }
}

/// Modules a macro declares from a directory, as `automod::dir!("tests/testsuite")` does: a
/// string a macro of `scanned` (the file of node `at`) is given that names a directory of
/// the package holding `.rs` files makes each of them (not already a module of the tree) a
/// child module of `at`, named after the file.
fn macro_modules<T: ListFiles>(
    t: &mut ModTree,
    at: usize,
    scanned: &FileScan,
    pkg_dir: &str,
    scan_idx: usize,
    listing: &mut Listing<'_, T>,
    queue: &mut Vec<usize>,
) {
    for lit in &scanned.macro_strings {
        let Some(dir) = normalize(pkg_dir, lit.trim_end_matches('/')) else {
            continue;
        };
        let names = listing.tree.files(&dir);
        for name in names.iter().filter_map(|n| n.strip_suffix(".rs")) {
            let file = join(&dir, &format!("{name}.rs"));
            let is_ident = !name.is_empty()
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !name.starts_with(|c: char| c.is_ascii_digit());
            if !is_ident
                || t.nodes.iter().any(|n| n.file == file)
                || t.nodes[at].children.contains_key(name)
            {
                continue;
            }
            let id = t.nodes.len();
            let mut path = t.nodes[at].path.clone();
            path.push(name.to_string());
            t.nodes.push(Node {
                path,
                file,
                children: BTreeMap::new(),
                parent: Some(at),
                child_dir: join(&dir, name),
                scan: scan_idx,
                inline_scope: Vec::new(),
                decl_at: 0,
                macro_use: false,
            });
            t.nodes[at].children.insert(name.to_string(), id);
            queue.push(id);
        }
    }
}
