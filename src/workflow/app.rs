//! The kit's application core behind the window: the open kit, its device profiles and device
//! workers, the export and upload workers and a training scenario under way. The window (`ui`)
//! holds screens and their drawing state only; everything it does to the kit goes through here,
//! and what it shows of the kit comes from [`KitCore::facts`] and the statuses below.

use super::devices::{CameraService, DeviceStatus, ReaderEvent, ReaderService};
use super::enrollment::{EnrollmentSession, SignOff};
use super::export::{CloseDayFigures, ExportJob, ExportWorker};
use super::report::{DailyReport, HomeFigures};
use super::review::{PacketDetail, QueueItem};
use super::scenarios::{ActiveRun, TraineeFigures};
use super::sealing::SealWorker;
use super::upload::{UploadEvent, UploadRow, UploadWorker};
use super::{LoginError, Operator, WorkflowError};
use crate::devices::factory::OpenOptions;
use crate::devices::profile::{DEFAULT_MIN_QUALITY, DeviceProfile, ProfileError, Profiles};
use crate::domain::account::Pin;
use crate::domain::admin_units::AdminUnits;
use crate::domain::biometrics::DeviceRef;
use crate::domain::enrollment::Draft;
use crate::domain::notice::Notice;
use crate::domain::scenario::Verdict;
use crate::domain::status::RejectReason;
use crate::kit::Kit;
use std::path::PathBuf;
use std::sync::Arc;

/// Wakes the window when a worker has news.
pub type Wake = Arc<dyn Fn() + Send + Sync>;

/// The device profiles the kit uses.
#[derive(Debug, Clone, Default)]
pub struct DeviceChoice {
    /// Fingerprint reader profile id.
    pub reader: String,
    /// Camera profile id.
    pub camera: String,
    /// Images for a replay reader or an in-process simulator (synthetic prints when none).
    pub images: Option<PathBuf>,
    /// Photos for the replay camera (the pilot face when none).
    pub camera_images: Option<PathBuf>,
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

/// What the window may know of the kit to draw it: read-only, no handle on the store.
#[derive(Debug, Clone)]
pub struct Facts {
    /// A training (pilot) kit.
    pub training: bool,
    /// The kit's time zone.
    pub zone: chrono_tz::Tz,
    /// Today in that zone.
    pub today: chrono::NaiveDate,
    /// Kenya's counties, sub-counties and wards as this kit has them.
    pub admin_units: Arc<AdminUnits>,
    /// The kit names a central office to upload to.
    pub upload_configured: bool,
}

impl Facts {
    /// A stored UTC timestamp as the kit's local date and minute.
    pub fn local_minute(&self, stored: &str) -> String {
        crate::kit::time::local_minute(stored, self.zone)
    }
}

/// A training scenario under way, and what the people around the kit have done so far.
struct ScenarioState {
    active: ActiveRun,
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
    fn new(active: ActiveRun) -> Self {
        ScenarioState { active, unplugged: false, plugged_back: false, aside: false, delivered: 0 }
    }
}

/// A scenario under way as the window shows it.
#[derive(Debug, Clone)]
pub struct ScenarioView {
    /// Its title in the language asked for.
    pub title: String,
    /// Its brief in that language.
    pub brief: String,
    /// The trainee's login name.
    pub trainee: String,
    /// The reader is out and may be plugged back in.
    pub may_plug_back: bool,
    /// A bystander is in the picture and may step aside.
    pub may_step_aside: bool,
}

/// The open kit and everything running on it.
pub struct KitCore {
    kit: Kit,
    devices: DeviceChoice,
    profiles: Profiles,
    reader: Option<ReaderService>,
    camera: Option<CameraService>,
    export: Option<ExportWorker>,
    upload: Option<UploadWorker>,
    scenario: Option<ScenarioState>,
    wake: Wake,
}

impl KitCore {
    /// The core on an open kit with these devices; picks up a scenario left running.
    pub fn new(kit: Kit, devices: DeviceChoice) -> Result<KitCore, ProfileError> {
        let profiles = Profiles::for_kit(Some(&kit.dir.root().join("device-profiles")), kit.config.training)?;
        let scenario = match super::scenarios::active(&kit) {
            Ok(active) => active.map(ScenarioState::new),
            Err(e) => {
                tracing::warn!("the scenario left running cannot go on: {e}");
                None
            }
        };
        Ok(KitCore {
            kit,
            devices,
            profiles,
            reader: None,
            camera: None,
            export: None,
            upload: None,
            scenario,
            wake: Arc::new(|| {}),
        })
    }

