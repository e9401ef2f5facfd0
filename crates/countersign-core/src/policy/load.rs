//! Reading the policy and roster from a trusted revision or from the work tree.
//!
//! Both files are read from the same place and checked together: every syntax, type, glob
//! and roster error and every cross-file problem (a role naming a principal the roster lacks)
//! comes back in one [`crate::Error::Policy`], in file order.

use std::path::Path;

use sha2::{Digest, Sha256};
use toml::de::{DeTable, DeValue};

use super::{parse_policy, roster, Diagnostics, Policy, PolicySource, Roster};
use crate::git::GitTree;
use crate::model::diagnostic::{closest, sort_in_file_order, Diagnostic, Sink};
use crate::util::bounded;
use crate::{Error, Result};

/// Where the policy lives in a repository.
pub const POLICY_PATH: &str = ".countersign/policy.toml";
/// Where the roster lives in a repository.
pub const ROSTER_PATH: &str = ".countersign/allowed_signers";

/// The policy and roster that judge a change, read together from one place.
#[derive(Clone, Debug)]
pub struct Trusted {
    /// The checked policy.
    pub policy: Policy,
    /// The checked roster.
    pub roster: Roster,
}

impl Trusted {
    /// Cross-file checks: every principal a role names is in the roster by name (a pattern
    /// such as `*@example.com` admits a key but never lets it sign for a named reviewer, so a
    /// role member admitted only by one could never approve); every role a tier requires
    /// exists. Returns all problems found, positioned in the policy file.
    pub fn check(
        policy_text: &str,
        policy_file: &str,
        policy: &Policy,
        roster: &Roster,
    ) -> Diagnostics {
        cross_check(policy_text, policy_file, policy, &|p| {
            roster.names_by_name(p)
        })
    }
}

/// [`Trusted::check`] with the roster reduced to "is this principal named?".
fn cross_check(
    policy_text: &str,
    policy_file: &str,
    policy: &Policy,
    in_roster: &dyn Fn(&str) -> bool,
) -> Diagnostics {
    {
        let mut sink = Sink::new(policy_file, policy_text);
        check_principals(&mut sink, in_roster);
        let known: Vec<&str> = policy.roles.keys().map(String::as_str).collect();
        for (tier, req) in &policy.tiers {
            let Some(role) = &req.role else { continue };
            if policy.roles.contains_key(role) {
                continue;
            }
            let span = role_span(policy_text, tier.name()).unwrap_or(0..0);
            let mut help = format!(
                "define it under [roles] (`{role} = [\"alice@example.com\"]`), or set [tiers.{tier}] role to a defined role"
            );
            if let Some(c) = closest(role, known.iter().copied()) {
                help.push_str(&format!("; did you mean `{c}`?"));
            }
            sink.error(
                span,
                format!("tier `{tier}` requires role `{role}`, which [roles] does not define"),
                help,
            );
        }
        let mut diags = sink.into_diags();
        sort_in_file_order(&mut diags);
        Diagnostics(diags)
    }
}

/// Reports every principal in `[roles]` that `known` rejects, at the principal's string.
fn check_principals(sink: &mut Sink<'_>, known: &dyn Fn(&str) -> bool) {
    let (root, _) = DeTable::parse_recoverable(sink.text);
    let Some(roles) = root
        .get_ref()
        .iter()
        .find(|(k, _)| k.get_ref().as_ref() == "roles")
        .and_then(|(_, v)| v.get_ref().as_table())
    else {
        return;
    };
    for (role, value) in roles.iter() {
        let Some(items) = value.get_ref().as_array() else {
            continue;
        };
        for item in items.iter() {
            let DeValue::String(p) = item.get_ref() else {
                continue;
            };
            if p.trim().is_empty() || known(p) {
                continue;
            }
            sink.error(
                item.span(),
                format!(
                    "role `{}` names `{p}`, whom no line of {ROSTER_PATH} names (a pattern such \
                     as *@example.com does not count: sign-offs count only for principals a \
                     line names)",
                    role.get_ref()
                ),
                format!("add a line for {p} to {ROSTER_PATH}, or remove it from the role"),
            );
        }
    }
}

