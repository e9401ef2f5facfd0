//! A light scanner of one Rust source file: it tokenizes (comments, strings, raw strings,
//! chars and lifetimes handled), checks that delimiters balance, and picks out what the
//! module graph needs — `mod` declarations (with `#[path]`, inline bodies), `use` trees
//! (nested braces, globs, renames), `extern crate`, every other `a::b` path in the code, and
//! the constructs it cannot see through (`include!`, `macro_rules!`).
//!
//! It does not parse expressions or types. Soundness does not need it: a path anywhere in a
//! file counts as a reference from the file's module, so the scanner over-approximates what
//! a full parser would find; what it cannot read (unbalanced delimiters, an unterminated
//! string or comment) is reported, and the caller falls back to the whole crate.

/// A token; only what the item recognizer needs is kept (numbers, char literals,
/// lifetimes and `.` are dropped).
#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok<'a> {
    Ident(&'a str),
    /// `::`
    PathSep,
    Punct(u8),
    Open(u8),
    Close(u8),
    /// A string literal's contents (escapes left as written).
    Str(&'a str),
    /// An identifier right after a `.`: a method or a field.
    Field(&'a str),
}

/// A `mod` item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ModDecl {
    /// Inline modules of this file enclosing the declaration, outermost first.
    pub scope: Vec<String>,
    /// The module's name.
    pub name: String,
    /// `#[path = "..."]`, when present.
    pub path_attr: Option<String>,
    /// `mod name { ... }` (true) or `mod name;` (false).
    pub inline: bool,
    /// Token position of the declaration in its file (macros defined before it are in scope
    /// inside the module).
    pub at: usize,
    /// `#[macro_use]`: the module's macros stay in scope after it.
    pub macro_use: bool,
}

/// A `macro_rules!` definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct MacroDef {
    /// Inline modules of this file enclosing it, outermost first.
    pub scope: Vec<String>,
    /// The macro's name.
    pub name: String,
    /// Token position in its file: it is in scope after it (textual order).
    pub at: usize,
    /// `#[macro_export]`: usable from anywhere in the crate and from other crates by path.
    pub exported: bool,
    /// Its body names a `CARGO_PKG_*` variable: `env!` expands where the macro is invoked,
    /// so it reads the invoking package's metadata (clap's `crate_version!`), not this one's.
    pub reads_package_metadata: bool,
}

/// A macro invocation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct MacroCall {
    /// Inline modules of this file enclosing it, outermost first.
    pub scope: Vec<String>,
    /// The macro's name (the last segment of its path).
    pub name: String,
    /// Token position in its file.
    pub at: usize,
    /// Written with a path (`crate::m!`, `dep::m!`): not found by textual scope.
    pub qualified: bool,
    /// Inside the body of `macro_rules!` definition k of this file (an index into
    /// [`FileScan::macro_defs`]): it expands where that macro is invoked, not here.
    pub in_macro: Option<usize>,
}

/// A path mentioned in a scope: from a `use` tree or anywhere in the code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PathRef {
    /// Inline modules of this file enclosing it, outermost first.
    pub scope: Vec<String>,
    /// The segments (`crate`, `self`, `super` kept as written).
    pub segs: Vec<String>,
    /// Written with a leading `::` (an extern crate path).
    pub leading: bool,
    /// For `use` paths: the name brought into scope (the last segment, or the `as` name);
    /// None for globs and plain code paths.
    pub alias: Option<String>,
    /// From a `use` item.
    pub is_use: bool,
    /// Inside the body of `macro_rules!` definition k of this file (an index into
    /// [`FileScan::macro_defs`]): `$crate::Command` in a macro's body is resolved where the
    /// macro is invoked, so it is a reference of the invoking module, not of this one.
    pub in_macro: Option<usize>,
}

/// What kind of item a name defined at module level is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ItemKind {
    /// `struct`, `enum`, `union`: a type that `impl` blocks elsewhere may extend.
    Type,
    /// `trait`: brought into scope for its methods, which are called without naming it.
    Trait,
    /// Anything else with a name: `fn`, `const`, `static`, `type`.
    Other,
}

/// An item defined at module level (not inside a function or an `impl`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ItemDef {
    /// Inline modules of this file enclosing it, outermost first.
    pub scope: Vec<String>,
    /// The identifier declared (what a path names it by).
    pub name: String,
    /// Which item it is: a `mod`, `use`, `fn`, type, and the like.
    pub kind: ItemKind,
    /// For a trait: the functions its body declares (empty when it has none or they could
    /// not be read, which counts as "any method").
    pub methods: Vec<String>,
}

/// An `impl` block: `impl Type` or `impl Trait for Type`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ImplDecl {
    /// Inline modules of this file enclosing it, outermost first.
    pub scope: Vec<String>,
    /// The path of the type it extends, as written (generic arguments left out).
    pub self_path: Vec<String>,
    /// `impl Trait for Type` (methods may be called without naming them: operators,
    /// formatting, generic code).
    pub of_trait: bool,
    /// The functions it defines.
    pub methods: Vec<String>,
}

/// What one file declares and mentions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct FileScan {
    /// `mod` items in order.
    pub mods: Vec<ModDecl>,
    /// Paths in `use` items and in code.
    pub paths: Vec<PathRef>,
    /// `extern crate NAME (as ALIAS)`: (scope, name, alias).
    pub externs: Vec<(Vec<String>, String, Option<String>)>,
    /// Items defined at module level.
    pub items: Vec<ItemDef>,
    /// `impl` blocks at module level.
    pub impls: Vec<ImplDecl>,
    /// Macros invoked (`name!(…)`, `a::name![…]`).
    pub macro_calls: Vec<MacroCall>,
    /// The `macro_rules!` macros the file defines.
    pub macro_defs: Vec<MacroDef>,
    /// `include!("literal")`: (scope, path as written).
    pub includes: Vec<(Vec<String>, String)>,
    /// Line of an `include!(...)` whose argument is no literal (code the scanner cannot see,
    /// such as `include!(concat!(env!("OUT_DIR"), "/gen.rs"))`).
    pub include_line: Option<usize>,
    /// `include_str!("…")` and `include_bytes!("…")` literals (relative to the file's
    /// directory): (scope, text).
    pub data_includes: Vec<(Vec<String>, String)>,
    /// Other string literals that may name a file for a macro to read (relative to the
    /// package): a macro's first argument (`query_file!("q.sql")`), a string in an
    /// attribute (`#[template(path = "x.html")]`), `concat!(env!("CARGO_MANIFEST_DIR"), …)`:
    /// (scope, text).
    pub file_strings: Vec<(Vec<String>, String)>,
    /// The first string argument of each macro other than std's invoked at the file's top
    /// level (`automod::dir!("tests/testsuite")`): a directory named so may hold modules the
    /// macro declares.
    pub macro_strings: Vec<String>,
    /// Every identifier of the file but those that are defined there (after `fn`, `mod`,
    /// `struct`, …, `let`, or before a single `:`), called as methods, or inside a path
    /// (`a::name`), and keywords (no item is named so): the names a glob import may bring
    /// in are among them. (A fast hash: every identifier of every scanned file goes in.)
    pub idents: foldhash::HashSet<String>,
    /// Every method called as `x.name(…)` or `Self::name`.
    pub fields: foldhash::HashSet<String>,
    /// An `include_str!`/`include_bytes!` whose path is computed.
    pub reads_unknown_file: bool,
    /// Reads the package's metadata at compile time: a `CARGO_PKG_*` string, or a bare
    /// `version`/`author`/`about` in an attribute (clap's `#[command(version)]`).
    pub reads_package_metadata: bool,
    /// A macro body declares modules with a metavariable name (`mod $name;`): the module
    /// tree may have modules the scanner cannot see.
    pub macro_mods: bool,
}

