//! The gate judges what cargo builds and runs (issue "every way a file reaches a crate,
//! fail closed"). Each attack is tried as a branch author would: on the repository
//! `countersign demo` makes (billing-api is prohibited by its Cargo.toml; `docs/**` and
//! `**/*.md` are autonomous), a human commit on `main` wires a file into billing-api the way
//! real code does, and an AI commit on the branch edits only that file, never billing-api's
//! folder. Before the fix `verify` passed each of them with no sign-off.

use crate::support;

use std::path::{Path, PathBuf};

use support::{countersign, git_in};

/// The demo repository, with `main` checked out.
struct Demo {
    _dir: tempfile::TempDir,
    repo: PathBuf,
}

impl Demo {
    fn new() -> Demo {
        support::isolate_git_config();
        let dir = tempfile::tempdir().expect("temp dir");
        countersign(dir.path())
            .args(["demo", "--no-tui", "--dir"])
            .arg(dir.path())
            .assert()
            .success();
        let repo = dir.path().join("repo");
        git_in(&repo, &["checkout", "-q", "main"]);
        Demo { _dir: dir, repo }
    }

    fn path(&self) -> &Path {
        &self.repo
    }

    fn write(&self, path: &str, text: &str) {
        let full = self.repo.join(path);
        std::fs::create_dir_all(full.parent().expect("a parent")).expect("mkdir");
        std::fs::write(full, text).expect("write");
    }

    /// Rewrites `.countersign/policy.toml` in the work tree with `edit` (commit it with
    /// [`Demo::human`]).
    fn edit_policy(&self, edit: impl FnOnce(String) -> String) {
        let path = ".countersign/policy.toml";
        let policy = std::fs::read_to_string(self.repo.join(path)).expect("the demo's policy");
        self.write(path, &edit(policy));
    }

    /// A human commit of everything written, on the current branch.
    fn human(&self, msg: &str) {
        git_in(&self.repo, &["add", "-A"]);
        git_in(&self.repo, &["commit", "-q", "-m", msg]);
    }

    /// Starts branch `attack` at `main` and commits there, as Kiro, what `files` hold.
    fn ai(&self, files: &[(&str, &str)]) {
        git_in(&self.repo, &["checkout", "-q", "-B", "attack", "main"]);
        for (p, t) in files {
            self.write(p, t);
        }
        git_in(&self.repo, &["add", "-A"]);
        git_in(
            &self.repo,
            &[
                "commit",
                "-q",
                "-m",
                "Tidy the rates\n\nCo-authored-by: Kiro <kiro@agents.example>",
            ],
        );
    }

