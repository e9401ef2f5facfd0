//! Sign-offs made through the library's own signing path, for set-ups that need many.

use std::collections::HashMap;

use countersign_core::review::{Purpose, Review, Selection};
use countersign_core::signoff::keys::SigningKey;
use countersign_core::signoff::{self, Decision, SignRequest};
use git2::Repository;
use ssh_key::PrivateKey;

/// Approves every commit of `revspec` with `key`, as `countersign sign` does (plan against
/// the policy and roster on `trusted_ref`, then sign and append the notes); panics on any
/// refusal.
pub fn sign_range(repo: &Repository, key: &PrivateKey, revspec: &str, trusted_ref: &str) {
    let selection = Selection {
        revspec: Some(revspec),
        trusted_ref: Some(trusted_ref),
    };
    let mut review = Review::open(repo, selection, Purpose::Sign).expect("open the review");
    let request = SignRequest {
        decision: Decision::Approve,
        comment: "bench".into(),
        comments: Vec::new(),
        principal: None,
        evidence: HashMap::new(),
        interface: "cli".into(),
    };
    let plan = review
        .plan_signing(&request, key.public_key(), chrono::Utc::now())
        .expect("plan");
    assert!(plan.refusals.is_empty(), "{:?}", plan.refusals);
    let signer = SigningKey::InMemory(Box::new(key.clone()));
    signoff::execute(repo, &plan, &signer).expect("sign");
}
