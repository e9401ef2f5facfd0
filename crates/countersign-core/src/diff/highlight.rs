//! Syntax highlighting of hunks with syntect (onig regex engine), lazily and cached.
//!
//! [`Syntaxes`] is the grammar set: syntect's default syntaxes plus a TOML grammar bundled
//! from `themes/syntaxes/`. Loading it takes tens of milliseconds, so load it once, ideally on
//! a background thread, and share it (it is an `Arc` inside).
//!
//! [`Highlighter`] pairs the syntaxes with one theme and highlights one *hunk side* at a time:
//! the old side (context and removed lines) or the new side (context and added lines), each
//! starting from a fresh parser state at the hunk's first line, so a side can be highlighted
//! alone and on demand. Large hunks are cut into [`CHUNK_LINES`]-line chunks, each starting
//! fresh too, so the cost of a screen never depends on the size of the hunk. Chunks are
//! cached by blob ids, path, hunk index, side and chunk index; clones of a `Highlighter`
//! share the cache, and it is `Send + Sync`, so a worker thread can fill it while the UI
//! thread reads it.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use syntect::easy::HighlightLines;
use syntect::highlighting::FontStyle;
use syntect::parsing::{SyntaxDefinition, SyntaxReference, SyntaxSet, SyntaxSetBuilder};

use super::display_text;
use super::theme::{LoadedTheme, Rgb};
use crate::git::{FileChange, LineKind};
use crate::model::Side;

/// Lines longer than this (bytes of display text) are not highlighted: they are shown plain
/// and skipped by the parser, which keeps a minified or generated line from stalling a frame.
pub(crate) const MAX_HIGHLIGHT_BYTES: usize = 400;

/// How many chunks the cache holds before it is emptied and starts again. A chunk of
/// ordinary code takes some tens of kilobytes, so this bounds the cache to about 100 MB on
/// the largest changes while holding every hunk of a typical one.
pub(crate) const CACHE_CAPACITY: usize = 4096;

/// Hunk lines per chunk. Highlighting starts from a fresh parser state at the start of each
/// hunk and of each chunk of a hunk, so a screen costs at most two chunks however large the
/// hunk (a 10,000-line new file is one hunk). syntect's Rust grammar runs at roughly 6,000
/// to 8,000 lines a second, so a cold chunk costs about 20 ms in a release build. The price: a construct spanning a chunk
/// boundary (a block comment, a raw string) may be coloured wrongly after it, as it may at
/// a hunk's start.
pub(crate) const CHUNK_LINES: usize = 128;

const TOML_SYNTAX: &str = include_str!("../../../../themes/syntaxes/TOML.sublime-syntax");

/// The grammars: syntect's defaults (newline flavour) and the bundled TOML grammar.
/// Cheap to clone; `Send + Sync`.
#[derive(Clone)]
pub struct Syntaxes {
    defaults: Arc<SyntaxSet>,
    extra: Arc<SyntaxSet>,
}

impl std::fmt::Debug for Syntaxes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Syntaxes")
            .field("defaults", &self.defaults.syntaxes().len())
            .field("extra", &self.extra.syntaxes().len())
            .finish()
    }
}

impl Syntaxes {
    /// Loads every grammar. Slow (see the `highlight` benchmark): do it once, off the UI
    /// thread, and clone the result.
    pub fn load() -> Syntaxes {
        let mut builder = SyntaxSetBuilder::new();
        // The bundled grammar is ours and tested; should it ever fail to load, TOML files
        // are shown plain rather than failing the review.
        if let Ok(def) = SyntaxDefinition::load_from_str(TOML_SYNTAX, true, Some("TOML")) {
            builder.add(def);
        }
        Syntaxes {
            defaults: Arc::new(SyntaxSet::load_defaults_newlines()),
            extra: Arc::new(builder.build()),
        }
    }

    /// The grammar for a file, by path (extension, or whole file name like `Cargo.lock`),
    /// then by its first line (`#!/bin/sh`) when given; `None` means plain text.
    pub fn find(
        &self,
        path: &str,
        first_line: Option<&str>,
    ) -> Option<(&SyntaxSet, &SyntaxReference)> {
        let file_name = path.rsplit('/').next().unwrap_or(path);
        let extension = file_name
            .rsplit_once('.')
            .map(|(_, e)| e)
            .filter(|e| !e.is_empty());
        for set in [&*self.extra, &*self.defaults] {
            let found = set
                .find_syntax_by_extension(file_name)
                .or_else(|| extension.and_then(|e| set.find_syntax_by_extension(e)));
            if let Some(syntax) = found {
                return Some((set, syntax));
            }
        }
        let first_line = first_line?;
        for set in [&*self.extra, &*self.defaults] {
            if let Some(syntax) = set.find_syntax_by_first_line(first_line) {
                return Some((set, syntax));
            }
        }
        None
    }

