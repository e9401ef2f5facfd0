//! The Cargo workspace as of a revision, read from git objects (no checkout, no network, no
//! toolchain): which packages are members, their names, `[package.metadata.countersign]`
//! tiers, path dependencies between them (with kind, target and renames) and their declared
//! targets.
//!
//! Membership follows Cargo: the root package (if any), every directory matched by
//! `[workspace] members` globs that holds a `Cargo.toml`, and every path dependency of a
//! member that lies inside the workspace, minus `exclude`d directories. A root manifest with
//! no `[workspace]` is a lone package. The workspace root is the repository root.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use serde::Serialize;

use super::deps::{self, DepKind, Dependency};
use super::manifest::{Inheritable, RawBuild, RawManifest, RawTarget};
use super::members;
use super::relpath::join;
use crate::git::{GitPath, RepoFiles};
use crate::model::{Diagnostic, Tier};
use crate::Result;

/// A workspace member.
#[derive(Clone, Debug)]
pub struct Member {
    /// Package name.
    pub name: String,
    /// Directory relative to the repository root (`""` for a root package).
    pub dir: String,
    /// `[package.metadata.countersign] tier`, when present and valid.
    pub metadata_tier: Option<Tier>,
    /// The Rust edition (`2015` when the manifest names none, as Cargo assumes).
    pub edition: String,
    /// Every dependency that is a path (directly or through `workspace = true`), in manifest
    /// order: normal, build, dev, then target-specific tables.
    pub deps: Vec<Dependency>,
    /// Keys of every dependency inherited with `workspace = true` (path or not), sorted.
    pub inherits: Vec<String>,
    /// The targets as the manifest declares them, before auto-discovery
    /// ([`super::targets::discover`] completes them against the tree).
    pub declared: DeclaredTargets,
    /// True for a package that is no workspace member but is compiled into one: reached by
    /// a path dependency or a `[patch]`/`[replace]` path while `exclude`d, outside the
    /// members, or beside a lone root package. It is a node of the graph all the same, so
    /// that a change to it reaches (and is tiered by) the crates that compile it.
    pub path_only: bool,
}

/// Targets as written in a manifest, and which kinds Cargo may auto-discover.
#[derive(Clone, Debug, Default)]
pub struct DeclaredTargets {
    pub(crate) lib: Option<RawTarget>,
    pub(crate) bins: Vec<RawTarget>,
    pub(crate) tests: Vec<RawTarget>,
    pub(crate) benches: Vec<RawTarget>,
    pub(crate) examples: Vec<RawTarget>,
    pub(crate) build: Option<RawBuild>,
    pub(crate) autolib: Option<bool>,
    pub(crate) autobins: Option<bool>,
    pub(crate) autotests: Option<bool>,
    pub(crate) autobenches: Option<bool>,
    pub(crate) autoexamples: Option<bool>,
    /// Whether the manifest had explicit `[[bin]]`… tables at all (2015 edition rule).
    pub(crate) explicit: [bool; 4],
    /// `[lib] proc-macro = true`: the crate runs inside the compiler.
    pub proc_macro: bool,
    /// The names build-script code calls its build dependencies by (every
    /// `[build-dependencies]` key, target tables too, `-` as `_`).
    pub build_deps: Vec<String>,
    /// A digest of what in the manifest decides build-time code (`build`, `links`,
    /// `proc-macro`, every build-dependency entry): two revisions with different values
    /// changed how the build machine runs code.
    pub build_fingerprint: u64,
}

impl Member {
    /// Path of the member's manifest relative to the repository root.
    pub fn manifest_path(&self) -> String {
        manifest_in(&self.dir)
    }

    /// The name the member's library is known by in code (`[lib] name`, else the package
    /// name with `-` as `_`).
    pub(crate) fn lib_name(&self) -> String {
        self.declared
            .lib
            .as_ref()
            .and_then(|l| l.name.clone())
            .unwrap_or_else(|| self.name.replace('-', "_"))
    }
}

/// One path-dependency edge between two members.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Edge {
    /// The dependent member (package name).
    pub from: String,
    /// The member depended on.
    pub to: String,
    /// The kind of dependency (normal, build or dev).
    pub kind: DepKind,
    /// `cfg(...)` or target triple of a `[target.…]` table.
    pub target: Option<String>,
    /// The name the dependent uses in code for it (the table key with `-` as `_`, or the
    /// library name when the key is not a rename).
    pub extern_name: String,
}

