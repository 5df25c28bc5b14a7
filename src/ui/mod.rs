//! The egui/eframe app: renders workflow state and sends it commands; no business rule lives here.
//!
//! Each screen is a small state struct whose `ui` method draws it and returns the action the
//! person took; `KitApp` applies actions at the end of the frame (the rerun viewer's split).

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

use crate::devices::factory::OpenOptions;
use crate::devices::profile::Profiles;
use crate::domain::notice::Notice;
use crate::kit::Kit;
use crate::workflow::devices::{CameraService, DeviceStatus, ReaderService};
use crate::workflow::enrollment::EnrollmentSession;
use crate::workflow::{LoginError, Operator, WorkflowError, accounts, login};
use i18n::{I18n, Language};
use screens::close_day::{CloseDayScreen, ExportNotice};
use screens::done::DoneScreen;
use screens::enroll::EnrollScreen;
use screens::home::{HomeMessage, HomeScreen};
use screens::login::LoginScreen;
use screens::queue::{QueueNotice, QueueScreen};
use screens::report::ReportScreen;
use std::time::Duration;

/// What a person did on a screen this frame.
#[derive(Debug, Clone)]
pub enum Action {
    /// Log in with these.
    Login {
        /// Login name.
        username: String,
        /// PIN as typed.
        pin: String,
    },
    /// Show another language (and remember it for the account).
    SetLanguage(Language),
    /// Back to the login screen.
    Logout,
    /// Begin a new enrollment.
    StartEnrollment,
    /// Continue a saved draft.
    Resume(i64),
    /// Give up a saved draft.
    Abandon(i64),
    /// Try the reader again.
    RetryReader,
    /// Try the camera again.
    RetryCamera,
    /// Back to the home screen (the draft stays saved).
    Home,
    /// An enrollment command.
    Enroll(crate::workflow::enrollment::Command),
    /// Capture the selected finger.
    CaptureFinger,
    /// Stop the capture under way.
    CancelCapture,
    /// Open the review queue (supervisor).
    OpenQueue,
    /// Open one packet in the queue.
    OpenPacket(String),
    /// Approve a packet.
    Approve(String),
    /// Reject a packet.
    Reject {
        /// Its RID.
        rid: String,
        /// The reason from the list.
        reason: crate::domain::status::RejectReason,
        /// The note.
        note: String,
    },
    /// Approve every clean packet (after the confirmation).
    ApproveAllClean,
    /// Open the close-the-day screen.
    OpenCloseDay,
    /// Start an export or a copy into a folder.
    Export {
        /// What to write.
        job: crate::workflow::export::ExportJob,
        /// Where.
        dir: std::path::PathBuf,
    },
    /// Stop the export under way.
    CancelExport,
    /// Look for the central office and upload what is pending, now.
    UploadNow,
    /// Send a refused batch again.
    RetryUpload(String),
    /// Open the daily report for today.
    OpenReport,
    /// Show the report for a day.
    ShowReport(String),
    /// Save the report shown as CSV.
    SaveReportCsv,
    /// Open the trainer's screen (pilot kits).
    OpenTrainer,
    /// Start a training scenario for a trainee.
    StartScenario {
        /// The scenario's id.
        scenario: String,
        /// The trainee's login name.
        trainee: String,
    },
    /// End the scenario under way and judge it.
    EndScenario,
    /// The scenario's unplugged reader is plugged back in.
    PlugReaderBack,
    /// The scenario's bystander steps out of the picture.
    StepAside,
    /// Save the trainee figures as CSV.
    SaveTraineeCsv,
    /// Wipe the pilot data (after the confirmation).
    ResetPilot,
}

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

/// The device profiles the app uses.
#[derive(Debug, Clone, Default)]
pub struct DeviceChoice {
    /// Fingerprint reader profile id.
    pub reader: String,
    /// Camera profile id.
    pub camera: String,
    /// Images for a replay reader or an in-process simulator (synthetic prints when none).
    pub images: Option<std::path::PathBuf>,
    /// Photos for the replay camera (the pilot face when none).
    pub camera_images: Option<std::path::PathBuf>,
    /// A replay reader starts at this image.
    pub first_image: u32,
    /// A replay reader drops off the line at this capture (training scenarios).
    pub unplug_at_capture: Option<u32>,
}

