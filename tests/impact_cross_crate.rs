//! The module graph across a workspace's crates, on real Cargo workspaces in real git
//! repositories: references are followed through every crate the change reaches, however
//! many hops away, and the reference graph each test writes is checked by cargo itself
//! (the workspace must build).

mod support;

use std::collections::BTreeSet;

use countersign_core::git::{ChangeSet, LoadDepth};
use countersign_core::impact::{self, Impact, Options};
use support::TestRepo;

/// Writes a package `name` in `crates/NAME` depending (by path) on `deps`, with its files.
fn krate(t: &TestRepo, name: &str, deps: &[&str], files: &[(&str, &str)]) {
    let mut manifest = format!(
        "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n"
    );
    for d in deps {
        manifest.push_str(&format!("{d} = {{ path = \"../{d}\" }}\n"));
    }
    t.write(format!("crates/{name}/Cargo.toml"), manifest);
    for (path, text) in files {
        t.write(format!("crates/{name}/{path}"), text);
    }
}

fn workspace(t: &TestRepo) {
    t.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"2\"\n",
    );
    t.write(".gitignore", "/target\n");
}

/// Builds the workspace with cargo (offline, no registry crates): the references the test
/// relies on are real ones.
fn cargo_builds(t: &TestRepo) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let out = std::process::Command::new(cargo)
        .args([
            "build",
            "--offline",
            "--workspace",
            "--all-targets",
            "--quiet",
        ])
        .current_dir(t.path())
        .env("CARGO_TARGET_DIR", t.path().join("target"))
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "the generated workspace must build: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The impact of HEAD (against its parent), module graph included, with `opts`.
fn impact_of_head(t: &TestRepo, opts: &Options) -> Impact {
    let head = t.repo.head().unwrap().peel_to_commit().unwrap().id();
    let change = ChangeSet::load(&t.repo, &[head], LoadDepth::Files).expect("change set");
    impact::analyze(&t.repo, &change.commits, opts).expect("impact")
}

fn modules(i: &Impact) -> BTreeSet<String> {
    i.modules.iter().map(|m| m.module.clone()).collect()
}

/// Five crates deep — `base` ← `mid` ← `top` ← `app` (a binary), and `both` depending on
/// `mid` and `top` — plus `side` (depends on `base`, names only what did not change) and
/// `far` above it. A change to `base::codec` reaches exactly the modules naming it, through
/// a `pub use` re-export one crate up and the binary three hops away; `side` and `far` hold
/// nothing it reaches. Limited to one hop, the graph misses `top`, `app` and `both`.
#[test]
fn references_are_followed_through_every_crate_the_change_reaches() {
    let t = TestRepo::new();
    workspace(&t);
    krate(
        &t,
        "base",
        &[],
        &[
            ("src/lib.rs", "pub mod codec;\npub mod misc;\n"),
            (
                "src/codec.rs",
                "pub fn encode(x: u32) -> u32 {\n    x + 1\n}\n",
            ),
            ("src/misc.rs", "pub fn noise() -> u32 {\n    7\n}\n"),
        ],
    );
    krate(
        &t,
        "mid",
        &["base"],
        &[
            ("src/lib.rs", "pub mod other;\npub mod wire;\n"),
            (
                "src/wire.rs",
                "pub fn send(x: u32) -> u32 {\n    base::codec::encode(x)\n}\n",
            ),
            (
                "src/other.rs",
                "pub fn o() -> u32 {\n    base::misc::noise()\n}\n",
            ),
        ],
    );
    krate(
        &t,
        "top",
        &["mid"],
        &[
            ("src/lib.rs", "pub mod api;\npub mod idle;\n"),
            (
                "src/api.rs",
                "pub use mid::wire::send;\n\npub fn call() -> u32 {\n    send(1)\n}\n",
            ),
            (
                "src/idle.rs",
                "pub fn idle() -> u32 {\n    mid::other::o()\n}\n",
            ),
        ],
    );
    krate(
        &t,
        "app",
        &["top"],
        &[
            (
                "src/main.rs",
                "mod cmd;\nmod quiet;\n\nfn main() {\n    println!(\"{} {}\", cmd::run(), quiet::q());\n}\n",
            ),
            ("src/cmd.rs", "pub fn run() -> u32 {\n    top::api::call()\n}\n"),
            ("src/quiet.rs", "pub fn q() -> u32 {\n    top::idle::idle()\n}\n"),
        ],
    );
    krate(
        &t,
        "both",
        &["mid", "top"],
        &[(
            "src/lib.rs",
            "pub fn b() -> u32 {\n    top::api::send(2) + mid::other::o()\n}\n",
        )],
    );
    krate(
        &t,
        "side",
        &["base"],
        &[(
            "src/lib.rs",
            "pub fn s() -> u32 {\n    base::misc::noise()\n}\n",
        )],
    );
    krate(
        &t,
        "far",
        &["side"],
        &[("src/lib.rs", "pub fn f() -> u32 {\n    side::s()\n}\n")],
    );
    cargo_builds(&t);
    t.commit("base");
    t.write(
        "crates/base/src/codec.rs",
        "pub fn encode(x: u32) -> u32 {\n    x + 2\n}\n",
    );
    t.commit("codec: add two");

    let i = impact_of_head(&t, &Options::default());
    let want: BTreeSet<String> = [
        "base::codec",
        "mid::wire",
        "top::api",
        "bin:app",
        "bin:app::cmd",
        "both",
    ]
    .map(String::from)
    .into();
    assert_eq!(modules(&i), want, "{:#?}", i.modules);
    assert!(i.module_fallbacks.is_empty(), "{:?}", i.module_fallbacks);
    let cmd = i
        .modules
        .iter()
        .find(|m| m.module == "bin:app::cmd")
        .unwrap();
    assert_eq!(
        cmd.via,
        ["base::codec", "mid::wire", "top::api", "bin:app::cmd"],
        "the chain names each crate's module in turn"
    );
    assert_eq!(cmd.file, "crates/app/src/cmd.rs");
    // Every crate depending on `base` is affected at the crate level; the module graph
    // narrows `side` and `far` to nothing.
    for c in ["side", "far", "app", "both"] {
        assert!(i.affected_crates.iter().any(|a| a == c), "{c}");
    }

    // One hop only (the old default): the crates two or more hops away are missed.
    let shallow = impact_of_head(
        &t,
        &Options {
            module_depth: 1,
            ..Options::default()
        },
    );
    let missed: BTreeSet<String> = want.difference(&modules(&shallow)).cloned().collect();
    assert_eq!(
        missed,
        ["top::api", "bin:app", "bin:app::cmd", "both"]
            .map(String::from)
            .into(),
        "depth 1 must miss what lies beyond the direct dependents"
    );
}

