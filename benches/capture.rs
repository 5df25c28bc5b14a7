//! Capture timing over the simulators (issue 3): one full image capture, ZFM and GT-521, at
//! 57600 and 115200 baud, measured beside the wire time — the bytes the protocol must move at
//! that rate, 10 bit-times a byte (8N1). Goal: measured within 5% of the wire time.
//!
//! Run: `cargo bench --bench capture`. Prints a table for the README.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a dev tool: a failed setup is a failed run

use enroll_kit::devices::gt521::{Gt521Reader, Gt521Sim, Gt521SimConfig, protocol as gt};
use enroll_kit::devices::profile::{DeviceProfile, Profiles};
use enroll_kit::devices::reader::{CancelToken, FingerprintReader};
use enroll_kit::devices::zfm::{ZfmReader, ZfmSim, ZfmSimConfig, protocol as zfm};
use std::time::{Duration, Instant};

const RUNS: usize = 3;

fn profile(id: &str, rate: u32) -> DeviceProfile {
    let mut p = Profiles::shipped().expect("profiles").get(id).expect("profile").clone();
    let serial = p.serial.as_mut().expect("serial");
    serial.baud = rate;
    serial.try_bauds = vec![rate];
    p
}

/// Bytes on the wire for one ZFM capture: GenImg and UpImage commands and answers, then the image
/// in 256-byte data packets.
fn zfm_bytes(p: &DeviceProfile) -> usize {
    let command = 12;
    let packets = p.image_bytes().div_ceil(256);
    2 * command + 2 * command + p.image_bytes() + packets * zfm::OVERHEAD
}

/// Bytes on the wire for one GT-521 capture: CmosLed on, IsPressFinger, CaptureFinger, GetImage,
/// CmosLed off (each 12 out, 12 back), and the image in one data packet.
fn gt521_bytes(p: &DeviceProfile) -> usize {
    5 * 2 * gt::PACKET_LEN + (p.image.width * p.image.height) as usize + gt::DATA_OVERHEAD
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn measure(reader: &mut dyn FingerprintReader) -> Duration {
    let runs = (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            reader.capture(&mut |_| {}, &CancelToken::new()).expect("capture");
            started.elapsed()
        })
        .collect();
    median(runs)
}

fn row(family: &str, rate: u32, bytes: usize, measured: Duration) {
    let wire = Duration::from_secs_f64(bytes as f64 * 10.0 / f64::from(rate));
    let over = (measured.as_secs_f64() / wire.as_secs_f64() - 1.0) * 100.0;
    println!(
        "| {family} | {rate} | {bytes} | {:.2} s | {:.2} s | {over:+.1}% |",
        wire.as_secs_f64(),
        measured.as_secs_f64()
    );
}

fn main() {
    // `cargo bench` passes --bench; a filter argument is not used here.
    println!("| family | baud | bytes on the wire | wire time | measured (median of {RUNS}) | over wire |");
    println!("|---|---|---|---|---|---|");
    for rate in [57600, 115200] {
        let p = profile("r307-sim", rate);
        let mut config = ZfmSimConfig::from_profile(&p);
        config.baud = rate;
        let sim = ZfmSim::start(config).expect("pty");
        let mut reader = ZfmReader::open(sim.path(), &p).expect("open");
        row("ZFM (R307, 4-bit)", rate, zfm_bytes(&p), measure(&mut reader));
    }
    for rate in [57600, 115200] {
        let p = profile("gt521-sim", rate);
        let mut config = Gt521SimConfig::from_profile(&p);
        config.baud = rate;
        let sim = Gt521Sim::start(config).expect("pty");
        let mut reader = Gt521Reader::open(sim.path(), &p).expect("open");
        row("GT-521F52 (8-bit)", rate, gt521_bytes(&p), measure(&mut reader));
        drop(reader);
    }
    // Negotiation with the shipped profiles: each module starts at its default rate.
    for id in ["r307-sim", "gt521-sim"] {
        let p = Profiles::shipped().expect("profiles").get(id).expect("profile").clone();
        let started = Instant::now();
        let baud = match p.protocol {
            enroll_kit::devices::profile::Protocol::Zfm => {
                let sim = ZfmSim::start(ZfmSimConfig::from_profile(&p)).expect("pty");
                ZfmReader::open(sim.path(), &p).expect("open").info().baud
            }
            _ => {
                let sim = Gt521Sim::start(Gt521SimConfig::from_profile(&p)).expect("pty");
                Gt521Reader::open(sim.path(), &p).expect("open").info().baud
            }
        };
        let start = p.serial.as_ref().map(|s| s.baud).unwrap_or_default();
        println!(
            "negotiation {id}: starts at {start}, runs at {baud:?} after open ({:.2} s)",
            started.elapsed().as_secs_f64()
        );
    }
}
