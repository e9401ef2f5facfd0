//! The inclusion forms of one source file, read from its tokens as rustc reads them:
//! `include!`/`include_str!`/`include_bytes!` whose argument is a literal or a `concat!` of
//! literals, `env!("CARGO_MANIFEST_DIR")`, `env!("OUT_DIR")` and `stringify!` of one token;
//! `path = "…"` anywhere inside an attribute (so `#[cfg_attr(unix, path = "…")]` at any
//! nesting, and any spacing); and `mod name;` declarations, which an included file's
//! includer must follow. Whatever argument stays unresolved (a variable, another macro, a
//! `$fragment` of `macro_rules!`, a renamed `include!`) is reported as such, so that the
//! caller can fail closed; so is a form a macro may build where the file never spells it: an
//! include macro handed by name to another macro (`call!(include, "…")`), a `mod` under an
//! attribute made of a fragment (`#[$meta] mod m;`), an identifier pasted from pieces
//! (`[<inc lude>]`) that may spell `include…` or `path`.

use super::tokens::{Kind, Token};

/// Where a form points.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    /// A path relative to the directory the form resolves against.
    Rel(String),
    /// A path relative to the crate's directory (`env!("CARGO_MANIFEST_DIR")` first).
    ManifestDir(String),
    /// A file under the build script's `OUT_DIR`: what the build script wrote.
    OutDir,
    /// A form whose path cannot be computed from the source alone, and why.
    Unresolved(String),
}

/// What kind of form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum FormKind {
    /// `include!`, `include_str!`, `include_bytes!` (the macro's name).
    Include(&'static str),
    /// `path = "…"` in an attribute.
    Path,
    /// `mod name;` (no body).
    Mod(String),
}

/// One form found in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Form {
    pub kind: FormKind,
    pub target: Target,
    /// Byte offset of the form in the file.
    pub at: usize,
    /// The inline modules (`mod a { … }`) enclosing it, outermost first: a `#[path]` or
    /// `mod` inside them resolves below their directories.
    pub inline: Vec<String>,
}