/// The workspace as of a revision.
#[derive(Clone, Debug, Default)]
pub struct Workspace {
    /// Members, sorted by directory. Read-only once loaded: `member_of` and
    /// friends look them up through an index built on first use.
    pub members: Vec<Member>,
    /// Problems found in manifests (a misspelt metadata tier, a manifest that does not
    /// parse); the members concerned are still listed, without the bad value.
    pub problems: Vec<Diagnostic>,
    /// True when the root manifest has a `[workspace]` table.
    pub is_workspace: bool,
    /// Directories `exclude`d by the root manifest, as written (normalised).
    pub exclude: Vec<String>,
    /// Members by directory, name and case-folded directory, built on first use: a lookup
    /// walks a path's few ancestors instead of every member (a gate judges each file and
    /// each reached crate against workspaces of hundreds of members).
    index: std::sync::OnceLock<MemberIndex>,
    /// [`Workspace::build_time_members`], computed on first use.
    build_time: std::sync::OnceLock<BTreeMap<String, String>>,
    /// [`Workspace::path_deps_below`]'s index, built on first use.
    dep_paths: std::sync::OnceLock<BTreeMap<String, Vec<(String, String)>>>,
    /// [`Workspace::edge_list`], built on first use: a gate asks for the edges of the same
    /// workspace once per commit of a long range.
    edges: std::sync::OnceLock<Vec<Edge>>,
}

/// [`Workspace::members`] indexed.
#[derive(Clone, Debug, Default)]
struct MemberIndex {
    /// Directory → member (the last of equal directories, as a scan for the longest would
    /// find).
    by_dir: HashMap<String, usize>,
    /// Package name → the first member of that name.
    by_name: HashMap<String, usize>,
    /// Case-folded directory (see [`GitPath::folded`]) → members, in member order.
    by_folded_dir: HashMap<Vec<u8>, Vec<usize>>,
    /// Every member's directory is [`plain_dir`].
    plain_dirs: bool,
}

/// A directory of lowercase letters, digits, `-`, `_` and `/`: it folds to itself, and a path
/// that does too is written below it by a case-insensitive checkout exactly where it is.
pub(crate) fn plain_dir(d: &str) -> bool {
    d.bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_/".contains(&b))
}

/// `path` itself, then each directory above it, then "" (the root): every `dir` for which
/// `path.starts_with_dir(dir)` holds, longest first.
pub(crate) fn ancestors_or_self(path: &[u8]) -> impl Iterator<Item = &[u8]> {
    let cuts = path
        .iter()
        .enumerate()
        .rev()
        .filter(|(_, b)| **b == b'/')
        .map(|(i, _)| i);
    std::iter::once(path.len())
        .chain(cuts)
        .chain(std::iter::once(0))
        .map(move |end| &path[..end])
}

/// A manifest's parsed form with its text, kept for positioning diagnostics.
struct Parsed {
    raw: Arc<RawManifest>,
    text: String,
}

/// A manifest read ahead: its text and what parsing it gave.
type ReadAhead = (
    String,
    std::result::Result<Arc<RawManifest>, toml::de::Error>,
);

/// How many parsed manifests [`parse_manifest`] keeps.
const PARSED_MANIFESTS: usize = 4096;

/// Manifests parsed so far, by text: a gate over a long range loads the workspace again for
/// every commit that touches a manifest, and all its other manifests are the same text as
/// before. Shared by the threads that read manifests ahead.
static MANIFESTS: Mutex<Option<HashMap<String, Arc<RawManifest>>>> = Mutex::new(None);

/// `text` parsed as a manifest, from the ones parsed before when it was.
fn parse_manifest(text: &str) -> std::result::Result<Arc<RawManifest>, toml::de::Error> {
    let cached = |m: &mut Option<HashMap<String, Arc<RawManifest>>>| {
        m.as_ref().and_then(|m| m.get(text).cloned())
    };
    if let Some(hit) = MANIFESTS.lock().ok().and_then(|mut m| cached(&mut m)) {
        return Ok(hit);
    }
    let raw = Arc::new(toml::from_str::<RawManifest>(text)?);
    if let Ok(mut m) = MANIFESTS.lock() {
        let m = m.get_or_insert_with(HashMap::new);
        if m.len() >= PARSED_MANIFESTS {
            m.clear();
        }
        m.insert(text.to_string(), raw.clone());
    }
    Ok(raw)
}

