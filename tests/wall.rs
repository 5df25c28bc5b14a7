//! The wall between training and production: every way a training packet can exist on a kit
//! (pilot mode, `simulate`, a training enrollment on a production kit, a store whose columns
//! were edited behind the kit's back) and every way out (export, copy, verify, intake) keeps
//! training packets out of production batches.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a panic is a failure with its line

mod common;

use common::{enroll, fill, fixtures, kit_with_staff, step};
use enroll_kit::batch::BatchError;
use enroll_kit::batch::export::Destination;
use enroll_kit::batch::verify::{read_identities, verify_batch};
use enroll_kit::domain::account::Pin;
use enroll_kit::intake::{Database, IntakeConfig};
use enroll_kit::kit::DataDir;
use enroll_kit::packet::{KitKey, open_packet};
use enroll_kit::sync::tls::pem_certificate_sha256;
use enroll_kit::workflow::enrollment::{Command, EnrollmentSession, Outcome};
use enroll_kit::workflow::export::close_day;
use enroll_kit::workflow::pilot::open_or_provision;
use enroll_kit::workflow::review;
use enroll_kit::workflow::simulate::{SimulateOptions, simulate};
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

fn production_identities() -> Vec<Box<dyn age::Identity + Send + Sync>> {
    read_identities(&fixtures().join("keys/test-hq.age")).unwrap()
}

fn pilot_identities() -> Vec<Box<dyn age::Identity + Send + Sync>> {
    read_identities(&Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/pilot-keys/pilot-hq.age")).unwrap()
}

fn files_in(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |d| d.count())
}

