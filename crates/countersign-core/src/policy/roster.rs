//! `.countersign/allowed_signers` in git's format (`gpg.ssh.allowedSignersFile`).
//!
//! One signer per line, as `ssh-keygen -Y verify` reads it (see `man ssh-keygen`, ALLOWED
//! SIGNERS):
//!
//! ```text
//! # principals           options                                         key
//! alice@example.com      namespaces="countersign",valid-after="20240101" ssh-ed25519 AAAA… alice
//! "bob@example.com,b@x"  ssh-ed25519 AAAA…
//! ```
//!
//! The parser follows OpenSSH's (`sshsig.c`, `parse_principals_key_and_options` and
//! `sshsigopt_parse`) clause by clause, so that countersign never trusts a line ssh-keygen
//! refuses or reads it differently: option values are in double quotes, options are
//! case-insensitive and given at most once, a quoted principals field is still a comma list,
//! principals and `namespaces` are OpenSSH pattern lists ([`super::pattern`]: `*`, `?`, `!`).
//! It refuses a little more than ssh-keygen (never less): empty principals, `cert-authority`,
//! and dates that do not exist.
//!
//! **Times are UTC.** `valid-after` / `valid-before` take `"YYYYMMDD"`, `"YYYYMMDDHHMM"` or
//! `"YYYYMMDDHHMMSS"`, with an optional trailing `Z` (or `UTC`). ssh-keygen reads a time without `Z` as the
//! verifier's local time; countersign reads every time as UTC so that a CI runner and a laptop
//! in another zone reach the same verdict. Write the `Z` to make the file mean the same to both.

use serde::Serialize;

use super::pattern::{match_list, ListMatch};
use super::Diagnostics;
use crate::model::diagnostic::{closest, sort_in_file_order, Diagnostic, Sink};

/// One line of the roster: who may sign with which key, for which namespaces, when.
#[derive(Clone, Debug)]
pub struct AllowedSigner {
    /// Principals (e-mail addresses as a rule), the comma-separated items of the first field
    /// as OpenSSH splits it. They may be patterns (`*@example.com`) or negations (`!bob@x`),
    /// as ssh-keygen allows: match them with [`AllowedSigner::matches_principal`], not by hand.
    pub principals: Vec<String>,
    /// `namespaces="a,b"`, as a pattern list (see [`AllowedSigner::allows_namespace`]): None
    /// means every namespace.
    pub namespaces: Option<Vec<String>>,
    /// `valid-after=`: the key is not valid before this instant (UTC).
    pub valid_after: Option<chrono::DateTime<chrono::Utc>>,
    /// `valid-before=`: the key is not valid from this instant on (UTC).
    pub valid_before: Option<chrono::DateTime<chrono::Utc>>,
    /// The key the line allows, as OpenSSH parses it (type and base64).
    pub key: ssh_key::PublicKey,
    /// 1-based line in the file.
    pub line: usize,
    /// `verify-required` (newer OpenSSH): this security key's sign-offs must show user
    /// verification (its PIN), whatever a tier's `presence` says.
    pub verify_required: bool,
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
    /// The principals the line names (patterns as written).
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

    /// True when some entry's principals list matches `principal` as `ssh-keygen -Y verify`
    /// would (by name or by a `*` / `?` pattern, and not negated).
    pub fn names(&self, principal: &str) -> bool {
        self.entries.iter().any(|e| e.matches_principal(principal))
    }

    /// True when some entry names `principal` by name (see
    /// [`AllowedSigner::names_literally`]): the only principals whose sign-offs count, so the
    /// only ones a role may name.
    pub fn names_by_name(&self, principal: &str) -> bool {
        self.entries.iter().any(|e| e.names_literally(principal))
    }
}

impl AllowedSigner {
    /// Does this line's principals list admit `principal`, as `ssh-keygen -Y verify -I`
    /// decides (OpenSSH's `match_pattern_list`: patterns, `!` negation, case-sensitive)?
    /// Linear in the length of `principal`.
    pub fn matches_principal(&self, principal: &str) -> bool {
        match_list(self.principals.iter().map(String::as_str), principal) == ListMatch::Yes
    }

