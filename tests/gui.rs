//! The GUI driven by label through egui_kittest (no GPU, no display): login, lockout message,
//! language switch remembered per account, home, consent, refusal, resume after a restart.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a panic is a failure with its line

mod common;
#[path = "common/gui.rs"]
mod gui_steps;

use egui_kittest::kittest::Queryable;
use enroll_kit::kit::{DataDir, Kit};
use enroll_kit::ui::Screen;
use enroll_kit::workflow::pilot::open_or_provision;
use gui_steps::*;
use std::path::Path;

#[test]
fn login_shows_the_training_banner_home_and_device_status() {
    let _one = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(dir.path()));
    h.run();
    assert!(h.query_by_label_contains("TRAINING").is_some(), "the banner is on the login screen");
    assert!(h.query_by_label_contains("trainee (PIN 135790)").is_some(), "pilot accounts are shown");
    log_in(&mut h, "trainee", "135790");
    assert!(matches!(h.state().screen(), Screen::Home(_)));
    assert!(h.query_by_label("Welcome, Trainee").is_some());
    assert!(h.query_by_label("Enrollments today on this kit: 0").is_some());
    assert!(h.query_by_label_contains("TRAINING").is_some(), "the banner stays after login");
    // Devices connect on their worker threads while frames keep coming.
    until(&mut h, "the reader status", |h| h.query_by_label_contains("connected: replay").is_some());
}

#[test]
fn wrong_pins_show_what_is_left_then_the_lockout_time() {
    let _one = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(dir.path()));
    h.run();
    log_in(&mut h, "trainee", "999999");
    assert!(h.query_by_label_contains("Wrong PIN. 4 more wrong PINs").is_some());
    for _ in 0..4 {
        type_into(&mut h, "PIN", "999999");
        h.get_by_label("Log in").click();
        h.run();
    }
    assert!(
        h.query_by_label_contains("Try again in 5 min 0 s").is_some()
            || h.query_by_label_contains("Try again in 4 min").is_some()
    );
    log_in(&mut h, "nobody", "123987");
    assert!(h.query_by_label_contains("no account with this login name").is_some());
}

#[test]
fn the_language_switch_applies_at_once_and_is_remembered_per_account() {
    let _one = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(dir.path()));
    h.run();
    h.get_by_label("Kiswahili").click();
    h.run();
    assert!(h.query_by_label("Jina la kuingia").is_some(), "the login form in Kiswahili");
    h.get_by_label("English").click();
    h.run();
    log_in(&mut h, "trainee", "135790");
    h.get_by_label("Kiswahili").click();
    h.run();
    assert!(h.query_by_label("Karibu, Trainee").is_some());
    assert!(h.query_by_label("Anza usajili mpya").is_some());
    h.get_by_label("Ondoka").click();
    h.run();
    // A new session for the same account comes back in Kiswahili.
    drop(h);
    let mut h = harness(app(dir.path()));
    h.run();
    log_in(&mut h, "trainee", "135790");
    assert!(h.query_by_label("Karibu, Trainee").is_some(), "the choice was remembered");
}

#[test]
fn consent_agree_moves_on_and_refusal_goes_home_logged() {
    let _one = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(dir.path()));
    h.run();
    log_in(&mut h, "trainee", "135790");
    h.get_by_label("Start a new enrollment").click();
    h.run();
    assert!(h.query_by_label_contains("Read this to the applicant").is_some());
    assert!(h.query_by_label_contains("Serikali ya Kenya").is_some(), "the consent text in the other language too");
    h.get_by_label("The applicant refuses").click();
    h.run();
    assert!(matches!(h.state().screen(), Screen::Home(_)));
    assert!(h.query_by_label_contains("The applicant refused").is_some());

    h.get_by_label("Start a new enrollment").click();
    h.run();
    h.get_by_label("The applicant agrees").click();
    h.run();
    match h.state().screen() {
        Screen::Enroll(s) => assert_eq!(s.step(), enroll_kit::domain::enrollment::Step::Demographics),
        _ => panic!("still enrolling"),
    }
    let actions: Vec<String> =
        h.state().core().kit().store.audit_entries(None).unwrap().into_iter().map(|e| e.action).collect();
    assert!(actions.contains(&"consent_refused".to_string()));
}

#[test]
fn a_draft_is_offered_after_a_restart_and_can_be_resumed_or_abandoned() {
    let _one = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    {
        let mut h = harness(app(dir.path()));
        to_demographics(&mut h);
        // The program stops here: no logout, no save button.
    }
    let mut h = harness(app(dir.path()));
    h.run();
    log_in(&mut h, "trainee", "135790");
    assert!(h.query_by_label_contains("Unfinished enrollments").is_some());
    assert!(h.query_by_label_contains("stopped at Personal details").is_some());
    h.get_by_label("Resume").click();
    h.run();
    match h.state().screen() {
        Screen::Enroll(s) => assert_eq!(s.step(), enroll_kit::domain::enrollment::Step::Demographics),
        _ => panic!("resumed into the wizard"),
    }
    h.get_by_label("Home").click();
    h.run();
    h.get_by_label("Abandon").click();
    h.run();
    assert!(h.query_by_label_contains("Unfinished enrollments").is_none());
    let kit: &Kit = h.state().core().kit();
    let actions: Vec<String> = kit.store.audit_entries(None).unwrap().into_iter().map(|e| e.action).collect();
    assert!(
        actions.contains(&"enrollment_resumed".to_string()) && actions.contains(&"enrollment_abandoned".to_string())
    );
}

