//! The last screen: the RID in large digits, and the acknowledgement slip.

use super::View;
use crate::ui::{Action, theme};

/// A saved enrollment.
#[derive(Debug)]
pub struct DoneScreen {
    /// Who enrolled.
    pub operator: crate::workflow::Operator,
    /// The RID.
    pub rid: String,
    /// Where the slip was written, or why it was not.
    pub slip: Result<String, crate::domain::notice::Notice>,
}

/// The RID in groups a person can read out: centre, kit, sequence, date, time.
pub fn grouped(rid: &str) -> String {
    if rid.len() != 29 {
        return rid.to_string();
    }
    [&rid[0..5], &rid[5..10], &rid[10..15], &rid[15..23], &rid[23..29]].join(" ")
}

impl DoneScreen {
    /// Draws it.
    pub fn ui(&mut self, ui: &mut egui::Ui, view: &View<'_>, actions: &mut Vec<Action>) {
        let t = view.i18n;
        ui.vertical_centered(|ui| {
            ui.heading(t.t("done-title"));
            ui.label(t.t("done-rid"));
            ui.label(egui::RichText::new(grouped(&self.rid)).monospace().size(40.0).strong());
            match &self.slip {
                Ok(path) => ui.label(t.t_args("done-slip", &[("path", path.clone().into())])),
                Err(e) => ui.label(
                    egui::RichText::new(t.t_args("done-slip-failed", &[("detail", t.notice(e).into())]))
                        .color(theme::ERROR),
                ),
            };
            // The next person is waiting: straight to their consent, home only when asked.
            if theme::primary_button(ui, &t.t("done-next")).clicked() {
                actions.push(Action::StartEnrollment);
            }
            if ui.button(t.t("home-title")).clicked() {
                actions.push(Action::Home);
            }
        });
    }
}
