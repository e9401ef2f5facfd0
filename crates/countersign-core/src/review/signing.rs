//! The one signing path (DESIGN "Sign what is current"): `countersign sign` and the
//! workstation both show the reviewer a plan, hear yes, and then call [`sign_current`], which
//!
//! 1. resolves the trusted ref again and refuses when it moved since the plan was shown (its
//!    policy, roster and the tiers they give may differ from what the reviewer saw);
//! 2. opens the review again and judges every commit as the notes stand now, and refuses,
//!    saying what changed, when a commit's tier, state, approvers or rejecters differ from
//!    what was shown (a reject signed meanwhile elsewhere is never silently lifted);
//! 3. plans the sign-offs from that fresh verdict ([`Review::plan_signing`]) and stops at its
//!    refusals, before any passphrase is asked for;
//! 4. opens the key (a passphrase through the caller's callback; ssh-agent with a cancel)
//!    and signs and appends every note line in one notes commit.
//!
//! So the plan that is signed is always made at the moment of signing, from the trusted ref,
//! policy, roster and notes as they are then; what the caller showed is only compared with it.

use std::path::Path;

use chrono::{DateTime, Utc};
use ssh_key::PublicKey;

use super::assess::Assessment;
use super::open::{Purpose, Resolved, Review};
use crate::git::short_id;
use crate::model::{CommitId, Tier};
use crate::signoff::agent::Cancel;
use crate::signoff::keys::{self, KeyLocation, SigningKey};
use crate::signoff::{self, Judged, ReviewState, SignOutcome, SignPlan, SignRequest};
use crate::{Error, Result};

/// A commit's standing as the reviewer was shown it: what must not have changed when the
/// sign-off is made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Standing {
    /// Its effective tier.
    pub tier: Tier,
    /// Where it stood.
    pub state: ReviewState,
    /// Who had approved it (counting approvals).
    pub approved_by: Vec<String>,
    /// Who had rejected it.
    pub rejected_by: Vec<String>,
}

impl Standing {
    /// The standing an assessment gives.
    pub fn of(a: &Assessment) -> Self {
        Standing {
            tier: a.tier,
            state: a.state,
            approved_by: a.gate.approved_by.clone(),
            rejected_by: a.gate.rejected_by.clone(),
        }
    }
}

/// A plan as shown to the reviewer, with each planned commit's standing.
pub struct ShownPlan {
    /// What would be signed, or why not.
    pub plan: SignPlan,
    /// Each commit of the range with its standing when the plan was made.
    pub standing: Vec<(CommitId, Standing)>,
}

/// What the reviewer was shown before saying yes.
#[derive(Clone, Copy)]
pub struct Shown<'a> {
    /// The review as it was resolved (trusted ref and commit; the commits to sign).
    pub resolved: &'a Resolved,
    /// The commits' standing as shown; a commit missing here was shown no verdict.
    pub standing: &'a [(CommitId, Standing)],
}

/// How the key is reached.
pub struct KeyAccess<'a> {
    /// Where the key is.
    pub location: &'a KeyLocation,
    /// The passphrase of an encrypted key file, asked only after the plan passed: `Ok(None)`
    /// when none is at hand (the caller asks the reviewer, then calls again).
    pub passphrase: &'a mut dyn FnMut(&Path) -> Result<Option<String>>,
    /// Ends a wait for ssh-agent (a security key's touch); nothing is signed then.
    pub cancel: Option<Cancel>,
}

/// How a signing attempt ended. Nothing is written unless it is [`Signing::Signed`].
#[derive(Debug)]
pub enum Signing {
    /// Signed and stored, with the plan's warnings for the reviewer.
    Signed {
        /// One per sign-off stored.
        outcomes: Vec<SignOutcome>,
        /// Things the reviewer should know (an approval that will not count, …).
        warnings: Vec<String>,
    },
    /// What was shown is no longer current (the trusted branch moved, a commit's tier or
    /// standing changed): sentences, the first saying nothing was signed.
    Changed(Vec<String>),
    /// The plan made now is refused (key not in the roster, expired, a prohibited AI commit).
    Refused(Vec<String>),
    /// The key is encrypted and the callback had no passphrase.
    NeedPassphrase,
}

