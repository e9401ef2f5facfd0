//! What `policy check` says of a policy that parses but cannot mean what was meant: a rule
//! naming a crate the workspace lacks (a typo silently lowers a tier), a key that cannot sign
//! countersign sign-offs (wrong namespace, expired), and a tier whose approvals no one can
//! give, so that no AI change in it can ever pass: an error when the role lists reviewers
//! whose keys cannot sign, a warning when the role is still empty (a set-up not finished).

use chrono::{DateTime, Utc};

use super::{principal_matches, AllowedSigner, Trusted};
use crate::model::diagnostic::closest;
use crate::model::Tier;

/// The namespace countersign signs in.
const NAMESPACE: &str = "countersign";

/// One finding, as `file:line: warning: message` (line 0: no line).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The file it concerns, as the user knows it.
    pub file: String,
    /// 1-based line, or 0 for the file as a whole.
    pub line: usize,
    /// What is wrong and what to do.
    pub message: String,
    /// True when nothing can pass because of it (an error, exit 2), false for a warning.
    pub fatal: bool,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = if self.fatal { "error" } else { "warning" };
        if self.line > 0 {
            write!(f, "{}:{}: {kind}: {}", self.file, self.line, self.message)
        } else {
            write!(f, "{}: {kind}: {}", self.file, self.message)
        }
    }
}

/// Can this roster entry sign countersign sign-offs at `now`?
fn usable(e: &AllowedSigner, now: DateTime<Utc>) -> bool {
    let namespace_ok = e
        .namespaces
        .as_ref()
        .is_none_or(|ns| ns.iter().any(|n| principal_matches(n, NAMESPACE)));
    namespace_ok && e.valid_before.is_none_or(|t| t > now)
}

/// Warnings for path globs of `t`'s rules that match none of `files` (the tracked files where
/// the policy was read): a typo (`src/forg/**`) gives its tier to nothing.
pub fn unmatched_globs(t: &Trusted, files: &[String], policy_file: &str) -> Vec<Finding> {
    let mut matched: std::collections::HashSet<(usize, usize)> = Default::default();
    for f in files {
        matched.extend(t.policy.path_globs.each_match(std::path::Path::new(f)));
    }
    let mut out = Vec::new();
    for (r, rule) in t.policy.rules.iter().enumerate() {
        for (g, glob) in rule.paths.iter().enumerate() {
            if !matched.contains(&(r, g)) {
                out.push(Finding {
                    file: policy_file.to_string(),
                    line: rule.line,
                    message: format!(
                        "the path glob `{glob}` matches no file, so it gives no {} tier to \
                         anything; check its spelling",
                        rule.tier
                    ),
                    fatal: false,
                });
            }
        }
    }
    out
}

/// Lints `t` (read from `policy_file` and `roster_file`) against the workspace's crate names.
pub fn lint(
    t: &Trusted,
    crates: &[&str],
    policy_file: &str,
    roster_file: &str,
    now: DateTime<Utc>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for rule in &t.policy.rules {
        for c in &rule.crates {
            if crates.contains(&c.as_str()) {
                continue;
            }
            let hint = closest(c, crates.iter().copied())
                .map_or(String::new(), |m| format!("; did you mean `{m}`?"));
            out.push(Finding {
                file: policy_file.to_string(),
                line: rule.line,
                message: format!(
                    "this rule names crate `{c}`, which the workspace does not have, so it \
                     matches nothing and gives no {} tier{hint}",
                    rule.tier
                ),
                fatal: false,
            });
        }
    }
    for e in &t.roster.entries {
        let who = e.principals.join(",");
        if let Some(why) = unsupported_key(&e.key) {
            out.push(Finding {
                file: roster_file.to_string(),
                line: e.line,
                message: format!(
                    "the key of {who} cannot make countersign sign-offs: {why}; give the \
                     signer an ed25519 key (`countersign keygen`), a security key, RSA of 2048 \
                     bits or more, or ECDSA"
                ),
                fatal: true,
            });
        }
        if let Some(ns) = &e.namespaces {
            if !ns.iter().any(|n| principal_matches(n, NAMESPACE)) {
                out.push(Finding {
                    file: roster_file.to_string(),
                    line: e.line,
                    message: format!(
                        "the key of {who} is limited to namespaces=\"{}\", so it cannot sign \
                         countersign sign-offs; add {NAMESPACE} to the list",
                        ns.join(",")
                    ),
                    fatal: false,
                });
            }
        }
        if let Some(t) = e.valid_after.filter(|t| *t > now) {
            out.push(Finding {
                file: roster_file.to_string(),
                line: e.line,
                message: format!(
                    "the key of {who} is not valid yet: valid-after is {} (in the future), so \
                     its sign-offs do not count before then; check the date (and the clock)",
                    t.format("%Y-%m-%d %H:%M UTC")
                ),
                fatal: false,
            });
        }
        if let Some(t) = e.valid_before.filter(|t| *t <= now) {
            out.push(Finding {
                file: roster_file.to_string(),
                line: e.line,
                message: format!(
                    "the key of {who} expired on {} (valid-before): its new sign-offs do not \
                     count; give the signer a new key line",
                    t.format("%Y-%m-%d %H:%M UTC")
                ),
                fatal: false,
            });
        }
    }
    for (tier, req) in &t.policy.tiers {
        if req.approvals == 0 {
            continue;
        }
        let (who, pool): (String, Vec<&str>) = match &req.role {
            Some(r) => (
                format!("role `{r}`"),
                t.policy
                    .principals_with_role(r)
                    .iter()
                    .map(String::as_str)
                    .collect(),
            ),
            None => ("the roster".to_string(), t.roster.principals().collect()),
        };
        let able =
            pool.iter()
                .filter(|p| {
                    t.roster.entries.iter().any(|e| {
                        e.principals.iter().any(|q| principal_matches(q, p)) && usable(e, now)
                    })
                })
                .count();
        if (able as u64) < u64::from(req.approvals) && *tier == Tier::Prohibited {
            // Not a mistake: AI changes in this tier fail by design, whatever they carry.
            out.push(Finding {
                file: policy_file.to_string(),
                line: 0,
                message: format!(
                    "[tiers.prohibited] asks for {} approval{} from {who}, and {able} of its \
                     principals {} a key that can sign now; that blocks no AI change (an \
                     AI-generated commit in the prohibited tier fails whatever sign-offs it \
                     carries, by design): the approvals are for human changes in this tier, \
                     recorded when reviewers sign them; add reviewers with keys to give them",
                    req.approvals,
                    if req.approvals == 1 { "" } else { "s" },
                    if able == 1 { "has" } else { "have" },
                ),
                fatal: false,
            });
        } else if (able as u64) < u64::from(req.approvals) {
            out.push(Finding {
                file: policy_file.to_string(),
                line: 0,
                message: format!(
                    "[tiers.{tier}] needs {} approval{} from {who}, but only {able} of its \
                     principals {} a key that can sign now, so no AI change in the {tier} tier \
                     can ever pass; add reviewers with keys, or lower `approvals`",
                    req.approvals,
                    if req.approvals == 1 { "" } else { "s" },
                    if able == 1 { "has" } else { "have" },
                ),
                // An empty role is a set-up not finished yet (`init` without a key writes
                // one): a warning. Listed reviewers none of whom can sign is an error.
                fatal: !pool.is_empty(),
            });
            continue;
        }
        out.extend(presence_and_independence(
            t,
            *tier,
            req,
            &who,
            &pool,
            policy_file,
            now,
        ));
    }
    out
}

