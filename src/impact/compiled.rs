//! Files a crate compiles from outside its own directory: `include!`, `include_str!`,
//! `include_bytes!` and `#[path = "…"]` literals, `cargo:rerun-if-changed` inputs of a
//! `build.rs`, and symlinks inside the crate that point elsewhere in the tree.
//!
//! A file's tier is the highest tier of every crate that compiles it (DESIGN.md, "A file's
//! tier"): `docs/rates.rs` pulled into a prohibited crate by `#[path]` is prohibited, though
//! it sits under an autonomous path. The scan is a scanner (no compiler): it reads string
//! literals after those markers in linear time and resolves them the way rustc and Cargo do
//! (relative to the including file's directory; `#[path]` also relative to the module's own
//! directory; build inputs relative to the crate), keeping every reading — a spurious entry
//! only makes a tier stricter.

use std::collections::{BTreeMap, BTreeSet};

use super::relpath::normalize;
use super::workspace::Workspace;
use crate::git::GitPath;
use crate::Result;

/// A mode git gives symbolic links.
const SYMLINK_MODE: u32 = 0o120000;

/// True for a symbolic link's tree-entry mode, canonical or not: git checks out any mode
/// whose type bits say "link" (`120777` too) as a symlink, so every such entry is one here.
pub fn is_symlink_mode(mode: u32) -> bool {
    mode & 0o170000 == SYMLINK_MODE
}
/// Source files larger than this are not scanned (the crate counts whole elsewhere).
const MAX_SCANNED: usize = 8 * 1024 * 1024;

/// Which crates compile which outside files (paths, or directories a symlink points at).
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Inclusions {
    /// Path (file or directory) → (crate, how) pairs.
    by_path: BTreeMap<String, BTreeSet<(String, String)>>,
}

impl Inclusions {
    /// The crates that compile `path` from outside their own directory, each with how
    /// (`include_str! in crates/billing/src/lib.rs`).
    pub fn crates_compiling(&self, path: &GitPath) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        if self.by_path.is_empty() {
            return out;
        }
        // The recorded paths that hold `path`, in the map's order: a lookup per ancestor
        // rather than a comparison per recorded path.
        let mut holding: Vec<(&String, &BTreeSet<(String, String)>)> =
            super::workspace::ancestors_or_self(path.as_bytes())
                .filter_map(|dir| std::str::from_utf8(dir).ok())
                .filter_map(|dir| self.by_path.get_key_value(dir))
                .collect();
        holding.sort_by(|a, b| a.0.cmp(b.0));
        holding.dedup_by(|a, b| a.0 == b.0);
        for w in holding.into_iter().flat_map(|(_, who)| who) {
            if !out.contains(w) {
                out.push(w.clone());
            }
        }
        out
    }

    /// True when nothing is compiled from outside a crate.
    pub fn is_empty(&self) -> bool {
        self.by_path.is_empty()
    }

    /// Adds everything `other` records.
    pub fn extend(&mut self, other: Inclusions) {
        for (p, who) in other.by_path {
            self.by_path.entry(p).or_default().extend(who);
        }
    }

    fn add(&mut self, path: String, krate: &str, how: String) {
        self.by_path
            .entry(path)
            .or_default()
            .insert((krate.to_string(), how));
    }
}

/// Bumped whenever what the scan finds changes, so that cached scans are not reused.
const CACHE_VERSION: u32 = 1;
/// A cached scan larger than this is ignored (and made again).
const MAX_CACHE: u64 = 64 * 1024 * 1024;

/// [`scan_tree`], remembered in the repository's git directory per tree
/// (`countersign/inclusions-v1-TREE.json`): a tree's scan never changes, and reading every
/// source file of a large workspace is the costly part. Any problem reading or writing it
/// just means scanning again. For exploring only (`impact`, the workstation): code that runs
/// in a checkout (a build script of the change) can write its git directory, so the gate and
/// signing never read this cache.
pub fn scan_tree_cached(
    repo: &git2::Repository,
    commit: git2::Oid,
    ws: &Workspace,
) -> Result<Inclusions> {
    let tree = repo
        .find_commit(commit)
        .map(|c| c.tree_id())
        .map_err(crate::Error::git(format!("reading commit {commit}")))?;
    let dir = repo.path().join("countersign");
    let path = dir.join(format!("inclusions-v{CACHE_VERSION}-{tree}.json"));
    let cached = std::fs::symlink_metadata(&path)
        .ok()
        .filter(|m| m.is_file() && m.len() <= MAX_CACHE)
        .and_then(|_| std::fs::read(&path).ok())
        .and_then(|bytes| serde_json::from_slice::<Inclusions>(&bytes).ok());
    if let Some(found) = cached {
        return Ok(found);
    }
    let found = scan_tree(repo, commit, ws)?;
    if let Ok(json) = serde_json::to_vec(&found) {
        let _ = std::fs::create_dir_all(&dir);
        if let Ok(mut tmp) = tempfile::NamedTempFile::new_in(&dir) {
            use std::io::Write;
            if tmp.write_all(&json).is_ok() {
                let _ = tmp.persist(&path);
            }
        }
    }
    Ok(found)
}