/// `Cargo.lock` for `a` (using `itoa`) and `b` (using `a`) in format `format` (3 or 4).
fn lock(format: u8, itoa: &str) -> String {
    format!(
        "version = {format}\n\n[[package]]\nname = \"a\"\nversion = \"0.1.0\"\ndependencies = [\n \"itoa\",\n]\n\n\
         [[package]]\nname = \"b\"\nversion = \"0.1.0\"\ndependencies = [\n \"a\",\n]\n\n\
         [[package]]\nname = \"itoa\"\nversion = \"{itoa}\"\n\
         source = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"{itoa}\"\n"
    )
}

/// A commit that moves `Cargo.lock` from format 3 to 4 and bumps `itoa`: the crates all count
/// at the crate level (cargo reads the file anew), and the module graph still lists the
/// modules using `itoa` and what names them in the crate above — none falls back whole.
#[test]
fn a_lock_file_format_change_still_lists_the_modules_using_what_changed() {
    let t = TestRepo::new();
    workspace(&t);
    t.write(
        "crates/a/Cargo.toml",
        "[package]\nname = \"a\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nitoa = \"1\"\n",
    );
    t.write("crates/a/src/lib.rs", "pub mod num;\npub mod plain;\n");
    t.write(
        "crates/a/src/num.rs",
        "pub fn show(n: u32) -> String {\n    itoa::Buffer::new().format(n).to_string()\n}\n",
    );
    t.write("crates/a/src/plain.rs", "pub fn p() -> u32 {\n    1\n}\n");
    krate(
        &t,
        "b",
        &["a"],
        &[
            ("src/lib.rs", "pub mod ui;\npub mod calm;\n"),
            (
                "src/ui.rs",
                "pub fn ui() -> String {\n    a::num::show(3)\n}\n",
            ),
            ("src/calm.rs", "pub fn c() -> u32 {\n    a::plain::p()\n}\n"),
        ],
    );
    t.write("Cargo.lock", lock(3, "1.0.10"));
    t.commit("base");
    t.write("Cargo.lock", lock(4, "1.0.11"));
    t.commit("cargo update -p itoa, with a newer cargo");
    let i = impact_of_head(&t, &Options::default());
    assert_eq!(i.affected_crates, ["a", "b"]);
    assert!(i.module_fallbacks.is_empty(), "{:?}", i.module_fallbacks);
    assert_eq!(
        modules(&i),
        ["a::num", "b::ui"].map(String::from).into(),
        "{:#?}",
        i.modules
    );
    // A lock file that no longer parses is read by no one: every crate falls back whole and
    // the reason says why.
    t.write("Cargo.lock", "version = 4\n[[package]\n");
    t.commit("broken lock");
    let i = impact_of_head(&t, &Options::default());
    assert_eq!(i.module_fallbacks.len(), 2, "{:?}", i.module_fallbacks);
    assert!(
        i.module_fallbacks[0].reason.contains("does not parse"),
        "{:?}",
        i.module_fallbacks
    );
}
