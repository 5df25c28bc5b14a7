//! The window before the kit is open: a passphrase kit stays locked until a supervisor types
//! the day's passphrase; then the kit's own screens take over.

use super::i18n::{I18n, Language};
use super::{KitApp, theme};
use crate::workflow::unlock::{Locked, Opened, UnlockOutcome, UnlockWorker};

/// The whole window: locked, or the kit app.
pub enum KitWindow {
    /// A passphrase kit before its unlock.
    Locked(Box<UnlockScreen>),
    /// The kit is open.
    Open(Box<KitApp>),
}

/// Builds the app once the kit is open (device choices, a tour, a first-frame exit).
pub type OpenApp = Box<dyn FnMut(Opened) -> Result<KitApp, String>>;

/// The unlock form and the attempt under way.
pub struct UnlockScreen {
    locked: Locked,
    i18n: I18n,
    passphrase: String,
    message: Option<String>,
    worker: Option<UnlockWorker>,
    open: OpenApp,
    styled: bool,
}

impl KitWindow {
    /// A window that asks for the passphrase of `locked`, then opens the app `open` builds.
    pub fn locked(locked: Locked, open: OpenApp) -> Self {
        KitWindow::Locked(Box::new(UnlockScreen {
            locked,
            i18n: I18n::default(),
            passphrase: String::new(),
            message: None,
            worker: None,
            open,
            styled: false,
        }))
    }

    /// Whether the kit is still locked.
    pub fn is_locked(&self) -> bool {
        matches!(self, KitWindow::Locked(_))
    }

    /// The app, once the kit is open.
    pub fn app(&mut self) -> Option<&mut KitApp> {
        match self {
            KitWindow::Open(app) => Some(app),
            KitWindow::Locked(_) => None,
        }
    }

    /// Draws a frame.
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        let opened = match self {
            KitWindow::Open(app) => {
                app.ui(ui);
                return;
            }
            KitWindow::Locked(screen) => screen.ui(ui),
        };
        if let Some(app) = opened {
            *self = KitWindow::Open(Box::new(app));
            ui.ctx().request_repaint();
        }
    }

    /// The window title.
    pub fn training(&self) -> bool {
        match self {
            KitWindow::Open(app) => app.training(),
            KitWindow::Locked(s) => s.locked.training(),
        }
    }
}

impl UnlockScreen {
    /// Draws the form; returns the app when the kit has just opened.
    fn ui(&mut self, ui: &mut egui::Ui) -> Option<KitApp> {
        let ctx = ui.ctx().clone();
        if !self.styled {
            theme::apply(&ctx);
            self.styled = true;
        }
        if let Some(worker) = &self.worker {
            match worker.poll() {
                UnlockOutcome::Working => {}
                UnlockOutcome::Open(kit) => {
                    self.worker = None;
                    match (self.open)(kit) {
                        Ok(app) => return Some(app),
                        Err(e) => self.message = Some(e),
                    }
                }
                UnlockOutcome::WrongPassphrase => {
                    self.worker = None;
                    self.message = Some(self.i18n.t("unlock-wrong"));
                }
                UnlockOutcome::Failed(e) => {
                    self.worker = None;
                    self.message = Some(self.i18n.t_args("unlock-failed", &[("detail", e.to_string().into())]));
                }
            }
        }
        let t = &self.i18n;
        let mut language = None;
        let mut submit = false;
        egui::CentralPanel::default().show(ui, |ui| {
            ui.horizontal(|ui| {
                if ui.selectable_label(t.language() == Language::En, t.t("language-en")).clicked() {
                    language = Some(Language::En);
                }
                if ui.selectable_label(t.language() == Language::Sw, t.t("language-sw")).clicked() {
                    language = Some(Language::Sw);
                }
            });
            ui.vertical_centered(|ui| {
                ui.set_max_width(theme::COLUMN_WIDTH);
                ui.add_space(24.0);
                ui.heading(t.t("unlock-title"));
                ui.label(t.t_args(
                    "unlock-why",
                    &[
                        ("centre", self.locked.centre().to_string().into()),
                        ("kit", self.locked.kit_id().to_string().into()),
                        ("holders", self.locked.holders().join(", ").into()),
                    ],
                ));
                let label = ui.label(t.t("unlock-passphrase"));
                let field = ui
                    .add_enabled(
                        self.worker.is_none(),
                        egui::TextEdit::singleline(&mut self.passphrase).password(true).desired_width(f32::INFINITY),
                    )
                    .labelled_by(label.id);
                if ui.memory(|m| m.focused().is_none()) && self.worker.is_none() {
                    field.request_focus();
                }
                let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                if self.worker.is_some() {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label(t.t("unlock-working"));
                    });
                } else if theme::primary_button(ui, &t.t("unlock-button")).clicked() || enter {
                    submit = true;
                }
                if let Some(message) = &self.message {
                    theme::error(ui, message);
                }
                if self.locked.training() {
                    ui.add_space(16.0);
                    ui.label(
                        t.t_args("unlock-pilot", &[("passphrase", crate::workflow::pilot::PILOT_PASSPHRASE.into())]),
                    );
                }
            });
        });
        if let Some(lang) = language {
            self.i18n.set_language(lang);
        }
        if submit && !self.passphrase.trim().is_empty() {
            self.message = None;
            let typed = zeroize::Zeroizing::new(std::mem::take(&mut self.passphrase));
            let wake = ctx.clone();
            self.worker = Some(self.locked.unlock(&typed, move || wake.request_repaint()));
        }
        None
    }
}

impl Drop for UnlockScreen {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.passphrase);
    }
}

impl eframe::App for KitWindow {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        KitWindow::ui(self, ui);
    }
}
