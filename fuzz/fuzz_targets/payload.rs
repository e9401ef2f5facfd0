//! A sign-off payload (the signed text inside a note line).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = countersign_core::signoff::Payload::parse(text);
    }
});
