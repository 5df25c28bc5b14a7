//! The enrollment wizard: one screen per step, Back and Next.

use super::View;
use super::demographics::DemographicsForm;
use super::face::FaceStep;
use super::fingers::FingerStep;
use super::home::{HomeMessage, step_key};
use super::review::ReviewStep;
use crate::domain::biometrics::DeviceRef;
use crate::domain::enrollment::Gap;
use crate::domain::enrollment::Step;
use crate::ui::{Action, theme};
use crate::workflow::Operator;
use crate::workflow::app::KitCore;
use crate::workflow::devices::{CancelToken, ReaderEvent};
use crate::workflow::enrollment::{Command, EnrollmentSession, Outcome};
use crate::workflow::sealing::{SealWorker, Sealed};

/// What the app does after an enrollment command.
pub enum After {
    /// Stay on the wizard.
    Stay,
    /// Go home, with a message.
    Home(Option<HomeMessage>),
    /// Sealed and stored with this RID, and where its slip was written (or why not).
    Saved(String, Result<String, crate::domain::notice::Notice>),
}

/// The wizard's state.
#[derive(Debug)]
pub struct EnrollScreen {
    /// Who enrolls.
    pub operator: Operator,
    session: EnrollmentSession,
    notice: Option<Notice>,
    demographics: DemographicsForm,
    face: FaceStep,
    fingers: FingerStep,
    review: ReviewStep,
    search: Search,
    /// The sign-off, sealing on its worker.
    sealing: Option<SealWorker>,
    /// The step bar's photo button was pressed this frame.
    face_pressed: bool,
}

/// Where the duplicate search stands for the fingers as they are.
#[derive(Default)]
enum Search {
    /// Not run for these fingers.
    #[default]
    Idle,
    /// Running.
    Running(crate::workflow::dedup::SearchWorker),
    /// Done: what it found (empty: nobody), or why it could not run.
    Done(Result<Vec<crate::workflow::dedup::Match>, crate::domain::notice::Notice>),
}

impl std::fmt::Debug for Search {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Search::Idle => "Idle",
            Search::Running(_) => "Running",
            Search::Done(_) => "Done",
        })
    }
}

/// What the wizard shows above its buttons.
#[derive(Debug)]
enum Notice {
    /// Steps not complete, translated when drawn.
    Gaps(Vec<Gap>),
    /// A failure, worded in the language on screen when drawn.
    Error(crate::domain::notice::Notice),
}

impl EnrollScreen {
    /// The wizard over a started or resumed session.
    pub fn new(operator: Operator, session: EnrollmentSession) -> Self {
        let form = session.draft().form.clone();
        EnrollScreen {
            operator,
            session,
            notice: None,
            demographics: DemographicsForm::new(form),
            face: FaceStep::default(),
            fingers: FingerStep::default(),
            review: ReviewStep::default(),
            search: Search::Idle,
            sealing: None,
            face_pressed: false,
        }
    }

    /// Runs the duplicate search on the review step and takes in its result, and the sign-off's
    /// outcome once its worker is done.
    pub fn poll(&mut self, core: &mut KitCore) -> After {
        if self.step() == Step::Review
            && let Some(found) = self.run_search(core)
        {
            let after = self.apply(core, found);
            if !matches!(after, After::Stay) {
                return after;
            }
        }
        self.poll_sealing()
    }

    /// Takes the sign-off's outcome once its worker is done.
    fn poll_sealing(&mut self) -> After {
        let Some(result) = self.sealing.as_mut().and_then(SealWorker::finished) else { return After::Stay };
        self.sealing = None;
        match result {
            Ok(Sealed { rid, slip }) => {
                let slip = slip.map(|p| p.display().to_string()).map_err(|e| e.notice());
                match self.session.sealed(rid) {
                    Outcome::Saved(rid) => After::Saved(rid.to_string(), slip),
                    _ => After::Stay,
                }
            }
            Err(e) => self.failed(&e),
        }
    }

    fn failed(&mut self, e: &crate::workflow::WorkflowError) -> After {
        self.review.clear_pin();
        self.notice = Some(Notice::Error(e.notice()));
        After::Stay
    }

