//! `.countersign/allowed_signers` in git's format (`gpg.ssh.allowedSignersFile`).
//!
//! One signer per line, as `ssh-keygen -Y verify` reads it (see `man ssh-keygen`, ALLOWED
//! SIGNERS):
//!
//! ```text
//! # principals           options                                       key
//! alice@example.com      namespaces="countersign",valid-after=20240101 ssh-ed25519 AAAA… alice
//! bob@example.com,"b@x"  ssh-ed25519 AAAA…
//! ```
//!
//! **Times are UTC.** `valid-after` / `valid-before` take `YYYYMMDD`, `YYYYMMDDHHMM` or
//! `YYYYMMDDHHMMSS`, with an optional trailing `Z`. ssh-keygen reads a time without `Z` as the
//! verifier's local time; countersign reads every time as UTC so that a CI runner and a laptop
//! in another zone reach the same verdict. Write the `Z` to make the file mean the same to both.

use serde::Serialize;

use super::diagnostic::{closest, sort_in_file_order, Diagnostic, Sink};
use super::Diagnostics;

/// One line of the roster: who may sign with which key, for which namespaces, when.
#[derive(Clone, Debug)]
pub struct AllowedSigner {
    /// Principals (e-mail addresses as a rule), from the comma-separated first field. They may
    /// be patterns (`*@example.com`), as ssh-keygen allows.
    pub principals: Vec<String>,
    /// `namespaces="a,b"`: None means every namespace.
    pub namespaces: Option<Vec<String>>,
    /// `valid-after=`: the key is not valid before this instant (UTC).
    pub valid_after: Option<chrono::DateTime<chrono::Utc>>,
    /// `valid-before=`: the key is not valid from this instant on (UTC).
    pub valid_before: Option<chrono::DateTime<chrono::Utc>>,
    /// The public key.
    pub key: ssh_key::PublicKey,
    /// 1-based line in the file.
    pub line: usize,
}

impl AllowedSigner {
    /// Who this entry names and the key's SHA256 fingerprint, for JSON and messages.
    pub fn summary(&self) -> SignerSummary {
        SignerSummary {
            principals: self.principals.clone(),
            fingerprint: self.key.fingerprint(ssh_key::HashAlg::Sha256).to_string(),
        }
    }
}

/// The parsed roster.
#[derive(Clone, Debug, Default)]
pub struct Roster {
    /// Entries in file order.
    pub entries: Vec<AllowedSigner>,
}

/// A summary of a roster entry for JSON and messages.
#[derive(Clone, Debug, Serialize)]
pub struct SignerSummary {
    /// Principals.
    pub principals: Vec<String>,
    /// SHA256 fingerprint of the key (`SHA256:…`).
    pub fingerprint: String,
}

impl Roster {
    /// Every principal named by any entry.
    pub fn principals(&self) -> impl Iterator<Item = &str> {
        self.entries
            .iter()
            .flat_map(|e| e.principals.iter().map(String::as_str))
    }

    /// The entries naming `principal` exactly.
    pub fn entries_for<'a>(
        &'a self,
        principal: &'a str,
    ) -> impl Iterator<Item = &'a AllowedSigner> {
        self.entries
            .iter()
            .filter(move |e| e.principals.iter().any(|p| p == principal))
    }

    /// True when some entry names `principal`, exactly or by a `*` / `?` pattern.
    pub fn names(&self, principal: &str) -> bool {
        self.principals().any(|p| principal_matches(p, principal))
    }
}

/// Does roster principal `pattern` (which may hold `*` and `?`, as in ssh patterns) name
/// `principal`?
pub fn principal_matches(pattern: &str, principal: &str) -> bool {
    fn go(p: &[char], s: &[char]) -> bool {
        match p.split_first() {
            None => s.is_empty(),
            Some(('*', rest)) => (0..=s.len()).any(|i| go(rest, &s[i..])),
            Some(('?', rest)) => !s.is_empty() && go(rest, &s[1..]),
            Some((c, rest)) => s.first() == Some(c) && go(rest, &s[1..]),
        }
    }
    if pattern == principal {
        return true;
    }
    if !pattern.contains(['*', '?']) {
        return false;
    }
    let p: Vec<char> = pattern.chars().collect();
    let s: Vec<char> = principal.chars().collect();
    go(&p, &s)
}

/// Parses git's allowed_signers format: `principals [options] keytype base64 [comment]`, with
/// `#` comments and blank lines. Options: `namespaces="…"`, `valid-after=`, `valid-before=`
/// (`YYYYMMDD[HHMM[SS]][Z]`, read as UTC); `cert-authority` is rejected as not supported yet.
pub fn parse_roster(text: &str, file: &str) -> Result<Roster, Diagnostics> {
    let parsed = parse_lenient(text, file);
    if parsed.diags.is_empty() {
        Ok(parsed.roster)
    } else {
        Err(Diagnostics(parsed.diags))
    }
}

/// A roster read as far as possible: the good entries, the problems, and every principal any
/// line names (even a line with a bad key), so cross-checks do not report a principal twice.
pub(crate) struct Lenient {
    pub(crate) roster: Roster,
    pub(crate) diags: Vec<Diagnostic>,
    pub(crate) mentioned: Vec<String>,
}

