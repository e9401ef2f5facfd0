//! The workspace graph read from git objects equals `cargo metadata --no-deps --offline` on
//! the same tree checked out: members, names, targets with root files, path-dependency
//! edges with kind, target and rename.

use crate::support;

use std::collections::BTreeSet;
use std::path::Path;

use countersign_core::impact::{targets, GitTree, Workspace};
use support::TestRepo;

/// (package, dir) of each member; (package, kind, name, src_path) of each target;
/// (package, dependency package, rename, kind, cfg target, dir) of each path dependency.
/// (package, dependency package, rename, kind, cfg target, dir).
type DepRow = (
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    String,
);

#[derive(Debug, PartialEq, Eq, Default)]
struct Graph {
    members: BTreeSet<(String, String)>,
    targets: BTreeSet<(String, String, String, String)>,
    deps: BTreeSet<DepRow>,
}

fn rel(root: &Path, abs: &str) -> String {
    let root = root.canonicalize().unwrap();
    let p = Path::new(abs)
        .canonicalize()
        .unwrap_or_else(|_| Path::new(abs).to_path_buf());
    p.strip_prefix(&root)
        .unwrap_or(&p)
        .to_string_lossy()
        .into_owned()
}

fn from_cargo(root: &Path) -> Graph {
    let out = std::process::Command::new("cargo")
        .args([
            "metadata",
            "--no-deps",
            "--offline",
            "--format-version",
            "1",
        ])
        .current_dir(root)
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut g = Graph::default();
    for p in v["packages"].as_array().unwrap() {
        let name = p["name"].as_str().unwrap().to_string();
        let manifest = rel(root, p["manifest_path"].as_str().unwrap());
        let dir = manifest
            .trim_end_matches("Cargo.toml")
            .trim_end_matches('/')
            .to_string();
        g.members.insert((name.clone(), dir));
        for t in p["targets"].as_array().unwrap() {
            let kinds: Vec<&str> = t["kind"]
                .as_array()
                .unwrap()
                .iter()
                .map(|k| k.as_str().unwrap())
                .collect();
            let kind = ["bin", "test", "bench", "example", "custom-build"]
                .into_iter()
                .find(|k| kinds.contains(k))
                .unwrap_or("lib");
            g.targets.insert((
                name.clone(),
                kind.to_string(),
                t["name"].as_str().unwrap().to_string(),
                rel(root, t["src_path"].as_str().unwrap()),
            ));
        }
        for d in p["dependencies"].as_array().unwrap() {
            let Some(path) = d["path"].as_str() else {
                continue;
            };
            g.deps.insert((
                name.clone(),
                d["name"].as_str().unwrap().to_string(),
                d["rename"].as_str().map(str::to_string),
                d["kind"].as_str().unwrap_or("normal").to_string(),
                d["target"].as_str().map(str::to_string),
                rel(root, path),
            ));
        }
    }
    g
}

fn from_git(t: &TestRepo) -> Graph {
    from_repo(&t.repo)
}

fn from_repo(repo: &git2::Repository) -> Graph {
    let tree = GitTree::at(repo, "HEAD").unwrap();
    let ws = Workspace::load(&tree).unwrap();
    assert!(ws.problems.is_empty(), "{:?}", ws.problems);
    let mut g = Graph::default();
    // cargo metadata lists workspace members only, and patched dependencies under their
    // registry source: compare what it can see.
    for m in ws.members.iter().filter(|m| !m.path_only) {
        g.members.insert((m.name.clone(), m.dir.clone()));
        for tg in targets::discover(m, &tree) {
            g.targets.insert((
                m.name.clone(),
                tg.kind.name().to_string(),
                tg.name,
                tg.src_path,
            ));
        }
        for d in m.deps.iter().filter(|d| !d.patched) {
            g.deps.insert((
                m.name.clone(),
                d.package.clone(),
                d.renamed.then(|| d.key.clone()),
                d.kind.name().to_string(),
                d.target.clone(),
                d.path.clone().unwrap_or_default(),
            ));
        }
    }
    g
}

