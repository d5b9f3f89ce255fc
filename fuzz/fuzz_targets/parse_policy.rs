//! The policy parser never panics on arbitrary bytes, and what it accepts prints and parses back
//! to the same policy.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(p) = policy::Policy::parse_str(text) {
        let again = policy::Policy::from_json(&p.to_json());
        assert_eq!(again.as_ref().ok(), Some(&p));
    }
});
