//! git's `safe.directory` as given on the command line: `git -c safe.directory=…` (which git
//! passes to its children in `GIT_CONFIG_PARAMETERS`) and `GIT_CONFIG_COUNT` /
//! `GIT_CONFIG_KEY_<n>` / `GIT_CONFIG_VALUE_<n>`. libgit2 reads the global and system config
//! only; git honours these too, so countersign does.

use std::path::{Path, PathBuf};

/// Whether the command line's config trusts the repository whose top is `top`, by git's
/// rules: values in order, `*` trusts everything, an empty value forgets the ones before,
/// a path trusts that directory, a path ending in `/*` every directory under it.
pub(crate) fn trusted_by_env(top: &Path) -> bool {
    let top = normal(top);
    let mut safe = false;
    for value in env_values("safe.directory") {
        if value.is_empty() {
            safe = false;
        } else if value == "*" {
            safe = true;
        } else if let Some(prefix) = value.strip_suffix("/*") {
            if top.starts_with(normal(&expand(prefix))) {
                safe = true;
            }
        } else if normal(&expand(&value)) == top {
            safe = true;
        }
    }
    safe
}

/// `~/x` as git expands it in a path value.
fn expand(value: &str) -> PathBuf {
    match value.strip_prefix("~/") {
        Some(rest) => match std::env::var_os("HOME") {
            Some(home) => Path::new(&home).join(rest),
            None => PathBuf::from(value),
        },
        None => PathBuf::from(value),
    }
}

/// A path with symlinks resolved where it exists, without a trailing slash.
fn normal(p: &Path) -> PathBuf {
    p.canonicalize().unwrap_or_else(|_| {
        let s = p.to_string_lossy();
        PathBuf::from(s.trim_end_matches('/'))
    })
}

/// The values of `key` (case-insensitive) in `GIT_CONFIG_COUNT` entries, then in
/// `GIT_CONFIG_PARAMETERS`, in git's order.
fn env_values(key: &str) -> Vec<String> {
    let mut out = Vec::new();
    let count = std::env::var("GIT_CONFIG_COUNT")
        .ok()
        .and_then(|n| n.trim().parse::<usize>().ok())
        .unwrap_or(0);
    for i in 0..count.min(10_000) {
        let k = std::env::var(format!("GIT_CONFIG_KEY_{i}")).unwrap_or_default();
        if k.eq_ignore_ascii_case(key) {
            out.push(std::env::var(format!("GIT_CONFIG_VALUE_{i}")).unwrap_or_default());
        }
    }
    if let Ok(params) = std::env::var("GIT_CONFIG_PARAMETERS") {
        for (k, v) in parse_parameters(&params) {
            if k.eq_ignore_ascii_case(key) {
                out.push(v.unwrap_or_default());
            }
        }
    }
    out
}

/// `GIT_CONFIG_PARAMETERS` as git writes it: space-separated entries, each `'key'='value'`
/// (git 2.31 and later) or `'key=value'`, quoted as `sq_quote` does (`'\''` for a quote,
/// `\!` outside quotes). A value-less `'key'` is a boolean true (None).
fn parse_parameters(s: &str) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            return out;
        }
        // Read one entry: an unquoted `=` separates key and value (the new form).
        let mut key: Option<String> = None;
        let mut cur = String::new();
        while let Some(c) = chars.next() {
            match c {
                '\'' => {
                    for q in chars.by_ref() {
                        if q == '\'' {
                            break;
                        }
                        cur.push(q);
                    }
                }
                '\\' => cur.extend(chars.next()),
                '=' if key.is_none() => key = Some(std::mem::take(&mut cur)),
                c if c.is_whitespace() => break,
                c => cur.push(c),
            }
        }
        let entry = match key {
            Some(k) => (k, Some(cur)),
            // The old form: the whole `key=value` inside one quoted word.
            None => match cur.split_once('=') {
                Some((k, v)) => (k.to_string(), Some(v.to_string())),
                None => (cur, None),
            },
        };
        out.push(entry);
    }
}

#[cfg(test)]
mod tests {
    use super::parse_parameters;

    #[test]
    fn git_c_parameters_read_back_in_both_forms_with_quotes() {
        let got = parse_parameters(
            "'safe.directory'='/srv/my repo' 'core.x=1' 'user.name'='it'\\''s' 'flag'",
        );
        assert_eq!(
            got,
            [
                ("safe.directory".into(), Some("/srv/my repo".into())),
                ("core.x".into(), Some("1".into())),
                ("user.name".into(), Some("it's".into())),
                ("flag".into(), None),
            ]
        );
        assert!(parse_parameters("  ").is_empty());
    }
}
