//! Signing: plan what will be signed (and refuse what must not be), then sign and store it.
//!
//! Two steps so that both callers can show the plan and ask before anything happens:
//!
//! 1. [`plan`] needs only the *public* key: it finds the roster principal, checks the key is
//!    valid now, assesses each commit under the trusted policy and builds the payloads, or
//!    lists the refusals (a key the roster does not list, an expired key, an approval of an AI
//!    commit in the prohibited tier).
//! 2. [`execute`] signs every payload and appends all note lines in one notes commit, so a
//!    range is signed entirely or not at all.
//!
//! Both are called from `review::signing` only: `sign_current` plans again at the moment of
//! signing, compares with what was shown, then executes.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use ssh_key::PublicKey;

use super::comment::ReviewComment;
use super::keys::{self, SigningKey};
use super::notes::{self, Append};
use super::record::{version_for, Decision, Evidence, NoteLine, Payload};
use super::sshsig;
use super::verify::SignoffVerdict;
use crate::git::{short_id, CommitChange};
use crate::model::{CommitId, Tier};
use crate::policy::provenance::Provenance;
use crate::policy::{AllowedSigner, Trusted, ROSTER_PATH};
use crate::{Error, Result};

/// What the reviewer asks to sign.
#[derive(Clone, Debug)]
pub struct SignRequest {
    /// Approve or reject.
    pub decision: Decision,
    /// Free text recorded in the payload (may be empty).
    pub comment: String,
    /// Structured comments; each goes into the payload of the commit it names (making it a
    /// version 2 payload). A comment naming a commit outside the range is refused.
    pub comments: Vec<ReviewComment>,
    /// The roster principal to sign as, where the key is listed under several.
    pub principal: Option<String>,
    /// Review evidence per commit id; commits missing here get [`Evidence::none`].
    pub evidence: HashMap<CommitId, Evidence>,
    /// Where the sign-off is made: `cli` or `tui` (recorded in the evidence).
    pub interface: String,
}

/// One sign-off ready to be signed.
#[derive(Clone, Debug, Serialize)]
pub struct PlannedSignoff {
    /// The commit (serialised as its full id).
    pub commit: CommitId,
    /// Its summary line.
    pub summary: String,
    /// AI provenance (None for a human commit).
    pub ai: Option<Provenance>,
    /// Effective tier under the trusted policy.
    pub tier: Tier,
    /// The payload that will be signed.
    pub payload: Payload,
}

/// What `plan` found: the sign-offs to make, or why none may be made.
#[derive(Clone, Debug, Serialize)]
pub struct SignPlan {
    /// The principal signing (None when refused before one was found).
    pub principal: Option<String>,
    /// `SHA256:…` of the signing key.
    pub key_fingerprint: String,
    /// One per commit, oldest first.
    pub items: Vec<PlannedSignoff>,
    /// Why signing is refused; non-empty means nothing may be signed.
    pub refusals: Vec<String>,
    /// Things the reviewer should know that do not stop the signing.
    pub warnings: Vec<String>,
}

/// One stored sign-off.
#[derive(Clone, Debug, Serialize)]
pub struct SignOutcome {
    /// The commit signed off.
    pub commit: String,
    /// The principal who signed.
    pub principal: String,
    /// Approve or reject, as signed.
    pub decision: Decision,
    /// The note line written.
    pub line: String,
    /// The notes commit that holds it.
    pub notes_commit: String,
}

/// One commit as the gate judged it: what signing needs to know of its verdict.
#[derive(Clone, Copy, Debug)]
pub struct Judged<'a> {
    /// Loaded with its patch digest (signing refuses a commit without one).
    pub commit: &'a CommitChange,
    /// Its AI provenance (None for a human commit).
    pub ai: Option<&'a Provenance>,
    /// Its effective tier under the trusted policy.
    pub tier: Tier,
    /// Its sign-offs as the gate judged them (an approval names the signer's open reject).
    pub signoffs: &'a [SignoffVerdict],
}

/// The digest of `principal`'s latest valid reject among `signoffs` that no approval of
/// theirs lifts yet: what their new approval must name (`supersedes`) to lift it.
fn open_reject(signoffs: &[SignoffVerdict], principal: &str) -> Option<String> {
    let lifted: Vec<&str> = signoffs
        .iter()
        .filter(|s| s.parsed.as_ref().is_some_and(|p| p.principal == principal))
        .filter_map(|s| s.supersedes.as_deref())
        .collect();
    signoffs
        .iter()
        .filter(|s| {
            s.parsed
                .as_ref()
                .is_some_and(|p| p.principal == principal && p.decision == Decision::Reject)
        })
        .filter(|s| s.digest.as_deref().is_some_and(|d| !lifted.contains(&d)))
        .max_by_key(|s| s.timestamp.clone())
        .and_then(|s| s.digest.clone())
}

