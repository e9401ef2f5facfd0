//! Tier classification: the direct tier of each touched path and crate, with reasons a person
//! reads.
//!
//! - A path's tier is the highest of every rule that matches it — a path glob, a crate rule
//!   naming the crate the file belongs to, that crate's `[package.metadata.countersign] tier` —
//!   and `default_tier` when nothing matches. No rule can lower what another raised.
//! - Anything under `.countersign/` is prohibited, whatever the rules say.
//! - A crate's own tier is the tier its `Cargo.toml` gets as a touched file.
//! - A commit's direct tier is the highest of its files' tiers (both sides of a rename).
//!
//! Escalation through dependents (the effective tier) is applied on top of the
//! [`TierVerdict`] by [`Classifier::escalate`], from the crates the impact analysis reached.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{BuildCode, Policy, Reach};
use crate::git::{CommitChange, GitPath};
use crate::impact::compiled::{Certainty, Inclusions};
use crate::impact::{CrateImpact, Member, Workspace};
use crate::model::Tier;

/// A touched path and its tier.
#[derive(Clone, Debug, Serialize)]
pub struct PathTier {
    /// A path the change touches (each side of a rename is judged).
    pub path: GitPath,
    /// The tier the path's own rules give, before escalation.
    pub tier: Tier,
    /// The workspace member it belongs to, if any.
    #[serde(rename = "crate")]
    pub crate_name: Option<String>,
    /// Why, as a sentence.
    pub why: String,
}

/// A touched crate and its own tier.
#[derive(Clone, Debug, Serialize)]
pub struct CrateTier {
    /// Package name.
    pub name: String,
    /// The crate's directory, relative to the repository root.
    pub dir: String,
    /// Its own tier.
    pub tier: Tier,
    /// Why, as a sentence.
    pub why: String,
}

/// A commit's tier with the reasons for it.
#[derive(Clone, Debug, Serialize)]
pub struct TierVerdict {
    /// The effective tier (equal to `direct_tier` until escalation raises it).
    pub tier: Tier,
    /// The highest tier of the touched paths.
    pub direct_tier: Tier,
    /// Sentences explaining `tier`, most important first.
    pub reasons: Vec<String>,
    /// Every touched path with its tier.
    pub paths: Vec<PathTier>,
    /// Every touched crate with its own tier.
    pub crates: Vec<CrateTier>,
}

/// Assigns tiers under one policy. `trusted` is the workspace at the trusted revision: its
/// Cargo metadata tiers count too, so a change cannot lower its crate's tier by editing its
/// own `Cargo.toml`.
pub struct Classifier<'a> {
    policy: &'a Policy,
    trusted: &'a Workspace,
    inclusions: Option<&'a Inclusions>,
    /// Changed paths whose content reaches named crates beyond their folder (a manifest
    /// change altering a member's features, a `.gitattributes` change setting checkout
    /// attributes): path → (crates, why).
    reaches: Option<&'a BTreeMap<GitPath, (Vec<String>, String)>>,
    /// The trusted workspace's crates' own tiers as [`Classifier::escalate`] found them, by
    /// the member's address in `trusted` (which never changes under one classifier's
    /// owner): a range's commits reach the same crates again and again.
    trusted_tiers: Option<&'a std::cell::RefCell<std::collections::HashMap<usize, Tier>>>,
}

/// One reason a path gets a tier.
struct Match {
    tier: Tier,
    why: String,
}

impl<'a> Classifier<'a> {
    /// A classifier for `policy`, with Cargo metadata tiers from the `trusted` workspace.
    pub fn new(policy: &'a Policy, trusted: &'a Workspace) -> Self {
        Classifier {
            policy,
            trusted,
            inclusions: None,
            reaches: None,
            trusted_tiers: None,
        }
    }

    /// The same classifier, keeping the trusted crates' tiers that [`Classifier::escalate`]
    /// finds in `memo`, which must be used with this policy and trusted workspace only, and
    /// with no inclusions or reaches (they do not change a crate's tier there).
    pub fn with_trusted_tiers(
        mut self,
        memo: &'a std::cell::RefCell<std::collections::HashMap<usize, Tier>>,
    ) -> Self {
        self.trusted_tiers = Some(memo);
        self
    }

