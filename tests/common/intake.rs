//! An intake on 127.0.0.1 for tests: the test certificate and the test central office's keys,
//! a register of kits, SQLite or the PostgreSQL server scripts/test starts.
#![allow(dead_code)]

use enroll_kit::batch::registry::{KitState, RegisteredKit};
use enroll_kit::batch::verify::read_identities;
use enroll_kit::intake::{Database, IntakeConfig, IntakeDb, Limits, RunningIntake};
use enroll_kit::packet::KitKey;
use enroll_kit::sync::tls::pem_certificate_sha256;
use std::path::PathBuf;

/// The test keys folder.
pub fn keys() -> PathBuf {
    super::common::fixtures().join("keys")
}

/// The test intake certificate's pin.
pub fn pin() -> String {
    pem_certificate_sha256(&keys().join("test-intake.crt")).unwrap()
}

/// The test central office's receipt key.
pub fn office_key() -> KitKey {
    KitKey::from_text(&std::fs::read_to_string(keys().join("test-hq.ed25519")).unwrap()).unwrap()
}

/// A kit key of the test's own, active, under `centre`/`kit`.
pub fn test_kit(seed: u8, centre: &str, kit: &str) -> (KitKey, RegisteredKit) {
    let key = KitKey::from_seed([seed; 32]);
    let registered = RegisteredKit {
        public_key: key.public(),
        centre: Some(centre.into()),
        kit: Some(kit.into()),
        state: KitState::Active,
    };
    (key, registered)
}

/// Registers `kits` in `database` (those not registered yet).
pub fn register_all(database: &Database, kits: &[RegisteredKit]) -> IntakeDb {
    let db = IntakeDb::open(database).unwrap();
    for k in kits {
        if db.kit(&k.public_key).unwrap().is_none() {
            let (centre, number) = (k.centre.as_deref().unwrap(), k.kit.as_deref().unwrap());
            db.add_kit(&k.public_key, centre, number, "2026-11-01T00:00:00Z").unwrap();
        }
    }
    db
}

/// An intake with `kits` registered and `limits`.
pub fn start_with(database: Database, signing_key: KitKey, kits: &[RegisteredKit], limits: Limits) -> RunningIntake {
    register_all(&database, kits);
    enroll_kit::intake::start(IntakeConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        cert: keys().join("test-intake.crt"),
        key: keys().join("test-intake.key"),
        identities: read_identities(&keys().join("test-hq.age")).unwrap(),
        signing_key,
        database,
        training: false,
        limits,
        finish_workers: 2,
    })
    .unwrap()
}

/// An intake with `kits` registered.
pub fn start_intake(database: Database, signing_key: KitKey, kits: &[RegisteredKit]) -> RunningIntake {
    start_with(database, signing_key, kits, Limits::default())
}

/// The PostgreSQL server the suite was given (scripts/test starts one), as a fresh database.
pub fn postgres() -> Option<String> {
    let Ok(server) = std::env::var("ENROLL_KIT_TEST_POSTGRES") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI runs the intake tests against PostgreSQL: scripts/test starts one"
        );
        eprintln!(
            "ENROLL_KIT_TEST_POSTGRES not set: the PostgreSQL half of this test is skipped (scripts/test sets it)"
        );
        return None;
    };
    let name = format!(
        "intake_{}_{}",
        std::process::id(),
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() % 1_000_000_000
    );
    let mut admin = postgres::Client::connect(&server, postgres::NoTls).expect("the test PostgreSQL server");
    admin.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    Some(format!("{server} dbname={name}"))
}
