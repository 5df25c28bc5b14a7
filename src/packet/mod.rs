//! Enrollment packets: canonical `packet.json`, Ed25519 keys, sealing and verifying.
//!
//! A packet is a zstd-compressed tar of `packet.json` (canonical JSON), `packet.sig` (the kit's
//! Ed25519 signature over `packet.json`, hex) and the biometric files `packet.json` lists with
//! their SHA-256 and size. Format version 1; see `manifest.rs` for the fields.

pub mod build;
pub mod canonical;
pub mod device;
pub mod keys;
pub mod manifest;
pub mod verify;

pub use build::{SealedPacket, build_packet};
pub use device::{DeviceSignatureError, verify_device_signatures};
pub use keys::{KeyTextError, KitKey, PublicKey};
pub use manifest::PacketJson;
pub use verify::{OpenedPacket, open_packet, training_flag};

use thiserror::Error;

/// Name of the signed manifest inside a packet.
pub const PACKET_JSON: &str = "packet.json";
/// Name of the signature inside a packet.
pub const PACKET_SIG: &str = "packet.sig";
/// The newest packet format version this build writes and reads. Version 2 is version 1 with
/// certified devices' signatures on the prints they took; a packet without one is still written
/// as version 1, byte for byte as before, so an intake that reads only version 1 keeps working.
pub const PACKET_VERSION: u32 = 2;
/// The versions this build reads.
pub const PACKET_VERSIONS: std::ops::RangeInclusive<u32> = 1..=PACKET_VERSION;
/// The largest packet, compressed or not, this build accepts: ten prints, two photos and JSON
/// are a few MiB at most, so anything beyond this is damage or an attack.
pub const MAX_PACKET_BYTES: u64 = 64 * 1024 * 1024;

/// Why a packet could not be built or did not verify.
#[derive(Debug, Error)]
pub enum PacketError {
    /// The compressed bytes are not a readable packet.
    #[error("the packet is not readable ({0}): it is damaged or not a packet")]
    Unreadable(String),
    /// The packet is larger than any real packet.
    #[error("the packet is larger than {MAX_PACKET_BYTES} bytes once unpacked: it is damaged or not a packet")]
    TooLarge,
    /// A file the packet must carry is missing.
    #[error("the packet has no {0}")]
    Missing(String),
    /// The tar holds a file `packet.json` does not list.
    #[error("the packet holds {0}, which packet.json does not list")]
    Unlisted(String),
    /// `packet.json` does not parse.
    #[error("packet.json is not valid: {0}")]
    Manifest(String),
    /// `packet.json` is of a version this build does not read.
    #[error("packet format version {0} is not supported (this kit reads versions 1 to {PACKET_VERSION})")]
    Version(u32),
    /// The signature does not match `packet.json` and the kit key.
    #[error("the signature over packet.json does not verify against the kit key")]
    BadSignature,
    /// The packet names another kit's key.
    #[error("the packet was signed by another kit (key {found}, expected {expected})")]
    WrongKit {
        /// Fingerprint of the key named in the packet.
        found: String,
        /// Fingerprint of the key expected.
        expected: String,
    },
    /// A file's bytes do not match the hash in `packet.json`.
    #[error("{0} does not match the SHA-256 in packet.json: the file was altered")]
    HashMismatch(String),
    /// A file's size does not match `packet.json`.
    #[error("{name} is {found} bytes, packet.json says {expected}")]
    SizeMismatch {
        /// The file.
        name: String,
        /// Its size.
        found: u64,
        /// The size listed.
        expected: u64,
    },
    /// An image could not be encoded.
    #[error("could not encode {0}")]
    Encode(String),
}

/// SHA-256 of `bytes` as lowercase hex: the one hash used for files, packets and audit entries.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(bytes))
}

/// Bytes read from `reader` to its end, and their SHA-256 (hex): files too big to hold at once.
pub fn sha256_of_reader(reader: &mut impl std::io::Read) -> std::io::Result<(u64, String)> {
    use sha2::Digest;
    let mut hash = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hash.update(&buf[..n]);
        total += n as u64;
    }
    Ok((total, hex::encode(hash.finalize())))
}

/// A UTC time as packets and the audit log write it: `yyyy-mm-ddThh:mm:ssZ`.
pub fn utc_text(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}
