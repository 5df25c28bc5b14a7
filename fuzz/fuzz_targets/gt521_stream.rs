//! GT-521 command, response and data packets from the serial line, split at any byte: no panic,
//! never more bytes claimed than held, and a prefix reads as the whole does.
#![no_main]
use enroll_kit::devices::gt521::protocol::{parse, parse_data};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&len, bytes)) = data.split_first() else { return };
    let data_len = usize::from(len) * 4;
    let mut at = 0;
    while at < bytes.len() {
        let rest = &bytes[at..];
        let used = match (parse(rest), parse_data(rest, data_len)) {
            (Ok(Some((_, n))), _) | (_, Ok(Some((_, n)))) => n,
            (Ok(None), _) | (_, Ok(None)) => break,
            (Err(_), Err(_)) => 1,
        };
        assert!(used > 0 && used <= rest.len(), "used {used} of {}", rest.len());
        at += used;
    }
});