    fn blocked(&mut self, gaps: Vec<Gap>) -> After {
        // Form errors go beside their fields; other gaps above the buttons.
        self.demographics.refused(
            gaps.iter()
                .filter_map(|g| match g {
                    Gap::Demographics(errors) => Some(errors.clone()),
                    _ => None,
                })
                .flatten()
                .collect(),
        );
        let others: Vec<Gap> = gaps.into_iter().filter(|g| !matches!(g, Gap::Demographics(_))).collect();
        self.notice = (!others.is_empty()).then_some(Notice::Gaps(others));
        After::Stay
    }

    /// Whether a fingerprint capture is under way.
    pub fn capturing(&self) -> bool {
        self.fingers.busy()
    }

    /// How many fingers have a print or an exception.
    pub fn recorded_fingers(&self) -> usize {
        self.session.draft().fingers.len()
    }

    /// Frames the face checks have judged since the face step last opened.
    pub fn face_frames_checked(&self) -> u64 {
        self.face.frames_checked()
    }

    /// The enrollment as it stands.
    pub fn draft(&self) -> &crate::domain::enrollment::Draft {
        self.session.draft()
    }

    /// The step shown.
    pub fn step(&self) -> Step {
        self.session.draft().step
    }

    /// A reader event for the fingerprint step; returns the commands offering its prints.
    pub fn on_reader(&mut self, event: ReaderEvent, device: Option<DeviceRef>, threshold: u8) -> Vec<Command> {
        self.fingers.on_reader(event, device, threshold)
    }

    /// What the slap scanner is asked for `placement`, with this person's exceptions and chain.
    pub fn slap_request(&self, placement: crate::workflow::slap::Placement) -> crate::workflow::devices::SlapRequest {
        self.fingers.slap_request(placement, self.session.draft())
    }

    /// A capture was started.
    pub fn capture_started(&mut self, cancel: CancelToken) {
        self.fingers.started(cancel);
    }

    /// Cancels the capture under way.
    pub fn cancel_capture(&self) {
        self.fingers.cancel();
    }

    /// The reader was replaced: a capture in hand on the old one will never report.
    pub fn reader_gone(&mut self) {
        self.fingers.reader_gone();
    }

    /// Starts the duplicate search once the fingerprints are in, and records its result.
    fn run_search(&mut self, core: &KitCore) -> Option<Command> {
        let mut found_now = None;
        match &self.search {
            Search::Idle => {
                self.search = match core.search(self.session.draft()) {
                    Ok(w) => Search::Running(w),
                    Err(e) => Search::Done(Err(e.notice())),
                };
            }
            Search::Running(worker) => {
                if let Some(result) = worker.finished() {
                    if let Ok(found) = &result {
                        let entries = found.iter().map(crate::workflow::dedup::Match::entry).collect();
                        found_now = Some(Command::SetDuplicates(entries));
                    }
                    self.search = Search::Done(result);
                }
            }
            Search::Done(_) => {}
        }
        found_now
    }

    /// Sends a command to the session and decides what comes next; the sign-off starts its
    /// worker, which calls `wake` when it is done ([`EnrollScreen::poll_sealing`]).
    pub fn apply(&mut self, core: &mut KitCore, command: Command) -> After {
        if self.sealing.is_some() {
            // A second click while the packet is sealed changes nothing.
            return After::Stay;
        }
        if let Command::Complete(pin) = command {
            return match core.sign_off(&self.session, pin) {
                Ok(Ok(worker)) => {
                    self.notice = None;
                    self.sealing = Some(worker);
                    After::Stay
                }
                Ok(Err(gaps)) => self.blocked(gaps),
                Err(e) => self.failed(&e),
            };
        }
        // The form on screen follows the draft, whoever set it.
        if let Command::SetForm(form) = &command {
            self.demographics.form = (**form).clone();
        }
        // A photo retaken: review draws the new one.
        if matches!(command, Command::SetFace(_) | Command::SetExceptionPhoto(_)) {
            self.review.forget_pictures();
        }
        // New fingers, new search.
        if matches!(
            command,
            Command::Offer { .. } | Command::Force { .. } | Command::Except(..) | Command::ClearFinger(_)
        ) {
            self.search = Search::Idle;
        }
        let offered = match &command {
            Command::Offer { position, .. } => Some(*position),
            _ => None,
        };
        // The search's result lands whenever the worker ends — after a refused sign-off too: it
        // must not wipe what the assistant was just told ("wrong PIN").
        let from_the_person = !matches!(command, Command::SetDuplicates(_));
        match core.enroll_command(&mut self.session, command) {
            Ok(Outcome::Step(_)) => {
                if from_the_person {
                    self.notice = None;
                    self.demographics.clear();
                }
                After::Stay
            }
            Ok(Outcome::Judged(judged)) => {
                if let Some(position) = offered {
                    self.fingers.judged(position, judged, self.session.draft());
                }
                After::Stay
            }
            Ok(Outcome::Blocked(gaps)) => self.blocked(gaps),
            Ok(Outcome::Refused) => After::Home(Some(HomeMessage::ConsentRefused)),
            Ok(Outcome::Abandoned) => After::Home(None),
            // The sign-off goes through the worker above; the session says Saved only from there.
            Ok(Outcome::Saved(_)) => After::Stay,
            Err(e) => self.failed(&e),
        }
    }

