//! Upload to the central office's intake on 127.0.0.1, through a fault-injecting proxy, against
//! SQLite and PostgreSQL; and every bad answer the kit must not believe.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a panic is a failure with its line

mod common;
#[path = "common/fault_proxy.rs"]
mod fault_proxy;
#[path = "common/intake.rs"]
mod intake_common;

use common::{enroll, kit_with_staff, registered};
use enroll_kit::batch::export::Destination;
use enroll_kit::batch::registry::RegisteredKit;
use enroll_kit::domain::status::{PacketStatus, UploadStatus};
use enroll_kit::intake::Database;
use enroll_kit::kit::Kit;
use enroll_kit::kit::config::UploadConfig;
use enroll_kit::packet::KitKey;
use enroll_kit::sync::SyncError;
use enroll_kit::sync::client::Intake;
use enroll_kit::workflow::export::close_day;
use enroll_kit::workflow::review;
use enroll_kit::workflow::upload::{intake_at, upload_due, uploads};
use intake_common::{keys, office_key, pin, postgres, start_intake, test_kit};
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

/// A kit the central office registered that is not this test's kit.
fn someone_else() -> RegisteredKit {
    test_kit(4, "00099", "00001").1
}

/// A production kit with `days` exported batches of `per_day` packets each.
fn kit_with_batches(dir: &Path, days: usize, per_day: usize) -> (Kit, Vec<String>) {
    let (mut kit, clock, sup, assistant) = kit_with_staff(&dir.join("kit"));
    let stick = dir.join("stick");
    std::fs::create_dir_all(&stick).unwrap();
    let mut batches = Vec::new();
    for day in 0..days {
        for n in 0..per_day {
            let rid = enroll(&mut kit, &assistant, (day * 100 + n) as u64 + 7);
            review::approve(&mut kit, &sup, &rid).unwrap();
        }
        let b = close_day(&mut kit, &sup, &Destination::folder(&stick), false, &AtomicBool::new(false), &mut |_, _| {})
            .unwrap();
        batches.push(b.record.id);
        clock.advance(chrono::Duration::days(1));
    }
    (kit, batches)
}

fn point_at(kit: &mut Kit, addr: std::net::SocketAddr) {
    kit.set_upload(Some(UploadConfig { url: format!("https://{addr}"), certificate_sha256: pin() })).unwrap();
}

fn acknowledged(kit: &Kit) -> usize {
    kit.store.packet_rows(Some(PacketStatus::Acknowledged)).unwrap().len()
}

fn through_a_faulty_link(database: Database, dir: &Path) {
    let (mut kit, batches) = kit_with_batches(dir, 2, 2);
    let intake = start_intake(database, office_key(), &[registered(&kit)]);
    let proxy = fault_proxy::start(intake.addr, &pin(), &keys(), 7, 0.5, Duration::from_millis(2500));
    point_at(&mut kit, proxy.addr);
    let client = intake_at(&kit, &format!("https://{}", proxy.addr), &pin(), Duration::from_secs(2))
        .unwrap()
        .with_chunk(256 << 10)
        .without_connection_reuse();
    let mut rounds = 0;
    while uploads(&kit).unwrap().iter().any(|r| r.upload.state != UploadStatus::Acknowledged) {
        rounds += 1;
        assert!(rounds <= 200, "not done after 200 rounds: {:?}", uploads(&kit).unwrap());
        let before = acknowledged(&kit);
        let done = upload_due(&mut kit, &client, true, &mut |_, _, _| {}, &AtomicBool::new(false)).unwrap();
        // Packets become acknowledged only with a receipt that checked out.
        if done.iter().all(|(_, r)| r.is_err()) {
            assert_eq!(acknowledged(&kit), before, "acknowledged without a receipt: {done:?}");
        }
        assert!(uploads(&kit).unwrap().iter().all(|r| r.upload.state != UploadStatus::Refused), "{done:?}");
    }
    let c = &proxy.counts;
    let faults =
        [&c.cut_up, &c.cut_down, &c.stalled, &c.errors_500].map(|a| a.load(std::sync::atomic::Ordering::Relaxed));
    assert!(faults.iter().sum::<u64>() >= 4, "the link was hardly faulty: {faults:?}");
    eprintln!("{rounds} round(s); faults cut-up/cut-down/stall/500: {faults:?}");
    assert_eq!(acknowledged(&kit), 4, "every packet acknowledged");
    assert_eq!(intake.packet_count().unwrap(), 4, "every packet stored once");
    for row in uploads(&kit).unwrap() {
        assert!(batches.contains(&row.upload.batch_id) && row.rejected.is_empty(), "{row:?}");
    }
    // Acknowledged: the kit deleted the people's images and personal data, so a supervisor's
    // "try again" has nothing to send, and says so.
    let sup = enroll_kit::workflow::login(
        &mut kit,
        "supervisor",
        &enroll_kit::domain::account::Pin::new(common::SUPERVISOR_PIN),
    )
    .unwrap();
    let e = enroll_kit::workflow::upload::retry_now(&mut kit, &sup, &batches[0]).unwrap_err();
    assert!(e.to_string().contains("nothing to send again"), "{e}");
    assert!(kit.store.packet_rows(None).unwrap().iter().all(|r| r.display_name.is_empty()), "purged");
    assert_eq!(intake.packet_count().unwrap(), 4);
}

