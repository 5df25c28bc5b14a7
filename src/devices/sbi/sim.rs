//! The kit's own SBI slap scanner: a real HTTP server on 127.0.0.1 that speaks SBI 0.9.5's
//! verbs, serves generated prints segmented per finger as ISO 19794-4:2011 records with
//! lossless JPEG 2000 images, signs with a device certificate chain generated at start, and
//! misbehaves on request the ways devices and hostile peers do.

use super::chain;
use super::http;
use super::jws::{self, B64U};
use super::placement::{Placement, from_sbi_name, sbi_name};
use super::wire::{
    self, Biometric, CapturePayload, CaptureRequest, DeviceInfo, DigitalId, Discovered, ErrorBody, InfoEntry, Text,
};
use crate::biometrics::synthetic::typical_print;
use crate::domain::biometrics::FingerPosition;
use crate::interchange::{FingerImage, finger_image};
use crate::kit::Clock;
use base64::Engine;
use chrono::Utc;
use std::io::ErrorKind;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::ops::RangeInclusive;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use thiserror::Error;

/// A simulator that could not start.
#[derive(Debug, Error)]
pub enum SimError {
    /// No free port in the range.
    #[error("no free port in {first}–{last} on 127.0.0.1 for the SBI simulator")]
    NoPort {
        /// First port.
        first: u16,
        /// Last port.
        last: u16,
    },
    /// The test certificate chain could not be made.
    #[error("the simulator's test certificates could not be made: {0}")]
    Certificates(String),
    /// The socket failed.
    #[error("the SBI simulator's socket failed: {0}")]
    Io(#[from] std::io::Error),
}

/// A device CA and a device certificate under it, made for tests and pilot mode. Its CA goes
/// in a kit's `device-ca/` only on kits meant to take the simulator's prints.
pub struct TestChain {
    /// The CA certificate (DER).
    pub ca: Vec<u8>,
    /// The device certificate (DER).
    pub device: Vec<u8>,
    key: ring::signature::RsaKeyPair,
}

impl std::fmt::Debug for TestChain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TestChain(..)") // the key never prints
    }
}

fn rsa_key() -> Result<(Vec<u8>, rcgen::KeyPair), SimError> {
    use rsa::pkcs8::EncodePrivateKey;
    let fail = |e: &dyn std::fmt::Display| SimError::Certificates(e.to_string());
    let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).map_err(|e| fail(&e))?;
    let der = key.to_pkcs8_der().map_err(|e| fail(&e))?.as_bytes().to_vec();
    let pair = rcgen::KeyPair::from_pkcs8_der_and_sign_algo(&der.as_slice().into(), &rcgen::PKCS_RSA_SHA256)
        .map_err(|e| fail(&e))?;
    Ok((der, pair))
}

impl TestChain {
    /// Makes a new CA and device certificate (RSA 2048, RS256), valid from a day ago for a year.
    pub fn generate(name: &str) -> Result<TestChain, SimError> {
        let fail = |e: &dyn std::fmt::Display| SimError::Certificates(e.to_string());
        let (_, ca_key) = rsa_key()?;
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).map_err(|e| fail(&e))?;
        ca_params.distinguished_name.push(rcgen::DnType::CommonName, format!("{name} test device CA"));
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params.key_usages = vec![rcgen::KeyUsagePurpose::KeyCertSign, rcgen::KeyUsagePurpose::DigitalSignature];
        valid_for_a_year(&mut ca_params);
        let ca = ca_params.self_signed(&ca_key).map_err(|e| fail(&e))?;
        let (device_der, device_key) = rsa_key()?;
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).map_err(|e| fail(&e))?;
        params.distinguished_name.push(rcgen::DnType::CommonName, format!("{name} test device"));
        // A signing certificate, not a TLS one: the kit must take whatever usage a provider sets.
        params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::CodeSigning];
        valid_for_a_year(&mut params);
        let issuer = rcgen::Issuer::from_params(&ca_params, &ca_key);
        let device = params.signed_by(&device_key, &issuer).map_err(|e| fail(&e))?;
        let key = ring::signature::RsaKeyPair::from_pkcs8(&device_der).map_err(|e| fail(&e))?;
        Ok(TestChain { ca: ca.der().to_vec(), device: device.der().to_vec(), key })
    }

    /// The CA certificate as PEM, for a kit's `device-ca/` folder.
    pub fn ca_pem(&self) -> String {
        use base64::engine::general_purpose::STANDARD;
        let b64 = STANDARD.encode(&self.ca);
        let lines: Vec<&str> = b64.as_bytes().chunks(64).map(|c| std::str::from_utf8(c).unwrap_or_default()).collect();
        format!("-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n", lines.join("\n"))
    }

    fn sign(&self, payload: &[u8]) -> String {
        jws::sign(payload, &self.key, &self.device).unwrap_or_default()
    }
}

