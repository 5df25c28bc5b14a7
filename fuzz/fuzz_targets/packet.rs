//! A packet's bytes (from a batch, or a tampered database): opened and verified, or a typed
//! error, never a panic — the zstd frame, the tar, packet.json and every file hash included.
#![no_main]
use enroll_kit::packet::open_packet;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = open_packet(data, None);
});
