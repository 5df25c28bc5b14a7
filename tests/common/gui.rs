//! Steps of GUI flows shared by tests/gui.rs and tests/scenarios.rs: a pilot app on replay
//! devices in a kittest harness, typing, choosing, waiting for the device workers.
#![allow(dead_code)]

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use enroll_kit::kit::DataDir;
use enroll_kit::ui::{KitApp, Screen};
use enroll_kit::workflow::app::{DeviceChoice, KitCore};
use enroll_kit::workflow::pilot::open_or_provision;
use std::path::Path;

/// GUI flows run one at a time: each runs device, face-check and search workers against timed
/// waits, and two at once on a 2-core machine starved each other into timeouts (seen in CI).
pub fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static GUI: std::sync::Mutex<()> = std::sync::Mutex::new(());
    GUI.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

pub fn app(dir: &Path) -> KitApp {
    app_with_prints(dir, None)
}

/// The app with the replay reader (no timing to wait for: the simulators are tested in
/// tests/devices.rs), serving `prints` or synthetic ones.
pub fn app_with_prints(dir: &Path, prints: Option<&Path>) -> KitApp {
    app_with_devices(dir, prints, None)
}

/// The app with replay devices: `prints` for the reader, `photos` for the camera.
pub fn app_with_devices(dir: &Path, prints: Option<&Path>, photos: Option<&Path>) -> KitApp {
    let kit = open_or_provision(DataDir::new(dir)).expect("pilot kit");
    let devices = DeviceChoice {
        reader: "replay".into(),
        camera: "replay".into(),
        images: prints.map(Path::to_path_buf),
        camera_images: photos.map(Path::to_path_buf),
        ..Default::default()
    };
    KitApp::new(KitCore::new(kit, devices).expect("device profiles"))
}

pub fn harness(app: KitApp) -> Harness<'static, KitApp> {
    // Tall enough that no step scrolls: these flows test what the steps do, not the layout.
    harness_sized(app, egui::vec2(1100.0, 2600.0))
}

/// The app in a window of `size` (a netbook's 1024×600, say).
pub fn harness_sized(app: KitApp, size: egui::Vec2) -> Harness<'static, KitApp> {
    // The app's device workers wake it from their own threads (a camera finishing opening, a
    // reader answering) and a 500 ms tick keeps statuses fresh, so on a busy machine a frame
    // can need a few more passes to settle than kittest's default of 4.
    let h =
        Harness::builder().with_size(size).with_max_steps(32).build_ui_state(|ui, app: &mut KitApp| app.ui(ui), app);
    observe_wakes(&h);
    h
}

/// Makes every repaint a worker thread asks of `h` an event `until` and `settle` wake on, as
/// eframe's loop does.
pub fn observe_wakes<S>(h: &Harness<'_, S>) {
    let ui_thread = std::thread::current().id();
    h.ctx.set_repaint_observer(move |_| {
        if std::thread::current().id() != ui_thread {
            wakes().signal();
        }
    });
}

/// Steps any harness (a locked kit's window, say) until `done` holds, sleeping between frames
/// until a worker thread asks for a repaint or the delay the frame asked for passes.
pub fn settle<S>(h: &mut Harness<'_, S>, what: &str, done: &dyn Fn(&Harness<'_, S>) -> bool) {
    let started = std::time::Instant::now();
    loop {
        if done(h) {
            return;
        }
        let seen = wakes().seen();
        // A spinner repaints every frame while a worker runs: step, do not wait to settle.
        h.step();
        if done(h) {
            return;
        }
        assert!(started.elapsed() < HANG, "{what} never came");
        let asked = h
            .output()
            .viewport_output
            .get(&egui::ViewportId::ROOT)
            .map_or(std::time::Duration::from_millis(100), |v| v.repaint_delay);
        wakes().wait(seen, asked.min(std::time::Duration::from_millis(500)));
    }
}

/// Repaints asked for by the app's worker threads: what a waiting test wakes on.
struct Wakes {
    count: std::sync::Mutex<u64>,
    changed: std::sync::Condvar,
}

