//! The module list against a workspace whose true reference graph is known by construction:
//! each file below is written with the list of files whose definitions it names (the graph
//! rustdoc's link-to-definition gives on real code). For each change, the truth is the
//! reverse transitive closure of that graph from the changed modules; `impact`'s `modules`
//! must find it (recall) and little else (precision), both ≥ 0.95 over all the changes.
//!
//! The workspace holds what made the module list wide or blind before: re-export chains
//! (`pub use jj::Jj` in `vcs/mod.rs`, a prelude), glob imports (`pub use a::*`,
//! `use crate::util::*`), a type's `impl` blocks split across files, `super::f()` in one
//! child, `#[path]`, `include_str!`, a registry dependency with a `Cargo.lock` change, and
//! documentation and CI files beside the sources; and a moved module.

use crate::support;

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use countersign_core::git::{ChangeSet, LoadDepth};
use countersign_core::impact::{self, Impact, Options};
use support::TestRepo;

/// (file, text, files whose definitions it names).
type Spec = Vec<(&'static str, String, Vec<&'static str>)>;

fn spec(util_b: &'static str) -> Spec {
    let util_mod = if util_b == "src/util/b.rs" {
        "mod a;\nmod b;\nmod ext;\npub use a::*;\npub use b::*;\npub use ext::*;\n"
    } else {
        "mod a;\nmod bee;\nmod ext;\npub use a::*;\npub use bee::*;\npub use ext::*;\n"
    };
    vec![
        (
            "src/lib.rs",
            "pub mod app;\npub mod cli;\npub mod data;\npub mod prelude;\npub mod ui;\n\
             pub mod util;\npub mod vcs;\n#[path = \"odd/place.rs\"]\npub mod special;\n\n\
             /// Entry point.\npub fn run() {\n    ui::draw_list();\n}\n"
                .into(),
            vec!["src/ui/list.rs"],
        ),
        (
            "src/main.rs",
            "fn main() {\n    app::run();\n}\n".into(),
            vec!["src/lib.rs"],
        ),
        (
            "src/vcs/mod.rs",
            "mod git;\nmod jj;\nmod traits;\npub use git::Git;\npub use jj::Jj;\n\
             pub use traits::Backend;\n\npub fn detect() -> Box<dyn Backend> {\n    Box::new(Jj)\n}\n"
                .into(),
            vec!["src/vcs/git.rs", "src/vcs/jj.rs", "src/vcs/traits.rs"],
        ),
        (
            "src/vcs/traits.rs",
            "pub trait Backend {\n    fn name(&self) -> String;\n}\n".into(),
            vec![],
        ),
        (
            "src/vcs/jj.rs",
            "use super::Backend;\n\npub struct Jj;\n\nimpl Backend for Jj {\n    fn name(&self) -> String {\n        \"jj\".into()\n    }\n}\n"
                .into(),
            vec!["src/vcs/traits.rs"],
        ),
        (
            "src/vcs/git.rs",
            "use crate::vcs::traits::Backend;\n\npub struct Git;\n\nimpl Backend for Git {\n    fn name(&self) -> String {\n        \"git\".into()\n    }\n}\n"
                .into(),
            vec!["src/vcs/traits.rs"],
        ),
        ("src/util/mod.rs", util_mod.into(), vec![]),
        (
            "src/util/a.rs",
            "pub fn helper_a() -> u32 {\n    1\n}\n".into(),
            vec![],
        ),
        (
            "src/util/ext.rs",
            "pub trait Shout {\n    fn shout(&self) -> String;\n}\n\nimpl Shout for str {\n    fn shout(&self) -> String {\n        self.to_uppercase()\n    }\n}\n"
                .into(),
            vec![],
        ),
        (
            util_b,
            "pub fn helper_b() -> u32 {\n    2\n}\n".into(),
            vec![],
        ),
        (
            "src/app/mod.rs",
            "mod commits;\nmod tree;\n\npub struct App {\n    pub n: u32,\n}\n\nimpl App {\n    pub fn new() -> Self {\n        App { n: 0 }\n    }\n}\n"
                .into(),
            vec![],
        ),
        (
            "src/app/tree.rs",
            "use super::App;\n\nimpl App {\n    pub fn tree_op(&self) -> u32 {\n        self.n\n    }\n}\n"
                .into(),
            vec!["src/app/mod.rs"],
        ),
        (
            "src/app/commits.rs",
            "use super::App;\n\nimpl App {\n    pub fn commits_op(&self) -> u32 {\n        self.tree_op() + 1\n    }\n}\n"
                .into(),
            vec!["src/app/mod.rs", "src/app/tree.rs"],
        ),
        (
            "src/ui/mod.rs",
            "mod list;\nmod tabs;\npub use list::*;\n\npub fn tabify(s: &str) -> String {\n    s.to_string()\n}\n"
                .into(),
            vec![],
        ),
        (
            "src/ui/list.rs",
            "use crate::app::App;\nuse crate::util::*;\n\npub fn draw_list() {\n    let a = App::new();\n    let _ = a.tree_op() + helper_a();\n}\n"
                .into(),
            vec!["src/app/mod.rs", "src/app/tree.rs", "src/util/a.rs"],
        ),
        (
            "src/ui/tabs.rs",
            "use crate::util::*;\n\npub fn tab() -> String {\n    super::tabify(\"x\").as_str().shout()\n}\n".into(),
            vec!["src/ui/mod.rs", "src/util/ext.rs"],
        ),
        (
            "src/data.rs",
            "pub const BANNER: &str = include_str!(\"../assets/banner.txt\");\n\n\
             pub fn parse(s: &str) -> u32 {\n    serde_json::from_str(s).unwrap_or(0)\n}\n"
                .into(),
            vec![],
        ),
        (
            "src/odd/place.rs",
            "pub fn s() -> u32 {\n    crate::util::helper_b()\n}\n".into(),
            vec![util_b],
        ),
        (
            "src/prelude.rs",
            "pub use crate::data::BANNER;\npub use crate::vcs::Jj;\n".into(),
            vec!["src/data.rs", "src/vcs/jj.rs"],
        ),
        (
            "src/cli.rs",
            "use crate::prelude::*;\n\npub fn banner() -> usize {\n    let _j = Jj;\n    BANNER.len() + crate::special::s() as usize\n}\n"
                .into(),
            vec!["src/data.rs", "src/vcs/jj.rs", "src/odd/place.rs"],
        ),
    ]
}

