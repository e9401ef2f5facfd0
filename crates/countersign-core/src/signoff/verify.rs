//! Verification: is one note line a valid sign-off on this very commit by a trusted key, and
//! does a commit carry the approvals its tier demands?
//!
//! A sign-off is **valid** when every one of these holds:
//! - the line is a record (`payload` + `signature`) and the payload is canonical;
//! - the trusted roster lists the payload's principal with the key that made the signature,
//!   allowed in namespace `countersign`;
//! - the SSHSIG verifies over the payload's exact bytes in namespace `countersign`;
//! - the payload names this commit, its tree, its parents and its patch digest;
//! - for an approval: the roster key was valid (`valid-after` ≤ t < `valid-before`) at the
//!   sign-off's signed time t, t is neither in the future nor before the commit was made, and
//!   the key has not expired since (`now < valid-before`).
//!
//! **A reject is never discarded by time**, and one the trusted roster of today does not
//! admit is judged again by every roster of the trusted history (the caller does that, see
//! [`crate::policy::history`]): a commit dated ahead, a key rotated or expired since, a
//! reviewer removed or demoted never lift a veto. Only `revoked` in the trusted policy ends
//! one (see `judge_with`).
//!
//! **Why both the signed time and now:** the gate judges changes about to ship, so it wants
//! keys that are trusted today, as `ssh-keygen -Y verify` does by default. Checking only the
//! signed time would let a holder of an expired key backdate a commit and its sign-off (both
//! dates are theirs to choose). A rotated key's sign-offs on still-open changes must be
//! renewed with the new key; history already on the base branch is not re-gated.

//! A commit's **tally** counts distinct principals holding the tier's role whose latest valid
//! decision is approve; a qualified principal whose latest decision is reject blocks it.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::record::{Decision, NoteLine, Payload};
use super::{bounds, keys, sshsig, ReviewState};
use crate::git::{short_id, CommitChange};
use crate::model::{CommitId, Tier};
use crate::policy::provenance::Provenance;
use crate::policy::{AllowedSigner, Policy, Roster, ROSTER_PATH};

/// How far clocks may disagree: a sign-off may be dated this much after "now" or before the
/// commit's committer time.
const CLOCK_SKEW_MINUTES: i64 = 10;

/// One sign-off line with its verdict (what `show` prints).
#[derive(Clone, Debug, Serialize)]
pub struct SignoffVerdict {
    /// The payload exactly as signed (empty when the line is not a record).
    pub payload: String,
    /// The armored signature (empty when the line is not a record).
    pub signature: String,
    /// The principal the payload names (unverified when `valid` is false).
    pub principal: Option<String>,
    /// The decision the payload records.
    pub decision: Option<Decision>,
    /// When the payload says it was signed.
    pub timestamp: Option<String>,
    /// The fingerprint of the key that made the signature.
    pub key_fingerprint: Option<String>,
    /// The free-text comment the payload records (unverified when `valid` is false).
    pub comment: Option<String>,
    /// Signature, key and binding all check out.
    pub valid: bool,
    /// Why it is not valid, as sentences (empty when valid).
    pub problems: Vec<String>,
    /// Whether it counts toward the commit's requirement (valid, principal holds the role,
    /// and it is that principal's latest decision).
    pub counts: bool,
    /// Why a valid sign-off does not count, when it does not.
    pub not_counted: Option<String>,
    /// The digest naming the signed payload (`sha256:…`), what an approval's `supersedes`
    /// names to lift a reject.
    pub digest: Option<String>,
    /// For an approval: the digest of the reject it lifts.
    pub supersedes: Option<String>,
    /// True when the line is no longer in the note but is in the notes ref's history: a
    /// signed reject stands all the same (someone who can push the notes ref cannot drop it).
    pub removed: bool,
    /// For a reject made on an earlier version of this commit with the same verbatim patch
    /// (an amend, a reword, a rebase that changed nothing of its own): that version and who
    /// signed it. The reject is checked against that version, and carries here.
    pub carried_from: Option<CarriedFrom>,
    /// The parsed payload when valid.
    #[serde(skip)]
    pub parsed: Option<Payload>,
    /// For a security key's signature: its flags (touch, PIN) and counter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_key: Option<sshsig::Attestation>,
    /// The roster line that admits the key says `verify-required`.
    #[serde(skip)]
    pub verify_required: bool,
}

