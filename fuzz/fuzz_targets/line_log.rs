//! A line-provenance note (git-ai authorship log or Agent Trace record), which anyone who can
//! push a notes ref named in `[ai] line_notes` writes.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(log) = countersign_core::policy::line_log::parse(data) {
        for a in &log.attested {
            for (start, end) in &a.ranges {
                assert!(1 <= *start && start <= end);
                assert!(*end <= countersign_core::policy::line_log::MAX_LINE);
            }
        }
    }
});