    /// `verify main..attack` as CI runs it: (exit code, the AI commit's JSON).
    fn verify(&self) -> (i32, serde_json::Value) {
        let out = countersign(&self.repo)
            .args([
                "verify",
                "main..attack",
                "--trusted-ref",
                "refs/heads/main",
                "--format",
                "json",
            ])
            .output()
            .expect("runs");
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
            panic!(
                "verify printed no JSON: {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (out.status.code().unwrap_or(-1), json["commits"][0].clone())
    }
}

/// billing-api's lib.rs with `extra` appended (the demo's code stays).
fn billing_lib_with(extra: &str) -> String {
    format!(
        "{}\n{extra}",
        include_str!("../../src/demo/fixtures/billing-lib.rs")
    )
}

const RATES: &str = "pub const RATE: u32 = 1;\n";
const RATES_AI: &str = "pub const RATE: u32 = 0;\n";

/// Wires `docs/rates.rs` into billing-api with `form`, then has the AI edit `edited`.
fn attack_through(form: &str, extra: &[(&str, &str)], edited: &str) -> (i32, serde_json::Value) {
    let d = Demo::new();
    d.write("crates/billing-api/src/lib.rs", &billing_lib_with(form));
    d.write("docs/rates.rs", RATES);
    for (p, t) in extra {
        d.write(p, t);
    }
    d.human("Billing reads its rates from docs");
    d.ai(&[(edited, RATES_AI)]);
    d.verify()
}

fn assert_prohibited_by_billing(code: i32, row: &serde_json::Value, word: &str) {
    assert_eq!(code, 1, "verify must fail: {row:#}");
    assert_eq!(row["tier"], "prohibited", "{row:#}");
    let problems = row.to_string();
    assert!(
        problems.contains("billing-api") && problems.contains(word),
        "the reason names billing-api and says `{word}`: {row:#}"
    );
}

#[test]
fn every_spelling_of_a_path_attribute_pulls_the_file_into_the_crate() {
    for form in [
        "#[cfg_attr(unix, path = \"../../../docs/rates.rs\")]\nmod rates;\n",
        "#[cfg_attr(all(), cfg_attr(unix, path = \"../../../docs/rates.rs\"))]\nmod rates;\n",
        "# [path = \"../../../docs/rates.rs\"]\nmod rates;\n",
        "#[ path = \"../../../docs/rates.rs\" ]\nmod rates;\n",
        "#[path=\"../../../docs/\\\n    rates.rs\"]\nmod rates;\n",
    ] {
        let (code, row) = attack_through(form, &[], "docs/rates.rs");
        assert_prohibited_by_billing(code, &row, "compiled into");
    }
}

#[test]
fn computed_include_paths_are_resolved_as_rustc_resolves_them() {
    for form in [
        "include!(concat!(\"../../../docs/\", \"rates.rs\"));\n",
        "include!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/\", \"../../docs/rates.rs\"));\n",
        "include!(concat!(\"../../../docs/\", stringify!(rates), \".rs\"));\n",
        "const R: &str = std::include_str!(core::concat!(\"../../../docs/rates\", \".rs\"));\n",
    ] {
        let (code, row) = attack_through(form, &[], "docs/rates.rs");
        assert_prohibited_by_billing(code, &row, "compiled into");
    }
}

/// Another door: `#[path]` inside an inline module resolves below that module's directory
/// (rustc: `src/inner/deeper/../../../../../docs/rates.rs`, the directories existing), which a reading
/// relative to the file alone puts above the repository root.
#[test]
fn a_path_attribute_inside_an_inline_module_resolves_below_it() {
    let (code, row) = attack_through(
        "mod inner {\n    mod deeper {\n        #[path = \"../../../../../docs/rates.rs\"]\n        pub mod rates;\n    }\n}\n",
        // The directory must exist for the OS to walk `inner/deeper/..`.
        &[("crates/billing-api/src/inner/deeper/README.md", "kept\n")],
        "docs/rates.rs",
    );
    assert_prohibited_by_billing(code, &row, "compiled into");
}

#[test]
fn modules_declared_inside_an_included_file_are_followed() {
    let (code, row) = attack_through(
        "#[path = \"../../../docs/rates.rs\"]\nmod rates;\n",
        &[
            ("docs/rates.rs", "pub mod tables;\n"),
            ("docs/tables.rs", RATES),
        ],
        "docs/tables.rs",
    );
    assert_prohibited_by_billing(code, &row, "compiled into");
}

/// The scan tokenizes a crate's own file only when its bytes spell `include` or `path`:
/// rustc reads no inclusion form without one of the two words. Every spelling rustc accepts
/// (space, newline or comment before the `!`, an attribute split over lines) still holds one;
/// a check for `include!` or `path =` alone would pass these files over, and the AI edit of
/// the file they pull in would be judged by its own path.
#[test]
fn the_byte_check_before_the_scan_misses_no_spelling_of_a_form() {
    for form in [
        "include\n!(concat!(\"../../../docs/\", \"rates.rs\"));\n",
        "const R: &str = include_str /* loaded */ !(\"../../../docs/rates.rs\");\n",
        "#[cfg_attr(all(), path\n= \"../../../docs/rates.rs\")]\nmod rates;\n",
    ] {
        let d = Demo::new();
        d.write(
            "crates/billing-api/src/lib.rs",
            &billing_lib_with("mod loader;"),
        );
        d.write("crates/billing-api/src/loader.rs", form);
        d.write("docs/rates.rs", RATES);
        d.human("Billing reads its rates from docs");
        d.ai(&[("docs/rates.rs", RATES_AI)]);
        let (code, row) = d.verify();
        assert_prohibited_by_billing(code, &row, "compiled into");
    }
}

#[test]
fn an_unresolvable_include_makes_every_outside_file_may_include() {
    for form in [
        "macro_rules! rates { ($p:expr) => { include!($p); } }\nrates!(\"../../../docs/rates.rs\");\n",
        // Another door: the macro under another name.
        "use std::include as load;\nload!(\"../../../docs/rates.rs\");\n",
    ] {
        let (code, row) = attack_through(form, &[], "docs/rates.rs");
        assert_prohibited_by_billing(code, &row, "may include");
    }
}

/// Forms a macro builds, in a file that never spells them where they take effect: an include
/// macro handed by name to another macro, a `mod` under an attribute made of a `meta`
/// fragment (`at!(path = "…")`), an identifier pasted from pieces (the `paste` crate's
/// `[<inc lude>]`). Each makes billing-api "may include" (before: the AI edit of the file it
/// pulls in passed as autonomous). cargo builds the first two (the third needs `paste`, a
/// registry crate the offline demo does not have).
#[test]
fn forms_a_macro_builds_make_the_crate_may_include() {
    let macros = "macro_rules! call {\n    ($m:ident, $f:literal) => {\n        $m!($f);\n    };\n}\nmacro_rules! at {\n    ($a:meta) => {\n        #[$a]\n        mod rates;\n    };\n}\n";
    let loaders = [
        "call!(include, \"../../../docs/rates.rs\");\n",
        "at!(path = \"../../../docs/rates.rs\");\n",
        "paste::paste! { [<inc lude>]!(\"../../../docs/rates.rs\"); }\n",
    ];
    for (k, loader) in loaders.iter().enumerate() {
        let d = Demo::new();
        d.write(
            "crates/billing-api/src/lib.rs",
            &billing_lib_with("#[macro_use]\nmod macros;\nmod loader;"),
        );
        d.write("crates/billing-api/src/macros.rs", macros);
        d.write("crates/billing-api/src/loader.rs", loader);
        d.write("docs/rates.rs", RATES);
        if k < 2 {
            cargo_checks_billing(d.path(), loader);
        }
        d.human("Billing reads its rates from docs");
        d.ai(&[("docs/rates.rs", RATES_AI)]);
        let (code, row) = d.verify();
        assert_prohibited_by_billing(code, &row, "may include");
    }
}

/// rustc accepts every form above: the workspace with all of them builds (cargo, offline;
/// the demo has no registry dependencies), so these are real ways in, not scanner trivia.
#[test]
fn cargo_compiles_every_form_the_attacks_use() {
    let d = Demo::new();
    d.write(
        "crates/billing-api/src/lib.rs",
        &billing_lib_with(concat!(
            "#[cfg_attr(all(), cfg_attr(unix, path = \"../../../docs/a.rs\"))]\nmod a;\n",
            "# [path = \"../../../docs/b.rs\"]\nmod b;\n",
            "mod inner {\n    mod deeper {\n        #[path = \"../../../../../docs/c.rs\"]\n        pub mod c;\n    }\n}\n",
            "pub const D: u32 = include!(concat!(\"../../../docs/\", stringify!(d), \".rs\"));\n",
            "pub const E: u32 = include!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/\", \"../../docs/e.rs\"));\n",
            "use std::include as load;\npub const F: u32 = load!(\"../../../docs/f.rs\");\n",
        )),
    );
    d.write("docs/a.rs", "pub mod tables;\n");
    d.write("docs/tables.rs", RATES);
    d.write("docs/b.rs", RATES);
    d.write("docs/c.rs", RATES);
    d.write("crates/billing-api/src/inner/deeper/README.md", "kept\n");
    for f in ["d", "e", "f"] {
        d.write(&format!("docs/{f}.rs"), "1\n");
    }
    cargo_checks_billing(d.path(), "every form");
}

/// rustc's own answer that the forms written into the demo at `dir` compile: `cargo check
/// --offline` of billing-api in a throwaway target directory (`CARGO` is set by `cargo test`).
fn cargo_checks_billing(dir: &Path, what: &str) {
    let Ok(cargo) = std::env::var("CARGO") else {
        eprintln!("skipped: cargo not found");
        return;
    };
    let target = tempfile::tempdir().expect("target dir");
    let out = std::process::Command::new(cargo)
        .args(["check", "--offline", "-q", "-p", "billing-api"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target.path())
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "cargo check of {what}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_file_a_build_script_reads_takes_its_crates_tier() {
    for build in [
        // prost/tonic style: no rerun-if-changed, a literal path.
        "fn main() { let _ = std::fs::read_to_string(\"../../docs/billing.proto\"); }\n",
        // A CARGO_MANIFEST_DIR join.
        "use std::path::PathBuf;\nfn main() {\n    let dir = PathBuf::from(std::env::var(\"CARGO_MANIFEST_DIR\").unwrap());\n    let _ = std::fs::read(dir.join(\"../../docs/billing.proto\"));\n}\n",
        // Another door: include_str! in the build script, relative to the script.
        "const P: &str = include_str!(\"../../docs/billing.proto\");\nfn main() { let _ = P; }\n",
    ] {
        let d = Demo::new();
        d.write("crates/billing-api/build.rs", build);
        d.write("docs/billing.proto", "message Rate { int32 cents = 1; }\n");
        d.human("Billing generates its types from the schema");
        d.ai(&[("docs/billing.proto", "message Rate { int64 cents = 1; }\n")]);
        let (code, row) = d.verify();
        assert_prohibited_by_billing(code, &row, "build script");
    }
}

#[test]
fn a_build_script_reading_a_computed_path_may_read_any_file() {
    let d = Demo::new();
    d.write(
        "crates/billing-api/build.rs",
        "fn main() {\n    for p in [\"billing\", \"rates\"] {\n        let _ = std::fs::read(format!(\"../../docs/{p}.proto\"));\n    }\n}\n",
    );
    d.human("Billing generates its types from the schemas");
    d.ai(&[("docs/rates.proto", "message Rate {}\n")]);
    let (code, row) = d.verify();
    assert_prohibited_by_billing(code, &row, "may read");
}

#[test]
fn a_build_script_that_reads_nothing_reads_nothing() {
    let d = Demo::new();
    d.write(
        "crates/billing-api/build.rs",
        "fn main() { println!(\"cargo:rerun-if-changed=../../docs/billing.proto\"); }\n",
    );
    d.write("docs/billing.proto", "message Rate {}\n");
    d.human("Billing reruns its build script on schema changes");
    d.ai(&[("docs/billing.proto", "message Rate { int64 cents = 1; }\n")]);
    let (code, row) = d.verify();
    assert_eq!(code, 0, "{row:#}");
    assert_eq!(row["tier"], "autonomous", "{row:#}");
}

fn assert_build_code(code: i32, row: &serde_json::Value) {
    assert_eq!(code, 1, "verify must fail: {row:#}");
    assert_eq!(row["tier"], "supervised", "{row:#}");
    assert!(
        row.to_string().contains("build machine"),
        "the reason says it runs on the build machine: {row:#}"
    );
}

#[test]
fn build_time_code_in_an_autonomous_crate_needs_build_code_tier() {
    for (path, text) in [
        (
            "crates/reporting/build.rs",
            "fn main() { let _ = std::fs::write(\"../billing-api/src/lib.rs\", \"\"); }\n",
        ),
        (
            "crates/reporting/.cargo/config.toml",
            "[build]\nrustc-wrapper = \"../../docs/wrap.sh\"\n",
        ),
        (
            "crates/reporting/.cargo/config",
            "[target.x86_64-unknown-linux-gnu]\nrunner = \"sh\"\n",
        ),
        (
            "crates/reporting/rust-toolchain.toml",
            "[toolchain]\nchannel = \"nightly\"\n",
        ),
        ("crates/ledger-cli/rust-toolchain", "nightly\n"),
    ] {
        let d = Demo::new();
        d.ai(&[(path, text)]);
        let (code, row) = d.verify();
        assert_build_code(code, &row);
    }
}

#[test]
fn a_member_used_at_build_time_is_build_code() {
    // reporting (autonomous) uses core-types (autonomous) as a build dependency: an AI edit
    // of core-types' code runs on the build machine.
    let d = Demo::new();
    d.write(
        "crates/reporting/Cargo.toml",
        &format!(
            "{}\n[build-dependencies]\ncore-types = {{ path = \"../core-types\" }}\n",
            include_str!("../../src/demo/fixtures/reporting-manifest.toml")
        ),
    );
    d.write("crates/reporting/build.rs", "fn main() {}\n");
    d.human("Reporting's build script uses core-types");
    d.ai(&[(
        "crates/core-types/src/value.rs",
        "//! A ledger value.\n\n#[derive(Clone, Debug, PartialEq, Eq)]\npub struct Value {\n    pub cents: i64,\n    pub memo: String,\n}\n",
    )]);
    let (code, row) = d.verify();
    assert_build_code(code, &row);
}

/// Another door: a manifest edit alone — `build = "…"` pointing outside the crate at a file
/// under an autonomous path — makes cargo run that file on the build machine.
#[test]
fn a_manifest_change_that_adds_a_build_script_is_build_code() {
    let d = Demo::new();
    d.write("docs/gen.rs", "fn main() {}\n");
    d.human("A docs generator");
    d.ai(&[(
        "crates/reporting/Cargo.toml",
        &include_str!("../../src/demo/fixtures/reporting-manifest.toml").replace(
            "edition.workspace = true",
            "edition.workspace = true\nbuild = \"../../docs/gen.rs\"",
        ),
    )]);
    let (code, row) = d.verify();
    assert_build_code(code, &row);
}

#[test]
fn build_code_max_takes_the_highest_tier_any_rule_or_crate_has() {
    let d = Demo::new();
    d.edit_policy(|policy| {
        policy.replace(
            "cap = \"supervised\"",
            "cap = \"supervised\"\nbuild_code = \"max\"",
        )
    });
    d.human("Build-time code is as critical as billing");
    d.ai(&[("crates/reporting/build.rs", "fn main() {}\n")]);
    let (code, row) = d.verify();
    assert_eq!(code, 1, "{row:#}");
    // billing-api's Cargo.toml makes prohibited the highest tier; cap does not lower it.
    assert_eq!(row["tier"], "prohibited", "{row:#}");
}

#[test]
fn policy_check_names_an_unresolved_form_and_explains_build_code() {
    let d = Demo::new();
    d.write(
        "crates/billing-api/src/lib.rs",
        &billing_lib_with(
            "const PATH: &str = \"x\";\nmacro_rules! load { ($p:expr) => { include_str!($p) } }\n",
        ),
    );
    d.human("Billing loads a table");
    let out = countersign(d.path())
        .args(["policy", "check"])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("`billing-api` may include any file outside it")
            && stderr.contains("crates/billing-api/src/lib.rs:"),
        "{stderr}"
    );
    assert!(stdout.contains("[escalation] build_code"), "{stdout}");
}

/// A lock file with two `foo 1.0.0` from different sources: billing-api locks the registry's,
/// reporting a git one. `checksum` is the registry one's.
fn lock_with(checksum: &str) -> String {
    let reg = "registry+https://github.com/rust-lang/crates.io-index";
    let git = "git+https://example.com/foo?rev=aaaa#aaaa";
    format!(
        "version = 3\n\n\
         [[package]]\nname = \"auth\"\nversion = \"0.1.0\"\ndependencies = [\n \"core-types\",\n]\n\n\
         [[package]]\nname = \"billing-api\"\nversion = \"0.1.0\"\ndependencies = [\n \"auth\",\n \"core-types\",\n \"foo 1.0.0 ({reg})\",\n]\n\n\
         [[package]]\nname = \"core-types\"\nversion = \"0.1.0\"\n\n\
         [[package]]\nname = \"foo\"\nversion = \"1.0.0\"\nsource = \"{git}\"\n\n\
         [[package]]\nname = \"foo\"\nversion = \"1.0.0\"\nsource = \"{reg}\"\nchecksum = \"{checksum}\"\n\n\
         [[package]]\nname = \"reporting\"\nversion = \"0.1.0\"\ndependencies = [\n \"core-types\",\n \"foo 1.0.0 ({git})\",\n]\n"
    )
}

#[test]
fn a_lock_change_reaches_the_member_locking_that_exact_package() {
    let d = Demo::new();
    d.edit_policy(|policy| {
        format!("{policy}\n[[rules]]\npaths = [\"Cargo.lock\"]\ntier = \"autonomous\"\n")
    });
    d.write("Cargo.lock", &lock_with(&"1".repeat(64)));
    d.human("Lock the dependencies");
    d.ai(&[("Cargo.lock", &lock_with(&"2".repeat(64)))]);
    let (code, row) = d.verify();
    assert_eq!(code, 1, "{row:#}");
    assert_eq!(row["tier"], "supervised", "{row:#}");
    assert!(row.to_string().contains("billing-api"), "{row:#}");
}

#[test]
fn a_submodule_bump_takes_the_tier_of_the_crate_compiling_from_it() {
    // Through a path dependency into the submodule or a directory below its root, and
    // (another door) an include! of one of its files.
    submodule_bump(Some("vendor/money"), true);
    submodule_bump(Some("vendor/money/core"), true);
    submodule_bump(None, true);
    // A path dependency beside it that only shares the name's beginning is not below it.
    submodule_bump(Some("vendor/money-core"), false);
}

/// A commit bumping the `vendor/money` submodule, which billing-api (prohibited) compiles
/// from through a path dependency on `dependency` or, without one, an include!; `reached`:
/// whether the bump must take billing-api's tier for it.
fn submodule_bump(dependency: Option<&str>, reached: bool) {
    let d = Demo::new();
    if let Some(dep) = dependency {
        d.write(
            "crates/billing-api/Cargo.toml",
            &format!(
                "{}money = {{ path = \"../../{dep}\" }}\n",
                include_str!("../../src/demo/fixtures/billing-manifest.toml")
            ),
        );
    } else {
        d.write(
            "crates/billing-api/src/lib.rs",
            &billing_lib_with("include!(\"../../../vendor/money/src/rates.rs\");\n"),
        );
    }
    d.write(
        ".gitmodules",
        "[submodule \"money\"]\n\tpath = vendor/money\n\turl = https://example.com/money.git\n",
    );
    git_in(
        d.path(),
        &[
            "update-index",
            "--add",
            "--cacheinfo",
            "160000,1111111111111111111111111111111111111111,vendor/money",
        ],
    );
    d.human("Billing uses the money submodule");
    git_in(d.path(), &["checkout", "-q", "-B", "attack", "main"]);
    git_in(
        d.path(),
        &[
            "update-index",
            "--add",
            "--cacheinfo",
            "160000,2222222222222222222222222222222222222222,vendor/money",
        ],
    );
    git_in(
        d.path(),
        &[
            "commit",
            "-q",
            "-m",
            "Bump money\n\nCo-authored-by: Kiro <kiro@agents.example>",
        ],
    );
    let (code, row) = d.verify();
    let below = row.to_string().contains("compiles files below it");
    if !reached {
        assert!(!below, "{dependency:?}: {row:#}");
        return;
    }
    assert_eq!(code, 1, "{row:#}");
    assert_eq!(row["tier"], "prohibited", "{row:#}");
    assert!(below, "{dependency:?}: {row:#}");
}

#[test]
fn a_file_a_crate_does_not_build_takes_only_its_path_rules() {
    let d = Demo::new();
    d.ai(&[("crates/auth/NOTES.md", "Tokens are cached per thread.\n")]);
    let (code, row) = d.verify();
    assert_eq!(
        code, 0,
        "`**/*.md = autonomous` holds for auth's notes: {row:#}"
    );
    assert_eq!(row["tier"], "autonomous", "{row:#}");
}

#[test]
fn a_file_a_crate_may_build_keeps_its_tier() {
    for (wiring, file) in [
        // include_str! inside the crate.
        ("pub const NOTES: &str = include_str!(\"../NOTES.md\");\n", "crates/billing-api/NOTES.md"),
        // Another door: a name in an attribute, as a proc macro (askama, sqlx) reads it.
        ("pub struct Invoice; // #[template(path = \"invoice.md\")]\n#[doc = \"invoice.md\"]\npub struct Page;\n", "crates/billing-api/templates/invoice.md"),
    ] {
        let d = Demo::new();
        d.write("crates/billing-api/src/lib.rs", &billing_lib_with(wiring));
        d.write(file, "v1\n");
        d.human("Billing reads a document");
        d.ai(&[(file, "v2\n")]);
        let (code, row) = d.verify();
        assert_eq!(code, 1, "{file}: {row:#}");
        assert_eq!(row["tier"], "prohibited", "{file}: {row:#}");
    }
}

/// The names a crate's string literals give (what a proc macro may read) are read from a file
/// spelling neither `include` nor `path` only when a judgement asks about a file in the
/// crate's folder: asked, they still count. Before they are read, or where they cannot be,
/// every file in the folder counts as built.
#[test]
fn a_name_in_a_file_without_forms_still_keeps_the_named_file_built() {
    let d = Demo::new();
    d.write(
        "crates/billing-api/src/lib.rs",
        &billing_lib_with("mod page;"),
    );
    d.write(
        "crates/billing-api/src/page.rs",
        "#[doc = \"invoice.md\"]\npub struct Page;\n",
    );
    d.write("crates/billing-api/templates/invoice.md", "v1\n");
    d.human("Billing renders an invoice page");
    d.ai(&[("crates/billing-api/templates/invoice.md", "v2\n")]);
    let (code, row) = d.verify();
    assert_eq!(code, 1, "{row:#}");
    assert_eq!(row["tier"], "prohibited", "{row:#}");
    // A document no literal names still takes only its path rules.
    d.ai(&[("crates/billing-api/NOTES.md", "notes\n")]);
    let (code, row) = d.verify();
    assert_eq!(code, 0, "{row:#}");
    assert_eq!(row["tier"], "autonomous", "{row:#}");
}

#[test]
fn policy_check_warns_about_a_rule_that_never_takes_effect() {
    let d = Demo::new();
    d.edit_policy(|policy| {
        format!(
            "{policy}\n[[rules]]\npaths = [\"crates/billing-api/src/**\"]\ntier = \"autonomous\"\n"
        )
    });
    d.human("Billing sources are autonomous (they are not: the crate is prohibited)");
    let out = countersign(d.path())
        .args(["policy", "check"])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("never takes effect"), "{stderr}");
    // The demo's own rules all take effect.
    let clean = Demo::new();
    let out = countersign(clean.path())
        .args(["policy", "check"])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("never takes effect"), "{stderr}");
}