/// Warnings for a tier whose `presence` or `independent` can never be met: too few of its
/// principals have a security key, or too few remain once the commit's author is left out.
fn presence_and_independence(
    t: &Trusted,
    tier: Tier,
    req: &crate::policy::TierRequirement,
    who: &str,
    pool: &[&str],
    policy_file: &str,
    now: DateTime<Utc>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let plural = |n: u32| if n == 1 { "" } else { "s" };
    if req.presence != crate::policy::Presence::None {
        let with_sk = pool
            .iter()
            .filter(|p| {
                t.roster.entries.iter().any(|e| {
                    e.principals.iter().any(|q| principal_matches(q, p))
                        && usable(e, now)
                        && is_security_key(&e.key)
                })
            })
            .count();
        if (with_sk as u64) < u64::from(req.approvals) {
            out.push(Finding {
                file: policy_file.to_string(),
                line: 0,
                message: format!(
                    "[tiers.{tier}] asks presence = \"{}\" from {who}, but only {with_sk} of \
                     its principals {} a security key in the roster \
                     (sk-ssh-ed25519@openssh.com or sk-ecdsa-sha2-nistp256@openssh.com), and \
                     {} approval{} {} needed, so no AI change in the {tier} tier can pass; \
                     make one with `countersign keygen --type ed25519-sk` and list it",
                    req.presence.name(),
                    if with_sk == 1 { "has" } else { "have" },
                    req.approvals,
                    plural(req.approvals),
                    if req.approvals == 1 { "is" } else { "are" },
                ),
                fatal: false,
            });
        }
    }
    if req.independent && (pool.len() as u64) < u64::from(req.approvals) + 1 {
        out.push(Finding {
            file: policy_file.to_string(),
            line: 0,
            message: format!(
                "[tiers.{tier}] is independent = true and needs {} approval{} from {who}, \
                 which has {} principal{}: an AI change one of them authored or co-authored \
                 can never pass (its author's approval does not count); add a reviewer, or \
                 lower `approvals`",
                req.approvals,
                plural(req.approvals),
                pool.len(),
                if pool.len() == 1 { "" } else { "s" },
            ),
            fatal: false,
        });
    }
    out
}

/// Whether `key` is a security key (FIDO), the only kind that can attest a touch.
pub(crate) fn is_security_key(key: &ssh_key::PublicKey) -> bool {
    matches!(
        key.algorithm(),
        ssh_key::Algorithm::SkEd25519 | ssh_key::Algorithm::SkEcdsaSha2NistP256
    )
}

/// Why `key` can neither sign nor be verified by countersign (so `policy check`, `sign` and
/// `verify` all refuse it), or None for the kinds they all accept: ed25519, security keys,
/// RSA of 2048 bits or more (rsa-sha2-512), ECDSA P-256/384/521.
pub(crate) fn unsupported_key(key: &ssh_key::PublicKey) -> Option<String> {
    use ssh_key::public::KeyData;
    match key.key_data() {
        KeyData::Ed25519(_)
        | KeyData::SkEd25519(_)
        | KeyData::SkEcdsaSha2NistP256(_)
        | KeyData::Ecdsa(_) => None,
        KeyData::Rsa(rsa) => {
            let bits = rsa.n.as_positive_bytes().map_or(0, |b| {
                b.len() * 8 - b.first().map_or(8, |x| x.leading_zeros() as usize)
            });
            (bits < 2048).then(|| {
                format!("it is a {bits}-bit RSA key, and RSA keys under 2048 bits are refused")
            })
        }
        KeyData::Dsa(_) => {
            Some("DSA keys (ssh-dss) are not supported (OpenSSH dropped them)".to_string())
        }
        _ => Some(format!("{} keys are not supported", key.algorithm())),
    }
}
