//! The crash campaign: the kit's real binary sealing enrollments, recording review decisions and
//! exporting batches, killed with SIGKILL at random moments and aborted at every instrumented
//! point (`enroll_kit::crashpoint`). After each death the kit must open without help, and its own
//! verifiers must find every sealed packet whole, the audit log unbroken and agreeing with the
//! packets, no more drafts than the work in hand, and nothing marked exported that is not in a
//! batch on the stick that verifies. The kill moments come from a seeded generator, so a failure
//! names its seed and point; the invariants hold at any moment, so no run depends on timing.
//!
//! `ENROLL_KIT_CRASH_POINTS` sets how many random kills (default 30 in the suite);
//! `scripts/crash-campaign N` runs N of them with the figures.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a panic is a failure with its line

mod common;

use common::{SUPERVISOR_PIN, fixtures, kit_command, new_kit, reopen};
use enroll_kit::domain::status::PacketStatus;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::Duration;

/// What the campaign makes the kit do, in turn.
#[derive(Clone, Copy, Debug)]
enum Work {
    /// Two enrollments through the session (drafts, sealing).
    Seal,
    /// Approve everything pending.
    Review,
    /// Close the day into the stick.
    Export,
}

fn start(dir: &Path, stick: &Path, work: Work, crash_at: Option<&str>) -> Child {
    let mut cmd = kit_command();
    cmd.arg("--data-dir").arg(dir).env("ENROLL_KIT_PIN", SUPERVISOR_PIN);
    match work {
        Work::Seal => cmd.args(["simulate", "--count", "2", "--assistants", "1", "--seed"]).arg(seed_arg(dir)),
        Work::Review => cmd.args(["review", "approve", "--all"]),
        Work::Export => cmd.args(["export", "--training", "--out"]).arg(stick),
    };
    if let Some(point) = crash_at {
        cmd.env("ENROLL_KIT_CRASH_AT", point);
    }
    cmd.stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("start enroll-kit")
}

/// A new seed for each simulate run, so the people differ (from the count of files made so far).
fn seed_arg(dir: &Path) -> String {
    let n = std::fs::read_dir(dir).map(|d| d.count()).unwrap_or(0);
    format!("{}", 1000 + n as u64 * 7919 + rand_state())
}

fn rand_state() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static STATE: AtomicU64 = AtomicU64::new(0x9E37_79B9_7F4A_7C15);
    let mut x = STATE.load(Ordering::Relaxed);
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    STATE.store(x, Ordering::Relaxed);
    x % 1_000_000
}

/// Every file under `dir` whose name says it is half-written.
fn leftovers(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            out.extend(leftovers(&path));
        } else if name.ends_with(".partial") || name.ends_with(".tmp") || name.contains(".new") {
            out.push(path);
        }
    }
    out
}

/// The kit's own verifiers after a death: opens, packets whole, log unbroken and agreeing,
/// exported means on the stick and verifiable.
fn check(dir: &Path, stick: &Path, died_sealing: usize, what: &str) {
    let kit = reopen(dir);
    let report = enroll_kit::workflow::integrity::verify_packets(&kit, None).unwrap();
    assert!(report.faults.is_empty(), "{what}: packets damaged: {:?}", report.faults);
    let chain = kit.store.verify_audit(&kit.public_key()).unwrap();
    assert!(chain.is_ok(), "{what}: the audit chain is broken: {chain:?}");
    let rows = kit.store.packet_rows(None).unwrap();
    let log = kit.store.audit_entries(None).unwrap();
    let sealed: Vec<&str> =
        log.iter().filter(|e| e.action == "enrollment_saved").filter_map(|e| e.subject.as_deref()).collect();
    assert_eq!(sealed.len(), rows.len(), "{what}: one audit entry per sealed packet");
    for row in &rows {
        assert!(sealed.contains(&row.rid.as_str()), "{what}: {} has no audit entry", row.rid);
    }
    // A killed enrollment leaves at most the one in hand, to resume: never more drafts than
    // enrollments that died.
    let drafts: usize = kit.store.accounts().unwrap().iter().map(|a| kit.store.drafts_of(a.id).unwrap().len()).sum();
    assert!(drafts <= died_sealing, "{what}: {drafts} drafts after {died_sealing} interrupted enrollments");
    // Exported: in a recorded batch on the stick, which the central office's identity verifies
    // with exactly those packets.
    let exported: Vec<&str> =
        rows.iter().filter(|r| r.status == PacketStatus::Exported).map(|r| r.rid.as_str()).collect();
    // Training batches are sealed to the published pilot office, production ones to kit.toml's.
    let office = |training: bool| {
        let file = if training {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/pilot-keys/pilot-hq.age")
        } else {
            fixtures().join("keys/test-hq.age")
        };
        enroll_kit::batch::verify::read_identities(&file).unwrap()
    };
    let mut on_stick: Vec<String> = Vec::new();
    for batch in kit.store.batches().unwrap() {
        let path = stick.join(&batch.file_name);
        let verified = enroll_kit::batch::verify::verify_batch(&path, &office(batch.training), None)
            .unwrap_or_else(|e| panic!("{what}: batch {} is recorded but does not verify: {e}", batch.id));
        on_stick.extend(verified.manifest.packets.iter().map(|p| p.rid.clone()));
    }
    for rid in &exported {
        assert!(on_stick.iter().any(|r| r == rid), "{what}: {rid} is marked exported but is on no verified batch");
    }
    let stray = leftovers(dir);
    assert!(stray.is_empty(), "{what}: half-written files in the data dir: {stray:?}");
}

