//! Attacks on the gate by a hostile branch author, and their siblings through other doors
//! (issue "Seal the gate", findings 6, 8, 11, 12, 13 and 14). Each test is named after the
//! attack and fails while the attack works.

use crate::signoff_common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::support::AllowedSigners;
use countersign_core::policy::{parse_roster, Roster};
use git2::{Oid, Signature, Time};
use signoff_common::{alice_roster_line, forge, git_in, git_stdin, now, Fixture, TestRepo, POLICY};

// ---------------------------------------------------------------- helpers

/// The fixture's policy with aider among the agents and an `authors` glob.
fn provenance_policy() -> String {
    POLICY.replace(
        "agents = [\"kiro\", \"claude\"]",
        "agents = [\"kiro\", \"claude\", \"aider\"]\nauthors = [\"*@agents.example\"]",
    )
}

/// Commits the index on the current branch with distinct author and committer.
fn commit_with(t: &TestRepo, author: (&str, &str), committer: (&str, &str), msg: &str) -> Oid {
    let when = Time::new(1_800_000_000, 0);
    let a = Signature::new(author.0, author.1, &when).expect("author");
    let c = Signature::new(committer.0, committer.1, &when).expect("committer");
    let mut index = t.repo.index().expect("index");
    index.read(true).expect("read index");
    let tree = t
        .repo
        .find_tree(index.write_tree().expect("write tree"))
        .expect("tree");
    let parent = t
        .repo
        .head()
        .expect("head")
        .peel_to_commit()
        .expect("parent");
    t.repo
        .commit(Some("HEAD"), &a, &c, msg, &tree, &[&parent])
        .expect("commit")
}

fn problems(v: &serde_json::Value) -> String {
    v["problems"].to_string()
}

/// Runs `cmd` to the end under a watchdog: a hang guard, not a timing. The limit is far above
/// the expected time (about a second); the quadratic behaviour it guards against takes many
/// minutes on the same input.
fn run_guarded(mut cmd: Command, limit: Duration) -> std::process::Output {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let child = cmd.spawn().expect("spawn");
    let id = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(limit) {
        Ok(out) => out.expect("wait"),
        Err(_) => {
            let _ = Command::new("kill").args(["-9", &id.to_string()]).status();
            panic!("still running after {limit:?}: it hangs on hostile input");
        }
    }
}

/// The countersign binary as the fixture runs it, as a std Command (for the watchdog).
fn std_cmd(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("countersign"));
    cmd.current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .env("NO_COLOR", "1")
        .env_remove("COUNTERSIGN_KEY")
        .env_remove("SSH_AUTH_SOCK");
    cmd
}

// ---------------------------------------------------------------- 6: provenance

#[test]
fn an_agent_amending_a_human_commit_on_a_prohibited_crate_is_forbidden() {
    let f = Fixture::with_policy(&provenance_policy());
    f.t.write("billing/src/lib.rs", "pub fn charge() { amended(); }\n");
    let human = ("Dana Human", "dana@example.com");
    let c = commit_with(&f.t, human, ("Kiro", "kiro@agents.example"), "Tidy billing");
    let (code, json) = f.verify_json(&[&c.to_string()]);
    assert_eq!(code, 1, "{json:#}");
    let v = Fixture::verdict_for(&json, &c);
    assert!(v["ai"]["rule"].to_string().contains("committer"), "{v:#}");
    assert!(problems(&v).contains("prohibited"), "{v:#}");

    // The honest counterpart: a human commits it, nothing to gate.
    f.t.write("billing/src/lib.rs", "pub fn charge() { by_hand(); }\n");
    let h = commit_with(&f.t, human, human, "Billing by hand");
    let (code, json) = f.verify_json(&[&h.to_string()]);
    assert_eq!(code, 0, "{json:#}");
}

