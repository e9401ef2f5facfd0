//! Attacks on the gate. Each test fails if the attack succeeds: `verify` must exit 1 and say
//! why, while the honest counterpart (checked first or alongside) passes.

use crate::signoff_common;

use crate::support::AllowedSigners;
use countersign_core::signoff::Decision;
use signoff_common::{forge, now, problems, Fixture};

#[test]
fn rejects_note_copied_to_another_commit() {
    let f = Fixture::new();
    let signed = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    let other = f.ai_commit("src/lib.rs", "pub fn f() { 2; }\n", "Tweak f again");
    f.sign(&signed, "alice", "approve").success();
    let line = f.note_lines(&signed).remove(0);
    f.append_raw(&other, line);

    let (code, json) = f.verify_json(&["main..feature"]);
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(Fixture::verdict_for(&json, &signed)["ok"], true);
    let v = Fixture::verdict_for(&json, &other);
    assert_eq!(v["ok"], false);
    assert_eq!(v["approvals"], 0);
    assert!(problems(&v).contains("copied from another commit"), "{v:#}");
}

#[test]
fn rejects_payload_edited_after_signing() {
    let f = Fixture::new();
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    f.sign_cmd(&c, "alice", "reject")
        .args(["--comment", "unbounded cache"])
        .assert()
        .success();
    // Turn the signed rejection into an approval, keeping the signature.
    let line = f.note_lines(&c).remove(0);
    let edited = line.replace(r#"\"decision\":\"reject\""#, r#"\"decision\":\"approve\""#);
    assert_ne!(edited, line);
    f.t.git(&[
        "notes",
        "--ref=countersign",
        "add",
        "-f",
        "-m",
        &edited,
        &c.to_string(),
    ]);

    let (code, json) = f.verify_json(&[&c.to_string()]);
    assert_eq!(code, 1, "{json:#}");
    let v = Fixture::verdict_for(&json, &c);
    assert_eq!(v["approvals"], 0);
    let signoffs = v["signoffs"].to_string();
    assert!(
        signoffs.contains("the payload was altered after signing"),
        "{v:#}"
    );
    // The note was rewritten without the signed reject: the notes ref's history keeps it,
    // and it stands.
    assert_eq!(v["state"], "rejected", "{v:#}");
    assert!(problems(&v).contains("removed from the note"), "{v:#}");
}

#[test]
fn rejects_signature_by_key_outside_roster_claiming_roster_principal() {
    let f = Fixture::new();
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    let line = forge(
        &f.t.repo,
        &c,
        &f.person("mallory").key,
        "alice@example.com",
        "countersign",
        &now(),
        |_| {},
    );
    f.append_raw(&c, line);

    let (code, json) = f.verify_json(&[&c.to_string()]);
    assert_eq!(code, 1, "{json:#}");
    let v = Fixture::verdict_for(&json, &c);
    assert_eq!(v["approvals"], 0);
    assert!(
        problems(&v).contains("does not list for alice@example.com"),
        "{v:#}"
    );
    // And the CLI refuses mallory's key outright, writing nothing.
    f.sign(&c, "mallory", "approve").code(1);
    assert_eq!(f.note_lines(&c).len(), 1);
}

#[test]
fn rejects_the_right_key_under_another_namespace() {
    let f = Fixture::new();
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    let alice = f.person("alice");
    let good = forge(
        &f.t.repo,
        &c,
        &alice.key,
        &alice.principal,
        "countersign",
        &now(),
        |_| {},
    );
    let git_ns = forge(
        &f.t.repo,
        &c,
        &alice.key,
        &alice.principal,
        "git",
        &now(),
        |_| {},
    );
    f.append_raw(&c, git_ns);
    let (code, json) = f.verify_json(&[&c.to_string()]);
    assert_eq!(code, 1, "{json:#}");
    let v = Fixture::verdict_for(&json, &c);
    assert!(problems(&v).contains("namespace `git`"), "{v:#}");

    // The same forger's helper in the right namespace passes: the test can tell them apart.
    f.append_raw(&c, good);
    let (code, json) = f.verify_json(&[&c.to_string()]);
    assert_eq!(code, 0, "{json:#}");
}

#[test]
fn rejects_an_expired_key() {
    let f = Fixture::new();
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    // sign refuses dave's expired key and writes nothing.
    f.sign(&c, "dave", "approve")
        .code(1)
        .stderr(predicates::str::contains("expired"));
    assert!(f.note_lines(&c).is_empty());

    let dave = f.person("dave");
    // Signed now: after valid-before.
    f.append_raw(
        &c,
        forge(
            &f.t.repo,
            &c,
            &dave.key,
            &dave.principal,
            "countersign",
            &now(),
            |_| {},
        ),
    );
    // Backdated to when the key was valid: before the commit existed.
    f.append_raw(
        &c,
        forge(
            &f.t.repo,
            &c,
            &dave.key,
            &dave.principal,
            "countersign",
            "2019-06-01T00:00:00Z",
            |_| {},
        ),
    );
    let (code, json) = f.verify_json(&[&c.to_string()]);
    assert_eq!(code, 1, "{json:#}");
    let v = Fixture::verdict_for(&json, &c);
    assert_eq!(v["approvals"], 0);
    let text = problems(&v);
    assert!(text.contains("expired on 2020-01-01"), "{text}");
    assert!(text.contains("before the commit itself was made"), "{text}");
}

#[test]
fn rejects_a_roster_member_without_the_role() {
    let f = Fixture::new();
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    f.sign(&c, "carol", "approve")
        .success()
        .stderr(predicates::str::contains("holds no senior role"));
    let (code, json) = f.verify_json(&[&c.to_string()]);
    assert_eq!(code, 1, "{json:#}");
    let v = Fixture::verdict_for(&json, &c);
    assert_eq!(v["approvals"], 0);
    assert!(
        problems(&v).contains(
            "needs 1 approval from role senior (supervised tier); has 0 — the sign-off by \
             carol@example.com does not count: carol@example.com holds no senior role"
        ),
        "{v:#}"
    );
    f.sign(&c, "bob", "approve").success();
    assert_eq!(f.verify_json(&[&c.to_string()]).0, 0);
}

#[test]
fn change_editing_countersign_cannot_weaken_its_own_policy() {
    let f = Fixture::new();
    let relaxed = signoff_common::POLICY
        .replace(
            "default_tier = \"supervised\"",
            "default_tier = \"autonomous\"",
        )
        .replace("approvals = 1", "approvals = 0");
    f.t.write(".countersign/policy.toml", &relaxed);
    f.t.write("src/lib.rs", "pub fn f() { evil(); }\n");
    let c = f.t.commit_ai("kiro", "Relax the policy and change f");
    // Even two seniors' sign-offs cannot make an AI change to .countersign/ ship.
    for who in ["alice", "bob"] {
        let p = f.person(who);
        f.append_raw(
            &c,
            forge(
                &f.t.repo,
                &c,
                &p.key,
                &p.principal,
                "countersign",
                &now(),
                |_| {},
            ),
        );
    }
    let (code, json) = f.verify_json(&[]);
    assert_eq!(code, 1, "{json:#}");
    let v = Fixture::verdict_for(&json, &c);
    assert_eq!(v["tier"], "prohibited");
    assert_eq!(v["state"], "forbidden");
    assert!(
        problems(&v).contains("AI may not make this change"),
        "{v:#}"
    );
}

#[test]
fn an_earlier_commit_in_the_range_relaxing_the_policy_does_not_apply() {
    let f = Fixture::new();
    let relaxed = signoff_common::POLICY
        .replace(
            "default_tier = \"supervised\"",
            "default_tier = \"autonomous\"",
        )
        .replace("approvals = 1", "approvals = 0");
    let human = f.human_commit(".countersign/policy.toml", &relaxed, "Relax the policy");
    let ai = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    let (code, json) = f.verify_json(&[]);
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(Fixture::verdict_for(&json, &human)["ok"], true);
    let v = Fixture::verdict_for(&json, &ai);
    assert_eq!(v["tier"], "supervised");
    assert_eq!(v["required"], 1);
    assert_eq!(v["ok"], false);
    // Judged by the relaxed policy (trusting the branch itself) it would pass: the attack is
    // real, and only the trusted ref stops it.
    let (code, _) = f.verify_json(&["--trusted-ref", "feature"]);
    assert_eq!(code, 0);
}

#[test]
fn prohibited_ai_commit_fails_with_every_approval() {
    let f = Fixture::new();
    let c = f.ai_commit(
        "billing/src/lib.rs",
        "pub fn charge() { 0; }\n",
        "Free lunch",
    );
    f.sign(&c, "alice", "approve")
        .code(1)
        .stderr(predicates::str::contains("prohibited"));
    assert!(f.note_lines(&c).is_empty());
    for who in ["alice", "bob"] {
        let p = f.person(who);
        f.append_raw(
            &c,
            forge(
                &f.t.repo,
                &c,
                &p.key,
                &p.principal,
                "countersign",
                &now(),
                |pl| pl.tier = "prohibited".into(),
            ),
        );
    }
    let (code, json) = f.verify_json(&[&c.to_string()]);
    assert_eq!(code, 1, "{json:#}");
    let v = Fixture::verdict_for(&json, &c);
    assert_eq!(v["state"], "forbidden");
    assert_eq!(
        v["approvals"], 2,
        "both approvals are valid, and still: {v:#}"
    );
    assert!(problems(&v).contains("a human must author it"), "{v:#}");
}

#[test]
fn a_reject_after_an_approval_withdraws_it() {
    let f = Fixture::new();
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    let alice = f.person("alice");
    let at = |t: &str, d: Decision| {
        forge(
            &f.t.repo,
            &c,
            &alice.key,
            &alice.principal,
            "countersign",
            t,
            move |p| p.decision = d,
        )
    };
    f.append_raw(&c, at("2026-01-01T10:00:00Z", Decision::Approve));
    assert_eq!(f.verify_json(&[&c.to_string()]).0, 0);
    f.append_raw(&c, at("2026-01-01T11:00:00Z", Decision::Reject));
    let (code, json) = f.verify_json(&[&c.to_string()]);
    assert_eq!(code, 1, "{json:#}");
    let v = Fixture::verdict_for(&json, &c);
    assert_eq!(v["state"], "rejected");
    assert_eq!(v["approvals"], 0);
    assert!(
        problems(&v).contains("rejected by alice@example.com"),
        "{v:#}"
    );
    // Another senior's approval does not override alice's standing rejection.
    f.sign(&c, "bob", "approve").success();
    assert_eq!(f.verify_json(&[&c.to_string()]).0, 1);
    // alice's own later approval does not either, whatever its timestamp, unless it names
    // the reject it lifts (supersedes).
    f.append_raw(&c, at("2026-01-01T12:00:00Z", Decision::Approve));
    assert_eq!(f.verify_json(&[&c.to_string()]).0, 1);
    let reject = at("2026-01-01T11:00:00Z", Decision::Reject);
    let reject = countersign_core::signoff::NoteLine::parse(&reject).expect("note line");
    let digest = countersign_core::signoff::record::payload_digest(&reject.payload);
    let lifting = forge(
        &f.t.repo,
        &c,
        &alice.key,
        &alice.principal,
        "countersign",
        "2026-01-01T09:00:00Z",
        move |p| {
            p.decision = Decision::Approve;
            p.supersedes = Some(digest);
        },
    );
    f.append_raw(&c, lifting);
    assert_eq!(f.verify_json(&[&c.to_string()]).0, 0);
}

#[test]
fn a_reject_dropped_by_rewriting_the_note_still_stands() {
    // Attack: whoever can push refs/notes/countersign writes the note again without alice's
    // reject, so that her earlier approval counts again.
    let f = Fixture::new();
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    f.sign(&c, "alice", "approve").success();
    let approval = f.note_lines(&c).remove(0);
    f.sign(&c, "alice", "reject").success();
    assert_eq!(f.verify_json(&[&c.to_string()]).0, 1);
    f.t.git(&[
        "notes",
        "--ref=countersign",
        "add",
        "-f",
        "-m",
        &approval,
        &c.to_string(),
    ]);
    assert_eq!(f.note_lines(&c), vec![approval]);
    let (code, json) = f.verify_json(&[&c.to_string()]);
    assert_eq!(code, 1, "{json:#}");
    let v = Fixture::verdict_for(&json, &c);
    assert_eq!(v["state"], "rejected", "{v:#}");
    assert!(problems(&v).contains("removed from the note"), "{v:#}");
    // alice lifts her own reject by approving again: `sign` names the reject.
    f.sign(&c, "alice", "approve").success();
    assert_eq!(f.verify_json(&[&c.to_string()]).0, 0);
}

#[test]
fn reject_then_approve_in_the_same_second_is_decided_by_supersedes_not_the_clock() {
    let f = Fixture::new();
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    f.sign(&c, "alice", "reject").success();
    f.sign(&c, "alice", "approve").success();
    let (code, json) = f.verify_json(&[&c.to_string()]);
    assert_eq!(code, 0, "{json:#}");
    let v = Fixture::verdict_for(&json, &c);
    assert_eq!(v["state"], "approved", "{v:#}");
}

#[test]
fn a_note_stored_twice_is_read_whole_as_git_reads_it() {
    // The same commit's note at the flat path and at a fanned-out path: git shows both
    // copies; a reject in either one counts.
    let f = Fixture::new();
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    f.sign(&c, "alice", "approve").success();
    let approval = f.note_lines(&c).remove(0);
    f.sign(&c, "alice", "reject").success();
    let reject = f
        .note_lines(&c)
        .into_iter()
        .find(|l| l.contains("reject"))
        .expect("the reject line");
    // A new notes commit (no history of the reject) holding the approval flat and the
    // reject fanned out.
    let repo = &f.t.repo;
    let hex = c.to_string();
    let flat = repo.blob(approval.as_bytes()).expect("blob");
    let fanned = repo.blob(reject.as_bytes()).expect("blob");
    let mut sub = repo.treebuilder(None).expect("tb");
    sub.insert(&hex[2..], fanned, 0o100644).expect("insert");
    let sub = sub.write().expect("write");
    let mut root = repo.treebuilder(None).expect("tb");
    root.insert(&hex, flat, 0o100644).expect("insert");
    root.insert(&hex[..2], sub, 0o040000).expect("insert");
    let root = repo.find_tree(root.write().expect("write")).expect("tree");
    let sig = git2::Signature::now("x", "x@example.com").expect("sig");
    let notes_commit = repo
        .commit(None, &sig, &sig, "two copies", &root, &[])
        .expect("commit");
    repo.reference("refs/notes/countersign", notes_commit, true, "forge")
        .expect("ref");
    let shown = f.t.git(&["notes", "--ref=countersign", "show", &hex]);
    assert!(
        shown.contains("reject") && shown.contains("approve"),
        "{shown}"
    );
    let (code, json) = f.verify_json(&[&c.to_string()]);
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(Fixture::verdict_for(&json, &c)["state"], "rejected");
}

#[test]
fn rejects_an_expired_key_backdating_both_commit_and_signoff() {
    let f = Fixture::new();
    // The attacker holds dave's key, which expired on 2020-01-01, and dates both the commit
    // and the sign-off to when it was still valid.
    f.t.write("src/lib.rs", "pub fn f() { 2; }\n");
    let when = git2::Time::new(1_556_668_800, 0); // 2019-05-01
    let sig = git2::Signature::new("Dana Human", "dana@example.com", &when).expect("signature");
    let tree = {
        let mut index = f.t.repo.index().expect("index");
        let id = index.write_tree().expect("tree");
        f.t.repo.find_tree(id).expect("tree")
    };
    let parent =
        f.t.repo
            .head()
            .and_then(|h| h.peel_to_commit())
            .expect("head");
    let c =
        f.t.repo
            .commit(
                Some("HEAD"),
                &sig,
                &sig,
                "Tweak f\n\nCo-authored-by: Kiro <kiro@agents.example>\n",
                &tree,
                &[&parent],
            )
            .expect("backdated commit");
    let dave = f.person("dave");
    f.append_raw(
        &c,
        forge(
            &f.t.repo,
            &c,
            &dave.key,
            &dave.principal,
            "countersign",
            "2019-06-01T00:00:00Z",
            |_| {},
        ),
    );
    let (code, json) = f.verify_json(&[&c.to_string()]);
    assert_eq!(code, 1, "{json:#}");
    let v = Fixture::verdict_for(&json, &c);
    assert_eq!(v["approvals"], 0);
    assert!(
        problems(&v).contains("expired on 2020-01-01"),
        "{}",
        problems(&v)
    );
}

#[test]
fn a_wildcard_roster_key_cannot_speak_for_a_named_reviewer() {
    let f = Fixture::new();
    let mallory = f.person("mallory");
    f.t.add_to_roster_on(
        "main",
        &AllowedSigners::new()
            .signer("*@example.com", mallory.key.public_key())
            .render(),
    );
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    f.sign(&c, "alice", "reject").success();
    // Later, mallory's wildcard key signs an approval claiming to be alice.
    let later = (chrono::Utc::now() + chrono::Duration::seconds(60))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    f.append_raw(
        &c,
        forge(
            &f.t.repo,
            &c,
            &mallory.key,
            "alice@example.com",
            "countersign",
            &later,
            |_| {},
        ),
    );
    let (code, json) = f.verify_json(&[&c.to_string()]);
    assert_eq!(code, 1, "{json:#}");
    let v = Fixture::verdict_for(&json, &c);
    assert_eq!(v["approvals"], 0, "{v:#}");
    assert!(
        v["rejected_by"].to_string().contains("alice@example.com"),
        "{v:#}"
    );
}

#[test]
fn one_key_listed_under_two_principals_approves_once() {
    let f = Fixture::with_policy(&signoff_common::POLICY.replace(
        "[tiers.supervised]\napprovals = 1",
        "[tiers.supervised]\napprovals = 2",
    ));
    let mallory = f.person("mallory");
    f.t.add_to_roster_on(
        "main",
        &AllowedSigners::new()
            .signer(
                "alice@example.com,bob@example.com",
                mallory.key.public_key(),
            )
            .render(),
    );
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    for who in ["alice@example.com", "bob@example.com"] {
        f.append_raw(
            &c,
            forge(
                &f.t.repo,
                &c,
                &mallory.key,
                who,
                "countersign",
                &now(),
                |_| {},
            ),
        );
    }
    let (code, json) = f.verify_json(&[&c.to_string()]);
    assert_eq!(code, 1, "{json:#}");
    let v = Fixture::verdict_for(&json, &c);
    assert_eq!(v["approvals"], 1, "{v:#}");
    assert!(json.to_string().contains("one key counts once"), "{json:#}");
}

#[test]
fn without_the_base_branch_the_default_range_still_covers_earlier_commits() {
    let f = Fixture::new();
    let c = f.ai_commit(
        "billing/src/lib.rs",
        "pub fn charge() { 1; }\n",
        "Touch billing",
    );
    f.human_commit("src/lib.rs", "pub fn f() { 2; }\n", "Human on top");
    // A CI checkout without the policy's base branch (`main`): trust comes from a commit.
    f.t.git(&["branch", "-m", "main", "trunk"]);
    let base = f.base.to_string();
    let (code, json) = f.verify_json(&["--trusted-ref", &base]);
    assert_eq!(code, 1, "{json:#}");
    let v = Fixture::verdict_for(&json, &c);
    assert_eq!(v["state"], "forbidden", "{v:#}");
}

/// Over a long range the signatures are checked ahead on several threads; what that check
/// found must still go through every other check of each line. Twenty signed commits (the
/// check ahead starts at sixteen): one payload edited after signing, one valid line copied
/// onto another commit, one line by a key outside the roster. Only the honest ones pass.
#[test]
fn signatures_checked_ahead_over_a_long_range_still_stop_each_forgery() {
    let f = Fixture::new();
    let commits: Vec<git2::Oid> = (0..20)
        .map(|i| f.ai_commit("src/lib.rs", &format!("pub fn f() {{ {i}; }}\n"), "Tweak f"))
        .collect();
    f.cmd()
        .args(["sign", "main..feature", "--decision", "approve", "--yes"])
        .arg("--key")
        .arg(&f.person("alice").key_path)
        .assert()
        .success();
    let (code, json) = f.verify_json(&["main..feature"]);
    assert_eq!(code, 0, "all twenty are signed: {json:#}");

    // An approval whose comment was edited after signing, the signature kept.
    let edited = commits[5];
    let line = f.note_lines(&edited).remove(0);
    let altered = line.replace(r#"\"comment\":\"\""#, r#"\"comment\":\"lgtm\""#);
    assert_ne!(altered, line, "the payload has an empty comment to edit");
    f.t.git(&[
        "notes",
        "--ref=countersign",
        "add",
        "-f",
        "-m",
        &altered,
        &edited.to_string(),
    ]);
    // A valid line (its signature checks out) copied onto another commit.
    let copied_onto = commits[11];
    f.t.git(&[
        "notes",
        "--ref=countersign",
        "remove",
        &copied_onto.to_string(),
    ]);
    f.append_raw(&copied_onto, f.note_lines(&commits[12]).remove(0));
    // A line by a key outside the roster, in alice's name.
    let outsider = commits[17];
    f.t.git(&[
        "notes",
        "--ref=countersign",
        "remove",
        &outsider.to_string(),
    ]);
    let forged = forge(
        &f.t.repo,
        &outsider,
        &f.person("mallory").key,
        "alice@example.com",
        "countersign",
        &now(),
        |_| {},
    );
    f.append_raw(&outsider, forged);

    let (code, json) = f.verify_json(&["main..feature"]);
    assert_eq!(code, 1, "{json:#}");
    for (i, c) in commits.iter().enumerate() {
        let v = Fixture::verdict_for(&json, c);
        let forged = [5, 11, 17].contains(&i);
        assert_eq!(v["ok"], !forged, "commit {i}: {v:#}");
    }
    let said = |c: &git2::Oid| Fixture::verdict_for(&json, c).to_string();
    assert!(
        said(&edited).contains("the payload was altered after signing"),
        "{}",
        said(&edited)
    );
    assert!(
        said(&copied_onto).contains("copied from another commit"),
        "{}",
        said(&copied_onto)
    );
    assert!(
        said(&outsider).contains("does not list for alice@example.com"),
        "{}",
        said(&outsider)
    );
}
