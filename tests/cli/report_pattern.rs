//! `countersign report` on a real repository built here: a Cargo workspace of two crates
//! (`app` depends on `core`), AI commits by trailer and by a git-ai note, an approval, a
//! reject, a human fix of an AI commit's lines within the window, and a subject written to
//! break out of HTML. The numbers are checked against `status` and `verify` JSON and
//! `git log --numstat`; the HTML is parsed as XML.

use crate::signoff_common;

use git2::Oid;
use signoff_common::{git_stdin, require_tool, Fixture};

const TRUSTED: [&str; 2] = ["--trusted-ref", "refs/heads/main"];

fn lines(tag: &str, n: usize) -> String {
    (1..=n).map(|i| format!("// {tag} {i}\n")).collect()
}

struct History {
    f: Fixture,
    core_ai: Oid,
    noted: Oid,
    fix: Oid,
    rejected: Oid,
    hostile: Oid,
}

/// main: policy, roster and a two-crate workspace; `feature`: the history the report reads.
fn history() -> History {
    let policy = signoff_common::POLICY.to_string();
    let f = Fixture::with_policy(&policy);
    // The workspace goes onto main, where the policy is: the trusted tree knows the crates.
    f.t.checkout("main");
    f.t.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/core\", \"crates/app\"]\nresolver = \"2\"\n",
    );
    f.t.write(
        "crates/core/Cargo.toml",
        "[package]\nname = \"core\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    f.t.write("crates/core/src/lib.rs", "pub fn one() -> u32 { 1 }\n");
    f.t.write(
        "crates/app/Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\ncore = { path = \"../core\" }\n",
    );
    f.t.write("crates/app/src/lib.rs", "pub fn run() {}\n");
    f.t.commit("Workspace");
    f.t.git(&["branch", "-f", "feature", "main"]);
    f.t.checkout("feature");

    // 1. An AI commit by trailer: 10 lines of core (its blast radius reaches app). Approved.
    f.t.write(
        "crates/core/src/lib.rs",
        format!("pub fn one() -> u32 {{ 1 }}\n{}", lines("core", 10)),
    );
    let core_ai = f.t.commit_ai("kiro", "Speed up core");
    f.sign(&core_ai, "alice", "approve").success();

    // 2. A human commit with a git-ai note: 3 of its 5 lines by claude.
    f.t.write(
        "crates/app/src/lib.rs",
        format!("pub fn run() {{}}\n{}", lines("app", 5)),
    );
    let noted = f.t.commit("Wire app by hand");
    let note = "crates/app/src/lib.rs\n  s_aaaaaaaaaaaaaa::t_bbbbbbbbbbbbbb 2-4\n---\n{\"schema_version\":\"authorship/3.0.0\",\"base_commit_sha\":\"x\",\"prompts\":{},\"sessions\":{\"s_aaaaaaaaaaaaaa\":{\"agent_id\":{\"tool\":\"claude\",\"id\":\"c\",\"model\":\"m\"}}}}";
    let hex = noted.to_string();
    let script = format!(
        "commit refs/notes/ai\ncommitter git-ai <git-ai@example.com> 1700000000 +0000\ndata 0\nM 100644 inline {}/{}\ndata {}\n{note}\n",
        &hex[..2],
        &hex[2..],
        note.len()
    );
    git_stdin(f.path(), &["fast-import", "--quiet"], script.as_bytes());

    // 3. A human fix rewriting two of commit 1's lines a minute later.
    let fixed = lines("core", 10)
        .replace("// core 3\n", "// core three\n")
        .replace("// core 4\n", "// core four\n");
    f.t.write(
        "crates/core/src/lib.rs",
        format!("pub fn one() -> u32 {{ 1 }}\n{fixed}"),
    );
    let fix = f.t.commit("Fix off-by-one in core");

    // 4. An AI commit bob rejects, whose subject tries to break out of HTML, Markdown and
    //    Mermaid (the rejects table quotes it).
    f.t.write("crates/app/src/extra.rs", lines("extra", 4));
    let rejected = f.t.commit_ai(
        "claude",
        "<script>alert(1)</script> ]]> & \"q\" | [x](https://e.vil) \u{1b}[2J",
    );
    f.sign(&rejected, "bob", "reject").success();

    // 5. An AI commit to docs.
    f.t.write("docs/notes.md", lines("doc", 2));
    let hostile = f.t.commit_ai("kiro", "Docs notes");
    History {
        f,
        core_ai,
        noted,
        fix,
        rejected,
        hostile,
    }
}