/// `verify main..attack`'s exit code and stderr.
fn verify_status(d: &Demo) -> (i32, String, String) {
    let out = countersign(d.path())
        .args(["verify", "main..attack", "--trusted-ref", "refs/heads/main"])
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_tree_listing_a_name_twice_fails_its_commit() {
    let d = Demo::new();
    git_in(d.path(), &["checkout", "-q", "-B", "attack", "main"]);
    // main's root tree, with README.md listed twice: an edited copy first, the original
    // after it (a checkout keeps one of them).
    let listing = git_in(d.path(), &["ls-tree", "-z", "main"]);
    let edited = support::git_stdin(
        d.path(),
        &["hash-object", "-w", "--stdin"],
        b"# ledger\n\nSomething else.\n",
    );
    let hex = |s: &str| -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|k| u8::from_str_radix(&s[k..k + 2], 16).expect("hex"))
            .collect()
    };
    let mut raw = Vec::new();
    for entry in listing.split('\0').filter(|e| !e.is_empty()) {
        let (meta, name) = entry.split_once('\t').expect("an entry");
        let mut parts = meta.split(' ');
        let (mode, _, id) = (
            parts.next().expect("mode"),
            parts.next(),
            parts.next().expect("id"),
        );
        let mode = mode.trim_start_matches('0');
        if name == "README.md" {
            raw.extend(format!("{mode} {name}\0").as_bytes());
            raw.extend(hex(&edited));
        }
        raw.extend(format!("{mode} {name}\0").as_bytes());
        raw.extend(hex(id));
    }
    let tree = support::git_stdin(
        d.path(),
        &["hash-object", "-t", "tree", "-w", "--literally", "--stdin"],
        &raw,
    );
    let main = git_in(d.path(), &["rev-parse", "main"]);
    let commit = support::git_stdin(
        d.path(),
        &[
            "commit-tree",
            &tree,
            "-p",
            main.trim(),
            "-m",
            "Reword the readme\n\nCo-authored-by: Kiro <kiro@agents.example>",
        ],
        b"",
    );
    git_in(d.path(), &["update-ref", "refs/heads/attack", &commit]);
    let (code, row) = d.verify();
    assert_eq!(code, 1, "{row:#}");
    assert!(row["problems"].to_string().contains("twice"), "{row:#}");
}

