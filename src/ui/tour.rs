//! The screenshot tour (`enroll-kit pilot --tour DIR`): walks the pilot app through every step
//! in English and then Kiswahili with the same actions a person sends, saving a screenshot of
//! each step. It makes the README's pictures reproducible, and shows trainers the whole flow.

use super::{Action, KitApp, Screen};
use crate::assets::{PILOT_FACE_JPEG, PILOT_FACE_SIZE};
use crate::biometrics::synthetic::typical_print;
use crate::domain::account::Pin;
use crate::domain::biometrics::{DeviceRef, FacePhoto, FingerPosition};
use crate::domain::person::PersonForm;
use crate::ui::i18n::Language;
use crate::workflow::capture::{RawCapture, score};
use crate::workflow::enrollment::Command;
use crate::workflow::pilot::PILOT_ACCOUNTS;
use std::path::PathBuf;

/// Frames to let a screen settle (devices connect, textures load) before its picture.
const SETTLE_FRAMES: u32 = 20;

enum Stage {
    Shot(&'static str),
    Do(fn(&KitApp) -> Vec<Action>),
    /// Wait (up to a minute) until the app gets there: a capture runs on its own thread.
    WaitFor(fn(&KitApp) -> bool),
}

fn stages() -> Vec<Stage> {
    use Stage::{Do, Shot, WaitFor};
    vec![
        Shot("01-login"),
        Do(|_| {
            let (name, _, _, pin) = PILOT_ACCOUNTS[1];
            vec![Action::Login { username: name.into(), pin: pin.into() }]
        }),
        Shot("02-home"),
        Do(|_| vec![Action::StartEnrollment]),
        Shot("03-consent"),
        Do(|_| {
            vec![
                Action::Enroll(Command::GiveConsent),
                Action::Enroll(Command::Next),
                Action::Enroll(Command::SetForm(Box::new(sample_form()))),
            ]
        }),
        Shot("04-demographics"),
        Do(|_| vec![Action::Enroll(Command::Next)]),
        Shot("05-face"),
        Do(|_| {
            let face = FacePhoto {
                jpeg: PILOT_FACE_JPEG.to_vec(),
                width: PILOT_FACE_SIZE.0,
                height: PILOT_FACE_SIZE.1,
                quality: 0,
                checks: vec![],
                device: DeviceRef::new("replay", "pilot face", false),
            };
            vec![Action::Enroll(Command::SetFace(face)), Action::Enroll(Command::Next)]
        }),
        // The right thumb through the reader for real (the paced simulator in pilot mode).
        WaitFor(|app| app.reader_ready()),
        Do(|_| vec![Action::CaptureFinger]),
        WaitFor(|app| app.recorded_fingers() >= 1),
        Do(|app| {
            let threshold = app.reader_min_quality();
            let mut actions = Vec::new();
            for p in FingerPosition::ALL.into_iter().skip(1) {
                let image = typical_print(u64::from(p.code()), 0, 256, 288);
                actions.push(Action::Enroll(Command::Offer {
                    position: p,
                    print: score(RawCapture { image, dpi: 500 }),
                    device: DeviceRef::new("r307-sim", "tour", true),
                    threshold,
                }));
            }
            actions
        }),
        Shot("06-fingerprints"),
        Do(|_| vec![Action::Enroll(Command::Next)]),
        Shot("07-review"),
        Do(|_| vec![Action::Enroll(Command::Complete(Pin::new(PILOT_ACCOUNTS[1].3)))]),
        WaitFor(|app| matches!(app.screen(), Screen::Done(_))),
        Shot("08-done"),
        Do(|app| {
            // Logging in brings back the account's own language: keep the tour's.
            let (name, _, _, pin) = PILOT_ACCOUNTS[0];
            let lang = app.i18n().language();
            vec![Action::Logout, Action::Login { username: name.into(), pin: pin.into() }, Action::SetLanguage(lang)]
        }),
        Shot("09-supervisor-home"),
        Do(|_| vec![Action::OpenQueue]),
        Shot("10-review-queue"),
        Do(|app| app.core().pending_review().pop().map(|rid| vec![Action::OpenPacket(rid)]).unwrap_or_default()),
        Shot("11-review-packet"),
        Do(|app| match app.screen() {
            Screen::Queue(_) => app
                .core()
                .pending_review()
                .pop()
                .map(|rid| vec![Action::Approve(rid), Action::OpenCloseDay])
                .unwrap_or_default(),
            _ => vec![Action::OpenCloseDay],
        }),
        Shot("12-close-day"),
        Do(|_| vec![Action::OpenReport]),
        Shot("13-daily-report"),
        Do(|_| vec![Action::Logout]),
        Do(|_| {
            let (name, _, _, pin) = PILOT_ACCOUNTS[2];
            vec![Action::Login { username: name.into(), pin: pin.into() }, Action::OpenTrainer]
        }),
        Shot("14-trainer"),
        Do(|_| {
            let (trainee, ..) = PILOT_ACCOUNTS[1];
            vec![Action::StartScenario { scenario: "two-faces".into(), trainee: trainee.into() }]
        }),
        Shot("15-scenario"),
        // Ended at once: the result names everything the trainee did not do.
        Do(|_| vec![Action::EndScenario]),
        Shot("16-scenario-result"),
        Do(|_| vec![Action::Logout]),
    ]
}

fn sample_form() -> PersonForm {
    PersonForm {
        surname: "Wanjiru".into(),
        first_name: "Grace".into(),
        other_names: "Akinyi".into(),
        sex: "female".into(),
        date_of_birth: "1992-05-14".into(),
        citizenship: "birth".into(),
        national_id: "23456789".into(),
        phone: "0712 345 678".into(),
        county: "047".into(),
        sub_county: "KESC-301".into(),
        ward: "KEW-1366".into(),
        ..Default::default()
    }
}

/// Where the tour is.
pub struct Tour {
    dir: PathBuf,
    languages: Vec<Language>,
    stages: Vec<Stage>,
    next: usize,
    settle: u32,
    waited: u32,
    shot: Option<(String, std::sync::mpsc::Receiver<std::sync::Arc<egui::ColorImage>>)>,
    finished: bool,
    /// Without a renderer (the snapshot tests): stop at each screen instead of taking its picture.
    pausing: bool,
    /// The screen stopped at, until [`Tour::resume`].
    paused: Option<String>,
}

impl Tour {
    /// A tour saving into `dir`.
    pub fn new(dir: PathBuf) -> Self {
        Tour {
            dir,
            languages: vec![Language::En, Language::Sw],
            stages: stages(),
            next: 0,
            settle: SETTLE_FRAMES,
            waited: 0,
            shot: None,
            finished: false,
            pausing: false,
            paused: None,
        }
    }