/// Plans sign-offs on the `judged` commits with the key whose public half is `key`, under the
/// `trusted` policy and roster read from `trusted_ref` (its name, for messages), at time `now`.
pub fn plan(
    trusted: &Trusted,
    trusted_ref: &str,
    judged: &[Judged<'_>],
    request: &SignRequest,
    key: &PublicKey,
    now: DateTime<Utc>,
) -> Result<SignPlan> {
    let fingerprint = keys::fingerprint(key);
    let mut plan = SignPlan {
        principal: None,
        key_fingerprint: fingerprint.clone(),
        items: Vec::new(),
        refusals: Vec::new(),
        warnings: Vec::new(),
    };
    let roster_file = format!("{trusted_ref}:{ROSTER_PATH}");
    if let Some(why) = crate::policy::lint::unsupported_key(key) {
        // The same judgement as `policy check`: a key it refuses never signs.
        plan.refusals.push(format!(
            "the signing key {fingerprint} cannot make sign-offs: {why}; nothing was signed"
        ));
        return Ok(plan);
    }
    let principal = match signing_principal(trusted, request, key, &roster_file, now)? {
        Ok(p) => p,
        Err(refusal) => {
            plan.refusals.push(refusal);
            return Ok(plan);
        }
    };
    plan.principal = Some(principal.clone());
    if let Some(a) = judged.iter().find(|a| a.commit.patch_digest.is_empty()) {
        return Err(Error::Message(format!(
            "commit {} was loaded without its patch digest, so nothing can be signed for it; \
             this is a bug in countersign, please report it",
            a.commit.id.short()
        )));
    }
    for c in &request.comments {
        if !judged.iter().any(|a| a.commit.id.is(&c.commit)) {
            plan.refusals.push(format!(
                "the comment on {}:{} names commit {}, which is not in the range signed; \
                 nothing was signed",
                c.path,
                c.range(),
                short_id(&c.commit)
            ));
        }
    }
    let signer = Signer {
        principal: &principal,
        fingerprint: &fingerprint,
        policy_digest: &trusted.policy.digest,
        timestamp: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        tool: format!("countersign {}", env!("CARGO_PKG_VERSION")),
        security_key: crate::policy::lint::is_security_key(key),
    };
    for a in judged {
        if let Some(item) = plan_one(trusted, a, request, &signer, &mut plan) {
            plan.items.push(item);
        }
    }
    for item in &plan.items {
        let len = item.payload.canonical().len();
        if len > super::bounds::MAX_PAYLOAD {
            plan.refusals.push(format!(
                "the sign-off on {} would be {len} bytes, over the {} bytes a sign-off can take: \
                 shorten or split the comments; nothing was signed",
                item.commit.short(),
                super::bounds::MAX_PAYLOAD
            ));
        }
    }
    if judged.is_empty() {
        plan.refusals
            .push("the range has no commits: nothing to sign".to_string());
    }
    Ok(plan)
}

/// Who signs and with what, the same for every commit of a plan.
struct Signer<'a> {
    principal: &'a str,
    fingerprint: &'a str,
    policy_digest: &'a str,
    timestamp: String,
    tool: String,
    /// The key is a security key (the only kind a tier's `presence` accepts).
    security_key: bool,
}