/// Where a carried sign-off was made (`carried_from` in JSON).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CarriedFrom {
    /// The earlier commit the sign-off names.
    pub commit: CommitId,
    /// Its principal.
    pub by: String,
}

impl SignoffVerdict {
    fn invalid(payload: String, signature: String, problem: String) -> Self {
        SignoffVerdict {
            payload,
            signature,
            principal: None,
            decision: None,
            timestamp: None,
            key_fingerprint: None,
            comment: None,
            valid: false,
            problems: vec![problem],
            digest: None,
            supersedes: None,
            removed: false,
            counts: false,
            not_counted: None,
            carried_from: None,
            parsed: None,
            security_key: None,
            verify_required: false,
        }
    }

    /// Who the sign-off is by, for sentences: `alice@example.com`, or `an unnamed signer`.
    pub fn who(&self) -> String {
        self.principal
            .clone()
            .unwrap_or_else(|| "an unreadable signer".to_string())
    }
}

/// What checking needs besides the commit: the trusted roster, where it came from, the clock.
pub(crate) struct Checker<'a> {
    /// The trusted roster.
    pub roster: &'a Roster,
    /// The trusted revision's name, for messages.
    pub trusted_ref: &'a str,
    /// The time validity (`valid-after`, `valid-before`) is judged at.
    pub now: DateTime<Utc>,
    /// Signatures already checked ahead ([`check_signatures_ahead`]), if any.
    pub checked: Option<&'a CheckedSignatures>,
}

/// Outcomes of the signature arithmetic (see [`super::sshsig::matches`]), by the exact
/// payload and armored signature of a note line, computed with the key the signature names.
#[derive(Debug, Default)]
pub(crate) struct CheckedSignatures(HashMap<(String, String), bool>);

impl CheckedSignatures {
    /// The outcome for this payload and signature, when it was checked ahead.
    fn get(&self, payload: &str, signature: &str) -> Option<bool> {
        self.0
            .get(&(payload.to_string(), signature.to_string()))
            .copied()
    }
}

/// Fewer signatures than this are left to [`Checker::check_line`], one by one.
const AHEAD_AT_LEAST: usize = 16;

/// Checks the signatures of `lines` on the machine's cores, ahead of the verdicts that need
/// them: the Ed25519 arithmetic is most of a long range's `verify`, and one commit's
/// verdict does not depend on another's signatures. Only the lines that pass the cheap
/// checks first (sizes, parsing, the countersign namespace, a signing key the roster lists)
/// are checked, each distinct (payload, signature) once: a hostile notes ref buys at most one
/// signature check per distinct line naming a roster key, which it can make
/// [`Checker::check_line`] do anyway by naming that key's principal.
pub(crate) fn check_signatures_ahead(roster: &Roster, lines: &[String]) -> CheckedSignatures {
    let mut todo: Vec<(String, String, ssh_key::SshSig)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for line in lines {
        if bounds::check_line(line).is_err() {
            continue;
        }
        let Ok(record) = NoteLine::parse(line) else {
            continue;
        };
        if bounds::check_payload_text(&record.payload).is_err()
            || !seen.insert((record.payload.clone(), record.signature.clone()))
        {
            continue;
        }
        let Ok(sig) = sshsig::parse(&record.signature) else {
            continue;
        };
        if sig.namespace() != sshsig::NAMESPACE
            || !roster
                .entries
                .iter()
                .any(|e| e.key.key_data() == sig.public_key())
        {
            continue;
        }
        todo.push((record.payload, record.signature, sig));
    }
    if todo.len() < AHEAD_AT_LEAST {
        return CheckedSignatures::default();
    }
    let threads = crate::git::shares::cores()
        .min(todo.len() / AHEAD_AT_LEAST)
        .max(1);
    let check = |share: &[(String, String, ssh_key::SshSig)]| -> Vec<bool> {
        share
            .iter()
            .map(|(payload, _, sig)| sshsig::matches(&sshsig::signer(sig), payload, sig))
            .collect()
    };
    let chunk = todo.len().div_ceil(threads);
    let outcomes: Vec<bool> = std::thread::scope(|scope| {
        let workers: Vec<_> = todo
            .chunks(chunk)
            .skip(1)
            .map(|share| scope.spawn(move || check(share)))
            .collect();
        let mut all = check(&todo[..chunk.min(todo.len())]);
        for worker in workers {
            // A thread that failed leaves its share and the rest unchecked ahead: they are
            // checked one by one later.
            match worker.join() {
                Ok(done) => all.extend(done),
                Err(_) => return all,
            }
        }
        all
    });
    CheckedSignatures(
        todo.into_iter()
            .zip(outcomes)
            .map(|((payload, signature, _), ok)| ((payload, signature), ok))
            .collect(),
    )
}

