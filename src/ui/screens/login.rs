//! The login screen: login name, PIN, and the pilot accounts in training mode.

use super::View;
use crate::ui::{Action, theme};
use crate::workflow::pilot::PILOT_ACCOUNTS;

/// Login form state.
#[derive(Debug, Default)]
pub struct LoginScreen {
    username: String,
    pin: String,
    message: Option<String>,
}

impl LoginScreen {
    /// Shows why the login failed and clears the PIN.
    pub fn failed(&mut self, message: String) {
        self.message = Some(message);
        self.pin.clear();
    }

    /// The message shown, if any.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// Draws the form.
    pub fn ui(&mut self, ui: &mut egui::Ui, view: &View<'_>, actions: &mut Vec<Action>) {
        let t = view.i18n;
        ui.vertical_centered(|ui| {
            ui.set_max_width(theme::COLUMN_WIDTH);
            ui.add_space(24.0);
            ui.heading(t.t("login-title"));
            let label = ui.label(t.t("login-username"));
            let name = ui
                .add(egui::TextEdit::singleline(&mut self.username).desired_width(f32::INFINITY))
                .labelled_by(label.id);
            // Keyboard first: the cursor waits in the login name when nothing else has focus.
            if ui.memory(|m| m.focused().is_none()) {
                name.request_focus();
            }
            let label = ui.label(t.t("login-pin"));
            let pin = ui
                .add(egui::TextEdit::singleline(&mut self.pin).password(true).desired_width(f32::INFINITY))
                .labelled_by(label.id);
            let enter = pin.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if theme::primary_button(ui, &t.t("login-button")).clicked() || enter {
                actions.push(Action::Login { username: self.username.trim().to_string(), pin: self.pin.clone() });
            }
            if let Some(message) = &self.message {
                theme::error(ui, message);
            }
            if view.facts.training {
                let [(_, _, _, sup), (_, _, _, trainee), (_, _, _, trainer)] = PILOT_ACCOUNTS;
                ui.add_space(16.0);
                ui.label(t.t_args(
                    "pilot-accounts",
                    &[("trainee", trainee.into()), ("supervisor", sup.into()), ("trainer", trainer.into())],
                ));
            }
        });
    }
}
