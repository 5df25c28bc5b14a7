//! What stands above every screen: the training banner, a running scenario's bar with the
//! moves of the people around the kit, the title, the languages and Log out.

use super::i18n::Language;
use super::{Action, KitApp, Screen, theme};

impl KitApp {
    pub(super) fn top_bar(&self, ui: &mut egui::Ui, actions: &mut Vec<Action>) {
        if self.core.facts().training {
            egui::Frame::new().fill(theme::TRAINING).inner_margin(8.0).show(ui, |ui| {
                ui.set_width(ui.available_width());
                ui.label(egui::RichText::new(self.i18n.t("training-banner")).strong().color(theme::ON_TRAINING));
            });
        }
        if let Some(s) = self.core.scenario(self.i18n.language().code()) {
            self.scenario_bar(ui, &s, actions);
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
    fn scenario_bar(&self, ui: &mut egui::Ui, s: &crate::workflow::app::ScenarioView, actions: &mut Vec<Action>) {
        let t = &self.i18n;
        egui::Frame::new().fill(theme::SCENARIO).inner_margin(8.0).show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.label(
                egui::RichText::new(t.t_args(
                    "scenario-bar",
                    &[("title", s.title.clone().into()), ("trainee", s.trainee.clone().into())],
                ))
                .strong(),
            );
            ui.label(&s.brief);
            ui.horizontal_wrapped(|ui| {
                if s.may_plug_back && ui.button(t.t("scenario-plug-back")).clicked() {
                    actions.push(Action::PlugReaderBack);
                }
                if s.may_step_aside && ui.button(t.t("scenario-step-aside")).clicked() {
                    actions.push(Action::StepAside);
                }
                if ui.button(t.t("scenario-end")).clicked() {
                    actions.push(Action::EndScenario);
                }
            });
        });
    }
}
