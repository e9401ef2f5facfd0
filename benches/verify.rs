//! `countersign verify` over 1,000 signed AI commits, beside one `ssh-keygen -Y verify` per
//! sign-off (what git does per SSH-signed commit), in the same run.
//!
//! ```text
//! cargo bench --bench verify            # COMMITS=200 cargo bench --bench verify for a quick run
//! COMMITS=20000 NO_SSH_KEYGEN=1 cargo bench --bench verify   # feedback vs verify at scale
//! ```
//!
//! Setup (not timed): a repository with a one-crate Cargo workspace, a policy and a roster on
//! `main`, then N AI-authored commits on `feature`, each signed off by a senior with the
//! library's own signing path, then `git repack -a -d` (a CI clone's objects are packed). Timed: the release binary's `verify main..feature` end to end
//! (process start, policy, change sets, tiers, notes, SSHSIG) — best of three — and, for the
//! baseline, one `ssh-keygen -Y verify` process per sign-off over the same payloads; then
//! `feedback` of the same range (best of three), beside `verify`.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use countersign_core::signoff::{self, keys, NoteLine};
use countersign_testkit::{governed_history, sign_range};
use git2::Repository;

fn main() {
    let n: usize = std::env::var("COMMITS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let dir = tempfile::tempdir().expect("temp dir");
    // KEEP_REPO=1 keeps the repository for profiling and prints where it is.
    let dir_path = if std::env::var_os("KEEP_REPO").is_some() {
        let kept = dir.keep();
        println!("repository kept in {}", kept.join("repo").display());
        kept
    } else {
        dir.path().to_path_buf()
    };
    let repo_dir = dir_path.join("repo");
    let setup = Instant::now();
    let key = keys::generate_ed25519("alice@example.com").expect("key");
    let repo = governed_history(&repo_dir, &key, n);
    sign_range(&repo, &key, "main..feature", "refs/heads/main");
    // CI verifies a fresh clone, whose objects arrive packed: pack them the same way.
    let packed = Command::new("git")
        .args(["repack", "-a", "-d", "-q"])
        .current_dir(&repo_dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .status()
        .expect("run git repack");
    assert!(packed.success(), "git repack failed");
    println!(
        "setup: {n} AI commits on `feature`, each signed off by alice, in {:.1?}",
        setup.elapsed()
    );

    let verify = best_of_3(&repo_dir, "verify", |out| {
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        assert_eq!(report["commits"].as_array().map(Vec::len), Some(n));
    });
    // `feedback` of the same range reads the same notes and, for every commit, looks for its
    // earlier versions among all signed commits (rewrite detection): by index, so linear.
    let feedback = best_of_3(&repo_dir, "feedback", |_| {});

    // NO_SSH_KEYGEN=1 skips the ssh-keygen baseline (a process per sign-off: minutes at
    // 20,000) to time feedback against verify alone.
    let baseline = std::env::var_os("NO_SSH_KEYGEN")
        .is_none()
        .then(|| ssh_keygen_baseline(&repo, &dir_path));
    let per = |d: Duration| d.as_secs_f64() * 1e3 / n as f64;
    println!(
        "countersign verify (release binary, best of 3): {:>8.1?} total, {:.3} ms per commit",
        verify,
        per(verify)
    );
    if let Some(baseline) = baseline {
        println!(
            "ssh-keygen -Y verify, one per sign-off:          {:>8.1?} total, {:.3} ms per sign-off",
            baseline,
            per(baseline)
        );
        println!(
            "ratio per sign-off: {:.3}x ssh-keygen (goal: at most 0.03x), a {:.1}x speed-up",
            verify.as_secs_f64() / baseline.as_secs_f64(),
            baseline.as_secs_f64() / verify.as_secs_f64()
        );
    }
    println!(
        "countersign feedback of the same range (best of 3): {:>8.1?}, {:.2}x verify",
        feedback,
        feedback.as_secs_f64() / verify.as_secs_f64()
    );
}

/// The release binary's `command main..feature --format json` in `repo_dir`, best of three
/// whole-process runs; each must succeed and pass `check`.
fn best_of_3(repo_dir: &Path, command: &str, check: impl Fn(&std::process::Output)) -> Duration {
    let bin = env!("CARGO_BIN_EXE_countersign");
    (0..3)
        .map(|_| {
            let t = Instant::now();
            let out = Command::new(bin)
                .args([command, "main..feature", "--format", "json"])
                .current_dir(repo_dir)
                .env("GIT_CONFIG_GLOBAL", "/dev/null")
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .output()
                .expect("run countersign");
            let took = t.elapsed();
            assert!(
                out.status.success(),
                "{command} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            check(&out);
            took
        })
        .min()
        .unwrap_or_default()
}

/// Writes every sign-off's payload and signature to files (not timed), then times one
/// `ssh-keygen -Y verify` process per sign-off.
fn ssh_keygen_baseline(repo: &Repository, scratch: &Path) -> Duration {
    let notes = signoff::notes::read_all(repo).expect("notes");
    let mut jobs = Vec::new();
    for (i, lines) in notes.values().enumerate() {
        for (j, line) in lines.iter().enumerate() {
            let rec = NoteLine::parse(line).expect("record");
            let payload = scratch.join(format!("p{i}_{j}"));
            let sig = scratch.join(format!("p{i}_{j}.sig"));
            std::fs::write(&payload, &rec.payload).expect("write payload");
            std::fs::write(&sig, format!("{}\n", rec.signature)).expect("write sig");
            jobs.push((payload, sig));
        }
    }
    // The roster as committed on main (the bench repository has no checked-out work tree).
    let signers = scratch.join("allowed_signers");
    let roster = countersign_core::git::GitTree::at(repo, "main")
        .and_then(|s| s.read(".countersign/allowed_signers"))
        .expect("read roster")
        .expect("roster on main");
    std::fs::write(&signers, roster).expect("write roster");
    let t = Instant::now();
    for (payload, sig) in &jobs {
        let status = Command::new("ssh-keygen")
            .args(["-Y", "verify", "-f"])
            .arg(&signers)
            .args(["-I", "alice@example.com", "-n", "countersign", "-s"])
            .arg(sig)
            .stdin(std::fs::File::open(payload).expect("payload"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("run ssh-keygen");
        assert!(status.success(), "ssh-keygen rejected {}", sig.display());
    }
    t.elapsed()
}
