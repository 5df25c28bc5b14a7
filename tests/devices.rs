//! Each serial adapter against its simulator through a pseudo-terminal, with every injected
//! fault: each ends in a good image or the expected typed error, never a hang.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a panic is a failure with its line

use enroll_kit::devices::DeviceError;
use enroll_kit::devices::error::ProtocolError;
use enroll_kit::devices::gt521::{Gt521Reader, Gt521Sim, Gt521SimConfig};
use enroll_kit::devices::profile::{DeviceProfile, Profiles};
use enroll_kit::devices::reader::{CancelToken, CaptureProgress, FingerprintReader, RawCapture};
use enroll_kit::devices::sim::{Faults, ImageSource, SimHandle};
use enroll_kit::devices::zfm::{ZfmReader, ZfmSim, ZfmSimConfig};
use std::time::Duration;

fn profile(id: &str) -> DeviceProfile {
    Profiles::shipped().unwrap().get(id).unwrap().clone()
}

fn zfm_sim(faults: Faults, start_baud: u32) -> SimHandle {
    let mut config = ZfmSimConfig::from_profile(&profile("r307-sim"));
    config.pace = false;
    config.baud = start_baud;
    config.source = ImageSource::Synthetic(7);
    config.faults = faults;
    ZfmSim::start(config).expect("pty")
}

fn capture(reader: &mut dyn FingerprintReader) -> (Result<RawCapture, DeviceError>, Vec<CaptureProgress>) {
    let mut seen = Vec::new();
    let result = reader.capture(&mut |p| seen.push(p), &CancelToken::new());
    (result, seen)
}

fn expected_zfm_image(n: u32) -> Vec<u8> {
    let p = profile("r307-sim");
    let image = ImageSource::Synthetic(7).image(n, p.image.width, p.image.height);
    image.pixels().iter().map(|v| (v >> 4) * 17).collect()
}

#[test]
fn zfm_captures_a_good_image_at_the_raised_rate() {
    let sim = zfm_sim(Faults::default(), 57600);
    let mut reader = ZfmReader::open(sim.path(), &profile("r307-sim")).unwrap();
    assert_eq!(reader.info().baud, Some(115200), "the rate was raised");
    let (result, seen) = capture(&mut reader);
    let capture = result.unwrap();
    assert_eq!((capture.image.width(), capture.image.height(), capture.dpi), (256, 288, 500));
    assert_eq!(capture.image.pixels(), expected_zfm_image(0).as_slice(), "4-bit pixels unpacked exactly");
    assert!(seen.contains(&CaptureProgress::Receiving { done: 36_864, total: 36_864 }));
    let (second, _) = capture_again(&mut reader);
    assert_eq!(second.unwrap().image.pixels(), expected_zfm_image(1).as_slice());
}

fn capture_again(reader: &mut ZfmReader) -> (Result<RawCapture, DeviceError>, Vec<CaptureProgress>) {
    capture(reader)
}

#[test]
fn zfm_finds_a_module_left_at_another_rate_and_falls_back_when_a_faster_one_fails() {
    let sim = zfm_sim(Faults::default(), 115200);
    let reader = ZfmReader::open(sim.path(), &profile("r307-sim")).unwrap();
    assert_eq!(reader.info().baud, Some(115200));

    let sim = zfm_sim(Faults { max_baud: Some(57600), ..Faults::default() }, 57600);
    let mut reader = ZfmReader::open(sim.path(), &profile("r307-sim")).unwrap();
    assert_eq!(reader.info().baud, Some(57600), "fell back to the rate that answers");
    assert!(capture(&mut reader).0.is_ok());
}

