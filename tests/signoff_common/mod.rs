//! A repository with a policy, a roster and real keys, for the sign-off tests.
//!
//! ```ignore
//! let f = Fixture::new();              // main: policy + roster; branch `feature` checked out
//! let c = f.ai_commit("src/lib.rs", "x", "Speed up"); // AI commit, supervised
//! f.sign(&c, "alice", "approve").success();
//! let v = f.verify_json(&[]);          // (exit code, JSON)
//! ```
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use countersign_core::git::{CommitChange, LoadDepth};
use countersign_core::signoff::{keys, Decision, Evidence, NoteLine, Payload};
use git2::Oid;
use ssh_key::{HashAlg, LineEnding, PrivateKey};

pub mod sk;
use crate::support::AllowedSigners;
#[allow(unused_imports)]
pub use crate::support::{
    alice_roster_line, countersign, git_in, git_stdin, require_tool, TestRepo,
};

/// The policy on main: everything supervised (1 senior), docs autonomous, `billing/**`
/// prohibited (2 seniors).
pub const POLICY: &str = r#"base = "main"
default_tier = "supervised"

[roles]
senior = ["alice@example.com", "bob@example.com", "dave@example.com"]

[ai]
trailers = ["Co-authored-by"]
agents = ["kiro", "claude"]

[tiers.autonomous]
approvals = 0
[tiers.supervised]
approvals = 1
role = "senior"
[tiers.prohibited]
approvals = 2
role = "senior"

[[rules]]
paths = ["docs/**"]
tier = "autonomous"

[[rules]]
paths = ["billing/**"]
tier = "prohibited"
"#;

/// A person with a key: alice, bob and dave are seniors, carol is in the roster without the
/// role, dave's key expired in 2020, mallory is not in the roster at all.
pub struct Person {
    /// Short name.
    pub name: &'static str,
    /// Principal (e-mail).
    pub principal: String,
    /// Private key file (unencrypted).
    pub key_path: PathBuf,
    /// The key.
    pub key: PrivateKey,
}

/// The repository, the people and their keys.
pub struct Fixture {
    /// The repository (branch `feature` checked out after `new`).
    pub t: TestRepo,
    /// Holds the key files.
    pub keys_dir: tempfile::TempDir,
    /// alice, bob, carol, dave, mallory.
    pub people: Vec<Person>,
    /// The commit on main holding policy and roster.
    pub base: Oid,
}

impl Fixture {
    /// main with a policy and roster, then branch `feature` checked out.
    pub fn new() -> Self {
        Self::with_policy(POLICY)
    }

    /// As [`Fixture::new`] with another policy.
    pub fn with_policy(policy: &str) -> Self {
        Self::with_roster_lines(policy, "")
    }

    /// As [`Fixture::with_policy`], with `extra` appended to the roster.
    pub fn with_roster_lines(policy: &str, extra: &str) -> Self {
        let t = TestRepo::new();
        let keys_dir = tempfile::tempdir().expect("keys dir");
        let mut people = Vec::new();
        for name in ["alice", "bob", "carol", "dave", "mallory"] {
            let principal = format!("{name}@example.com");
            let key = keys::generate_ed25519(&principal).expect("keygen");
            let key_path = keys_dir.path().join(name);
            keys::write_new_key_pair(&key, &key_path).expect("write key");
            people.push(Person {
                name,
                principal,
                key_path,
                key,
            });
        }
        let mut roster = AllowedSigners::new().comment("reviewers");
        for p in &people {
            let key = p.key.public_key();
            roster = match p.name {
                "mallory" => roster,
                "dave" => roster.signer_with(
                    &p.principal,
                    "namespaces=\"countersign\",valid-before=\"20200101\"",
                    key,
                ),
                _ => roster.signer(&p.principal, key),
            };
        }
        t.policy(policy).roster(&roster.raw(extra).render());
        t.write("src/lib.rs", "pub fn f() {}\n");
        t.write("docs/readme.md", "# docs\n");
        t.write("billing/src/lib.rs", "pub fn charge() {}\n");
        let base = t.commit("Policy, roster and code");
        t.start_branch("feature");
        Fixture {
            t,
            keys_dir,
            people,
            base,
        }
    }

    /// The person called `name`.
    pub fn person(&self, name: &str) -> &Person {
        self.people
            .iter()
            .find(|p| p.name == name)
            .expect("known person")
    }

    /// The repository's work tree.
    pub fn path(&self) -> &Path {
        self.t.path()
    }

    /// Writes `path` and commits it as kiro (AI).
    pub fn ai_commit(&self, path: &str, text: &str, msg: &str) -> Oid {
        self.t.write(path, text);
        self.t.commit_ai("kiro", msg)
    }

    /// Writes `path` and commits it as a human.
    pub fn human_commit(&self, path: &str, text: &str, msg: &str) -> Oid {
        self.t.write(path, text);
        self.t.commit(msg)
    }

    /// The binary, isolated from the user's configuration, run in the repository.
    pub fn cmd(&self) -> Command {
        countersign(self.path())
    }

    /// `sign COMMIT --decision D --yes --key <name's key>`, to add arguments to and run.
    pub fn sign_cmd(&self, commit: &Oid, name: &str, decision: &str) -> Command {
        let mut cmd = self.cmd();
        cmd.args(["sign", &commit.to_string(), "--decision", decision, "--yes"])
            .arg("--key")
            .arg(&self.person(name).key_path);
        cmd
    }