#[test]
fn demographics_show_errors_beside_fields_in_the_chosen_language_and_ask_a_minor_for_a_guardian() {
    let _one = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(dir.path()));
    to_demographics(&mut h);
    // Keyboard first: Enter is Next.
    h.key_press(egui::Key::Enter);
    h.run();
    assert!(h.query_by_label("Some personal details need correcting.").is_some());
    assert!(h.query_all_by_label("This field is required.").count() >= 5, "each empty required field says so");

    // Switching language mid-enrollment translates the messages at once.
    h.get_by_label("Kiswahili").click();
    h.run();
    assert!(h.query_all_by_label("Sehemu hii inahitajika.").count() >= 5);
    h.get_by_label("English").click();
    h.run();

    // A field's error goes as soon as the field is fixed, not at the next Next.
    let required =
        |h: &egui_kittest::Harness<'_, enroll_kit::ui::KitApp>| h.query_all_by_label("This field is required.").count();
    let before = required(&h);
    type_into(&mut h, "Surname", "Wanjiku");
    type_into(&mut h, "First name", "Amani");
    assert_eq!(required(&h), before - 2, "the two names typed no longer say they are required");
    h.get_by_label("Female").click();
    h.run();
    type_into(&mut h, "Date of birth (YYYY-MM-DD)", "2014-02-03");
    h.get_by_label("Kenyan by birth").click();
    h.run();
    pick(&mut h, "County", "nairo", "Nairobi (047)");
    pick(&mut h, "Sub-county", "westl", "Westlands");
    pick(&mut h, "Ward", "kitis", "Kitisuru");
    assert!(h.query_by_label_contains("Under 18").is_some(), "guardian fields appear for a minor");
    h.get_by_label("Next").click();
    h.run();
    assert!(h.query_by_label("A person under 18 needs a parent's or guardian's ID number or RID.").is_some());
    type_into(&mut h, "Parent's or guardian's ID number or RID", "23456789");
    h.get_by_label("Next").click();
    h.run();
    match h.state().screen() {
        Screen::Enroll(s) => assert_eq!(s.step(), enroll_kit::domain::enrollment::Step::Face),
        _ => panic!("still enrolling"),
    }
    // What was typed is in the draft on disk.
    let kit = enroll_kit::workflow::pilot::open_or_provision(DataDir::new(dir.path())).unwrap();
    let drafts = kit.store.drafts_of(h.state().core().kit().store.account("trainee").unwrap().unwrap().id).unwrap();
    assert_eq!(drafts[0].name, "Amani Wanjiku");
}

/// A person with one name is enrolled under it: the form asks for that one name only, and the
/// draft (and so the packet) says the empty first name is what the person has.
#[test]
fn a_person_with_one_name_can_be_enrolled() {
    let _one = one_at_a_time();
    use enroll_kit::domain::enrollment::Step;
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(dir.path()));
    to_demographics(&mut h);
    h.get_by_label("The applicant has one name only").click();
    h.run();
    assert!(h.query_by_label("First name").is_none(), "no first name is asked for");
    type_into(&mut h, "Name (the one name the applicant has)", "Wanjiru");
    h.get_by_label("Female").click();
    h.run();
    // A field left wrong says so at once; the fields not reached yet say nothing before Next.
    let phone_error = "Enter a Kenyan number (07…, 01…) or an international number starting with +.";
    type_into(&mut h, "Phone number", "07-12");
    assert!(h.query_by_label(phone_error).is_none(), "not while typing");
    type_into(&mut h, "Date of birth (YYYY-MM-DD)", "1979-05-01");
    assert!(h.query_by_label(phone_error).is_some(), "the phone number left wrong says so");
    assert!(h.query_by_label("This field is required.").is_none(), "no field left empty was reached yet");
    replace_text(&mut h, "Phone number", "0712345678");
    assert!(h.query_by_label(phone_error).is_none(), "fixed, the message goes");
    h.get_by_label("Kenyan by birth").click();
    h.run();
    pick(&mut h, "County", "047", "Nairobi (047)");
    pick(&mut h, "Sub-county", "westl", "Westlands");
    // Enter takes the first match, and only that: the wizard stays on the form.
    type_into(&mut h, "Ward", "kitis");
    h.key_press(egui::Key::Enter);
    h.run();
    assert_eq!(step_of(&h), Step::Demographics, "the Enter chose the ward, it did not press Next");
    h.get_by_label("Next").click();
    h.run();
    assert_eq!(step_of(&h), Step::Face, "{:?}", errors_shown(&h));
    let Screen::Enroll(s) = h.state().screen() else { panic!("not enrolling") };
    let form = &s.draft().form;
    assert!(form.single_name);
    assert_eq!((form.surname.as_str(), form.ward.as_str()), ("Wanjiru", "KEW-1366"));
    let kit = h.state().core().kit();
    let drafts = kit.store.drafts_of(kit.store.account("trainee").unwrap().unwrap().id).unwrap();
    assert_eq!(drafts[0].name, "Wanjiru");
}

/// At a netbook's 1024×600 a step opens at its top, not at the scroll offset the step before
/// was left at: scrolled down to the form's last field, the face step that follows shows its
/// instructions. And each step's main action and Next are in view wherever the step is scrolled:
/// they live in the step bar below it.
#[test]
fn at_1024_by_600_each_step_opens_at_its_top_with_its_main_action_in_view() {
    let _one = one_at_a_time();
    use enroll_kit::domain::enrollment::Step;
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness_sized(app(dir.path()), egui::vec2(1024.0, 600.0));
    to_demographics(&mut h);
    // The form is longer than the window: scroll to each thing before clicking it, as a person would.
    let click_in_view = |h: &mut egui_kittest::Harness<'_, enroll_kit::ui::KitApp>, label: &str| {
        h.get_by_label(label).scroll_to_me();
        h.run();
        h.get_by_label(label).click();
        h.run();
    };
    type_into(&mut h, "Surname", "Otieno");
    type_into(&mut h, "First name", "Baraka");
    click_in_view(&mut h, "Male");
    type_into(&mut h, "Date of birth (YYYY-MM-DD)", "1988-07-21");
    click_in_view(&mut h, "Kenyan by birth");
    for (field, typed, option) in
        [("County", "nairo", "Nairobi (047)"), ("Sub-county", "westl", "Westlands"), ("Ward", "kitis", "Kitisuru")]
    {
        h.get_by_label(field).scroll_to_me();
        h.run();
        type_into(&mut h, field, typed);
        click_in_view(&mut h, option);
    }
    let in_view = |h: &egui_kittest::Harness<'_, enroll_kit::ui::KitApp>, label: &str| {
        let r = h.get_by_label(label).rect();
        assert!(r.min.y >= 0.0 && r.max.y <= 600.0 && r.max.x <= 1024.0, "{label} is in view: {r:?}");
    };
    assert!(h.get_by_label("Consent").rect().max.y < 0.0, "the form is scrolled down past its top");
    in_view(&h, "Next");
    h.get_by_label("Next").click();
    h.run();
    assert_eq!(step_of(&h), Step::Face, "{:?}", errors_shown(&h));
    // The row of steps is the first thing on every step: in view means the step opened at its top.
    let steps = h.get_by_label("Consent").rect();
    assert!(steps.min.y >= 0.0, "the face step opened at its top: {steps:?}");
    let shown = h.get_by_label_contains("Ask the applicant to look straight at the camera").rect();
    assert!(shown.min.y >= 0.0 && shown.max.y <= 600.0, "the face step's instructions are in view: {shown:?}");
    in_view(&h, "Take the photo");
    in_view(&h, "Next");
    // The photo takes itself; what the checks said is beside it, and Next is where it was.
    until(&mut h, "the photo to take itself", |h| h.query_by_label_contains("The photo took itself").is_some());
    in_view(&h, "Retake");
    let said = h.get_by_label_contains("The photo took itself").rect();
    assert!(said.max.y <= 600.0, "the face step says so in view: {said:?}");
    in_view(&h, "Next");
    h.get_by_label("Next").click();
    h.run();
    assert_eq!(step_of(&h), Step::Fingerprints);
    until(&mut h, "the reader", |h| h.state().reader_ready());
    in_view(&h, "Capture");
    in_view(&h, "Next");
    in_view(&h, "Place the Right thumb flat on the reader, then press Capture.");
}