#[test]
fn an_agent_committer_email_in_capitals_is_still_an_agent() {
    let f = Fixture::with_policy(&provenance_policy());
    f.t.write("billing/src/lib.rs", "pub fn charge() { 2; }\n");
    let c = commit_with(
        &f.t,
        ("Dana Human", "dana@example.com"),
        ("Kiro", "KIRO@Agents.Example"),
        "Tidy billing",
    );
    let (code, json) = f.verify_json(&[&c.to_string()]);
    assert_eq!(code, 1, "{json:#}");
    assert!(!Fixture::verdict_for(&json, &c)["ai"].is_null(), "{json:#}");
}

#[test]
fn a_committer_named_as_an_agent_with_a_human_email_is_an_agent() {
    let f = Fixture::with_policy(&provenance_policy());
    f.t.write("billing/src/lib.rs", "pub fn charge() { 3; }\n");
    let c = commit_with(
        &f.t,
        ("Dana Human", "dana@example.com"),
        ("kiro", "ops@example.com"),
        "Tidy billing",
    );
    let (code, json) = f.verify_json(&[&c.to_string()]);
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(
        Fixture::verdict_for(&json, &c)["ai"]["agent"],
        "kiro",
        "{json:#}"
    );
}

#[test]
fn aiders_own_marker_on_author_and_committer_names_makes_it_ai() {
    let f = Fixture::with_policy(&provenance_policy());
    f.t.write("src/lib.rs", "pub fn f() { 3; }\n");
    let aider = ("Dana Human (aider)", "dana@example.com");
    let c = commit_with(&f.t, aider, aider, "feat: speed up f");
    let (code, json) = f.verify_json(&[&c.to_string()]);
    assert_eq!(code, 1, "{json:#}");
    let v = Fixture::verdict_for(&json, &c);
    assert_eq!(v["ai"]["agent"], "aider", "{v:#}");

    // Aider with only the committer marked (`--no-attribute-author`) is still AI.
    f.t.write("src/lib.rs", "pub fn f() { 4; }\n");
    let c = commit_with(
        &f.t,
        ("Dana Human", "dana@example.com"),
        aider,
        "feat: again",
    );
    let (code, json) = f.verify_json(&[&c.to_string()]);
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(Fixture::verdict_for(&json, &c)["ai"]["agent"], "aider");
}

#[test]
fn an_agent_trailer_in_a_merge_commit_above_a_conflicts_block_counts() {
    let f = Fixture::with_policy(&provenance_policy());
    git_in(f.path(), &["checkout", "-q", "-b", "side"]);
    f.human_commit("src/lib.rs", "pub fn f() { 5; }\n", "Side work");
    git_in(f.path(), &["checkout", "-q", "feature"]);
    f.human_commit("docs/readme.md", "# docs, edited\n", "Docs");
    let msg = "Merge branch 'side'\n\nCo-authored-by: Claude <noreply@anthropic.com>\n\nConflicts:\n\tsrc/lib.rs\n";
    git_in(f.path(), &["merge", "-q", "--no-ff", "-m", msg, "side"]);
    let c = git_in(f.path(), &["rev-parse", "HEAD"]);
    let c = Oid::from_str(c.trim()).expect("oid");
    // git's own trailer parser agrees that the trailer is one.
    let parsed = git_in(
        f.path(),
        &[
            "log",
            "-1",
            "--format=%(trailers:key=Co-authored-by)",
            &c.to_string(),
        ],
    );
    assert!(parsed.contains("Claude"), "{parsed}");
    // A clean merge adds nothing of its own (so it may pass), but it is an agent's merge.
    let (_, json) = f.verify_json(&[&c.to_string()]);
    assert_eq!(Fixture::verdict_for(&json, &c)["ai"]["agent"], "claude");
}

// ---------------------------------------------------------------- 8: hostile note sizes

