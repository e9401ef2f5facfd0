//! Seal the gate, the graph's reach: a crate compiled into a prohibited crate is a node of
//! the graph however it is reached — a path dependency on an `exclude`d directory, a
//! `[patch]` or `[replace]` path, a path dependency of a lone package — so an AI edit there
//! escalates, rather than passing as autonomous.

use crate::support;

use support::{alice_roster_line, countersign, git_stdin, Package, TestRepo};

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
    Package::new(name)
        .manifest_tail(&format!("\n[dependencies]\n{deps}"))
        .manifest()
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

const POLICY_DOCS_FREE: &str = r#"base = "main"
default_tier = "supervised"

[roles]
senior = ["alice@example.com"]

[[rules]]
paths = ["docs/**", "shared/**", "proto/**"]
tier = "autonomous"

[[rules]]
crates = ["billing"]
tier = "prohibited"
"#;

/// `billing` (prohibited) with `lib.rs` = `billing_lib` (and `extra` files), the policy
/// making docs/, shared/ and proto/ autonomous; `human_first` is committed on the branch by
/// a human before the AI edits `target` to `edit`. Returns the AI commit's status row.
fn ai_edit_of_compiled_file(
    billing_lib: &str,
    extra: &[(&str, &str)],
    human_first: Option<(&str, &str)>,
    target: &str,
) -> serde_json::Value {
    let t = TestRepo::new();
    t.write("Cargo.toml", "[workspace]\nmembers = [\"crates/*\"]\n");
    t.write("crates/billing/Cargo.toml", package("billing", ""));
    t.write("crates/billing/src/lib.rs", billing_lib);
    for (path, text) in extra {
        t.write(path, text);
    }
    t.write(target, "pub const RATE: u32 = 1;\n");
    t.write(".countersign/policy.toml", POLICY_DOCS_FREE);
    t.write(".countersign/allowed_signers", alice_roster_line(t.path()));
    t.commit("Base");
    t.branch("feature");
    t.checkout("feature");
    if let Some((path, text)) = human_first {
        t.write(path, text);
        t.commit("Human wiring");
    }
    t.write(target, "pub const RATE: u32 = 0;\n");
    t.commit_ai("kiro", "Change the rate");
    let out = countersign(t.path())
        .args(["status", "HEAD", "--format", "json"])
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

fn assert_forbidden_as_part_of_billing(row: &serde_json::Value) {
    assert_eq!(row["tier"], "prohibited", "{row:#}");
    assert_eq!(row["state"], "forbidden", "{row:#}");
    assert!(
        row["tier_reasons"]
            .to_string()
            .contains("compiled into `billing`"),
        "{row:#}"
    );
}

#[test]
fn a_file_pulled_in_by_path_attribute_takes_the_tier_of_the_crate_compiling_it() {
    let row = ai_edit_of_compiled_file(
        "#[path = \"../../../docs/rates.rs\"]\nmod rates;\n",
        &[],
        None,
        "docs/rates.rs",
    );
    assert_forbidden_as_part_of_billing(&row);
}

#[test]
fn a_file_pulled_in_by_include_takes_the_tier_of_the_crate_compiling_it() {
    for lib in [
        "include!(\"../../../shared/rates.rs\");\n",
        "const R: &str = include_str!(\"../../../shared/rates.rs\");\n",
        "const R: &[u8] = include_bytes!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/../../shared/rates.rs\"));\n",
    ] {
        let row = ai_edit_of_compiled_file(lib, &[], None, "shared/rates.rs");
        assert_forbidden_as_part_of_billing(&row);
    }
}

#[test]
fn a_file_a_symlink_inside_the_crate_points_at_takes_its_tier() {
    let t = TestRepo::new();
    t.write("Cargo.toml", "[workspace]\nmembers = [\"crates/*\"]\n");
    t.write("crates/billing/Cargo.toml", package("billing", ""));
    t.write("crates/billing/src/lib.rs", "mod rates;\n");
    t.write("shared/rates.rs", "pub const RATE: u32 = 1;\n");
    t.symlink("crates/billing/src/rates.rs", "../../../shared/rates.rs");
    t.write(".countersign/policy.toml", POLICY_DOCS_FREE);
    t.write(".countersign/allowed_signers", alice_roster_line(t.path()));
    t.commit("Base");
    t.branch("feature");
    t.checkout("feature");
    t.write("shared/rates.rs", "pub const RATE: u32 = 0;\n");
    t.commit_ai("kiro", "Change the rate");
    let out = countersign(t.path())
        .args(["status", "HEAD", "--format", "json"])
        .output()
        .expect("runs");
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_forbidden_as_part_of_billing(&rows[0]);
}

#[test]
fn a_build_script_input_takes_the_tier_of_its_crate() {
    let row = ai_edit_of_compiled_file(
        "pub fn f() {}\n",
        &[(
            "crates/billing/build.rs",
            "fn main() { println!(\"cargo:rerun-if-changed=../../proto/money.proto\"); let _ = std::fs::read(\"../../proto/money.proto\"); }\n",
        )],
        None,
        "proto/money.proto",
    );
    assert_forbidden_as_part_of_billing(&row);
}

#[test]
fn an_include_added_earlier_in_the_range_counts_for_later_commits() {
    let row = ai_edit_of_compiled_file(
        "pub fn f() {}\n",
        &[],
        Some((
            "crates/billing/src/lib.rs",
            "pub fn f() {}\ninclude!(\"../../../docs/rates.rs\");\n",
        )),
        "docs/rates.rs",
    );
    assert_forbidden_as_part_of_billing(&row);
}

#[test]
fn a_poisoned_scan_cache_in_the_git_dir_does_not_lower_the_gates_tier() {
    // Attack: a build step of the change (run by CI in the same checkout before the gate)
    // writes an empty inclusion scan for the trusted tree into the git directory.
    let t = TestRepo::new();
    t.write("Cargo.toml", "[workspace]\nmembers = [\"crates/*\"]\n");
    t.write("crates/billing/Cargo.toml", package("billing", ""));
    t.write(
        "crates/billing/src/lib.rs",
        "#[path = \"../../../docs/rates.rs\"]\nmod rates;\n",
    );
    t.write("docs/rates.rs", "pub const RATE: u32 = 1;\n");
    t.write(".countersign/policy.toml", POLICY_DOCS_FREE);
    t.write(".countersign/allowed_signers", alice_roster_line(t.path()));
    t.commit("Base");
    let tree = t.git(&["rev-parse", "main^{tree}"]).trim().to_string();
    t.branch("feature");
    t.checkout("feature");
    t.write("docs/rates.rs", "pub const RATE: u32 = 0;\n");
    t.commit_ai("kiro", "Change the rate");
    let cache = t.repo.path().join("countersign");
    std::fs::create_dir_all(&cache).expect("mkdir");
    std::fs::write(
        cache.join(format!("inclusions-v1-{tree}.json")),
        "{\"by_path\":{}}",
    )
    .expect("write the poisoned cache");
    let out = countersign(t.path())
        .args(["status", "HEAD", "--format", "json"])
        .output()
        .expect("runs");
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_forbidden_as_part_of_billing(&rows[0]);
}

#[test]
fn a_named_build_scripts_input_takes_the_tier_of_its_crate() {
    let manifest = "[package]\nname = \"billing\"\nversion = \"0.1.0\"\nedition = \"2021\"\nbuild = \"tools/gen.rs\"\n";
    let row = ai_edit_of_compiled_file(
        "pub fn f() {}\n",
        &[
            ("crates/billing/Cargo.toml", manifest),
            (
                "crates/billing/tools/gen.rs",
                "fn main() { println!(\"cargo:rerun-if-changed=../../proto/money.proto\"); let _ = std::fs::read(\"../../proto/money.proto\"); }\n",
            ),
        ],
        None,
        "proto/money.proto",
    );
    assert_forbidden_as_part_of_billing(&row);
}

/// The tree `tree` with `path` set to (`mode`, `blob`), written as raw tree objects so that
/// any mode, canonical or not, is kept.
fn put_raw(dir: &std::path::Path, tree: &str, path: &[&str], mode: &str, blob: &str) -> String {
    let raw = std::process::Command::new("git")
        .current_dir(dir)
        .args(["cat-file", "tree", tree])
        .output()
        .expect("git runs")
        .stdout;
    let mut entries: Vec<(Vec<u8>, Vec<u8>, Vec<u8>)> = Vec::new();
    let mut i = 0;
    while i < raw.len() {
        let sp = i + raw[i..].iter().position(|b| *b == b' ').expect("mode");
        let nul = sp + raw[sp..].iter().position(|b| *b == 0).expect("name");
        entries.push((
            raw[i..sp].to_vec(),
            raw[sp + 1..nul].to_vec(),
            raw[nul + 1..nul + 21].to_vec(),
        ));
        i = nul + 21;
    }
    let hex = |s: &str| -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|k| u8::from_str_radix(&s[k..k + 2], 16).expect("hex"))
            .collect()
    };
    let (name, rest) = path.split_first().expect("a path");
    let (new_mode, new_id) = if rest.is_empty() {
        (mode.as_bytes().to_vec(), hex(blob))
    } else {
        let sub = entries
            .iter()
            .find(|e| e.1 == name.as_bytes())
            .map(|e| e.2.iter().map(|b| format!("{b:02x}")).collect::<String>())
            .expect("the directory exists");
        (
            b"40000".to_vec(),
            hex(&put_raw(dir, &sub, rest, mode, blob)),
        )
    };
    entries.retain(|e| e.1 != name.as_bytes());
    entries.push((new_mode, name.as_bytes().to_vec(), new_id));
    // git's order: names compared as bytes, a directory as if it ended in `/`.
    let key = |e: &(Vec<u8>, Vec<u8>, Vec<u8>)| {
        let mut k = e.1.clone();
        if e.0 == b"40000" {
            k.push(b'/');
        }
        k
    };
    entries.sort_by_key(key);
    let mut out = Vec::new();
    for (m, n, id) in entries {
        out.extend(m);
        out.push(b' ');
        out.extend(n);
        out.push(0);
        out.extend(id);
    }
    git_stdin(
        dir,
        &["hash-object", "-t", "tree", "-w", "--literally", "--stdin"],
        &out,
    )
}