impl Wakes {
    fn signal(&self) {
        let mut n = self.count.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        *n += 1;
        self.changed.notify_all();
    }

    fn seen(&self) -> u64 {
        *self.count.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Waits for a wake after `seen`, or for `delay` (the repaint the app itself asked for).
    fn wait(&self, seen: u64, delay: std::time::Duration) {
        let n = self.count.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let _ = self.changed.wait_timeout_while(n, delay, |n| *n == seen);
    }
}

fn wakes() -> &'static Wakes {
    static WAKES: std::sync::OnceLock<Wakes> = std::sync::OnceLock::new();
    WAKES.get_or_init(|| Wakes { count: std::sync::Mutex::new(0), changed: std::sync::Condvar::new() })
}

/// Not a timing assumption: only a hang (a worker that never reports, a screen that never asks to
/// be drawn again) runs this long, and then the failure says where the app stood.
const HANG: std::time::Duration = std::time::Duration::from_secs(600);

/// Focuses the field labelled `label` and types into it, as a person would.
pub fn type_into(h: &mut Harness<'_, KitApp>, label: &str, text: &str) {
    h.get_by_label(label).focus();
    h.run();
    h.get_by_label(label).type_text(text);
    h.run();
}

pub fn log_in(h: &mut Harness<'_, KitApp>, user: &str, pin: &str) {
    type_into(h, "Login name", user);
    type_into(h, "PIN", pin);
    h.get_by_label("Log in").click();
    h.run();
}

pub fn to_face_step(h: &mut Harness<'_, KitApp>) {
    h.run();
    log_in(h, "trainee", "135790");
    type_applicant(h, "Otieno", "Baraka", "Male", "1988-07-21");
}

/// From the login screen: the trainee logs in, starts an enrollment and records consent.
pub fn to_demographics(h: &mut Harness<'_, KitApp>) {
    h.run();
    log_in(h, "trainee", "135790");
    h.get_by_label("Start a new enrollment").click();
    h.run();
    h.get_by_label("The applicant agrees").click();
    h.run();
}

/// From home: starts an enrollment, records consent, types a Kenyan-born applicant living in
/// Kitisuru ward (Nairobi), and presses Next.
pub fn type_applicant(h: &mut Harness<'_, KitApp>, surname: &str, first_name: &str, sex: &str, born: &str) {
    h.get_by_label("Start a new enrollment").click();
    h.run();
    h.get_by_label("The applicant agrees").click();
    h.run();
    type_into(h, "Surname", surname);
    type_into(h, "First name", first_name);
    h.get_by_label(sex).click();
    h.run();
    type_into(h, "Date of birth (YYYY-MM-DD)", born);
    h.get_by_label("Kenyan by birth").click();
    h.run();
    pick(h, "County", "nairo", "Nairobi (047)");
    pick(h, "Sub-county", "westl", "Westlands");
    pick(h, "Ward", "kitis", "Kitisuru");
    h.get_by_label("Next").click();
    h.run();
}

pub fn step_of(h: &Harness<'_, KitApp>) -> enroll_kit::domain::enrollment::Step {
    match h.state().screen() {
        Screen::Enroll(s) => s.step(),
        _ => panic!("not enrolling"),
    }
}

/// Runs the app as eframe would until `done` holds: a frame, then sleep until a worker thread asks
/// for a repaint or the delay the frame itself asked for passes. Nothing here bets on how long a
/// device or a check takes on a busy machine.
pub fn until(h: &mut Harness<'_, KitApp>, what: &str, done: impl Fn(&Harness<'_, KitApp>) -> bool) {
    let started = std::time::Instant::now();
    loop {
        if done(h) {
            return;
        }
        let seen = wakes().seen();
        // A capture shows a spinner that repaints on its own: step, don't wait to settle.
        h.run_ok();
        if done(h) {
            return;
        }
        if started.elapsed() > HANG {
            let on = match h.state().screen() {
                Screen::Enroll(s) => format!("enrolling, step {:?}", s.step()),
                _ => "not enrolling".to_string(),
            };
            panic!("{what} never came ({on}; reader ready: {})", h.state().reader_ready());
        }
        let asked = h
            .output()
            .viewport_output
            .get(&egui::ViewportId::ROOT)
            .map_or(std::time::Duration::from_millis(100), |v| v.repaint_delay);
        wakes().wait(seen, asked.min(std::time::Duration::from_millis(500)));
    }
}

