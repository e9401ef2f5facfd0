//! The module graph across a workspace's crates, on real Cargo workspaces in real git
//! repositories: references are followed through every crate the change reaches, however
//! many hops away, and the reference graph each test writes is checked by cargo itself
//! (the workspace must build).

use crate::support;

use std::collections::BTreeSet;

use countersign_core::git::{ChangeSet, LoadDepth};
use countersign_core::impact::{self, Impact, Options};
use support::{Package, TestRepo};

/// Writes a package `name` in `crates/NAME` depending (by path) on `deps`, with its files.
fn krate(t: &TestRepo, name: &str, deps: &[&str], files: &[(&str, &str)]) {
    let mut package = Package::new(name);
    for d in deps {
        package = package.dep(d);
    }
    for (path, text) in files {
        package = package.file(path, text);
    }
    t.package(&package);
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

/// `Cargo.lock` for `builder` (using `anstream 1.0.0` and `itoa`) and `bench` (using the
/// registry's `divan`, on `anstream 0.6.21`): clap's lock held two `anstream`s so.
const TWO_ANSTREAMS: &str = "version = 4

[[package]]
name = \"anstream\"
version = \"0.6.21\"
source = \"REG\"
checksum = \"a06\"

[[package]]
name = \"anstream\"
version = \"1.0.0\"
source = \"REG\"
checksum = \"a10\"

[[package]]
name = \"bench\"
version = \"0.1.0\"
dependencies = [
 \"divan\",
]

[[package]]
name = \"builder\"
version = \"0.1.0\"
dependencies = [
 \"anstream 1.0.0\",
 \"itoa\",
]

[[package]]
name = \"divan\"
version = \"0.1.21\"
source = \"REG\"
checksum = \"d\"
dependencies = [
 \"anstream 0.6.21\",
]

[[package]]
name = \"itoa\"
version = \"1.0.10\"
source = \"REG\"
checksum = \"i10\"
";

/// A lock change is judged by the versions each package resolves to: dropping the
/// `anstream 0.6.21` only `divan` used changes nothing `builder` builds (its `anstream 1.0.0` is
/// as it was), so `builder`'s module naming `anstream` does not count, while the one naming the
/// bumped `itoa` does, and `bench`'s naming `divan` (whose locked tree changed).
#[test]
fn a_lock_change_reaches_the_modules_by_the_versions_their_package_resolves_to() {
    let t = TestRepo::new();
    workspace(&t);
    t.write(
        "crates/builder/Cargo.toml",
        "[package]\nname = \"builder\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nanstream = \"1\"\nitoa = \"1\"\n",
    );
    t.write("crates/builder/src/lib.rs", "pub mod num;\npub mod term;\n");
    t.write(
        "crates/builder/src/num.rs",
        "pub fn show(n: u32) -> String {\n    itoa::Buffer::new().format(n).to_string()\n}\n",
    );
    t.write(
        "crates/builder/src/term.rs",
        "pub fn out() -> anstream::Stdout {\n    anstream::stdout()\n}\n",
    );
    t.write(
        "crates/bench/Cargo.toml",
        "[package]\nname = \"bench\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\ndivan = \"0.1\"\n",
    );
    t.write(
        "crates/bench/src/lib.rs",
        "pub mod timing;\npub mod calm;\n",
    );
    t.write(
        "crates/bench/src/timing.rs",
        "pub fn run() {\n    divan::main();\n}\n",
    );
    t.write(
        "crates/bench/src/calm.rs",
        "pub fn c() -> u32 {\n    1\n}\n",
    );
    let before = TWO_ANSTREAMS.replace(
        "REG",
        "registry+https://github.com/rust-lang/crates.io-index",
    );
    t.write("Cargo.lock", &before);
    t.commit("base");
    // divan moves to `anstream 1.0.0`: the one left, written short; itoa is bumped.
    let old = before
        .find("[[package]]\nname = \"anstream\"\nversion = \"1.0.0\"")
        .unwrap();
    let start = before.find("[[package]]").unwrap();
    let after = format!("{}{}", &before[..start], &before[old..])
        .replace("anstream 1.0.0", "anstream")
        .replace("anstream 0.6.21", "anstream")
        .replace("1.0.10", "1.0.11")
        .replace("i10", "i11");
    t.write("Cargo.lock", &after);
    t.commit("cargo update: divan moves to anstream 1.0.0, itoa bumped");
    let i = impact_of_head(&t, &Options::default());
    assert!(i.module_fallbacks.is_empty(), "{:?}", i.module_fallbacks);
    assert_eq!(
        modules(&i),
        ["builder::num", "bench::timing"].map(String::from).into(),
        "{:#?}",
        i.modules
    );
}

/// `env!("CARGO_PKG_VERSION")` in a `macro_rules!` body expands where the macro is invoked
/// and reads that package's version (clap's `crate_version!`): a version bump of `meta`
/// reaches `meta`'s modules invoking it (directly, or through `banner!`, whose body does) and
/// the one naming `CARGO_PKG_NAME` itself, not the file defining the macros, nor `app`'s
/// invocation (it reads `app`'s version).
#[test]
fn a_metadata_macro_reads_the_invoking_package() {
    let t = TestRepo::new();
    workspace(&t);
    krate(
        &t,
        "meta",
        &[],
        &[
            (
                "src/lib.rs",
                "pub mod macros;\npub mod shown;\npub mod named;\npub mod plain;\npub mod titled;\n",
            ),
            (
                "src/macros.rs",
                "#[macro_export]\nmacro_rules! pkg_version {\n    () => {\n        env!(\"CARGO_PKG_VERSION\")\n    };\n}\n\n#[macro_export]\nmacro_rules! banner {\n    () => {\n        $crate::pkg_version!()\n    };\n}\n\npub fn twice(x: u32) -> u32 {\n    x * 2\n}\n",
            ),
            (
                "src/shown.rs",
                "pub fn shown() -> &'static str {\n    crate::pkg_version!()\n}\n",
            ),
            (
                "src/named.rs",
                "pub fn named() -> &'static str {\n    env!(\"CARGO_PKG_NAME\")\n}\n",
            ),
            ("src/plain.rs", "pub fn p() -> u32 {\n    crate::macros::twice(1)\n}\n"),
            (
                "src/titled.rs",
                "pub fn titled() -> &'static str {\n    crate::banner!()\n}\n",
            ),
        ],
    );
    krate(
        &t,
        "app",
        &["meta"],
        &[(
            "src/lib.rs",
            "pub fn app() -> &'static str {\n    meta::pkg_version!()\n}\n",
        )],
    );
    cargo_builds(&t);
    t.commit("base");
    let manifest = std::fs::read_to_string(t.path().join("crates/meta/Cargo.toml")).unwrap();
    let i = change(
        &t,
        "crates/meta/Cargo.toml",
        &manifest.replace("version = \"0.1.0\"", "version = \"0.2.0\""),
    );
    assert!(i.module_fallbacks.is_empty(), "{:?}", i.module_fallbacks);
    assert_eq!(
        modules(&i),
        ["meta::shown", "meta::named", "meta::titled"]
            .map(String::from)
            .into(),
        "{:#?}",
        i.modules
    );
}

/// Build scripts read what their source reads (the build-time scan's forms): `tool`'s runs
/// `git rev-parse` and prints a computed `rerun-if-changed` — it reads no package file, so
/// its CHANGELOG and shell completions reach no module, and the data file `include_str!`
/// reads reaches that module and the one naming it, not the whole package; `gen`'s reads
/// `schema/api.txt` by a literal path, which makes the crate count whole, and nothing else;
/// `walk`'s reads a computed path, so any file of its package may be read (fail closed).
#[test]
fn a_build_script_reaches_the_modules_only_through_what_it_reads() {
    let t = TestRepo::new();
    workspace(&t);
    krate(
        &t,
        "tool",
        &[],
        &[
            (
                "build.rs",
                "use std::process::Command;\n\nfn main() {\n    let hash = Command::new(\"git\")\n        .args([\"rev-parse\", \"--short\", \"HEAD\"])\n        .output()\n        .ok()\n        .and_then(|o| String::from_utf8(o.stdout).ok())\n        .unwrap_or_default();\n    println!(\"cargo:rustc-env=GIT_HASH={}\", hash.trim());\n    if cfg!(windows) {\n        let dir = std::env::var(\"GIT_DIR\").unwrap_or_default();\n        println!(\"cargo:rerun-if-changed={dir}/HEAD\");\n    }\n}\n",
            ),
            (
                "src/main.rs",
                "mod help;\nmod other;\n\nfn main() {\n    println!(\"{} {} {}\", help::text(), other::o(), env!(\"GIT_HASH\"));\n}\n",
            ),
            (
                "src/help.rs",
                "pub fn text() -> &'static str {\n    include_str!(\"../data/help.txt\")\n}\n",
            ),
            ("src/other.rs", "pub fn o() -> u32 {\n    1\n}\n"),
            ("data/help.txt", "usage: tool\n"),
            ("completions/tool.fish", "complete -c tool\n"),
            ("CHANGELOG.md", "# 0.1.0\n"),
        ],
    );
    krate(
        &t,
        "gen",
        &[],
        &[
            (
                "build.rs",
                "fn main() {\n    let s = std::fs::read_to_string(\"schema/api.txt\").unwrap();\n    println!(\"cargo:rustc-env=API={}\", s.trim());\n}\n",
            ),
            ("src/lib.rs", "pub mod a;\npub mod b;\n"),
            ("src/a.rs", "pub fn api() -> &'static str {\n    env!(\"API\")\n}\n"),
            ("src/b.rs", "pub fn b() -> u32 {\n    2\n}\n"),
            ("schema/api.txt", "v1\n"),
            ("NOTES.md", "notes\n"),
        ],
    );
    krate(
        &t,
        "walk",
        &[],
        &[
            (
                "build.rs",
                "fn main() {\n    for f in std::fs::read_dir(\"assets\").unwrap() {\n        let p = f.unwrap().path();\n        let _ = std::fs::read(&p);\n    }\n}\n",
            ),
            ("src/lib.rs", "pub fn w() -> u32 {\n    3\n}\n"),
            ("assets/a.txt", "a\n"),
            ("NOTES.md", "notes\n"),
        ],
    );
    cargo_builds(&t);
    t.commit("base");
    let step = |files: &[(&str, &str)]| {
        for (path, text) in files {
            t.write(path, text);
        }
        t.commit("change");
        impact_of_head(&t, &Options::default())
    };

    let i = step(&[
        ("crates/tool/CHANGELOG.md", "# 0.1.1\n"),
        (
            "crates/tool/completions/tool.fish",
            "complete -c tool -l help\n",
        ),
        ("crates/gen/NOTES.md", "more notes\n"),
    ]);
    assert!(i.modules.is_empty(), "{:#?}", i.modules);
    assert!(i.module_fallbacks.is_empty(), "{:?}", i.module_fallbacks);

    let i = step(&[("crates/tool/data/help.txt", "usage: tool [--help]\n")]);
    assert_eq!(
        modules(&i),
        ["bin:tool", "bin:tool::help"].map(String::from).into(),
        "{:#?}",
        i.modules
    );
    assert!(i.module_fallbacks.is_empty(), "{:?}", i.module_fallbacks);

    let i = step(&[("crates/gen/schema/api.txt", "v2\n")]);
    assert_eq!(i.module_fallbacks.len(), 1, "{:?}", i.module_fallbacks);
    assert_eq!(i.module_fallbacks[0].crate_name, "gen");
    assert!(
        i.module_fallbacks[0]
            .reason
            .contains("its build script reads it"),
        "{:?}",
        i.module_fallbacks
    );
    assert_eq!(
        modules(&i),
        ["gen", "gen::a", "gen::b", "custom-build:build-script-build"]
            .map(String::from)
            .into(),
        "{:#?}",
        i.modules
    );

    let i = step(&[("crates/walk/NOTES.md", "other notes\n")]);
    assert_eq!(i.module_fallbacks.len(), 1, "{:?}", i.module_fallbacks);
    assert!(
        i.module_fallbacks[0]
            .reason
            .contains("its build script may read any file"),
        "{:?}",
        i.module_fallbacks
    );
}

/// Builds, commits, changes `path` to `text`, commits, and returns the impact of the change.
fn change(t: &TestRepo, path: &str, text: &str) -> Impact {
    t.write(path, text);
    t.commit("change");
    impact_of_head(t, &Options::default())
}

/// A facade crate re-exporting its siblings with `pub extern crate … as …`: an example in
/// another crate naming `grep::searcher::item::Item` depends on `grep-searcher`'s `item`.
#[test]
fn extern_crate_reexports_are_followed() {
    let t = TestRepo::new();
    workspace(&t);
    krate(
        &t,
        "grep-searcher",
        &[],
        &[
            ("src/lib.rs", "pub mod item;\npub mod sink;\n"),
            ("src/item.rs", "pub struct Item(pub u32);\n"),
            ("src/sink.rs", "pub fn sink() -> u32 {\n    0\n}\n"),
        ],
    );
    krate(
        &t,
        "grep-matcher",
        &[],
        &[("src/lib.rs", "pub fn m() -> u32 {\n    1\n}\n")],
    );
    krate(
        &t,
        "grep",
        &["grep-searcher", "grep-matcher"],
        &[(
            "src/lib.rs",
            "pub extern crate grep_matcher as matcher;\npub extern crate grep_searcher as searcher;\n",
        )],
    );
    krate(
        &t,
        "app",
        &["grep"],
        &[
            ("src/lib.rs", "pub fn quiet() -> u32 {\n    grep::matcher::m()\n}\n"),
            (
                "examples/walk.rs",
                "fn main() {\n    let i = grep::searcher::item::Item(3);\n    println!(\"{}\", i.0 + app::quiet());\n}\n",
            ),
        ],
    );
    cargo_builds(&t);
    t.commit("base");
    let i = change(
        &t,
        "crates/grep-searcher/src/item.rs",
        "pub struct Item(pub u64);\n",
    );
    assert_eq!(
        modules(&i),
        ["grep_searcher::item", "example:walk"]
            .map(String::from)
            .into(),
        "{:#?}",
        i.modules
    );
}

/// A module and a function of one name (`pub mod search;` beside `pub fn search()`):
/// `crate::search::Query` and `finder::search::Query` go on through the module.
#[test]
fn a_module_and_a_function_may_share_a_name() {
    let t = TestRepo::new();
    workspace(&t);
    krate(
        &t,
        "finder",
        &[],
        &[
            (
                "src/lib.rs",
                "pub mod other;\npub mod search;\n\npub fn search() -> u32 {\n    1\n}\n",
            ),
            ("src/search.rs", "pub struct Query(pub u32);\n"),
            (
                "src/other.rs",
                "pub fn o() -> u32 {\n    crate::search::Query(1).0 + crate::search()\n}\n",
            ),
        ],
    );
    krate(
        &t,
        "cli",
        &["finder"],
        &[(
            "src/lib.rs",
            "pub fn run() -> u32 {\n    finder::search::Query(2).0\n}\n",
        )],
    );
    cargo_builds(&t);
    t.commit("base");
    let i = change(
        &t,
        "crates/finder/src/search.rs",
        "pub struct Query(pub u32, pub u8);\n",
    );
    assert!(
        modules(&i).is_superset(
            &["finder::search", "finder::other", "cli"]
                .map(String::from)
                .into()
        ),
        "{:#?}",
        i.modules
    );
}

/// `macro_rules!` by textual scope: a private `macro_rules! write` in `a.rs` is not the
/// `write!` of `b.rs` (std's), a test module's `check!` is not another test module's, a
/// `#[macro_use]` module's macro is the one used after it, and an exported macro of another
/// crate is found by name.
#[test]
fn macros_are_scoped_as_rustc_scopes_them() {
    let t = TestRepo::new();
    workspace(&t);
    let check = |body: &str, f: &str| {
        format!(
            "pub fn {f}() -> u32 {{\n    4\n}}\n\n#[cfg(test)]\nmod tests {{\n    macro_rules! check {{\n        ($e:expr) => {{\n            {body}\n        }};\n    }}\n\n    #[test]\n    fn t() {{\n        check!(super::{f}());\n    }}\n}}\n"
        )
    };
    krate(
        &t,
        "fmtx",
        &["mac"],
        &[
            (
                "src/lib.rs",
                "#[macro_use]\nmod macros;\n\npub mod a;\npub mod b;\npub mod c;\npub mod d;\npub mod e;\npub mod f;\n",
            ),
            (
                "src/macros.rs",
                "macro_rules! twice {\n    ($x:expr) => {\n        $x * 2\n    };\n}\n",
            ),
            (
                "src/a.rs",
                "macro_rules! write {\n    ($x:expr) => {\n        $x + 1\n    };\n}\n\npub fn a() -> u32 {\n    write!(1)\n}\n",
            ),
            (
                "src/b.rs",
                "use std::fmt::Write;\n\npub fn b() -> String {\n    let mut s = String::new();\n    write!(s, \"{}\", 2).unwrap();\n    s\n}\n",
            ),
            ("src/c.rs", &check("assert!($e > 0)", "c")),
            ("src/d.rs", &check("assert_eq!($e, 4)", "d")),
            ("src/e.rs", "pub fn e() -> u32 {\n    twice!(2)\n}\n"),
            (
                "src/f.rs",
                "use mac::triple;\n\npub fn f() -> u32 {\n    triple!(1) + mac::triple!(2)\n}\n",
            ),
        ],
    );
    krate(
        &t,
        "mac",
        &[],
        &[(
            "src/lib.rs",
            "#[macro_export]\nmacro_rules! triple {\n    ($x:expr) => {\n        $x * 3\n    };\n}\n",
        )],
    );
    cargo_builds(&t);
    t.commit("base");
    let i = change(
        &t,
        "crates/fmtx/src/a.rs",
        "macro_rules! write {\n    ($x:expr) => {\n        $x + 2\n    };\n}\n\npub fn a() -> u32 {\n    write!(1)\n}\n",
    );
    assert_eq!(
        modules(&i),
        ["fmtx::a"].map(String::from).into(),
        "{:#?}",
        i.modules
    );
    let i = change(&t, "crates/fmtx/src/c.rs", &check("assert!($e > 1)", "c"));
    assert_eq!(
        modules(&i),
        ["fmtx::c", "fmtx::c::tests"].map(String::from).into(),
        "{:#?}",
        i.modules
    );
    let i = change(
        &t,
        "crates/fmtx/src/macros.rs",
        "macro_rules! twice {\n    ($x:expr) => {\n        $x + $x\n    };\n}\n",
    );
    assert_eq!(
        modules(&i),
        ["fmtx::macros", "fmtx::e"].map(String::from).into(),
        "{:#?}",
        i.modules
    );
    let i = change(
        &t,
        "crates/mac/src/lib.rs",
        "#[macro_export]\nmacro_rules! triple {\n    ($x:expr) => {\n        $x + $x + $x\n    };\n}\n",
    );
    assert_eq!(
        modules(&i),
        ["mac", "fmtx::f"].map(String::from).into(),
        "{:#?}",
        i.modules
    );
}

/// A macro's expansion names what its body names, and nothing else of the module holding
/// it (clap's `macros.rs` holds `command!`, whose body names `$crate::Command`, and `ok!`,
/// which names nothing): a change to `Command` reaches the files invoking `command!` — here
/// and in a dependent crate, through `#[macro_export]` — but neither `macros.rs` nor the
/// files invoking only `ok!`. A change to the macros' own text reaches every invoker.
#[test]
fn a_macro_reaches_only_what_its_expansion_names() {
    let t = TestRepo::new();
    workspace(&t);
    let command = |n: u32| {
        format!("pub struct Command(pub u32);\n\nimpl Command {{\n    pub fn new() -> Self {{\n        Command({n})\n    }}\n}}\n")
    };
    let macros = |op: &str| {
        format!(
            "#[macro_export]\nmacro_rules! command {{\n    () => {{\n        $crate::command::Command::new()\n    }};\n}}\n\nmacro_rules! ok {{\n    ($e:expr) => {{\n        match $e {{\n            Ok(v) => v,\n            Err(e) => return Err(e){op},\n        }}\n    }};\n}}\n"
        )
    };
    krate(
        &t,
        "builder",
        &[],
        &[
            (
                "src/lib.rs",
                "#[macro_use]\nmod macros;\n\npub mod command;\npub mod make;\npub mod value;\n",
            ),
            ("src/macros.rs", &macros("")),
            ("src/command.rs", &command(1)),
            (
                "src/make.rs",
                "pub fn make() -> u32 {\n    command!().0\n}\n",
            ),
            (
                "src/value.rs",
                "pub fn parse(s: &str) -> Result<u32, std::num::ParseIntError> {\n    Ok(ok!(s.parse::<u32>()) + 1)\n}\n",
            ),
        ],
    );
    krate(
        &t,
        "app",
        &["builder"],
        &[
            ("src/lib.rs", "pub mod cli;\npub mod plain;\n"),
            (
                "src/cli.rs",
                "pub fn run() -> u32 {\n    builder::command!().0\n}\n",
            ),
            (
                "src/plain.rs",
                "pub fn run() -> u32 {\n    builder::value::parse(\"1\").unwrap_or(0)\n}\n",
            ),
        ],
    );
    cargo_builds(&t);
    t.commit("base");
    let i = change(&t, "crates/builder/src/command.rs", &command(2));
    assert_eq!(
        modules(&i),
        ["builder::command", "builder::make", "app::cli"]
            .map(String::from)
            .into(),
        "{:#?}",
        i.modules
    );
    let i = change(
        &t,
        "crates/builder/src/macros.rs",
        &macros(" /* changed */"),
    );
    assert!(
        modules(&i).is_superset(
            &[
                "builder::macros",
                "builder::make",
                "builder::value",
                "app::cli",
                "app::plain"
            ]
            .map(String::from)
            .into()
        ),
        "{:#?}",
        i.modules
    );
}

/// A macro imported by name from another crate (`use clap::arg;`), here through a facade's
/// glob re-export, lands in the module defining it, not in the facade's root: a comment-only
/// change to that root (clap's release commits edit its docs) reaches no module importing the
/// macro through it.
#[test]
fn a_macro_imported_through_a_facade_lands_where_it_is_defined() {
    let t = TestRepo::new();
    workspace(&t);
    krate(
        &t,
        "builder",
        &[],
        &[
            ("src/lib.rs", "pub mod command;\nmod macros;\npub mod other;\n"),
            ("src/other.rs", "pub fn other() -> u32 {\n    1\n}\n"),
            (
                "src/command.rs",
                "pub struct Command(pub u32);\n\nimpl Command {\n    pub fn new() -> Self {\n        Command(1)\n    }\n}\n",
            ),
            (
                "src/macros.rs",
                "#[macro_export]\nmacro_rules! make {\n    () => {\n        $crate::command::Command::new()\n    };\n}\n",
            ),
        ],
    );
    let facade = |v: u32| format!("//! The facade, version {v}.\n\npub use builder::*;\n");
    krate(&t, "facade", &["builder"], &[("src/lib.rs", &facade(1))]);
    krate(
        &t,
        "app",
        &["facade"],
        &[
            ("src/lib.rs", "pub mod cli;\n"),
            (
                "src/cli.rs",
                "use facade::make;\n\npub fn run() -> u32 {\n    make!().0\n}\n",
            ),
        ],
    );
    cargo_builds(&t);
    t.commit("base");
    // The release: the facade's docs, and a change in the crate defining the macro (so that
    // crate is read) that the macro does not name.
    t.write(
        "crates/builder/src/other.rs",
        "pub fn other() -> u32 {\n    2\n}\n",
    );
    let i = change(&t, "crates/facade/src/lib.rs", &facade(2));
    assert_eq!(
        modules(&i),
        ["builder::other", "facade"].map(String::from).into(),
        "{:#?}",
        i.modules
    );
}

/// A macro re-exported under another name (`pub use builder::make as construct;`) and
/// imported by that name: the invoker is still found when the macro's body changes (the
/// rename must not lose the reference), and nothing else of the importing crate is. (A change
/// to the facade's file also reaches the invoker: the renaming `use` is an item of the
/// facade, and references are counted by file — safe, not precise.)
#[test]
fn a_macro_renamed_by_a_reexport_is_followed_to_its_definition() {
    let t = TestRepo::new();
    workspace(&t);
    let macros = |v: u32| {
        format!(
            "#[macro_export]\nmacro_rules! make {{\n    () => {{\n        $crate::command::Command::new({v})\n    }};\n}}\n"
        )
    };
    krate(
        &t,
        "builder",
        &[],
        &[
            ("src/lib.rs", "pub mod command;\nmod macros;\n"),
            (
                "src/command.rs",
                "pub struct Command(pub u32);\n\nimpl Command {\n    pub fn new(v: u32) -> Self {\n        Command(v)\n    }\n}\n",
            ),
            ("src/macros.rs", &macros(1)),
        ],
    );
    let facade =
        |v: u32| format!("//! The facade, version {v}.\n\npub use builder::make as construct;\n");
    krate(&t, "facade", &["builder"], &[("src/lib.rs", &facade(1))]);
    krate(
        &t,
        "app",
        &["facade"],
        &[
            ("src/lib.rs", "pub mod cli;\npub mod plain;\n"),
            (
                "src/cli.rs",
                "use facade::construct;\n\npub fn run() -> u32 {\n    construct!().0\n}\n",
            ),
            ("src/plain.rs", "pub fn run() -> u32 {\n    1\n}\n"),
        ],
    );
    cargo_builds(&t);
    t.commit("base");
    let i = change(&t, "crates/builder/src/macros.rs", &macros(2));
    let reached = modules(&i);
    assert!(
        reached.contains("app::cli") && !reached.contains("app::plain"),
        "{:#?}",
        i.modules
    );
    let i = change(&t, "crates/facade/src/lib.rs", &facade(2));
    let reached = modules(&i);
    assert!(
        reached.contains("app::cli") && !reached.contains("app::plain"),
        "{:#?}",
        i.modules
    );
}

/// A test target whose modules a macro declares from a directory (`automod::dir!`, as
/// clap's test suites do): the `.rs` files of the directory it names are modules of the
/// target, so a changed one is listed, and so is what names it.
#[test]
fn modules_a_macro_declares_from_a_directory_are_modules() {
    let t = TestRepo::new();
    workspace(&t);
    krate(
        &t,
        "mangen",
        &[],
        &[
            ("src/lib.rs", "pub fn render() -> u32 {\n    1\n}\n"),
            (
                "tests/testsuite/main.rs",
                "automod::dir!(\"tests/testsuite\");\n",
            ),
            (
                "tests/testsuite/common.rs",
                "pub fn check() -> u32 {\n    mangen::render()\n}\n",
            ),
            (
                "tests/testsuite/roff.rs",
                "#[test]\nfn t() {\n    assert_eq!(crate::common::check(), 1);\n}\n",
            ),
        ],
    );
    t.commit("base");
    let i = change(
        &t,
        "crates/mangen/tests/testsuite/common.rs",
        "pub fn check() -> u32 {\n    mangen::render() * 1\n}\n",
    );
    assert_eq!(
        modules(&i),
        ["test:testsuite::common", "test:testsuite::roff"]
            .map(String::from)
            .into(),
        "{:#?}",
        i.modules
    );
    assert!(i
        .modules
        .iter()
        .any(|m| m.changed && m.file.ends_with("common.rs")));
    let i = change(
        &t,
        "crates/mangen/src/lib.rs",
        "pub fn render() -> u32 {\n    2\n}\n",
    );
    assert_eq!(
        modules(&i),
        ["mangen", "test:testsuite::common", "test:testsuite::roff"]
            .map(String::from)
            .into(),
        "{:#?}",
        i.modules
    );
}

/// A manifest change to `[[example]]` tables only (clap's `doc-scrape-examples` keys) reaches
/// the examples, not the library nor the crates depending on it.
#[test]
fn a_target_table_change_reaches_only_those_targets() {
    let t = TestRepo::new();
    workspace(&t);
    let manifest = "[package]\nname = \"cli\"\nversion = \"0.1.0\"\nedition = \"2021\"\n";
    t.write("crates/cli/Cargo.toml", manifest);
    t.write(
        "crates/cli/src/lib.rs",
        "pub fn parse() -> u32 {\n    1\n}\n",
    );
    t.write(
        "crates/cli/examples/demo.rs",
        "fn main() {\n    println!(\"{}\", cli::parse());\n}\n",
    );
    krate(
        &t,
        "complete",
        &["cli"],
        &[("src/lib.rs", "pub fn c() -> u32 {\n    cli::parse()\n}\n")],
    );
    t.commit("base");
    let i = change(
        &t,
        "crates/cli/Cargo.toml",
        &format!("{manifest}\n[[example]]\nname = \"demo\"\ndoc-scrape-examples = true\n"),
    );
    assert!(i.module_fallbacks.is_empty(), "{:?}", i.module_fallbacks);
    assert_eq!(
        modules(&i),
        ["example:demo"].map(String::from).into(),
        "{:#?}",
        i.modules
    );
}
