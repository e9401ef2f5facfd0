//! Workstation benchmarks (`cargo bench --bench tui`):
//!
//! 1. **First frame** of `review` on a change of 400 files and ~48k changed lines (made with
//!    `benches/gen-workspace.py` and a bulk edit), beside `git show` of the same commit, in
//!    the same run. The goal: at most 1.5× `git show`.
//! 2. **One frame while scrolling** through a change of 1k, 10k and 100k changed lines: the
//!    cost must not grow with the size of the change.
//!
//! Prints a table of medians; `harness = false`, no criterion needed.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

#[path = "../tests/support/sample.rs"]
mod sample;
use countersign::tui::store::Store;
use countersign::tui::theme::Theme;
use countersign::tui::{ReviewOptions, Session};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn run(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(args[0])
        .args(&args[1..])
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("running {args:?}: {e}"));
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A generated workspace whose HEAD edits 400 files, ~120 lines each.
fn big_repo(root: &Path) -> std::path::PathBuf {
    let repo = root.join("ws");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/gen-workspace.py");
    run(
        root,
        &[
            "python3",
            &script.to_string_lossy(),
            &repo.to_string_lossy(),
            "--crates",
            "40",
            "--files",
            "10",
            "--lines",
            "130",
        ],
    );
    // The bulk edit: every step line of every module changes.
    let mut files = 0;
    for krate in std::fs::read_dir(repo.join("crates")).expect("crates") {
        let src = krate.expect("entry").path().join("src");
        for f in std::fs::read_dir(&src).expect("src") {
            let p = f.expect("entry").path();
            if p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('m'))
            {
                let text = std::fs::read_to_string(&p).expect("read");
                std::fs::write(&p, text.replace("wrapping_add(", "wrapping_sub(")).expect("write");
                files += 1;
            }
        }
    }
    run(&repo, &["git", "add", "-A"]);
    run(
        &repo,
        &[
            "git",
            "-c",
            "user.name=Kiro Agent",
            "-c",
            "user.email=kiro@agents.example",
            "commit",
            "-q",
            "-m",
            "Use wrapping_sub everywhere\n\nCo-authored-by: Kiro <kiro@agents.example>",
        ],
    );
    let stat = run(&repo, &["git", "show", "--shortstat", "--format=", "HEAD"]);
    println!("bulk edit: {files} module files; {}", stat.trim());
    repo
}

fn first_frame(repo: &Path, rounds: usize) {
    let opts = ReviewOptions {
        revspec: Some("HEAD".into()),
        ..ReviewOptions::default()
    };
    // Warm the page cache for both.
    let text = countersign::tui::snapshot(repo, &opts, (200, 50), false).expect("snapshot");
    assert!(text.contains("m000.rs"), "{text}");
    run(repo, &["git", "show", "HEAD"]);
    let mut ours = Vec::new();
    let mut git = Vec::new();
    for _ in 0..rounds {
        let t = Instant::now();
        let out = Command::new("git")
            .args(["show", "HEAD"])
            .current_dir(repo)
            .output()
            .expect("git show");
        assert!(out.status.success() && !out.stdout.is_empty());
        git.push(t.elapsed());
        let t = Instant::now();
        let text = countersign::tui::snapshot(repo, &opts, (200, 50), false).expect("snapshot");
        ours.push(t.elapsed());
        assert!(!text.is_empty());
    }
    let (o, g) = (median(ours), median(git));
    println!(
        "first frame (200x50, 400 files): review {}   git show {}   ratio {:.2}x (goal <= 1.5x)",
        ms(o),
        ms(g),
        o.as_secs_f64() / g.as_secs_f64()
    );
}

fn scrolling(lines: usize, rounds: usize) -> Duration {
    let data = sample::big_change(1, lines);
    let mut s = Session::from_data(data, Store::default(), Theme::dark(), (200, 50));
    // Start in the middle of the file.
    let len = s.app().doc_len();
    while s.app().pos.cursor < len / 2 {
        s.press("<PgDn>");
    }
    let mut times = Vec::with_capacity(rounds);
    for i in 0..rounds {
        let t = Instant::now();
        s.press(if i % 2 == 0 { "j" } else { "<PgDn>" });
        let text = s.render();
        times.push(t.elapsed());
        assert!(text.len() > 100);
    }
    median(times)
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let rounds = if quick { 3 } else { 15 };
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = big_repo(dir.path());
    first_frame(&repo, rounds);
    for lines in [1_000, 10_000, 100_000] {
        let t = scrolling(lines, if quick { 50 } else { 400 });
        println!(
            "one frame while scrolling, {lines:>6} changed lines: {}",
            ms(t)
        );
    }
}