#[test]
fn a_replace_ref_on_a_judged_object_is_refused_and_others_are_named() {
    let d = Demo::new();
    d.ai(&[("docs/reporting.md", "# Reporting\n\nShorter.\n")]);
    let (code, _, stderr) = verify_status(&d);
    assert_eq!(code, 0, "an autonomous docs edit passes: {stderr}");
    // Unrelated: a replacement of an object nothing here reads is a notice.
    let a = support::git_stdin(d.path(), &["hash-object", "-w", "--stdin"], b"a\n");
    let b = support::git_stdin(d.path(), &["hash-object", "-w", "--stdin"], b"b\n");
    git_in(d.path(), &["replace", &a, &b]);
    let (code, _, stderr) = verify_status(&d);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("replaces"), "{stderr}");
    // The reviewed blob replaced: git would check out other content.
    let blob = git_in(d.path(), &["rev-parse", "attack:docs/reporting.md"]);
    let evil = support::git_stdin(d.path(), &["hash-object", "-w", "--stdin"], b"evil\n");
    git_in(d.path(), &["replace", blob.trim(), &evil]);
    let (code, _, stderr) = verify_status(&d);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("replaces") && stderr.contains("refs/replace/"),
        "{stderr}"
    );
}

#[test]
fn a_feature_change_on_a_prohibited_member_takes_its_tier() {
    let d = Demo::new();
    d.write(
        "crates/billing-api/Cargo.toml",
        &format!(
            "{}\n[features]\nmock-limits = []\n",
            include_str!("../../src/demo/fixtures/billing-manifest.toml")
        ),
    );
    d.write(
        "crates/reporting/Cargo.toml",
        &format!(
            "{}billing-api = {{ path = \"../billing-api\" }}\n",
            include_str!("../../src/demo/fixtures/reporting-manifest.toml")
        ),
    );
    d.human("Reporting reads billing");
    d.ai(&[(
        "crates/reporting/Cargo.toml",
        &format!(
            "{}billing-api = {{ path = \"../billing-api\", features = [\"mock-limits\"] }}\n",
            include_str!("../../src/demo/fixtures/reporting-manifest.toml")
        ),
    )]);
    let (code, row) = d.verify();
    assert_eq!(code, 1, "{row:#}");
    assert_eq!(row["tier"], "prohibited", "{row:#}");
    assert!(row.to_string().contains("unifies"), "{row:#}");
}