/// Every inclusion form of `toks`.
pub(crate) fn forms(toks: &[Token]) -> Vec<Form> {
    let matching = matching(toks);
    let macros = literal_macros(toks);
    let within = |open: usize| -> Option<(&[Token], usize)> {
        let close = *matching.get(open)?;
        (close != usize::MAX).then(|| (&toks[open + 1..close], close + 1))
    };
    let mut out = Vec::new();
    // Inline modules: (name, depth of the `{` that opened it).
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut pending_inline: Option<String> = None;
    // Tokens before this index sit inside an attribute (`#[…]`, `#![…]`).
    let mut attr_end = 0usize;
    // Ends of the macro invocations' arguments the scan is inside (`name!( … )`).
    let mut macro_args: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        while macro_args.last().is_some_and(|&end| i >= end) {
            macro_args.pop();
        }
        if t.kind == Kind::Punct('#') && i >= attr_end {
            let open = match toks.get(i + 1).map(|t| &t.kind) {
                Some(Kind::Punct('!')) => i + 2,
                _ => i + 1,
            };
            let bracket = toks.get(open).map(|t| &t.kind) == Some(&Kind::Punct('['));
            if let Some((attr, end)) = within(open).filter(|_| bracket) {
                attr_end = end;
                // `#[$meta] mod m;` in a macro body: the attribute may be `path = "…"`.
                if attr.iter().any(|t| t.kind == Kind::Punct('$'))
                    && declares_a_module(toks, &matching, end)
                {
                    out.push(Form {
                        kind: FormKind::Path,
                        target: Target::Unresolved(
                            "an attribute made of a macro fragment on a `mod` declaration".into(),
                        ),
                        at: t.at,
                        inline: names(&inline),
                    });
                }
            }
        }
        if let (Kind::Ident(_), Some(Kind::Punct('!'))) =
            (&t.kind, toks.get(i + 1).map(|t| &t.kind))
        {
            if let Some((_, end)) = within(i + 2) {
                macro_args.push(end);
            }
        }
        if t.kind == Kind::Punct('[') && toks.get(i + 1).map(|t| &t.kind) == Some(&Kind::Punct('<'))
        {
            if let Some((inside, _)) = within(i) {
                if pasted_may_name_a_form(inside) {
                    out.push(Form {
                        kind: FormKind::Include("include!"),
                        target: Target::Unresolved(
                            "an identifier pasted from pieces (`[< … >]`) that may spell `include…` or `path`".into(),
                        ),
                        at: t.at,
                        inline: names(&inline),
                    });
                }
            }
        }
        match &t.kind {
            Kind::Punct('{') => {
                depth += 1;
                if let Some(name) = pending_inline.take() {
                    inline.push((name, depth));
                }
            }
            Kind::Punct('}') => {
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
                depth = depth.saturating_sub(1);
            }
            Kind::Punct(';') => pending_inline = None,
            Kind::Ident(id) if *id == "mod" => {
                if let Some(Kind::Ident(name)) = toks.get(i + 1).map(|t| &t.kind) {
                    match toks.get(i + 2).map(|t| &t.kind) {
                        Some(Kind::Punct('{')) => pending_inline = Some(name.to_string()),
                        Some(Kind::Punct(';')) => out.push(Form {
                            kind: FormKind::Mod(name.to_string()),
                            target: Target::Rel(format!("{name}.rs")),
                            at: t.at,
                            inline: names(&inline),
                        }),
                        _ => {}
                    }
                }
            }
            Kind::Ident(id)
                if *id == "path"
                    && i < attr_end
                    && toks.get(i + 1).map(|t| &t.kind) == Some(&Kind::Punct('=')) =>
            {
                let target = match toks.get(i + 2).map(|t| &t.kind) {
                    Some(Kind::Str(s)) => Target::Rel(s.to_string()),
                    _ => Target::Unresolved(
                        "a `path` attribute whose value is not a string literal".into(),
                    ),
                };
                out.push(Form {
                    kind: FormKind::Path,
                    target,
                    at: t.at,
                    inline: names(&inline),
                });
            }
            Kind::Ident(id) if include_name(id).is_some() => {
                let name = include_name(id).unwrap_or("include!");
                let after_dot = i > 0 && toks[i - 1].kind == Kind::Punct('.');
                match toks.get(i + 1).map(|t| &t.kind) {
                    Some(Kind::Punct('!')) if !after_dot => {
                        let target = match within(i + 2) {
                            Some((args, _)) => eval_single(args, &macros),
                            None => Target::Unresolved(format!("`{name}` without arguments")),
                        };
                        out.push(Form {
                            kind: FormKind::Include(name),
                            target,
                            at: t.at,
                            inline: names(&inline),
                        });
                    }
                    // `use std::include_str as read;`: the macro under another name, whose
                    // calls this scan cannot tie back to it.
                    Some(Kind::Ident(a)) if *a == "as" && !after_dot => out.push(Form {
                        kind: FormKind::Include(name),
                        target: Target::Unresolved(format!("`{name}` renamed with `as`")),
                        at: t.at,
                        inline: names(&inline),
                    }),
                    // `call!(include_str, "…")`: another macro may invoke it by that name.
                    _ if !after_dot && !macro_args.is_empty() => out.push(Form {
                        kind: FormKind::Include(name),
                        target: Target::Unresolved(format!(
                            "`{name}` passed by name to a macro, which may invoke it"
                        )),
                        at: t.at,
                        inline: names(&inline),
                    }),
                    _ => {}
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// [`forms`] without `mod` declarations, which only an included file's or a build script's
/// includer follows: a file with no `include*` or `path` identifier, macro fragment or pasted
/// identifier has none of the rest, and is not read further (most files of a crate).
pub(crate) fn forms_but_mods(toks: &[Token]) -> Vec<Form> {
    // A macro fragment (`#[$meta] mod m;`) or a pasted identifier (`[<inc lude>]`) may
    // spell a form too.
    let named = toks.iter().any(|t| match t.kind {
        Kind::Ident(id) => id == "path" || include_name(id).is_some(),
        Kind::Punct('$') => true,
        _ => false,
    }) || toks
        .windows(2)
        .any(|w| w[0].kind == Kind::Punct('[') && w[1].kind == Kind::Punct('<'));
    if !named {
        return Vec::new();
    }
    let mut found = forms(toks);
    found.retain(|f| !matches!(f.kind, FormKind::Mod(_)));
    found
}

/// Whether the tokens from `k` on declare a module (`mod m;`, `pub(crate) mod m {`), past
/// further attributes, the end of a repetition and a visibility (`pub`, `pub(…)`, a `$vis`
/// fragment). `matching` closes each group in one step; past [`ATTRIBUTES_LOOKED_PAST`]
/// steps the answer is yes (a file of a million attributes stays linear, and fails closed).
fn declares_a_module(toks: &[Token], matching: &[usize], mut k: usize) -> bool {
    let kind = |k: usize| toks.get(k).map(|t| &t.kind);
    let past_group = |k: usize| match matching.get(k) {
        Some(&close) if close != usize::MAX => Some(close + 1),
        _ => None,
    };
    for _ in 0..ATTRIBUTES_LOOKED_PAST {
        match kind(k) {
            Some(Kind::Ident("mod")) => return true,
            Some(Kind::Punct('#')) => {
                k += 1;
                if kind(k) == Some(&Kind::Punct('!')) {
                    k += 1;
                }
                if kind(k) != Some(&Kind::Punct('[')) {
                    return false;
                }
                let Some(next) = past_group(k) else {
                    return false;
                };
                k = next;
            }
            Some(Kind::Ident("pub")) => {
                k += 1;
                if kind(k) == Some(&Kind::Punct('(')) {
                    let Some(next) = past_group(k) else {
                        return false;
                    };
                    k = next;
                }
            }
            Some(Kind::Punct('$')) => k += 2,
            // The end of a repetition holding the attribute: `$(#[$a])* mod m;`.
            Some(Kind::Punct(')')) if matches!(kind(k + 1), Some(Kind::Punct('*' | '+' | '?'))) => {
                k += 2
            }
            _ => return false,
        }
    }
    true
}

/// How many attributes, visibilities and fragments [`declares_a_module`] looks past.
const ATTRIBUTES_LOOKED_PAST: usize = 64;

/// Whether an identifier pasted from `pieces` (the tokens inside `[< … >]`, as the `paste`
/// crate joins them) may spell `include`, `include_str`, `include_bytes` or `path`: its
/// literal pieces in order, each `$fragment` (and any other token) matching anything,
/// compared without case or underscores (paste's `:lower`, `:snake` and `:camel` change
/// both).
fn pasted_may_name_a_form(pieces: &[Token]) -> bool {
    let inner = match pieces {
        [first, inner @ .., last]
            if first.kind == Kind::Punct('<') && last.kind == Kind::Punct('>') =>
        {
            inner
        }
        _ => return false,
    };
    // None: matches anything.
    let mut pattern: Vec<Option<String>> = Vec::new();
    let mut k = 0;
    while let Some(t) = inner.get(k) {
        let fold = |s: &str| -> String {
            s.chars()
                .filter(|c| *c != '_')
                .flat_map(char::to_lowercase)
                .collect()
        };
        match &t.kind {
            Kind::Ident(id) => pattern.push(Some(fold(id))),
            Kind::Str(s) => pattern.push(Some(fold(s))),
            Kind::Lit(l) => pattern.push(Some(fold(l))),
            // `$name` and `:lower`: the fragment matches anything, the modifier changes case.
            Kind::Punct('$' | ':') => {
                if t.kind == Kind::Punct('$') {
                    pattern.push(None);
                }
                k += 1;
            }
            _ => pattern.push(None),
        }
        k += 1;
    }
    ["include", "includestr", "includebytes", "path"]
        .iter()
        .any(|target| fits(&pattern, target))
}

/// Whether `target` is the pieces of `pattern` in order (None matching any text): one pass
/// over the pattern keeping the set of target positions reached, so a file's thousands of
/// pieces cost thousands of steps, never a search over their combinations.
fn fits(pattern: &[Option<String>], target: &str) -> bool {
    let len = target.len();
    // reached[at]: the pieces so far can spell target[..at].
    let mut reached = vec![false; len + 1];
    reached[0] = true;
    for piece in pattern {
        let mut next = vec![false; len + 1];
        match piece {
            None => {
                if let Some(first) = reached.iter().position(|r| *r) {
                    next[first..].iter_mut().for_each(|n| *n = true);
                }
            }
            Some(lit) => {
                for at in (0..=len).filter(|&at| reached[at]) {
                    if target[at..].starts_with(lit.as_str()) {
                        next[at + lit.len()] = true;
                    }
                }
            }
        }
        if !next.iter().any(|n| *n) {
            return false;
        }
        reached = next;
    }
    reached[len]
}

fn names(inline: &[(String, usize)]) -> Vec<String> {
    inline.iter().map(|(n, _)| n.clone()).collect()
}

/// `include` → `include!`, and so on; None for other identifiers.
fn include_name(id: &str) -> Option<&'static str> {
    match id {
        "include" => Some("include!"),
        "include_str" => Some("include_str!"),
        "include_bytes" => Some("include_bytes!"),
        _ => None,
    }
}

/// For each opening delimiter, the index of the one closing it (`usize::MAX` for none, and
/// for every other token): one pass, so that a file of unbalanced `#[` stays linear.
fn matching(toks: &[Token]) -> Vec<usize> {
    let mut out = vec![usize::MAX; toks.len()];
    let mut open: Vec<(usize, char)> = Vec::new();
    for (k, t) in toks.iter().enumerate() {
        match t.kind {
            Kind::Punct(c @ ('(' | '[' | '{')) => open.push((k, c)),
            Kind::Punct(c @ (')' | ']' | '}')) => {
                let want = match c {
                    ')' => '(',
                    ']' => '[',
                    _ => '{',
                };
                if open.last().is_some_and(|(_, o)| *o == want) {
                    if let Some((o, _)) = open.pop() {
                        out[o] = k;
                    }
                } else {
                    // Unbalanced: nothing after it is trusted to pair up.
                    open.clear();
                }
            }
            _ => {}
        }
    }
    out
}

/// The tokens inside the delimited group opening at `open`, and the index after it.
pub(crate) fn group<'t, 'a>(
    toks: &'t [Token<'a>],
    open: usize,
) -> Option<(&'t [Token<'a>], usize)> {
    let close = match toks.get(open)?.kind {
        Kind::Punct('(') => ')',
        Kind::Punct('[') => ']',
        Kind::Punct('{') => '}',
        _ => return None,
    };
    let mut depth = 0usize;
    for (k, t) in toks.iter().enumerate().skip(open) {
        match t.kind {
            Kind::Punct('(') | Kind::Punct('[') | Kind::Punct('{') => depth += 1,
            Kind::Punct(c) if c == ')' || c == ']' || c == '}' => {
                depth -= 1;
                if depth == 0 {
                    return (c == close).then(|| (&toks[open + 1..k], k + 1));
                }
            }
            _ => {}
        }
    }
    None
}

/// Splits a macro's arguments at top-level commas (a trailing comma is allowed).
fn split_args<'t, 'a>(toks: &'t [Token<'a>]) -> Vec<&'t [Token<'a>]> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut from = 0;
    for (k, t) in toks.iter().enumerate() {
        match t.kind {
            Kind::Punct('(') | Kind::Punct('[') | Kind::Punct('{') => depth += 1,
            Kind::Punct(')') | Kind::Punct(']') | Kind::Punct('}') => {
                depth = depth.saturating_sub(1)
            }
            Kind::Punct(',') if depth == 0 => {
                out.push(&toks[from..k]);
                from = k + 1;
            }
            _ => {}
        }
    }
    if from < toks.len() {
        out.push(&toks[from..]);
    }
    out
}

