//! The notes history cannot stall the gate or blow its memory: `verify` reads a long notes
//! history in time linear in it (a hang guard, not a timing: the speed is measured by
//! `cargo bench --bench notes_history` against `git log --raw`), and stays under 100 MB with
//! a 50 MB note blob in the history, which it never reads.
//!
//! The hang guard's history is 20,000 sign-offs by default (the size at which the quadratic
//! reader took 55 s with the release binary); `COUNTERSIGN_NOTES_GUARD=100000 cargo test
//! --test notes_history_scale` runs it at 100,000 (about three minutes with the debug
//! binary on a loaded 2-core machine, where libgit2 and zlib are unoptimised).

use crate::signoff_common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use signoff_common::{git_in, Fixture};

/// Adds `n` notes commits on top of refs/notes/countersign through `git fast-import`, each
/// adding `line` as the note of a commit of its own (fanned out as `git notes` does).
fn add_history(dir: &Path, n: usize, line: &str) {
    let tip = git_in(dir, &["rev-parse", "refs/notes/countersign"]);
    let mut child = Command::new("git")
        .args(["fast-import", "--quiet"])
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .stdin(Stdio::piped())
        .spawn()
        .expect("git fast-import");
    {
        let mut w = std::io::BufWriter::new(child.stdin.take().expect("stdin"));
        for i in 1..=n {
            write!(
                w,
                "commit refs/heads/signed\nmark :{i}\ncommitter B <b@example.com> {} +0000\ndata 8\nchange {}\n\n",
                1_700_000_000 + i,
                i % 10
            )
            .unwrap();
        }
        for i in 1..=n {
            write!(
                w,
                "commit refs/notes/countersign\ncommitter B <b@example.com> {} +0000\ndata 5\nnotes\n",
                1_700_000_000 + i
            )
            .unwrap();
            if i == 1 {
                writeln!(w, "from {}", tip.trim()).unwrap();
            }
            writeln!(w, "N inline :{i}\ndata {}\n{line}", line.len()).unwrap();
        }
    }
    assert!(child.wait().expect("fast-import").success());
}

#[test]
fn a_long_notes_history_does_not_stall_verify() {
    let n: usize = std::env::var("COUNTERSIGN_NOTES_GUARD")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let f = Fixture::new();
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Speed up f");
    f.sign(&c, "alice", "approve").success();
    let line = f.note_lines(&c).remove(0);
    add_history(f.path(), n, &line);
    git_in(f.path(), &["repack", "-a", "-d", "-q"]);

    let started = Instant::now();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_countersign"));
    cmd.args(["verify", "main..feature"])
        .current_dir(f.path())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = cmd.spawn().expect("spawn");
    let id = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    // A watchdog far above the expected time (about 35 s for 20,000 with the debug binary
    // on a loaded machine; the quadratic reader never finished at 100,000).
    let limit = Duration::from_secs(60 + n as u64 / 40);
    let out = match rx.recv_timeout(limit) {
        Ok(out) => out.expect("wait"),
        Err(_) => {
            let _ = Command::new("kill").args(["-9", &id.to_string()]).status();
            panic!("verify still running after {limit:?} with {n} sign-offs in the history");
        }
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!(
        "verify with {n} sign-offs in the notes history: {:.1?}",
        started.elapsed()
    );
}

/// Peak resident size of `cmd` in kilobytes, measured by GNU time.
fn peak_kb(dir: &Path, args: &[&str]) -> (i32, u64, String) {
    let out = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("peak-kb %M")
        .arg(env!("CARGO_BIN_EXE_countersign"))
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("run /usr/bin/time");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let kb = err
        .lines()
        .filter_map(|l| l.strip_prefix("peak-kb "))
        .filter_map(|v| v.trim().parse().ok())
        .next_back()
        .unwrap_or_else(|| panic!("no peak in {err}"));
    (out.status.code().unwrap_or(-1), kb, err)
}

#[test]
fn verify_stays_under_100_mb_with_a_50_mb_note_in_the_history() {
    if !Path::new("/usr/bin/time").exists() {
        eprintln!("skipped: /usr/bin/time not found");
        return;
    }
    let f = Fixture::new();
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Speed up f");
    let other = f.ai_commit("src/lib.rs", "pub fn f() { 2; }\n", "Speed up f again");
    f.sign(&c, "alice", "approve").success();
    f.sign(&other, "alice", "approve").success();
    // A 50 MB version of c's note, then the note as it was: the big one is history only.
    let repo = &f.t.repo;
    let mut text = Vec::with_capacity(50 << 20);
    while text.len() < 50 << 20 {
        text.extend_from_slice(b"{\"payload\":\"x\",\"signature\":\"reject\"}\n");
    }
    let blob = repo.blob(&text).unwrap();
    drop(text);
    let lines = f.note_lines(&c).join("\n") + "\n";
    for content in [None, Some(lines)] {
        let parent = repo
            .find_reference("refs/notes/countersign")
            .unwrap()
            .peel_to_commit()
            .unwrap();
        let mut tree = repo.treebuilder(Some(&parent.tree().unwrap())).unwrap();
        let id = match &content {
            None => blob,
            Some(t) => repo.blob(t.as_bytes()).unwrap(),
        };
        tree.insert(c.to_string(), id, 0o100644).unwrap();
        let tree = repo.find_tree(tree.write().unwrap()).unwrap();
        let sig = git2::Signature::now("M", "m@example.com").unwrap();
        let commit = repo
            .commit(None, &sig, &sig, "note", &tree, &[&parent])
            .unwrap();
        repo.reference("refs/notes/countersign", commit, true, "note")
            .unwrap();
    }
    git_in(f.path(), &["repack", "-a", "-d", "-q"]);
    let (code, kb, err) = peak_kb(f.path(), &["verify", "main..feature"]);
    // c fails (its note once held more than 16 MiB, unread); the other commit passes.
    assert_eq!(code, 1, "{err}");
    assert!(
        kb < 100 * 1024,
        "verify peaked at {} MB with a 50 MB note in the history",
        kb / 1024
    );
    eprintln!("verify peak resident size: {} MB", kb / 1024);
}