/// Logs in as the trainee and fills consent and an adult's demographics.
#[test]
fn the_face_step_previews_captures_and_gates_next() {
    let _one = one_at_a_time();
    use enroll_kit::domain::enrollment::Step;
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(dir.path()));
    to_face_step(&mut h);
    assert_eq!(step_of(&h), Step::Face);
    h.get_by_label("Next").click();
    h.run();
    assert!(h.query_by_label("Take the face photo.").is_some(), "no Next without a photo");
    // The replay camera delivers the pilot face (plain wall behind her) on its own thread; the
    // checks pass frame after frame and the photo takes itself.
    until(&mut h, "the photo to take itself", |h| h.query_by_label_contains("The photo took itself").is_some());
    {
        let Screen::Enroll(s) = h.state().screen() else { panic!("not enrolling") };
        let face = s.draft().face.as_ref().expect("a face photo");
        assert_eq!(face.quality, 100);
        assert_eq!(face.checks.len(), 9);
        assert!(face.checks.iter().all(|c| c.passed), "{:?}", face.checks);
    }
    h.get_by_label("Retake").click();
    h.run();
    assert!(h.query_by_label("Photo taken. Check it, then go on or retake.").is_some(), "a retake by hand");
    h.get_by_label("Next").click();
    h.run();
    assert_eq!(step_of(&h), Step::Fingerprints);
}

#[test]
fn ten_prints_through_the_reader_worker_then_review() {
    let _one = one_at_a_time();
    use enroll_kit::domain::enrollment::Step;
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(dir.path()));
    to_face_step(&mut h);
    take_face(&mut h);
    assert_eq!(step_of(&h), Step::Fingerprints);
    until(&mut h, "the reader", |h| h.query_by_label("Capture").is_some());
    for n in 1..=10 {
        // Capture is a click, or a key: Space, and Enter while fingers are missing.
        match n % 3 {
            0 => h.key_press(egui::Key::Space),
            1 => h.get_by_label("Capture").click(),
            _ => h.key_press(egui::Key::Enter),
        }
        h.run_ok();
        until(&mut h, "a print", |h| fingers_recorded(h) == n);
        if n == 1 {
            assert!(
                h.query_by_label_contains("Right thumb: quality").is_some(),
                "the result says which finger it was for once the selection moved on"
            );
        }
        assert_eq!(step_of(&h), Step::Fingerprints, "a key that captures does not also press Next");
    }
    assert!(h.query_by_label("All ten fingers are done. Check them, then press Next.").is_some());
    assert!(h.query_all_by_label_contains("quality").count() >= 10, "each finger shows its quality");
    h.get_by_label("Next").click();
    h.run();
    assert_eq!(step_of(&h), Step::Review);
    assert!(
        h.query_by_label("Otieno").is_some() && h.query_by_label("Baraka").is_some(),
        "the summary shows the person"
    );

    // Jump back to personal details from the review, then return with Enter through each step.
    h.get_all_by_label("Change").next().unwrap().click();
    h.run();
    assert_eq!(step_of(&h), Step::Demographics);
    for expected in [Step::Face, Step::Fingerprints, Step::Review] {
        h.key_press(egui::Key::Enter);
        h.run();
        assert_eq!(step_of(&h), expected);
    }
    // The review reads as the supervisor will see it: in words, not the form's codes.
    assert!(h.query_by_label("female").is_none() && h.query_by_label("male").is_none(), "the sex in words");

    // A wrong PIN seals nothing and says what is left — and says it still once the duplicate
    // search, which may end after the click, has shown its result (its result once wiped it).
    type_into(&mut h, "Your PIN, to sign off this enrollment", "000111");
    h.get_by_label("Sign and save").click();
    // (A spinner turns while the packet is sealed: the frame never settles.)
    h.run_ok();
    // The PIN is checked on the sealing worker; the review step says what it found, in the
    // kit's own sentence in the language on screen, not the error's English Display.
    until(&mut h, "the sign-off's answer", |h| h.query_by_label_contains("Wrong PIN. 4 more wrong PINs").is_some());
    until(&mut h, "the duplicate search's result", |h| h.query_by_label_contains("Not enrolled on this kit").is_some());
    assert!(h.query_by_label_contains("wrong PIN").is_some(), "the sign-off error outlives the search result");
    assert_eq!(step_of(&h), Step::Review);
    type_into(&mut h, "Your PIN, to sign off this enrollment", "135790");
    h.get_by_label("Sign and save").click();
    // (A spinner turns while the packet is sealed: the frame never settles.)
    h.run_ok();
    until(&mut h, "the packet sealed", |h| matches!(h.state().screen(), Screen::Done(_)));
    let rid = match h.state().screen() {
        Screen::Done(d) => d.rid.clone(),
        _ => panic!("the done screen after sign-off"),
    };
    assert_eq!(rid.len(), 29);
    assert!(h.query_by_label(&enroll_kit::ui::screens::done::grouped(&rid)).is_some(), "the RID in large digits");
    let slip = dir.path().join("slips").join(format!("{rid}.pdf"));
    let pdf = std::fs::read(&slip).expect("the slip was written");
    assert!(pdf.starts_with(b"%PDF") && String::from_utf8_lossy(&pdf).contains("TRAINING RECORD"));
    let row = h.state().core().kit().store.packet_row(&rid).unwrap().unwrap();
    assert!(row.training, "a pilot packet is a training record");
    // The next person is waiting: "Next applicant" opens their consent at once.
    h.get_by_label("Next applicant").click();
    h.run();
    assert_eq!(step_of(&h), enroll_kit::domain::enrollment::Step::Consent);
    h.get_by_label("The applicant refuses").click();
    h.run();
    assert!(h.query_by_label("Enrollments today on this kit: 1").is_some());
}