#[test]
fn every_batch_arrives_once_through_cuts_stalls_and_500s_into_sqlite() {
    let tmp = tempfile::tempdir().unwrap();
    through_a_faulty_link(Database::Sqlite(tmp.path().join("intake.db")), tmp.path());
}

#[test]
fn every_batch_arrives_once_through_cuts_stalls_and_500s_into_postgresql() {
    let Some(url) = postgres() else { return };
    let tmp = tempfile::tempdir().unwrap();
    through_a_faulty_link(Database::Postgres(url), tmp.path());
}

#[test]
fn a_receipt_or_an_intake_the_kit_must_not_believe_marks_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut kit, batches) = kit_with_batches(tmp.path(), 1, 1);
    let quick = |kit: &Kit, addr: std::net::SocketAddr, pin: &str| {
        intake_at(kit, &format!("https://{addr}"), pin, Duration::from_secs(5)).unwrap().without_poll_waits()
    };
    let run = |kit: &mut Kit, client: &Intake| {
        upload_due(kit, client, true, &mut |_, _, _| {}, &AtomicBool::new(false)).unwrap()
    };

    // A receipt signed by another key: not believed, the batch stays pending.
    let impostor =
        start_intake(Database::Sqlite(tmp.path().join("a.db")), KitKey::from_seed([9; 32]), &[registered(&kit)]);
    point_at(&mut kit, impostor.addr);
    let client = quick(&kit, impostor.addr, &pin());
    let done = run(&mut kit, &client);
    let said = done[0].1.as_ref().unwrap_err();
    assert!(said.english.contains("not signed by the central office key"), "{said}");
    assert_eq!(said.notice.key, "upload-error-bad-receipt", "worded for the window in both languages");
    assert_eq!(acknowledged(&kit), 0);
    let row = &uploads(&kit).unwrap()[0];
    assert_eq!((row.upload.state, row.upload.attempts), (UploadStatus::Pending, 1));
    assert!(row.upload.next_try_at.is_some(), "backed off");
    impostor.stop();

    // Another certificate than the pinned one: not even a connection.
    let real = start_intake(Database::Sqlite(tmp.path().join("b.db")), office_key(), &[someone_else()]);
    let wrong_pin = quick(&kit, real.addr, &"ab".repeat(32));
    assert!(matches!(wrong_pin.health(), Err(SyncError::WrongCertificate(_))));

    // A kit that is not registered: refused for good at the door, nothing marked.
    let client = quick(&kit, real.addr, &pin());
    let done = run(&mut kit, &client);
    let said = done[0].1.as_ref().unwrap_err();
    assert!(said.english.contains("is not registered with the central office"), "{said}");
    assert_eq!(said.notice.key, "upload-error-refused");
    let row = &uploads(&kit).unwrap()[0];
    assert_eq!(row.upload.state, UploadStatus::Refused);
    // What the uploads table keeps says it in English for the command line and as the notice
    // for the window.
    let kept = row.last_error.as_deref().expect("the last error is kept");
    assert!(enroll_kit::workflow::upload::last_error_text(kept).contains("is not registered"), "{kept}");
    assert_eq!(enroll_kit::workflow::upload::last_error_notice(kept).key, "upload-error-refused");
    assert_eq!(acknowledged(&kit), 0);
    assert_eq!(real.packet_count().unwrap(), 0);
    assert!(run(&mut kit, &client).is_empty(), "a refused batch waits for the supervisor");
    real.stop();

    // Bad requests straight at the intake from a registered kit: named, nothing stored.
    let real = start_intake(Database::Sqlite(tmp.path().join("b.db")), office_key(), &[registered(&kit)]);
    let client = quick(&kit, real.addr, &pin());
    client.health().unwrap();
    let state = client.open(&batches[0], 10, &"0".repeat(64)).unwrap();
    assert_eq!(state.received, 0);
    let e = client.send(&batches[0], &"0".repeat(64), 0, &[0u8; 11]).unwrap_err();
    assert!(matches!(&e, SyncError::Refused { status: 413, retry: false, .. }), "{e}");
    let ahead = client.send(&batches[0], &"0".repeat(64), 5, &[1u8; 2]).unwrap();
    assert_eq!(ahead.received, 0, "an offset the intake does not hold is answered with the one it does");
    let e = client.open("../etc", 10, &"0".repeat(64)).unwrap_err();
    assert!(matches!(&e, SyncError::Refused { status: 400 | 404, .. }), "{e}");
    let e = client.open(&batches[0], 10, "not-a-hash").unwrap_err();
    assert!(e.to_string().contains("64 hex digits"), "{e}");
    let e = client.finish(&batches[0], &AtomicBool::new(false)).unwrap_err();
    assert!(e.to_string().contains("0 of 10 bytes"), "{e}");
    assert!(matches!(client.open(&batches[0], 0, &"0".repeat(64)), Err(SyncError::Refused { status: 413, .. })));
    let e = client.open("0009900001-20261124090000", 10, &"0".repeat(64)).unwrap_err();
    assert!(e.to_string().contains("is not this kit's"), "another kit's batch id: {e}");
}

