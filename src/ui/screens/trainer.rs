//! The trainer's screen on a pilot kit: start a scenario for a trainee, see each trainee's
//! figures with a chart of time per enrollment, save them as CSV, and reset the pilot data.

use super::View;
use crate::domain::scenario::Scenario;
use crate::ui::{Action, theme};
use crate::workflow::Operator;
use crate::workflow::scenarios::TraineeFigures;
use egui_plot::{Legend, Line, Plot, PlotPoints};

/// Width of the scenario column and of the chart, in points (the figures take the rest).
const SIDE: f32 = 430.0;

/// The trainer's screen.
#[derive(Debug)]
pub struct TrainerScreen {
    /// The trainer.
    pub operator: Operator,
    scenarios: Result<Vec<Scenario>, crate::domain::notice::Notice>,
    trainees: Vec<String>,
    chosen_trainee: String,
    figures: Result<Vec<TraineeFigures>, crate::domain::notice::Notice>,
    confirm_reset: bool,
    /// What the last action said (saved CSV path, a refusal), worded when drawn.
    pub notice: Option<Result<crate::domain::notice::Notice, crate::domain::notice::Notice>>,
}

impl TrainerScreen {
    /// The screen with the shipped scenarios and the kit's trainees and figures read.
    pub fn new(operator: Operator, figures: Result<Vec<TraineeFigures>, crate::domain::notice::Notice>) -> Self {
        let scenarios = crate::workflow::scenarios::shipped().map_err(|e| crate::domain::notice::Notice::detail(&e));
        let trainees: Vec<String> =
            figures.as_ref().map(|f| f.iter().map(|t| t.username.clone()).collect()).unwrap_or_default();
        let chosen_trainee = trainees.first().cloned().unwrap_or_default();
        TrainerScreen { operator, scenarios, trainees, chosen_trainee, figures, confirm_reset: false, notice: None }
    }

    /// The figures shown (for the CSV).
    pub fn figures(&self) -> Option<&[TraineeFigures]> {
        self.figures.as_ref().ok().map(Vec::as_slice)
    }

    /// Draws the screen.
    pub fn ui(&mut self, ui: &mut egui::Ui, view: &View<'_>, running: Option<(&str, &str)>, actions: &mut Vec<Action>) {
        let t = view.i18n;
        let lang = t.language().code();
        ui.heading(t.t("trainer-title"));
        if ui.button(t.t("trainer-back")).clicked() {
            actions.push(Action::Home);
        }
        match &self.notice {
            Some(Ok(said)) => {
                ui.label(egui::RichText::new(t.notice(said)).color(theme::OK));
            }
            Some(Err(e)) => theme::error(ui, &t.notice(e)),
            None => {}
        }

        // Two columns on a kit's screen: what to run on the left, how trainees are doing on the right.
        ui.horizontal_top(|ui| {
            ui.vertical(|ui| {
                ui.set_width(SIDE);
                ui.add_space(8.0);
                ui.label(egui::RichText::new(t.t("trainer-scenarios")).strong());
                if let Some((title, trainee)) = running {
                    ui.label(t.t_args("trainer-running", &[("title", title.into()), ("trainee", trainee.into())]));
                } else if self.trainees.is_empty() {
                    ui.label(t.t("trainer-no-trainees"));
                } else {
                    ui.label(t.t("trainer-scenarios-help"));
                    egui::ComboBox::from_label(t.t("trainer-trainee"))
                        .selected_text(self.chosen_trainee.clone())
                        .show_ui(ui, |ui| {
                            for name in &self.trainees {
                                ui.selectable_value(&mut self.chosen_trainee, name.clone(), name);
                            }
                        });
                    match &self.scenarios {
                        Ok(list) => {
                            for s in list {
                                egui::Frame::group(ui.style()).show(ui, |ui| {
                                    ui.set_width(SIDE - 16.0);
                                    ui.label(egui::RichText::new(s.title.get(lang)).strong());
                                    ui.label(s.brief.get(lang));
                                    let start =
                                        ui.button(t.t_args("trainer-start", &[("title", s.title.get(lang).into())]));
                                    if start.clicked() {
                                        actions.push(Action::StartScenario {
                                            scenario: s.id.clone(),
                                            trainee: self.chosen_trainee.clone(),
                                        });
                                    }
                                });
                            }
                        }
                        Err(e) => theme::error(ui, &t.notice(e)),
                    }
                }
            });
            ui.vertical(|ui| {
                ui.add_space(12.0);
                ui.label(egui::RichText::new(t.t("trainer-figures")).strong());
                match &self.figures {
                    Ok(figures) => {
                        figures_table(ui, view, figures);
                        time_chart(ui, view, figures);
                        if ui.button(t.t("trainer-save-csv")).clicked() {
                            actions.push(Action::SaveTraineeCsv);
                        }
                    }
                    Err(e) => theme::error(ui, &t.notice(e)),
                }

                ui.add_space(12.0);
                ui.label(egui::RichText::new(t.t("trainer-reset")).strong());
                if self.confirm_reset {
                    ui.label(egui::RichText::new(t.t("trainer-reset-warning")).color(theme::ERROR));
                    ui.horizontal(|ui| {
                        if ui.button(t.t("trainer-reset-confirm")).clicked() {
                            self.confirm_reset = false;
                            actions.push(Action::ResetPilot);
                        }
                        if ui.button(t.t("trainer-reset-cancel")).clicked() {
                            self.confirm_reset = false;
                        }
                    });
                } else if ui.button(t.t("trainer-reset-start")).clicked() {
                    self.confirm_reset = true;
                }
            });
        });
    }
}

fn figures_table(ui: &mut egui::Ui, view: &View<'_>, figures: &[TraineeFigures]) {
    let t = view.i18n;
    egui::Grid::new("trainee-figures").num_columns(6).striped(true).show(ui, |ui| {
        for key in [
            "trainer-col-trainee",
            "trainer-col-enrollments",
            "trainer-col-median",
            "trainer-col-retakes",
            "trainer-col-validation",
            "trainer-col-scenarios",
        ] {
            theme::column_heading(ui, &t.t(key));
        }
        ui.end_row();
        for f in figures {
            ui.label(&f.display_name);
            ui.label(f.enrollments.to_string());
            ui.label(
                f.median_seconds()
                    .map(|s| t.t_args("trainer-seconds", &[("seconds", format!("{s:.0}").into())]))
                    .unwrap_or_else(|| "—".into()),
            );
            ui.label(f.retakes.to_string());
            ui.label(f.validation_errors.to_string());
            ui.label(format!("{} / {}", f.scenarios_passed, f.scenarios_run));
            ui.end_row();
        }
    });
}

fn time_chart(ui: &mut egui::Ui, view: &View<'_>, figures: &[TraineeFigures]) {
    if figures.iter().all(|f| f.seconds.is_empty()) {
        return;
    }
    let t = view.i18n;
    ui.label(t.t("trainer-chart"));
    Plot::new("seconds-per-enrollment")
        .height(200.0)
        .width(SIDE)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .include_y(0.0)
        .legend(Legend::default())
        .x_axis_label(t.t("trainer-chart-x"))
        .show(ui, |plot| {
            for f in figures.iter().filter(|f| !f.seconds.is_empty()) {
                let points: PlotPoints<'_> = f.seconds.iter().enumerate().map(|(i, s)| [i as f64 + 1.0, *s]).collect();
                plot.line(Line::new(f.username.clone(), points));
            }
        });
}