/// Manifests read from a git tree so far, by blob id: their text and parse. A long range
/// loads the workspace again for every commit that touches a manifest, and its other
/// manifests are the same blobs as before: a blob read once is not inflated, re-hashed by
/// libgit2 and parsed again.
static MANIFEST_BLOBS: Mutex<Option<HashMap<git2::Oid, KnownManifest>>> = Mutex::new(None);

/// A manifest blob's text and parse.
type KnownManifest = (String, Arc<RawManifest>);

/// The text and parse of the manifest at `path` of `tree`, when its blob was read before.
fn known_manifest(tree: &impl RepoFiles, path: &str) -> Option<ReadAhead> {
    let id = tree.blob_id(path)?;
    let known = MANIFEST_BLOBS.lock().ok()?;
    let (text, raw) = known.as_ref()?.get(&id)?;
    Some((text.clone(), Ok(raw.clone())))
}

/// Keeps what blob `id` parsed to (see [`MANIFEST_BLOBS`]).
fn remember_manifest(id: git2::Oid, text: &str, raw: &Arc<RawManifest>) {
    if let Ok(mut m) = MANIFEST_BLOBS.lock() {
        let m = m.get_or_insert_with(HashMap::new);
        if m.len() >= PARSED_MANIFESTS {
            m.clear();
        }
        m.insert(id, (text.to_string(), raw.clone()));
    }
}

/// The manifests of `dirs` read and parsed ahead, on several threads where the tree allows
/// (hundreds of members): by manifest path. The ones that cannot be read are left out and
/// read again one by one, which says why.
fn read_ahead(tree: &impl RepoFiles, dirs: &[&str]) -> HashMap<String, ReadAhead> {
    let mut found: HashMap<String, ReadAhead> = HashMap::new();
    let mut unread: Vec<String> = Vec::new();
    for path in dirs
        .iter()
        .filter(|d| !d.is_empty())
        .map(|d| manifest_in(d))
    {
        match known_manifest(tree, &path) {
            Some(read) => {
                found.insert(path, read);
            }
            None => unread.push(path),
        }
    }
    let read = tree.map_files(&unread, &|bytes: &[u8]| {
        let text = String::from_utf8_lossy(bytes).into_owned();
        let parsed = parse_manifest(&text);
        (text, parsed)
    });
    for (path, (text, parsed)) in read {
        if let (Some(id), Ok(raw)) = (tree.blob_id(&path), &parsed) {
            remember_manifest(id, &text, raw);
        }
        found.insert(path, (text, parsed));
    }
    found
}

fn manifest_in(dir: &str) -> String {
    join(dir, "Cargo.toml")
}

/// What the root manifest says about the whole workspace, read once before the members.
struct RootSettings {
    /// `[workspace.dependencies]`, for members' `workspace = true` entries.
    deps: BTreeMap<String, super::manifest::RawDep>,
    /// `[workspace.package] edition`, for members' `edition.workspace = true`.
    edition: Option<String>,
    /// `members` entries without wildcards: named, so never excluded.
    literal: Vec<String>,
    /// `[patch]`/`[replace]` paths by name.
    patches: BTreeMap<String, String>,
    /// Each `members` glob with the directories it matched, for diagnostics.
    expanded: Vec<(String, Vec<String>)>,
}

impl Workspace {
    /// Reads the workspace from `tree`. A repository without a root `Cargo.toml` has no
    /// members (path rules still apply to its files).
    pub fn load(tree: &impl RepoFiles) -> Result<Workspace> {
        let mut ws = Workspace::default();
        let Some(root) = ws.read_manifest(tree, "", &mut HashMap::new())? else {
            return Ok(ws);
        };
        let (settings, queue) = ws.read_root(tree, &root);
        let root_text = root.text.clone();
        ws.walk_members(tree, &settings, queue, root)?;
        ws.members.sort_by(|a, b| a.dir.cmp(&b.dir));
        ws.check_globs(tree, &settings, &root_text);
        Ok(ws)
    }