/// Attack: a symlink committed with a non-canonical link mode (`120777`, which git checks
/// out as a symlink all the same) in a later commit of the range, so that its inclusions
/// come from the commit's own change rather than a tree diff. The file it points at is still
/// compiled into `billing`, and an edit to it takes billing's tier.
#[test]
fn a_symlink_with_a_non_canonical_mode_still_pulls_its_target_into_the_crate() {
    let t = TestRepo::new();
    t.write("Cargo.toml", "[workspace]\nmembers = [\"crates/*\"]\n");
    t.write("crates/billing/Cargo.toml", package("billing", ""));
    t.write("crates/billing/src/lib.rs", "mod rates;\n");
    t.write("shared/rates.rs", "pub const RATE: u32 = 1;\n");
    t.write(".countersign/policy.toml", POLICY_DOCS_FREE);
    t.write(".countersign/allowed_signers", alice_roster_line(t.path()));
    t.commit("Base");
    t.branch("feature");
    t.checkout("feature");
    t.write("README.md", "notes\n");
    let first = t.commit_ai("kiro", "Notes");
    let link = git_stdin(
        t.path(),
        &["hash-object", "-w", "--stdin"],
        b"../../../shared/rates.rs",
    );
    let rates = git_stdin(
        t.path(),
        &["hash-object", "-w", "--stdin"],
        b"pub const RATE: u32 = 0;\n",
    );
    let tree = t.git(&["rev-parse", &format!("{first}^{{tree}}")]);
    let tree = put_raw(
        t.path(),
        tree.trim(),
        &["crates", "billing", "src", "rates.rs"],
        "120777",
        &link,
    );
    let tree = put_raw(t.path(), &tree, &["shared", "rates.rs"], "100644", &rates);
    let second = git_stdin(
        t.path(),
        &[
            "-c",
            "user.name=Kiro",
            "-c",
            "user.email=kiro@agents.example",
            "commit-tree",
            &tree,
            "-p",
            &first.to_string(),
            "-m",
            "Link the rates\n\nCo-authored-by: Kiro <kiro@agents.example>",
        ],
        b"",
    );
    t.git(&["update-ref", "refs/heads/feature", &second]);
    let out = countersign(t.path())
        .args(["status", "main..feature", "--format", "json"])
        .output()
        .expect("runs");
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let row = rows
        .as_array()
        .and_then(|r| r.iter().find(|r| r["commit"] == second.as_str()))
        .unwrap_or_else(|| panic!("no row for {second}: {rows:#}"));
    assert_forbidden_as_part_of_billing(row);
}