/// `macro_rules!` of this file that expand to one string literal and nothing else, by name.
type Macros = std::collections::HashMap<String, String>;

/// The file's macros of the form `macro_rules! NAME { () => { "literal" }; }` (braces or
/// parentheses, an optional `;`): `include_str!(NAME!())` is then that literal, as diem's
/// cluster-test writes it. A name defined twice is left out (unresolved: fail closed).
fn literal_macros(toks: &[Token]) -> Macros {
    let mut found: Macros = Macros::new();
    let mut twice: Vec<String> = Vec::new();
    let k = |i: usize| toks.get(i).map(|t| &t.kind);
    for i in 0..toks.len() {
        if k(i) != Some(&Kind::Ident("macro_rules")) || k(i + 1) != Some(&Kind::Punct('!')) {
            continue;
        }
        let Some(Kind::Ident(name)) = k(i + 2) else {
            continue;
        };
        let body = [k(i + 3), k(i + 4), k(i + 5), k(i + 6), k(i + 7)];
        let shape = matches!(
            body,
            [
                Some(Kind::Punct('{' | '(' | '[')),
                Some(Kind::Punct('(')),
                Some(Kind::Punct(')')),
                Some(Kind::Punct('=')),
                Some(Kind::Punct('>')),
            ]
        );
        let (
            Some(Kind::Punct('{' | '(' | '[')),
            Some(Kind::Str(lit)),
            Some(Kind::Punct('}' | ')' | ']')),
        ) = (k(i + 8), k(i + 9), k(i + 10))
        else {
            continue;
        };
        let end = match k(i + 11) {
            Some(Kind::Punct(';')) => k(i + 12),
            other => other,
        };
        let closed = matches!(end, Some(Kind::Punct('}' | ')' | ']')));
        if shape && closed && found.insert(name.to_string(), lit.to_string()).is_some() {
            twice.push(name.to_string());
        }
    }
    for n in twice {
        found.remove(&n);
    }
    found
}