impl Lenient {
    /// True when some line names `principal`, even a line with an error of its own (which
    /// is reported there, not again as a missing principal).
    pub(crate) fn names(&self, principal: &str) -> bool {
        self.mentioned
            .iter()
            .any(|m| principal_matches(m, principal))
    }
}

/// Reads a roster as far as possible; see [`Lenient`].
pub(crate) fn parse_lenient(text: &str, file: &str) -> Lenient {
    let mut sink = Sink::new(file, text);
    let mut roster = Roster::default();
    let mut mentioned = Vec::new();
    let mut offset = 0;
    for (index, raw) in text.split_inclusive('\n').enumerate() {
        let line_start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if let Some(entry) = parse_line(&mut sink, line, line_start, index + 1, &mut mentioned) {
            roster.entries.push(entry);
        }
    }
    let mut diags = sink.into_diags();
    sort_in_file_order(&mut diags);
    Lenient {
        roster,
        diags,
        mentioned,
    }
}

/// A whitespace-separated field of a line; double quotes may hold whitespace.
struct Token<'l> {
    text: &'l str,
    start: usize,
}

fn tokens(line: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut start = None;
    let mut quoted = false;
    for (i, c) in line.char_indices() {
        if c == '"' {
            quoted = !quoted;
        }
        if c.is_whitespace() && !quoted {
            if let Some(s) = start.take() {
                out.push(Token {
                    text: &line[s..i],
                    start: s,
                });
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        out.push(Token {
            text: &line[s..],
            start: s,
        });
    }
    out
}

/// Splits at commas outside double quotes, with each part's offset.
fn split_commas(s: &str) -> Vec<(&str, usize)> {
    let mut out = Vec::new();
    let mut quoted = false;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                out.push((&s[start..i], start));
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push((&s[start..], start));
    out
}

fn unquote(s: &str) -> &str {
    s.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(s)
}

const OPTIONS: &[&str] = &[
    "namespaces",
    "valid-after",
    "valid-before",
    "cert-authority",
];

/// Does `token` look like the options field rather than a key type?
fn looks_like_options(token: &str, next: Option<&str>) -> bool {
    if is_key_type(token) {
        return false;
    }
    let first = token.split([',', '=']).next().unwrap_or("");
    token.contains('=')
        || OPTIONS.contains(&first.to_ascii_lowercase().as_str())
        || next.is_some_and(is_key_type)
}

fn is_key_type(token: &str) -> bool {
    token.parse::<ssh_key::Algorithm>().is_ok()
}

fn parse_line(
    sink: &mut Sink<'_>,
    line: &str,
    line_start: usize,
    line_no: usize,
    mentioned: &mut Vec<String>,
) -> Option<AllowedSigner> {
    let at = |start: usize, len: usize| line_start + start..line_start + start + len;
    let toks = tokens(line);
    let principals_tok = toks.first()?;
    let mut ok = true;

    let mut principals = Vec::new();
    for (part, off) in split_commas(principals_tok.text) {
        let p = unquote(part);
        if p.is_empty() {
            sink.error(
                at(principals_tok.start + off, part.len()),
                "empty principal",
                "separate principals with single commas and no spaces: alice@example.com,alice@corp.example".to_string(),
            );
            ok = false;
        } else {
            principals.push(p.to_string());
        }
    }
    mentioned.extend(principals.iter().cloned());

    let Some(second) = toks.get(1) else {
        sink.error(
            at(line.len(), 0),
            "this line names principals but no public key",
            "append the signer's public key, as in their `.pub` file: `ssh-ed25519 AAAA… comment`"
                .to_string(),
        );
        return None;
    };

    let mut namespaces = None;
    let mut valid_after = None;
    let mut valid_before = None;
    let mut key_index = 1;
    if looks_like_options(second.text, toks.get(2).map(|t| t.text)) {
        key_index = 2;
        for (opt, off) in split_commas(second.text) {
            let span = at(second.start + off, opt.len());
            let (name, value) = match opt.split_once('=') {
                Some((n, v)) => (
                    n,
                    Some((unquote(v), second.start + off + n.len() + 1, v.len())),
                ),
                None => (opt, None),
            };
            match (name.to_ascii_lowercase().as_str(), value) {
                ("cert-authority", _) => {
                    sink.error(
                        span,
                        "certificate authorities (`cert-authority`) are not supported yet",
                        "list each signer's own public key on its own line instead of the CA key"
                            .to_string(),
                    );
                    ok = false;
                }
                ("namespaces", Some((v, _, _))) => {
                    namespaces = Some(
                        v.split(',')
                            .map(str::trim)
                            .filter(|s| !s.is_empty())
                            .map(str::to_string)
                            .collect(),
                    );
                }
                (which @ ("valid-after" | "valid-before"), Some((v, voff, vlen))) => {
                    match parse_time(v) {
                        Some(t) if which == "valid-after" => valid_after = Some(t),
                        Some(t) => valid_before = Some(t),
                        None => {
                            sink.error(
                                at(voff, vlen),
                                format!("`{which}` time `{v}` is not a valid date"),
                                format!("write {which}=YYYYMMDD, YYYYMMDDHHMM or YYYYMMDDHHMMSS (UTC, optional trailing Z), e.g. {which}=20250101"),
                            );
                            ok = false;
                        }
                    }
                }
                (known @ ("namespaces" | "valid-after" | "valid-before"), None) => {
                    sink.error(
                        span,
                        format!("option `{known}` needs a value"),
                        if known == "namespaces" {
                            "write namespaces=\"countersign\"".to_string()
                        } else {
                            format!("write {known}=20250101")
                        },
                    );
                    ok = false;
                }
                _ => {
                    let mut help = format!(
                        "allowed options are {}",
                        ["namespaces=\"…\"", "valid-after=…", "valid-before=…"].join(", ")
                    );
                    if let Some(c) = closest(name, OPTIONS[..3].iter().copied()) {
                        help = format!("did you mean `{c}`? {help}");
                    }
                    sink.error(span, format!("unknown option `{name}`"), help);
                    ok = false;
                }
            }
        }
    }
    if let (Some(a), Some(b)) = (valid_after, valid_before) {
        if b <= a {
            sink.error(
                at(second.start, second.text.len()),
                "`valid-before` is not after `valid-after`, so the key is never valid",
                "make valid-before later than valid-after, or remove one of them".to_string(),
            );
            ok = false;
        }
    }

    let Some(key_tok) = toks.get(key_index) else {
        sink.error(
            at(line.len(), 0),
            "this line has options but no public key",
            "append the signer's public key, as in their `.pub` file: `ssh-ed25519 AAAA… comment`"
                .to_string(),
        );
        return None;
    };
    let key_text = line[key_tok.start..].trim_end();
    let key_len = toks.get(key_index + 1).map_or(key_tok.text.len(), |b64| {
        b64.start + b64.text.len() - key_tok.start
    });
    let key = match ssh_key::PublicKey::from_openssh(key_text) {
        Ok(k) => Some(k),
        Err(e) => {
            let (message, help) = if !is_key_type(key_tok.text) {
                (
                    format!("unknown key type `{}`", key_tok.text),
                    "paste the key line of the signer's `.pub` file, e.g. `ssh-ed25519 AAAAC3Nza… alice`"
                        .to_string(),
                )
            } else if toks.get(key_index + 1).is_none() {
                (
                    format!("the `{}` key has no key data", key_tok.text),
                    "paste the whole key from the signer's `.pub` file: `ssh-ed25519 AAAAC3Nza… alice`"
                        .to_string(),
                )
            } else {
                (
                    format!("cannot read the public key: {e}"),
                    "paste the key exactly as in the signer's `.pub` file (the base64 part is damaged or truncated)"
                        .to_string(),
                )
            };
            sink.error(at(key_tok.start, key_len), message, help);
            None
        }
    };
    if !ok {
        return None;
    }
    Some(AllowedSigner {
        principals,
        namespaces,
        valid_after,
        valid_before,
        key: key?,
        line: line_no,
    })
}

/// `YYYYMMDD`, `YYYYMMDDHHMM` or `YYYYMMDDHHMMSS`, optional trailing `Z`; read as UTC.
fn parse_time(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let digits = s.strip_suffix(['Z', 'z']).unwrap_or(s);
    if !digits.bytes().all(|b| b.is_ascii_digit()) || ![8, 12, 14].contains(&digits.len()) {
        return None;
    }
    let num = |r: std::ops::Range<usize>| digits.get(r).and_then(|d| d.parse::<u32>().ok());
    let year = i32::try_from(num(0..4)?).ok()?;
    let date = chrono::NaiveDate::from_ymd_opt(year, num(4..6)?, num(6..8)?)?;
    let (h, m, sec) = match digits.len() {
        8 => (0, 0, 0),
        12 => (num(8..10)?, num(10..12)?, 0),
        _ => (num(8..10)?, num(10..12)?, num(12..14)?),
    };
    Some(date.and_hms_opt(h, m, sec)?.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_utc_at_every_precision() {
        let t = parse_time("20240102").unwrap();
        assert_eq!(t.to_rfc3339(), "2024-01-02T00:00:00+00:00");
        let t = parse_time("202401021304Z").unwrap();
        assert_eq!(t.to_rfc3339(), "2024-01-02T13:04:00+00:00");
        let t = parse_time("20240102130405").unwrap();
        assert_eq!(t.to_rfc3339(), "2024-01-02T13:04:05+00:00");
        assert!(parse_time("20241301").is_none());
        assert!(parse_time("2024010").is_none());
        assert!(parse_time("2024-01-01").is_none());
    }

    #[test]
    fn principal_patterns_match_like_ssh() {
        assert!(principal_matches("*@example.com", "alice@example.com"));
        assert!(!principal_matches("*@example.com", "alice@example.org"));
        assert!(principal_matches("al?ce@x", "alice@x"));
        assert!(principal_matches("bob@x", "bob@x"));
        assert!(!principal_matches("bob@x", "bobby@x"));
    }
}
