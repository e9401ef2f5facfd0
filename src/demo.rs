//! `countersign demo`: a small but real Cargo workspace repository with AI-authored commits.