fn lock(itoa: &str) -> String {
    format!(
        "version = 3\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"serde_json\",\n]\n\n\
         [[package]]\nname = \"itoa\"\nversion = \"{itoa}\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n\
         [[package]]\nname = \"serde_json\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\ndependencies = [\n \"itoa\",\n]\n"
    )
}

/// The files that reach `changed` through the spec's references, `changed` left out.
fn truth(spec: &Spec, changed: &[&str]) -> BTreeSet<String> {
    let mut rev: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (f, _, deps) in spec {
        for d in deps {
            rev.entry(d).or_default().push(f);
        }
    }
    let mut seen: BTreeSet<&str> = changed.iter().copied().collect();
    let mut q: VecDeque<&str> = changed.iter().copied().collect();
    while let Some(x) = q.pop_front() {
        for y in rev.get(x).into_iter().flatten() {
            if seen.insert(y) {
                q.push_back(y);
            }
        }
    }
    seen.into_iter()
        .filter(|f| !changed.contains(f))
        .map(str::to_string)
        .collect()
}

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
    t.repo
        .head()
        .expect("head")
        .peel_to_commit()
        .expect("commit")
        .id()
}

#[derive(Default)]
struct Score {
    tp: usize,
    fp: usize,
    fn_: usize,
    report: Vec<String>,
}

impl Score {
    fn add(&mut self, name: &str, want: &BTreeSet<String>, got: &BTreeSet<String>) {
        let tp = want.intersection(got).count();
        self.tp += tp;
        self.fp += got.difference(want).count();
        self.fn_ += want.difference(got).count();
        if want != got {
            self.report.push(format!(
                "{name}: false alarms {:?}, missed {:?}",
                got.difference(want).collect::<Vec<_>>(),
                want.difference(got).collect::<Vec<_>>()
            ));
        }
    }
}