    /// Does this line name `principal` itself, not only through a pattern? What countersign
    /// requires of a sign-off's principal, on top of what ssh-keygen requires: a pattern
    /// (`*@example.com`) may admit a key, but it must not let that key speak for a principal
    /// it does not name (`sign` refuses it, `verify` does not count it).
    pub fn names_literally(&self, principal: &str) -> bool {
        self.principals.iter().any(|p| p == principal) && self.matches_principal(principal)
    }

    /// May this line's key sign in `namespace` (its `namespaces="…"` list, matched as
    /// OpenSSH matches it: `*` and `!` count)? No list means every namespace.
    pub fn allows_namespace(&self, namespace: &str) -> bool {
        self.namespaces
            .as_ref()
            .is_none_or(|ns| match_list(ns.iter().map(String::as_str), namespace) == ListMatch::Yes)
    }
}

/// Does roster principal `pattern` (which may hold `*` and `?`, as in ssh patterns) name
/// `principal`? One pattern alone: a line's whole list is matched by
/// [`AllowedSigner::matches_principal`], which also honours `!` negation.
pub(crate) fn principal_matches(pattern: &str, principal: &str) -> bool {
    super::pattern::matches(pattern, principal)
}

/// Parses git's allowed_signers format: `principals [options] keytype base64 [comment]`, with
/// `#` comments and blank lines, line by line as ssh-keygen reads it (OpenSSH's
/// `parse_principals_key_and_options`). Options: `namespaces="…"`, `valid-after="…"`, `valid-before="…"` (values quoted,
/// `YYYYMMDD[HHMM[SS]][Z|UTC]`, read as UTC); `cert-authority` is rejected as not supported
/// yet.
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
    pub(crate) mentioned: Vec<Vec<String>>,
}

