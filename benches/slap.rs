//! The slap flow's kit time (issue 18): discovery of an SBI device on the port range, and the ten
//! prints of a person in three placements with the simulator paced like a real scanner (1 s a
//! placement), including the kit's own checks (signatures, hash chain, JPEG 2000 decode, the
//! kit's quality score per finger, the repeated-hand check). Targets: discovery ≤ 1 s, ten prints
//! ≤ 15 s.
//!
//! Run: `cargo bench --bench slap`. Prints the figures for the README.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a dev tool: a failed setup is a failed run

use enroll_kit::devices::sbi::sim::{SbiSim, SimConfig, TestChain};
use enroll_kit::devices::sbi::{DeviceTrust, DeviceType, Placement, SbiClient};
use enroll_kit::workflow::slap::{self, SlapSettings};
use std::sync::Arc;
use std::time::{Duration, Instant};

const RUNS: usize = 5;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let chain = Arc::new(TestChain::generate("bench").unwrap());
    let placement = Duration::from_secs(1);
    let sim = SbiSim::start(SimConfig { placement_time: placement, ..SimConfig::new(Arc::clone(&chain)) }).unwrap();
    let client = SbiClient::new(DeviceTrust::new(vec![chain.ca.clone()]));
    let mut discovery = Vec::new();
    let mut people = Vec::new();
    let mut checks = Vec::new();
    for run in 0..RUNS {
        let t = Instant::now();
        let device = client.find(DeviceType::Finger).unwrap();
        discovery.push(t.elapsed());
        assert_eq!(device.port, sim.port(), "the simulator is the only SBI device here");
        sim.set_person(run as u64 + 1);
        let settings = SlapSettings { env: "Developer".into(), ..SlapSettings::default() };
        let t = Instant::now();
        let mut previous = None;
        let mut slaps = Vec::new();
        for p in Placement::SLAPS {
            let s = slap::take(&client, &device, p, &[], previous, &settings).unwrap();
            previous = Some(s.last_hash);
            slaps.push(s);
        }
        let c = Instant::now();
        assert!(slap::repeated_hand(&slaps[0], &slaps[1]).is_none());
        checks.push(c.elapsed());
        people.push(t.elapsed());
        assert_eq!(slaps.iter().map(|s| s.prints.len()).sum::<usize>(), 10);
    }
    let (d, p, c) = (median(discovery), median(people), median(checks));
    println!("| SBI discovery + verified device info, ports 4501-4600 | {:.0} ms |", d.as_secs_f64() * 1e3);
    println!(
        "| ten prints, three placements at {} s each (kit's own work {:.1} s of it) | {:.1} s |",
        placement.as_secs(),
        p.as_secs_f64() - 3.0 * placement.as_secs_f64(),
        p.as_secs_f64()
    );
    println!("| repeated-hand check (left slap against right) | {:.0} ms |", c.as_secs_f64() * 1e3);
    println!("(median of {RUNS} people, release build)");
}
