//! A receipts file from a stick: any bytes are receipts or a sentence saying what is wrong.
#![no_main]
use enroll_kit::sync::receipts::ReceiptsFile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = ReceiptsFile::parse(data, std::path::Path::new("receipts.json"));
});
