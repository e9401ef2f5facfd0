//! Interoperability with the real tools: `ssh-keygen -Y verify` accepts what countersign signs,
//! keys made by `ssh-keygen` sign, git reads and merges the notes.

use crate::signoff_common;

use std::path::Path;
use std::process::Stdio;

use signoff_common::{git_in, Agent, Fixture};

fn ssh_keygen(args: &[&str], stdin: Option<&Path>) -> std::process::Output {
    let mut cmd = std::process::Command::new("ssh-keygen");
    cmd.args(args);
    if let Some(p) = stdin {
        cmd.stdin(std::fs::File::open(p).expect("stdin file"));
    } else {
        cmd.stdin(Stdio::null());
    }
    cmd.output()
        .expect("ssh-keygen runs (install openssh-client)")
}

#[test]
fn show_json_payload_and_signature_pass_ssh_keygen_verify() {
    let f = Fixture::new();
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    f.sign(&c, "alice", "approve").success();
    let shown = f.show_json(&c);
    let s = &shown[0];
    assert_eq!(s["valid"], true, "{shown:#}");
    assert_eq!(s["principal"], "alice@example.com");
    assert_eq!(s["decision"], "approve");
    let dir = tempfile::tempdir().unwrap();
    let payload = dir.path().join("payload");
    let sig = dir.path().join("payload.sig");
    std::fs::write(&payload, s["payload"].as_str().unwrap()).unwrap();
    std::fs::write(&sig, format!("{}\n", s["signature"].as_str().unwrap())).unwrap();
    let signers = f.path().join(".countersign/allowed_signers");
    let signers = signers.to_str().unwrap();
    let sig_arg = sig.to_str().unwrap();

    let ok = ssh_keygen(
        &[
            "-Y",
            "verify",
            "-f",
            signers,
            "-I",
            "alice@example.com",
            "-n",
            "countersign",
            "-s",
            sig_arg,
        ],
        Some(&payload),
    );
    assert!(
        ok.status.success(),
        "ssh-keygen rejected it: {}{}",
        String::from_utf8_lossy(&ok.stdout),
        String::from_utf8_lossy(&ok.stderr)
    );
    // ssh-keygen is really checking: another principal or namespace fails.
    let wrong = ssh_keygen(
        &[
            "-Y",
            "verify",
            "-f",
            signers,
            "-I",
            "bob@example.com",
            "-n",
            "countersign",
            "-s",
            sig_arg,
        ],
        Some(&payload),
    );
    assert!(!wrong.status.success());
    let wrong_ns = ssh_keygen(
        &[
            "-Y",
            "verify",
            "-f",
            signers,
            "-I",
            "alice@example.com",
            "-n",
            "git",
            "-s",
            sig_arg,
        ],
        Some(&payload),
    );
    assert!(!wrong_ns.status.success());
}

/// Adds `principal` with the public key in `pub_path` to the roster and the senior role on
/// main, then returns to `feature`.
fn enrol_on_main(f: &Fixture, principal: &str, pub_path: &Path) {
    let public = std::fs::read_to_string(pub_path).unwrap();
    f.t.checkout("main");
    let roster_path = f.path().join(".countersign/allowed_signers");
    let mut roster = std::fs::read_to_string(&roster_path).unwrap();
    roster.push_str(&format!(
        "{principal} namespaces=\"countersign\" {}\n",
        public.trim()
    ));
    let policy = std::fs::read_to_string(f.path().join(".countersign/policy.toml"))
        .unwrap()
        .replace("senior = [", &format!("senior = [\"{principal}\", "));
    f.t.write(".countersign/allowed_signers", roster);
    f.t.write(".countersign/policy.toml", policy);
    f.t.commit("Enrol a reviewer");
    f.t.checkout("feature");
}

#[test]
fn keys_made_by_ssh_keygen_sign_with_and_without_passphrase() {
    let f = Fixture::new();
    let keys = tempfile::tempdir().unwrap();
    let plain = keys.path().join("erin");
    let locked = keys.path().join("frank");
    for (path, pass, who) in [(&plain, "", "erin"), (&locked, "s3cret pass", "frank")] {
        let out = ssh_keygen(
            &[
                "-q",
                "-t",
                "ed25519",
                "-N",
                pass,
                "-C",
                who,
                "-f",
                path.to_str().unwrap(),
            ],
            None,
        );
        assert!(out.status.success(), "{out:?}");
    }
    enrol_on_main(&f, "erin@example.com", &keys.path().join("erin.pub"));
    enrol_on_main(&f, "frank@example.com", &keys.path().join("frank.pub"));
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    let c2 = f.ai_commit("src/lib.rs", "pub fn f() { 2; }\n", "Tweak f again");

    // Unencrypted ssh-keygen key, found through git's user.signingKey.
    f.t.git(&["config", "user.signingKey", plain.to_str().unwrap()]);
    f.cmd()
        .args(["sign", &c.to_string(), "--decision", "approve", "--yes"])
        .assert()
        .success()
        .stdout(predicates::str::contains("as erin@example.com"));

    // Encrypted: a wrong passphrase is a clear error and writes nothing.
    let before = f.note_lines(&c2);
    f.cmd()
        .args(["sign", &c2.to_string(), "--decision", "approve", "--yes"])
        .env("COUNTERSIGN_KEY", &locked)
        .env("COUNTERSIGN_PASSPHRASE", "wrong")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("wrong passphrase"));
    assert_eq!(f.note_lines(&c2), before);
    let refs = f.t.git(&["for-each-ref", "refs/notes/"]);
    // No terminal and no passphrase: refuses to guess.
    f.cmd()
        .args(["sign", &c2.to_string(), "--decision", "approve", "--yes"])
        .env("COUNTERSIGN_KEY", &locked)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("COUNTERSIGN_PASSPHRASE"));
    assert_eq!(f.t.git(&["for-each-ref", "refs/notes/"]), refs);
    // The right passphrase signs (COUNTERSIGN_KEY beats user.signingKey).
    f.cmd()
        .args(["sign", &c2.to_string(), "--decision", "approve", "--yes"])
        .env("COUNTERSIGN_KEY", &locked)
        .env("COUNTERSIGN_PASSPHRASE", "s3cret pass")
        .assert()
        .success()
        .stdout(predicates::str::contains("as frank@example.com"));

    let (code, json) = f.verify_json(&[]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(
        Fixture::verdict_for(&json, &c)["approved_by"][0],
        "erin@example.com"
    );
    assert_eq!(
        Fixture::verdict_for(&json, &c2)["approved_by"][0],
        "frank@example.com"
    );
}

