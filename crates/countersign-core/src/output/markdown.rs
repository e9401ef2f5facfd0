//! Quoting attacker text in Markdown (GitHub-flavoured) and Mermaid.
//!
//! Subjects, paths, principals and comments are written by whoever pushed the branch. Put
//! into a job summary or a PR comment unescaped they could inject HTML, links, images,
//! headings, table cells or Mermaid syntax (the Decision "Markdown output"). Three ways in:
//!
//! - [`code_span`] for short names (paths, subjects, principals, ids): a code span whose
//!   backtick fence is longer than any backtick run inside, so nothing in it is markup, and
//!   GitHub never autolinks inside code;
//! - [`text`] for prose (comments): every Markdown punctuation character backslash-escaped,
//!   `<` `>` `&` as entities, autolink triggers (`://`, `www.`, `@`) defanged;
//! - [`fence`] for code: a fenced block whose fence is longer than any backtick run inside.
//!
//! Control characters (and line ends, where one line is wanted) become visible `\u{…}`
//! escapes, so nothing hides in the output either.

/// `s` with control and invisible format characters shown as `\u{…}`; `\n` kept only when
/// `keep_newlines`.
fn visible(s: &str, keep_newlines: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let invisible = c.is_control()
            || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}');
        if c == '\n' && keep_newlines {
            out.push('\n');
        } else if c == '\t' {
            out.push_str("    ");
        } else if invisible {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

fn longest_backtick_run(s: &str) -> usize {
    let mut best = 0;
    let mut run = 0;
    for c in s.chars() {
        if c == '`' {
            run += 1;
            best = best.max(run);
        } else {
            run = 0;
        }
    }
    best
}

/// A one-line code span holding `s` literally (control characters and line ends shown as
/// `\u{…}`).
pub fn code_span(s: &str) -> String {
    let s = visible(s, false);
    let fence = "`".repeat(longest_backtick_run(&s) + 1);
    // A span that starts or ends with a backtick (or is blank) needs padding spaces, which
    // CommonMark strips again.
    if s.starts_with('`') || s.ends_with('`') || s.trim().is_empty() {
        format!("{fence} {s} {fence}")
    } else {
        format!("{fence}{s}{fence}")
    }
}

/// Prose as Markdown text that renders as itself: no HTML, links, images, emphasis,
/// headings, lists or table cells from it. With `one_line`, line ends are shown as `\u{a}`.
pub fn text(s: &str, one_line: bool) -> String {
    let s = visible(s, !one_line);
    // Defang what GitHub's autolinker would turn into links.
    let s = s
        .replace("://", "[:]//")
        .replace("www.", "www[.]")
        .replace('@', "[at]");
    let mut out = String::with_capacity(s.len() * 2);
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '(' | ')' | '#' | '+' | '-' | '.'
            | '!' | '|' | '~' | '"' | '$' | '=' | ':' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// Text for a prompt an agent reads (not a page a forge renders): kept as written, line ends
/// included, with only control and invisible characters shown as `\u{…}` so nothing
/// reaches a terminal raw or hides from the reader.
pub fn plain(s: &str) -> String {
    visible(s, true)
}

/// `s` as a Markdown block quote (each line `> ` and escaped [`text`]).
pub fn block_quote(s: &str) -> String {
    let body = text(s, false);
    let mut out = String::new();
    for line in body.split('\n') {
        out.push_str("> ");
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// A fenced code block holding `lines` literally, tagged `lang` (a fixed word from our side,
/// never attacker text).
pub fn fence(lines: &[String], lang: &str) -> String {
    let body: Vec<String> = lines.iter().map(|l| visible(l, false)).collect();
    let run = body
        .iter()
        .map(|l| longest_backtick_run(l))
        .max()
        .unwrap_or(0);
    let fence = "`".repeat(run.max(2) + 1);
    let mut out = format!("{fence}{lang}\n");
    for l in &body {
        out.push_str(l);
        out.push('\n');
    }
    out.push_str(&fence);
    out.push('\n');
    out
}

/// The fenced-code language for a path (`rust` for `.rs`, `toml`, nothing otherwise).
pub fn lang_for(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("rs") => "rust",
        Some("toml") => "toml",
        Some("md") => "markdown",
        Some("json") => "json",
        Some("yml" | "yaml") => "yaml",
        Some("sh") => "sh",
        _ => "",
    }
}

/// Text for a Mermaid node or edge label inside `"…"`: letters, digits, space and `_./:-`
/// kept, everything else (quotes, brackets, pipes, backticks, `<`, `#`, `;`, line ends) as a
/// Mermaid entity code `#NNN;`, so no label can close its quotes, start markup or end the
/// code block.
pub fn mermaid_label(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, ' ' | '_' | '.' | '/' | ':' | '-') {
            out.push(c);
        } else {
            out.push_str(&format!("#{};", c as u32));
        }
    }
    out
}

/// Text for a Graphviz DOT label inside `"…"`: backslash and quote escaped, line ends and
/// other control characters as `\u{…}` text.
pub fn dot_label(s: &str) -> String {
    let s = visible(s, false);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_hold_backticks_and_line_ends_literally() {
        assert_eq!(code_span("a`b"), "``a`b``");
        assert_eq!(code_span("`x"), "`` `x ``");
        assert_eq!(code_span("a\nb"), "`a\\u{a}b`");
    }

    #[test]
    fn prose_cannot_make_html_links_or_emphasis() {
        let t = text("<img src=x> [a](https://e.vil) **b** www.x.io m@x.io", true);
        assert!(!t.contains('<') && !t.contains("://") && !t.contains("www."));
        assert!(t.contains("\\[a\\]\\(https[:]//") || t.contains("\\[a\\]\\(https\\[\\:\\]//"));
        assert!(!t.contains('@'));
    }

    #[test]
    fn fences_outgrow_backtick_runs_inside() {
        let f = fence(&["```".to_string(), "````x".to_string()], "rust");
        assert!(f.starts_with("`````rust\n"), "{f}");
    }

    #[test]
    fn mermaid_labels_cannot_close_quotes_or_add_syntax() {
        let l = mermaid_label("a\"] --> B[\"x` <b>#;|");
        assert!(!l.contains('"') && !l.contains(']') && !l.contains('<') && !l.contains('`'));
        assert!(!l.contains('|') && !l.contains('>'));
    }
}
