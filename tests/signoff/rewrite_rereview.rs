//! Re-review after a rebase or amend, with real repositories, real keys and the real `git`
//! CLI doing the rewriting: the copied sign-off counts for nothing on the new commit, but
//! `status` and `verify` name the earlier approved version (found by the copied note, the
//! Change-Id trailer or the same patch), a forged copy is not believed, and a fresh sign-off
//! on the new commit passes the gate.

use crate::signoff_common;

use countersign_core::signoff::rewrite;
use git2::Oid;
use predicates::prelude::*;
use signoff_common::{forge, now, Fixture};

fn short(id: &Oid) -> String {
    id.to_string()[..7].to_string()
}

fn head(f: &Fixture) -> Oid {
    Oid::from_str(f.t.git(&["rev-parse", "HEAD"]).trim()).unwrap()
}

/// `status --format json` rows.
fn status_json(f: &Fixture) -> Vec<serde_json::Value> {
    let out = f
        .cmd()
        .args(["status", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<serde_json::Value>(&out.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn row_for(rows: &[serde_json::Value], id: &Oid) -> serde_json::Value {
    rows.iter()
        .find(|r| r["commit"] == id.to_string())
        .cloned()
        .unwrap_or_else(|| panic!("{id} not in {rows:#?}"))
}

/// Moves main on by a human commit to another file, so that a rebase makes a new commit.
fn advance_main(f: &Fixture) {
    f.t.checkout("main");
    f.human_commit("docs/other.md", "# other\n", "Docs elsewhere");
    f.t.checkout("feature");
}

/// The Show item: with notes.rewriteRef set, `git rebase` copies the note; verify rejects
/// the new commit and names the old one; status says approved before rewrite; a fresh
/// sign-off on the new commit passes.
#[test]
fn rebase_copies_the_note_verify_rejects_it_names_the_approved_version_and_a_fresh_signoff_passes()
{
    let f = Fixture::new();
    f.t.git(&["config", "notes.rewriteRef", "refs/notes/countersign"]);
    f.t.write("src/util.rs", "pub fn util() {}\n");
    let old = f.ai_commit("src/lib.rs", "pub fn f() {}\npub fn g() {}\n", "Add g");
    f.sign(&old, "alice", "approve").success();
    assert_eq!(f.verify_json(&[]).0, 0, "signed before the rewrite");

    advance_main(&f);
    f.t.git(&["rebase", "main"]);
    let new = head(&f);
    assert_ne!(new, old);
    // git copied the note: the very same lines, naming the old commit.
    assert_eq!(f.note_lines(&new), f.note_lines(&old));
    assert!(f.note_lines(&new)[0].contains(&old.to_string()));

    // verify fails the new commit and names the old one.
    let (code, json) = f.verify_json(&[]);
    assert_eq!(code, 1, "{json:#}");
    let v = Fixture::verdict_for(&json, &new);
    assert_eq!(v["ok"], false);
    assert_eq!(v["approvals"], 0);
    assert_eq!(v["state"], "needs-signoff");
    let problems = v["problems"].to_string();
    assert!(
        problems.contains(&format!(
            "alice@example.com approved {} before a rewrite",
            short(&old)
        )),
        "{problems}"
    );
    assert!(problems.contains("re-review the interdiff"), "{problems}");
    assert!(
        problems.contains(&format!("countersign review {}", short(&new))),
        "{problems}"
    );
    assert_eq!(v["rewritten_from"]["commit"], old.to_string());
    assert_eq!(v["rewritten_from"]["found_by"], "copied-note");
    assert_eq!(
        v["rewritten_from"]["approved_by"],
        serde_json::json!(["alice@example.com"])
    );
    // The copied sign-off itself is reported invalid for the new commit.
    assert_eq!(v["signoffs"][0]["valid"], false);

    // Text verify says it too.
    f.cmd()
        .arg("verify")
        .assert()
        .code(1)
        .stdout(predicate::str::contains(format!(
            "approved {} before a rewrite",
            short(&old)
        )));

    // status: the state scripts know, plus the new field and the phrase.
    let rows = status_json(&f);
    let r = row_for(&rows, &new);
    assert_eq!(r["state"], "needs-signoff");
    assert_eq!(r["rewritten_from"]["commit"], old.to_string());
    assert_eq!(r["rewritten_from"]["found_by"], "copied-note");
    assert_eq!(r["rewritten_from"]["tier"], "supervised");
    f.cmd()
        .arg("status")
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "approved before rewrite — re-review the interdiff",
        ))
        .stdout(predicate::str::contains(format!(
            "alice@example.com approved {}",
            short(&old)
        )));

    // A fresh sign-off on the new commit (the TUI signs through the same library call).
    f.sign(&new, "bob", "approve").success();
    let (code, json) = f.verify_json(&[]);
    assert_eq!(code, 0, "{json:#}");
    let v = Fixture::verdict_for(&json, &new);
    assert_eq!(v["approved_by"], serde_json::json!(["bob@example.com"]));
    assert!(
        v["rewritten_from"].is_null(),
        "approved: nothing to point at"
    );
    let r = row_for(&status_json(&f), &new);
    assert_eq!(r["state"], "approved");
    assert!(r["rewritten_from"].is_null());
}

#[test]
fn amend_with_rewrite_ref_copies_the_note_and_is_found_by_it() {
    let f = Fixture::new();
    f.t.git(&["config", "notes.rewriteRef", "refs/notes/countersign"]);
    let old = f.ai_commit("src/lib.rs", "pub fn f() {}\npub fn g() {}\n", "Add g");
    f.sign(&old, "alice", "approve").success();
    f.t.write("src/lib.rs", "pub fn f() {}\npub fn g() { todo!() }\n");
    f.t.git(&["commit", "--amend", "--no-edit"]);
    let new = head(&f);
    assert_eq!(
        f.note_lines(&new),
        f.note_lines(&old),
        "git copied the note"
    );

    let (code, json) = f.verify_json(&[]);
    assert_eq!(code, 1);
    let v = Fixture::verdict_for(&json, &new);
    assert_eq!(v["rewritten_from"]["commit"], old.to_string());
    assert_eq!(v["rewritten_from"]["found_by"], "copied-note");

    f.sign(&new, "alice", "approve").success();
    assert_eq!(f.verify_json(&[]).0, 0);
}

#[test]
fn without_a_copied_note_the_change_id_trailer_finds_the_approved_version() {
    let f = Fixture::new();
    // No notes.rewriteRef: git copies nothing.
    f.t.write("src/lib.rs", "pub fn f() {}\npub fn g() {}\n");
    let old = f.t.commit(
        "Add g\n\nChange-Id: I0123456789abcdef0123456789abcdef01234567\n\
         Co-authored-by: kiro <kiro@agents.example>\n",
    );
    f.sign(&old, "alice", "approve").success();
    f.t.write("src/lib.rs", "pub fn f() {}\npub fn g() -> u8 { 1 }\n");
    f.t.git(&["commit", "--amend", "--no-edit"]);
    let new = head(&f);
    assert!(f.note_lines(&new).is_empty(), "no note was copied");

    let (code, json) = f.verify_json(&[]);
    assert_eq!(code, 1);
    let v = Fixture::verdict_for(&json, &new);
    assert_eq!(v["rewritten_from"]["commit"], old.to_string());
    assert_eq!(v["rewritten_from"]["found_by"], "change-id");
    assert!(v["problems"]
        .to_string()
        .contains("found by the same Change-Id trailer"));
}

#[test]
fn without_a_note_or_change_id_the_same_patch_finds_the_approved_version() {
    let f = Fixture::new();
    let old = f.ai_commit("src/lib.rs", "pub fn f() {}\npub fn g() {}\n", "Add g");
    f.sign(&old, "alice", "approve").success();
    advance_main(&f);
    f.t.git(&["rebase", "main"]);
    let new = head(&f);
    assert!(f.note_lines(&new).is_empty(), "no note was copied");

    // libgit2's patch id is git's `patch-id --stable`.
    let ours = rewrite::patch_id(&f.t.repo, new).unwrap().unwrap();
    let theirs = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "git show --no-renames {new} | git patch-id --stable"
        ))
        .current_dir(f.path())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap();
    let theirs = String::from_utf8_lossy(&theirs.stdout);
    assert_eq!(
        theirs.split_whitespace().next(),
        Some(ours.to_string().as_str())
    );
    assert_eq!(
        rewrite::patch_id(&f.t.repo, old).unwrap(),
        Some(ours),
        "same change on another base"
    );

    let (code, json) = f.verify_json(&[]);
    assert_eq!(code, 1);
    let v = Fixture::verdict_for(&json, &new);
    assert_eq!(v["rewritten_from"]["commit"], old.to_string());
    assert_eq!(v["rewritten_from"]["found_by"], "patch-id");
}

