//! The foundation end to end through the real binary: errors outside a usable repository,
//! the demo, `status` (provenance, direct tiers, states) and `policy check`.

use crate::support;

use std::path::Path;

use predicates::prelude::*;
use support::{alice_roster_line, countersign, Package, TestRepo};

fn status_json(dir: &Path, args: &[&str]) -> serde_json::Value {
    let out = countersign(dir)
        .args(["status", "--format", "json"])
        .args(args)
        .output()
        .expect("status runs");
    assert!(
        out.status.success(),
        "status failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("status prints JSON")
}

const POLICY: &str = r#"base = "main"
default_tier = "supervised"

[roles]
senior = ["alice@example.com"]

[ai]
trailers = ["Co-authored-by", "Assisted-by", "Generated-by"]
agents = ["kiro", "claude", "copilot"]
authors = ["*@agents.example"]

[[rules]]
paths = ["docs/**"]
tier = "autonomous"

[[rules]]
crates = ["billing"]
tier = "prohibited"
"#;

/// A workspace with `app`, `billing` (prohibited by rule) and `ledger` (prohibited by its
/// Cargo.toml), the policy and roster committed on main, then branch `feature` checked out.
fn governed_repo() -> TestRepo {
    let repo = TestRepo::new();
    repo.cargo_workspace(&["crates/*"]);
    for name in ["app", "billing"] {
        repo.package(&Package::new(name).lib("pub fn f() {}\n"));
    }
    repo.package(
        &Package::new("ledger")
            .tier("prohibited")
            .lib("pub fn g() {}\n"),
    );
    repo.write("docs/guide.md", "# Guide\n");
    repo.policy(POLICY).roster(&alice_roster_line(repo.path()));
    repo.commit("Base");
    repo.start_branch("feature");
    repo
}

#[test]
fn outside_a_repository_says_so_and_exits_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    countersign(dir.path())
        .arg("status")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not inside a git repository"));
}

#[test]
fn bare_repository_is_refused_with_what_to_do() {
    let dir = tempfile::tempdir().expect("tempdir");
    git2::Repository::init_bare(dir.path()).expect("bare repo");
    countersign(dir.path())
        .arg("status")
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("bare repository").and(predicate::str::contains("git clone")),
        );
}

