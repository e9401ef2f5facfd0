//! Situations a team meets outside the repository's content: paths with spaces in printed
//! hints, key files, policy files that are not files, input files with a BOM or on stdin.
//! Each gets the right answer, or one sentence with the fix (exit 2).

use crate::signoff_common;

use std::path::Path;
use std::time::Duration;

use signoff_common::countersign;

/// Hang guard, far above the second or so any of these takes.
const WATCHDOG: Duration = Duration::from_secs(120);

fn output(cmd: &mut assert_cmd::Command) -> (Option<i32>, String, String) {
    let out = cmd.timeout(WATCHDOG).output().expect("countersign runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs `line` with sh in `dir`, the freshly built countersign first on PATH.
fn sh(dir: &Path, line: &str) -> std::process::Output {
    let bin = assert_cmd::cargo::cargo_bin("countersign");
    let path = format!(
        "{}:{}",
        bin.parent().expect("bin dir").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    std::process::Command::new("sh")
        .args(["-c", line])
        .current_dir(dir)
        .env("PATH", path)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .expect("sh runs")
}

/// The hints `demo` and `keygen` print run as printed when the path holds spaces (they were
/// printed unquoted, so the shell split them).
#[test]
fn demo_and_keygen_hints_quote_paths_with_spaces() {
    let dir = tempfile::tempdir().expect("tempdir");
    let demo = dir.path().join("my demo");
    let (code, out, err) = output(
        countersign(dir.path())
            .args(["demo", "--no-tui", "--dir"])
            .arg(&demo),
    );
    assert!(matches!(code, Some(0 | 1)), "{err}");
    let hint = out
        .lines()
        .find_map(|l| l.trim().strip_prefix("Review it:"))
        .unwrap_or_else(|| panic!("{out}"));
    let command = hint.trim().split("   (").next().expect("command");
    assert!(command.contains("'"), "quoted: {command}");
    let run = sh(dir.path(), &command.replace(" review", " status"));
    assert!(
        matches!(run.status.code(), Some(0 | 1)),
        "`{command}` does not run as printed: {}",
        String::from_utf8_lossy(&run.stderr)
    );

    let key = dir.path().join("my keys/it's key");
    std::fs::create_dir_all(key.parent().expect("parent")).expect("mkdir");
    let (code, out, err) = output(
        countersign(dir.path())
            .args(["keygen", "--no-passphrase", "--out"])
            .arg(&key),
    );
    assert_eq!(code, Some(0), "{err}");
    let hint = out
        .lines()
        .find_map(|l| l.strip_prefix("Sign with it: "))
        .unwrap_or_else(|| panic!("{out}"));
    let command = hint.split("   (").next().expect("command");
    let repo = tempfile::tempdir().expect("repo");
    signoff_common::git_in(repo.path(), &["init", "-q"]);
    let run = sh(repo.path(), command);
    assert!(run.status.success(), "`{command}`");
    let set = signoff_common::git_in(repo.path(), &["config", "user.signingKey"]);
    assert_eq!(set.trim(), key.display().to_string());
}

use signoff_common::{git_in, Fixture};

/// A `refs/notes/countersign.lock` left by a crashed git: `sign` names the lock and how to
/// remove it at once (it retried 200 times, then blamed a race).
#[test]
fn a_stale_notes_lock_is_named_with_its_removal_not_blamed_on_a_race() {
    let f = Fixture::new();
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    f.sign(&c, "alice", "approve").success();
    let lock = f.path().join(".git/refs/notes/countersign.lock");
    std::fs::write(&lock, "").expect("lock");
    let old = std::time::SystemTime::now() - Duration::from_secs(600);
    std::fs::File::options()
        .write(true)
        .open(&lock)
        .expect("open")
        .set_modified(old)
        .expect("mtime");
    let start = std::time::Instant::now();
    let out = f.sign(&c, "bob", "approve").code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        err.contains("is locked by") && err.contains("countersign.lock") && err.contains("rm "),
        "{err}"
    );
    assert!(!err.contains("kept changing"), "{err}");
    assert!(start.elapsed() < Duration::from_secs(60), "no retry storm");
    std::fs::remove_file(&lock).expect("remove");
    f.sign(&c, "bob", "approve").success();
}

/// `refs/notes/countersign` pointing at a blob, a tree or a tag: one sentence saying so and
/// how to restore it (it was libgit2's "the requested type does not match").
#[test]
fn a_notes_ref_pointing_at_a_blob_tree_or_tag_is_named() {
    let f = Fixture::new();
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    let blob = git_in(f.path(), &["rev-parse", "HEAD:src/lib.rs"]);
    let tree = git_in(f.path(), &["rev-parse", "HEAD^{tree}"]);
    git_in(f.path(), &["tag", "-a", "-m", "t", "v1", &c.to_string()]);
    let tag = git_in(f.path(), &["rev-parse", "v1"]);
    for (id, kind) in [(blob, "blob"), (tree, "tree"), (tag, "tag")] {
        git_in(
            f.path(),
            &["update-ref", "refs/notes/countersign", id.trim()],
        );
        for cmd in ["verify", "status"] {
            let (code, _, err) = output(f.cmd().arg(cmd));
            assert_eq!(code, Some(2), "{cmd} {kind}: {err}");
            assert!(
                err.contains(&format!("points at a {kind}")) && err.contains("git reflog"),
                "{cmd} {kind}: {err}"
            );
            assert!(!err.contains("does not match"), "{err}");
        }
    }
}

/// A push the remote refuses (a pre-receive hook here): `sync` shows the remote's own words
/// and stops, instead of "origin kept moving during 8 attempts".
#[test]
fn a_push_the_remote_refuses_shows_the_remotes_message() {
    let f = Fixture::new();
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    let dir = tempfile::tempdir().expect("tempdir");
    let origin = dir.path().join("origin.git");
    git_in(
        dir.path(),
        &[
            "clone",
            "-q",
            "--bare",
            &f.path().to_string_lossy(),
            "origin.git",
        ],
    );
    let hook = origin.join("hooks/pre-receive");
    std::fs::write(
        &hook,
        "#!/bin/sh\necho 'notes are frozen during the release' >&2\nexit 1\n",
    )
    .expect("hook");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    f.sign(&c, "alice", "approve").success();
    git_in(
        f.path(),
        &["remote", "add", "origin", &origin.to_string_lossy()],
    );
    let (code, _, err) = output(f.cmd().args(["sync", "origin"]));
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("origin refused the push")
            && err.contains("pre-receive hook declined")
            && err.contains("notes are frozen during the release"),
        "{err}"
    );
    assert!(!err.contains("kept moving"), "{err}");
}

/// Key files and values that are not what they seem get a sentence naming the right thing.
#[test]
fn key_values_git_accepts_and_broken_key_files_are_answered_clearly() {
    let f = Fixture::new();
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    let public = std::fs::read_to_string(f.person("alice").key_path.with_extension("pub"))
        .unwrap_or_else(|_| {
            f.person("alice")
                .key
                .public_key()
                .to_openssh()
                .expect("openssh")
        });
    // A raw `ssh-ed25519 AAAA…` in user.signingKey, as git accepts it: an agent key.
    git_in(f.path(), &["config", "user.signingKey", public.trim()]);
    let sign = |extra: &[&str]| {
        output(
            f.cmd()
                .args(["sign", &c.to_string(), "--decision", "approve", "--yes"])
                .args(extra),
        )
    };
    let (code, _, err) = sign(&[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("from git config user.signingKey is a public key")
            && err.contains("SSH_AUTH_SOCK"),
        "{err}"
    );
    assert!(!err.contains("No such file"), "{err}");
    // `--key x.pub` without an agent is about --key, not user.signingKey.
    let pub_file = f.path().join("alice.pub");
    std::fs::write(&pub_file, &public).expect("pub");
    let (code, _, err) = sign(&["--key", "alice.pub"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("the signing key from --key is a public key"),
        "{err}"
    );
    assert!(!err.contains("user.signingKey"), "{err}");
    // A 0-byte key file.
    std::fs::write(f.path().join("empty_key"), "").expect("empty");
    let (code, _, err) = sign(&["--key", "empty_key"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("is empty") && !err.contains("PEM"), "{err}");
}

/// `policy check` where the policy is a directory, or left out by a sparse checkout, says
/// which (it said "create it"); a key not valid yet is warned about like an expired one.
#[test]
fn policy_check_tells_a_directory_and_a_sparse_checkout_from_a_missing_policy() {
    let f = Fixture::new();
    let policy = f.path().join(".countersign/policy.toml");
    std::fs::remove_file(&policy).expect("rm");
    std::fs::create_dir(&policy).expect("mkdir");
    let (code, _, err) = output(f.cmd().args(["policy", "check"]));
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("is a directory, not a file"), "{err}");
    std::fs::remove_dir(&policy).expect("rmdir");
    git_in(f.path(), &["checkout", "--", "."]);
    git_in(f.path(), &["sparse-checkout", "set", "--no-cone", "/src/"]);
    assert!(!policy.exists());
    let (code, _, err) = output(f.cmd().args(["policy", "check"]));
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("sparse checkout") && err.contains("policy check --rev HEAD"),
        "{err}"
    );
    git_in(f.path(), &["sparse-checkout", "disable"]);

    let roster = f.path().join(".countersign/allowed_signers");
    let text = std::fs::read_to_string(&roster).expect("roster");
    let future = text.replacen(
        "bob@example.com namespaces=\"countersign\"",
        "bob@example.com namespaces=\"countersign\",valid-after=\"21000101\"",
        1,
    );
    assert_ne!(future, text);
    std::fs::write(&roster, future).expect("write");
    let (code, _, err) = output(f.cmd().args(["policy", "check"]));
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains("the key of bob@example.com is not valid yet"),
        "{err}"
    );
}

/// `sign --comments-from` takes a file starting with a byte-order mark, and `-` for stdin.
#[test]
fn comments_from_accepts_a_bom_and_stdin() {
    let f = Fixture::new();
    let c = f.ai_commit("src/lib.rs", "pub fn f() {\n    1;\n}\n", "Tweak f");
    let json = r#"[{"path": "src/lib.rs", "start": 2, "end": 2, "text": "why 1?"}]"#;
    let file = f.path().join("comments.json");
    std::fs::write(
        &file,
        [b"\xEF\xBB\xBF".as_slice(), json.as_bytes()].concat(),
    )
    .expect("write");
    let base = [
        "sign",
        &c.to_string(),
        "--decision",
        "approve",
        "--yes",
        "--key",
    ];
    let key = f.person("alice").key_path.to_string_lossy().into_owned();
    let (code, _, err) = output(
        f.cmd()
            .args(base)
            .arg(&key)
            .args(["--comments-from", "comments.json"]),
    );
    assert_eq!(code, Some(0), "{err}");
    let (code, _, err) = output(
        f.cmd()
            .args(base)
            .arg(f.person("bob").key_path.to_string_lossy().as_ref())
            .args(["--comments-from", "-"])
            .write_stdin(json),
    );
    assert_eq!(code, Some(0), "{err}");
    let shown = f.show_json(&c).to_string();
    assert_eq!(shown.matches("why 1?").count(), 2, "{shown}");
}

/// `verify main..main` names the range's tip, not HEAD (which the range does not mention).
#[test]
fn an_empty_range_contained_in_the_trusted_ref_names_its_tip() {
    let f = Fixture::new();
    f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    let (code, _, err) = output(f.cmd().args(["verify", "main..main"]));
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("already contains main, the tip of main..main"),
        "{err}"
    );
}