/// The span of `role = "…"` in `[tiers.<tier>]`, if written there.
fn role_span(text: &str, tier: &str) -> Option<std::ops::Range<usize>> {
    fn find<'t, 'i>(t: &'t DeTable<'i>, key: &str) -> Option<&'t toml::Spanned<DeValue<'i>>> {
        t.iter()
            .find(|(k, _)| k.get_ref().as_ref() == key)
            .map(|(_, v)| v)
    }
    let (root, _) = DeTable::parse_recoverable(text);
    let tiers = find(root.get_ref(), "tiers")?;
    let table = find(tiers.get_ref().as_table()?, tier)?;
    let role = find(table.get_ref().as_table()?, "role")?;
    Some(role.span())
}

/// Reads and checks the policy and roster from revision `rev` (a full ref name, a short name
/// only one ref answers to, or a commit id). A missing policy is [`crate::Error::NoPolicy`]; a
/// missing roster is an empty roster (so a role naming anyone is reported). Files are labelled
/// `rev:path` in diagnostics.
pub fn load_trusted(repo: &git2::Repository, rev: &str) -> Result<Trusted> {
    let commit = crate::git::resolve_rev(repo, rev)?.commit;
    load_trusted_at(repo, commit, rev)
}

/// Reads and checks the policy and roster from `commit`, labelled `label` (the trusted ref's
/// name) in diagnostics: what the review layer calls once the trusted ref is resolved, so
/// that every read comes from the same commit.
pub fn load_trusted_at(repo: &git2::Repository, commit: git2::Oid, label: &str) -> Result<Trusted> {
    let snap = GitTree::of_commit(repo, commit, label)?;
    let rev = label;
    let Some(policy_bytes) = snap.read_capped(POLICY_PATH, bounded::POLICY)? else {
        return Err(Error::NoPolicy {
            rev: rev.to_string(),
        });
    };
    let roster_bytes = snap
        .read_capped(ROSTER_PATH, bounded::ROSTER)?
        .unwrap_or_default();
    let source = PolicySource {
        rev: rev.to_string(),
        commit: Some(snap.commit.clone()),
    };
    check_files(
        &policy_bytes,
        &roster_bytes,
        &format!("{rev}:{POLICY_PATH}"),
        &format!("{rev}:{ROSTER_PATH}"),
        source,
    )
}

/// Reads and checks the policy and roster from the work tree rooted at `root` (what
/// `policy check` validates while you edit). Files are labelled by their repository path.
/// Both must be regular files within their caps: a symlink (to `/proc/self/environ`, say), a
/// FIFO or a device is refused without being read.
pub fn load_worktree(root: &Path) -> Result<Trusted> {
    let Some(policy_bytes) = bounded::read_in_tree(root, POLICY_PATH, bounded::POLICY)? else {
        return Err(missing_in_worktree(root, POLICY_PATH));
    };
    let roster_bytes =
        bounded::read_in_tree(root, ROSTER_PATH, bounded::ROSTER)?.unwrap_or_default();
    let source = PolicySource {
        rev: "work tree".to_string(),
        commit: None,
    };
    check_files(
        &policy_bytes,
        &roster_bytes,
        POLICY_PATH,
        ROSTER_PATH,
        source,
    )
}

/// Why `rel` cannot be read from the work tree at `root`, and what to do: it is a directory,
/// a sparse checkout left it out (HEAD has it), or it does not exist.
fn missing_in_worktree(root: &Path, rel: &str) -> Error {
    let at = root.join(rel);
    if std::fs::symlink_metadata(&at).is_ok_and(|m| m.is_dir()) {
        return Error::Message(format!(
            "{rel} in {} is a directory, not a file: the policy is one TOML file; move the \
             directory away and write the file (see the README's \"Policy\" section)",
            root.display()
        ));
    }
    let in_head = crate::git::open(root).ok().is_some_and(|repo| {
        repo.head()
            .and_then(|h| h.peel_to_tree())
            .is_ok_and(|t| t.get_path(Path::new(rel)).is_ok())
    });
    if in_head {
        return Error::Message(format!(
            "{rel} is committed (HEAD has it) but missing from the work tree in {}: a sparse \
             checkout leaves it out, or it was deleted; check the committed one with \
             `countersign policy check --rev HEAD`, or bring it back (git sparse-checkout add \
             .countersign, or git checkout -- {rel})",
            root.display()
        ));
    }
    Error::Message(format!(
        "no {rel} in {}: create it (see the README's \"Policy\" section) together with {ROSTER_PATH}",
        root.display()
    ))
}

