//! Seal the gate, merges: an AI merge of the base into its branch is judged by what it adds
//! beyond an automatic merge of its parents (git's remerge diff), so a human fix that
//! arrived from the base does not make it `forbidden`, while an evil merge's own lines (and
//! its conflict resolutions) still count.

use crate::support;

use support::{alice_roster_line, countersign, Package, PolicyToml, TestRepo};

/// Autonomous by default, `billing` prohibited.
fn policy() -> String {
    PolicyToml::new("autonomous")
        .base("main")
        .role("senior", &["alice@example.com"])
        .crate_rule(&["billing"], "prohibited")
        .render()
}

/// main: app and billing (prohibited); feature: an AI edit to app; then main gets a human
/// fix to billing. Left on feature, ready to merge main.
fn diverged() -> TestRepo {
    let t = TestRepo::new();
    t.cargo_workspace(&["crates/*"]);
    for name in ["app", "billing"] {
        t.package(&Package::new(name).lib("pub fn f() -> i32 {\n    1\n}\n"));
    }
    t.policy(&policy()).roster(&alice_roster_line(t.path()));
    t.commit("Base");
    t.start_branch("feature");
    t.write("crates/app/src/lib.rs", "pub fn f() -> i32 {\n    2\n}\n");
    t.commit_ai("kiro", "Tune app");
    t.checkout("main");
    t.write(
        "crates/billing/src/lib.rs",
        "pub fn f() -> i32 {\n    3\n}\n",
    );
    t.commit("Human fix to billing");
    t.checkout("feature");
    t
}

/// `status --format json` on the last commit of feature (the merge): its row.
fn merge_row(t: &TestRepo) -> serde_json::Value {
    let out = countersign(t.path())
        .args([
            "status",
            "HEAD",
            "--format",
            "json",
            "--trusted-ref",
            "refs/heads/main",
        ])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    rows[0].clone()
}

const AI_MERGE: &str = "Merge main into feature\n\nCo-authored-by: kiro <kiro@agents.example>";

#[test]
fn an_ai_merge_of_the_base_is_not_charged_with_the_bases_human_fix() {
    let t = diverged();
    t.git(&["merge", "--no-ff", "-q", "-m", AI_MERGE, "main"]);
    let row = merge_row(&t);
    assert!(row["ai"].is_object(), "{row:#}");
    assert_ne!(row["state"], "forbidden", "{row:#}");
    assert_eq!(row["tier"], "autonomous", "{row:#}");
    assert!(
        row["tier_reasons"].to_string().contains("automatic merge"),
        "{row:#}"
    );
}

#[test]
fn an_evil_merge_is_judged_by_its_own_lines() {
    let t = diverged();
    // The merge itself also edits billing: lines no parent has.
    t.git(&["merge", "--no-ff", "--no-commit", "-q", "main"]);
    t.write(
        "crates/billing/src/lib.rs",
        "pub fn f() -> i32 {\n    3\n}\npub fn skim() {}\n",
    );
    t.git(&["add", "-A"]);
    t.git(&["commit", "-q", "-m", AI_MERGE]);
    let row = merge_row(&t);
    assert_eq!(row["state"], "forbidden", "{row:#}");
    assert_eq!(row["tier"], "prohibited", "{row:#}");
}

#[test]
fn a_conflict_resolution_in_an_ai_merge_counts_as_its_own() {
    let t = diverged();
    // feature also changes billing's line: merging main conflicts there.
    t.write(
        "crates/billing/src/lib.rs",
        "pub fn f() -> i32 {\n    4\n}\n",
    );
    t.commit("Human edit on feature");
    let merged = std::process::Command::new("git")
        .current_dir(t.path())
        .args(["-c", "user.name=x", "-c", "user.email=x@example.com"])
        .args(["merge", "--no-ff", "-q", "main"])
        .output()
        .expect("git");
    assert!(!merged.status.success(), "the merge conflicts");
    t.write(
        "crates/billing/src/lib.rs",
        "pub fn f() -> i32 {\n    5\n}\n",
    );
    t.git(&["add", "-A"]);
    t.git(&["commit", "-q", "-m", AI_MERGE]);
    let row = merge_row(&t);
    assert_eq!(row["state"], "forbidden", "{row:#}");
}