#[test]
fn poor_prints_open_force_capture_after_three_attempts_and_exceptions_need_a_photo() {
    let _one = one_at_a_time();
    use enroll_kit::domain::enrollment::Step;
    let dir = tempfile::tempdir().unwrap();
    // A blank glass: no ridges at all (made here; quality 0).
    let prints = dir.path().join("blank");
    std::fs::create_dir_all(&prints).unwrap();
    image::GrayImage::from_pixel(256, 288, image::Luma([210])).save(prints.join("blank.png")).unwrap();
    let mut h = harness(app_with_prints(&dir.path().join("kit"), Some(&prints)));
    to_face_step(&mut h);
    take_face(&mut h);
    until(&mut h, "the reader", |h| h.query_by_label("Capture").is_some());
    for attempt in 1..=3 {
        h.get_by_label("Capture").click();
        h.run_ok();
        until(&mut h, "a result", |h| h.query_by_label_contains(&format!("attempt {attempt}")).is_some());
    }
    assert!(h.query_by_label_contains("too faint or partial").is_some());
    assert!(
        h.query_by_label("No finger on the glass: place the finger flat on the reader.").is_some(),
        "the reason is shown with what to do"
    );
    assert!(h.query_by_label_contains("Best attempt so far: quality 0").is_some());
    assert_eq!(fingers_recorded(&h), 0, "nothing recorded below the threshold");
    type_into(&mut h, "Why accept a poor print (for the supervisor)", "worn ridges from farm work");
    h.get_by_label("Accept this print anyway").click();
    h.run();
    assert_eq!(fingers_recorded(&h), 1);
    assert!(h.query_by_label_contains("quality 0, accepted").is_some());

    // Right index: amputated. The step then needs the exception photo.
    mark_amputated(&mut h);
    assert_eq!(fingers_recorded(&h), 2);
    assert!(h.query_by_label("Amputated").is_none(), "the next finger's exception panel starts closed");
    h.get_by_label("Next").click();
    h.run();
    assert!(h.query_by_label("Every finger needs a print or an exception.").is_some());
    h.get_by_label("Take the exception photo (the hand, showing the finger)").click();
    h.run();
    assert!(h.query_by_label("Exception photo taken.").is_some());
    assert_eq!(step_of(&h), Step::Fingerprints);

    // The other eight as exceptions too: review then shows why each finger is as it is, and the
    // exception photo, as the supervisor will see them.
    for _ in 0..8 {
        mark_amputated(&mut h);
    }
    assert_eq!(fingers_recorded(&h), 10);
    h.get_by_label("Next").click();
    h.run();
    assert_eq!(step_of(&h), Step::Review, "{:?}", errors_shown(&h));
    assert!(
        h.query_by_label("quality 0, accepted: worn ridges from farm work").is_some(),
        "the forced print's reason is shown again"
    );
    assert_eq!(h.query_all_by_label("exception: Amputated").count(), 9, "each exception with its reason");
    assert!(h.query_by_label("Exception photo").is_some(), "and the exception photo");
}