impl Checker<'_> {
    /// Checks one note line against `commit`.
    ///
    /// Cheap checks come first and the costly ones last, so a hostile line costs time in
    /// proportion to its (capped) size: sizes ([`bounds`]), then parsing, then whether the
    /// roster knows the key (a byte comparison), then the principal against the roster's
    /// patterns (linear time), and only then the signature.
    pub(crate) fn check_line(&self, line: &str, commit: &CommitChange) -> SignoffVerdict {
        if let Err(e) = bounds::check_line(line) {
            return SignoffVerdict::invalid(String::new(), String::new(), e);
        }
        let record = match NoteLine::parse(line) {
            Ok(r) => r,
            Err(e) => {
                return SignoffVerdict::invalid(
                    String::new(),
                    String::new(),
                    format!("a line of the note is ignored: {e}"),
                )
            }
        };
        if let Err(e) = bounds::check_payload_text(&record.payload) {
            return SignoffVerdict::invalid(String::new(), String::new(), e);
        }
        let mut v = SignoffVerdict::invalid(
            record.payload.clone(),
            record.signature.clone(),
            String::new(),
        );
        v.problems.clear();
        let payload = match Payload::parse(&record.payload).and_then(|p| {
            bounds::check_fields(&p)?;
            Ok(p)
        }) {
            Ok(p) => p,
            Err(e) => {
                v.problems.push(e);
                return v;
            }
        };
        v.principal = Some(payload.principal.clone());
        v.decision = Some(payload.decision);
        v.digest = Some(super::record::payload_digest(&record.payload));
        v.supersedes = payload.supersedes.clone();
        v.timestamp = Some(payload.timestamp.clone());
        v.comment = Some(payload.comment.clone());
        let sig = match sshsig::parse(&record.signature) {
            Ok(s) => s,
            Err(e) => {
                v.problems.push(e);
                return v;
            }
        };
        let signer = sshsig::signer(&sig);
        let fingerprint = keys::fingerprint(&signer);
        v.key_fingerprint = Some(fingerprint.clone());
        let roster_file = format!("{}:{ROSTER_PATH}", self.trusted_ref);
        let principal = payload.principal.as_str();
        // The lines whose principals list admits this principal with this very key, as
        // `ssh-keygen -Y verify -I PRINCIPAL` would find them.
        let admitting: Vec<&AllowedSigner> = self
            .roster
            .entries
            .iter()
            .filter(|e| e.key.key_data() == signer.key_data())
            .filter(|e| e.matches_principal(principal))
            .collect();
        if admitting.is_empty() {
            if self.roster.names(principal) {
                v.problems.push(format!(
                    "it is signed with key {fingerprint}, which the trusted roster ({roster_file}) \
                     does not list for {principal}: a signature by a key outside the roster \
                     counts for nothing"
                ));
            } else {
                v.problems.push(format!(
                    "{principal} is not in the trusted roster ({roster_file}); add them there (on \
                     the trusted branch) before their sign-offs count"
                ));
            }
            return v;
        }
        // A pattern (`*@example.com`) may admit a key, but it must not let that key speak for
        // a principal the roster lists by name with another key: only literal names count.
        let named: Vec<&AllowedSigner> = admitting
            .iter()
            .copied()
            .filter(|e| e.names_literally(principal))
            .collect();
        let Some(first) = named.first() else {
            v.problems.push(format!(
                "it is signed as {principal} with key {fingerprint}, which the trusted roster \
                 ({roster_file}, line {}) lists only under a pattern; list {principal} by name \
                 with this key for their sign-offs to count",
                admitting[0].line
            ));
            return v;
        };
        let known = self
            .checked
            .and_then(|c| c.get(&record.payload, &record.signature));
        if let Err(e) = sshsig::verify_known(&first.key, &record.payload, &sig, known) {
            v.problems.push(e);
            return v;
        }
        // As ssh-keygen, any one line that allows the namespace and the time will do; when
        // none does, the first line's reasons are given.
        let mut entry_problems = Vec::new();
        for entry in &named {
            let mut problems = Vec::new();
            if !entry.allows_namespace(sshsig::NAMESPACE) {
                problems.push(format!(
                    "{principal}'s key is limited to namespaces=\"{}\" in {roster_file} (line {}), \
                     which does not include {}",
                    entry.namespaces.as_deref().unwrap_or_default().join(","),
                    entry.line,
                    sshsig::NAMESPACE
                ));
            }
            match payload.time() {
                Err(e) => problems.push(e),
                // Timestamp checks may discard an approval, never a reject: a reject's dates
                // are the branch author's to move (a commit dated ahead) or time's (a key
                // rotated since), and neither may lift a veto.
                Ok(_) if payload.decision == Decision::Reject => {}
                Ok(t) => self.check_time(t, entry, commit, principal, &mut problems),
            }
            if problems.is_empty() {
                entry_problems.clear();
                break;
            }
            if entry_problems.is_empty() {
                entry_problems = problems;
            }
        }
        v.problems.extend(entry_problems);
        if payload.key_fingerprint != fingerprint {
            v.problems.push(format!(
                "its payload names key {} but it was signed with {fingerprint}",
                payload.key_fingerprint
            ));
        }
        self.check_binding(&payload, commit, &mut v.problems);
        v.valid = v.problems.is_empty();
        if v.valid {
            v.parsed = Some(payload);
            v.security_key = sshsig::attestation(&sig);
            v.verify_required = named.iter().any(|e| e.verify_required);
        }
        v
    }

    /// The payload must name this very commit, tree, parents and change.
    fn check_binding(&self, p: &Payload, commit: &CommitChange, problems: &mut Vec<String>) {
        if !commit.id.is(&p.commit) {
            problems.push(format!(
                "it signs commit {}, not this one ({}): a sign-off copied from another commit \
                 (by hand, or by a rebase or amend) counts for nothing; sign this commit itself",
                short_id(&p.commit),
                commit.id.short()
            ));
            return;
        }
        if p.tree != commit.tree {
            problems.push(format!(
                "it names tree {}, but this commit's tree is {}",
                short_id(&p.tree),
                short_id(&commit.tree)
            ));
        }
        let same_parents = p.parents.len() == commit.parents.len()
            && commit
                .parents
                .iter()
                .zip(&p.parents)
                .all(|(id, text)| id.is(text));
        if !same_parents {
            problems.push("it names other parents than this commit's".to_string());
        }
        if p.patch_digest != commit.patch_digest {
            problems.push(format!(
                "it names change {}, but this commit's change is {}",
                p.patch_digest, commit.patch_digest
            ));
        }
    }

    /// The key must have been valid at the signed time (which must be plausible) and must not
    /// have expired since.
    fn check_time(
        &self,
        t: DateTime<Utc>,
        entry: &AllowedSigner,
        commit: &CommitChange,
        principal: &str,
        problems: &mut Vec<String>,
    ) {
        let skew = Duration::minutes(CLOCK_SKEW_MINUTES);
        let when = t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        if let Some(after) = entry.valid_after {
            if t < after {
                problems.push(format!(
                    "{principal}'s key is valid only from {} (valid-after in the roster, line \
                     {}); the sign-off is dated {when}",
                    after.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    entry.line
                ));
            }
        }
        if let Some(before) = entry.valid_before {
            // Expired now voids it too: an expired key could otherwise sign a backdated
            // commit with a backdated payload (both dates are the signer's to choose).
            if t >= before || self.now >= before {
                problems.push(format!(
                    "{principal}'s key expired on {} (valid-before in the roster, line {}); the \
                     sign-off is dated {when}: sign again with a current key",
                    before.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    entry.line
                ));
            }
        }
        if t > self.now + skew {
            problems.push(format!("it is dated {when}, in the future"));
        }
        if let Some(made) = DateTime::<Utc>::from_timestamp(commit.committer.time, 0) {
            if t + skew < made {
                problems.push(format!(
                    "it is dated {when}, before the commit itself was made ({})",
                    made.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                ));
            }
        }
    }
}