impl DeviceChoice {
    /// Simulated reader and replay camera for pilot mode; hardware otherwise.
    pub fn for_kit(kit: &Kit) -> Self {
        if kit.config.training {
            DeviceChoice { reader: "r307-sim".into(), camera: "replay".into(), ..Default::default() }
        } else {
            DeviceChoice { reader: "r307".into(), camera: "uvc-generic".into(), ..Default::default() }
        }
    }
}

/// A training scenario under way, and what the people around the kit have done so far.
struct ScenarioState {
    active: crate::workflow::scenarios::ActiveRun,
    /// The reader dropped off the line as the scenario planned.
    unplugged: bool,
    /// Someone plugged it back in.
    plugged_back: bool,
    /// The bystander stepped out of the picture.
    aside: bool,
    /// Prints the reader delivered (a plugged-back reader goes on from the next image).
    delivered: u32,
}

impl ScenarioState {
    fn new(active: crate::workflow::scenarios::ActiveRun) -> Self {
        ScenarioState { active, unplugged: false, plugged_back: false, aside: false, delivered: 0 }
    }
}

/// The whole app.
pub struct KitApp {
    kit: Kit,
    i18n: I18n,
    screen: Screen,
    devices: DeviceChoice,
    profiles: Profiles,
    reader: Option<ReaderService>,
    camera: Option<CameraService>,
    export: Option<crate::workflow::export::ExportWorker>,
    upload: Option<crate::workflow::upload::UploadWorker>,
    upload_panel: screens::upload::UploadPanel,
    styled: bool,
    exit_after_first_frame: bool,
    tour: Option<tour::Tour>,
    last_frame: Option<std::time::Instant>,
    capture_frames: Vec<Duration>,
    scenario: Option<ScenarioState>,
    /// The screen (and enrollment step) drawn last frame: a new one opens at its top.
    shown: Option<ViewKey>,
}

/// Which screen, and which enrollment step, is up.
type ViewKey = (std::mem::Discriminant<Screen>, Option<crate::domain::enrollment::Step>);

impl KitApp {
    /// The app on an open kit.
    pub fn new(kit: Kit, devices: DeviceChoice) -> Result<KitApp, crate::devices::profile::ProfileError> {
        let profiles = Profiles::for_kit(Some(&kit.dir.root().join("device-profiles")), kit.config.training)?;
        Ok(KitApp {
            kit,
            i18n: I18n::default(),
            screen: Screen::Login(LoginScreen::default()),
            devices,
            profiles,
            reader: None,
            camera: None,
            export: None,
            upload: None,
            upload_panel: screens::upload::UploadPanel::default(),
            styled: false,
            exit_after_first_frame: false,
            tour: None,
            last_frame: None,
            capture_frames: Vec::new(),
            scenario: None,
            shown: None,
        }
        .with_scenario_in_progress())
    }

    /// Picks up a scenario left running (the app was closed mid-run).
    fn with_scenario_in_progress(mut self) -> Self {
        match crate::workflow::scenarios::active(&self.kit) {
            Ok(Some(active)) => {
                self.scenario = Some(ScenarioState::new(active));
            }
            Ok(None) => {}
            Err(e) => tracing::warn!("the scenario left running cannot go on: {e}"),
        }
        self
    }

    /// The devices in use: the scenario's while one runs, else the app's own.
    fn device_choice(&self) -> DeviceChoice {
        let Some(s) = &self.scenario else { return self.devices.clone() };
        let d = &s.active.devices;
        DeviceChoice {
            reader: "replay".into(),
            camera: "replay".into(),
            images: Some(d.prints.clone()),
            camera_images: Some(if s.aside { d.camera_alone.clone() } else { d.camera.clone() }),
            first_image: s.delivered,
            unplug_at_capture: if s.plugged_back { None } else { d.unplug_at_capture },
        }
    }

    /// Drops the device workers; the next frame starts them with [`KitApp::device_choice`].
    fn restart_devices(&mut self) {
        self.reader = None;
        self.camera = None;
        // A capture in hand ends with the reader it was on: nothing is left waiting for it.
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
        self.kit.config.training
    }

