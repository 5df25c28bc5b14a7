//! Home: today's count, drafts to resume, device status, a large start button.

use super::View;
use crate::domain::account::Permission;
use crate::domain::enrollment::Step;
use crate::ui::{Action, theme};
use crate::workflow::Operator;
use crate::workflow::devices::DeviceStatus;

/// A message on the home screen, translated when drawn so a language switch applies to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HomeMessage {
    /// The applicant refused consent.
    ConsentRefused,
    /// A failure with its next step, worded when drawn.
    Error(crate::domain::notice::Notice),
}

/// Home screen state.
#[derive(Debug)]
pub struct HomeScreen {
    /// Who is logged in.
    pub operator: Operator,
    /// A message from the last action.
    pub message: Option<HomeMessage>,
    // Read once when the screen is made (every action that changes them makes a new home),
    // so drawing a frame never touches the database.
    today: u64,
    drafts: Vec<crate::workflow::enrollment::DraftSummary>,
    /// Packets waiting for review, for someone who may review them.
    pending: Option<usize>,
}

/// The message key naming a step.
pub fn step_key(step: Step) -> &'static str {
    match step {
        Step::Consent => "step-consent",
        Step::Demographics => "step-demographics",
        Step::Face => "step-face",
        Step::Fingerprints => "step-fingerprints",
        Step::Review => "step-review",
    }
}

fn status_line<I>(
    ui: &mut egui::Ui,
    view: &View<'_>,
    label: &str,
    status: Option<&DeviceStatus<I>>,
    detail: impl Fn(&I) -> String,
) -> bool {
    let t = view.i18n;
    let mut retry = false;
    ui.horizontal(|ui| {
        ui.label(egui::RichText::new(label).strong());
        match status {
            None | Some(DeviceStatus::Connecting) => {
                ui.label(t.t("device-connecting"));
            }
            Some(DeviceStatus::Connected(info)) => {
                ui.label(
                    egui::RichText::new(t.t_args("device-connected", &[("detail", detail(info).into())]))
                        .color(theme::OK),
                );
            }
            Some(DeviceStatus::Failed(why)) => {
                ui.label(
                    egui::RichText::new(t.t_args("device-failed", &[("detail", t.notice(why).into())]))
                        .color(theme::ERROR),
                );
                retry = ui.button(t.t("device-retry")).clicked();
            }
        }
    });
    retry
}

impl HomeScreen {
    /// Home for `operator`, with today's count and their drafts (`workflow::report::home`).
    pub fn new(operator: Operator, figures: crate::workflow::report::HomeFigures) -> Self {
        let crate::workflow::report::HomeFigures { today, drafts, pending } = figures;
        HomeScreen { operator, message: None, today, drafts, pending }
    }

    /// Draws home.
    pub fn ui(&mut self, ui: &mut egui::Ui, view: &View<'_>, actions: &mut Vec<Action>) {
        let t = view.i18n;
        ui.heading(t.t_args("home-welcome", &[("name", self.operator.display_name.clone().into())]));
        ui.label(t.t_args("home-today", &[("count", self.today.into())]));
        match &self.message {
            Some(HomeMessage::ConsentRefused) => {
                ui.label(t.t("consent-refused"));
            }
            Some(HomeMessage::Error(notice)) => theme::error(ui, &t.notice(notice)),
            None => {}
        }
        ui.add_space(8.0);
        if theme::primary_button(ui, &t.t("home-start")).clicked() {
            actions.push(Action::StartEnrollment);
        }

        if let Some(pending) = self.pending {
            ui.add_space(8.0);
            ui.label(egui::RichText::new(t.t("home-supervisor")).strong());
            ui.horizontal_wrapped(|ui| {
                if ui.button(t.t_args("home-review", &[("count", pending.into())])).clicked() {
                    actions.push(Action::OpenQueue);
                }
                if self.operator.may(Permission::ExportBatch) && ui.button(t.t("home-close-day")).clicked() {
                    actions.push(Action::OpenCloseDay);
                }
                if ui.button(t.t("home-report")).clicked() {
                    actions.push(Action::OpenReport);
                }
            });
        }

        if view.facts.training && self.operator.may(Permission::RunPilot) {
            ui.add_space(8.0);
            if ui.button(t.t("home-trainer")).clicked() {
                actions.push(Action::OpenTrainer);
            }
        }

        if !self.drafts.is_empty() {
            ui.add_space(8.0);
            ui.label(egui::RichText::new(t.t("home-drafts")).strong());
            for d in &self.drafts {
                ui.horizontal(|ui| {
                    let name = if d.name.is_empty() { t.t("home-no-name") } else { d.name.clone() };
                    ui.label(t.t_args(
                        "home-draft-line",
                        &[
                            ("name", name.into()),
                            ("step", t.t(step_key(d.step)).into()),
                            ("at", d.updated_at.clone().into()),
                        ],
                    ));
                    if ui.button(t.t("home-resume")).clicked() {
                        actions.push(Action::Resume(d.id));
                    }
                    if ui.button(t.t("home-abandon")).clicked() {
                        actions.push(Action::Abandon(d.id));
                    }
                });
            }
        }

        ui.add_space(8.0);
        ui.label(egui::RichText::new(t.t("home-devices")).strong());
        if status_line(ui, view, &t.t("home-reader"), view.reader, |i| {
            format!("{} {}{}", i.profile, i.serial, i.baud.map(|b| format!(", {b} baud")).unwrap_or_default())
        }) {
            actions.push(Action::RetryReader);
        }
        if status_line(ui, view, &t.t("home-camera"), view.camera, |i| format!("{} ({})", i.name, i.format)) {
            actions.push(Action::RetryCamera);
        }
    }
}