#[test]
fn checkout_attributes_on_compiled_files_take_the_compiling_crates_tier() {
    let d = Demo::new();
    d.write(
        "crates/billing-api/src/lib.rs",
        &billing_lib_with("#[path = \"../../../docs/rates.rs\"]\nmod rates;\n"),
    );
    d.write("docs/rates.rs", RATES);
    d.human("Billing reads its rates from docs");
    d.ai(&[("docs/.gitattributes", "rates.rs filter=rates\n")]);
    let (code, row) = d.verify();
    assert_eq!(code, 1, "{row:#}");
    assert_eq!(row["tier"], "prohibited", "{row:#}");
    assert!(row.to_string().contains("checkout attributes"), "{row:#}");
}

#[test]
fn impact_json_names_the_crates_each_file_is_compiled_into() {
    let d = Demo::new();
    d.write(
        "crates/billing-api/src/lib.rs",
        &billing_lib_with("#[path = \"../../../docs/rates.rs\"]\nmod rates;\n"),
    );
    d.write("docs/rates.rs", RATES);
    d.human("Billing reads its rates from docs");
    d.ai(&[
        ("docs/rates.rs", RATES_AI),
        ("crates/auth/NOTES.md", "notes\n"),
    ]);
    let out = countersign(d.path())
        .args([
            "impact",
            "main..attack",
            "--trusted-ref",
            "refs/heads/main",
            "--format",
            "json",
        ])
        .output()
        .expect("runs");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(json["changed_files"][0].is_string(), "{json:#}");
    let files = json["files"].as_array().expect("files");
    let rates = files
        .iter()
        .find(|f| f["path"] == "docs/rates.rs")
        .expect("docs/rates.rs");
    assert_eq!(rates["tier"], "prohibited", "{rates:#}");
    let into = &rates["compiled_into"][0];
    assert_eq!(into["crate"], "billing-api", "{rates:#}");
    assert_eq!(into["certainty"], "does", "{rates:#}");
    assert!(into["how"].to_string().contains("#[path]"), "{rates:#}");
    let notes = files
        .iter()
        .find(|f| f["path"] == "crates/auth/NOTES.md")
        .expect("NOTES.md");
    assert_eq!(notes["compiled_into"], serde_json::json!([]), "{notes:#}");
}

