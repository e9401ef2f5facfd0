//! Reading a policy of 40,000 `[[rules]]` (path globs of every kind, and crate names) beside
//! a plain TOML parse of the same text (the `toml` crate into a table: the least any reader
//! of the file does), in the same run; then matching 10,000 paths against it.
//!
//! ```text
//! cargo bench --bench policy            # RULES=100000 cargo bench --bench policy for more
//! ```
//!
//! The issue's goal: linear, ≤ 0.2 s for 40,000 rules (it was 40 s when each rule's globs
//! were compiled on their own and checked pairwise).

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use countersign_core::policy::{parse_policy, PolicySource};

/// `n` rules; with `wild`, a fifth of them hold a glob with a wildcard inside (which globset
/// compiles to a regex) instead of a literal path.
fn policy(n: usize, wild: bool) -> String {
    let mut text = String::from(
        "base = \"main\"\ndefault_tier = \"autonomous\"\n\n[roles]\nsenior = [\"alice@example.com\"]\n\n\
         [tiers.autonomous]\napprovals = 0\n[tiers.supervised]\napprovals = 1\nrole = \"senior\"\n\
         [tiers.prohibited]\napprovals = 2\nrole = \"senior\"\n",
    );
    for i in 0..n {
        let rule = match i % 5 {
            0 => format!("paths = [\"dir{i}/**\"]"),
            1 => format!("paths = [\"**/*.x{i}\"]"),
            2 => format!("paths = [\"crates/c{i}/Cargo.toml\"]"),
            3 if wild => format!("paths = [\"src/m{i}/*/t?.rs\"]"),
            3 => format!("paths = [\"src/m{i}/t.rs\"]"),
            _ => format!("crates = [\"c{i}\"]"),
        };
        text.push_str(&format!("\n[[rules]]\n{rule}\ntier = \"supervised\"\n"));
    }
    text
}

/// The best of `runs` timings of `f`.
fn best(runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let n: usize = std::env::var("RULES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40_000);
    for wild in [false, true] {
        let text = policy(n, wild);
        let source = || PolicySource {
            rev: "main".to_string(),
            commit: None,
        };
        let toml_only = best(5, || {
            black_box(text.parse::<toml::Table>().expect("toml parses"));
        });
        let mut parsed = None;
        let ours = best(5, || {
            parsed = Some(parse_policy(&text, "policy.toml", source()).expect("policy parses"));
        });
        let Some(p) = parsed else { return };
        let globs = best(5, || {
            black_box(countersign_core::policy::RuleGlobs::new(&p.rules).expect("globs compile"));
        });
        let paths: Vec<String> = (0..1_000)
            .map(|i| match i % 3 {
                0 => format!("dir{}/src/lib.rs", i * 4),
                1 => format!("src/m{}/a/t1.rs", i * 4 + 3),
                _ => format!("docs/page{i}.md"),
            })
            .collect();
        let mut hits = 0usize;
        let matching = best(5, || {
            hits = paths
                .iter()
                .map(|f| p.path_globs.matching(Path::new(f)).len())
                .sum();
        });
        println!(
            "policy of {n} rules{} ({} bytes): countersign parse {:.1} ms, toml parse alone {:.1} ms, \
             ratio {:.2}x",
            if wild { ", a fifth with inner wildcards" } else { "" },
            text.len(),
            ms(ours),
            ms(toml_only),
            ours.as_secs_f64() / toml_only.as_secs_f64()
        );
        println!(
            "  of which compiling the {} path globs into one set: {:.1} ms",
            p.rules.iter().map(|r| r.paths.len()).sum::<usize>(),
            ms(globs)
        );
        println!(
            "1,000 paths matched against every rule: {:.1} ms ({hits} rule matches)",
            ms(matching)
        );
    }
}
