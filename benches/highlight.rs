//! Highlighting cost: loading the grammars, and one screen (60 lines) of a 10,000-line Rust
//! diff, cold (empty cache) and warm (cached), in a diff of many small hunks and in one huge
//! hunk (a new file). Run with `cargo bench --bench highlight`.

use std::hint::black_box;
use std::time::Duration;

use countersign_core::diff::{self, Highlighter, Syntaxes};
use countersign_core::git::{DiffLine, FileChange, FileStatus, GitPath, Hunk, LineKind};
use countersign_core::model::Side;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};

const SCREEN: usize = 60;

/// A line of plausible Rust, varied by `i`.
fn rust_line(i: usize) -> String {
    match i % 8 {
        0 => format!(
            "pub fn encode_{i}(value: &Value, out: &mut Vec<u8>) -> Result<usize, Error> {{"
        ),
        1 => format!("    let mut buf = Vec::with_capacity({});", i % 97),
        2 => format!("    // Write the header of record {i}, then its fields in order."),
        3 => format!("    out.extend_from_slice(b\"hdr-{i}\\n\");"),
        4 => format!(
            "    for (k, v) in value.fields().iter().enumerate().skip({}) {{",
            i % 5
        ),
        5 => format!("        buf.push(*v as u8 ^ 0x{:02x});", i % 256),
        6 => "    }".to_string(),
        _ => format!("    Ok(out.len() + {})", i % 13),
    }
}

fn line(kind: LineKind, content: String) -> DiffLine {
    DiffLine {
        kind,
        old_lineno: None,
        new_lineno: None,
        content: content.into_bytes(),
        no_newline_at_eof: false,
    }
}

fn file_with(hunks: Vec<Hunk>) -> FileChange {
    FileChange {
        status: FileStatus::Modified,
        old_path: Some(GitPath::from("src/codec.rs")),
        new_path: Some(GitPath::from("src/codec.rs")),
        old_mode: 0o100644,
        new_mode: 0o100644,
        old_id: Some("a".repeat(40)),
        new_id: Some("b".repeat(40)),
        binary: false,
        old_size: None,
        new_size: None,
        submodule: None,
        hunks,
    }
}

/// 10,000 diff lines in 20-line hunks: 3 context, 4 removed, 4 added (edits of the removed),
/// 9 context.
fn many_hunks() -> FileChange {
    let hunks = (0..500)
        .map(|h| {
            let base = h * 40;
            let mut lines = Vec::new();
            for i in 0..3 {
                lines.push(line(LineKind::Context, rust_line(base + i)));
            }
            for i in 3..7 {
                lines.push(line(LineKind::Removed, rust_line(base + i)));
            }
            for i in 3..7 {
                lines.push(line(
                    LineKind::Added,
                    rust_line(base + i).replace("buf", "out_buf"),
                ));
            }
            for i in 7..16 {
                lines.push(line(LineKind::Context, rust_line(base + i)));
            }
            hunk(base as u32 + 1, lines)
        })
        .collect();
    file_with(hunks)
}

/// One 10,000-line hunk: a new file.
fn one_huge_hunk() -> FileChange {
    let lines = (0..10_000)
        .map(|i| line(LineKind::Added, rust_line(i)))
        .collect();
    let mut f = file_with(vec![hunk(1, lines)]);
    f.status = FileStatus::Added;
    f.old_id = None;
    f.old_path = None;
    f
}

fn hunk(start: u32, lines: Vec<DiffLine>) -> Hunk {
    Hunk {
        old_start: start,
        old_lines: 0,
        new_start: start,
        new_lines: 0,
        header: format!("@@ -{start} +{start} @@"),
        lines,
    }
}

/// Everything one screen needs, starting at diff line `top`: both sides of every visible
/// hunk line highlighted, and the word emphasis of the visible hunks.
fn screen(h: &Highlighter, file: &FileChange, top: usize) -> usize {
    let mut drawn = 0;
    let mut offset = 0;
    for (i, hk) in file.hunks.iter().enumerate() {
        let len = hk.lines.len();
        if offset + len > top && drawn < SCREEN {
            let from = top.saturating_sub(offset);
            let to = (from + SCREEN - drawn).min(len);
            let old = h.highlight_lines(file, i, Side::Old, from..to);
            let new = h.highlight_lines(file, i, Side::New, from..to);
            let emphasis = diff::hunk_emphasis(hk);
            black_box((old.line(from), new.line(from), emphasis.len()));
            drawn += to - from;
        }
        offset += len;
        if drawn >= SCREEN {
            break;
        }
    }
    drawn
}

fn benches(c: &mut Criterion) {
    c.bench_function("syntaxes_load", |b| b.iter(|| black_box(Syntaxes::load())));
    // syntect links a grammar's contexts lazily, on first use: the true start-up cost is
    // loading plus the first Rust line.
    let one_line = file_with(vec![hunk(1, vec![line(LineKind::Added, rust_line(0))])]);
    let dark = diff::load_theme("dark", None).expect("built-in theme");
    c.bench_function("first_use/load_and_highlight_one_rust_line", |b| {
        b.iter(|| {
            let h = Highlighter::new(Syntaxes::load(), &dark);
            black_box(h.highlight_hunk(&one_line, 0, Side::New).line(0).cloned())
        })
    });
    c.bench_function("theme_load/dark_builtin", |b| {
        b.iter(|| black_box(diff::load_theme("dark", None).expect("built-in theme")))
    });

    let syntaxes = Syntaxes::load();
    let theme = diff::load_theme("dark", None).expect("built-in theme");
    for (name, file) in [
        ("many_hunks", many_hunks()),
        ("one_huge_hunk", one_huge_hunk()),
    ] {
        let top = 5_000;
        c.bench_function(&format!("screen_cold/{name}"), |b| {
            b.iter_batched(
                || Highlighter::new(syntaxes.clone(), &theme),
                |h| assert_eq!(screen(&h, &file, top), SCREEN),
                BatchSize::SmallInput,
            )
        });
        let warm = Highlighter::new(syntaxes.clone(), &theme);
        screen(&warm, &file, top);
        c.bench_function(&format!("screen_warm/{name}"), |b| {
            b.iter(|| assert_eq!(screen(&warm, &file, top), SCREEN))
        });
    }

    c.bench_function("emphasis_pair", |b| {
        b.iter(|| {
            diff::emphasis(
                black_box("    let mut out = Vec::new(); // header first"),
                black_box("    let mut out = Vec::with_capacity(8); // header first"),
            )
        })
    });
}

criterion_group! {
    name = highlight;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = benches
}
criterion_main!(highlight);
