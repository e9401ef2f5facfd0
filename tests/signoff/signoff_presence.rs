//! An approval by a present, independent human (issue "An approval is a deliberate act"):
//! a tier's `independent` bars the commit's author, committer and co-authors from approving
//! it; its `presence` accepts only a security key's touch (and PIN), which a program holding
//! an ordinary key or its passphrase cannot make. Real keys, real `ssh-keygen`.

use crate::signoff_common;

use signoff_common::*;

/// [`POLICY`] with `extra` lines added to `[tiers.supervised]`.
fn policy_with(extra: &str) -> String {
    POLICY.replace(
        "[tiers.supervised]\napprovals = 1\nrole = \"senior\"\n",
        &format!("[tiers.supervised]\napprovals = 1\nrole = \"senior\"\n{extra}\n"),
    )
}

/// An AI commit alice made with an agent on her machine (she is its author; the agent is
/// its co-author), touching the supervised `src/lib.rs`.
fn alices_ai_commit(f: &Fixture, text: &str, extra_trailers: &str) -> git2::Oid {
    f.t.write("src/lib.rs", text);
    f.t.commit_as(
        "Alice",
        "Alice@Example.COM",
        &format!("Speed up f\n\nCo-authored-by: Claude <claude@agents.example>\n{extra_trailers}"),
    )
}

/// The finding: the person who ran the agent approves its commit, and `verify` passes. Under
/// `independent = true` her approval does not count (the e-mail compared case-insensitively)
/// and verify says why; another senior's approval passes it. Without the key, hers counts.
#[test]
fn the_authors_own_approval_does_not_count_under_independent() {
    let f = Fixture::with_policy(&policy_with("independent = true"));
    let c = alices_ai_commit(&f, "pub fn f() { /* fast */ }\n", "");
    f.sign(&c, "alice", "approve").success();
    let (code, json) = f.verify_json(&[]);
    assert_eq!(code, 1, "the author's own approval passed: {json:#}");
    let v = Fixture::verdict_for(&json, &c);
    let problems = v["problems"].to_string();
    assert!(
        problems.contains("alice@example.com is this commit's author")
            && problems.contains("independent"),
        "{problems}"
    );
    f.sign(&c, "bob", "approve").success();
    let (code, json) = f.verify_json(&[]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(
        Fixture::verdict_for(&json, &c)["approved_by"],
        serde_json::json!(["bob@example.com"])
    );

    // The same approval counts where the tier does not ask for independence.
    let g = Fixture::new();
    let c = alices_ai_commit(&g, "pub fn f() { /* fast */ }\n", "");
    g.sign(&c, "alice", "approve").success();
    assert_eq!(g.verify_json(&[]).0, 0);
}

/// A human co-author named in a `Co-authored-by` trailer, and the committer, cannot approve
/// either; a reject by the author still stands (independence bars approvals only).
#[test]
fn co_authors_and_committers_cannot_approve_and_the_authors_reject_stands() {
    let f = Fixture::with_policy(&policy_with("independent = true"));
    let c = alices_ai_commit(
        &f,
        "pub fn f() { 1; }\n",
        "Co-authored-by: Bob <BOB@example.com>\n",
    );
    f.sign(&c, "bob", "approve").success();
    let (code, json) = f.verify_json(&[]);
    assert_eq!(code, 1, "{json:#}");
    assert!(
        Fixture::verdict_for(&json, &c)["problems"]
            .to_string()
            .contains("bob@example.com is this commit's co-author"),
        "{json:#}"
    );
    // dave's key expired: the committer test uses carol's principal as a senior instead.
    let f = Fixture::with_policy(&policy_with("independent = true").replace(
        "senior = [\"alice@example.com\", \"bob@example.com\", \"dave@example.com\"]",
        "senior = [\"alice@example.com\", \"bob@example.com\", \"carol@example.com\"]",
    ));
    f.t.write("src/lib.rs", "pub fn f() { 2; }\n");
    let c = f.t.commit_ai("claude", "Speed up f");
    // Re-committed by carol (she rebased the agent's work): she is its committer.
    let head = f.t.repo.find_commit(c).unwrap();
    let carol = git2::Signature::now("Carol", "Carol@example.com").unwrap();
    let c2 = head
        .amend(Some("HEAD"), None, Some(&carol), None, None, None)
        .unwrap();
    assert_ne!(c, c2);
    f.sign(&c2, "carol", "approve").success();
    let (code, json) = f.verify_json(&[]);
    assert_eq!(code, 1, "{json:#}");
    assert!(
        Fixture::verdict_for(&json, &c2)["problems"]
            .to_string()
            .contains("carol@example.com is this commit's committer"),
        "{json:#}"
    );
    // The author's reject stands even so.
    let f = Fixture::with_policy(&policy_with("independent = true"));
    let c = alices_ai_commit(&f, "pub fn f() { 3; }\n", "");
    f.sign(&c, "alice", "reject").success();
    f.sign(&c, "bob", "approve").success();
    let (code, json) = f.verify_json(&[]);
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(
        Fixture::verdict_for(&json, &c)["state"],
        "rejected",
        "{json:#}"
    );
}

/// `policy check` warns when a tier can never be met: independence with as many principals
/// as approvals, presence with too few security keys in the roster.
#[test]
fn policy_check_warns_when_independence_or_presence_can_never_be_met() {
    let policy = POLICY
        .replace(
            "[tiers.prohibited]\napprovals = 2\nrole = \"senior\"\n",
            "[tiers.prohibited]\napprovals = 2\nrole = \"lead\"\nindependent = true\n",
        )
        .replace(
            "[ai]",
            "lead = [\"alice@example.com\", \"bob@example.com\"]\n\n[ai]",
        )
        .replace(
            "[tiers.supervised]\napprovals = 1\nrole = \"senior\"\n",
            "[tiers.supervised]\napprovals = 1\nrole = \"senior\"\npresence = \"touch\"\n",
        );
    let f = Fixture::with_policy(&policy);
    let out = f
        .cmd()
        .args(["policy", "check"])
        .output()
        .expect("policy check");
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains("[tiers.supervised] asks presence = \"touch\"")
            && text.contains("security key"),
        "{text}"
    );
    assert!(
        text.contains("[tiers.prohibited] is independent = true"),
        "{text}"
    );
    // A misspelt value is an error at its place.
    let f = Fixture::with_policy(&policy_with("presence = \"tuch\""));
    let out = f
        .cmd()
        .args(["policy", "check"])
        .output()
        .expect("policy check");
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains("unknown presence `tuch`") && text.contains("did you mean `touch`"),
        "{text}"
    );
}

