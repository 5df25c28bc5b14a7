//! Sealing a finished enrollment into a version-1 packet.

use super::canonical::to_canonical_json;
use super::keys::KitKey;
use super::manifest::{
    FaceEntry, FileRef, FingerCaptureEntry, FingerEntry, ImageEntry, KitInfo, PACKET_FORMAT, PacketJson,
};
use super::{PACKET_JSON, PACKET_SIG, PACKET_VERSION, PacketError, sha256_hex, utc_text};
use crate::domain::biometrics::{FingerPosition, FingerRecord, GreyImage};
use crate::domain::enrollment::CompleteEnrollment;
use crate::domain::rid::Rid;
use chrono::{DateTime, Utc};
use image::ImageEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};

/// zstd level: the images inside are already compressed, so a fast level loses almost nothing.
const ZSTD_LEVEL: i32 = 3;

/// Who and what seals the packet.
pub struct PacketMeta<'a> {
    /// The packet's RID.
    pub rid: &'a Rid,
    /// Sealing time.
    pub created_at: DateTime<Utc>,
    /// Training record.
    pub training: bool,
    /// The kit.
    pub kit: KitInfo,
    /// The assistant's login name.
    pub assistant: &'a str,
}

/// A sealed packet ready to store.
#[derive(Debug, Clone)]
pub struct SealedPacket {
    /// Its RID.
    pub rid: Rid,
    /// The compressed tar.
    pub bytes: Vec<u8>,
    /// SHA-256 of `bytes`, hex.
    pub sha256: String,
    /// What `packet.json` says.
    pub json: PacketJson,
}

/// Builds, signs and compresses the packet for `enrollment`.
pub fn build_packet(
    meta: PacketMeta<'_>,
    enrollment: &CompleteEnrollment,
    key: &KitKey,
) -> Result<SealedPacket, PacketError> {
    let mut files: Vec<(String, Vec<u8>)> = Vec::with_capacity(12);
    let mut add = |name: String, bytes: Vec<u8>| -> FileRef {
        let entry = FileRef { name: name.clone(), sha256: sha256_hex(&bytes), size: bytes.len() as u64 };
        files.push((name, bytes));
        entry
    };

    let face = &enrollment.face;
    let face_entry = FaceEntry {
        image: ImageEntry { file: add("face.jpg".into(), face.jpeg.clone()), width: face.width, height: face.height },
        quality: face.quality,
        checks: face.checks.clone(),
        device: face.device.clone(),
    };

    let mut fingers = Vec::with_capacity(10);
    for position in FingerPosition::ALL {
        let entry = match enrollment.fingers.get(&position) {
            Some(FingerRecord::Captured(c)) => {
                let name = format!("finger-{:02}.png", position.code());
                let png = encode_png(&c.image).map_err(|e| PacketError::Encode(format!("{name}: {e}")))?;
                FingerEntry {
                    position,
                    capture: Some(FingerCaptureEntry {
                        image: ImageEntry { file: add(name, png), width: c.image.width(), height: c.image.height() },
                        dpi: c.dpi,
                        quality: c.quality,
                        attempts: c.attempts,
                        force_captured: c.force_captured,
                        force_reason: c.force_reason.clone(),
                        device: c.device.clone(),
                        device_signature: c.device_signature.clone(),
                    }),
                    exception: None,
                }
            }
            Some(FingerRecord::Exception(e)) => FingerEntry { position, capture: None, exception: Some(e.clone()) },
            None => return Err(PacketError::Missing(format!("a record for finger {position}"))),
        };
        fingers.push(entry);
    }

    let exception_photo = enrollment.exception_photo.as_ref().map(|p| ImageEntry {
        file: add("exception.jpg".into(), p.jpeg.clone()),
        width: p.width,
        height: p.height,
    });

    let json = PacketJson {
        format: PACKET_FORMAT.into(),
        version: if fingers.iter().any(|f| f.capture.as_ref().is_some_and(|c| c.device_signature.is_some())) {
            PACKET_VERSION
        } else {
            1
        },
        rid: meta.rid.as_str().into(),
        created_at: utc_text(meta.created_at),
        training: meta.training,
        kit: meta.kit,
        assistant: meta.assistant.into(),
        consent_at: utc_text(enrollment.consent_at),
        person: enrollment.person.clone(),
        face: face_entry,
        fingers,
        exception_photo,
        possible_duplicates: enrollment.possible_duplicates.clone(),
    };
    let value = serde_json::to_value(&json).map_err(|e| PacketError::Manifest(e.to_string()))?;
    let json_bytes = to_canonical_json(&value);
    let signature = hex::encode(key.sign(&json_bytes));

    let mtime = u64::try_from(meta.created_at.timestamp()).unwrap_or(0);
    let mut tar = tar::Builder::new(Vec::with_capacity(files.iter().map(|f| f.1.len() + 1024).sum::<usize>() + 8192));
    let mut append = |name: &str, bytes: &[u8]| -> Result<(), PacketError> {
        let mut header = tar::Header::new_ustar();
        header.set_path(name).map_err(|e| PacketError::Encode(format!("{name}: {e}")))?;
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(mtime);
        header.set_uid(0);
        header.set_gid(0);
        header.set_entry_type(tar::EntryType::Regular);
        header.set_cksum();
        tar.append(&header, bytes).map_err(|e| PacketError::Encode(format!("{name}: {e}")))
    };
    append(PACKET_JSON, &json_bytes)?;
    append(PACKET_SIG, signature.as_bytes())?;
    for (name, bytes) in &files {
        append(name, bytes)?;
    }
    let tar_bytes = tar.into_inner().map_err(|e| PacketError::Encode(format!("tar: {e}")))?;
    let bytes = zstd::bulk::compress(&tar_bytes, ZSTD_LEVEL).map_err(|e| PacketError::Encode(format!("zstd: {e}")))?;
    Ok(SealedPacket { rid: meta.rid.clone(), sha256: sha256_hex(&bytes), bytes, json })
}

/// Encodes an 8-bit grey image as PNG.
pub fn encode_png(image: &GreyImage) -> Result<Vec<u8>, image::ImageError> {
    let mut out = Vec::with_capacity(image.pixels().len() / 2);
    PngEncoder::new_with_quality(&mut out, CompressionType::Fast, FilterType::Adaptive).write_image(
        image.pixels(),
        image.width(),
        image.height(),
        image::ExtendedColorType::L8,
    )?;
    Ok(out)
}