    /// How workers wake the window (set once it exists).
    pub fn set_wake(&mut self, wake: Wake) {
        self.wake = wake;
    }

    fn waker(&self) -> impl Fn() + Send + 'static {
        let wake = Arc::clone(&self.wake);
        move || wake()
    }

    /// The kit, for tests and the command line.
    pub fn kit(&self) -> &Kit {
        &self.kit
    }

    /// What the window may show of the kit now.
    pub fn facts(&self) -> Facts {
        Facts {
            training: self.kit.config.training,
            zone: self.kit.config.zone(),
            today: self.kit.today(),
            admin_units: self.kit.admin_units(),
            upload_configured: self.kit.config.upload.is_some(),
        }
    }

    // ----- devices -----

    /// The devices in use: the scenario's while one runs, else the kit's own.
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

    /// Starts the device workers that are not running.
    pub fn start_devices(&mut self) {
        let choice = self.device_choice();
        if self.reader.is_none() {
            let profile = self.profiles.get(&choice.reader).cloned();
            let options = OpenOptions {
                port: None,
                images: choice.images.clone(),
                first_image: choice.first_image,
                unplug_at_capture: choice.unplug_at_capture,
                device_ca: Some(self.kit.dir.root().join(crate::devices::sbi::trust::FOLDER)),
            };
            let wake = self.waker();
            self.reader = profile.map(|p| ReaderService::start(p, self.profiles.clone(), options, wake));
        }
        if self.camera.is_none() {
            let profile = self.profiles.get(&choice.camera).cloned();
            let wake = self.waker();
            self.camera = profile.map(|p| CameraService::start(p, choice.camera_images.clone(), wake));
        }
    }

    /// Drops the device workers; [`KitCore::start_devices`] starts them again as chosen now.
    fn restart_devices(&mut self) {
        self.reader = None;
        self.camera = None;
    }

    /// The reader's events since the last call (a scenario counts the prints and the unplug).
    pub fn reader_events(&mut self) -> Vec<ReaderEvent> {
        let events = self.reader.as_mut().map(ReaderService::poll).unwrap_or_default();
        if let Some(s) = &mut self.scenario {
            for event in &events {
                match event {
                    ReaderEvent::Captured(Ok(_)) => s.delivered += 1,
                    ReaderEvent::Status(DeviceStatus::Failed(_))
                        if s.active.devices.unplug_at_capture.is_some() && !s.plugged_back =>
                    {
                        s.unplugged = true;
                    }
                    _ => {}
                }
            }
        }
        if let Some(c) = self.camera.as_mut() {
            c.poll();
        }
        events
    }

    /// The reader's status, once its worker runs.
    pub fn reader_status(&self) -> Option<&DeviceStatus<super::devices::ReaderInfo>> {
        self.reader.as_ref().map(ReaderService::status)
    }

    /// The camera's status, once its worker runs.
    pub fn camera_status(&self) -> Option<&DeviceStatus<super::devices::CameraInfo>> {
        self.camera.as_ref().map(CameraService::status)
    }

    /// The camera's frames, while it is connected.
    pub fn camera_frames(&self) -> Option<&super::devices::CameraWorker> {
        self.camera.as_ref().and_then(CameraService::worker)
    }

    /// The connected reader as a packet names it.
    pub fn reader_ref(&self) -> Option<DeviceRef> {
        match self.reader_status() {
            Some(DeviceStatus::Connected(info)) => Some(DeviceRef::new(
                info.profile.clone(),
                info.serial.clone(),
                self.profiles.get(&info.profile).is_some_and(|p| p.simulated),
            )),
            _ => None,
        }
    }

