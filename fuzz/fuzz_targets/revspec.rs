//! REVSPECs as typed (or as an unset shell variable leaves them): the pure splitting part.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Some((from, to, _)) = countersign_core::fuzzing::split_range(text) {
            assert!(from.len() + to.len() < text.len());
        }
    }
});