/// A commit's standing under the gate: what it needs, what it has, and why it fails.
#[derive(Clone, Debug, Serialize)]
pub struct GateVerdict {
    /// Where the commit stands.
    pub state: ReviewState,
    /// Approvals its tier requires (0 for human commits).
    pub required: u32,
    /// The role those approvers must hold (None: any roster principal).
    pub role: Option<String>,
    /// Distinct qualified principals whose latest decision is approve.
    pub approved_by: Vec<String>,
    /// Distinct qualified principals whose latest decision is reject.
    pub rejected_by: Vec<String>,
    /// True when the commit may ship.
    pub ok: bool,
    /// Why it may not, as sentences a person can act on.
    pub problems: Vec<String>,
    /// What the counting approvals viewed together (None when none counts).
    pub viewing: Option<Coverage>,
}

/// What a commit's counting approvals viewed together, as their evidence records it (attested
/// by each signer's own client).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Coverage {
    /// Files: the most any counting approval viewed (evidence counts files, it does not name
    /// them), at most the commit's own count.
    pub files_viewed: u32,
    /// The files the commit changes.
    pub files_total: u32,
    /// Hunks viewed together (the union of their payload version 3 bitmaps over the commit's
    /// hunk list); absent where the hunk list was not read (no approval records hunks and the
    /// tier does not ask for them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hunks_viewed: Option<u32>,
    /// The hunks of the commit's hunk list (absent as `hunks_viewed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hunks_total: Option<u32>,
}

