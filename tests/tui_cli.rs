//! `countersign review` from the command line: no terminal, `--snapshot`, bad arguments.

use assert_cmd::Command;
use predicates::prelude::*;

fn demo() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let made = countersign::demo::build(&dir.path().join("demo")).unwrap();
    (dir, made.repo)
}

fn review(repo: &std::path::Path, dir: &std::path::Path) -> Command {
    let mut cmd = Command::cargo_bin("countersign").unwrap();
    cmd.current_dir(repo)
        .env("COUNTERSIGN_DATA_DIR", dir.join("data"))
        .env("COUNTERSIGN_CONFIG_DIR", dir.join("config"))
        .arg("review");
    cmd
}

#[test]
fn review_without_a_terminal_refuses_in_one_sentence() {
    let (dir, repo) = demo();
    review(&repo, dir.path()).assert().code(2).stderr(
        predicate::str::contains("needs a terminal").and(predicate::str::contains("--snapshot")),
    );
}

#[test]
fn snapshot_prints_the_first_screen() {
    let (dir, repo) = demo();
    let out = review(&repo, dir.path())
        .args(["--snapshot", "100x24"])
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert_eq!(text.lines().count(), 24);
    assert!(text.lines().all(|l| l.chars().count() <= 100));
    assert!(
        text.contains("crates/reporting/src/csv.rs · unified"),
        "{text}"
    );
    assert!(text.contains("@@ -2,7 +2,10 @@"), "{text}");
}

#[test]
fn snapshot_of_a_single_commit_and_a_theme() {
    let (dir, repo) = demo();
    let out = review(&repo, dir.path())
        .args([
            "HEAD~2",
            "--snapshot",
            "120x30",
            "--snapshot-settled",
            "--theme",
            "light",
        ])
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(text.contains("(1 commit, 1 AI)"), "{text}");
}

#[test]
fn bad_sizes_and_unknown_themes_are_errors_that_say_why() {
    let (dir, repo) = demo();
    review(&repo, dir.path())
        .args(["--snapshot", "wide"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("WIDTHxHEIGHT"));
    review(&repo, dir.path())
        .args(["--snapshot", "80x20", "--theme", "nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown theme `nope`"));
    std::fs::create_dir_all(dir.path().join("config")).unwrap();
    std::fs::write(dir.path().join("config/config.toml"), "theme = [").unwrap();
    review(&repo, dir.path())
        .args(["--snapshot", "80x20"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("config.toml"));
}