use std::sync::Arc;

use signoff_common::sk::{Answer, SoftSk, TestAgent, PIN, TOUCH};

/// A fixture whose roster gives alice a security key too (`extra_options`, e.g.
/// `verify-required`, on its line) under `policy`.
fn with_security_key(policy: &str, key: &SoftSk, extra_options: &str) -> Fixture {
    Fixture::with_roster_lines(
        policy,
        &format!(
            "alice@example.com namespaces=\"countersign\"{extra_options} {}\n",
            key.openssh()
        ),
    )
}

/// `sign C --decision approve --yes` with alice's security key through `agent`.
fn sign_through_agent(
    f: &Fixture,
    c: &git2::Oid,
    key: &SoftSk,
    agent: &TestAgent,
) -> std::process::Output {
    f.cmd()
        .args(["sign", &c.to_string(), "--decision", "approve", "--yes"])
        .arg("--key")
        .arg(format!("key::{}", key.openssh()))
        .env("SSH_AUTH_SOCK", &agent.socket)
        .output()
        .expect("sign runs")
}

/// Runs `ssh-keygen -Y verify` on a shown sign-off; true when it accepts the signature.
fn ssh_keygen_accepts(f: &Fixture, shown: &serde_json::Value) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let payload = dir.path().join("payload");
    let sig = dir.path().join("payload.sig");
    std::fs::write(&payload, shown["payload"].as_str().unwrap()).unwrap();
    std::fs::write(&sig, format!("{}\n", shown["signature"].as_str().unwrap())).unwrap();
    let out = std::process::Command::new("ssh-keygen")
        .args(["-Y", "verify", "-f"])
        .arg(f.path().join(".countersign/allowed_signers"))
        .args([
            "-I",
            shown["principal"].as_str().unwrap(),
            "-n",
            "countersign",
            "-s",
        ])
        .arg(&sig)
        .stdin(std::fs::File::open(&payload).unwrap())
        .output()
        .expect("ssh-keygen runs");
    out.status.success()
}

