//! The enrollment session end to end through the library: gates, drafts that survive a crash,
//! sealing, RID uniqueness, and a failed save that changes nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a panic is a failure with its line

mod common;

use chrono::{Duration, TimeZone, Utc};
use common::{ASSISTANT_PIN, enroll, face, fill, form, kit_with_staff, print, step};
use enroll_kit::assets::PILOT_FACE_JPEG;
use enroll_kit::domain::account::Pin;
use enroll_kit::domain::biometrics::{FingerException, FingerPosition, FingerRecord};
use enroll_kit::domain::enrollment::{ExceptionPhoto, Gap, Step};
use enroll_kit::domain::status::PacketStatus;
use enroll_kit::kit::{DataDir, Kit};
use enroll_kit::packet::open_packet;
use enroll_kit::workflow::enrollment::{Command, EnrollmentSession, Outcome};
use enroll_kit::workflow::integrity::verify_packets;
use enroll_kit::workflow::{WorkflowError, login};

#[test]
fn an_enrollment_is_gated_then_sealed_into_a_verifiable_packet() {
    let dir = tempfile::tempdir().unwrap();
    let (mut kit, _clock, _sup, assistant) = kit_with_staff(dir.path());
    let mut s = EnrollmentSession::start(&mut kit, &assistant, false).unwrap();

    assert_eq!(step(&mut s, &mut kit, Command::Next), Outcome::Blocked(vec![Gap::NoConsent]));
    let e = s.apply(&mut kit, Command::SetFace(face())).unwrap_err();
    assert!(matches!(e, WorkflowError::WrongStep { .. }), "{e}");
    step(&mut s, &mut kit, Command::GiveConsent);
    step(&mut s, &mut kit, Command::Next);
    step(&mut s, &mut kit, Command::SetForm(Box::new(form(1))));
    step(&mut s, &mut kit, Command::Next);
    step(&mut s, &mut kit, Command::SetFace(face()));
    step(&mut s, &mut kit, Command::Next);
    for p in FingerPosition::ALL.into_iter().skip(1) {
        step(&mut s, &mut kit, print(p, u64::from(p.code())));
    }
    let thumb = FingerPosition::new(1).unwrap();
    assert_eq!(step(&mut s, &mut kit, Command::Next), Outcome::Blocked(vec![Gap::FingerMissing(thumb)]));
    step(&mut s, &mut kit, Command::Except(thumb, FingerException::Amputated));
    assert_eq!(step(&mut s, &mut kit, Command::Next), Outcome::Blocked(vec![Gap::NoExceptionPhoto]));
    step(
        &mut s,
        &mut kit,
        Command::SetExceptionPhoto(ExceptionPhoto { jpeg: PILOT_FACE_JPEG.to_vec(), width: 384, height: 512 }),
    );
    assert_eq!(step(&mut s, &mut kit, Command::Next), Outcome::Step(Step::Review));

    // A wrong sign-off PIN seals nothing.
    let wrong = s.apply(&mut kit, Command::Complete(Pin::new("000111"))).unwrap_err();
    assert!(wrong.to_string().contains("wrong PIN"), "{wrong}");
    assert!(kit.store.packet_rows(None).unwrap().is_empty());

    let Outcome::Saved(rid) = step(&mut s, &mut kit, Command::Complete(Pin::new(ASSISTANT_PIN))) else {
        panic!("not saved")
    };
    assert_eq!(rid.as_str().len(), 29);
    assert_eq!(&rid.as_str()[..15], "000420000700001");
    assert!(s.apply(&mut kit, Command::Next).is_err(), "a finished session takes no more commands");

    let rows = kit.store.packet_rows(None).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].status, PacketStatus::PendingReview);
    assert!(kit.store.drafts_of(assistant.account_id).unwrap().is_empty(), "the draft went with the save");
    let stored = kit.store.packet(rid.as_str()).unwrap().unwrap();
    let opened = open_packet(&stored.data, Some(&kit.public_key())).unwrap();
    assert_eq!(opened.json.rid, rid.as_str());
    assert_eq!(opened.json.assistant, "wanjiru");
    assert!(!opened.json.training);
    assert_eq!(opened.json.exception_count(), 1);
    assert_eq!(opened.file_names().count(), 11, "face, nine prints, exception photo");
    assert!(opened.file("finger-02.png").is_some() && opened.file("finger-01.png").is_none());
    assert_eq!(opened.file("face.jpg"), Some(PILOT_FACE_JPEG));
    let report = verify_packets(&kit, None).unwrap();
    assert_eq!((report.checked, report.faults.len()), (1, 0));
}

