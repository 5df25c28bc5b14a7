//! Batches: export, read back, verify at the central office — training through the command line
//! with the pilot identity, production through the enrollment workflow with the test
//! central-office keys — and tampered, truncated, foreign and misdirected batches.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a panic is a failure with its line

mod common;

use common::{enroll, fixtures, kit_with_staff};
use enroll_kit::batch::export::Destination;
use enroll_kit::batch::verify::{read_identities, verify_batch};
use enroll_kit::domain::status::PacketStatus;
use enroll_kit::workflow::export::{close_day, copy_past_batch};
use enroll_kit::workflow::{WorkflowError, review};
use std::io::Write;
use std::path::Path;
use std::process::Output;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

fn cli(dir: &Path, args: &[&str]) -> Output {
    common::kit_command()
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("ENROLL_KIT_PIN", common::SUPERVISOR_PIN)
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn ok(o: &Output) -> String {
    assert!(o.status.success(), "{}", text(o));
    text(o)
}

fn failed(o: &Output) -> String {
    assert!(!o.status.success(), "should fail: {}", text(o));
    assert!(!text(o).contains("panicked"), "{}", text(o));
    text(o)
}

fn pilot_identity() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/pilot-keys/pilot-hq.age").display().to_string()
}

#[test]
fn training_batches_round_trip_and_every_fault_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("kit");
    let keys = fixtures().join("keys");
    let init = common::init_args();
    ok(&cli(&dir, &init.iter().map(String::as_str).collect::<Vec<_>>()));
    ok(&cli(&dir, &["simulate", "--count", "12", "--seed", "5"]));
    // Twelve different simulated people: the kit-wide duplicate check finds no pair.
    let t = ok(&cli(&dir, &["dedup"]));
    assert!(t.contains("0 possible duplicate pair(s)"), "{t}");
    let approved = ok(&cli(&dir, &["review", "approve", "--all"]));
    let n: usize = approved.split_whitespace().nth(1).unwrap().parse().unwrap();
    // The daily report from the command line: JSON, CSV that never overwrites, a bad date named.
    let report: serde_json::Value = serde_json::from_str(&ok(&cli(&dir, &["report", "--json"]))).unwrap();
    assert_eq!(
        report["by_status"]["approved"].as_u64().unwrap_or(0) as usize
            + report["by_status"]["pending_review"].as_u64().unwrap_or(0) as usize,
        report["enrollments"].as_u64().unwrap() as usize
    );
    let csv = tmp.path().join("day.csv");
    ok(&cli(&dir, &["report", "--date", "2020-01-01", "--csv", csv.to_str().unwrap()]));
    assert_eq!(std::fs::read_to_string(&csv).unwrap().lines().count(), 1, "a header, no packets that day");
    assert!(failed(&cli(&dir, &["report", "--csv", csv.to_str().unwrap()])).contains("choose a new file name"));
    assert!(failed(&cli(&dir, &["report", "--date", "yesterday"])).contains("YYYY-MM-DD"));

    let stick = tmp.path().join("stick");
    std::fs::create_dir_all(&stick).unwrap();

    let t = failed(&cli(&dir, &["export", "--out", stick.to_str().unwrap()]));
    assert!(t.contains("no approved production packets"), "training records never enter a production batch: {t}");
    let t = failed(&cli(&dir, &["export", "--out", tmp.path().join("no-stick").to_str().unwrap(), "--training"]));
    assert!(t.contains("is not a folder"), "{t}");

    let out = ok(&cli(&dir, &["export", "--out", stick.to_str().unwrap(), "--training"]));
    assert!(out.contains(&format!("({n} packet(s)")), "{out}");
    let batch = std::fs::read_dir(&stick)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "age"))
        .unwrap();
    let b = batch.to_str().unwrap().to_string();
    assert!(
        std::fs::read_dir(&stick).unwrap().all(|e| !e.unwrap().file_name().to_string_lossy().ends_with(".partial"))
    );
    let exported = ok(&cli(&dir, &["packet", "list", "--status", "exported"]));
    assert_eq!(exported.lines().count(), n);

    let verified = ok(&cli(&dir, &["verify", &b, "--identity", &pilot_identity()]));
    assert!(verified.contains(&format!("{n} TRAINING packet(s)")), "{verified}");

    // The wrong identity: a production key cannot open a training batch.
    let t = failed(&cli(&dir, &["verify", &b, "--identity", keys.join("test-hq.age").to_str().unwrap()]));
    assert!(t.contains("No matching keys") || t.contains("right identity"), "{t}");

    // A kit not in the registered list.
    let kits = tmp.path().join("kits.txt");
    std::fs::write(
        &kits,
        format!("# registered\n{}\n", enroll_kit::packet::KitKey::from_seed([9; 32]).public().to_hex()),
    )
    .unwrap();
    let t = failed(&cli(&dir, &["verify", &b, "--identity", &pilot_identity(), "--kits", kits.to_str().unwrap()]));
    assert!(t.contains("not in the registered kits"), "{t}");
    let kit_pub = std::fs::read_to_string(dir.join("kit.pub")).unwrap();
    std::fs::write(&kits, kit_pub).unwrap();
    ok(&cli(&dir, &["verify", &b, "--identity", &pilot_identity(), "--kits", kits.to_str().unwrap()]));

    // One flipped byte anywhere, and a truncated file: both refused with the file named.
    let good = std::fs::read(&batch).unwrap();
    for at in [200, good.len() / 2, good.len() - 20] {
        let mut bad = good.clone();
        bad[at] ^= 0x04;
        std::fs::write(&batch, &bad).unwrap();
        let t = failed(&cli(&dir, &["verify", &b, "--identity", &pilot_identity()]));
        assert!(t.contains(&b), "byte {at}: {t}");
    }
    std::fs::write(&batch, &good[..good.len() * 2 / 3]).unwrap();
    let t = failed(&cli(&dir, &["verify", &b, "--identity", &pilot_identity()]));
    assert!(t.contains(&b), "{t}");

    // A second copy of the batch for a second stick: the same manifest, packets unchanged.
    let id = batch.file_stem().unwrap().to_str().unwrap().to_string();
    std::fs::write(&batch, &good).unwrap();
    let stick2 = tmp.path().join("stick2");
    std::fs::create_dir_all(&stick2).unwrap();
    let out = ok(&cli(&dir, &["export", "--out", stick2.to_str().unwrap(), "--copy", &id]));
    assert!(out.contains(&format!("({n} packet(s)")), "{out}");
    let copy = stick2.join(format!("{id}.age"));
    let verified = ok(&cli(&dir, &["verify", copy.to_str().unwrap(), "--identity", &pilot_identity()]));
    assert!(verified.contains(&format!("batch {id} ")) && verified.contains(&format!("{n} TRAINING")), "{verified}");
    let t = failed(&cli(&dir, &["export", "--out", stick2.to_str().unwrap(), "--copy", &id]));
    assert!(t.contains("already there"), "a copy never overwrites: {t}");
    let t = failed(&cli(&dir, &["export", "--out", stick2.to_str().unwrap(), "--copy", "nonsense"]));
    assert!(t.contains("no batch nonsense"), "{t}");

    // Nothing left to export: a clear message, nothing written.
    let t = failed(&cli(&dir, &["export", "--out", stick.to_str().unwrap(), "--training"]));
    assert!(t.contains("no approved training packets"), "{t}");
    assert!(ok(&cli(&dir, &["audit", "verify"])).contains("OK"));
}