#[test]
fn a_note_with_huge_principals_against_a_roster_pattern_does_not_stall_verify() {
    let f = Fixture::new();
    let mallory = f.person("mallory");
    f.t.add_to_roster_on(
        "main",
        &AllowedSigners::new()
            .signer("*@*.example.com", mallory.key.public_key())
            .render(),
    );
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    f.sign(&c, "alice", "approve").success();
    // Principals the old backtracking matcher takes quadratic time on: 60,000 `@` (a payload
    // under 64 KiB) several times over, and one line over a megabyte.
    for (i, n) in [60_000, 60_000, 60_000, 60_000, 1_100_000]
        .into_iter()
        .enumerate()
    {
        let at = "@".repeat(n);
        let line = forge(
            &f.t.repo,
            &c,
            &mallory.key,
            &at,
            "countersign",
            &now(),
            |p| {
                p.comment = format!("line {i}");
            },
        );
        f.append_raw(&c, line);
    }
    let limit = Duration::from_secs(120);
    let out = run_guarded(
        std_cmd(f.path(), &["verify", &c.to_string(), "--format", "json"]),
        limit,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "the honest approval still counts: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run_guarded(
        std_cmd(f.path(), &["show", &c.to_string(), "--format", "json"]),
        limit,
    );
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).expect("show JSON");
    let invalid: Vec<&serde_json::Value> = shown
        .as_array()
        .expect("array")
        .iter()
        .filter(|s| s["valid"] == false)
        .collect();
    assert_eq!(invalid.len(), 5, "{shown:#}");
    for s in invalid {
        assert!(s["problems"].to_string().contains("bytes"), "{s:#}");
    }
}

// ---------------------------------------------------------------- 11: sign = verify

#[test]
fn sign_refuses_a_principal_its_key_has_only_through_a_pattern() {
    let f = Fixture::new();
    let mallory = f.person("mallory");
    f.t.add_to_roster_on(
        "main",
        &AllowedSigners::new()
            .signer("*@example.com", mallory.key.public_key())
            .render(),
    );
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    for principal in [Some("alice@example.com"), Some("zed@example.com"), None] {
        let mut cmd = f.cmd();
        cmd.args(["sign", &c.to_string(), "--decision", "approve", "--yes"])
            .arg("--key")
            .arg(&mallory.key_path);
        if let Some(p) = principal {
            cmd.args(["--principal", p]);
        }
        let out = cmd.output().expect("sign runs");
        assert_eq!(out.status.code(), Some(1), "{principal:?}: {out:?}");
        let said = String::from_utf8_lossy(&out.stderr).to_string()
            + &String::from_utf8_lossy(&out.stdout);
        assert!(said.contains("nothing was signed"), "{said}");
        assert!(said.contains("*@example.com"), "{said}");
    }
    assert!(f.note_lines(&c).is_empty(), "nothing may be written");
}

#[test]
fn sign_and_verify_accept_a_namespaces_star_line_as_ssh_keygen_does() {
    let f = Fixture::new();
    let mallory = f.person("mallory");
    f.t.add_to_roster_on(
        "main",
        &AllowedSigners::new()
            .signer_with(
                "mallory@example.com",
                "namespaces=\"*\"",
                mallory.key.public_key(),
            )
            .render(),
    );
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    f.sign(&c, "mallory", "approve").success();
    let shown = f.show_json(&c);
    assert_eq!(shown[0]["valid"], true, "{shown:#}");
}

#[test]
fn a_negated_principal_in_the_roster_cannot_sign_for_them() {
    let f = Fixture::new();
    let mallory = f.person("mallory");
    // ssh-keygen reads this line as "anyone but alice" (and then no one).
    f.t.add_to_roster_on(
        "main",
        &AllowedSigners::new()
            .signer(
                "!alice@example.com,alice@example.com",
                mallory.key.public_key(),
            )
            .render(),
    );
    let c = f.ai_commit("src/lib.rs", "pub fn f() { 1; }\n", "Tweak f");
    f.append_raw(
        &c,
        forge(
            &f.t.repo,
            &c,
            &mallory.key,
            "alice@example.com",
            "countersign",
            &now(),
            |_| {},
        ),
    );
    let (code, json) = f.verify_json(&[&c.to_string()]);
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(Fixture::verdict_for(&json, &c)["approvals"], 0, "{json:#}");
}

// ---------------------------------------------------------------- 12: roster = ssh-keygen

/// A key, a message signed with it in namespace `countersign`, and the public key text.
struct Signed {
    dir: tempfile::TempDir,
    public: String,
}