impl FileScan {
    /// Takes in the scan of a file that `include!` pastes into inline scope `scope` of this
    /// one: its paths, items, impls and macros become this file's (its `mod` items are not
    /// followed).
    pub(crate) fn absorb(&mut self, other: FileScan, scope: &[String]) {
        let pre = |s: Vec<String>| -> Vec<String> {
            let mut v = scope.to_vec();
            v.extend(s);
            v
        };
        let defs_before = self.macro_defs.len();
        for mut p in other.paths {
            p.scope = pre(p.scope);
            p.in_macro = p.in_macro.map(|k| k + defs_before);
            self.paths.push(p);
        }
        for mut i in other.items {
            i.scope = pre(i.scope);
            self.items.push(i);
        }
        for mut i in other.impls {
            i.scope = pre(i.scope);
            self.impls.push(i);
        }
        for (s, n, a) in other.externs {
            self.externs.push((pre(s), n, a));
        }
        // Pasted in where the `include!` stands: its macros and calls are taken to see
        // every definition of this file and to be seen by every call.
        for mut c in other.macro_calls {
            c.scope = pre(c.scope);
            c.at = usize::MAX;
            c.in_macro = c.in_macro.map(|k| k + defs_before);
            self.macro_calls.push(c);
        }
        for mut d in other.macro_defs {
            d.scope = pre(d.scope);
            d.at = 0;
            self.macro_defs.push(d);
        }
        for (s, f) in other.file_strings {
            self.file_strings.push((pre(s), f));
        }
        for (s, f) in other.data_includes {
            self.data_includes.push((pre(s), f));
        }
        self.idents.extend(other.idents);
        self.fields.extend(other.fields);
        self.reads_package_metadata |= other.reads_package_metadata;
        self.reads_unknown_file |= other.reads_unknown_file;
        self.macro_mods |= other.macro_mods;
        if self.include_line.is_none() {
            self.include_line = other.include_line.or(other.includes.first().map(|_| 0));
        }
    }
}

/// Why a file could not be scanned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ScanError {
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub what: String,
}

/// The bytes an identifier is made of (ASCII letters, digits, `_`, and every byte of a
/// non-ASCII character): a table, as the tokenizer asks once per byte.
const IDENT_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80;
        c += 1;
    }
    t
};

/// The tokens of a file, and the lines of its `include` identifiers (by token index): the
/// only tokens whose line is kept once delimiters are known to balance.
struct Tokens<'a> {
    toks: Vec<Tok<'a>>,
    include_lines: Vec<(usize, usize)>,
}

/// Where the identifier bytes starting at `i` end. Sixteen bytes are looked up at a time
/// and the first that is no identifier byte is found from the mask, without a branch per
/// byte: the end of a word is not predictable, and a mispredicted branch costs more than
/// the lookups.
fn ident_end(b: &[u8], mut i: usize) -> usize {
    while let Some(chunk) = b.get(i..).and_then(|r| r.first_chunk::<16>()) {
        let mut mask = 0u32;
        for (k, c) in chunk.iter().enumerate() {
            mask |= u32::from(IDENT_BYTE[usize::from(*c)]) << k;
        }
        let n = (!mask).trailing_zeros() as usize;
        i += n;
        if n < 16 {
            return i;
        }
    }
    while i < b.len() && IDENT_BYTE[usize::from(b[i])] {
        i += 1;
    }
    i
}

/// Pushes the identifier `word`, keeping its line when it is `include` (for include_line).
#[inline]
fn push_ident<'a>(
    out: &mut Vec<Tok<'a>>,
    include_lines: &mut Vec<(usize, usize)>,
    word: &'a str,
    line: usize,
) {
    if word == "include" {
        include_lines.push((out.len(), line));
    }
    out.push(Tok::Ident(word));
}

