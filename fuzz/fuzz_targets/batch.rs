//! A batch as the central office opens it: the fuzzer writes the tar inside (manifest, signature,
//! audit log, packets in any order and shape), sealed to a test identity, and verification
//! answers with a verified batch or a typed error — never a panic, never a packet handed on from
//! a batch that then fails.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::io::Write;
use std::sync::OnceLock;

fn identity() -> &'static age::x25519::Identity {
    static ID: OnceLock<age::x25519::Identity> = OnceLock::new();
    ID.get_or_init(age::x25519::Identity::generate)
}

fuzz_target!(|data: &[u8]| {
    let recipient = identity().to_public();
    let Ok(encryptor) = age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient)) else {
        return;
    };
    let mut sealed = Vec::new();
    let Ok(mut w) = encryptor.wrap_output(&mut sealed) else { return };
    if w.write_all(data).is_err() || w.finish().is_err() {
        return;
    }
    let identities: Vec<Box<dyn age::Identity + Send + Sync>> = vec![Box::new(identity().clone())];
    let mut handed = 0usize;
    let result = enroll_kit::batch::verify::verify_batch_each(
        std::io::BufReader::new(sealed.as_slice()),
        std::path::Path::new("fuzz.ekb"),
        &identities,
        None,
        &mut |_, _| {
            handed += 1;
            Ok(())
        },
    );
    if let Ok(batch) = result {
        assert!(handed <= batch.manifest.packets.len(), "no more packets than the manifest names");
    }
});
