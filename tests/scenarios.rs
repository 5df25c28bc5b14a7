//! Every shipped training scenario, run in the GUI through egui_kittest as a trainer and a
//! trainee would: the trainer starts it, the trainee works it on the scenario's simulated
//! devices, the scenario is ended and judged. Then the trainer's figures, CSV and reset.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a panic is a failure with its line

mod common;
#[path = "common/gui.rs"]
mod gui_steps;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use enroll_kit::domain::scenario::Check;
use enroll_kit::ui::{KitApp, Screen};
use gui_steps::*;

const TRAINEE_PIN: &str = "135790";

/// The trainer logs in and starts the scenario titled `title` for the trainee.
fn start(h: &mut Harness<'_, KitApp>, title: &str) {
    h.run();
    log_in(h, "trainer", "864200");
    h.get_by_label("Trainer: scenarios, trainee figures, reset").click();
    h.run();
    h.get_by_label(&format!("Start: {title}")).click();
    h.run();
    assert!(matches!(h.state().screen(), Screen::Login(_)), "the kit goes back to the login for the trainee");
    assert!(h.query_by_label(&format!("Scenario: {title} — trainee: trainee")).is_some(), "the scenario bar");
}

/// Ends the scenario; returns the checks missed, and checks the result screen says the same.
fn end(h: &mut Harness<'_, KitApp>) -> Vec<Check> {
    h.get_by_label("End the scenario and see the result").click();
    h.run();
    let Screen::Verdict(v) = h.state().screen() else { panic!("the result screen") };
    let missed: Vec<Check> = v.verdict.missed().collect();
    let said = if missed.is_empty() { "Handled right." } else { "Not handled right yet. What was missed:" };
    assert!(h.query_by_label(said).is_some(), "the result says {said:?}");
    missed
}

fn capture_until_recorded(h: &mut Harness<'_, KitApp>, n: usize) {
    // A reader plugged back in shows Capture greyed out until it has connected again.
    until(h, "the reader", |h| h.state().reader_ready() && h.query_by_label("Capture").is_some());
    h.get_by_label("Capture").click();
    h.run_ok();
    until(h, "a print", |h| fingers_recorded(h) == n);
}

fn sign_and_save(h: &mut Harness<'_, KitApp>) {
    h.get_by_label("Next").click();
    h.run_ok();
    type_into(h, "Your PIN, to sign off this enrollment", TRAINEE_PIN);
    h.get_by_label("Sign and save").click();
    // (A spinner turns while the packet is sealed: the frame never settles.)
    h.run_ok();
    until(h, "the packet sealed", |h| matches!(h.state().screen(), Screen::Done(_)));
}

#[test]
fn a_good_enrollment_is_handled_right_and_shows_on_the_trainer_dashboard_then_a_reset_wipes_it() {
    let _one = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(dir.path()));
    start(&mut h, "A good enrollment");
    to_face_step(&mut h);
    face_takes_itself(&mut h);
    for n in 1..=10 {
        capture_until_recorded(&mut h, n);
    }
    sign_and_save(&mut h);
    assert_eq!(end(&mut h), []);

    // The trainer's dashboard: the trainee's figures, a chart, the CSV.
    h.get_by_label("Back to the login screen").click();
    h.run();
    log_in(&mut h, "trainer", "864200");
    h.get_by_label("Trainer: scenarios, trainee figures, reset").click();
    h.run();
    let Screen::Trainer(t) = h.state().screen() else { panic!("the trainer's screen") };
    let trainee = t.figures().unwrap().iter().find(|f| f.username == "trainee").unwrap();
    assert_eq!((trainee.enrollments, trainee.seconds.len(), trainee.retakes), (1, 1, 0));
    assert!(h.query_by_label("1 / 1").is_some(), "one scenario run, handled right");
    assert!(h.query_by_label("Seconds per enrollment, in the order they were done").is_some(), "the chart");
    h.get_by_label("Save the figures as CSV").click();
    h.run();
    let csv_path = std::fs::read_dir(dir.path().join("reports")).unwrap().next().unwrap().unwrap().path();
    let csv = std::fs::read_to_string(&csv_path).unwrap();
    assert!(csv.starts_with("trainee,name,enrollments,median_seconds"), "{csv}");
    assert!(csv.lines().any(|l| l.starts_with("trainee,Trainee,1,") && l.ends_with(",1,1")), "{csv}");
    assert!(h.query_by_label_contains("Saved to").is_some());

    // Reset, after the confirmation: the pilot data is gone, the log says who.
    h.get_by_label("Wipe the pilot data and start afresh").click();
    h.run();
    assert!(h.query_by_label_contains("Production data is never touched").is_some(), "the warning first");
    h.get_by_label("Yes, wipe the pilot data").click();
    h.run();
    assert!(h.query_by_label("Pilot data wiped: this is a fresh pilot kit.").is_some());
    let kit = h.state().core().kit();
    assert!(kit.store.packet_rows(None).unwrap().is_empty() && kit.store.scenario_runs().unwrap().is_empty());
    let last = kit.store.audit_entries(Some(1)).unwrap().pop().unwrap();
    assert_eq!((last.action.as_str(), last.actor.as_deref()), ("pilot_reset", Some("trainer")));
    assert!(!dir.path().join("reports").exists());
}

