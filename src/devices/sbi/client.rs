//! The kit's SBI client: finds registration devices on 127.0.0.1, verifies what they say about
//! themselves, and takes slaps and faces whose every element is signed by a trusted device,
//! echoes this transaction, is recent, and links into the hash chain.

use super::chain;
use super::error::SbiError;
use super::http::{self, HttpError};
use super::jws::{self, B64U};
use super::placement::{Placement, from_sbi_name, sbi_name};
use super::trust::DeviceTrust;
use super::wire::{
    self, BioRequest, CapturePayload, CaptureRequest, DeviceInfo, DigitalId, Discovered, InfoEntry, Text, Verbs,
};
use crate::domain::biometrics::FingerPosition;
use crate::interchange::{FingerImage, finger_image};
use base64::Engine;
use chrono::{DateTime, Utc};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::ops::RangeInclusive;
use std::sync::Arc;
use std::time::Duration;

pub use crate::kit::Clock;

/// How far a device's timestamp may be from the kit's clock (MOSIP's client allows 5 minutes).
pub const CLOCK_WINDOW: chrono::TimeDelta = chrono::TimeDelta::minutes(5);
/// Answers to discovery and device info are small.
const SMALL: usize = 1 << 20;
/// A capture answer: four lossless fingers in base64 inside signed JSON.
const LARGE: usize = 16 << 20;
/// Ports probed at once during discovery.
const PROBES: usize = 20;

/// How long each call may take, from MOSIP's own client's settings.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// One port's discovery answer.
    pub discover: Duration,
    /// Device information.
    pub info: Duration,
    /// Slack added to a capture's own timeout for the answer to arrive.
    pub capture_slack: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            discover: Duration::from_secs(1),
            info: Duration::from_secs(5),
            capture_slack: Duration::from_secs(5),
        }
    }
}

/// Which devices discovery asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceType {
    /// Any biometric device.
    Any,
    /// Finger devices.
    Finger,
    /// Face cameras.
    Face,
}

impl DeviceType {
    fn wire(self) -> &'static str {
        match self {
            DeviceType::Any => "Biometric Device",
            DeviceType::Finger => "Finger",
            DeviceType::Face => "Face",
        }
    }
}

/// A device found on a port, as discovery described it (not yet verified).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The port.
    pub port: u16,
    /// What it said.
    pub device: Discovered,
}

/// A device whose signed information verified against the kit's trusted CAs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    /// Its port.
    pub port: u16,
    /// The signed device information.
    pub info: DeviceInfo,
    /// The signed digital id: who made it, its serial number.
    pub digital_id: DigitalId,
    /// The signing certificate (DER).
    pub certificate: Vec<u8>,
}

impl Device {
    /// Whether it says it is ready.
    pub fn ready(&self) -> bool {
        self.info.device_status.as_str().eq_ignore_ascii_case("Ready")
    }
}

/// What one capture asks for.
#[derive(Debug, Clone)]
pub struct CaptureAsk {
    /// Which slap, or the face.
    pub placement: Placement,
    /// Fingers absent from the slap (for a face: the exceptions it documents).
    pub exceptions: Vec<FingerPosition>,
    /// The score at which the device captures (0–100).
    pub requested_score: u8,
    /// How long the device may take.
    pub timeout: Duration,
    /// The last hash of this person's chain, if a capture came before.
    pub previous_hash: Option<[u8; 32]>,
    /// The environment the kit enrolls for ("Production", "Staging", "Developer").
    pub env: String,
}

pub use crate::domain::biometrics::DeviceSignature;

/// One captured biometric.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Captured {
    /// The finger (none for a face).
    pub position: Option<FingerPosition>,
    /// The ISO record as the device sent it.
    pub record: Vec<u8>,
    /// The decoded finger image (fingers only).
    pub finger: Option<FingerImage>,
    /// The device's quality score.
    pub device_quality: u8,
    /// The signed element exactly as the device sent it, with its place in the chain.
    pub signed: DeviceSignature,
}

/// A verified capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capture {
    /// The transaction id the kit sent and the device echoed.
    pub transaction_id: String,
    /// The elements, in the device's order.
    pub items: Vec<Captured>,
    /// The chain's last hash, for the next capture.
    pub last_hash: [u8; 32],
}

/// An SBI client for the services on one host's port range.
#[derive(Clone)]
pub struct SbiClient {
    host: IpAddr,
    ports: RangeInclusive<u16>,
    verbs: Verbs,
    trust: DeviceTrust,
    timeouts: Timeouts,
    clock: Clock,
}

