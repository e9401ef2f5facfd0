//! policy.toml: raw TOML (with spans) checked into a [`Policy`].
//!
//! The file is parsed with toml's recoverable parser, which yields every syntax error and a
//! best-effort tree whose keys and values carry byte spans. The tree is then walked by hand,
//! table by table, so that one run reports every problem — unknown keys, misspelt tiers,
//! wrong types, bad globs, undefined roles — each at its own line and column. Absent keys
//! take the values in [`super::defaults`].

use std::collections::BTreeMap;
use std::ops::Range;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use toml::de::{DeArray, DeTable, DeValue};
use toml::Spanned;

use super::defaults;
use super::rule_globs::RuleGlobs;
use super::types::{Presence, Viewed};
use super::{
    AiRules, BuildCode, Diagnostics, Escalation, Policy, PolicySource, Reach, Rule,
    TierRequirement, DEFAULT_AGENTS,
};
use crate::model::diagnostic::{closest, sort_in_file_order, Sink};
use crate::model::Tier;

/// Parses and checks `text` (the contents of `.countersign/policy.toml`, shown to the user as
/// `file`). Reports every problem at once: syntax errors, unknown keys (with the closest known
/// key), misspelt tier names, bad globs, unknown roles. Does not check roles against the
/// roster; [`super::Trusted::check`] does that.
///
/// The returned policy's `digest` is empty: [`super::load_trusted`] fills it in, because the
/// digest covers the roster too.
pub fn parse_policy(text: &str, file: &str, source: PolicySource) -> Result<Policy, Diagnostics> {
    let mut sink = Sink::new(file, text);
    let policy = check_policy(&mut sink, source);
    let mut diags = sink.into_diags();
    if diags.is_empty() {
        Ok(policy)
    } else {
        sort_in_file_order(&mut diags);
        Err(Diagnostics(diags))
    }
}

/// `SHA256:` and 43 unpadded base64 characters, as `ssh-keygen -l` prints a key's fingerprint.
fn is_key_fingerprint(text: &str) -> bool {
    text.strip_prefix("SHA256:").is_some_and(|b64| {
        b64.len() == 43
            && b64
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'+' || c == b'/')
    })
}

/// The top-level keys of policy.toml.
const TOP_KEYS: &[&str] = &[
    "base",
    "default_tier",
    "escalation",
    "roles",
    "ai",
    "tiers",
    "rules",
    "revoked",
];
const ESCALATION_KEYS: &[&str] = &["reach", "cap", "build_code"];
const AI_KEYS: &[&str] = &[
    "trailers",
    "agents",
    "authors",
    "use_defaults",
    "line_notes",
];
const TIER_KEYS: &[&str] = &[
    "approvals",
    "role",
    "carry",
    "presence",
    "independent",
    "require_viewed",
];
const RULE_KEYS: &[&str] = &["paths", "crates", "tier"];
const REACHES: [Reach; 3] = [Reach::None, Reach::Direct, Reach::Transitive];

type Value<'i> = Spanned<DeValue<'i>>;

/// Walks the recovered tree, reporting into `sink`; always returns a policy (defaults where
/// something was wrong), which the caller discards when `sink` holds errors. One step per
/// part of the file, in the order the file's sections depend on each other: roles before
/// the tiers naming them, tiers (explicit, then defaulted) before the check that every role
/// they name is defined.
fn check_policy(sink: &mut Sink<'_>, source: PolicySource) -> Policy {
    let (root, syntax) = DeTable::parse_recoverable(sink.text);
    let syntax = report_syntax(sink, &syntax);
    let root = root.get_ref();

    let mut w = Walker { sink };
    w.check_keys(root, TOP_KEYS, "the top level of the policy");
    let mut policy = empty_policy(source);
    read_revoked(&mut w, root, &mut policy);
    read_base(&mut w, root, &mut policy);
    if let Some(t) = get(root, "default_tier").and_then(|v| w.tier(v, "default_tier")) {
        policy.default_tier = t;
    }
    read_escalation(&mut w, root, &mut policy);
    let roles_ok = read_roles(&mut w, root, &mut policy);
    if let Some(ai) = get(root, "ai").and_then(|v| w.table(v, "ai")) {
        w.check_keys(ai, AI_KEYS, "[ai]");
        policy.ai = w.ai(ai);
    }
    let explicit_roles = read_tiers(&mut w, root, &mut policy);
    let defaulted_role_tiers = default_tiers(&mut policy);
    if roles_ok {
        check_roles_defined(
            &mut w,
            root,
            &policy,
            &explicit_roles,
            &defaulted_role_tiers,
        );
    }
    read_rules(&mut w, root, &mut policy);
    syntax.drop_echoes(w.sink);
    policy
}