impl Lenient {
    /// True when some line names `principal` by name, even a line with an error of its own
    /// (which is reported there, not again as a missing principal).
    pub(crate) fn names(&self, principal: &str) -> bool {
        self.mentioned.iter().any(|list| {
            list.iter().any(|p| p == principal)
                && match_list(list.iter().map(String::as_str), principal) == ListMatch::Yes
        })
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
        // Blank and comment lines as OpenSSH sees them: after spaces, tabs, CR and LF only.
        let trimmed = line.trim_start_matches([' ', '\t', '\r', '\n']);
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if let Some(nul) = line.find('\0') {
            // ssh-keygen stops reading a line at a NUL byte: refuse what it would not see.
            sink.error(
                line_start + nul..line_start + nul + 1,
                "a NUL byte in the line",
                "remove it: ssh-keygen reads the line only up to it".to_string(),
            );
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

/// Whitespace between the principals and what follows (`WHITESPACE` of OpenSSH's `strdelimw`).
const FIELD_SPACE: &[u8] = b" \t\r\n";

/// The first index at or after `i` whose byte is not in `set`.
fn skip(b: &[u8], mut i: usize, set: &[u8]) -> usize {
    while i < b.len() && set.contains(&b[i]) {
        i += 1;
    }
    i
}

/// The end of the field starting at `i`: the next space or tab.
fn field_end(b: &[u8], i: usize) -> usize {
    b[i.min(b.len())..]
        .iter()
        .position(|c| *c == b' ' || *c == b'\t')
        .map_or(b.len(), |k| i + k)
}

const OPTIONS: &[&str] = &[
    "namespaces",
    "valid-after",
    "valid-before",
    "cert-authority",
    "verify-required",
];

fn is_key_type(token: &str) -> bool {
    token.parse::<ssh_key::Algorithm>().is_ok()
}

/// `sshkey_read`: a key type, spaces or tabs, then base64; what follows is a comment.
/// Returns the key and the end of its base64.
fn read_key(line: &str, i: usize) -> Option<(ssh_key::PublicKey, usize)> {
    let b = line.as_bytes();
    let type_end = field_end(b, i);
    if type_end == b.len() || !is_key_type(&line[i..type_end]) {
        return None;
    }
    let data = skip(b, type_end, b" \t");
    let data_end = field_end(b, data);
    if data == data_end {
        return None;
    }
    let text = format!("{} {}", &line[i..type_end], &line[data..data_end]);
    let key = ssh_key::PublicKey::from_openssh(&text).ok()?;
    // OpenSSH refuses a key whose blob is of another type than the one written before it.
    (key.algorithm().as_str() == &line[i..type_end]).then_some((key, data_end))
}

/// `sshkey_advance_past_options`: the end of the options field (the first space or tab
/// outside double quotes; `\"` is an escaped quote), or None when a quote is left open.
fn options_end(b: &[u8], mut i: usize) -> Option<usize> {
    let mut quoted = false;
    while i < b.len() && (quoted || (b[i] != b' ' && b[i] != b'\t')) {
        if b[i] == b'\\' && b.get(i + 1) == Some(&b'"') {
            i += 1;
        } else if b[i] == b'"' {
            quoted = !quoted;
        }
        i += 1;
    }
    (!quoted || i < b.len()).then_some(i)
}

/// Does the field at `i` look like options (rather than a damaged key)? Only chooses which
/// error to report: a line whose key does not read is refused either way.
fn looks_like_options(line: &str, i: usize) -> bool {
    let b = line.as_bytes();
    let end = field_end(b, i);
    let token = &line[i..end];
    if is_key_type(token) {
        return false;
    }
    let first = token.split([',', '=']).next().unwrap_or("");
    let next = skip(b, end, b" \t");
    token.contains('=')
        || OPTIONS.contains(&first.to_ascii_lowercase().as_str())
        || is_key_type(&line[next..field_end(b, next)])
}

/// What the options field of a line set.
#[derive(Default)]
struct LineOptions {
    namespaces: Option<Vec<String>>,
    valid_after: Option<chrono::DateTime<chrono::Utc>>,
    valid_before: Option<chrono::DateTime<chrono::Utc>>,
    verify_required: bool,
}

/// `opt_dequote`: the value in double quotes starting at `k` (`\"` stands for `"`), and the
/// index after its closing quote; Err(message) when a quote is missing.
fn dequote(o: &str, k: usize) -> Result<(String, usize), &'static str> {
    let b = o.as_bytes();
    if b.get(k) != Some(&b'"') {
        return Err("missing start quote");
    }
    let mut value = Vec::new();
    let mut i = k + 1;
    while i < b.len() && b[i] != b'"' {
        if b[i] == b'\\' && b.get(i + 1) == Some(&b'"') {
            i += 1;
        }
        value.push(b[i]);
        i += 1;
    }
    if i == b.len() {
        return Err("missing end quote");
    }
    Ok((String::from_utf8_lossy(&value).into_owned(), i + 1))
}

/// Does `s` start with `word`, ignoring ASCII case (`strncasecmp`)?
fn starts_with_ci(s: &str, word: &str) -> bool {
    s.len() >= word.len() && s.as_bytes()[..word.len()].eq_ignore_ascii_case(word.as_bytes())
}

/// `sshsigopt_parse`, clause by clause: options are case-insensitive, values are in double
/// quotes, each option at most once, empty clauses (`,,`) are skipped, a trailing comma is an
/// error, and anything else is an unknown option. `base` is the field's offset in the line.
/// Stops at the first error (as ssh-keygen does), reporting it; None when there was one.
fn parse_options(
    sink: &mut Sink<'_>,
    at: &dyn Fn(usize, usize) -> std::ops::Range<usize>,
    o: &str,
    base: usize,
) -> Option<LineOptions> {
    let mut opts = LineOptions::default();
    let b = o.as_bytes();
    let clause_end = |k: usize| {
        let mut quoted = false;
        let mut i = k;
        while i < b.len() && (quoted || b[i] != b',') {
            if b[i] == b'"' {
                quoted = !quoted;
            }
            i += 1;
        }
        i
    };
    let mut k = 0;
    while k < b.len() {
        let start = k;
        let rest = &o[k..];
        let value_opt = ["namespaces", "valid-after", "valid-before"]
            .into_iter()
            .find(|n| starts_with_ci(rest, n) && rest.as_bytes().get(n.len()) == Some(&b'='));
        if starts_with_ci(rest, "verify-required")
            && matches!(rest.as_bytes().get(15), None | Some(b','))
        {
            // A flag without a value, as newer OpenSSH writes it.
            opts.verify_required = true;
            k += 15;
        } else if starts_with_ci(rest, "cert-authority")
            && matches!(rest.as_bytes().get(14), None | Some(b','))
        {
            sink.error(
                at(base + k, 14),
                "certificate authorities (`cert-authority`) are not supported yet",
                "list each signer's own public key on its own line instead of the CA key"
                    .to_string(),
            );
            return None;
        } else if let Some(name) = value_opt {
            let span = at(base + k, clause_end(k) - k);
            let twice = match name {
                "namespaces" => opts.namespaces.is_some(),
                "valid-after" => opts.valid_after.is_some(),
                _ => opts.valid_before.is_some(),
            };
            if twice {
                sink.error(
                    span,
                    format!("a second `{name}=` clause: ssh-keygen refuses a line with two"),
                    format!("keep one {name}=\"…\" on this line"),
                );
                return None;
            }
            let voff = k + name.len() + 1;
            let (value, after) = match dequote(o, voff) {
                Ok(v) => v,
                Err(why) => {
                    let raw = &o[voff..clause_end(voff)];
                    sink.error(
                        at(base + voff, raw.len()),
                        format!("the value of `{name}` must be in double quotes ({why})"),
                        if name == "namespaces" {
                            "write namespaces=\"countersign\" (ssh-keygen refuses the line otherwise)"
                                .to_string()
                        } else {
                            format!("write {name}=\"YYYYMMDD\", e.g. {name}=\"{}\" (ssh-keygen refuses the line otherwise)", raw.trim_matches('"'))
                        },
                    );
                    return None;
                }
            };
            if name == "namespaces" {
                opts.namespaces = Some(
                    super::pattern::list_items(&value)
                        .into_iter()
                        .map(str::to_string)
                        .collect(),
                );
            } else {
                let Some(t) = parse_time(&value) else {
                    sink.error(
                        at(base + voff + 1, value.len()),
                        format!("`{name}` time `{value}` is not a valid date"),
                        format!("write {name}=\"YYYYMMDD\", \"YYYYMMDDHHMM\" or \"YYYYMMDDHHMMSS\" (UTC, optional trailing Z), e.g. {name}=\"20250101\""),
                    );
                    return None;
                };
                if name == "valid-after" {
                    opts.valid_after = Some(t);
                } else {
                    opts.valid_before = Some(t);
                }
            }
            k = after;
        }
        if k == b.len() {
            break;
        }
        if b[k] != b',' {
            let end = clause_end(start);
            let name = o[start..end].split('=').next().unwrap_or("");
            let mut help = format!(
                "allowed options are {}",
                [
                    "namespaces=\"…\"",
                    "valid-after=\"…\"",
                    "valid-before=\"…\""
                ]
                .join(", ")
            );
            if let Some(c) = closest(name, OPTIONS[..3].iter().copied()) {
                help = format!("did you mean `{c}`? {help}");
            }
            sink.error(
                at(base + start, end - start),
                format!("unknown option `{name}`"),
                help,
            );
            return None;
        }
        k += 1;
        if k == b.len() {
            sink.error(
                at(base + k - 1, 1),
                "the options end in a comma",
                "remove the trailing comma (ssh-keygen refuses the line)".to_string(),
            );
            return None;
        }
    }
    Some(opts)
}

/// Reads one line as `ssh-keygen -Y verify` does (OpenSSH's
/// `parse_principals_key_and_options`):
///
/// 1. the principals field ends at the first space, tab or double quote; a quote opens a part
///    that runs to the next quote (spaces and commas included) and ends the field
///    (`"alice@x,bob@x"` is two principals, `"a@x",b@x` is `a@x` followed by garbage);
/// 2. then either a public key, or an options field (to the first space outside quotes)
///    followed by a public key; anything after the key is a comment.
///
/// countersign refuses more than ssh-keygen in a few places, never less: an empty principal
/// (`a@x,,b@x`), `cert-authority`, and dates that do not exist (`20240231`).
fn parse_line(
    sink: &mut Sink<'_>,
    line: &str,
    line_start: usize,
    line_no: usize,
    mentioned: &mut Vec<Vec<String>>,
) -> Option<AllowedSigner> {
    let at = |start: usize, len: usize| line_start + start..line_start + start + len;
    let b = line.as_bytes();
    let p_start = skip(b, 0, FIELD_SPACE);
    let stop = b[p_start..]
        .iter()
        .position(|c| FIELD_SPACE.contains(c) || *c == b'"')
        .map(|k| p_start + k);
    let (field, after) = match stop {
        None => {
            mentioned.push(owned_items(&line[p_start..]));
            sink.error(
                at(line.len(), 0),
                "this line names principals but no public key",
                "append the signer's public key, as in their `.pub` file: `ssh-ed25519 AAAA… comment`"
                    .to_string(),
            );
            return None;
        }
        Some(q) if b[q] == b'"' => match b[q + 1..].iter().position(|c| *c == b'"') {
            None => {
                sink.error(
                    at(q, line.len() - q),
                    "the double quote opened here is never closed",
                    "close it: \"alice@example.com\"".to_string(),
                );
                return None;
            }
            Some(k) => (
                format!("{}{}", &line[p_start..q], &line[q + 1..q + 1 + k]),
                q + 2 + k,
            ),
        },
        Some(w) => (line[p_start..w].to_string(), w + 1),
    };
    let mut ok = true;
    let principals = owned_items(&field);
    mentioned.push(principals.clone());
    if principals.is_empty() || principals.iter().any(String::is_empty) {
        sink.error(
            at(p_start, after - p_start),
            "empty principal",
            "separate principals with single commas and no spaces: alice@example.com,alice@corp.example".to_string(),
        );
        ok = false;
    }

    let rest = skip(b, after, FIELD_SPACE);
    let mut opts = LineOptions::default();
    let key = match read_key(line, rest) {
        Some((key, _)) => Some(key),
        None if rest == line.len() => {
            sink.error(
                at(line.len(), 0),
                "this line names principals but no public key",
                "append the signer's public key, as in their `.pub` file: `ssh-ed25519 AAAA… comment`"
                    .to_string(),
            );
            return None;
        }
        None if !looks_like_options(line, rest) => {
            report_bad_key(sink, &at, line, rest);
            return None;
        }
        None => {
            let Some(o_end) = options_end(b, rest) else {
                sink.error(
                    at(rest, line.len() - rest),
                    "a double quote in the options is never closed",
                    "close the quote: namespaces=\"countersign\"".to_string(),
                );
                return None;
            };
            match parse_options(sink, &at, &line[rest..o_end], rest) {
                Some(o) => opts = o,
                None => ok = false,
            }
            // OpenSSH steps over the one space or tab that ends the options, then any more.
            let k = skip(b, (o_end + 1).min(line.len()), b" \t");
            if o_end == line.len() || k == line.len() {
                sink.error(
                    at(line.len(), 0),
                    "this line has options but no public key",
                    "append the signer's public key, as in their `.pub` file: `ssh-ed25519 AAAA… comment`"
                        .to_string(),
                );
                return None;
            }
            match read_key(line, k) {
                Some((key, _)) => Some(key),
                None => {
                    report_bad_key(sink, &at, line, k);
                    None
                }
            }
        }
    };
    if let (Some(a), Some(b)) = (opts.valid_after, opts.valid_before) {
        if b <= a {
            sink.error(
                at(rest, field_end(line.as_bytes(), rest) - rest),
                "`valid-before` is not after `valid-after`, so the key is never valid",
                "make valid-before later than valid-after, or remove one of them".to_string(),
            );
            ok = false;
        }
    }
    if !ok {
        return None;
    }
    Some(AllowedSigner {
        principals,
        namespaces: opts.namespaces,
        valid_after: opts.valid_after,
        valid_before: opts.valid_before,
        key: key?,
        line: line_no,
        verify_required: opts.verify_required,
    })
}

fn owned_items(list: &str) -> Vec<String> {
    super::pattern::list_items(list)
        .into_iter()
        .map(str::to_string)
        .collect()
}

/// Says why the key starting at `k` does not read.
fn report_bad_key(
    sink: &mut Sink<'_>,
    at: &dyn Fn(usize, usize) -> std::ops::Range<usize>,
    line: &str,
    k: usize,
) {
    let b = line.as_bytes();
    let type_end = field_end(b, k);
    let data = skip(b, type_end, b" \t");
    let data_end = field_end(b, data);
    let key_type = &line[k..type_end];
    let (message, help) = if !is_key_type(key_type) {
        (
            format!("unknown key type `{key_type}`"),
            "paste the key line of the signer's `.pub` file, e.g. `ssh-ed25519 AAAAC3Nza… alice`"
                .to_string(),
        )
    } else if data == data_end {
        (
            format!("the `{key_type}` key has no key data"),
            "paste the whole key from the signer's `.pub` file: `ssh-ed25519 AAAAC3Nza… alice`"
                .to_string(),
        )
    } else {
        let why =
            ssh_key::PublicKey::from_openssh(&format!("{key_type} {}", &line[data..data_end]))
                .err()
                .map_or_else(
                    || format!("its data is not a `{key_type}` key"),
                    |e| e.to_string(),
                );
        (
            format!("cannot read the public key: {why}"),
            "paste the key exactly as in the signer's `.pub` file (the base64 part is damaged or truncated)"
                .to_string(),
        )
    };
    let len = if data == data_end {
        type_end - k
    } else {
        data_end - k
    };
    sink.error(at(k, len), message, help);
}

/// `YYYYMMDD`, `YYYYMMDDHHMM` or `YYYYMMDDHHMMSS`, optional trailing `Z` or `UTC` (any
/// case, as OpenSSH's `parse_absolute_time`); read as UTC. The epoch itself is refused, as
/// ssh-keygen refuses it (0 means "unset" there).
fn parse_time(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let digits = match s.strip_suffix(['Z', 'z']) {
        Some(d) => d,
        // Compared as bytes: the value is the roster author's, and the last three bytes of
        // a non-ASCII value are no char boundary (found by the fuzzer).
        None if s.len() > 3 && s.as_bytes()[s.len() - 3..].eq_ignore_ascii_case(b"UTC") => {
            &s[..s.len() - 3]
        }
        None => s,
    };
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
    let t = date.and_hms_opt(h, m, sec)?.and_utc();
    (t.timestamp() != 0).then_some(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fuzzer's find: a `valid-after` value ending inside a multi-byte character made
    /// the `UTC` suffix check slice through it and panic.
    #[test]
    fn a_time_ending_in_a_multibyte_character_is_refused_not_a_panic() {
        let crash: &[u8] = &[
            77, 47, 53, 32, 118, 97, 108, 105, 100, 45, 97, 102, 116, 101, 114, 61, 34, 110, 61,
            13, 125, 13, 5, 61, 5, 61, 107, 107, 13, 243, 130, 172, 171, 13, 61, 34, 125, 44,
        ];
        let text = String::from_utf8_lossy(crash);
        assert!(parse_roster(&text, "allowed_signers").is_err());
        assert_eq!(parse_time("2024\u{c2b2b}"), None);
        assert_eq!(parse_time("é€UTC"), None);
        assert!(parse_time("20240101utc").is_some());
    }

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