/// An AI commit approved with `key` through a test agent: the sign-off is valid, shows the
/// key's counter, and real `ssh-keygen -Y verify` accepts its signature.
fn approve_through_agent_and_check_interop(f: &Fixture, key: &Arc<SoftSk>) -> git2::Oid {
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    let agent = TestAgent::start(Arc::clone(key), Answer::Sign);
    let out = sign_through_agent(f, &c, key, &agent);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let shown = f.show_json(&c);
    assert_eq!(shown[0]["valid"], true, "{shown:#}");
    assert_eq!(shown[0]["security_key"]["counter"], 7, "{shown:#}");
    assert!(
        ssh_keygen_accepts(f, &shown[0]),
        "ssh-keygen refused the signature: {shown:#}"
    );
    c
}

/// Security-key sign-offs made through ssh-agent (a test agent answering in the exact OpenSSH
/// wire format): `ssh-keygen -Y verify` accepts each signature, touched or not (OpenSSH 9.2
/// does not check the flags); countersign's verify counts it under `presence = "touch"` only
/// when the signed flags show the touch, and under `"pin"` only with the PIN as well. The
/// counter is recorded in `show`.
#[test]
fn a_tier_asking_touch_counts_only_security_key_signatures_whose_flags_show_it() {
    for (flags, touch_ok, pin_ok) in [
        (TOUCH, true, false),
        (0, false, false),
        (TOUCH | PIN, true, true),
    ] {
        for presence in ["touch", "pin"] {
            let key = Arc::new(SoftSk::new(flags));
            let f = with_security_key(
                &policy_with(&format!("presence = \"{presence}\"")),
                &key,
                "",
            );
            let c = approve_through_agent_and_check_interop(&f, &key);
            let expected = if presence == "touch" {
                touch_ok
            } else {
                pin_ok
            };
            let (code, json) = f.verify_json(&[]);
            assert_eq!(
                code == 0,
                expected,
                "flags {flags:#x} under presence = {presence}: {json:#}"
            );
            if !expected {
                let problems = Fixture::verdict_for(&json, &c)["problems"].to_string();
                assert!(problems.contains("does not show"), "{problems}");
            }
        }
    }
}

/// An `sk-ecdsa-sha2-nistp256@openssh.com` security key made in software (ECDSA P-256 over
/// the OpenSSH u2f layout, `mpint r, mpint s`, flags and counter): its sign-off through
/// ssh-agent passes real `ssh-keygen -Y verify` and countersign's verify alike, and counts
/// under `presence = "touch"` only when its signed flags show the touch.
#[test]
fn an_sk_ecdsa_signature_made_in_software_verifies_in_countersign_and_ssh_keygen() {
    for (flags, counts) in [(TOUCH, true), (0, false)] {
        let key = Arc::new(SoftSk::new_ecdsa(flags));
        assert!(key
            .openssh()
            .starts_with("sk-ecdsa-sha2-nistp256@openssh.com "));
        let f = with_security_key(&policy_with("presence = \"touch\""), &key, "");
        approve_through_agent_and_check_interop(&f, &key);
        let (code, json) = f.verify_json(&[]);
        assert_eq!(code == 0, counts, "flags {flags:#x}: {json:#}");
    }
}