/// The syntax errors already reported: how many, and on which lines.
struct SyntaxErrors {
    count: usize,
    lines: std::collections::HashSet<usize>,
}

impl SyntaxErrors {
    /// A syntax error often leaves a half-read value behind; its own message is the useful
    /// one, so a later problem on a line with a syntax error is dropped.
    fn drop_echoes(&self, sink: &mut Sink<'_>) {
        let mut i = 0;
        sink.diags.retain(|d| {
            i += 1;
            i <= self.count || !self.lines.contains(&d.line)
        });
    }
}

/// Reports the parser's syntax errors, each with its place and a hint.
fn report_syntax(sink: &mut Sink<'_>, syntax: &[toml::de::Error]) -> SyntaxErrors {
    let text = sink.text;
    let mut lines = std::collections::HashSet::new();
    for err in syntax {
        let span = err.span().unwrap_or(0..0);
        sink.error(span, syntax_message(err.message()), syntax_help(text, err));
        if let Some(d) = sink.diags.last() {
            lines.insert(d.line);
        }
    }
    SyntaxErrors {
        count: sink.diags.len(),
        lines,
    }
}

/// The policy of an empty file: every value its default, no roles, tiers or rules yet.
fn empty_policy(source: PolicySource) -> Policy {
    Policy {
        source,
        base: defaults::BASE.to_string(),
        default_tier: defaults::DEFAULT_TIER,
        escalation: Escalation {
            reach: Reach::Transitive,
            cap: Tier::Supervised,
            build_code: BuildCode::Tier(Tier::Supervised),
        },
        roles: BTreeMap::new(),
        ai: default_ai(),
        tiers: BTreeMap::new(),
        rules: Vec::new(),
        path_globs: RuleGlobs::default(),
        digest: String::new(),
        revoked: Vec::new(),
        carry_rebase: std::collections::BTreeSet::new(),
    }
}

/// `revoked = ["SHA256:…"]`: key fingerprints whose sign-offs never count.
fn read_revoked(w: &mut Walker<'_, '_>, root: &DeTable<'_>, policy: &mut Policy) {
    if let Some(list) = get(root, "revoked").and_then(|v| w.strings(v, "revoked")) {
        for (fp, span) in list {
            if is_key_fingerprint(fp) {
                policy.revoked.push(fp.to_string());
            } else {
                w.sink.error(
                    span,
                    format!("`{fp}` is not a key fingerprint"),
                    "write the key's SHA-256 fingerprint as `ssh-keygen -lf KEY` prints it, e.g. \"SHA256:…\"".to_string(),
                );
            }
        }
    }
}

/// `base`: the trusted branch's name, when it is a valid one.
fn read_base(w: &mut Walker<'_, '_>, root: &DeTable<'_>, policy: &mut Policy) {
    if let Some((name, span)) = get(root, "base").and_then(|v| w.string(v, "base")) {
        if name.is_empty() || !git2::Reference::is_valid_name(&format!("refs/heads/{name}")) {
            w.sink.error(
                span,
                format!("`{name}` is not a valid branch name"),
                "write the trusted branch's name, e.g. `base = \"main\"`".to_string(),
            );
        } else {
            policy.base = name.to_string();
        }
    }
}

/// `[escalation]`: how far a change's reach raises its tier, the cap, and build code's tier.
fn read_escalation(w: &mut Walker<'_, '_>, root: &DeTable<'_>, policy: &mut Policy) {
    if let Some(esc) = get(root, "escalation").and_then(|v| w.table(v, "escalation")) {
        w.check_keys(esc, ESCALATION_KEYS, "[escalation]");
        if let Some(v) = get(esc, "reach") {
            if let Some(r) = w.reach(v) {
                policy.escalation.reach = r;
            }
        }
        if let Some(t) = get(esc, "cap").and_then(|v| w.tier(v, "cap")) {
            policy.escalation.cap = t;
        }
        if let Some(v) = get(esc, "build_code") {
            if matches!(v.get_ref(), DeValue::String(s) if s.as_ref() == "max") {
                policy.escalation.build_code = BuildCode::Max;
            } else if let Some(t) = w.tier(v, "build_code") {
                policy.escalation.build_code = BuildCode::Tier(t);
            }
        }
    }
}

