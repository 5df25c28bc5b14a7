//! Opening a packet and checking everything in it: size limits, signature, every file's hash.

use super::keys::PublicKey;
use super::manifest::PacketJson;
use super::{MAX_PACKET_BYTES, PACKET_JSON, PACKET_SIG, PACKET_VERSIONS, PacketError, sha256_hex};
use std::collections::BTreeMap;
use std::io::Read;
use std::ops::Range;

/// A packet whose signature and files all checked out.
#[derive(Debug, Clone)]
pub struct OpenedPacket {
    /// What `packet.json` says.
    pub json: PacketJson,
    /// The unpacked tar; files are slices of it, so opening copies nothing twice.
    tar: Vec<u8>,
    /// Each file's name and byte range in `tar`, `packet.json` and `packet.sig` included.
    ranges: BTreeMap<String, Range<usize>>,
}

impl OpenedPacket {
    /// The signed bytes of `packet.json`.
    pub fn json_bytes(&self) -> &[u8] {
        self.file(PACKET_JSON).unwrap_or_default()
    }

    /// A file's bytes by name.
    pub fn file(&self, name: &str) -> Option<&[u8]> {
        self.ranges.get(name).and_then(|r| self.tar.get(r.clone()))
    }

    /// The biometric files' names (everything but packet.json and packet.sig).
    pub fn file_names(&self) -> impl Iterator<Item = &str> {
        self.ranges.keys().map(String::as_str).filter(|n| *n != PACKET_JSON && *n != PACKET_SIG)
    }
}

fn unreadable(what: &str, e: impl std::fmt::Display) -> PacketError {
    PacketError::Unreadable(format!("{what}: {e}"))
}

/// Decompresses in one pass when the frame states its size (ours always do), else streams.
fn decompress(bytes: &[u8]) -> Result<Vec<u8>, PacketError> {
    if let Ok(Some(size)) = zstd::zstd_safe::get_frame_content_size(bytes) {
        if size > MAX_PACKET_BYTES {
            return Err(PacketError::TooLarge);
        }
        return zstd::bulk::decompress(bytes, size as usize).map_err(|e| unreadable("zstd", e));
    }
    let decoder = zstd::stream::read::Decoder::new(bytes).map_err(|e| unreadable("zstd", e))?;
    let mut out = Vec::new();
    decoder.take(MAX_PACKET_BYTES + 1).read_to_end(&mut out).map_err(|e| unreadable("zstd", e))?;
    if out.len() as u64 > MAX_PACKET_BYTES {
        return Err(PacketError::TooLarge);
    }
    Ok(out)
}

/// The `training` flag of a packet's `packet.json`, read by decompressing only as far as that
/// first file (export's wall between training and production checks every packet with it).
pub fn training_flag(bytes: &[u8]) -> Result<bool, PacketError> {
    #[derive(serde::Deserialize)]
    struct Flag {
        training: bool,
    }
    let decoder = zstd::stream::read::Decoder::new(bytes).map_err(|e| unreadable("zstd", e))?;
    let mut archive = tar::Archive::new(decoder.take(MAX_PACKET_BYTES));
    let mut entries = archive.entries().map_err(|e| unreadable("tar", e))?;
    let mut first =
        entries.next().ok_or_else(|| unreadable("tar", "the packet is empty"))?.map_err(|e| unreadable("tar", e))?;
    let name = first.path().map_err(|e| unreadable("tar", e))?.to_string_lossy().into_owned();
    if name != PACKET_JSON {
        return Err(unreadable("tar", format!("the first file is {name}, not {PACKET_JSON}")));
    }
    let mut json = Vec::new();
    (&mut first).take(MAX_PACKET_BYTES).read_to_end(&mut json).map_err(|e| unreadable(PACKET_JSON, e))?;
    let flag: Flag = serde_json::from_slice(&json).map_err(|e| unreadable(PACKET_JSON, e))?;
    Ok(flag.training)
}

/// Unpacks and verifies a packet. With `expected_key`, the packet must name and be signed by
/// that key; without, it is checked against the key it names (for reading, not for trust).
pub fn open_packet(bytes: &[u8], expected_key: Option<&PublicKey>) -> Result<OpenedPacket, PacketError> {
    if bytes.len() as u64 > MAX_PACKET_BYTES {
        return Err(PacketError::TooLarge);
    }
    let tar = decompress(bytes)?;

    let mut ranges: BTreeMap<String, Range<usize>> = BTreeMap::new();
    let mut archive = tar::Archive::new(tar.as_slice());
    for entry in archive.entries().map_err(|e| unreadable("tar", e))? {
        let entry = entry.map_err(|e| unreadable("tar", e))?;
        let name = entry.path().map_err(|e| unreadable("tar", e))?.to_string_lossy().into_owned();
        let start = usize::try_from(entry.raw_file_position()).map_err(|e| unreadable("tar", e))?;
        let end = usize::try_from(entry.size()).ok().and_then(|s| start.checked_add(s)).filter(|end| *end <= tar.len());
        let Some(end) = end else {
            return Err(unreadable("tar", format!("{name} runs past the end of the archive")));
        };
        if ranges.insert(name.clone(), start..end).is_some() {
            return Err(PacketError::Unreadable(format!("{name} appears twice")));
        }
    }
    let slice = |name: &str| ranges.get(name).map(|r| &tar[r.clone()]).ok_or_else(|| PacketError::Missing(name.into()));
    let json_bytes = slice(PACKET_JSON)?;
    let sig_text = slice(PACKET_SIG)?;

    let value: serde_json::Value =
        serde_json::from_slice(json_bytes).map_err(|e| PacketError::Manifest(e.to_string()))?;
    let version = value.get("version").and_then(serde_json::Value::as_u64).unwrap_or(0);
    let version = u32::try_from(version).unwrap_or(u32::MAX);
    if !PACKET_VERSIONS.contains(&version) {
        return Err(PacketError::Version(version));
    }
    let json: PacketJson = serde_json::from_value(value).map_err(|e| PacketError::Manifest(e.to_string()))?;
    let signed = json.fingers.iter().any(|f| f.capture.as_ref().is_some_and(|c| c.device_signature.is_some()));
    if signed && version < 2 {
        return Err(PacketError::Manifest("a version 1 packet carries no device signatures".into()));
    }

    let named = PublicKey::from_text(&json.kit.public_key)
        .map_err(|e| PacketError::Manifest(format!("kit.public_key: {e}")))?;
    let key = match expected_key {
        Some(expected) if *expected != named => {
            return Err(PacketError::WrongKit { found: named.fingerprint(), expected: expected.fingerprint() });
        }
        Some(expected) => *expected,
        None => named,
    };
    let signature = hex::decode(String::from_utf8_lossy(sig_text).trim()).map_err(|_| PacketError::BadSignature)?;
    if !key.verify(json_bytes, &signature) {
        return Err(PacketError::BadSignature);
    }

    let listed: Vec<&str> = json.files().iter().map(|f| f.name.as_str()).collect();
    for file in json.files() {
        let content = slice(&file.name)?;
        if content.len() as u64 != file.size {
            return Err(PacketError::SizeMismatch {
                name: file.name.clone(),
                found: content.len() as u64,
                expected: file.size,
            });
        }
        if sha256_hex(content) != file.sha256 {
            return Err(PacketError::HashMismatch(file.name.clone()));
        }
    }
    if let Some(extra) = ranges.keys().find(|n| *n != PACKET_JSON && *n != PACKET_SIG && !listed.contains(&n.as_str()))
    {
        return Err(PacketError::Unlisted(extra.clone()));
    }
    Ok(OpenedPacket { json, tar, ranges })
}