/// Tokenizes `src`, checking that its delimiters balance as it goes (one pass: the tokens
/// need not carry their lines). A token error (an unclosed string or comment) comes before
/// a delimiter error, as if the delimiters were checked after the whole file was read.
fn tokenize(src: &str) -> Result<Tokens<'_>, ScanError> {
    let b = src.as_bytes();
    let mut out = Vec::with_capacity(b.len() / 4);
    let mut include_lines = Vec::new();
    let mut open: Vec<(u8, usize)> = Vec::new();
    let mut unbalanced: Option<ScanError> = None;
    let mut i = 0;
    let mut line = 1;
    let err = |line, what: &str| ScanError {
        line,
        what: what.to_string(),
    };
    let is_ident = |c: u8| IDENT_BYTE[usize::from(c)];
    // A shebang line is not Rust.
    if b.starts_with(b"#!") && !b[2..].trim_ascii_start().starts_with(b"[") {
        while i < b.len() && b[i] != b'\n' {
            i += 1;
        }
    }
    while i < b.len() {
        let c = b[i];
        // The commonest token, a word, is taken before the dispatch below, unless it may
        // start a raw or byte string or a raw identifier (`r"`, `b'`, `br#`, `c"`, `r#x`).
        if IDENT_BYTE[usize::from(c)]
            && !c.is_ascii_digit()
            && !(matches!(c, b'r' | b'b' | b'c')
                && matches!(b.get(i + 1), Some(b'"' | b'#' | b'\'' | b'r')))
        {
            let start = i;
            i = ident_end(b, i);
            push_ident(&mut out, &mut include_lines, &src[start..i], line);
            continue;
        }
        match c {
            b'\n' => {
                line += 1;
                i += 1;
            }
            b' ' | b'\t' | b'\r' => {
                // Indentation comes in runs: skip it without going round the match.
                i += 1;
                while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\r') {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                i = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |n| i + n);
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let start = line;
                let mut depth = 1;
                i += 2;
                while depth > 0 {
                    match (b.get(i), b.get(i + 1)) {
                        (None, _) => return Err(err(start, "a block comment is not closed")),
                        (Some(b'/'), Some(b'*')) => {
                            depth += 1;
                            i += 2;
                        }
                        (Some(b'*'), Some(b'/')) => {
                            depth -= 1;
                            i += 2;
                        }
                        (Some(b'\n'), _) => {
                            line += 1;
                            i += 1;
                        }
                        _ => i += 1,
                    }
                }
            }
            b'"' => {
                let (s, next, lines) =
                    string(b, i + 1).ok_or_else(|| err(line, "a string is not closed"))?;
                out.push(Tok::Str(&src[i + 1..s]));
                line += lines;
                i = next;
            }
            b'r' | b'b' | b'c' if raw_string_start(b, i).is_some() => {
                let (hashes, open) = raw_string_start(b, i).unwrap_or((0, i));
                let start = line;
                let mut j = open + 1;
                loop {
                    match b.get(j) {
                        None => return Err(err(start, "a raw string is not closed")),
                        Some(b'"')
                            if b[j + 1..]
                                .iter()
                                .take(hashes)
                                .filter(|h| **h == b'#')
                                .count()
                                == hashes =>
                        {
                            out.push(Tok::Str(&src[open + 1..j]));
                            i = j + 1 + hashes;
                            break;
                        }
                        Some(b'\n') => {
                            line += 1;
                            j += 1;
                        }
                        _ => j += 1,
                    }
                }
            }
            b'b' | b'c' if b.get(i + 1) == Some(&b'"') => {
                let (s, next, lines) =
                    string(b, i + 2).ok_or_else(|| err(line, "a string is not closed"))?;
                out.push(Tok::Str(&src[i + 2..s]));
                line += lines;
                i = next;
            }
            b'b' if b.get(i + 1) == Some(&b'\'') => {
                i = char_lit(b, i + 1).ok_or_else(|| err(line, "a byte literal is not closed"))?;
            }
            b'\'' => {
                // A char literal ('a', '\n', '\u{1F600}', 'é') or a lifetime ('a).
                let is_char = b.get(i + 1) == Some(&b'\\')
                    || utf8_len(b.get(i + 1).copied())
                        .is_some_and(|n| b.get(i + 1 + n) == Some(&b'\''));
                if is_char {
                    i = char_lit(b, i)
                        .ok_or_else(|| err(line, "a character literal is not closed"))?;
                } else {
                    i += 1;
                    i = ident_end(b, i);
                }
            }
            b'r' if b.get(i + 1) == Some(&b'#') && b.get(i + 2).is_some_and(|c| is_ident(*c)) => {
                let start = i + 2;
                i = ident_end(b, start);
                push_ident(&mut out, &mut include_lines, &src[start..i], line);
            }
            c if c.is_ascii_digit() => {
                while i < b.len()
                    && (is_ident(b[i])
                        || (b[i] == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)))
                {
                    i += 1;
                }
            }
            c if is_ident(c) => {
                let start = i;
                i = ident_end(b, i);
                push_ident(&mut out, &mut include_lines, &src[start..i], line);
            }
            b':' if b.get(i + 1) == Some(&b':') => {
                out.push(Tok::PathSep);
                i += 2;
            }
            b'(' | b'[' | b'{' => {
                if unbalanced.is_none() {
                    open.push((c, line));
                }
                out.push(Tok::Open(c));
                i += 1;
            }
            b')' | b']' | b'}' => {
                if unbalanced.is_none() {
                    unbalanced = unbalanced_close(c, open.pop(), line);
                }
                out.push(Tok::Close(c));
                i += 1;
            }
            // Field access and ranges never take part in a path: leave them out (with
            // literals and lifetimes) to keep the token list short.
            b'.' => {
                i += 1;
                // `x.name`: a method or field, not a name in scope (`..` is a range).
                if b.get(i) != Some(&b'.')
                    && b.get(i)
                        .is_some_and(|c| is_ident(*c) && !c.is_ascii_digit())
                {
                    let start = i;
                    i = ident_end(b, i);
                    out.push(Tok::Field(&src[start..i]));
                } else if b.get(i) == Some(&b'.') {
                    i += 1;
                }
            }
            _ => {
                out.push(Tok::Punct(c));
                i += 1;
            }
        }
    }
    if let Some(e) = unbalanced {
        return Err(e);
    }
    if let Some((o, l)) = open.pop() {
        return Err(ScanError {
            line: l,
            what: format!("`{}` is never closed", o as char),
        });
    }
    Ok(Tokens {
        toks: out,
        include_lines,
    })
}

/// The error for closing delimiter `c` on `line` where `opened` (its opener and line, if
/// any) was the innermost one open; None when it matches.
fn unbalanced_close(c: u8, opened: Option<(u8, usize)>, line: usize) -> Option<ScanError> {
    let want = match c {
        b')' => b'(',
        b']' => b'[',
        _ => b'{',
    };
    match opened {
        Some((o, _)) if o == want => None,
        Some((o, l)) => Some(ScanError {
            line,
            what: format!(
                "`{}` closes the `{}` opened on line {l}",
                c as char, o as char
            ),
        }),
        None => Some(ScanError {
            line,
            what: format!("`{}` closes nothing", c as char),
        }),
    }
}

/// The byte length of the UTF-8 character starting with `first`.
fn utf8_len(first: Option<u8>) -> Option<usize> {
    match first? {
        b'\'' | b'\n' => None,
        c if c < 0x80 => Some(1),
        c if c >= 0xF0 => Some(4),
        c if c >= 0xE0 => Some(3),
        _ => Some(2),
    }
}

/// Skips a char literal starting at the quote `i`; returns the index after it.
fn char_lit(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    if b.get(j) == Some(&b'\\') {
        j += 2;
    }
    while j < b.len() && b[j] != b'\'' && b[j] != b'\n' {
        j += 1;
    }
    (b.get(j) == Some(&b'\'')).then_some(j + 1)
}

