//! `impact` end to end on generated workspaces, beside `cargo metadata --no-deps --offline`
//! on the same tree, and how it scales from 100 to 400 to 1,600 crates.
//!
//! Run with `cargo bench --bench impact`. Needs python3 and git (the generator makes the
//! workspaces and their history in temporary directories) and cargo (the reference).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use countersign_core::git::{ChangeSet, LoadDepth};
use countersign_core::impact::{self, Options};
use criterion::{BenchmarkId, Criterion};

/// A generated workspace: its temporary directory (removed on drop) and root.
struct Generated {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

fn generate(crates: usize, files: usize, lines: usize) -> Generated {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("ws");
    let status = Command::new("python3")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/benches/gen-workspace.py"
        ))
        .arg(&root)
        .args(["--crates", &crates.to_string()])
        .args(["--files", &files.to_string()])
        .args(["--lines", &lines.to_string()])
        .stdout(Stdio::null())
        .status()
        .expect("python3 runs the generator");
    assert!(status.success(), "the generator failed");
    Generated { _dir: dir, root }
}

/// `countersign impact HEAD --format json`, the release binary, as a user runs it.
fn run_impact(root: &Path) {
    let out = Command::new(env!("CARGO_BIN_EXE_countersign"))
        .args(["impact", "HEAD", "--format", "json"])
        .current_dir(root)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("countersign runs");
    assert!(out.success());
}

/// The reference: `cargo metadata --no-deps --offline` on the same checkout.
fn run_cargo_metadata(root: &Path) {
    let out = Command::new("cargo")
        .args([
            "metadata",
            "--no-deps",
            "--offline",
            "--format-version",
            "1",
        ])
        .current_dir(root)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("cargo runs");
    assert!(out.success());
}

/// The library call the TUI makes: change set of HEAD, then the analysis with modules.
fn analyze(root: &Path) -> usize {
    let repo = git2::Repository::open(root).expect("open");
    let head = repo.revparse_single("HEAD").expect("HEAD").id();
    let change = ChangeSet::load(&repo, &[head], LoadDepth::Files).expect("change set");
    let i = impact::analyze(&repo, &change.commits, &Options::default()).expect("impact");
    i.affected_crates.len() + i.modules.len()
}

/// Medians of `a` and `b` over `runs` interleaved runs (a, b, a, b, …), so that a load
/// change on the machine touches both alike.
fn interleaved(mut a: impl FnMut(), mut b: impl FnMut(), runs: usize) -> (Duration, Duration) {
    let time = |f: &mut dyn FnMut()| {
        let t = Instant::now();
        f();
        t.elapsed()
    };
    let (mut ta, mut tb): (Vec<Duration>, Vec<Duration>) =
        (0..runs).map(|_| (time(&mut a), time(&mut b))).unzip();
    ta.sort();
    tb.sort();
    (ta[runs / 2], tb[runs / 2])
}

fn main() {
    let mut c = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();

    // The headline: the 400-crate workspace at the generator's default size.
    let ws = generate(400, 25, 120);
    let mut g = c.benchmark_group("impact-400-crates");
    g.bench_function("countersign impact (process)", |b| {
        b.iter(|| run_impact(&ws.root))
    });
    g.bench_function("cargo metadata --no-deps --offline (process)", |b| {
        b.iter(|| run_cargo_metadata(&ws.root))
    });
    g.bench_function(
        "impact::analyze (in process, libgit2 strict hash checks on)",
        |b| b.iter(|| analyze(&ws.root)),
    );
    g.finish();
    let (ours, cargo) = interleaved(|| run_impact(&ws.root), || run_cargo_metadata(&ws.root), 11);
    eprintln!(
        "impact-400-crates (median of 11 interleaved runs): countersign impact {:.1} ms, cargo metadata {:.1} ms, ratio {:.2}x (goal <= 1.5x)",
        ours.as_secs_f64() * 1e3,
        cargo.as_secs_f64() * 1e3,
        ours.as_secs_f64() / cargo.as_secs_f64()
    );
    drop(ws);

    // Scaling: the same shape, smaller files, 100 → 400 → 1,600 crates.
    let mut g = c.benchmark_group("impact-scaling");
    let mut lines = Vec::new();
    for n in [100, 400, 1600] {
        let ws = generate(n, 10, 40);
        g.bench_with_input(
            BenchmarkId::new("countersign impact", n),
            &ws.root,
            |b, r| b.iter(|| run_impact(r)),
        );
        g.bench_with_input(BenchmarkId::new("cargo metadata", n), &ws.root, |b, r| {
            b.iter(|| run_cargo_metadata(r))
        });
        let (ours, cargo) =
            interleaved(|| run_impact(&ws.root), || run_cargo_metadata(&ws.root), 7);
        lines.push(format!(
            "impact-scaling/{n} (median of 7 interleaved runs): countersign impact {:.1} ms, cargo metadata {:.1} ms, ratio {:.2}x",
            ours.as_secs_f64() * 1e3,
            cargo.as_secs_f64() * 1e3,
            ours.as_secs_f64() / cargo.as_secs_f64()
        ));
    }
    g.finish();
    for l in lines {
        eprintln!("{l}");
    }
    c.final_summary();
}