impl Review<'_> {
    /// Plans sign-offs on every commit of the range with the key whose public half is `key`:
    /// each commit is judged first, then `signoff::plan` checks the key, the principal and
    /// the tier rules against the trusted roster and policy. Nothing is written.
    pub fn plan_signing(
        &mut self,
        request: &SignRequest,
        key: &PublicKey,
        now: DateTime<Utc>,
    ) -> Result<SignPlan> {
        Ok(self
            .plan_shown_with(request, key, now, &mut |_, _, _| {})?
            .plan)
    }

    /// [`Review::plan_signing`], telling `progress` (see [`Review::assess_all_with`]) as the
    /// commits are judged, and keeping each commit's standing (to show, and to compare with
    /// when signing: see [`sign_current`]).
    pub fn plan_shown_with(
        &mut self,
        request: &SignRequest,
        key: &PublicKey,
        now: DateTime<Utc>,
        progress: &mut dyn FnMut(usize, usize, &crate::git::CommitChange),
    ) -> Result<ShownPlan> {
        let assessments = self.assess_all_with(progress)?;
        let judged: Vec<Judged<'_>> = self
            .changes
            .commits
            .iter()
            .zip(&assessments)
            .map(|(commit, a)| Judged {
                commit,
                ai: a.ai.as_ref(),
                tier: a.tier,
                signoffs: &a.signoffs,
            })
            .collect();
        let plan = signoff::plan(
            self.trusted_files(),
            &self.trusted.name,
            &judged,
            request,
            key,
            now,
        )?;
        let standing = assessments
            .iter()
            .map(|a| (a.commit, Standing::of(a)))
            .collect();
        Ok(ShownPlan { plan, standing })
    }
}

/// Signs `request` on the commits `shown.resolved` names, planned now (see the module doc);
/// nothing is written unless the result is [`Signing::Signed`].
pub fn sign_current(
    repo: &git2::Repository,
    shown: Shown<'_>,
    request: &SignRequest,
    key: KeyAccess<'_>,
) -> Result<Signing> {
    let was = &shown.resolved.trusted;
    let now_trusted = super::trusted::resolve_again(repo, was)?;
    if now_trusted.commit != was.commit {
        return Ok(Signing::Changed(vec![format!(
            "the trusted branch {} moved since this review was opened ({} → {}): its policy, \
             roster and the tiers they give may differ from what was shown; nothing was \
             signed — open the review again (quit the workstation and run `countersign \
             review`, or run `countersign sign` again) to see and sign under the current policy",
            was.name,
            short_id(&was.commit.to_string()),
            short_id(&now_trusted.commit.to_string()),
        )]));
    }
    let mut review = Review::reopen(repo, shown.resolved, Purpose::Sign)?;
    let public = keys::public_key_at(key.location)?;
    let now = review.plan_shown_with(request, &public, Utc::now(), &mut |_, _, _| {})?;
    let changed = changed_since_shown(shown.standing, &now.standing, &review);
    if !changed.is_empty() {
        return Ok(Signing::Changed(changed));
    }
    let plan = now.plan;
    if !plan.refusals.is_empty() {
        return Ok(Signing::Refused(plan.refusals));
    }
    let mut missing = false;
    let ask = key.passphrase;
    let opened = SigningKey::open(key.location, &mut |path| match ask(path)? {
        Some(p) => Ok(p),
        None => {
            missing = true;
            Err(Error::Message(format!(
                "{} is encrypted: its passphrase is needed",
                path.display()
            )))
        }
    });
    let signing_key = match opened {
        Ok(k) => k,
        Err(_) if missing => return Ok(Signing::NeedPassphrase),
        Err(e) => return Err(e),
    };
    let signing_key = match key.cancel {
        Some(c) => signing_key.with_cancel(c),
        None => signing_key,
    };
    let outcomes = signoff::execute(repo, &plan, &signing_key)?;
    Ok(Signing::Signed {
        outcomes,
        warnings: plan.warnings,
    })
}

/// What changed, for each commit shown, between what was shown (tier, state, who approved
/// and rejected) and what the trusted policy and the notes say now: sentences, the first
/// saying nothing was signed; empty when nothing changed.
fn changed_since_shown(
    shown: &[(CommitId, Standing)],
    now: &[(CommitId, Standing)],
    review: &Review<'_>,
) -> Vec<String> {
    let who = |v: &[String]| {
        if v.is_empty() {
            "none".to_string()
        } else {
            v.join(", ")
        }
    };
    let mut lines = Vec::new();
    for (commit, was) in shown {
        let Some((_, is)) = now.iter().find(|(c, _)| c == commit) else {
            continue;
        };
        if was == is {
            continue;
        }
        let summary = review
            .changes
            .commits
            .iter()
            .find(|c| &c.id == commit)
            .map_or("", |c| c.summary.as_str());
        lines.push(format!(
            "{} {}: shown {}, {}, approved by {}, rejected by {}; now {}, {}, approved by {}, \
             rejected by {}",
            commit.short(),
            crate::model::clip(summary, 60),
            was.tier,
            was.state.name(),
            who(&was.approved_by),
            who(&was.rejected_by),
            is.tier,
            is.state.name(),
            who(&is.approved_by),
            who(&is.rejected_by),
        ));
    }
    if !lines.is_empty() {
        lines.insert(
            0,
            "since it was shown, what the sign-off would rest on has changed; nothing was \
             signed — look at the current state, then sign"
                .to_string(),
        );
    }
    lines
}
