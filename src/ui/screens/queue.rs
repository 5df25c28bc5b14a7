//! The supervisor's review queue: pending packets with their flags, one packet opened in full,
//! approve, reject with a reason, approve all clean packets after one confirmation.

use super::fingers::finger_key;
use super::{View, image_texture};
use crate::domain::biometrics::FingerPosition;
use crate::domain::status::RejectReason;
use crate::ui::{Action, theme};
use crate::workflow::Operator;
use crate::workflow::review::{PacketDetail, QueueItem};

/// What the last decision did, translated when drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueueNotice {
    /// One packet approved.
    Approved(String),
    /// One packet rejected.
    Rejected(String),
    /// Clean packets approved together.
    ApprovedAll(usize),
    /// A refusal or failure with its next step, worded when drawn.
    Error(crate::domain::notice::Notice),
}

/// One packet opened for a decision.
struct Opened {
    detail: PacketDetail,
    face: Option<egui::TextureHandle>,
    exception_photo: Option<egui::TextureHandle>,
    prints: Vec<(FingerPosition, egui::TextureHandle)>,
    textures_loaded: bool,
    reason: Option<RejectReason>,
    note: String,
}

/// The review queue screen.
pub struct QueueScreen {
    /// Who is reviewing.
    pub operator: Operator,
    items: Vec<QueueItem>,
    opened: Option<Opened>,
    confirm_all: bool,
    /// The last decision's outcome.
    pub notice: Option<QueueNotice>,
}

impl std::fmt::Debug for QueueScreen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueueScreen").field("items", &self.items.len()).finish()
    }
}

/// The message key of a rejection reason.
pub fn reason_key(r: RejectReason) -> &'static str {
    match r {
        RejectReason::PoorPhoto => "reason-poor-photo",
        RejectReason::PoorPrints => "reason-poor-prints",
        RejectReason::WrongDetails => "reason-wrong-details",
        RejectReason::SuspectedDuplicate => "reason-suspected-duplicate",
        RejectReason::DocumentsOrConsent => "reason-documents-or-consent",
        RejectReason::Other => "reason-other",
    }
}

/// `person` as "field: value" lines, nested objects joined with dots, so every detail the
/// packet holds is on screen.
impl QueueScreen {
    /// The queue as read now.
    pub fn new(operator: Operator, items: Vec<QueueItem>) -> Self {
        QueueScreen { operator, items, opened: None, confirm_all: false, notice: None }
    }

    /// Replaces the list after a decision, closing the opened packet.
    pub fn refreshed(&mut self, items: Vec<QueueItem>, notice: QueueNotice) {
        self.items = items;
        self.opened = None;
        self.confirm_all = false;
        self.notice = Some(notice);
    }

    /// Opens a packet (or shows why it cannot be).
    pub fn open(&mut self, detail: Result<PacketDetail, crate::domain::notice::Notice>) {
        match detail {
            Ok(detail) => {
                self.opened = Some(Opened {
                    detail,
                    face: None,
                    exception_photo: None,
                    prints: Vec::new(),
                    textures_loaded: false,
                    reason: None,
                    note: String::new(),
                })
            }
            Err(e) => self.notice = Some(QueueNotice::Error(e)),
        }
    }

    /// Shows an error, keeping the packet open so nothing typed is lost.
    pub fn failed(&mut self, e: crate::domain::notice::Notice) {
        self.confirm_all = false;
        self.notice = Some(QueueNotice::Error(e));
    }