impl Signed {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let key = dir.path().join("k");
        let ok = Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-C", "k", "-f"])
            .arg(&key)
            .status()
            .expect("ssh-keygen");
        assert!(ok.success());
        std::fs::write(dir.path().join("msg"), "hello\n").expect("msg");
        let ok = Command::new("ssh-keygen")
            .args(["-q", "-Y", "sign", "-n", "countersign", "-f"])
            .arg(&key)
            .arg(dir.path().join("msg"))
            .stderr(Stdio::null())
            .status()
            .expect("ssh-keygen sign");
        assert!(ok.success());
        let public = std::fs::read_to_string(key.with_extension("pub")).expect("pub");
        let public = public
            .split_whitespace()
            .take(2)
            .collect::<Vec<_>>()
            .join(" ");
        Signed { dir, public }
    }

    /// Does `ssh-keygen -Y verify` accept the signature as `principal` with this roster?
    fn ssh_keygen_verifies(&self, roster: &str, principal: &str) -> bool {
        let file = self.dir.path().join("allowed_signers");
        std::fs::write(&file, roster).expect("roster");
        let msg = std::fs::File::open(self.dir.path().join("msg")).expect("msg");
        Command::new("ssh-keygen")
            .args(["-Y", "verify", "-n", "countersign", "-f"])
            .arg(&file)
            .args(["-I", principal, "-s"])
            .arg(self.dir.path().join("msg.sig"))
            .env("TZ", "UTC")
            .stdin(msg)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("ssh-keygen verify")
            .success()
    }

    /// Does countersign's roster let this key sign as `principal` in namespace
    /// `countersign` now? (The parser and the matching, as `verify` uses them.)
    fn countersign_verifies(&self, roster: &str, principal: &str) -> bool {
        let Ok(r): Result<Roster, _> = parse_roster(roster, "allowed_signers") else {
            return false;
        };
        let key = ssh_key::PublicKey::from_openssh(&self.public).expect("key");
        let now = chrono::Utc::now();
        r.entries.iter().any(|e| {
            e.key.key_data() == key.key_data()
                && e.matches_principal(principal)
                && e.allows_namespace("countersign")
                && e.valid_after.is_none_or(|t| now >= t)
                && e.valid_before.is_none_or(|t| now <= t)
        })
    }

    /// The principals `ssh-keygen -Y find-principals` prints for the signature (None when it
    /// fails).
    fn ssh_keygen_finds(&self, roster: &str) -> Option<Vec<String>> {
        let file = self.dir.path().join("allowed_signers");
        std::fs::write(&file, roster).expect("roster");
        let out = Command::new("ssh-keygen")
            .args(["-Y", "find-principals", "-f"])
            .arg(&file)
            .arg("-s")
            .arg(self.dir.path().join("msg.sig"))
            .env("TZ", "UTC")
            .stderr(Stdio::null())
            .output()
            .expect("ssh-keygen find-principals");
        out.status.success().then(|| {
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .map(str::to_string)
                .collect()
        })
    }

    /// What countersign's roster says `find-principals` should print: the principals of the
    /// first line with this key that is valid now (namespaces are not looked at there).
    fn countersign_finds(&self, roster: &str) -> Option<Vec<String>> {
        let r = parse_roster(roster, "allowed_signers").ok()?;
        let key = ssh_key::PublicKey::from_openssh(&self.public).expect("key");
        let now = chrono::Utc::now();
        r.entries
            .iter()
            .find(|e| {
                e.key.key_data() == key.key_data()
                    && e.valid_after.is_none_or(|t| now >= t)
                    && e.valid_before.is_none_or(|t| now <= t)
            })
            .map(|e| e.principals.clone())
    }

    /// Both verdicts on `line` (with `{K}` standing for the key) as `-Y verify -I principal`
    /// and as `-Y find-principals`, asserted equal; returns the verify verdict.
    fn agree(&self, line: &str, principal: &str) -> bool {
        let roster = format!("{}\n", line.replace("{K}", &self.public));
        let ssh = self.ssh_keygen_verifies(&roster, principal);
        let ours = self.countersign_verifies(&roster, principal);
        assert_eq!(
            ours, ssh,
            "countersign says {ours}, ssh-keygen says {ssh}, for {principal:?} on {line:?}"
        );
        let ssh = self.ssh_keygen_finds(&roster);
        let ours = self.countersign_finds(&roster);
        assert_eq!(ours, ssh, "find-principals on {line:?}");
        self.countersign_verifies(&roster, principal)
    }
}