impl Coverage {
    /// `2 of 3 files, 5 of 9 hunks`.
    pub fn sentence(&self) -> String {
        let mut s = format!("{} of {} files", self.files_viewed, self.files_total);
        if let (Some(v), Some(t)) = (self.hunks_viewed, self.hunks_total) {
            s.push_str(&format!(", {v} of {t} hunks"));
        }
        s
    }
}

/// Judges one commit: `signoffs` are its checked note lines (their `counts` and
/// `not_counted` are filled in here).
#[cfg(any(test, feature = "test-support"))]
pub fn judge(
    policy: &Policy,
    commit: &CommitChange,
    ai: Option<&Provenance>,
    tier: Tier,
    tier_reasons: &[String],
    signoffs: &mut [SignoffVerdict],
) -> GateVerdict {
    judge_with(
        policy,
        commit,
        ai,
        tier,
        tier_reasons,
        signoffs,
        &PastRoles::new(),
        None,
    )
}

/// Role name → every principal that held it in some policy of the trusted ref's
/// first-parent history (see [`crate::policy::history`]).
pub(crate) type PastRoles = BTreeMap<String, std::collections::BTreeSet<String>>;

/// [`judge`], where a reject also counts from a principal who held the tier's role in any
/// policy of the trusted history (`past_roles`): demoting a reviewer never lifts their reject.
/// `hunks` is the commit's hunk list where its tier asks `require_viewed = "hunks"` (None:
/// not read, and no approval then meets that tier: fail closed).
#[allow(clippy::too_many_arguments)]
pub(crate) fn judge_with(
    policy: &Policy,
    commit: &CommitChange,
    ai: Option<&Provenance>,
    tier: Tier,
    tier_reasons: &[String],
    signoffs: &mut [SignoffVerdict],
    past_roles: &PastRoles,
    hunks: Option<&super::hunks::HunkList>,
) -> GateVerdict {
    let req = policy.requirement(tier);
    let role = req.role.clone();
    revoke(policy, signoffs);
    let qualified = |p: &str| match &role {
        Some(r) => policy.principals_with_role(r).iter().any(|x| x == p),
        None => true,
    };
    let held_role = |p: &str| match &role {
        Some(r) => qualified(p) || past_roles.get(r).is_some_and(|s| s.contains(p)),
        None => true,
    };
    let standing = Standing::of(signoffs);
    let barred: Vec<Option<String>> = signoffs
        .iter()
        .map(|s| super::eligibility::barred(&req, commit, s, hunks))
        .collect();
    let (approved_by, rejected_by) =
        count_decisions(signoffs, &standing, &qualified, &held_role, &barred);
    let counting: Vec<&SignoffVerdict> = signoffs
        .iter()
        .filter(|s| s.counts && s.decision == Some(Decision::Approve))
        .collect();
    let uncovered = super::eligibility::uncovered(&req, commit, &counting, hunks);
    let viewing = (!counting.is_empty()).then(|| {
        let files_total = u32::try_from(commit.files.len()).unwrap_or(u32::MAX);
        let hunk_coverage = super::eligibility::coverage(&counting, hunks);
        Coverage {
            files_viewed: counting
                .iter()
                .filter_map(|s| s.parsed.as_ref())
                .map(|p| p.evidence.files_viewed)
                .max()
                .unwrap_or(0)
                .min(files_total),
            files_total,
            hunks_viewed: hunk_coverage.map(|(v, _)| u32::try_from(v).unwrap_or(u32::MAX)),
            hunks_total: hunk_coverage.map(|(_, t)| u32::try_from(t).unwrap_or(u32::MAX)),
        }
    });
    explain_uncounted(signoffs, &standing, &qualified, role.as_deref());

    let role_name = role
        .as_deref()
        .map_or(String::new(), |r| format!(" from role {r}"));
    let mut problems = Vec::new();
    let state = match ai {
        None => ReviewState::NotRequired,
        // A commit judged AI only by a line-provenance note (which the branch author can
        // write) needs its tier's approvals, and is never forbidden by it.
        Some(a) if tier == Tier::Prohibited && !a.only_from_notes() => {
            problems.push(format!(
                "AI-generated ({}: {}) and in the prohibited tier{}: AI may not make this change, \
                 whatever sign-offs it carries; a human must author it",
                a.agent,
                a.rule,
                tier_reasons
                    .first()
                    .map_or(String::new(), |r| format!(" ({r})"))
            ));
            ReviewState::Forbidden
        }
        Some(_) if !rejected_by.is_empty() => {
            problems.extend(rejected_by.iter().map(|who| rejection(signoffs, who)));
            ReviewState::Rejected
        }
        Some(_)
            if approved_by.len() as u32 >= req.approvals
                && !(req.approvals > 0 && uncovered.is_some()) =>
        {
            if req.approvals == 0 && approved_by.is_empty() {
                ReviewState::NotRequired
            } else {
                ReviewState::Approved
            }
        }
        Some(_) => {
            match uncovered.filter(|_| approved_by.len() as u32 >= req.approvals) {
                Some(why) => problems.push(why),
                None => problems.push(missing_approvals(
                    signoffs,
                    commit,
                    tier,
                    req.approvals,
                    approved_by.len(),
                    &role_name,
                )),
            }
            ReviewState::NeedsSignoff
        }
    };
    let ok = matches!(state, ReviewState::NotRequired | ReviewState::Approved);
    GateVerdict {
        state,
        required: if ai.is_some() { req.approvals } else { 0 },
        role,
        approved_by,
        rejected_by,
        ok,
        problems,
        viewing,
    }
}

