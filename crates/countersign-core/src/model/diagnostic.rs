//! Positioned errors for the policy, the roster and Cargo metadata: file, line, column, what
//! is wrong and what to write instead.

use std::fmt;

use serde::Serialize;

/// At most this many characters of the offending line are quoted before the spot and after
/// it: a 1 MB line is shown as a window around the problem, not in full.
const QUOTE_BEFORE: usize = 60;
/// See [`QUOTE_BEFORE`].
const QUOTE_AFTER: usize = 140;
/// Messages and help quote what was written (a key, a glob, a principal); longer ones are cut.
const MAX_MESSAGE: usize = 400;
/// One parse keeps at most this many problems per file; the rest are counted.
const MAX_PER_FILE: usize = 50_000;
/// A report shows at most this many problems with the same message, then counts the rest.
const MAX_SAME: usize = 3;
/// A report shows at most this many problems in all, then counts the rest.
const MAX_SHOWN: usize = 40;

/// One problem in a file, at a place.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// The file as the user knows it (`.countersign/policy.toml`, or `main:.countersign/policy.toml`).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
    /// What is wrong, one sentence (what it quotes is cut at a few hundred characters).
    pub message: String,
    /// What to write instead, when there is a fix to suggest.
    pub help: Option<String>,
    /// The offending source line, for the underlined excerpt: a window of at most 200
    /// characters around the spot, with `…` where the line was cut.
    pub source_line: String,
    /// How many characters to underline from the spot (within the window).
    pub width: usize,
    /// 1-based column of the spot within `source_line` (differs from `column` when the line
    /// was cut before it).
    #[serde(skip)]
    pub excerpt_column: usize,
    /// Further problems in the same file that were found after this one but not kept.
    #[serde(skip)]
    pub(crate) more: usize,
}

/// Where a byte offset is: its line's start and end (bytes), 1-based line and column.
struct Place {
    line_start: usize,
    line_end: usize,
    line: usize,
    column: usize,
}

impl Diagnostic {
    /// Builds a diagnostic from a byte span in `text`.
    pub fn at_span(
        file: &str,
        text: &str,
        span: std::ops::Range<usize>,
        message: impl Into<String>,
        help: Option<String>,
    ) -> Self {
        let start = floor(text, span.start);
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let place = Place {
            line_start,
            line_end: text[start..].find('\n').map_or(text.len(), |i| start + i),
            line: memchr_count(&text.as_bytes()[..start]) + 1,
            column: text[line_start..start].chars().count() + 1,
        };
        Self::build(file, text, span, &place, message.into(), help)
    }

    fn build(
        file: &str,
        text: &str,
        span: std::ops::Range<usize>,
        place: &Place,
        message: String,
        help: Option<String>,
    ) -> Self {
        let start = floor(text, span.start);
        let end = floor(text, span.end.max(start));
        let line_text = &text[place.line_start..place.line_end];
        let at = start - place.line_start;
        let before_start = line_text[..at]
            .char_indices()
            .rev()
            .nth(QUOTE_BEFORE.saturating_sub(1))
            .map_or(0, |(i, _)| i);
        let after_end = line_text[at..]
            .char_indices()
            .nth(QUOTE_AFTER)
            .map_or(line_text.len(), |(i, _)| at + i);
        let mut excerpt = String::new();
        if before_start > 0 {
            excerpt.push('…');
        }
        excerpt.push_str(&line_text[before_start..after_end]);
        let excerpt_column = excerpt.chars().count() - line_text[at..after_end].chars().count() + 1;
        let cut_after = after_end < line_text.len();
        let trimmed = excerpt.trim_end_matches('\r').len();
        excerpt.truncate(trimmed);
        if cut_after {
            excerpt.push('…');
        }
        let width = text[start..end.min(place.line_start + after_end).max(start)]
            .chars()
            .count()
            .max(1);
        Diagnostic {
            file: file.to_string(),
            line: place.line,
            column: place.column,
            message: super::clip(&message, MAX_MESSAGE).into_owned(),
            help: help.map(|h| super::clip(&h, MAX_MESSAGE).into_owned()),
            source_line: excerpt,
            width,
            excerpt_column,
            more: 0,
        }
    }

    /// How many problems this one stands for: itself and those found after it but not kept.
    pub fn count(&self) -> usize {
        1 + self.more
    }
}

/// `i` moved back to a character boundary of `text` (and into it).
fn floor(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn memchr_count(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{}:{}:{}: error: {}",
            self.file, self.line, self.column, self.message
        )?;
        let gutter = self.line.to_string().len();
        writeln!(f, "{:gutter$} |", "")?;
        writeln!(f, "{} | {}", self.line, self.source_line)?;
        write!(
            f,
            "{:gutter$} | {}{}",
            "",
            " ".repeat(self.excerpt_column.saturating_sub(1)),
            "^".repeat(self.width)
        )?;
        if let Some(help) = &self.help {
            write!(f, "\n{:gutter$} = help: {}", "", help)?;
        }
        Ok(())
    }
}