    /// A tour that stops at each screen until resumed, and waits as long as the app needs.
    pub fn pausing() -> Self {
        Tour { pausing: true, ..Tour::new(PathBuf::new()) }
    }

    /// The screen the tour stopped at (`05-face-sw`, say).
    pub fn paused(&self) -> Option<&str> {
        self.paused.as_deref()
    }

    /// Goes on from the screen stopped at.
    pub fn resume(&mut self) {
        if self.paused.take().is_some() {
            self.next += 1;
            self.settle = SETTLE_FRAMES;
        }
    }

    /// Whether the tour is over.
    pub fn finished(&self) -> bool {
        self.finished
    }

    /// Called after each frame: the actions to apply next, if any.
    pub fn frame(&mut self, ctx: &egui::Context, app: &KitApp) -> Vec<Action> {
        ctx.request_repaint();
        if self.paused.is_some() {
            return vec![];
        }
        if let Some((name, pending)) = &self.shot {
            if let Ok(image) = pending.try_recv() {
                self.save(name, &image);
                self.shot = None;
                self.next += 1;
                self.settle = SETTLE_FRAMES;
            }
            return vec![];
        }
        if self.settle > 0 {
            self.settle -= 1;
            return vec![];
        }
        let Some(lang) = self.languages.first().copied() else {
            self.finished = true;
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            return vec![];
        };
        if let Some(Stage::WaitFor(ready)) = self.stages.get(self.next) {
            if ready(app) {
                self.next += 1;
            } else if self.waited > 60 * 60 && !self.pausing {
                eprintln!("the tour gave up waiting at stage {}", self.next);
                self.next += 1;
            } else {
                self.waited += 1;
                return vec![];
            }
            self.waited = 0;
            return vec![];
        }
        let Some(stage) = self.stages.get(self.next) else {
            self.languages.remove(0);
            self.next = 0;
            return match self.languages.first() {
                Some(l) => vec![Action::SetLanguage(*l)],
                None => vec![],
            };
        };
        match stage {
            Stage::Shot(name) if self.pausing => {
                self.paused = Some(format!("{name}-{}", lang.code()));
                vec![]
            }
            Stage::Shot(name) => {
                let (tx, rx) = std::sync::mpsc::channel();
                let wake = ctx.clone();
                ctx.request_screenshot(move |image| {
                    let _ = tx.send(image);
                    wake.request_repaint();
                });
                self.shot = Some((format!("{name}-{}", lang.code()), rx));
                vec![]
            }
            Stage::WaitFor(_) => vec![],
            Stage::Do(act) => {
                let mut actions = act(app);
                // The account's remembered language applies at login; the tour keeps its own.
                if matches!(app.screen(), Screen::Login(_)) {
                    actions.push(Action::SetLanguage(lang));
                }
                self.next += 1;
                self.settle = SETTLE_FRAMES;
                actions
            }
        }
    }

    fn save(&self, name: &str, image: &egui::ColorImage) {
        let [w, h] = image.size;
        let rgba: Vec<u8> = image.pixels.iter().flat_map(|c| c.to_array()).collect();
        let path = self.dir.join(format!("{name}.png"));
        match image::RgbaImage::from_raw(w as u32, h as u32, rgba) {
            Some(img) => match img.save(&path) {
                Ok(()) => eprintln!("saved {}", path.display()),
                Err(e) => eprintln!("could not save {}: {e}", path.display()),
            },
            None => eprintln!("the screenshot {name} had a wrong size"),
        }
    }
}