/// Scans a string body from `i` (after the opening quote): (index of the closing quote,
/// index after it, newlines inside).
fn string(b: &[u8], mut i: usize) -> Option<(usize, usize, usize)> {
    let mut lines = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return Some((i, i + 1, lines)),
            b'\n' => {
                lines += 1;
                i += 1;
            }
            _ => i += 1,
        }
    }
    None
}

/// `r"`, `r#"`, `br##"`, `cr"`…: (number of `#`, index of the opening quote).
fn raw_string_start(b: &[u8], i: usize) -> Option<(usize, usize)> {
    let mut j = i;
    if matches!(b.get(j), Some(b'b') | Some(b'c')) {
        j += 1;
    }
    if b.get(j) != Some(&b'r') {
        return None;
    }
    // Not part of a longer identifier such as `bar"`.
    if i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_') {
        return None;
    }
    j += 1;
    let hashes = b[j..].iter().take_while(|c| **c == b'#').count();
    (b.get(j + hashes) == Some(&b'"')).then_some((hashes, j + hashes))
}

/// Standard macros whose first string argument is no file name.
const STD_MACROS: &[&str] = &[
    "vec",
    "format",
    "format_args",
    "print",
    "println",
    "eprint",
    "eprintln",
    "write",
    "writeln",
    "panic",
    "assert",
    "assert_eq",
    "assert_ne",
    "debug_assert",
    "debug_assert_eq",
    "debug_assert_ne",
    "unreachable",
    "unimplemented",
    "todo",
    "concat",
    "env",
    "option_env",
    "stringify",
    "compile_error",
    "matches",
    "include",
];

pub(crate) fn scan(src: &str) -> Result<FileScan, ScanError> {
    let Tokens {
        toks,
        include_lines,
    } = tokenize(src)?;
    let mut out = Items::new(&toks, &include_lines).run();
    let (mut idents, mut fields) = (Seen::new(src), Seen::new(src));
    let mut after_fn = false;
    for (k, t) in toks.iter().enumerate() {
        match t {
            Tok::Ident(s) => {
                // The name an item or a `let` defines is no use of another one; nor is a
                // name followed by a single `:` (a field, a binding, a parameter).
                let (defining, keyword) = word_kind(s);
                let defined = std::mem::replace(&mut after_fn, defining);
                if k >= 1 && toks[k - 1] == Tok::PathSep {
                    // `Self::name`: a method of the type whose `impl` this is; any other
                    // `a::name` is resolved with its path, not a name in scope.
                    if k >= 2 && toks[k - 2] == Tok::Ident("Self") {
                        fields.add(&mut out.fields, s);
                    }
                } else if !defined && !keyword && toks.get(k + 1) != Some(&Tok::Punct(b':')) {
                    idents.add(&mut out.idents, s);
                }
            }
            // `x.name(…)` or `x.name::<T>(…)`: a method call (`x.name` alone reads a field).
            Tok::Field(s) => {
                after_fn = false;
                if matches!(toks.get(k + 1), Some(Tok::Open(b'(')) | Some(Tok::PathSep)) {
                    fields.add(&mut out.fields, s);
                }
            }
            _ => after_fn = false,
        }
    }
    // Kept for the whole analysis, thousands at a time: no growth slack.
    out.idents.shrink_to_fit();
    out.fields.shrink_to_fit();
    out.paths.shrink_to_fit();
    Ok(out)
}

/// The names already put in one of a scan's sets (`idents` or `fields`), each keyed by its
/// bytes packed into a `u128`: most identifiers repeat many times in a file, and a repeat is
/// then found without hashing or comparing a string.
struct Seen<'s> {
    src: &'s [u8],
    keys: foldhash::HashSet<u128>,
    /// The last key seen in each of 64 slots (0, which no name has, when none): most
    /// repeats are found here, before the set is asked.
    recent: [u128; 64],
}

impl<'s> Seen<'s> {
    fn new(src: &'s str) -> Self {
        Seen {
            src: src.as_bytes(),
            keys: foldhash::HashSet::default(),
            recent: [0; 64],
        }
    }

    /// Puts `name` (a slice of the scanned text) in `set` unless it is there.
    fn add(&mut self, set: &mut foldhash::HashSet<String>, name: &str) {
        let key = self.key(name);
        if let Some(k) = key {
            let folded = (k as u64) ^ ((k >> 64) as u64);
            let slot = (folded.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58) as usize;
            if self.recent[slot] == k {
                return;
            }
            self.recent[slot] = k;
        }
        match key {
            Some(k) if !self.keys.insert(k) => {}
            _ => {
                if !set.contains(name) {
                    set.insert(name.to_string());
                }
            }
        }
    }

    /// `name`'s key: its bytes, little-endian, when it has at most 16 (an identifier has no
    /// zero byte, so no two names share a key) and 16 bytes of the text start where it
    /// does; None otherwise.
    fn key(&self, name: &str) -> Option<u128> {
        let at = (name.as_ptr() as usize).wrapping_sub(self.src.as_ptr() as usize);
        let word: [u8; 16] = self.src.get(at..at.checked_add(16)?)?.try_into().ok()?;
        let word = u128::from_le_bytes(word);
        match name.len() {
            16 => Some(word),
            n if n < 16 => Some(word & ((1u128 << (8 * n)) - 1)),
            _ => None,
        }
    }
}

/// Whether word `s` defines the name after it (`fn`, `mod`, `struct`, …, `let`), and whether
/// it is one of Rust's strict keywords, which no item can be named (a raw `r#fn` is another
/// token): one match for both, as every identifier of a file asks.
fn word_kind(s: &str) -> (bool, bool) {
    match s {
        "fn" | "mod" | "struct" | "enum" | "trait" | "type" | "const" | "static" | "let" => {
            (true, true)
        }
        "union" => (true, false),
        "as" | "async" | "await" | "break" | "continue" | "crate" | "dyn" | "else" | "extern"
        | "false" | "for" | "if" | "impl" | "in" | "loop" | "match" | "move" | "mut" | "pub"
        | "ref" | "return" | "self" | "Self" | "super" | "true" | "unsafe" | "use" | "where"
        | "while" => (false, true),
        _ => (false, false),
    }
}

