//! The enrollment wizard: one screen per step, Back and Next.

use super::View;
use super::home::{HomeMessage, step_key};
use crate::domain::enrollment::Step;
use crate::kit::Kit;
use crate::ui::{Action, theme};
use crate::workflow::Operator;
use crate::workflow::enrollment::{Command, EnrollmentSession, Outcome};

/// What the app does after an enrollment command.
pub enum After {
    /// Stay on the wizard.
    Stay,
    /// Go home, with a message.
    Home(Option<HomeMessage>),
}

/// The wizard's state.
#[derive(Debug)]
pub struct EnrollScreen {
    /// Who enrolls.
    pub operator: Operator,
    session: EnrollmentSession,
    message: Option<String>,
}

impl EnrollScreen {
    /// The wizard over a started or resumed session.
    pub fn new(operator: Operator, session: EnrollmentSession) -> Self {
        EnrollScreen { operator, session, message: None }
    }

    /// The step shown.
    pub fn step(&self) -> Step {
        self.session.draft().step
    }

    /// Sends a command to the session and decides what comes next.
    pub fn apply(&mut self, kit: &mut Kit, command: Command) -> After {
        match self.session.apply(kit, command) {
            Ok(Outcome::Step(_)) => {
                self.message = None;
                After::Stay
            }
            Ok(Outcome::Blocked(gaps)) => {
                self.message = Some(gaps.iter().map(ToString::to_string).collect::<Vec<_>>().join(" "));
                After::Stay
            }
            Ok(Outcome::Refused) => After::Home(Some(HomeMessage::ConsentRefused)),
            Ok(Outcome::Abandoned | Outcome::Saved(_)) => After::Home(None),
            Err(e) => {
                self.message = Some(e.to_string());
                After::Stay
            }
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
        match step {
            Step::Consent => self.consent(ui, view, actions),
            _ => {
                ui.heading(t.t(step_key(step)));
                ui.label(t.t("enrollment-coming"));
                ui.horizontal(|ui| {
                    if ui.button(t.t("back")).clicked() {
                        actions.push(Action::Enroll(Command::Back));
                    }
                    if ui.button(t.t("home-title")).clicked() {
                        actions.push(Action::Home);
                    }
                });
            }
        }
        if let Some(message) = &self.message {
            theme::error(ui, message);
        }
    }

    fn consent(&mut self, ui: &mut egui::Ui, view: &View<'_>, actions: &mut Vec<Action>) {
        let t = view.i18n;
        ui.heading(t.t("consent-title"));
        ui.label(t.t("consent-read-aloud"));
        // The text in both languages, so the assistant reads it in the one the applicant speaks.
        let other = match t.language() {
            crate::ui::i18n::Language::En => crate::ui::i18n::Language::Sw,
            crate::ui::i18n::Language::Sw => crate::ui::i18n::Language::En,
        };
        let other_text = crate::ui::i18n::I18n::new(other).t("consent-text");
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.label(egui::RichText::new(t.t("consent-text")).size(20.0));
        });
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.label(egui::RichText::new(other_text).italics());
        });
        ui.horizontal(|ui| {
            if theme::primary_button(ui, &t.t("consent-agree")).clicked() {
                actions.push(Action::Enroll(Command::GiveConsent));
                actions.push(Action::Enroll(Command::Next));
            }
        });
        if ui.button(t.t("consent-refuse")).clicked() {
            actions.push(Action::Enroll(Command::RefuseConsent));
        }
    }
}
