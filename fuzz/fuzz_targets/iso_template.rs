//! A stored or imported ISO/IEC 19794-2 template, and a stored search digest: parsed or refused,
//! never a panic; what parses writes back to the same record.
#![no_main]
use kit_biometrics::search::Digest;
use kit_biometrics::template::Template;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok((template, position, quality)) = Template::from_iso(data) {
        let again = template.to_iso(position, quality);
        let (back, p, q) = Template::from_iso(&again).expect("what the kit writes, it reads");
        assert_eq!((back.minutiae.len(), p, q), (template.minutiae.len(), position, quality));
    }
    let _ = Digest::from_bytes(data);
});