#[test]
fn a_draft_survives_a_crash_and_resumes_where_it_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let (mut kit, clock, _sup, assistant) = kit_with_staff(dir.path());
    let mut s = EnrollmentSession::start(&mut kit, &assistant, false).unwrap();
    for c in [
        Command::GiveConsent,
        Command::Next,
        Command::SetForm(Box::new(form(2))),
        Command::Next,
        Command::SetFace(face()),
        Command::Next,
    ] {
        step(&mut s, &mut kit, c);
    }
    for p in FingerPosition::ALL.into_iter().take(4) {
        step(&mut s, &mut kit, print(p, u64::from(p.code())));
    }
    let before = s.draft().clone();
    let draft_id = s.draft_id();
    // Power cut: nothing is closed or flushed by hand.
    std::mem::forget(s);
    drop(kit);

    let mut kit = Kit::open(DataDir::new(dir.path()), &common::test_unlock()).unwrap();
    clock.install(&mut kit);
    let op = login(&mut kit, "wanjiru", &Pin::new(ASSISTANT_PIN)).unwrap();
    let offered = EnrollmentSession::resumable(&kit, &op).unwrap();
    assert_eq!(offered.len(), 1);
    assert_eq!(offered[0].step, Step::Fingerprints);
    let mut s = EnrollmentSession::resume(&mut kit, &op, draft_id).unwrap();
    assert_eq!(s.draft(), &before, "every step and capture came back");
    for p in FingerPosition::ALL.into_iter().skip(4) {
        step(&mut s, &mut kit, print(p, u64::from(p.code())));
    }
    step(&mut s, &mut kit, Command::Next);
    assert!(matches!(step(&mut s, &mut kit, Command::Complete(Pin::new(ASSISTANT_PIN))), Outcome::Saved(_)));
    let actions: Vec<String> = kit.store.audit_entries(None).unwrap().into_iter().map(|e| e.action).collect();
    assert!(actions.contains(&"enrollment_resumed".to_string()));
    let _ = assistant;
}

#[test]
fn refusing_consent_and_abandoning_end_the_enrollment_and_are_logged() {
    let dir = tempfile::tempdir().unwrap();
    let (mut kit, _clock, _sup, assistant) = kit_with_staff(dir.path());
    let mut s = EnrollmentSession::start(&mut kit, &assistant, false).unwrap();
    assert_eq!(step(&mut s, &mut kit, Command::RefuseConsent), Outcome::Refused);
    let mut s = EnrollmentSession::start(&mut kit, &assistant, false).unwrap();
    step(&mut s, &mut kit, Command::GiveConsent);
    assert_eq!(step(&mut s, &mut kit, Command::Abandon), Outcome::Abandoned);
    assert!(kit.store.drafts_of(assistant.account_id).unwrap().is_empty());
    let actions: Vec<String> = kit.store.audit_entries(None).unwrap().into_iter().map(|e| e.action).collect();
    assert!(actions.contains(&"consent_refused".to_string()));
    assert!(actions.contains(&"enrollment_abandoned".to_string()));
}

#[test]
fn rids_stay_unique_across_restarts_and_clock_changes() {
    let dir = tempfile::tempdir().unwrap();
    let (mut kit, clock, _sup, assistant) = kit_with_staff(dir.path());
    let mut rids = vec![enroll(&mut kit, &assistant, 1)];
    drop(kit);
    let mut kit = Kit::open(DataDir::new(dir.path()), &common::test_unlock()).unwrap();
    clock.install(&mut kit);
    let op = login(&mut kit, "wanjiru", &Pin::new(ASSISTANT_PIN)).unwrap();
    rids.push(enroll(&mut kit, &op, 2));
    // The clock is set back to the very second of the first enrollment, then to the day before.
    clock.set(Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap());
    rids.push(enroll(&mut kit, &op, 3));
    clock.set(Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap());
    rids.push(enroll(&mut kit, &op, 4));
    clock.advance(Duration::days(1));
    rids.push(enroll(&mut kit, &op, 5));
    let sequences: Vec<&str> = rids.iter().map(|r| &r[10..15]).collect();
    assert_eq!(sequences, ["00001", "00002", "00003", "00001", "00004"]);
    let unique: std::collections::HashSet<_> = rids.iter().collect();
    assert_eq!(unique.len(), rids.len(), "{rids:?}");
}