#[test]
fn an_intake_restarted_mid_upload_keeps_the_bytes_it_had_and_the_kit_goes_on_from_there() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut kit, batches) = kit_with_batches(tmp.path(), 1, 2);
    let database = || Database::Sqlite(tmp.path().join("intake.db"));
    let first = start_intake(database(), office_key(), &[registered(&kit)]);
    point_at(&mut kit, first.addr);
    let client = |kit: &Kit, addr: std::net::SocketAddr| {
        intake_at(kit, &format!("https://{addr}"), &pin(), Duration::from_secs(10)).unwrap().with_chunk(16 << 10)
    };
    // The supervisor's kit loses the intake a few chunks in (here: it stops asking after 64 KiB).
    let cancel = AtomicBool::new(false);
    let mut held_before = 0;
    let c = client(&kit, first.addr);
    let done = upload_due(
        &mut kit,
        &c,
        true,
        &mut |_, sent, _| {
            held_before = sent;
            if sent >= 64 << 10 {
                cancel.store(true, std::sync::atomic::Ordering::Relaxed);
            }
        },
        &cancel,
    )
    .unwrap();
    assert!(done[0].1.as_ref().is_err_and(|e| e.english.contains("stopped")), "{done:?}");
    assert!(held_before >= 64 << 10);
    first.stop();

    // The intake comes back (another port, the same database): the kit sends the rest only.
    let second = start_intake(database(), office_key(), &[registered(&kit)]);
    point_at(&mut kit, second.addr);
    let mut first_progress = None;
    let c = client(&kit, second.addr);
    let done = upload_due(
        &mut kit,
        &c,
        true,
        &mut |_, sent, _| {
            first_progress.get_or_insert(sent);
        },
        &AtomicBool::new(false),
    )
    .unwrap();
    assert_eq!(done[0].0, batches[0]);
    let acknowledged_batch = done[0].1.as_ref().unwrap();
    assert_eq!(first_progress, Some(held_before), "went on from the bytes the intake kept");
    assert_eq!(acknowledged_batch.bytes_sent, acknowledged_batch.size - held_before, "nothing sent twice");
    assert_eq!((acknowledged_batch.accepted, acknowledged(&kit)), (2, 2));
    assert_eq!(second.packet_count().unwrap(), 2);
}