/// The item recognizer: one pass over the tokens with a stack of inline modules.
struct Items<'t, 'a> {
    toks: &'t [Tok<'a>],
    /// The lines of the `include` identifiers, by token index.
    include_lines: &'t [(usize, usize)],
    i: usize,
    depth: usize,
    /// Inline modules open: (name, brace depth inside it).
    scope: Vec<(String, usize)>,
    path_attr: Option<String>,
    /// `#[macro_export]` seen for the next item.
    macro_export: bool,
    /// `#[macro_use]` seen for the next item.
    macro_use: bool,
    /// The `impl` block being read: (index in `out.impls`, brace depth of its body).
    impl_open: Option<(usize, usize)>,
    /// The `trait` body being read: (index in `out.items`, brace depth of its body).
    trait_open: Option<(usize, usize)>,
    /// A `macro_rules!` just named, whose body opens next: its index in `out.macro_defs`.
    macro_pending: Option<usize>,
    /// The `macro_rules!` body being read: (index in `out.macro_defs`, depth of its body).
    macro_body: Option<(usize, usize)>,
    out: FileScan,
}

impl<'t, 'a> Items<'t, 'a> {
    fn new(toks: &'t [Tok<'a>], include_lines: &'t [(usize, usize)]) -> Self {
        Items {
            toks,
            include_lines,
            i: 0,
            depth: 0,
            scope: Vec::new(),
            path_attr: None,
            macro_export: false,
            macro_use: false,
            impl_open: None,
            trait_open: None,
            macro_pending: None,
            macro_body: None,
            out: FileScan::default(),
        }
    }

    fn tok(&self, at: usize) -> Option<&Tok<'a>> {
        self.toks.get(at)
    }

    /// The `macro_rules!` definition whose body the scanner is in, if any.
    fn in_macro(&self) -> Option<usize> {
        self.macro_body.map(|(k, _)| k)
    }

    fn scope_names(&self) -> Vec<String> {
        self.scope.iter().map(|(n, _)| n.clone()).collect()
    }

    fn run(mut self) -> FileScan {
        while let Some(t) = self.tok(self.i).cloned() {
            match t {
                Tok::Punct(b'#') => self.attribute(),
                Tok::Open(_) => {
                    self.depth += 1;
                    if let Some(k) = self.macro_pending.take() {
                        // A macro defined inside another's body belongs to the outer one.
                        self.macro_body.get_or_insert((k, self.depth));
                    }
                    self.i += 1;
                }
                Tok::Close(c) => {
                    self.depth = self.depth.saturating_sub(1);
                    while self.scope.last().is_some_and(|(_, d)| *d > self.depth) {
                        self.scope.pop();
                    }
                    if self.impl_open.is_some_and(|(_, d)| d > self.depth) {
                        self.impl_open = None;
                    }
                    if self.trait_open.is_some_and(|(_, d)| d > self.depth) {
                        self.trait_open = None;
                    }
                    if self.macro_body.is_some_and(|(_, d)| d > self.depth) {
                        self.macro_body = None;
                    }
                    if c == b'}' {
                        self.path_attr = None;
                        self.macro_export = false;
                        self.macro_use = false;
                    }
                    self.i += 1;
                }
                Tok::Punct(b';') => {
                    self.path_attr = None;
                    self.macro_export = false;
                    self.macro_use = false;
                    self.i += 1;
                }
                Tok::Ident("mod") if self.tok(self.i + 1) == Some(&Tok::Punct(b'$')) => {
                    self.out.macro_mods = true;
                    self.i += 1;
                }
                Tok::Ident("mod") => self.module(),
                Tok::Ident("use") => self.use_item(),
                Tok::Ident("impl") if self.at_module_level() => self.impl_header(),
                Tok::Ident(
                    kw @ ("fn" | "struct" | "enum" | "union" | "trait" | "type" | "const"
                    | "static"),
                ) if self.at_module_level() => self.item(kw),
                Tok::Ident("fn") if self.impl_open.is_some_and(|(_, d)| d == self.depth) => {
                    if let (Some((k, _)), Some(Tok::Ident(name))) =
                        (self.impl_open, self.tok(self.i + 1))
                    {
                        let name = (*name).to_string();
                        self.out.impls[k].methods.push(name);
                    }
                    self.i += 1;
                }
                Tok::Ident("fn") if self.trait_open.is_some_and(|(_, d)| d == self.depth) => {
                    if let (Some((k, _)), Some(Tok::Ident(name))) =
                        (self.trait_open, self.tok(self.i + 1))
                    {
                        let name = (*name).to_string();
                        self.out.items[k].methods.push(name);
                    }
                    self.i += 1;
                }
                Tok::Str(s) => {
                    self.string(s);
                    self.i += 1;
                }
                Tok::Ident("extern") if self.tok(self.i + 1) == Some(&Tok::Ident("crate")) => {
                    self.extern_crate()
                }
                Tok::Ident(name) if self.tok(self.i + 1) == Some(&Tok::Punct(b'!')) => {
                    match name {
                        "include" => match (
                            self.tok(self.i + 2),
                            self.tok(self.i + 3),
                            self.tok(self.i + 4),
                        ) {
                            (Some(Tok::Open(_)), Some(Tok::Str(p)), Some(Tok::Close(_))) => {
                                let p = (*p).to_string();
                                let scope = self.scope_names();
                                self.out.includes.push((scope, p));
                            }
                            _ => {
                                let line = self
                                    .include_lines
                                    .binary_search_by_key(&self.i, |(k, _)| *k)
                                    .map_or(0, |n| self.include_lines[n].1);
                                self.out.include_line.get_or_insert(line);
                            }
                        },
                        "macro_rules" => {
                            if let Some(Tok::Ident(m)) = self.tok(self.i + 2) {
                                let def = MacroDef {
                                    scope: self.scope_names(),
                                    name: (*m).to_string(),
                                    at: self.i,
                                    exported: std::mem::take(&mut self.macro_export),
                                    reads_package_metadata: false,
                                };
                                if matches!(self.tok(self.i + 3), Some(Tok::Open(_))) {
                                    self.macro_pending = Some(self.out.macro_defs.len());
                                }
                                self.out.macro_defs.push(def);
                            }
                        }
                        _ if matches!(self.tok(self.i + 2), Some(Tok::Open(_))) => {
                            let scope = self.scope_names();
                            let data = matches!(name, "include_str" | "include_bytes");
                            let literal = matches!(
                                (self.tok(self.i + 3), self.tok(self.i + 4)),
                                (Some(Tok::Str(_)), Some(Tok::Close(_)))
                            );
                            if data && !literal {
                                // `include_str!(concat!(env!("OUT_DIR"), …))`, a macro: any
                                // file may be the one read.
                                self.out.reads_unknown_file = true;
                            }
                            if let Some(Tok::Str(lit)) = self.tok(self.i + 3) {
                                let lit = (*lit).to_string();
                                if data {
                                    self.out.data_includes.push((scope.clone(), lit));
                                } else if !STD_MACROS.contains(&name) {
                                    self.out.file_strings.push((scope.clone(), lit.clone()));
                                    if scope.is_empty() {
                                        self.out.macro_strings.push(lit);
                                    }
                                }
                            }
                            if name == "concat" {
                                self.manifest_dir_concat(&scope);
                            }
                            self.out.macro_calls.push(MacroCall {
                                scope,
                                name: name.to_string(),
                                at: self.i,
                                qualified: false,
                                in_macro: self.in_macro(),
                            });
                        }
                        _ => {}
                    }
                    self.i += 2;
                }
                Tok::Ident(_) | Tok::PathSep => self.code_path(),
                _ => self.i += 1,
            }
        }
        self.out
    }

    /// `#[...]` or `#![...]`: remembers `#[path = "..."]` for the next `mod`.
    fn attribute(&mut self) {
        let mut j = self.i + 1;
        if self.tok(j) == Some(&Tok::Punct(b'!')) {
            j += 1;
        }
        if self.tok(j) != Some(&Tok::Open(b'[')) {
            self.i += 1;
            return;
        }
        match self.tok(j + 1) {
            Some(Tok::Ident("macro_export")) => self.macro_export = true,
            Some(Tok::Ident("macro_use")) => self.macro_use = true,
            _ => {}
        }
        if let (Some(Tok::Ident("path")), Some(Tok::Punct(b'=')), Some(Tok::Str(s))) =
            (self.tok(j + 1), self.tok(j + 2), self.tok(j + 3))
        {
            self.path_attr = Some((*s).to_string());
        }
        // A bare `version`, `author` or `about` inside the attribute (clap's
        // `#[command(version, about)]`) reads `CARGO_PKG_*` when the macro expands.
        let mut k = j + 1;
        let mut depth = 1usize;
        let doc = self.tok(j + 1) == Some(&Tok::Ident("doc"));
        while depth > 0 {
            match self.tok(k) {
                None => break,
                Some(Tok::Open(_)) => depth += 1,
                Some(Tok::Close(_)) => depth -= 1,
                // `#[template(path = "x.html")]`: a file a macro may read.
                Some(Tok::Str(s)) if !doc && self.tok(k - 1) == Some(&Tok::Punct(b'=')) => {
                    let scope = self.scope_names();
                    self.out.file_strings.push((scope, (*s).to_string()));
                }
                Some(Tok::Ident(
                    "version" | "author" | "about" | "long_about" | "long_version",
                )) if self.tok(k + 1) != Some(&Tok::Punct(b'=')) && depth > 1 => {
                    self.out.reads_package_metadata = true;
                }
                _ => {}
            }
            k += 1;
        }
        // Let the main loop walk the brackets (paths inside attributes count too); only
        // `#` and `!` are consumed here.
        self.i = j;
    }

    /// True outside function bodies, `impl` and `trait` blocks and other braces: directly
    /// in the file or in an inline module.
    fn at_module_level(&self) -> bool {
        self.depth == self.scope.last().map_or(0, |(_, d)| *d)
    }

    /// `fn NAME`, `struct NAME`, … at module level: a definition.
    fn item(&mut self, kw: &str) {
        let mut j = self.i + 1;
        if kw == "static" && self.tok(j) == Some(&Tok::Ident("mut")) {
            j += 1;
        }
        let Some(Tok::Ident(name)) = self.tok(j).cloned() else {
            self.i += 1;
            return;
        };
        // `const fn f`, `const _`, `union` used as an ordinary identifier.
        let skip = (kw == "const" && matches!(name, "fn" | "unsafe" | "async" | "extern" | "_"))
            || (kw == "union"
                && !matches!(
                    self.tok(j + 1),
                    Some(Tok::Open(b'{')) | Some(Tok::Punct(b'<'))
                ));
        if !skip {
            let kind = match kw {
                "struct" | "enum" | "union" => ItemKind::Type,
                "trait" => ItemKind::Trait,
                _ => ItemKind::Other,
            };
            if kind == ItemKind::Trait {
                self.trait_open = Some((self.out.items.len(), self.depth + 1));
            }
            self.out.items.push(ItemDef {
                scope: self.scope_names(),
                name: name.to_string(),
                kind,
                methods: Vec::new(),
            });
        }
        self.i += 1;
    }

    /// `impl<…> [!]Trait<…> for Type<…>` or `impl<…> Type<…>`: records the type's path.
    fn impl_header(&mut self) {
        let mut j = self.i + 1;
        j = self.skip_angles(j);
        let mut last: Vec<String> = Vec::new();
        let mut of_trait = false;
        loop {
            match self.tok(j) {
                None | Some(Tok::Open(b'{')) | Some(Tok::Punct(b';')) => break,
                Some(Tok::Ident("where")) => break,
                Some(Tok::Ident("for")) => {
                    last.clear();
                    of_trait = true;
                    j += 1;
                }
                Some(Tok::Ident(kw @ ("dyn" | "mut" | "const" | "unsafe"))) if !kw.is_empty() => {
                    j += 1
                }
                Some(Tok::Ident(_)) | Some(Tok::PathSep) => {
                    let mut segs = Vec::new();
                    if self.tok(j) == Some(&Tok::PathSep) {
                        j += 1;
                    }
                    while let Some(Tok::Ident(s)) = self.tok(j) {
                        segs.push((*s).to_string());
                        j += 1;
                        if self.tok(j) == Some(&Tok::PathSep) {
                            j += 1;
                        } else {
                            break;
                        }
                    }
                    if last.is_empty() {
                        last = segs;
                    }
                    j = self.skip_angles(j);
                }
                Some(Tok::Punct(b'<')) => j = self.skip_angles(j),
                _ => j += 1,
            }
        }
        if !last.is_empty() {
            self.impl_open = Some((self.out.impls.len(), self.depth + 1));
            self.out.impls.push(ImplDecl {
                scope: self.scope_names(),
                self_path: last,
                of_trait,
                methods: Vec::new(),
            });
        }
        self.i += 1;
    }

    /// Past a `<…>` group starting at `j` (`->` inside does not close it); `j` itself when
    /// no `<` is there.
    fn skip_angles(&self, mut j: usize) -> usize {
        if self.tok(j) != Some(&Tok::Punct(b'<')) {
            return j;
        }
        let mut depth = 0usize;
        let mut prev_dash = false;
        while let Some(t) = self.tok(j) {
            match t {
                Tok::Punct(b'<') => depth += 1,
                Tok::Punct(b'>') if !prev_dash => {
                    depth -= 1;
                    if depth == 0 {
                        return j + 1;
                    }
                }
                Tok::Open(b'{') | Tok::Punct(b';') => return j,
                _ => {}
            }
            prev_dash = *t == Tok::Punct(b'-');
            j += 1;
        }
        j
    }

    /// A string literal: a `CARGO_PKG_*` variable.
    fn string(&mut self, s: &str) {
        if s.contains("CARGO_PKG_") {
            match self.in_macro() {
                // Read where the macro is invoked, by the invoking package.
                Some(k) => self.out.macro_defs[k].reads_package_metadata = true,
                None => self.out.reads_package_metadata = true,
            }
        }
    }

    /// `concat!(env!("CARGO_MANIFEST_DIR"), "/data/x.txt")` at `self.i` (the `concat`): the
    /// package-relative path it builds.
    fn manifest_dir_concat(&mut self, scope: &[String]) {
        let mut j = self.i + 3;
        let mut depth = 1usize;
        let mut manifest_dir = false;
        let mut rest = String::new();
        while depth > 0 {
            match self.tok(j) {
                None => break,
                Some(Tok::Open(_)) => depth += 1,
                Some(Tok::Close(_)) => depth -= 1,
                Some(Tok::Str("CARGO_MANIFEST_DIR")) => manifest_dir = true,
                Some(Tok::Str(s)) => rest.push_str(s),
                _ => {}
            }
            j += 1;
        }
        if manifest_dir && !rest.is_empty() {
            let rel = rest.trim_start_matches('/').to_string();
            self.out.file_strings.push((scope.to_vec(), rel));
        }
    }

    fn module(&mut self) {
        let Some(Tok::Ident(name)) = self.tok(self.i + 1).cloned() else {
            self.i += 1;
            return;
        };
        let name = name.to_string();
        let path_attr = self.path_attr.take();
        let macro_use = std::mem::take(&mut self.macro_use);
        let at = self.i;
        match self.tok(self.i + 2) {
            Some(Tok::Punct(b';')) => {
                self.out.mods.push(ModDecl {
                    scope: self.scope_names(),
                    name,
                    path_attr,
                    inline: false,
                    at,
                    macro_use,
                });
                self.i += 3;
            }
            Some(Tok::Open(b'{')) => {
                self.out.mods.push(ModDecl {
                    scope: self.scope_names(),
                    name: name.clone(),
                    path_attr,
                    inline: true,
                    at,
                    macro_use,
                });
                self.depth += 1;
                self.scope.push((name, self.depth));
                self.i += 3;
            }
            _ => self.i += 2,
        }
    }

    fn extern_crate(&mut self) {
        let Some(Tok::Ident(name)) = self.tok(self.i + 2).cloned() else {
            self.i += 2;
            return;
        };
        let alias = match (self.tok(self.i + 3), self.tok(self.i + 4)) {
            (Some(Tok::Ident("as")), Some(Tok::Ident(a))) => Some((*a).to_string()),
            _ => None,
        };
        self.out
            .externs
            .push((self.scope_names(), name.to_string(), alias));
        self.i += 3;
    }

    /// `use TREE;` flattened into paths.
    fn use_item(&mut self) {
        self.i += 1;
        let mut found = Vec::new();
        let leading = self.tok(self.i) == Some(&Tok::PathSep);
        if leading {
            self.i += 1;
        }
        self.use_tree(Vec::new(), &mut found);
        let scope = self.scope_names();
        for (segs, alias) in found {
            self.out.paths.push(PathRef {
                scope: scope.clone(),
                segs,
                leading,
                alias,
                is_use: true,
                in_macro: self.in_macro(),
            });
        }
    }

    /// Parses one use tree at `self.i`, appending (path, alias) pairs; stops before `,`,
    /// `}` or `;`.
    fn use_tree(&mut self, prefix: Vec<String>, found: &mut Vec<(Vec<String>, Option<String>)>) {
        let mut segs = prefix;
        loop {
            match self.tok(self.i).cloned() {
                Some(Tok::Ident(s)) => {
                    segs.push(s.to_string());
                    self.i += 1;
                    if self.tok(self.i) == Some(&Tok::PathSep) {
                        self.i += 1;
                        continue;
                    }
                    let mut alias = segs.last().cloned();
                    if self.tok(self.i) == Some(&Tok::Ident("as")) {
                        alias = match self.tok(self.i + 1) {
                            Some(Tok::Ident(a)) => Some((*a).to_string()),
                            _ => None,
                        };
                        self.i += 2;
                    }
                    // `a::b::{self}` names the module `a::b` itself.
                    if segs.last().map(String::as_str) == Some("self") && segs.len() > 1 {
                        segs.pop();
                        if alias.as_deref() == Some("self") {
                            alias = segs.last().cloned();
                        }
                    }
                    found.push((segs, alias));
                    return;
                }
                Some(Tok::Punct(b'*')) => {
                    self.i += 1;
                    found.push((segs, None));
                    return;
                }
                Some(Tok::Open(b'{')) => {
                    self.i += 1;
                    self.depth += 1;
                    loop {
                        match self.tok(self.i) {
                            Some(Tok::Close(b'}')) => {
                                self.i += 1;
                                self.depth -= 1;
                                return;
                            }
                            Some(Tok::Punct(b',')) => self.i += 1,
                            None => return,
                            _ => {
                                let before = self.i;
                                self.use_tree(segs.clone(), found);
                                if self.i == before {
                                    self.i += 1;
                                }
                            }
                        }
                    }
                }
                _ => return,
            }
        }
    }

    /// `a::b::c` (or `::a::b`) in code; a lone identifier is no path.
    fn code_path(&mut self) {
        let leading = self.tok(self.i) == Some(&Tok::PathSep);
        let from = self.i + usize::from(leading);
        let mut j = from;
        // Find the path's end first: most identifiers stand alone and make no path, so
        // nothing is allocated for them.
        while let Some(Tok::Ident(_)) = self.tok(j) {
            j += 1;
            if self.tok(j) == Some(&Tok::PathSep) && matches!(self.tok(j + 1), Some(Tok::Ident(_)))
            {
                j += 1;
            } else {
                break;
            }
        }
        let words = || {
            self.toks[from.min(j)..j].iter().filter_map(|t| match t {
                Tok::Ident(s) => Some(*s),
                _ => None,
            })
        };
        let count = words().count();
        if count >= 2 || (leading && count == 1) {
            let segs: Vec<String> = words().map(str::to_string).collect();
            let scope = self.scope_names();
            if count >= 2
                && self.tok(j) == Some(&Tok::Punct(b'!'))
                && matches!(self.tok(j + 1), Some(Tok::Open(_)))
            {
                // `automod::dir!("tests/x")`: a directory whose files the macro may declare
                // as modules.
                if let (Some(Tok::Str(lit)), true) = (self.tok(j + 2), scope.is_empty()) {
                    self.out.macro_strings.push((*lit).to_string());
                }
                if let Some(last) = segs.last() {
                    self.out.macro_calls.push(MacroCall {
                        scope: scope.clone(),
                        name: last.clone(),
                        at: j,
                        qualified: true,
                        in_macro: self.in_macro(),
                    });
                }
            }
            self.out.paths.push(PathRef {
                scope,
                segs,
                leading,
                alias: None,
                is_use: false,
                in_macro: self.in_macro(),
            });
        }
        self.i = j.max(self.i + 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uses(s: &FileScan) -> Vec<(String, Option<String>)> {
        s.paths
            .iter()
            .filter(|p| p.is_use)
            .map(|p| (p.segs.join("::"), p.alias.clone()))
            .collect()
    }

    #[test]
    fn reads_mods_with_path_attributes_and_inline_bodies() {
        let s = scan(
            "#[path = \"other/x.rs\"]\npub(crate) mod a;\nmod b { mod c; fn f() { crate::a::g(); } }\nmod d;\n",
        )
        .expect("scans");
        assert_eq!(s.mods.len(), 4);
        assert_eq!(s.mods[0].path_attr.as_deref(), Some("other/x.rs"));
        assert_eq!(s.mods[2].scope, vec!["b".to_string()]);
        assert_eq!(s.mods[2].name, "c");
        assert!(s.mods[3].scope.is_empty());
        let code: Vec<&PathRef> = s.paths.iter().filter(|p| !p.is_use).collect();
        assert_eq!(code[0].segs, ["crate", "a", "g"]);
        assert_eq!(code[0].scope, ["b"]);
    }

    /// A macro body's paths and calls are tagged with the macro they belong to (they are
    /// the invokers' references); code after the body is the module's own again.
    #[test]
    fn tags_what_a_macro_body_names() {
        let s = scan(
            "macro_rules! a {\n    () => { $crate::x::A::new(inner!()) };\n}\nmacro_rules! b { ($e:expr) => {{ crate::y::B($e) }} }\nfn f() { crate::z::C::go(); }\n",
        )
        .expect("scans");
        let tagged: Vec<(Vec<&str>, Option<usize>)> = s
            .paths
            .iter()
            .map(|p| (p.segs.iter().map(String::as_str).collect(), p.in_macro))
            .collect();
        assert_eq!(
            tagged,
            [
                (vec!["crate", "x", "A", "new"], Some(0)),
                (vec!["crate", "y", "B"], Some(1)),
                (vec!["crate", "z", "C", "go"], None),
            ]
        );
        let calls: Vec<(&str, Option<usize>)> = s
            .macro_calls
            .iter()
            .map(|c| (c.name.as_str(), c.in_macro))
            .collect();
        assert_eq!(calls, [("inner", Some(0))]);
    }

    #[test]
    fn flattens_use_trees() {
        let s = scan("use crate::{a::{self, b as c}, d::*};\npub use ::ext::x;\n").expect("scans");
        assert_eq!(
            uses(&s),
            [
                ("crate::a".to_string(), Some("a".to_string())),
                ("crate::a::b".to_string(), Some("c".to_string())),
                ("crate::d".to_string(), None),
                ("ext::x".to_string(), Some("x".to_string())),
            ]
        );
        assert!(s.paths[3].leading);
    }

    #[test]
    fn skips_strings_comments_chars_and_lifetimes() {
        let src = r####"
            // mod fake;
            /* mod fake2; /* nested */ */
            fn f<'a>(x: &'a str) -> char { let _ = "mod fake3; {"; let _ = r#"use x::y; }"#; '{' }
            const C: u8 = b'}';
            mod real;
        "####;
        let s = scan(src).expect("scans");
        assert_eq!(s.mods.len(), 1);
        assert_eq!(s.mods[0].name, "real");
        assert!(uses(&s).is_empty());
    }

    #[test]
    fn reports_what_it_cannot_read() {
        assert_eq!(scan("fn f() {\n").map_err(|e| e.line), Err(1));
        assert!(scan("fn f() { ) }").is_err());
        assert!(scan("let s = \"open").is_err());
        let s =
            scan("include!(concat!(env!(\"OUT_DIR\"), \"/gen.rs\"));\nmacro_rules! m { () => {} }")
                .expect("scans");
        assert_eq!(s.include_line, Some(1));
        assert_eq!(
            s.macro_defs
                .iter()
                .map(|d| d.name.as_str())
                .collect::<Vec<_>>(),
            ["m"]
        );
    }

    #[test]
    fn a_metadata_variable_in_a_macro_body_belongs_to_the_macro() {
        let s =
            scan("macro_rules! v {\n    () => { env!(\"CARGO_PKG_VERSION\") };\n}\nfn f() {}\n")
                .unwrap();
        assert!(!s.reads_package_metadata);
        assert!(s.macro_defs[0].reads_package_metadata);
        let s = scan(
            "macro_rules! v { () => {} }\nfn f() -> &'static str { env!(\"CARGO_PKG_NAME\") }\n",
        )
        .unwrap();
        assert!(s.reads_package_metadata);
        assert!(!s.macro_defs[0].reads_package_metadata);
    }

    #[test]
    fn extern_crate_with_alias() {
        let s = scan("extern crate core_types as ct;\n").expect("scans");
        assert_eq!(
            s.externs,
            [(vec![], "core_types".to_string(), Some("ct".to_string()))]
        );
    }

    /// Every source file of this repository scans; every prefix of one fails cleanly.
    #[test]
    fn scans_real_code_and_never_panics_on_truncated_code() {
        let mut stack = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src"
        ))];
        let mut files = 0;
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(&dir).expect("src is readable") {
                let p = e.expect("entry").path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    let text = std::fs::read_to_string(&p).expect("UTF-8 source");
                    assert!(scan(&text).is_ok(), "{}", p.display());
                    files += 1;
                    for cut in (0..text.len())
                        .step_by(211)
                        .filter(|c| text.is_char_boundary(*c))
                    {
                        let _ = scan(&text[..cut]);
                    }
                }
            }
        }
        assert!(files > 20);
    }
}
