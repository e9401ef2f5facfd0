//! What a reviewer reads: word-level emphasis (similar), syntax highlighting (syntect) and
//! themes. Filled in by the review-workstation work.
