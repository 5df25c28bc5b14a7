//! The biometric model: finger positions, captures, exceptions, the face photo.

use serde::{Deserialize, Serialize};
use std::fmt;
use thiserror::Error;

/// A finger by its ISO/IEC 19794 position code: 1 right thumb … 5 right little, 6 left thumb … 10 left little.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct FingerPosition(u8);

impl FingerPosition {
    /// All ten positions in ISO order.
    pub const ALL: [FingerPosition; 10] = [
        FingerPosition(1),
        FingerPosition(2),
        FingerPosition(3),
        FingerPosition(4),
        FingerPosition(5),
        FingerPosition(6),
        FingerPosition(7),
        FingerPosition(8),
        FingerPosition(9),
        FingerPosition(10),
    ];

    /// The position with ISO code `code` (1–10).
    pub fn new(code: u8) -> Option<Self> {
        (1..=10).contains(&code).then_some(Self(code))
    }

    /// The ISO code, 1–10.
    pub fn code(self) -> u8 {
        self.0
    }

    /// A stable key for message lookup and file names: "right-thumb", "left-little", …
    pub fn key(self) -> &'static str {
        [
            "right-thumb",
            "right-index",
            "right-middle",
            "right-ring",
            "right-little",
            "left-thumb",
            "left-index",
            "left-middle",
            "left-ring",
            "left-little",
        ][usize::from(self.0 - 1)]
    }
}

impl TryFrom<u8> for FingerPosition {
    type Error = String;
    fn try_from(code: u8) -> Result<Self, Self::Error> {
        Self::new(code).ok_or_else(|| format!("finger position {code} is not 1..=10"))
    }
}

impl From<FingerPosition> for u8 {
    fn from(p: FingerPosition) -> u8 {
        p.0
    }
}

impl fmt::Display for FingerPosition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.0, self.key())
    }
}

/// An 8-bit greyscale image, row-major, one byte a pixel.
#[derive(Clone, PartialEq, Eq)]
pub struct GreyImage {
    width: u32,
    height: u32,
    pixels: Vec<u8>,
}

/// An image whose pixel count does not match its size.
#[derive(Debug, Error, PartialEq, Eq)]
#[error("image of {width}x{height} needs {} pixels, got {got}", u64::from(*width) * u64::from(*height))]
pub struct ImageSizeError {
    /// Claimed width.
    pub width: u32,
    /// Claimed height.
    pub height: u32,
    /// Pixels given.
    pub got: usize,
}

impl GreyImage {
    /// Wraps pixels, checking their count.
    pub fn new(width: u32, height: u32, pixels: Vec<u8>) -> Result<Self, ImageSizeError> {
        if width == 0 || height == 0 || pixels.len() as u64 != u64::from(width) * u64::from(height) {
            return Err(ImageSizeError { width, height, got: pixels.len() });
        }
        Ok(Self { width, height, pixels })
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// The pixels, row-major.
    pub fn pixels(&self) -> &[u8] {
        &self.pixels
    }
}

impl fmt::Debug for GreyImage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GreyImage({}x{})", self.width, self.height)
    }
}

/// Another enrollment on this kit whose fingerprints match this one's (the on-kit duplicate
/// search): carried in the packet for the supervisor and the central office.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PossibleDuplicate {
    /// Its RID.
    pub rid: String,
    /// The fused person score, 0–100.
    pub score: u8,
}

/// The shipped device profiles that are simulators or replay sources, not hardware (a test in
/// `devices::profile` keeps this equal to the shipped files' `simulated`).
pub const SIMULATED_PROFILES: &[&str] = &["gt521-sim", "libfprint-virtual", "r307-sim", "replay", "sbi-slap-sim"];

/// Which device took a capture.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceRef {
    /// Device profile id (device-profiles/*.toml).
    pub profile: String,
    /// The device's serial number, or the port it was found on when it has none.
    pub serial: String,
    /// A simulator or replay source took it, not hardware: the central office refuses such a
    /// production packet. Absent in packets from before it was recorded (then the profile id says).
    #[serde(default)]
    pub simulated: bool,
}