/// `sha256:<hex>` of the policy and roster bytes, each preceded by its length as a
/// big-endian u64, so that moving bytes from one file to the other changes the digest.
pub fn policy_digest(policy: &[u8], roster: &[u8]) -> String {
    let mut h = Sha256::new();
    for part in [policy, roster] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part);
    }
    let hex: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// Decodes a file as UTF-8, or reports where it stops being UTF-8.
fn utf8<'b>(bytes: &'b [u8], file: &str, diags: &mut Vec<Diagnostic>) -> Option<&'b str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Some(s),
        Err(e) => {
            let lossy = String::from_utf8_lossy(bytes);
            let at = e.valid_up_to();
            diags.push(Diagnostic::at_span(
                file,
                &lossy,
                at..at + 1,
                "the file is not valid UTF-8",
                Some("save the file as UTF-8 (policy and roster are text files)".to_string()),
            ));
            None
        }
    }
}

fn check_files(
    policy_bytes: &[u8],
    roster_bytes: &[u8],
    policy_file: &str,
    roster_file: &str,
    source: PolicySource,
) -> Result<Trusted> {
    let mut diags = Vec::new();
    let policy_text = utf8(policy_bytes, policy_file, &mut diags);
    let roster_text = utf8(roster_bytes, roster_file, &mut diags);

    let lenient = roster_text.map(|t| roster::parse_lenient(t, roster_file));
    let mut policy = None;
    if let Some(text) = policy_text {
        match parse_policy(text, policy_file, source) {
            Ok(p) => {
                if let Some(l) = &lenient {
                    let cross = cross_check(text, policy_file, &p, &|who| l.names(who));
                    diags.extend(cross.0);
                }
                policy = Some(p);
            }
            Err(errs) => {
                diags.extend(errs.0);
                if let Some(l) = &lenient {
                    let mut sink = Sink::new(policy_file, text);
                    check_principals(&mut sink, &|who| l.names(who));
                    diags.extend(sink.into_diags());
                }
            }
        }
    }
    let roster = match lenient {
        Some(l) => {
            diags.extend(l.diags);
            l.roster
        }
        None => Roster::default(),
    };
    sort_in_file_order(&mut diags);
    // Policy diagnostics come first whatever order the files were first seen in.
    diags.sort_by_key(|d| d.file != policy_file);
    match policy {
        Some(mut policy) if diags.is_empty() => {
            policy.digest = policy_digest(policy_bytes, roster_bytes);
            Ok(Trusted { policy, roster })
        }
        _ => Err(Error::Policy(Diagnostics(diags))),
    }
}

/// One line for `countersign policy check` to print when everything is in order, e.g.
/// `policy OK: base main, default supervised, 3 rules, roles senior (2), 3 signers`.
pub fn summary(trusted: &Trusted) -> String {
    let p = &trusted.policy;
    let roles = if p.roles.is_empty() {
        "no roles".to_string()
    } else {
        let list: Vec<String> = p
            .roles
            .iter()
            .map(|(name, who)| format!("{name} ({})", who.len()))
            .collect();
        format!("roles {}", list.join(", "))
    };
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "policy OK: base {}, default {}, {}, {roles}, {}",
        p.base,
        p.default_tier,
        plural(p.rules.len(), "rule"),
        plural(trusted.roster.entries.len(), "signer"),
    )
}

/// The policy used where a repository has none (so `impact` and `review` work anywhere): the
/// parser's defaults — every path `supervised`, escalation transitive capped at `supervised`,
/// the default AI rules — with an empty `senior` role and an empty roster.
pub(crate) fn builtin() -> Trusted {
    let source = PolicySource {
        rev: "built-in defaults".to_string(),
        commit: None,
    };
    let text = "[roles]\nsenior = []\n";
    let mut policy = match parse_policy(text, "built-in defaults", source) {
        Ok(p) => p,
        // The text above is fixed and parses; a failure here is a bug in the parser.
        Err(d) => unreachable!("the built-in policy does not parse: {d}"),
    };
    policy.digest = policy_digest(text.as_bytes(), b"");
    Trusted {
        policy,
        roster: Roster::default(),
    }
}