    /// Draws the current step.
    pub fn ui(&mut self, ui: &mut egui::Ui, view: &View<'_>, actions: &mut Vec<Action>) {
        let t = view.i18n;
        let step = self.step();
        ui.horizontal(|ui| {
            for s in Step::ALL {
                let text = egui::RichText::new(t.t(step_key(s)));
                ui.label(if s == step { text.strong().underline() } else { text.weak() });
            }
        });
        ui.separator();
        if step != Step::Face {
            self.face.pause();
        }
        match step {
            Step::Consent => self.consent(ui, view),
            Step::Demographics => {
                ui.heading(t.t("step-demographics"));
                if self.demographics.refused_with_errors() {
                    theme::error(ui, &t.t("gap-demographics"));
                }
                self.demographics.ui(ui, view);
            }
            Step::Face => {
                let has_photo = self.session.draft().face.is_some();
                let pressed = std::mem::take(&mut self.face_pressed);
                if let Some(photo) = self.face.ui(ui, view, has_photo, pressed) {
                    actions.push(Action::Enroll(Command::SetFace(photo)));
                }
            }
            Step::Fingerprints => {
                // Disjoint fields: the step draws from the session's draft without copying it.
                self.fingers.ui(ui, view, self.session.draft(), actions);
            }
            Step::Review => {
                if let Search::Done(found) = &self.search {
                    self.review.duplicates_ui(ui, view, found);
                } else {
                    ui.label(view.i18n.t("dedup-searching"));
                }
                let enabled = self.sealing.is_none();
                ui.add_enabled_ui(enabled, |ui| self.review.ui(ui, view, self.session.draft(), actions));
            }
        }
        // Keyboard first: Enter moves on from a data step (consent needs a deliberate click;
        // on review Enter signs off from the PIN field). Checked after the step is drawn, so
        // that an Enter a picker took as its choice does not also move on.
        let enter = ui.input(|i| i.key_pressed(egui::Key::Enter));
        let enter_means_next = enter
            && match step {
                Step::Demographics | Step::Face => true,
                // Until all ten are in, Enter captures the next finger (the step takes it).
                Step::Fingerprints => self.fingers.enter_is_next(self.session.draft()),
                Step::Consent | Step::Review => false,
            };
        if enter_means_next {
            if step == Step::Demographics {
                actions.push(Action::Enroll(Command::SetForm(Box::new(self.demographics.form.clone()))));
            }
            actions.push(Action::Enroll(Command::Next));
        }
    }

