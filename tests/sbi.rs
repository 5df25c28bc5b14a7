//! The SBI client against the kit's own SBI slap scanner over real HTTP on 127.0.0.1: the
//! compliance toolkit's cases (SBI1000–SBI1008, re-expressed) and every fault a device or a
//! hostile peer has. Each fault ends in a typed error, never a hang or a panic.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a panic is a failure with its line

use enroll_kit::devices::sbi::jws::JwsError;
use enroll_kit::devices::sbi::sim::{Fault, SbiSim, SimConfig, TestChain};
use enroll_kit::devices::sbi::{
    CaptureAsk, DeviceTrust, DeviceType, Placement, SbiClient, SbiError, chain, client::Timeouts,
};
use enroll_kit::domain::biometrics::FingerPosition;
use std::sync::{Arc, OnceLock};

mod common;
use std::time::Duration;

fn chain_of(cell: &'static OnceLock<Arc<TestChain>>, name: &str) -> Arc<TestChain> {
    Arc::clone(cell.get_or_init(|| Arc::new(TestChain::generate(name).expect("a test chain"))))
}

fn trusted() -> Arc<TestChain> {
    static CHAIN: OnceLock<Arc<TestChain>> = OnceLock::new();
    chain_of(&CHAIN, "trusted")
}

fn stranger() -> Arc<TestChain> {
    static CHAIN: OnceLock<Arc<TestChain>> = OnceLock::new();
    chain_of(&CHAIN, "stranger")
}

fn start(config: SimConfig, fault: Fault) -> (SbiSim, SbiClient) {
    let sim = SbiSim::start(config).expect("the simulator starts");
    sim.set_fault(fault);
    let client = SbiClient::new(DeviceTrust::new(vec![trusted().ca.clone()])).with_ports(sim.port()..=sim.port());
    (sim, client)
}

fn scanner(fault: Fault) -> (SbiSim, SbiClient) {
    start(SimConfig::new(trusted()), fault)
}

fn ask(placement: Placement, exceptions: &[u8]) -> CaptureAsk {
    CaptureAsk {
        placement,
        exceptions: exceptions.iter().filter_map(|&c| FingerPosition::new(c)).collect(),
        requested_score: 40,
        timeout: Duration::from_secs(20),
        previous_hash: None,
        env: "Developer".into(),
    }
}

fn codes(capture: &enroll_kit::devices::sbi::Capture) -> Vec<u8> {
    let mut c: Vec<u8> = capture.items.iter().filter_map(|i| i.position.map(FingerPosition::code)).collect();
    c.sort();
    c
}

#[test]
fn sbi1000_discovery_finds_the_scanner_with_its_spec_version_and_slaps() {
    let (sim, client) = scanner(Fault::None);
    let found = client.discover(DeviceType::Finger).unwrap();
    assert_eq!(found.len(), 1);
    let d = &found[0].device;
    assert_eq!(found[0].port, sim.port());
    assert_eq!(d.device_status.as_str(), "Ready");
    assert!(d.spec_version.iter().any(|v| v.as_str() == "0.9.5"));
    assert_eq!(d.device_sub_id.iter().map(|s| s.as_str()).collect::<Vec<_>>(), ["1", "2", "3"]);
    assert!(d.error.is_ok() && !d.device_code.as_str().is_empty());
    // A face camera is not what this device is.
    assert!(matches!(client.discover(DeviceType::Face), Err(SbiError::NotFound { .. })));
}

#[test]
fn sbi1001_device_info_verifies_against_the_trusted_device_ca() {
    let (_sim, client) = scanner(Fault::None);
    let device = client.find(DeviceType::Finger).unwrap();
    assert!(device.ready());
    assert_eq!(device.info.purpose.as_str(), "Registration");
    assert_eq!(device.digital_id.missing(), None, "all eight digital id fields");
    assert_eq!(device.certificate, trusted().device);
}