/// The agent on the reviewer's machine signs with the reviewer's ordinary key (unencrypted,
/// or with `COUNTERSIGN_PASSPHRASE` in the environment): `sign --yes` succeeds and warns, and
/// the approval never meets a `touch` tier.
#[test]
fn an_agent_signing_with_an_ordinary_key_can_never_meet_touch() {
    let f = Fixture::with_policy(&policy_with("presence = \"touch\""));
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    // An encrypted copy of alice's key, unlocked from the environment as automation does.
    let alice = f.person("alice");
    let encrypted = countersign_core::signoff::keys::encrypt(&alice.key, "hunter2").unwrap();
    let path = f.keys_dir.path().join("alice-encrypted");
    countersign_core::signoff::keys::write_new_key_pair(&encrypted, &path).unwrap();
    f.cmd()
        .args([
            "sign",
            &c.to_string(),
            "--decision",
            "approve",
            "--yes",
            "--key",
        ])
        .arg(&path)
        .env("COUNTERSIGN_PASSPHRASE", "hunter2")
        .assert()
        .success()
        .stderr(predicates::str::contains("asks presence = \"touch\""));
    f.sign(&c, "bob", "approve").success();
    let (code, json) = f.verify_json(&[]);
    assert_eq!(code, 1, "an ordinary key met presence = touch: {json:#}");
    let problems = Fixture::verdict_for(&json, &c)["problems"].to_string();
    assert!(problems.contains("ordinary key"), "{problems}");
}

/// The flags are signed: setting the touch bit on an untouched signature breaks it.
#[test]
fn setting_the_touch_flag_afterwards_breaks_the_signature() {
    let key = Arc::new(SoftSk::new(0));
    let f = with_security_key(&policy_with("presence = \"touch\""), &key, "");
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    let agent = TestAgent::start(Arc::clone(&key), Answer::Sign);
    assert!(sign_through_agent(&f, &c, &key, &agent).status.success());
    let line = f.note_lines(&c).remove(0);
    let record: serde_json::Value = serde_json::from_str(&line).unwrap();
    let sig = ssh_key::SshSig::from_pem(record["signature"].as_str().unwrap()).unwrap();
    let mut bytes = sig.signature().as_bytes().to_vec();
    let n = bytes.len();
    bytes[n - 5] |= TOUCH;
    let forged = ssh_key::Signature::new(sig.signature().algorithm(), bytes).unwrap();
    let forged = ssh_key::SshSig::new(
        sig.public_key().clone(),
        "countersign",
        ssh_key::HashAlg::Sha512,
        forged,
    )
    .unwrap()
    .to_pem(ssh_key::LineEnding::LF)
    .unwrap();
    let forged_line =
        serde_json::json!({"payload": record["payload"], "signature": forged.trim_end()});
    f.append_raw(&c, forged_line.to_string());
    let (code, json) = f.verify_json(&[]);
    assert_eq!(code, 1, "{json:#}");
    let shown = f.show_json(&c);
    let forged = shown
        .as_array()
        .unwrap()
        .iter()
        .find(|s| {
            s["signature"].as_str().unwrap().trim() == forged_line["signature"].as_str().unwrap()
        })
        .expect("the forged line is shown");
    assert_eq!(forged["valid"], false, "{shown:#}");
}

/// A roster line's `verify-required` demands the PIN for that key, whatever the tier says.
#[test]
fn verify_required_in_the_roster_demands_the_pin_for_that_key() {
    for (flags, passes) in [(TOUCH, false), (TOUCH | PIN, true)] {
        let key = Arc::new(SoftSk::new(flags));
        let f = with_security_key(POLICY, &key, ",verify-required");
        let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
        let agent = TestAgent::start(Arc::clone(&key), Answer::Sign);
        assert!(sign_through_agent(&f, &c, &key, &agent).status.success());
        let (code, json) = f.verify_json(&[]);
        assert_eq!(code == 0, passes, "flags {flags:#x}: {json:#}");
    }
}