/// The principal the key may sign as now (Ok(Err(refusal)) when none: not in the roster, only
/// through a pattern, ambiguous, or outside its validity). The principals a key may sign as
/// are those its lines name by name (not through a pattern, not negated), exactly what
/// `verify` counts: a principal a line admits only through a pattern (`*@example.com`) is
/// refused here, as `verify` would refuse the line.
fn signing_principal(
    trusted: &Trusted,
    request: &SignRequest,
    key: &PublicKey,
    roster_file: &str,
    now: DateTime<Utc>,
) -> Result<std::result::Result<String, String>> {
    let fingerprint = keys::fingerprint(key);
    let entries: Vec<&AllowedSigner> = trusted
        .roster
        .entries
        .iter()
        .filter(|e| e.key.key_data() == key.key_data())
        .collect();
    if entries.is_empty() {
        let line = keys::allowed_signers_line("YOU@example.com", key)?;
        return Ok(Err(format!(
            "the key {fingerprint} is not in the trusted roster ({roster_file}); nothing was \
             signed. Add it on the trusted branch first:\n    {line}"
        )));
    }
    let mut principals: Vec<&str> = entries
        .iter()
        .flat_map(|e| {
            e.principals
                .iter()
                .map(String::as_str)
                .filter(|p| !p.contains(['*', '?']) && e.names_literally(p))
        })
        .collect();
    principals.sort_unstable();
    principals.dedup();
    let listed = || {
        let all: Vec<&str> = entries
            .iter()
            .flat_map(|e| e.principals.iter().map(String::as_str))
            .collect();
        all.join(", ")
    };
    let principal = match &request.principal {
        Some(p) if principals.contains(&p.as_str()) => p.clone(),
        Some(p) if entries.iter().any(|e| e.matches_principal(p)) => {
            return Ok(Err(format!(
                "the key {fingerprint} is listed in {roster_file} for {} — a pattern that admits \
                 {p} but does not name it, so `verify` would not count a sign-off as {p}; \
                 nothing was signed. List {p} by name with this key on the trusted branch",
                listed()
            )));
        }
        Some(p) => {
            return Ok(Err(format!(
                "the key {fingerprint} is listed in {roster_file} for {}, not for {p}; nothing \
                 was signed",
                listed()
            )));
        }
        None if principals.len() == 1 => principals[0].to_string(),
        None if principals.is_empty() => {
            return Ok(Err(format!(
                "the key {fingerprint} is listed in {roster_file} only under {}, which names no \
                 principal by name; nothing was signed. List your principal by name with this \
                 key on the trusted branch",
                listed()
            )));
        }
        None => {
            return Ok(Err(format!(
                "the key {fingerprint} is listed in {roster_file} for {}; say which principal \
                 you sign as with --principal",
                principals.join(", ")
            )));
        }
    };
    let usable: Vec<&AllowedSigner> = entries
        .into_iter()
        .filter(|e| e.names_literally(&principal))
        .collect();
    if let Some(why) = unusable_now(&usable, now, &principal, roster_file) {
        return Ok(Err(why));
    }
    Ok(Ok(principal))
}

/// The sign-off planned on one judged commit (None when refused), with the warnings and
/// refusals it gives added to `plan`.
fn plan_one(
    trusted: &Trusted,
    a: &Judged<'_>,
    request: &SignRequest,
    signer: &Signer<'_>,
    plan: &mut SignPlan,
) -> Option<PlannedSignoff> {
    let commit = a.commit;
    let principal = signer.principal;
    let req = trusted.policy.requirement(a.tier);
    if a.ai.is_some_and(|p| !p.only_from_notes())
        && a.tier == Tier::Prohibited
        && request.decision == Decision::Approve
    {
        plan.refusals.push(format!(
            "commit {} is AI-generated and in the prohibited tier: AI may not make this \
             change, so no approval can let it ship; nothing was signed",
            commit.id.short()
        ));
        return None;
    }
    if a.ai.is_none() {
        plan.warnings.push(format!(
            "commit {} is not AI-generated: it needs no sign-off (this one is recorded anyway)",
            commit.id.short()
        ));
    }
    if let Some(role) = &req.role {
        let holds = trusted
            .policy
            .principals_with_role(role)
            .iter()
            .any(|p| p == principal);
        if !holds && a.ai.is_some() {
            plan.warnings.push(format!(
                "{principal} holds no {role} role: the sign-off on {} is recorded but does \
                 not count toward its {} tier",
                commit.id.short(),
                a.tier
            ));
        }
    }
    if a.ai.is_some() && request.decision == Decision::Approve {
        if let Some(part) = req
            .independent
            .then(|| super::eligibility::involvement(commit, principal))
            .flatten()
        {
            plan.warnings.push(format!(
                "{principal} is the {part} of {}, whose {} tier asks for an independent \
                 approver: this approval is recorded but does not count; someone else must \
                 approve it",
                commit.id.short(),
                a.tier
            ));
        }
        if req.presence != crate::policy::Presence::None && !signer.security_key {
            plan.warnings.push(format!(
                "the {} tier of {} asks presence = \"{}\": an approval made with an ordinary \
                 key is recorded but does not count; sign with a security key \
                 (sk-ssh-ed25519@openssh.com) through ssh-agent or `countersign keygen --type \
                 ed25519-sk`",
                a.tier,
                commit.id.short(),
                req.presence.name()
            ));
        }
    }
    let mut evidence = request
        .evidence
        .get(&commit.id)
        .cloned()
        .unwrap_or_else(|| {
            Evidence::none(
                u32::try_from(commit.files.len()).unwrap_or(u32::MAX),
                &request.interface,
            )
        });
    // The lowest payload version the trusted policy needs: hunks viewed (version 3) only
    // where this commit's tier asks for them, so a gate pinned to the trusted commit reads it.
    if req.require_viewed != crate::policy::Viewed::Hunks {
        evidence.hunks = None;
    }
    let comments: Vec<ReviewComment> = request
        .comments
        .iter()
        .filter(|c| commit.id.is(&c.commit))
        .cloned()
        .collect();
    if let Err(e) = super::bounds::check_comments(&comments) {
        plan.refusals.push(format!(
            "the sign-off on {}: {e}; nothing was signed",
            commit.id.short()
        ));
    }
    Some(PlannedSignoff {
        commit: commit.id,
        summary: commit.summary.clone(),
        ai: a.ai.cloned(),
        tier: a.tier,
        payload: Payload {
            version: version_for(&comments, &evidence),
            commit: commit.id.to_string(),
            tree: commit.tree.clone(),
            parents: commit.parents.iter().map(ToString::to_string).collect(),
            patch_digest: commit.patch_digest.clone(),
            tier: a.tier.name().to_string(),
            policy_digest: signer.policy_digest.to_string(),
            decision: request.decision,
            comment: request.comment.clone(),
            principal: principal.to_string(),
            key_fingerprint: signer.fingerprint.to_string(),
            timestamp: signer.timestamp.clone(),
            tool: signer.tool.clone(),
            evidence,
            supersedes: match request.decision {
                Decision::Approve => open_reject(a.signoffs, principal),
                Decision::Reject => None,
            },
            comments,
        },
    })
}

