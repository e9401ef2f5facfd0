//! The impact analysis on real git repositories made in temp dirs: generated workspaces with
//! known ground truth, and hand-made ones for each case of the workspace and module graphs.

use crate::support;

use countersign_core::git::{ChangeSet, LoadDepth};
use countersign_core::impact::{self, GitTree, Impact, Options, Workspace};
use support::{Package, TestRepo};

/// Writes a package `name` in `dir` with extra manifest text and a `src/lib.rs`.
fn krate(t: &TestRepo, dir: &str, name: &str, extra: &str, lib: &str) {
    t.package(&Package::new(name).at(dir).manifest_tail(extra).lib(lib));
}

/// The impact of the commits `from..HEAD` (oldest first), module graph included.
fn impact_since(t: &TestRepo, from: git2::Oid) -> Impact {
    let mut walk = t.repo.revwalk().expect("revwalk");
    walk.push_head().expect("head");
    walk.hide(from).expect("hide");
    let mut commits: Vec<git2::Oid> = walk.map(|c| c.expect("commit")).collect();
    commits.reverse();
    let change = ChangeSet::load(&t.repo, &commits, LoadDepth::Files).expect("change set");
    impact::analyze(&t.repo, &change.commits, &Options::default()).expect("impact")
}

fn head(t: &TestRepo) -> git2::Oid {
    t.repo.head().unwrap().peel_to_commit().unwrap().id()
}

fn names(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn krate_of<'a>(i: &'a Impact, name: &str) -> &'a countersign_core::impact::CrateImpact {
    i.crates
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("`{name}` is not affected: {:?}", i.affected_crates))
}

#[test]
fn generated_workspace_matches_its_ground_truth() {
    if !support::require_tool("python3") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("ws");
    let out = std::process::Command::new("python3")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/benches/gen-workspace.py"
        ))
        .arg(&root)
        .args([
            "--crates",
            "30",
            "--files",
            "4",
            "--changed",
            "4",
            "--lines",
            "12",
        ])
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("python3 runs the generator");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let truth: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    support::isolate_git_config();
    let repo = git2::Repository::open(&root).expect("open");
    let head = repo.revparse_single("HEAD").unwrap().id();
    let change = ChangeSet::load(&repo, &[head], LoadDepth::Files).expect("change set");
    let got = impact::analyze(&repo, &change.commits, &Options::default()).expect("impact");
    let want = |k: &str| -> Vec<String> {
        truth[k]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(got.changed_crates, want("changed_crates"));
    assert_eq!(got.affected_crates, want("affected_crates"));
    // Every changed module is listed as changed, and dependents' modules reach it.
    for f in want("changed_files") {
        assert!(got.modules.iter().any(|m| m.file == f && m.changed), "{f}");
    }
    assert!(
        got.module_fallbacks.is_empty(),
        "{:?}",
        got.module_fallbacks
    );
    let dependent = got
        .crates
        .iter()
        .find(|c| c.distance == 1)
        .expect("a dependent");
    let m000 = got
        .modules
        .iter()
        .find(|m| m.crate_name == dependent.name && m.module.ends_with("::m000"))
        .expect("the dependent's m000 imports the changed crate");
    assert!(m000.via.len() >= 2);
}

#[test]
fn chains_distances_and_build_dependencies() {
    let t = TestRepo::new();
    t.write("Cargo.toml", "[workspace]\nmembers = [\"crates/*\"]\n");
    krate(&t, "crates/core-types", "core-types", "", "pub fn f() {}\n");
    krate(
        &t,
        "crates/auth",
        "auth",
        "[dependencies]\ncore-types = { path = \"../core-types\" }\n",
        "",
    );
    krate(
        &t,
        "crates/billing-api",
        "billing-api",
        "[build-dependencies]\nauth = { path = \"../auth\" }\n",
        "",
    );
    krate(&t, "crates/unrelated", "unrelated", "", "");
    let base = t.commit("base");
    t.write("crates/core-types/src/lib.rs", "pub fn f() { }\n");
    t.commit_ai("kiro", "edit core");
    let i = impact_since(&t, base);
    assert_eq!(names(&i.changed_crates), ["core-types"]);
    assert_eq!(
        names(&i.affected_crates),
        ["auth", "billing-api", "core-types"]
    );
    let b = krate_of(&i, "billing-api");
    assert_eq!(b.distance, 2);
    assert_eq!(names(&b.via), ["core-types", "auth", "billing-api"]);
    assert_eq!(b.edge, Some(impact::DepKind::Build));
}

