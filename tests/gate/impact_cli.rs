//! `countersign impact` through the real binary: the JSON contract, the text tree within 80
//! columns, a repository without a policy, and `status` showing the escalated tier.

use crate::support;

use std::path::Path;

use support::{alice_roster_line, billing_chain, countersign, PolicyToml, TestRepo};

/// Autonomous by default, raised by transitive reach up to supervised; `billing-api`
/// prohibited.
fn policy() -> String {
    PolicyToml::new("autonomous")
        .base("main")
        .escalation("transitive", "supervised")
        .role("senior", &["alice@example.com"])
        .crate_rule(&["billing-api"], "prohibited")
        .render()
}

/// core-types ← auth ← billing-api (prohibited), auth has a binary and a test; on branch
/// `feature` an AI commit edits core-types' codec module.
fn workspace(with_policy: bool) -> TestRepo {
    let t = TestRepo::new();
    let [core_types, auth, billing_api] = billing_chain();
    let auth = auth
        .file("src/main.rs", "fn main() { auth::login() }\n")
        .file("tests/login.rs", "#[test] fn t() { auth::login() }\n");
    t.cargo_workspace(&["crates/*"])
        .package(&core_types)
        .package(&auth)
        .package(&billing_api);
    if with_policy {
        t.policy(&policy()).roster(&alice_roster_line(t.path()));
    }
    t.commit("base");
    t.start_branch("feature");
    t.write("crates/core-types/src/codec.rs", "pub fn encode() { }\n");
    t.commit_ai("kiro", "Speed up codec");
    t
}

fn json(dir: &Path, args: &[&str]) -> serde_json::Value {
    let out = countersign(dir).args(args).output().expect("runs");
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON document")
}

#[test]
fn impact_json_has_the_contract_fields() {
    let t = workspace(true);
    let v = json(t.path(), &["impact", "--format", "json"]);
    for key in [
        "changed_files",
        "changed_crates",
        "affected_crates",
        "crates",
        "targets",
        "modules",
        "tier",
        "tier_reasons",
    ] {
        assert!(v.get(key).is_some(), "missing `{key}` in {v}");
    }
    assert_eq!(
        v["changed_files"],
        serde_json::json!(["crates/core-types/src/codec.rs"])
    );
    assert_eq!(v["changed_crates"], serde_json::json!(["core-types"]));
    assert_eq!(
        v["affected_crates"],
        serde_json::json!(["auth", "billing-api", "core-types"])
    );
    let billing = v["crates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "billing-api")
        .expect("billing-api listed");
    for key in ["name", "changed", "distance", "via", "tier"] {
        assert!(billing.get(key).is_some(), "crate lacks `{key}`");
    }
    assert_eq!(billing["distance"], 2);
    assert_eq!(
        billing["via"],
        serde_json::json!(["core-types", "auth", "billing-api"])
    );
    assert_eq!(billing["tier"], "prohibited");
    let targets = v["targets"].as_array().unwrap();
    for key in ["crate", "kind", "name"] {
        assert!(targets[0].get(key).is_some(), "target lacks `{key}`");
    }
    assert!(targets
        .iter()
        .any(|t| t["crate"] == "auth" && t["kind"] == "bin" && t["name"] == "auth"));
    assert!(targets
        .iter()
        .any(|t| t["crate"] == "auth" && t["kind"] == "test" && t["name"] == "login"));
    let codec = v["modules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["module"] == "core_types::codec")
        .expect("the changed module");
    for key in ["crate", "module", "file", "changed", "via"] {
        assert!(codec.get(key).is_some(), "module lacks `{key}`");
    }
    assert_eq!(codec["changed"], true);
    assert_eq!(codec["file"], "crates/core-types/src/codec.rs");
    assert_eq!(v["tier"], "supervised");
    assert_eq!(
        v["tier_reasons"][0],
        "supervised: `billing-api` (prohibited) depends on `core-types` through `auth`; escalation capped at supervised"
    );
}

#[test]
fn status_shows_the_escalated_tier() {
    let t = workspace(true);
    let v = json(t.path(), &["status", "--format", "json"]);
    assert_eq!(v[0]["tier"], "supervised");
    assert!(
        v[0]["tier_reasons"][0]
            .as_str()
            .unwrap()
            .contains("`billing-api` (prohibited) depends on `core-types`"),
        "{v}"
    );
    assert_eq!(v[0]["state"], "needs-signoff");
}

#[test]
fn impact_text_is_a_tree_within_80_columns() {
    let t = workspace(true);
    let out = countersign(t.path()).arg("impact").output().expect("runs");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for line in text.lines() {
        assert!(line.chars().count() <= 80, "too wide: {line:?}");
    }
    assert!(
        text.contains("tier: SUPERVISED (escalated from autonomous)"),
        "{text}"
    );
    assert!(text.contains("core-types"), "{text}");
    assert!(text.contains("└─ auth"), "{text}");
    assert!(text.contains("   └─ billing-api  PROH 2 hops"), "{text}");
    assert!(text.contains("auth: bin auth, test login"), "{text}");
    assert!(text.contains("core_types::codec  changed"), "{text}");
}

#[test]
fn impact_works_without_a_policy_and_says_so_once() {
    let t = workspace(false);
    let out = countersign(t.path())
        .args(["impact", "HEAD", "--format", "json"])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("built-in defaults"), "{err}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["tier"], "supervised");
    assert_eq!(v["affected_crates"].as_array().unwrap().len(), 3);
}
