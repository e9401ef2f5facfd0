//! Tier classification: the direct tier of each touched path and crate, with reasons.