#[test]
fn production_packets_from_the_workflow_round_trip_with_the_test_keys() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut kit, _clock, sup, assistant) = kit_with_staff(&tmp.path().join("kit"));
    let rids: Vec<String> = (1..=3).map(|seed| enroll(&mut kit, &assistant, seed)).collect();
    for rid in &rids {
        review::approve(&mut kit, &sup, rid).unwrap();
    }
    let stick_dir = tmp.path().join("stick");
    std::fs::create_dir_all(&stick_dir).unwrap();
    let stick = Destination::folder(&stick_dir);

    let refused = close_day(&mut kit, &assistant, &stick, false, &AtomicBool::new(false), &mut |_, _| {});
    assert!(matches!(refused, Err(WorkflowError::Forbidden { .. })), "an assistant cannot export");

    // A destination that cannot be written: a clear error, nothing marked exported.
    let blocked = tmp.path().join("file-not-dir");
    std::fs::write(&blocked, b"x").unwrap();
    let e = close_day(&mut kit, &sup, &Destination::folder(&blocked), false, &AtomicBool::new(false), &mut |_, _| {})
        .unwrap_err();
    assert!(e.to_string().contains("Nothing was marked exported"), "{e}");
    assert_eq!(kit.store.packet_rows(Some(PacketStatus::Approved)).unwrap().len(), 3);

    // Cancelled at once: no file left, nothing marked.
    let e = close_day(&mut kit, &sup, &stick, false, &AtomicBool::new(true), &mut |_, _| {}).unwrap_err();
    assert!(e.to_string().contains("cancelled"), "{e}");
    assert_eq!(std::fs::read_dir(&stick_dir).unwrap().count(), 0);

    let mut seen = 0;
    let batch = close_day(&mut kit, &sup, &stick, false, &AtomicBool::new(false), &mut |done, _| seen = done).unwrap();
    assert_eq!(seen, 3, "progress reached every packet");
    assert!(!batch.record.training);
    let identities = read_identities(&fixtures().join("keys/test-hq.age")).unwrap();
    let verified = verify_batch(&batch.path, &identities, Some(&vec![common::registered(&kit)])).unwrap();
    let mut in_batch: Vec<String> = verified.manifest.packets.iter().map(|p| p.rid.clone()).collect();
    in_batch.sort();
    assert_eq!(in_batch, rids);
    assert!(kit.store.packet_rows(Some(PacketStatus::Exported)).unwrap().len() == 3);
    assert_eq!(kit.store.batches().unwrap()[0].id, batch.record.id);

    // The pilot identity cannot open a production batch.
    let pilot = read_identities(Path::new(&pilot_identity())).unwrap();
    assert!(verify_batch(&batch.path, &pilot, None).is_err());
    // The receipt is signed by the kit.
    let receipt: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&batch.receipt).unwrap()).unwrap();
    let body = enroll_kit::packet::canonical::to_canonical_json(&receipt["receipt"]);
    let sig = hex::decode(receipt["signature"].as_str().unwrap()).unwrap();
    assert!(kit.public_key().verify(&body, &sig));
}