/// A piece of a computed path.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Piece {
    Text(String),
    ManifestDir,
    OutDir,
}

/// An include macro's one argument, evaluated.
fn eval_single(args: &[Token], macros: &Macros) -> Target {
    let parts = split_args(args);
    let [arg] = parts.as_slice() else {
        return Target::Unresolved("an include macro with other than one argument".into());
    };
    let pieces = match eval(arg, 0, macros) {
        Ok(p) => p,
        Err(why) => return Target::Unresolved(why),
    };
    let mut text = String::new();
    let mut base = None;
    for (k, p) in pieces.iter().enumerate() {
        match p {
            Piece::Text(t) => text.push_str(t),
            Piece::ManifestDir if k == 0 => base = Some(Piece::ManifestDir),
            Piece::OutDir if k == 0 => base = Some(Piece::OutDir),
            _ => {
                return Target::Unresolved(
                    "an environment directory in the middle of a path".into(),
                )
            }
        }
    }
    match base {
        Some(Piece::ManifestDir) => Target::ManifestDir(text),
        Some(_) => Target::OutDir,
        None if text.starts_with('/') || text.starts_with('\\') || text.contains(':') => {
            Target::Unresolved(format!("an absolute path ({})", short(&text)))
        }
        None => Target::Rel(text),
    }
}

