//! Positioned errors for the policy, the roster and Cargo metadata: file, line, column, what
//! is wrong and what to write instead.

use std::fmt;

use serde::Serialize;

/// One problem in a file, at a place.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// The file as the user knows it (`.countersign/policy.toml`, or `main:.countersign/policy.toml`).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
    /// What is wrong, one sentence.
    pub message: String,
    /// What to write instead, when there is a fix to suggest.
    pub help: Option<String>,
    /// The offending source line, for the underlined excerpt.
    pub source_line: String,
    /// How many characters to underline from `column`.
    pub width: usize,
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
        let floor = |mut i: usize| {
            i = i.min(text.len());
            while !text.is_char_boundary(i) {
                i -= 1;
            }
            i
        };
        let start = floor(span.start);
        let end = floor(span.end.max(start));
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let line = text[..start].matches('\n').count() + 1;
        let column = text[line_start..start].chars().count() + 1;
        let width = text[start..end.min(line_end).max(start)]
            .chars()
            .count()
            .max(1);
        Diagnostic {
            file: file.to_string(),
            line,
            column,
            message: message.into(),
            help,
            source_line: text[line_start..line_end]
                .trim_end_matches('\r')
                .to_string(),
            width,
        }
    }

    /// Builds a diagnostic for a whole line (1-based) of `text`.
    pub fn at_line(
        file: &str,
        text: &str,
        line: usize,
        message: impl Into<String>,
        help: Option<String>,
    ) -> Self {
        let start: usize = text
            .split_inclusive('\n')
            .take(line.saturating_sub(1))
            .map(str::len)
            .sum();
        let len = text[start.min(text.len())..]
            .find('\n')
            .unwrap_or(text.len() - start.min(text.len()));
        Diagnostic::at_span(file, text, start..start + len, message, help)
    }
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
            " ".repeat(self.column.saturating_sub(1)),
            "^".repeat(self.width)
        )?;
        if let Some(help) = &self.help {
            write!(f, "\n{:gutter$} = help: {}", "", help)?;
        }
        Ok(())
    }
}

/// Every problem found in one read of the policy and roster, in file order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// True when there is nothing to report.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        let n = self.0.len();
        write!(f, "\n\n{n} problem{} found", if n == 1 { "" } else { "s" })
    }
}

/// Collects diagnostics for one file while a parser walks it.
pub(crate) struct Sink<'a> {
    pub(crate) file: &'a str,
    pub(crate) text: &'a str,
    pub(crate) diags: Vec<Diagnostic>,
}

impl<'a> Sink<'a> {
    /// A sink for `text`, shown to the user as `file`.
    pub(crate) fn new(file: &'a str, text: &'a str) -> Self {
        Sink {
            file,
            text,
            diags: Vec::new(),
        }
    }

    /// Records a problem at a byte span of the text.
    pub(crate) fn error(
        &mut self,
        span: std::ops::Range<usize>,
        message: impl Into<String>,
        help: impl Into<Option<String>>,
    ) {
        self.diags.push(Diagnostic::at_span(
            self.file,
            self.text,
            span,
            message,
            help.into(),
        ));
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
