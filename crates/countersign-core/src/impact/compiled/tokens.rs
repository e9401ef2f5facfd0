//! Rust tokens as rustc's lexer cuts them, for reading inclusion forms: comments skipped
//! (nested block comments too), string literals cooked (escapes and line continuations
//! applied, raw strings kept as written), numbers and char literals kept as their text.
//! Whitespace between tokens never matters here, so `# [path = "…"]` and `#[ path="…" ]`
//! are the same tokens.

use std::borrow::Cow;

/// One token and the byte offset where it starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Token<'a> {
    pub kind: Kind<'a>,
    pub at: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Kind<'a> {
    /// An identifier or keyword (`r#name` as `name`).
    Ident(&'a str),
    /// A string literal's value (`"…"`, `r#"…"#`; byte and C strings too): borrowed from the
    /// source unless an escape made it differ (a file's tokens allocate next to nothing).
    Str(Cow<'a, str>),
    /// A number, char or byte literal, as written (`2`, `'a'`).
    Lit(&'a str),
    /// A lifetime or label (`'a`).
    Lifetime,
    /// Any other single character.
    Punct(char),
}

/// The tokens of `src`, or the offset where lexing failed (an unterminated string or
/// comment: rustc rejects such a file, and the caller fails closed).
pub(crate) fn tokenize(src: &str) -> Result<Vec<Token<'_>>, usize> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let start = i;
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c == b'/' && b.get(i + 1) == Some(&b'/') {
            i = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |n| i + n);
            continue;
        }
        if c == b'/' && b.get(i + 1) == Some(&b'*') {
            let mut depth = 0usize;
            loop {
                if i + 1 >= b.len() {
                    return Err(start);
                }
                if b[i] == b'/' && b[i + 1] == b'*' {
                    depth += 1;
                    i += 2;
                } else if b[i] == b'*' && b[i + 1] == b'/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            continue;
        }
        if let Some((hashes, quote)) = raw_start(b, i) {
            let close = format!("\"{}", "#".repeat(hashes));
            let body = quote + 1;
            let end = src[body..].find(&close).ok_or(start)? + body;
            out.push(Token {
                kind: Kind::Str(Cow::Borrowed(&src[body..end])),
                at: start,
            });
            i = end + close.len();
            continue;
        }
        if c == b'"' || ((c == b'b' || c == b'c') && b.get(i + 1) == Some(&b'"')) {
            let open = if c == b'"' { i } else { i + 1 };
            let (value, end) = cooked(src, open + 1).ok_or(start)?;
            out.push(Token {
                kind: Kind::Str(value),
                at: start,
            });
            i = end;
            continue;
        }
        if c == b'b' && b.get(i + 1) == Some(&b'\'') {
            let end = char_end(b, i + 1).ok_or(start)?;
            out.push(Token {
                kind: Kind::Lit(&src[i..end]),
                at: start,
            });
            i = end;
            continue;
        }
        if c == b'\'' {
            if let Some(end) = char_end(b, i) {
                out.push(Token {
                    kind: Kind::Lit(&src[i..end]),
                    at: start,
                });
                i = end;
            } else {
                i += 1;
                while i < b.len() && is_ident(b[i]) {
                    i += 1;
                }
                out.push(Token {
                    kind: Kind::Lifetime,
                    at: start,
                });
            }
            continue;
        }
        if c.is_ascii_digit() {
            while i < b.len()
                && (is_ident(b[i])
                    || (b[i] == b'.' && b.get(i + 1).is_some_and(|d| d.is_ascii_digit())))
            {
                i += 1;
            }
            out.push(Token {
                kind: Kind::Lit(&src[start..i]),
                at: start,
            });
            continue;
        }
        if is_ident(c) {
            if c == b'r'
                && b.get(i + 1) == Some(&b'#')
                && b.get(i + 2).is_some_and(|n| is_ident(*n))
            {
                i += 2;
            }
            let from = i;
            while i < b.len() && is_ident(b[i]) {
                i += 1;
            }
            out.push(Token {
                kind: Kind::Ident(&src[from..i]),
                at: start,
            });
            continue;
        }
        let ch = src[i..].chars().next().unwrap_or('\u{fffd}');
        out.push(Token {
            kind: Kind::Punct(ch),
            at: start,
        });
        i += ch.len_utf8().max(1);
    }
    Ok(out)
}

