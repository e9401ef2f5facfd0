//! The verdict and blast radius on the pull request: `verify --format markdown` with hostile
//! subjects and paths (snapshot), `impact --format dot` drawn by graphviz, and
//! `impact --format mermaid` parsed back with node and edge counts matching the impact JSON.

use crate::support;

use std::io::Write;
use std::path::Path;
use std::process::Stdio;

use support::{alice_roster_line, billing_chain, countersign, mask_ids, PolicyToml, TestRepo};

/// Autonomous by default, raised by transitive reach up to supervised; `billing-api`
/// prohibited (two seniors).
fn policy() -> String {
    PolicyToml::one_senior("alice@example.com")
        .default_tier("autonomous")
        .escalation("transitive", "supervised")
        .crate_rule(&["billing-api"], "prohibited")
        .render()
}

/// A subject that tries HTML, a link, emphasis, a table cell and a code fence.
const HOSTILE_SUBJECT: &str =
    "Fix <img src=x onerror=alert(1)> | **now** [docs](https://evil.example) ```mermaid";

/// A path that tries the same.
const HOSTILE_PATH: &str = "crates/auth/src/<script>alert(1)<|script> [x](javascript:alert(1)).rs";

/// core-types ← auth ← billing-api (prohibited); on `feature` an AI commit edits core-types'
/// codec module and adds a file with a hostile name to auth, under a hostile subject.
fn workspace() -> TestRepo {
    let t = TestRepo::new();
    let [core_types, auth, billing_api] = billing_chain();
    t.cargo_workspace(&["crates/*"])
        .package(&core_types)
        .package(&auth)
        .package(&billing_api)
        .policy(&policy())
        .roster(&alice_roster_line(t.path()));
    t.commit("base");
    t.start_branch("feature");
    t.write("crates/core-types/src/codec.rs", "pub fn encode() { }\n");
    t.write(HOSTILE_PATH, "// hi\n");
    t.commit_ai("kiro", HOSTILE_SUBJECT);
    t
}

fn run(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let out = countersign(dir).args(args).output().expect("runs");
    (
        out.status.code(),
        String::from_utf8(out.stdout).expect("utf-8"),
    )
}

#[test]
fn verify_markdown_summary_quotes_hostile_subjects_and_paths_inertly() {
    let t = workspace();
    let (code, md) = run(
        t.path(),
        &[
            "verify",
            "--format",
            "markdown",
            "--trusted-ref",
            "refs/heads/main",
        ],
    );
    assert_eq!(code, Some(1), "{md}");
    // Nothing from the attacker becomes HTML, a link or a way out of the Mermaid block.
    for bad in [
        "<img",
        "<script",
        "](https",
        "](javascript",
        "https://",
        "```mermaid\n```",
    ] {
        assert!(!md.contains(bad), "{bad:?} got through:\n{md}");
    }
    assert_eq!(
        md.matches("```").count(),
        2,
        "one Mermaid block only:\n{md}"
    );
    assert!(md.contains("```mermaid\nflowchart LR\n"), "{md}");
    assert!(md.len() < 65_536);
    insta::assert_snapshot!("verify_markdown_hostile", mask_ids(&md));
}

#[test]
fn verify_markdown_stays_under_githubs_limit_with_hundreds_of_hostile_commits() {
    let t = workspace();
    for i in 0..300 {
        t.write(
            "crates/core-types/src/codec.rs",
            format!("pub fn encode() {{ {i}; }}\n"),
        );
        t.commit_ai("kiro", &format!("{} {}", "<b>|".repeat(400), i));
    }
    let (code, md) = run(
        t.path(),
        &[
            "verify",
            "--format",
            "markdown",
            "--trusted-ref",
            "refs/heads/main",
        ],
    );
    assert_eq!(code, Some(1));
    assert!(
        md.chars().count() < 65_536,
        "{} characters",
        md.chars().count()
    );
    assert!(
        md.contains("more commits (see the job log)"),
        "the cut is said"
    );
    assert!(!md.contains("<b>"));
}

fn impact_json(dir: &Path) -> serde_json::Value {
    let (code, out) = run(
        dir,
        &[
            "impact",
            "--format",
            "json",
            "--trusted-ref",
            "refs/heads/main",
        ],
    );
    assert_eq!(code, Some(0), "{out}");
    serde_json::from_str(&out).expect("json")
}

