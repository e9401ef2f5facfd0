//! Quoting a word for a POSIX shell, so that a hint like `cd PATH` runs as printed even when
//! the path holds spaces, quotes or `$`.

use std::borrow::Cow;

/// `word` as one shell word: unchanged when it holds only characters no shell treats
/// specially, else in single quotes (a `'` inside written `'\''`). Control characters are
/// left to [`crate::util::escape`], which the caller applies before printing.
pub fn quote(word: &str) -> Cow<'_, str> {
    let plain = !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:@%+=,".contains(&b));
    if plain {
        Cow::Borrowed(word)
    } else {
        Cow::Owned(format!("'{}'", word.replace('\'', "'\\''")))
    }
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn words_a_shell_would_split_or_expand_are_single_quoted() {
        assert_eq!(quote("/tmp/demo/repo"), "/tmp/demo/repo");
        assert_eq!(quote("/tmp/my demo"), "'/tmp/my demo'");
        assert_eq!(quote("it's"), "'it'\\''s'");
        assert_eq!(quote("$HOME"), "'$HOME'");
        assert_eq!(quote(""), "''");
        assert_eq!(quote("~/x"), "'~/x'");
    }

    #[test]
    fn a_quoted_word_reads_back_through_a_real_shell() {
        for w in ["a b", "it's", "$(echo no)", "tab\there", "*"] {
            let out = std::process::Command::new("sh")
                .args(["-c", &format!("printf %s {}", quote(w))])
                .output()
                .unwrap();
            assert_eq!(String::from_utf8_lossy(&out.stdout), w);
        }
    }
}
