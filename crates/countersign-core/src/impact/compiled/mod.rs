//! Files a crate compiles or reads from anywhere in the tree: `include!`, `include_str!`,
//! `include_bytes!` and `path = "…"` attributes (read from tokens as rustc reads them, see
//! [`forms`]), the files its build script reads (see [`build_script`]), modules declared
//! inside included files, and symlinks inside the crate that point elsewhere.
//!
//! A file's tier is the highest tier of every crate that compiles it (DESIGN.md, "A file's
//! tier"): `docs/rates.rs` pulled into a prohibited crate by `#[path]` is prohibited, though
//! it sits under an autonomous path. Where a form cannot be resolved from the source alone
//! (`include!(PATH)`, a build script reading a computed path), the crate *may* compile any
//! file: every file outside it takes its tier, and the reason says "may" (fail closed).
//! Every reading of a form is kept — a spurious entry only makes a tier stricter.

mod build_script;
mod forms;
mod tokens;

use std::collections::{BTreeMap, BTreeSet};

use super::relpath::normalize;
use super::workspace::{Member, Workspace};
use crate::git::GitPath;
use crate::Result;

use forms::{FormKind, Target};

/// A mode git gives symbolic links.
const SYMLINK_MODE: u32 = 0o120000;

/// True for a symbolic link's tree-entry mode, canonical or not: git checks out any mode
/// whose type bits say "link" (`120777` too) as a symlink, so every such entry is one here.
pub fn is_symlink_mode(mode: u32) -> bool {
    mode & 0o170000 == SYMLINK_MODE
}
/// Source files larger than this are not scanned (the crate counts whole elsewhere).
const MAX_SCANNED: usize = 8 * 1024 * 1024;

/// How sure the scan is that a crate compiles a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Certainty {
    /// A form names the file.
    Does,
    /// A form the scan cannot resolve may name it (fail closed).
    May,
}

/// One crate that compiles (or may compile) a file, and how.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Compiler {
    /// The crate's package name.
    #[serde(rename = "crate")]
    pub krate: String,
    /// How (`include_str! in crates/billing/src/lib.rs`), or why it may.
    pub how: String,
    /// `does` or `may`.
    pub certainty: Certainty,
}

impl Compiler {
    /// One line for a reader: `billing-api (does: in its folder crates/billing-api)`.
    pub fn describe(&self) -> String {
        let certainty = match self.certainty {
            Certainty::Does => "does",
            Certainty::May => "may",
        };
        format!("{} ({certainty}: {})", self.krate, self.how)
    }
}

/// Which crates compile which files (paths, or directories a symlink or a build script
/// names), which crates may compile any file, and which files run at build time.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Inclusions {
    /// Path (file or directory) → (crate, how) pairs.
    by_path: BTreeMap<String, BTreeSet<(String, String)>>,
    /// Crate → the unresolved forms (with their places) that make it possibly compile any
    /// file outside it.
    #[serde(default)]
    may: BTreeMap<String, BTreeSet<String>>,
    /// Files that run on the build machine (build scripts, their modules, what they
    /// include) → why.
    #[serde(default)]
    build_code: BTreeMap<String, String>,
    /// Crate → every component of the path-like string literals in its sources: a file a
    /// proc macro reads by a name in an attribute (`#[template(path = "x.html")]`) is named
    /// here, so it counts as built.
    #[serde(default)]
    named: BTreeMap<String, BTreeSet<String>>,
    /// Crate → its own files (path, blob id) whose names (above) are not read yet: files
    /// holding neither `include` nor `path`, so no form, whose string literals only matter
    /// when a judgement asks whether the crate builds a file in its folder (see
    /// [`read_names`]). Until read, every file in the crate's folder counts as built.
    #[serde(default)]
    unnamed: BTreeMap<String, BTreeSet<(String, String)>>,
    /// Crates with a file whose names could not be read: every file in their folder counts
    /// as built (fail closed).
    #[serde(default)]
    names_unknown: BTreeSet<String>,
    /// Directories holding a `.cargo-checksum.json`: vendored crates (a Cargo directory
    /// source, as `cargo vendor` writes them), which cargo compiles on the build machine
    /// whatever path rule covers them.
    #[serde(default)]
    vendored: BTreeSet<String>,
}

