//! The register of kits the central office verifies against: parsed or refused with a sentence.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = enroll_kit::batch::registry::parse_registered_kits(text);
    }
});