fn package(t: &TestRepo, dir: &str, head: &str, rest: &str) {
    let path = if dir.is_empty() {
        "Cargo.toml".to_string()
    } else {
        format!("{dir}/Cargo.toml")
    };
    t.write(
        path,
        format!("[package]\n{head}\nversion = \"0.1.0\"\n{rest}"),
    );
}

fn assert_same(t: &TestRepo) {
    let ours = from_git(t);
    let cargo = from_cargo(t.path());
    assert_eq!(ours.members, cargo.members, "members");
    assert_eq!(ours.targets, cargo.targets, "targets");
    assert_eq!(ours.deps, cargo.deps, "path dependencies");
}

#[test]
fn matches_cargo_metadata_on_a_workspace_using_every_manifest_feature() {
    let t = TestRepo::new();
    t.write(
        "Cargo.toml",
        r#"[package]
name = "root-pkg"
version = "0.1.0"
edition = "2021"

[dependencies]
core = { path = "crates/core" }

[workspace]
members = ["crates/*", "app"]
exclude = ["crates/skip"]

[workspace.package]
edition = "2021"

[workspace.dependencies]
util = { path = "crates/util" }
"#,
    );
    t.write("src/main.rs", "fn main() {}\n");
    // A [lib] name, a build script.
    package(
        &t,
        "crates/util",
        "name = \"util\"\nedition = \"2021\"",
        "[lib]\nname = \"utilities\"\n",
    );
    t.write("crates/util/src/lib.rs", "");
    t.write("crates/util/build.rs", "fn main() {}\n");
    // Inherited edition and dependency, a dev-dependency cycle, a target-specific one, and
    // every auto-discovered target kind.
    package(
        &t,
        "crates/core",
        "name = \"core\"\nedition.workspace = true",
        "[dependencies]\nutil.workspace = true\n\n[dev-dependencies]\ntester = { path = \"../tester\" }\n\n[target.'cfg(windows)'.dependencies]\nwinonly = { path = \"../winonly\" }\n",
    );
    for f in [
        "src/lib.rs",
        "src/bin/tool.rs",
        "src/bin/multi/main.rs",
        "tests/a.rs",
        "tests/dir/main.rs",
        "benches/b.rs",
        "examples/e.rs",
    ] {
        t.write(format!("crates/core/{f}"), "fn main() {}\n");
    }
    t.write("crates/core/tests/fixtures/data.txt", "not a target\n");
    // A renamed dependency (and the other half of the cycle).
    package(
        &t,
        "crates/tester",
        "name = \"tester\"\nedition = \"2021\"",
        "[dependencies]\nc = { package = \"core\", path = \"../core\" }\n",
    );
    t.write("crates/tester/src/lib.rs", "");
    package(
        &t,
        "crates/winonly",
        "name = \"winonly\"\nedition = \"2021\"",
        "",
    );
    t.write("crates/winonly/src/lib.rs", "");
    // Discovery switched off, explicit targets instead.
    package(
        &t,
        "crates/noauto",
        "name = \"noauto\"\nedition = \"2021\"\nautobins = false\nautotests = false\nbuild = false",
        "[[bin]]\nname = \"explicit\"\npath = \"src/explicit.rs\"\n",
    );
    for f in [
        "src/main.rs",
        "src/bin/x.rs",
        "src/explicit.rs",
        "tests/t.rs",
        "build.rs",
    ] {
        t.write(format!("crates/noauto/{f}"), "fn main() {}\n");
    }
    // Excluded.
    package(&t, "crates/skip", "name = \"skip\"\nedition = \"2021\"", "");
    t.write("crates/skip/src/lib.rs", "");
    // Edition 2015: explicit bins turn bin discovery off; a path dependency outside the
    // members globs becomes a member.
    package(
        &t,
        "app",
        "name = \"app\"",
        "[[bin]]\nname = \"app-main\"\npath = \"src/main.rs\"\n\n[[example]]\nname = \"ex\"\n\n[dependencies]\nextra = { path = \"../tools/extra\" }\n",
    );
    for f in [
        "src/main.rs",
        "src/bin/other.rs",
        "examples/ex.rs",
        "examples/auto.rs",
    ] {
        t.write(format!("app/{f}"), "fn main() {}\n");
    }
    package(
        &t,
        "tools/extra",
        "name = \"extra\"\nedition = \"2021\"",
        "",
    );
    t.write("tools/extra/src/lib.rs", "");
    t.commit("workspace");
    assert_same(&t);
}