/// Voids every sign-off made with a key the trusted policy lists in `revoked`, approve or
/// reject alike: the one way to end a leaked key's veto.
fn revoke(policy: &Policy, signoffs: &mut [SignoffVerdict]) {
    if policy.revoked.is_empty() {
        return;
    }
    for s in signoffs.iter_mut() {
        let Some(fp) = s.key_fingerprint.as_deref() else {
            continue;
        };
        if policy.revoked.iter().any(|r| r == fp) {
            s.problems.push(format!(
                "its key {fp} is revoked by the trusted policy (`revoked` in {}): no sign-off \
                 made with it counts",
                crate::policy::POLICY_PATH
            ));
            s.valid = false;
            s.parsed = None;
        }
    }
}

/// Each principal's standing decision. A valid reject stands until the same principal signs
/// an approval that names it (`supersedes`), whatever the timestamps say; a reject removed
/// from the note but found in the notes ref's history stands too. Otherwise the principal's
/// latest valid approval is their decision. A removed approval counts for nothing (dropping
/// it only makes the gate stricter).
struct Standing {
    /// Principal → (time, decision, index of the sign-off) of their standing decision.
    latest: BTreeMap<String, (DateTime<Utc>, Decision, usize)>,
    /// Indices of rejects lifted by an approval of the same principal that names them.
    superseded: Vec<usize>,
}

