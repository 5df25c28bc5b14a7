//! What an SBI device sends: its JSON answers (numbers as strings or not), the JWS it signs, and
//! the ISO/IEC 19794-4 record with its JPEG 2000 image: parsed or refused, never a panic.
#![no_main]
use enroll_kit::devices::sbi::jws;
use enroll_kit::devices::sbi::wire::{CaptureResponse, Discovered, InfoEntry};
use enroll_kit::devices::sbi::DeviceTrust;
use enroll_kit::interchange::{finger_image, jpeg2000};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = serde_json::from_slice::<CaptureResponse>(data);
    let _ = serde_json::from_slice::<Vec<Discovered>>(data);
    let _ = serde_json::from_slice::<Vec<InfoEntry>>(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = jws::payload_unverified(text);
        let _ = jws::verify(text, &DeviceTrust::default(), chrono::Utc::now());
    }
    if let Ok(record) = finger_image::decode(data) {
        assert_eq!(record.image.pixels().len() as u64, u64::from(record.image.width()) * u64::from(record.image.height()));
    }
    let _ = jpeg2000::decode(data);
});