/// The file cargo requires in every crate of a directory source (`cargo vendor`).
const VENDOR_CHECKSUM: &str = ".cargo-checksum.json";

impl Inclusions {
    /// The crates that compile `path` or may, each with how: first those a form names
    /// (`include_str! in crates/billing/src/lib.rs`), then those with an unresolved form.
    pub(crate) fn compilers(&self, path: &GitPath) -> Vec<Compiler> {
        let mut out: Vec<Compiler> = Vec::new();
        if !self.by_path.is_empty() {
            // The recorded paths that hold `path`, in the map's order: a lookup per ancestor
            // rather than a comparison per recorded path.
            let mut holding: Vec<(&String, &BTreeSet<(String, String)>)> =
                super::workspace::ancestors_or_self(path.as_bytes())
                    .filter_map(|dir| std::str::from_utf8(dir).ok())
                    .filter_map(|dir| self.by_path.get_key_value(dir))
                    .collect();
            holding.sort_by(|a, b| a.0.cmp(b.0));
            holding.dedup_by(|a, b| a.0 == b.0);
            for (krate, how) in holding.into_iter().flat_map(|(_, who)| who) {
                if !out.iter().any(|c| &c.krate == krate && &c.how == how) {
                    out.push(Compiler {
                        krate: krate.clone(),
                        how: how.clone(),
                        certainty: Certainty::Does,
                    });
                }
            }
        }
        for (krate, forms) in &self.may {
            if let Some(first) = forms.iter().next() {
                let more = match forms.len() {
                    1 => String::new(),
                    n => format!(" (and {} more)", n - 1),
                };
                out.push(Compiler {
                    krate: krate.clone(),
                    how: format!("{first}{more}"),
                    certainty: Certainty::May,
                });
            }
        }
        out
    }

    /// The crates that compile `path`, each with how (the named ones only; see
    /// [`Inclusions::compilers`] for those that may).
    pub(crate) fn crates_compiling(&self, path: &GitPath) -> Vec<(String, String)> {
        self.compilers(path)
            .into_iter()
            .filter(|c| c.certainty == Certainty::Does)
            .map(|c| (c.krate, c.how))
            .collect()
    }

    /// The crates compiling a recorded path strictly below directory `dir`, with how.
    pub(crate) fn compiled_under(&self, dir: &str) -> Vec<(String, String)> {
        let from = format!("{dir}/");
        let to = format!("{dir}0"); // '0' follows '/' in byte order
        self.by_path
            .range(from..to)
            .flat_map(|(_, who)| who.iter().cloned())
            .collect()
    }

    /// Why `path` runs on the build machine: a build script is or includes it, or it is in
    /// a vendored crate.
    pub fn build_code(&self, path: &GitPath) -> Option<String> {
        // Read as the scan recorded its paths (lossily): a name that is not UTF-8 inside a
        // vendored crate is still in it.
        let text = String::from_utf8_lossy(path.as_bytes());
        if let Some(why) = self.build_code.get(text.as_ref()) {
            return Some(why.clone());
        }
        let mut dir = text.as_ref();
        while let Some((parent, _)) = dir.rsplit_once('/') {
            if self.vendored.contains(parent) {
                return Some(format!(
                    "it is in a vendored crate (`{parent}` holds {VENDOR_CHECKSUM}, a Cargo \
                     directory source): cargo compiles it on the build machine"
                ));
            }
            dir = parent;
        }
        None
    }

    /// Records `path` if it is a vendored crate's checksum file.
    fn note_vendored(&mut self, path: &str) {
        if let Some(dir) = path
            .strip_suffix(VENDOR_CHECKSUM)
            .and_then(|d| d.strip_suffix('/'))
        {
            self.vendored.insert(dir.to_string());
        }
    }

    /// Every unresolved form: (crate, the form with its place), for `policy check`.
    pub fn unresolved(&self) -> impl Iterator<Item = (&str, &str)> {
        self.may
            .iter()
            .flat_map(|(k, forms)| forms.iter().map(move |f| (k.as_str(), f.as_str())))
    }