/// The date `days` from today (year, month, day), as certificates date themselves.
fn day(days: i64) -> (i32, u8, u8) {
    use chrono::Datelike;
    let d = (Utc::now() + chrono::TimeDelta::days(days)).date_naive();
    (d.year(), d.month() as u8, d.day() as u8)
}

fn valid_for_a_year(params: &mut rcgen::CertificateParams) {
    let ((y0, m0, d0), (y1, m1, d1)) = (day(-1), day(365));
    params.not_before = rcgen::date_time_ymd(y0, m0, d0);
    params.not_after = rcgen::date_time_ymd(y1, m1, d1);
}

/// How the simulator misbehaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Fault {
    /// It behaves.
    #[default]
    None,
    /// Status Busy; captures answer 703.
    Busy,
    /// Status Not Ready; captures answer 110.
    NotReady,
    /// Not registered: device info unsigned, error 100.
    NotRegistered,
    /// Accepts the capture and never answers.
    Hang,
    /// One finger's signature is over other bytes.
    BadSignature,
    /// Echoes another transaction id.
    WrongTransaction,
    /// One hash does not follow from the one before.
    BrokenChain,
    /// Returns the best frame below the requested score.
    LowQuality,
    /// Timestamps 10 minutes old.
    OldTimestamp,
    /// Answers the previous capture again.
    Replay,
    /// One finger is missing from the answer.
    MissingFinger,
    /// A finger of the other hand in the answer.
    WrongFinger,
    /// Signed data with the signature part cut off.
    Unsigned,
    /// Not HTTP at all.
    Garbage,
    /// Headers that say a 1 GB body.
    Oversized,
    /// A body that drips one byte at a time and never ends.
    Drip,
    /// JSON nested deeper than any parser should follow.
    JsonBomb,
    /// The right slap shows the left hand again (the assistant's mistake, not the device's).
    SameHand,
}

impl Fault {
    /// Every fault with its command-line name.
    pub const NAMED: [(&'static str, Fault); 18] = [
        ("busy", Fault::Busy),
        ("not-ready", Fault::NotReady),
        ("not-registered", Fault::NotRegistered),
        ("hang", Fault::Hang),
        ("bad-signature", Fault::BadSignature),
        ("unsigned", Fault::Unsigned),
        ("wrong-transaction", Fault::WrongTransaction),
        ("broken-chain", Fault::BrokenChain),
        ("low-quality", Fault::LowQuality),
        ("old-timestamp", Fault::OldTimestamp),
        ("replay", Fault::Replay),
        ("missing-finger", Fault::MissingFinger),
        ("wrong-finger", Fault::WrongFinger),
        ("garbage", Fault::Garbage),
        ("oversized", Fault::Oversized),
        ("drip", Fault::Drip),
        ("json-bomb", Fault::JsonBomb),
        ("same-hand", Fault::SameHand),
    ];

    /// The fault a command line names.
    pub fn from_name(name: &str) -> Option<Fault> {
        Fault::NAMED.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
    }
}

/// What the simulator serves and how it behaves.
#[derive(Clone)]
pub struct SimConfig {
    /// The ports to bind the first free one of.
    pub ports: RangeInclusive<u16>,
    /// The signing chain.
    pub chain: Arc<TestChain>,
    /// The score the device reports for a good frame.
    pub quality: u8,
    /// The generated person (fingers are seeds derived from it); none: a new person at every
    /// capture, numbered in order (pilot mode, where each applicant is someone else).
    pub person: Option<u64>,
    /// Time a placement takes, as a real scanner's auto-capture does.
    pub placement_time: Duration,
    /// The device's clock.
    pub clock: Clock,
    /// Image size of a segmented finger.
    pub finger_size: (u32, u32),
}

impl SimConfig {
    /// A well-behaved slap scanner on the SBI range.
    pub fn new(chain: Arc<TestChain>) -> Self {
        SimConfig {
            ports: wire::PORTS,
            chain,
            quality: 72,
            person: Some(1),
            placement_time: Duration::ZERO,
            clock: Arc::new(Utc::now),
            finger_size: (256, 320),
        }
    }
}

struct State {
    fault: Fault,
    person: Option<u64>,
    last_capture: Option<Vec<u8>>,
    captures: u32,
}

/// A running simulator.
pub struct SbiSim {
    port: u16,
    stop: Arc<AtomicBool>,
    state: Arc<Mutex<State>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

const DEVICE_ID: &str = "1";
const DEVICE_CODE: &str = "ek-sim-slap-0001";

impl SbiSim {
    /// Binds the first free port of the range and serves until dropped.
    pub fn start(config: SimConfig) -> Result<SbiSim, SimError> {
        let listener = config
            .ports
            .clone()
            .find_map(|p| TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, p))).ok())
            .ok_or(SimError::NoPort { first: *config.ports.start(), last: *config.ports.end() })?;
        let port = listener.local_addr()?.port();
        listener.set_nonblocking(true)?;
        let stop = Arc::new(AtomicBool::new(false));
        let state =
            Arc::new(Mutex::new(State { fault: Fault::None, person: config.person, last_capture: None, captures: 0 }));
        let (s, st) = (Arc::clone(&stop), Arc::clone(&state));
        let busy = Arc::new(AtomicBool::new(false));
        let thread = std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let (config, st, s, busy) =
                            (config.clone(), Arc::clone(&st), Arc::clone(&s), Arc::clone(&busy));
                        std::thread::spawn(move || serve(stream, port, &config, &st, &s, &busy));
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => std::thread::sleep(Duration::from_millis(5)),
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Ok(SbiSim { port, stop, state, thread: Some(thread) })
    }

    /// The port it serves.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Misbehave from now on.
    pub fn set_fault(&self, fault: Fault) {
        self.state.lock().unwrap_or_else(PoisonError::into_inner).fault = fault;
    }

    /// Serve another generated person's fingers from now on.
    pub fn set_person(&self, person: u64) {
        self.state.lock().unwrap_or_else(PoisonError::into_inner).person = Some(person);
    }

    /// Captures answered so far.
    pub fn captures(&self) -> u32 {
        self.state.lock().unwrap_or_else(PoisonError::into_inner).captures
    }
}