/// An agent that accepts the sign request and never answers (a security key nobody touches)
/// does not hang `sign`: the wait ends (shortened here from 60 s) with a message, and nothing
/// is written. The watchdog is 100 times the wait.
#[test]
fn an_agent_that_never_answers_does_not_hang_sign() {
    let key = Arc::new(SoftSk::new(TOUCH));
    let f = with_security_key(&policy_with("presence = \"touch\""), &key, "");
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    let agent = TestAgent::start(Arc::clone(&key), Answer::Never);
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_countersign"));
    cmd.current_dir(f.path())
        .args(["sign", &c.to_string(), "--decision", "approve", "--yes"])
        .arg("--key")
        .arg(format!("key::{}", key.openssh()))
        .env("SSH_AUTH_SOCK", &agent.socket)
        .env("COUNTERSIGN_AGENT_TIMEOUT_MS", "300")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let child = cmd.spawn().expect("sign runs");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let out = rx
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("sign hung on an agent that never answers")
        .expect("sign ran");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("did not answer within"), "{stderr}");
    assert!(f.note_lines(&c).is_empty());
}

/// `keygen --type ed25519-sk` has ssh-keygen make the security key (it talks to the device).
/// Without a FIDO2 device, as on CI, ssh-keygen fails and countersign says what to do, exit 2,
/// nothing written; with one, the roster line names the security key.
#[test]
fn keygen_makes_a_security_key_through_ssh_keygen_or_says_why_not() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("sk");
    let out = countersign(dir.path())
        .args(["keygen", "--type", "ed25519-sk", "--no-passphrase", "--out"])
        .arg(&key)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    if out.status.success() {
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("sk-ssh-ed25519@openssh.com"), "{stdout}");
        return;
    }
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("ssh-keygen could not make the ed25519-sk key")
            && stderr.contains("plug in a FIDO2 security key"),
        "{stderr}"
    );
    assert!(!key.exists());
}

/// `require_viewed = "files"`: an approval from the command line records no viewing and does
/// not count; one from the workstation with every file marked viewed does; one from the
/// workstation with nothing marked viewed does not.
#[test]
fn require_viewed_files_counts_only_approvals_whose_evidence_covers_the_change() {
    let f = Fixture::with_policy(&policy_with("require_viewed = \"files\"").replace(
        "senior = [\"alice@example.com\", \"bob@example.com\", \"dave@example.com\"]",
        "senior = [\"alice@example.com\", \"bob@example.com\", \"carol@example.com\"]",
    ));
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    f.sign(&c, "alice", "approve").success();
    let (code, json) = f.verify_json(&[]);
    assert_eq!(code, 1, "a CLI approval met require_viewed: {json:#}");
    assert!(
        Fixture::verdict_for(&json, &c)["problems"]
            .to_string()
            .contains("records no file viewed"),
        "{json:#}"
    );
    // Bob approves in the workstation without marking the file viewed: does not count.
    let mut s = workstation_as(&f, "bob");
    s.press("ayy");
    assert_eq!(f.verify_json(&[]).0, 1);
    // Carol marks it viewed and approves in the workstation: it counts.
    let mut s = workstation_as(&f, "carol");
    s.press("vay");
    let (code, json) = f.verify_json(&[]);
    assert_eq!(code, 0, "{json:#}");
    // The lowest payload version the trusted policy needs: no tier asks for hunks, so the
    // workstation's hunk marks are left out and every sign-off stays version 1.
    assert_eq!(payload_versions(&f, &c), [1, 1, 1]);
}

/// The workstation (headless, 120×40) on the fixture's change, signing with `who`'s key.
fn workstation_as(f: &Fixture, who: &str) -> countersign::tui::Session {
    let key = f.person(who).key_path.clone();
    f.t.git(&["config", "user.signingKey", key.to_str().unwrap()]);
    let data = countersign::tui::data::load_review(
        f.path(),
        countersign_core::review::Selection::default(),
    )
    .expect("load the review");
    countersign::tui::Session::from_data(
        data,
        countersign::tui::store::Store::default(),
        countersign::tui::theme::Theme::dark(),
        (120, 40),
    )
}