#[test]
fn dev_dependencies_affect_tests_but_do_not_propagate_even_in_cycles() {
    let t = TestRepo::new();
    t.write("Cargo.toml", "[workspace]\nmembers = [\"crates/*\"]\n");
    // core dev-depends on qa, and qa depends on core: a dev-dependency cycle.
    krate(
        &t,
        "crates/core",
        "core",
        "[dev-dependencies]\nqa = { path = \"../qa\" }\n",
        "pub fn f() {}\n",
    );
    krate(
        &t,
        "crates/qa",
        "qa",
        "[dependencies]\ncore = { path = \"../core\" }\n",
        "",
    );
    // helper is only a dev-dependency of app; top depends on app.
    krate(&t, "crates/helper", "helper", "", "pub fn h() {}\n");
    krate(
        &t,
        "crates/app",
        "app",
        "[dev-dependencies]\nhelper = { path = \"../helper\" }\n",
        "",
    );
    t.write(
        "crates/app/tests/it.rs",
        "#[test] fn t() { helper::h(); }\n",
    );
    t.write("crates/app/src/main.rs", "fn main() {}\n");
    krate(
        &t,
        "crates/top",
        "top",
        "[dependencies]\napp = { path = \"../app\" }\n",
        "",
    );
    let base = t.commit("base");
    t.write("crates/helper/src/lib.rs", "pub fn h() { }\n");
    t.write("crates/core/src/lib.rs", "pub fn f() { }\n");
    t.commit("edit helper and core");
    let i = impact_since(&t, base);
    assert_eq!(names(&i.affected_crates), ["app", "core", "helper", "qa"]);
    let app = krate_of(&i, "app");
    assert!(app.dev_only);
    assert_eq!(app.edge, Some(impact::DepKind::Dev));
    // app's test is affected, its binary is not (only its tests see the dev-dependency).
    let app_targets: Vec<(&str, &str)> = i
        .targets
        .iter()
        .filter(|t| t.crate_name == "app")
        .map(|t| (t.kind.name(), t.name.as_str()))
        .collect();
    assert_eq!(app_targets, [("test", "it")]);
    assert!(!krate_of(&i, "qa").dev_only);
}