#[test]
fn sbi1002_to_1007_every_slap_with_and_without_exceptions_returns_exactly_the_fingers_asked() {
    let (_sim, client) = scanner(Fault::None);
    let device = client.find(DeviceType::Finger).unwrap();
    let cases: [(&str, Placement, &[u8], &[u8]); 6] = [
        ("SBI1002 left slap", Placement::LeftSlap, &[], &[7, 8, 9, 10]),
        ("SBI1003 left slap, one exception", Placement::LeftSlap, &[9], &[7, 8, 10]),
        ("SBI1004 right slap", Placement::RightSlap, &[], &[2, 3, 4, 5]),
        ("SBI1005 right slap, two exceptions", Placement::RightSlap, &[3, 5], &[2, 4]),
        ("SBI1006 two thumbs", Placement::Thumbs, &[], &[1, 6]),
        ("SBI1007 two thumbs, one exception", Placement::Thumbs, &[1], &[6]),
    ];
    for (case, placement, exceptions, fingers) in cases {
        let capture = client.capture(&device, &ask(placement, exceptions)).unwrap_or_else(|e| panic!("{case}: {e}"));
        assert_eq!(codes(&capture), fingers, "{case}");
        for item in &capture.items {
            let image = item.finger.as_ref().expect("a decoded finger");
            assert_eq!(Some(image.position), item.position, "{case}");
            assert_eq!(image.dpi, 500);
            assert!(item.device_quality >= 40, "{case}: the device captured at the requested score");
            assert!(image.image.width() > 100 && item.signed.data.split('.').count() == 3);
        }
    }
}

#[test]
fn sbi1008_both_thumbs_as_exceptions_is_an_error_from_the_device() {
    let (_sim, client) = scanner(Fault::None);
    let device = client.find(DeviceType::Finger).unwrap();
    let e = client.capture(&device, &ask(Placement::Thumbs, &[1, 6])).unwrap_err();
    assert!(matches!(e, SbiError::Device { code: 109, .. }), "{e}");
}

#[test]
fn the_hash_chain_runs_across_a_persons_three_slaps() {
    let (_sim, client) = scanner(Fault::None);
    let device = client.find(DeviceType::Finger).unwrap();
    let mut previous = None;
    let mut link = chain::start();
    for placement in Placement::SLAPS {
        let capture = client.capture(&device, &CaptureAsk { previous_hash: previous, ..ask(placement, &[]) }).unwrap();
        for item in &capture.items {
            link = chain::next(&link, &item.record);
            assert_eq!(item.signed.hash, chain::hex(&link));
        }
        previous = Some(capture.last_hash);
    }
    assert_eq!(previous, Some(link));
}

fn capture_with(fault: Fault) -> SbiError {
    let (sim, client) = scanner(Fault::None);
    let device = client.find(DeviceType::Finger).unwrap();
    sim.set_fault(fault);
    let client = client.with_timeouts(Timeouts { capture_slack: Duration::from_millis(300), ..Timeouts::default() });
    let short = CaptureAsk { timeout: Duration::from_millis(300), ..ask(Placement::LeftSlap, &[]) };
    let ask = if fault == Fault::Hang { short } else { ask(Placement::LeftSlap, &[]) };
    client.capture(&device, &ask).expect_err("the fault is caught")
}

#[test]
fn device_states_end_in_errors_that_say_what_to_do() {
    for (fault, code, key) in [(Fault::Busy, 111, "sbi-error-busy"), (Fault::NotReady, 110, "sbi-error-not-ready")] {
        let (_sim, client) = scanner(fault);
        let e = client.find(DeviceType::Finger).unwrap_err();
        assert!(matches!(e, SbiError::Device { code: c, .. } if c == code), "{fault:?}: {e}");
        assert_eq!(e.notice().key, key);
        assert!(e.retryable());
    }
    let (_sim, client) = scanner(Fault::NotRegistered);
    let e = client.find(DeviceType::Finger).unwrap_err();
    assert!(matches!(e, SbiError::Device { code: 100, .. } | SbiError::NotRegistered), "{e}");
    assert_eq!(e.notice().key, "sbi-error-not-registered");
    assert!(matches!(capture_with(Fault::Busy), SbiError::Device { code: 703, .. }));
    assert!(matches!(capture_with(Fault::NotReady), SbiError::Device { code: 110, .. }));
}