#[test]
fn a_supervisor_reviews_approves_rejects_approves_the_clean_rest_and_closes_the_day() {
    let _one = one_at_a_time();
    use enroll_kit::domain::status::PacketStatus;
    use enroll_kit::workflow::review;
    let dir = tempfile::tempdir().unwrap();
    let stick = tempfile::tempdir().unwrap();
    // Four simulated enrollments by simulated assistants, the first two to decide one by one.
    let (first, second, clean_rest) = {
        let mut kit = open_or_provision(DataDir::new(dir.path())).unwrap();
        let sup = enroll_kit::workflow::login(&mut kit, "supervisor", &enroll_kit::domain::account::Pin::new("246810"))
            .unwrap();
        let options = enroll_kit::workflow::simulate::SimulateOptions { count: 4, seed: 11, assistants: 2 };
        enroll_kit::workflow::simulate::simulate(&mut kit, &sup, options, |_, _| {}).unwrap();
        let queue = review::queue(&kit, &sup).unwrap();
        let clean_rest = queue[2..].iter().filter(|i| i.is_clean()).count();
        (queue[0].row.rid.clone(), queue[1].row.rid.clone(), clean_rest)
    };
    assert!(clean_rest > 0, "the seed leaves a clean packet for approve-all");

    let mut h = harness(app(dir.path()));
    h.run();
    log_in(&mut h, "supervisor", "246810");
    h.get_by_label("Review packets (4 waiting)").click();
    h.run();
    assert!(h.query_by_label("4 packets waiting. Open one by its RID to see everything in it.").is_some());

    // Open the first: its details, photo and prints are on screen; approve it.
    h.get_by_label(&first).click();
    h.run();
    assert!(h.query_by_label_contains(&format!("— {first}")).is_some(), "the opened packet's heading");
    assert!(h.query_by_label("Right thumb").is_some(), "the prints are listed by finger");
    // Details in words and in the register's order, not the packet's keys and codes.
    assert!(h.query_by_label("Citizenship").is_some() && h.query_by_label("Ward").is_some(), "labelled in words");
    for raw in ["citizenship.kind", "residence.", "kenyan_by_birth", "KEW-"] {
        assert!(h.query_by_label_contains(raw).is_none(), "no raw key or code {raw:?} on screen");
    }
    h.get_by_label("Approve").click();
    h.run();
    assert!(h.query_by_label(&format!("Approved {first}.")).is_some());

    // Reject the second with a reason and a note.
    h.get_by_label(&second).click();
    h.run();
    h.get_by_label("Reject").click();
    h.run();
    assert!(h.query_by_label(&format!("Rejected {second}.")).is_none(), "no reason chosen, no rejection");
    choose(&mut h, "Reason for rejecting", "Poor fingerprints");
    type_into(&mut h, "Note (what exactly is wrong; needed for \"Other\")", "left index smudged");
    h.get_by_label("Reject").click();
    h.run();
    assert!(h.query_by_label(&format!("Rejected {second}.")).is_some());

    // Approve the clean rest, after one confirmation.
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    h.get_by_label(&format!("Approve all clean packets ({clean_rest})")).click();
    h.run();
    assert!(h.query_by_label_contains("without opening them").is_some(), "asks first");
    h.get_by_label(&format!("Yes, approve {clean_rest}")).click();
    h.run();
    assert!(h.query_by_label(&format!("Approved {clean_rest} clean packet{}.", plural(clean_rest))).is_some());
    {
        let kit = h.state().core().kit();
        assert_eq!(kit.store.packet_row(&first).unwrap().unwrap().status, PacketStatus::Approved);
        let rejected = kit.store.packet_row(&second).unwrap().unwrap();
        assert_eq!(rejected.status, PacketStatus::Rejected);
        assert_eq!(rejected.status_note.as_deref(), Some("poor_prints: left index smudged"));
    }

    // Close the day into the stick folder; the export runs on its worker while frames go on.
    h.get_by_label("Back to home").click();
    h.run();
    h.get_by_label("Close the day (export)").click();
    h.run();
    let approved = 1 + clean_rest;
    assert!(h.query_by_label(&format!("{approved} approved packets are ready to export.")).is_some());
    replace_text(&mut h, "Folder", &stick.path().display().to_string());
    h.get_by_label(&format!("Export {approved} packets")).click();
    h.run_ok();
    until(&mut h, "the export to finish", |h| !h.state().export_running());
    h.run();
    assert!(h.query_by_label_contains(&format!("Exported {approved} packets to")).is_some());
    let files: Vec<String> = std::fs::read_dir(stick.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".age"))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let exported = h.state().core().kit().store.packet_rows(Some(PacketStatus::Exported)).unwrap();
    assert_eq!(exported.len(), approved);
    let identities = enroll_kit::batch::verify::read_identities(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/pilot-keys/pilot-hq.age"),
    )
    .unwrap();
    let verified = enroll_kit::batch::verify::verify_batch(&stick.path().join(&files[0]), &identities, None).unwrap();
    assert!(verified.manifest.training);
    assert_eq!(verified.manifest.packets.len(), approved);
    assert!(h.query_by_label("Past batches").is_some(), "the batch is listed for a second copy");

    // The daily report counts the day's decisions.
    h.get_by_label("Back to home").click();
    h.run();
    h.get_by_label("Daily report").click();
    h.run();
    assert!(h.query_by_label("4 enrollments that day").is_some());
    assert!(h.query_by_label("Poor fingerprints").is_some(), "rejections by reason");
}

#[test]
fn the_face_checks_say_what_to_do_and_a_failing_face_is_not_taken() {
    let _one = one_at_a_time();
    use enroll_kit::domain::enrollment::Step;
    let dir = tempfile::tempdir().unwrap();
    // The camera sees a cat (fixtures/faces/chelsea.png): no face.
    let photos = dir.path().join("photos");
    std::fs::create_dir_all(&photos).unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/faces");
    std::fs::copy(fixtures.join("chelsea.png"), photos.join("chelsea.png")).unwrap();
    let mut h = harness(app_with_devices(&dir.path().join("kit"), None, Some(&photos)));
    to_face_step(&mut h);
    until(&mut h, "the checks' verdict", |h| h.query_by_label_contains("No face found").is_some());
    // Enough frames judged that a passing face would have taken itself by now.
    let judged = |h: &egui_kittest::Harness<'_, enroll_kit::ui::KitApp>| match h.state().screen() {
        Screen::Enroll(s) => s.face_frames_checked(),
        _ => 0,
    };
    let after = judged(&h) + u64::from(enroll_kit::workflow::face::AUTO_CAPTURE_FRAMES) + 1;
    until(&mut h, "more frames judged", |h| judged(h) >= after);
    assert!(h.query_by_label_contains("The photo took itself").is_none(), "a failing face never takes itself");
    let Screen::Enroll(s) = h.state().screen() else { panic!("not enrolling") };
    assert!(s.draft().face.is_none());
    // In Kiswahili the instruction changes with the language.
    h.get_by_label("Kiswahili").click();
    h.run_ok();
    assert!(h.query_by_label_contains("Hakuna uso ulioonekana").is_some());
    assert_eq!(step_of(&h), Step::Face);
}

