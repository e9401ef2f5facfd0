//! The per-commit verdict that `status`, `verify` and the TUI show: provenance, tier with
//! reasons, and where the commit stands.