/// `[roles]`: each role's principals. False when `roles` is not a table, so that tiers naming
/// a role are not also reported as naming an undefined one.
fn read_roles(w: &mut Walker<'_, '_>, root: &DeTable<'_>, policy: &mut Policy) -> bool {
    let mut roles_ok = true;
    let roles_value = get(root, "roles");
    if let Some(v) = roles_value {
        match w.table(v, "roles") {
            Some(roles) => {
                for (name, _, value) in entries(roles) {
                    match w.strings(value, name) {
                        Some(principals) => {
                            let mut list = Vec::new();
                            for (p, span) in principals {
                                if p.trim().is_empty() {
                                    w.sink.error(
                                        span,
                                        format!("role `{name}` lists an empty principal"),
                                        "write the principal as in .countersign/allowed_signers, e.g. \"alice@example.com\"".to_string(),
                                    );
                                } else {
                                    list.push(p.to_string());
                                }
                            }
                            policy.roles.insert(name.to_string(), list);
                        }
                        None => {
                            // Keep the role so that tiers naming it are not reported twice.
                            policy.roles.insert(name.to_string(), Vec::new());
                        }
                    }
                }
            }
            None => roles_ok = false,
        }
    }
    roles_ok
}

/// `[tiers.NAME]` tables as written; returns the roles they name, with their places, for
/// [`check_roles_defined`].
fn read_tiers(
    w: &mut Walker<'_, '_>,
    root: &DeTable<'_>,
    policy: &mut Policy,
) -> Vec<(String, Range<usize>)> {
    let mut explicit_roles: Vec<(String, Range<usize>)> = Vec::new();
    if let Some(tiers) = get(root, "tiers").and_then(|v| w.table(v, "tiers")) {
        for (name, key_span, value) in entries(tiers) {
            let Some(tier) = w.tier_name(name, key_span.clone(), "a [tiers.NAME] table") else {
                continue;
            };
            let Some(table) = w.table(value, &format!("tiers.{name}")) else {
                continue;
            };
            w.check_keys(table, TIER_KEYS, &format!("[tiers.{name}]"));
            let (default_approvals, _) = defaults::requirement(tier);
            let approvals = get(table, "approvals")
                .and_then(|v| w.approvals(v))
                .unwrap_or(default_approvals);
            let role = get(table, "role").and_then(|v| w.string(v, "role"));
            if let Some((r, span)) = &role {
                explicit_roles.push((r.to_string(), span.clone()));
            }
            if let Some((carry, span)) = get(table, "carry").and_then(|v| w.string(v, "carry")) {
                match carry {
                    "none" => {}
                    "rebase" => {
                        policy.carry_rebase.insert(tier);
                    }
                    other => w.sink.error(
                        span,
                        format!("`carry` is \"none\" or \"rebase\", not \"{other}\""),
                        "write `carry = \"rebase\"` to let an approval follow a rewrite with the same verbatim patch, or leave it out".to_string(),
                    ),
                }
            }
            let presence = get(table, "presence")
                .and_then(|v| w.presence(v))
                .unwrap_or_default();
            let independent = get(table, "independent")
                .and_then(|v| w.boolean(v, "independent"))
                .unwrap_or(false);
            let require_viewed = get(table, "require_viewed")
                .and_then(|v| w.viewed(v))
                .unwrap_or_default();
            policy.tiers.insert(
                tier,
                TierRequirement {
                    approvals,
                    role: role.map(|(r, _)| r.to_string()),
                    presence,
                    independent,
                    require_viewed,
                },
            );
        }
    }
    explicit_roles
}

/// Gives every tier the file does not configure its default requirement; returns those whose
/// default names the default role.
fn default_tiers(policy: &mut Policy) -> Vec<Tier> {
    let mut defaulted_role_tiers = Vec::new();
    for tier in Tier::ALL {
        if policy.tiers.contains_key(&tier) {
            continue;
        }
        let (approvals, role) = defaults::requirement(tier);
        if role.is_some() {
            defaulted_role_tiers.push(tier);
        }
        policy.tiers.insert(
            tier,
            TierRequirement {
                approvals,
                role: role.map(str::to_string),
                ..TierRequirement::default()
            },
        );
    }
    defaulted_role_tiers
}