    /// Takes the workspace-wide settings from the root manifest and returns them with the
    /// directories to read first: (directory, reached only through a path dependency or a
    /// patch).
    fn read_root(
        &mut self,
        tree: &impl RepoFiles,
        root: &Parsed,
    ) -> (RootSettings, Vec<(String, bool)>) {
        let raw_ws = root.raw.workspace.as_ref();
        self.is_workspace = raw_ws.is_some();
        self.exclude = raw_ws
            .map(|w| {
                w.exclude
                    .iter()
                    .filter_map(|x| super::relpath::normalize("", x))
                    .collect()
            })
            .unwrap_or_default();
        let patches = deps::patched_paths(&root.raw);
        let mut queue: Vec<(String, bool)> = Vec::new();
        queue.extend(patches.values().map(|p| (p.clone(), true)));
        let mut expanded: Vec<(String, Vec<String>)> = Vec::new();
        if let Some(w) = raw_ws {
            for pattern in &w.members {
                let dirs = members::expand_glob(tree, pattern);
                queue.extend(dirs.iter().cloned().map(|d| (d, false)));
                expanded.push((pattern.clone(), dirs));
            }
        }
        if root.raw.package.is_some() {
            queue.push((String::new(), false));
        }
        let settings = RootSettings {
            deps: raw_ws.map(|w| w.dependencies.clone()).unwrap_or_default(),
            edition: raw_ws
                .and_then(|w| w.package.as_ref())
                .and_then(|p| p.edition.clone()),
            literal: raw_ws
                .map(|w| {
                    w.members
                        .iter()
                        .filter(|m| !m.contains(['*', '?', '[']))
                        .filter_map(|m| super::relpath::normalize("", m))
                        .collect()
                })
                .unwrap_or_default(),
            patches,
            expanded,
        };
        (settings, queue)
    }

    /// True when `dir` is `exclude`d (and no `members` entry names it literally).
    fn excluded(&self, settings: &RootSettings, dir: &str) -> bool {
        !settings.literal.iter().any(|l| l == dir)
            && self
                .exclude
                .iter()
                .any(|x| GitPath::from(dir).starts_with_dir(x) && !x.is_empty())
    }

    /// Reads every member reached from `queue` (members globs, path dependencies, patches),
    /// the root package (`root`, already read) included.
    fn walk_members(
        &mut self,
        tree: &impl RepoFiles,
        settings: &RootSettings,
        mut queue: Vec<(String, bool)>,
        root: Parsed,
    ) -> Result<()> {
        // What the walk below will read: excluded directories only when a path leads there.
        let ahead_dirs: Vec<&str> = queue
            .iter()
            .filter(|(d, by_path)| *by_path || !self.excluded(settings, d))
            .map(|(d, _)| d.as_str())
            .collect();
        let mut ahead = read_ahead(tree, &ahead_dirs);
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        let mut root = Some(root);
        let ctx = deps::RootTables {
            workspace_deps: &settings.deps,
            patches: &settings.patches,
        };
        while let Some((dir, by_path)) = queue.pop() {
            let is_excluded = self.excluded(settings, &dir);
            if is_excluded && !by_path {
                continue;
            }
            // A member (found by a members glob, or a path dependency inside the workspace)
            // is no path-only package, whichever way it was reached first.
            let path_only = by_path && (is_excluded || !self.is_workspace);
            if let Some(&at) = seen.get(&dir) {
                if !path_only {
                    if let Some(m) = self.members.get_mut(at) {
                        m.path_only = false;
                    }
                }
                continue;
            }
            seen.insert(dir.clone(), self.members.len());
            let manifest = if dir.is_empty() {
                root.take()
            } else {
                self.read_manifest(tree, &dir, &mut ahead)?
            };
            let Some(parsed) = manifest else {
                continue;
            };
            if parsed.raw.package.is_none() {
                continue;
            }
            let member_deps = deps::collect(&parsed.raw, &dir, &ctx);
            // Path dependencies inside the workspace are members too; the others (excluded,
            // or of a lone package) are path-only packages: nodes of the graph all the same.
            queue.extend(member_deps.iter().filter_map(|d| {
                let p = d.path.clone()?;
                let member = self.is_workspace && !path_only && !self.excluded(settings, &p);
                Some((p, !member))
            }));
            if let Some(member) =
                self.member_from(tree, settings, parsed, dir, member_deps, path_only)
            {
                self.members.push(member);
            }
        }
        Ok(())
    }

