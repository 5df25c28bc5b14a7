//! The egui/eframe app: renders workflow state and sends it commands; no business rule lives here.
//!
//! Each screen is a small state struct whose `ui` method draws it and returns the action the
//! person took; `KitApp` applies actions at the end of the frame (the rerun viewer's split).

pub mod action;
mod chrome;
pub mod i18n;
pub mod picker;
pub mod screens;
pub mod theme;
pub mod tour;
pub mod unlock;

static PROCESS_START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// Marks the process start (call first thing in `main`).
pub fn mark_process_start() {
    let _ = PROCESS_START.set(std::time::Instant::now());
}

/// Milliseconds since `mark_process_start`.
pub fn started_ms() -> u128 {
    PROCESS_START.get().map_or(0, |t| t.elapsed().as_millis())
}

use crate::domain::notice::Notice;
use crate::workflow::app::KitCore;
use crate::workflow::devices::DeviceStatus;
use crate::workflow::{LoginError, Operator, WorkflowError};
pub use action::Action;
use i18n::{I18n, Language};
use screens::close_day::{CloseDayScreen, ExportNotice};
use screens::done::DoneScreen;
use screens::enroll::EnrollScreen;
use screens::home::{HomeMessage, HomeScreen};
use screens::login::LoginScreen;
use screens::queue::{QueueNotice, QueueScreen};
use screens::report::ReportScreen;
use std::time::Duration;

/// Which screen is up.
pub enum Screen {
    /// Nobody logged in.
    Login(LoginScreen),
    /// The operator's home.
    Home(HomeScreen),
    /// An enrollment in progress (boxed: it holds the whole draft).
    Enroll(Box<EnrollScreen>),
    /// An enrollment just saved.
    Done(DoneScreen),
    /// The supervisor's review queue (boxed: it holds an opened packet).
    Queue(Box<QueueScreen>),
    /// Close the day: export (boxed: it holds the drive and batch lists).
    CloseDay(Box<CloseDayScreen>),
    /// The daily report.
    Report(Box<ReportScreen>),
    /// The trainer's scenarios, figures and reset (boxed: it holds the lists).
    Trainer(Box<screens::trainer::TrainerScreen>),
    /// A training scenario's result.
    Verdict(Box<screens::verdict::VerdictScreen>),
}

/// The whole app.
pub struct KitApp {
    core: KitCore,
    i18n: I18n,
    screen: Screen,
    upload_panel: screens::upload::UploadPanel,
    styled: bool,
    exit_after_first_frame: bool,
    tour: Option<tour::Tour>,
    last_frame: Option<std::time::Instant>,
    capture_frames: Vec<Duration>,
    /// The screen (and enrollment step) drawn last frame: a new one opens at its top.
    shown: Option<ViewKey>,
}

/// Which screen, and which enrollment step, is up.
type ViewKey = (std::mem::Discriminant<Screen>, Option<crate::domain::enrollment::Step>);

impl KitApp {
    /// The window on an open kit's core.
    pub fn new(core: KitCore) -> KitApp {
        KitApp {
            core,
            i18n: I18n::default(),
            screen: Screen::Login(LoginScreen::default()),
            upload_panel: screens::upload::UploadPanel::default(),
            styled: false,
            exit_after_first_frame: false,
            tour: None,
            last_frame: None,
            capture_frames: Vec::new(),
            shown: None,
        }
    }

    /// A capture in hand ended with the reader it was on: nothing is left waiting for it.
    fn reader_replaced(&mut self) {
        if let Screen::Enroll(s) = &mut self.screen {
            s.reader_gone();
        }
    }

    /// Whether the reader is connected.
    pub fn reader_ready(&self) -> bool {
        matches!(self.reader_status(), Some(DeviceStatus::Connected(_)))
    }

    /// Fingers recorded in the enrollment on screen.
    pub fn recorded_fingers(&self) -> usize {
        match &self.screen {
            Screen::Enroll(s) => s.recorded_fingers(),
            _ => 0,
        }
    }