    /// The own tier of `m`, a member of the trusted workspace (see `trusted_tiers`).
    fn trusted_crate_tier(&self, m: &Member) -> Tier {
        let usable = self.inclusions.is_none() && self.reaches.is_none();
        let Some(memo) = self.trusted_tiers.filter(|_| usable) else {
            return self.crate_tier(m, self.trusted).tier;
        };
        let key = m as *const Member as usize;
        if let Some(t) = memo.borrow().get(&key) {
            return *t;
        }
        let t = self.crate_tier(m, self.trusted).tier;
        memo.borrow_mut().insert(key, t);
        t
    }

    /// The same classifier, also giving each of these changed paths the tiers of the crates
    /// its content reaches (path → (crates, why)): a manifest change that alters another
    /// member's features, a `.gitattributes` change setting checkout attributes.
    pub fn with_reaches(mut self, reaches: &'a BTreeMap<GitPath, (Vec<String>, String)>) -> Self {
        self.reaches = Some(reaches);
        self
    }

    /// The same classifier, also giving a file the tier of every crate that compiles it
    /// from outside its directory (`#[path]`, `include!`, symlinks, build inputs).
    pub fn with_inclusions(mut self, inclusions: &'a Inclusions) -> Self {
        self.inclusions = Some(inclusions);
        self
    }

    /// The tier of `path` in workspace `ws` (the workspace of the revision it belongs to).
    pub fn path_tier(&self, path: &GitPath, ws: &Workspace) -> PathTier {
        // A file in a crate's folder that the crate provably does not build takes only its
        // path rules (without the scan, every file there counts as the crate's).
        let member = ws
            .member_of(path)
            .filter(|m| !self.inclusions.is_some_and(|i| i.not_built(m, path)));
        let mut found = self.matches(path, member);
        for c in self
            .inclusions
            .map(|i| i.compilers(path))
            .unwrap_or_default()
        {
            let name = &c.krate;
            let Some(compiler) = ws.member(name).or_else(|| self.trusted.member(name)) else {
                continue;
            };
            if member.is_some_and(|m| &m.name == name) {
                continue;
            }
            let manifest = GitPath::from(compiler.manifest_path().as_str());
            let Some(best) = self
                .matches(&manifest, Some(compiler))
                .into_iter()
                .max_by_key(|m| m.tier)
            else {
                continue;
            };
            let why = match c.certainty {
                Certainty::Does => format!(
                    "it is compiled into `{name}` ({}), which is {}: {}",
                    c.how, best.tier, best.why
                ),
                Certainty::May => format!(
                    "`{name}` may include files outside it ({}), and `{name}` is {}: {}",
                    c.how, best.tier, best.why
                ),
            };
            found.push(Match {
                tier: best.tier,
                why,
            });
        }
        found.extend(self.compiled_below(path, ws));
        let best = found
            .into_iter()
            .max_by_key(|m| m.tier)
            .unwrap_or_else(|| Match {
                tier: self.policy.default_tier,
                why: format!(
                    "no rule matches it, so default_tier ({}) applies",
                    self.policy.default_tier
                ),
            });
        // Stricter only: what the path is on a case-insensitive checkout may raise its tier,
        // never lower it (a case-folded match must not replace default_tier).
        let best = match self
            .case_folded(path, ws)
            .into_iter()
            .max_by_key(|m| m.tier)
        {
            Some(m) if m.tier > best.tier => m,
            _ => best,
        };
        // Code that runs on the build machine can write anywhere: at least build_code,
        // whatever crate holds it (`cap` does not apply: this is the direct tier).
        let best = match self.build_time(path, ws, member) {
            Some(why) if self.build_code_tier() > best.tier => Match {
                tier: self.build_code_tier(),
                why: format!(
                    "{why}, code that runs on the build machine: [escalation] build_code makes \
                     it at least {}",
                    self.build_code_tier()
                ),
            },
            _ => best,
        };
        PathTier {
            path: path.clone(),
            tier: best.tier,
            crate_name: member.map(|m| m.name.clone()),
            why: best.why,
        }
    }