    /// True when nothing is compiled from outside a crate.
    pub fn is_empty(&self) -> bool {
        self.by_path.is_empty()
            && self.may.is_empty()
            && self.build_code.is_empty()
            && self.vendored.is_empty()
    }

    /// Adds everything `other` records.
    pub fn extend(&mut self, other: Inclusions) {
        for (p, who) in other.by_path {
            self.by_path.entry(p).or_default().extend(who);
        }
        for (k, forms) in other.may {
            self.may.entry(k).or_default().extend(forms);
        }
        for (p, why) in other.build_code {
            self.build_code.entry(p).or_insert(why);
        }
        for (k, names) in other.named {
            self.named.entry(k).or_default().extend(names);
        }
        for (k, files) in other.unnamed {
            self.unnamed.entry(k).or_default().extend(files);
        }
        self.names_unknown.extend(other.names_unknown);
        self.vendored.extend(other.vendored);
    }

    /// True when `member` provably does not build `path`, a file in its folder (DESIGN,
    /// "Files in a crate's folder that the crate does not build"): not Rust source (any `.rs`
    /// file may be in the module tree), not a manifest, lock, build script, Cargo
    /// configuration or toolchain file, not included or read by the crate's build script,
    /// not named by a string literal in its sources (what a proc macro may read), and the
    /// crate has no unresolved form (which may include anything).
    pub(crate) fn not_built(&self, member: &Member, path: &GitPath) -> bool {
        let Ok(text) = std::str::from_utf8(path.as_bytes()) else {
            return false;
        };
        let rel = match text.strip_prefix(member.dir.as_str()) {
            Some(r) if member.dir.is_empty() => r,
            Some(r) if r.starts_with('/') => &r[1..],
            _ => return false,
        };
        let name = rel.rsplit('/').next().unwrap_or(rel);
        let special = name.ends_with(".rs")
            || name == "Cargo.toml"
            || name == "Cargo.lock"
            || name.starts_with("rust-toolchain")
            || rel.split('/').any(|c| c == ".cargo");
        if special || build_scripts(member).iter().any(|b| b == text) {
            return false;
        }
        if self.may.get(&member.name).is_some_and(|f| !f.is_empty()) {
            return false;
        }
        // Names not read yet (or unreadable) may name it.
        if self
            .unnamed
            .get(&member.name)
            .is_some_and(|f| !f.is_empty())
            || self.names_unknown.contains(&member.name)
        {
            return false;
        }
        let named = self.named.get(&member.name);
        if rel.split('/').any(|c| named.is_some_and(|n| n.contains(c))) {
            return false;
        }
        !self
            .crates_compiling(path)
            .iter()
            .any(|(k, _)| k == &member.name)
    }

    fn add(&mut self, path: String, krate: &str, how: String) {
        self.by_path
            .entry(path)
            .or_default()
            .insert((krate.to_string(), how));
    }

    fn add_may(&mut self, krate: &str, what: String) {
        self.may.entry(krate.to_string()).or_default().insert(what);
    }
}

/// Bumped whenever what the scan finds changes, so that cached scans are not reused.
const CACHE_VERSION: u32 = 4;
/// A cached scan larger than this is ignored (and made again).
const MAX_CACHE: u64 = 64 * 1024 * 1024;

/// [`scan_tree`], remembered in the repository's git directory per tree
/// (`countersign/inclusions-v4-TREE.json`): a tree's scan never changes, and reading every
/// source file of a large workspace is the costly part. Any problem reading or writing it
/// just means scanning again. For exploring only (`impact`, the workstation): code that runs
/// in a checkout (a build script of the change) can write its git directory, so the gate and
/// signing never read this cache.
pub(crate) fn scan_tree_cached(
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
    let found = scan_tree_putting_off_names(repo, commit, ws)?;
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
    scan_tree_with(repo, commit, ws, Names::Read)
}

/// [`scan_tree`], putting off the names of files that hold no form (see [`read_names`]).
pub(crate) fn scan_tree_putting_off_names(
    repo: &git2::Repository,
    commit: git2::Oid,
    ws: &Workspace,
) -> Result<Inclusions> {
    scan_tree_with(repo, commit, ws, Names::PutOff)
}

