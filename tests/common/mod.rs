//! Shared helpers for integration tests: a provisioned kit in a temp dir with the test
//! central-office keys from fixtures/keys/ (test-only keys, see fixtures/keys/README.md).
#![allow(dead_code)]

use chrono::NaiveDate;
use chrono::{DateTime, TimeZone, Utc};
use enroll_kit::assets::PILOT_FACE_JPEG;
use enroll_kit::biometrics::synthetic::typical_print;
use enroll_kit::domain::account::{Pin, Role};
use enroll_kit::domain::biometrics::{DeviceRef, FacePhoto, FingerPosition};
use enroll_kit::domain::enrollment::Step;
use enroll_kit::kit::keyfile::read_public;
use enroll_kit::kit::{DataDir, InitParams, KdfCost, Kit, NewStore, Passphrase, Unlock, init};
use enroll_kit::workflow::enrollment::{Command, EnrollmentSession, Outcome};
use enroll_kit::workflow::simulate::person;
use enroll_kit::workflow::{Operator, accounts, login};
use rand::SeedableRng;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

pub const SUPERVISOR_PIN: &str = "482913";
/// The test kits' passphrase (passphrase kits); sealed at the token test cost.
pub const KIT_PASSPHRASE: &str = "mango river seven lantern";
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
    new_kit_numbered(dir, "00007")
}

/// A kit of centre 00042 under kit number `number`.
pub fn new_kit_numbered(dir: &Path, number: &str) -> Kit {
    init(InitParams {
        dir: DataDir::new(dir),
        centre: "00042".into(),
        kit: number.into(),
        county: "047".into(),
        hq_recipients: vec![hq_recipient()],
        hq_verify_key: read_public(&fixtures().join("keys/test-hq.ed25519.pub")).expect("test verify key"),
        training: false,
        supervisor: "supervisor".into(),
        supervisor_name: "Test Supervisor".into(),
        supervisor_pin: Pin::new_checked(SUPERVISOR_PIN).unwrap(),
        key_store: test_key_store(),
    })
    .expect("init")
}

/// The key store the suite runs on: a passphrase, or with ENROLL_KIT_KEY_STORE=tpm the TPM
/// ENROLL_KIT_TCTI names (swtpm in CI), so one suite proves both.
pub fn uses_tpm() -> bool {
    std::env::var("ENROLL_KIT_KEY_STORE").is_ok_and(|v| v == "tpm")
}

/// What seals a test kit's keys.
pub fn test_key_store() -> NewStore {
    if uses_tpm() {
        NewStore::Tpm
    } else {
        NewStore::Passphrase {
            label: "supervisor".into(),
            passphrase: Passphrase::new(KIT_PASSPHRASE),
            cost: KdfCost::TEST,
        }
    }
}

/// How a test reopens a kit it made.
pub fn test_unlock() -> Unlock {
    if uses_tpm() { Unlock::Machine } else { Unlock::Passphrase(Passphrase::new(KIT_PASSPHRASE)) }
}

/// Reopens the kit in `dir` as the day's unlock would.
pub fn reopen(dir: &Path) -> Kit {
    Kit::open(DataDir::new(dir), &test_unlock()).expect("reopen the kit")
}

/// A kit with a supervisor and an assistant, on a test clock; returns both operators.
pub fn kit_with_staff(dir: &Path) -> (Kit, TestClock, Operator, Operator) {
    kit_with_staff_numbered(dir, "00007")
}

/// [`kit_with_staff`] under kit number `number`.
pub fn kit_with_staff_numbered(dir: &Path, number: &str) -> (Kit, TestClock, Operator, Operator) {
    let mut kit = new_kit_numbered(dir, number);
    let clock = TestClock::new();
    clock.install(&mut kit);
    let sup = login(&mut kit, "supervisor", &Pin::new(SUPERVISOR_PIN)).expect("supervisor login");
    accounts::add_account(&mut kit, &sup, "wanjiru", "Wanjiru K.", Role::Assistant, ASSISTANT_PIN)
        .expect("add assistant");
    let assistant = login(&mut kit, "wanjiru", &Pin::new(ASSISTANT_PIN)).expect("assistant login");
    (kit, clock, sup, assistant)
}

pub fn face() -> FacePhoto {
    FacePhoto {
        jpeg: PILOT_FACE_JPEG.to_vec(),
        width: 384,
        height: 512,
        quality: 80,
        checks: vec![],
        device: DeviceRef::new("uvc-generic", "test camera", false),
    }
}

/// Generated finger `seed` offered at `p` through the capture gate.
pub fn print(p: FingerPosition, seed: u64) -> Command {
    offer(p, seed, 0, DeviceRef::new("r307", "TEST-1", false))
}