fn report(f: &Fixture, format: &str) -> (i32, Vec<u8>) {
    let out = f
        .cmd()
        .args(["report", "main..feature", "--format", format])
        .args(TRUSTED)
        .output()
        .expect("report runs");
    (out.status.code().unwrap_or(-1), out.stdout)
}

fn json(f: &Fixture, args: &[&str]) -> serde_json::Value {
    let out = f.cmd().args(args).args(TRUSTED).output().expect("runs");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?} printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn report_numbers_agree_with_status_verify_and_git_log() {
    let h = history();
    let f = &h.f;
    let (code, out) = report(f, "json");
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&out));
    let r: serde_json::Value = serde_json::from_slice(&out).expect("JSON");
    let status = json(f, &["status", "main..feature", "--format", "json"]);
    let verify = json(f, &["verify", "main..feature", "--format", "json"]);
    let rows = status.as_array().unwrap();
    let t = &r["totals"];

    assert_eq!(t["commits"], rows.len());
    let ai = rows.iter().filter(|c| !c["ai"].is_null()).count();
    assert_eq!(t["ai_commits"], ai);
    assert_eq!(ai, 4, "trailers on 1, 4, 5 and the note on 2");
    let needed: u64 = verify["commits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["required"].as_u64().unwrap())
        .sum();
    let given: u64 = verify["commits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["approvals"].as_u64().unwrap())
        .sum();
    assert_eq!(t["approvals_needed"], needed);
    assert_eq!(t["approvals_given"], given);
    assert_eq!(t["approvals_given"], 1);
    for state in ["approved", "needs-signoff", "rejected"] {
        let n = rows
            .iter()
            .filter(|c| !c["ai"].is_null() && c["state"] == state)
            .count() as u64;
        assert_eq!(t["states"][state].as_u64().unwrap_or(0), n, "{state}");
    }
    assert_eq!(t["rejects"], 1);
    assert_eq!(r["rejects"][0]["principal"], "bob@example.com");
    assert_eq!(r["rejects"][0]["commit"], h.rejected.to_string());

    // Lines as `git log --numstat` counts them.
    let numstat = f.t.git(&["log", "--numstat", "--format=", "main..feature"]);
    let added: u64 = numstat
        .lines()
        .filter_map(|l| l.split('\t').next()?.parse::<u64>().ok())
        .sum();
    assert_eq!(t["lines_added"], added);
    // Agents' lines: 10 (kiro, core) + 3 of 5 (claude, by the note) + 4 (claude) + 2 (kiro).
    assert_eq!(t["ai_lines"], 10 + 3 + 4 + 2);
    let agents = t["agents"].as_array().unwrap();
    assert_eq!(agents[0]["agent"], "kiro");
    assert_eq!(agents[0]["lines"], 12);
    assert_eq!(agents[1]["agent"], "claude");
    assert_eq!(agents[1]["lines"], 7);

    // Per crate: core holds kiro's 10 lines (and the fix's 2), app claude's 3 + 4.
    let krate = |name: &str| {
        r["crates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["crate"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{name} in {:#}", r["crates"]))
    };
    assert_eq!(krate("core")["ai_lines"], 10);
    assert_eq!(krate("core")["lines_added"], 12);
    assert_eq!(krate("app")["ai_lines"], 7);
    assert_eq!(krate("app")["ai_commits"], 2);

    // The human fix changed two of the AI commit's lines a minute later.
    let fixes = r["fixes"].as_array().unwrap();
    assert_eq!(fixes.len(), 1, "{fixes:#?}");
    assert_eq!(fixes[0]["commit"], h.core_ai.to_string());
    assert_eq!(fixes[0]["later_commit"], h.fix.to_string());
    assert_eq!(fixes[0]["kind"], "fix");
    assert_eq!(fixes[0]["lines"], 2);
    // With a window too short for a minute, it is not counted.
    let out = f
        .cmd()
        .args([
            "report",
            "main..feature",
            "--format",
            "json",
            "--fix-window",
            "0",
        ])
        .args(TRUSTED)
        .output()
        .unwrap();
    let short: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(short["fixes"].as_array().unwrap().len(), 0);

    // The blast radius of core's AI commit reaches app, as a dependent.
    let reach = r["blast_radius"].as_array().unwrap();
    let app = reach
        .iter()
        .find(|x| x["crate"] == "app")
        .expect("app reached");
    assert!(app["as_dependent"].as_u64().unwrap() >= 1, "{reach:#?}");
    // One month (UTC), holding everything.
    assert_eq!(r["months"].as_array().unwrap().len(), 1);
    assert_eq!(r["months"][0]["month"], "2023-11");
    assert_eq!(r["months"][0]["ai_commits"], 4);
    assert_eq!(r["coverage"]["approvals"], 1);
    assert!(r["dates_note"].as_str().unwrap().contains("claim"));
    let _ = (h.noted, h.hostile);
}