    /// `sign COMMIT --decision D --yes --key <name's key>`, run.
    pub fn sign(&self, commit: &Oid, name: &str, decision: &str) -> assert_cmd::assert::Assert {
        self.sign_cmd(commit, name, decision).assert()
    }

    /// `sign COMMIT --decision approve --yes --trusted-ref refs/heads/main --key KEY` with any
    /// file as the key (a broken or hostile one), stopped after `watchdog`.
    pub fn sign_with_key_file(
        &self,
        commit: &Oid,
        key: &Path,
        watchdog: std::time::Duration,
    ) -> std::process::Output {
        self.cmd()
            .args([
                "sign",
                &commit.to_string(),
                "--decision",
                "approve",
                "--yes",
            ])
            .args(["--trusted-ref", "refs/heads/main", "--key"])
            .arg(key)
            .timeout(watchdog)
            .output()
            .expect("sign runs")
    }

    /// `verify ARGS --format json`: the exit code and the document.
    pub fn verify_json(&self, args: &[&str]) -> (i32, serde_json::Value) {
        let out = self
            .cmd()
            .args(["verify", "--format", "json"])
            .args(args)
            .output()
            .expect("verify runs");
        let code = out.status.code().expect("exit code");
        let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "verify printed no JSON ({e}); exit {code}; stderr: {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (code, json)
    }

    /// The verify entry for `commit`.
    pub fn verdict_for(json: &serde_json::Value, commit: &Oid) -> serde_json::Value {
        json["commits"]
            .as_array()
            .expect("commits array")
            .iter()
            .find(|c| c["commit"] == commit.to_string())
            .cloned()
            .unwrap_or_else(|| panic!("{commit} not in {json:#}"))
    }

    /// `show COMMIT --format json`.
    pub fn show_json(&self, commit: &Oid) -> serde_json::Value {
        let out = self
            .cmd()
            .args(["show", &commit.to_string(), "--format", "json"])
            .output()
            .expect("show runs");
        assert!(
            out.status.success(),
            "show failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("show prints JSON")
    }

    /// The note lines on `commit`.
    pub fn note_lines(&self, commit: &Oid) -> Vec<String> {
        countersign_core::signoff::notes::read_lines(&self.t.repo, *commit).expect("read notes")
    }

    /// Appends a raw line to the note on `commit` (as an attacker with push access could).
    pub fn append_raw(&self, commit: &Oid, line: String) {
        countersign_core::signoff::notes::append(
            &self.t.repo,
            &[countersign_core::signoff::notes::Append {
                commit: *commit,
                lines: vec![line],
            }],
            "test: raw note line",
        )
        .expect("append note");
    }
}

/// A sign-off line made outside countersign: a payload for `commit` by `principal`, signed by
/// `key` in `namespace`, dated `timestamp`, after `edit` has changed what it likes.
pub fn forge(
    repo: &git2::Repository,
    commit: &Oid,
    key: &PrivateKey,
    principal: &str,
    namespace: &str,
    timestamp: &str,
    edit: impl FnOnce(&mut Payload),
) -> String {
    let change = CommitChange::load(repo, *commit, LoadDepth::Files).expect("load commit");
    let mut payload = Payload {
        version: 1,
        commit: change.id.to_string(),
        tree: change.tree.clone(),
        parents: change.parents.iter().map(ToString::to_string).collect(),
        patch_digest: change.patch_digest.clone(),
        tier: "supervised".into(),
        policy_digest: "sha256:forged".into(),
        decision: Decision::Approve,
        comment: String::new(),
        principal: principal.to_string(),
        key_fingerprint: keys::fingerprint(key.public_key()),
        timestamp: timestamp.to_string(),
        tool: "forger 1.0".into(),
        evidence: Evidence::none(1, "cli"),
        supersedes: None,
        comments: Vec::new(),
    };
    edit(&mut payload);
    let text = payload.canonical();
    let sig = key
        .sign(namespace, HashAlg::Sha512, text.as_bytes())
        .expect("sign")
        .to_pem(LineEnding::LF)
        .expect("armor");
    NoteLine {
        payload: text,
        signature: sig.trim_end().to_string(),
    }
    .to_line()
}

/// Now, RFC 3339.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A real `ssh-agent` on a socket of its own (killed by its own pid when dropped). `start`
/// returns once the agent accepts connections: the socket file exists from `bind`, before the
/// agent listens, and an `ssh-add` in between is refused.
pub struct Agent {
    child: std::process::Child,
    /// `SSH_AUTH_SOCK` for it.
    pub socket: PathBuf,
    _dir: tempfile::TempDir,
}

impl Agent {
    /// Starts the agent and waits (at most ten seconds) until it accepts a connection.
    pub fn start() -> Agent {
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("agent.sock");
        let child = std::process::Command::new("ssh-agent")
            .arg("-D")
            .arg("-a")
            .arg(&socket)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("ssh-agent runs (install openssh-client)");
        for _ in 0..500 {
            if std::os::unix::net::UnixStream::connect(&socket).is_ok() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        Agent {
            child,
            socket,
            _dir: dir,
        }
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A verify entry's `problems`, one a line (empty when it has none).
pub fn problems(v: &serde_json::Value) -> String {
    v["problems"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| p.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

/// Alice rejects `c` with the comment `unbounded cache` (the reject the carry and
/// notes-protection tests follow).
pub fn alice_rejects(f: &Fixture, c: &Oid) {
    f.sign_cmd(c, "alice", "reject")
        .args(["--comment", "unbounded cache"])
        .assert()
        .success();
}
