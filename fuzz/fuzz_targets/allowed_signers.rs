//! `.countersign/allowed_signers` (ssh-keygen's format).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = countersign_core::policy::parse_roster(text, ".countersign/allowed_signers");
    }
});
