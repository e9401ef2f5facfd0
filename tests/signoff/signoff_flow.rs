//! The sign-off workflow through the real binary: keygen, sign (and its refusals), status
//! states, verify and show output contracts, and concurrent signers.

use crate::signoff_common;

use std::os::unix::fs::PermissionsExt;

use countersign_core::signoff::notes;
use predicates::prelude::*;
use signoff_common::{countersign, Fixture};

#[test]
fn keygen_writes_a_0600_key_never_overwrites_and_prints_the_roster_line() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("k");
    countersign(dir.path())
        .args(["keygen", "--no-passphrase", "--out"])
        .arg(&key)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "namespaces=\"countersign\" ssh-ed25519 AAAA",
        ))
        .stdout(predicate::str::contains("NOT encrypted"));
    let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let original = std::fs::read(&key).unwrap();
    let parsed = ssh_key::PrivateKey::from_openssh(&original).unwrap();
    assert!(!parsed.is_encrypted());
    assert_eq!(parsed.algorithm(), ssh_key::Algorithm::Ed25519);

    countersign(dir.path())
        .args(["keygen", "--no-passphrase", "--out"])
        .arg(&key)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already exists"));
    assert_eq!(std::fs::read(&key).unwrap(), original);
}

#[test]
fn keygen_encrypts_with_the_passphrase_so_ssh_keygen_can_open_it() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("k");
    countersign(dir.path())
        .args(["keygen", "--out"])
        .arg(&key)
        .env("COUNTERSIGN_PASSPHRASE", "correct horse")
        .assert()
        .success();
    let parsed = ssh_key::PrivateKey::from_openssh(std::fs::read(&key).unwrap()).unwrap();
    assert!(parsed.is_encrypted());
    let out = std::process::Command::new("ssh-keygen")
        .args(["-y", "-P", "correct horse", "-f"])
        .arg(&key)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let public = std::fs::read_to_string(dir.path().join("k.pub")).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .nth(1),
        public.split_whitespace().nth(1)
    );
    let wrong = std::process::Command::new("ssh-keygen")
        .args(["-y", "-P", "wrong", "-f"])
        .arg(&key)
        .output()
        .unwrap();
    assert!(!wrong.status.success());

    // No terminal and no passphrase: refuses, writes nothing.
    let other = dir.path().join("k2");
    countersign(dir.path())
        .args(["keygen", "--out"])
        .arg(&other)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--no-passphrase"));
    assert!(!other.exists());
}

#[test]
fn sign_refuses_a_key_outside_the_roster_and_without_confirmation() {
    let f = Fixture::new();
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    f.sign(&c, "mallory", "approve")
        .code(1)
        .stderr(predicate::str::contains("not in the trusted roster"));
    f.cmd()
        .args(["sign", &c.to_string(), "--decision", "approve", "--key"])
        .arg(&f.person("alice").key_path)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--yes"));
    assert!(f.t.git(&["for-each-ref", "refs/notes/"]).trim().is_empty());
}

#[test]
fn status_shows_approved_and_rejected_with_the_signoffs() {
    let f = Fixture::new();
    let a = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Approve me");
    let r = f.ai_commit("src/lib.rs", "pub fn f() { 2; }\n", "Reject me");
    let h = f.human_commit("src/lib.rs", "pub fn f() { 3; }\n", "Human");
    f.sign(&a, "alice", "approve").success();
    f.sign(&r, "bob", "reject").success();
    let out = f
        .cmd()
        .args(["status", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let row = |id: &git2::Oid| {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|x| x["commit"] == id.to_string())
            .cloned()
            .unwrap()
    };
    assert_eq!(row(&a)["state"], "approved");
    assert_eq!(row(&a)["signoffs"][0]["principal"], "alice@example.com");
    assert_eq!(row(&a)["signoffs"][0]["valid"], true);
    assert_eq!(row(&r)["state"], "rejected");
    assert_eq!(row(&h)["state"], "not-required");
}

#[test]
fn verify_json_and_text_follow_the_contract() {
    let f = Fixture::new();
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    let docs = f.ai_commit("docs/readme.md", "# more docs\n", "Docs");
    let (code, json) = f.verify_json(&[]);
    assert_eq!(code, 1);
    assert_eq!(json["ok"], false);
    let v = Fixture::verdict_for(&json, &c);
    for field in [
        "commit",
        "ai",
        "tier",
        "required",
        "approvals",
        "ok",
        "problems",
    ] {
        assert!(v.get(field).is_some(), "missing {field}: {v:#}");
    }
    assert_eq!(v["ai"]["agent"], "kiro");
    assert_eq!(v["required"], 1);
    assert!(v["problems"][0]
        .as_str()
        .unwrap()
        .contains("needs 1 approval from role senior"));
    assert_eq!(Fixture::verdict_for(&json, &docs)["ok"], true);

    f.cmd()
        .arg("verify")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("FAIL"))
        .stdout(predicate::str::contains("needs 1 approval"));
    f.sign(&c, "alice", "approve").success();
    f.cmd()
        .arg("verify")
        .assert()
        .success()
        .stdout(predicate::str::contains("verify: OK"));
    let (code, json) = f.verify_json(&[]);
    assert_eq!(code, 0);
    assert_eq!(json["ok"], true);
    assert_eq!(Fixture::verdict_for(&json, &c)["approvals"], 1);
}

