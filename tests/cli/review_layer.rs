//! One way in: `status`, `verify`, `sign --dry-run` and `review --snapshot` open a change
//! through the same review layer, so given the same arguments they see the same commits —
//! for every way the trusted ref is chosen. And the trusted-ref attacks of "Seal the gate":
//! a tag shadowing the trusted branch, a shallow or single-branch clone, a pushed branch
//! named like the base, a range with an empty side.

use crate::support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::{countersign, git_in, Package, PolicyToml, TestRepo};

/// Supervised by default, `vault` prohibited.
fn policy() -> String {
    PolicyToml::new("supervised")
        .base("main")
        .role("senior", &["alice@example.com"])
        .crate_rule(&["vault"], "prohibited")
        .render()
}

/// A permissive policy an attacker would like to be judged by.
const LAX_POLICY: &str = r#"base = "main"
default_tier = "autonomous"
"#;

/// A repository whose base branch `base` holds a two-crate workspace (`app`, and `vault`,
/// prohibited), the policy and a roster listing alice's key; then branch `feature` with
/// three AI commits and one human commit, checked out. Returns the repo, the key's path and
/// the four feature commits.
struct Fixture {
    repo: TestRepo,
    key: PathBuf,
    _keys: tempfile::TempDir,
    feature: Vec<String>,
}

fn fixture(base: &str) -> Fixture {
    let keys = tempfile::tempdir().expect("tempdir");
    let key = keys.path().join("alice");
    let status = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "alice", "-f"])
        .arg(&key)
        .status()
        .expect("ssh-keygen runs");
    assert!(status.success());
    let public = std::fs::read_to_string(key.with_extension("pub")).expect("public key");
    let repo = TestRepo::new();
    repo.cargo_workspace(&["crates/*"]);
    for name in ["app", "vault"] {
        repo.package(&Package::new(name).lib("pub fn f() {}\n"));
    }
    repo.policy(&policy().replace("main", base))
        .roster(&format!(
            "alice@example.com namespaces=\"countersign\" {public}"
        ));
    repo.commit("Base");
    if base != "main" {
        repo.git(&["branch", "-m", "main", base]);
    }
    repo.branch("feature");
    repo.checkout("feature");
    let mut feature = Vec::new();
    for (i, who) in ["kiro", "claude", "", "copilot"].iter().enumerate() {
        repo.write("crates/app/src/lib.rs", format!("pub fn f() {{ {i}; }}\n"));
        let id = if who.is_empty() {
            repo.commit("A human edit")
        } else {
            repo.commit_ai(who, &format!("AI edit {i}"))
        };
        feature.push(id.to_string());
    }
    Fixture {
        repo,
        key,
        _keys: keys,
        feature,
    }
}

/// What one command saw: the full ids of the commits it judged, or its exit code and
/// stderr when it refused.
#[derive(Debug, PartialEq, Eq)]
enum Seen {
    Commits(Vec<String>),
    Refused(i32),
}

fn status_seen(dir: &Path, args: &[&str]) -> Seen {
    let out = countersign(dir)
        .args(["status", "--format", "json"])
        .args(args)
        .output()
        .expect("runs");
    if out.status.code() != Some(0) {
        return Seen::Refused(out.status.code().unwrap_or(-1));
    }
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    Seen::Commits(
        rows.as_array()
            .expect("array")
            .iter()
            .map(|r| r["commit"].as_str().expect("commit").to_string())
            .collect(),
    )
}

fn verify_seen(dir: &Path, args: &[&str]) -> Seen {
    let out = countersign(dir)
        .args(["verify", "--format", "json"])
        .args(args)
        .output()
        .expect("runs");
    match out.status.code() {
        Some(0 | 1) => {}
        code => return Seen::Refused(code.unwrap_or(-1)),
    }
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    Seen::Commits(
        report["commits"]
            .as_array()
            .expect("commits")
            .iter()
            .map(|r| r["commit"].as_str().expect("commit").to_string())
            .collect(),
    )
}

fn sign_seen(dir: &Path, key: &Path, revspec: &str, args: &[&str]) -> Seen {
    let out = countersign(dir)
        .args([
            "sign",
            revspec,
            "--decision",
            "reject",
            "--dry-run",
            "--key",
        ])
        .arg(key)
        .args(args)
        .output()
        .expect("runs");
    if out.status.code() != Some(0) {
        return Seen::Refused(out.status.code().unwrap_or(-1));
    }
    Seen::Commits(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.strip_prefix("would sign: reject "))
            .map(|l| l.split_whitespace().next().unwrap_or("").to_string())
            .collect(),
    )
}