#[test]
fn renamed_and_inherited_dependencies_are_edges_and_module_paths() {
    let t = TestRepo::new();
    t.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/*\"]\n\n[workspace.dependencies]\ncore-types = { path = \"crates/core-types\" }\nserde = \"1\"\n",
    );
    krate(
        &t,
        "crates/core-types",
        "core-types",
        "",
        "pub mod codec;\npub mod other;\n",
    );
    t.write("crates/core-types/src/codec.rs", "pub fn encode() {}\n");
    t.write("crates/core-types/src/other.rs", "pub fn o() {}\n");
    // auth inherits it; billing renames it to `ct`.
    krate(
        &t,
        "crates/auth",
        "auth",
        "[dependencies]\ncore-types.workspace = true\nserde.workspace = true\n",
        "pub mod session;\npub mod plain;\n",
    );
    t.write(
        "crates/auth/src/session.rs",
        "use core_types::codec::encode;\npub fn s() { encode() }\n",
    );
    t.write(
        "crates/auth/src/plain.rs",
        "pub fn p() { core_types::other::o() }\n",
    );
    krate(
        &t,
        "crates/billing",
        "billing",
        "[target.'cfg(unix)'.dependencies]\nct = { package = \"core-types\", path = \"../core-types\" }\n",
        "pub fn b() { ct::codec::encode() }\n",
    );
    let base = t.commit("base");
    t.write("crates/core-types/src/codec.rs", "pub fn encode() { }\n");
    t.commit("edit codec");
    let i = impact_since(&t, base);
    assert_eq!(names(&i.affected_crates), ["auth", "billing", "core-types"]);
    let modules: Vec<&str> = i.modules.iter().map(|m| m.module.as_str()).collect();
    assert!(modules.contains(&"auth::session"), "{modules:?}");
    assert!(modules.contains(&"billing"), "{modules:?}");
    assert!(!modules.contains(&"auth::plain"), "{modules:?}");
    let billing = i.modules.iter().find(|m| m.module == "billing").unwrap();
    assert_eq!(names(&billing.via), ["core_types::codec", "billing"]);

    // The workspace graph at HEAD has the edges with their kinds, targets and names.
    let tree = GitTree::at(&t.repo, "HEAD").unwrap();
    let ws = Workspace::load(&tree).unwrap();
    let edges = ws.edges();
    let e = edges.iter().find(|e| e.from == "billing").unwrap();
    assert_eq!(e.to, "core-types");
    assert_eq!(e.extern_name, "ct");
    assert_eq!(e.target.as_deref(), Some("cfg(unix)"));
    let auth = ws.member("auth").unwrap();
    assert!(auth.deps[0].inherited);
    assert_eq!(auth.inherits, ["core-types", "serde"]);
}

#[test]
fn a_workspace_dependency_edit_affects_only_the_members_inheriting_it() {
    let t = TestRepo::new();
    t.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/*\"]\n\n[workspace.dependencies]\nserde = \"1.0.100\"\nrand = \"0.8\"\n",
    );
    krate(
        &t,
        "crates/a",
        "a",
        "[dependencies]\nserde = { workspace = true }\n",
        "",
    );
    krate(
        &t,
        "crates/b",
        "b",
        "[dependencies]\nrand.workspace = true\n",
        "",
    );
    krate(
        &t,
        "crates/c",
        "c",
        "[dependencies]\nb = { path = \"../b\" }\n",
        "",
    );
    let base = t.commit("base");
    t.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/*\"]\n\n[workspace.dependencies]\nserde = \"1.0.100\"\nrand = \"0.9\"\n",
    );
    t.commit("bump rand");
    let i = impact_since(&t, base);
    assert!(i.changed_crates.is_empty());
    assert_eq!(names(&i.affected_crates), ["b", "c"]);
    assert!(
        krate_of(&i, "b").reasons[0].contains("`rand`"),
        "{:?}",
        krate_of(&i, "b")
    );
    assert_eq!(krate_of(&i, "c").distance, 1);

    // A profile change is workspace-wide.
    t.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/*\"]\n\n[workspace.dependencies]\nserde = \"1.0.100\"\nrand = \"0.9\"\n\n[profile.release]\nlto = true\n",
    );
    let before = head(&t);
    t.commit("lto");
    let i = impact_since(&t, before);
    assert_eq!(names(&i.affected_crates), ["a", "b", "c"]);
    assert!(
        i.workspace_wide[0].contains("[profile]"),
        "{:?}",
        i.workspace_wide
    );
}

#[test]
fn lock_file_toolchain_and_cargo_config_are_workspace_wide() {
    for file in [
        "Cargo.lock",
        "rust-toolchain.toml",
        ".cargo/config.toml",
        "rust-toolchain",
    ] {
        let t = TestRepo::new();
        t.write("Cargo.toml", "[workspace]\nmembers = [\"a\", \"b\"]\n");
        krate(&t, "a", "a", "", "");
        krate(&t, "b", "b", "", "");
        let base = t.commit("base");
        t.write(file, "x = 1\n");
        t.commit("wide");
        let i = impact_since(&t, base);
        assert_eq!(names(&i.affected_crates), ["a", "b"], "{file}");
        assert!(i.changed_crates.is_empty(), "{file}");
        assert!(i.workspace_wide[0].contains(file), "{:?}", i.workspace_wide);
    }
}

fn lock(serde: &str) -> String {
    format!(
        r#"version = 4

[[package]]
name = "a"
version = "0.1.0"
dependencies = ["serde"]

[[package]]
name = "b"
version = "0.1.0"
dependencies = ["itoa"]

[[package]]
name = "c"
version = "0.1.0"
dependencies = ["a"]

[[package]]
name = "itoa"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "00"

[[package]]
name = "serde"
version = "{serde}"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "{serde}"
"#
    )
}

#[test]
fn a_lock_file_bump_affects_the_members_using_the_package() {
    let t = TestRepo::new();
    t.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"a\", \"b\", \"c\"]\n",
    );
    krate(&t, "a", "a", "[dependencies]\nserde = \"1\"\n", "");
    krate(&t, "b", "b", "[dependencies]\nitoa = \"1\"\n", "");
    krate(
        &t,
        "c",
        "c",
        "[dependencies]\na = { path = \"../a\" }\n",
        "",
    );
    t.write("Cargo.lock", lock("1.0.1"));
    let base = t.commit("base");
    t.write("Cargo.lock", lock("1.0.2"));
    t.commit("bump serde");
    let i = impact_since(&t, base);
    assert_eq!(names(&i.affected_crates), ["a", "c"]);
    assert!(
        i.workspace_wide[0].contains("`serde 1.0.2`"),
        "{:?}",
        i.workspace_wide
    );
    // A member's own version bump in the lock file adds nothing to its manifest change.
    t.write(
        "Cargo.lock",
        lock("1.0.2").replace(
            "name = \"b\"\nversion = \"0.1.0\"",
            "name = \"b\"\nversion = \"0.2.0\"",
        ),
    );
    t.write("b/Cargo.toml", "[package]\nname = \"b\"\nversion = \"0.2.0\"\nedition = \"2021\"\n[dependencies]\nitoa = \"1\"\n");
    let before = head(&t);
    t.commit("release b 0.2.0");
    let i = impact_since(&t, before);
    assert_eq!(names(&i.affected_crates), ["b"]);
    assert_eq!(
        krate_of(&i, "b").reasons,
        ["1 of its files changed", "its Cargo.toml changed"]
    );
    // A lock file format change is workspace-wide.
    t.write(
        "Cargo.lock",
        lock("1.0.2").replace("version = 4", "version = 3"),
    );
    let before = head(&t);
    t.commit("downgrade format");
    assert_eq!(
        names(&impact_since(&t, before).affected_crates),
        ["a", "b", "c"]
    );
}

#[test]
fn a_build_script_change_is_named() {
    let t = TestRepo::new();
    t.write("Cargo.toml", "[workspace]\nmembers = [\"a\"]\n");
    krate(&t, "a", "a", "", "");
    t.write("a/build.rs", "fn main() {}\n");
    let base = t.commit("base");
    t.write("a/build.rs", "fn main() { }\n");
    t.commit("build");
    let i = impact_since(&t, base);
    assert!(krate_of(&i, "a")
        .reasons
        .iter()
        .any(|r| r.contains("build script")));
}

#[test]
fn a_moved_crate_keeps_its_dependents_and_says_where_it_came_from() {
    let t = TestRepo::new();
    t.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/*\", \"libs/*\"]\n",
    );
    krate(&t, "crates/core", "core", "", "pub fn f() {}\n");
    krate(
        &t,
        "crates/app",
        "app",
        "[dependencies]\ncore = { path = \"../core\" }\n",
        "",
    );
    let base = t.commit("base");
    std::fs::create_dir_all(t.path().join("libs")).unwrap();
    t.git(&["mv", "crates/core", "libs/core"]);
    t.write(
        "crates/app/Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n[dependencies]\ncore = { path = \"../../libs/core\" }\n",
    );
    t.commit("move core");
    let i = impact_since(&t, base);
    assert_eq!(names(&i.changed_crates), ["app", "core"]);
    let core = krate_of(&i, "core");
    assert_eq!(core.moved_from.as_deref(), Some("crates/core"));
    assert_eq!(core.dir, "libs/core");
    assert!(!core.deleted);
}

#[test]
fn a_deleted_crate_is_changed_and_its_former_dependents_affected() {
    let t = TestRepo::new();
    t.write("Cargo.toml", "[workspace]\nmembers = [\"crates/*\"]\n");
    krate(&t, "crates/old", "old", "", "pub fn f() {}\n");
    krate(
        &t,
        "crates/user",
        "user",
        "[dependencies]\nold = { path = \"../old\" }\n",
        "pub fn u() {}\n",
    );
    krate(
        &t,
        "crates/top",
        "top",
        "[dependencies]\nuser = { path = \"../user\" }\n",
        "",
    );
    let base = t.commit("base");
    t.git(&["rm", "-r", "-q", "crates/old"]);
    t.write(
        "crates/user/Cargo.toml",
        "[package]\nname = \"user\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    t.commit("drop old");
    let i = impact_since(&t, base);
    assert_eq!(names(&i.changed_crates), ["old", "user"]);
    let old = krate_of(&i, "old");
    assert!(old.deleted);
    assert_eq!(names(&i.affected_crates), ["old", "top", "user"]);
}

#[test]
fn nested_and_excluded_workspaces_are_not_members_but_what_a_member_compiles_is_a_node() {
    let t = TestRepo::new();
    t.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/*\"]\nexclude = [\"crates/nested\"]\n",
    );
    krate(&t, "crates/a", "a", "", "");
    t.write(
        "crates/nested/Cargo.toml",
        "[workspace]\nmembers = [\"inner\"]\n",
    );
    krate(&t, "crates/nested/inner", "inner", "", "");
    // A path dependency inside the workspace makes a member; one on an excluded dir does not.
    krate(
        &t,
        "crates/b",
        "b",
        "[dependencies]\nextra = { path = \"../../tools/extra\" }\ninner = { path = \"../nested/inner\" }\n",
        "",
    );
    krate(&t, "tools/extra", "extra", "", "");
    let base = t.commit("base");
    let tree = GitTree::at(&t.repo, "HEAD").unwrap();
    let ws = Workspace::load(&tree).unwrap();
    let members: Vec<(&str, &str)> = ws
        .members
        .iter()
        .filter(|m| !m.path_only)
        .map(|m| (m.name.as_str(), m.dir.as_str()))
        .collect();
    assert_eq!(
        members,
        [
            ("a", "crates/a"),
            ("b", "crates/b"),
            ("extra", "tools/extra")
        ]
    );
    // `inner` is excluded, yet `b` compiles it: it is a (path-only) node of the graph, and
    // a change to it reaches `b`.
    let inner = ws.member("inner").expect("inner is a node");
    assert!(inner.path_only);
    t.write("crates/nested/inner/src/lib.rs", "pub fn x() {}\n");
    t.commit("edit nested");
    let i = impact_since(&t, base);
    assert_eq!(names(&i.affected_crates), ["b", "inner"]);
}

#[test]
fn an_excluded_package_inside_the_root_package_is_not_the_root_package() {
    let t = TestRepo::new();
    t.write(
        "Cargo.toml",
        "[package]\nname = \"root\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\nexclude = [\"vendor/fork\"]\n",
    );
    t.write("src/lib.rs", "");
    krate(&t, "vendor/fork", "fork", "", "");
    let base = t.commit("base");
    t.write("vendor/fork/src/lib.rs", "pub fn f() {}\n");
    t.commit("edit the excluded fork");
    assert!(impact_since(&t, base).affected_crates.is_empty());
    t.write("README.md", "root package file\n");
    let before = head(&t);
    t.commit("readme");
    assert_eq!(names(&impact_since(&t, before).changed_crates), ["root"]);
}

/// The TUI computes the impact on a worker thread and posts it to the UI.
#[test]
fn impact_can_cross_threads() {
    fn check<T: Clone + Send + serde::Serialize + 'static>() {}
    check::<Impact>();
}

#[test]
fn modules_resolve_path_attributes_mod_rs_inline_modules_and_glob_reexports() {
    let t = TestRepo::new();
    t.write("Cargo.toml", "[workspace]\nmembers = [\"core\", \"app\"]\n");
    krate(
        &t,
        "core",
        "core-types",
        "",
        "pub mod codec;\n#[path = \"weird/place.rs\"]\npub mod special;\npub mod net { pub mod wire; }\npub use codec::*;\n",
    );
    // mod.rs style, with a child.
    t.write(
        "core/src/codec/mod.rs",
        "mod inner;\npub use self::inner::encode;\n",
    );
    t.write("core/src/codec/inner.rs", "pub fn encode() {}\n");
    t.write("core/src/weird/place.rs", "pub fn s() {}\n");
    // Inline module `net` in lib.rs: its `mod wire;` is core/src/net/wire.rs.
    t.write(
        "core/src/net/wire.rs",
        "pub fn w() { super::super::special::s() }\n",
    );
    krate(
        &t,
        "app",
        "app",
        "[dependencies]\ncore-types = { path = \"../core\" }\n",
        "pub mod uses_glob;\npub mod uses_wire;\npub mod unrelated;\n",
    );
    // `encode` reaches app through the glob re-export at the crate root.
    t.write(
        "app/src/uses_glob.rs",
        "use core_types::encode;\npub fn g() { encode() }\n",
    );
    t.write(
        "app/src/uses_wire.rs",
        "pub fn w() { core_types::net::wire::w() }\n",
    );
    t.write("app/src/unrelated.rs", "pub fn u() {}\n");
    let base = t.commit("base");
    t.write("core/src/codec/inner.rs", "pub fn encode() { }\n");
    t.write("core/src/weird/place.rs", "pub fn s() { }\n");
    t.commit("edit");
    let i = impact_since(&t, base);
    assert!(i.module_fallbacks.is_empty(), "{:?}", i.module_fallbacks);
    let m = |name: &str| i.modules.iter().find(|m| m.module == name);
    let inner = m("core_types::codec::inner").expect("changed mod.rs child");
    assert!(inner.changed);
    assert_eq!(inner.file, "core/src/codec/inner.rs");
    let special = m("core_types::special").expect("#[path] module");
    assert!(special.changed);
    assert_eq!(special.file, "core/src/weird/place.rs");
    let wire = m("core_types::net::wire").expect("inline module's child");
    assert_eq!(
        names(&wire.via),
        ["core_types::special", "core_types::net::wire"]
    );
    let glob = m("app::uses_glob").expect("glob re-export reaches app");
    // `via` is the literal chain: `uses_glob` names `encode`, which `codec::inner` defines;
    // the re-exporting `codec` and crate root are only passed through.
    assert_eq!(
        names(&glob.via),
        ["core_types::codec::inner", "app::uses_glob"]
    );
    assert!(m("app::uses_wire").is_some());
    assert!(m("app::unrelated").is_none());
}

#[test]
fn a_module_declared_under_two_cfgs_is_one_module() {
    let t = TestRepo::new();
    t.write("Cargo.toml", "[workspace]\nmembers = [\"core\"]\n");
    krate(
        &t,
        "core",
        "core",
        "",
        "#[cfg(unix)]\n#[path = \"sys/unix.rs\"]\nmod sys;\n#[cfg(windows)]\n#[path = \"sys/windows.rs\"]\nmod sys;\n\
         macro_rules! cfg_rt { ($($i:item)*) => { $(#[cfg(feature = \"rt\")] $i)* } }\n\
         cfg_rt! { pub mod task; }\n#[cfg(not(feature = \"rt\"))]\npub mod task;\npub mod user;\n",
    );
    t.write("core/src/sys/unix.rs", "pub fn f() {}\n");
    t.write("core/src/sys/windows.rs", "pub fn f() {}\n");
    t.write("core/src/task.rs", "pub fn t() {}\n");
    t.write(
        "core/src/user.rs",
        "pub fn u() { crate::sys::f(); crate::task::t() }\n",
    );
    let base = t.commit("base");
    t.write("core/src/sys/windows.rs", "pub fn f() { }\n");
    t.commit("edit the windows twin");
    let i = impact_since(&t, base);
    assert!(i.module_fallbacks.is_empty(), "{:?}", i.module_fallbacks);
    let user = i
        .modules
        .iter()
        .find(|m| m.module == "core::user")
        .expect("user is reached");
    assert_eq!(user.via.first().map(String::as_str), Some("core::sys"));
    assert_eq!(
        i.modules.iter().filter(|m| m.module == "core::sys").count(),
        2
    );
}

#[test]
fn a_file_that_does_not_parse_falls_back_to_the_whole_crate() {
    let t = TestRepo::new();
    t.write("Cargo.toml", "[workspace]\nmembers = [\"core\", \"app\"]\n");
    krate(&t, "core", "core", "", "pub mod a;\npub mod gone;\n");
    t.write("core/src/a.rs", "pub fn a() {}\n");
    t.write("core/src/gone.rs", "pub fn g() {}\n");
    krate(
        &t,
        "app",
        "app",
        "[dependencies]\ncore = { path = \"../core\" }\n",
        "pub fn x() { core::a::a() }\n",
    );
    let base = t.commit("base");
    t.write("core/src/a.rs", "pub fn a() {\n");
    t.commit("broken");
    let i = impact_since(&t, base);
    // The crate-level result stands; the module graph says why it gave up.
    assert_eq!(names(&i.affected_crates), ["app", "core"]);
    let f = i
        .module_fallbacks
        .iter()
        .find(|f| f.crate_name == "core")
        .expect("core falls back");
    assert!(
        f.reason.contains("core/src/a.rs") && f.reason.contains("does not parse"),
        "{f:?}"
    );
    // A missing module file too.
    t.remove("core/src/gone.rs");
    t.write("core/src/a.rs", "pub fn a() {}\n");
    let before = head(&t);
    t.commit("missing module");
    let i = impact_since(&t, before);
    let f = i
        .module_fallbacks
        .iter()
        .find(|f| f.crate_name == "core")
        .expect("falls back");
    assert!(f.reason.contains("has no file"), "{f:?}");
}

#[test]
fn a_range_is_judged_on_its_tip_workspace() {
    let t = TestRepo::new();
    t.write("Cargo.toml", "[workspace]\nmembers = [\"crates/*\"]\n");
    krate(&t, "crates/a", "a", "", "");
    krate(&t, "crates/b", "b", "", "");
    let base = t.commit("base");
    // First commit edits a; the second makes b depend on a.
    t.write("crates/a/src/lib.rs", "pub fn a() {}\n");
    t.commit("edit a");
    t.write(
        "crates/b/Cargo.toml",
        "[package]\nname = \"b\"\nversion = \"0.1.0\"\nedition = \"2021\"\n[dependencies]\na = { path = \"../a\" }\n",
    );
    t.commit("b uses a");
    let i = impact_since(&t, base);
    assert_eq!(names(&i.affected_crates), ["a", "b"]);
    assert_eq!(krate_of(&i, "b").distance, 0, "b's own manifest changed");
}

/// A package with a lib of three modules (`a` uses `b`'s macro and reads the package
/// version, `c` is unrelated) and a build script.
fn package_with_build_script(t: &TestRepo) {
    t.write(
        "Cargo.toml",
        "[package]\nname = \"p\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nserde = \"1\"\n",
    );
    t.write(
        "build.rs",
        "fn main() {\n    let _ = std::fs::read_to_string(\"proto/api.proto\");\n    println!(\"cargo:rerun-if-changed=proto/api.proto\");\n}\n",
    );
    t.write("proto/api.proto", "message A {}\n");
    t.write("README.md", "# p\n");
    t.write(
        "src/lib.rs",
        "#[macro_use]\nmod b;\npub mod a;\npub mod c;\npub mod d;\n",
    );
    t.write(
        "src/a.rs",
        "pub fn a() -> &'static str {\n    twice!(1);\n    env!(\"CARGO_PKG_VERSION\")\n}\n",
    );
    t.write(
        "src/b.rs",
        "macro_rules! twice {\n    ($x:expr) => {\n        $x * 2\n    };\n}\n",
    );
    t.write("src/c.rs", "pub fn c() {}\n");
    t.write("src/d.rs", "include!(\"d_body.rs\");\n");
    t.write("src/d_body.rs", "pub fn d() {\n    crate::c::c()\n}\n");
}

fn module_files(i: &Impact) -> Vec<&str> {
    let mut v: Vec<&str> = i
        .modules
        .iter()
        .filter(|m| m.target == "lib")
        .map(|m| m.file.as_str())
        .collect();
    v.sort();
    v.dedup();
    v
}

#[test]
fn a_build_script_and_what_it_reads_make_the_crate_whole_but_a_readme_reaches_nothing() {
    let t = TestRepo::new();
    package_with_build_script(&t);
    let base = t.commit("base");
    t.write("README.md", "# p, documented\n");
    t.commit("docs");
    let i = impact_since(&t, base);
    assert!(i.module_fallbacks.is_empty(), "{:?}", i.module_fallbacks);
    assert!(module_files(&i).is_empty(), "{:?}", module_files(&i));
    for (path, text) in [
        ("proto/api.proto", "message B {}\n"),
        (
            "build.rs",
            "fn main() {\n    let _ = std::fs::read_to_string(\"proto/api.proto\"); \n}\n",
        ),
    ] {
        let before = head(&t);
        t.write(path, text);
        t.commit("build input");
        let i = impact_since(&t, before);
        let f = i.module_fallbacks.first().expect("the whole crate counts");
        assert!(f.reason.contains(path), "{f:?}");
        assert_eq!(
            module_files(&i),
            ["src/a.rs", "src/b.rs", "src/c.rs", "src/d.rs", "src/lib.rs"]
        );
    }
}

#[test]
fn a_version_bump_a_macro_and_included_code_reach_only_their_readers() {
    let t = TestRepo::new();
    package_with_build_script(&t);
    let base = t.commit("base");
    // The version reaches the module reading CARGO_PKG_VERSION.
    t.write(
        "Cargo.toml",
        "[package]\nname = \"p\"\nversion = \"0.2.0\"\nedition = \"2021\"\n\n[dependencies]\nserde = \"1\"\n",
    );
    t.commit("bump");
    let i = impact_since(&t, base);
    assert!(i.module_fallbacks.is_empty(), "{:?}", i.module_fallbacks);
    assert_eq!(module_files(&i), ["src/a.rs"]);
    let a = i.modules.iter().find(|m| m.file == "src/a.rs").expect("a");
    assert!(
        a.reason.as_deref().is_some_and(|r| r.contains("metadata")),
        "{a:?}"
    );
    // A macro reaches its callers by name, not the whole crate.
    let before = head(&t);
    t.write(
        "src/b.rs",
        "macro_rules! twice {\n    ($x:expr) => {\n        $x + $x\n    };\n}\n",
    );
    t.commit("macro");
    let i = impact_since(&t, before);
    assert!(i.module_fallbacks.is_empty(), "{:?}", i.module_fallbacks);
    assert_eq!(module_files(&i), ["src/a.rs", "src/b.rs"]);
    // Code pasted by include!("d_body.rs") is read: `d` depends on `c`.
    let before = head(&t);
    t.write("src/c.rs", "pub fn c() { }\n");
    t.commit("c");
    let i = impact_since(&t, before);
    assert!(i.module_fallbacks.is_empty(), "{:?}", i.module_fallbacks);
    assert_eq!(module_files(&i), ["src/c.rs", "src/d.rs"]);
    // And a change to the included file reaches the including module.
    let before = head(&t);
    t.write("src/d_body.rs", "pub fn d() {\n    crate::c::c();\n}\n");
    t.commit("d body");
    let i = impact_since(&t, before);
    assert!(i.module_fallbacks.is_empty(), "{:?}", i.module_fallbacks);
    assert_eq!(module_files(&i), ["src/d.rs"]);
    // A dependency feature change can reach anything (feature unification): whole crate.
    let before = head(&t);
    t.write(
        "Cargo.toml",
        "[package]\nname = \"p\"\nversion = \"0.2.0\"\nedition = \"2021\"\n\n[dependencies]\nserde = { version = \"1\", features = [\"derive\"] }\n",
    );
    t.commit("features");
    let i = impact_since(&t, before);
    assert!(
        i.module_fallbacks
            .first()
            .is_some_and(|f| f.reason.contains("serde")),
        "{:?}",
        i.module_fallbacks
    );
}

#[test]
fn a_computed_include_str_may_read_any_changed_file() {
    let t = TestRepo::new();
    t.write(
        "Cargo.toml",
        "[package]\nname = \"p\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    t.write("src/lib.rs", "pub mod a;\npub mod b;\n");
    t.write(
        "src/a.rs",
        "macro_rules! doc_path { () => { \"../NOTES.md\" } }\npub const N: &str = include_str!(doc_path!());\n",
    );
    t.write("src/b.rs", "pub fn b() {}\n");
    t.write("NOTES.md", "notes\n");
    let base = t.commit("base");
    t.write("NOTES.md", "more notes\n");
    t.commit("notes");
    let i = impact_since(&t, base);
    assert!(i.module_fallbacks.is_empty(), "{:?}", i.module_fallbacks);
    assert_eq!(module_files(&i), ["src/a.rs"]);
}

/// The `(module, via)` pairs of the affected modules.
fn module_vias(i: &Impact) -> Vec<(String, Vec<String>)> {
    i.modules
        .iter()
        .map(|m| (m.module.clone(), m.via.clone()))
        .collect()
}

#[test]
fn a_moved_module_keeps_the_dependent_that_named_it_through_a_removed_reexport() {
    let t = TestRepo::new();
    t.write("Cargo.toml", "[workspace]\nmembers = [\"core\", \"app\"]\n");
    krate(&t, "core", "core", "", "pub mod util;\n");
    t.write("core/src/util/mod.rs", "mod b;\npub use b::helper;\n");
    t.write("core/src/util/b.rs", "pub fn helper() {}\n");
    krate(
        &t,
        "app",
        "app",
        "[dependencies]\ncore = { path = \"../core\" }\n",
        "pub mod user;\n",
    );
    t.write("app/src/user.rs", "pub fn u() { core::util::helper() }\n");
    let base = t.commit("base");
    // The module moves and the re-export the dependent went through is dropped.
    t.remove("core/src/util/b.rs");
    t.write("core/src/util/bee.rs", "pub fn helper() {}\n");
    t.write("core/src/util/mod.rs", "pub mod bee;\n");
    t.commit("move util/b.rs to util/bee.rs");
    let i = impact_since(&t, base);
    let vias = module_vias(&i);
    let user = vias.iter().find(|(m, _)| m == "app::user");
    assert_eq!(
        user.map(|(_, v)| v.as_slice()),
        Some(["core::util::b".to_string(), "app::user".to_string()].as_slice()),
        "the old dependent is listed with the chain it had: {vias:?}"
    );
    assert!(
        !vias.iter().any(|(m, _)| m == "core::util::b"),
        "the old module is gone: {vias:?}"
    );
}

#[test]
fn a_deleted_module_lists_its_dependents_with_their_chain_before_the_change() {
    let t = TestRepo::new();
    t.write("Cargo.toml", "[workspace]\nmembers = [\"core\"]\n");
    krate(
        &t,
        "core",
        "core",
        "",
        "pub mod gone;\npub mod user;\npub mod top;\n",
    );
    t.write("core/src/gone.rs", "pub fn g() {}\n");
    t.write("core/src/user.rs", "pub fn u() { crate::gone::g() }\n");
    t.write("core/src/top.rs", "pub fn t() { crate::user::u() }\n");
    let base = t.commit("base");
    t.remove("core/src/gone.rs");
    t.write("core/src/lib.rs", "pub mod user;\npub mod top;\n");
    t.commit("drop gone");
    let i = impact_since(&t, base);
    let vias = module_vias(&i);
    let via_of = |m: &str| vias.iter().find(|(n, _)| n == m).map(|(_, v)| v.clone());
    assert_eq!(
        via_of("core::user"),
        Some(vec!["core::gone".to_string(), "core::user".to_string()]),
        "{vias:?}"
    );
    assert_eq!(
        via_of("core::top"),
        Some(vec![
            "core::gone".to_string(),
            "core::user".to_string(),
            "core::top".to_string()
        ]),
        "{vias:?}"
    );
}

/// Members' manifests are read ahead on threads from a git tree and one by one from a work
/// tree: both give the same workspace, and a member manifest over the 4 MiB cap is refused
/// by name either way (reading ahead leaves it to the one-by-one read, which says why).
#[test]
fn manifests_read_on_threads_give_the_workspace_read_one_by_one_and_the_cap_holds() {
    let t = support::TestRepo::new();
    t.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/*\"]\n[workspace.dependencies]\nserde = \"1\"\n",
    );
    for i in 0..80 {
        let deps = match i {
            0 => String::new(),
            _ => format!(
                "[dependencies]\nc{:02} = {{ path = \"../c{:02}\" }}\nserde = {{ workspace = true }}\n",
                i - 1,
                i - 1
            ),
        };
        let tier = if i % 7 == 0 {
            "[package.metadata.countersign]\ntier = \"prohibited\"\n"
        } else {
            ""
        };
        krate(
            &t,
            &format!("crates/c{i:02}"),
            &format!("c{i:02}"),
            &format!("{deps}{tier}"),
            "pub fn f() {}\n",
        );
    }
    let tip = t.commit("eighty members");
    let from_git = Workspace::load(&GitTree::of_commit(&t.repo, tip, "HEAD").expect("tree"))
        .expect("workspace from git");
    let from_disk = Workspace::load(&countersign_core::git::WorkTree {
        root: t.path().to_path_buf(),
    })
    .expect("workspace from the work tree");
    assert_eq!(from_git.members.len(), 80);
    assert_eq!(
        format!("{:?}", from_git.members),
        format!("{:?}", from_disk.members)
    );
    assert_eq!(
        from_git
            .members
            .iter()
            .filter(|m| m.metadata_tier.is_some())
            .count(),
        12
    );

    let mut big = String::from("[package]\nname = \"c40\"\nversion = \"0.1.0\"\n");
    big.push_str(&format!("# {}\n", "x".repeat(4 * 1024 * 1024)));
    t.write("crates/c40/Cargo.toml", big);
    let tip = t.commit("a member manifest over the cap");
    let err = Workspace::load(&GitTree::of_commit(&t.repo, tip, "HEAD").expect("tree"))
        .expect_err("a manifest over 4 MiB is refused");
    let text = err.to_string();
    assert!(text.contains("crates/c40/Cargo.toml"), "{text}");
    assert!(text.contains("4 MiB"), "{text}");
}