#[test]
fn a_save_that_fails_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (mut kit, _clock, _sup, assistant) = kit_with_staff(dir.path());
    let first = enroll(&mut kit, &assistant, 1);
    // Make the next save collide with the first RID: same second, sequence wound back.
    let db = kit.insider_connection().unwrap();
    db.execute("UPDATE rid_sequences SET last = 0", []).unwrap();
    let audit_before = kit.store.audit_entries(None).unwrap().len();

    let mut s = EnrollmentSession::start(&mut kit, &assistant, false).unwrap();
    fill(&mut s, &mut kit, 2);
    let audit_mid = kit.store.audit_entries(None).unwrap().len();
    assert!(s.apply(&mut kit, Command::Complete(Pin::new(ASSISTANT_PIN))).is_err());
    assert_eq!(kit.store.packet_rows(None).unwrap().len(), 1, "no packet added");
    assert_eq!(kit.store.packet_rows(None).unwrap()[0].rid, first);
    assert_eq!(kit.store.drafts_of(assistant.account_id).unwrap().len(), 1, "the draft is still there to retry");
    assert_eq!(
        kit.store.audit_entries(None).unwrap().len(),
        audit_mid,
        "no audit entry for a save that did not happen"
    );
    assert!(audit_mid > audit_before);
    let last: i64 = db.query_row("SELECT last FROM rid_sequences", [], |r| r.get(0)).unwrap();
    assert_eq!(last, 0, "the sequence taken in the failed transaction was rolled back");
}

#[test]
fn a_corrected_admin_units_set_in_the_data_dir_replaces_the_shipped_one() {
    let dir = tempfile::tempdir().unwrap();
    let (kit, _clock, _sup, _assistant) = kit_with_staff(dir.path());
    drop(kit);
    let assets = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/admin-units");
    let folder = DataDir::new(dir.path()).admin_units_dir();
    std::fs::create_dir_all(&folder).unwrap();
    for f in ["counties.csv", "sub_counties.csv", "constituencies.csv"] {
        std::fs::copy(assets.join(f), folder.join(f)).unwrap();
    }
    let wards = std::fs::read_to_string(assets.join("wards.csv")).unwrap();
    std::fs::write(folder.join("wards.csv"), format!("{wards}KEW-9999,Corrected Ward,KE047274,KESC-301\n")).unwrap();

    let kit = Kit::open(DataDir::new(dir.path()), &common::test_unlock()).unwrap();
    let mut f = form(1);
    (f.county, f.sub_county, f.ward) = ("047".into(), "KE047274".into(), "KEW-9999".into());
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    assert!(f.validate(today, &kit.admin_units()).is_ok(), "the corrected ward is known");
    drop(kit);

    std::fs::write(folder.join("wards.csv"), format!("{wards}KEW-9998,Lost Ward,KE999999,\n")).unwrap();
    let e = Kit::open(DataDir::new(dir.path()), &common::test_unlock())
        .err()
        .expect("a broken table is refused")
        .to_string();
    assert!(e.contains("wards.csv") && e.contains("KE999999") && e.contains("line 1452"), "{e}");
}

#[test]
fn draft_ids_are_never_reused_so_the_audit_log_stays_unambiguous() {
    let dir = tempfile::tempdir().unwrap();
    let (mut kit, _clock, _sup, assistant) = kit_with_staff(dir.path());
    let first = EnrollmentSession::start(&mut kit, &assistant, false).unwrap();
    let first_id = first.draft_id();
    let mut first = first;
    step(&mut first, &mut kit, Command::Abandon);
    let second = EnrollmentSession::start(&mut kit, &assistant, false).unwrap();
    assert!(second.draft_id() > first_id);
}

/// Waits for the sealing worker by its wake call (never a clock) and takes its outcome.
fn sealed_on_worker(
    kit: &Kit,
    job: Box<enroll_kit::workflow::sealing::SealJob>,
) -> Result<enroll_kit::workflow::sealing::Sealed, WorkflowError> {
    let (wake, woken) = std::sync::mpsc::channel();
    let mut worker = enroll_kit::workflow::sealing::SealWorker::start(kit, job, move || {
        let _ = wake.send(());
    })
    .unwrap();
    woken.recv().expect("the worker ends and says so");
    worker.finished().expect("its outcome is there once it woke us")
}

#[test]
fn a_sign_off_seals_on_its_worker_and_writes_the_slip_and_a_wrong_pin_there_seals_nothing() {
    use enroll_kit::workflow::enrollment::SignOff;
    let dir = tempfile::tempdir().unwrap();
    let (mut kit, _clock, _sup, assistant) = kit_with_staff(dir.path());
    let mut s = EnrollmentSession::start(&mut kit, &assistant, false).unwrap();
    // Not yet on review: the sign-off is refused before any worker starts.
    assert!(matches!(s.sign_off(&kit, Pin::new(ASSISTANT_PIN)), Err(WorkflowError::WrongStep { .. })));
    fill(&mut s, &mut kit, 3);
    assert_eq!(s.draft().step, Step::Review);

    let SignOff::Ready(job) = s.sign_off(&kit, Pin::new("000111")).unwrap() else { panic!("blocked") };
    let wrong = sealed_on_worker(&kit, job).unwrap_err();
    assert!(matches!(wrong, WorkflowError::Login(_)), "{wrong}");
    assert!(kit.store.packet_rows(None).unwrap().is_empty(), "a wrong PIN seals nothing");
    let account = kit.store.account("wanjiru").unwrap().unwrap();
    assert_eq!(account.lockout.failed_attempts, 1, "and counts towards the lockout");

    let SignOff::Ready(job) = s.sign_off(&kit, Pin::new(ASSISTANT_PIN)).unwrap() else { panic!("blocked") };
    let sealed = sealed_on_worker(&kit, job).unwrap();
    let slip = sealed.slip.expect("the slip is written");
    assert!(std::fs::read(&slip).unwrap().starts_with(b"%PDF"), "{}", slip.display());
    assert_eq!(s.sealed(sealed.rid.clone()), Outcome::Saved(sealed.rid.clone()));
    assert!(s.apply(&mut kit, Command::Next).is_err(), "the session is over");
    // The main connection sees what the worker's committed: the packet, and no draft left.
    let rows = kit.store.packet_rows(None).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].rid, sealed.rid.to_string());
    assert!(kit.store.drafts_of(assistant.account_id).unwrap().is_empty(), "the draft went in the same transaction");
    let report = verify_packets(&kit, None).unwrap();
    assert_eq!((report.checked, report.faults.len()), (1, 0), "the worker's packet verifies");
}