#[test]
fn zfm_waits_for_a_finger_then_gives_up_with_no_finger() {
    let sim = zfm_sim(Faults { no_finger_for: Duration::from_millis(600), ..Faults::default() }, 57600);
    let mut reader = ZfmReader::open(sim.path(), &profile("r307-sim")).unwrap();
    let (result, seen) = capture(&mut reader);
    assert!(result.is_ok());
    assert_eq!(seen[0], CaptureProgress::WaitingForFinger);

    let sim = zfm_sim(Faults { no_finger_for: Duration::from_secs(60), ..Faults::default() }, 57600);
    let mut p = profile("r307-sim");
    p.timeouts.finger_ms = 400;
    let mut reader = ZfmReader::open(sim.path(), &p).unwrap();
    // NoFinger itself says the reader gave up on its own deadline, not the simulator's minute.
    assert!(matches!(capture(&mut reader).0, Err(DeviceError::NoFinger(_))));
}

#[test]
fn zfm_retries_after_a_bad_checksum_or_a_dropped_packet() {
    for faults in [
        Faults { bad_checksum_packet: Some(40), spoil_transfers: Some(1), ..Faults::default() },
        Faults { drop_packet: Some(3), spoil_transfers: Some(1), ..Faults::default() },
    ] {
        let sim = zfm_sim(faults.clone(), 57600);
        let mut reader = ZfmReader::open(sim.path(), &profile("r307-sim")).unwrap();
        let (result, seen) = capture(&mut reader);
        let image = result.unwrap_or_else(|e| panic!("{faults:?}: {e}"));
        assert!(seen.contains(&CaptureProgress::Retrying(2)), "{faults:?}: {seen:?}");
        assert_eq!(image.image.pixels(), expected_zfm_image(1).as_slice(), "the retry took a fresh image");
    }
}

#[test]
fn zfm_persistent_faults_end_in_typed_errors() {
    let sim = zfm_sim(Faults { bad_checksum_packet: Some(0), ..Faults::default() }, 57600);
    let mut reader = ZfmReader::open(sim.path(), &profile("r307-sim")).unwrap();
    let e = capture(&mut reader).0.unwrap_err();
    assert!(matches!(e, DeviceError::Protocol(ProtocolError::Checksum { .. })), "{e}");

    let sim = zfm_sim(Faults { drop_packet: Some(100), ..Faults::default() }, 57600);
    let mut reader = ZfmReader::open(sim.path(), &profile("r307-sim")).unwrap();
    let e = capture(&mut reader).0.unwrap_err();
    assert!(matches!(e, DeviceError::Protocol(ProtocolError::ImageTooShort { got: 36_608, expected: 36_864 })), "{e}");
}

#[test]
fn zfm_disconnect_mid_image_is_reported_not_hung() {
    let sim = zfm_sim(Faults { disconnect_after: Some(10_000), ..Faults::default() }, 57600);
    let mut reader = ZfmReader::open(sim.path(), &profile("r307-sim")).unwrap();
    let e = capture(&mut reader).0.unwrap_err();
    assert!(matches!(e, DeviceError::Disconnected | DeviceError::Timeout { .. }), "{e}");
}

#[test]
fn a_zfm_module_answering_from_another_address_is_named_as_such() {
    // Another module on the line (or one set to another address) answers every command.
    let sim = zfm_sim(Faults { module_address: Some(0x1234_5678), ..Faults::default() }, 57600);
    let e = ZfmReader::open(sim.path(), &profile("r307-sim")).err().expect("refused");
    assert!(
        matches!(e, DeviceError::WrongModule { expected: 0xFFFF_FFFF, found: 0x1234_5678 }),
        "the address is named, not a length or a timeout: {e}"
    );
    assert!(e.to_string().contains("0x12345678") && e.to_string().contains("another module"), "{e}");
}

#[test]
fn zfm_wrong_password_and_a_silent_module_fail_at_open() {
    let sim = zfm_sim(Faults { wrong_password: true, ..Faults::default() }, 57600);
    assert!(matches!(ZfmReader::open(sim.path(), &profile("r307-sim")), Err(DeviceError::WrongPassword)));

    let sim = zfm_sim(Faults { silent: true, ..Faults::default() }, 57600);
    match ZfmReader::open(sim.path(), &profile("r307-sim")) {
        Err(DeviceError::NoAnswer { tried }) => assert_eq!(tried, vec![57600, 115200, 9600]),
        other => panic!("{:?}", other.err()),
    }
}