#[test]
fn a_dry_finger_is_captured_again_until_it_passes() {
    let _one = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(dir.path()));
    start(&mut h, "A dry finger that needs retries");
    to_face_step(&mut h);
    face_takes_itself(&mut h);
    until(&mut h, "the reader", |h| h.query_by_label("Capture").is_some());
    for attempt in 1..=2 {
        h.get_by_label("Capture").click();
        h.run_ok();
        until(&mut h, "a dry print", |h| h.query_by_label_contains(&format!("attempt {attempt}")).is_some());
        assert_eq!(fingers_recorded(&h), 0, "a dry print is not recorded");
    }
    for n in 1..=10 {
        capture_until_recorded(&mut h, n);
    }
    sign_and_save(&mut h);
    assert_eq!(end(&mut h), []);
}

#[test]
fn an_amputated_finger_is_recorded_as_an_exception_with_the_hand_photo() {
    let _one = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(dir.path()));
    start(&mut h, "An amputated finger");
    to_face_step(&mut h);
    face_takes_itself(&mut h);
    for n in 1..=9 {
        capture_until_recorded(&mut h, n);
    }
    mark_amputated(&mut h);
    assert_eq!(fingers_recorded(&h), 10);
    h.get_by_label("Take the exception photo (the hand, showing the finger)").click();
    h.run();
    sign_and_save(&mut h);
    assert_eq!(end(&mut h), []);
}

#[test]
fn an_applicant_enrolled_this_morning_is_flagged_as_a_possible_duplicate() {
    let _one = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(dir.path()));
    start(&mut h, "An applicant who is already enrolled");
    to_face_step(&mut h);
    face_takes_itself(&mut h);
    for n in 1..=10 {
        capture_until_recorded(&mut h, n);
    }
    h.get_by_label("Next").click();
    h.run_ok();
    until(&mut h, "the duplicate search", |h| h.query_by_label_contains("Possible duplicate of").is_some());
    type_into(&mut h, "Your PIN, to sign off this enrollment", TRAINEE_PIN);
    h.get_by_label("Sign and save").click();
    // (A spinner turns while the packet is sealed: the frame never settles.)
    h.run_ok();
    until(&mut h, "the packet sealed", |h| matches!(h.state().screen(), Screen::Done(_)));
    assert_eq!(end(&mut h), []);
}

#[test]
fn a_reader_unplugged_mid_capture_is_plugged_back_in_and_nothing_is_lost() {
    let _one = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(dir.path()));
    start(&mut h, "The reader is unplugged mid-capture");
    to_face_step(&mut h);
    face_takes_itself(&mut h);
    for n in 1..=3 {
        capture_until_recorded(&mut h, n);
    }
    h.get_by_label("Capture").click();
    h.run_ok();
    until(&mut h, "the reader to drop off", |h| h.query_by_label("Plug the reader back in").is_some());
    assert_eq!(fingers_recorded(&h), 3, "the prints so far are kept");
    h.get_by_label("Plug the reader back in").click();
    h.run();
    for n in 4..=10 {
        capture_until_recorded(&mut h, n);
    }
    sign_and_save(&mut h);
    assert_eq!(end(&mut h), []);
}

#[test]
fn two_faces_are_never_taken_until_the_relative_steps_aside() {
    let _one = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(dir.path()));
    start(&mut h, "Two faces in the camera");
    to_face_step(&mut h);
    until(&mut h, "the face checks", |h| {
        h.query_by_label_contains("More than one face: only the applicant may be in the picture.").is_some()
    });
    let Screen::Enroll(s) = h.state().screen() else { panic!("enrolling") };
    assert!(s.draft().face.is_none(), "no photo with two faces");
    h.get_by_label("The relative steps aside").click();
    h.run();
    face_takes_itself(&mut h);
    for n in 1..=10 {
        capture_until_recorded(&mut h, n);
    }
    sign_and_save(&mut h);
    assert_eq!(end(&mut h), []);
}

#[test]
fn a_minor_without_a_guardian_is_refused_and_not_enrolled() {
    let _one = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(dir.path()));
    start(&mut h, "A minor without a guardian");
    log_in(&mut h, "trainee", TRAINEE_PIN);
    type_applicant(&mut h, "Chebet", "Mercy", "Female", "2012-05-14");
    assert!(h.query_by_label("A person under 18 needs a parent's or guardian's ID number or RID.").is_some());
    // The right move: stop, and ask her to come back with a parent.
    h.get_by_label("Home").click();
    h.run();
    h.get_by_label("Abandon").click();
    h.run();
    assert_eq!(end(&mut h), []);
}

#[test]
fn wrong_pins_lock_the_account_and_the_end_of_the_scenario_unlocks_it() {
    let _one = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(dir.path()));
    start(&mut h, "A wrong PIN lockout");
    log_in(&mut h, "trainee", "111111");
    for _ in 0..4 {
        type_into(&mut h, "PIN", "111111");
        h.get_by_label("Log in").click();
        h.run();
    }
    assert!(h.query_by_label_contains("Try again in").is_some(), "the lockout message");
    assert_eq!(end(&mut h), []);
    h.get_by_label("Back to the login screen").click();
    h.run();
    log_in(&mut h, "trainee", TRAINEE_PIN);
    assert!(matches!(h.state().screen(), Screen::Home(_)), "the trainee can work again after the scenario");
}

#[test]
fn a_scenario_ended_without_doing_it_names_what_was_missed_in_both_languages() {
    let _one = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(dir.path()));
    start(&mut h, "A good enrollment");
    let missed = end(&mut h);
    assert_eq!(missed, [Check::Saved, Check::TenFingersNoneForced, Check::FacePassed]);
    assert!(h.query_by_label_contains("What to do: Finish every step and sign off with your PIN.").is_some());
    h.get_by_label("Kiswahili").click();
    h.run();
    assert!(h.query_by_label("Bado halijashughulikiwa vizuri. Kilichokosekana:").is_some());
}
