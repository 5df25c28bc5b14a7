//! Opening a packet and checking everything in it: size limits, signature, every file's hash.

use super::keys::PublicKey;
use super::manifest::PacketJson;
use super::{MAX_PACKET_BYTES, PACKET_JSON, PACKET_SIG, PACKET_VERSION, PacketError, sha256_hex};
use std::collections::BTreeMap;
use std::io::Read;

/// A packet whose signature and files all checked out.
#[derive(Debug, Clone)]
pub struct OpenedPacket {
    /// What `packet.json` says.
    pub json: PacketJson,
    /// The signed bytes of `packet.json`.
    pub json_bytes: Vec<u8>,
    /// The listed files by name.
    pub files: BTreeMap<String, Vec<u8>>,
}

/// Unpacks and verifies a packet. With `expected_key`, the packet must name and be signed by
/// that key; without, it is checked against the key it names (for reading, not for trust).
pub fn open_packet(bytes: &[u8], expected_key: Option<&PublicKey>) -> Result<OpenedPacket, PacketError> {
    if bytes.len() as u64 > MAX_PACKET_BYTES {
        return Err(PacketError::TooLarge);
    }
    let decoder = zstd::stream::read::Decoder::new(bytes).map_err(|e| PacketError::Unreadable(format!("zstd: {e}")))?;
    let mut tar_bytes = Vec::new();
    decoder
        .take(MAX_PACKET_BYTES + 1)
        .read_to_end(&mut tar_bytes)
        .map_err(|e| PacketError::Unreadable(format!("zstd: {e}")))?;
    if tar_bytes.len() as u64 > MAX_PACKET_BYTES {
        return Err(PacketError::TooLarge);
    }

    let mut entries: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut archive = tar::Archive::new(tar_bytes.as_slice());
    let iter = archive.entries().map_err(|e| PacketError::Unreadable(format!("tar: {e}")))?;
    for entry in iter {
        let mut entry = entry.map_err(|e| PacketError::Unreadable(format!("tar: {e}")))?;
        let name =
            entry.path().map_err(|e| PacketError::Unreadable(format!("tar: {e}")))?.to_string_lossy().into_owned();
        let mut content = Vec::with_capacity(usize::try_from(entry.size()).unwrap_or(0).min(1 << 24));
        entry.read_to_end(&mut content).map_err(|e| PacketError::Unreadable(format!("tar: {e}")))?;
        if entries.insert(name.clone(), content).is_some() {
            return Err(PacketError::Unreadable(format!("{name} appears twice")));
        }
    }

    let json_bytes = entries.remove(PACKET_JSON).ok_or_else(|| PacketError::Missing(PACKET_JSON.into()))?;
    let sig_text = entries.remove(PACKET_SIG).ok_or_else(|| PacketError::Missing(PACKET_SIG.into()))?;

    let value: serde_json::Value =
        serde_json::from_slice(&json_bytes).map_err(|e| PacketError::Manifest(e.to_string()))?;
    let version = value.get("version").and_then(serde_json::Value::as_u64).unwrap_or(0);
    if version != u64::from(PACKET_VERSION) {
        return Err(PacketError::Version(u32::try_from(version).unwrap_or(u32::MAX)));
    }
    let json: PacketJson = serde_json::from_value(value).map_err(|e| PacketError::Manifest(e.to_string()))?;

    let named = PublicKey::from_text(&json.kit.public_key)
        .map_err(|e| PacketError::Manifest(format!("kit.public_key: {e}")))?;
    let key = match expected_key {
        Some(expected) if *expected != named => {
            return Err(PacketError::WrongKit { found: named.fingerprint(), expected: expected.fingerprint() });
        }
        Some(expected) => *expected,
        None => named,
    };
    let signature = hex::decode(String::from_utf8_lossy(&sig_text).trim()).map_err(|_| PacketError::BadSignature)?;
    if !key.verify(&json_bytes, &signature) {
        return Err(PacketError::BadSignature);
    }

    let mut files = BTreeMap::new();
    for file in json.files() {
        let content = entries.remove(&file.name).ok_or_else(|| PacketError::Missing(file.name.clone()))?;
        if content.len() as u64 != file.size {
            return Err(PacketError::SizeMismatch {
                name: file.name.clone(),
                found: content.len() as u64,
                expected: file.size,
            });
        }
        if sha256_hex(&content) != file.sha256 {
            return Err(PacketError::HashMismatch(file.name.clone()));
        }
        files.insert(file.name.clone(), content);
    }
    if let Some(extra) = entries.into_keys().next() {
        return Err(PacketError::Unlisted(extra));
    }
    Ok(OpenedPacket { json, json_bytes, files })
}