#[test]
fn a_line_with_two_namespaces_clauses_is_refused_like_ssh_keygen() {
    let s = Signed::new();
    assert!(!s.agree(
        "a@x namespaces=\"countersign\",namespaces=\"git\" {K}",
        "a@x"
    ));
    assert!(!s.agree(
        "a@x namespaces=\"git\",NAMESPACES=\"countersign\" {K}",
        "a@x"
    ));
}

#[test]
fn a_quoted_principals_list_names_each_of_its_principals() {
    let s = Signed::new();
    assert!(s.agree("\"alice@x,bob@x\" {K}", "bob@x"));
    assert!(s.agree("\"alice@x,bob@x\" {K}", "alice@x"));
    assert!(!s.agree("\"alice@x,bob@x\" {K}", "alice@x,bob@x"));
}

#[test]
fn namespaces_star_is_accepted_like_ssh_keygen() {
    let s = Signed::new();
    assert!(s.agree("a@x namespaces=\"*\" {K}", "a@x"));
    assert!(s.agree("a@x namespaces=\"count*\" {K}", "a@x"));
    assert!(!s.agree("a@x namespaces=\"!countersign,*\" {K}", "a@x"));
}

#[test]
fn the_roster_agrees_with_ssh_keygen_on_every_line_form() {
    let s = Signed::new();
    let cases: &[(&str, &str, bool)] = &[
        ("a@x {K}", "a@x", true),
        ("  a@x\t{K} a comment with a \"quote", "a@x", true),
        ("a@x\tnamespaces=\"countersign\"\t{K}", "a@x", true),
        ("a@x NAMESPACES=\"countersign\" {K}", "a@x", true),
        ("a@x Valid-Before=\"29990101\" {K}", "a@x", true),
        ("a@x valid-after=20200101 {K}", "a@x", false),
        ("a@x valid-after=\"20200101\" {K}", "a@x", true),
        ("a@x valid-after=\"20200101UTC\" {K}", "a@x", true),
        ("a@x valid-after=\"19700101Z\" {K}", "a@x", false),
        (
            "a@x valid-after=\"20200101\",valid-after=\"20200102\" {K}",
            "a@x",
            false,
        ),
        (
            "a@x valid-before=\"20200101\",valid-after=\"20100101\" {K}",
            "a@x",
            false,
        ),
        ("a@x ,namespaces=\"countersign\" {K}", "a@x", true),
        ("a@x namespaces=\"countersign\", {K}", "a@x", false),
        (
            "a@x namespaces=\"countersign\",,valid-after=\"20200101\" {K}",
            "a@x",
            true,
        ),
        ("a@x namespaces=\"git, countersign\" {K}", "a@x", false),
        ("a@x namespaces=\"\" {K}", "a@x", false),
        ("a@x namespaces=\"a\\\"b,countersign\" {K}", "a@x", true),
        ("a@x namespaces=countersign {K}", "a@x", false),
        ("a@x namespaces=\"countersign {K}", "a@x", false),
        ("a@x foo {K}", "a@x", false),
        ("a@x cert-authority {K}", "a@x", false),
        ("a@x cert-authorityx {K}", "a@x", false),
        ("!a@x,a@x {K}", "a@x", false),
        ("!b@x,*@x {K}", "b@x", false),
        ("!b@x,*@x {K}", "c@x", true),
        ("*@x {K}", "a@x", true),
        ("*@x {K}", "a@y", false),
        ("?@x {K}", "é@x", false),
        ("??@x {K}", "é@x", true),
        ("A@x {K}", "a@x", false),
        ("\"a x@y\" {K}", "a x@y", true),
        ("\"a@x\",b@x {K}", "b@x", false),
        ("\"a@x\",b@x {K}", "a@x", false),
        ("a@x,\"b@x\" {K}", "b@x", true),
        ("a\"@x b\"@y {K}", "a@x b@y", false),
        ("\"a@x {K}", "a@x", false),
        ("a@x", "a@x", false),
        ("a@x namespaces=\"countersign\"", "a@x", false),
    ];
    for (line, principal, expected) in cases {
        assert_eq!(
            s.agree(line, principal),
            *expected,
            "{line:?} as {principal:?}"
        );
    }
    // A key whose blob is of another type than the one written before it.
    let mismatched = s.public.replacen("ssh-ed25519", "ssh-rsa", 1);
    assert!(!s.agree(&format!("a@x {mismatched}"), "a@x"));
}