    /// The member in `dir` as its parsed manifest declares it (None without a `[package]`).
    fn member_from(
        &mut self,
        tree: &impl RepoFiles,
        settings: &RootSettings,
        Parsed { raw, text }: Parsed,
        dir: String,
        member_deps: Vec<Dependency>,
        path_only: bool,
    ) -> Option<Member> {
        let package = raw.package.as_ref()?;
        let metadata_tier = package
            .metadata
            .as_ref()
            .and_then(|m| m.countersign.as_ref())
            .and_then(|c| c.tier.clone())
            .and_then(|tier| self.check_tier(tree, &dir, &text, tier));
        let name = package
            .name
            .clone()
            .unwrap_or_else(|| dir.rsplit('/').next().unwrap_or("").to_string());
        let edition = match &package.edition {
            Some(Inheritable::Value(e)) => e.clone(),
            Some(Inheritable::Inherit { .. }) => settings
                .edition
                .clone()
                .unwrap_or_else(|| "2015".to_string()),
            None => "2015".to_string(),
        };
        let declared = DeclaredTargets {
            explicit: [
                !raw.bin.is_empty(),
                !raw.test.is_empty(),
                !raw.bench.is_empty(),
                !raw.example.is_empty(),
            ],
            lib: raw.lib.clone(),
            bins: raw.bin.clone(),
            tests: raw.test.clone(),
            benches: raw.bench.clone(),
            examples: raw.example.clone(),
            build: package.build.clone(),
            autolib: package.autolib,
            autobins: package.autobins,
            autotests: package.autotests,
            autobenches: package.autobenches,
            autoexamples: package.autoexamples,
            proc_macro: raw.lib.as_ref().and_then(|l| l.proc_macro).unwrap_or(false),
            build_deps: super::manifest::build_dep_names(&raw),
            build_fingerprint: super::manifest::build_fingerprint(&raw, &text),
        };
        Some(Member {
            name,
            dir,
            metadata_tier,
            edition,
            deps: member_deps,
            inherits: deps::inherited_keys(&raw),
            declared,
            path_only,
        })
    }

    /// Records a problem for each `members` glob whose directories hold no usable package.
    fn check_globs(&mut self, tree: &impl RepoFiles, settings: &RootSettings, root_text: &str) {
        for (pattern, dirs) in &settings.expanded {
            let lost: Vec<&String> = dirs
                .iter()
                .filter(|d| !self.excluded(settings, d))
                .filter(|d| !self.members.iter().any(|m| &m.dir == *d))
                .collect();
            let why = members::unusable(pattern, &lost);
            if let Some((message, help)) = why {
                let quoted = format!("\"{pattern}\"");
                let span = root_text
                    .find(&quoted)
                    .map_or(0..0, |i| i + 1..i + quoted.len() - 1);
                self.problems.push(Diagnostic::at_span(
                    &tree.display_path("Cargo.toml"),
                    root_text,
                    span,
                    message,
                    Some(help),
                ));
            }
        }
    }

    /// Reads and parses the manifest in `dir`; a parse failure is recorded as a problem.
    fn read_manifest(
        &mut self,
        tree: &impl RepoFiles,
        dir: &str,
        ahead: &mut HashMap<String, ReadAhead>,
    ) -> Result<Option<Parsed>> {
        let path = manifest_in(dir);
        let (text, parsed) = match ahead.remove(&path).or_else(|| known_manifest(tree, &path)) {
            Some(read) => read,
            None => {
                let Some(bytes) = tree.read(&path)? else {
                    return Ok(None);
                };
                let text = String::from_utf8_lossy(&bytes).into_owned();
                let parsed = parse_manifest(&text);
                if let (Some(id), Ok(raw)) = (tree.blob_id(&path), &parsed) {
                    remember_manifest(id, &text, raw);
                }
                (text, parsed)
            }
        };
        match parsed {
            Ok(raw) => Ok(Some(Parsed { raw, text })),
            Err(e) => {
                let span = e.span().unwrap_or(0..0);
                self.problems.push(Diagnostic::at_span(
                    &tree.display_path(&path),
                    &text,
                    span,
                    format!("this manifest does not parse: {}", e.message()),
                    Some("fix the TOML so that cargo can read it".to_string()),
                ));
                // Keep what can be read: a package with a name, so the crate still counts
                // (fail closed: a broken manifest must not take its crate, and the crates
                // depending on it, out of the change's reach).
                let name = match toml::from_str::<toml::Table>(&text) {
                    Ok(t) => t
                        .get("package")
                        .and_then(|p| p.get("name"))
                        .and_then(|n| n.as_str())
                        .map(str::to_string),
                    Err(_) => salvaged_package_name(&text, dir),
                };
                let raw = RawManifest {
                    package: name.as_deref().map(super::manifest::RawPackage::named),
                    ..RawManifest::default()
                };
                Ok(Some(Parsed {
                    raw: Arc::new(raw),
                    text,
                }))
            }
        }
    }