    fn capturing(&self) -> bool {
        matches!(&self.screen, Screen::Enroll(s) if s.capturing())
    }

    /// Whether this is a training kit.
    pub fn training(&self) -> bool {
        self.core.facts().training
    }

    /// Closes the window after the first frame, printing the time since the process started.
    pub fn exit_after_first_frame(&mut self) {
        self.exit_after_first_frame = true;
    }

    /// Walks every step in both languages, saving a screenshot of each into `dir`.
    pub fn tour(&mut self, dir: std::path::PathBuf) {
        self.tour = Some(tour::Tour::new(dir));
    }

    /// Walks the tour's screens without taking pictures: it stops at each until
    /// [`KitApp::tour_resume`] (the snapshot tests read each screen there).
    pub fn tour_pausing(&mut self) {
        self.tour = Some(tour::Tour::pausing());
    }

    /// The tour screen the app stopped at; `None` while it moves on, and once it is over.
    pub fn tour_paused(&self) -> Option<&str> {
        self.tour.as_ref().and_then(tour::Tour::paused)
    }

    /// Whether a tour is still under way.
    pub fn touring(&self) -> bool {
        self.tour.is_some()
    }

    /// Goes on from the tour screen stopped at.
    pub fn tour_resume(&mut self) {
        if let Some(t) = self.tour.as_mut() {
            t.resume();
        }
    }

    /// The kit's core, for tests and the command line.
    pub fn core(&self) -> &KitCore {
        &self.core
    }

    /// The screen shown.
    pub fn screen(&self) -> &Screen {
        &self.screen
    }

    /// The translations in use.
    pub fn i18n(&self) -> &I18n {
        &self.i18n
    }

    /// The reader's status, once its worker runs.
    pub fn reader_status(&self) -> Option<&DeviceStatus<crate::workflow::devices::ReaderInfo>> {
        self.core.reader_status()
    }

    /// The reader profile's quality threshold.
    pub fn reader_min_quality(&self) -> u8 {
        self.core.reader_min_quality()
    }

