//! `.countersign/policy.toml`, as written by whoever edits the trusted branch.
#![no_main]
use countersign_core::policy::{parse_policy, PolicySource};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let source = PolicySource {
            rev: "fuzz".to_string(),
            commit: None,
        };
        let _ = parse_policy(text, ".countersign/policy.toml", source);
    }
});
