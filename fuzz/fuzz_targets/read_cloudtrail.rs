//! Reading CloudTrail never panics, whatever the bytes (a log file, lookup-events output or JSON
//! lines, gzipped or not), and attributing what it read to roles and actions does not either:
//! bad records and files are counted, never fatal.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let u = usage::scan_bytes("trail.json", data, usage::Window::default());
    assert!(u.read.files <= 1);
    let _ = usage::rows(&u);
});
