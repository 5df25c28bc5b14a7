//! The upload panel on the close-the-day screen: whether the central office answers, what is
//! pending, in flight, acknowledged or refused, with progress, "upload now" and "try again".

use super::View;
use crate::domain::notice::Notice;
use crate::domain::status::UploadStatus;
use crate::ui::{Action, theme};
use crate::workflow::upload::UploadEvent;
use crate::workflow::upload::UploadRow;

/// What the screen knows of the upload worker, kept by the app between screens.
#[derive(Debug, Default)]
pub struct UploadPanel {
    /// kit.toml names a central office.
    pub configured: bool,
    checking: bool,
    reachable: Option<bool>,
    sending: Option<(String, u64, u64)>,
    rows: Vec<UploadRow>,
    last_errors: Vec<(String, Notice)>,
}

impl UploadPanel {
    /// Takes in the worker's events; true when the list of uploads should be read again.
    pub fn on(&mut self, event: UploadEvent) -> bool {
        match event {
            UploadEvent::Checking => self.checking = true,
            UploadEvent::Reachable(r) => {
                self.checking = false;
                self.reachable = Some(r);
            }
            UploadEvent::Progress { batch_id, sent, size } => self.sending = Some((batch_id, sent, size)),
            UploadEvent::Finished(batch, result) => {
                self.sending = None;
                self.last_errors.retain(|(b, _)| *b != batch);
                if let Err(e) = result {
                    self.last_errors.push((batch, e));
                }
                return true;
            }
            UploadEvent::Idle => {
                self.checking = false;
                self.sending = None;
                return true;
            }
        }
        false
    }

    /// Reads the uploads again from the kit.
    pub fn refresh(&mut self, configured: bool, rows: Vec<UploadRow>) {
        self.configured = configured;
        self.rows = rows;
    }

    /// Draws the panel.
    pub fn ui(&self, ui: &mut egui::Ui, view: &View<'_>, actions: &mut Vec<Action>) {
        let t = view.i18n;
        ui.add_space(12.0);
        ui.label(egui::RichText::new(t.t("upload-title")).strong());
        if !self.configured {
            ui.label(t.t("upload-not-configured"));
            return;
        }
        match (self.checking, self.reachable) {
            (true, _) => {
                ui.label(t.t("upload-checking"));
            }
            (false, Some(true)) => {
                ui.colored_label(theme::OK, t.t("upload-reachable"));
            }
            (false, Some(false)) => {
                ui.colored_label(theme::ERROR, t.t("upload-unreachable"));
            }
            (false, None) => {}
        }
        if let Some((batch, sent, size)) = &self.sending {
            let fraction = *sent as f32 / (*size).max(1) as f32;
            ui.add(
                egui::ProgressBar::new(fraction)
                    .text(t.t_args(
                        "upload-sending",
                        &[("batch", batch.clone().into()), ("percent", ((fraction * 100.0) as u32).into())],
                    ))
                    .desired_width(theme::COLUMN_WIDTH),
            );
        } else if ui.add_enabled(!self.checking, egui::Button::new(t.t("upload-now"))).clicked() {
            actions.push(Action::UploadNow);
        }
        egui::Grid::new("uploads").num_columns(3).striped(true).show(ui, |ui| {
            for row in self.rows.iter().filter(|r| r.upload.training == view.facts.training) {
                let u = &row.upload;
                ui.label(&u.batch_id);
                ui.label(t.t_args("close-batch-count", &[("count", row.count.into())]));
                let state = match u.state {
                    UploadStatus::Pending => t.t("upload-state-pending"),
                    UploadStatus::Acknowledged => t.t("upload-state-acknowledged"),
                    UploadStatus::Refused => t.t("upload-state-refused"),
                };
                ui.horizontal(|ui| {
                    if u.state == UploadStatus::Refused {
                        ui.colored_label(theme::ERROR, state);
                        if ui.button(t.t("upload-retry")).clicked() {
                            actions.push(Action::RetryUpload(u.batch_id.clone()));
                        }
                    } else {
                        ui.label(state);
                    }
                });
                ui.end_row();
                let error = self
                    .last_errors
                    .iter()
                    .find(|(b, _)| *b == u.batch_id)
                    .map(|(_, e)| e.clone())
                    .or_else(|| row.last_error.as_deref().map(crate::workflow::upload::last_error_notice));
                if let (Some(e), false) = (error, u.state == UploadStatus::Acknowledged) {
                    ui.label("");
                    ui.label(t.t_args("upload-last-error", &[("error", t.notice(&e).into())]));
                    ui.end_row();
                }
                for (rid, why) in &row.rejected {
                    ui.label("");
                    ui.colored_label(
                        theme::ERROR,
                        t.t_args("upload-rejected", &[("rid", rid.clone().into()), ("reason", why.clone().into())]),
                    );
                    ui.end_row();
                }
            }
        });
    }
}
