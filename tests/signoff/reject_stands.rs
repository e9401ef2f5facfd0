//! A validly signed reject stands until its own principal's approval names it, or the commit
//! is replaced by one whose patch differs (DESIGN, "Decisions that must not fail open").
//! Each test is an attack by a branch author who cannot reach the seniors' keys: before the
//! fix, `verify` let the commit through over a reject.

use crate::signoff_common;

use countersign_core::signoff::{keys, Decision};
use signoff_common::{forge, now, problems, Fixture};

fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// An AI commit on `feature` touching src/lib.rs, its dates `ahead` of the real clock.
fn ai_commit_dated(f: &Fixture, text: &str, ahead: chrono::Duration) -> git2::Oid {
    f.t.write("src/lib.rs", text);
    let repo = &f.t.repo;
    let mut index = repo.index().expect("index");
    index
        .add_path(std::path::Path::new("src/lib.rs"))
        .expect("add");
    index.write().expect("write index");
    let tree = repo
        .find_tree(index.write_tree().expect("tree"))
        .expect("tree");
    let when = git2::Time::new((chrono::Utc::now() + ahead).timestamp(), 0);
    let sig = git2::Signature::new("Dana Human", "dana@example.com", &when).expect("sig");
    let parent = repo.head().unwrap().peel_to_commit().unwrap();
    repo.commit(
        Some("HEAD"),
        &sig,
        &sig,
        "Speed up f\n\nCo-authored-by: kiro <kiro@agents.example>\n",
        &tree,
        &[&parent],
    )
    .expect("commit")
}

/// Replaces main's roster (the trusted ref) with `roster` and its policy with `policy` when
/// given, then checks `feature` out again.
fn change_main(f: &Fixture, roster: Option<&str>, policy: Option<&str>, msg: &str) {
    f.t.checkout("main");
    if let Some(r) = roster {
        f.t.write(".countersign/allowed_signers", r);
    }
    if let Some(p) = policy {
        f.t.write(".countersign/policy.toml", p);
    }
    f.t.commit(msg);
    f.t.checkout("feature");
}

fn roster_on_main(f: &Fixture) -> String {
    String::from_utf8(
        f.t.repo
            .revparse_single("main:.countersign/allowed_signers")
            .unwrap()
            .peel_to_blob()
            .unwrap()
            .content()
            .to_vec(),
    )
    .unwrap()
}

fn alice_reject(f: &Fixture, c: &git2::Oid) {
    f.sign_cmd(c, "alice", "reject")
        .args(["--comment", "unbounded cache"])
        .assert()
        .success();
}

fn assert_rejected_by_alice(f: &Fixture, c: &git2::Oid) {
    let (code, json) = f.verify_json(&["main..feature"]);
    assert_eq!(code, 1, "{json:#}");
    let v = Fixture::verdict_for(&json, c);
    assert_eq!(v["state"], "rejected", "{v:#}");
    assert!(
        problems(&v).contains("rejected by alice@example.com"),
        "{v:#}"
    );
}

#[test]
fn a_commit_dated_ahead_does_not_void_a_reject() {
    let f = Fixture::new();
    // Dated 15 minutes ahead: a reject signed now is "before the commit itself" (beyond the
    // 10-minute skew), while an approval dated 9 minutes from now is neither in the future
    // nor before the commit.
    let c = ai_commit_dated(&f, "pub fn f() { 1; }\n", chrono::Duration::minutes(15));
    alice_reject(&f, &c);
    let bob = f.person("bob");
    let later = rfc3339(chrono::Utc::now() + chrono::Duration::minutes(9));
    let approval = forge(
        &f.t.repo,
        &c,
        &bob.key,
        &bob.principal,
        "countersign",
        &later,
        |_| {},
    );
    f.append_raw(&c, approval);
    assert_rejected_by_alice(&f, &c);
}

#[test]
fn a_reject_made_with_a_key_that_expired_since_still_stands() {
    // dave's roster key expired in 2020: an approval by it counts for nothing, but a reject
    // by it is a veto all the same (timestamp checks never discard a reject).
    let f = Fixture::new();
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Speed up f");
    let dave = f.person("dave");
    let reject = forge(
        &f.t.repo,
        &c,
        &dave.key,
        &dave.principal,
        "countersign",
        &now(),
        |p| {
            p.decision = Decision::Reject;
        },
    );
    f.append_raw(&c, reject);
    f.sign(&c, "bob", "approve").success();
    let (code, json) = f.verify_json(&["main..feature"]);
    assert_eq!(code, 1, "{json:#}");
    let v = Fixture::verdict_for(&json, &c);
    assert_eq!(v["state"], "rejected", "{v:#}");
    assert!(
        problems(&v).contains("rejected by dave@example.com"),
        "{v:#}"
    );
}