/// Every role a tier names, explicitly or by default, must be defined in `[roles]`.
fn check_roles_defined(
    w: &mut Walker<'_, '_>,
    root: &DeTable<'_>,
    policy: &Policy,
    explicit_roles: &[(String, Range<usize>)],
    defaulted_role_tiers: &[Tier],
) {
    let roles_value = get(root, "roles");
    let tiers_value = get(root, "tiers");
    let known: Vec<&str> = policy.roles.keys().map(String::as_str).collect();
    for (role, span) in explicit_roles {
        if !policy.roles.contains_key(role) {
            w.sink.error(
                span.clone(),
                format!("role `{role}` is not defined in [roles]"),
                undefined_role_help(role, &known),
            );
        }
    }
    if !defaulted_role_tiers.is_empty() && !policy.roles.contains_key(defaults::ROLE) {
        let names: Vec<String> = defaulted_role_tiers
            .iter()
            .map(|t| format!("[tiers.{t}]"))
            .collect();
        let span = roles_value
            .or(tiers_value)
            .map(|v| v.span())
            .unwrap_or(0..0);
        w.sink.error(
                span,
                format!(
                    "{} {} absent, so {} the default role `{}`, which [roles] does not define",
                    names.join(" and "),
                    if names.len() == 1 { "is" } else { "are" },
                    if names.len() == 1 { "it requires" } else { "they require" },
                    defaults::ROLE,
                ),
                format!(
                    "add `{role} = [\"alice@example.com\"]` under [roles] (principals from .countersign/allowed_signers), or write {} with the role you use",
                    names.join(" and "),
                    role = defaults::ROLE,
                ),
            );
    }
}

/// `[[rules]]`: path and crate rules, their globs compiled together.
fn read_rules(w: &mut Walker<'_, '_>, root: &DeTable<'_>, policy: &mut Policy) {
    if let Some(v) = get(root, "rules") {
        policy.rules = w.rules(v);
        match RuleGlobs::new(&policy.rules) {
            Ok(globs) => policy.path_globs = globs,
            Err(e) => w.sink.error(
                v.span(),
                format!("the rules' path globs cannot be compiled together: {e}"),
                "simplify or merge the path globs (fewer, shorter patterns)".to_string(),
            ),
        }
    }
}

/// The `[ai]` rules when the policy has no `[ai]` table.
pub(crate) fn default_ai() -> AiRules {
    let authors: Vec<String> = defaults::AUTHORS.iter().map(|s| s.to_string()).collect();
    let mut builder = GlobSetBuilder::new();
    for a in &authors {
        if let Ok(g) = author_glob(a) {
            builder.add(g);
        }
    }
    AiRules {
        trailers: defaults::TRAILERS.iter().map(|s| s.to_string()).collect(),
        agents: DEFAULT_AGENTS.iter().map(|s| s.to_string()).collect(),
        authors,
        author_set: builder.build().unwrap_or_else(|_| GlobSet::empty()),
        line_notes: vec![defaults::LINE_NOTES.to_string()],
    }
}

/// An author e-mail glob: case-insensitive, as e-mail addresses are in practice.
fn author_glob(glob: &str) -> Result<globset::Glob, globset::Error> {
    GlobBuilder::new(glob)
        .literal_separator(true)
        .backslash_escape(true)
        .case_insensitive(true)
        .build()
}

/// The value at `key` in `table`.
fn get<'t, 'i>(table: &'t DeTable<'i>, key: &str) -> Option<&'t Value<'i>> {
    table
        .iter()
        .find(|(k, _)| k.get_ref().as_ref() == key)
        .map(|(_, v)| v)
}

/// A table's entries with their key spans.
fn entries<'t, 'i>(
    table: &'t DeTable<'i>,
) -> impl Iterator<Item = (&'t str, Range<usize>, &'t Value<'i>)> {
    table
        .iter()
        .map(|(k, v)| (k.get_ref().as_ref(), k.span(), v))
}

/// toml's syntax messages, as one sentence.
fn syntax_message(message: &str) -> String {
    let first = message.lines().next().unwrap_or("invalid TOML").trim();
    format!("TOML syntax error: {first}")
}