#[test]
fn verify_exits_2_on_errors() {
    let f = Fixture::new();
    f.cmd()
        .args(["verify", "no-such-rev..HEAD"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no-such-rev"));
    // A trusted ref without a policy is an error, not a pass.
    let first = f.base.to_string();
    f.t.checkout("main");
    f.t.git(&["checkout", "-q", "-b", "bare-policy", &first]);
    f.t.git(&["rm", "-q", "-r", ".countersign"]);
    f.t.git(&["commit", "-q", "-m", "no policy"]);
    f.cmd()
        .args(["verify", "--trusted-ref", "bare-policy"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no policy"));
}

#[test]
fn show_lists_each_signoff_with_its_verdict() {
    let f = Fixture::new();
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    f.sign(&c, "alice", "approve").success();
    f.sign(&c, "carol", "approve").success();
    f.append_raw(&c, "not json at all".to_string());
    let shown = f.show_json(&c);
    let arr = shown.as_array().unwrap();
    assert_eq!(arr.len(), 3);
    for s in arr {
        for field in [
            "payload",
            "signature",
            "principal",
            "decision",
            "valid",
            "problems",
        ] {
            assert!(s.get(field).is_some(), "missing {field}: {s:#}");
        }
    }
    assert_eq!(arr[0]["valid"], true);
    assert_eq!(arr[1]["valid"], true);
    assert_eq!(arr[1]["counts"], false);
    assert_eq!(arr[2]["valid"], false);
    f.cmd()
        .args(["show", &c.to_string()])
        .assert()
        .success()
        .stdout(predicate::str::contains("3 sign-offs"))
        .stdout(predicate::str::contains("holds no senior role"))
        .stdout(predicate::str::contains("INVALID"));
}

#[test]
fn concurrent_sign_processes_all_land() {
    let f = Fixture::new();
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    let bin = assert_cmd::cargo::cargo_bin("countersign");
    let n = 8;
    let children: Vec<_> = (0..n)
        .map(|i| {
            let who = if i % 2 == 0 { "alice" } else { "bob" };
            std::process::Command::new(&bin)
                .current_dir(f.path())
                .env("GIT_CONFIG_GLOBAL", "/dev/null")
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .env("HOME", f.path())
                .env_remove("COUNTERSIGN_KEY")
                .env_remove("COUNTERSIGN_PASSPHRASE")
                .args(["sign", &c.to_string(), "--decision", "approve", "--yes"])
                .args(["--comment", &format!("signer {i}")])
                .arg("--key")
                .arg(&f.person(who).key_path)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawn sign")
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let lines = f.note_lines(&c);
    assert_eq!(lines.len(), n, "{lines:#?}");
    for i in 0..n {
        assert!(lines.iter().any(|l| l.contains(&format!("signer {i}"))));
    }
    // The notes history is a chain: every writer built on the one before.
    let count = f.t.git(&["rev-list", "--count", "refs/notes/countersign"]);
    assert_eq!(count.trim(), n.to_string());
}

#[test]
fn concurrent_appends_in_threads_never_lose_a_line() {
    let f = Fixture::new();
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    let path = f.path().to_path_buf();
    let threads: Vec<_> = (0..6)
        .map(|t| {
            let path = path.clone();
            std::thread::spawn(move || {
                let repo = git2::Repository::open(&path).unwrap();
                for i in 0..15 {
                    notes::append(
                        &repo,
                        &[notes::Append {
                            commit: c,
                            lines: vec![format!("{{\"t\":{t},\"i\":{i}}}")],
                        }],
                        "test",
                    )
                    .unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(f.note_lines(&c).len(), 6 * 15);
}

#[test]
fn signing_a_range_signs_every_commit_in_one_notes_commit() {
    let f = Fixture::new();
    let a = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "One");
    let b = f.ai_commit("src/lib.rs", "pub fn f() { 2; }\n", "Two");
    f.cmd()
        .args([
            "sign",
            "main..feature",
            "--decision",
            "approve",
            "--yes",
            "--key",
        ])
        .arg(&f.person("alice").key_path)
        .assert()
        .success()
        .stdout(predicate::str::contains("signed: approve"))
        .stderr(predicate::str::contains("of each of 2 commits"));
    assert_eq!(f.note_lines(&a).len(), 1);
    assert_eq!(f.note_lines(&b).len(), 1);
    let count = f.t.git(&["rev-list", "--count", "refs/notes/countersign"]);
    assert_eq!(count.trim(), "1");
    assert_eq!(f.verify_json(&[]).0, 0);
}

/// Runs `countersign ARGS` on a pseudo-terminal (util-linux `script`), typing `input`.
fn on_terminal(f: &Fixture, args: &str, input: &str, env: &[(&str, &str)]) -> std::process::Output {
    use std::io::Write;
    let bin = assert_cmd::cargo::cargo_bin("countersign");
    let mut cmd = std::process::Command::new("script");
    cmd.args(["-qec", &format!("{} {args}", bin.display()), "/dev/null"])
        .current_dir(f.path())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", f.path())
        .env_remove("COUNTERSIGN_KEY")
        .env_remove("COUNTERSIGN_PASSPHRASE")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("util-linux `script` runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn on_a_terminal_sign_asks_to_confirm_then_for_the_passphrase() {
    let f = Fixture::new();
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    let key = f.keys_dir.path().join("alice-locked");
    let locked =
        countersign_core::signoff::keys::encrypt(&f.person("alice").key, "pw 123").unwrap();
    countersign_core::signoff::keys::write_new_key_pair(&locked, &key).unwrap();
    let args = format!("sign {c} --decision approve --key {}", key.display());

    let declined = on_terminal(&f, &args, "n\n", &[]);
    let text = String::from_utf8_lossy(&declined.stdout);
    assert_eq!(declined.status.code(), Some(1), "{text}");
    assert!(text.contains("Sign 1 sign-off? [y/N]"), "{text}");
    assert!(f.note_lines(&c).is_empty());

    let wrong = on_terminal(&f, &args, "y\nnot it\n", &[]);
    assert_eq!(wrong.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&wrong.stdout).contains("wrong passphrase"));
    assert!(f.note_lines(&c).is_empty());

    let signed = on_terminal(&f, &args, "y\npw 123\n", &[]);
    let text = String::from_utf8_lossy(&signed.stdout);
    assert!(signed.status.success(), "{text}");
    assert!(text.contains("Passphrase for"), "{text}");
    assert_eq!(f.note_lines(&c).len(), 1);
}

#[test]
fn on_a_terminal_keygen_asks_the_passphrase_twice() {
    let f = Fixture::new();
    let key = f.keys_dir.path().join("new");
    let args = format!("keygen --out {}", key.display());
    let mismatch = on_terminal(&f, &args, "one\ntwo\n", &[]);
    assert_eq!(mismatch.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&mismatch.stdout).contains("do not match"));
    assert!(!key.exists());

    let made = on_terminal(&f, &args, "same pw\nsame pw\n", &[]);
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stdout)
    );
    let parsed = ssh_key::PrivateKey::from_openssh(std::fs::read(&key).unwrap()).unwrap();
    assert!(parsed.is_encrypted());
    assert!(parsed.decrypt("same pw").is_ok());
}

/// A forge's squash merge: one commit on main with the tip's tree, main as its parent, and
/// GitHub's added co-author trailer.
fn squash_onto_main(f: &Fixture, tip: &git2::Oid) -> git2::Oid {
    let repo = &f.t.repo;
    let tree = repo.find_commit(*tip).unwrap().tree().unwrap();
    let main = repo.find_branch("main", git2::BranchType::Local).unwrap();
    let parent = main.get().peel_to_commit().unwrap();
    let sig = git2::Signature::now("GitHub", "noreply@github.com").unwrap();
    repo.commit(
        Some("refs/heads/main"),
        &sig,
        &sig,
        "Tweak f (#12)\n\nCo-authored-by: kiro <kiro@agents.example>\n",
        &tree,
        &[&parent],
    )
    .unwrap()
}

#[test]
fn a_squash_of_a_range_approved_commit_by_commit_passes_on_the_trusted_branch() {
    let f = Fixture::new();
    let a = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    let b = f.ai_commit("src/lib.rs", "pub fn f() { 2; }\n", "Tweak f again");
    f.sign(&a, "alice", "approve").success();
    f.sign(&b, "alice", "approve").success();
    let squash = squash_onto_main(&f, &b);
    let (code, json) = f.verify_json(&["main~1..main", "--trusted-ref", "refs/heads/main"]);
    assert_eq!(code, 0, "{json:#}");
    let v = Fixture::verdict_for(&json, &squash);
    assert_eq!(v["state"], "approved", "{v:#}");
    assert_eq!(v["squash_of"]["tip"], b.to_string(), "{v:#}");
    assert!(v["tier_reasons"]
        .to_string()
        .contains("squash of an approved range"));
}

#[test]
fn a_squash_of_a_range_with_an_unapproved_commit_needs_signoff() {
    let f = Fixture::new();
    let a = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    let b = f.ai_commit("src/lib.rs", "pub fn f() { 2; }\n", "Tweak f again");
    // Only the tip is approved: the range was not approved commit by commit.
    f.sign(&b, "alice", "approve").success();
    let _ = a;
    let squash = squash_onto_main(&f, &b);
    let (code, json) = f.verify_json(&["main~1..main", "--trusted-ref", "refs/heads/main"]);
    assert_eq!(code, 1, "{json:#}");
    let v = Fixture::verdict_for(&json, &squash);
    assert_eq!(v["state"], "needs-signoff", "{v:#}");
    assert!(v["squash_of"].is_null());
}

#[test]
fn a_signed_rename_verifies_though_the_gate_loads_paths_only() {
    // The gate judges from paths (no rename similarity); the sign-off binds the digest
    // computed with rename detection, which is computed where a sign-off is checked.
    let f = Fixture::new();
    let body = "pub fn charge() {}\n// a long enough body for rename detection to see it\n";
    f.ai_commit("docs/old.md", body, "Add a doc");
    f.t.remove("docs/old.md");
    f.t.write("docs/new.md", body);
    let renamed = f.t.commit_ai("kiro", "Move the doc");
    let change = countersign_core::git::CommitChange::load(
        &f.t.repo,
        renamed,
        countersign_core::git::LoadDepth::Files,
    )
    .unwrap();
    assert!(
        change
            .files
            .iter()
            .any(|c| c.status == countersign_core::git::FileStatus::Renamed),
        "{:?}",
        change.files
    );
    f.sign(&renamed, "alice", "approve").success();
    let (code, json) = f.verify_json(&[&renamed.to_string()]);
    assert_eq!(code, 0, "{json:#}");
}

/// A clone that never fetched the notes: `verify` says the notes ref is missing and what
/// fetches or pushes it, on the commit and on stderr, not only "no sign-off is recorded".
#[test]
fn verify_without_the_notes_ref_says_it_is_missing_and_names_sync() {
    let f = Fixture::new();
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    let out = f
        .cmd()
        .args(["verify", "--format", "json"])
        .output()
        .expect("verify runs");
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let problems = Fixture::verdict_for(&json, &c)["problems"].to_string();
    assert!(
        problems.contains("refs/notes/countersign does not exist in this repository")
            && problems.contains("countersign sync"),
        "{problems}"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("does not exist in this repository"), "{err}");

    // Once the ref exists (another commit is signed), the unsigned commit no longer says so.
    let d = f.ai_commit("src/lib.rs", "pub fn f() { 2; }\n", "Tweak f again");
    f.sign(&d, "alice", "approve").success();
    let (_, json) = f.verify_json(&[]);
    let problems = Fixture::verdict_for(&json, &c)["problems"].to_string();
    assert!(!problems.contains("does not exist"), "{problems}");
}