#[test]
fn a_person_enrolling_again_is_warned_about_in_the_flow_and_flagged_for_the_supervisor() {
    let _one = one_at_a_time();
    use enroll_kit::domain::account::Pin;
    use enroll_kit::workflow::enrollment::{Command, EnrollmentSession, Outcome};
    let dir = tempfile::tempdir().unwrap();
    let kit_dir = dir.path().join("kit");
    // Earlier today the trainee enrolled person 7 (impression 0 of each of their fingers).
    let first = {
        let mut kit = open_or_provision(DataDir::new(&kit_dir)).unwrap();
        let op = enroll_kit::workflow::login(&mut kit, "trainee", &Pin::new("135790")).unwrap();
        let mut s = EnrollmentSession::start(&mut kit, &op, false).unwrap();
        common::fill_with(&mut s, &mut kit, 7, 0);
        match s.apply(&mut kit, Command::Complete(Pin::new("135790"))).unwrap() {
            Outcome::Saved(rid) => rid.to_string(),
            other => panic!("{other:?}"),
        }
    };
    // Now the same fingers are on the reader again, pressed differently (impression 1).
    let prints = dir.path().join("prints");
    std::fs::create_dir_all(&prints).unwrap();
    for p in enroll_kit::domain::biometrics::FingerPosition::ALL {
        let img = enroll_kit::biometrics::synthetic::typical_print(7 * 10 + u64::from(p.code()), 1, 256, 288);
        image::GrayImage::from_raw(256, 288, img.pixels().to_vec())
            .unwrap()
            .save(prints.join(format!("{:02}.png", p.code())))
            .unwrap();
    }
    let mut h = harness(app_with_prints(&kit_dir, Some(&prints)));
    to_face_step(&mut h);
    take_face(&mut h);
    until(&mut h, "the reader", |h| h.query_by_label("Capture").is_some());
    for n in 1..=10 {
        h.get_by_label("Capture").click();
        h.run_ok();
        until(&mut h, "a print", |h| fingers_recorded(h) == n);
    }
    h.get_by_label("Next").click();
    h.run_ok();
    until(&mut h, "the duplicate search", |h| h.query_by_label_contains("Possible duplicate of").is_some());
    assert!(h.query_by_label_contains(&format!("Possible duplicate of {first}")).is_some());
    type_into(&mut h, "Your PIN, to sign off this enrollment", "135790");
    h.get_by_label("Sign and save").click();
    // (A spinner turns while the packet is sealed: the frame never settles.)
    h.run_ok();
    until(&mut h, "the packet sealed", |h| matches!(h.state().screen(), Screen::Done(_)));
    let second = match h.state().screen() {
        Screen::Done(d) => d.rid.clone(),
        _ => panic!("the done screen after sign-off"),
    };
    // The packet carries the flag, and the supervisor's queue shows it.
    let kit = h.state().core().kit();
    let stored = kit.store.packet(&second).unwrap().unwrap();
    let json = enroll_kit::packet::open_packet(&stored.data, Some(&kit.public_key())).unwrap().json;
    assert_eq!(json.possible_duplicates.iter().map(|d| d.rid.as_str()).collect::<Vec<_>>(), [first.as_str()]);
    h.get_by_label("Log out").click();
    h.run();
    log_in(&mut h, "supervisor", "246810");
    h.get_by_label("Review packets (2 waiting)").click();
    h.run();
    assert!(h.query_by_label(&format!("possible duplicate of {first}")).is_some(), "the flag in the queue");
}

#[test]
fn the_supervisor_sees_a_batch_uploaded_and_acknowledged_on_the_close_day_screen() {
    let _one = one_at_a_time();
    use enroll_kit::workflow::review;
    let dir = tempfile::tempdir().unwrap();
    let stick = tempfile::tempdir().unwrap();
    let keys = common::fixtures().join("keys");
    let pilot = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/pilot-keys");
    let intake = {
        let mut kit = open_or_provision(DataDir::new(dir.path().join("kit"))).unwrap();
        let sup = enroll_kit::workflow::login(&mut kit, "supervisor", &enroll_kit::domain::account::Pin::new("246810"))
            .unwrap();
        let options = enroll_kit::workflow::simulate::SimulateOptions { count: 2, seed: 3, assistants: 1 };
        enroll_kit::workflow::simulate::simulate(&mut kit, &sup, options, |_, _| {}).unwrap();
        review::approve_all(&mut kit, &sup, false).unwrap();
        let dest = enroll_kit::batch::export::Destination::folder(stick.path());
        let no = std::sync::atomic::AtomicBool::new(false);
        enroll_kit::workflow::export::close_day(&mut kit, &sup, &dest, true, &no, &mut |_, _| {}).unwrap();
        // A training intake on 127.0.0.1 (the pilot kit's batches are training batches) that
        // registered this kit.
        let database = enroll_kit::intake::Database::Sqlite(dir.path().join("intake.db"));
        common::register(&enroll_kit::intake::IntakeDb::open(&database).unwrap(), &kit);
        let intake = enroll_kit::intake::start(enroll_kit::intake::IntakeConfig {
            listen: "127.0.0.1:0".parse().unwrap(),
            cert: keys.join("test-intake.crt"),
            key: keys.join("test-intake.key"),
            identities: enroll_kit::batch::verify::read_identities(&pilot.join("pilot-hq.age")).unwrap(),
            signing_key: enroll_kit::packet::KitKey::from_text(
                &std::fs::read_to_string(pilot.join("pilot-hq.ed25519")).unwrap(),
            )
            .unwrap(),
            database,
            training: true,
            limits: enroll_kit::intake::Limits::default(),
            finish_workers: 1,
        })
        .unwrap();
        let pin = enroll_kit::sync::tls::pem_certificate_sha256(&keys.join("test-intake.crt")).unwrap();
        let url = format!("https://{}", intake.addr);
        kit.set_upload(Some(enroll_kit::kit::config::UploadConfig { url, certificate_sha256: pin })).unwrap();
        intake
    };
    let mut h = harness(app(&dir.path().join("kit")));
    h.run();
    log_in(&mut h, "supervisor", "246810");
    h.get_by_label("Close the day (export)").click();
    h.run();
    assert!(h.query_by_label("Upload to the central office").is_some());
    until(&mut h, "the upload", |h| h.query_by_label("acknowledged by the central office").is_some());
    assert_eq!(intake.packet_count().unwrap(), 2);
    assert_eq!(
        h.state()
            .core()
            .kit()
            .store
            .packet_rows(Some(enroll_kit::domain::status::PacketStatus::Acknowledged))
            .unwrap()
            .len(),
        2
    );
}

