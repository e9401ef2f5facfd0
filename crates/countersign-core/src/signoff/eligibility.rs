//! What a tier asks of an approval beyond a valid signature by a qualified principal
//! (DESIGN, "A present, independent, attentive human"): `independent` (the approver is not
//! the commit's author, committer or a `Co-authored-by` person: the one who ran the agent
//! cannot approve its work) and `presence` (a security key whose signed flags show a touch,
//! and for `pin` user verification). countersign reads the flags itself: `ssh-keygen -Y
//! verify` of OpenSSH 9.2 accepts a security-key signature without the presence flag.
//!
//! These rules apply to approvals only: a reject always stands.

use super::hunks::HunkList;
use super::record::Decision;
use super::verify::SignoffVerdict;
use crate::git::CommitChange;
use crate::policy::{Presence, TierRequirement, Viewed};

/// Why the approval `s` does not count under `req` for `commit` (whose hunk list is `hunks`,
/// read where the tier asks for hunks: None when it could not be read); None when it may count
/// (or is not an approval).
pub(crate) fn barred(
    req: &TierRequirement,
    commit: &CommitChange,
    s: &SignoffVerdict,
    hunks: Option<&HunkList>,
) -> Option<String> {
    let p = s.parsed.as_ref()?;
    if p.decision != Decision::Approve {
        return None;
    }
    if req.independent {
        if let Some(part) = involvement(commit, &p.principal) {
            return Some(format!(
                "{} is this commit's {part}, and its tier asks for an independent approver \
                 (independent = true): someone else must approve it",
                p.principal
            ));
        }
    }
    if req.require_viewed >= Viewed::Files && p.evidence.files_viewed == 0 {
        return Some(format!(
            "its tier asks require_viewed = \"{}\", and this approval records no file viewed \
             (interface {}: a sign-off from the command line records no viewing); approve in \
             the workstation after marking files viewed",
            viewed_name(req.require_viewed),
            p.evidence.interface
        ));
    }
    if req.require_viewed == Viewed::Hunks {
        if let Err(why) = viewed_hunks(&p.evidence, hunks) {
            return Some(format!(
                "its tier asks require_viewed = \"hunks\", and {why}; approve in the \
                 workstation after reading the hunks (each is marked once all its lines were \
                 on screen)"
            ));
        }
    }
    let needed = if s.verify_required {
        req.presence.max(Presence::Pin)
    } else {
        req.presence
    };
    let why = if s.verify_required && req.presence < Presence::Pin {
        "the roster marks its key verify-required".to_string()
    } else {
        format!("its tier asks presence = \"{}\"", needed.name())
    };
    match (needed, s.security_key) {
        (Presence::None, _) => None,
        (_, None) => Some(format!(
            "{why}: only a security key's touch meets it (sk-ssh-ed25519@openssh.com or \
             sk-ecdsa-sha2-nistp256@openssh.com), and this sign-off was made with an ordinary \
             key — a program holding a key or its passphrase can make such a signature"
        )),
        (_, Some(a)) if !a.user_present => Some(format!(
            "{why}, and its security key's signature does not show a touch (the user-presence \
             flag is not set)"
        )),
        (Presence::Pin, Some(a)) if !a.user_verified => Some(format!(
            "{why}, and its security key's signature does not show the PIN (the \
             user-verification flag is not set)"
        )),
        _ => None,
    }
}

/// The name of a `require_viewed` value in the policy.
fn viewed_name(v: Viewed) -> &'static str {
    match v {
        Viewed::None => "none",
        Viewed::Files => "files",
        Viewed::Hunks => "hunks",
    }
}

/// The hunks an approval's evidence says were viewed, over the commit's own hunk list `list`:
/// an error sentence when it records none (a payload before version 3, a sign-off from the
/// command line), indexes another list, or viewed none of a list that has hunks.
pub(crate) fn viewed_hunks(
    evidence: &super::record::Evidence,
    list: Option<&HunkList>,
) -> Result<Vec<bool>, String> {
    let Some(h) = &evidence.hunks else {
        return Err(format!(
            "this approval records no hunks viewed (interface {}: only the workstation records \
             them, in payload version 3)",
            evidence.interface
        ));
    };
    let Some(list) = list else {
        return Err("the commit's hunk list could not be read to check it against".to_string());
    };
    if h.total as usize != list.len() || h.list_digest != list.digest {
        return Err(format!(
            "its hunks viewed index another hunk list ({} hunks, {}) than this commit's ({} \
             hunks, {})",
            h.total,
            h.list_digest,
            list.len(),
            list.digest
        ));
    }
    let flags = super::hunks::decode_bitmap(&h.viewed, list.len())?;
    if !list.is_empty() && !flags.iter().any(|f| *f) {
        return Err("this approval viewed none of the commit's hunks".to_string());
    }
    Ok(flags)
}