fn scan_tree_with(
    repo: &git2::Repository,
    commit: git2::Oid,
    ws: &Workspace,
    names: Names,
) -> Result<Inclusions> {
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
            // Checksum files only mark vendored crates (scan_entries notes them, reads none).
            if path.ends_with(".rs") || is_symlink_mode(mode) || name == VENDOR_CHECKSUM {
                entries.push((path, e.id(), mode));
            }
        }
        git2::TreeWalkResult::Ok
    })
    .map_err(crate::Error::git(format!("reading the tree of {commit}")))?;
    scan_entries(repo, ws, &entries, &tree, None, names)
}

/// What one file holds, as read on a worker thread.
enum Named {
    /// A symlink's target.
    Target(String),
    /// A source file's forms (with line numbers) and, for build code, its reads.
    Scanned {
        forms: Vec<(forms::Form, usize)>,
        reads: Option<(build_script::Reads, Vec<usize>)>,
        /// The components of its path-like string literals (what a proc macro may read).
        names: Vec<String>,
    },
    /// A crate's own file holding neither `include` nor `path`: no form of any kind, and
    /// its names put off (see [`Names::PutOff`]).
    Unnamed,
    /// A file the scan cannot read as tokens (too large, unterminated string), and why.
    Unreadable(String),
}

/// When a crate's own files' names (the components of their path-like string literals) are
/// read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Names {
    /// With the file's forms (`policy check`, which judges every file).
    Read,
    /// Only when a judgement asks about a file in the crate's folder ([`read_names`]), for a
    /// file holding neither `include` nor `path`: such a file has no form rustc reads (an
    /// `include*!` macro, a `path` attribute, or a renamed or macro-built one, each spells
    /// one of the two), so what it cannot hide is checked by two byte searches instead of
    /// tokenizing it (most files of a crate; a long range's `verify` scanned thousands).
    PutOff,
}

/// The role a scanned file plays for the crate it is attributed to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Role {
    /// A file inside the crate's directory.
    Own,
    /// A file outside it that the crate compiles (included, `#[path]`, a module of one).
    Followed,
    /// The build script, or a module or file it includes.
    Build,
}

/// The 1-based line of byte offset `at`.
fn line_of(text: &[u8], at: usize) -> usize {
    1 + memchr::memchr_iter(b'\n', &text[..at.min(text.len())]).count()
}

/// Reads one file's forms (and, for build code, reads); `mods`: with its `mod` declarations
/// (which matter in an included file or build code, not in a crate's own file, whose module
/// tree the module graph reads).
fn read_file(
    content: &[u8],
    build: bool,
    mods: bool,
    build_deps: &[String],
    names: Names,
) -> Named {
    if content.len() > MAX_SCANNED {
        return Named::Unreadable(format!("over {} MiB, not scanned", MAX_SCANNED >> 20));
    }
    if names == Names::PutOff && !build && !mods && !may_hold_a_form(content) {
        return Named::Unnamed;
    }
    let text = String::from_utf8_lossy(content);
    let toks = match tokens::tokenize(&text) {
        Ok(t) => t,
        Err(at) => {
            return Named::Unreadable(format!(
                "does not tokenize from line {}",
                line_of(text.as_bytes(), at)
            ))
        }
    };
    let found = if mods || build {
        forms::forms(&toks)
    } else {
        forms::forms_but_mods(&toks)
    };
    let found = found
        .into_iter()
        .map(|f| {
            let line = line_of(text.as_bytes(), f.at);
            (f, line)
        })
        .collect();
    let reads = build.then(|| {
        let r = build_script::reads(&toks, build_deps);
        let lines = r
            .computed
            .iter()
            .map(|(_, at)| line_of(text.as_bytes(), *at))
            .collect();
        (r, lines)
    });
    Named::Scanned {
        forms: found,
        reads,
        names: names_of(&toks),
    }
}