/// Precision: a plain dependency on a member that defines no features cannot change what
/// cargo unifies it with (diem: 18 of 200 commits were raised by a coarser reading).
#[test]
fn a_plain_dependency_on_a_member_without_features_reaches_nothing() {
    let d = Demo::new();
    d.ai(&[(
        "crates/reporting/Cargo.toml",
        &format!(
            "{}billing-api = {{ path = \"../billing-api\" }}\n",
            include_str!("../../src/demo/fixtures/reporting-manifest.toml")
        ),
    )]);
    let (code, row) = d.verify();
    assert_eq!(code, 0, "{row:#}");
    assert_eq!(row["tier"], "autonomous", "{row:#}");
}

/// A source file the scan cannot read (its object is missing from the clone) may include
/// anything: its crate fails closed. Before the fix the scan passed over it, so an edit of
/// the file it includes was judged by its own path alone (autonomous, exit 0).
#[test]
fn an_unreadable_source_file_fails_its_crate_closed() {
    let d = Demo::new();
    let loader = "crates/billing-api/src/loader.rs";
    d.write(
        "crates/billing-api/src/lib.rs",
        &billing_lib_with("mod loader;"),
    );
    d.write(
        loader,
        "include!(concat!(\"../../../docs/\", \"rates.rs\"));\n",
    );
    d.write("docs/rates.rs", RATES);
    d.human("Billing reads its rates from docs");
    d.ai(&[("docs/rates.rs", RATES_AI)]);
    let blob = String::from_utf8(
        std::process::Command::new("git")
            .current_dir(d.path())
            .args(["rev-parse", &format!("main:{loader}")])
            .output()
            .expect("git runs")
            .stdout,
    )
    .expect("hex");
    let blob = blob.trim();
    let object = d
        .path()
        .join(".git/objects")
        .join(&blob[..2])
        .join(&blob[2..]);
    std::fs::remove_file(&object).expect("the loader's blob is a loose object");
    let (code, row) = d.verify();
    assert_prohibited_by_billing(code, &row, "could not be read");
}