fn short(s: &str) -> String {
    s.chars().take(60).collect()
}

/// The pieces an argument expression makes, or why it cannot be computed.
fn eval(toks: &[Token], nesting: usize, macros: &Macros) -> Result<Vec<Piece>, String> {
    if nesting > 16 {
        return Err("macros nested too deep to read".into());
    }
    let toks = strip_prefix_path(toks);
    match toks {
        [] => Err("an empty argument".into()),
        [Token {
            kind: Kind::Str(s), ..
        }] => Ok(vec![Piece::Text(s.to_string())]),
        [Token {
            kind: Kind::Lit(l), ..
        }] => Ok(vec![Piece::Text(lit_text(l)?)]),
        [Token {
            kind: Kind::Ident(b),
            ..
        }] if *b == "true" || *b == "false" => Ok(vec![Piece::Text(b.to_string())]),
        [Token {
            kind: Kind::Ident(m),
            ..
        }, Token {
            kind: Kind::Punct('!'),
            ..
        }, rest @ ..] => {
            let Some((inner, end)) = group_slice(rest) else {
                return Err(format!("`{m}!` with an argument this scan cannot read"));
            };
            if end != rest.len() {
                return Err(format!("`{m}!(…)` followed by more tokens"));
            }
            match *m {
                "concat" => {
                    let mut out = Vec::new();
                    for a in split_args(inner) {
                        out.extend(eval(a, nesting + 1, macros)?);
                    }
                    Ok(out)
                }
                "env" => match split_args(inner).as_slice() {
                    [[Token {
                        kind: Kind::Str(v), ..
                    }]] if v == "CARGO_MANIFEST_DIR" => Ok(vec![Piece::ManifestDir]),
                    [[Token {
                        kind: Kind::Str(v), ..
                    }]] if v == "OUT_DIR" => Ok(vec![Piece::OutDir]),
                    _ => {
                        Err("`env!` of a variable other than CARGO_MANIFEST_DIR or OUT_DIR".into())
                    }
                },
                "stringify" => match inner {
                    [Token {
                        kind: Kind::Ident(s) | Kind::Lit(s),
                        ..
                    }] => Ok(vec![Piece::Text(s.to_string())]),
                    [Token {
                        kind: Kind::Str(s), ..
                    }] => Ok(vec![Piece::Text(format!("{s:?}"))]),
                    _ => Err("`stringify!` of more than one token".into()),
                },
                other if inner.is_empty() && macros.contains_key(other) => {
                    Ok(vec![Piece::Text(macros[other].clone())])
                }
                other => Err(format!("`{other}!` in the path")),
            }
        }
        [first, ..] => Err(match &first.kind {
            Kind::Punct('$') => "a `macro_rules!` fragment".to_string(),
            Kind::Ident(v) => format!("`{}`, not a literal", short(v)),
            _ => "an expression, not a literal".to_string(),
        }),
    }
}