impl Standing {
    fn of(signoffs: &[SignoffVerdict]) -> Standing {
        let mut lifted: Vec<(&str, &str)> = Vec::new();
        for s in signoffs {
            let (Some(p), Some(named)) = (s.parsed.as_ref(), s.supersedes.as_deref()) else {
                continue;
            };
            if p.decision == Decision::Approve && !s.removed {
                lifted.push((p.principal.as_str(), named));
            }
        }
        let mut latest: BTreeMap<String, (DateTime<Utc>, Decision, usize)> = BTreeMap::new();
        let mut superseded: Vec<usize> = Vec::new();
        for (i, s) in signoffs.iter().enumerate() {
            let Some(p) = s.parsed.as_ref() else { continue };
            let Ok(t) = p.time() else { continue };
            let stands = match p.decision {
                Decision::Reject => {
                    let lifted_by_own = s.digest.as_deref().is_some_and(|d| {
                        lifted
                            .iter()
                            .any(|(who, named)| *who == p.principal && *named == d)
                    });
                    if lifted_by_own {
                        superseded.push(i);
                    }
                    !lifted_by_own
                }
                Decision::Approve => !s.removed,
            };
            if !stands {
                continue;
            }
            let replaces = match latest.get(&p.principal) {
                None => true,
                // An open reject is never replaced by an approval; between two of a kind the
                // later one is shown.
                Some((lt, ld, _)) => match (p.decision, *ld) {
                    (Decision::Reject, Decision::Approve) => true,
                    (Decision::Approve, Decision::Reject) => false,
                    _ => t > *lt,
                },
            };
            if replaces {
                latest.insert(p.principal.clone(), (t, p.decision, i));
            }
        }
        Standing { latest, superseded }
    }
}

/// Marks the standing decisions of qualified principals as counting and returns who approves
/// and who rejects. One key is one reviewer: a roster line naming several principals with one
/// key does not give that key several approvals.
fn count_decisions(
    signoffs: &mut [SignoffVerdict],
    standing: &Standing,
    qualified: &impl Fn(&str) -> bool,
    held_role: &impl Fn(&str) -> bool,
    barred: &[Option<String>],
) -> (Vec<String>, Vec<String>) {
    let mut approved_by = Vec::new();
    let mut rejected_by = Vec::new();
    let mut approving_keys: Vec<String> = Vec::new();
    for (principal, (_, decision, idx)) in &standing.latest {
        let counts = match decision {
            Decision::Approve => qualified(principal),
            Decision::Reject => held_role(principal),
        };
        if !counts {
            continue;
        }
        if let Some(Some(why)) = barred.get(*idx) {
            // Independence and presence bar approvals only (`barred` is None for a reject).
            signoffs[*idx].not_counted = Some(why.clone());
            continue;
        }
        if *decision == Decision::Approve {
            let key = signoffs[*idx].key_fingerprint.clone().unwrap_or_default();
            if approving_keys.contains(&key) {
                signoffs[*idx].not_counted = Some(format!(
                    "its key {key} already approved as another principal; one key counts once"
                ));
                continue;
            }
            approving_keys.push(key);
        }
        signoffs[*idx].counts = true;
        match decision {
            Decision::Approve => approved_by.push(principal.clone()),
            Decision::Reject => rejected_by.push(principal.clone()),
        }
    }
    (approved_by, rejected_by)
}

/// Says, on each parsed sign-off that does not count, why not.
fn explain_uncounted(
    signoffs: &mut [SignoffVerdict],
    standing: &Standing,
    qualified: &impl Fn(&str) -> bool,
    role: Option<&str>,
) {
    let latest = &standing.latest;
    for (i, s) in signoffs.iter_mut().enumerate() {
        let Some(p) = s.parsed.as_ref() else { continue };
        if s.counts || s.not_counted.is_some() {
            continue;
        }
        s.not_counted = Some(if standing.superseded.contains(&i) {
            "an approval by the same principal names it (supersedes), which lifts it".to_string()
        } else if s.removed && p.decision == Decision::Approve {
            "it was removed from the note (it is only in the notes ref's history)".to_string()
        } else if !qualified(&p.principal) {
            format!(
                "{} holds no {} role",
                p.principal,
                role.unwrap_or("required")
            )
        } else if latest
            .get(&p.principal)
            .is_some_and(|(_, d, j)| *j != i && *d == Decision::Reject)
        {
            format!(
                "{}'s reject stands: an approval lifts a reject only by naming it \
                 (supersedes), as `countersign sign` does when the same reviewer approves",
                p.principal
            )
        } else if latest.get(&p.principal).is_some_and(|(_, _, j)| *j != i) {
            format!(
                "{} made a later decision, which replaces this one",
                p.principal
            )
        } else {
            "it is not the signer's latest decision".to_string()
        });
    }
}