/// A print offered at `quality` (the gate judges the score the reader's worker gave it).
fn offered_at(p: FingerPosition, finger: u64, quality: u8) -> Command {
    let Command::Offer { position, mut print, device, threshold } =
        common::offer(p, finger, 0, enroll_kit::domain::biometrics::DeviceRef::new("r307", "TEST-1", false))
    else {
        unreachable!()
    };
    print.quality = quality;
    Command::Offer { position, print, device, threshold }
}

#[test]
fn the_session_keeps_only_what_the_capture_gate_produced() {
    use enroll_kit::workflow::capture::{MAX_ATTEMPTS, Verdict};
    let dir = tempfile::tempdir().unwrap();
    let (mut kit, _clock, _sup, assistant) = kit_with_staff(dir.path());
    let mut s = EnrollmentSession::start(&mut kit, &assistant, false).unwrap();
    for c in [
        Command::GiveConsent,
        Command::Next,
        Command::SetForm(Box::new(form(7))),
        Command::Next,
        Command::SetFace(face()),
        Command::Next,
    ] {
        step(&mut s, &mut kit, c);
    }
    let thumb = FingerPosition::ALL[0];
    // A poor print is judged, counted and not recorded; forcing it is refused until the attempts
    // are used up.
    let Outcome::Judged(first) = step(&mut s, &mut kit, offered_at(thumb, 1, 20)) else { panic!("judged") };
    assert_eq!((first.attempt, first.verdict), (1, Verdict::Retry));
    assert!(!s.draft().fingers.contains_key(&thumb), "a poor print is not recorded");
    let early = s.apply(&mut kit, Command::Force { position: thumb, reason: "worn".into() });
    assert!(matches!(early, Err(WorkflowError::Refused(_))), "{early:?}");
    step(&mut s, &mut kit, offered_at(thumb, 2, 30));
    let Outcome::Judged(third) = step(&mut s, &mut kit, offered_at(thumb, 3, 25)) else { panic!("judged") };
    assert_eq!((third.attempt, third.verdict), (MAX_ATTEMPTS, Verdict::RetryOrForce));
    assert_eq!(s.best_attempt(thumb), Some(30));
    let no_reason = s.apply(&mut kit, Command::Force { position: thumb, reason: " ".into() });
    assert!(matches!(no_reason, Err(WorkflowError::Refused(_))), "a force needs a reason: {no_reason:?}");
    step(&mut s, &mut kit, Command::Force { position: thumb, reason: "worn ridges".into() });
    let Some(FingerRecord::Captured(forced)) = s.draft().fingers.get(&thumb) else { panic!("recorded") };
    assert_eq!((forced.quality, forced.attempts, forced.force_captured), (30, MAX_ATTEMPTS, true));
    assert_eq!(forced.force_reason.as_deref(), Some("worn ridges"));
    // A good print is recorded at once with its attempt count; clearing a finger starts it afresh.
    let index = FingerPosition::ALL[1];
    step(&mut s, &mut kit, offered_at(index, 4, 10));
    let Outcome::Judged(good) = step(&mut s, &mut kit, offered_at(index, 5, 80)) else { panic!("judged") };
    assert_eq!((good.attempt, good.verdict), (2, Verdict::Accept));
    let Some(FingerRecord::Captured(kept)) = s.draft().fingers.get(&index) else { panic!("recorded") };
    assert_eq!((kept.quality, kept.attempts, kept.force_captured), (80, 2, false));
    step(&mut s, &mut kit, Command::ClearFinger(index));
    let Outcome::Judged(again) = step(&mut s, &mut kit, offered_at(index, 6, 10)) else { panic!("judged") };
    assert_eq!(again.attempt, 1, "a cleared finger starts afresh");
}
