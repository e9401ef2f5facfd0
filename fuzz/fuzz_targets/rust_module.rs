//! The Rust module scanner `impact` runs over every `.rs` file of a change.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = countersign_core::fuzzing::scan_rust_module(text);
    }
});
