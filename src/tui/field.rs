//! A text field with a cursor, for the comment box: the one place its editing keys live
//! (characters and Tab inserted at the cursor, Alt-Enter / Ctrl-J a new line, Backspace and
//! Delete, Left / Right, Home / End of the line). Pastes insert here too.
//!
//! The cursor is a byte offset that always sits on a character boundary, so no edit can
//! split a character.

use super::action::Action;

/// Text being edited and where the cursor is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TextField {
    text: String,
    /// Byte offset of the cursor in `text` (on a character boundary).
    cursor: usize,
}

impl TextField {
    /// A field holding `text`, the cursor at its end (a draft opened again is added to).
    pub fn new(text: &str) -> TextField {
        TextField {
            text: text.to_string(),
            cursor: text.len(),
        }
    }

    /// The text as typed so far (the cursor is not in it).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The cursor's byte offset.
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// Inserts `s` at the cursor, which moves past it.
    pub fn insert(&mut self, s: &str) {
        self.text.insert_str(self.cursor, s);
        self.cursor += s.len();
    }

    fn prev_boundary(&self) -> usize {
        self.text[..self.cursor]
            .char_indices()
            .next_back()
            .map_or(0, |(i, _)| i)
    }

    fn next_boundary(&self) -> usize {
        self.text[self.cursor..]
            .chars()
            .next()
            .map_or(self.cursor, |c| self.cursor + c.len_utf8())
    }

    /// Applies an editing key; true when `action` was one.
    pub fn apply(&mut self, action: &Action) -> bool {
        match action {
            Action::Char(c) => {
                let mut b = [0u8; 4];
                self.insert(c.encode_utf8(&mut b));
            }
            Action::Newline => self.insert("\n"),
            // A paste lands whole, its line breaks kept (control characters dropped).
            Action::Paste(text) => {
                let text: String = super::overlay::pasted(text).collect();
                self.insert(&text);
            }
            Action::Backspace => {
                let at = self.prev_boundary();
                self.text.replace_range(at..self.cursor, "");
                self.cursor = at;
            }
            Action::DeleteChar => {
                let end = self.next_boundary();
                self.text.replace_range(self.cursor..end, "");
            }
            Action::CursorLeft => self.cursor = self.prev_boundary(),
            Action::CursorRight => self.cursor = self.next_boundary(),
            Action::CursorHome => {
                self.cursor = self.text[..self.cursor].rfind('\n').map_or(0, |i| i + 1);
            }
            Action::CursorEnd => {
                self.cursor = self.text[self.cursor..]
                    .find('\n')
                    .map_or(self.text.len(), |i| self.cursor + i);
            }
            _ => return false,
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(keys: &[Action]) -> TextField {
        let mut f = TextField::new("");
        for k in keys {
            assert!(f.apply(k), "{k:?} edits");
        }
        f
    }

    #[test]
    fn edits_at_the_cursor_across_lines_and_wide_characters() {
        use Action::*;
        let f = typed(&[
            Char('a'),
            Char('é'),
            Char('c'),
            CursorLeft,
            CursorLeft,
            Char('b'),
            CursorEnd,
            Newline,
            Char('\t'),
            Char('x'),
            CursorHome,
            DeleteChar,
            CursorLeft,
            Backspace,
        ]);
        assert_eq!(f.text(), "abé\nx");
        assert_eq!(f.cursor(), "abé".len());
        let mut f = TextField::new("ab\ncd");
        f.apply(&CursorHome);
        assert_eq!(f.cursor(), 3);
        f.apply(&CursorLeft);
        f.apply(&CursorHome);
        assert_eq!(f.cursor(), 0);
        f.apply(&CursorEnd);
        assert_eq!(f.cursor(), 2);
        assert!(!f.apply(&Confirm));
    }
}