#[test]
fn a_role_member_admitted_only_by_a_roster_pattern_is_reported_by_policy_check() {
    let t = TestRepo::new();
    let scratch = tempfile::tempdir().expect("scratch");
    let line = alice_roster_line(scratch.path());
    t.write(
        ".countersign/policy.toml",
        "[roles]\nsenior = [\"alice@example.com\", \"bob@example.com\"]\n",
    );
    let bob = line.replacen("alice@example.com", "*@example.com", 1);
    t.write(".countersign/allowed_signers", format!("{line}{bob}"));
    let out = signoff_common::countersign(t.path())
        .args(["policy", "check"])
        .output()
        .expect("policy check runs");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err =
        String::from_utf8_lossy(&out.stderr).to_string() + &String::from_utf8_lossy(&out.stdout);
    assert!(
        err.contains("bob@example.com") && err.contains("pattern"),
        "{err}"
    );
    assert!(!err.contains("`alice@example.com`"), "{err}");
}

// ---------------------------------------------------------------- 13: init

fn init_cmd(dir: &Path) -> assert_cmd::Command {
    let mut cmd = signoff_common::countersign(dir);
    cmd.arg("init");
    cmd
}

#[test]
fn init_with_a_remote_named_with_a_quote_leaves_a_working_repository() {
    let t = TestRepo::new();
    t.write("README.md", "x\n");
    t.commit("Base");
    git_in(
        t.path(),
        &["remote", "add", "we\"ird", "https://example.com/x.git"],
    );
    init_cmd(t.path()).assert().success();
    // Every git command still reads the config, and the refspec says what it should.
    git_in(t.path(), &["status"]);
    let fetch = git_in(t.path(), &["config", "--get-all", "remote.we\"ird.fetch"]);
    assert!(
        fetch.contains("+refs/notes/countersign*:refs/notes/remotes/we\"ird/countersign*"),
        "{fetch}"
    );
    // A second run sees it and adds nothing.
    init_cmd(t.path()).assert().success();
    let again = git_in(t.path(), &["config", "--get-all", "remote.we\"ird.fetch"]);
    assert_eq!(again, fetch);
}

#[test]
fn init_refuses_a_symlinked_countersign_dir_and_writes_nothing_outside() {
    let t = TestRepo::new();
    t.write("README.md", "x\n");
    t.commit("Base");
    let outside = tempfile::tempdir().expect("outside");
    std::os::unix::fs::symlink(outside.path(), t.path().join(".countersign")).expect("symlink");
    let out = init_cmd(t.path()).output().expect("init runs");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("symbolic link"),
        "{out:?}"
    );
    let written: Vec<_> = std::fs::read_dir(outside.path()).expect("dir").collect();
    assert!(written.is_empty(), "init wrote outside the repository");

    // The same through the files: a real directory whose policy.toml links outside.
    std::fs::remove_file(t.path().join(".countersign")).expect("rm link");
    std::fs::create_dir(t.path().join(".countersign")).expect("dir");
    let target = outside.path().join("victim");
    std::fs::write(&target, "untouched\n").expect("victim");
    std::os::unix::fs::symlink(&target, t.path().join(".countersign/policy.toml"))
        .expect("symlink");
    init_cmd(t.path()).assert().success();
    assert_eq!(
        std::fs::read_to_string(&target).expect("victim"),
        "untouched\n"
    );
}

