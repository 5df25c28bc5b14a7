//! A device profile from the data dir: any text is a profile or a typed error, never a panic.
#![no_main]
use enroll_kit::devices::profile::DeviceProfile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = DeviceProfile::parse("fuzz.toml", text);
    }
});