/// A passphrase kit opens on its unlock screen: whose kit, who may unlock it, in both languages;
/// a wrong passphrase leaves it locked with the reason; the right one opens the login screen.
#[test]
fn a_locked_kit_says_why_and_opens_only_with_the_passphrase() {
    use enroll_kit::ui::unlock::KitWindow;
    if common::uses_tpm() {
        return; // a TPM kit never shows this screen
    }
    let _one = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    drop(common::kit_with_staff(dir.path()));
    let locked = enroll_kit::kit::LockedKit::open(DataDir::new(dir.path())).unwrap();
    let window = KitWindow::locked(
        enroll_kit::workflow::unlock::Locked::new(locked),
        Box::new(|opened| {
            let kit = opened.into_kit();
            let devices = enroll_kit::workflow::app::DeviceChoice {
                reader: "replay".into(),
                camera: "replay".into(),
                ..Default::default()
            };
            enroll_kit::workflow::app::KitCore::new(kit, devices)
                .map(enroll_kit::ui::KitApp::new)
                .map_err(|e| e.to_string())
        }),
    );
    let mut h = egui_kittest::Harness::builder()
        .with_size(egui::vec2(1100.0, 900.0))
        .with_max_steps(32)
        .build_ui_state(|ui, w: &mut KitWindow| w.ui(ui), window);
    h.run();
    assert!(h.query_by_label("This kit is locked").is_some());
    assert!(h.query_by_label_contains("A supervisor (supervisor) unlocks it").is_some());
    h.get_by_label("Kiswahili").click();
    h.run();
    assert!(h.query_by_label("Kifaa hiki kimefungwa").is_some());
    h.get_by_label("English").click();
    h.run();
    // The unlock runs on its own thread; its end wakes the window.
    observe_wakes(&h);
    h.get_by_label("Kit passphrase").focus();
    h.run();
    h.get_by_label("Kit passphrase").type_text("mango river seven lanterns");
    h.run();
    h.get_by_label("Unlock the kit").click();
    h.step();
    settle(&mut h, "the wrong-passphrase message", &|h| {
        h.query_by_label_contains("not this kit's passphrase").is_some()
    });
    assert!(h.state().is_locked());
    h.get_by_label("Kit passphrase").focus();
    h.run();
    h.get_by_label("Kit passphrase").type_text(common::KIT_PASSPHRASE);
    h.run();
    h.get_by_label("Unlock the kit").click();
    h.step();
    settle(&mut h, "the unlocked kit", &|h| !h.state().is_locked());
    h.run();
    assert!(h.query_by_label("Log in to this kit").is_some(), "assistants log in once the kit is unlocked");
}

/// A newcomer's enrollment at a netbook's 1024×600, counted: every click and key press, each
/// click only on something in view (a person cannot click what is scrolled away, and this run
/// never scrolls), fields reached by Tab as a typist does.
struct Newcomer<'h> {
    h: &'h mut egui_kittest::Harness<'static, enroll_kit::ui::KitApp>,
    clicks: Vec<String>,
    keys: usize,
}

impl Newcomer<'_> {
    fn in_view(&self, label: &str) -> egui::Rect {
        let r = self.h.get_by_label(label).rect();
        assert!(
            r.min.y >= 0.0 && r.max.y <= 600.0 && r.min.x >= 0.0 && r.max.x <= 1024.0,
            "{label} must be in view to be clicked without scrolling: {r:?} (clicks so far: {:?})",
            self.clicks
        );
        r
    }

    fn click(&mut self, label: &str) {
        self.in_view(label);
        self.h.get_by_label(label).click();
        self.h.run();
        self.clicks.push(label.to_string());
    }

    fn key(&mut self, key: egui::Key) {
        self.h.key_press(key);
        // A capture's spinner repaints on its own: step, do not wait for it to settle.
        let _ = self.h.run_ok();
        self.keys += 1;
    }

    /// Presses Tab until `label` has the keyboard's focus (at most ten times), checking that
    /// the form scrolled it into view.
    fn tab_to(&mut self, label: &str) {
        let mut passed = Vec::new();
        for _ in 0..12 {
            if self.h.get_by_label(label).is_focused() {
                self.in_view(label);
                return;
            }
            self.key(egui::Key::Tab);
            let focused = self.h.query_all_by_label_contains("").find(|n| n.is_focused());
            passed.push(focused.and_then(|n| egui_kittest::kittest::NodeT::accesskit_node(&n).label()));
        }
        panic!("Tab never reached {label}; it went through {passed:?}");
    }

    /// Types into the field that has the keyboard's focus.
    fn type_text(&mut self, text: &str) {
        self.h.event(egui::Event::Text(text.into()));
        self.h.run();
    }

    /// Whether `label` is wholly in the window.
    fn visible(&self, label: &str) -> bool {
        let r = self.h.get_by_label(label).rect();
        r.min.y >= 0.0 && r.max.y <= 600.0 && r.min.x >= 0.0 && r.max.x <= 1024.0
    }

    /// Types into `field`: the cursor is there already, or a click puts it there when the field
    /// is in view, or Tab moves it down to it.
    fn type_into(&mut self, field: &str, text: &str) {
        if !self.h.get_by_label(field).is_focused() {
            let typing = self.h.query_all_by_label_contains("").any(|n| n.is_focused());
            if typing || !self.visible(field) {
                self.tab_to(field);
            } else {
                self.click(field);
            }
        }
        assert!(self.h.get_by_label(field).is_focused(), "the cursor is in {field}");
        self.type_text(text);
    }
}