#[test]
fn rotating_a_key_on_the_trusted_branch_does_not_lift_its_reject() {
    let f = Fixture::new();
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Speed up f");
    alice_reject(&f, &c);
    f.sign(&c, "bob", "approve").success();
    assert_rejected_by_alice(&f, &c);

    // Alice's key is replaced on main: her earlier reject no longer verifies with today's
    // roster, but it was made with a key she held in the trusted history.
    let alice = f.person("alice");
    let old = alice.key.public_key().to_openssh().unwrap();
    let fresh = keys::generate_ed25519(&alice.principal).unwrap();
    let rotated = roster_on_main(&f).replace(&old, &fresh.public_key().to_openssh().unwrap());
    assert_ne!(rotated, roster_on_main(&f));
    change_main(&f, Some(&rotated), None, "Roster: rotate alice's key");
    assert_rejected_by_alice(&f, &c);
}

#[test]
fn removing_and_demoting_a_reviewer_does_not_lift_their_reject() {
    let f = Fixture::new();
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Speed up f");
    alice_reject(&f, &c);
    f.sign(&c, "bob", "approve").success();
    let roster: String = roster_on_main(&f)
        .lines()
        .filter(|l| !l.starts_with("alice@"))
        .map(|l| format!("{l}\n"))
        .collect();
    let policy = signoff_common::POLICY.replace("\"alice@example.com\", ", "");
    assert_ne!(policy, signoff_common::POLICY);
    change_main(&f, Some(&roster), Some(&policy), "Alice leaves the team");
    assert_rejected_by_alice(&f, &c);
}

#[test]
fn revoking_a_key_ends_its_veto_and_voids_its_approvals() {
    let f = Fixture::new();
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Speed up f");
    alice_reject(&f, &c);
    f.sign(&c, "bob", "approve").success();
    assert_rejected_by_alice(&f, &c);

    let alice_fp = keys::fingerprint(f.person("alice").key.public_key());
    let policy = format!("revoked = [\"{alice_fp}\"]\n{}", signoff_common::POLICY);
    change_main(&f, None, Some(&policy), "Policy: revoke alice's leaked key");
    let (code, json) = f.verify_json(&["main..feature"]);
    assert_eq!(code, 0, "{json:#}");
    let v = Fixture::verdict_for(&json, &c);
    assert_eq!(v["state"], "approved", "{v:#}");
    assert!(v["signoffs"].to_string().contains("is revoked"), "{v:#}");

    // A revoked key's approval counts for nothing either.
    let bob_fp = keys::fingerprint(f.person("bob").key.public_key());
    let policy = format!(
        "revoked = [\"{alice_fp}\", \"{bob_fp}\"]\n{}",
        signoff_common::POLICY
    );
    change_main(&f, None, Some(&policy), "Policy: revoke bob's key too");
    let (code, json) = f.verify_json(&["main..feature"]);
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(Fixture::verdict_for(&json, &c)["state"], "needs-signoff");
}

#[test]
fn a_malformed_revoked_entry_is_a_policy_error() {
    let f = Fixture::new();
    let policy = format!("revoked = [\"alice\"]\n{}", signoff_common::POLICY);
    f.t.write(".countersign/policy.toml", policy);
    let out = f.cmd().args(["policy", "check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is not a key fingerprint"), "{err}");
}

#[test]
fn a_shallow_trusted_history_is_an_error_when_a_reject_needs_it() {
    let f = Fixture::new();
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Speed up f");
    alice_reject(&f, &c);
    f.sign(&c, "bob", "approve").success();
    let alice = f.person("alice");
    let old = alice.key.public_key().to_openssh().unwrap();
    let fresh = keys::generate_ed25519(&alice.principal).unwrap();
    let rotated = roster_on_main(&f).replace(&old, &fresh.public_key().to_openssh().unwrap());
    change_main(&f, Some(&rotated), None, "Roster: rotate alice's key");
    // The trusted history is cut below its tip, as `git fetch --depth 1` leaves it: the
    // roster that listed alice's old key is beyond the cut.
    std::fs::write(f.path().join(".git/shallow"), format!("{}\n", f.base)).unwrap();
    let out = f
        .cmd()
        .args(["verify", "main..feature"])
        .output()
        .expect("verify runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("is shallow"), "{err}");
}
