//! The review step: everything on one page, a way back to each step, and the PIN to sign off.

use super::fingers::finger_key;
use super::home::step_key;
use super::{View, image_texture};
use crate::domain::biometrics::FingerPosition;
use crate::domain::enrollment::{Draft, Step};
use crate::ui::{Action, theme};
use crate::workflow::enrollment::Command;

/// The sign-off PIN as typed.
#[derive(Default)]
pub struct ReviewStep {
    pin: String,
    face: Option<egui::TextureHandle>,
    exception_photo: Option<egui::TextureHandle>,
    /// The cursor was put in the PIN field (when the step opens, and again after a wrong PIN).
    pin_focused: bool,
    duplicate_faces: std::collections::BTreeMap<String, Option<egui::TextureHandle>>,
}

impl std::fmt::Debug for ReviewStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReviewStep")
    }
}

fn section(ui: &mut egui::Ui, view: &View<'_>, step: Step, actions: &mut Vec<Action>) {
    ui.horizontal(|ui| {
        ui.label(egui::RichText::new(view.i18n.t(step_key(step))).strong());
        if ui.small_button(view.i18n.t("review-change")).clicked() {
            actions.push(Action::Enroll(Command::GoTo(step)));
        }
    });
}

impl ReviewStep {
    /// The duplicate search's verdict: nothing, or each possible duplicate with name and photo.
    pub fn duplicates_ui(
        &mut self,
        ui: &mut egui::Ui,
        view: &View<'_>,
        found: &Result<Vec<crate::workflow::dedup::Match>, crate::domain::notice::Notice>,
    ) {
        let t = view.i18n;
        match found {
            Err(e) => theme::error(ui, &t.t_args("dedup-failed", &[("detail", t.notice(e).into())])),
            Ok(found) if found.is_empty() => {
                ui.colored_label(theme::OK, t.t("dedup-none"));
            }
            Ok(found) => {
                for m in found {
                    egui::Frame::group(ui.style()).stroke(egui::Stroke::new(2.0, theme::ERROR)).show(ui, |ui| {
                        ui.horizontal(|ui| {
                            let tex = self
                                .duplicate_faces
                                .entry(m.rid.clone())
                                .or_insert_with(|| image_texture(ui.ctx(), &format!("dup-{}", m.rid), &m.face_jpeg));
                            if let Some(tex) = tex {
                                let size = tex.size_vec2();
                                ui.image((tex.id(), size * (120.0 / size.y.max(1.0))));
                            }
                            ui.vertical(|ui| {
                                let said = match &m.origin {
                                    None => t.t_args(
                                        "dedup-found",
                                        &[("rid", m.rid.clone().into()), ("name", m.name.clone().into())],
                                    ),
                                    Some(kit) => t.t_args(
                                        "dedup-found-elsewhere",
                                        &[("rid", m.rid.clone().into()), ("kit", kit.clone().into())],
                                    ),
                                };
                                ui.label(egui::RichText::new(said).strong().color(theme::ERROR));
                                ui.label(t.t("dedup-what-to-do"));
                            });
                        });
                    });
                }
            }
        }
    }

    /// Clears the typed PIN (after a failed sign-off).
    pub fn clear_pin(&mut self) {
        self.pin.clear();
        self.pin_focused = false;
    }

    /// Draws the summary and the sign-off.
    pub fn ui(&mut self, ui: &mut egui::Ui, view: &View<'_>, draft: &Draft, actions: &mut Vec<Action>) {
        let t = view.i18n;
        ui.heading(t.t("step-review"));
        section(ui, view, Step::Demographics, actions);
        let units = &view.facts.admin_units;
        // Review opens only once the form passed its step: it reads as the supervisor will see it.
        match draft.form.validate(view.facts.today, units) {
            Ok(person) => super::demographics::person_grid(ui, t, "review-person", &person, units),
            Err(_) => theme::error(ui, &t.t("gap-demographics")),
        }

        section(ui, view, Step::Face, actions);
        if self.face.is_none()
            && let Some(photo) = &draft.face
        {
            self.face = image_texture(ui.ctx(), "review-face", &photo.jpeg);
        }
        if let Some(tex) = &self.face {
            let size = tex.size_vec2();
            ui.image((tex.id(), size * (160.0 / size.y.max(1.0))));
        }

        section(ui, view, Step::Fingerprints, actions);
        egui::Grid::new("review-fingers").num_columns(2).show(ui, |ui| {
            for p in FingerPosition::ALL {
                ui.label(t.t(finger_key(p)));
                ui.label(super::fingers::record_text(t, draft.fingers.get(&p)));
                ui.end_row();
            }
        });
        // The exception photo again, as the supervisor will see it.
        if let Some(photo) = &draft.exception_photo {
            if self.exception_photo.is_none() {
                self.exception_photo = image_texture(ui.ctx(), "review-exception", &photo.jpeg);
            }
            ui.label(egui::RichText::new(t.t("review-exception-photo")).strong());
            if let Some(tex) = &self.exception_photo {
                let size = tex.size_vec2();
                ui.image((tex.id(), size * (160.0 / size.y.max(1.0))));
            }
        }
    }

    /// Forgets the face and exception pictures drawn: one was retaken.
    pub fn forget_pictures(&mut self) {
        self.face = None;
        self.exception_photo = None;
    }

    /// The step bar's part, right to left: Sign and save, then the PIN it needs.
    pub fn sign_bar(&mut self, ui: &mut egui::Ui, view: &View<'_>, actions: &mut Vec<Action>) {
        let t = view.i18n;
        let sign = theme::bar_primary(ui, &t.t("review-sign")).clicked();
        let field = ui.add(egui::TextEdit::singleline(&mut self.pin).password(true).desired_width(140.0));
        let label = ui.label(t.t("review-pin"));
        let field = field.labelled_by(label.id);
        // Keyboard first: the PIN is the one thing to type here.
        if !std::mem::replace(&mut self.pin_focused, true) && ui.memory(|m| m.focused().is_none()) {
            field.request_focus();
        }
        let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if sign || enter {
            actions.push(Action::Enroll(Command::Complete(crate::domain::account::Pin::new(&self.pin))));
        }
    }
}