#[test]
fn a_newcomer_enrolls_a_person_at_1024_by_600_without_scrolling_in_at_most_15_clicks() {
    let _one = one_at_a_time();
    use enroll_kit::domain::enrollment::Step;
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness_sized(app(dir.path()), egui::vec2(1024.0, 600.0));
    h.run();
    let mut n = Newcomer { h: &mut h, clicks: Vec::new(), keys: 0 };
    // The cursor waits in the login name; Tab to the PIN, Enter logs in.
    n.type_into("Login name", "trainee");
    n.key(egui::Key::Tab);
    n.type_into("PIN", "135790");
    n.key(egui::Key::Enter);
    n.click("Start a new enrollment");
    n.click("The applicant agrees");
    // The form opens with the cursor in its first field; Tab goes from field to field.
    n.type_into("Surname", "Otieno");
    n.key(egui::Key::Tab);
    n.type_into("First name", "Baraka");
    // Tab past the other names and the one-name box to the sex; Space chooses (the form
    // follows the cursor down).
    n.tab_to("Male");
    n.key(egui::Key::Space);
    n.tab_to("Date of birth (YYYY-MM-DD)");
    n.type_text("1988-07-21");
    n.tab_to("Kenyan by birth");
    n.key(egui::Key::Space);
    // County, sub-county and ward by typing: Enter takes the first match.
    for (field, typed) in [("County", "nairo"), ("Sub-county", "westl"), ("Ward", "kitis")] {
        n.type_into(field, typed);
        n.key(egui::Key::Enter);
    }
    n.click("Next");
    assert_eq!(step_of(n.h), Step::Face, "{}", errors_shown(n.h));
    // The pilot face passes every check: the photo takes itself.
    until(n.h, "the photo to take itself", |h| h.query_by_label_contains("The photo took itself").is_some());
    n.click("Next");
    assert_eq!(step_of(n.h), Step::Fingerprints);
    until(n.h, "the reader", |h| h.state().reader_ready());
    let before = n.keys;
    for finger in 1..=10 {
        n.key(egui::Key::Space);
        until(n.h, "the print", |h| fingers_recorded(h) >= finger);
    }
    assert_eq!(n.keys - before, 10, "one key press a print");
    n.key(egui::Key::Enter);
    assert_eq!(step_of(n.h), Step::Review, "Enter is Next once all ten are in");
    n.type_into("Your PIN, to sign off this enrollment", "135790");
    n.key(egui::Key::Enter);
    until(n.h, "the enrollment saved", |h| matches!(h.state().screen(), Screen::Done(_)));
    let clicks = n.clicks.clone();
    eprintln!("newcomer run: {} clicks {:?}, {} key presses", clicks.len(), clicks, n.keys);
    assert!(clicks.len() <= 15, "{} clicks: {clicks:?}", clicks.len());
}

/// The labels the slap flow is driven by, in one language.
struct SlapLabels {
    left: &'static str,
    right: &'static str,
    thumbs: &'static str,
    place_left: &'static str,
    all_done: &'static str,
    next: &'static str,
    pin: &'static str,
    sign: &'static str,
}

const SLAP_EN: SlapLabels = SlapLabels {
    left: "Take the left four",
    right: "Take the right four",
    thumbs: "Take both thumbs",
    place_left: "Place the four fingers of the left hand flat on the scanner.",
    all_done: "All ten fingers are done. Check them, then press Next.",
    next: "Next",
    pin: "Your PIN, to sign off this enrollment",
    sign: "Sign and save",
};

const SLAP_SW: SlapLabels = SlapLabels {
    left: "Chukua vidole vinne vya kushoto",
    right: "Chukua vidole vinne vya kulia",
    thumbs: "Chukua vidole gumba vyote viwili",
    place_left: "Weka vidole vinne vya mkono wa kushoto sawasawa kwenye skana.",
    all_done: "Vidole vyote kumi vimekamilika. Viangalie, kisha bonyeza Endelea.",
    next: "Endelea",
    pin: "PIN yako, kuthibitisha usajili huu",
    sign: "Thibitisha na uhifadhi",
};

fn enroll_with_the_slap_scanner(kiswahili: bool) {
    use enroll_kit::domain::enrollment::Step;
    let dir = tempfile::tempdir().unwrap();
    let kit = enroll_kit::workflow::pilot::open_or_provision(enroll_kit::kit::DataDir::new(dir.path())).unwrap();
    let devices = enroll_kit::workflow::app::DeviceChoice {
        reader: "sbi-slap-sim".into(),
        camera: "replay".into(),
        ..Default::default()
    };
    let mut h = harness(enroll_kit::ui::KitApp::new(enroll_kit::workflow::app::KitCore::new(kit, devices).unwrap()));
    to_face_step(&mut h);
    take_face(&mut h);
    let l = if kiswahili {
        h.get_by_label("Kiswahili").click();
        h.run();
        &SLAP_SW
    } else {
        &SLAP_EN
    };
    // The scanner is found and verified (the pilot's simulator, trusted by its own CA alone).
    until(&mut h, "the slap scanner", |h| h.state().reader_ready() && h.query_by_label(l.left).is_some());
    assert!(h.query_by_label(l.place_left).is_some(), "the step says which hand goes down");
    for (button, done) in [(l.left, 4), (l.right, 8), (l.thumbs, 10)] {
        h.get_by_label(button).click();
        h.run_ok();
        until(&mut h, "a placement", |h| fingers_recorded(h) == done);
        assert_eq!(step_of(&h), Step::Fingerprints);
    }
    assert!(h.query_by_label(l.all_done).is_some());
    let packet_device = match h.state().screen() {
        Screen::Enroll(s) => s.draft().fingers.values().find_map(|r| match r {
            enroll_kit::domain::biometrics::FingerRecord::Captured(c) => Some(c.clone()),
            _ => None,
        }),
        _ => None,
    }
    .expect("a captured finger");
    assert_eq!(packet_device.device.profile, "sbi-slap-sim");
    assert!(packet_device.device.simulated && packet_device.device_signature.is_some(), "signed by the device");
    h.get_by_label(l.next).click();
    h.run();
    assert_eq!(step_of(&h), Step::Review);
    type_into(&mut h, l.pin, "135790");
    h.get_by_label(l.sign).click();
    h.run_ok();
    until(&mut h, "the packet sealed", |h| matches!(h.state().screen(), Screen::Done(_)));
    let rid = match h.state().screen() {
        Screen::Done(d) => d.rid.clone(),
        _ => unreachable!(),
    };
    let stored = h.state().core().kit().store.packet(&rid).unwrap().unwrap();
    let opened = enroll_kit::packet::open_packet(&stored.data, None).unwrap();
    assert_eq!(opened.json.version, 2, "the device's signatures are in the packet");
}

#[test]
fn a_person_is_enrolled_with_the_slap_scanner_in_english() {
    let _one = one_at_a_time();
    enroll_with_the_slap_scanner(false);
}

#[test]
fn a_person_is_enrolled_with_the_slap_scanner_in_kiswahili() {
    let _one = one_at_a_time();
    enroll_with_the_slap_scanner(true);
}
