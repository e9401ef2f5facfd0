//! The notes history cannot be rewritten or bloated to drop a reject: the server-side hook
//! (`countersign hook`) refuses non-fast-forward updates and deletions of
//! refs/notes/countersign*, tested with `git push` against a real bare repository;
//! `verify --notes-anchor` notices a rewritten history in CI; a note blob over 16 MiB fails
//! its commit unread.

use crate::signoff_common;

use std::path::Path;
use std::process::Command;

use signoff_common::{alice_rejects, git_in, Fixture};

/// An orphan notes commit whose tree is the current notes tree without `c`'s note, then
/// `bob`'s approval appended on top: the history an attacker pushes to drop alice's reject.
fn orphan_without_reject(f: &Fixture, c: &git2::Oid) -> git2::Oid {
    let repo = &f.t.repo;
    let empty = repo
        .find_tree(repo.treebuilder(None).unwrap().write().unwrap())
        .unwrap();
    let sig = git2::Signature::now("Mallory", "mallory@example.com").unwrap();
    let orphan = repo
        .commit(
            None,
            &sig,
            &sig,
            "Notes added by 'git notes add'",
            &empty,
            &[],
        )
        .unwrap();
    repo.reference("refs/notes/countersign", orphan, true, "rewrite")
        .unwrap();
    f.sign(c, "bob", "approve").success();
    repo.refname_to_id("refs/notes/countersign").unwrap()
}