    /// The tiers of the crates that compile files below `path`: a submodule (whose content
    /// the gate does not have) or directory holding a crate's path dependency or an included
    /// file. By path, since the content is not there to read (fail closed).
    fn compiled_below(&self, path: &GitPath, ws: &Workspace) -> Vec<Match> {
        let Ok(dir) = std::str::from_utf8(path.as_bytes()) else {
            return Vec::new();
        };
        let mut found = Vec::new();
        let mut push = |m: &Member, how: String| {
            let manifest = GitPath::from(m.manifest_path().as_str());
            if let Some(best) = self
                .matches(&manifest, Some(m))
                .into_iter()
                .max_by_key(|x| x.tier)
            {
                found.push(Match {
                    tier: best.tier,
                    why: format!(
                        "`{}` compiles files below it ({how}), and is {}: {}",
                        m.name, best.tier, best.why
                    ),
                });
            }
        };
        for w in [ws, self.trusted] {
            for (name, key, dp) in w.path_deps_below(dir) {
                if let Some(m) = w.member(name) {
                    push(m, format!("path dependency `{key}` at {dp}"));
                }
            }
        }
        let under = self
            .inclusions
            .map(|i| i.compiled_under(dir))
            .unwrap_or_default();
        for (krate, how) in under {
            if let Some(m) = ws.member(&krate).or_else(|| self.trusted.member(&krate)) {
                push(m, how);
            }
        }
        found
    }

    /// The tier `[escalation] build_code` stands for (`"max"`: the highest tier any rule,
    /// `default_tier` or crate metadata has).
    pub fn build_code_tier(&self) -> Tier {
        match self.policy.escalation.build_code {
            BuildCode::Tier(t) => t,
            BuildCode::Max => self
                .policy
                .rules
                .iter()
                .map(|r| r.tier)
                .chain(self.trusted.members.iter().filter_map(|m| m.metadata_tier))
                .fold(self.policy.default_tier, Tier::max),
        }
    }

    /// Why `path` is code that runs on the build machine (DESIGN, "Build-time code"), if it
    /// is: a build script or what it includes, a source file of a proc-macro crate or of a
    /// member used at build time, Cargo configuration or a toolchain file at any depth.
    fn build_time(
        &self,
        path: &GitPath,
        ws: &Workspace,
        member: Option<&Member>,
    ) -> Option<String> {
        let text = String::from_utf8_lossy(path.as_bytes());
        let mut parts = text.split('/').rev();
        let name = parts.next().unwrap_or_default();
        let parent = parts.next();
        if parent == Some(".cargo") || text.split('/').any(|p| p == ".cargo") {
            return Some(format!(
                "it is Cargo configuration (`{name}` under .cargo/: runner, linker, \
                 rustc-wrapper, rustflags, [env], [source] replacement)"
            ));
        }
        if name == "rust-toolchain" || name == "rust-toolchain.toml" {
            return Some("it is a toolchain file (it picks the compiler cargo runs)".into());
        }
        if let Some(why) = self.inclusions.and_then(|i| i.build_code(path)) {
            return Some(why);
        }
        let m = member?;
        if crate::impact::compiled::build_scripts(m)
            .iter()
            .any(|b| b.as_bytes() == path.as_bytes())
        {
            return Some(format!("it is the build script of `{}`", m.name));
        }
        let source = text.ends_with(".rs") || text == m.manifest_path();
        let why = ws
            .build_time_members()
            .get(&m.name)
            .or_else(|| self.trusted.build_time_members().get(&m.name));
        why.filter(|_| source)
            .map(|why| format!("it is in `{}`, and {why}", m.name))
    }