#[test]
fn zfm_capture_can_be_cancelled_while_waiting() {
    let sim = zfm_sim(Faults { no_finger_for: Duration::from_secs(60), ..Faults::default() }, 57600);
    let mut reader = ZfmReader::open(sim.path(), &profile("r307-sim")).unwrap();
    let cancel = CancelToken::new();
    // Cancelled as the screen would, once the reader says it waits for a finger.
    let c = cancel.clone();
    let e = reader
        .capture(
            &mut |p| {
                if p == CaptureProgress::WaitingForFinger {
                    c.cancel();
                }
            },
            &cancel,
        )
        .unwrap_err();
    assert!(matches!(e, DeviceError::Cancelled), "{e}");
}

#[test]
fn a_missing_port_is_a_clear_error() {
    let e = ZfmReader::open("/dev/does-not-exist", &profile("r307")).err().unwrap();
    assert!(e.to_string().contains("/dev/does-not-exist") && e.to_string().contains("dialout"), "{e}");
}

fn gt521_sim(faults: Faults, start_baud: u32) -> SimHandle {
    let mut config = Gt521SimConfig::from_profile(&profile("gt521-sim"));
    config.pace = false;
    config.baud = start_baud;
    config.source = ImageSource::Synthetic(11);
    config.faults = faults;
    Gt521Sim::start(config).expect("pty")
}

fn expected_gt521_image(n: u32) -> Vec<u8> {
    ImageSource::Synthetic(11).image(n, 202, 258).pixels().to_vec()
}

#[test]
fn gt521_captures_a_good_image_at_115200_and_reads_the_serial() {
    let sim = gt521_sim(Faults::default(), 9600);
    let mut reader = Gt521Reader::open(sim.path(), &profile("gt521-sim")).unwrap();
    assert_eq!(reader.info().baud, Some(115200));
    assert_eq!(reader.info().serial, "SIM-GT521F52-001");
    let (result, seen) = capture(&mut reader);
    let capture = result.unwrap();
    assert_eq!((capture.image.width(), capture.image.height(), capture.dpi), (202, 258, 450));
    assert_eq!(capture.image.pixels(), expected_gt521_image(0).as_slice());
    assert!(seen.contains(&CaptureProgress::Receiving { done: 52_116, total: 52_116 }));
}

#[test]
fn gt521_goes_back_to_the_default_rate_when_closed_and_falls_back_when_refused() {
    let sim = gt521_sim(Faults::default(), 9600);
    drop(Gt521Reader::open(sim.path(), &profile("gt521-sim")).unwrap());
    // Opened again: the module answers at 9600 first, so it was put back there.
    let mut p = profile("gt521-sim");
    p.serial.as_mut().unwrap().try_bauds = vec![9600];
    let reader = Gt521Reader::open(sim.path(), &p).unwrap();
    assert_eq!(reader.info().baud, Some(9600));
    drop(reader);

    let sim = gt521_sim(Faults { max_baud: Some(9600), ..Faults::default() }, 9600);
    let mut reader = Gt521Reader::open(sim.path(), &profile("gt521-sim")).unwrap();
    assert_eq!(reader.info().baud, Some(9600));
    assert!(capture(&mut reader).0.is_ok());
}