/// Identifier bytes (any non-ASCII byte counts: rustc allows Unicode identifiers).
fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80
}

/// `r"`, `r#"`, `br"`, `cr#"`: (number of `#`, index of the opening quote).
fn raw_start(b: &[u8], i: usize) -> Option<(usize, usize)> {
    if i > 0 && is_ident(b[i - 1]) {
        return None;
    }
    let mut j = i;
    if matches!(b.get(j), Some(b'b') | Some(b'c')) {
        j += 1;
    }
    if b.get(j) != Some(&b'r') {
        return None;
    }
    j += 1;
    let hashes = b[j..].iter().take_while(|c| **c == b'#').count();
    (b.get(j + hashes) == Some(&b'"')).then_some((hashes, j + hashes))
}

/// The end of a char literal starting at the quote `i`, or None for a lifetime.
fn char_end(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    match b.get(j)? {
        b'\\' => {
            j += 2;
            while j < b.len() && b[j] != b'\'' && b[j] != b'\n' && j - i < 12 {
                j += 1;
            }
        }
        b'\'' | b'\n' => return None,
        first => {
            j += match *first {
                c if c < 0x80 => 1,
                c if c >= 0xF0 => 4,
                c if c >= 0xE0 => 3,
                _ => 2,
            };
        }
    }
    (b.get(j) == Some(&b'\'')).then_some(j + 1)
}

/// A cooked string body from `i` (after the quote): its value and the index after the
/// closing quote. Escapes are applied as rustc applies them; `\` before a newline skips the
/// newline and the whitespace after it.
fn cooked(src: &str, i: usize) -> Option<(Cow<'_, str>, usize)> {
    // Most strings hold no escape: their value is their text.
    let b = src.as_bytes();
    if let Some(n) = memchr::memchr2(b'"', b'\\', &b[i..]) {
        if b[i + n] == b'"' {
            return Some((Cow::Borrowed(&src[i..i + n]), i + n + 1));
        }
    }
    let mut out = String::new();
    let mut chars = src[i..].char_indices().peekable();
    while let Some((k, c)) = chars.next() {
        match c {
            '"' => return Some((Cow::Owned(out), i + k + 1)),
            '\\' => match chars.next()?.1 {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                '0' => out.push('\0'),
                'x' => {
                    let hex: String = [chars.next()?.1, chars.next()?.1].iter().collect();
                    out.push(char::from(u8::from_str_radix(&hex, 16).ok()?));
                }
                'u' => {
                    let mut hex = String::new();
                    for (_, h) in chars.by_ref() {
                        match h {
                            '{' => {}
                            '}' => break,
                            h => hex.push(h),
                        }
                    }
                    out.push(char::from_u32(
                        u32::from_str_radix(&hex.replace('_', ""), 16).ok()?,
                    )?);
                }
                '\n' | '\r' => {
                    while chars.peek().is_some_and(|(_, w)| w.is_whitespace()) {
                        chars.next();
                    }
                }
                other => out.push(other),
            },
            c => out.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<Kind<'_>> {
        tokenize(src)
            .expect("lexes")
            .into_iter()
            .map(|t| t.kind)
            .collect()
    }

    #[test]
    fn strings_are_cooked_and_comments_skipped() {
        assert_eq!(
            kinds("/* a /* nested */ */ x // y\n \"a\\\n   b\\x41\\u{42}\" r#\"c\"d\"# 'e' 'f 1.5"),
            vec![
                Kind::Ident("x"),
                Kind::Str("abAB".into()),
                Kind::Str("c\"d".into()),
                Kind::Lit("'e'"),
                Kind::Lifetime,
                Kind::Lit("1.5"),
            ]
        );
    }

    #[test]
    fn an_unterminated_string_is_an_error() {
        assert!(tokenize("x = \"abc").is_err());
        assert!(tokenize("/* abc").is_err());
    }
}