    /// What `path` is on a case-insensitive checkout (macOS, Windows) but not byte for byte:
    /// `Billing/src/lib.rs` is written into `billing/` there and compiled into that crate, and
    /// `DOCS/x` is under a rule for `docs/**`. Each such rule and crate, with its tier.
    fn case_folded(&self, path: &GitPath, ws: &Workspace) -> Vec<Match> {
        let folded = path.folded();
        let mut found = Vec::new();
        let globs = &self.policy.path_globs;
        let on_folded = globs.matching_folded(path.as_path(), folded.as_path());
        // The rules matching exactly are the path's own (`matches`): asked for only when a
        // rule matches case-insensitively at all.
        let exact: Vec<usize> = if on_folded.is_empty() {
            Vec::new()
        } else {
            globs
                .matching(path.as_path())
                .into_iter()
                .map(|(r, _)| r)
                .collect()
        };
        for r in on_folded {
            if let Some(rule) = self.policy.rules.get(r).filter(|_| !exact.contains(&r)) {
                found.push(Match {
                    tier: rule.tier,
                    why: format!(
                        "on a case-insensitive checkout it matches the policy rule at line {}",
                        rule.line
                    ),
                });
            }
        }
        let exact = ws.member_of(path).map(|m| m.name.as_str());
        let unchanged = folded.as_bytes() == path.as_bytes();
        // A directory of lowercase letters, digits, `-`, `_` and `/` folds to itself: with a
        // path that does too, folding adds nothing (and costs nothing on the common case).
        let plain = crate::impact::plain_dir;
        // Members whose directory, folded, holds the folded path: where a case-insensitive
        // checkout writes it. None can count for a path that folds to itself when every
        // member's directory is plain (the loop below passes over each of them).
        if unchanged && ws.member_dirs_plain() && self.trusted.member_dirs_plain() {
            return found;
        }
        let holding = ws
            .members_holding_folded(&folded)
            .into_iter()
            .chain(self.trusted.members_holding_folded(&folded));
        for m in holding {
            if m.dir.is_empty()
                || Some(m.name.as_str()) == exact
                || path.starts_with_dir(&m.dir)
                || (unchanged && plain(&m.dir))
            {
                continue;
            }
            let manifest = GitPath::from(m.manifest_path().as_str());
            if let Some(best) = self
                .matches(&manifest, Some(m))
                .into_iter()
                .max_by_key(|x| x.tier)
            {
                found.push(Match {
                    tier: best.tier,
                    why: format!(
                        "on a case-insensitive checkout it is in `{}`, which is {}: {}",
                        m.dir, best.tier, best.why
                    ),
                });
            }
        }
        found
    }

    /// A crate's own tier: the tier its `Cargo.toml` gets as a touched file.
    pub fn crate_tier(&self, member: &Member, ws: &Workspace) -> CrateTier {
        let manifest = GitPath::from(member.manifest_path().as_str());
        let t = self.path_tier(&manifest, ws);
        CrateTier {
            name: member.name.clone(),
            dir: member.dir.clone(),
            tier: t.tier,
            why: t.why,
        }
    }

    /// Every rule that matches `path` (belonging to `member`), with its tier and reason.
    fn matches(&self, path: &GitPath, member: Option<&Member>) -> Vec<Match> {
        let mut found = Vec::new();
        if path.starts_with_dir(".countersign") {
            found.push(Match {
                tier: Tier::Prohibited,
                why: "it is under .countersign/, which is always prohibited".to_string(),
            });
        }
        // Strict, not clever: a path whose text is not what a checkout would make of it
        // (`docs/../crates/billing/src/lib.rs` matches `docs/**`, yet names a billing file to
        // any tool that normalises it) is not classified by its text at all. Normalising it
        // would guess which reading the build uses; git refuses to check it out, so no honest
        // change holds one, and the highest tier costs an honest author nothing.
        if let Some(why) = path.irregularity() {
            found.push(Match {
                tier: Tier::Prohibited,
                why: format!(
                    "its path is irregular ({why}): its rules cannot be trusted to match what \
                     a checkout makes of it, so it gets the highest tier"
                ),
            });
        }
        // `.Countersign/policy.toml` is `.countersign/policy.toml` on a case-insensitive
        // checkout (macOS, Windows): the policy directory's tier, whichever spelling.
        if path.aliases_countersign_dir() {
            found.push(Match {
                tier: Tier::Prohibited,
                why: "on a case-insensitive file system it is under .countersign/, which is \
                      always prohibited"
                    .to_string(),
            });
        }
        for (r, g) in self.policy.path_globs.matching(path.as_path()) {
            if let Some(rule) = self.policy.rules.get(r) {
                let glob = rule.paths.get(g).map(String::as_str).unwrap_or_default();
                found.push(Match {
                    tier: rule.tier,
                    why: format!("it matches `{glob}` (policy rule at line {})", rule.line),
                });
            }
        }
        for rule in &self.policy.rules {
            if let Some(m) = member.filter(|m| rule.crates.contains(&m.name)) {
                found.push(Match {
                    tier: rule.tier,
                    why: format!(
                        "crate `{}` is named by the policy rule at line {}",
                        m.name, rule.line
                    ),
                });
            }
        }
        if let Some(m) = member {
            let trusted = self.trusted.member(&m.name).and_then(|t| t.metadata_tier);
            if let Some(tier) = trusted.max(m.metadata_tier) {
                found.push(Match {
                    tier,
                    why: format!(
                        "`{}` is {tier} by its Cargo.toml",
                        if m.dir.is_empty() {
                            m.name.as_str()
                        } else {
                            m.dir.as_str()
                        }
                    ),
                });
            }
        }
        found
    }