    /// Closes the window after the first frame, printing the time since the process started.
    pub fn exit_after_first_frame(&mut self) {
        self.exit_after_first_frame = true;
    }

    /// Walks every step in both languages, saving a screenshot of each into `dir`.
    pub fn tour(&mut self, dir: std::path::PathBuf) {
        self.tour = Some(tour::Tour::new(dir));
    }

    /// The kit, for tests and the command line.
    pub fn kit(&self) -> &Kit {
        &self.kit
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
    pub fn reader_status(&self) -> Option<&DeviceStatus<crate::devices::reader::ReaderInfo>> {
        self.reader.as_ref().map(ReaderService::status)
    }

    fn reader_min_quality(&self) -> u8 {
        self.profiles
            .get(&self.device_choice().reader)
            .map_or(crate::devices::profile::DEFAULT_MIN_QUALITY, crate::devices::profile::DeviceProfile::min_quality)
    }

    fn start_devices(&mut self, ctx: &egui::Context) {
        let choice = self.device_choice();
        if self.reader.is_none() {
            let profile = self.profiles.get(&choice.reader).cloned();
            let ctx = ctx.clone();
            let options = OpenOptions {
                port: None,
                images: choice.images.clone(),
                first_image: choice.first_image,
                unplug_at_capture: choice.unplug_at_capture,
            };
            self.reader =
                profile.map(|p| ReaderService::start(p, self.profiles.clone(), options, move || ctx.request_repaint()));
        }
        if self.camera.is_none() {
            let profile = self.profiles.get(&choice.camera).cloned();
            let ctx = ctx.clone();
            let images = choice.camera_images.clone();
            self.camera = profile.map(|p| CameraService::start(p, images, move || ctx.request_repaint()));
        }
    }

    /// Draws one frame and applies what the person did.
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        if !self.styled {
            theme::apply(&ctx);
            self.styled = true;
        }
        self.start_devices(&ctx);
        let events = self.reader.as_mut().map(ReaderService::poll).unwrap_or_default();
        for event in events {
            if let Some(s) = &mut self.scenario {
                match &event {
                    crate::workflow::devices::ReaderEvent::Captured(Ok(_)) => s.delivered += 1,
                    crate::workflow::devices::ReaderEvent::Status(DeviceStatus::Failed(_))
                        if s.active.devices.unplug_at_capture.is_some() && !s.plugged_back =>
                    {
                        s.unplugged = true;
                    }
                    _ => {}
                }
            }
            let device = match self.reader_status() {
                Some(DeviceStatus::Connected(info)) => Some(crate::domain::biometrics::DeviceRef::new(
                    info.profile.clone(),
                    info.serial.clone(),
                    self.profiles.get(&info.profile).is_some_and(|p| p.simulated),
                )),
                _ => None,
            };
            let threshold = self.reader_min_quality();
            if let Screen::Enroll(s) = &mut self.screen
                && let Some(command) = s.on_reader(event, device, threshold)
            {
                self.apply(Action::Enroll(command), &ctx);
            }
        }
        if let Some(c) = self.camera.as_mut() {
            c.poll();
        }
        self.poll_export();
        self.poll_sealing();
        self.poll_upload(&ctx);
        let mut actions = Vec::new();
        egui::Panel::top("top-bar").show(ui, |ui| self.top_bar(ui, &mut actions));
        // Every screen and step opens at its top: one scroll area shared by all of them kept the
        // last screen's offset, so a new step's message and buttons were off-screen.
        let key = self.view_key();
        let mut scroll = egui::ScrollArea::vertical().id_salt("screen");
        if self.shown.replace(key) != Some(key) {
            scroll = scroll.vertical_scroll_offset(0.0);
        }
        let reader_min_quality = self.reader_min_quality();
        let view = screens::View {
            i18n: &self.i18n,
            kit: &self.kit,
            reader: self.reader.as_ref().map(ReaderService::status),
            camera: self.camera.as_ref().map(CameraService::status),
            camera_worker: self.camera.as_ref().and_then(CameraService::worker),
            reader_min_quality,
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
                    s.ui(ui, &view, self.export.as_ref(), &mut actions);
                    self.upload_panel.ui(ui, &view, &mut actions);
                }
                Screen::Report(s) => s.ui(ui, &view, &mut actions),
                Screen::Trainer(s) => {
                    let running = self.scenario.as_ref().map(|r| {
                        (r.active.scenario.title.get(self.i18n.language().code()), r.active.run.trainee.as_str())
                    });
                    s.ui(ui, &view, running, &mut actions);
                }
                Screen::Verdict(s) => s.ui(ui, &view, &mut actions),
            });
        });
        for action in actions {
            self.apply(action, &ctx);
        }
        self.frame_timing(&ctx);
        if let Some(mut tour) = self.tour.take() {
            let next = tour.frame(&ctx, self);
            for action in next {
                self.apply(action, &ctx);
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

    fn top_bar(&self, ui: &mut egui::Ui, actions: &mut Vec<Action>) {
        if self.kit.config.training {
            egui::Frame::new().fill(theme::TRAINING).inner_margin(8.0).show(ui, |ui| {
                ui.set_width(ui.available_width());
                ui.label(egui::RichText::new(self.i18n.t("training-banner")).strong().color(theme::ON_TRAINING));
            });
        }
        if let Some(s) = &self.scenario {
            self.scenario_bar(ui, s, actions);
        }
        ui.horizontal(|ui| {
            ui.heading(self.i18n.t("app-title"));
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if !matches!(self.screen, Screen::Login(_)) && ui.button(self.i18n.t("logout")).clicked() {
                    actions.push(Action::Logout);
                }
                for lang in [Language::Sw, Language::En] {
                    let key = if lang == Language::En { "language-en" } else { "language-sw" };
                    if ui.selectable_label(self.i18n.language() == lang, self.i18n.t(key)).clicked() {
                        actions.push(Action::SetLanguage(lang));
                    }
                }
            });
        });
    }

    /// The bar a running scenario shows on every screen: what it is, the people around the kit's
    /// moves (plug the reader back in, step aside) and the end.
    fn scenario_bar(&self, ui: &mut egui::Ui, s: &ScenarioState, actions: &mut Vec<Action>) {
        let t = &self.i18n;
        let lang = t.language().code();
        egui::Frame::new().fill(theme::SCENARIO).inner_margin(8.0).show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.label(
                egui::RichText::new(t.t_args(
                    "scenario-bar",
                    &[
                        ("title", s.active.scenario.title.get(lang).into()),
                        ("trainee", s.active.run.trainee.clone().into()),
                    ],
                ))
                .strong(),
            );
            ui.label(s.active.scenario.brief.get(lang));
            ui.horizontal_wrapped(|ui| {
                if s.unplugged && !s.plugged_back && ui.button(t.t("scenario-plug-back")).clicked() {
                    actions.push(Action::PlugReaderBack);
                }
                if s.active.scenario.setup.faces == 2 && !s.aside && ui.button(t.t("scenario-step-aside")).clicked() {
                    actions.push(Action::StepAside);
                }
                if ui.button(t.t("scenario-end")).clicked() {
                    actions.push(Action::EndScenario);
                }
            });
        });
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
        self.export.is_some()
    }

    /// Starts the upload worker once the kit names a central office, and takes in its events.
    fn poll_upload(&mut self, ctx: &egui::Context) {
        if self.upload.is_none() && self.kit.config.upload.is_some() {
            let ctx = ctx.clone();
            match crate::workflow::upload::UploadWorker::start(
                &self.kit,
                crate::workflow::upload::CHECK_EVERY,
                move || ctx.request_repaint(),
            ) {
                Ok(w) => self.upload = Some(w),
                Err(e) => tracing::warn!("uploads will not run: {e}"),
            }
            self.upload_panel.refresh(&self.kit);
        }
        let Some(worker) = &self.upload else { return };
        let mut changed = false;
        for event in worker.events() {
            changed |= self.upload_panel.on(event);
        }
        if changed {
            self.upload_panel.refresh(&self.kit);
        }
    }

    /// Takes a finished export's outcome onto the close-the-day screen.
    fn poll_export(&mut self) {
        let Some(outcome) = self.export.as_ref().and_then(|w| w.finished().map(|r| (r, w.job().clone()))) else {
            return;
        };
        self.export = None;
        let (result, job) = outcome;
        let notice = match (result, job) {
            (Ok(batch), crate::workflow::export::ExportJob::CloseDay { .. }) => ExportNotice::Exported(batch),
            (Ok(batch), crate::workflow::export::ExportJob::Copy { .. }) => ExportNotice::Copied(batch),
            (Err(e), _) => ExportNotice::Failed(e.notice()),
        };
        if let Screen::CloseDay(s) = &mut self.screen {
            s.refresh(crate::workflow::export::close_day_figures(&self.kit));
            s.notice = Some(notice);
        }
    }

    fn queue_items(&self, op: &Operator) -> Result<Vec<crate::workflow::review::QueueItem>, WorkflowError> {
        crate::workflow::review::queue(&self.kit, op)
    }

    /// After a decision: the queue re-read, with `notice` (or the error that stopped it).
    fn after_decision(&mut self, result: Result<QueueNotice, WorkflowError>) {
        let Screen::Queue(s) = &self.screen else { return };
        let op = s.operator.clone();
        let refreshed = result.and_then(|notice| self.queue_items(&op).map(|items| (items, notice)));
        if let Screen::Queue(s) = &mut self.screen {
            match refreshed {
                Ok((items, notice)) => s.refreshed(items, notice),
                Err(e) => s.failed(e.notice()),
            }
        }
    }

    fn apply(&mut self, action: Action, ctx: &egui::Context) {
        match action {
            Action::SetLanguage(lang) => {
                self.i18n.set_language(lang);
                if let Some(op) = operator_of(&mut self.screen)
                    && let Err(e) = accounts::set_language(&mut self.kit, op, lang.code())
                {
                    tracing::warn!(error = %e, "could not remember the language");
                }
            }
            Action::Login { username, pin } => {
                match login(&mut self.kit, &username, &crate::domain::account::Pin::new(&pin)) {
                    Ok(op) => {
                        self.i18n.set_language(Language::from_code(&op.language));
                        self.screen =
                            Screen::Home(HomeScreen::new(op.clone(), crate::workflow::report::home(&self.kit, &op)));
                    }
                    Err(e) => {
                        let message = self.login_message(&e);
                        if let Screen::Login(s) = &mut self.screen {
                            s.failed(message);
                        }
                    }
                }
            }
            Action::Logout => self.screen = Screen::Login(LoginScreen::default()),
            Action::Home => {
                if let Some(op) = self.operator().cloned() {
                    self.screen =
                        Screen::Home(HomeScreen::new(op.clone(), crate::workflow::report::home(&self.kit, &op)));
                }
            }
            Action::StartEnrollment | Action::Resume(_) => {
                let Some(op) = self.operator().cloned() else { return };
                let session = match action {
                    Action::Resume(id) => EnrollmentSession::resume(&mut self.kit, &op, id),
                    _ => EnrollmentSession::start(&mut self.kit, &op, false),
                };
                match session {
                    Ok(session) => self.screen = Screen::Enroll(Box::new(EnrollScreen::new(op, session))),
                    Err(e) => self.home_message(op, &e),
                }
            }
            Action::Abandon(id) => {
                let Some(op) = self.operator().cloned() else { return };
                let result = EnrollmentSession::abandon_draft(&mut self.kit, &op, id);
                let mut home = HomeScreen::new(op.clone(), crate::workflow::report::home(&self.kit, &op));
                if let Err(e) = result {
                    home.message = Some(HomeMessage::Error(e.notice()));
                }
                self.screen = Screen::Home(home);
            }
            Action::RetryReader => {
                // In a scenario the cable is out until someone plugs it back in.
                if self.scenario.as_ref().is_some_and(|s| s.unplugged && !s.plugged_back) {
                    return;
                }
                if let Some(r) = self.reader.as_mut() {
                    r.retry();
                }
            }
            Action::RetryCamera => {
                if let Some(c) = self.camera.as_mut() {
                    let ctx = ctx.clone();
                    c.retry(move || ctx.request_repaint());
                }
            }
            Action::CaptureFinger => {
                if let (Some(r), Screen::Enroll(s)) = (self.reader.as_ref(), &mut self.screen) {
                    s.capture_started(r.capture());
                }
            }
            Action::CancelCapture => {
                if let Screen::Enroll(s) = &self.screen {
                    s.cancel_capture();
                }
            }
            Action::OpenQueue => {
                let Some(op) = self.operator().cloned() else { return };
                match self.queue_items(&op) {
                    Ok(items) => self.screen = Screen::Queue(Box::new(QueueScreen::new(op, items))),
                    Err(e) => self.home_message(op, &e),
                }
            }
            Action::OpenPacket(rid) => {
                let Screen::Queue(s) = &mut self.screen else { return };
                let detail = crate::workflow::review::packet_detail(&self.kit, &s.operator, &rid);
                s.open(detail.map_err(|e| e.notice()));
            }
            Action::Approve(rid) => {
                let Some(op) = self.operator().cloned() else { return };
                let result =
                    crate::workflow::review::approve(&mut self.kit, &op, &rid).map(|()| QueueNotice::Approved(rid));
                self.after_decision(result);
            }
            Action::Reject { rid, reason, note } => {
                let Some(op) = self.operator().cloned() else { return };
                let result = crate::workflow::review::reject(&mut self.kit, &op, &rid, reason, &note)
                    .map(|()| QueueNotice::Rejected(rid));
                self.after_decision(result);
            }
            Action::ApproveAllClean => {
                let Some(op) = self.operator().cloned() else { return };
                let result = crate::workflow::review::approve_all(&mut self.kit, &op, true)
                    .map(|rids| QueueNotice::ApprovedAll(rids.len()));
                self.after_decision(result);
            }
            Action::OpenCloseDay => {
                let Some(op) = self.operator().cloned() else { return };
                let drives = crate::workflow::export::suggested_destinations();
                self.screen = Screen::CloseDay(Box::new(CloseDayScreen::new(
                    op,
                    self.kit.config.training,
                    drives,
                    crate::workflow::export::close_day_figures(&self.kit),
                )));
                self.upload_panel.refresh(&self.kit);
            }
            Action::Export { job, dir } => {
                if self.export.is_some() {
                    return;
                }
                let Screen::CloseDay(s) = &mut self.screen else { return };
                let ctx = ctx.clone();
                let dest = crate::batch::export::Destination::folder(dir);
                match crate::workflow::export::ExportWorker::start(&self.kit, &s.operator, job, dest, move || {
                    ctx.request_repaint()
                }) {
                    Ok(worker) => {
                        s.notice = None;
                        self.export = Some(worker);
                    }
                    Err(e) => s.notice = Some(ExportNotice::Failed(e.notice())),
                }
            }
            Action::CancelExport => {
                if let Some(w) = &self.export {
                    w.cancel();
                }
            }
            Action::UploadNow => {
                if let Some(w) = &self.upload {
                    w.ask();
                }
            }
            Action::RetryUpload(batch) => {
                let retried = match operator_of(&mut self.screen).cloned() {
                    Some(op) => crate::workflow::upload::retry_now(&mut self.kit, &op, &batch),
                    None => Err(crate::workflow::WorkflowError::Refused("nobody is logged in".into())),
                };
                if let Err(e) = retried {
                    tracing::warn!("cannot retry {batch}: {e}");
                }
                self.upload_panel.refresh(&self.kit);
                if let Some(w) = &self.upload {
                    w.ask();
                }
            }
            Action::OpenReport => {
                let Some(op) = self.operator().cloned() else { return };
                let date = self.kit.today().format("%Y-%m-%d").to_string();
                let report = crate::workflow::report::daily(&self.kit, &op, &date).map_err(|e| e.notice());
                self.screen = Screen::Report(Box::new(ReportScreen::new(op, date, report)));
            }
            Action::ShowReport(date) => {
                let Screen::Report(s) = &mut self.screen else { return };
                s.show(crate::workflow::report::daily(&self.kit, &s.operator, &date).map_err(|e| e.notice()));
            }
            Action::SaveReportCsv => {
                let Screen::Report(s) = &mut self.screen else { return };
                let Some(report) = s.report() else { return };
                let saved = crate::workflow::report::save_csv(&self.kit, report)
                    .map(|p| p.display().to_string())
                    .map_err(|e| e.notice());
                s.saved(saved);
            }
            Action::OpenTrainer => {
                let Some(op) = self.operator().cloned() else { return };
                self.screen = Screen::Trainer(Box::new(screens::trainer::TrainerScreen::new(op, &self.kit)));
            }
            Action::StartScenario { scenario, trainee } => {
                let Some(op) = self.operator().cloned() else { return };
                let started = crate::workflow::scenarios::find(&scenario)
                    .and_then(|s| crate::workflow::scenarios::start(&mut self.kit, &op, &s, &trainee));
                match started {
                    Ok(active) => {
                        self.scenario = Some(ScenarioState::new(active));
                        self.restart_devices();
                        // The trainee takes the kit from the login screen.
                        self.screen = Screen::Login(LoginScreen::default());
                    }
                    Err(e) => {
                        if let Screen::Trainer(s) = &mut self.screen {
                            s.notice = Some(Err(e.notice()));
                        }
                    }
                }
            }
            Action::EndScenario => {
                let Some(s) = self.scenario.take() else { return };
                match crate::workflow::scenarios::finish(&mut self.kit, &s.active) {
                    Ok(verdict) => {
                        self.screen = Screen::Verdict(Box::new(screens::verdict::VerdictScreen {
                            scenario: s.active.scenario.clone(),
                            verdict,
                        }));
                        self.restart_devices();
                    }
                    Err(e) => {
                        tracing::warn!("the scenario could not be judged: {e}");
                        self.scenario = Some(s);
                    }
                }
            }
            Action::PlugReaderBack => {
                if let Some(s) = &mut self.scenario {
                    s.plugged_back = true;
                    self.reader = None;
                    // A capture in hand ended with the unplugged reader, whether or not its end
                    // was heard before the trainer plugged it back in.
                    if let Screen::Enroll(s) = &mut self.screen {
                        s.reader_gone();
                    }
                }
            }
            Action::StepAside => {
                if let Some(s) = &mut self.scenario {
                    s.aside = true;
                    self.camera = None;
                }
            }
            Action::SaveTraineeCsv => {
                let Screen::Trainer(s) = &mut self.screen else { return };
                let Some(figures) = s.figures() else { return };
                let saved = crate::workflow::scenarios::save_figures_csv(&self.kit, figures, self.kit.today())
                    .map(|p| Notice::new("trainer-saved").text("path", p.display().to_string()))
                    .map_err(|e| e.notice());
                s.notice = Some(saved);
            }
            Action::ResetPilot => {
                let Some(op) = self.operator().cloned() else { return };
                if self.export.is_some() || self.scenario.is_some() {
                    if let Screen::Trainer(s) = &mut self.screen {
                        s.notice = Some(Err(Notice::new("trainer-reset-busy")));
                    }
                    return;
                }
                self.upload = None;
                let result = crate::workflow::pilot::reset(&mut self.kit, &op);
                let mut screen = screens::trainer::TrainerScreen::new(op, &self.kit);
                screen.notice = Some(result.map(|()| Notice::new("trainer-reset-done")).map_err(|e| e.notice()));
                self.screen = Screen::Trainer(Box::new(screen));
            }
            Action::Enroll(command) => {
                let Screen::Enroll(s) = &mut self.screen else { return };
                let ctx = ctx.clone();
                let after = s.apply(&mut self.kit, command, move || ctx.request_repaint());
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
                let mut home =
                    HomeScreen::new(s.operator.clone(), crate::workflow::report::home(&self.kit, &s.operator));
                home.message = message;
                self.screen = Screen::Home(home);
            }
        }
    }

    /// Takes a finished sign-off onto the done screen (or its error onto the review step).
    fn poll_sealing(&mut self) {
        if let Screen::Enroll(s) = &mut self.screen {
            let after = s.poll_sealing();
            self.after_enroll(after);
        }
    }

    fn home_message(&mut self, op: Operator, e: &WorkflowError) {
        let mut home = HomeScreen::new(op.clone(), crate::workflow::report::home(&self.kit, &op));
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