#[test]
fn forged_replayed_or_spliced_captures_are_refused() {
    assert_eq!(capture_with(Fault::BadSignature).to_string(), SbiError::Signature(JwsError::BadSignature).to_string());
    assert!(matches!(capture_with(Fault::Unsigned), SbiError::Signature(_)));
    assert!(matches!(capture_with(Fault::WrongTransaction), SbiError::Transaction { .. }));
    assert!(matches!(capture_with(Fault::BrokenChain), SbiError::Chain { index: 1 }));
    assert!(matches!(capture_with(Fault::OldTimestamp), SbiError::Timestamp(_)));
    assert!(matches!(capture_with(Fault::MissingFinger), SbiError::Mismatch(_)));
    assert!(matches!(capture_with(Fault::WrongFinger), SbiError::Mismatch(_)));
    // A capture answered again: it carries the first transaction's id.
    let (sim, client) = scanner(Fault::None);
    let device = client.find(DeviceType::Finger).unwrap();
    client.capture(&device, &ask(Placement::LeftSlap, &[])).unwrap();
    sim.set_fault(Fault::Replay);
    let e = client.capture(&device, &ask(Placement::LeftSlap, &[])).unwrap_err();
    assert!(matches!(e, SbiError::Transaction { .. }), "{e}");
    assert_eq!(e.notice().key, "sbi-error-garbled");
}

#[test]
fn a_device_the_kit_does_not_trust_or_whose_certificate_has_expired_is_refused() {
    let (_sim, client) = start(SimConfig::new(stranger()), Fault::None);
    let e = client.find(DeviceType::Finger).unwrap_err();
    assert!(matches!(e, SbiError::Signature(JwsError::Untrusted(_))), "{e}");
    assert_eq!(e.notice().key, "sbi-error-untrusted");
    let (_sim, client) = scanner(Fault::None);
    let late = client.with_clock(Arc::new(|| chrono::Utc::now() + chrono::TimeDelta::days(800)));
    assert!(matches!(late.find(DeviceType::Finger), Err(SbiError::Signature(JwsError::Untrusted(_)))));
    // No trusted CA at all: nothing is trusted.
    let (sim, _) = scanner(Fault::None);
    let bare = SbiClient::new(DeviceTrust::default()).with_ports(sim.port()..=sim.port());
    assert!(matches!(bare.find(DeviceType::Finger), Err(SbiError::Signature(_))));
}

#[test]
fn a_capture_below_the_requested_score_is_reported_with_the_devices_score() {
    let (sim, client) = scanner(Fault::None);
    let device = client.find(DeviceType::Finger).unwrap();
    sim.set_fault(Fault::LowQuality);
    let capture = client.capture(&device, &ask(Placement::RightSlap, &[])).unwrap();
    assert!(capture.items.iter().all(|i| i.device_quality < 40), "the best frame, below the score asked");
}

#[test]
fn hostile_answers_end_in_typed_errors_within_the_calls_time() {
    let quick = Timeouts {
        discover: Duration::from_millis(300),
        info: Duration::from_millis(500),
        capture_slack: Duration::from_millis(300),
    };
    for (fault, what) in [
        (Fault::Garbage, "garbage"),
        (Fault::Oversized, "a 1 GB body"),
        (Fault::Drip, "a body that never ends"),
        (Fault::JsonBomb, "a JSON bomb"),
    ] {
        let (sim, client) = scanner(Fault::None);
        let device = client.find(DeviceType::Finger).unwrap();
        sim.set_fault(fault);
        let client = client.with_timeouts(quick);
        let e = client.info(device.port).unwrap_err();
        let typed = matches!(e, SbiError::Malformed { .. } | SbiError::TooLarge { .. } | SbiError::Timeout { .. });
        assert!(typed, "{what}: {e}");
        let short = CaptureAsk { timeout: Duration::from_millis(300), ..ask(Placement::LeftSlap, &[]) };
        let e = client.capture(&device, &short).unwrap_err();
        assert!(
            matches!(e, SbiError::Malformed { .. } | SbiError::TooLarge { .. } | SbiError::Timeout { .. }),
            "{what}: {e}"
        );
        assert_eq!(
            e.notice().key,
            if matches!(e, SbiError::Timeout { .. }) { "sbi-error-unreachable" } else { "sbi-error-garbled" }
        );
    }
    assert!(matches!(capture_with(Fault::Hang), SbiError::Timeout { .. }));
}