    /// The grammar's name for a path (`"Rust"`, `"TOML"`), or `"Plain Text"`.
    pub fn name_for(&self, path: &str, first_line: Option<&str>) -> &str {
        self.find(path, first_line)
            .map_or("Plain Text", |(_, s)| s.name.as_str())
    }
}

/// True when a line of this kind belongs to `side`: context to both, removed lines to the
/// old side, added lines to the new.
fn on_side(side: Side, kind: LineKind) -> bool {
    matches!(
        (side, kind),
        (_, LineKind::Context) | (Side::Old, LineKind::Removed) | (Side::New, LineKind::Added)
    )
}

/// How a span of text is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SpanStyle {
    /// Text colour.
    pub fg: Rgb,
    /// Drawn bold (a theme's `font_style`).
    pub bold: bool,
    /// Drawn italic.
    pub italic: bool,
    /// Drawn underlined.
    pub underline: bool,
}

/// A styled byte range of a line's display text ([`super::display_text`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StyledSpan {
    /// Bytes of the display text; on `char` boundaries, never covering a trailing `\r`.
    pub range: Range<usize>,
    /// The syntax colour over the range.
    pub style: SpanStyle,
}

/// The highlighting of one line of a hunk side.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LineHighlight {
    /// The line is not on this side (an added line on the old side, or the reverse).
    NotOnSide,
    /// Draw it in the theme's foreground: too long, plain-text file, or the parser failed.
    Plain,
    /// Styled spans covering the display text from start to end, in order.
    Spans(Vec<StyledSpan>),
}

/// A chunk of one highlighted hunk side: hunk lines `first_line..first_line + lines.len()`.
/// The unit of work and of caching.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HighlightChunk {
    /// Index in [`crate::git::Hunk::lines`] of the chunk's first line.
    pub first_line: usize,
    /// One entry per hunk line, in order, lines of both sides included.
    pub lines: Vec<LineHighlight>,
}

/// Highlighted lines of one hunk side: the chunks that cover the lines asked for.
#[derive(Clone, Debug, Default)]
pub struct HunkHighlight {
    chunks: Vec<Arc<HighlightChunk>>,
}

impl HunkHighlight {
    /// The highlighting of hunk line `index` (an index into [`crate::git::Hunk::lines`]);
    /// `None` when it lies outside what was asked for.
    pub fn line(&self, index: usize) -> Option<&LineHighlight> {
        let chunk = self
            .chunks
            .iter()
            .find(|c| (c.first_line..c.first_line + c.lines.len()).contains(&index))?;
        chunk.lines.get(index - chunk.first_line)
    }

    /// Every highlighted line with its hunk line index, in order.
    pub fn lines(&self) -> impl Iterator<Item = (usize, &LineHighlight)> {
        self.chunks.iter().flat_map(|c| {
            c.lines
                .iter()
                .enumerate()
                .map(|(i, l)| (c.first_line + i, l))
        })
    }

    /// The shared chunks (cache entries) behind this result.
    pub fn chunks(&self) -> &[Arc<HighlightChunk>] {
        &self.chunks
    }
}

/// Cache key: a chunk is identified by both blob ids (the hunks depend on the pair), the
/// path (the grammar depends on it), the hunk's index, the side and the chunk's index.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Key {
    old_id: Option<String>,
    new_id: Option<String>,
    path: Vec<u8>,
    hunk: usize,
    side: Side,
    chunk: usize,
}

type Cache = HashMap<Key, Arc<HighlightChunk>>;

/// Highlights hunk sides with one theme, caching the results. Clone it freely: clones share
/// the syntaxes, the theme and the cache. `Send + Sync`.
#[derive(Clone)]
pub struct Highlighter {
    syntaxes: Syntaxes,
    theme: Arc<syntect::highlighting::Theme>,
    cache: Arc<Mutex<Cache>>,
    computed: Arc<AtomicU64>,
}

impl std::fmt::Debug for Highlighter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Highlighter")
            .field("theme", &self.theme.name)
            .field("computed", &self.computations())
            .finish()
    }
}

