//! The module scanner's throughput (MB/s) over the sources of a generated 400-crate
//! workspace, and over any directory of Rust code named by `SCAN_DIR` (e.g. a clone, or
//! `~/.cargo/registry/src`).
//!
//! ```text
//! cargo bench --bench scan
//! ```

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// Every `.rs` file below `dir` (skipping `.git` and `target`), as text.
fn sources(dir: &Path) -> Vec<String> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            let Ok(kind) = e.file_type() else { continue };
            if kind.is_dir() {
                if !p.ends_with(".git") && !p.ends_with("target") {
                    stack.push(p);
                }
            } else if kind.is_file() && p.extension().is_some_and(|x| x == "rs") {
                if let Ok(text) = std::fs::read_to_string(&p) {
                    files.push(text);
                }
            }
        }
    }
    files
}

/// This thread's CPU time so far (Linux's schedstat), when the system tells it: on a shared
/// machine the wall time wanders with the load, the CPU time much less.
fn thread_cpu() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = text.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

/// Scans `files` five times and prints the best throughput, of wall time and (where the
/// system tells it) of this thread's CPU time.
fn measure(what: &str, files: &[String]) {
    let bytes: usize = files.iter().map(String::len).sum();
    let (mut best, mut best_cpu) = (f64::MAX, f64::MAX);
    let mut scanned = 0;
    for _ in 0..5 {
        let (t, cpu) = (Instant::now(), thread_cpu());
        scanned = files
            .iter()
            .filter(|f| countersign_core::fuzzing::scan_rust_module(f))
            .count();
        best = best.min(t.elapsed().as_secs_f64());
        if let (Some(before), Some(after)) = (cpu, thread_cpu()) {
            best_cpu = best_cpu.min(after - before);
        }
    }
    let cpu = match best_cpu {
        c if c < f64::MAX => format!(
            ", CPU {:.1} ms = {:.0} MB/s",
            c * 1e3,
            bytes as f64 / c / 1e6
        ),
        _ => String::new(),
    };
    println!(
        "{what}: {} files, {:.1} MB, {scanned} scanned, best of 5: wall {:.1} ms = {:.0} MB/s{cpu}",
        files.len(),
        bytes as f64 / 1e6,
        best * 1e3,
        bytes as f64 / best / 1e6
    );
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root: PathBuf = dir.path().join("ws");
    let status = Command::new("python3")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/benches/gen-workspace.py"
        ))
        .arg(&root)
        .args(["--crates", "400", "--files", "25"])
        .stdout(Stdio::null())
        .status()
        .expect("python3 runs the generator");
    assert!(status.success(), "the generator failed");
    measure(
        "generated 400-crate workspace",
        &sources(&root.join("crates")),
    );
    match std::env::var_os("SCAN_DIR") {
        Some(d) => measure(
            &format!("{}", Path::new(&d).display()),
            &sources(Path::new(&d)),
        ),
        None => println!("(set SCAN_DIR to a directory of Rust code to scan it too)"),
    }
}