/// The issue's case in the demo repository: a commit to `auth` whose Cargo.toml no longer
/// parses. `impact` counted "0 crates" (the crate vanished from the tip's workspace, and with
/// it every crate that depends on it) and printed the problem with literal `\n`s. Now the
/// crate keeps its name (read from its `[package]` lines) and its dependents, and the problem
/// prints as lines.
#[test]
fn impact_of_a_broken_manifest_in_the_demo_reaches_its_crate_and_prints_lines() {
    let dir = tempfile::tempdir().expect("tempdir");
    let made = countersign::demo::build(&dir.path().join("demo")).expect("demo");
    let repo = made.repo;
    let manifest = repo.join("crates/auth/Cargo.toml");
    let mut text = std::fs::read_to_string(&manifest).expect("auth manifest");
    text.push_str("this is [not toml\n");
    std::fs::write(&manifest, text).expect("write");
    git_in(
        &repo,
        &[
            "commit",
            "-q",
            "-am",
            "auth: a manifest that does not parse",
        ],
    );

    let (code, out, err) = output(countersign(&repo).args(["impact", "HEAD"]));
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("1 file changed in 1 crate, 3 crates affected"),
        "{out}"
    );
    assert!(out.contains("billing-api"), "{out}");
    let problem = out
        .split("problem: ")
        .nth(1)
        .unwrap_or_else(|| panic!("a problem is printed: {out}"));
    assert!(!out.contains("\\n"), "no literal \\n: {out}");
    assert!(
        problem.lines().count() >= 3
            && problem.contains("this manifest does not parse")
            && problem.contains("this is [not toml")
            && problem.contains("= help: fix the TOML"),
        "{out}"
    );

    let (code, out, err) = output(countersign(&repo).args(["impact", "HEAD", "--format", "json"]));
    assert_eq!(code, Some(0), "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(
        json["changed_crates"],
        serde_json::json!(["auth"]),
        "{json:#}"
    );
    assert_eq!(
        json["affected_crates"],
        serde_json::json!(["auth", "billing-api", "qa"]),
        "{json:#}"
    );
}

