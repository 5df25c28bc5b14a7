//! The 4-4-2 slap flow: ten prints in three placements (left four, right four, two thumbs) from
//! a registration device, each finger scored by the kit's own quality beside the device's, then
//! offered to the enrollment's capture gate like any print; and the check that the assistant did
//! not put the same hand down twice.

use crate::biometrics::matching::{THRESHOLD_FMR_10000, score, template};
use crate::devices::profile::DeviceProfile;
use crate::devices::reader::ReaderInfo;
pub use crate::devices::sbi::Placement;
use crate::devices::sbi::sim::{SbiSim, SimConfig, TestChain};
use crate::devices::sbi::{CaptureAsk, Device, DeviceTrust, DeviceType, SbiClient, SbiError};
use crate::domain::biometrics::{DeviceRef, FingerPosition};
use crate::domain::notice::Notice;
use crate::workflow::capture::{RawCapture, Scored, score as kit_score};
use crate::workflow::enrollment::Command;
use std::path::Path;
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

/// Whether the left and the right slap show the same hand. Put down twice, a hand gives the
/// same finger where the other hand's mirror finger should be (index where index, …), so the
/// mirror pairs are compared: at least two of them (one, when exceptions leave only one) must
/// match at FMR 1/10,000. One chance match among sixteen pairs of different fingers is not
/// enough to refuse a person's placement; thumbs against fingers are never compared.
pub fn repeated_hand(a: &Slap, b: &Slap) -> Option<RepeatedHand> {
    let mirror = |x: FingerPosition, y: FingerPosition| x.code().abs_diff(y.code()) == 5;
    let pairs: Vec<(&SlapPrint, &SlapPrint)> = a
        .prints
        .iter()
        .flat_map(|x| b.prints.iter().filter(move |y| mirror(x.position, y.position)).map(move |y| (x, y)))
        .filter(|(x, _)| x.position.code() != 1 && x.position.code() != 6)
        .collect();
    if pairs.is_empty() {
        return None;
    }
    let needed = pairs.len().min(2);
    let templates = |p: &SlapPrint| template(&p.scored.capture.image, p.scored.capture.dpi);
    let matched: Vec<RepeatedHand> = pairs
        .into_iter()
        .map(|(x, y)| RepeatedHand {
            first: x.position,
            second: y.position,
            score: score(&templates(x), &templates(y)),
        })
        .filter(|r| r.score >= THRESHOLD_FMR_10000)
        .collect();
    if matched.len() < needed {
        return None;
    }
    matched.into_iter().max_by(|x, y| x.score.total_cmp(&y.score))
}

/// A slap scanner as the reader worker holds it: the client, the verified device, and for a
/// simulated profile the simulator itself (pilot mode), whose device CA alone it trusts.
pub struct SlapScanner {
    client: SbiClient,
    device: Device,
    info: ReaderInfo,
    settings: SlapSettings,
    _simulator: Option<SbiSim>,
}

/// What the window asks of the scanner: a placement, the fingers it lacks, the chain so far,
/// and the person's earlier placements to check the hand against.
#[derive(Debug, Clone)]
pub struct SlapRequest {
    /// Which placement.
    pub placement: Placement,
    /// Fingers recorded as exceptions.
    pub exceptions: Vec<FingerPosition>,
    /// The chain's last link from the person's previous placement.
    pub previous_hash: Option<[u8; 32]>,
    /// The person's placements so far.
    pub earlier: Vec<Slap>,
}

/// A placement taken, with the repeated-hand check against the person's earlier ones.
#[derive(Debug, Clone)]
pub struct SlapTaken {
    /// The slap.
    pub slap: Slap,
    /// A finger that matches one of an earlier placement: the same hand twice.
    pub repeated: Option<RepeatedHand>,
}

impl SlapScanner {
    /// Finds and verifies the scanner of `profile` (starting the simulator for a simulated one).
    pub fn connect(profile: &DeviceProfile, device_ca: Option<&Path>) -> Result<SlapScanner, Notice> {
        let (client, simulator) = if profile.simulated {
            let chain = TestChain::generate("enroll-kit pilot").map_err(|e| Notice::detail(&e))?;
            let chain = std::sync::Arc::new(chain);
            let trust = DeviceTrust::new(vec![chain.ca.clone()]);
            // Half a second a placement: a real scanner's auto-capture, a little quicker.
            let config =
                SimConfig { person: None, placement_time: Duration::from_millis(500), ..SimConfig::new(chain) };
            let sim = SbiSim::start(config).map_err(|e| Notice::detail(&e))?;
            (SbiClient::new(trust).with_ports(sim.port()..=sim.port()), Some(sim))
        } else {
            let trust = match device_ca {
                Some(folder) => DeviceTrust::load_folder(folder).map_err(|e| Notice::detail(&e))?,
                None => DeviceTrust::default(),
            };
            (SbiClient::new(trust), None)
        };
        let device = client.find(DeviceType::Finger).map_err(|e| e.notice())?;
        let info = ReaderInfo {
            profile: profile.id.clone(),
            serial: device.digital_id.serial_no.as_str().to_string(),
            baud: None,
            details: format!(
                "{} {} (SBI {}, port {})",
                device.digital_id.make.as_str(),
                device.digital_id.model.as_str(),
                crate::devices::sbi::wire::SPEC_VERSION,
                device.port
            ),
        };
        let settings = SlapSettings {
            requested_score: profile.min_quality(),
            env: if profile.simulated { "Developer".into() } else { "Production".into() },
            ..SlapSettings::default()
        };
        Ok(SlapScanner { client, device, info, settings, _simulator: simulator })
    }

    /// The scanner as the window shows it.
    pub fn info(&self) -> &ReaderInfo {
        &self.info
    }

    /// Takes a placement and checks it against the person's earlier ones (on the worker thread:
    /// the templates take a few hundred milliseconds).
    pub fn take(&self, request: &SlapRequest) -> Result<SlapTaken, SbiError> {
        let slap = take(
            &self.client,
            &self.device,
            request.placement,
            &request.exceptions,
            request.previous_hash,
            &self.settings,
        )?;
        let repeated = request.earlier.iter().find_map(|earlier| repeated_hand(earlier, &slap));
        Ok(SlapTaken { slap, repeated })
    }
}