/// Why none of `entries` may sign now (namespaces, valid-after, valid-before), if so.
fn unusable_now(
    entries: &[&AllowedSigner],
    now: DateTime<Utc>,
    principal: &str,
    roster_file: &str,
) -> Option<String> {
    let mut why = Vec::new();
    for e in entries {
        if !e.allows_namespace(sshsig::NAMESPACE) {
            why.push(format!(
                "line {} allows only namespaces=\"{}\"",
                e.line,
                e.namespaces.as_deref().unwrap_or_default().join(",")
            ));
            continue;
        }
        if let Some(after) = e.valid_after.filter(|a| now < *a) {
            why.push(format!("line {} is valid only from {after}", e.line));
            continue;
        }
        if let Some(before) = e.valid_before.filter(|b| now >= *b) {
            why.push(format!("line {} expired on {before}", e.line));
            continue;
        }
        return None;
    }
    Some(format!(
        "{principal}'s key may not sign now ({roster_file}: {}); nothing was signed: renew the \
         roster entry on the trusted branch or use a current key",
        why.join("; ")
    ))
}

/// Signs every planned payload with `key` and appends the note lines in one notes commit.
/// Refuses a plan with refusals (nothing is written).
pub fn execute(
    repo: &git2::Repository,
    plan: &SignPlan,
    key: &SigningKey,
) -> Result<Vec<SignOutcome>> {
    if !plan.refusals.is_empty() {
        return Err(Error::Message(plan.refusals.join("\n")));
    }
    if keys::fingerprint(key.public_key()) != plan.key_fingerprint {
        return Err(Error::Message(
            "the key opened for signing is not the key the plan was made for; nothing was signed"
                .to_string(),
        ));
    }
    let mut appends = Vec::new();
    let mut outcomes = Vec::new();
    for item in &plan.items {
        let payload = item.payload.canonical();
        let signature = sshsig::sign(key, &payload)?;
        let line = NoteLine { payload, signature }.to_line();
        appends.push(Append {
            commit: item.commit.oid(),
            lines: vec![line.clone()],
        });
        outcomes.push(SignOutcome {
            commit: item.commit.to_string(),
            principal: item.payload.principal.clone(),
            decision: item.payload.decision,
            line,
            notes_commit: String::new(),
        });
    }
    let message = match plan.items.as_slice() {
        [one] => format!(
            "countersign: {} {} by {}",
            one.payload.decision,
            one.commit.short(),
            one.payload.principal
        ),
        many => format!(
            "countersign: {} {} commits by {}",
            many.first().map_or("sign", |i| i.payload.decision.name()),
            many.len(),
            plan.principal.as_deref().unwrap_or("?")
        ),
    };
    let notes_commit = notes::append(repo, &appends, &message)?.to_string();
    for o in &mut outcomes {
        o.notes_commit = notes_commit.clone();
    }
    Ok(outcomes)
}