/// Under `require_viewed = "files"` or `"hunks"`, why the counting approvals (`counting`)
/// together do not cover `commit`'s files (and hunks, of the list `hunks`). File evidence
/// gives counts, not names, so the union is taken as the largest count (never more than the
/// true union: stricter, never laxer), against the commit's own file count (not the count the
/// signer's client wrote); hunk evidence is a bitmap, whose union is exact.
pub(crate) fn uncovered(
    req: &TierRequirement,
    commit: &CommitChange,
    counting: &[&SignoffVerdict],
    hunks: Option<&HunkList>,
) -> Option<String> {
    if req.require_viewed == Viewed::None || counting.is_empty() {
        return None;
    }
    if req.require_viewed == Viewed::Hunks {
        let total = hunks.map_or(0, HunkList::len);
        let covered = coverage(counting, hunks).map_or(0, |(viewed, _)| viewed);
        if covered < total {
            return Some(format!(
                "its tier asks require_viewed = \"hunks\": the approvals must cover its {total} \
                 hunk{}, and together they viewed {covered}; an approver reads the rest in the \
                 workstation, then signs",
                if total == 1 { "" } else { "s" }
            ));
        }
    }
    let total = commit.files.len();
    let most = counting
        .iter()
        .filter_map(|s| s.parsed.as_ref())
        .map(|p| p.evidence.files_viewed as usize)
        .max()
        .unwrap_or(0);
    (most < total).then(|| {
        format!(
            "its tier asks require_viewed = \"{}\": the approvals must cover its {total} \
             file{}, and the most any of them viewed is {most}; an approver marks every file \
             viewed in the workstation, then signs",
            viewed_name(req.require_viewed),
            if total == 1 { "" } else { "s" }
        )
    })
}

/// How many hunks of `list` the approvals `counting` viewed together (those whose evidence
/// indexes this very list), of how many: None without a list.
pub(crate) fn coverage(
    counting: &[&SignoffVerdict],
    list: Option<&HunkList>,
) -> Option<(usize, usize)> {
    let list = list?;
    let mut union = vec![false; list.len()];
    for p in counting.iter().filter_map(|s| s.parsed.as_ref()) {
        if let Ok(flags) = viewed_hunks(&p.evidence, Some(list)) {
            for (u, f) in union.iter_mut().zip(flags) {
                *u |= f;
            }
        }
    }
    Some((union.iter().filter(|u| **u).count(), list.len()))
}

/// How the person with e-mail `principal` (compared case-insensitively) took part in
/// `commit`: `author`, `committer` or `co-author (Co-authored-by)`; None when not at all.
pub(crate) fn involvement(commit: &CommitChange, principal: &str) -> Option<&'static str> {
    let principal = principal.trim();
    let same = |email: &str| !email.is_empty() && email.trim().eq_ignore_ascii_case(principal);
    if same(&commit.author.email) {
        return Some("author");
    }
    if same(&commit.committer.email) {
        return Some("committer");
    }
    commit
        .trailers
        .iter()
        .filter(|t| t.key.eq_ignore_ascii_case("co-authored-by"))
        .filter_map(|t| email_in(&t.value))
        .any(same)
        .then_some("co-author (Co-authored-by)")
}

/// The address in `Name <address>`.
fn email_in(value: &str) -> Option<&str> {
    let start = value.rfind('<')? + 1;
    let len = value[start..].find('>')?;
    Some(&value[start..start + len])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_read_from_a_trailer_value() {
        assert_eq!(
            email_in("Dana <Dana@Example.com>"),
            Some("Dana@Example.com")
        );
        assert_eq!(email_in("Dana"), None);
        assert_eq!(email_in("a <b"), None);
    }
}