    /// The packets listed.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether nothing is waiting.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    fn clean_count(&self) -> usize {
        self.items.iter().filter(|i| i.is_clean() && i.row.account_id != self.operator.account_id).count()
    }

    /// Draws the queue, or the opened packet.
    pub fn ui(&mut self, ui: &mut egui::Ui, view: &View<'_>, actions: &mut Vec<Action>) {
        let t = view.i18n;
        ui.heading(t.t("queue-title"));
        match &self.notice {
            Some(QueueNotice::Approved(rid)) => {
                ui.colored_label(theme::OK, t.t_args("queue-approved", &[("rid", rid.clone().into())]));
            }
            Some(QueueNotice::Rejected(rid)) => {
                ui.colored_label(theme::OK, t.t_args("queue-rejected", &[("rid", rid.clone().into())]));
            }
            Some(QueueNotice::ApprovedAll(n)) => {
                ui.colored_label(theme::OK, t.t_args("queue-approved-all", &[("count", (*n).into())]));
            }
            Some(QueueNotice::Error(e)) => theme::error(ui, &t.notice(e)),
            None => {}
        }
        if self.opened.is_some() {
            self.packet_ui(ui, view, actions);
            return;
        }
        if ui.button(t.t("back-home")).clicked() {
            actions.push(Action::Home);
        }
        if self.items.is_empty() {
            ui.label(t.t("queue-empty"));
            return;
        }
        ui.label(t.t_args("queue-count", &[("count", self.items.len().into())]));
        let clean = self.clean_count();
        if self.confirm_all {
            egui::Frame::group(ui.style()).show(ui, |ui| {
                ui.label(t.t_args("queue-confirm-all", &[("count", clean.into())]));
                ui.horizontal(|ui| {
                    if theme::primary_button(ui, &t.t_args("queue-confirm-yes", &[("count", clean.into())])).clicked() {
                        actions.push(Action::ApproveAllClean);
                    }
                    if ui.button(t.t("queue-confirm-no")).clicked() {
                        self.confirm_all = false;
                    }
                });
            });
        } else if clean > 0 && ui.button(t.t_args("queue-approve-all", &[("count", clean.into())])).clicked() {
            self.confirm_all = true;
        }
        ui.add_space(8.0);
        egui::Grid::new("queue").num_columns(6).striped(true).spacing([16.0, 6.0]).show(ui, |ui| {
            for key in ["queue-rid", "queue-name", "queue-time", "queue-assistant", "queue-quality", "queue-flags"] {
                theme::column_heading(ui, &t.t(key));
            }
            ui.end_row();
            for item in &self.items {
                if ui.button(&item.row.rid).on_hover_text(t.t("queue-open")).clicked() {
                    actions.push(Action::OpenPacket(item.row.rid.clone()));
                }
                ui.label(&item.row.display_name);
                let at = view.facts.local_minute(&item.row.created_at);
                ui.label(at.get(11..).unwrap_or(&at));
                ui.label(&item.assistant);
                ui.label(item.min_quality.map_or("–".to_string(), |q| q.to_string()));
                let mut flags = Vec::new();
                if item.forced > 0 {
                    flags.push(t.t_args("queue-flag-forced", &[("count", item.forced.into())]));
                }
                if item.exceptions > 0 {
                    flags.push(t.t_args("queue-flag-exceptions", &[("count", item.exceptions.into())]));
                }
                for rid in &item.duplicates {
                    flags.push(t.t_args("queue-flag-duplicate", &[("rid", rid.clone().into())]));
                }
                if flags.is_empty() {
                    ui.colored_label(theme::OK, t.t("queue-flag-clean"));
                } else {
                    ui.vertical(|ui| {
                        for flag in &flags {
                            theme::cell_text(ui, flag, theme::ERROR);
                        }
                    });
                }
                ui.end_row();
            }
        });
    }

    fn packet_ui(&mut self, ui: &mut egui::Ui, view: &View<'_>, actions: &mut Vec<Action>) {
        let t = view.i18n;
        let Some(o) = self.opened.as_mut() else { return };
        if !o.textures_loaded {
            let rid = &o.detail.row.rid;
            o.face = image_texture(ui.ctx(), &format!("queue-face-{rid}"), &o.detail.face_jpeg);
            o.exception_photo = o
                .detail
                .exception_photo
                .as_ref()
                .and_then(|jpeg| image_texture(ui.ctx(), &format!("queue-exception-{rid}"), jpeg));
            o.prints = o
                .detail
                .prints
                .iter()
                .filter_map(|(p, png)| {
                    image_texture(ui.ctx(), &format!("queue-print-{rid}-{}", p.code()), png).map(|t| (*p, t))
                })
                .collect();
            o.textures_loaded = true;
        }
        let json = &o.detail.json;
        if ui.button(t.t("queue-back")).clicked() {
            self.opened = None;
            return;
        }
        ui.label(egui::RichText::new(format!("{} — {}", json.person.display_name(), json.rid)).size(20.0).strong());
        ui.label(t.t_args(
            "queue-captured-by",
            &[("assistant", json.assistant.clone().into()), ("at", view.facts.local_minute(&json.created_at).into())],
        ));
        for d in &json.possible_duplicates {
            theme::error(ui, &t.t_args("queue-flag-duplicate", &[("rid", d.rid.clone().into())]));
        }
        ui.horizontal_top(|ui| {
            if let Some(face) = &o.face {
                let size = face.size_vec2();
                ui.image((face.id(), size * (220.0 / size.y.max(1.0))));
            }
            super::demographics::person_grid(ui, t, "queue-person", &json.person, &view.facts.admin_units);
        });
        ui.add_space(8.0);
        ui.label(egui::RichText::new(t.t("step-fingerprints")).strong());
        egui::Grid::new("queue-prints").num_columns(5).show(ui, |ui| {
            for (i, entry) in json.fingers.iter().enumerate() {
                ui.vertical(|ui| {
                    ui.label(t.t(finger_key(entry.position)));
                    if let Some((_, tex)) = o.prints.iter().find(|(p, _)| *p == entry.position) {
                        let size = tex.size_vec2();
                        ui.image((tex.id(), size * (110.0 / size.y.max(1.0))));
                    }
                    match (&entry.capture, &entry.exception) {
                        (Some(c), _) if c.force_captured => {
                            ui.colored_label(theme::ERROR, t.t_args("finger-forced", &[("q", c.quality.into())]));
                            if let Some(why) = &c.force_reason {
                                theme::cell_text(ui, why, theme::ERROR);
                            }
                        }
                        (Some(c), _) => {
                            ui.label(t.t_args("finger-quality", &[("q", c.quality.into())]));
                        }
                        (None, Some(e)) => {
                            ui.colored_label(theme::ERROR, super::fingers::exception_text(t, e));
                        }
                        (None, None) => {
                            ui.label(t.t("finger-empty"));
                        }
                    }
                });
                if i % 5 == 4 {
                    ui.end_row();
                }
            }
        });
        if let Some(photo) = &o.exception_photo {
            ui.label(egui::RichText::new(t.t("review-exception-photo")).strong());
            let size = photo.size_vec2();
            ui.image((photo.id(), size * (160.0 / size.y.max(1.0))));
        }
        ui.separator();
        let rid = o.detail.row.rid.clone();
        let own = o.detail.row.account_id == self.operator.account_id;
        if own {
            ui.label(t.t("queue-own"));
        }
        ui.add_enabled_ui(!own, |ui| {
            if theme::primary_button(ui, &t.t("queue-approve")).clicked() {
                actions.push(Action::Approve(rid.clone()));
            }
            ui.add_space(8.0);
            let label = ui.label(t.t("queue-reason"));
            egui::ComboBox::from_id_salt("queue-reason")
                .selected_text(o.reason.map(|r| t.t(reason_key(r))).unwrap_or_else(|| t.t("queue-choose-reason")))
                .width(theme::COLUMN_WIDTH)
                .show_ui(ui, |ui| {
                    for r in RejectReason::ALL {
                        ui.selectable_value(&mut o.reason, Some(r), t.t(reason_key(r)));
                    }
                })
                .response
                .labelled_by(label.id);
            let label = ui.label(t.t("queue-note"));
            ui.add(egui::TextEdit::singleline(&mut o.note).desired_width(theme::COLUMN_WIDTH)).labelled_by(label.id);
            if ui.add_enabled(o.reason.is_some(), egui::Button::new(t.t("queue-reject"))).clicked()
                && let Some(reason) = o.reason
            {
                actions.push(Action::Reject { rid, reason, note: o.note.clone() });
            }
        });
    }
}
