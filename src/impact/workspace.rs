//! The Cargo workspace as of a revision, read from git objects (no checkout, no network, no
//! toolchain): the root manifest's `[workspace] members`/`exclude`, a root `[package]`, and
//! each member's name and `[package.metadata.countersign] tier`.

use serde::Deserialize;

use crate::git::{GitPath, RepoFiles};
use crate::policy::{Diagnostic, Tier};
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
}

impl Member {
    /// Path of the member's manifest relative to the repository root.
    pub fn manifest_path(&self) -> String {
        manifest_in(&self.dir)
    }
}

/// The workspace as of a revision.
#[derive(Clone, Debug, Default)]
pub struct Workspace {
    /// Members, sorted by directory.
    pub members: Vec<Member>,
    /// Problems found in manifests (a misspelt metadata tier, a manifest that does not
    /// parse); the members concerned are still listed, without the bad value.
    pub problems: Vec<Diagnostic>,
}

/// A manifest's parsed form with its text, kept for positioning diagnostics.
struct Parsed {
    raw: RawManifest,
    text: String,
}

#[derive(Deserialize, Default)]
struct RawManifest {
    package: Option<RawPackage>,
    workspace: Option<RawWorkspace>,
}

#[derive(Deserialize, Default)]
struct RawWorkspace {
    #[serde(default)]
    members: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
}

#[derive(Deserialize)]
struct RawPackage {
    name: Option<String>,
    metadata: Option<RawMetadata>,
}

#[derive(Deserialize)]
struct RawMetadata {
    countersign: Option<RawCountersign>,
}

#[derive(Deserialize)]
struct RawCountersign {
    tier: Option<toml::Spanned<String>>,
}

fn manifest_in(dir: &str) -> String {
    if dir.is_empty() {
        "Cargo.toml".to_string()
    } else {
        format!("{dir}/Cargo.toml")
    }
}

impl Workspace {
    /// Reads the workspace from `tree`. A repository without a root `Cargo.toml` has no
    /// members (path rules still apply to its files).
    pub fn load(tree: &impl RepoFiles) -> Result<Workspace> {
        let mut ws = Workspace::default();
        let Some(root) = ws.read_manifest(tree, "")? else {
            return Ok(ws);
        };
        let mut dirs: Vec<String> = Vec::new();
        if root.raw.package.is_some() {
            dirs.push(String::new());
        }
        if let Some(w) = &root.raw.workspace {
            for pattern in &w.members {
                for dir in expand_member_glob(tree, pattern.trim_end_matches('/')) {
                    if !dirs.contains(&dir) {
                        dirs.push(dir);
                    }
                }
            }
            dirs.retain(|d| {
                !w.exclude.iter().any(|x| {
                    let x = x.trim_end_matches('/');
                    d == x || d.starts_with(&format!("{x}/"))
                })
            });
        }
        let mut root = Some(root);
        for dir in dirs {
            let manifest = if dir.is_empty() {
                root.take()
            } else {
                ws.read_manifest(tree, &dir)?
            };
            let Some(Parsed { raw, text }) = manifest else {
                continue;
            };
            let Some(package) = raw.package else {
                continue;
            };
            let metadata_tier = package
                .metadata
                .and_then(|m| m.countersign)
                .and_then(|c| c.tier)
                .and_then(|tier| ws.check_tier(tree, &dir, &text, tier));
            let name = package
                .name
                .unwrap_or_else(|| dir.rsplit('/').next().unwrap_or("").to_string());
            ws.members.push(Member {
                name,
                dir,
                metadata_tier,
            });
        }
        ws.members.sort_by(|a, b| a.dir.cmp(&b.dir));
        Ok(ws)
    }

    /// Reads and parses the manifest in `dir`; a parse failure is recorded as a problem.
    fn read_manifest(&mut self, tree: &impl RepoFiles, dir: &str) -> Result<Option<Parsed>> {
        let path = manifest_in(dir);
        let Some(bytes) = tree.read(&path)? else {
            return Ok(None);
        };
        let text = String::from_utf8_lossy(&bytes).into_owned();
        match toml::from_str::<RawManifest>(&text) {
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
                Ok(Some(Parsed {
                    raw: RawManifest::default(),
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

    /// The member a repository path belongs to: the nearest member directory above it.
    pub fn member_of(&self, path: &GitPath) -> Option<&Member> {
        self.members
            .iter()
            .filter(|m| path.starts_with_dir(&m.dir))
            .max_by_key(|m| m.dir.len())
    }

    /// The member named `name`.
    pub fn member(&self, name: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.name == name)
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

/// Expands a `members` entry (`crates/*`, `tools/**`, `app`) against the tree's directories,
/// keeping those that hold a `Cargo.toml`.
fn expand_member_glob(tree: &impl RepoFiles, pattern: &str) -> Vec<String> {
    let mut current = vec![String::new()];
    for component in pattern.split('/').filter(|c| !c.is_empty() && *c != ".") {
        let mut next = Vec::new();
        for base in &current {
            let join = |name: &str| {
                if base.is_empty() {
                    name.to_string()
                } else {
                    format!("{base}/{name}")
                }
            };
            if component == "**" {
                let mut stack = vec![base.clone()];
                while let Some(dir) = stack.pop() {
                    for sub in tree.subdirs(&dir) {
                        let p = if dir.is_empty() {
                            sub
                        } else {
                            format!("{dir}/{sub}")
                        };
                        stack.push(p.clone());
                        next.push(p);
                    }
                }
                next.push(base.clone());
            } else if component.contains(['*', '?', '[']) {
                let Ok(glob) = globset::Glob::new(component) else {
                    continue;
                };
                let matcher = glob.compile_matcher();
                next.extend(
                    tree.subdirs(base)
                        .iter()
                        .filter(|s| matcher.is_match(s))
                        .map(|s| join(s)),
                );
            } else {
                next.push(join(component));
            }
        }
        current = next;
    }
    let mut dirs: Vec<String> = current
        .into_iter()
        .filter(|d| tree.read(&manifest_in(d)).ok().flatten().is_some())
        .collect();
    dirs.sort();
    dirs.dedup();
    dirs
}