    /// The reader profile's quality threshold.
    pub fn reader_min_quality(&self) -> u8 {
        self.profiles.get(&self.device_choice().reader).map_or(DEFAULT_MIN_QUALITY, DeviceProfile::min_quality)
    }

    /// Starts a capture; its switch to cancel it.
    pub fn capture(&self) -> Option<super::devices::CancelToken> {
        self.reader.as_ref().map(ReaderService::capture)
    }

    /// Whether this kit has a fingerprint reader profile `id` (a production kit has no simulators).
    pub fn is_reader_profile(&self, id: &str) -> bool {
        self.profiles.get(id).is_some_and(|p| p.kind == crate::devices::profile::DeviceKind::Fingerprint)
    }

    /// Whether the chosen reader is a slap scanner (SBI): fingers come four, four and two.
    pub fn slap_reader(&self) -> bool {
        self.profiles
            .get(&self.device_choice().reader)
            .is_some_and(|p| p.protocol == crate::devices::profile::Protocol::Sbi)
    }

    /// Asks the slap scanner for a placement; the switch the window holds while it runs (a
    /// placement cannot be called back once the scanner has it: it answers when the hand is down).
    pub fn take_slap(&self, request: super::slap::SlapRequest) -> Option<super::devices::CancelToken> {
        let reader = self.reader.as_ref()?;
        reader.slap(request);
        Some(super::devices::CancelToken::new())
    }

    /// Tries the reader again (in a scenario the cable is out until someone plugs it back in).
    pub fn retry_reader(&mut self) {
        if self.scenario.as_ref().is_some_and(|s| s.unplugged && !s.plugged_back) {
            return;
        }
        if let Some(r) = self.reader.as_mut() {
            r.retry();
        }
    }

    /// Tries the camera again.
    pub fn retry_camera(&mut self) {
        let wake = self.waker();
        if let Some(c) = self.camera.as_mut() {
            c.retry(wake);
        }
    }

    // ----- accounts, home, enrollment -----

    /// Logs in.
    pub fn login(&mut self, username: &str, pin: &str) -> Result<Operator, LoginError> {
        super::login(&mut self.kit, username, &Pin::new(pin))
    }

    /// Remembers `language` for `op`'s account (and in `op`).
    pub fn set_language(&mut self, op: &mut Operator, language: &str) -> Result<(), WorkflowError> {
        super::accounts::set_language(&mut self.kit, op, language)
    }

    /// The home screen's figures for `op`.
    pub fn home(&self, op: &Operator) -> HomeFigures {
        super::report::home(&self.kit, op)
    }

    /// Starts an enrollment, or resumes draft `draft`.
    pub fn enroll(&mut self, op: &Operator, draft: Option<i64>) -> Result<EnrollmentSession, WorkflowError> {
        match draft {
            Some(id) => EnrollmentSession::resume(&mut self.kit, op, id),
            None => EnrollmentSession::start(&mut self.kit, op, false),
        }
    }

    /// Gives up draft `draft`.
    pub fn abandon(&mut self, op: &Operator, draft: i64) -> Result<(), WorkflowError> {
        EnrollmentSession::abandon_draft(&mut self.kit, op, draft)
    }

    /// Applies an enrollment command (every change is in the database before this returns).
    pub fn enroll_command(
        &mut self,
        session: &mut EnrollmentSession,
        command: super::enrollment::Command,
    ) -> Result<super::enrollment::Outcome, WorkflowError> {
        session.apply(&mut self.kit, command)
    }

    /// Starts the sign-off with `pin` on a sealing worker, or says what still blocks it.
    pub fn sign_off(
        &mut self,
        session: &EnrollmentSession,
        pin: Pin,
    ) -> Result<Result<SealWorker, Vec<crate::domain::enrollment::Gap>>, WorkflowError> {
        match session.sign_off(&self.kit, pin)? {
            SignOff::Ready(job) => Ok(Ok(SealWorker::start(&self.kit, job, self.waker())?)),
            SignOff::Blocked(gaps) => Ok(Err(gaps)),
        }
    }