/// The payload version of each sign-off on `c`, in note order.
fn payload_versions(f: &Fixture, c: &git2::Oid) -> Vec<u64> {
    f.show_json(c)
        .as_array()
        .expect("show lists sign-offs")
        .iter()
        .map(|s| {
            let p: serde_json::Value =
                serde_json::from_str(s["payload"].as_str().unwrap_or_default()).unwrap_or_default();
            p["version"].as_u64().unwrap_or_default()
        })
        .collect()
}

/// `require_viewed = "hunks"` (payload version 3): a command-line approval records no viewing
/// and does not count. In the workstation a hunk counts as viewed once each of its lines was
/// on screen whole: bob reads `a.rs`, then opens `b.rs` whose long line is cut at the panel's
/// edge, so his approval covers one hunk of two and the commit still needs a sign-off; carol
/// turns wrapping on (`w`), which shows the line's end, and approves: together they cover
/// both hunks and `verify` passes. `status` shows the coverage; both payloads are version 3.
#[test]
fn require_viewed_hunks_counts_hunks_whose_lines_were_on_screen_whole() {
    let f = Fixture::with_policy(&policy_with("require_viewed = \"hunks\"").replace(
        "senior = [\"alice@example.com\", \"bob@example.com\", \"dave@example.com\"]",
        "senior = [\"alice@example.com\", \"bob@example.com\", \"carol@example.com\"]",
    ));
    f.t.write("src/a.rs", "pub fn a() {}\n");
    let long = format!("pub const B: &str = \"{}\";\n", "b".repeat(300));
    f.t.write("src/b.rs", &long);
    let c = f.t.commit_ai("kiro", "Add a and b");
    f.sign(&c, "alice", "approve").success();
    let (code, json) = f.verify_json(&[]);
    assert_eq!(code, 1, "a CLI approval met require_viewed: {json:#}");
    let mut s = workstation_as(&f, "bob");
    s.press("v]v");
    let screen = s.render();
    assert!(
        screen.contains("bbbb") && !screen.contains("✓ viewed"),
        "b.rs's cut line is not viewed: {screen}"
    );
    s.press("ay");
    let (code, json) = f.verify_json(&[]);
    assert_eq!(code, 1, "one hunk of two was viewed: {json:#}");
    let problems = Fixture::verdict_for(&json, &c)["problems"].to_string();
    assert!(
        problems.contains("require_viewed = \\\"hunks\\\"")
            && problems.contains("together they viewed 1"),
        "{json:#}"
    );
    let status = |f: &Fixture| {
        let out = f
            .cmd()
            .args(["status", "--format", "json"])
            .output()
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        json.as_array()
            .and_then(|a| a.iter().find(|r| r["commit"] == c.to_string()).cloned())
            .unwrap_or_default()
    };
    assert_eq!(
        status(&f)["viewing"],
        serde_json::json!({"files_viewed": 2, "files_total": 2, "hunks_viewed": 1, "hunks_total": 2}),
    );
    let mut s = workstation_as(&f, "carol");
    s.press("]w");
    let screen = s.render();
    assert!(screen.contains("✓ viewed"), "{screen}");
    s.press("vayy");
    let (code, json) = f.verify_json(&[]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(status(&f)["viewing"]["hunks_viewed"], 2);
    assert_eq!(
        payload_versions(&f, &c),
        [1, 3, 3],
        "alice (CLI), bob, carol"
    );
    // `report` sums the hunks the counting approvals viewed: bob 1 of 2, carol 2 of 2.
    let out = f
        .cmd()
        .args(["report", "main..feature", "--format", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("report JSON: {}", String::from_utf8_lossy(&out.stderr)));
    let cov = &report["coverage"];
    assert_eq!(cov["hunk_evidence"], 2, "{cov:#}");
    assert_eq!(cov["hunks_viewed"], 3, "{cov:#}");
    assert_eq!(cov["hunks_total"], 4, "{cov:#}");
    assert_eq!(cov["all_hunks_viewed"], 1, "{cov:#}");
}