    /// Draws one frame and applies what the person did.
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        if !self.styled {
            theme::apply(&ctx);
            self.styled = true;
            let wake = ctx.clone();
            self.core.set_wake(std::sync::Arc::new(move || wake.request_repaint()));
        }
        self.core.start_devices();
        for event in self.core.reader_events() {
            let device = self.core.reader_ref();
            let threshold = self.core.reader_min_quality();
            let commands = match &mut self.screen {
                Screen::Enroll(s) => s.on_reader(event, device, threshold),
                _ => Vec::new(),
            };
            for command in commands {
                self.apply(Action::Enroll(command));
            }
        }
        self.poll_export();
        self.poll_sealing();
        self.poll_upload();
        let mut actions = Vec::new();
        egui::Panel::top("top-bar").show(ui, |ui| self.top_bar(ui, &mut actions));
        // Every screen and step opens at its top: one scroll area shared by all of them kept the
        // last screen's offset, so a new step's message and buttons were off-screen.
        let key = self.view_key();
        let mut scroll = egui::ScrollArea::vertical().id_salt("screen");
        if self.shown.replace(key) != Some(key) {
            scroll = scroll.vertical_scroll_offset(0.0);
        }
        let facts = self.core.facts();
        let view = screens::View {
            i18n: &self.i18n,
            facts: &facts,
            reader: self.core.reader_status(),
            camera: self.core.camera_status(),
            camera_worker: self.core.camera_frames(),
            reader_min_quality: self.core.reader_min_quality(),
            slap_reader: self.core.slap_reader(),
        };
        // The wizard's step bar stays below the step, outside its scrolling.
        if let Screen::Enroll(s) = &mut self.screen {
            egui::Panel::bottom("step-bar").show(ui, |ui| s.step_bar(ui, &view, &mut actions));
        }
        egui::CentralPanel::default().show(ui, |ui| {
            scroll.show(ui, |ui| match &mut self.screen {
                Screen::Login(s) => s.ui(ui, &view, &mut actions),
                Screen::Home(s) => s.ui(ui, &view, &mut actions),
                Screen::Enroll(s) => s.ui(ui, &view, &mut actions),
                Screen::Done(s) => s.ui(ui, &view, &mut actions),
                Screen::Queue(s) => s.ui(ui, &view, &mut actions),
                Screen::CloseDay(s) => {
                    s.ui(ui, &view, self.core.export_worker(), &mut actions);
                    self.upload_panel.ui(ui, &view, &mut actions);
                }
                Screen::Report(s) => s.ui(ui, &view, &mut actions),
                Screen::Trainer(s) => {
                    let running = self.core.scenario(self.i18n.language().code());
                    s.ui(ui, &view, running.as_ref().map(|r| (r.title.as_str(), r.trainee.as_str())), &mut actions);
                }
                Screen::Verdict(s) => s.ui(ui, &view, &mut actions),
            });
        });
        for action in actions {
            self.apply(action);
        }
        self.frame_timing(&ctx);
        if let Some(mut tour) = self.tour.take() {
            let next = tour.frame(&ctx, self);
            for action in next {
                self.apply(action);
            }
            if !tour.finished() {
                self.tour = Some(tour);
            }
        }
        // Device workers wake the UI; a slow tick keeps lockout countdowns and statuses fresh.
        ctx.request_repaint_after(Duration::from_millis(500));
    }

    fn view_key(&self) -> ViewKey {
        let step = match &self.screen {
            Screen::Enroll(s) => Some(s.step()),
            _ => None,
        };
        (std::mem::discriminant(&self.screen), step)
    }

    /// Logs frames slower than 33 ms (enroll-kit::frames at debug level) and handles the
    /// startup measurement flag.
    fn frame_timing(&mut self, ctx: &egui::Context) {
        let now = std::time::Instant::now();
        if let Some(last) = self.last_frame.replace(now) {
            let took = now - last;
            if self.capturing() {
                self.capture_frames.push(took);
            } else if !self.capture_frames.is_empty() {
                let mut frames = std::mem::take(&mut self.capture_frames);
                frames.sort();
                tracing::info!(
                    target: "enroll_kit::frames",
                    frames = frames.len(),
                    median_ms = frames[frames.len() / 2].as_secs_f64() * 1000.0,
                    max_ms = frames[frames.len() - 1].as_secs_f64() * 1000.0,
                    "frame intervals during the capture"
                );
            }
            // Only frames that follow one another closely are comparable; idle gaps are not frames.
            if took > Duration::from_millis(33) && took < Duration::from_millis(400) {
                tracing::debug!(target: "enroll_kit::frames", ms = took.as_millis() as u64, "slow frame");
            }
        }
        if self.exit_after_first_frame {
            eprintln!("first frame after {} ms", crate::ui::started_ms());
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            self.exit_after_first_frame = false;
        }
    }

    fn operator(&self) -> Option<&Operator> {
        match &self.screen {
            Screen::Login(_) => None,
            Screen::Home(s) => Some(&s.operator),
            Screen::Enroll(s) => Some(&s.operator),
            Screen::Done(s) => Some(&s.operator),
            Screen::Queue(s) => Some(&s.operator),
            Screen::CloseDay(s) => Some(&s.operator),
            Screen::Report(s) => Some(&s.operator),
            Screen::Trainer(s) => Some(&s.operator),
            Screen::Verdict(_) => None,
        }
    }

    /// The export under way, if any.
    pub fn export_running(&self) -> bool {
        self.core.export_worker().is_some()
    }

    /// Takes in the upload worker's events (it starts once the kit names a central office).
    fn poll_upload(&mut self) {
        let (started, events) = self.core.upload_events();
        let mut changed = started;
        for event in events {
            changed |= self.upload_panel.on(event);
        }
        if changed {
            self.upload_panel.refresh(self.core.facts().upload_configured, self.core.uploads());
        }
    }

    /// Takes a finished export's outcome onto the close-the-day screen.
    fn poll_export(&mut self) {
        let Some((result, job)) = self.core.export_finished() else { return };
        let notice = match (result, job) {
            (Ok(batch), crate::workflow::export::ExportJob::CloseDay { .. }) => ExportNotice::Exported(batch),
            (Ok(batch), crate::workflow::export::ExportJob::Copy { .. }) => ExportNotice::Copied(batch),
            (Err(e), _) => ExportNotice::Failed(e),
        };
        if let Screen::CloseDay(s) = &mut self.screen {
            s.refresh(self.core.close_day());
            s.notice = Some(notice);
        }
    }

    /// After a decision: the queue re-read, with `notice` (or the error that stopped it).
    fn after_decision(&mut self, result: Result<QueueNotice, WorkflowError>) {
        let Screen::Queue(s) = &self.screen else { return };
        let op = s.operator.clone();
        let refreshed = result.and_then(|notice| self.core.queue(&op).map(|items| (items, notice)));
        if let Screen::Queue(s) = &mut self.screen {
            match refreshed {
                Ok((items, notice)) => s.refreshed(items, notice),
                Err(e) => s.failed(e.notice()),
            }
        }
    }

    fn home_screen(&self, op: Operator) -> HomeScreen {
        let figures = self.core.home(&op);
        HomeScreen::new(op, figures)
    }

    fn apply(&mut self, action: Action) {
        match action {
            Action::SetLanguage(lang) => {
                self.i18n.set_language(lang);
                if let Some(op) = operator_of(&mut self.screen)
                    && let Err(e) = self.core.set_language(op, lang.code())
                {
                    tracing::warn!(error = %e, "could not remember the language");
                }
            }
            Action::Login { username, pin } => match self.core.login(&username, &pin) {
                Ok(op) => {
                    self.i18n.set_language(Language::from_code(&op.language));
                    self.screen = Screen::Home(self.home_screen(op));
                }
                Err(e) => {
                    let message = self.login_message(&e);
                    if let Screen::Login(s) = &mut self.screen {
                        s.failed(message);
                    }
                }
            },
            Action::Logout => self.screen = Screen::Login(LoginScreen::default()),
            Action::Home => {
                if let Some(op) = self.operator().cloned() {
                    self.screen = Screen::Home(self.home_screen(op));
                }
            }
            Action::StartEnrollment | Action::Resume(_) => {
                let Some(op) = self.operator().cloned() else { return };
                let draft = match action {
                    Action::Resume(id) => Some(id),
                    _ => None,
                };
                match self.core.enroll(&op, draft) {
                    Ok(session) => self.screen = Screen::Enroll(Box::new(EnrollScreen::new(op, session))),
                    Err(e) => self.home_message(op, &e),
                }
            }
            Action::Abandon(id) => {
                let Some(op) = self.operator().cloned() else { return };
                let result = self.core.abandon(&op, id);
                let mut home = self.home_screen(op);
                if let Err(e) = result {
                    home.message = Some(HomeMessage::Error(e.notice()));
                }
                self.screen = Screen::Home(home);
            }
            Action::RetryReader => self.core.retry_reader(),
            Action::RetryCamera => self.core.retry_camera(),
            Action::CaptureFinger => {
                if let Screen::Enroll(s) = &mut self.screen
                    && let Some(cancel) = self.core.capture()
                {
                    s.capture_started(cancel);
                }
            }
            Action::TakeSlap(placement) => {
                if let Screen::Enroll(s) = &mut self.screen
                    && let Some(cancel) = self.core.take_slap(s.slap_request(placement))
                {
                    s.capture_started(cancel);
                }
            }
            Action::CancelCapture => {
                if let Screen::Enroll(s) = &self.screen {
                    s.cancel_capture();
                }
            }
            Action::OpenQueue => {
                let Some(op) = self.operator().cloned() else { return };
                match self.core.queue(&op) {
                    Ok(items) => self.screen = Screen::Queue(Box::new(QueueScreen::new(op, items))),
                    Err(e) => self.home_message(op, &e),
                }
            }
            Action::OpenPacket(rid) => {
                let Screen::Queue(s) = &mut self.screen else { return };
                s.open(self.core.packet(&s.operator, &rid));
            }
            Action::Approve(rid) => {
                let Some(op) = self.operator().cloned() else { return };
                let result = self.core.approve(&op, &rid).map(|()| QueueNotice::Approved(rid));
                self.after_decision(result);
            }
            Action::Reject { rid, reason, note } => {
                let Some(op) = self.operator().cloned() else { return };
                let result = self.core.reject(&op, &rid, reason, &note).map(|()| QueueNotice::Rejected(rid));
                self.after_decision(result);
            }
            Action::ApproveAllClean => {
                let Some(op) = self.operator().cloned() else { return };
                let result = self.core.approve_all_clean(&op).map(QueueNotice::ApprovedAll);
                self.after_decision(result);
            }
            Action::OpenCloseDay => {
                let Some(op) = self.operator().cloned() else { return };
                let drives = crate::workflow::export::suggested_destinations();
                let facts = self.core.facts();
                self.screen =
                    Screen::CloseDay(Box::new(CloseDayScreen::new(op, facts.training, drives, self.core.close_day())));
                self.upload_panel.refresh(facts.upload_configured, self.core.uploads());
            }
            Action::Export { job, dir } => {
                let Screen::CloseDay(s) = &mut self.screen else { return };
                match self.core.export(&s.operator, job, dir) {
                    Ok(()) => s.notice = None,
                    Err(e) => s.notice = Some(ExportNotice::Failed(e)),
                }
            }
            Action::CancelExport => self.core.cancel_export(),
            Action::UploadNow => self.core.upload_now(),
            Action::RetryUpload(batch) => {
                let retried = match operator_of(&mut self.screen).cloned() {
                    Some(op) => self.core.retry_upload(&op, &batch),
                    None => Err(WorkflowError::Refused("nobody is logged in".into())),
                };
                if let Err(e) = retried {
                    tracing::warn!("cannot retry {batch}: {e}");
                }
                self.upload_panel.refresh(self.core.facts().upload_configured, self.core.uploads());
            }
            Action::OpenReport => {
                let Some(op) = self.operator().cloned() else { return };
                let date = self.core.today();
                let report = self.core.report(&op, &date);
                self.screen = Screen::Report(Box::new(ReportScreen::new(op, date, report)));
            }
            Action::ShowReport(date) => {
                let Screen::Report(s) = &mut self.screen else { return };
                s.show(self.core.report(&s.operator, &date));
            }
            Action::SaveReportCsv => {
                let Screen::Report(s) = &mut self.screen else { return };
                let Some(report) = s.report() else { return };
                let saved = self.core.save_report(report);
                s.saved(saved);
            }
            Action::OpenTrainer => {
                let Some(op) = self.operator().cloned() else { return };
                let figures = self.core.trainee_figures(&op);
                self.screen = Screen::Trainer(Box::new(screens::trainer::TrainerScreen::new(op, figures)));
            }
            Action::StartScenario { scenario, trainee } => {
                let Some(op) = self.operator().cloned() else { return };
                match self.core.start_scenario(&op, &scenario, &trainee) {
                    Ok(()) => {
                        self.reader_replaced();
                        // The trainee takes the kit from the login screen.
                        self.screen = Screen::Login(LoginScreen::default());
                    }
                    Err(e) => {
                        if let Screen::Trainer(s) = &mut self.screen {
                            s.notice = Some(Err(e));
                        }
                    }
                }
            }
            Action::EndScenario => {
                // A scenario that cannot be judged goes on (the core logs why).
                if let Some(Ok((scenario, verdict))) = self.core.end_scenario() {
                    self.reader_replaced();
                    self.screen = Screen::Verdict(Box::new(screens::verdict::VerdictScreen { scenario, verdict }));
                }
            }
            Action::PlugReaderBack => {
                // A capture in hand ended with the unplugged reader, whether or not its end was
                // heard before the trainer plugged it back in.
                if self.core.plug_reader_back() {
                    self.reader_replaced();
                }
            }
            Action::StepAside => self.core.step_aside(),
            Action::SaveTraineeCsv => {
                let Screen::Trainer(s) = &mut self.screen else { return };
                let Some(figures) = s.figures() else { return };
                s.notice = Some(self.core.save_trainee_figures(figures));
            }
            Action::ResetPilot => {
                let Some(op) = self.operator().cloned() else { return };
                let result = self.core.reset_pilot(&op);
                let busy = matches!(&result, Err(n) if n.key == "trainer-reset-busy");
                if busy {
                    if let Screen::Trainer(s) = &mut self.screen {
                        s.notice = Some(Err(Notice::new("trainer-reset-busy")));
                    }
                    return;
                }
                let figures = self.core.trainee_figures(&op);
                let mut screen = screens::trainer::TrainerScreen::new(op, figures);
                screen.notice = Some(result.map(|()| Notice::new("trainer-reset-done")));
                self.screen = Screen::Trainer(Box::new(screen));
            }
            Action::Enroll(command) => {
                let Screen::Enroll(s) = &mut self.screen else { return };
                let after = s.apply(&mut self.core, command);
                self.after_enroll(after);
            }
        }
    }

    /// Where the wizard goes after a command or a finished sign-off.
    fn after_enroll(&mut self, after: screens::enroll::After) {
        let Screen::Enroll(s) = &mut self.screen else { return };
        match after {
            screens::enroll::After::Stay => {}
            screens::enroll::After::Saved(rid, slip) => {
                let operator = s.operator.clone();
                self.screen = Screen::Done(DoneScreen { operator, rid, slip });
            }
            screens::enroll::After::Home(message) => {
                let op = s.operator.clone();
                let mut home = self.home_screen(op);
                home.message = message;
                self.screen = Screen::Home(home);
            }
        }
    }

    /// Runs the wizard's workers: the duplicate search, and a finished sign-off onto the done
    /// screen (or its error onto the review step).
    fn poll_sealing(&mut self) {
        if let Screen::Enroll(s) = &mut self.screen {
            let after = s.poll(&mut self.core);
            self.after_enroll(after);
        }
    }

    fn home_message(&mut self, op: Operator, e: &WorkflowError) {
        let mut home = self.home_screen(op);
        home.message = Some(HomeMessage::Error(e.notice()));
        self.screen = Screen::Home(home);
    }

    fn login_message(&self, e: &LoginError) -> String {
        self.i18n.notice(&e.notice())
    }
}

/// The operator of the screen up (a free function so it borrows only the screen).
fn operator_of(screen: &mut Screen) -> Option<&mut Operator> {
    match screen {
        Screen::Login(_) => None,
        Screen::Home(s) => Some(&mut s.operator),
        Screen::Enroll(s) => Some(&mut s.operator),
        Screen::Done(s) => Some(&mut s.operator),
        Screen::Queue(s) => Some(&mut s.operator),
        Screen::CloseDay(s) => Some(&mut s.operator),
        Screen::Report(s) => Some(&mut s.operator),
        Screen::Trainer(s) => Some(&mut s.operator),
        Screen::Verdict(_) => None,
    }
}

impl eframe::App for KitApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        KitApp::ui(self, ui);
    }
}

/// Opens the window: the unlock screen of a locked kit, or the app on an open one.
pub fn run(window: unlock::KitWindow) -> Result<(), eframe::Error> {
    let app = window;
    let title = if app.training() { "enroll-kit — TRAINING" } else { "enroll-kit" };
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default().with_inner_size([1024.0, 600.0]).with_title(title),
        ..Default::default()
    };
    eframe::run_native("enroll-kit", options, Box::new(|_cc| Ok(Box::new(app))))
}