    /// Starts the duplicate search on the fingers of `draft`.
    pub fn search(&self, draft: &Draft) -> Result<super::dedup::SearchWorker, WorkflowError> {
        super::dedup::SearchWorker::start(&self.kit, draft.fingers.clone(), self.waker())
    }

    // ----- review -----

    /// The review queue.
    pub fn queue(&self, op: &Operator) -> Result<Vec<QueueItem>, WorkflowError> {
        super::review::queue(&self.kit, op)
    }

    /// The RIDs of the packets waiting for review, oldest first (the screenshot tour opens one).
    pub fn pending_review(&self) -> Vec<String> {
        let rows = self.kit.store.packet_rows(Some(crate::domain::status::PacketStatus::PendingReview));
        rows.map(|rows| rows.into_iter().map(|r| r.rid).collect()).unwrap_or_default()
    }

    /// One packet, opened for review.
    pub fn packet(&self, op: &Operator, rid: &str) -> Result<PacketDetail, Notice> {
        super::review::packet_detail(&self.kit, op, rid).map_err(|e| e.notice())
    }

    /// Approves packet `rid`.
    pub fn approve(&mut self, op: &Operator, rid: &str) -> Result<(), WorkflowError> {
        super::review::approve(&mut self.kit, op, rid)
    }

    /// Rejects packet `rid`.
    pub fn reject(&mut self, op: &Operator, rid: &str, reason: RejectReason, note: &str) -> Result<(), WorkflowError> {
        super::review::reject(&mut self.kit, op, rid, reason, note)
    }

    /// Approves every clean packet; how many.
    pub fn approve_all_clean(&mut self, op: &Operator) -> Result<usize, WorkflowError> {
        super::review::approve_all(&mut self.kit, op, true).map(|rids| rids.len())
    }

    // ----- close the day: export and upload -----

    /// The close-the-day figures.
    pub fn close_day(&self) -> CloseDayFigures {
        super::export::close_day_figures(&self.kit)
    }

    /// Starts an export into `dir` (one at a time).
    pub fn export(&mut self, op: &Operator, job: ExportJob, dir: PathBuf) -> Result<(), Notice> {
        if self.export.is_some() {
            return Err(Notice::new("export-error-busy"));
        }
        let dest = crate::batch::export::Destination::folder(dir);
        let worker = ExportWorker::start(&self.kit, op, job, dest, self.waker()).map_err(|e| e.notice())?;
        self.export = Some(worker);
        Ok(())
    }

    /// The export under way.
    pub fn export_worker(&self) -> Option<&ExportWorker> {
        self.export.as_ref()
    }

    /// Stops the export under way.
    pub fn cancel_export(&self) {
        if let Some(w) = &self.export {
            w.cancel();
        }
    }

    /// A finished export's outcome, once.
    pub fn export_finished(&mut self) -> Option<(Result<super::export::ExportedBatch, Notice>, ExportJob)> {
        let outcome =
            self.export.as_ref().and_then(|w| w.finished().map(|r| (r.map_err(|e| e.notice()), w.job().clone())));
        if outcome.is_some() {
            self.export = None;
        }
        outcome
    }

    /// Starts the upload worker once the kit names a central office; its events since the last
    /// call (`started`: it started now, the window reads the uploads afresh).
    pub fn upload_events(&mut self) -> (bool, Vec<UploadEvent>) {
        let mut started = false;
        if self.upload.is_none() && self.kit.config.upload.is_some() {
            match UploadWorker::start(&self.kit, super::upload::CHECK_EVERY, self.waker()) {
                Ok(w) => self.upload = Some(w),
                Err(e) => tracing::warn!("uploads will not run: {e}"),
            }
            started = true;
        }
        (started, self.upload.as_ref().map(UploadWorker::events).unwrap_or_default())
    }

    /// The batches and where their uploads stand.
    pub fn uploads(&self) -> Vec<UploadRow> {
        super::upload::uploads(&self.kit).unwrap_or_default()
    }

    /// Looks for the central office now.
    pub fn upload_now(&self) {
        if let Some(w) = &self.upload {
            w.ask();
        }
    }