/// Waits for `child` to end and says whether it died of a signal (was killed or aborted).
fn died(mut child: Child) -> bool {
    use std::os::unix::process::ExitStatusExt;
    child.wait().expect("wait for enroll-kit").signal().is_some()
}

#[test]
fn killed_anywhere_the_kit_loses_nothing_and_opens_without_help() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("kit");
    let stick = tmp.path().join("stick");
    std::fs::create_dir_all(&stick).unwrap();
    drop(new_kit(&dir));
    let points: usize = std::env::var("ENROLL_KIT_CRASH_POINTS").ok().and_then(|v| v.parse().ok()).unwrap_or(30);

    // Every instrumented point, each reached and survived.
    let (mut reached, mut died_sealing) = (0, 0);
    for point in enroll_kit::crashpoint::POINTS {
        let work = match point {
            p if p.starts_with("review") => Work::Review,
            p if p.starts_with("export") => Work::Export,
            _ => Work::Seal,
        };
        // Something to review and to export first, so each point is on the path taken.
        if !matches!(work, Work::Seal) {
            assert!(!died(start(&dir, &stick, Work::Seal, None)), "a plain simulate run");
        }
        if matches!(work, Work::Export) {
            assert!(!died(start(&dir, &stick, Work::Review, None)), "a plain review run");
        }
        assert!(died(start(&dir, &stick, work, Some(point))), "{point} is on the path of {work:?} and stops it");
        died_sealing += usize::from(matches!(work, Work::Seal));
        check(&dir, &stick, died_sealing, point);
        reached += 1;
    }

    // Random moments: each kind of work in turn, killed at a seeded moment within how long that
    // work last took when it ran to its end (so most kills land mid-work on any machine), or let end.
    let (mut killed, mut finished) = (0, 0);
    let mut took = [Duration::from_millis(400); 3];
    for k in 0..points {
        let kind = k % 3;
        let work = [Work::Seal, Work::Review, Work::Export][kind];
        let began = std::time::Instant::now();
        let mut child = start(&dir, &stick, work, None);
        let span = took[kind].as_micros().max(1000) as u64;
        std::thread::sleep(Duration::from_micros(rand_state() % (span + span / 10)));
        let _ = child.kill();
        if died(child) {
            killed += 1;
            died_sealing += usize::from(matches!(work, Work::Seal));
            took[kind] = took[kind].max(began.elapsed());
        } else {
            finished += 1;
            took[kind] = began.elapsed();
        }
        check(&dir, &stick, died_sealing, &format!("random kill {k} during {work:?}"));
    }
    // After a clean export nothing half-written is left on the stick either.
    let _ = died(start(&dir, &stick, Work::Seal, None));
    let _ = died(start(&dir, &stick, Work::Review, None));
    assert!(!died(start(&dir, &stick, Work::Export, None)), "a clean export at the end");
    check(&dir, &stick, died_sealing, "the clean export at the end");
    let stray = leftovers(&stick);
    assert!(stray.is_empty(), "an export after the crashes swept what they left: {stray:?}");
    // A whole batch the kit never recorded (it died between the stick and its database) is swept
    // once its receipt shows it is this kit's; only one that died before its receipt stays.
    let recorded: Vec<String> = reopen(&dir).store.batches().unwrap().into_iter().map(|b| b.file_name).collect();
    for entry in std::fs::read_dir(&stick).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(id) = name.strip_suffix(".age") {
            let receipt = stick.join(format!("{id}.receipt.json"));
            assert!(recorded.contains(&name) || !receipt.exists(), "{name} is an unrecorded batch left on the stick");
        }
    }
    println!(
        "crash campaign: {reached} instrumented points and {points} random moments ({killed} killed mid-work, \
         {finished} ended first), 0 losses"
    );
}