#[test]
fn peers_answering_on_every_port_do_not_hide_the_real_scanner() {
    // A private range, so that the other tests' scanners are not on it.
    let range = 4651..=4670;
    let hostile: Vec<SbiSim> = [Fault::Garbage, Fault::Drip, Fault::JsonBomb, Fault::Oversized]
        .into_iter()
        .cycle()
        .take(12)
        .map(|fault| {
            let sim = SbiSim::start(SimConfig { ports: range.clone(), ..SimConfig::new(stranger()) }).unwrap();
            sim.set_fault(fault);
            sim
        })
        .collect();
    // MOSIP's own per-port time: a short one would race the real scanner's answer on a busy machine.
    let client = SbiClient::new(DeviceTrust::new(vec![trusted().ca.clone()])).with_ports(range.clone());
    assert!(matches!(client.discover(DeviceType::Finger), Err(SbiError::NotFound { .. })));
    // A stranger's well-behaved device among them is found but not trusted; ours is taken.
    let strange = SbiSim::start(SimConfig { ports: range.clone(), ..SimConfig::new(stranger()) }).unwrap();
    let ours = SbiSim::start(SimConfig { ports: range.clone(), ..SimConfig::new(trusted()) }).unwrap();
    let found = client.discover(DeviceType::Finger).unwrap();
    assert!(found.iter().any(|f| f.port == ours.port()) && found.iter().any(|f| f.port == strange.port()));
    assert_eq!(client.find(DeviceType::Finger).unwrap().port, ours.port());
    drop(hostile);
}

#[test]
fn the_simulator_command_serves_a_scanner_that_devices_list_finds_and_trusts() {
    use std::io::BufRead;
    use std::process::{Command, Stdio};
    let data = tempfile::tempdir().unwrap();
    let kit = env!("CARGO_BIN_EXE_enroll-kit");
    let mut sim = Command::new(kit)
        .args(["devices", "simulate", "--profile", "sbi-slap-sim", "--placement-ms", "0", "--trust-into"])
        .arg(data.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // The first line is the port, printed once the server listens.
    let mut port = String::new();
    std::io::BufReader::new(sim.stdout.take().unwrap()).read_line(&mut port).unwrap();
    let port: u16 = port.trim().parse().unwrap();
    let list = Command::new(kit).arg("--data-dir").arg(data.path()).args(["devices", "list"]).output().unwrap();
    let _ = sim.kill();
    let _ = sim.wait();
    let text = String::from_utf8_lossy(&list.stdout);
    let line = text.lines().find(|l| l.contains(&format!("port {port} "))).unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains("trusted: enroll-kit SLAP-SIM"), "{line}");
    // A kit that was not told to trust it refuses it.
    let other = tempfile::tempdir().unwrap();
    let trust = DeviceTrust::load(other.path()).unwrap();
    assert!(trust.is_empty());
    assert!(DeviceTrust::load(data.path()).unwrap().len() == 1);
}

mod slap_flow {
    use super::*;
    use enroll_kit::packet::{open_packet, verify_device_signatures};
    use enroll_kit::workflow::enrollment::{Command, EnrollmentSession, Outcome};
    use enroll_kit::workflow::slap::{self, SlapSettings};

    use super::common;

    fn settings() -> SlapSettings {
        SlapSettings { env: "Developer".into(), timeout: Duration::from_secs(20), ..SlapSettings::default() }
    }