fn bare_server(hook: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git_in(dir.path(), &["init", "--bare", "-q", "."]);
    git_in(
        dir.path(),
        &["config", "receive.denyNonFastForwards", "true"],
    );
    git_in(dir.path(), &["config", "receive.denyDeletes", "true"]);
    if let Some(kind) = hook {
        let out = Command::new(env!("CARGO_BIN_EXE_countersign"))
            .args(["hook", kind])
            .output()
            .unwrap();
        assert!(out.status.success());
        let path = dir.path().join("hooks").join(kind);
        std::fs::write(&path, &out.stdout).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    dir
}

/// `git push` from `dir` with the user's config shut out; (success, stderr).
fn push(dir: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new("git")
        .arg("push")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn server_notes(server: &Path) -> String {
    git_in(server, &["rev-parse", "refs/notes/countersign"])
        .trim()
        .to_string()
}

#[test]
fn without_the_hook_a_force_push_of_the_notes_drops_a_reject_despite_deny_non_fast_forwards() {
    // The README's old advice: receive.denyNonFastForwards applies to branches only.
    let f = Fixture::new();
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Speed up f");
    alice_rejects(&f, &c);
    let server = bare_server(None);
    let url = server.path().to_str().unwrap();
    assert!(push(f.path(), &[url, "refs/notes/countersign"]).0);
    let rewritten = orphan_without_reject(&f, &c);
    let (ok, err) = push(f.path(), &["--force", url, "refs/notes/countersign"]);
    assert!(ok, "{err}");
    assert_eq!(server_notes(server.path()), rewritten.to_string());
}

#[test]
fn the_pre_receive_hook_refuses_a_rewritten_or_deleted_notes_history() {
    let f = Fixture::new();
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Speed up f");
    alice_rejects(&f, &c);
    let server = bare_server(Some("pre-receive"));
    let url = server.path().to_str().unwrap();
    let (ok, err) = push(f.path(), &[url, "refs/notes/countersign", "feature"]);
    assert!(ok, "{err}");
    let kept = server_notes(server.path());

    // Appending is a fast-forward: accepted.
    f.sign(&c, "carol", "approve").success();
    let (ok, err) = push(f.path(), &[url, "refs/notes/countersign"]);
    assert!(ok, "{err}");
    let kept_after_append = server_notes(server.path());
    assert_ne!(kept, kept_after_append);

    orphan_without_reject(&f, &c);
    let (ok, err) = push(f.path(), &["--force", url, "refs/notes/countersign"]);
    assert!(!ok, "the rewrite was accepted");
    assert!(err.contains("refusing a non-fast-forward update"), "{err}");
    let (ok, err) = push(f.path(), &[url, "--delete", "refs/notes/countersign"]);
    assert!(!ok, "the deletion was accepted");
    assert!(err.contains("refusing to delete"), "{err}");
    // A sibling ref under the prefix is protected too.
    let (ok, _) = push(
        f.path(),
        &[url, "refs/notes/countersign:refs/notes/countersign-backup"],
    );
    assert!(ok);
    let (ok, _) = push(
        f.path(),
        &[url, "--delete", "refs/notes/countersign-backup"],
    );
    assert!(!ok);
    assert_eq!(server_notes(server.path()), kept_after_append);
    // Other refs are left to git.
    let (ok, err) = push(f.path(), &[url, "main"]);
    assert!(ok, "{err}");
}

#[test]
fn the_update_hook_refuses_a_rewritten_notes_history() {
    let f = Fixture::new();
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Speed up f");
    alice_rejects(&f, &c);
    let server = bare_server(Some("update"));
    let url = server.path().to_str().unwrap();
    assert!(push(f.path(), &[url, "refs/notes/countersign"]).0);
    let kept = server_notes(server.path());
    orphan_without_reject(&f, &c);
    let (ok, err) = push(f.path(), &["--force", url, "refs/notes/countersign"]);
    assert!(!ok);
    assert!(err.contains("refusing a non-fast-forward update"), "{err}");
    assert_eq!(server_notes(server.path()), kept);
}

fn verify_anchored(f: &Fixture, anchor: &Path) -> (i32, String) {
    let out = f
        .cmd()
        .args(["verify", "main..feature", "--notes-anchor"])
        .arg(anchor)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_notes_anchor_catches_a_rewritten_history_that_drops_a_reject() {
    let f = Fixture::new();
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Speed up f");
    alice_rejects(&f, &c);
    let cache = tempfile::tempdir().unwrap();
    let anchor = cache.path().join("notes-anchor");
    // First run: no file yet; the verdict (1) records the tip judged.
    let (code, err) = verify_anchored(&f, &anchor);
    assert_eq!(code, 1, "{err}");
    let tip = f.t.repo.refname_to_id("refs/notes/countersign").unwrap();
    assert_eq!(
        std::fs::read_to_string(&anchor).unwrap().trim(),
        tip.to_string()
    );

    orphan_without_reject(&f, &c);
    // The attack works on a gate without the anchor...
    let (code, json) = f.verify_json(&["main..feature"]);
    assert_eq!(code, 0, "{json:#}");
    // ...not with it.
    let (code, err) = verify_anchored(&f, &anchor);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no longer contains"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&anchor).unwrap().trim(),
        tip.to_string(),
        "a refused run leaves the anchor as it was"
    );

    // Deleting the notes ref is caught the same way.
    f.t.repo
        .find_reference("refs/notes/countersign")
        .unwrap()
        .delete()
        .unwrap();
    let (code, err) = verify_anchored(&f, &anchor);
    assert_eq!(code, 2, "{err}");

    // A garbled anchor is an error, not a first run.
    std::fs::write(&anchor, "not a commit\n").unwrap();
    let (code, err) = verify_anchored(&f, &anchor);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("does not hold a notes commit id"), "{err}");
}

#[test]
fn the_notes_anchor_follows_an_appended_history() {
    let f = Fixture::new();
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Speed up f");
    let cache = tempfile::tempdir().unwrap();
    let anchor = cache.path().join("anchor");
    f.sign(&c, "alice", "approve").success();
    assert_eq!(verify_anchored(&f, &anchor).0, 0);
    f.sign(&c, "bob", "approve").success();
    assert_eq!(verify_anchored(&f, &anchor).0, 0);
    let tip = f.t.repo.refname_to_id("refs/notes/countersign").unwrap();
    assert_eq!(
        std::fs::read_to_string(&anchor).unwrap().trim(),
        tip.to_string()
    );
}

/// Makes the note on `c` a blob of `size` bytes of sign-off-looking junk, then writes a
/// normal note over it: the big version stays in the notes ref's history only.
fn big_note_in_history(f: &Fixture, c: &git2::Oid, size: usize) {
    let repo = &f.t.repo;
    let mut text = Vec::with_capacity(size);
    while text.len() < size {
        text.extend_from_slice(b"{\"payload\":\"x\",\"signature\":\"y\"}\n");
    }
    let blob = repo.blob(&text).unwrap();
    drop(text);
    let parent = repo
        .find_reference("refs/notes/countersign")
        .ok()
        .and_then(|r| r.peel_to_commit().ok());
    let mut tree = repo
        .treebuilder(parent.as_ref().map(|p| p.tree().unwrap()).as_ref())
        .unwrap();
    tree.insert(c.to_string(), blob, 0o100644).unwrap();
    let tree = repo.find_tree(tree.write().unwrap()).unwrap();
    let sig = git2::Signature::now("Mallory", "mallory@example.com").unwrap();
    let parents: Vec<&git2::Commit> = parent.iter().collect();
    let id = repo
        .commit(None, &sig, &sig, "big note", &tree, &parents)
        .unwrap();
    repo.reference("refs/notes/countersign", id, true, "big")
        .unwrap();
    git_in(
        f.path(),
        &[
            "notes",
            "--ref=countersign",
            "add",
            "-f",
            "-m",
            "replaced",
            &c.to_string(),
        ],
    );
}

#[test]
fn a_note_over_16_mib_even_only_in_history_fails_its_commit_unread() {
    let f = Fixture::new();
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Speed up f");
    big_note_in_history(&f, &c, 17 << 20);
    f.sign(&c, "bob", "approve").success();
    let (code, json) = f.verify_json(&["main..feature"]);
    assert_eq!(code, 1, "{json:#}");
    let v = Fixture::verdict_for(&json, &c);
    let problems = v["problems"].to_string();
    assert!(problems.contains("16 MiB"), "{v:#}");
    assert!(problems.contains("new commit"), "{v:#}");
}
