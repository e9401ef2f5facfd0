//! `countersign sync` with a bare origin and two clones: sign-offs travel both ways, a race
//! between syncing clones loses nothing.

use crate::support;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use support::{git_in, TestRepo};

struct Team {
    _dir: tempfile::TempDir,
    _upstream: TestRepo,
    a: PathBuf,
    b: PathBuf,
}

fn team() -> Team {
    let upstream = TestRepo::new();
    upstream.write("a.txt", "a\n");
    upstream.commit("Base");
    let dir = tempfile::tempdir().expect("tempdir");
    let origin = dir.path().join("origin.git");
    git_in(
        dir.path(),
        &[
            "clone",
            "-q",
            "--bare",
            &upstream.path().to_string_lossy(),
            "origin.git",
        ],
    );
    for name in ["a", "b"] {
        git_in(
            dir.path(),
            &["clone", "-q", &origin.to_string_lossy(), name],
        );
    }
    Team {
        a: dir.path().join("a"),
        b: dir.path().join("b"),
        _dir: dir,
        _upstream: upstream,
    }
}

fn sync(clone: &Path) -> std::process::Output {
    Command::cargo_bin("countersign")
        .expect("binary")
        .current_dir(clone)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .args(["sync", "origin"])
        .output()
        .expect("sync runs")
}

fn add_line(clone: &Path, line: &str) {
    git_in(
        clone,
        &["notes", "--ref=countersign", "append", "-m", line, "HEAD"],
    );
}

fn lines(clone: &Path) -> Vec<String> {
    let text = git_in(clone, &["notes", "--ref=countersign", "show", "HEAD"]);
    text.lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn both_reviewers_see_both_signoffs_after_syncing() {
    let t = team();
    add_line(&t.a, "{\"from\":\"a\"}");
    add_line(&t.b, "{\"from\":\"b\"}");
    for clone in [&t.a, &t.b, &t.a] {
        let out = sync(clone);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    for clone in [&t.a, &t.b] {
        let got = lines(clone);
        assert!(got.contains(&"{\"from\":\"a\"}".to_string()), "{got:?}");
        assert!(got.contains(&"{\"from\":\"b\"}".to_string()), "{got:?}");
    }
}

#[test]
fn syncing_with_nothing_anywhere_is_fine_and_says_so() {
    let t = team();
    let out = sync(&t.a);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("no sign-offs"));
}

#[test]
fn a_concurrent_sync_race_loses_nothing() {
    let t = team();
    add_line(&t.a, "seed");
    assert!(sync(&t.a).status.success());
    assert!(sync(&t.b).status.success());
    for round in 0..3 {
        add_line(&t.a, &format!("a{round}"));
        add_line(&t.b, &format!("b{round}"));
        let (a, b) = (t.a.clone(), t.b.clone());
        let ha = std::thread::spawn(move || sync(&a));
        let hb = std::thread::spawn(move || sync(&b));
        for h in [ha, hb] {
            let out = h.join().expect("thread");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    assert!(sync(&t.a).status.success());
    assert!(sync(&t.b).status.success());
    for clone in [&t.a, &t.b] {
        let got = lines(clone);
        for want in ["seed", "a0", "b0", "a1", "b1", "a2", "b2"] {
            assert!(
                got.iter().any(|l| l == want),
                "{want} missing in {}: {got:?}",
                clone.display()
            );
        }
    }
}

#[test]
fn sync_to_an_unknown_remote_says_which_remotes_exist() {
    let t = team();
    let out = Command::cargo_bin("countersign")
        .expect("binary")
        .current_dir(&t.a)
        .args(["sync", "upstream"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no remote `upstream`"));
}

/// Runs countersign in `dir` with the user's config shut out.
fn cs(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("countersign")
        .expect("binary")
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .env_remove("COUNTERSIGN_KEY")
        .args(args)
        .output()
        .expect("countersign runs")
}

#[test]
fn two_reviewers_sign_in_their_clones_sync_and_both_count() {
    // The demo has two seniors, alice and bob, with unencrypted keys in DIR/keys.
    let dir = tempfile::tempdir().expect("tempdir");
    let out = cs(
        dir.path(),
        &["demo", "--no-tui", "--dir", &dir.path().to_string_lossy()],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    git_in(dir.path(), &["clone", "-q", "--bare", "repo", "origin.git"]);
    for name in ["a", "b"] {
        git_in(dir.path(), &["clone", "-q", "origin.git", name]);
    }
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    // The clones' origin/HEAD is the demo's checked-out feature branch (the bare copy's
    // HEAD), so the trusted ref is named, as in CI.
    let trusted = ["--trusted-ref", "refs/remotes/origin/main"];
    let status = cs(&a, &["status", "--format", "json", trusted[0], trusted[1]]);
    let rows: serde_json::Value = serde_json::from_slice(&status.stdout).expect("json");
    let commit = rows
        .as_array()
        .and_then(|r| r.iter().find(|r| r["state"] == "needs-signoff"))
        .and_then(|r| r["commit"].as_str())
        .expect("a commit needing sign-off")
        .to_string();
    for (clone, who) in [(&a, "alice"), (&b, "bob")] {
        let key = dir.path().join("keys").join(who);
        let out = cs(
            clone,
            &[
                "sign",
                &commit,
                "--decision",
                "approve",
                "--yes",
                "--key",
                &key.to_string_lossy(),
                trusted[0],
                trusted[1],
            ],
        );
        assert!(
            out.status.success(),
            "{who}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    for clone in [&a, &b, &a] {
        let out = cs(clone, &["sync"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    for clone in [&a, &b] {
        let out = cs(
            clone,
            &[
                "verify", &commit, "--format", "json", trusted[0], trusted[1],
            ],
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        let by = v["commits"][0]["approved_by"].to_string();
        assert!(
            by.contains("alice@example.com") && by.contains("bob@example.com"),
            "{by}"
        );
    }
}