#[test]
fn git_reads_the_notes() {
    let f = Fixture::new();
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    f.sign(&c, "alice", "approve").success();
    f.sign(&c, "bob", "reject").success();
    let note =
        f.t.git(&["notes", "--ref=countersign", "show", &c.to_string()]);
    let lines: Vec<&str> = note.lines().collect();
    assert_eq!(lines.len(), 2, "{note}");
    for line in &lines {
        let v: serde_json::Value = serde_json::from_str(line).expect("one JSON object a line");
        assert!(v["payload"].is_string() && v["signature"].is_string());
        assert!(v["signature"]
            .as_str()
            .unwrap()
            .starts_with("-----BEGIN SSH SIGNATURE-----\n"));
    }
    let log =
        f.t.git(&["log", "--notes=countersign", "-1", &c.to_string()]);
    assert!(log.contains("Notes (countersign):"), "{log}");
    assert!(log.contains("alice@example.com") && log.contains("bob@example.com"));
}

#[test]
fn notes_from_two_clones_merge_with_cat_sort_uniq_and_stay_valid() {
    let f = Fixture::new();
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    let other = tempfile::tempdir().unwrap();
    let clone = other.path().join("clone");
    git_in(
        other.path(),
        &["clone", "-q", f.path().to_str().unwrap(), "clone"],
    );
    // bob signs in the clone, alice in the original.
    signoff_common::countersign(&clone)
        .args(["sign", &c.to_string(), "--decision", "approve", "--yes"])
        .args(["--trusted-ref", "origin/main"])
        .arg("--key")
        .arg(&f.person("bob").key_path)
        .assert()
        .success();
    f.sign(&c, "alice", "approve").success();
    assert_eq!(f.note_lines(&c).len(), 1);

    f.t.git(&[
        "fetch",
        "-q",
        clone.to_str().unwrap(),
        "refs/notes/countersign:refs/notes/countersign-clone",
    ]);
    f.t.git(&[
        "notes",
        "--ref=countersign",
        "merge",
        "-s",
        "cat_sort_uniq",
        "refs/notes/countersign-clone",
    ]);
    let shown = f.show_json(&c);
    let arr = shown.as_array().unwrap();
    assert_eq!(arr.len(), 2, "{shown:#}");
    assert!(arr.iter().all(|s| s["valid"] == true), "{shown:#}");
    let mut who: Vec<&str> = arr
        .iter()
        .map(|s| s["principal"].as_str().unwrap())
        .collect();
    who.sort();
    assert_eq!(who, ["alice@example.com", "bob@example.com"]);

    // And appending after the merge keeps both.
    f.sign(&c, "dave", "approve").code(1);
    f.sign(&c, "carol", "approve").success();
    assert_eq!(f.note_lines(&c).len(), 3);
}

#[test]
fn a_key_held_by_ssh_agent_signs_through_git_signing_key() {
    let f = Fixture::new();
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    let agent = Agent::start();
    let alice = f.person("alice");
    let public = alice.key.public_key().to_openssh().unwrap();
    f.t.git(&["config", "user.signingKey", &format!("key::{public}")]);

    // Not yet added to the agent: a clear refusal to sign, nothing written.
    f.cmd()
        .args(["sign", &c.to_string(), "--decision", "approve", "--yes"])
        .env("SSH_AUTH_SOCK", &agent.socket)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("does not hold the key"));
    assert!(f.note_lines(&c).is_empty());

    let added = std::process::Command::new("ssh-add")
        .arg(&alice.key_path)
        .env("SSH_AUTH_SOCK", &agent.socket)
        .output()
        .unwrap();
    assert!(added.status.success(), "{added:?}");
    f.cmd()
        .args(["sign", &c.to_string(), "--decision", "approve", "--yes"])
        .env("SSH_AUTH_SOCK", &agent.socket)
        .assert()
        .success()
        .stdout(predicates::str::contains("as alice@example.com"));
    let (code, json) = f.verify_json(&[&c.to_string()]);
    assert_eq!(code, 0, "{json:#}");

    // A public key file as user.signingKey (git's other agent form) works too.
    let c2 = f.ai_commit("src/lib.rs", "pub fn f() { 2; }\n", "Tweak f again");
    let pub_path = alice.key_path.with_extension("pub");
    f.t.git(&["config", "user.signingKey", pub_path.to_str().unwrap()]);
    f.cmd()
        .args(["sign", &c2.to_string(), "--decision", "approve", "--yes"])
        .env("SSH_AUTH_SOCK", &agent.socket)
        .assert()
        .success();
    assert_eq!(f.verify_json(&[]).0, 0);
}