#[test]
fn module_list_matches_the_reference_graph_by_construction() {
    let t = TestRepo::new();
    t.write(
        "Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nserde_json = \"1\"\n",
    );
    t.write("Cargo.lock", lock("1.0.0"));
    t.write("README.md", "# app\n");
    t.write("AGENTS.md", "Be careful.\n");
    t.write("docs/guide.md", "Guide.\n");
    t.write(".github/workflows/ci.yml", "on: push\n");
    t.write("assets/banner.txt", "hello\n");
    let base_spec = spec("src/util/b.rs");
    for (f, text, _) in &base_spec {
        t.write(f, text);
    }
    t.commit("base");
    let mut score = Score::default();
    let mut edit = |t: &TestRepo, spec: &Spec, name: &str, files: &[&str], want_seeds: &[&str]| {
        let before = head(t);
        for (n, f) in files.iter().enumerate() {
            let old = spec
                .iter()
                .find(|(p, _, _)| p == f)
                .map(|(_, text, _)| text.clone())
                .unwrap_or_else(|| "text\n".to_string());
            t.write(f, format!("{old}\n// edit {n}\n"));
        }
        t.commit(name);
        let i = impact_since(t, before);
        assert!(
            i.module_fallbacks.is_empty(),
            "{name}: {:?}",
            i.module_fallbacks
        );
        let got: BTreeSet<String> = i
            .modules
            .iter()
            .map(|m| m.file.clone())
            .filter(|f| !files.contains(&f.as_str()))
            .collect();
        let mut want = truth(spec, want_seeds);
        want.extend(
            want_seeds
                .iter()
                .filter(|s| !files.contains(s))
                .map(|s| s.to_string()),
        );
        score.add(name, &want, &got);
    };
    let s = &base_spec;
    // A re-exported type: its users through `vcs::Jj` and the prelude, not `Backend`'s.
    edit(&t, s, "jj", &["src/vcs/jj.rs"], &["src/vcs/jj.rs"]);
    // The trait itself: its implementors and the re-exporting module.
    edit(
        &t,
        s,
        "traits",
        &["src/vcs/traits.rs"],
        &["src/vcs/traits.rs"],
    );
    // One `impl App` file: the files calling its method, not every user of `App`.
    edit(&t, s, "tree", &["src/app/tree.rs"], &["src/app/tree.rs"]);
    // The other one: nobody calls `commits_op`.
    edit(
        &t,
        s,
        "commits",
        &["src/app/commits.rs"],
        &["src/app/commits.rs"],
    );
    // Behind two globs (`pub use b::*` in util, `use crate::util::*` in ui/list.rs, which
    // does not name `helper_b`).
    edit(&t, s, "b", &["src/util/b.rs"], &["src/util/b.rs"]);
    edit(&t, s, "a", &["src/util/a.rs"], &["src/util/a.rs"]);
    // An extension trait behind a glob, used only by its method (`"x".shout()`), never named.
    edit(&t, s, "ext", &["src/util/ext.rs"], &["src/util/ext.rs"]);
    // `super::tabify()` in one child: the parent's users of `tabify`, not the siblings.
    edit(&t, s, "ui", &["src/ui/mod.rs"], &["src/ui/mod.rs"]);
    // Data read by `include_str!`: the module reading it and its users.
    edit(&t, s, "banner", &["assets/banner.txt"], &["src/data.rs"]);
    // Documentation and CI files beside one `#[path]` source file: that file's users only.
    edit(
        &t,
        s,
        "docs and ci",
        &[
            "README.md",
            "AGENTS.md",
            "docs/guide.md",
            ".github/workflows/ci.yml",
            "src/odd/place.rs",
        ],
        &["src/odd/place.rs"],
    );
    // Documentation alone: no module.
    edit(&t, s, "docs only", &["README.md", "docs/guide.md"], &[]);
    // `Cargo.lock` moves `itoa`, which `serde_json` uses: the modules naming `serde_json`.
    let before = head(&t);
    t.write("Cargo.lock", lock("1.0.1"));
    t.commit("lock");
    let i = impact_since(&t, before);
    let got: BTreeSet<String> = i.modules.iter().map(|m| m.file.clone()).collect();
    let mut want = truth(s, &["src/data.rs"]);
    want.insert("src/data.rs".to_string());
    score.add("lock", &want, &got);
    // A moved module keeps its dependents.
    let before = head(&t);
    let moved = spec("src/util/bee.rs");
    t.remove("src/util/b.rs");
    for (f, text, _) in moved
        .iter()
        .filter(|(f, _, _)| *f == "src/util/mod.rs" || *f == "src/util/bee.rs")
    {
        t.write(f, text);
    }
    t.commit("move util/b.rs to util/bee.rs");
    let i = impact_since(&t, before);
    assert!(
        i.module_fallbacks.is_empty(),
        "move: {:?}",
        i.module_fallbacks
    );
    let got: BTreeSet<String> = i
        .modules
        .iter()
        .map(|m| m.file.clone())
        .filter(|f| f != "src/util/mod.rs" && f != "src/util/bee.rs")
        .collect();
    let want = truth(&moved, &["src/util/mod.rs", "src/util/bee.rs"]);
    assert!(
        want.contains("src/odd/place.rs"),
        "the spec has a dependent: {want:?}"
    );
    score.add("move", &want, &got);

    let precision = score.tp as f64 / (score.tp + score.fp).max(1) as f64;
    let recall = score.tp as f64 / (score.tp + score.fn_).max(1) as f64;
    eprintln!(
        "module oracle: precision {precision:.3}, recall {recall:.3} (tp {}, fp {}, fn {})\n{}",
        score.tp,
        score.fp,
        score.fn_,
        score.report.join("\n")
    );
    assert!(score.tp > 20, "the changes reach enough modules to measure");
    assert!(
        precision >= 0.95 && recall >= 0.95,
        "precision {precision:.3}, recall {recall:.3}:\n{}",
        score.report.join("\n")
    );
    // Recall wins: on a graph known by construction, no dependent is missed at all.
    assert_eq!(
        score.fn_,
        0,
        "missed dependents:\n{}",
        score.report.join("\n")
    );
}
