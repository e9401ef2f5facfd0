//! Tier escalation through dependents: reach none / direct / transitive, and the cap.

use crate::support;

use countersign_core::git::{ChangeSet, LoadDepth};
use countersign_core::impact::{self, GitTree, Options, Workspace};
use countersign_core::model::Tier;
use countersign_core::policy::tier::Classifier;
use countersign_core::policy::{parse_policy, PolicySource};
use support::{Package, TestRepo};

/// core-types ← auth ← billing-api, plus ledger (prohibited by its Cargo.toml) which only
/// dev-depends on core-types; core-types is edited.
fn repo() -> (TestRepo, git2::Oid) {
    let t = TestRepo::new();
    let lib = "pub fn f() {}\n";
    t.cargo_workspace(&["crates/*"])
        .package(&Package::new("core-types").lib(lib))
        .package(&Package::new("auth").dep("core-types").lib(lib))
        .package(&Package::new("billing-api").dep("auth").lib(lib))
        .package(
            &Package::new("ledger")
                .dev_dep("core-types")
                .tier("prohibited")
                .lib(lib),
        );
    t.commit("base");
    t.write("crates/core-types/src/lib.rs", "pub fn f() { }\n");
    let head = t.commit_ai("kiro", "edit core-types");
    (t, head)
}

/// The effective tier and reasons of HEAD under a policy with the given escalation table.
fn judge(t: &TestRepo, head: git2::Oid, escalation: &str) -> (Tier, Vec<String>) {
    let text = format!(
        "default_tier = \"autonomous\"\n{escalation}\n[roles]\nsenior = [\"alice@example.com\"]\n\n[[rules]]\ncrates = [\"auth\"]\ntier = \"supervised\"\n\n[[rules]]\ncrates = [\"billing-api\"]\ntier = \"prohibited\"\n"
    );
    let source = PolicySource {
        rev: "test".to_string(),
        commit: None,
    };
    let policy = parse_policy(&text, "policy.toml", source).expect("policy parses");
    let change = ChangeSet::load(&t.repo, &[head], LoadDepth::Files).unwrap();
    let commit = &change.commits[0];
    let ws = Workspace::load(&GitTree::at(&t.repo, "HEAD").unwrap()).unwrap();
    let parent_ws = Workspace::load(&GitTree::at(&t.repo, "HEAD~1").unwrap()).unwrap();
    let classifier = Classifier::new(&policy, &parent_ws);
    let direct = classifier.classify(commit, &ws, &parent_ws);
    assert_eq!(direct.tier, Tier::Autonomous);
    let imp = impact::analyze(&t.repo, &change.commits, &Options::default()).unwrap();
    let esc = classifier.escalate(direct, &imp.crates, &ws, &parent_ws);
    assert_eq!(esc.crate_tiers.get("billing-api"), Some(&Tier::Prohibited));
    (esc.verdict.tier, esc.verdict.reasons)
}

#[test]
fn transitive_reach_capped_at_supervised_names_the_chain() {
    let (t, head) = repo();
    let (tier, reasons) = judge(
        &t,
        head,
        "[escalation]\nreach = \"transitive\"\ncap = \"supervised\"\n",
    );
    assert_eq!(tier, Tier::Supervised);
    assert_eq!(
        reasons[0],
        "supervised: `billing-api` (prohibited) depends on `core-types` through `auth`; escalation capped at supervised"
    );
}

#[test]
fn transitive_reach_without_a_cap_reaches_prohibited() {
    let (t, head) = repo();
    let (tier, reasons) = judge(
        &t,
        head,
        "[escalation]\nreach = \"transitive\"\ncap = \"prohibited\"\n",
    );
    assert_eq!(tier, Tier::Prohibited);
    // A dependency chain is named before a nearer dev-dependency of the same tier.
    assert_eq!(
        reasons[0],
        "prohibited: `billing-api` (prohibited) depends on `core-types` through `auth`"
    );
}

#[test]
fn a_dev_dependent_escalates_through_its_tests() {
    let (t, head) = repo();
    let (tier, reasons) = judge(
        &t,
        head,
        "[escalation]\nreach = \"direct\"\ncap = \"prohibited\"\n",
    );
    assert_eq!(tier, Tier::Prohibited);
    assert_eq!(
        reasons[0],
        "prohibited: `ledger` (prohibited) dev-depends on `core-types` (its tests, benches and examples)"
    );
}

#[test]
fn direct_reach_stops_after_one_hop() {
    let (t, head) = repo();
    // Without ledger's dev-dependency, only auth is one hop away.
    t.write(
        "crates/ledger/Cargo.toml",
        "[package]\nname = \"ledger\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    t.commit("ledger no longer dev-depends");
    t.write("crates/core-types/src/lib.rs", "pub fn f() {  }\n");
    let head2 = t.commit_ai("kiro", "edit again");
    let _ = head;
    let (tier, reasons) = judge(
        &t,
        head2,
        "[escalation]\nreach = \"direct\"\ncap = \"prohibited\"\n",
    );
    assert_eq!(tier, Tier::Supervised);
    assert_eq!(
        reasons[0],
        "supervised: `auth` (supervised) depends on `core-types`"
    );
}

#[test]
fn no_reach_keeps_the_direct_tier() {
    let (t, head) = repo();
    let (tier, reasons) = judge(
        &t,
        head,
        "[escalation]\nreach = \"none\"\ncap = \"prohibited\"\n",
    );
    assert_eq!(tier, Tier::Autonomous);
    assert!(
        reasons.iter().all(|r| !r.contains("depends on")),
        "{reasons:?}"
    );
}
