//! The 4-4-2 slap flow: ten prints in three placements (left four, right four, two thumbs) from
//! a registration device, each finger scored by the kit's own quality beside the device's, then
//! offered to the enrollment's capture gate like any print; and the check that the assistant did
//! not put the same hand down twice.

use crate::biometrics::matching::{THRESHOLD_FMR_10000, score, template};
use crate::devices::sbi::{CaptureAsk, Device, Placement, SbiClient, SbiError};
use crate::domain::biometrics::{DeviceRef, FingerPosition};
use crate::workflow::capture::{RawCapture, Scored, score as kit_score};
use crate::workflow::enrollment::Command;
use std::time::Duration;

/// One finger of a slap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlapPrint {
    /// Which finger.
    pub position: FingerPosition,
    /// The image with the kit's own quality.
    pub scored: Scored,
    /// The device's quality (NFIQ 2 on certified devices).
    pub device_quality: u8,
}

/// A verified, scored slap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slap {
    /// Which placement.
    pub placement: Placement,
    /// Its fingers.
    pub prints: Vec<SlapPrint>,
    /// The hash chain's last link, for the next placement.
    pub last_hash: [u8; 32],
}

/// What the kit asks of each placement.
#[derive(Debug, Clone)]
pub struct SlapSettings {
    /// The score at which the device captures.
    pub requested_score: u8,
    /// How long the device may take for one placement.
    pub timeout: Duration,
    /// The environment enrolled for.
    pub env: String,
}

impl Default for SlapSettings {
    fn default() -> Self {
        // MOSIP's client allows 40 s for a registration capture.
        SlapSettings { requested_score: 40, timeout: Duration::from_secs(40), env: "Production".into() }
    }
}

/// Takes one placement (run on a worker: the device waits for the hand) and scores each finger.
pub fn take(
    client: &SbiClient,
    device: &Device,
    placement: Placement,
    exceptions: &[FingerPosition],
    previous_hash: Option<[u8; 32]>,
    settings: &SlapSettings,
) -> Result<Slap, SbiError> {
    let ask = CaptureAsk {
        placement,
        exceptions: exceptions.iter().copied().filter(|f| placement.fingers().contains(f)).collect(),
        requested_score: settings.requested_score,
        timeout: settings.timeout,
        previous_hash,
        env: settings.env.clone(),
    };
    let capture = client.capture(device, &ask)?;
    let prints = capture
        .items
        .into_iter()
        .filter_map(|item| {
            let (position, finger) = (item.position?, item.finger?);
            let mut scored = kit_score(RawCapture { image: finger.image, dpi: finger.dpi });
            scored.device_signature = Some(item.signed);
            Some(SlapPrint { position, scored, device_quality: item.device_quality })
        })
        .collect();
    Ok(Slap { placement, prints, last_hash: capture.last_hash })
}

/// The device as the packet records it: its profile and the serial number its signed digital id gives.
pub fn device_ref(profile: &str, device: &Device, simulated: bool) -> DeviceRef {
    DeviceRef::new(profile, device.digital_id.serial_no.as_str(), simulated)
}

/// The capture gate's commands for a slap: one offer per finger.
pub fn offers(slap: &Slap, device: &DeviceRef, threshold: u8) -> Vec<Command> {
    slap.prints
        .iter()
        .map(|p| Command::Offer { position: p.position, print: p.scored.clone(), device: device.clone(), threshold })
        .collect()
}

/// Two fingers, one from each slap, that are the same finger: the hand was placed twice.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RepeatedHand {
    /// The finger in the first slap.
    pub first: FingerPosition,
    /// The finger in the second slap that matches it.
    pub second: FingerPosition,
    /// Their score.
    pub score: f32,
}

/// Whether any finger of `a` matches any finger of `b` at FMR 1/10,000: two placements that
/// should be different hands (or a hand and the thumbs) show the same finger.
pub fn repeated_hand(a: &Slap, b: &Slap) -> Option<RepeatedHand> {
    let templates = |s: &Slap| -> Vec<_> {
        s.prints.iter().map(|p| (p.position, template(&p.scored.capture.image, p.scored.capture.dpi))).collect()
    };
    let (ta, tb) = (templates(a), templates(b));
    let mut best: Option<RepeatedHand> = None;
    for (first, x) in &ta {
        for (second, y) in &tb {
            let s = score(x, y);
            if s >= THRESHOLD_FMR_10000 && best.is_none_or(|b| s > b.score) {
                best = Some(RepeatedHand { first: *first, second: *second, score: s });
            }
        }
    }
    best
}
