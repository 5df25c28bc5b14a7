//! kit.toml: any text is a validated configuration or a typed error, never a panic.
#![no_main]
use enroll_kit::kit::config::KitConfig;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = KitConfig::parse(text, std::path::Path::new("kit.toml"));
    }
});