/// Scans every `.rs` file and symlink inside the members of `ws` in the tree of `commit`.
pub fn scan_tree(repo: &git2::Repository, commit: git2::Oid, ws: &Workspace) -> Result<Inclusions> {
    let tree = repo
        .find_commit(commit)
        .and_then(|c| c.tree())
        .map_err(crate::Error::git(format!("reading the tree of {commit}")))?;
    let mut entries: Vec<(String, git2::Oid, u32)> = Vec::new();
    tree.walk(git2::TreeWalkMode::PreOrder, |dir, e| {
        if e.kind() == Some(git2::ObjectType::Blob) {
            let name = String::from_utf8_lossy(e.name_bytes());
            let path = format!("{dir}{name}");
            let mode = e.filemode() as u32;
            if path.ends_with(".rs") || is_symlink_mode(mode) {
                entries.push((path, e.id(), mode));
            }
        }
        git2::TreeWalkResult::Ok
    })
    .map_err(crate::Error::git(format!("reading the tree of {commit}")))?;
    scan_entries(repo, ws, &entries)
}

/// Scans the given files (path, blob id, mode) as they are in one revision whose workspace
/// is `ws`: for a change, its new `.rs` files and symlinks.
pub fn scan_entries(
    repo: &git2::Repository,
    ws: &Workspace,
    entries: &[(String, git2::Oid, u32)],
) -> Result<Inclusions> {
    let mut found = Inclusions::default();
    // The blobs are read and scanned on the machine's cores; what they name is placed below.
    let wanted: Vec<(usize, git2::Oid)> = entries
        .iter()
        .enumerate()
        .filter(|(_, (path, _, _))| ws.member_of(&GitPath::from(path.as_str())).is_some())
        .map(|(i, (_, id, _))| (i, *id))
        .collect();
    let read = crate::git::map_blobs(repo, &wanted, &|i: &usize, content: &[u8]| {
        if content.len() > MAX_SCANNED {
            return None;
        }
        let text = String::from_utf8_lossy(content);
        Some(match entries.get(*i) {
            Some((_, _, mode)) if is_symlink_mode(*mode) => Named::Target(text.trim().to_string()),
            _ => Named::Literals(literals(&text)),
        })
    });
    for (i, named) in read {
        let (Some(named), Some((path, _, _))) = (named, entries.get(i)) else {
            continue;
        };
        let Some(member) = ws.member_of(&GitPath::from(path.as_str())) else {
            continue;
        };
        let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
        let literals = match named {
            Named::Target(target) => {
                if let Some(t) = normalize(dir, &target) {
                    if !GitPath::from(t.as_str()).starts_with_dir(&member.dir)
                        || member.dir.is_empty()
                    {
                        found.add(t, &member.name, format!("symlink {path}"));
                    }
                }
                continue;
            }
            Named::Literals(l) => l,
        };
        let is_build = Some(path.as_str()) == build_script(member).as_deref();
        for (marker, literal) in literals {
            let mut bases = vec![dir.to_string()];
            match marker {
                Marker::Path => {
                    // `#[path]` in a non-mod.rs file is relative to the module's own directory.
                    if let Some(stem) = path.strip_suffix(".rs") {
                        bases.push(stem.to_string());
                    }
                }
                Marker::ManifestDir | Marker::RerunIfChanged => bases = vec![member.dir.clone()],
                Marker::Include => {}
            }
            if marker == Marker::RerunIfChanged && !is_build {
                continue;
            }
            for base in bases {
                let Some(target) = normalize(&base, literal.trim_start_matches('/')) else {
                    continue;
                };
                let inside = !member.dir.is_empty()
                    && GitPath::from(target.as_str()).starts_with_dir(&member.dir);
                if !inside || member.dir.is_empty() {
                    found.add(target, &member.name, format!("{} in {path}", marker.name()));
                }
            }
        }
    }
    Ok(found)
}

/// The crate's build script path: `[package] build = "…"` when named, else `build.rs`
/// (also when `build = false`: a file named so is read conservatively as one).
fn build_script(member: &super::workspace::Member) -> Option<String> {
    match &member.declared.build {
        Some(super::manifest::RawBuild::Path(p)) => normalize(&member.dir, p),
        _ => Some(super::relpath::join(&member.dir, "build.rs")),
    }
}

