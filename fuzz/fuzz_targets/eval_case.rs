//! Reading an evaluation case and deciding it never panics, whatever the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    if let Ok(case) = eval::Case::from_json(&v) {
        let _ = case.evaluate();
    }
});