/// DESIGN (build-time code): a vendored crate (a Cargo directory source: each crate holds a
/// `.cargo-checksum.json`, as `cargo vendor` writes it) is compiled on the build machine, so
/// its files take at least `build_code` whatever path rule covers them. Before, a rule
/// `vendor/** = autonomous` let an AI edit of a vendored crate through (exit 0).
#[test]
fn a_vendored_crates_files_are_build_code_whatever_their_path_rule() {
    let d = Demo::new();
    d.edit_policy(|policy| {
        format!("{policy}\n[[rules]]\npaths = [\"third_party/**\"]\ntier = \"autonomous\"\n")
    });
    d.write(
        ".cargo/config.toml",
        "[source.crates-io]\nreplace-with = \"vendored\"\n\n[source.vendored]\ndirectory = \"third_party/vendor\"\n",
    );
    d.write(
        "third_party/vendor/left-pad/Cargo.toml",
        "[package]\nname = \"left-pad\"\nversion = \"1.0.0\"\nedition = \"2021\"\n",
    );
    d.write(
        "third_party/vendor/left-pad/src/lib.rs",
        "pub fn pad() {}\n",
    );
    d.write(
        "third_party/vendor/left-pad/.cargo-checksum.json",
        "{\"files\":{},\"package\":null}\n",
    );
    d.write("third_party/README.txt", "vendored sources\n");
    d.human("Vendor left-pad");
    d.ai(&[(
        "third_party/vendor/left-pad/src/lib.rs",
        "pub fn pad() { std::process::abort() }\n",
    )]);
    let (code, row) = d.verify();
    assert_eq!(code, 1, "verify must fail: {row:#}");
    assert_eq!(row["tier"], "supervised", "{row:#}");
    assert!(row.to_string().contains("vendored crate"), "{row:#}");
    // Another door: a file whose name is not UTF-8, added inside the vendored crate.
    {
        use std::os::unix::ffi::OsStrExt;
        git_in(d.path(), &["checkout", "-q", "-B", "attack", "main"]);
        let name = std::ffi::OsStr::from_bytes(b"third_party/vendor/left-pad/src/\xff.rs");
        std::fs::write(d.path().join(name), "pub fn pad() {}\n").expect("write");
        git_in(d.path(), &["add", "-A"]);
        git_in(
            d.path(),
            &[
                "commit",
                "-q",
                "-m",
                "Pad\n\nCo-authored-by: Kiro <kiro@agents.example>",
            ],
        );
        let (code, row) = d.verify();
        assert_eq!(
            code, 1,
            "a non-UTF-8 name escaped the vendored crate: {row:#}"
        );
        assert!(row.to_string().contains("vendored crate"), "{row:#}");
    }
    // Control: a file beside the vendored crates keeps its autonomous rule.
    d.ai(&[("third_party/README.txt", "vendored sources, see .cargo\n")]);
    let (code, row) = d.verify();
    assert_eq!(code, 0, "{row:#}");
    assert_eq!(row["tier"], "autonomous", "{row:#}");
}