/// `std::concat!` → `concat!`: drops a leading `::`, `std::`, `core::`.
fn strip_prefix_path<'t, 'a>(mut toks: &'t [Token<'a>]) -> &'t [Token<'a>] {
    loop {
        match toks {
            [Token {
                kind: Kind::Punct(':'),
                ..
            }, Token {
                kind: Kind::Punct(':'),
                ..
            }, rest @ ..] => toks = rest,
            [Token {
                kind: Kind::Ident(p),
                ..
            }, Token {
                kind: Kind::Punct(':'),
                ..
            }, Token {
                kind: Kind::Punct(':'),
                ..
            }, rest @ ..]
                if *p == "std" || *p == "core" =>
            {
                toks = rest
            }
            _ => return toks,
        }
    }
}

fn group_slice<'t, 'a>(toks: &'t [Token<'a>]) -> Option<(&'t [Token<'a>], usize)> {
    group(toks, 0)
}

/// What `concat!` makes of a number, char or byte literal.
fn lit_text(l: &str) -> Result<String, String> {
    if let Some(c) = l.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
        if c.starts_with('\\') {
            return Err("an escaped char literal".into());
        }
        return Ok(c.to_string());
    }
    if l.starts_with('b') {
        return Err("a byte literal".into());
    }
    // A suffixed or non-decimal number is written differently by concat!: fail closed.
    if l.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return Ok(l.to_string());
    }
    Err(format!("the number literal {}", short(l)))
}

#[cfg(test)]
mod tests {
    use super::super::tokens::tokenize;
    use super::*;

    fn targets(src: &str) -> Vec<(FormKind, Target)> {
        forms(&tokenize(src).expect("lexes"))
            .into_iter()
            .map(|f| (f.kind, f.target))
            .collect()
    }

    /// A crate's own file is read without its `mod` declarations: the same forms but those,
    /// whether or not it names an include or path (the quick way out).
    #[test]
    fn forms_but_mods_are_forms_without_mods() {
        for src in [
            "mod a; mod b { mod c; } fn f() {}",
            "mod a; const X: &str = include_str!(\"x.txt\"); #[path = \"y.rs\"] mod y;",
            "use std::include as inc; mod z;",
            "fn path() {} mod w;",
        ] {
            let toks = tokenize(src).expect("lexes");
            let mut all = forms(&toks);
            all.retain(|f| !matches!(f.kind, FormKind::Mod(_)));
            assert_eq!(forms_but_mods(&toks), all, "{src}");
        }
    }