pub fn take_face(h: &mut Harness<'_, KitApp>) {
    until(h, "the camera preview", |h| h.query_by_label_contains("No picture from the camera yet").is_none());
    // The pilot face passes every check, so the photo may take itself first (three passing frames).
    if let Some(button) = h.query_by_label("Take the photo") {
        button.click();
        h.run();
    }
    until(h, "the photo", |h| {
        h.query_by_label_contains("Photo taken").is_some()
            || h.query_by_label_contains("The photo took itself").is_some()
    });
    next_until_fingerprints(h);
}

/// Waits for the photo to take itself once every face check passes, then goes on.
pub fn face_takes_itself(h: &mut Harness<'_, KitApp>) {
    until(h, "the photo to take itself", |h| h.query_by_label_contains("The photo took itself").is_some());
    next_until_fingerprints(h);
}

fn next_until_fingerprints(h: &mut Harness<'_, KitApp>) {
    use enroll_kit::domain::enrollment::Step;
    // One press: the preview and the photo sit in boxes of a fixed size, so Next does not move
    // as the photo takes itself (it once did, and a click landing then was lost).
    h.get_by_label("Next").click();
    h.run_ok();
    assert_eq!(step_of(h), Step::Fingerprints, "Next left the face step");
}

pub fn fingers_recorded(h: &Harness<'_, KitApp>) -> usize {
    match h.state().screen() {
        Screen::Enroll(s) => s.recorded_fingers(),
        _ => 0,
    }
}

/// Opens the picker labelled `field` and chooses `option` (through its accessibility action:
/// a long list scrolls, and the option may be outside the popup's visible part).
pub fn choose(h: &mut Harness<'_, KitApp>, field: &str, option: &str) {
    h.get_by_label(field).click();
    h.run();
    h.get_by_label(option).click_accesskit();
    h.run();
    // An accessibility click leaves the popup open; Escape closes it, as on a keyboard.
    h.key_press(egui::Key::Escape);
    h.run();
}

/// The draft's form and the field errors on screen, for an assertion's message.
pub fn errors_shown(h: &Harness<'_, KitApp>) -> String {
    let form = match h.state().screen() {
        Screen::Enroll(s) => format!("{:?}", s.draft().form),
        _ => "not enrolling".into(),
    };
    let texts: Vec<String> = h
        .query_all_by_label_contains("")
        .filter_map(|n| egui_kittest::kittest::NodeT::accesskit_node(&n).label())
        .filter(|l| l.contains("required") || l.contains("Choose") || l.contains("Enter") || l.contains("not"))
        .collect();
    format!("{form}; on screen: {texts:?}")
}

/// Chooses in a type-to-search picker as a person would: types `typed` into the field labelled
/// `field`, then clicks the match `option` listed under it.
pub fn pick(h: &mut Harness<'_, KitApp>, field: &str, typed: &str, option: &str) {
    type_into(h, field, typed);
    h.get_by_label(option).click();
    h.run();
}

/// Replaces what the field labelled `label` holds, as a person would: select all, type.
pub fn replace_text(h: &mut Harness<'_, KitApp>, label: &str, text: &str) {
    h.get_by_label(label).focus();
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.run();
    h.get_by_label(label).type_text(text);
    h.run();
}

/// Records the selected finger as an exception, amputated (the hand photo is a separate step).
pub fn mark_amputated(h: &mut Harness<'_, KitApp>) {
    h.get_by_label("Mark this finger as an exception").click();
    h.run();
    h.get_by_label("Amputated").click();
    h.run();
    h.get_all_by_label("Mark this finger as an exception").last().unwrap().click();
    h.run();
}