    /// Checks a `[package.metadata.countersign] tier` value, recording a misspelt tier as a
    /// problem positioned in the manifest.
    fn check_tier(
        &mut self,
        tree: &impl RepoFiles,
        dir: &str,
        text: &str,
        tier: toml::Spanned<String>,
    ) -> Option<Tier> {
        if let Some(t) = Tier::from_name(tier.get_ref()) {
            return Some(t);
        }
        // Point at the string's contents, not its opening quote.
        let span = tier.span();
        self.problems.push(Diagnostic::at_span(
            &tree.display_path(&manifest_in(dir)),
            text,
            span.start + 1..span.end.saturating_sub(1).max(span.start + 1),
            format!(
                "unknown tier `{}` in [package.metadata.countersign]",
                tier.get_ref()
            ),
            Some(format!("write one of {}", tier_names_hint(tier.get_ref()))),
        ));
        None
    }

    /// The member a repository path belongs to: the nearest member directory above it,
    /// unless an `exclude`d directory lies between them (an excluded package's files are not
    /// the enclosing member's).
    pub(crate) fn member_of(&self, path: &GitPath) -> Option<&Member> {
        let index = self.index();
        let member = ancestors_or_self(path.as_bytes())
            .filter_map(|dir| std::str::from_utf8(dir).ok())
            .find_map(|dir| index.by_dir.get(dir))
            .map(|i| &self.members[*i])?;
        let excluded_below = self.exclude.iter().any(|x| {
            !x.is_empty()
                && path.starts_with_dir(x)
                && x.len() > member.dir.len()
                && GitPath::from(x.as_str()).starts_with_dir(&member.dir)
        });
        (!excluded_below).then_some(member)
    }

    /// The member named `name`.
    pub fn member(&self, name: &str) -> Option<&Member> {
        self.index().by_name.get(name).map(|i| &self.members[*i])
    }

    /// The members whose directory, case-folded, holds `folded` (a case-folded path), in
    /// member order: where a case-insensitive checkout writes the path.
    pub(crate) fn members_holding_folded(&self, folded: &GitPath) -> Vec<&Member> {
        let index = self.index();
        let mut found: Vec<usize> = ancestors_or_self(folded.as_bytes())
            .filter_map(|dir| index.by_folded_dir.get(dir))
            .flatten()
            .copied()
            .collect();
        found.sort_unstable();
        found.dedup();
        found.into_iter().map(|i| &self.members[i]).collect()
    }

    /// True when every member's directory is [`plain_dir`] (case folding moves no path of
    /// this workspace into another member).
    pub(crate) fn member_dirs_plain(&self) -> bool {
        self.index().plain_dirs
    }

    fn index(&self) -> &MemberIndex {
        self.index.get_or_init(|| {
            let mut index = MemberIndex {
                plain_dirs: self.members.iter().all(|m| plain_dir(&m.dir)),
                ..MemberIndex::default()
            };
            for (i, m) in self.members.iter().enumerate() {
                index.by_dir.insert(m.dir.clone(), i);
                index.by_name.entry(m.name.clone()).or_insert(i);
                let folded = GitPath::from(m.dir.as_str()).folded();
                index
                    .by_folded_dir
                    .entry(folded.as_bytes().to_vec())
                    .or_default()
                    .push(i);
            }
            index
        })
    }

    /// The path dependencies pointing at `dir` or below it: (member, dependency key, path).
    pub(crate) fn path_deps_below(&self, dir: &str) -> Vec<(&str, &str, &str)> {
        let index = self.dep_paths.get_or_init(|| {
            let mut out: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
            for m in &self.members {
                for d in &m.deps {
                    if let Some(p) = &d.path {
                        out.entry(p.clone())
                            .or_default()
                            .push((m.name.clone(), d.key.clone()));
                    }
                }
            }
            out
        });
        // Asked for every changed path: the keys holding `dir` as a prefix follow it in
        // order, and of those the ones below it continue with `/` (no bound allocated).
        use std::ops::Bound;
        let below = index
            .range::<str, _>((Bound::Excluded(dir), Bound::Unbounded))
            .take_while(|(p, _)| p.starts_with(dir))
            .filter(|(p, _)| p.as_bytes().get(dir.len()) == Some(&b'/'));
        let exact = index.get_key_value(dir).into_iter();
        exact
            .chain(below)
            .flat_map(|(p, who)| {
                who.iter()
                    .map(move |(m, k)| (m.as_str(), k.as_str(), p.as_str()))
            })
            .collect()
    }