/// An unwritable `.git/refs/notes` (`chmod a-w`, as a checkout shared between users leaves
/// it): `sign` fails at once with one sentence naming the directory and the fix, never 200
/// retries blamed on a race. chmod does not stop root, so when the tests run as root the
/// signer runs under setpriv without CAP_DAC_OVERRIDE: the directory's mode then holds for
/// root as for anyone (the same check the kernel makes for every other user).
#[test]
fn an_unwritable_refs_notes_is_named_at_once() {
    use std::os::unix::fs::PermissionsExt;
    let f = Fixture::new();
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    f.sign(&c, "alice", "approve").success();
    let id = std::process::Command::new("id")
        .arg("-u")
        .output()
        .expect("id");
    let root = String::from_utf8_lossy(&id.stdout).trim() == "0";
    if root && !signoff_common::require_tool("setpriv") {
        return;
    }
    let bin = assert_cmd::cargo::cargo_bin("countersign");
    let mut cmd = if root {
        let mut c = assert_cmd::Command::new("setpriv");
        c.args([
            "--bounding-set=-dac_override,-dac_read_search",
            "--inh-caps=-dac_override,-dac_read_search",
            "--",
        ])
        .arg(&bin);
        c
    } else {
        assert_cmd::Command::new(&bin)
    };
    cmd.current_dir(f.path())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", f.path())
        .env("NO_COLOR", "1")
        .env_remove("SSH_AUTH_SOCK")
        .args([
            "sign",
            &c.to_string(),
            "--decision",
            "approve",
            "--yes",
            "--key",
        ])
        .arg(&f.person("bob").key_path);
    let notes = f.path().join(".git/refs/notes");
    std::fs::set_permissions(&notes, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    let start = std::time::Instant::now();
    let result = output(&mut cmd);
    let took = start.elapsed();
    std::fs::set_permissions(&notes, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let (code, _, err) = result;
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("is not writable")
            && err.contains(&notes.display().to_string())
            && err.contains("chmod u+w")
            && err.contains("nothing was written"),
        "{err}"
    );
    assert!(!err.contains("kept changing"), "{err}");
    assert!(took < Duration::from_secs(60), "no retry storm: {took:?}");
    assert_eq!(f.note_lines(&c).len(), 1, "nothing was written");
    f.sign(&c, "bob", "approve").success();
    assert_eq!(f.note_lines(&c).len(), 2);
}
