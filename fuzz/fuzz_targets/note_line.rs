//! One line of the sign-off notes ref, which anyone who can push the ref writes.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        for line in text.lines() {
            let _ = countersign_core::signoff::NoteLine::parse(line);
        }
    }
});