impl Highlighter {
    /// A highlighter for `theme`'s syntax colours. To change theme, make a new one (the
    /// cache holds colours, so it is per theme); the `Syntaxes` can be reused.
    pub fn new(syntaxes: Syntaxes, theme: &LoadedTheme) -> Highlighter {
        Highlighter {
            syntaxes,
            theme: Arc::clone(&theme.syntax),
            cache: Arc::default(),
            computed: Arc::default(),
        }
    }

    /// The grammars in use.
    pub fn syntaxes(&self) -> &Syntaxes {
        &self.syntaxes
    }

    /// The whole of hunk `hunk_index` of `file` on `side`. On a huge hunk prefer
    /// [`Highlighter::highlight_lines`] with the visible lines.
    pub fn highlight_hunk(
        &self,
        file: &FileChange,
        hunk_index: usize,
        side: Side,
    ) -> HunkHighlight {
        self.highlight_lines(file, hunk_index, side, 0..usize::MAX)
    }

    /// Hunk lines `lines` (indices into [`crate::git::Hunk::lines`], clamped to the hunk) of
    /// hunk `hunk_index` of `file` on `side`: the `CHUNK_LINES`-line chunks covering them,
    /// from the cache or computed now and cached. The result may hold more lines than asked
    /// (whole chunks). An index past the file's hunks gives an empty result.
    ///
    /// Cost is bounded by the lines asked for, not by the hunk's size: one screen costs at
    /// most two chunks. Call it from a worker thread when a frame must not wait.
    pub fn highlight_lines(
        &self,
        file: &FileChange,
        hunk_index: usize,
        side: Side,
        lines: Range<usize>,
    ) -> HunkHighlight {
        let chunks = self
            .chunk_indices(file, hunk_index, lines)
            .map(|chunk| {
                let key = key(file, hunk_index, side, chunk);
                if let Some(hit) = self.cache_lock().get(&key) {
                    return Arc::clone(hit);
                }
                let result = Arc::new(self.compute(file, hunk_index, side, chunk));
                let mut cache = self.cache_lock();
                if cache.len() >= CACHE_CAPACITY {
                    cache.clear();
                }
                cache.insert(key, Arc::clone(&result));
                result
            })
            .collect();
        HunkHighlight { chunks }
    }

    /// Like [`Highlighter::highlight_lines`] but never computes: `None` unless every chunk
    /// needed is cached. For a draw that must not wait (draw plain, ask a worker, redraw).
    pub fn cached_lines(
        &self,
        file: &FileChange,
        hunk_index: usize,
        side: Side,
        lines: Range<usize>,
    ) -> Option<HunkHighlight> {
        let cache = self.cache_lock();
        let chunks = self
            .chunk_indices(file, hunk_index, lines)
            .map(|chunk| cache.get(&key(file, hunk_index, side, chunk)).cloned())
            .collect::<Option<Vec<_>>>()?;
        Some(HunkHighlight { chunks })
    }

    /// How many chunks this highlighter (and its clones) has computed: cache misses only.
    pub fn computations(&self) -> u64 {
        self.computed.load(Ordering::Relaxed)
    }

    fn chunk_indices(
        &self,
        file: &FileChange,
        hunk_index: usize,
        lines: Range<usize>,
    ) -> Range<usize> {
        let len = file.hunks.get(hunk_index).map_or(0, |h| h.lines.len());
        let end = lines.end.min(len);
        let start = lines.start.min(end);
        if start == end {
            return 0..0;
        }
        start / CHUNK_LINES..(end - 1) / CHUNK_LINES + 1
    }

