//! An approval by a present, independent human (issue "An approval is a deliberate act"):
//! a tier's `independent` bars the commit's author, committer and co-authors from approving
//! it; its `presence` accepts only a security key's touch (and PIN), which a program holding
//! an ordinary key or its passphrase cannot make. Real keys, real `ssh-keygen`.

mod signoff_common;

use signoff_common::*;

/// [`POLICY`] with `extra` lines added to `[tiers.supervised]`.
fn policy_with(extra: &str) -> String {
    POLICY.replace(
        "[tiers.supervised]\napprovals = 1\nrole = \"senior\"\n",
        &format!("[tiers.supervised]\napprovals = 1\nrole = \"senior\"\n{extra}\n"),
    )
}

/// An AI commit alice made with an agent on her machine (she is its author; the agent is
/// its co-author), touching the supervised `src/lib.rs`.
fn alices_ai_commit(f: &Fixture, text: &str, extra_trailers: &str) -> git2::Oid {
    f.t.write("src/lib.rs", text);
    f.t.commit_as(
        "Alice",
        "Alice@Example.COM",
        &format!("Speed up f\n\nCo-authored-by: Claude <claude@agents.example>\n{extra_trailers}"),
    )
}

/// The finding: the person who ran the agent approves its commit, and `verify` passes. Under
/// `independent = true` her approval does not count (the e-mail compared case-insensitively)
/// and verify says why; another senior's approval passes it. Without the key, hers counts.
#[test]
fn the_authors_own_approval_does_not_count_under_independent() {
    let f = Fixture::with_policy(&policy_with("independent = true"));
    let c = alices_ai_commit(&f, "pub fn f() { /* fast */ }\n", "");
    f.sign(&c, "alice", "approve").success();
    let (code, json) = f.verify_json(&[]);
    assert_eq!(code, 1, "the author's own approval passed: {json:#}");
    let v = Fixture::verdict_for(&json, &c);
    let problems = v["problems"].to_string();
    assert!(
        problems.contains("alice@example.com is this commit's author")
            && problems.contains("independent"),
        "{problems}"
    );
    f.sign(&c, "bob", "approve").success();
    let (code, json) = f.verify_json(&[]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(
        Fixture::verdict_for(&json, &c)["approved_by"],
        serde_json::json!(["bob@example.com"])
    );

    // The same approval counts where the tier does not ask for independence.
    let g = Fixture::new();
    let c = alices_ai_commit(&g, "pub fn f() { /* fast */ }\n", "");
    g.sign(&c, "alice", "approve").success();
    assert_eq!(g.verify_json(&[]).0, 0);
}

/// A human co-author named in a `Co-authored-by` trailer, and the committer, cannot approve
/// either; a reject by the author still stands (independence bars approvals only).
#[test]
fn co_authors_and_committers_cannot_approve_and_the_authors_reject_stands() {
    let f = Fixture::with_policy(&policy_with("independent = true"));
    let c = alices_ai_commit(
        &f,
        "pub fn f() { 1; }\n",
        "Co-authored-by: Bob <BOB@example.com>\n",
    );
    f.sign(&c, "bob", "approve").success();
    let (code, json) = f.verify_json(&[]);
    assert_eq!(code, 1, "{json:#}");
    assert!(
        Fixture::verdict_for(&json, &c)["problems"]
            .to_string()
            .contains("bob@example.com is this commit's co-author"),
        "{json:#}"
    );
    // dave's key expired: the committer test uses carol's principal as a senior instead.
    let f = Fixture::with_policy(&policy_with("independent = true").replace(
        "senior = [\"alice@example.com\", \"bob@example.com\", \"dave@example.com\"]",
        "senior = [\"alice@example.com\", \"bob@example.com\", \"carol@example.com\"]",
    ));
    f.t.write("src/lib.rs", "pub fn f() { 2; }\n");
    let c = f.t.commit_ai("claude", "Speed up f");
    // Re-committed by carol (she rebased the agent's work): she is its committer.
    let head = f.t.repo.find_commit(c).unwrap();
    let carol = git2::Signature::now("Carol", "Carol@example.com").unwrap();
    let c2 = head
        .amend(Some("HEAD"), None, Some(&carol), None, None, None)
        .unwrap();
    assert_ne!(c, c2);
    f.sign(&c2, "carol", "approve").success();
    let (code, json) = f.verify_json(&[]);
    assert_eq!(code, 1, "{json:#}");
    assert!(
        Fixture::verdict_for(&json, &c2)["problems"]
            .to_string()
            .contains("carol@example.com is this commit's committer"),
        "{json:#}"
    );
    // The author's reject stands even so.
    let f = Fixture::with_policy(&policy_with("independent = true"));
    let c = alices_ai_commit(&f, "pub fn f() { 3; }\n", "");
    f.sign(&c, "alice", "reject").success();
    f.sign(&c, "bob", "approve").success();
    let (code, json) = f.verify_json(&[]);
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(
        Fixture::verdict_for(&json, &c)["state"],
        "rejected",
        "{json:#}"
    );
}

/// `policy check` warns when a tier can never be met: independence with as many principals
/// as approvals, presence with too few security keys in the roster.
#[test]
fn policy_check_warns_when_independence_or_presence_can_never_be_met() {
    let policy = POLICY
        .replace(
            "[tiers.prohibited]\napprovals = 2\nrole = \"senior\"\n",
            "[tiers.prohibited]\napprovals = 2\nrole = \"lead\"\nindependent = true\n",
        )
        .replace(
            "[ai]",
            "lead = [\"alice@example.com\", \"bob@example.com\"]\n\n[ai]",
        )
        .replace(
            "[tiers.supervised]\napprovals = 1\nrole = \"senior\"\n",
            "[tiers.supervised]\napprovals = 1\nrole = \"senior\"\npresence = \"touch\"\n",
        );
    let f = Fixture::with_policy(&policy);
    let out = f
        .cmd()
        .args(["policy", "check"])
        .output()
        .expect("policy check");
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains("[tiers.supervised] asks presence = \"touch\"")
            && text.contains("security key"),
        "{text}"
    );
    assert!(
        text.contains("[tiers.prohibited] is independent = true"),
        "{text}"
    );
    // A misspelt value is an error at its place.
    let f = Fixture::with_policy(&policy_with("presence = \"tuch\""));
    let out = f
        .cmd()
        .args(["policy", "check"])
        .output()
        .expect("policy check");
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains("unknown presence `tuch`") && text.contains("did you mean `touch`"),
        "{text}"
    );
}
