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

/// Commit ids (7 hex digits standing alone) as `#######`: they differ per run.
fn without_ids(text: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let hex = |c: char| c.is_ascii_digit() || ('a'..='f').contains(&c);
        let boundary = |j: usize| j >= chars.len() || !chars[j].is_ascii_alphanumeric();
        if (i == 0 || !chars[i - 1].is_ascii_alphanumeric())
            && i + 7 <= chars.len()
            && chars[i..i + 7].iter().all(|c| hex(*c))
            && boundary(i + 7)
        {
            out.push_str("#######");
            i += 7;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

#[test]
fn the_readme_sample_screen_is_what_its_command_prints() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let at = readme
        .find("## The review workstation")
        .expect("the workstation section");
    let start = readme[at..].find("```text\n").expect("a sample block") + at + 8;
    let end = readme[start..].find("```\n").expect("its end") + start;
    let sample = &readme[start..end];
    assert!(
        readme.contains("`countersign review --snapshot 120x24 --snapshot-settled`"),
        "the README names the command its sample comes from"
    );
    let (_dir, repo) = demo();
    let out = review(&repo, &repo)
        .args(["--snapshot", "120x24", "--snapshot-settled"])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let screen = String::from_utf8_lossy(&out.stdout);
    assert_eq!(without_ids(sample), without_ids(&screen));
}