/// Whether `content` spells `include` or `path`, or holds a macro fragment (`$`) or a pasted
/// identifier (`[<`), without which no inclusion form can be written: not
/// `include!`/`include_str!`/`include_bytes!` (a renamed import or a macro wrapping one names
/// it too), not a `path` attribute, not one a macro builds (see `forms`).
fn may_hold_a_form(content: &[u8]) -> bool {
    memchr::memmem::find(content, b"include").is_some()
        || memchr::memmem::find(content, b"path").is_some()
        // A macro fragment (`#[$meta] mod m;`) or a pasted identifier (`[<inc lude_str>]`).
        || memchr::memchr(b'$', content).is_some()
        || memchr::memchr_iter(b'[', content).any(|at| {
            // `[` then `<`, or a comment that may stand between them.
            content[at + 1..]
                .iter()
                .find(|b| !b.is_ascii_whitespace())
                .is_some_and(|b| *b == b'<' || *b == b'/')
        })
}

/// The components of the path-like string literals of `toks` (what a proc macro may read),
/// sorted and deduplicated.
fn names_of(toks: &[tokens::Token<'_>]) -> Vec<String> {
    // Sorted and deduplicated before any is copied.
    let mut names: Vec<&str> = toks
        .iter()
        .filter_map(|t| match &t.kind {
            tokens::Kind::Str(s) if s.len() <= 256 && build_script::path_like(s) => Some(&**s),
            _ => None,
        })
        .flat_map(|s| s.split(['/', '\\']))
        .filter(|c| !c.is_empty() && *c != "." && *c != "..")
        .collect();
    names.sort_unstable();
    names.dedup();
    names.into_iter().map(str::to_string).collect()
}

/// Reads the names that [`Names::PutOff`] left unread for `crates`, so that
/// [`Inclusions::not_built`] answers for files in their folders as a full scan would. A file
/// that cannot be read or tokenized leaves its crate's names unknown (every file in its
/// folder counts as built). It cannot hold an inclusion form (it spells neither `include`
/// nor `path`), so it makes no "may include" as an unreadable file with forms does.
pub(crate) fn read_names(
    repo: &git2::Repository,
    inclusions: &mut Inclusions,
    crates: &BTreeSet<String>,
) {
    let mut files: Vec<(String, git2::Oid)> = Vec::new();
    for krate in crates {
        let Some(unnamed) = inclusions.unnamed.remove(krate) else {
            continue;
        };
        for (_, id) in unnamed {
            match git2::Oid::from_str(&id) {
                Ok(id) => files.push((krate.clone(), id)),
                Err(_) => {
                    inclusions.names_unknown.insert(krate.clone());
                }
            }
        }
    }
    if files.is_empty() {
        return;
    }
    // Read as the scan reads them (see scan_entries).
    let unverified = crate::git::ReadsWithout::hash_check();
    let read = crate::git::map_blobs(repo, &files, &|_: &String, content: &[u8]| {
        if content.len() > MAX_SCANNED {
            return None;
        }
        let text = String::from_utf8_lossy(content);
        tokens::tokenize(&text).ok().map(|toks| names_of(&toks))
    });
    drop(unverified);
    let mut read_count: BTreeMap<&str, usize> = BTreeMap::new();
    for (krate, names) in &read {
        *read_count.entry(krate.as_str()).or_default() += 1;
        match names {
            Some(names) => inclusions
                .named
                .entry(krate.clone())
                .or_default()
                .extend(names.iter().cloned()),
            None => {
                inclusions.names_unknown.insert(krate.clone());
            }
        }
    }
    // A blob the repository could not give back: its crate's names are unknown.
    let mut asked: BTreeMap<&str, usize> = BTreeMap::new();
    for (krate, _) in &files {
        *asked.entry(krate.as_str()).or_default() += 1;
    }
    for (krate, n) in asked {
        if read_count.get(krate).copied().unwrap_or(0) < n {
            inclusions.names_unknown.insert(krate.to_string());
        }
    }
}

/// The most files followed out of crates (included files, their modules) per scan.
const MAX_FOLLOWED: usize = 20_000;

/// Scans the given files (path, blob id, mode) as they are in one revision whose tree is
/// `tree` and workspace `ws`: for a change, its new `.rs` files and symlinks. Files a crate
/// compiles from outside its directory are followed in `tree` (their own includes and
/// `mod` declarations count for that crate too); a changed file outside every crate that
/// `known` says a crate compiles is scanned for that crate.
pub(crate) fn scan_entries(
    repo: &git2::Repository,
    ws: &Workspace,
    entries: &[(String, git2::Oid, u32)],
    tree: &git2::Tree,
    known: Option<&Inclusions>,
    names: Names,
) -> Result<Inclusions> {
    let mut found = Inclusions::default();
    // (path, blob, mode, crate, role, extra module directories) to read.
    let mut work: Vec<(String, git2::Oid, u32, String, Role, Vec<String>)> = Vec::new();
    for (path, id, mode) in entries {
        found.note_vendored(path);
        let gp = GitPath::from(path.as_str());
        let source = path.ends_with(".rs") || is_symlink_mode(*mode);
        if let Some(member) = ws.member_of(&gp).filter(|_| source) {
            let role = if build_scripts(member).contains(path) {
                Role::Build
            } else {
                Role::Own
            };
            work.push((
                path.clone(),
                *id,
                *mode,
                member.name.clone(),
                role,
                Vec::new(),
            ));
        } else if let Some(known) = known {
            let rust = |how: &str| {
                ["include! ", "#[path] ", "mod ", "symlink "]
                    .iter()
                    .any(|p| how.starts_with(p))
            };
            for c in known
                .crates_compiling(&gp)
                .into_iter()
                .filter(|c| rust(&c.1))
            {
                work.push((path.clone(), *id, *mode, c.0, Role::Followed, Vec::new()));
            }
        }
    }
    let mut seen: BTreeSet<(String, String, Role)> = BTreeSet::new();
    while !work.is_empty() {
        let batch: Vec<(usize, git2::Oid)> = work
            .iter()
            .enumerate()
            .filter(|(_, w)| seen.insert((w.0.clone(), w.3.clone(), w.4)))
            .map(|(i, w)| (i, w.1))
            .collect();
        if seen.len() > MAX_FOLLOWED + entries.len() {
            for (_, _, _, krate, _, _) in &work {
                found.add_may(
                    krate,
                    format!("more than {MAX_FOLLOWED} included files to follow"),
                );
            }
            break;
        }
        // The sources are read as git checks them out, without re-hashing each (libgit2's
        // check was a sixth of a one-commit `verify`): the build compiles these same bytes,
        // which git does not re-hash either, and a clone's objects were hashed when it
        // fetched them. A missing object, or one that does not inflate, still fails to read
        // (below) and fails its crate closed.
        let unverified = crate::git::ReadsWithout::hash_check();
        let read = crate::git::map_blobs(repo, &batch, &|i: &usize, content: &[u8]| {
            let Some((_, _, mode, krate, role, _)) = work.get(*i) else {
                return Named::Unreadable("lost".into());
            };
            if is_symlink_mode(*mode) {
                return Named::Target(String::from_utf8_lossy(content).trim().to_string());
            }
            let build = *role == Role::Build;
            let deps = match ws.member(krate).filter(|_| build) {
                Some(m) => m.declared.build_deps.clone(),
                None => Vec::new(),
            };
            read_file(content, build, *role != Role::Own, &deps, names)
        });
        drop(unverified);
        // A file that cannot be read (a missing or damaged object) may include anything:
        // its crate fails closed rather than the scan passing over it.
        let returned: BTreeSet<usize> = read.iter().map(|(i, _)| *i).collect();
        for (i, _) in batch.iter().filter(|(i, _)| !returned.contains(i)) {
            if let Some((path, _, _, krate, _, _)) = work.get(*i) {
                found.add_may(
                    krate,
                    format!("{path} could not be read from the repository"),
                );
            }
        }
        let mut next = Vec::new();
        for (i, named) in read {
            let Some((path, id, _, krate, role, extra)) = work.get(i) else {
                continue;
            };
            if let Named::Unnamed = named {
                found
                    .unnamed
                    .entry(krate.clone())
                    .or_default()
                    .insert((path.clone(), id.to_string()));
                continue;
            }
            let Some(member) = ws.member(krate) else {
                continue;
            };
            place(
                member,
                path,
                *role,
                extra,
                named,
                &mut found,
                &mut |t, role, extra| {
                    next.push((t, role, extra));
                },
            );
        }
        work = Vec::new();
        for (target, role, extra) in next {
            let Some((id, mode)) = entry_at(tree, &target) else {
                continue;
            };
            let Some(krate) = found_krate(&found, &target) else {
                continue;
            };
            for k in krate {
                work.push((target.clone(), id, mode, k, role, extra.clone()));
            }
        }
    }
    Ok(found)
}

/// The crates `found` says compile `target` (for following it).
fn found_krate(found: &Inclusions, target: &str) -> Option<Vec<String>> {
    let mut out: Vec<String> = found
        .by_path
        .get(target)?
        .iter()
        .map(|(k, _)| k.clone())
        .collect();
    out.dedup();
    Some(out)
}

/// The blob id and mode at `path` in `tree`, when it is a file or symlink.
fn entry_at(tree: &git2::Tree, path: &str) -> Option<(git2::Oid, u32)> {
    let e = tree.get_path(std::path::Path::new(path)).ok()?;
    (e.kind() == Some(git2::ObjectType::Blob)).then(|| (e.id(), e.filemode() as u32))
}

/// Records what one file of `member` names; `follow` is told each file to read next.
fn place(
    member: &Member,
    path: &str,
    role: Role,
    extra: &[String],
    named: Named,
    found: &mut Inclusions,
    follow: &mut dyn FnMut(String, Role, Vec<String>),
) {
    let krate = member.name.as_str();
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    let outside = |t: &str| member.dir.is_empty() || !GitPath::from(t).starts_with_dir(&member.dir);
    let (forms, reads) = match named {
        Named::Target(target) => {
            if let Some(t) = normalize(dir, &target) {
                if outside(&t) || role != Role::Own {
                    found.add(t.clone(), krate, format!("symlink {path}"));
                    if role != Role::Own {
                        follow(t, role, extra.to_vec());
                    }
                }
            }
            return;
        }
        Named::Unreadable(why) => {
            found.add_may(krate, format!("{path} cannot be scanned ({why})"));
            return;
        }
        // Recorded by the caller (its names are read when asked for).
        Named::Unnamed => return,
        Named::Scanned {
            forms,
            reads,
            names,
        } => {
            if role == Role::Own {
                found
                    .named
                    .entry(krate.to_string())
                    .or_default()
                    .extend(names);
            }
            (forms, reads)
        }
    };
    if role == Role::Build {
        found
            .build_code
            .entry(path.to_string())
            .or_insert_with(|| format!("it is build-script code of `{krate}`"));
    }
    // The directories a `#[path]` or `mod` resolves against: the file's own, the directory
    // named after a non-`mod.rs` file, and (for an included file) its includer's.
    let stem = path.strip_suffix(".rs").unwrap_or(path).to_string();
    let mut module_dirs = vec![dir.to_string(), stem];
    module_dirs.extend(extra.iter().cloned());
    let how_role = |name: &str| match role {
        Role::Build => format!("{name} in the build script {path}"),
        _ => format!("{name} in {path}"),
    };
    for (form, line) in forms {
        let name = match &form.kind {
            FormKind::Include(n) => n.to_string(),
            FormKind::Path => "#[path]".to_string(),
            FormKind::Mod(m) => format!("mod {m}"),
        };
        let targets: Vec<String> = match (&form.kind, &form.target) {
            (_, Target::Unresolved(why)) => {
                found.add_may(krate, format!("{name} with {why} at {path}:{line}"));
                continue;
            }
            (_, Target::OutDir) => continue,
            (_, Target::ManifestDir(rel)) => normalize(&member.dir, rel.trim_start_matches('/'))
                .into_iter()
                .collect(),
            (FormKind::Include(_), Target::Rel(rel)) => normalize(dir, rel).into_iter().collect(),
            (FormKind::Path, Target::Rel(rel)) => module_dirs
                .iter()
                .filter_map(|b| normalize(&join_all(b, &form.inline), rel))
                .collect(),
            (FormKind::Mod(m), _) => {
                // Inside the crate, the module graph finds the file; outside it, or in build
                // code, the scan follows it here.
                if role == Role::Own {
                    continue;
                }
                module_dirs
                    .iter()
                    .flat_map(|b| {
                        let d = join_all(b, &form.inline);
                        [format!("{m}.rs"), format!("{m}/mod.rs")]
                            .into_iter()
                            .filter_map(move |f| normalize(&d, &f))
                    })
                    .collect()
            }
        };
        for t in targets {
            // Every target is recorded (a file inside the crate that it includes is built);
            // outside ones (and anything build code includes) are followed too, while the
            // crate's own files are scanned as such.
            if !(outside(&t) || role == Role::Build) {
                found.add(t, krate, how_role(&name));
                continue;
            }
            {
                found.add(t.clone(), krate, how_role(&name));
                let sub_role = if role == Role::Build {
                    Role::Build
                } else {
                    Role::Followed
                };
                let extra = match form.kind {
                    FormKind::Include(_) => module_dirs.clone(),
                    _ => Vec::new(),
                };
                // Only Rust is followed: `include_str!` reads text, not code.
                let rust = matches!(
                    form.kind,
                    FormKind::Include("include!") | FormKind::Path | FormKind::Mod(_)
                );
                if rust {
                    follow(t, sub_role, extra);
                }
            }
        }
    }
    if let Some((reads, lines)) = reads {
        for lit in reads.literals {
            if let Some(t) = normalize(&member.dir, &lit) {
                found.add(t, krate, format!("read by the build script {path}"));
            }
        }
        for ((what, _), line) in reads.computed.iter().zip(lines) {
            found.add_may(
                krate,
                format!("its build script may read any file: {what} at {path}:{line}"),
            );
        }
    }
}

/// `dir/a/b` for inline modules `a`, `b`.
fn join_all(dir: &str, inline: &[String]) -> String {
    inline
        .iter()
        .fold(dir.to_string(), |d, m| super::relpath::join(&d, m))
}

/// The crate's build script paths: `[package] build = "…"` when named, and `build.rs`
/// (also when `build = false` or another is named: a file named so is read conservatively
/// as one).
pub(crate) fn build_scripts(member: &Member) -> Vec<String> {
    let mut out = vec![super::relpath::join(&member.dir, "build.rs")];
    if let Some(super::manifest::RawBuild::Path(p)) = &member.declared.build {
        out.extend(normalize(&member.dir, p));
    }
    out
}

/// What build-script file `path` of `member` reads, for the module graph (DESIGN, "A build
/// script's inputs"): the files and directories it names, relative to the repository root
/// (path-like literals, `CARGO_MANIFEST_DIR` joins, `include_*!`), or — where it reads a
/// computed path, or cannot be scanned — why it may read any file.
pub(crate) fn build_script_inputs(
    member: &Member,
    path: &str,
    content: &[u8],
) -> std::result::Result<Vec<String>, String> {
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    let (forms, reads) = match read_file(
        content,
        true,
        true,
        &member.declared.build_deps,
        Names::Read,
    ) {
        Named::Scanned { forms, reads, .. } => (forms, reads),
        Named::Unnamed => (Vec::new(), None),
        Named::Unreadable(why) => return Err(format!("{path} cannot be scanned ({why})")),
        Named::Target(_) => return Err(format!("{path} is a symbolic link")),
    };
    let mut out = Vec::new();
    for (form, line) in forms {
        let FormKind::Include(name) = form.kind else {
            continue;
        };
        match form.target {
            Target::Unresolved(why) => return Err(format!("{name} with {why} at {path}:{line}")),
            Target::OutDir => {}
            Target::ManifestDir(rel) => {
                out.extend(normalize(&member.dir, rel.trim_start_matches('/')))
            }
            Target::Rel(rel) => out.extend(normalize(dir, &rel)),
        }
    }
    if let Some((reads, lines)) = reads {
        if let (Some((what, _)), Some(line)) = (reads.computed.first(), lines.first()) {
            return Err(format!("{what} at {path}:{line}"));
        }
        out.extend(
            reads
                .literals
                .iter()
                .filter_map(|l| normalize(&member.dir, l)),
        );
    }
    Ok(out)
}
