//! The review workstation (ratatui + crossterm). Filled in by the review-workstation work.