/// The commits the workstation's first screen lists (by short id, matched against
/// `candidates`), and its header's commit count.
fn review_seen(dir: &Path, args: &[&str], candidates: &[String]) -> Seen {
    let out = countersign(dir)
        .args(["review", "--snapshot", "200x40"])
        .args(args)
        .output()
        .expect("runs");
    if out.status.code() != Some(0) {
        return Seen::Refused(out.status.code().unwrap_or(-1));
    }
    let screen = String::from_utf8_lossy(&out.stdout);
    let header = screen.lines().next().unwrap_or("");
    let shown: Vec<String> = candidates
        .iter()
        .filter(|c| screen.contains(&format!("▸ {}", &c[..7])))
        .cloned()
        .collect();
    let count = format!("({} commit", shown.len());
    assert!(
        shown.is_empty() || header.contains(&count),
        "header {header:?} counts {} commits",
        shown.len()
    );
    Seen::Commits(shown)
}

/// Every command, same arguments: they agree, and they see `expected`.
fn assert_all_see(f: &Fixture, dir: &Path, args: &[&str], expected: &Seen, how: &str) {
    let status = status_seen(dir, args);
    let verify = verify_seen(dir, args);
    let review = review_seen(dir, args, &f.feature);
    assert_eq!(&status, expected, "{how}: status");
    assert_eq!(&verify, expected, "{how}: verify");
    assert_eq!(&review, expected, "{how}: review --snapshot");
    // sign takes a REVSPEC: the range the others judged by default.
    if let Seen::Commits(commits) = expected {
        let (Some(first), Some(last)) = (commits.first(), commits.last()) else {
            return;
        };
        let spec = format!("{first}~1..{last}");
        let sign = sign_seen(dir, &f.key, &spec, args);
        assert_eq!(&sign, expected, "{how}: sign --dry-run");
    }
}

#[test]
fn every_command_sees_the_same_commits_for_each_way_the_trusted_ref_is_chosen() {
    let all = |f: &Fixture| Seen::Commits(f.feature.clone());

    // Explicit commit id, in a repository with no main branch (the disagreement of the
    // issue: review used to open HEAD alone while status and verify judged four commits).
    let f = fixture("trunk");
    let base = f.repo.git(&["rev-parse", "trunk"]).trim().to_string();
    assert_all_see(
        &f,
        f.repo.path(),
        &["--trusted-ref", &base],
        &all(&f),
        "explicit sha",
    );

    // Explicit full ref name.
    assert_all_see(
        &f,
        f.repo.path(),
        &["--trusted-ref", "refs/heads/trunk"],
        &all(&f),
        "explicit full ref",
    );

    // Neither main nor master, no remote, nothing configured: every command refuses.
    assert_all_see(&f, f.repo.path(), &[], &Seen::Refused(2), "neither");

    // git config countersign.trustedRef.
    f.repo
        .git(&["config", "countersign.trustedRef", "refs/heads/trunk"]);
    assert_all_see(&f, f.repo.path(), &[], &all(&f), "countersign.trustedRef");

    // No remote: main alone, master alone.
    for base in ["main", "master"] {
        let f = fixture(base);
        assert_all_see(&f, f.repo.path(), &[], &all(&f), base);
    }

    // origin/HEAD, in a clone.
    let f = fixture("main");
    let clone = tempfile::tempdir().expect("tempdir");
    let dir = clone.path().join("c");
    git_in(
        clone.path(),
        &["clone", "-q", &f.repo.path().to_string_lossy(), "c"],
    );
    git_in(&dir, &["remote", "set-head", "origin", "main"]);
    git_in(&dir, &["checkout", "-q", "-b", "work", "origin/feature"]);
    assert_all_see(&f, &dir, &[], &all(&f), "origin/HEAD");
}

#[test]
fn both_main_and_master_without_a_remote_is_refused_not_guessed() {
    let f = fixture("master");
    f.repo.git(&["branch", "main", "master"]);
    countersign(f.repo.path())
        .arg("verify")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("both `main` and `master` exist"))
        .stderr(predicates::str::contains("--trusted-ref"));
}

/// A clone of the fixture, feature checked out as `work`, `origin/HEAD` → origin/main.
fn clone_of(f: &Fixture, extra: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let url = format!("file://{}", f.repo.path().display());
    let mut args = vec!["clone", "-q"];
    args.extend_from_slice(extra);
    args.extend_from_slice(&[&url, "c"]);
    git_in(tmp.path(), &args);
    let dir = tmp.path().join("c");
    (tmp, dir)
}