fn transaction_id() -> String {
    let mut b = [0u8; 16];
    // The id need only be unpredictable enough that an old capture cannot be replayed.
    let _ = getrandom::fill(&mut b);
    let h = hex::encode(b);
    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}

impl SbiClient {
    /// A client for 127.0.0.1:4501–4600 trusting `trust`'s device CAs.
    pub fn new(trust: DeviceTrust) -> Self {
        SbiClient {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            ports: wire::PORTS,
            verbs: wire::SBI_095,
            trust,
            timeouts: Timeouts::default(),
            clock: Arc::new(Utc::now),
        }
    }

    /// Probes only `ports`.
    pub fn with_ports(mut self, ports: RangeInclusive<u16>) -> Self {
        self.ports = ports;
        self
    }

    /// Other per-call timeouts.
    pub fn with_timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// Another clock (tests).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    fn exchange(
        &self,
        port: u16,
        verb: wire::Verb,
        body: &[u8],
        timeout: Duration,
        limit: usize,
        what: &'static str,
    ) -> Result<Vec<u8>, SbiError> {
        let addr = SocketAddr::new(self.host, port);
        match http::call(addr, verb.method, verb.path, body, timeout, limit) {
            Ok(r) if r.status == 200 => Ok(r.body),
            // An SBI error comes as JSON under 4xx/5xx too; the caller reads the code from it.
            Ok(r) if (400..600).contains(&r.status) && !r.body.is_empty() => Ok(r.body),
            Ok(r) => Err(SbiError::Malformed { port, detail: format!("HTTP status {}", r.status) }),
            Err(HttpError::Timeout) => Err(SbiError::Timeout { port, what, after: timeout }),
            Err(HttpError::TooLarge) => Err(SbiError::TooLarge { port, limit }),
            Err(HttpError::Connect(detail)) => Err(SbiError::Connection { port, detail }),
            Err(HttpError::Malformed(detail)) => Err(SbiError::Malformed { port, detail }),
        }
    }

    fn discover_port(&self, port: u16, kind: DeviceType) -> Option<Vec<Found>> {
        let body = serde_json::to_vec(&wire::DiscoverRequest { kind: kind.wire().to_string() }).ok()?;
        let answer =
            self.exchange(port, self.verbs.discover, &body, self.timeouts.discover, SMALL, "discovery").ok()?;
        let devices: Vec<Discovered> = serde_json::from_slice(&answer).ok()?;
        let found: Vec<Found> = devices
            .into_iter()
            .filter(|d| d.spec_version.iter().any(|v| v.as_str() == wire::SPEC_VERSION))
            .map(|device| Found { port, device })
            .collect();
        Some(found)
    }

    /// Asks every port in the range at once (bounded) which devices it serves.
    pub fn discover(&self, kind: DeviceType) -> Result<Vec<Found>, SbiError> {
        let ports: Vec<u16> = self.ports.clone().collect();
        let workers = PROBES.min(ports.len()).max(1);
        let chunks: Vec<Vec<u16>> =
            (0..workers).map(|w| ports.iter().copied().skip(w).step_by(workers).collect()).collect();
        let mut found: Vec<Found> = std::thread::scope(|s| {
            let handles: Vec<_> = chunks
                .into_iter()
                .map(|chunk| {
                    s.spawn(move || {
                        chunk.into_iter().filter_map(|p| self.discover_port(p, kind)).flatten().collect::<Vec<_>>()
                    })
                })
                .collect();
            handles.into_iter().filter_map(|h| h.join().ok()).flatten().collect()
        });
        found.sort_by_key(|f| f.port);
        if found.is_empty() {
            return Err(SbiError::NotFound { first: *self.ports.start(), last: *self.ports.end() });
        }
        Ok(found)
    }

    /// The verified devices a port serves.
    pub fn info(&self, port: u16) -> Result<Vec<Device>, SbiError> {
        let answer = self.exchange(port, self.verbs.info, b"", self.timeouts.info, SMALL, "device info")?;
        let entries: Vec<InfoEntry> = serde_json::from_slice(&answer)
            .map_err(|e| SbiError::Malformed { port, detail: format!("device info: {e}") })?;
        let now = (self.clock)();
        let mut devices = Vec::new();
        for entry in entries {
            device_error(&entry.error)?;
            let token = entry.device_info.as_str();
            if token.split('.').count() != 3 {
                return Err(SbiError::NotRegistered);
            }
            let signed = jws::verify(token, &self.trust, now)?;
            let info: DeviceInfo = serde_json::from_slice(&signed.payload)
                .map_err(|e| SbiError::Malformed { port, detail: format!("device info payload: {e}") })?;
            if !info.spec_version.iter().any(|v| v.as_str() == wire::SPEC_VERSION) {
                return Err(SbiError::Mismatch(format!(
                    "the device speaks SBI {:?}, not {}",
                    info.spec_version,
                    wire::SPEC_VERSION
                )));
            }
            if !info.purpose.as_str().eq_ignore_ascii_case("Registration") {
                return Err(SbiError::Mismatch(format!(
                    "the device is for {:?}, not registration",
                    info.purpose.as_str()
                )));
            }
            let digital_id = self.digital_id(info.digital_id.as_str(), now)?;
            devices.push(Device { port, info, digital_id, certificate: signed.certificate });
        }
        Ok(devices)
    }

    fn digital_id(&self, token: &str, now: DateTime<Utc>) -> Result<DigitalId, SbiError> {
        let signed = jws::verify(token, &self.trust, now)?;
        let id: DigitalId =
            serde_json::from_slice(&signed.payload).map_err(|e| SbiError::Mismatch(format!("digital id: {e}")))?;
        if let Some(field) = id.missing() {
            return Err(SbiError::Mismatch(format!("the digital id has no {field}")));
        }
        Ok(id)
    }

    /// Discovers and verifies, and returns the first ready device of `kind`.
    pub fn find(&self, kind: DeviceType) -> Result<Device, SbiError> {
        let mut last = None;
        let mut ports: Vec<u16> = self.discover(kind)?.into_iter().map(|f| f.port).collect();
        ports.dedup();
        for port in ports {
            match self.info(port) {
                Ok(devices) => {
                    let wanted = |d: &Device| {
                        kind == DeviceType::Any || d.digital_id.kind.as_str().eq_ignore_ascii_case(kind.wire())
                    };
                    if let Some(d) = devices.iter().find(|d| wanted(d) && d.ready()) {
                        return Ok(d.clone());
                    }
                    if let Some(d) = devices.into_iter().find(wanted) {
                        last = Some(status_error(&d));
                    }
                }
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or(SbiError::NotFound { first: *self.ports.start(), last: *self.ports.end() }))
    }

    /// Takes one placement and verifies every element of the answer.
    pub fn capture(&self, device: &Device, ask: &CaptureAsk) -> Result<Capture, SbiError> {
        let expected: Vec<FingerPosition> =
            ask.placement.fingers().into_iter().filter(|f| !ask.exceptions.contains(f)).collect();
        let count = if ask.placement == Placement::Face { 1 } else { expected.len() };
        let transaction = transaction_id();
        let previous = ask.previous_hash.unwrap_or_else(chain::start);
        let request = CaptureRequest {
            env: Text(ask.env.clone()),
            purpose: "Registration".into(),
            spec_version: wire::SPEC_VERSION.into(),
            timeout: Text(ask.timeout.as_millis().to_string()),
            capture_time: Text((self.clock)().format("%Y-%m-%dT%H:%M:%SZ").to_string()),
            transaction_id: Text(transaction.clone()),
            bio: vec![BioRequest {
                kind: ask.placement.bio_type().into(),
                count: Text(count.to_string()),
                bio_sub_type: None,
                exception: ask.exceptions.iter().map(|&f| Text::from(sbi_name(f))).collect(),
                requested_score: Text(ask.requested_score.to_string()),
                device_id: device.info.device_id.clone(),
                device_sub_id: Text(ask.placement.sub_id().to_string()),
                previous_hash: ask.previous_hash.map(|h| Text(chain::hex(&h))),
            }],
            custom_opts: None,
        };
        let body = serde_json::to_vec(&request).map_err(|e| SbiError::Mismatch(e.to_string()))?;
        let port = device.port;
        let answer = self.exchange(
            port,
            self.verbs.rcapture,
            &body,
            ask.timeout + self.timeouts.capture_slack,
            LARGE,
            "the capture",
        )?;
        let response: wire::CaptureResponse = serde_json::from_slice(&answer)
            .map_err(|e| SbiError::Malformed { port, detail: format!("capture: {e}") })?;
        let now = (self.clock)();
        let mut items = Vec::new();
        let mut link = previous;
        for (index, element) in response.biometrics.iter().enumerate() {
            device_error(&element.error)?;
            if element.data.as_str().is_empty() {
                return Err(SbiError::Malformed { port, detail: "a capture element without data".into() });
            }
            if element.spec_version.as_str() != wire::SPEC_VERSION {
                return Err(SbiError::Mismatch(format!("element spec version {:?}", element.spec_version.as_str())));
            }
            let signed = jws::verify(element.data.as_str(), &self.trust, now)?;
            let payload: CapturePayload = serde_json::from_slice(&signed.payload)
                .map_err(|e| SbiError::Malformed { port, detail: format!("capture payload: {e}") })?;
            check_payload(&payload, device, ask, &transaction, now)?;
            self.digital_id(payload.digital_id.as_str(), now)?;
            let record = B64U
                .decode(payload.bio_value.as_str())
                .map_err(|_| SbiError::Malformed { port, detail: "bioValue is not base64url".into() })?;
            let previous_link = link;
            link = chain::next(&link, &record);
            if chain::parse(element.hash.as_str()) != Some(link) {
                return Err(SbiError::Chain { index });
            }
            let device_quality =
                payload.quality_score.score().ok_or_else(|| SbiError::Mismatch("no quality score".into()))?;
            let (position, finger) = if ask.placement == Placement::Face {
                (None, None)
            } else {
                let position = from_sbi_name(payload.bio_sub_type.as_str())
                    .ok_or_else(|| SbiError::Mismatch(format!("finger {:?}", payload.bio_sub_type.as_str())))?;
                let image = finger_image::decode(&record)?;
                if image.position != position {
                    return Err(SbiError::Mismatch(format!(
                        "the record is of finger {} where the device said {}",
                        image.position, position
                    )));
                }
                (Some(position), Some(image))
            };
            items.push(Captured {
                position,
                record,
                finger,
                device_quality,
                signed: DeviceSignature {
                    data: element.data.0.clone(),
                    hash: chain::hex(&link),
                    previous_hash: chain::hex(&previous_link),
                },
            });
        }
        check_fingers(&items, &expected, ask.placement)?;
        Ok(Capture { transaction_id: transaction, items, last_hash: link })
    }
}