    /// Doors to an inclusion that never spell `include…` or `path` where it is used: an
    /// identifier pasted from pieces, an include macro handed by name to another macro, and
    /// a `mod` declaration under an attribute made of a macro fragment. Each fails closed;
    /// what cannot spell a form stays quiet.
    #[test]
    fn forms_built_by_macros_are_unresolved() {
        let unresolved = |src: &str| {
            let toks = tokenize(src).expect("lexes");
            let found = forms_but_mods(&toks);
            found.len() == 1 && matches!(found[0].target, Target::Unresolved(_))
        };
        for src in [
            "paste::paste! { const X: &str = [<inc lude_str>]!(\"../../x.rs\"); }",
            "paste! { [< INCLUDE _STR :lower >]!(\"x\") }",
            "paste! { [< $a $b >]!(\"x\"); }",
            "paste! { #[[<pa th>] = \"x.rs\"] mod m; }",
            "call!(include_str, \"../../secret.rs\");",
            "call!(std::include, \"../../secret.rs\");",
            "outer!(inner!(include));",
            "macro_rules! m { ($(#[$a:meta])* $v:vis) => { $(#[$a])* $v mod inner; } }",
            "macro_rules! m { ($a:meta) => { #[$a] pub(crate) mod inner; } }",
        ] {
            assert!(unresolved(src), "{src}: {:?}", targets(src));
        }
        for src in [
            "paste! { fn [<get_ $name>]() {} }",
            "paste! { fn [<$name _getter>]() {} }",
            "use std::include_str;",
            "fn f(o: &Opts) -> bool { o.include }",
            "macro_rules! s { ($(#[$a:meta])*) => { $(#[$a])* pub struct S; } }",
            "fn f() -> Vec<[u8; 2]> { Vec::new() }",
        ] {
            assert_eq!(
                forms_but_mods(&tokenize(src).expect("lexes")),
                Vec::new(),
                "{src}"
            );
        }
        // Thousands of pieces cost thousands of steps (a search over their combinations
        // would not finish): fragments that may spell a form, then pieces that cannot.
        let many = |piece: &str| format!("paste! {{ [< {} >]!(\"x\") }}", piece.repeat(5_000));
        assert!(unresolved(&many("$a _ ")));
        assert!(!unresolved(&many("$a q ")));
        // Likewise a long run of fragment attributes: each looks a bounded way ahead.
        let attrs = format!("{}mod m;", "#[$a] ".repeat(50_000));
        let found = forms_but_mods(&tokenize(&attrs).expect("lexes"));
        assert!(
            !found.is_empty()
                && found
                    .iter()
                    .all(|f| matches!(f.target, Target::Unresolved(_)))
        );
    }

    #[test]
    fn every_spelling_of_a_path_attribute_is_read() {
        for src in [
            "#[path = \"a.rs\"] mod x;",
            "# [path = \"a.rs\"] mod x;",
            "#[ path=\"a.rs\" ] mod x;",
            "#[cfg_attr(unix, path = \"a.rs\")] mod x;",
            "#[cfg_attr(all(), cfg_attr(unix, path = \"a.rs\"))] mod x;",
            "#[cfg_attr(feature = \"path\", path = r\"a.rs\")] mod x;",
        ] {
            assert!(
                targets(src).contains(&(FormKind::Path, Target::Rel("a.rs".into()))),
                "{src}: {:?}",
                targets(src)
            );
        }
    }

    #[test]
    fn include_arguments_are_evaluated_or_left_unresolved() {
        let rel = |s: &str| Target::Rel(s.into());
        let cases: Vec<(&str, Target)> = vec![
            ("include!(\"a.rs\");", rel("a.rs")),
            ("include!(concat!(\"a/\", \"b.rs\"));", rel("a/b.rs")),
            (
                "std::include_str!(core::concat!(\"a\", 1, '.', stringify!(rs)))",
                rel("a1.rs"),
            ),
            (
                "include!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/\", \"x.rs\"));",
                Target::ManifestDir("/x.rs".into()),
            ),
            (
                "include!(concat!(env!(\"OUT_DIR\"), \"/gen.rs\"));",
                Target::OutDir,
            ),
        ];
        for (src, want) in cases {
            assert_eq!(targets(src).first().map(|t| &t.1), Some(&want), "{src}");
        }
        for src in [
            "include!(PATH);",
            "macro_rules! m { ($p:expr) => { include!($p) } }",
            "include!(concat!(env!(\"HOME\"), \"/x.rs\"));",
            "include_str!(\"/etc/passwd\");",
            "use std::include_str as read;",
            "#[path = concat!(\"a\", \".rs\")] mod x;",
            "macro_rules! P { () => { \"a.rs\" }; }\nmacro_rules! P { () => { \"b.rs\" }; }\ninclude_str!(P!());",
        ] {
            assert!(
                matches!(targets(src).first(), Some((_, Target::Unresolved(_)))),
                "{src}: {:?}",
                targets(src)
            );
        }
        // Not an include: a method, and a comment.
        assert!(targets("b.include(\"x\"); // include!(\"y\")").is_empty());
    }

    #[test]
    fn inline_modules_enclose_what_they_hold() {
        let found = forms(
            &tokenize("mod a { mod b { #[path = \"x.rs\"] mod c; } } mod d;").expect("lexes"),
        );
        assert_eq!(found[0].inline, vec!["a".to_string(), "b".to_string()]);
        assert_eq!(found[1].kind, FormKind::Mod("c".into()));
        assert_eq!(found[2].kind, FormKind::Mod("d".into()));
        assert!(found[2].inline.is_empty());
    }
}
