//! Payload version 2: structured comments in the signed record. Old (version 1) records keep
//! verifying; the new ones pass `ssh-keygen -Y verify`; a version 1 record cannot smuggle
//! comments.

use crate::signoff_common;

use std::process::Stdio;

use countersign_core::model::Side;
use countersign_core::signoff::{Payload, ReviewComment};
use signoff_common::{forge, now, Fixture};

const FILE: &str = "pub fn f() {}\n\nfn helper(x: u32) -> u32 {\n    x.checked_add(1).unwrap()\n}\n\npub fn g() -> u32 {\n    helper(41)\n}\n";

fn comments_file(f: &Fixture, json: &str) -> std::path::PathBuf {
    let path = f.keys_dir.path().join("comments.json");
    std::fs::write(&path, json).expect("write comments");
    path
}

fn only_payload(f: &Fixture, c: &git2::Oid) -> (serde_json::Value, Payload) {
    let shown = f.show_json(c);
    let s = shown[0].clone();
    let payload = Payload::parse(s["payload"].as_str().expect("payload")).expect("parses");
    (s, payload)
}

#[test]
fn structured_comments_are_quoted_from_the_commit_and_survive_ssh_keygen_verify() {
    let f = Fixture::new();
    let c = f.ai_commit("src/lib.rs", FILE, "Add helper");
    let file = comments_file(
        &f,
        r#"[{"path": "src/lib.rs", "start": 3, "end": 4, "text": "unwrap panics on overflow"},
            {"path": "src/lib.rs", "side": "old", "start": 1, "text": "was fine before"}]"#,
    );
    f.sign_cmd(&c, "alice", "reject")
        .arg("--comments-from")
        .arg(&file)
        .assert()
        .success();
    let (s, payload) = only_payload(&f, &c);
    assert_eq!(s["valid"], true, "{s:#}");
    assert_eq!(payload.version, 2);
    assert_eq!(payload.comments.len(), 2);
    let first: &ReviewComment = &payload.comments[0];
    assert_eq!(first.commit, c.to_string());
    assert_eq!((first.side, first.start, first.end), (Side::New, 3, 4));
    assert_eq!(
        first.code,
        vec![
            "fn helper(x: u32) -> u32 {",
            "    x.checked_add(1).unwrap()"
        ]
    );
    assert_eq!(first.before, vec!["pub fn f() {}", ""]);
    assert_eq!(first.after, vec!["}", "", "pub fn g() -> u32 {"]);
    assert_eq!(payload.comments[1].code, vec!["pub fn f() {}"]);
    assert_eq!(payload.comments[1].side, Side::Old);

    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("payload");
    let sig = dir.path().join("payload.sig");
    std::fs::write(&data, s["payload"].as_str().expect("payload")).expect("write");
    std::fs::write(&sig, format!("{}\n", s["signature"].as_str().expect("sig"))).expect("write");
    let signers = f.path().join(".countersign/allowed_signers");
    let run = |principal: &str| {
        std::process::Command::new("ssh-keygen")
            .args(["-Y", "verify", "-f"])
            .arg(&signers)
            .args(["-I", principal, "-n", "countersign", "-s"])
            .arg(&sig)
            .stdin(std::fs::File::open(&data).expect("payload file"))
            .stderr(Stdio::piped())
            .output()
            .expect("ssh-keygen runs (install openssh-client)")
    };
    let ok = run("alice@example.com");
    assert!(
        ok.status.success(),
        "ssh-keygen rejected the v2 payload: {}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(!run("bob@example.com").status.success());
}

#[test]
fn version_1_records_with_a_free_comment_still_verify() {
    let f = Fixture::new();
    let c = f.ai_commit("src/lib.rs", FILE, "Add helper");
    // Made by this build with --comment: still version 1, byte for byte the old form.
    f.sign_cmd(&c, "alice", "approve")
        .args(["--comment", "src/lib.rs:+4: fine"])
        .assert()
        .success();
    let (s, payload) = only_payload(&f, &c);
    assert_eq!(s["valid"], true);
    assert_eq!(payload.version, 1);
    assert!(!s["payload"].as_str().unwrap_or("").contains("comments"));
    // An old-form record made outside this build (as an older countersign wrote them).
    let old = forge(
        &f.t.repo,
        &c,
        &f.person("bob").key,
        "bob@example.com",
        "countersign",
        &now(),
        |p| p.comment = "src/lib.rs:+12: old style".into(),
    );
    f.append_raw(&c, old);
    let (code, json) = f.verify_json(&[]);
    assert_eq!(code, 0, "{json:#}");
    let shown = f.show_json(&c);
    assert!(
        shown
            .as_array()
            .expect("array")
            .iter()
            .all(|s| s["valid"] == true),
        "{shown:#}"
    );
}

#[test]
fn a_version_1_record_carrying_comments_is_refused() {
    let f = Fixture::new();
    let c = f.ai_commit("src/lib.rs", FILE, "Add helper");
    let smuggled = forge(
        &f.t.repo,
        &c,
        &f.person("alice").key,
        "alice@example.com",
        "countersign",
        &now(),
        |p| {
            p.comments = vec![ReviewComment {
                commit: c.to_string(),
                path: "src/lib.rs".into(),
                side: Side::New,
                start: 1,
                end: 1,
                text: "x".into(),
                code: vec!["pub fn f() {}".into()],
                before: vec![],
                after: vec![],
                resolved: false,
            }];
        },
    );
    f.append_raw(&c, smuggled);
    let shown = f.show_json(&c);
    assert_eq!(shown[0]["valid"], false, "{shown:#}");
    let (code, _) = f.verify_json(&[]);
    assert_eq!(code, 1);
}

#[test]
fn comments_past_the_end_of_the_file_or_over_the_quote_cap_are_refused_with_the_place() {
    let f = Fixture::new();
    let c = f.ai_commit("src/lib.rs", FILE, "Add helper");
    for (json, says) in [
        (
            r#"[{"path": "src/lib.rs", "start": 8, "end": 20, "text": "x"}]"#,
            "only 9 lines",
        ),
        (
            r#"[{"path": "src/lib.rs", "start": 1, "end": 41, "text": "x"}]"#,
            "at most 40 lines",
        ),
        (
            r#"[{"path": "nope.rs", "start": 1, "text": "x"}]"#,
            "nope.rs",
        ),
    ] {
        let file = comments_file(&f, json);
        let out = f
            .sign_cmd(&c, "alice", "reject")
            .arg("--comments-from")
            .arg(&file)
            .output()
            .expect("runs");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains(says), "{err}");
    }
    assert!(f.note_lines(&c).is_empty());
}
