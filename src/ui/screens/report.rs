//! The daily report: a day's counts, decisions and print quality, with charts and a CSV copy.

use super::View;
use super::queue::reason_key;
use crate::domain::status::{PacketStatus, RejectReason};
use crate::ui::{Action, theme};
use crate::workflow::Operator;
use crate::workflow::report::{DailyReport, QUALITY_BIN};
use egui_plot::{Bar, BarChart, Plot};

/// The report screen.
#[derive(Debug)]
pub struct ReportScreen {
    /// The supervisor.
    pub operator: Operator,
    date: String,
    report: Option<Result<DailyReport, crate::domain::notice::Notice>>,
    saved: Option<Result<String, crate::domain::notice::Notice>>,
}

/// The message key naming a packet status.
pub fn status_key(s: PacketStatus) -> &'static str {
    match s {
        PacketStatus::PendingReview => "status-pending-review",
        PacketStatus::Approved => "status-approved",
        PacketStatus::Rejected => "status-rejected",
        PacketStatus::Exported => "status-exported",
        PacketStatus::Acknowledged => "status-acknowledged",
    }
}

fn bar_chart(ui: &mut egui::Ui, id: &str, name: &str, bars: Vec<Bar>, x_label: String) {
    Plot::new(id)
        .height(180.0)
        .width(theme::COLUMN_WIDTH)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .include_y(0.0)
        .x_axis_label(x_label)
        .show(ui, |plot| plot.bar_chart(BarChart::new(name, bars).color(theme::PRIMARY)));
}

fn counts(ui: &mut egui::Ui, id: &str, rows: impl IntoIterator<Item = (String, usize)>) {
    egui::Grid::new(id).num_columns(2).striped(true).show(ui, |ui| {
        for (name, n) in rows {
            ui.label(name);
            ui.label(n.to_string());
            ui.end_row();
        }
    });
}

impl ReportScreen {
    /// The screen for `date` (`YYYY-MM-DD`), with its report already read.
    pub fn new(operator: Operator, date: String, report: Result<DailyReport, crate::domain::notice::Notice>) -> Self {
        ReportScreen { operator, date, report: Some(report), saved: None }
    }

    /// Shows another report (or why it could not be made).
    pub fn show(&mut self, report: Result<DailyReport, crate::domain::notice::Notice>) {
        self.report = Some(report);
        self.saved = None;
    }

    /// Records where the CSV went.
    pub fn saved(&mut self, result: Result<String, crate::domain::notice::Notice>) {
        self.saved = Some(result);
    }

    /// The report shown, if it could be made.
    pub fn report(&self) -> Option<&DailyReport> {
        self.report.as_ref().and_then(|r| r.as_ref().ok())
    }

    /// Draws the report.
    pub fn ui(&mut self, ui: &mut egui::Ui, view: &View<'_>, actions: &mut Vec<Action>) {
        let t = view.i18n;
        ui.heading(t.t("report-title"));
        if ui.button(t.t("back-home")).clicked() {
            actions.push(Action::Home);
        }
        ui.horizontal(|ui| {
            let label = ui.label(t.t("report-date"));
            let field = ui.add(egui::TextEdit::singleline(&mut self.date).desired_width(140.0)).labelled_by(label.id);
            let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if ui.button(t.t("report-show")).clicked() || enter {
                actions.push(Action::ShowReport(self.date.trim().to_string()));
            }
        });
        let report = match &self.report {
            None => return,
            Some(Err(e)) => {
                theme::error(ui, &t.notice(e));
                return;
            }
            Some(Ok(r)) => r,
        };
        ui.label(
            egui::RichText::new(t.t_args("report-total", &[("count", report.enrollments.into())])).size(20.0).strong(),
        );
        if report.enrollments == 0 {
            return;
        }
        if ui.button(t.t("report-save-csv")).clicked() {
            actions.push(Action::SaveReportCsv);
        }
        match &self.saved {
            Some(Ok(path)) => {
                ui.colored_label(theme::OK, t.t_args("report-saved", &[("path", path.clone().into())]));
            }
            Some(Err(e)) => theme::error(ui, &t.notice(e)),
            None => {}
        }

        ui.columns(2, |cols| {
            let ui = &mut cols[0];
            ui.label(egui::RichText::new(t.t("report-by-hour")).strong());
            let hours: Vec<Bar> =
                report.by_hour.iter().enumerate().map(|(h, n)| Bar::new(h as f64, *n as f64).width(0.8)).collect();
            bar_chart(ui, "report-hours", &t.t("report-enrollments"), hours, t.t("report-hour-axis"));
            ui.label(egui::RichText::new(t.t("report-quality")).strong());
            let bins: Vec<Bar> = report
                .quality_bins
                .iter()
                .enumerate()
                .map(|(i, n)| {
                    Bar::new((i as f64 + 0.5) * f64::from(QUALITY_BIN), *n as f64).width(f64::from(QUALITY_BIN) * 0.9)
                })
                .collect();
            bar_chart(ui, "report-quality", &t.t("report-prints"), bins, t.t("report-quality-axis"));

            let ui = &mut cols[1];
            ui.label(egui::RichText::new(t.t("report-by-assistant")).strong());
            counts(ui, "report-assistants", report.by_assistant.iter().map(|(k, v)| (k.clone(), *v)));
            ui.label(egui::RichText::new(t.t("report-by-status")).strong());
            counts(
                ui,
                "report-statuses",
                report
                    .by_status
                    .iter()
                    .map(|(k, v)| (PacketStatus::parse(k).map_or_else(|| k.clone(), |s| t.t(status_key(s))), *v)),
            );
            if !report.rejections.is_empty() {
                ui.label(egui::RichText::new(t.t("report-rejections")).strong());
                counts(
                    ui,
                    "report-reasons",
                    report
                        .rejections
                        .iter()
                        .map(|(k, v)| (RejectReason::parse(k).map_or_else(|| k.clone(), |r| t.t(reason_key(r))), *v)),
                );
            }
            counts(
                ui,
                "report-other",
                [
                    (t.t("report-forced"), report.forced_prints),
                    (t.t("report-exceptions"), report.finger_exceptions),
                    (t.t("report-with-exceptions"), report.enrollments_with_exceptions),
                    (t.t("report-duplicates"), report.suspected_duplicates),
                    (t.t("report-flagged"), report.flagged_duplicates),
                ],
            );
        });
    }
}
