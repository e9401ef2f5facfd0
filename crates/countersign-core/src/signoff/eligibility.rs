//! What a tier asks of an approval beyond a valid signature by a qualified principal
//! (DESIGN, "A present, independent, attentive human"): `independent` (the approver is not
//! the commit's author, committer or a `Co-authored-by` person: the one who ran the agent
//! cannot approve its work) and `presence` (a security key whose signed flags show a touch,
//! and for `pin` user verification). countersign reads the flags itself: `ssh-keygen -Y
//! verify` of OpenSSH 9.2 accepts a security-key signature without the presence flag.
//!
//! These rules apply to approvals only: a reject always stands.

use super::record::Decision;
use super::verify::SignoffVerdict;
use crate::git::CommitChange;
use crate::policy::{Presence, TierRequirement, Viewed};

/// Why the approval `s` does not count under `req` for `commit`; None when it may count
/// (or is not an approval).
pub fn barred(req: &TierRequirement, commit: &CommitChange, s: &SignoffVerdict) -> Option<String> {
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
    if req.require_viewed == Viewed::Files && p.evidence.files_viewed == 0 {
        return Some(format!(
            "its tier asks require_viewed = \"files\", and this approval records no file viewed \
             (interface {}: a sign-off from the command line records no viewing); approve in \
             the workstation after marking files viewed",
            p.evidence.interface
        ));
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

/// Under `require_viewed = "files"`, why the counting approvals (`counting`) together do not
/// cover `commit`'s files. Their evidence gives counts, not names, so the union is taken as
/// the largest count (never more than the true union: stricter, never laxer), against the
/// commit's own file count (not the count the signer's client wrote).
pub fn uncovered(
    req: &TierRequirement,
    commit: &CommitChange,
    counting: &[&SignoffVerdict],
) -> Option<String> {
    if req.require_viewed != Viewed::Files || counting.is_empty() {
        return None;
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
            "its tier asks require_viewed = \"files\": the approvals must cover its {total} \
             file{}, and the most any of them viewed is {most}; an approver marks every file \
             viewed in the workstation, then signs",
            if total == 1 { "" } else { "s" }
        )
    })
}

/// How the person with e-mail `principal` (compared case-insensitively) took part in
/// `commit`: `author`, `committer` or `co-author (Co-authored-by)`; None when not at all.
pub fn involvement(commit: &CommitChange, principal: &str) -> Option<&'static str> {
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