    /// A person enrolled with three placements on `device`: the RID and the slaps.
    fn enroll_by_slaps(
        kit: &mut enroll_kit::kit::Kit,
        assistant: &enroll_kit::workflow::auth::Operator,
        client: &SbiClient,
        device: &enroll_kit::devices::sbi::Device,
        training: bool,
    ) -> (String, Vec<slap::Slap>) {
        let reader = slap::device_ref("sbi-slap-sim", device, true);
        assert_eq!(reader.serial, device.digital_id.serial_no.as_str());
        let mut session = EnrollmentSession::start(kit, assistant, training).unwrap();
        for c in [
            Command::GiveConsent,
            Command::Next,
            Command::SetForm(Box::new(common::form(3))),
            Command::Next,
            Command::SetFace(common::face()),
            Command::Next,
        ] {
            assert!(matches!(common::step(&mut session, kit, c), Outcome::Step(_)));
        }
        let mut previous = None;
        let mut slaps = Vec::new();
        for placement in Placement::SLAPS {
            let taken = slap::take(client, device, placement, &[], previous, &settings()).unwrap();
            previous = Some(taken.last_hash);
            for offer in slap::offers(&taken, &reader, 40) {
                assert!(matches!(common::step(&mut session, kit, offer), Outcome::Judged(_)));
            }
            for p in &taken.prints {
                assert!(p.scored.quality > 0 && p.device_quality >= 40, "both scores are there");
            }
            slaps.push(taken);
        }
        // Three different placements: no hand twice.
        assert_eq!(slap::repeated_hand(&slaps[0], &slaps[1]), None);
        assert_eq!(slap::repeated_hand(&slaps[1], &slaps[2]), None);
        assert_eq!(session.draft().fingers.len(), 10, "every finger from three placements");
        assert!(matches!(common::step(&mut session, kit, Command::Next), Outcome::Step(_)));
        let saved = common::step(
            &mut session,
            kit,
            Command::Complete(enroll_kit::domain::account::Pin::new(common::ASSISTANT_PIN)),
        );
        let Outcome::Saved(rid) = saved else { panic!("not saved: {saved:?}") };
        (rid.to_string(), slaps)
    }

    #[test]
    fn three_placements_give_the_gate_ten_prints_and_the_person_is_sealed() {
        let dir = tempfile::tempdir().unwrap();
        let (mut kit, clock, _supervisor, assistant) = common::kit_with_staff(dir.path());
        // The kit's clock and the device's agree, as the client's 5-minute window requires.
        clock.set(chrono::Utc::now());
        let (_sim, client) = scanner(Fault::None);
        let device = client.find(DeviceType::Finger).unwrap();
        let (rid, _slaps) = enroll_by_slaps(&mut kit, &assistant, &client, &device, false);

        // The packet carries each print's device signature, and they verify where it is read.
        let stored = kit.store.packet(rid.as_str()).unwrap().unwrap();
        let opened = open_packet(&stored.data, Some(&kit.public_key())).unwrap();
        assert_eq!(opened.json.version, 2, "a packet with device signatures is version 2");
        let trust = DeviceTrust::new(vec![trusted().ca.clone()]);
        assert_eq!(verify_device_signatures(&opened, &trust), Ok(10));
        // A reader who does not trust the device CA refuses them.
        let strangers = DeviceTrust::new(vec![stranger().ca.clone()]);
        assert!(verify_device_signatures(&opened, &strangers).is_err());
        // A signature moved onto another finger, or a link altered, no longer holds.
        let sig = |p: &enroll_kit::packet::OpenedPacket, i: usize| {
            p.json.fingers[i].capture.as_ref().unwrap().device_signature.clone()
        };
        let mut moved = open_packet(&stored.data, None).unwrap();
        let (first, second) = (sig(&moved, 1), sig(&moved, 2));
        moved.json.fingers[1].capture.as_mut().unwrap().device_signature = second;
        moved.json.fingers[2].capture.as_mut().unwrap().device_signature = first;
        let e = verify_device_signatures(&moved, &trust).unwrap_err();
        assert_eq!(e.position.code(), 2, "{e}");
        let mut relinked = open_packet(&stored.data, None).unwrap();
        let thumb = relinked.json.fingers[0].capture.as_mut().unwrap().device_signature.as_mut().unwrap();
        thumb.previous_hash = chain::hex(&chain::start());
        assert!(
            verify_device_signatures(&relinked, &trust).is_err(),
            "the right thumb came after the right slap, not first"
        );
    }

