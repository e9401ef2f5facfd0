//! The checked policy model.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::Tier;

use super::RuleGlobs;

/// How far escalation through dependents goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Reach {
    /// Only the touched crates count.
    None,
    /// Crates that depend directly on a touched crate count too.
    Direct,
    /// Every crate that depends on a touched crate, transitively.
    Transitive,
}

impl Reach {
    /// The name used in policy files.
    pub fn name(self) -> &'static str {
        match self {
            Reach::None => "none",
            Reach::Direct => "direct",
            Reach::Transitive => "transitive",
        }
    }
}

/// The `[escalation]` table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Escalation {
    /// How far dependents raise the tier.
    pub reach: Reach,
    /// The highest tier escalation alone can give a change.
    pub cap: Tier,
    /// The least direct tier of code that runs on the build machine (build scripts, proc
    /// macros, build dependencies, `.cargo/config`, toolchain files); `cap` does not lower it.
    pub build_code: BuildCode,
}

/// `[escalation] build_code`: a tier, or `"max"` (the highest tier any rule or crate has).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuildCode {
    /// That tier.
    Tier(Tier),
    /// The highest tier any rule, `default_tier` or crate's metadata has.
    Max,
}

impl Serialize for BuildCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            BuildCode::Tier(t) => s.serialize_str(t.name()),
            BuildCode::Max => s.serialize_str("max"),
        }
    }
}

/// What a tier demands before an AI commit ships.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TierRequirement {
    /// Approvals by distinct principals.
    pub approvals: u32,
    /// The role those principals must hold (None: any roster principal).
    pub role: Option<String>,
    /// `presence`: what a security key must attest for an approval to count.
    pub presence: Presence,
    /// `independent = true`: the commit's author, committer and `Co-authored-by` people
    /// cannot approve it.
    pub independent: bool,
    /// `require_viewed`: what the counting approvals' evidence must show was viewed.
    pub require_viewed: Viewed,
}

/// A tier's `require_viewed`: `files` asks that each counting approval records files viewed
/// and that together they cover every file of the commit; `hunks` asks that, too, and that
/// each records hunks viewed (payload version 3) and together they cover every hunk.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Viewed {
    /// No viewing asked.
    #[default]
    None,
    /// Every file viewed by some counting approval, and each viewed something.
    Files,
    /// Every file and every hunk viewed by some counting approval, and each viewed something.
    Hunks,
}

/// A tier's `presence`: the sign-off must come from a security key whose signature says a
/// human touched it (`touch`) and also gave its PIN (`pin`). Only this resists a program that
/// holds the key: a passphrase in the environment or an ordinary key can never meet it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Presence {
    /// Any roster key.
    #[default]
    None,
    /// A security key's user-presence flag.
    Touch,
    /// A security key's user-presence and user-verification flags.
    Pin,
}

impl Presence {
    /// Every value, as the policy spells them.
    pub const ALL: [Presence; 3] = [Presence::None, Presence::Touch, Presence::Pin];

    /// The name in the policy file.
    pub fn name(self) -> &'static str {
        match self {
            Presence::None => "none",
            Presence::Touch => "touch",
            Presence::Pin => "pin",
        }
    }
}

/// The `[ai]` table: when is a commit AI-generated?
#[derive(Clone, Debug)]
pub struct AiRules {
    /// Trailer keys to inspect (compared case-insensitively, as git does).
    pub trailers: Vec<String>,
    /// Agent names looked for, as whole words, in those trailers' values (lowercase).
    pub agents: Vec<String>,
    /// Author and committer e-mail globs, as written.
    pub authors: Vec<String>,
    /// `authors` compiled (case-insensitive).
    pub author_set: globset::GlobSet,
    /// Notes refs holding line-level provenance logs (git-ai authorship logs, Agent Trace
    /// records): full ref names under `refs/notes/`.
    pub line_notes: Vec<String>,
}

/// The agents always recognised, to which an `[ai] agents` list adds its own (unless the
/// table says `use_defaults = false`).
pub const DEFAULT_AGENTS: &[&str] = &[
    "kiro",
    "claude",
    "copilot",
    "cursor",
    "codex",
    "devin",
    "gemini",
    "aider",
    "chatgpt",
    "openai",
    "windsurf",
    "codeium",
    "cline",
    "jules",
    "openhands",
    "tabnine",
    "amazon-q",
    "sweep",
    "amp",
    "opencode",
    "goose",
];

/// One `[[rules]]` entry, compiled.
#[derive(Clone, Debug)]
pub struct Rule {
    /// Path globs as written (compiled for matching in [`Policy::path_globs`]).
    pub paths: Vec<String>,
    /// Crate names this rule names.
    pub crates: Vec<String>,
    /// The tier it gives what it matches.
    pub tier: Tier,
    /// 1-based line of the rule's `[[rules]]` header in the policy file, for reasons.
    pub line: usize,
}

impl Rule {
    /// True when one of the rule's path globs matches `path` (compiles them each call: for
    /// tools and tests; classification uses [`Policy::path_globs`]).
    pub fn is_match(&self, path: impl AsRef<std::path::Path>) -> bool {
        self.paths.iter().any(|p| {
            super::rule_globs::glob(p, false).is_ok_and(|g| g.compile_matcher().is_match(&path))
        })
    }
}

/// Where a policy was read from: a revision's tree, or the work tree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PolicySource {
    /// The revision as named (`main`), or `work tree`.
    pub rev: String,
    /// The commit id of that revision (None for the work tree).
    pub commit: Option<String>,
}

/// A checked policy: every tier name is known, every glob compiled, every role resolved.
#[derive(Clone, Debug)]
pub struct Policy {
    /// Where it was read from; the policy a verdict was computed under.
    pub source: PolicySource,
    /// The trusted branch.
    pub base: String,
    /// Tier of paths no rule matches.
    pub default_tier: Tier,
    /// Escalation through dependents.
    pub escalation: Escalation,
    /// Role name → principals.
    pub roles: BTreeMap<String, Vec<String>>,
    /// AI provenance rules.
    pub ai: AiRules,
    /// What each tier requires, indexed by tier.
    pub tiers: BTreeMap<Tier, TierRequirement>,
    /// `[[rules]]` in file order.
    pub rules: Vec<Rule>,
    /// The path globs of all `rules`, compiled once into one set.
    pub path_globs: RuleGlobs,
    /// `sha256:<hex>` over the policy file's and roster's bytes, so a sign-off names the exact
    /// policy it was made under.
    pub digest: String,
    /// `revoked`: fingerprints (`SHA256:…`) of keys whose sign-offs never count, approve or
    /// reject — how a leaked key's veto ends (a reject otherwise stands whatever the roster
    /// says now).
    pub revoked: Vec<String>,
    /// Tiers whose `carry = "rebase"`: an approval of a commit also counts for a rewrite of
    /// it with the same verbatim patch, on a new parent on the trusted ref, at a tier not
    /// higher (default `"none"`: a rewrite is signed again).
    pub carry_rebase: std::collections::BTreeSet<Tier>,
}

impl Policy {
    /// What `tier` requires (falls back to no approvals when the table lacks it, which the
    /// parser never allows).
    pub fn requirement(&self, tier: Tier) -> TierRequirement {
        self.tiers.get(&tier).cloned().unwrap_or_default()
    }

    /// The principals holding `role`.
    pub fn principals_with_role(&self, role: &str) -> &[String] {
        self.roles.get(role).map(Vec::as_slice).unwrap_or(&[])
    }
}
