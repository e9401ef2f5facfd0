//! Seal the gate, the graph's reach: a crate compiled into a prohibited crate is a node of
//! the graph however it is reached — a path dependency on an `exclude`d directory, a
//! `[patch]` or `[replace]` path, a path dependency of a lone package — so an AI edit there
//! escalates, rather than passing as autonomous.

mod support;

use support::{alice_roster_line, countersign, TestRepo};

const POLICY: &str = r#"base = "main"
default_tier = "autonomous"

[roles]
senior = ["alice@example.com"]

[escalation]
reach = "transitive"
cap = "supervised"

[[rules]]
crates = ["billing"]
tier = "prohibited"
"#;

fn package(name: &str, deps: &str) -> String {
    format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n{deps}")
}

/// `billing` (prohibited) compiles `money` from `vendor/money`, wired by `root` (the root
/// manifest) and `billing_deps`; the AI then edits `vendor/money/src/lib.rs`. Returns the
/// AI commit's tier as `status` judges it.
fn tier_of_vendor_edit(root: &str, billing_deps: &str, billing_dir: &str) -> String {
    let t = TestRepo::new();
    t.write("Cargo.toml", root);
    t.write(
        format!("{billing_dir}/Cargo.toml"),
        package("billing", billing_deps),
    );
    t.write(format!("{billing_dir}/src/lib.rs"), "pub fn f() {}\n");
    t.write("vendor/money/Cargo.toml", package("money", ""));
    t.write("vendor/money/src/lib.rs", "pub fn cents() -> i64 { 100 }\n");
    t.write(".countersign/policy.toml", POLICY);
    t.write(".countersign/allowed_signers", alice_roster_line(t.path()));
    t.commit("Base");
    t.branch("feature");
    t.checkout("feature");
    t.write("vendor/money/src/lib.rs", "pub fn cents() -> i64 { 99 }\n");
    t.commit_ai("kiro", "Round money differently");
    let out = countersign(t.path())
        .args(["status", "--format", "json"])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let row = &rows[0];
    let reasons = row["tier_reasons"].to_string();
    assert!(
        row["tier"] == "autonomous" || reasons.contains("billing"),
        "the reasons name the crate that raised the tier: {row:#}"
    );
    row["tier"].as_str().expect("tier").to_string()
}

#[test]
fn an_excluded_path_dependency_of_a_prohibited_crate_escalates() {
    let tier = tier_of_vendor_edit(
        "[workspace]\nmembers = [\"crates/*\"]\nexclude = [\"vendor\"]\n",
        "money = { path = \"../../vendor/money\" }\n",
        "crates/billing",
    );
    assert_eq!(tier, "supervised");
}

#[test]
fn a_patched_registry_dependency_of_a_prohibited_crate_escalates() {
    let tier = tier_of_vendor_edit(
        "[workspace]\nmembers = [\"crates/*\"]\nexclude = [\"vendor\"]\n\n[patch.crates-io]\nmoney = { path = \"vendor/money\" }\n",
        "money = \"1.0\"\n",
        "crates/billing",
    );
    assert_eq!(tier, "supervised");
}

#[test]
fn a_replaced_registry_dependency_of_a_prohibited_crate_escalates() {
    let tier = tier_of_vendor_edit(
        "[workspace]\nmembers = [\"crates/*\"]\nexclude = [\"vendor\"]\n\n[replace]\n\"money:1.0.0\" = { path = \"vendor/money\" }\n",
        "money = \"1.0\"\n",
        "crates/billing",
    );
    assert_eq!(tier, "supervised");
}

#[test]
fn a_path_dependency_of_a_lone_prohibited_package_escalates() {
    let t = tier_of_vendor_edit(
        &package("billing", "money = { path = \"vendor/money\" }\n"),
        "money = { path = \"vendor/money\" }\n",
        "unused/billing-copy",
    );
    assert_eq!(t, "supervised");
}
