//! OpenSSH patterns (`man ssh_config`, PATTERNS), as `ssh-keygen -Y verify` matches the
//! principals and `namespaces=` lists of an allowed_signers line — with the same answers, in
//! time linear in the string.
//!
//! - A **pattern** matches a whole string: `*` is any run of bytes (none included), `?` is
//!   exactly one byte (one *byte*, as OpenSSH's `match_pattern`: `?@x` does not match `é@x`),
//!   any other byte is itself. Case counts.
//! - A **list** is patterns separated by commas; one starting with `!` is negated. The list
//!   matches when some plain pattern matches and no negated one does (`!bob@x,*@x` matches
//!   `alice@x`, not `bob@x`). As in OpenSSH, a pattern of 1,023 bytes or more makes the whole
//!   list match nothing, and a trailing comma adds no empty pattern.
//!
//! **Why not OpenSSH's algorithm:** its `match_pattern` backtracks recursively, which takes
//! time quadratic (or worse) in the string: 100,000 `@` against `*@*.example.com` takes
//! seconds, and a note line can hold a megabyte. Here a pattern is matched with the
//! two-pointer method, which only ever backtracks to the most recent `*`: at most
//! O(string × pattern) steps, and the pattern comes from the trusted roster (under 1,023
//! bytes), so the cost is linear in what an attacker writes.

/// OpenSSH's limit on one pattern of a list (`char sub[1024]` in `match_pattern_list`).
pub(crate) const MAX_SUBPATTERN: usize = 1023;

/// Does `pattern` (`*`, `?`, literal bytes) match the whole of `s`?
pub fn matches(pattern: &str, s: &str) -> bool {
    let (p, s) = (pattern.as_bytes(), s.as_bytes());
    let (mut pi, mut si) = (0, 0);
    // Where to resume after the last `*`: the pattern just past it, and the string position
    // that star has consumed up to.
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        match p.get(pi) {
            Some(b'*') => {
                star = Some((pi + 1, si));
                pi += 1;
            }
            Some(&c) if c == b'?' || c == s[si] => {
                pi += 1;
                si += 1;
            }
            _ => match star {
                // Let the last star swallow one more byte and try again from there.
                Some((after, used)) => {
                    star = Some((after, used + 1));
                    pi = after;
                    si = used + 1;
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

/// The patterns of a comma-separated list as OpenSSH reads them: `""` holds none, a trailing
/// comma adds none, a leading or doubled comma adds an empty pattern.
pub(crate) fn list_items(list: &str) -> Vec<&str> {
    if list.is_empty() {
        return Vec::new();
    }
    let mut items: Vec<&str> = list.split(',').collect();
    if list.ends_with(',') {
        items.pop();
    }
    items
}

/// How a list answers for a string: OpenSSH's `match_pattern_list` returns 1, 0 or -1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ListMatch {
    /// A plain pattern matched and no negated one did.
    Yes,
    /// Nothing matched (or a pattern was too long).
    No,
    /// A negated pattern matched: the list refuses the string outright.
    Negated,
}

/// Matches `s` against the list `items` (see [`list_items`]) exactly as OpenSSH's
/// `match_pattern_list(s, list, 0)` does.
pub(crate) fn match_list<'a>(items: impl IntoIterator<Item = &'a str>, s: &str) -> ListMatch {
    let mut positive = false;
    for item in items {
        let (negated, pattern) = match item.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, item),
        };
        if pattern.len() >= MAX_SUBPATTERN {
            return ListMatch::No;
        }
        if matches(pattern, s) {
            if negated {
                return ListMatch::Negated;
            }
            positive = true;
        }
    }
    if positive {
        ListMatch::Yes
    } else {
        ListMatch::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// OpenSSH's recursive `match_pattern`, transcribed, as the oracle for the fast one.
    fn reference(s: &[u8], p: &[u8]) -> bool {
        match p.split_first() {
            None => s.is_empty(),
            Some((b'*', rest)) => (0..=s.len()).any(|i| reference(&s[i..], rest)),
            Some((b'?', rest)) => !s.is_empty() && reference(&s[1..], rest),
            Some((c, rest)) => s.first() == Some(c) && reference(&s[1..], rest),
        }
    }

    #[test]
    fn patterns_match_like_openssh_on_every_small_case() {
        let alphabet = ["", "a", "b", "*", "?", "@"];
        let mut words = vec![String::new()];
        for _ in 0..4 {
            let mut next = Vec::new();
            for w in &words {
                for a in alphabet {
                    next.push(format!("{w}{a}"));
                }
            }
            words.extend(next);
            words.sort();
            words.dedup();
        }
        let strings: Vec<&String> = words.iter().filter(|w| !w.contains(['*', '?'])).collect();
        for p in &words {
            for s in &strings {
                assert_eq!(
                    matches(p, s),
                    reference(s.as_bytes(), p.as_bytes()),
                    "pattern {p:?} on {s:?}"
                );
            }
        }
    }

    #[test]
    fn question_mark_is_one_byte_as_in_openssh() {
        assert!(!matches("?@x", "é@x"));
        assert!(matches("??@x", "é@x"));
        assert!(matches("*@example.com", "alice@example.com"));
        assert!(!matches("*@example.com", "alice@example.org"));
        assert!(!matches("bob@x", "bobby@x"));
    }

    #[test]
    fn lists_negate_and_give_up_on_overlong_patterns() {
        assert_eq!(
            match_list(list_items("!bob@x,*@x"), "bob@x"),
            ListMatch::Negated
        );
        assert_eq!(match_list(list_items("!bob@x,*@x"), "al@x"), ListMatch::Yes);
        assert_eq!(
            match_list(list_items("!a@x,a@x"), "a@x"),
            ListMatch::Negated
        );
        assert_eq!(match_list(list_items(""), "a@x"), ListMatch::No);
        assert_eq!(list_items("a,"), ["a"]);
        assert_eq!(list_items(",a"), ["", "a"]);
        let long = format!("a@x,{}", "b".repeat(MAX_SUBPATTERN));
        assert_eq!(match_list(list_items(&long), "a@x"), ListMatch::No);
        assert_eq!(match_list(list_items("*"), "countersign"), ListMatch::Yes);
    }

    /// A hang guard, not a timing: a megabyte of `@` (a note line's cap) against
    /// `*@*.example.com` is ~5·10¹¹ steps for OpenSSH's backtracking; here a few million.
    #[test]
    fn a_megabyte_of_at_signs_against_a_two_star_pattern_does_not_hang() {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let at = "@".repeat(1024 * 1024);
            let _ = tx.send((
                matches("*@*.example.com", &at),
                matches("*@*", &at),
                match_list(list_items("!*@*.example.org,*@*.example.com"), &at),
            ));
        });
        let got = rx
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("pattern matching hangs on a long principal");
        assert_eq!(got, (false, true, ListMatch::No));
    }
}