#[test]
fn the_html_is_one_well_formed_page_with_every_text_escaped() {
    let h = history();
    let (code, out) = report(&h.f, "html");
    assert_eq!(code, 0);
    let html = String::from_utf8(out).expect("UTF-8");
    assert!(html.starts_with("<!DOCTYPE html>"));
    // Nothing from the network, no script, the attacker's subject escaped.
    assert!(!html.contains("<script"), "a raw script tag");
    assert!(!html.contains("src="));
    assert!(!html.contains("href="));
    assert!(!html.contains('\u{1b}'));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; ]]&gt; &amp; &quot;q&quot;"));
    assert!(html.contains("<svg"), "charts are inline SVG");
    // Each chart has its table.
    assert!(html.matches("<svg").count() <= html.matches("<table").count());
    assert!(html.contains("as dated by commits and sign-offs"));
    // Written to a file with -o, the same bytes.
    let file = h.f.keys_dir.path().join("report.html");
    h.f.cmd()
        .args(["report", "main..feature", "-o"])
        .arg(&file)
        .args(TRUSTED)
        .assert()
        .success();
    assert_eq!(std::fs::read_to_string(&file).unwrap(), html);

    if !require_tool("python3") {
        return;
    }
    // Parsed as XML (well-formed: every tag closed, every entity known) and by Python's HTML
    // parser, which must find no script element and the subject only as text.
    let check = r#"
import sys, xml.etree.ElementTree as ET
from html.parser import HTMLParser
data = open(sys.argv[1], encoding="utf-8").read()
body = data.split("\n", 1)[1]
ET.fromstring(body)
class P(HTMLParser):
    def __init__(self):
        super().__init__(); self.tags = set(); self.text = []
    def handle_starttag(self, tag, attrs): self.tags.add(tag)
    def handle_data(self, d): self.text.append(d)
p = P(); p.feed(data)
assert "script" not in p.tags, p.tags
assert any("<script>alert(1)</script>" in t for t in p.text)
print("ok")
"#;
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(check)
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_markdown_escapes_what_it_quotes_and_draws_a_mermaid_chart() {
    let h = history();
    let (code, out) = report(&h.f, "markdown");
    assert_eq!(code, 0);
    let md = String::from_utf8(out).unwrap();
    assert!(md.contains("```mermaid\nxychart-beta"), "{md}");
    assert!(!md.contains("<script>"), "{md}");
    assert!(!md.contains("https://e.vil"), "{md}");
    assert!(!md.contains('\u{1b}'));
    // Every table row has as many cells as its header: no pipe from a subject splits one.
    for block in md.split("\n\n") {
        let rows: Vec<&str> = block.lines().filter(|l| l.starts_with('|')).collect();
        if let Some(head) = rows.first() {
            let cells = |l: &str| l.replace("\\|", "").matches('|').count();
            for r in &rows {
                assert_eq!(cells(r), cells(head), "{r}");
            }
        }
    }
}

#[test]
fn bad_arguments_are_exit_2_with_the_fix() {
    let h = history();
    let out =
        h.f.cmd()
            .args(["report", "--since", "last tuesday"])
            .args(TRUSTED)
            .output()
            .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("YYYY-MM-DD"));
    // --since after every commit: an empty report, exit 0.
    let out =
        h.f.cmd()
            .args([
                "report",
                "main..feature",
                "--since",
                "2099-01-01",
                "--format",
                "json",
            ])
            .args(TRUSTED)
            .output()
            .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["totals"]["commits"], 0);
    assert_eq!(r["since"], "2099-01-01");
}

/// The README's first-table sample is this binary's output on the demo's history.
#[test]
fn the_readme_report_table_is_the_real_output_on_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("d");
    signoff_common::countersign(dir.path())
        .args(["demo", "--no-tui", "--dir"])
        .arg(&demo)
        .assert()
        .success();
    let out = signoff_common::countersign(&demo.join("repo"))
        .args([
            "report",
            "HEAD",
            "--trusted-ref",
            "refs/heads/main",
            "--format",
            "markdown",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let md = String::from_utf8(out.stdout).unwrap();
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let at = readme
        .find("Its first table, on the demo's history")
        .expect("the README shows it");
    let block = &readme[at..];
    let start = block.find("```text\n").unwrap() + 8;
    let sample = &block[start..start + block[start..].find("```").unwrap()];
    assert!(md.contains(sample), "README:\n{sample}\nreal:\n{md}");
}