#[test]
fn init_completions_and_man_exit_quietly_on_a_closed_pipe() {
    let t = TestRepo::new();
    t.write("README.md", "x\n");
    t.commit("Base");
    for args in [&["init"][..], &["completions", "bash"], &["man"]] {
        let (reader, writer) = std::io::pipe().expect("pipe");
        drop(reader);
        let out = std_cmd(t.path(), args)
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .expect("runs");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
    // init did its work all the same.
    assert!(t.path().join(".countersign/policy.toml").is_file());
}

#[test]
fn init_records_the_trusted_ref_as_a_full_ref_and_base_as_its_branch() {
    // No remote, only `master`: the base is master, never a `main` that does not exist.
    let t = TestRepo::new();
    t.write("README.md", "x\n");
    t.commit("Base");
    git_in(t.path(), &["branch", "-m", "main", "master"]);
    init_cmd(t.path()).assert().success();
    assert_eq!(
        git_in(t.path(), &["config", "countersign.trustedRef"]).trim(),
        "refs/heads/master"
    );
    let policy =
        std::fs::read_to_string(t.path().join(".countersign/policy.toml")).expect("policy");
    assert!(policy.contains("base = \"master\""), "{policy}");

    // A clone: the remote's HEAD (`trunk`), whatever local branches exist.
    let upstream = TestRepo::new();
    upstream.write("README.md", "x\n");
    upstream.commit("Base");
    git_in(upstream.path(), &["branch", "-m", "main", "trunk"]);
    let dir = tempfile::tempdir().expect("dir");
    git_in(
        dir.path(),
        &["clone", "-q", &upstream.path().to_string_lossy(), "clone"],
    );
    let clone = dir.path().join("clone");
    git_in(&clone, &["branch", "main"]);
    init_cmd(&clone).assert().success();
    assert_eq!(
        git_in(&clone, &["config", "countersign.trustedRef"]).trim(),
        "refs/remotes/origin/trunk"
    );
    let policy = std::fs::read_to_string(clone.join(".countersign/policy.toml")).expect("policy");
    assert!(policy.contains("base = \"trunk\""), "{policy}");
}

// ---------------------------------------------------------------- 14: tree paths

/// Makes a commit on `feature` whose tree is `feature`'s plus `docs/<entry>` = a tree holding
/// `billing/src/lib.rs` (new content) under the raw entry name `entry` (`..`, or a name with
/// backslashes), built with the real `git mktree`, authored by an agent.
fn commit_with_raw_docs_entry(f: &Fixture, entry: &str, nested: bool) -> Oid {
    let dir = f.path();
    let mktree = |input: String| git_stdin(dir, &["mktree"], input.as_bytes());
    let blob = git_stdin(
        dir,
        &["hash-object", "-w", "--stdin"],
        b"pub fn charge() { steal(); }\n",
    );
    let docs_entry = if nested {
        let lib = mktree(format!("100644 blob {blob}\tlib.rs\n"));
        let src = mktree(format!("040000 tree {lib}\tsrc\n"));
        let billing = mktree(format!("040000 tree {src}\tbilling\n"));
        format!("040000 tree {billing}\t{entry}\n")
    } else {
        format!("100644 blob {blob}\t{entry}\n")
    };
    let old_docs = git_in(dir, &["ls-tree", "HEAD:docs"]);
    let docs = mktree(format!("{old_docs}{docs_entry}"));
    let top: String = git_in(dir, &["ls-tree", "HEAD"])
        .lines()
        .filter(|l| !l.ends_with("\tdocs"))
        .map(|l| format!("{l}\n"))
        .collect();
    let tree = mktree(format!("{top}040000 tree {docs}\tdocs\n"));
    let head = git_in(dir, &["rev-parse", "HEAD"]);
    let commit = git_in(
        dir,
        &[
            "commit-tree",
            &tree,
            "-p",
            head.trim(),
            "-m",
            "Docs\n\nCo-authored-by: kiro <kiro@agents.example>",
        ],
    );
    git_in(dir, &["update-ref", "refs/heads/feature", commit.trim()]);
    Oid::from_str(commit.trim()).expect("oid")
}

#[test]
fn a_dotdot_tree_path_into_a_prohibited_crate_does_not_pass_as_docs() {
    let f = Fixture::new();
    let c = commit_with_raw_docs_entry(&f, "..", true);
    let files = git_in(
        f.path(),
        &["diff-tree", "-r", "--name-only", &c.to_string()],
    );
    assert!(files.contains("docs/../billing/src/lib.rs"), "{files}");
    let (code, json) = f.verify_json(&[&c.to_string()]);
    assert_eq!(code, 1, "{json:#}");
    let v = Fixture::verdict_for(&json, &c);
    assert_eq!(v["tier"], "prohibited", "{v:#}");
    assert!(
        v["tier_reasons"].to_string().contains("irregular") || problems(&v).contains("irregular"),
        "{v:#}"
    );
}

#[test]
fn a_backslash_tree_path_does_not_pass_as_docs() {
    let f = Fixture::new();
    let c = commit_with_raw_docs_entry(&f, "..\\billing\\src\\lib.rs", false);
    let (code, json) = f.verify_json(&[&c.to_string()]);
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(
        Fixture::verdict_for(&json, &c)["tier"],
        "prohibited",
        "{json:#}"
    );
}

#[test]
fn a_case_folded_countersign_dir_is_prohibited_for_ai() {
    let f = Fixture::new();
    let c = f.ai_commit(
        ".Countersign/policy.toml",
        "default_tier = \"autonomous\"\n",
        "Relax the policy (on a case-insensitive checkout)",
    );
    // An approval, where sign allows one (it refuses AI in the prohibited tier).
    let _ = f.sign(&c, "alice", "approve");
    let (code, json) = f.verify_json(&[&c.to_string()]);
    assert_eq!(code, 1, "{json:#}");
    let v = Fixture::verdict_for(&json, &c);
    assert_eq!(v["tier"], "prohibited", "{v:#}");
}

#[test]
fn a_case_folded_path_into_a_prohibited_crate_takes_its_tier() {
    // `Billing/src/lib.rs` is written into `billing/` on a case-insensitive checkout (macOS
    // runners, Windows) and compiled into the prohibited crate there.
    let f = Fixture::new();
    let c = f.ai_commit(
        "Billing/src/lib.rs",
        "pub fn charge() { steal(); }\n",
        "Docs",
    );
    let (code, json) = f.verify_json(&[&c.to_string()]);
    assert_eq!(code, 1, "{json:#}");
    let v = Fixture::verdict_for(&json, &c);
    assert_eq!(v["tier"], "prohibited", "{v:#}");
    assert!(problems(&v).contains("case-insensitive"), "{v:#}");

    // Folding only ever raises: `DOCS/x.md` is not made autonomous by the `docs/**` rule.
    let d = f.ai_commit("DOCS/x.md", "# x\n", "More docs");
    let (_, json) = f.verify_json(&[&d.to_string()]);
    assert_eq!(
        Fixture::verdict_for(&json, &d)["tier"],
        "supervised",
        "{json:#}"
    );
}

#[test]
fn a_case_folded_path_into_a_prohibited_workspace_member_takes_its_tier() {
    let f = Fixture::new();
    f.t.checkout("main");
    f.t.write("Cargo.toml", "[workspace]\nmembers = [\"crates/ledger\"]\n");
    f.t.write(
        "crates/ledger/Cargo.toml",
        "[package]\nname = \"ledger\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [package.metadata.countersign]\ntier = \"prohibited\"\n",
    );
    f.t.write("crates/ledger/src/lib.rs", "pub fn post() {}\n");
    f.t.commit("Ledger crate");
    git_in(f.path(), &["branch", "-f", "feature", "main"]);
    f.t.checkout("feature");
    let c = f.ai_commit(
        "Crates/Ledger/src/lib.rs",
        "pub fn post() { skim(); }\n",
        "Tidy",
    );
    let (code, json) = f.verify_json(&[&c.to_string()]);
    assert_eq!(code, 1, "{json:#}");
    let v = Fixture::verdict_for(&json, &c);
    assert_eq!(v["tier"], "prohibited", "{v:#}");
    assert!(problems(&v).contains("crates/ledger"), "{v:#}");
}