/// `19990` as `19,990`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Every problem found in one read of the policy and roster, in file order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// True when there is nothing to report.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many problems there are, counting those found but not kept.
    pub fn count(&self) -> usize {
        self.0.iter().map(Diagnostic::count).sum()
    }
}

/// Shows every problem, except that a message seen `MAX_SAME` times is then counted
/// ("… and 19,990 more like this") and at most `MAX_SHOWN` are shown in all.
impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut totals: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for d in &self.0 {
            *totals.entry(d.message.as_str()).or_default() += 1;
        }
        let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        let mut shown = 0;
        let mut unshown = 0;
        for d in &self.0 {
            let n = seen.entry(d.message.as_str()).or_default();
            *n += 1;
            if *n > MAX_SAME {
                continue;
            }
            if shown >= MAX_SHOWN {
                unshown += 1;
                continue;
            }
            if shown > 0 {
                writeln!(f)?;
                writeln!(f)?;
            }
            shown += 1;
            write!(f, "{d}")?;
            let total = totals.get(d.message.as_str()).copied().unwrap_or(0);
            if *n == MAX_SAME && total > MAX_SAME {
                write!(
                    f,
                    "\n\n… and {} more like this",
                    thousands(total - MAX_SAME)
                )?;
            }
        }
        let dropped: usize = self.0.iter().map(|d| d.more).sum();
        if dropped > 0 {
            write!(
                f,
                "\n\n… and {} more problem{} found after those, not listed: fix these first",
                thousands(dropped),
                if dropped == 1 { "" } else { "s" },
            )?;
        }
        if unshown > 0 {
            write!(
                f,
                "\n\n… and {} more problem{} of other kinds, not listed",
                thousands(unshown),
                if unshown == 1 { "" } else { "s" }
            )?;
        }
        let n = self.count();
        write!(
            f,
            "\n\n{} problem{} found",
            thousands(n),
            if n == 1 { "" } else { "s" }
        )
    }
}

/// Collects diagnostics for one file while a parser walks it. Positions are found through an
/// index of line starts, so each problem costs the length of its excerpt, not of the file;
/// after [`MAX_PER_FILE`] problems the rest are only counted.
pub(crate) struct Sink<'a> {
    pub(crate) file: &'a str,
    pub(crate) text: &'a str,
    pub(crate) diags: Vec<Diagnostic>,
    /// Byte offset of the start of each line.
    line_starts: Vec<usize>,
    /// The last position whose column was counted: (byte offset, column), to count on from.
    last: (usize, usize),
    /// Problems found after the cap.
    dropped: usize,
}

impl<'a> Sink<'a> {
    /// A sink for `text`, shown to the user as `file`.
    pub(crate) fn new(file: &'a str, text: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        Sink {
            file,
            text,
            diags: Vec::new(),
            line_starts,
            last: (0, 1),
            dropped: 0,
        }
    }

    /// The 1-based line holding byte `offset`.
    pub(crate) fn line_of(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&s| s <= offset).max(1)
    }

    fn place(&mut self, offset: usize) -> Place {
        let line = self.line_of(offset);
        let line_start = self.line_starts[line - 1];
        let line_end = self
            .line_starts
            .get(line)
            .map_or(self.text.len(), |next| next - 1);
        let (from, col) = if self.last.0 >= line_start && self.last.0 <= offset {
            self.last
        } else {
            (line_start, 1)
        };
        let column = col + self.text[from..offset].chars().count();
        self.last = (offset, column);
        Place {
            line_start,
            line_end,
            line,
            column,
        }
    }

    /// Records a problem at a byte span of the text.
    pub(crate) fn error(
        &mut self,
        span: std::ops::Range<usize>,
        message: impl Into<String>,
        help: impl Into<Option<String>>,
    ) {
        if self.diags.len() >= MAX_PER_FILE {
            self.dropped += 1;
            return;
        }
        let start = floor(self.text, span.start);
        let place = self.place(start);
        self.diags.push(Diagnostic::build(
            self.file,
            self.text,
            span,
            &place,
            message.into(),
            help.into(),
        ));
    }

    /// The problems found, the last one also standing for those found after the cap.
    pub(crate) fn into_diags(mut self) -> Vec<Diagnostic> {
        if let Some(last) = self.diags.last_mut() {
            last.more += self.dropped;
        }
        self.diags
    }
}

/// Sorts diagnostics into file order (by line, then column), keeping the order of files as
/// first seen.
pub(crate) fn sort_in_file_order(diags: &mut [Diagnostic]) {
    let mut files: Vec<String> = Vec::new();
    for d in diags.iter() {
        if !files.contains(&d.file) {
            files.push(d.file.clone());
        }
    }
    diags.sort_by_key(|d| {
        let file = files
            .iter()
            .position(|f| *f == d.file)
            .unwrap_or(usize::MAX);
        (file, d.line, d.column)
    });
}

/// The candidate closest to `written` when it is close enough to be a likely typo.
pub(crate) fn closest<'c>(
    written: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let written = written.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&written, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}
