//! Carried approvals: under a tier's `carry = "rebase"` (default "none"), an approval of C
//! counts for a rewrite C' whose verbatim patch id equals C's, whose new parent is on the
//! trusted ref and whose tier today is not higher. Status and verify JSON say
//! `carried_from: {commit, by}`.

use crate::signoff_common;

use signoff_common::{Fixture, POLICY};

fn carry_policy() -> String {
    POLICY.replace(
        "[tiers.supervised]\napprovals = 1\nrole = \"senior\"\n",
        "[tiers.supervised]\napprovals = 1\nrole = \"senior\"\ncarry = \"rebase\"\n",
    )
}

fn head(f: &Fixture) -> git2::Oid {
    f.t.repo.head().unwrap().peel_to_commit().unwrap().id()
}

/// An approved AI commit, then main moves on and `feature` is rebased onto it: (C, C').
fn approved_then_rebased(f: &Fixture) -> (git2::Oid, git2::Oid) {
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Speed up f");
    f.sign(&c, "alice", "approve").success();
    f.t.checkout("main");
    f.human_commit("docs/more.md", "# more\n", "Docs");
    f.t.checkout("feature");
    f.t.git(&["rebase", "main"]);
    let rebased = head(f);
    assert_ne!(rebased, c);
    (c, rebased)
}

#[test]
fn under_carry_rebase_an_approval_follows_a_rebase_with_the_same_patch() {
    let f = Fixture::with_policy(&carry_policy());
    let (c, rebased) = approved_then_rebased(&f);
    let (code, json) = f.verify_json(&["main..feature"]);
    assert_eq!(code, 0, "{json:#}");
    let v = Fixture::verdict_for(&json, &rebased);
    assert_eq!(v["state"], "approved", "{v:#}");
    assert_eq!(v["carried_from"]["commit"], c.to_string(), "{v:#}");
    assert_eq!(v["carried_from"]["by"][0], "alice@example.com", "{v:#}");

    let out = f
        .cmd()
        .args(["status", "main..feature", "--format", "json"])
        .output()
        .unwrap();
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let row = &status.as_array().unwrap()[0];
    assert_eq!(row["carried_from"]["commit"], c.to_string(), "{row:#}");
}

#[test]
fn by_default_an_approval_does_not_follow_a_rebase() {
    let f = Fixture::new();
    let (_, rebased) = approved_then_rebased(&f);
    let (code, json) = f.verify_json(&["main..feature"]);
    assert_eq!(code, 1, "{json:#}");
    let v = Fixture::verdict_for(&json, &rebased);
    assert_eq!(v["state"], "needs-signoff", "{v:#}");
    assert!(v["carried_from"].is_null());
}

#[test]
fn an_approval_does_not_follow_a_rewrite_with_another_patch_or_off_the_trusted_ref() {
    let f = Fixture::with_policy(&carry_policy());
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Speed up f");
    f.sign(&c, "alice", "approve").success();
    // Only whitespace differs: not the same verbatim patch.
    f.t.write("src/lib.rs", "pub fn f() {  1; }\n");
    f.t.git(&["add", "src/lib.rs"]);
    f.t.git(&["commit", "--amend", "--no-edit"]);
    let changed = head(&f);
    let (code, json) = f.verify_json(&["main..feature"]);
    assert_eq!(code, 1, "{json:#}");
    assert!(Fixture::verdict_for(&json, &changed)["carried_from"].is_null());

    // The same patch replayed on top of an unreviewed commit: its parent is not on main.
    f.t.git(&["reset", "-q", "--hard", "main"]);
    f.human_commit("docs/side.md", "# side\n", "Side");
    f.t.git(&["cherry-pick", &c.to_string()]);
    let replayed = head(&f);
    let (code, json) = f.verify_json(&["main..feature"]);
    assert_eq!(code, 1, "{json:#}");
    let v = Fixture::verdict_for(&json, &replayed);
    assert_eq!(v["state"], "needs-signoff", "{v:#}");
    assert!(v["carried_from"].is_null());
}

#[test]
fn init_writes_carry_commented_out_with_its_risk() {
    let text = countersign_core::policy::template::policy_template(
        "main",
        &countersign_core::impact::Workspace::default(),
        None,
        &[],
    );
    assert!(text.contains("# carry = \"rebase\""), "{text}");
    assert!(text.contains("risk"), "{text}");
}

/// Runs git in the fixture's repository as `email`, committer and author alike (the support
/// helper pins both to the test human).
fn git_as(f: &Fixture, email: &str, args: &[&str]) {
    let home = std::env::temp_dir().join("countersign-tests-no-git-config");
    let _ = std::fs::create_dir_all(&home);
    let out = std::process::Command::new("git")
        .args(args)
        .current_dir(f.path())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", &home)
        .env("GIT_AUTHOR_NAME", "Dana")
        .env("GIT_AUTHOR_EMAIL", "dana@example.com")
        .env("GIT_COMMITTER_NAME", email)
        .env("GIT_COMMITTER_EMAIL", email)
        .env("GIT_COMMITTER_DATE", "1700000500 +0000")
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Attack: under `independent = true` and `carry = "rebase"`, alice approves an AI commit C
/// she had no part in, then rebases it herself: she is the committer of the rewrite C'. Her
/// approval of C must not count for C' — independence is judged against both C and C'.
#[test]
fn a_carried_approval_is_not_independent_of_a_rewrite_its_approver_committed() {
    let policy = carry_policy().replace(
        "carry = \"rebase\"\n",
        "carry = \"rebase\"\nindependent = true\n",
    );
    let f = Fixture::with_policy(&policy);
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Speed up f");
    f.sign(&c, "alice", "approve").success();
    f.t.checkout("main");
    f.human_commit("docs/more.md", "# more\n", "Docs");
    f.t.checkout("feature");

    // Rebased by bob: alice's approval carries (she is neither C's nor C''s author,
    // committer or co-author).
    git_as(&f, "bob@example.com", &["rebase", "main"]);
    let by_bob = head(&f);
    let (code, json) = f.verify_json(&["main..feature"]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(
        Fixture::verdict_for(&json, &by_bob)["carried_from"]["commit"],
        c.to_string()
    );

    // Rebased by alice herself: she is C''s committer, so her approval does not count.
    f.t.git(&["reset", "-q", "--hard", &c.to_string()]);
    git_as(&f, "alice@example.com", &["rebase", "--no-ff", "main"]);
    let by_alice = head(&f);
    assert_ne!(by_alice, by_bob);
    let (code, json) = f.verify_json(&["main..feature"]);
    assert_eq!(code, 1, "{json:#}");
    let v = Fixture::verdict_for(&json, &by_alice);
    assert_eq!(v["state"], "needs-signoff", "{v:#}");
    assert!(v["carried_from"].is_null(), "{v:#}");
    let text = v.to_string();
    assert!(
        text.contains("independent"),
        "the reason names independence: {v:#}"
    );
}