    /// The cache survives a panic on another thread: its entries are immutable `Arc`s.
    fn cache_lock(&self) -> std::sync::MutexGuard<'_, Cache> {
        self.cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn compute(
        &self,
        file: &FileChange,
        hunk_index: usize,
        side: Side,
        chunk: usize,
    ) -> HighlightChunk {
        self.computed.fetch_add(1, Ordering::Relaxed);
        let first_line = chunk * CHUNK_LINES;
        let Some(hunk) = file.hunks.get(hunk_index) else {
            return HighlightChunk {
                first_line,
                lines: Vec::new(),
            };
        };
        let chunk_lines = hunk.lines.get(first_line..).unwrap_or_default();
        let chunk_lines = &chunk_lines[..chunk_lines.len().min(CHUNK_LINES)];
        let path = String::from_utf8_lossy(file.path().as_bytes());
        let starts_file = match side {
            Side::Old => hunk.old_start <= 1,
            Side::New => hunk.new_start <= 1,
        };
        let first_text = if starts_file {
            hunk.lines
                .iter()
                .find(|l| on_side(side, l.kind))
                .map(|l| display_text(&l.content))
        } else {
            None
        };
        let found = self.syntaxes.find(&path, first_text.as_deref());
        let mut lines = Vec::with_capacity(chunk_lines.len());
        let Some((set, syntax)) = found else {
            for line in chunk_lines {
                lines.push(if on_side(side, line.kind) {
                    LineHighlight::Plain
                } else {
                    LineHighlight::NotOnSide
                });
            }
            return HighlightChunk { first_line, lines };
        };
        let mut parser = HighlightLines::new(syntax, &self.theme);
        let mut buf = String::new();
        for line in chunk_lines {
            if !on_side(side, line.kind) {
                lines.push(LineHighlight::NotOnSide);
                continue;
            }
            let text = display_text(&line.content);
            if text.len() > MAX_HIGHLIGHT_BYTES {
                lines.push(LineHighlight::Plain);
                continue;
            }
            buf.clear();
            buf.push_str(&text);
            buf.push('\n');
            let highlighted = match parser.highlight_line(&buf, set) {
                Ok(regions) => LineHighlight::Spans(to_spans(&regions, text.len())),
                Err(_) => {
                    // A parser error leaves its state unusable: the rest of the chunk is plain.
                    parser = HighlightLines::new(
                        self.syntaxes.defaults.find_syntax_plain_text(),
                        &self.theme,
                    );
                    LineHighlight::Plain
                }
            };
            lines.push(highlighted);
        }
        HighlightChunk { first_line, lines }
    }
}

fn key(file: &FileChange, hunk: usize, side: Side, chunk: usize) -> Key {
    Key {
        old_id: file.old_id.clone(),
        new_id: file.new_id.clone(),
        path: file.path().as_bytes().to_vec(),
        hunk,
        side,
        chunk,
    }
}

