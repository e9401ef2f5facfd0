//! What a build script reads, as far as its source shows (DESIGN, "A build script's
//! inputs"): every path-like string literal (relative to the crate's directory, where cargo
//! runs it; `CARGO_MANIFEST_DIR` joins are such literals too), and every file-system,
//! `Command` or build-dependency call whose argument is computed — a variable, a `format!`,
//! a loop's item — which means the script may read any file. `cargo:rerun-if-changed` says
//! when cargo reruns the script, not what it reads, and a script that reads nothing reads
//! nothing.

use super::tokens::{Kind, Token};

/// What one build-script file reads.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Reads {
    /// Path-like literals, relative to the crate's directory.
    pub literals: Vec<String>,
    /// Calls with a computed argument: (what, byte offset).
    pub computed: Vec<(String, usize)>,
}

/// Path segments of calls that reach the file system or run programs.
const READERS: &[&str] = &[
    "fs",
    "File",
    "OpenOptions",
    "Command",
    "read_dir",
    "read_to_string",
    "read",
    "copy",
    "canonicalize",
    "WalkDir",
    "walkdir",
    "glob",
    "include_dir",
];

/// Builder methods of common build dependencies (cc, prost-build, tonic-build, bindgen,
/// cmake) and of `Command` that take files or programs.
const READING_METHODS: &[&str] = &[
    "file",
    "files",
    "include",
    "includes",
    "compile",
    "compile_protos",
    "compile_with_config",
    "arg",
    "args",
    "current_dir",
    "header",
    "headers",
    "input",
    "inputs",
    "protos",
    "proto_path",
    "open",
    "read_to_string",
    "read_dir",
];

/// Identifiers that build a path from literals and the crate's or the output directory.
const PATH_BUILDERS: &[&str] = &[
    "true",
    "false",
    "Path",
    "PathBuf",
    "new",
    "from",
    "join",
    "as_ref",
    "as_path",
    "as_os_str",
    "to_str",
    "to_string",
    "to_path_buf",
    "unwrap",
    "expect",
    "display",
    "env",
    "var",
    "var_os",
    "std",
    "core",
    "path",
    "concat",
    "CARGO_MANIFEST_DIR",
    "OUT_DIR",
    "clone",
    "into",
    "ok",
    "fs",
    "mut",
    "ref",
    "as",
    "str",
    "String",
    "OsStr",
    "OsString",
    "Some",
];

/// True for a literal that may name a file: no spaces or control characters, no format
/// braces, not a `cargo:` instruction, not absolute (outside the repository).
pub(crate) fn path_like(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 1024
        && !s.starts_with("cargo:")
        && !s.starts_with('/')
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "{}\"<>|*?".contains(c))
}

