//! Cutting quoted text to a length: a message that quotes hostile input (a policy line, a
//! principal) says what it is without repeating a megabyte of it.

use std::borrow::Cow;

/// `s` cut to at most `max` characters, ending in `…` when cut: for quoting hostile input
/// (a policy line, a principal) in a message without repeating a megabyte of it.
pub fn clip(s: &str, max: usize) -> Cow<'_, str> {
    match s.char_indices().nth(max) {
        None => Cow::Borrowed(s),
        Some(_) => {
            let keep = max.saturating_sub(1);
            let end = s.char_indices().nth(keep).map_or(s.len(), |(i, _)| i);
            Cow::Owned(format!("{}…", &s[..end]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_cuts_long_input_with_an_ellipsis() {
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(clip("abcd", 4), "abcd");
        assert_eq!(clip("ééééé", 3), "éé…");
    }
}