#[test]
fn matches_cargo_metadata_on_a_lone_package_and_a_glob_of_globs() {
    let t = TestRepo::new();
    package(
        &t,
        "",
        "name = \"lone\"\nedition = \"2021\"",
        "[dependencies]\nhelper = { path = \"helper\" }\n",
    );
    t.write("src/lib.rs", "");
    t.write("src/main.rs", "fn main() {}\n");
    package(&t, "helper", "name = \"helper\"\nedition = \"2021\"", "");
    t.write("helper/src/lib.rs", "");
    t.commit("lone");
    // Without [workspace], a path dependency is not a member.
    assert_same(&t);

    let t = TestRepo::new();
    t.write(
        "Cargo.toml",
        "[workspace]\nresolver = \"2\"\nmembers = [\"libs/*/crates/*\", \"bins/b?\"]\n",
    );
    for (dir, name) in [
        ("libs/x/crates/one", "one"),
        ("libs/y/crates/two", "two"),
        ("bins/b1", "b1"),
    ] {
        package(
            &t,
            dir,
            &format!("name = \"{name}\"\nedition = \"2021\""),
            "",
        );
        t.write(format!("{dir}/src/lib.rs"), "");
    }
    t.commit("globs");
    assert_same(&t);
}

/// What is in one set and not the other, readably.
fn diff<T: Ord + std::fmt::Debug>(a: &BTreeSet<T>, b: &BTreeSet<T>) -> Vec<String> {
    a.symmetric_difference(b)
        .map(|x| format!("{x:?}"))
        .collect()
}

/// Compares with cargo on a real checkout: `COUNTERSIGN_ORACLE_REPO` names one (a clone with
/// its work tree at HEAD: `COUNTERSIGN_ORACLE_REPO=/tmp/tokio cargo test --test impact_oracle
/// real_checkout`); without it, a fresh clone of this very repository (a lib, a bin, tests,
/// benches and examples), so CI always runs it on real, unsynthesised manifests.
#[test]
fn matches_cargo_metadata_on_a_real_checkout() {
    let own_clone;
    let dir = match std::env::var_os("COUNTERSIGN_ORACLE_REPO") {
        Some(d) => std::path::PathBuf::from(d),
        None => {
            own_clone = tempfile::tempdir().expect("tempdir");
            let here = env!("CARGO_MANIFEST_DIR");
            if git2::Repository::open(here).is_err() {
                eprintln!("{here} is not a git checkout (a packaged crate?): nothing to compare");
                return;
            }
            support::git_in(own_clone.path(), &["clone", "-q", here, "own"]);
            own_clone.path().join("own")
        }
    };
    support::isolate_git_config();
    let root = dir.as_path();
    let repo = git2::Repository::open(root).expect("a git checkout");
    let ours = from_repo(&repo);
    let cargo = from_cargo(root);

    assert_eq!(
        diff(&ours.members, &cargo.members),
        Vec::<String>::new(),
        "members"
    );
    assert_eq!(
        diff(&ours.deps, &cargo.deps),
        Vec::<String>::new(),
        "path dependencies"
    );
    assert_eq!(
        diff(&ours.targets, &cargo.targets),
        Vec::<String>::new(),
        "targets"
    );
    eprintln!(
        "{}: {} members, {} targets, {} path dependencies agree with cargo metadata",
        root.display(),
        ours.members.len(),
        ours.targets.len(),
        ours.deps.len()
    );
}