/// Lines naming the old commit that are not valid for it prove nothing: a signature by a
/// key the roster does not list for the principal, a payload edited after signing, and a
/// valid sign-off by someone without the tier's role.
#[test]
fn a_forged_copied_note_is_not_reported_as_approved_before_rewrite() {
    let f = Fixture::new();
    let repo = &f.t.repo;
    f.t.write("src/lib.rs", "pub fn f() {}\npub fn g() {}\n");
    let old = f.t.commit(
        "Add g\n\nChange-Id: Ifeedfacefeedfacefeedfacefeedfacefeedface\n\
         Co-authored-by: kiro <kiro@agents.example>\n",
    );
    f.t.write("src/lib.rs", "pub fn f() {}\npub fn g() { evil() }\n");
    f.t.git(&["commit", "--amend", "--no-edit"]);
    let new = head(&f);

    let mallory = &f.person("mallory").key;
    let alice = &f.person("alice").key;
    let carol = &f.person("carol").key;
    // Mallory signs "as alice" for the old commit.
    let by_wrong_key = forge(
        repo,
        &old,
        mallory,
        "alice@example.com",
        "countersign",
        &now(),
        |_| {},
    );
    // Alice's key, but over a payload naming a different tree.
    let edited = forge(
        repo,
        &old,
        alice,
        "alice@example.com",
        "countersign",
        &now(),
        |p| p.tree = "0".repeat(40),
    );
    // Carol's own valid sign-off, but carol holds no senior role.
    let unqualified = forge(
        repo,
        &old,
        carol,
        "carol@example.com",
        "countersign",
        &now(),
        |_| {},
    );
    // Planted on the new commit, as if git had copied them, and on the old one (Change-Id).
    for line in [&by_wrong_key, &edited, &unqualified] {
        f.append_raw(&new, line.clone());
        f.append_raw(&old, line.clone());
    }

    let (code, json) = f.verify_json(&[]);
    assert_eq!(code, 1);
    let v = Fixture::verdict_for(&json, &new);
    assert!(v["rewritten_from"].is_null(), "{v:#}");
    assert!(!v["problems"].to_string().contains("before a rewrite"));
    let r = row_for(&status_json(&f), &new);
    assert!(r["rewritten_from"].is_null());
    f.cmd()
        .arg("status")
        .assert()
        .success()
        .stdout(predicate::str::contains("approved before rewrite").not());

    // Once alice really signs the old version, it is found (by the note lines naming it).
    f.sign(&old, "alice", "approve").success();
    let (_, json) = f.verify_json(&[]);
    let v = Fixture::verdict_for(&json, &new);
    assert_eq!(v["rewritten_from"]["commit"], old.to_string());
    assert_eq!(
        v["rewritten_from"]["approved_by"],
        serde_json::json!(["alice@example.com"])
    );
}

/// The library interdiff: files either commit touches, P's version against C's.
#[test]
fn interdiff_shows_only_what_changed_since_the_approved_version() {
    let f = Fixture::new();
    f.t.write("src/util.rs", "pub fn util() {}\n");
    let old = f.ai_commit("src/lib.rs", "pub fn f() {}\npub fn g() {}\n", "Add g");
    f.t.write(
        "src/lib.rs",
        "pub fn f() {}\npub fn g() {}\npub fn h() {}\n",
    );
    f.t.git(&["commit", "--amend", "--no-edit"]);
    let new = head(&f);
    let files = rewrite::interdiff(&f.t.repo, old, new).unwrap();
    let paths: Vec<String> = files.iter().map(|x| x.path.display()).collect();
    assert_eq!(paths, ["src/lib.rs", "src/util.rs"]);
    assert!(!files[0].unchanged());
    assert!(files[1].unchanged());
    assert!(files[1].hunks.is_empty());
    let added: Vec<String> = files[0].hunks[0]
        .lines
        .iter()
        .filter(|l| l.kind == countersign_core::git::LineKind::Added)
        .map(|l| String::from_utf8_lossy(&l.content).into_owned())
        .collect();
    assert_eq!(added, ["pub fn h() {}"]);
}