    /// The tier of `path` as the strictest of the workspaces in `views` sees it (the first
    /// one's answer when they agree).
    fn strictest(&self, path: &GitPath, views: &[&Workspace]) -> PathTier {
        let mut best: Option<PathTier> = None;
        for (i, ws) in views.iter().enumerate() {
            // The same workspace twice (a commit that touches no manifest has its parent's)
            // answers the same: asked once.
            if views[..i].iter().any(|v| std::ptr::eq(*v, *ws)) {
                continue;
            }
            let t = self.path_tier(path, ws);
            if best.as_ref().is_none_or(|b| t.tier > b.tier) {
                best = Some(t);
            }
        }
        best.unwrap_or_else(|| self.path_tier(path, &Workspace::default()))
    }

    /// The direct tier of `commit`, whose new side lives in `ws` and old side in `parent_ws`.
    pub fn classify<'w>(
        &self,
        commit: &CommitChange,
        ws: &'w Workspace,
        parent_ws: &'w Workspace,
    ) -> TierVerdict {
        let mut paths: Vec<PathTier> = Vec::new();
        // A path's crate is looked up in the commit's workspace, its parent's and the trusted
        // one, and the strictest answer wins: a change cannot lower its tier by renaming its
        // crate or excluding it from the workspace in the same commit.
        let views = [ws, parent_ws, self.trusted];
        for file in &commit.files {
            if let Some(p) = &file.new_path {
                paths.push(self.strictest(p, &views));
            }
            if let Some(p) = file
                .old_path
                .as_ref()
                .filter(|o| Some(*o) != file.new_path.as_ref())
            {
                paths.push(self.strictest(p, &views));
            }
        }
        // A manifest change that alters what runs at build time (build script, proc-macro,
        // build dependencies, links) is build-time code too.
        let least = self.build_code_tier();
        for p in paths.iter_mut().filter(|p| p.tier < least) {
            let find = |w: &'w Workspace| {
                w.members
                    .iter()
                    .find(|m| m.manifest_path().as_bytes() == p.path.as_bytes())
            };
            let print = |m: Option<&Member>| m.map_or(0, |m| m.declared.build_fingerprint);
            let (new, old) = (find(ws), find(parent_ws));
            if print(new) != print(old) {
                let name = new.or(old).map(|m| m.name.as_str()).unwrap_or_default();
                p.tier = least;
                p.why = format!(
                    "it changes the code that runs on the build machine for `{name}` (build \
                     script, links, proc-macro or build dependencies): [escalation] build_code \
                     makes it at least {least}"
                );
            }
        }
        // What a path's content reaches beyond its folder: at least those crates' tiers
        // (`cap` does not apply: this is the direct tier).
        for p in paths.iter_mut() {
            let Some((names, why)) = self.reaches.and_then(|r| r.get(&p.path)) else {
                continue;
            };
            for name in names {
                let Some((m, w)) = [ws, parent_ws, self.trusted]
                    .into_iter()
                    .find_map(|w| w.member(name).map(|m| (m, w)))
                else {
                    continue;
                };
                let own = self.crate_tier(m, w);
                if own.tier > p.tier {
                    p.tier = own.tier;
                    p.why = format!("{why}, and `{name}` is {}: {}", own.tier, own.why);
                }
            }
        }
        let mut crates: Vec<CrateTier> = Vec::new();
        for name in paths.iter().filter_map(|p| p.crate_name.as_deref()) {
            if crates.iter().any(|c| c.name == name) {
                continue;
            }
            let (member, in_ws) = match ws.member(name) {
                Some(m) => (m, ws),
                None => match parent_ws.member(name) {
                    Some(m) => (m, parent_ws),
                    None => continue,
                },
            };
            crates.push(self.crate_tier(member, in_ws));
        }
        let direct = paths
            .iter()
            .map(|p| p.tier)
            .max()
            .unwrap_or(Tier::Autonomous);
        let reasons = if paths.is_empty() {
            vec!["the commit changes no files".to_string()]
        } else {
            top_reasons(&paths, direct)
        };
        TierVerdict {
            tier: direct,
            direct_tier: direct,
            reasons,
            paths,
            crates,
        }
    }
}

