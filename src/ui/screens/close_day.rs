//! Close the day: pick where the batch goes (removable drives first), export with a progress
//! bar and a cancel button, and write a past batch again to a second stick.

use super::View;
use crate::ui::{Action, theme};
use crate::workflow::Operator;
use crate::workflow::export::CloseDayFigures;
use crate::workflow::export::{BatchRecord, ExportedBatch};
use crate::workflow::export::{Drive, ExportJob, ExportWorker};

/// How the last export ended, translated when drawn.
#[derive(Debug, Clone)]
pub enum ExportNotice {
    /// A new batch is on the stick.
    Exported(ExportedBatch),
    /// A past batch was copied.
    Copied(ExportedBatch),
    /// Cancelled or failed, with what to do.
    Failed(crate::domain::notice::Notice),
}

/// The close-the-day screen.
#[derive(Debug)]
pub struct CloseDayScreen {
    /// The supervisor.
    pub operator: Operator,
    drives: Vec<Drive>,
    folder: String,
    ready: usize,
    pending: usize,
    training: bool,
    batches: Vec<BatchRecord>,
    /// How the last export ended.
    pub notice: Option<ExportNotice>,
}

impl CloseDayScreen {
    /// The screen with what the kit holds now; the first removable drive is chosen.
    pub fn new(operator: Operator, training: bool, drives: Vec<Drive>, figures: CloseDayFigures) -> Self {
        // Only a stick is chosen for the supervisor; any other folder is a deliberate choice.
        let folder = drives.iter().find(|d| d.removable).map(|d| d.path.display().to_string()).unwrap_or_default();
        let mut s = CloseDayScreen {
            operator,
            drives,
            folder,
            ready: 0,
            pending: 0,
            training,
            batches: Vec::new(),
            notice: None,
        };
        s.refresh(figures);
        s
    }

    /// Takes the counts and the past batches as they are now (after an export ends).
    pub fn refresh(&mut self, figures: CloseDayFigures) {
        self.ready = figures.ready;
        self.pending = figures.pending;
        self.batches = figures.batches;
    }

    /// Draws the screen; `running` is the export under way, if any.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        view: &View<'_>,
        running: Option<&ExportWorker>,
        actions: &mut Vec<Action>,
    ) {
        let t = view.i18n;
        ui.heading(t.t("close-title"));
        match &self.notice {
            Some(ExportNotice::Exported(b)) => {
                ui.colored_label(
                    theme::OK,
                    t.t_args(
                        "close-exported",
                        &[("count", b.record.count.into()), ("path", b.path.display().to_string().into())],
                    ),
                );
            }
            Some(ExportNotice::Copied(b)) => {
                ui.colored_label(
                    theme::OK,
                    t.t_args(
                        "close-copied",
                        &[("id", b.record.id.clone().into()), ("path", b.path.display().to_string().into())],
                    ),
                );
            }
            Some(ExportNotice::Failed(e)) => theme::error(ui, &t.notice(e)),
            None => {}
        }
        if let Some(job) = running {
            let (done, total) = job.progress();
            let fraction = if total == 0 { 0.0 } else { done as f32 / total as f32 };
            ui.label(t.t_args("close-writing", &[("path", job.dest().display().to_string().into())]));
            ui.add(
                egui::ProgressBar::new(fraction)
                    .text(t.t_args("close-progress", &[("done", done.into()), ("total", total.into())]))
                    .desired_width(theme::COLUMN_WIDTH),
            );
            if job.cancelling() {
                ui.label(t.t("close-cancelling"));
            } else if ui.button(t.t("close-cancel")).clicked() {
                actions.push(Action::CancelExport);
            }
            return;
        }
        if ui.button(t.t("back-home")).clicked() {
            actions.push(Action::Home);
        }
        ui.label(t.t_args("close-ready", &[("count", self.ready.into())]));
        if self.pending > 0 {
            ui.colored_label(theme::ERROR, t.t_args("close-pending", &[("count", self.pending.into())]));
        }
        ui.add_space(8.0);
        ui.label(egui::RichText::new(t.t("close-destination")).strong());
        if self.drives.iter().all(|d| !d.removable) {
            ui.label(t.t("close-no-stick"));
        }
        for d in &self.drives {
            let path = d.path.display().to_string();
            let text =
                if d.removable { t.t_args("close-drive", &[("path", path.clone().into())]) } else { path.clone() };
            if ui.selectable_label(self.folder == path, text).clicked() {
                self.folder = path;
            }
        }
        ui.horizontal(|ui| {
            if ui.button(t.t("close-refresh")).clicked() {
                self.drives = crate::workflow::export::suggested_destinations();
            }
        });
        let label = ui.label(t.t("close-folder"));
        ui.add(egui::TextEdit::singleline(&mut self.folder).desired_width(theme::COLUMN_WIDTH)).labelled_by(label.id);
        let dir = std::path::PathBuf::from(self.folder.trim());
        let can_export = self.ready > 0 && !self.folder.trim().is_empty();
        ui.add_space(8.0);
        let export = ui.add_enabled_ui(can_export, |ui| {
            theme::primary_button(ui, &t.t_args("close-export", &[("count", self.ready.into())])).clicked()
        });
        if export.inner {
            actions.push(Action::Export { job: ExportJob::CloseDay { training: self.training }, dir: dir.clone() });
        }

        if !self.batches.is_empty() {
            ui.add_space(12.0);
            ui.label(egui::RichText::new(t.t("close-past")).strong());
            egui::Grid::new("past-batches").num_columns(4).striped(true).show(ui, |ui| {
                for b in &self.batches {
                    ui.label(&b.id);
                    ui.label(view.facts.local_minute(&b.created_at));
                    ui.label(t.t_args("close-batch-count", &[("count", b.count.into())]));
                    if ui
                        .add_enabled(!self.folder.trim().is_empty(), egui::Button::new(t.t("close-copy")))
                        .on_hover_text(t.t("close-copy-hint"))
                        .clicked()
                    {
                        actions
                            .push(Action::Export { job: ExportJob::Copy { batch_id: b.id.clone() }, dir: dir.clone() });
                    }
                    ui.end_row();
                }
            });
        }
    }
}
