//! Rewrites carry rejects: a commit replaced by one with the same verbatim patch (an amend
//! with no edit, a reword, a rebase that changes nothing of its own) keeps the rejects of
//! the version it replaces, whatever links the branch author kept or cut. Before the fix the
//! reject was forgotten and nobody was told.

use crate::signoff_common;

use signoff_common::{alice_rejects, problems, Fixture};

fn head(f: &Fixture) -> git2::Oid {
    f.t.repo.head().unwrap().peel_to_commit().unwrap().id()
}

/// `verify main..feature` fails `c` on alice's reject carried from `from`, and `status`
/// says so too.
fn assert_carried(f: &Fixture, c: &git2::Oid, from: &git2::Oid) {
    let (code, json) = f.verify_json(&["main..feature"]);
    assert_eq!(code, 1, "{json:#}");
    let v = Fixture::verdict_for(&json, c);
    assert_eq!(v["state"], "rejected", "{v:#}");
    let p = problems(&v);
    assert!(p.contains("rejected by alice@example.com on "), "{p}");
    assert!(p.contains(&from.to_string()[..7]), "{p}");
    assert!(p.contains("git patch-id --verbatim"), "{p}");
    let carried = v["signoffs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| !s["carried_from"].is_null())
        .unwrap_or_else(|| panic!("no carried sign-off in {v:#}"))
        .clone();
    assert_eq!(carried["carried_from"]["commit"], from.to_string());
    assert_eq!(carried["carried_from"]["by"], "alice@example.com");

    let out = f
        .cmd()
        .args(["status", "main..feature", "--format", "json"])
        .output()
        .unwrap();
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let row = status
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["commit"] == c.to_string())
        .unwrap()
        .clone();
    assert_eq!(row["state"], "rejected", "{row:#}");
}

#[test]
fn an_amend_with_no_edit_keeps_the_reject() {
    let f = Fixture::new();
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Speed up f");
    alice_rejects(&f, &c);
    f.t.git(&["commit", "--amend", "--no-edit"]);
    let amended = head(&f);
    assert_ne!(amended, c);
    f.sign(&amended, "bob", "approve").success();
    assert_carried(&f, &amended, &c);
}

#[test]
fn a_reword_and_a_rebase_that_change_nothing_keep_the_reject() {
    let f = Fixture::new();
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Speed up f");
    alice_rejects(&f, &c);
    // Reword, then move onto a base that gained an unrelated commit.
    f.t.git(&[
        "commit",
        "--amend",
        "-m",
        "Make f faster\n\nCo-authored-by: kiro <kiro@agents.example>",
    ]);
    f.t.checkout("main");
    f.human_commit("docs/more.md", "# more\n", "Docs");
    f.t.checkout("feature");
    f.t.git(&["rebase", "main"]);
    let rebased = head(&f);
    assert_ne!(rebased, c);
    f.sign(&rebased, "bob", "approve").success();
    assert_carried(&f, &rebased, &c);

    // Alice's own approval of the rewrite names the carried reject and lifts it.
    f.sign(&rebased, "alice", "approve").success();
    let (code, json) = f.verify_json(&["main..feature"]);
    assert_eq!(code, 0, "{json:#}");
}

#[test]
fn a_rewrite_whose_patch_differs_even_by_whitespace_does_not_carry_the_reject() {
    let f = Fixture::new();
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Speed up f");
    alice_rejects(&f, &c);
    // Only whitespace differs: `git patch-id --stable` would call it the same change,
    // the verbatim patch id does not.
    f.t.write("src/lib.rs", "pub fn f() {  1; }\n");
    f.t.git(&["add", "src/lib.rs"]);
    f.t.git(&["commit", "--amend", "--no-edit"]);
    let changed = head(&f);
    f.sign(&changed, "bob", "approve").success();
    let (code, json) = f.verify_json(&["main..feature"]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(Fixture::verdict_for(&json, &changed)["state"], "approved");
}

#[test]
fn the_verbatim_patch_id_is_gits() {
    let f = Fixture::new();
    let mut commits = vec![f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "One")];
    // Several files, several hunks, no newline at the end, a new and a deleted file, a
    // mode change and trailing whitespace.
    let long: String = (0..40).map(|i| format!("line {i}\n")).collect();
    f.t.write("src/long.rs", &long);
    commits.push(f.t.commit("Long file"));
    let edited = long
        .replace("line 3\n", "line three  \n")
        .replace("line 30\n", "line thirty\n");
    f.t.write("src/long.rs", edited.trim_end());
    f.t.write("src/new.rs", "pub fn g() {}\n");
    commits.push(f.t.commit("Edit and add"));
    f.t.remove("src/new.rs");
    f.t.set_executable("src/lib.rs", true);
    commits.push(f.t.commit("Delete and chmod"));
    for (i, c) in commits.into_iter().enumerate() {
        let shown =
            f.t.git(&["show", "--no-renames", "--no-ext-diff", &c.to_string()]);
        let git =
            signoff_common::git_stdin(f.path(), &["patch-id", "--verbatim"], shown.as_bytes());
        let want = git
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_string();
        let ours = countersign_core::signoff::patch_id::verbatim(&f.t.repo, c)
            .unwrap()
            .unwrap();
        let ours: String = ours.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(ours, want, "commit {i}: {c}\n{shown}");
    }
}