/// Passes bytes to the file until `left` runs out, then fails every write as `error` says: a
/// stick pulled out (an I/O error) or a full one (ENOSPC) at a chosen byte.
struct FailAt {
    inner: std::fs::File,
    left: u64,
    error: i32,
}

impl Write for FailAt {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            return Err(std::io::Error::from_raw_os_error(self.error));
        }
        let n = self.inner.write(&buf[..buf.len().min(self.left as usize)])?;
        self.left -= n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

fn failing_at(dir: &Path, byte: u64, error: i32) -> Destination {
    Destination::folder(dir).with_writer(Arc::new(move |file| Box::new(FailAt { inner: file, left: byte, error })))
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

#[test]
fn a_stick_pulled_out_or_full_mid_write_marks_nothing_and_loses_nothing() {
    const EIO: i32 = 5;
    const ENOSPC: i32 = 28;
    let tmp = tempfile::tempdir().unwrap();
    let (mut kit, clock, sup, assistant) = kit_with_staff(&tmp.path().join("kit"));
    let stick = tmp.path().join("stick");
    std::fs::create_dir_all(&stick).unwrap();
    let first: Vec<String> = (1..=2).map(|seed| enroll(&mut kit, &assistant, seed)).collect();
    for rid in &first {
        review::approve(&mut kit, &sup, rid).unwrap();
    }
    let earlier =
        close_day(&mut kit, &sup, &Destination::folder(&stick), false, &AtomicBool::new(false), &mut |_, _| {})
            .unwrap();
    let before = names(&stick);

    clock.advance(chrono::Duration::hours(1));
    let second: Vec<String> = (3..=5).map(|seed| enroll(&mut kit, &assistant, seed)).collect();
    for rid in &second {
        review::approve(&mut kit, &sup, rid).unwrap();
    }
    let size = kit.store.packet_rows(Some(PacketStatus::Approved)).unwrap().iter().map(|r| r.size).sum::<u64>();
    for (byte, error, says) in [
        (0, ENOSPC, "No space left on device"),
        (size / 2, EIO, "Input/output error"),
        (size + 100, EIO, "Input/output error"),
    ] {
        let e =
            close_day(&mut kit, &sup, &failing_at(&stick, byte, error), false, &AtomicBool::new(false), &mut |_, _| {})
                .unwrap_err();
        let text = e.to_string();
        assert!(text.contains(says) && text.contains("Nothing was marked exported"), "at byte {byte}: {text}");
        assert_eq!(names(&stick), before, "at byte {byte}: no partial file, the earlier batch untouched");
        assert_eq!(kit.store.packet_rows(Some(PacketStatus::Approved)).unwrap().len(), 3, "at byte {byte}");
    }
    let identities = read_identities(&fixtures().join("keys/test-hq.age")).unwrap();
    verify_batch(&earlier.path, &identities, None).expect("the batch already on the stick still verifies");

    // The stick works again: the same packets go out in one batch.
    let batch = close_day(&mut kit, &sup, &Destination::folder(&stick), false, &AtomicBool::new(false), &mut |_, _| {})
        .unwrap();
    let verified = verify_batch(&batch.path, &identities, None).unwrap();
    assert_eq!(verified.manifest.packets.iter().map(|p| p.rid.clone()).collect::<Vec<_>>(), second);

    // A copy of the earlier batch on a second stick; a pulled-out copy leaves nothing there.
    let stick2 = tmp.path().join("stick2");
    std::fs::create_dir_all(&stick2).unwrap();
    let e = copy_past_batch(
        &mut kit,
        &sup,
        &earlier.record.id,
        &failing_at(&stick2, 5000, EIO),
        &AtomicBool::new(false),
        &mut |_, _| {},
    )
    .unwrap_err();
    assert!(e.to_string().contains("Input/output error"), "{e}");
    assert!(names(&stick2).is_empty());
    let copy = copy_past_batch(
        &mut kit,
        &sup,
        &earlier.record.id,
        &Destination::folder(&stick2),
        &AtomicBool::new(false),
        &mut |_, _| {},
    )
    .unwrap();
    let copied = verify_batch(&copy.path, &identities, None).unwrap();
    let original = verify_batch(&earlier.path, &identities, None).unwrap();
    assert_eq!(copied.manifest, original.manifest, "a copy carries the same signed manifest");
    assert_ne!(copy.record.sha256, earlier.record.sha256, "sealed afresh");
    assert_eq!(kit.store.packet_rows(Some(PacketStatus::Exported)).unwrap().len(), 5);
}

#[test]
fn a_second_export_while_one_runs_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("kit");
    let (mut kit, _clock, sup, assistant) = kit_with_staff(&dir);
    let rid = enroll(&mut kit, &assistant, 1);
    review::approve(&mut kit, &sup, &rid).unwrap();
    let stick = tmp.path().join("stick");
    std::fs::create_dir_all(&stick).unwrap();

    // The first export blocks in its first write until the second has been refused.
    let (started_tx, started_rx) = std::sync::mpsc::channel::<()>();
    let (go_tx, go_rx) = std::sync::mpsc::channel::<()>();
    let gate = std::sync::Mutex::new(Some((started_tx, go_rx)));
    struct Gated<F: FnMut()>(std::fs::File, F);
    impl<F: FnMut()> Write for Gated<F> {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            (self.1)();
            self.0.write(buf)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            self.0.flush()
        }
    }
    let gated = Destination::folder(&stick).with_writer(Arc::new(move |file| {
        let mut gate = gate.lock().unwrap().take();
        Box::new(Gated(file, move || {
            if let Some((started, go)) = gate.take() {
                started.send(()).unwrap();
                go.recv().unwrap();
            }
        }))
    }));
    let mut second = enroll_kit::kit::Kit::open(enroll_kit::kit::DataDir::new(&dir), &common::test_unlock()).unwrap();
    let sup2 = enroll_kit::workflow::login(
        &mut second,
        "supervisor",
        &enroll_kit::domain::account::Pin::new(common::SUPERVISOR_PIN),
    )
    .unwrap();
    std::thread::scope(|scope| {
        let first = scope.spawn(|| close_day(&mut kit, &sup, &gated, false, &AtomicBool::new(false), &mut |_, _| {}));
        started_rx.recv().unwrap();
        let e =
            close_day(&mut second, &sup2, &Destination::folder(&stick), false, &AtomicBool::new(false), &mut |_, _| {})
                .unwrap_err();
        assert!(e.to_string().contains("another export is already running"), "{e}");
        go_tx.send(()).unwrap();
        let batch = first.join().unwrap().unwrap();
        assert_eq!(batch.record.count, 1);
    });
    assert_eq!(names(&stick).len(), 2, "one batch and its receipt");
}

