//! A training scenario's result: handled right or not, each check, and what was missed.

use super::View;
use crate::domain::scenario::{Scenario, Verdict};
use crate::ui::{Action, theme};

/// The result screen after a scenario run ends.
#[derive(Debug)]
pub struct VerdictScreen {
    /// The scenario run.
    pub scenario: Scenario,
    /// How it was judged.
    pub verdict: Verdict,
}

impl VerdictScreen {
    /// Draws the result.
    pub fn ui(&mut self, ui: &mut egui::Ui, view: &View<'_>, actions: &mut Vec<Action>) {
        let t = view.i18n;
        let lang = t.language().code();
        ui.heading(t.t_args("verdict-title", &[("title", self.scenario.title.get(lang).into())]));
        if self.verdict.passed() {
            ui.label(egui::RichText::new(t.t("verdict-passed")).strong().color(theme::OK));
        } else {
            ui.label(egui::RichText::new(t.t("verdict-failed")).strong().color(theme::ERROR));
        }
        for r in &self.verdict.results {
            if r.passed {
                ui.label(
                    egui::RichText::new(t.t_args("verdict-ok", &[("check", t.t(r.check.key()).into())]))
                        .color(theme::OK),
                );
            } else {
                let text = t.t_args(
                    "verdict-missed",
                    &[("check", t.t(r.check.key()).into()), ("what", t.t(r.check.missed_key()).into())],
                );
                ui.label(egui::RichText::new(text).color(theme::ERROR));
            }
        }
        ui.add_space(8.0);
        if theme::primary_button(ui, &t.t("verdict-back")).clicked() {
            actions.push(Action::Logout);
        }
    }
}