/// The problem a standing reject by `who` makes, quoting its comment.
fn rejection(signoffs: &[SignoffVerdict], who: &str) -> String {
    let comment = signoffs
        .iter()
        .filter(|s| s.counts)
        .filter_map(|s| s.parsed.as_ref())
        .find(|p| p.principal == who)
        .map(|p| p.comment.clone())
        .filter(|c| !c.is_empty())
        .map_or(String::new(), |c| {
            format!(" (\"{}\")", crate::model::clip(&c, MAX_REASON_CHARS))
        });
    let removed = signoffs
        .iter()
        .any(|s| s.counts && s.removed && s.parsed.as_ref().is_some_and(|p| p.principal == who));
    let carried = signoffs
        .iter()
        .filter(|s| s.counts && s.parsed.as_ref().is_some_and(|p| p.principal == who))
        .find_map(|s| s.carried_from.as_ref())
        .map_or(String::new(), |c| {
            format!(
                " on {}, an earlier version of this commit with the same patch (git patch-id \
                 --verbatim): a rewrite that changes nothing of the change keeps its rejects",
                c.commit.short()
            )
        });
    format!(
        "rejected by {who}{carried}{comment}: a rejection blocks until {who} signs an approval \
         of this commit that lifts it, or the change is replaced by one whose patch differs{}",
        if removed {
            " (this signed reject was removed from the note; the notes ref's \
             history keeps it, so it stands)"
        } else {
            ""
        }
    )
}

/// The problem of too few approvals: how many are needed and had, and why each sign-off that
/// does not count does not (or the command that signs, when there is none).
fn missing_approvals(
    signoffs: &[SignoffVerdict],
    commit: &CommitChange,
    tier: Tier,
    needed: u32,
    had: usize,
    role_name: &str,
) -> String {
    let mut sentence = format!(
        "needs {needed} approval{}{role_name} ({tier} tier); has {had}",
        if needed == 1 { "" } else { "s" },
    );
    let reasons =
        summarise_reasons(
            signoffs
                .iter()
                .filter(|s| !s.counts)
                .map(|s| match &s.not_counted {
                    Some(why) => format!("the sign-off by {} does not count: {why}", s.who()),
                    None => format!(
                        "the sign-off by {} does not count: {}",
                        s.who(),
                        s.problems.join("; ")
                    ),
                }),
        );
    if reasons.is_empty() {
        sentence.push_str(&format!(
            " — no sign-off is recorded; a reviewer{role_name} signs with `countersign \
             sign {} --decision approve`",
            commit.id.short()
        ));
    } else {
        sentence.push_str(" — ");
        sentence.push_str(&reasons.join("; "));
    }
    sentence
}

/// At most this many distinct reasons are given for sign-offs that do not count.
const MAX_REASONS: usize = 5;
/// Each reason is cut at this many characters (it may quote a hostile note line).
const MAX_REASON_CHARS: usize = 500;

/// The reasons, each once with how often it repeats, the first [`MAX_REASONS`] kinds only: a
/// note of 200,000 junk lines gives one sentence, not 25 MB.
fn summarise_reasons(reasons: impl Iterator<Item = String>) -> Vec<String> {
    let mut kinds: Vec<(String, usize)> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut other = 0usize;
    for r in reasons {
        let r = crate::model::clip(&r, MAX_REASON_CHARS).into_owned();
        if let Some(&i) = index.get(&r) {
            kinds[i].1 += 1;
        } else if kinds.len() < MAX_REASONS {
            index.insert(r.clone(), kinds.len());
            kinds.push((r, 1));
        } else {
            other += 1;
        }
    }
    let mut out: Vec<String> = kinds
        .into_iter()
        .map(|(r, n)| match n {
            1 => r,
            n => format!("{r} (and {} more like this)", n - 1),
        })
        .collect();
    if other > 0 {
        out.push(format!(
            "and {other} more sign-off{} that do{} not count",
            if other == 1 { "" } else { "s" },
            if other == 1 { "es" } else { "" }
        ));
    }
    out
}