    /// The step bar, fixed below the step: the step's main action at its right end and Back and
    /// Home at its left, so a netbook's 600 rows never hide them and they never move. Drawn before
    /// the step (a panel comes before the area it borders), so a press reaches the step this frame.
    pub fn step_bar(&mut self, ui: &mut egui::Ui, view: &View<'_>, actions: &mut Vec<Action>) {
        let t = view.i18n;
        let step = self.step();
        ui.add_space(4.0);
        // What the step says now, above its buttons: in view whatever the step's length.
        if step == Step::Fingerprints {
            let best = self.session.best_attempt(self.fingers.selected());
            let draft = self.session.draft();
            // The print in view stands at the right of what the step says, so the verdict and the
            // print it is about are seen together.
            ui.horizontal_top(|ui| {
                let status = (ui.available_width() - theme::PRINT_HEIGHT * 1.5).max(theme::COLUMN_WIDTH / 2.0);
                ui.vertical(|ui| {
                    ui.set_max_width(status);
                    self.fingers.status_ui(ui, view, draft, best, actions);
                });
                ui.vertical(|ui| self.fingers.print_ui(ui, view, draft));
            });
        }
        if self.sealing.is_some() {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(t.t("review-sealing"));
            });
        }
        match &self.notice {
            Some(Notice::Gaps(gaps)) => {
                // Eight missing fingers are one thing to do, not eight.
                let mut keys: Vec<&str> = gaps.iter().map(Gap::key).collect();
                keys.dedup();
                for key in keys {
                    theme::error(ui, &t.t(key));
                }
            }
            Some(Notice::Error(notice)) => theme::error(ui, &t.notice(notice)),
            None => {}
        }
        // Ids of their own: the lines above come and go as the camera or reader works.
        ui.push_id("wizard-nav", |ui| {
            ui.horizontal(|ui| {
                let form = (step == Step::Demographics).then(|| self.demographics.form.clone());
                let keep_form = |actions: &mut Vec<Action>| {
                    if let Some(form) = &form {
                        actions.push(Action::Enroll(Command::SetForm(Box::new(form.clone()))));
                    }
                };
                let busy = self.fingers.busy() || self.sealing.is_some();
                match step {
                    Step::Consent => {
                        if theme::bar_button(ui, &t.t("consent-refuse")).clicked() {
                            actions.push(Action::Enroll(Command::RefuseConsent));
                        }
                    }
                    _ => {
                        ui.add_enabled_ui(!busy, |ui| {
                            if theme::bar_button(ui, &t.t("back")).clicked() {
                                keep_form(actions);
                                actions.push(Action::Enroll(Command::Back));
                            }
                            if theme::bar_button(ui, &t.t("home-title")).clicked() {
                                keep_form(actions);
                                actions.push(Action::Home);
                            }
                        });
                    }
                }
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| match step {
                    Step::Consent => {
                        if theme::bar_primary(ui, &t.t("consent-agree")).clicked() {
                            actions.push(Action::Enroll(Command::GiveConsent));
                            actions.push(Action::Enroll(Command::Next));
                        }
                    }
                    Step::Demographics => {
                        if theme::bar_primary(ui, &t.t("next")).clicked() {
                            keep_form(actions);
                            actions.push(Action::Enroll(Command::Next));
                        }
                    }
                    Step::Face => {
                        // Once there is a photo, Next is the main action and Retake steps aside.
                        if self.session.draft().face.is_some() {
                            if theme::bar_primary(ui, &t.t("next")).clicked() {
                                actions.push(Action::Enroll(Command::Next));
                            }
                            self.face_pressed |= theme::bar_button(ui, &t.t("face-retake")).clicked();
                        } else {
                            self.face_pressed |= theme::bar_primary(ui, &t.t("face-capture")).clicked();
                            if theme::bar_button(ui, &t.t("next")).clicked() {
                                actions.push(Action::Enroll(Command::Next));
                            }
                        }
                    }
                    Step::Fingerprints => self.fingers.bar(ui, view, self.session.draft(), actions),
                    Step::Review => {
                        ui.add_enabled_ui(self.sealing.is_none(), |ui| self.review.sign_bar(ui, view, actions));
                    }
                });
            });
            ui.add_space(4.0);
        });
    }

    fn consent(&mut self, ui: &mut egui::Ui, view: &View<'_>) {
        let t = view.i18n;
        ui.heading(t.t("consent-title"));
        ui.label(t.t("consent-read-aloud"));
        // The text in both languages, so the assistant reads it in the one the applicant speaks.
        let other = match t.language() {
            crate::ui::i18n::Language::En => crate::ui::i18n::Language::Sw,
            crate::ui::i18n::Language::Sw => crate::ui::i18n::Language::En,
        };
        let other_text = t.t_in(other, "consent-text");
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.label(egui::RichText::new(t.t("consent-text")).size(20.0));
        });
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.label(egui::RichText::new(other_text).italics());
        });
    }
}
