//! ZFM (R307, AS608, R503) bytes from the serial line, arriving split at any byte: the parser
//! never panics, never claims more bytes than it holds, and a packet read from a prefix is the
//! packet read once more bytes have arrived (the reader resynchronises by dropping a byte).
#![no_main]
use enroll_kit::devices::zfm::protocol::parse_frame;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&split, bytes)) = data.split_first() else { return };
    let mut at = 0;
    while at < bytes.len() {
        let rest = &bytes[at..];
        let early = parse_frame(&rest[..usize::from(split).min(rest.len())]);
        match parse_frame(rest) {
            Ok(Some((framed, used))) => {
                assert!(used > 0 && used <= rest.len(), "used {used} of {}", rest.len());
                if let Ok(Some((earlier, n))) = early {
                    assert_eq!((format!("{earlier:?}"), n), (format!("{framed:?}"), used), "a prefix read the same");
                }
                at += used;
            }
            Ok(None) => break,
            Err(_) => at += 1,
        }
    }
});