/// DESIGN (checkout fidelity): checkout attributes already on the trusted ref are flagged on
/// the files they cover — `verify` (text and JSON) and `status` name them — and change no
/// tier. `text=auto` and `eol=lf` write an LF blob as it is and are not flagged; an `ident`
/// unset below is still flagged (stricter, never laxer).
#[test]
fn checkout_attributes_on_the_trusted_ref_are_flagged_on_the_files_they_cover() {
    let d = Demo::new();
    d.write(".gitattributes", "* text=auto eol=lf\n");
    d.write(
        "crates/reporting/.gitattributes",
        "[attr]stamped ident\nsrc/*.rs stamped\n*.md filter=lfs\n",
    );
    d.human("Stamp reporting's sources");
    d.ai(&[
        (
            "crates/reporting/src/csv.rs",
            "//! $Id$\npub fn to_csv() {}\n",
        ),
        ("docs/reporting.md", "# Reporting\n"),
    ]);
    let (code, row) = d.verify();
    let flags = row["checkout_attributes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(flags.len(), 1, "only the stamped source: {row:#}");
    assert_eq!(flags[0]["path"], "crates/reporting/src/csv.rs", "{row:#}");
    assert_eq!(flags[0]["attributes"][0], "stamped (ident)", "{row:#}");
    assert_eq!(row["tier"], "autonomous", "a flag changes no tier: {row:#}");
    assert_eq!(code, 0, "{row:#}");
    let text = countersign(d.path())
        .args(["verify", "main..attack", "--trusted-ref", "refs/heads/main"])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert!(
        stdout.contains("warning: `crates/reporting/src/csv.rs` has checkout attributes on the trusted ref (stamped (ident))"),
        "{stdout}"
    );
    let status = countersign(d.path())
        .args(["status", "main..attack", "--trusted-ref", "refs/heads/main"])
        .output()
        .expect("runs");
    assert!(
        String::from_utf8_lossy(&status.stdout).contains("has checkout attributes"),
        "{}",
        String::from_utf8_lossy(&status.stdout)
    );
}
