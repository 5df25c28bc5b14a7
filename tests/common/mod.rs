//! Shared helpers for integration tests: a provisioned kit in a temp dir with the test
//! central-office keys from fixtures/keys/ (test-only keys, see fixtures/keys/README.md).
#![allow(dead_code)]

use chrono::{DateTime, TimeZone, Utc};
use enroll_kit::domain::account::{Pin, Role};
use enroll_kit::kit::keyfile::read_public;
use enroll_kit::kit::{DataDir, InitParams, Kit, init};
use enroll_kit::workflow::{Operator, accounts, login};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

pub const SUPERVISOR_PIN: &str = "482913";
pub const ASSISTANT_PIN: &str = "730518";

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

pub fn hq_recipient() -> String {
    let text = std::fs::read_to_string(fixtures().join("keys/test-hq.age.pub")).expect("test recipient");
    text.lines().find(|l| l.starts_with("age1")).expect("age1 line").to_string()
}

/// A clock the test moves by hand.
#[derive(Clone)]
pub struct TestClock(pub Arc<Mutex<DateTime<Utc>>>);

impl TestClock {
    pub fn new() -> Self {
        Self(Arc::new(Mutex::new(Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap())))
    }
    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().unwrap() = at;
    }
    pub fn advance(&self, d: chrono::Duration) {
        let mut t = self.0.lock().unwrap();
        *t += d;
    }
    pub fn install(&self, kit: &mut Kit) {
        let c = self.0.clone();
        kit.set_clock(Arc::new(move || *c.lock().unwrap()));
    }
}

pub fn new_kit(dir: &Path) -> Kit {
    init(InitParams {
        dir: DataDir::new(dir),
        centre: "00042".into(),
        kit: "00007".into(),
        county: "047".into(),
        hq_recipients: vec![hq_recipient()],
        hq_verify_key: read_public(&fixtures().join("keys/test-hq.ed25519.pub")).expect("test verify key"),
        training: false,
        supervisor: "supervisor".into(),
        supervisor_name: "Test Supervisor".into(),
        supervisor_pin: Pin::new_checked(SUPERVISOR_PIN).unwrap(),
    })
    .expect("init")
}

/// A kit with a supervisor and an assistant, on a test clock; returns both operators.
pub fn kit_with_staff(dir: &Path) -> (Kit, TestClock, Operator, Operator) {
    let mut kit = new_kit(dir);
    let clock = TestClock::new();
    clock.install(&mut kit);
    let sup = login(&mut kit, "supervisor", &Pin::new(SUPERVISOR_PIN)).expect("supervisor login");
    accounts::add_account(&mut kit, &sup, "wanjiru", "Wanjiru K.", Role::Assistant, ASSISTANT_PIN)
        .expect("add assistant");
    let assistant = login(&mut kit, "wanjiru", &Pin::new(ASSISTANT_PIN)).expect("assistant login");
    (kit, clock, sup, assistant)
}