fn device_error(error: &wire::ErrorBody) -> Result<(), SbiError> {
    if error.is_ok() {
        return Ok(());
    }
    let code = error.code.as_str().trim().parse().unwrap_or(999);
    Err(SbiError::Device { code, info: error.info.as_str().chars().take(200).collect() })
}

fn status_error(device: &Device) -> SbiError {
    let status = device.info.device_status.as_str();
    let code = match status.to_ascii_lowercase().as_str() {
        "busy" => 111,
        "not registered" => 100,
        _ => 110,
    };
    SbiError::Device { code, info: status.chars().take(40).collect() }
}

fn check_payload(
    p: &CapturePayload,
    device: &Device,
    ask: &CaptureAsk,
    transaction: &str,
    now: DateTime<Utc>,
) -> Result<(), SbiError> {
    if !p.transaction_id.as_str().eq_ignore_ascii_case(transaction) {
        return Err(SbiError::Transaction {
            sent: transaction.to_string(),
            got: p.transaction_id.as_str().chars().take(64).collect(),
        });
    }
    let stamp = DateTime::parse_from_rfc3339(p.timestamp.as_str())
        .map_err(|_| SbiError::Timestamp(p.timestamp.0.chars().take(40).collect()))?;
    if (stamp.with_timezone(&Utc) - now).abs() > CLOCK_WINDOW {
        return Err(SbiError::Timestamp(p.timestamp.0.clone()));
    }
    if p.device_code != device.info.device_code {
        return Err(SbiError::Mismatch("the capture is signed for another device".into()));
    }
    if !p.purpose.as_str().eq_ignore_ascii_case("Registration") {
        return Err(SbiError::Mismatch(format!("purpose {:?}", p.purpose.as_str())));
    }
    if !p.bio_type.as_str().eq_ignore_ascii_case(ask.placement.bio_type()) {
        return Err(SbiError::Mismatch(format!(
            "a {:?} where a {} was asked",
            p.bio_type.as_str(),
            ask.placement.bio_type()
        )));
    }
    Ok(())
}

fn check_fingers(items: &[Captured], expected: &[FingerPosition], placement: Placement) -> Result<(), SbiError> {
    if placement == Placement::Face {
        return if items.len() == 1 {
            Ok(())
        } else {
            Err(SbiError::Mismatch(format!("{} faces where one was asked", items.len())))
        };
    }
    let mut got: Vec<FingerPosition> = items.iter().filter_map(|i| i.position).collect();
    got.sort();
    let mut want = expected.to_vec();
    want.sort();
    if got != want {
        return Err(SbiError::Mismatch(format!(
            "fingers {:?} where {:?} were asked",
            got.iter().map(|p| p.key()).collect::<Vec<_>>(),
            want.iter().map(|p| p.key()).collect::<Vec<_>>()
        )));
    }
    Ok(())
}