/// An orphan commit (no shared history) holding a permissive policy, as an attacker pushes.
fn lax_orphan(dir: &Path) -> String {
    let blob = {
        let mut child = Command::new("git")
            .current_dir(dir)
            .args(["hash-object", "-w", "--stdin"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("git");
        use std::io::Write;
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(LAX_POLICY.as_bytes())
            .expect("write");
        let out = child.wait_with_output().expect("git");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let inner = mktree(dir, &format!("100644 blob {blob}\tpolicy.toml\n"));
    let root = mktree(dir, &format!("040000 tree {inner}\t.countersign\n"));
    git_in(dir, &["commit-tree", &root, "-m", "lax"])
        .trim()
        .to_string()
}

fn mktree(dir: &Path, listing: &str) -> String {
    let mut child = Command::new("git")
        .current_dir(dir)
        .arg("mktree")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("git");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(listing.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("git");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// The fixture with a prohibited AI edit on top of feature.
fn with_prohibited_ai_edit() -> Fixture {
    let mut f = fixture("main");
    f.repo
        .write("crates/vault/src/lib.rs", "pub fn f() { leak(); }\n");
    f.feature
        .push(f.repo.commit_ai("kiro", "Touch the vault").to_string());
    f
}

#[test]
fn a_tag_named_like_the_trusted_branch_is_refused_not_followed() {
    let f = with_prohibited_ai_edit();
    let (_tmp, dir) = clone_of(&f, &[]);
    git_in(&dir, &["remote", "set-head", "origin", "main"]);
    git_in(&dir, &["checkout", "-q", "-b", "work", "origin/feature"]);
    let lax = lax_orphan(&dir);
    git_in(&dir, &["tag", "origin/main", &lax]);
    // Named short: ambiguous, exit 2, naming both refs.
    countersign(&dir)
        .args(["verify", "--trusted-ref", "origin/main"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("refs/tags/origin/main"))
        .stderr(predicates::str::contains("refs/remotes/origin/main"));
    // The same door in the range: `origin/main..HEAD` resolves no side by guessing.
    countersign(&dir)
        .args([
            "verify",
            "origin/main..HEAD",
            "--trusted-ref",
            "refs/remotes/origin/main",
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("ambiguous"));
    // And a branch under refs/heads named like the remote-tracking one.
    git_in(&dir, &["tag", "-d", "origin/main"]);
    git_in(&dir, &["branch", "origin/main", &lax]);
    countersign(&dir)
        .args(["verify", "--trusted-ref", "origin/main"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("refs/heads/origin/main"));
    // The default (origin/HEAD → refs/remotes/origin/main) is not fooled: the prohibited AI
    // edit fails, and the report names the full ref and its commit.
    let out = countersign(&dir)
        .args(["verify", "--format", "json"])
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["trusted_ref"], "refs/remotes/origin/main");
    let main = git_in(&dir, &["rev-parse", "refs/remotes/origin/main"]);
    assert_eq!(report["trusted_commit"], main.trim());
    assert_eq!(report["schema_version"], 1);
}

#[test]
fn a_tag_named_like_a_commit_id_is_refused() {
    let f = with_prohibited_ai_edit();
    let base = f.repo.git(&["rev-parse", "main"]).trim().to_string();
    let short = &base[..8];
    let lax = lax_orphan(f.repo.path());
    f.repo.git(&["tag", short, &lax]);
    countersign(f.repo.path())
        .args(["verify", "--trusted-ref", short])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("ambiguous"));
}

#[test]
fn a_shallow_clone_of_the_agent_branch_is_refused() {
    let f = with_prohibited_ai_edit();
    let (_tmp, dir) = clone_of(&f, &["--depth", "1", "--no-single-branch"]);
    git_in(&dir, &["checkout", "-q", "-b", "work", "origin/feature"]);
    let out = countersign(&dir)
        .args([
            "verify",
            "refs/remotes/origin/main..HEAD",
            "--trusted-ref",
            "refs/remotes/origin/main",
        ])
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("shallow") && err.contains("--unshallow"),
        "{err}"
    );
}

#[test]
fn a_single_branch_clone_of_the_change_does_not_judge_itself() {
    let f = with_prohibited_ai_edit();
    let (_tmp, dir) = clone_of(&f, &["-b", "feature", "--single-branch"]);
    // origin/HEAD is the branch under review: the gate refuses, naming what to pass.
    countersign(&dir)
        .arg("verify")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--trusted-ref"));
    // status says there is nothing to judge and exits 0.
    countersign(&dir)
        .arg("status")
        .assert()
        .success()
        .stdout(predicates::str::contains("nothing to judge"));
}

#[test]
fn a_pushed_branch_named_main_does_not_become_the_judge() {
    // The base is master; the remote's HEAD says so. Someone pushes a branch `main`
    // holding a permissive policy.
    let mut f = fixture("master");
    f.repo
        .write("crates/vault/src/lib.rs", "pub fn f() { leak(); }\n");
    f.feature
        .push(f.repo.commit_ai("kiro", "Touch the vault").to_string());
    let lax = lax_orphan(f.repo.path());
    f.repo.git(&["branch", "main", &lax]);
    let (_tmp, dir) = clone_of(&f, &[]);
    git_in(&dir, &["remote", "set-head", "origin", "master"]);
    git_in(&dir, &["checkout", "-q", "-b", "work", "origin/feature"]);
    let out = countersign(&dir)
        .args(["verify", "--format", "json"])
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["trusted_ref"], "refs/remotes/origin/master");
}

#[test]
fn a_clone_without_origin_head_or_config_asks_for_the_trusted_ref() {
    let f = with_prohibited_ai_edit();
    let (_tmp, dir) = clone_of(&f, &[]);
    git_in(&dir, &["remote", "set-head", "origin", "--delete"]);
    git_in(&dir, &["checkout", "-q", "-b", "work", "origin/feature"]);
    countersign(&dir)
        .arg("verify")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--trusted-ref"))
        .stderr(predicates::str::contains("countersign.trustedRef"));
}

#[test]
fn a_range_with_an_empty_side_is_refused() {
    let f = with_prohibited_ai_edit();
    for spec in ["..HEAD", "HEAD..", "...HEAD", "HEAD..."] {
        countersign(f.repo.path())
            .args(["verify", spec])
            .assert()
            .code(2)
            .stderr(predicates::str::contains("empty"));
    }
}

#[test]
fn an_explicit_trusted_ref_may_contain_the_range_and_an_empty_range_has_nothing_to_judge() {
    let f = with_prohibited_ai_edit();
    // Triaging history: the trusted ref contains the range.
    let tip = f.feature.last().expect("a commit").clone();
    let out = countersign(f.repo.path())
        .args([
            "status",
            "HEAD~2..HEAD",
            "--trusted-ref",
            "refs/heads/feature",
        ])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains(&tip[..7]));
    // Explicit trusted ref, empty default range: exit 0, nothing to judge.
    countersign(f.repo.path())
        .args(["verify", "--trusted-ref", "refs/heads/feature"])
        .assert()
        .success()
        .stdout(predicates::str::contains("nothing to judge"));
    // A default trusted ref that contains HEAD: the gate refuses.
    f.repo.checkout("main");
    countersign(f.repo.path()).arg("verify").assert().code(2);
}

/// Runs `countersign ARGS` in a pseudo-terminal (util-linux `script`), progress forced on
/// from the first commit; returns everything the terminal received.
fn in_a_terminal(dir: &Path, args: &str) -> String {
    let bin = assert_cmd::cargo::cargo_bin("countersign");
    let out = Command::new("script")
        .args(["-qec", &format!("{} {args}", bin.display()), "/dev/null"])
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .env("NO_COLOR", "1")
        .env("COUNTERSIGN_PROGRESS_AFTER_MS", "0")
        .env("PAGER", "") // no pager: this test reads the progress (tests/cli/cli_output.rs pages)
        .output()
        .expect("script runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn long_work_shows_progress_on_a_terminal_and_nowhere_else() {
    let f = fixture("main");
    let seen = in_a_terminal(f.repo.path(), "status");
    assert!(seen.contains("judging 1/4"), "{seen:?}");
    assert!(seen.contains("\r\x1b[2K"), "the line is cleared: {seen:?}");
    let seen = in_a_terminal(f.repo.path(), "verify");
    assert!(seen.contains("verifying 1/4"), "{seen:?}");
    let seen = in_a_terminal(f.repo.path(), "impact");
    assert!(seen.contains("analysing 1/4"), "{seen:?}");
    let seen = in_a_terminal(
        f.repo.path(),
        &format!(
            "sign main..feature --decision reject --dry-run --key {}",
            f.key.display()
        ),
    );
    assert!(seen.contains("checking 1/4"), "{seen:?}");
    // JSON impact: no progress.
    let seen = in_a_terminal(f.repo.path(), "impact --format json");
    assert!(!seen.contains("analysing"), "{seen:?}");
    // JSON: no progress even on a terminal.
    let seen = in_a_terminal(f.repo.path(), "status --format json");
    assert!(!seen.contains("judging"), "{seen:?}");
    // Not a terminal: no progress.
    let out = countersign(f.repo.path())
        .arg("status")
        .env("COUNTERSIGN_PROGRESS_AFTER_MS", "0")
        .output()
        .expect("runs");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("judging"));
}
