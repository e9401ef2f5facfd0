//! `countersign verify` of a 4-commit change under a notes history of N sign-offs, beside
//! `git log --raw` of the same notes ref, in the same run.
//!
//! ```text
//! cargo bench --bench notes_history                  # N = 5,000, 20,000 and 100,000
//! NOTES=20000 cargo bench --bench notes_history      # one size
//! ```
//!
//! Setup (not timed): a one-crate workspace with a policy and roster on `main`, four AI
//! commits on `feature` signed by alice; then N notes commits, each adding one sign-off line
//! (a real signed line, ~1 KB) on another commit, written with `git fast-import` (which fans
//! the notes tree out as `git notes` does), then `git repack -a -d`. Timed, best of three:
//! the release binary's `verify main..feature` end to end, and `git log --raw` of
//! refs/notes/countersign (every notes commit and the tree entries it changes: the least a
//! reader of the whole history does). Goal: at most 2x at 20,000.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use countersign_core::signoff::keys;
use countersign_testkit::{governed_history, sign_range};

fn main() {
    let sizes: Vec<usize> = match std::env::var("NOTES").ok().and_then(|v| v.parse().ok()) {
        Some(n) => vec![n],
        None => vec![5_000, 20_000, 100_000],
    };
    for n in sizes {
        run(n);
    }
}

fn git(dir: &Path) -> Command {
    let mut c = Command::new("git");
    c.current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1");
    c
}

fn run(n: usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo_dir = dir.path().join("repo");
    let setup = Instant::now();
    let key = keys::generate_ed25519("alice@example.com").expect("key");
    let repo = governed_history(&repo_dir, &key, 4);
    sign_range(&repo, &key, "main..feature", "refs/heads/main");
    let sample = {
        let feature = repo.refname_to_id("refs/heads/feature").expect("feature");
        countersign_core::signoff::notes::read_lines(&repo, feature)
            .expect("note")
            .remove(0)
    };
    add_history(&repo_dir, n, &sample);
    let packed = git(&repo_dir)
        .args(["repack", "-a", "-d", "-q"])
        .status()
        .expect("git repack");
    assert!(packed.success());
    println!(
        "setup: 4 signed AI commits, {n} sign-offs in the notes history, in {:.1?}",
        setup.elapsed()
    );

    let bin = env!("CARGO_BIN_EXE_countersign");
    let verify = best_of_3(|| {
        let out = Command::new(bin)
            .args(["verify", "main..feature", "--format", "json"])
            .current_dir(&repo_dir)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .expect("run countersign");
        assert!(
            out.status.success(),
            "verify failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    });
    let log = best_of_3(|| {
        let ok = git(&repo_dir)
            .args(["log", "--raw", "refs/notes/countersign"])
            .stdout(Stdio::null())
            .status()
            .expect("git log");
        assert!(ok.success());
    });
    println!(
        "{n:>7} sign-offs: verify {:>8.1?}, git log --raw {:>8.1?}: {:.2}x (goal at 20,000: at most 2x)",
        verify,
        log,
        verify.as_secs_f64() / log.as_secs_f64()
    );
}

fn best_of_3(mut f: impl FnMut()) -> Duration {
    (0..3)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

/// `n` notes commits on top of the notes ref, each adding `line` as the note of a new commit
/// (one per sign-off, on a side ref), through `git fast-import`.
fn add_history(dir: &Path, n: usize, line: &str) {
    let tip = git(dir)
        .args(["rev-parse", "refs/notes/countersign"])
        .output()
        .expect("rev-parse");
    let tip = String::from_utf8_lossy(&tip.stdout).trim().to_string();
    let mut child = git(dir)
        .args(["fast-import", "--quiet"])
        .stdin(Stdio::piped())
        .spawn()
        .expect("git fast-import");
    {
        let mut w = std::io::BufWriter::new(child.stdin.take().expect("stdin"));
        let mut out = |s: &str| w.write_all(s.as_bytes()).expect("write");
        for i in 1..=n {
            out(&format!(
                "commit refs/heads/signed\nmark :{i}\ncommitter Bench <b@example.com> {} +0000\ndata 8\nchange {}\n\n",
                1_700_000_000 + i,
                i % 10
            ));
        }
        for i in 1..=n {
            let text = format!("{line}\n");
            out(&format!(
                "commit refs/notes/countersign\ncommitter Bench <b@example.com> {} +0000\ndata 16\nNotes added by\n\n",
                1_700_000_000 + i
            ));
            if i == 1 {
                out(&format!("from {tip}\n"));
            }
            out(&format!("N inline :{i}\ndata {}\n{text}\n", text.len()));
        }
    }
    assert!(child.wait().expect("fast-import").success());
}
