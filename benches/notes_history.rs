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

use countersign_core::review::{Purpose, Review, Selection};
use countersign_core::signoff::keys::{self, SigningKey};
use countersign_core::signoff::{self, Decision, SignRequest};
use git2::{Repository, Signature, Time};

const POLICY: &str = r#"base = "main"
default_tier = "supervised"

[roles]
senior = ["alice@example.com"]

[tiers.autonomous]
approvals = 0
[tiers.supervised]
approvals = 1
role = "senior"
[tiers.prohibited]
approvals = 2
role = "senior"
"#;

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
    let repo = build_repo(&repo_dir, &key);
    sign_all(&repo, &key);
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

/// main: Cargo.toml, src/lib.rs, policy, roster; feature: four AI commits editing src/lib.rs.
fn build_repo(dir: &Path, key: &ssh_key::PrivateKey) -> Repository {
    let repo = Repository::init_opts(dir, git2::RepositoryInitOptions::new().initial_head("main"))
        .expect("init");
    let roster = format!(
        "{}\n",
        keys::allowed_signers_line("alice@example.com", key.public_key()).expect("line")
    );
    let mut tree = write_tree(
        &repo,
        None,
        &[
            (
                "Cargo.toml",
                "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n".into(),
            ),
            ("src/lib.rs", "pub fn f() -> u32 { 0 }\n".into()),
            (".countersign/policy.toml", POLICY.into()),
            (".countersign/allowed_signers", roster),
        ],
    );
    let mut parent = commit(&repo, tree, None, "Base", 1_700_000_000);
    repo.reference("refs/heads/main", parent, true, "main")
        .expect("main");
    for i in 1..=4 {
        tree = write_tree(
            &repo,
            Some(tree),
            &[("src/lib.rs", format!("pub fn f() -> u32 {{ {i} }}\n"))],
        );
        parent = commit(
            &repo,
            tree,
            Some(parent),
            &format!("Step {i}\n\nCo-authored-by: Kiro <kiro@agents.example>\n"),
            1_700_000_000 + 60 * i as i64,
        );
    }
    repo.reference("refs/heads/feature", parent, true, "feature")
        .expect("feature");
    repo.set_head("refs/heads/feature").expect("HEAD");
    repo
}

fn write_tree(repo: &Repository, base: Option<git2::Oid>, files: &[(&str, String)]) -> git2::Oid {
    let mut index = git2::Index::new().expect("index");
    if let Some(b) = base {
        index
            .read_tree(&repo.find_tree(b).expect("tree"))
            .expect("read tree");
    }
    for (path, text) in files {
        let blob = repo.blob(text.as_bytes()).expect("blob");
        let entry = git2::IndexEntry {
            ctime: git2::IndexTime::new(0, 0),
            mtime: git2::IndexTime::new(0, 0),
            dev: 0,
            ino: 0,
            mode: 0o100644,
            uid: 0,
            gid: 0,
            file_size: text.len() as u32,
            id: blob,
            flags: 0,
            flags_extended: 0,
            path: path.as_bytes().to_vec(),
        };
        index.add(&entry).expect("add");
    }
    index.write_tree_to(repo).expect("write tree")
}

fn commit(
    repo: &Repository,
    tree: git2::Oid,
    parent: Option<git2::Oid>,
    msg: &str,
    time: i64,
) -> git2::Oid {
    let sig = Signature::new("Dana", "dana@example.com", &Time::new(time, 0)).expect("sig");
    let tree = repo.find_tree(tree).expect("tree");
    let parents: Vec<git2::Commit<'_>> = parent
        .map(|p| repo.find_commit(p).expect("parent"))
        .into_iter()
        .collect();
    let refs: Vec<&git2::Commit<'_>> = parents.iter().collect();
    repo.commit(None, &sig, &sig, msg, &tree, &refs)
        .expect("commit")
}

/// Signs every commit of main..feature with the library's signing path.
fn sign_all(repo: &Repository, key: &ssh_key::PrivateKey) {
    let selection = Selection {
        revspec: Some("main..feature"),
        trusted_ref: Some("refs/heads/main"),
    };
    let mut review = Review::open(repo, selection, Purpose::Sign).expect("open the review");
    let request = SignRequest {
        decision: Decision::Approve,
        comment: "bench".into(),
        comments: Vec::new(),
        principal: None,
        evidence: std::collections::HashMap::new(),
        interface: "cli".into(),
    };
    let plan = review
        .plan_signing(&request, key.public_key(), chrono::Utc::now())
        .expect("plan");
    assert!(plan.refusals.is_empty(), "{:?}", plan.refusals);
    let signer = SigningKey::InMemory(Box::new(key.clone()));
    signoff::execute(repo, &plan, &signer).expect("sign");
}