impl Drop for SbiSim {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn json<T: serde::Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_default()
}

fn serve(
    mut stream: TcpStream,
    port: u16,
    config: &SimConfig,
    state: &Mutex<State>,
    stop: &AtomicBool,
    busy: &AtomicBool,
) {
    let _ = stream.set_nonblocking(false);
    let Ok(request) = http::read_request(&mut stream, Duration::from_secs(10), 1 << 20) else { return };
    let fault = state.lock().unwrap_or_else(PoisonError::into_inner).fault;
    match fault {
        Fault::Garbage => {
            let _ = std::io::Write::write_all(&mut stream, b"\x00\xffSBI? no.\r\n\r\n garbage");
            return;
        }
        Fault::Oversized => {
            let _ = std::io::Write::write_all(&mut stream, b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\n\r\n[");
            return;
        }
        Fault::Drip => {
            let _ =
                std::io::Write::write_all(&mut stream, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n[");
            while !stop.load(Ordering::Relaxed) {
                if std::io::Write::write_all(&mut stream, b" ").is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            return;
        }
        Fault::JsonBomb => {
            let bomb = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
            let _ = http::respond(&mut stream, 200, "application/json", bomb.as_bytes());
            return;
        }
        _ => {}
    }
    let (status, body) = match (request.method.as_str(), request.path.as_str()) {
        ("OPTIONS", _) => (200, Vec::new()),
        ("MOSIPDISC", _) => (200, discover(&request.body, port, config, fault)),
        ("MOSIPDINFO", _) => (200, info(port, config, fault)),
        ("RCAPTURE", _) => {
            if busy.swap(true, Ordering::SeqCst) {
                (200, capture_error(703, "capture already in progress"))
            } else {
                let out = rcapture(&request.body, config, state, fault, stop);
                busy.store(false, Ordering::SeqCst);
                match out {
                    Some(body) => (200, body),
                    None => return, // hung up
                }
            }
        }
        _ => (405, json(&serde_json::json!({"error": {"errorCode": "500", "errorInfo": "invalid URL or method"}}))),
    };
    let _ = http::respond(&mut stream, status, "application/json", &body);
}

fn status(fault: Fault) -> (&'static str, ErrorBody) {
    match fault {
        Fault::Busy => ("Busy", ErrorBody::new(111, "device busy")),
        Fault::NotReady => ("Not Ready", ErrorBody::new(110, "device not ready")),
        Fault::NotRegistered => ("Not Registered", ErrorBody::new(100, "device not registered")),
        _ => ("Ready", ErrorBody::ok()),
    }
}

fn digital_id(config: &SimConfig) -> DigitalId {
    DigitalId {
        serial_no: DEVICE_CODE.into(),
        make: "enroll-kit".into(),
        model: "SLAP-SIM".into(),
        kind: "Finger".into(),
        device_sub_type: "Slap".into(),
        device_provider: "enroll-kit simulator".into(),
        device_provider_id: "ENROLL-KIT.SIM".into(),
        date_time: Text((config.clock)().format("%Y-%m-%dT%H:%M:%SZ").to_string()),
    }
}

fn discover(body: &[u8], port: u16, config: &SimConfig, fault: Fault) -> Vec<u8> {
    let asked: Option<wire::DiscoverRequest> = serde_json::from_slice(body).ok();
    let kind = asked.map(|a| a.kind).unwrap_or_default();
    if !["Biometric Device", "Finger"].iter().any(|k| k.eq_ignore_ascii_case(&kind)) {
        return b"[]".to_vec();
    }
    let (device_status, error) = status(fault);
    let registered = fault != Fault::NotRegistered;
    let entry = Discovered {
        device_id: Text(if registered { DEVICE_ID.into() } else { String::new() }),
        device_status: device_status.into(),
        certification: "L0".into(),
        service_version: wire::SPEC_VERSION.into(),
        device_sub_id: vec!["1".into(), "2".into(), "3".into()],
        callback_id: Text(format!("http://127.0.0.1:{port}/")),
        digital_id: Text(B64U.encode(json(&digital_id(config)))),
        device_code: Text(if registered { DEVICE_CODE.into() } else { String::new() }),
        spec_version: vec![wire::SPEC_VERSION.into()],
        purpose: Text(if registered { "Registration".into() } else { String::new() }),
        error,
    };
    json(&vec![entry])
}

fn info(port: u16, config: &SimConfig, fault: Fault) -> Vec<u8> {
    let (device_status, error) = status(fault);
    let registered = fault != Fault::NotRegistered;
    let payload = DeviceInfo {
        device_status: device_status.into(),
        device_id: DEVICE_ID.into(),
        firmware: wire::SPEC_VERSION.into(),
        certification: "L0".into(),
        service_version: wire::SPEC_VERSION.into(),
        device_sub_id: vec!["1".into(), "2".into(), "3".into()],
        callback_id: Text(format!("http://127.0.0.1:{port}/")),
        digital_id: Text(config.chain.sign(&json(&digital_id(config)))),
        device_code: DEVICE_CODE.into(),
        env: if registered { "Developer".into() } else { "None".into() },
        purpose: if registered { "Registration".into() } else { Text::default() },
        spec_version: vec![wire::SPEC_VERSION.into()],
    };
    let device_info = if registered { config.chain.sign(&json(&payload)) } else { B64U.encode(json(&payload)) };
    let error = if registered { ErrorBody::ok() } else { error };
    json(&vec![InfoEntry { device_info: Text(device_info), error }])
}

fn capture_error(code: u16, info: &str) -> Vec<u8> {
    json(&wire::CaptureResponse {
        biometrics: vec![Biometric {
            spec_version: wire::SPEC_VERSION.into(),
            data: Text::default(),
            hash: Text::default(),
            error: ErrorBody::new(code, info),
        }],
    })
}

/// The fingers an RCAPTURE asks for, or the SBI error code that refuses it.
fn asked_fingers(request: &CaptureRequest) -> Result<(Placement, Vec<FingerPosition>, u8), (u16, &'static str)> {
    if !request.purpose.as_str().eq_ignore_ascii_case("Registration") {
        return Err((121, "purpose"));
    }
    let [bio] = request.bio.as_slice() else { return Err((109, "one bio element expected")) };
    if !bio.kind.as_str().eq_ignore_ascii_case("Finger") {
        return Err((114, "device type mismatch"));
    }
    let placement =
        bio.device_sub_id.as_str().trim().parse().ok().and_then(Placement::finger_slap).ok_or((704, "deviceSubId"))?;
    let fingers = placement.fingers();
    let mut exceptions = Vec::new();
    for name in &bio.exception {
        let f = from_sbi_name(name.as_str()).filter(|f| fingers.contains(f)).ok_or((117, "exception value"))?;
        exceptions.push(f);
    }
    let count: usize = bio.count.as_str().trim().parse().map_err(|_| (116, "count value"))?;
    if count == 0 || count + exceptions.len() != fingers.len() {
        return Err((109, "requested number of biometrics not supported"));
    }
    let score = bio.requested_score.score().ok_or((109, "requestedScore"))?;
    Ok((placement, fingers.into_iter().filter(|f| !exceptions.contains(f)).collect(), score))
}

fn rcapture(body: &[u8], config: &SimConfig, state: &Mutex<State>, fault: Fault, stop: &AtomicBool) -> Option<Vec<u8>> {
    match fault {
        Fault::Busy => return Some(capture_error(703, "capture already in progress")),
        Fault::NotReady => return Some(capture_error(110, "device not ready")),
        Fault::NotRegistered => return Some(capture_error(100, "device not registered")),
        Fault::Hang => {
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(20));
            }
            return None;
        }
        Fault::Replay => {
            if let Some(last) = state.lock().unwrap_or_else(PoisonError::into_inner).last_capture.clone() {
                return Some(last);
            }
        }
        _ => {}
    }
    let Ok(request) = serde_json::from_slice::<CaptureRequest>(body) else {
        return Some(capture_error(123, "JSON parse error"));
    };
    let (placement, mut fingers, requested) = match asked_fingers(&request) {
        Ok(asked) => asked,
        Err((code, info)) => return Some(capture_error(code, info)),
    };
    std::thread::sleep(config.placement_time);
    // No person set: each capture is someone new, in a fixed order (a run is repeatable).
    let person = {
        let st = state.lock().unwrap_or_else(PoisonError::into_inner);
        st.person.unwrap_or(1_000 + u64::from(st.captures))
    };
    if fault == Fault::MissingFinger {
        fingers.pop();
    }
    if let (Fault::WrongFinger, Some(first)) = (fault, fingers.first_mut()) {
        *first = FingerPosition::ALL[(usize::from(first.code()) + 4) % 10];
    }
    let quality = if fault == Fault::LowQuality { requested.saturating_sub(20) } else { config.quality.max(requested) };
    let bio = &request.bio[0];
    let mut link = bio.previous_hash.as_ref().and_then(|h| chain::parse(h.as_str())).unwrap_or_else(chain::start);
    let mut now = (config.clock)();
    if fault == Fault::OldTimestamp {
        now -= chrono::TimeDelta::minutes(10);
    }
    let transaction = if fault == Fault::WrongTransaction {
        Text("another-transaction".into())
    } else {
        request.transaction_id.clone()
    };
    let mut biometrics = Vec::new();
    let digital = config.chain.sign(&json(&digital_id(config)));
    for (i, &finger) in fingers.iter().enumerate() {
        let (w, h) = config.finger_size;
        // The same hand twice: the right slap's fingers are the left hand's (index 2 → 7, …).
        let shown = if fault == Fault::SameHand && placement == Placement::RightSlap {
            finger.code() + 5
        } else {
            finger.code()
        };
        let image = typical_print(person.wrapping_mul(10).wrapping_add(u64::from(shown)), 0, w, h);
        let record =
            finger_image::encode(&FingerImage { position: finger, dpi: 500, quality: Some(quality), image }).ok()?;
        link = chain::next(&link, &record);
        let mut hash = chain::hex(&link);
        if fault == Fault::BrokenChain && i == 1 {
            hash = chain::hex(&chain::next(&link, b"spliced"));
        }
        let payload = CapturePayload {
            digital_id: Text(digital.clone()),
            device_code: DEVICE_CODE.into(),
            device_service_version: wire::SPEC_VERSION.into(),
            bio_type: "Finger".into(),
            bio_sub_type: sbi_name(finger).into(),
            purpose: "Registration".into(),
            env: request.env.clone(),
            bio_value: Text(B64U.encode(&record)),
            transaction_id: transaction.clone(),
            timestamp: Text(now.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
            requested_score: Text(requested.to_string()),
            quality_score: Text(quality.to_string()),
        };
        let mut data = config.chain.sign(&json(&payload));
        if fault == Fault::BadSignature && i == 0 {
            // The signature of one payload on another's bytes.
            let other = config.chain.sign(b"{}");
            let sig = other.rsplit('.').next().unwrap_or_default().to_string();
            data = format!("{}.{sig}", data.rsplit_once('.').map(|(head, _)| head).unwrap_or_default());
        }
        if fault == Fault::Unsigned {
            data = data.rsplit_once('.').map(|(head, _)| format!("{head}.")).unwrap_or_default();
        }
        biometrics.push(Biometric {
            spec_version: wire::SPEC_VERSION.into(),
            data: Text(data),
            hash: Text(hash),
            error: ErrorBody::ok(),
        });
    }
    let body = json(&wire::CaptureResponse { biometrics });
    let mut st = state.lock().unwrap_or_else(PoisonError::into_inner);
    st.captures += 1;
    st.last_capture = Some(body.clone());
    Some(body)
}