/// What one file names: a symlink's target, or a source file's marked literals.
enum Named {
    Target(String),
    Literals(Vec<(Marker, String)>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Marker {
    /// `include!`, `include_str!`, `include_bytes!` with a plain literal.
    Include,
    /// The same with `concat!(env!("CARGO_MANIFEST_DIR"), "…")`.
    ManifestDir,
    /// `#[path = "…"]`.
    Path,
    /// `cargo:rerun-if-changed=…` in a build script.
    RerunIfChanged,
}

impl Marker {
    fn name(self) -> &'static str {
        match self {
            Marker::Include | Marker::ManifestDir => "include!",
            Marker::Path => "#[path]",
            Marker::RerunIfChanged => "rerun-if-changed",
        }
    }
}

/// Every (marker, string literal) the text holds, in one pass.
fn literals(text: &str) -> Vec<(Marker, String)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let rest = &text[i..];
        if rest.starts_with("include") {
            let mut j = i + "include".len();
            for suffix in ["_str", "_bytes"] {
                if text[j..].starts_with(suffix) {
                    j += suffix.len();
                }
            }
            let after = skip_ws(text, j);
            if text[after..].starts_with('!') {
                let open = skip_ws(text, after + 1);
                if text[open..].starts_with('(') {
                    let arg = skip_ws(text, open + 1);
                    if text[arg..].starts_with("concat!") {
                        let manifest = text[arg..].find("CARGO_MANIFEST_DIR");
                        if let Some(m) = manifest.filter(|m| *m < 80) {
                            let from = arg + m + "CARGO_MANIFEST_DIR".len() + 1;
                            if let Some((lit, _)) = next_literal(text, from, 40) {
                                out.push((Marker::ManifestDir, lit));
                            }
                        }
                    } else if let Some((lit, end)) = string_at(text, arg) {
                        out.push((Marker::Include, lit));
                        i = end;
                        continue;
                    }
                }
            }
            i = j;
            continue;
        }
        if rest.starts_with("#[path") || rest.starts_with("#![path") {
            let eq = skip_ws(text, i + rest.find("path").unwrap_or(0) + 4);
            if text[eq..].starts_with('=') {
                if let Some((lit, end)) = string_at(text, skip_ws(text, eq + 1)) {
                    out.push((Marker::Path, lit));
                    i = end;
                    continue;
                }
            }
            i += 2;
            continue;
        }
        if rest.starts_with("rerun-if-changed=") {
            let from = i + "rerun-if-changed=".len();
            let end = text[from..]
                .find(['"', '\n', '{', '\\'])
                .map_or(text.len(), |e| from + e);
            let lit = &text[from..end];
            if !lit.is_empty() {
                out.push((Marker::RerunIfChanged, lit.to_string()));
            }
            i = end;
            continue;
        }
        // Every marker starts with `i`, `#` or `r`: jump to the next of those bytes (ASCII,
        // so always at a character boundary) instead of testing every position.
        i = memchr::memchr3(b'i', b'#', b'r', &bytes[i + 1..]).map_or(bytes.len(), |n| i + 1 + n);
    }
    out
}

fn skip_ws(text: &str, mut i: usize) -> usize {
    let b = text.as_bytes();
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// The string literal starting at `i` (plain `"…"` or raw `r"…"`/`r#"…"#`), and the index
/// just past it.
fn string_at(text: &str, i: usize) -> Option<(String, usize)> {
    let rest = text.get(i..)?;
    if let Some(raw) = rest.strip_prefix('r') {
        let hashes = raw.len() - raw.trim_start_matches('#').len();
        let body = raw[hashes..].strip_prefix('"')?;
        let close = format!("\"{}", "#".repeat(hashes));
        let end = body.find(&close)?;
        return Some((
            body[..end].to_string(),
            i + 1 + hashes + 1 + end + close.len(),
        ));
    }
    let body = rest.strip_prefix('"')?;
    let mut out = String::new();
    let mut chars = body.char_indices();
    while let Some((k, c)) = chars.next() {
        match c {
            '"' => return Some((out, i + 1 + k + 1)),
            '\\' => {
                if let Some((_, e)) = chars.next() {
                    out.push(match e {
                        'n' => '\n',
                        't' => '\t',
                        other => other,
                    });
                }
            }
            c => out.push(c),
        }
    }
    None
}

/// The first string literal within `window` bytes after `from`.
fn next_literal(text: &str, from: usize, window: usize) -> Option<(String, usize)> {
    let end = (from + window).min(text.len());
    let slice = text.get(from..end)?;
    let q = slice.find('"')?;
    string_at(text, from + q)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_after_every_marker_are_found() {
        let text = r##"
            const A: &str = include_str!("../../docs/a.md");
            const B: &[u8] = include_bytes! ( r#"b.bin"# );
            include!(concat!(env!("CARGO_MANIFEST_DIR"), "/gen/c.rs"));
            #[path = "../shared/d.rs"] mod d;
            fn main() { println!("cargo:rerun-if-changed=../proto/e.proto"); }
        "##;
        let found = literals(text);
        assert_eq!(
            found,
            vec![
                (Marker::Include, "../../docs/a.md".to_string()),
                (Marker::Include, "b.bin".to_string()),
                (Marker::ManifestDir, "/gen/c.rs".to_string()),
                (Marker::Path, "../shared/d.rs".to_string()),
                (Marker::RerunIfChanged, "../proto/e.proto".to_string()),
            ]
        );
    }

    #[test]
    fn a_huge_run_of_markers_is_linear() {
        let text = "include!(".repeat(200_000) + &"#[path".repeat(200_000);
        let started = std::time::Instant::now();
        let _ = literals(&text);
        // A hang guard, far above the expected milliseconds.
        assert!(started.elapsed().as_secs() < 30);
    }
}
