//! `verify --format github|junit`: what CI systems read, on the demo repository.

use std::path::Path;

use assert_cmd::Command;

fn countersign(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("countersign").expect("binary");
    cmd.current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .env_remove("COUNTERSIGN_KEY");
    cmd
}

/// The demo, plus an AI commit whose summary needs escaping in both formats.
fn demo() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    countersign(dir.path())
        .args(["demo", "--no-tui", "--dir"])
        .arg(dir.path())
        .assert()
        .success();
    let repo = dir.path().join("repo");
    std::fs::write(repo.join("crates/auth/src/extra.rs"), "pub fn x() {}\n").expect("write");
    let git = |args: &[&str]| {
        let ok = std::process::Command::new("git")
            .args(args)
            .current_dir(&repo)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .status()
            .expect("git");
        assert!(ok.success());
    };
    git(&["add", "-A"]);
    git(&[
        "commit",
        "-q",
        "-m",
        "Use <T> & \"quotes\", 100% sure: yes\n\nCo-authored-by: Claude <noreply@anthropic.com>",
    ]);
    (dir, repo)
}

#[test]
fn github_format_annotates_each_failing_commit_and_exits_1() {
    let (_dir, repo) = demo();
    let out = countersign(&repo)
        .args(["verify", "--format", "github"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let errors: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("::error title="))
        .collect();
    assert_eq!(
        errors.len(),
        3,
        "three commits need a sign-off (the demo's core-types change escalates to supervised):\n{text}"
    );
    // Each also gets one annotation on the file behind its tier, at its first changed line,
    // which GitHub shows on the pull request's diff.
    let on_files: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("::error file="))
        .collect();
    assert_eq!(on_files.len(), 3, "{text}");
    assert!(
        on_files.iter().any(|l| l
            .starts_with("::error file=crates/auth/src/extra.rs,line=1,title=")
            && l.contains("in the supervised tier")),
        "{text}"
    );
    assert!(
        on_files
            .iter()
            .all(|l| l.contains(",line=") && !l.contains(",line=0")),
        "{text}"
    );
    let escaped = errors
        .iter()
        .find(|l| l.contains("quotes"))
        .expect("the escaped commit");
    // Property values escape ':' and ',' and '%'; the message escapes newlines.
    assert!(escaped.contains("100%25 sure%3A yes"), "{escaped}");
    assert!(escaped.contains("\"quotes\"%2C"), "{escaped}");
    assert!(escaped.contains("%0Aneeds 1 approval"), "{escaped}");
    assert!(
        text.lines().any(|l| l.starts_with("::notice ")),
        "passing AI commits get a notice"
    );
    assert!(
        text.lines().last().unwrap_or("").contains("3 of 5 commits"),
        "{text}"
    );
}

#[test]
fn junit_format_has_one_case_per_commit_and_escapes_xml() {
    let (_dir, repo) = demo();
    let out = countersign(&repo)
        .args(["verify", "--format", "junit"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let xml = String::from_utf8(out.stdout).expect("utf-8");
    assert!(xml.starts_with("<?xml version=\"1.0\""));
    assert!(
        xml.contains("<testsuites name=\"countersign verify\" tests=\"5\" failures=\"3\">"),
        "{xml}"
    );
    assert_eq!(xml.matches("<testcase ").count(), 5);
    assert_eq!(xml.matches("<failure ").count(), 3);
    assert!(
        xml.contains("Use &lt;T&gt; &amp; &quot;quotes&quot;"),
        "{xml}"
    );
    assert!(!xml.contains("<T>"), "raw markup must not leak");
    assert_eq!(
        xml.matches("<testsuite ").count(),
        xml.matches("</testsuite>").count()
    );
}

/// The file annotation points at the first changed line of the file behind the tier, not at
/// the top of the file.
#[test]
fn github_file_annotation_names_the_first_changed_line() {
    let (_dir, repo) = demo();
    let file = repo.join("crates/auth/src/extra.rs");
    let mut text = String::new();
    for i in 0..20 {
        text.push_str(&format!("pub fn x{i}() {{}}\n"));
    }
    std::fs::write(&file, &text).expect("write");
    let run = |args: &[&str]| {
        let ok = std::process::Command::new("git")
            .args(args)
            .current_dir(&repo)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .status()
            .expect("git");
        assert!(ok.success());
    };
    run(&[
        "commit",
        "-qam",
        "Grow extra\n\nCo-authored-by: Claude <noreply@anthropic.com>",
    ]);
    std::fs::write(&file, text.replace("pub fn x12()", "pub fn x12b()")).expect("write");
    run(&[
        "commit",
        "-qam",
        "Rename x12\n\nCo-authored-by: Claude <noreply@anthropic.com>",
    ]);
    let out = countersign(&repo)
        .args(["verify", "--format", "github"])
        .output()
        .expect("runs");
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(
        text.lines().any(|l| l
            .starts_with("::error file=crates/auth/src/extra.rs,line=13,title=countersign%3A")
            && l.contains("Rename x12")),
        "{text}"
    );
}