    /// Members whose code runs on the build machine, each with why: proc-macro crates,
    /// members used as a build dependency, and (transitively) the normal dependencies of
    /// those, which are compiled into them.
    pub(crate) fn build_time_members(&self) -> &BTreeMap<String, String> {
        self.build_time.get_or_init(|| {
            let mut out: BTreeMap<String, String> = BTreeMap::new();
            let mut queue: Vec<String> = Vec::new();
            for m in &self.members {
                if m.declared.proc_macro {
                    out.insert(
                        m.name.clone(),
                        format!("`{}` is a proc-macro crate", m.name),
                    );
                    queue.push(m.name.clone());
                }
            }
            let edges = self.edge_list();
            for e in edges.iter().filter(|e| e.kind == DepKind::Build) {
                if !out.contains_key(&e.to) {
                    out.insert(
                        e.to.clone(),
                        format!("`{}` is a build dependency of `{}`", e.to, e.from),
                    );
                    queue.push(e.to.clone());
                }
            }
            while let Some(name) = queue.pop() {
                for e in edges
                    .iter()
                    .filter(|e| e.from == name && e.kind == DepKind::Normal)
                {
                    if !out.contains_key(&e.to) {
                        out.insert(
                            e.to.clone(),
                            format!(
                                "`{}` is compiled into `{}`, which runs at build time",
                                e.to, name
                            ),
                        );
                        queue.push(e.to.clone());
                    }
                }
            }
            out
        })
    }

    /// Every path-dependency edge between members, in member order. A path dependency on a
    /// directory that is not a member (outside the workspace, or excluded) is no edge.
    pub fn edges(&self) -> Vec<Edge> {
        self.edge_list().to_vec()
    }

    /// [`Workspace::edges`], borrowed: worked out once per workspace.
    pub(crate) fn edge_list(&self) -> &[Edge] {
        self.edges.get_or_init(|| self.find_edges())
    }

    fn find_edges(&self) -> Vec<Edge> {
        let by_dir: BTreeMap<&str, &Member> =
            self.members.iter().map(|m| (m.dir.as_str(), m)).collect();
        let mut edges = Vec::new();
        for m in &self.members {
            for d in &m.deps {
                let Some(to) = d.path.as_deref().and_then(|p| by_dir.get(p)) else {
                    continue;
                };
                let extern_name = if d.renamed {
                    d.key.replace('-', "_")
                } else {
                    to.lib_name()
                };
                edges.push(Edge {
                    from: m.name.clone(),
                    to: to.name.clone(),
                    kind: d.kind,
                    target: d.target.clone(),
                    extern_name,
                });
            }
        }
        edges
    }
}

/// `"autonomous", "supervised" or "prohibited"`, closest to `written` first.
pub(crate) fn tier_names_hint(written: &str) -> String {
    let mut names: Vec<&str> = Tier::ALL.iter().map(|t| t.name()).collect();
    names.sort_by_key(|n| edit_distance(n, &written.to_lowercase()));
    format!("\"{}\" (or \"{}\", \"{}\")", names[0], names[1], names[2])
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The package name of a manifest that is not valid TOML: the first `name = "…"` line of its
/// `[package]` table, else the folder's name (the name cargo would suggest), so that the crate
/// stays a member and keeps its dependents. Only for a manifest that exists and names
/// `[package]`; None otherwise.
fn salvaged_package_name(text: &str, dir: &str) -> Option<String> {
    let mut in_package = false;
    let mut saw_package = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_package = line.trim_start_matches('[').trim_end_matches(']').trim() == "package";
            saw_package |= in_package;
            continue;
        }
        if !in_package {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        if key.trim() == "name" {
            let value = value.trim().trim_matches(['"', '\'']);
            if !value.is_empty()
                && value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            {
                return Some(value.to_string());
            }
        }
    }
    saw_package
        .then(|| dir.rsplit('/').next().filter(|d| !d.is_empty()))
        .flatten()
        .map(str::to_string)
}