/// Node and edge counts the graph documents: crates + modules, and one edge per crate at
/// distance > 0 plus one per module.
fn expected_counts(json: &serde_json::Value) -> (usize, usize) {
    let crates = json["crates"].as_array().expect("crates");
    let modules = json["modules"].as_array().expect("modules").len();
    let hops = crates
        .iter()
        .filter(|c| c["distance"].as_u64().unwrap_or(0) > 0)
        .count();
    (crates.len() + modules, hops + modules)
}

#[test]
fn impact_dot_is_drawn_by_graphviz_with_the_counts_of_the_json() {
    if !support::require_tool("dot") {
        return;
    }
    let t = workspace();
    let (code, dot) = run(
        t.path(),
        &[
            "impact",
            "--format",
            "dot",
            "--trusted-ref",
            "refs/heads/main",
        ],
    );
    assert_eq!(code, Some(0), "{dot}");
    let mut child = std::process::Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("graphviz's dot runs (.ci/run installs Debian's graphviz)");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(dot.as_bytes())
        .expect("write dot");
    let out = child.wait_with_output().expect("dot finishes");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && err.trim().is_empty(),
        "dot refused it: {err}\n{dot}"
    );
    let svg = String::from_utf8_lossy(&out.stdout);
    assert!(svg.contains("<svg"), "{svg}");
    // graphviz drew every node and edge: its SVG has one group per node and per edge.
    let (nodes, edges) = expected_counts(&impact_json(t.path()));
    assert!(nodes >= 4 && edges >= 3, "{nodes} {edges}");
    assert_eq!(svg.matches("class=\"node\"").count(), nodes, "{dot}");
    assert_eq!(svg.matches("class=\"edge\"").count(), edges, "{dot}");
}

/// Parses the subset of Mermaid `impact --format mermaid` emits; panics on anything else.
/// Id and label of each node; start and end of each edge.
type Parsed = (Vec<(String, String)>, Vec<(String, String)>);

fn parse_mermaid(text: &str) -> Parsed {
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("flowchart LR"));
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    let is_id = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric());
    for line in lines {
        let l = line
            .strip_prefix("  ")
            .unwrap_or_else(|| panic!("not indented: {line}"));
        if l.starts_with("%%") || l.starts_with("classDef ") || l.starts_with("class ") {
            continue;
        }
        let parts: Vec<&str> = l.split(' ').collect();
        if parts.len() == 3 && (parts[1] == "-->" || parts[1] == "-.->") {
            assert!(is_id(parts[0]) && is_id(parts[2]), "edge: {line}");
            edges.push((parts[0].to_string(), parts[2].to_string()));
            continue;
        }
        let open = l
            .find(['[', '('])
            .unwrap_or_else(|| panic!("not a node: {line}"));
        let (id, shape) = l.split_at(open);
        assert!(is_id(id), "node id: {line}");
        let label = shape
            .strip_prefix("[\"")
            .and_then(|s| s.strip_suffix("\"]"))
            .or_else(|| {
                shape
                    .strip_prefix("(\"")
                    .and_then(|s| s.strip_suffix("\")"))
            })
            .unwrap_or_else(|| panic!("node shape: {line}"));
        assert!(
            !label.contains(['"', '[', ']', '(', ')', '<', '>', '|', '`', '{', '}']),
            "label leaks syntax: {line}"
        );
        nodes.push((id.to_string(), label.to_string()));
    }
    for (a, b) in &edges {
        assert!(nodes.iter().any(|(n, _)| n == a) && nodes.iter().any(|(n, _)| n == b));
    }
    (nodes, edges)
}

#[test]
fn impact_mermaid_parses_back_with_the_counts_of_the_json() {
    let t = workspace();
    let (code, mermaid) = run(
        t.path(),
        &[
            "impact",
            "--format",
            "mermaid",
            "--trusted-ref",
            "refs/heads/main",
        ],
    );
    assert_eq!(code, Some(0), "{mermaid}");
    let (nodes, edges) = parse_mermaid(&mermaid);
    let json = impact_json(t.path());
    assert_eq!(
        (nodes.len(), edges.len()),
        expected_counts(&json),
        "{mermaid}"
    );
    // The escalating dependent (billing-api, prohibited) is marked.
    let billing = nodes
        .iter()
        .find(|(_, l)| l.starts_with("billing-api"))
        .expect("billing-api drawn");
    assert!(
        mermaid.lines().any(|l| l.starts_with("  class ")
            && l.contains(&billing.0)
            && l.ends_with(" escalated")),
        "{mermaid}"
    );
}
