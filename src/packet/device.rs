//! Certified devices' signatures in a packet (version 2), checked again where the packet is read:
//! each signed print's JWS verifies against the device CAs the reader trusts, at the time the
//! packet was sealed (device certificates rotate; what counts is that it was valid then); the
//! signed ISO record is for the finger the packet says, its image is exactly the packet's PNG, and
//! its hash is the link the device said after the one before.

use super::manifest::FingerCaptureEntry;
use super::verify::OpenedPacket;
use crate::devices::sbi::jws::{self, B64U};
use crate::devices::sbi::placement::from_sbi_name;
use crate::devices::sbi::wire::CapturePayload;
use crate::devices::sbi::{DeviceTrust, chain};
use crate::domain::biometrics::FingerPosition;
use crate::interchange::finger_image;
use base64::Engine;
use thiserror::Error;

/// Why a device signature in a packet did not check out.
#[derive(Debug, Error, PartialEq, Eq)]
#[error("finger {position}: the device's signature does not hold: {detail}")]
pub struct DeviceSignatureError {
    /// The finger.
    pub position: FingerPosition,
    /// What was wrong.
    pub detail: String,
}

/// Checks every device signature in `packet`; returns how many prints carried one.
pub fn verify_device_signatures(packet: &OpenedPacket, trust: &DeviceTrust) -> Result<usize, DeviceSignatureError> {
    let sealed = chrono::DateTime::parse_from_rfc3339(&packet.json.created_at)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|_| DeviceSignatureError {
        position: FingerPosition::ALL[0],
        detail: "the packet's sealing time is unreadable".into(),
    })?;
    let mut signed = 0;
    for finger in &packet.json.fingers {
        let Some(capture) = &finger.capture else { continue };
        if capture.device_signature.is_none() {
            continue;
        }
        check(packet, finger.position, capture, trust, sealed)
            .map_err(|detail| DeviceSignatureError { position: finger.position, detail })?;
        signed += 1;
    }
    Ok(signed)
}

fn check(
    packet: &OpenedPacket,
    position: FingerPosition,
    capture: &FingerCaptureEntry,
    trust: &DeviceTrust,
    sealed: chrono::DateTime<chrono::Utc>,
) -> Result<(), String> {
    let Some(signature) = &capture.device_signature else { return Ok(()) };
    let verified = jws::verify(&signature.data, trust, sealed).map_err(|e| e.to_string())?;
    let payload: CapturePayload = serde_json::from_slice(&verified.payload).map_err(|e| format!("payload: {e}"))?;
    if from_sbi_name(payload.bio_sub_type.as_str()) != Some(position) {
        return Err(format!("the device signed {:?}", payload.bio_sub_type.as_str()));
    }
    let record =
        B64U.decode(payload.bio_value.as_str()).map_err(|_| "the signed record is not base64url".to_string())?;
    let previous = chain::parse(&signature.previous_hash).ok_or("the previous hash is not a SHA-256")?;
    if chain::parse(&signature.hash) != Some(chain::next(&previous, &record)) {
        return Err("the hash does not follow from the record and the link before it".into());
    }
    let signed_image = finger_image::decode(&record).map_err(|e| e.to_string())?;
    if signed_image.position != position {
        return Err(format!("the signed record is of finger {}", signed_image.position));
    }
    let png = packet.file(&capture.image.file.name).ok_or("the print's file is missing")?;
    let stored =
        image::load_from_memory_with_format(png, image::ImageFormat::Png).map_err(|e| e.to_string())?.to_luma8();
    if stored.dimensions() != (signed_image.image.width(), signed_image.image.height())
        || stored.as_raw().as_slice() != signed_image.image.pixels()
    {
        return Err("the print in the packet is not the image the device signed".into());
    }
    Ok(())
}
