//! Every error says what is wrong and what to do: no libgit2 or serde internals, no message
//! about the wrong thing (a missing directory is not "not a repository", a local lock race is
//! not "check the remote"). And one answer, the true one: an empty range, an empty repository
//! and an orphan branch read the same in every command.

use crate::signoff_common;

use std::path::Path;
use std::time::Duration;

use signoff_common::{countersign, Fixture};

/// Hang guard, far above the second or so any of these takes.
const WATCHDOG: Duration = Duration::from_secs(120);

fn run(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = countersign(dir)
        .args(args)
        .timeout(WATCHDOG)
        .output()
        .expect("countersign runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// No phrase of libgit2's or serde's own reaches the user.
fn assert_no_internals(err: &str) {
    for raw in [
        "git_object_t",
        "parent 0",
        "Invalid pattern",
        "class=",
        "code=",
        "stream did not contain valid UTF-8",
    ] {
        assert!(!err.contains(raw), "raw library text `{raw}` in: {err}");
    }
}

#[test]
fn dash_c_with_a_missing_directory_says_it_does_not_exist() {
    let f = Fixture::new();
    let (code, _, err) = run(f.path(), &["-C", "/does-not-exist/countersign", "status"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("/does-not-exist/countersign does not exist"),
        "{err}"
    );
    assert!(!err.contains("not inside a git repository"), "{err}");
    let file = f.path().join("src/lib.rs");
    let (code, _, err) = run(f.path(), &["-C", &file.to_string_lossy(), "status"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("is not a directory"), "{err}");
}

#[test]
fn a_revision_naming_a_tree_says_it_is_not_a_commit() {
    let f = Fixture::new();
    for spec in ["main^{tree}", "refs/heads/main^{tree}..HEAD"] {
        let (code, _, err) = run(
            f.path(),
            &["status", spec, "--trusted-ref", "refs/heads/main"],
        );
        assert_eq!(code, Some(2), "{err}");
        assert!(err.contains("not a commit"), "{err}");
        assert_no_internals(&err);
    }
}

#[test]
fn an_ancestor_past_the_root_says_the_history_is_shorter() {
    let f = Fixture::new();
    let (code, _, err) = run(
        f.path(),
        &["status", "main~1", "--trusted-ref", "refs/heads/main"],
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("no such ancestor"), "{err}");
    assert_no_internals(&err);
}

#[test]
fn show_of_a_range_says_show_takes_one_commit() {
    let f = Fixture::new();
    let (code, _, err) = run(f.path(), &["show", "main..HEAD"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("show takes one commit, not a range"), "{err}");
    assert_no_internals(&err);
}

#[test]
fn a_garbage_key_file_says_it_is_not_a_key_file() {
    let f = Fixture::new();
    let commit = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak");
    let junk = f.keys_dir.path().join("junk-key");
    std::fs::write(&junk, [0xff, 0xfe, 0x00, 0x80, b'\n']).expect("write");
    let out = f.sign_with_key_file(&commit, &junk, WATCHDOG);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("is not a key file"), "{err}");
    assert!(err.contains("ssh-keygen -t ed25519"), "{err}");
    assert_no_internals(&err);
}

#[test]
fn a_sync_racing_another_sync_says_it_is_a_local_lock() {
    let f = Fixture::new();
    let commit = f.ai_commit("src/lib.rs", "pub fn f() { 2; }\n", "Tweak");
    f.sign(&commit, "alice", "approve").success();
    let remote = tempfile::tempdir().expect("remote dir");
    let bare = remote.path().join("origin.git");
    f.t.git(&["init", "-q", "--bare", &bare.to_string_lossy()]);
    f.t.git(&["remote", "add", "origin", &bare.to_string_lossy()]);
    f.t.git(&[
        "push",
        "-q",
        "origin",
        "refs/notes/countersign:refs/notes/countersign",
    ]);
    // What a second `sync` running at this moment holds: the lock on the tracking ref.
    let lock = f
        .path()
        .join(".git/refs/notes/remotes/origin/countersign.lock");
    std::fs::create_dir_all(lock.parent().expect("parent")).expect("mkdir");
    std::fs::write(&lock, "").expect("lock");
    let (code, _, err) = run(f.path(), &["sync"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("another git process"), "{err}");
    assert!(err.contains("run `countersign sync` again"), "{err}");
    assert!(!err.contains("check that the remote exists"), "{err}");
}

#[test]
fn an_oversized_snapshot_says_it_is_too_large_with_the_limit() {
    let f = Fixture::new();
    for size in ["100000x100000", "1001x40", "99999999999999999999999x40"] {
        let (code, _, err) = run(f.path(), &["review", "--snapshot", size]);
        assert_eq!(code, Some(2), "{err}");
        assert!(err.contains("too large"), "{size}: {err}");
        assert!(err.contains("at most 1000"), "{size}: {err}");
    }
    let (code, _, err) = run(f.path(), &["review", "--snapshot", "wide"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("WIDTHxHEIGHT"), "{err}");
}

#[test]
fn git_errors_carry_no_libgit2_class_and_code() {
    let raw = git2::Repository::open("/does-not-exist/repo")
        .err()
        .expect("no repository there");
    let e = countersign_core::Error::git("opening the repository")(raw);
    let text = e.to_string();
    assert!(text.starts_with("git: opening the repository: "), "{text}");
    assert_no_internals(&text);
}

// ---- Item 15: one answer, the true one ----

#[test]
fn an_explicit_empty_range_says_that_range_is_empty_not_something_about_head() {
    let f = Fixture::new();
    let (code, out, err) = run(f.path(), &["status", "main..main"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("nothing to judge: main..main has no commits"),
        "{out}"
    );
    assert!(!out.contains("HEAD's commits"), "{out}");
    // The default range, empty, still says why.
    let (code, out, err) = run(f.path(), &["status"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("HEAD's commits are all on the trusted ref"),
        "{out}"
    );
}

#[test]
fn an_empty_range_in_the_workstation_shows_nothing_to_judge_not_no_policy() {
    let f = Fixture::new();
    let mut s = countersign::tui::Session::open(
        f.path(),
        &countersign::tui::ReviewOptions::default(),
        (160, 40),
    )
    .expect("the review opens");
    s.settle();
    s.press("i");
    let screen = s.render();
    assert!(!screen.contains("no policy"), "{screen}");
    assert!(screen.contains("nothing to judge"), "{screen}");
}

#[test]
fn an_empty_repository_gets_the_same_answer_from_every_command() {
    let dir = tempfile::tempdir().expect("dir");
    git2::Repository::init(dir.path()).expect("init");
    let mut answers = Vec::new();
    for args in [
        &["status"][..],
        &["verify"],
        &["review", "--snapshot", "80x20"],
        &["impact"],
    ] {
        let (code, _, err) = run(dir.path(), args);
        assert_eq!(code, Some(2), "{args:?}: {err}");
        answers.push(err);
    }
    assert!(answers.iter().all(|a| *a == answers[0]), "{answers:#?}");
}

#[test]
fn an_explicit_range_on_an_orphan_branch_is_honoured() {
    let f = Fixture::new();
    let commit = f.ai_commit("src/lib.rs", "pub fn f() { 3; }\n", "On feature");
    f.t.git(&["checkout", "-q", "--orphan", "fresh"]);
    let range = format!("main..{commit}");
    let (code, out, err) = run(
        f.path(),
        &["status", &range, "--trusted-ref", "refs/heads/main"],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("1 commit in"), "{out}");
    assert!(out.contains("On feature"), "{out}");
    let (code, out, err) = run(
        f.path(),
        &["status", "feature", "--trusted-ref", "refs/heads/main"],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("On feature"), "{out}");
}

#[test]
fn an_orphan_branch_says_head_has_no_commits_not_the_repository() {
    let f = Fixture::new();
    f.t.git(&["checkout", "-q", "--orphan", "fresh"]);
    for args in [&["status"][..], &["status", "HEAD~1..HEAD"], &["verify"]] {
        let (code, _, err) = run(f.path(), args);
        assert_eq!(code, Some(2), "{args:?}: {err}");
        assert!(
            err.contains("HEAD is on refs/heads/fresh, which has no commits yet"),
            "{args:?}: {err}"
        );
        assert!(
            !err.contains("the repository has no commits"),
            "{args:?}: {err}"
        );
    }
}