/// Sentences for the paths that set the tier: up to three, then a count of the rest.
fn top_reasons(paths: &[PathTier], tier: Tier) -> Vec<String> {
    let top: Vec<&PathTier> = paths.iter().filter(|p| p.tier == tier).collect();
    let mut reasons: Vec<String> = top
        .iter()
        .take(3)
        .map(|p| format!("`{}` is {tier}: {}", p.path, p.why))
        .collect();
    if top.len() > 3 {
        reasons.push(format!("and {} more {tier} files", top.len() - 3));
    }
    reasons
}

/// A verdict raised by escalation, with the own tier of every crate weighed.
#[derive(Clone, Debug)]
pub struct Escalated {
    /// The verdict with the effective tier and, first among its reasons, the chain that
    /// raised it (when escalation raised it).
    pub verdict: TierVerdict,
    /// Each reached crate's own tier, by name.
    pub crate_tiers: BTreeMap<String, Tier>,
}

impl Classifier<'_> {
    /// Applies escalation to a direct `verdict`: the effective tier is the highest of the
    /// direct tier and, for every crate in `reached` within the policy's `escalation.reach`
    /// (distance 0 for `none`, up to 1 for `direct`, any for `transitive`), that crate's own
    /// tier lowered to `escalation.cap`. `tip` is the workspace the crates live in (`base`
    /// for deleted ones). The first reason names the chain that raised the tier.
    pub fn escalate(
        &self,
        mut verdict: TierVerdict,
        reached: &[CrateImpact],
        tip: &Workspace,
        base: &Workspace,
    ) -> Escalated {
        let esc = &self.policy.escalation;
        let mut crate_tiers = BTreeMap::new();
        // (capped tier, own tier, crate), the best candidate first.
        let mut best: Option<(Tier, Tier, &CrateImpact)> = None;
        for c in reached {
            let found = if c.deleted {
                base.member(&c.name).map(|m| (m, base))
            } else {
                tip.member(&c.name).map(|m| (m, tip))
            };
            let Some((member, ws)) = found else {
                continue;
            };
            // The trusted workspace's crate at the same directory (or of the same name) counts
            // too, so renaming a crate in the change does not shed its tier.
            let trusted = [
                self.trusted.members.iter().find(|m| m.dir == member.dir),
                self.trusted.member(&c.name),
            ];
            let own = trusted
                .into_iter()
                .flatten()
                .map(|m| self.trusted_crate_tier(m))
                .fold(self.crate_tier(member, ws).tier, Tier::max);
            crate_tiers.insert(c.name.clone(), own);
            let within = match esc.reach {
                Reach::None => c.distance == 0,
                Reach::Direct => c.distance <= 1,
                Reach::Transitive => true,
            };
            if !within {
                continue;
            }
            let capped = own.min(esc.cap);
            // The highest tier wins; then a dependency over a dev-dependency, then nearness.
            let key = |capped, own, c: &CrateImpact| {
                (capped, own, !c.dev_only, std::cmp::Reverse(c.distance))
            };
            let better =
                best.is_none_or(|(bc, bo, bcrate)| key(capped, own, c) > key(bc, bo, bcrate));
            if better {
                best = Some((capped, own, c));
            }
        }
        if let Some((capped, own, c)) = best.filter(|(capped, _, _)| *capped > verdict.tier) {
            let mut sentence = format!("{capped}: {}", chain_sentence(c, own));
            if own > esc.cap {
                sentence.push_str(&format!("; escalation capped at {}", esc.cap));
            }
            verdict.tier = capped;
            verdict.reasons.insert(0, sentence);
        }
        Escalated {
            verdict,
            crate_tiers,
        }
    }
}

/// "`billing-api` (prohibited) depends on `core-types` through `auth`".
fn chain_sentence(c: &CrateImpact, own: Tier) -> String {
    let name = &c.name;
    if c.distance == 0 || c.via.len() < 2 {
        return if c.changed {
            format!("`{name}` ({own}) is changed itself")
        } else {
            format!("`{name}` ({own}) is affected by a workspace-wide file")
        };
    }
    let start = &c.via[0];
    let verb = if c.dev_only {
        "dev-depends on"
    } else {
        "depends on"
    };
    let middle = &c.via[1..c.via.len() - 1];
    let mut s = format!("`{name}` ({own}) {verb} `{start}`");
    if !middle.is_empty() {
        let through: Vec<String> = middle.iter().map(|m| format!("`{m}`")).collect();
        s.push_str(&format!(" through {}", through.join(", ")));
    }
    if c.dev_only {
        s.push_str(" (its tests, benches and examples)");
    }
    s
}
