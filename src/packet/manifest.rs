//! `packet.json`, version 1: what a packet says about the enrollment and each of its files.

use crate::domain::biometrics::{DeviceRef, FaceCheck, FingerException, FingerPosition};
use crate::domain::person::Person;
use serde::{Deserialize, Serialize};

/// The value of `format` in every packet.json.
pub const PACKET_FORMAT: &str = "enroll-kit-packet";

/// The whole of `packet.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PacketJson {
    /// Always `enroll-kit-packet`.
    pub format: String,
    /// Format version: 1, or 2 when a print carries a device's signature.
    pub version: u32,
    /// Registration id, 29 digits.
    pub rid: String,
    /// When the packet was sealed, UTC, `yyyy-mm-ddThh:mm:ssZ`.
    pub created_at: String,
    /// A training record (pilot mode or `simulate`): never goes into a production batch.
    pub training: bool,
    /// The kit that sealed it.
    pub kit: KitInfo,
    /// Login name of the assistant who captured it.
    pub assistant: String,
    /// When the applicant consented, UTC.
    pub consent_at: String,
    /// Validated demographics.
    pub person: Person,
    /// The face photo.
    pub face: FaceEntry,
    /// All ten fingers in ISO order.
    pub fingers: Vec<FingerEntry>,
    /// The photo of the hand when a finger is an exception.
    pub exception_photo: Option<ImageEntry>,
    /// Enrollments on the sealing kit whose fingerprints matched this one's (absent when none):
    /// an addition to version 1 that older readers never see on a packet without a match.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub possible_duplicates: Vec<crate::domain::biometrics::PossibleDuplicate>,
}

/// The sealing kit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KitInfo {
    /// Centre code, 5 digits.
    pub centre: String,
    /// Kit number, 5 digits.
    pub kit: String,
    /// County code where the kit is deployed.
    pub county: String,
    /// The kit's Ed25519 public key, hex.
    pub public_key: String,
}

/// A file in the packet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileRef {
    /// Name inside the tar.
    pub name: String,
    /// SHA-256 of its bytes, hex.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
}

/// An image file with its pixel size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImageEntry {
    /// The file.
    pub file: FileRef,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

/// The face photo entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaceEntry {
    /// The JPEG.
    pub image: ImageEntry,
    /// Face quality 0–100.
    pub quality: u8,
    /// Photo checks and their results.
    pub checks: Vec<FaceCheck>,
    /// The camera.
    pub device: DeviceRef,
}

/// One finger: a capture or an exception.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FingerEntry {
    /// ISO position 1–10.
    pub position: FingerPosition,
    /// The print, when captured.
    pub capture: Option<FingerCaptureEntry>,
    /// Why there is no print.
    pub exception: Option<FingerException>,
}

/// A captured print.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FingerCaptureEntry {
    /// The 8-bit grey PNG.
    pub image: ImageEntry,
    /// Resolution, dots per inch.
    pub dpi: u16,
    /// Kit quality 0–100.
    pub quality: u8,
    /// Attempts taken.
    pub attempts: u8,
    /// Accepted below threshold.
    pub force_captured: bool,
    /// The assistant's reason for forcing.
    pub force_reason: Option<String>,
    /// The reader.
    pub device: DeviceRef,
    /// A certified device's signature over the print (version 2 only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_signature: Option<crate::domain::biometrics::DeviceSignature>,
}

impl PacketJson {
    /// The simulators or replay sources that took any of its captures (none for hardware).
    pub fn simulated_devices(&self) -> Vec<&str> {
        let mut out: Vec<&str> = std::iter::once(&self.face.device)
            .chain(self.fingers.iter().filter_map(|f| f.capture.as_ref()).map(|c| &c.device))
            .filter(|d| d.is_simulated())
            .map(|d| d.profile.as_str())
            .collect();
        out.dedup();
        out
    }

    /// Every file the packet lists, face first.
    pub fn files(&self) -> Vec<&FileRef> {
        let mut files = vec![&self.face.image.file];
        files.extend(self.fingers.iter().filter_map(|f| f.capture.as_ref()).map(|c| &c.image.file));
        files.extend(self.exception_photo.as_ref().map(|e| &e.file));
        files
    }

    /// Whether any capture was forced below the quality threshold.
    pub fn any_forced(&self) -> bool {
        self.fingers.iter().filter_map(|f| f.capture.as_ref()).any(|c| c.force_captured)
    }

    /// How many fingers are exceptions.
    pub fn exception_count(&self) -> usize {
        self.fingers.iter().filter(|f| f.exception.is_some()).count()
    }
}