/// Impression number `n` of generated finger `finger`, as the reader's worker delivers it to the
/// capture gate for `p` from `device` (quality given, not measured: the tests need many prints).
pub fn offer(p: FingerPosition, finger: u64, n: u64, device: DeviceRef) -> Command {
    Command::Offer {
        position: p,
        print: enroll_kit::workflow::capture::Scored {
            capture: enroll_kit::devices::reader::RawCapture { image: typical_print(finger, n, 256, 288), dpi: 500 },
            quality: 70,
            issues: vec![],
            device_signature: None,
        },
        device,
        threshold: 40,
    }
}

pub fn form(seed: u64) -> enroll_kit::domain::person::PersonForm {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    person(
        &mut rng,
        NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
        enroll_kit::domain::admin_units::AdminUnits::bundled(),
    )
}

pub fn step(session: &mut EnrollmentSession, kit: &mut Kit, command: Command) -> Outcome {
    session.apply(kit, command).expect("command applies")
}

/// Drives a session up to the review step.
pub fn fill(session: &mut EnrollmentSession, kit: &mut Kit, seed: u64) {
    fill_with(session, kit, seed, 0);
}

/// Like `fill`, with impression number `impression` of person `seed`'s fingers.
pub fn fill_with(session: &mut EnrollmentSession, kit: &mut Kit, seed: u64, impression: u64) {
    for c in [
        Command::GiveConsent,
        Command::Next,
        Command::SetForm(Box::new(form(seed))),
        Command::Next,
        Command::SetFace(face()),
        Command::Next,
    ] {
        assert!(matches!(step(session, kit, c), Outcome::Step(_)));
    }
    for p in FingerPosition::ALL {
        let offered = offer(p, seed * 10 + u64::from(p.code()), impression, DeviceRef::new("r307", "TEST-1", false));
        assert!(matches!(step(session, kit, offered), Outcome::Judged(_)));
    }
    assert_eq!(step(session, kit, Command::Next), Outcome::Step(Step::Review));
}

pub fn enroll(kit: &mut Kit, op: &Operator, seed: u64) -> String {
    enroll_as(kit, op, ASSISTANT_PIN, seed)
}

/// A whole enrollment by `op`, signed off with `pin`; returns the RID.
pub fn enroll_as(kit: &mut Kit, op: &Operator, pin: &str, seed: u64) -> String {
    let mut s = EnrollmentSession::start(kit, op, false).unwrap();
    fill(&mut s, kit, seed);
    match step(&mut s, kit, Command::Complete(Pin::new(pin))) {
        Outcome::Saved(rid) => rid.to_string(),
        other => panic!("not saved: {other:?}"),
    }
}

/// A raw connection to the encrypted `kit.db` at `db`, as an insider who unlocked the kit would
/// have: to tamper behind the kit's back.
pub fn insider(db: &Path) -> rusqlite::Connection {
    reopen(db.parent().expect("kit.db is in a data dir")).insider_connection().expect("insider connection")
}

/// The kit's binary, set up as the suite's kits are: the test passphrase file (or the TPM), the
/// token test cost for new kits, no data dir from the environment.
/// `enroll-kit init` for a kit of centre 00042, number 00007, with the test central-office keys.
pub fn init_args() -> Vec<String> {
    let keys = fixtures().join("keys");
    vec![
        "init".into(),
        "--centre".into(),
        "00042".into(),
        "--kit".into(),
        "00007".into(),
        "--county".into(),
        "047".into(),
        "--hq-recipient".into(),
        keys.join("test-hq.age.pub").display().to_string(),
        "--hq-verify-key".into(),
        keys.join("test-hq.ed25519.pub").display().to_string(),
    ]
}

pub fn kit_command() -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_enroll-kit"));
    cmd.env("ENROLL_KIT_UNLOCK_FILE", fixtures().join("keys/test-kit.passphrase"))
        .env("ENROLL_KIT_INSECURE_TEST_KDF", "true")
        .env("ENROLL_KIT_KEY_STORE", if uses_tpm() { "tpm" } else { "passphrase" })
        .env_remove("ENROLL_KIT_DATA");
    cmd
}

/// The central office's register entry for `kit`: active, under its own numbers.
pub fn registered(kit: &Kit) -> enroll_kit::batch::registry::RegisteredKit {
    let info = kit.kit_info();
    enroll_kit::batch::registry::RegisteredKit {
        public_key: kit.public_key(),
        centre: Some(info.centre),
        kit: Some(info.kit),
        state: enroll_kit::batch::registry::KitState::Active,
    }
}

/// Registers `kit` in an intake's database.
pub fn register(db: &enroll_kit::intake::IntakeDb, kit: &Kit) {
    let info = kit.kit_info();
    db.add_kit(&kit.public_key(), &info.centre, &info.kit, "2026-11-01T00:00:00Z").expect("register the kit");
}