/// The reads of one build-script file's tokens; `build_deps` are the names its build
/// dependencies are called by.
pub(crate) fn reads(toks: &[Token], build_deps: &[String]) -> Reads {
    let mut out = Reads::default();
    for t in toks {
        if let Kind::Str(s) = &t.kind {
            if path_like(s) {
                out.literals.push(s.to_string());
            }
        }
    }
    // Names bound (by `let`, `const` or `static`) to values built only from literals and the
    // crate's or output directory: arguments naming them are not computed.
    let mut bound: Vec<String> = Vec::new();
    let allowed =
        |id: &str, bound: &[String]| PATH_BUILDERS.contains(&id) || bound.iter().any(|b| b == id);
    for k in 0..toks.len() {
        let Kind::Ident(kw) = &toks[k].kind else {
            continue;
        };
        if *kw != "let" && *kw != "const" && *kw != "static" {
            continue;
        }
        let mut n = k + 1;
        if toks.get(n).map(|t| &t.kind) == Some(&Kind::Ident("mut")) {
            n += 1;
        }
        let Some(Kind::Ident(name)) = toks.get(n).map(|t| &t.kind) else {
            continue;
        };
        let Some(eq) = toks[n..]
            .iter()
            .take(32)
            .position(|t| t.kind == Kind::Punct('='))
        else {
            continue;
        };
        let rhs = toks[n + eq + 1..]
            .iter()
            .take_while(|t| t.kind != Kind::Punct(';'))
            .take(256);
        let plain = rhs
            .clone()
            .all(|t| !matches!(&t.kind, Kind::Ident(i) if !allowed(i, &bound)));
        if plain {
            bound.push(name.to_string());
        }
    }
    for k in 0..toks.len() {
        let Kind::Ident(id) = &toks[k].kind else {
            continue;
        };
        let after_dot = k > 0 && toks[k - 1].kind == Kind::Punct('.');
        let after_path = k > 1 && toks[k - 1].kind == Kind::Punct(':');
        let reader = if after_dot {
            READING_METHODS.contains(id)
        } else {
            READERS.contains(id) || (!after_path && build_deps.iter().any(|d| d == id))
        };
        if !reader {
            continue;
        }
        // The call's argument groups: this path's first `(…)`, then each `.method(…)` chained.
        let mut j = k + 1;
        while matches!(
            toks.get(j).map(|t| &t.kind),
            Some(Kind::Punct(':'))
                | Some(Kind::Ident(_))
                | Some(Kind::Punct('<'))
                | Some(Kind::Punct('>'))
        ) && j < k + 16
        {
            j += 1;
        }
        let mut groups = 0;
        // The call's own arguments are checked, then those of chained methods that take
        // files or programs (`.arg(…)`, `.file(…)`), not of the rest (`.filter(|o| …)`).
        let mut checked = true;
        while toks.get(j).map(|t| &t.kind) == Some(&Kind::Punct('(')) && groups < 64 {
            let Some(end) = close_of(toks, j) else {
                break;
            };
            groups += 1;
            let args = if checked { &toks[j + 1..end] } else { &[][..] };
            for t in args {
                let computed = match &t.kind {
                    Kind::Ident(i) => !allowed(i, &bound),
                    Kind::Punct('$') | Kind::Punct('|') => true,
                    _ => false,
                };
                if computed {
                    let what = match &t.kind {
                        Kind::Ident(i) => format!("`{id}` called with `{i}`, not a literal"),
                        _ => format!("`{id}` called with an expression, not a literal"),
                    };
                    out.computed.push((what, toks[k].at));
                    break;
                }
            }
            // Chained calls: `.name(…)` or `?`.
            j = end + 1;
            while toks.get(j).map(|t| &t.kind) == Some(&Kind::Punct('?')) {
                j += 1;
            }
            match (
                toks.get(j).map(|t| &t.kind),
                toks.get(j + 1).map(|t| &t.kind),
            ) {
                (Some(Kind::Punct('.')), Some(Kind::Ident(m))) => {
                    checked = READING_METHODS.contains(m);
                    j += 2;
                }
                _ => break,
            }
        }
    }
    out.computed.dedup();
    out
}

/// The index of the `)` closing the `(` at `open`, bounded in length.
fn close_of(toks: &[Token], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (k, t) in toks.iter().enumerate().skip(open).take(4096) {
        match t.kind {
            Kind::Punct('(') | Kind::Punct('[') | Kind::Punct('{') => depth += 1,
            Kind::Punct(')') | Kind::Punct(']') | Kind::Punct('}') => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(k);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::tokens::tokenize;
    use super::*;

    fn of(src: &str) -> Reads {
        reads(&tokenize(src).expect("lexes"), &["prost_build".to_string()])
    }

    #[test]
    fn literal_reads_are_inputs_and_computed_ones_are_not_known() {
        let r = of(r#"fn main() {
            println!("cargo:rerun-if-changed=../../docs/x.proto");
            let dir = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
            let s = std::fs::read_to_string(dir.join("../../docs/billing.proto")).unwrap();
            prost_build::compile_protos(&["../../docs/a.proto"], &["../../docs"]).unwrap();
        }"#);
        assert!(r.computed.is_empty(), "{r:?}");
        assert!(r.literals.contains(&"../../docs/billing.proto".to_string()));
        assert!(!r.literals.iter().any(|l| l.contains("rerun")));
        for src in [
            "fn main() { for p in [\"a\", \"b\"] { std::fs::read(p).unwrap(); } }",
            "fn main() { let p = format!(\"{}/x\", NAME); std::fs::read(p); }",
            "fn main() { std::process::Command::new(tool()).status(); }",
            "fn main() { prost_build::compile_protos(&protos(), &[\".\"]); }",
            "fn main() { let mut c = cc::Build::new(); c.file(name); }",
            "fn main() { std::process::Command::new(\"git\").output().ok().map(|o| o).unwrap().arg(x); }",
        ] {
            assert!(!of(src).computed.is_empty(), "{src}");
        }
        assert_eq!(
            of("fn main() { println!(\"cargo:rustc-cfg=x\"); }"),
            Reads::default()
        );
    }
}