#[test]
fn an_export_sweeps_what_an_interrupted_one_left_but_never_another_kits_batch() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut kit, _clock, sup, assistant) = kit_with_staff(&tmp.path().join("kit"));
    let rid = enroll(&mut kit, &assistant, 1);
    review::approve(&mut kit, &sup, &rid).unwrap();
    let stick_dir = tmp.path().join("stick");
    std::fs::create_dir_all(&stick_dir).unwrap();
    // A power cut mid-write left this kit's temporary file; a kit with the same numbers (one
    // provisioned again) left a whole batch of its own, with its receipt; a person left notes.
    let partial = stick_dir.join(".0004200007-20261201170000.age.partial");
    std::fs::write(&partial, b"half a batch").unwrap();
    let foreign = stick_dir.join("0004200007-20261130170000.age");
    std::fs::write(&foreign, b"another kit's batch").unwrap();
    let foreign_receipt = stick_dir.join("0004200007-20261130170000.receipt.json");
    std::fs::write(
        &foreign_receipt,
        r#"{"receipt":{"batch_id":"0004200007-20261130170000","kit_public_key":"00"},"signature":"00"}"#,
    )
    .unwrap();
    let notes = stick_dir.join("notes.txt");
    std::fs::write(&notes, b"mine").unwrap();

    let batch =
        close_day(&mut kit, &sup, &Destination::folder(&stick_dir), false, &AtomicBool::new(false), &mut |_, _| {})
            .unwrap();
    assert!(!partial.exists(), "the interrupted export's temporary file is gone");
    assert!(foreign.exists() && foreign_receipt.exists(), "a batch this kit did not sign stays");
    assert!(notes.exists() && batch.path.exists());
}
