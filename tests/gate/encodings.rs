//! Bytes that are not UTF-8 where git allows them: file names (`bad\xff.md`), and commit
//! messages in the encoding the commit declares (`i18n.commitEncoding = ISO-8859-1`). Each is
//! read as git reads it, on real repositories made by the real git.

use crate::signoff_common;

use std::time::Duration;

use signoff_common::{git_in, git_stdin, Fixture};

/// Hang guard, far above the second or so any of these takes.
const WATCHDOG: Duration = Duration::from_secs(120);

fn run(cmd: &mut assert_cmd::Command) -> (Option<i32>, String, String) {
    let out = cmd.timeout(WATCHDOG).output().expect("countersign runs");
    (
        out.status.code(),
        String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `bad\xff.md` and `bad\xfe.md` are two files: git lists two, and so does every output
/// (both were `bad\u{fffd}.md`, and `impact` counted and listed one). JSON writes a path that
/// is not UTF-8 quoted in the style of git's core.quotePath, with `\xNN` for its raw bytes (README,
/// "Paths that are not UTF-8").
#[test]
fn two_file_names_that_differ_only_in_non_utf8_bytes_stay_two() {
    let f = Fixture::new();
    f.t.write(b"docs/bad\xff.md", "one\n");
    f.t.write(b"docs/bad\xfe.md", "two\n");
    let c = f.t.commit_ai("kiro", "Add two notes");
    let git = git_in(
        f.path(),
        &[
            "diff-tree",
            "-r",
            "-z",
            "--name-only",
            "--no-commit-id",
            &c.to_string(),
        ],
    );
    assert_eq!(
        git.split('\0').filter(|p| !p.is_empty()).count(),
        2,
        "{git:?}"
    );
    let (xff, xfe) = ("\"docs/bad\\xFF.md\"", "\"docs/bad\\xFE.md\"");

    let (code, out, err) = run(f.cmd().args(["impact", &c.to_string(), "--format", "json"]));
    assert_eq!(code, Some(0), "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).expect("impact JSON");
    let changed: Vec<&str> = json["changed_files"]
        .as_array()
        .expect("changed_files")
        .iter()
        .filter_map(|p| p.as_str())
        .collect();
    assert_eq!(changed, [xfe, xff], "{json:#}");
    let files: Vec<&str> = json["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter_map(|f| f["path"].as_str())
        .collect();
    assert_eq!(files, [xfe, xff], "{json:#}");
    for shown in changed {
        let bytes = countersign_core::git::GitPath::from_display(shown);
        assert!(
            [&b"docs/bad\xff.md"[..], b"docs/bad\xfe.md"].contains(&bytes.as_bytes()),
            "{shown} reads back as the bytes git stores"
        );
    }

    // On the terminal the quoted form passes through the escaping of repository text, where
    // a backslash is always shown doubled (so `\xff` on screen can only be an escape).
    let (code, out, err) = run(f.cmd().args(["impact", &c.to_string()]));
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("2 files changed"), "{out}");
    for name in [xff, xfe] {
        assert!(out.contains(&name.replace('\\', "\\\\")), "{name} in {out}");
    }
    assert!(!out.contains('\u{fffd}'), "{out}");

    let (code, out, err) = run(f.cmd().args(["verify", "--format", "json"]));
    assert_eq!(code, Some(0), "docs are autonomous: {err}");
    assert!(!out.contains('\u{fffd}'), "{out}");

    let (code, out, err) = run(f.cmd().args(["review", "--snapshot", "160x30"]));
    assert_eq!(code, Some(0), "{err}");
    // The workstation's file list shows each byte as `\xFF` (its own escaping of names).
    assert!(
        out.contains("· docs/bad\\xFF.md") && out.contains("· docs/bad\\xFE.md"),
        "both names in the workstation's file list:\n{out}"
    );
}

/// A commit made with `i18n.commitEncoding = ISO-8859-1` carries `encoding ISO-8859-1` and
/// Latin-1 bytes: its subject reads `Café naïve` as `git log` shows it, in `status` (text and
/// JSON) and in the workstation (it was `Caf\u{fffd} na\u{fffd}ve`).
#[test]
fn an_iso_8859_1_commit_message_reads_as_git_log_shows_it() {
    let f = Fixture::new();
    f.t.write("src/lib.rs", "pub fn f() { 2; }\n");
    git_in(f.path(), &["add", "-A"]);
    git_stdin(
        f.path(),
        &[
            "-c",
            "i18n.commitEncoding=ISO-8859-1",
            "-c",
            "user.name=Dana Human",
            "-c",
            "user.email=dana@example.com",
            "commit",
            "-q",
            "-F",
            "-",
        ],
        b"Caf\xe9 na\xefve\n\nCo-authored-by: Kiro <kiro@agents.example>\n",
    );
    let raw = std::process::Command::new("git")
        .args(["cat-file", "commit", "HEAD"])
        .current_dir(f.path())
        .output()
        .expect("git cat-file");
    assert!(
        raw.stdout
            .windows(20)
            .any(|w| w == b"encoding ISO-8859-1\n")
            && raw.stdout.windows(4).any(|w| w == b"Caf\xe9"),
        "git wrote a Latin-1 commit"
    );
    let logged = git_in(f.path(), &["log", "-1", "--format=%s"]);
    assert_eq!(logged.trim(), "Café naïve");

    let (code, out, err) = run(f.cmd().args(["status", "--format", "json"]));
    assert_eq!(code, Some(0), "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).expect("status JSON");
    assert_eq!(json[0]["summary"], "Café naïve", "{json:#}");
    assert_eq!(
        json[0]["ai"]["agent"], "kiro",
        "the trailer still counts: {json:#}"
    );

    let (code, out, err) = run(f.cmd().arg("status"));
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("Café naïve"), "{out}");

    let (code, out, err) = run(f.cmd().args(["review", "--snapshot", "160x30"]));
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("Café naïve"), "{out}");
    assert!(!out.contains('\u{fffd}'), "{out}");
}