/// What to write instead of a syntax error, where a common mistake can be recognised.
fn syntax_help(text: &str, err: &toml::de::Error) -> String {
    let span = err.span().unwrap_or(0..0);
    let start = span.start.min(text.len());
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let line = &text[line_start..line_end];
    if let Some((key, value)) = line.split_once('=') {
        let value = value.split('#').next().unwrap_or("").trim();
        let bare = !value.is_empty()
            && value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./*@".contains(c));
        if bare && value.parse::<i64>().is_err() && value != "true" && value != "false" {
            return format!("strings need quotes: `{} = \"{value}\"`", key.trim());
        }
    }
    "write `key = value` lines and `[table]` / `[[rules]]` headers; strings in double quotes, lists in [ ]"
        .to_string()
}

fn undefined_role_help(role: &str, known: &[&str]) -> String {
    let mut help = format!(
        "define it under [roles] (`{role} = [\"alice@example.com\"]`, principals from .countersign/allowed_signers)"
    );
    if let Some(c) = closest(role, known.iter().copied()) {
        help.push_str(&format!(", or did you mean `{c}`?"));
    } else if !known.is_empty() {
        help.push_str(&format!(", or use one of {}", list(known.iter().copied())));
    }
    help
}

/// `` `a`, `b` and `c` ``
fn list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let items: Vec<String> = items.into_iter().map(|s| format!("`{s}`")).collect();
    match items.len() {
        0 => String::new(),
        1 => items[0].clone(),
        n => format!("{} and {}", items[..n - 1].join(", "), items[n - 1]),
    }
}

/// The help for a misspelt tier name.
fn tier_help(written: &str) -> String {
    let names = Tier::ALL.map(Tier::name);
    let mut help = format!("the tiers are {}", list(names));
    let best = names
        .iter()
        .map(|n| (strsim::jaro_winkler(&written.to_lowercase(), n), *n))
        .max_by(|a, b| a.0.total_cmp(&b.0));
    if let Some((score, name)) = best {
        if score >= 0.6 {
            help.push_str(&format!("; did you mean `{name}`?"));
        }
    }
    help
}

/// Reports into the sink while reading typed values out of the tree.
struct Walker<'s, 'a> {
    sink: &'s mut Sink<'a>,
}

impl Walker<'_, '_> {
    /// Reports keys of `table` not in `known`, suggesting the closest known key.
    fn check_keys(&mut self, table: &DeTable<'_>, known: &[&str], place: &str) {
        for (key, span, _) in entries(table) {
            if known.contains(&key) {
                continue;
            }
            let help = match closest(key, known.iter().copied()) {
                Some(c) => format!("did you mean `{c}`?"),
                None => format!(
                    "the keys allowed in {place} are {}",
                    list(known.iter().copied())
                ),
            };
            self.sink
                .error(span, format!("unknown key `{key}` in {place}"), help);
        }
    }

    fn wrong_type(&mut self, value: &Value<'_>, key: &str, expected: &str, example: String) {
        self.sink.error(
            value.span(),
            format!(
                "`{key}` must be {expected}, but this is {} {}",
                article(value.get_ref().type_str()),
                value.get_ref().type_str()
            ),
            format!("write {example}"),
        );
    }

    fn string<'v>(&mut self, value: &'v Value<'_>, key: &str) -> Option<(&'v str, Range<usize>)> {
        match value.get_ref() {
            DeValue::String(s) => Some((s.as_ref(), value.span())),
            _ => {
                self.wrong_type(value, key, "a string", format!("`{key} = \"...\"`"));
                None
            }
        }
    }

    fn table<'v, 'i>(&mut self, value: &'v Value<'i>, key: &str) -> Option<&'v DeTable<'i>> {
        match value.get_ref() {
            DeValue::Table(t) => Some(t),
            _ => {
                self.wrong_type(
                    value,
                    key,
                    "a table",
                    format!("a `[{key}]` header with its keys below it"),
                );
                None
            }
        }
    }

    /// An array of strings; reports the array if it is not one, and each non-string item.
    fn strings<'v>(
        &mut self,
        value: &'v Value<'_>,
        key: &str,
    ) -> Option<Vec<(&'v str, Range<usize>)>> {
        let items: &DeArray<'_> = match value.get_ref() {
            DeValue::Array(a) => a,
            DeValue::String(s) => {
                let example = format!("`{key} = [\"{s}\"]`");
                self.wrong_type(value, key, "an array of strings", example);
                return None;
            }
            _ => {
                self.wrong_type(
                    value,
                    key,
                    "an array of strings",
                    format!("`{key} = [\"...\"]`"),
                );
                return None;
            }
        };
        let mut out = Vec::new();
        for item in items.iter() {
            match item.get_ref() {
                DeValue::String(s) => out.push((s.as_ref(), item.span())),
                other => self.sink.error(
                    item.span(),
                    format!(
                        "`{key}` must list strings, but this is {} {}",
                        article(other.type_str()),
                        other.type_str()
                    ),
                    "put the value in double quotes".to_string(),
                ),
            }
        }
        Some(out)
    }

    /// A tier name as a string value.
    fn tier(&mut self, value: &Value<'_>, key: &str) -> Option<Tier> {
        let (name, span) = self.string(value, key)?;
        self.tier_name(name, span, &format!("`{key}`"))
    }

    /// A tier name written at `span` (a value or a `[tiers.NAME]` key).
    fn tier_name(&mut self, name: &str, span: Range<usize>, place: &str) -> Option<Tier> {
        match Tier::from_name(name) {
            Some(t) => Some(t),
            None => {
                self.sink.error(
                    span,
                    format!("unknown tier `{name}` in {place}"),
                    tier_help(name),
                );
                None
            }
        }
    }

    fn presence(&mut self, value: &Value<'_>) -> Option<Presence> {
        let (name, span) = self.string(value, "presence")?;
        if let Some(p) = Presence::ALL.into_iter().find(|p| p.name() == name) {
            return Some(p);
        }
        let names = Presence::ALL.map(Presence::name);
        let mut help = format!("write one of {}", list(names));
        if let Some(c) = closest(name, names) {
            help.push_str(&format!("; did you mean `{c}`?"));
        }
        self.sink
            .error(span, format!("unknown presence `{name}`"), help);
        None
    }

    fn viewed(&mut self, value: &Value<'_>) -> Option<Viewed> {
        let (name, span) = self.string(value, "require_viewed")?;
        match name {
            "none" => Some(Viewed::None),
            "files" => Some(Viewed::Files),
            "hunks" => Some(Viewed::Hunks),
            _ => {
                let mut help = "write one of `none`, `files`, `hunks`".to_string();
                if let Some(c) = closest(name, ["none", "files", "hunks"]) {
                    help.push_str(&format!("; did you mean `{c}`?"));
                }
                self.sink
                    .error(span, format!("unknown require_viewed `{name}`"), help);
                None
            }
        }
    }

    fn boolean(&mut self, value: &Value<'_>, key: &str) -> Option<bool> {
        match value.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            _ => {
                self.wrong_type(value, key, "true or false", format!("`{key} = true`"));
                None
            }
        }
    }

    fn reach(&mut self, value: &Value<'_>) -> Option<Reach> {
        let (name, span) = self.string(value, "reach")?;
        if let Some(r) = REACHES.into_iter().find(|r| r.name() == name) {
            return Some(r);
        }
        let names = REACHES.map(Reach::name);
        let mut help = format!("write one of {}", list(names));
        if let Some(c) = closest(name, names) {
            help.push_str(&format!("; did you mean `{c}`?"));
        }
        self.sink
            .error(span, format!("unknown escalation reach `{name}`"), help);
        None
    }

    fn approvals(&mut self, value: &Value<'_>) -> Option<u32> {
        let DeValue::Integer(i) = value.get_ref() else {
            let example = match value.get_ref() {
                DeValue::String(s) if s.trim().parse::<u32>().is_ok() => {
                    format!("`approvals = {}` (no quotes)", s.trim())
                }
                _ => "`approvals = 1` (a whole number, 0 or more)".to_string(),
            };
            self.wrong_type(value, "approvals", "a whole number", example);
            return None;
        };
        match i128::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) if n < 0 => {
                self.sink.error(
                    value.span(),
                    format!("`approvals` cannot be negative ({n})"),
                    "write `approvals = 0` for a tier that needs no sign-off".to_string(),
                );
                None
            }
            Ok(n) => match u32::try_from(n) {
                Ok(n) => Some(n),
                Err(_) => {
                    self.sink.error(
                        value.span(),
                        format!("`approvals` is too large ({n})"),
                        "write the number of distinct reviewers needed, e.g. `approvals = 2`"
                            .to_string(),
                    );
                    None
                }
            },
            Err(_) => {
                self.wrong_type(
                    value,
                    "approvals",
                    "a whole number",
                    "`approvals = 1`".to_string(),
                );
                None
            }
        }
    }

    /// The `[ai]` table: its lists extend the built-in ones ([`default_ai`]), so writing the
    /// table to add one agent never turns the others' commits "human"; `use_defaults = false`
    /// replaces them (a list left out is then empty).
    fn ai(&mut self, ai: &DeTable<'_>) -> AiRules {
        let mut rules = default_ai();
        let use_defaults = match get(ai, "use_defaults") {
            None => true,
            Some(v) => match v.get_ref() {
                DeValue::Boolean(b) => *b,
                _ => {
                    self.wrong_type(
                        v,
                        "use_defaults",
                        "true or false",
                        "`use_defaults = false`".to_string(),
                    );
                    true
                }
            },
        };
        if !use_defaults {
            rules.trailers.clear();
            rules.agents.clear();
            rules.authors.clear();
            rules.author_set = GlobSet::empty();
        }
        if let Some(items) = get(ai, "trailers").and_then(|v| self.strings(v, "trailers")) {
            for (t, span) in items {
                let key = t.trim().trim_end_matches(':');
                if key.is_empty() || key.contains(char::is_whitespace) || key.contains(':') {
                    self.sink.error(
                        span,
                        format!("`{t}` is not a trailer key"),
                        "write the key alone, without `:` or spaces, e.g. \"Co-authored-by\""
                            .to_string(),
                    );
                } else if t.trim() != key {
                    self.sink.error(
                        span,
                        format!("trailer key `{t}` ends with `:`"),
                        format!("write the key without the colon: \"{key}\""),
                    );
                } else if !rules.trailers.iter().any(|k| k.eq_ignore_ascii_case(key)) {
                    rules.trailers.push(key.to_string());
                }
            }
        }
        if let Some(items) = get(ai, "agents").and_then(|v| self.strings(v, "agents")) {
            for (a, span) in items {
                if a.trim().is_empty() {
                    self.sink.error(
                        span,
                        "empty agent name",
                        "write the agent's name as it appears in trailers, e.g. \"claude\""
                            .to_string(),
                    );
                } else {
                    let name = a.trim().to_lowercase();
                    if !rules.agents.contains(&name) {
                        rules.agents.push(name);
                    }
                }
            }
        }
        if let Some(items) = get(ai, "authors").and_then(|v| self.strings(v, "authors")) {
            let mut builder = GlobSetBuilder::new();
            let mut authors = Vec::new();
            for a in std::mem::take(&mut rules.authors) {
                if let Ok(g) = author_glob(&a) {
                    builder.add(g);
                    authors.push(a);
                }
            }
            for (a, span) in items {
                if has_unescaped_bot_class(a) {
                    self.sink.error(
                        span,
                        format!("`[bot]` in author glob `{a}` is a character class matching one of `b`, `o`, `t`"),
                        format!("write `\\\\[bot\\\\]` to match the literal text: \"{}\"", a.replace("[bot]", "\\\\[bot\\\\]")),
                    );
                    continue;
                }
                match author_glob(a) {
                    Ok(g) => {
                        builder.add(g);
                        authors.push(a.to_string());
                    }
                    Err(e) => {
                        self.bad_glob(span, a, &e, "an e-mail glob such as \"*@agents.example\"")
                    }
                }
            }
            rules.authors = authors;
            rules.author_set = builder.build().unwrap_or_else(|_| GlobSet::empty());
        }
        if let Some(items) = get(ai, "line_notes").and_then(|v| self.strings(v, "line_notes")) {
            rules.line_notes.clear();
            for (r, span) in items {
                let valid = r.starts_with("refs/notes/")
                    && git2::Reference::is_valid_name(r)
                    && r != "refs/notes/countersign";
                if valid {
                    rules.line_notes.push(r.to_string());
                } else {
                    self.sink.error(
                        span,
                        format!("`{r}` is not a notes ref for line-level provenance"),
                        "write a full ref name under refs/notes/ other than refs/notes/countersign, \
                         e.g. \"refs/notes/ai\""
                            .to_string(),
                    );
                }
            }
        }
        rules
    }

    fn bad_glob(&mut self, span: Range<usize>, glob: &str, err: &globset::Error, example: &str) {
        use globset::ErrorKind as K;
        let fix = match err.kind() {
            K::UnclosedClass => "close the `[` with `]`, or write `\\\\[` for a literal `[`",
            K::UnclosedAlternates => "close the `{` with `}`",
            K::UnopenedAlternates => "remove the `}` or open it with `{`",
            K::NestedAlternates => "alternates `{a,b}` cannot nest; write two globs instead",
            K::InvalidRange(..) => "write a range low to high, e.g. `[a-z]`",
            K::DanglingEscape => "remove the trailing `\\\\`",
            K::InvalidRecursive => "`**` must be a whole path component: `docs/**` or `**/*.md`",
            _ => "use `*` (within one directory), `**` (any depth), `?`, `[abc]` and `{a,b}`",
        };
        self.sink.error(
            span,
            format!("bad glob `{glob}`: {}", err.kind()),
            format!("{fix}; e.g. {example}"),
        );
    }

    fn rules(&mut self, value: &Value<'_>) -> Vec<Rule> {
        let items: &DeArray<'_> = match value.get_ref() {
            DeValue::Array(a) => a,
            DeValue::Table(_) => {
                self.sink.error(
                    value.span(),
                    "`rules` must be an array of tables, but this is a single table",
                    "write each rule under its own `[[rules]]` header (double brackets)"
                        .to_string(),
                );
                return Vec::new();
            }
            _ => {
                self.wrong_type(
                    value,
                    "rules",
                    "an array of tables",
                    "each rule under its own `[[rules]]` header".to_string(),
                );
                return Vec::new();
            }
        };
        let mut rules = Vec::new();
        for item in items.iter() {
            let DeValue::Table(table) = item.get_ref() else {
                self.wrong_type(
                    item,
                    "rules",
                    "an array of tables",
                    "each rule under its own `[[rules]]` header".to_string(),
                );
                continue;
            };
            if let Some(rule) = self.rule(table, item.span()) {
                rules.push(rule);
            }
        }
        rules
    }

    fn rule(&mut self, table: &DeTable<'_>, header: Range<usize>) -> Option<Rule> {
        self.check_keys(table, RULE_KEYS, "a [[rules]] entry");
        let line = self.sink.line_of(header.start);
        let mut ok = true;

        let mut paths = Vec::new();
        let paths_value = get(table, "paths");
        if let Some(items) = paths_value.and_then(|v| self.strings(v, "paths")) {
            for (p, span) in items {
                if let Some(rest) = p.strip_prefix("./").or_else(|| p.strip_prefix('/')) {
                    self.sink.error(
                        span,
                        format!("path glob `{p}` never matches: paths are relative to the repository root"),
                        format!("write \"{rest}\""),
                    );
                    ok = false;
                    continue;
                }
                match super::rule_globs::glob(p, false) {
                    Ok(_) => paths.push(p.to_string()),
                    Err(e) => {
                        self.bad_glob(span, p, &e, "\"docs/**\" or \"**/*.md\"");
                        ok = false;
                    }
                }
            }
        } else if paths_value.is_some() {
            ok = false;
        }

        let mut crates = Vec::new();
        let crates_value = get(table, "crates");
        if let Some(items) = crates_value.and_then(|v| self.strings(v, "crates")) {
            for (c, span) in items {
                if c.is_empty()
                    || !c
                        .chars()
                        .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_')
                {
                    self.sink.error(
                        span,
                        format!("`{c}` is not a crate name"),
                        "write the package name from its Cargo.toml, e.g. \"billing-api\"; use `paths` for globs"
                            .to_string(),
                    );
                    ok = false;
                } else {
                    crates.push(c.to_string());
                }
            }
        } else if crates_value.is_some() {
            ok = false;
        }

        if paths_value.is_none() && crates_value.is_none() {
            self.sink.error(
                header.clone(),
                "this rule has neither `paths` nor `crates`, so it matches nothing",
                "add `paths = [\"docs/**\"]` (globs) or `crates = [\"billing-api\"]` (package names)"
                    .to_string(),
            );
            ok = false;
        } else if ok && paths.is_empty() && crates.is_empty() {
            self.sink.error(
                header.clone(),
                "this rule's `paths` and `crates` are empty, so it matches nothing",
                "list at least one path glob or crate name, or remove the rule".to_string(),
            );
            ok = false;
        }

        let tier = match get(table, "tier") {
            Some(v) => self.tier(v, "tier"),
            None => {
                self.sink.error(
                    header.clone(),
                    "this rule has no `tier`",
                    format!(
                        "add `tier = \"...\"` with one of {}",
                        list(Tier::ALL.map(Tier::name))
                    ),
                );
                None
            }
        };
        if !ok {
            return None;
        }
        Some(Rule {
            paths,
            crates,
            tier: tier?,
            line,
        })
    }
}

/// True when `glob` holds a `[bot]` not escaped as `\\[bot\\]` (a GitHub bot address
/// written as if `[` were literal).
fn has_unescaped_bot_class(glob: &str) -> bool {
    glob.match_indices("[bot]")
        .any(|(i, _)| !glob[..i].ends_with('\\'))
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}