    #[test]
    fn the_central_office_checks_the_device_signatures_of_a_batch_with_its_device_cas() {
        use enroll_kit::batch::export::Destination;
        let dir = tempfile::tempdir().unwrap();
        let (mut kit, clock, supervisor, assistant) = common::kit_with_staff(&dir.path().join("kit"));
        clock.set(chrono::Utc::now());
        let (_sim, client) = scanner(Fault::None);
        let device = client.find(DeviceType::Finger).unwrap();
        // A simulator's prints are training records: they travel in a training batch only.
        let (rid, _) = enroll_by_slaps(&mut kit, &assistant, &client, &device, true);
        enroll_kit::workflow::review::approve(&mut kit, &supervisor, &rid).unwrap();
        let stick = dir.path().join("stick");
        std::fs::create_dir_all(&stick).unwrap();
        let never = std::sync::atomic::AtomicBool::new(false);
        let batch = enroll_kit::workflow::export::close_day(
            &mut kit,
            &supervisor,
            &Destination::folder(&stick),
            true,
            &never,
            &mut |_, _| {},
        )
        .unwrap();
        let identity = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/pilot-keys/pilot-hq.age");
        let verify = |extra: &[&std::ffi::OsStr]| {
            common::kit_command()
                .arg("verify")
                .arg(&batch.path)
                .arg("--identity")
                .arg(&identity)
                .args(extra)
                .output()
                .unwrap()
        };
        // Without the device CAs: the batch verifies, with a warning that the signatures were not checked.
        let plain = verify(&[]);
        assert!(plain.status.success(), "{}", String::from_utf8_lossy(&plain.stderr));
        assert!(
            String::from_utf8_lossy(&plain.stderr)
                .contains("10 print(s) carry a certified device's signature that was not checked")
        );
        // With them: every signature checked.
        let cas = dir.path().join("device-cas");
        std::fs::create_dir_all(&cas).unwrap();
        std::fs::write(cas.join("simulator.pem"), trusted().ca_pem()).unwrap();
        let checked = verify(&["--device-ca".as_ref(), cas.as_os_str()]);
        assert!(checked.status.success(), "{}", String::from_utf8_lossy(&checked.stderr));
        assert!(
            String::from_utf8_lossy(&checked.stdout)
                .contains("10 print(s) signed by certified devices, every signature checked")
        );
        // With only a stranger's CA: refused, naming the packet and the finger.
        std::fs::write(cas.join("simulator.pem"), stranger().ca_pem()).unwrap();
        let refused = verify(&["--device-ca".as_ref(), cas.as_os_str()]);
        assert!(!refused.status.success());
        let said = String::from_utf8_lossy(&refused.stderr);
        assert!(said.contains(&rid) && said.contains("not trusted"), "{said}");
    }

    #[test]
    fn the_same_hand_placed_for_both_slaps_is_flagged() {
        let (sim, client) = scanner(Fault::None);
        let device = client.find(DeviceType::Finger).unwrap();
        let left = slap::take(&client, &device, Placement::LeftSlap, &[], None, &settings()).unwrap();
        sim.set_fault(Fault::SameHand);
        let right = slap::take(&client, &device, Placement::RightSlap, &[], Some(left.last_hash), &settings()).unwrap();
        let repeated = slap::repeated_hand(&left, &right).expect("the left hand twice is seen");
        assert_eq!(
            repeated.second.code(),
            repeated.first.code() - 5,
            "the matching fingers are the same finger: {repeated:?}"
        );
    }
}