#[test]
fn no_path_puts_a_training_packet_into_a_production_batch() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut kit, clock, sup, assistant) = kit_with_staff(&tmp.path().join("kit"));
    let stick = tmp.path().join("stick");
    std::fs::create_dir_all(&stick).unwrap();
    let never = AtomicBool::new(false);

    // Production packets, and training packets made on the same production kit two ways.
    let real: Vec<String> = (0..2).map(|n| enroll(&mut kit, &assistant, 30 + n)).collect();
    simulate(&mut kit, &sup, SimulateOptions { count: 2, seed: 5, assistants: 1 }, |_, _| {}).unwrap();
    let mut practice = EnrollmentSession::start(&mut kit, &assistant, true).unwrap();
    fill(&mut practice, &mut kit, 40);
    let Outcome::Saved(practice_rid) =
        step(&mut practice, &mut kit, Command::Complete(Pin::new(common::ASSISTANT_PIN)))
    else {
        panic!("the practice enrollment was not saved")
    };
    review::approve_all(&mut kit, &sup, false).unwrap();

    // The production batch holds the production packets and nothing else, each saying so.
    let production = close_day(&mut kit, &sup, &Destination::folder(&stick), false, &never, &mut |_, _| {}).unwrap();
    let verified =
        verify_batch(&production.path, &production_identities(), Some(&vec![common::registered(&kit)])).unwrap();
    assert!(!verified.manifest.training);
    let mut in_batch: Vec<String> = verified.manifest.packets.iter().map(|p| p.rid.clone()).collect();
    in_batch.sort();
    let mut expected = real.clone();
    expected.sort();
    assert_eq!(in_batch, expected, "only the production packets");
    assert!(!in_batch.contains(&practice_rid.to_string()));

    // The training packets go to a training batch, sealed to the pilot key: production keys
    // cannot open it, a production verify and a production intake refuse it.
    let training = close_day(&mut kit, &sup, &Destination::folder(&stick), true, &never, &mut |_, _| {}).unwrap();
    assert_eq!(training.record.count, 3);
    let refused = verify_batch(&training.path, &production_identities(), None).unwrap_err();
    assert!(matches!(refused, BatchError::Decrypt { .. }), "{refused}");
    assert!(verify_batch(&training.path, &pilot_identities(), None).unwrap().manifest.training);

    let keys = fixtures().join("keys");
    let database = Database::Sqlite(tmp.path().join("intake.db"));
    common::register(&enroll_kit::intake::IntakeDb::open(&database).unwrap(), &kit);
    let intake = enroll_kit::intake::start(IntakeConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        cert: keys.join("test-intake.crt"),
        key: keys.join("test-intake.key"),
        identities: production_identities(),
        signing_key: KitKey::from_text(&std::fs::read_to_string(keys.join("test-hq.ed25519")).unwrap()).unwrap(),
        database,
        training: false,
        limits: enroll_kit::intake::Limits::default(),
        finish_workers: 1,
    })
    .unwrap();
    let pin = pem_certificate_sha256(&keys.join("test-intake.crt")).unwrap();
    let client = enroll_kit::workflow::upload::intake_at(
        &kit,
        &format!("https://{}", intake.addr),
        &pin,
        Duration::from_secs(10),
    )
    .unwrap()
    .without_poll_waits();
    let said = client.upload(&training.record.id, &training.path, &mut |_, _| {}, &never).unwrap_err().to_string();
    assert!(said.contains("never taken by a production intake"), "{said}");
    assert_eq!(intake.packet_count().unwrap(), 0);

    // A store edited behind the kit's back: a training packet's column says production. The
    // export reads the signed packet.json, refuses, and writes and marks nothing.
    let mut late = EnrollmentSession::start(&mut kit, &assistant, true).unwrap();
    fill(&mut late, &mut kit, 41);
    let Outcome::Saved(late_rid) = step(&mut late, &mut kit, Command::Complete(Pin::new(common::ASSISTANT_PIN))) else {
        panic!("not saved")
    };
    review::approve(&mut kit, &sup, &late_rid.to_string()).unwrap();
    {
        let db = kit.insider_connection().unwrap();
        db.execute_batch("DROP TRIGGER packets_sealed").unwrap();
        db.execute("UPDATE packets SET training = 0 WHERE rid = ?1", [late_rid.to_string()]).unwrap();
    }
    clock.advance(chrono::Duration::hours(1));
    let before = files_in(&stick);
    let e = close_day(&mut kit, &sup, &Destination::folder(&stick), false, &never, &mut |_, _| {}).unwrap_err();
    let said = e.to_string();
    assert!(said.contains(&format!("packet {late_rid} is a training record")), "{said}");
    assert_eq!(files_in(&stick), before, "no batch file left on the stick");
    let row = kit.store.packet_row(&late_rid.to_string()).unwrap().unwrap();
    assert_eq!(row.status, enroll_kit::domain::status::PacketStatus::Approved, "nothing marked exported");
    let stored = kit.store.packet(&late_rid.to_string()).unwrap().unwrap();
    assert!(open_packet(&stored.data, Some(&kit.public_key())).unwrap().json.training, "the signed flag holds");
}

#[test]
fn a_pilot_kit_never_makes_a_production_batch() {
    let tmp = tempfile::tempdir().unwrap();
    let mut kit = open_or_provision(DataDir::new(tmp.path().join("pilot"))).unwrap();
    let sup = enroll_kit::workflow::login(&mut kit, "supervisor", &Pin::new("246810")).unwrap();
    let trainee = enroll_kit::workflow::login(&mut kit, "trainee", &Pin::new("135790")).unwrap();
    let rid = enroll_kit::workflow::enrollment::EnrollmentSession::start(&mut kit, &trainee, false)
        .map(|mut s| {
            fill(&mut s, &mut kit, 3);
            match step(&mut s, &mut kit, Command::Complete(Pin::new("135790"))) {
                Outcome::Saved(rid) => rid.to_string(),
                other => panic!("{other:?}"),
            }
        })
        .unwrap();
    assert!(kit.store.packet_row(&rid).unwrap().unwrap().training, "pilot mode makes training records only");
    review::approve(&mut kit, &sup, &rid).unwrap();
    let stick = tmp.path().join("stick");
    std::fs::create_dir_all(&stick).unwrap();
    let e = close_day(&mut kit, &sup, &Destination::folder(&stick), false, &AtomicBool::new(false), &mut |_, _| {})
        .unwrap_err();
    assert!(matches!(e, enroll_kit::workflow::WorkflowError::Batch(BatchError::Empty("production"))), "{e}");
    assert_eq!(files_in(&stick), 0);
}
