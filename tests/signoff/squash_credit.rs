//! Squash credit comes only from an approved range: one whose tip carries approvals that
//! verify and meet the squash commit's tier. Before the fix, any annotated commit with the
//! same parent and tree — a human-looking "twin" the branch author pushed anywhere, with any
//! note — made an unsigned AI commit pass as `squash_of` it.

use crate::signoff_common;

use signoff_common::Fixture;

/// A commit with `tree` and `parent`, by a human, on no branch.
fn twin(f: &Fixture, tree: git2::Oid, parent: git2::Oid, msg: &str) -> git2::Oid {
    let repo = &f.t.repo;
    let sig = git2::Signature::now("Dana Human", "dana@example.com").unwrap();
    repo.commit(
        None,
        &sig,
        &sig,
        msg,
        &repo.find_tree(tree).unwrap(),
        &[&repo.find_commit(parent).unwrap()],
    )
    .unwrap()
}

#[test]
fn a_human_looking_twin_lends_no_credit_to_an_unsigned_ai_commit() {
    let f = Fixture::new();
    let ai = f.ai_commit("src/lib.rs", "pub fn f() { evil(); }\n", "Speed up f");
    let commit = f.t.repo.find_commit(ai).unwrap();
    let t = twin(&f, commit.tree_id(), f.base, "Tidy f");
    // Any note makes the twin an annotated commit.
    f.append_raw(&t, "looks like a sign-off".to_string());

    let (code, json) = f.verify_json(&["main..feature"]);
    assert_eq!(code, 1, "{json:#}");
    let v = Fixture::verdict_for(&json, &ai);
    assert_eq!(v["state"], "needs-signoff", "{v:#}");
    assert!(v["squash_of"].is_null(), "{v:#}");
}

#[test]
fn a_range_whose_tip_needed_no_approval_lends_no_credit() {
    // The range holds an approved AI commit, then a human-looking commit that adds the
    // payload; the AI commit squashing it (same parent, the tip's tree) is not approved.
    let f = Fixture::new();
    f.t.branch("side");
    f.t.checkout("side");
    let a = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    f.sign(&a, "alice", "approve").success();
    let h = f.human_commit("src/lib.rs", "pub fn f() { evil(); }\n", "Tidy f");
    f.append_raw(&h, "a note".to_string());
    let tree = f.t.repo.find_commit(h).unwrap().tree_id();
    f.t.checkout("feature");
    let repo = &f.t.repo;
    let sig = git2::Signature::now("Dana Human", "dana@example.com").unwrap();
    let squash = repo
        .commit(
            Some("HEAD"),
            &sig,
            &sig,
            "Speed up f\n\nCo-authored-by: kiro <kiro@agents.example>\n",
            &repo.find_tree(tree).unwrap(),
            &[&repo.find_commit(f.base).unwrap()],
        )
        .unwrap();
    let (code, json) = f.verify_json(&["main..feature"]);
    assert_eq!(code, 1, "{json:#}");
    let v = Fixture::verdict_for(&json, &squash);
    assert_eq!(v["state"], "needs-signoff", "{v:#}");
    assert!(v["squash_of"].is_null(), "{v:#}");
}