    /// Sends refused batch `batch` again.
    pub fn retry_upload(&mut self, op: &Operator, batch: &str) -> Result<(), WorkflowError> {
        let retried = super::upload::retry_now(&mut self.kit, op, batch);
        self.upload_now();
        retried
    }

    // ----- reports -----

    /// Today in the kit's time zone, as the report names days.
    pub fn today(&self) -> String {
        self.kit.today().format("%Y-%m-%d").to_string()
    }

    /// The daily report for `date`.
    pub fn report(&self, op: &Operator, date: &str) -> Result<DailyReport, Notice> {
        super::report::daily(&self.kit, op, date).map_err(|e| e.notice())
    }

    /// Saves `report` as CSV; where.
    pub fn save_report(&self, report: &DailyReport) -> Result<String, Notice> {
        super::report::save_csv(&self.kit, report).map(|p| p.display().to_string()).map_err(|e| e.notice())
    }

    // ----- training -----

    /// The trainees' figures.
    pub fn trainee_figures(&self, op: &Operator) -> Result<Vec<TraineeFigures>, Notice> {
        super::scenarios::trainee_figures(&self.kit, op).map_err(|e| e.notice())
    }

    /// Saves the trainees' figures as CSV.
    pub fn save_trainee_figures(&self, figures: &[TraineeFigures]) -> Result<Notice, Notice> {
        super::scenarios::save_figures_csv(&self.kit, figures, self.kit.today())
            .map(|p| Notice::new("trainer-saved").text("path", p.display().to_string()))
            .map_err(|e| e.notice())
    }

    /// Starts scenario `scenario` for `trainee`; the devices become the scenario's.
    pub fn start_scenario(&mut self, op: &Operator, scenario: &str, trainee: &str) -> Result<(), Notice> {
        let active = super::scenarios::find(scenario)
            .and_then(|s| super::scenarios::start(&mut self.kit, op, &s, trainee))
            .map_err(|e| e.notice())?;
        self.scenario = Some(ScenarioState::new(active));
        self.restart_devices();
        Ok(())
    }

    /// Ends the scenario under way and judges it.
    pub fn end_scenario(&mut self) -> Option<Result<(crate::domain::scenario::Scenario, Verdict), Notice>> {
        let s = self.scenario.take()?;
        match super::scenarios::finish(&mut self.kit, &s.active) {
            Ok(verdict) => {
                self.restart_devices();
                Some(Ok((s.active.scenario.clone(), verdict)))
            }
            Err(e) => {
                tracing::warn!("the scenario could not be judged: {e}");
                let notice = e.notice();
                self.scenario = Some(s);
                Some(Err(notice))
            }
        }
    }

    /// The scenario under way, worded in `language`.
    pub fn scenario(&self, language: &str) -> Option<ScenarioView> {
        let s = self.scenario.as_ref()?;
        Some(ScenarioView {
            title: s.active.scenario.title.get(language).to_string(),
            brief: s.active.scenario.brief.get(language).to_string(),
            trainee: s.active.run.trainee.clone(),
            may_plug_back: s.unplugged && !s.plugged_back,
            may_step_aside: s.active.scenario.setup.faces == 2 && !s.aside,
        })
    }

    /// The scenario's unplugged reader is plugged back in: a new reader worker (a capture in hand
    /// ended with the old one).
    pub fn plug_reader_back(&mut self) -> bool {
        let Some(s) = &mut self.scenario else { return false };
        s.plugged_back = true;
        self.reader = None;
        true
    }

    /// The scenario's bystander steps out of the picture.
    pub fn step_aside(&mut self) {
        if let Some(s) = &mut self.scenario {
            s.aside = true;
            self.camera = None;
        }
    }

    /// Wipes the pilot data (not while an export or a scenario runs).
    pub fn reset_pilot(&mut self, op: &Operator) -> Result<(), Notice> {
        if self.export.is_some() || self.scenario.is_some() {
            return Err(Notice::new("trainer-reset-busy"));
        }
        self.upload = None;
        super::pilot::reset(&mut self.kit, op).map_err(|e| e.notice())
    }
}