impl DeviceRef {
    /// The device `profile` (simulated when its profile says so or it is a shipped simulator).
    pub fn new(profile: impl Into<String>, serial: impl Into<String>, simulated: bool) -> Self {
        let profile = profile.into();
        let simulated = simulated || SIMULATED_PROFILES.contains(&profile.as_str());
        DeviceRef { profile, serial: serial.into(), simulated }
    }

    /// Whether a simulator or replay source took it, by its record or by its profile id.
    pub fn is_simulated(&self) -> bool {
        self.simulated || SIMULATED_PROFILES.contains(&self.profile.as_str())
    }
}

/// A certified device's signature over one capture (SBI): kept in the packet so that the
/// central office can check, long after, that the print is the one the device took.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceSignature {
    /// The device's compact JWS; its payload holds the ISO record it captured.
    pub data: String,
    /// The capture's link in the device's hash chain (upper-case hex).
    pub hash: String,
    /// The link before it (SHA-256 of nothing for a first capture).
    pub previous_hash: String,
}

/// One finger's accepted capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FingerCapture {
    /// The image at the device's resolution.
    pub image: GreyImage,
    /// Dots per inch.
    pub dpi: u16,
    /// Kit quality score 0–100.
    pub quality: u8,
    /// Attempts it took, this one included.
    pub attempts: u8,
    /// Accepted below the quality threshold after the allowed attempts.
    pub force_captured: bool,
    /// Why the assistant forced it, when forced.
    pub force_reason: Option<String>,
    /// The reader.
    pub device: DeviceRef,
    /// The device's own signature over it (certified devices only).
    pub device_signature: Option<DeviceSignature>,
}

/// Why a finger could not be captured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "reason", content = "note")]
pub enum FingerException {
    /// The finger is missing.
    Amputated,
    /// Injured or bandaged.
    InjuredOrBandaged,
    /// Present but no usable print (worn ridges, for example).
    UnableToCapture,
    /// Another reason, described.
    Other(String),
}

impl FingerException {
    /// The reason's stable key.
    pub fn key(&self) -> &'static str {
        match self {
            FingerException::Amputated => "amputated",
            FingerException::InjuredOrBandaged => "injured_or_bandaged",
            FingerException::UnableToCapture => "unable_to_capture",
            FingerException::Other(_) => "other",
        }
    }
}

/// What was recorded for one finger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FingerRecord {
    /// A print.
    Captured(FingerCapture),
    /// No print, with the reason.
    Exception(FingerException),
}

/// The result of one face photo check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaceCheck {
    /// The check's key ("one-face", "centred", …).
    pub check: String,
    /// Whether the photo passed it.
    pub passed: bool,
}

/// The face photo as the camera delivered it, JPEG-encoded.
#[derive(Clone, PartialEq, Eq)]
pub struct FacePhoto {
    /// JPEG bytes.
    pub jpeg: Vec<u8>,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Overall face quality 0–100.
    pub quality: u8,
    /// The checks run and their results.
    pub checks: Vec<FaceCheck>,
    /// The camera.
    pub device: DeviceRef,
}

impl fmt::Debug for FacePhoto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FacePhoto({}x{}, {} bytes)", self.width, self.height, self.jpeg.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_follow_iso_numbering() {
        assert_eq!(FingerPosition::new(1).map(FingerPosition::key), Some("right-thumb"));
        assert_eq!(FingerPosition::new(10).map(FingerPosition::key), Some("left-little"));
        assert!(FingerPosition::new(0).is_none());
        assert!(FingerPosition::new(11).is_none());
        assert!(serde_json::from_str::<FingerPosition>("11").is_err());
    }

    #[test]
    fn grey_image_checks_its_size() {
        assert!(GreyImage::new(2, 2, vec![0; 4]).is_ok());
        assert_eq!(GreyImage::new(2, 2, vec![0; 3]).unwrap_err().got, 3);
        assert!(GreyImage::new(0, 2, vec![]).is_err());
    }
}