#[test]
fn unknown_revspec_exits_2_naming_it() {
    let repo = governed_repo();
    countersign(repo.path())
        .args(["status", "no-such-branch..HEAD"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no-such-branch..HEAD"));
}

#[test]
fn repository_without_policy_points_to_the_readme() {
    let repo = TestRepo::new();
    repo.write("README.md", "hi\n");
    repo.commit("Base");
    countersign(repo.path())
        .arg("status")
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("no policy at refs/heads/main:.countersign/policy.toml")
                .and(predicate::str::contains("README")),
        );
}

#[test]
fn no_base_branch_asks_for_trusted_ref() {
    let repo = TestRepo::new();
    repo.write("a.txt", "a\n");
    repo.commit("Base");
    repo.git(&["branch", "-m", "main", "trunk"]);
    countersign(repo.path())
        .arg("status")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--trusted-ref"));
}

#[test]
fn status_reports_provenance_tiers_and_states() {
    let repo = governed_repo();
    repo.write("docs/guide.md", "# Guide\n\nMore.\n");
    repo.commit_ai("kiro", "Docs only");
    repo.write("crates/app/src/lib.rs", "pub fn f() { }\n");
    repo.commit_ai("claude", "Touch app");
    repo.write("crates/billing/src/lib.rs", "pub fn f() { /* */ }\n");
    repo.commit_ai("copilot", "Touch billing");
    repo.write("crates/app/src/lib.rs", "pub fn f() {}\n");
    repo.commit("Human fix");

    let rows = status_json(repo.path(), &[]);
    let rows = rows.as_array().expect("an array");
    assert_eq!(rows.len(), 4, "main..HEAD has four commits: {rows:?}");
    let pick = |i: usize, f: &str| rows[i][f].clone();
    assert_eq!(pick(0, "summary"), "Docs only");
    assert_eq!(pick(0, "tier"), "autonomous");
    assert_eq!(pick(0, "state"), "not-required");
    assert_eq!(rows[0]["ai"]["agent"], "kiro");
    assert!(rows[0]["ai"]["rule"]
        .as_str()
        .unwrap_or("")
        .contains("Co-authored-by"));
    assert_eq!(pick(1, "tier"), "supervised");
    assert_eq!(pick(1, "state"), "needs-signoff");
    assert_eq!(pick(2, "tier"), "prohibited");
    assert_eq!(pick(2, "state"), "forbidden");
    let reasons = rows[2]["tier_reasons"].to_string();
    assert!(
        reasons.contains("billing"),
        "reasons name the crate: {reasons}"
    );
    assert_eq!(pick(3, "ai"), serde_json::Value::Null);
    assert_eq!(pick(3, "state"), "not-required");
    assert!(rows[0]["commit"].as_str().is_some_and(|c| c.len() == 40));
    assert!(rows[0]["signoffs"].is_array());
}

#[test]
fn cargo_metadata_tier_comes_from_the_trusted_ref_and_cannot_be_lowered() {
    let repo = governed_repo();
    repo.write(
        "crates/ledger/Cargo.toml",
        "[package]\nname = \"ledger\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[package.metadata.countersign]\ntier = \"autonomous\"\n",
    );
    repo.write("crates/ledger/src/lib.rs", "pub fn g() { }\n");
    repo.commit_ai("kiro", "Relax ledger and change it");
    let rows = status_json(repo.path(), &[]);
    assert_eq!(rows[0]["tier"], "prohibited");
    assert!(
        rows[0]["tier_reasons"]
            .to_string()
            .contains("crates/ledger` is prohibited by its Cargo.toml"),
        "{}",
        rows[0]["tier_reasons"]
    );
}

#[test]
fn anything_under_dot_countersign_is_prohibited_even_with_a_rule_saying_otherwise() {
    let repo = governed_repo();
    repo.write(
        ".countersign/policy.toml",
        format!("{POLICY}\n[[rules]]\npaths = [\".countersign/**\"]\ntier = \"autonomous\"\n"),
    );
    repo.commit("Human edits the policy");
    let rows = status_json(repo.path(), &[]);
    assert_eq!(rows[0]["tier"], "prohibited");
    assert_eq!(
        rows[0]["state"], "not-required",
        "a human commit needs no AI sign-off state"
    );
}

#[test]
fn a_rename_counts_both_sides() {
    let repo = governed_repo();
    repo.git(&["mv", "crates/billing/src/lib.rs", "docs/billing.rs"]);
    repo.commit_ai("kiro", "Move billing code into docs");
    let rows = status_json(repo.path(), &[]);
    assert_eq!(rows[0]["tier"], "prohibited", "the old path is in billing");
}

#[test]
fn provenance_ignores_look_alikes() {
    let repo = governed_repo();
    repo.write("crates/app/src/lib.rs", "pub fn f() { 1; }\n");
    repo.commit("Port the copilot integration\n\nWe asked Claude and Copilot for ideas but wrote this by hand.\n\nReviewed-by: Kiro Tanaka <kiro@example.com>");
    repo.write("crates/app/src/lib.rs", "pub fn f() { 2; }\n");
    repo.commit("Pair with Claudette\n\nCo-authored-by: Claudette Smith <claudette@example.com>");
    let rows = status_json(repo.path(), &[]);
    for row in rows.as_array().expect("array") {
        assert_eq!(
            row["ai"],
            serde_json::Value::Null,
            "{} must be human",
            row["summary"]
        );
    }
}

#[test]
fn provenance_rules_each_match() {
    let repo = governed_repo();
    let cases: [(&str, &str, &str); 3] = [
        ("Assisted-by: claude:claude-opus-4", "claude", "Assisted-by"),
        ("Generated-by: GitHub Copilot", "copilot", "Generated-by"),
        (
            "co-authored-by: KIRO <k@agents.example>",
            "kiro",
            "co-authored-by",
        ),
    ];
    for (i, (trailer, _, _)) in cases.iter().enumerate() {
        repo.write("crates/app/src/lib.rs", format!("pub fn f() {{ {i}; }}\n"));
        repo.commit(&format!("Change {i}\n\nSome body.\n\n{trailer}"));
    }
    repo.write("crates/app/src/lib.rs", "pub fn f() { 9; }\n");
    repo.commit_as("Bot", "builder@agents.example", "By e-mail");
    let rows = status_json(repo.path(), &[]);
    for (i, (_, agent, key)) in cases.iter().enumerate() {
        assert_eq!(rows[i]["ai"]["agent"], *agent, "case {i}");
        assert!(
            rows[i]["ai"]["rule"].as_str().unwrap_or("").contains(key),
            "case {i}"
        );
    }
    assert!(rows[3]["ai"]["rule"]
        .as_str()
        .unwrap_or("")
        .contains("*@agents.example"));
}

/// Commits as agents write them, under a policy whose `[ai]` table lists only kiro, claude
/// and copilot: the table extends the built-in agents, so the others still count, each named
/// for the agent that made it (aider running a Claude model is aider).
#[test]
fn agent_commit_styles_are_ai_under_an_ai_table_that_extends_the_built_in_agents() {
    let repo = governed_repo();
    let dana = ("Dana Human", "dana@example.com");
    let cases: [(&str, &str, &str, &str); 9] = [
        (
            "Claude Code's line alone",
            "\u{1f916} Generated with [Claude Code](https://claude.com/claude-code)",
            "claude",
            "signature line",
        ),
        (
            "opencode",
            "Co-Authored-By: opencode <noreply@opencode.ai>",
            "opencode",
            "Co-Authored-By",
        ),
        (
            "Goose",
            "Co-authored-by: Goose <opensource@block.xyz>",
            "goose",
            "Co-authored-by",
        ),
        (
            "Amp",
            "Amp-Thread-ID: https://ampcode.com/threads/T-1\nCo-authored-by: Amp <amp@ampcode.com>",
            "amp",
            "Co-authored-by",
        ),
        (
            "Windsurf",
            "Generated-by: Windsurf Cascade",
            "windsurf",
            "Generated-by",
        ),
        (
            "Cline",
            "Assisted-by: Cline:claude-sonnet-4",
            "cline",
            "Assisted-by",
        ),
        (
            "aider's trailer",
            "Co-authored-by: aider (anthropic/claude-sonnet-4) <noreply@aider.chat>",
            "aider",
            "Co-authored-by",
        ),
        ("Jules", "", "jules", "google-labs-jules"),
        (
            "aider's name",
            "",
            "aider",
            "aider adds ` (aider)` to the names it commits under",
        ),
    ];
    for (i, (what, trailer, _, _)) in cases.iter().enumerate() {
        repo.write("crates/app/src/lib.rs", format!("pub fn f() {{ {i}; }}\n"));
        let msg = format!("{what}\n\nSome body.\n\n{trailer}");
        match *what {
            "Jules" => repo.commit_as(
                "google-labs-jules[bot]",
                "161369871+google-labs-jules[bot]@users.noreply.github.com",
                &msg,
            ),
            "aider's name" => repo.commit_as("Dana Human (aider)", dana.1, &msg),
            _ => repo.commit_as(dana.0, dana.1, &msg),
        };
    }
    let rows = status_json(repo.path(), &[]);
    for (i, (what, _, agent, rule)) in cases.iter().enumerate() {
        assert_eq!(rows[i]["ai"]["agent"], *agent, "{what}: {}", rows[i]);
        let said = rows[i]["ai"]["rule"].as_str().unwrap_or("");
        assert!(said.contains(rule), "{what}: {said}");
        assert_eq!(rows[i]["state"], "needs-signoff", "{what}");
    }
}

/// `use_defaults = false` makes the `[ai]` lists the whole story: an agent left out of them
/// (Cline here) is not recognised by name; a listed one still is.
#[test]
fn use_defaults_false_replaces_the_built_in_agents() {
    let repo = TestRepo::new();
    repo.write(
        ".countersign/policy.toml",
        POLICY.replace(
            "authors = [\"*@agents.example\"]",
            "authors = [\"*@agents.example\"]\nuse_defaults = false",
        ),
    );
    repo.write(
        ".countersign/allowed_signers",
        alice_roster_line(repo.path()),
    );
    repo.write("src/lib.rs", "pub fn f() {}\n");
    repo.commit("Policy");
    repo.branch("feature");
    repo.checkout("feature");
    repo.write("src/lib.rs", "pub fn f() { 1; }\n");
    repo.commit("Cline\n\nCo-authored-by: Cline <cline@example.com>");
    repo.write("src/lib.rs", "pub fn f() { 2; }\n");
    repo.commit("Kiro\n\nCo-authored-by: Kiro <kiro@example.com>");
    let rows = status_json(repo.path(), &[]);
    assert!(rows[0]["ai"].is_null(), "{}", rows[0]);
    assert_eq!(rows[1]["ai"]["agent"], "kiro", "{}", rows[1]);
}

/// An agent that says what it is without naming a product (Claude Code's `attribution`
/// setting writes `Co-Authored-By: AI <ai@example.com>`; the kernel's form is
/// `Assisted-by: AGENT:MODEL`, here with an agent no list names) is AI; a person named Ai or
/// Agent is not.
#[test]
fn self_declared_agents_are_ai_and_people_with_such_names_are_not() {
    let repo = governed_repo();
    let cases = [
        ("Co-Authored-By: AI <ai@example.com>", true),
        ("Assisted-by: Crush:qwen3-coder", true),
        (
            "Co-authored-by: AI Assistant <ai-assistant@users.noreply.github.com>",
            true,
        ),
        ("Co-authored-by: Ai Tanaka <ai@example.jp>", false),
        ("Co-authored-by: Agent Smith <smith@matrix.example>", false),
    ];
    for (i, (trailer, _)) in cases.iter().enumerate() {
        repo.write("crates/app/src/lib.rs", format!("pub fn f() {{ {i}; }}\n"));
        repo.commit(&format!("Change {i}\n\nSome body.\n\n{trailer}"));
    }
    let rows = status_json(repo.path(), &[]);
    for (i, (trailer, ai)) in cases.iter().enumerate() {
        assert_eq!(!rows[i]["ai"].is_null(), *ai, "{trailer}: {}", rows[i]);
        if *ai {
            assert!(
                rows[i]["ai"]["rule"]
                    .as_str()
                    .unwrap_or("")
                    .contains("declares an AI agent"),
                "{}",
                rows[i]
            );
        }
    }
}

#[test]
fn status_text_is_an_aligned_table_without_colour_when_piped() {
    let repo = governed_repo();
    repo.write("crates/app/src/lib.rs", "pub fn f() { 1; }\n");
    repo.commit_ai("claude", "Touch app");
    let out = countersign(repo.path())
        .arg("status")
        .output()
        .expect("runs");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(!text.contains('\x1b'), "no escape codes when piped");
    let header = text
        .lines()
        .find(|l| l.starts_with("COMMIT"))
        .expect("a header row");
    let row = text
        .lines()
        .find(|l| l.contains("Touch app"))
        .expect("a commit row");
    assert_eq!(
        header.find("TIER"),
        row.find("supervised"),
        "columns align:\n{text}"
    );
    assert_eq!(
        header.find("STATE"),
        row.find("needs-signoff"),
        "columns align:\n{text}"
    );
}

#[test]
fn policy_check_reports_positioned_errors_and_exit_2() {
    let repo = governed_repo();
    repo.write(
        ".countersign/policy.toml",
        POLICY.replace(
            "default_tier = \"supervised\"",
            "default_tier = \"supervisd\"",
        ),
    );
    countersign(repo.path())
        .args(["policy", "check"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains(".countersign/policy.toml:2:")
                .and(predicate::str::contains("supervised")),
        );
    // The committed policy is still fine.
    countersign(repo.path())
        .args(["policy", "check", "--rev", "main"])
        .assert()
        .code(0);
}

#[test]
fn policy_check_reports_a_misspelt_cargo_metadata_tier() {
    let repo = governed_repo();
    repo.write(
        "crates/app/Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n[package.metadata.countersign]\ntier = \"prohibitted\"\n",
    );
    countersign(repo.path())
        .args(["policy", "check"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("crates/app/Cargo.toml:6:9")
                .and(predicate::str::contains("\"prohibited\"")),
        );
}

#[test]
fn demo_builds_a_reviewable_repository() {
    let dir = tempfile::tempdir().expect("tempdir");
    countersign(dir.path())
        .args(["demo", "--no-tui", "--dir"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("agent/speedups").or(predicate::str::contains("main..")));
    let repo_dir = dir.path().join("repo");
    let repo = git2::Repository::open(&repo_dir).expect("demo repo");
    assert_eq!(
        repo.head().expect("head").shorthand().ok(),
        Some("agent/speedups")
    );
    let key = repo
        .config()
        .expect("config")
        .get_string("user.signingKey")
        .expect("signing key set");
    assert!(Path::new(&key).exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).expect("key").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let rows = status_json(&repo_dir, &[]);
    let rows = rows.as_array().expect("array");
    let ai: Vec<_> = rows.iter().filter(|r| !r["ai"].is_null()).collect();
    assert!(ai.len() >= 3, "at least three AI commits");
    let tiers: std::collections::BTreeSet<_> = ai
        .iter()
        .map(|r| r["tier"].as_str().unwrap_or(""))
        .collect();
    assert!(tiers.len() >= 2, "AI commits of different tiers: {tiers:?}");
    assert!(ai.iter().any(|r| r["state"] == "needs-signoff"));
    // The demo is a real Cargo workspace: cargo agrees on its members.
    let meta = std::process::Command::new("cargo")
        .args([
            "metadata",
            "--no-deps",
            "--offline",
            "--format-version",
            "1",
        ])
        .current_dir(&repo_dir)
        .output()
        .expect("cargo metadata runs");
    assert!(
        meta.status.success(),
        "{}",
        String::from_utf8_lossy(&meta.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&meta.stdout).expect("json");
    assert_eq!(meta["packages"].as_array().map(Vec::len), Some(6));
    // And the policy it ships passes the check.
    countersign(&repo_dir)
        .args(["policy", "check"])
        .assert()
        .success();
}

#[test]
fn demo_refuses_to_overwrite() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("repo")).expect("mkdir");
    countersign(dir.path())
        .args(["demo", "--no-tui", "--dir"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already exists"));
}

#[test]
fn every_subcommand_is_listed_in_help() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = countersign(dir.path())
        .arg("--help")
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    for sub in [
        "review", "demo", "impact", "sign", "verify", "show", "keygen", "status", "policy",
    ] {
        assert!(
            text.contains(&format!("  {sub}")),
            "--help lists {sub}:\n{text}"
        );
    }
}

#[test]
fn a_policy_base_naming_another_branch_is_not_followed_and_says_so() {
    // Attack: the policy on main names `base = "release"`, a branch that anyone who can push
    // branches may create or move. The trusted ref stays main; the difference is reported.
    let repo = governed_repo();
    repo.checkout("main");
    repo.branch("release");
    repo.write(
        ".countersign/policy.toml",
        format!(
            "{}\n[[rules]]\ncrates = [\"app\"]\ntier = \"prohibited\"\n",
            POLICY.replace("base = \"main\"", "base = \"release\"")
        ),
    );
    repo.commit("Name release as base; app is prohibited");
    repo.checkout("release");
    repo.write(
        ".countersign/policy.toml",
        POLICY.replace("base = \"main\"", "base = \"release\""),
    );
    repo.commit("Release policy: app is not prohibited here");
    repo.checkout("feature");
    repo.write("crates/app/src/lib.rs", "pub fn f() { 1; }\n");
    repo.commit_ai("claude", "Touch app");
    let rows = status_json(repo.path(), &["HEAD"]);
    assert_eq!(rows[0]["tier"], "prohibited", "{rows:#}");
    assert_eq!(rows[0]["trusted_ref"], "refs/heads/main", "{rows:#}");
    countersign(repo.path())
        .args(["status", "HEAD"])
        .assert()
        .stderr(predicate::str::contains(
            "the policy's base is not followed",
        ));
}

#[test]
fn renaming_a_crate_in_the_change_does_not_shed_its_tier() {
    let repo = governed_repo();
    // billing is prohibited by a crate rule, ledger by its trusted Cargo.toml.
    for (dir, name) in [("crates/billing", "billing"), ("crates/ledger", "ledger")] {
        repo.write(
            format!("{dir}/Cargo.toml"),
            format!("[package]\nname = \"{name}-x\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"),
        );
        repo.write(format!("{dir}/src/lib.rs"), "pub fn sneaky() {}\n");
    }
    repo.commit_ai("claude", "Rename and change");
    let rows = status_json(repo.path(), &[]);
    assert_eq!(rows[0]["tier"], "prohibited", "{:#}", rows[0]);
    assert_eq!(rows[0]["state"], "forbidden");
}

#[test]
fn excluding_a_crate_in_the_change_does_not_shed_its_tier() {
    let repo = governed_repo();
    repo.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/*\"]\nexclude = [\"crates/billing\"]\n",
    );
    repo.write("crates/billing/src/lib.rs", "pub fn sneaky() {}\n");
    repo.commit_ai("claude", "Exclude billing and change it");
    let rows = status_json(repo.path(), &[]);
    assert_eq!(rows[0]["tier"], "prohibited", "{:#}", rows[0]);
    assert_eq!(rows[0]["state"], "forbidden");
}