#[test]
fn gt521_retries_after_a_bad_checksum_or_a_missing_image() {
    for faults in [
        Faults { bad_checksum_packet: Some(0), spoil_transfers: Some(1), ..Faults::default() },
        Faults { drop_packet: Some(0), spoil_transfers: Some(1), ..Faults::default() },
    ] {
        let sim = gt521_sim(faults.clone(), 9600);
        let mut reader = Gt521Reader::open(sim.path(), &profile("gt521-sim")).unwrap();
        let (result, seen) = capture(&mut reader);
        let image = result.unwrap_or_else(|e| panic!("{faults:?}: {e}"));
        assert!(seen.contains(&CaptureProgress::Retrying(2)), "{faults:?}");
        assert_eq!(image.image.pixels(), expected_gt521_image(1).as_slice());
    }
}

#[test]
fn gt521_persistent_faults_end_in_typed_errors() {
    let sim = gt521_sim(Faults { bad_checksum_packet: Some(0), ..Faults::default() }, 9600);
    let mut reader = Gt521Reader::open(sim.path(), &profile("gt521-sim")).unwrap();
    let e = capture(&mut reader).0.unwrap_err();
    assert!(matches!(e, DeviceError::Protocol(ProtocolError::Checksum { .. })), "{e}");

    let sim = gt521_sim(Faults { drop_packet: Some(0), ..Faults::default() }, 9600);
    let mut reader = Gt521Reader::open(sim.path(), &profile("gt521-sim")).unwrap();
    let e = capture(&mut reader).0.unwrap_err();
    assert!(matches!(e, DeviceError::Protocol(ProtocolError::ImageTooShort { got: 0, .. })), "{e}");

    let sim = gt521_sim(Faults { disconnect_after: Some(20_000), ..Faults::default() }, 9600);
    let mut reader = Gt521Reader::open(sim.path(), &profile("gt521-sim")).unwrap();
    let e = capture(&mut reader).0.unwrap_err();
    assert!(matches!(e, DeviceError::Disconnected | DeviceError::Timeout { .. }), "{e}");
}

#[test]
fn gt521_no_finger_and_silence() {
    let sim = gt521_sim(Faults { no_finger_for: Duration::from_secs(60), ..Faults::default() }, 9600);
    let mut p = profile("gt521-sim");
    p.timeouts.finger_ms = 400;
    let mut reader = Gt521Reader::open(sim.path(), &p).unwrap();
    assert!(matches!(capture(&mut reader).0, Err(DeviceError::NoFinger(_))));

    let sim = gt521_sim(Faults { silent: true, ..Faults::default() }, 9600);
    match Gt521Reader::open(sim.path(), &profile("gt521-sim")) {
        Err(DeviceError::NoAnswer { tried }) => assert_eq!(tried, vec![9600, 115200]),
        other => panic!("{:?}", other.err()),
    }
}

#[test]
fn zfm_an_image_larger_than_the_profile_says_is_refused() {
    // The module holds a taller image than the profile describes (a wrong profile, or a clone).
    let mut config = ZfmSimConfig::from_profile(&profile("r307-sim"));
    config.pace = false;
    config.height = 300;
    let sim = ZfmSim::start(config).unwrap();
    let mut reader = ZfmReader::open(sim.path(), &profile("r307-sim")).unwrap();
    let e = capture(&mut reader).0.unwrap_err();
    assert!(matches!(e, DeviceError::Protocol(ProtocolError::ImageTooLarge { expected: 36_864, .. })), "{e}");
}

#[test]
fn a_module_that_refuses_a_faster_rate_is_used_at_its_own() {
    let sim = zfm_sim(Faults { refuse_rate_change: true, ..Faults::default() }, 57600);
    let mut reader = ZfmReader::open(sim.path(), &profile("r307-sim")).unwrap();
    assert_eq!(reader.info().baud, Some(57600));
    assert!(capture(&mut reader).0.is_ok());

    let sim = gt521_sim(Faults { refuse_rate_change: true, ..Faults::default() }, 9600);
    let mut reader = Gt521Reader::open(sim.path(), &profile("gt521-sim")).unwrap();
    assert_eq!(reader.info().baud, Some(9600));
    assert!(capture(&mut reader).0.is_ok());
}
