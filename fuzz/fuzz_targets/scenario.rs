//! A training scenario file: parsed and checked, or a typed error, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = enroll_kit::domain::scenario::Scenario::parse("fuzz.toml", text);
    }
});