/// syntect's regions (covering `text` + `\n`) → spans over the first `len` bytes, adjacent
/// spans of the same style merged.
fn to_spans(regions: &[(syntect::highlighting::Style, &str)], len: usize) -> Vec<StyledSpan> {
    let mut spans: Vec<StyledSpan> = Vec::with_capacity(regions.len());
    let mut start = 0;
    for (style, piece) in regions {
        let end = (start + piece.len()).min(len);
        if end > start {
            let style = SpanStyle {
                fg: Rgb::new(style.foreground.r, style.foreground.g, style.foreground.b),
                bold: style.font_style.contains(FontStyle::BOLD),
                italic: style.font_style.contains(FontStyle::ITALIC),
                underline: style.font_style.contains(FontStyle::UNDERLINE),
            };
            match spans.last_mut() {
                Some(last) if last.style == style && last.range.end == start => {
                    last.range.end = end
                }
                _ => spans.push(StyledSpan {
                    range: start..end,
                    style,
                }),
            }
        }
        start += piece.len();
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::theme::load_theme;
    use crate::git::{DiffLine, FileStatus, GitPath, Hunk};
    use std::sync::OnceLock;

    fn syntaxes() -> Syntaxes {
        static SYNTAXES: OnceLock<Syntaxes> = OnceLock::new();
        SYNTAXES.get_or_init(Syntaxes::load).clone()
    }

    fn file(path: &str, lines: &[(LineKind, &[u8])]) -> FileChange {
        let lines = lines
            .iter()
            .map(|(kind, content)| DiffLine {
                kind: *kind,
                old_lineno: None,
                new_lineno: None,
                content: content.to_vec(),
                no_newline_at_eof: false,
            })
            .collect();
        FileChange {
            status: FileStatus::Modified,
            old_path: Some(GitPath::from(path)),
            new_path: Some(GitPath::from(path)),
            old_mode: 0o100644,
            new_mode: 0o100644,
            old_id: Some("1111".into()),
            new_id: Some("2222".into()),
            binary: false,
            old_size: None,
            new_size: None,
            submodule: None,
            hunks: vec![Hunk {
                old_start: 10,
                old_lines: 0,
                new_start: 10,
                new_lines: 0,
                header: "@@".into(),
                lines,
            }],
        }
    }

    fn style_at(h: &LineHighlight, byte: usize) -> SpanStyle {
        match h {
            LineHighlight::Spans(spans) => {
                spans
                    .iter()
                    .find(|s| s.range.contains(&byte))
                    .expect("a span covers the byte")
                    .style
            }
            other => panic!("expected spans, got {other:?}"),
        }
    }

    #[test]
    fn keyword_and_identifier_get_different_colours_in_both_themes() {
        let f = file(
            "src/lib.rs",
            &[(LineKind::Context, b"pub fn encode(value: u32) {")],
        );
        for name in ["dark", "light"] {
            let theme = load_theme(name, None).expect("theme");
            let h = Highlighter::new(syntaxes(), &theme);
            let out = h.highlight_hunk(&f, 0, Side::New);
            let keyword = style_at(out.line(0).expect("line"), 4); // `fn`
            let ident = style_at(out.line(0).expect("line"), 15); // `value`
            let plain_fg = theme.syntax.settings.foreground.expect("theme foreground");
            assert_ne!(keyword.fg, ident.fg, "{name}");
            assert_ne!(
                keyword.fg,
                Rgb::new(plain_fg.r, plain_fg.g, plain_fg.b),
                "{name}"
            );
        }
    }

    #[test]
    fn sides_cover_their_own_lines_and_spans_cover_the_text() {
        let f = file(
            "src/lib.rs",
            &[
                (LineKind::Context, b"fn f() {"),
                (LineKind::Removed, b"    let a = Vec::new();\r"),
                (LineKind::Added, b"    let a = Vec::with_capacity(8);\r"),
                (LineKind::Context, b"}"),
            ],
        );
        let h = Highlighter::new(syntaxes(), &load_theme("dark", None).expect("dark"));
        let old = h.highlight_hunk(&f, 0, Side::Old);
        let new = h.highlight_hunk(&f, 0, Side::New);
        assert_eq!(old.lines().count(), 4);
        assert_eq!(old.line(2), Some(&LineHighlight::NotOnSide));
        assert_eq!(new.line(1), Some(&LineHighlight::NotOnSide));
        for (side, i) in [(&old, 1), (&new, 2)] {
            let text = display_text(&f.hunks[0].lines[i].content);
            let Some(LineHighlight::Spans(spans)) = side.line(i) else {
                panic!("spans expected");
            };
            assert_eq!(spans.first().map(|s| s.range.start), Some(0));
            // The \r of CRLF is not content: spans end at the text's end.
            assert_eq!(spans.last().map(|s| s.range.end), Some(text.len()));
            assert!(spans.windows(2).all(|w| w[0].range.end == w[1].range.start));
        }
        assert_eq!(h.highlight_hunk(&f, 7, Side::Old).lines().count(), 0);
    }

    #[test]
    fn cache_hit_returns_the_same_result_without_recomputing() {
        let f = file("src/lib.rs", &[(LineKind::Added, b"let x = 1;")]);
        let h = Highlighter::new(syntaxes(), &load_theme("dark", None).expect("dark"));
        assert!(h.cached_lines(&f, 0, Side::New, 0..1).is_none());
        let first = h.highlight_hunk(&f, 0, Side::New);
        assert_eq!(h.computations(), 1);
        assert!(h.cached_lines(&f, 0, Side::New, 0..1).is_some());
        let clone = h.clone();
        let second = std::thread::spawn(move || clone.highlight_hunk(&f, 0, Side::New))
            .join()
            .expect("worker");
        assert!(Arc::ptr_eq(&first.chunks()[0], &second.chunks()[0]));
        assert_eq!(first.line(0), second.line(0));
        assert_eq!(h.computations(), 1);
        let f = file("src/lib.rs", &[(LineKind::Added, b"let x = 1;")]);
        h.highlight_hunk(&f, 0, Side::Old);
        assert_eq!(h.computations(), 2, "another side is another entry");
    }

    #[test]
    fn long_lines_and_unknown_files_are_plain() {
        let long = format!("let s = \"{}\";", "x".repeat(MAX_HIGHLIGHT_BYTES));
        let f = file(
            "src/lib.rs",
            &[
                (LineKind::Context, long.as_bytes()),
                (LineKind::Context, b"let y = 2;"),
            ],
        );
        let h = Highlighter::new(syntaxes(), &load_theme("dark", None).expect("dark"));
        let out = h.highlight_hunk(&f, 0, Side::New);
        assert_eq!(out.line(0), Some(&LineHighlight::Plain));
        assert!(matches!(out.line(1), Some(LineHighlight::Spans(_))));
        let f = file("notes.unknownext", &[(LineKind::Added, b"let y = 2;")]);
        assert_eq!(
            *h.highlight_hunk(&f, 0, Side::New).line(0).expect("line"),
            LineHighlight::Plain
        );
    }

    #[test]
    fn non_utf8_lines_do_not_panic() {
        let f = file(
            "src/lib.rs",
            &[(LineKind::Added, b"let s = \"caf\xe9\xff\";\r")],
        );
        let h = Highlighter::new(syntaxes(), &load_theme("light", None).expect("light"));
        let out = h.highlight_hunk(&f, 0, Side::New);
        let text = display_text(&f.hunks[0].lines[0].content);
        let Some(LineHighlight::Spans(spans)) = out.line(0) else {
            panic!("spans expected");
        };
        for s in spans {
            assert!(
                text.get(s.range.clone()).is_some(),
                "{:?} splits a char",
                s.range
            );
        }
    }

    #[test]
    fn picks_grammars_for_the_languages_reviewers_meet() {
        let s = syntaxes();
        for (path, name) in [
            ("src/main.rs", "Rust"),
            ("Cargo.toml", "TOML"),
            ("Cargo.lock", "TOML"),
            ("README.md", "Markdown"),
            (".github/workflows/ci.yml", "YAML"),
            ("data.json", "JSON"),
            ("build.sh", "Bourne Again Shell (bash)"),
        ] {
            assert_eq!(s.name_for(path, None), name, "{path}");
        }
        assert_eq!(
            s.name_for("bin/run", Some("#!/bin/bash")),
            "Bourne Again Shell (bash)"
        );
        assert_eq!(s.name_for("LICENSE", None), "Plain Text");
    }

    #[test]
    fn toml_grammar_colours_tables_keys_and_strings() {
        let f = file(
            "Cargo.toml",
            &[
                (LineKind::Context, b"[dependencies] # deps"),
                (
                    LineKind::Added,
                    b"serde = { version = \"1\", features = [\"derive\"] }",
                ),
            ],
        );
        let h = Highlighter::new(syntaxes(), &load_theme("dark", None).expect("dark"));
        let out = h.highlight_hunk(&f, 0, Side::New);
        let table = style_at(out.line(0).expect("line"), 1);
        let comment = style_at(out.line(0).expect("line"), 17);
        let key = style_at(out.line(1).expect("line"), 0);
        let string = style_at(out.line(1).expect("line"), 21);
        assert!(table.bold);
        assert!(comment.italic);
        assert_ne!(key.fg, string.fg);
        assert_ne!(table.fg, key.fg);
    }

    #[test]
    fn a_screen_of_a_huge_hunk_costs_only_its_chunks() {
        let body: Vec<String> = (0..10_000)
            .map(|i| format!("    let v{i} = {i};"))
            .collect();
        let lines: Vec<(LineKind, &[u8])> = body
            .iter()
            .map(|l| (LineKind::Added, l.as_bytes()))
            .collect();
        let f = file("src/big.rs", &lines);
        let h = Highlighter::new(syntaxes(), &load_theme("dark", None).expect("dark"));
        let screen = h.highlight_lines(&f, 0, Side::New, 5_000..5_060);
        assert_eq!(h.computations(), 1, "one chunk covers 5000..5060");
        assert!(matches!(screen.line(5_059), Some(LineHighlight::Spans(_))));
        assert_eq!(screen.line(4_000), None);
        // Straddling a chunk boundary computes the two chunks around it.
        let edge = CHUNK_LINES * 30;
        h.highlight_lines(&f, 0, Side::New, edge - 10..edge + 10);
        assert_eq!(h.computations(), 3);
        // A chunk starts fresh: the line at its start is coloured as if it began a hunk.
        let alone = file("src/big.rs", &lines[edge..edge + 1]);
        assert_eq!(
            h.highlight_lines(&f, 0, Side::New, edge..edge + 1)
                .line(edge),
            h.highlight_hunk(&alone, 0, Side::New).line(0)
        );
    }

    #[test]
    fn highlighter_is_send_and_sync() {
        fn check<T: Send + Sync + Clone>() {}
        check::<Highlighter>();
        check::<Syntaxes>();
        check::<crate::diff::LoadedTheme>();
    }
}
