//! The fingerprint step: a hand diagram with the ten positions and their state, capture with a
//! progress bar while the image streams in, the quality gate, force-capture, exceptions.

use super::View;
use crate::biometrics::quality::Issue;
use crate::domain::biometrics::{DeviceRef, FingerException, FingerPosition, FingerRecord};
use crate::domain::enrollment::{Draft, ExceptionPhoto};
use crate::domain::notice::Notice;
use crate::ui::i18n::I18n;
use crate::ui::{Action, theme};
use crate::workflow::capture::{Judged, Verdict};
use crate::workflow::devices::{CancelToken, CaptureProgress};
use crate::workflow::devices::{DeviceStatus, ReaderEvent};
use crate::workflow::enrollment::Command;
use crate::workflow::slap::Placement;
use crate::workflow::slap::{self, Slap, SlapRequest};

/// The message key naming a finger.
pub fn finger_key(p: FingerPosition) -> &'static str {
    [
        "finger-right-thumb",
        "finger-right-index",
        "finger-right-middle",
        "finger-right-ring",
        "finger-right-little",
        "finger-left-thumb",
        "finger-left-index",
        "finger-left-middle",
        "finger-left-ring",
        "finger-left-little",
    ][usize::from(p.code() - 1)]
}

/// Why a finger is an exception, in words.
pub fn exception_text(t: &I18n, e: &FingerException) -> String {
    match e {
        FingerException::Amputated => t.t("exception-amputated"),
        FingerException::InjuredOrBandaged => t.t("exception-injured"),
        FingerException::UnableToCapture => t.t("exception-unable"),
        FingerException::Other(note) => format!("{}: {note}", t.t("exception-other")),
    }
}

/// A finger's record in words, as review and the packet view show it: quality, or forced with
/// the assistant's reason, or the exception and why.
pub fn record_text(t: &I18n, record: Option<&FingerRecord>) -> String {
    match record {
        None => t.t("finger-empty"),
        Some(FingerRecord::Captured(c)) if c.force_captured => {
            let forced = t.t_args("finger-forced", &[("q", c.quality.into())]);
            match c.force_reason.as_deref() {
                Some(why) => format!("{forced}: {why}"),
                None => forced,
            }
        }
        Some(FingerRecord::Captured(c)) => t.t_args("finger-quality", &[("q", c.quality.into())]),
        Some(FingerRecord::Exception(e)) => format!("{}: {}", t.t("finger-exception"), exception_text(t, e)),
    }
}

/// The message key of a quality issue: what the assistant should do about it.
pub fn issue_key(issue: Issue) -> &'static str {
    match issue {
        Issue::NoFinger => "quality-no-finger",
        Issue::SmallArea => "quality-small-area",
        Issue::Unclear => "quality-unclear",
        Issue::Faint => "quality-faint",
        Issue::Dark => "quality-dark",
        Issue::FewMinutiae => "quality-few-minutiae",
    }
}

/// The step's state.
pub struct FingerStep {
    selected: FingerPosition,
    capturing: Option<CancelToken>,
    progress: Option<CaptureProgress>,
    /// The last capture's verdict and the finger it was for (the selection may have moved on).
    last: Option<(FingerPosition, Judged)>,
    /// A finger whose attempts are used up, waiting for the assistant's decision.
    pending: Option<FingerPosition>,
    /// The finger whose print was recorded last (shown until the selected one has its own).
    shown: FingerPosition,
    print: super::hand::PrintView,
    force_reason: String,
    exception: String,
    exception_note: String,
    error: Option<Notice>,
    /// A slap scanner's placements so far for this person (their hands, their hash chain).
    slaps: Vec<Slap>,
    /// The placement under way on a slap scanner.
    placing: Option<Placement>,
    /// The last placement showed a finger of an earlier one (new, earlier): the same hand twice.
    same_hand: Option<(FingerPosition, FingerPosition)>,
}

impl std::fmt::Debug for FingerStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FingerStep").field("selected", &self.selected).finish_non_exhaustive()
    }
}

impl Default for FingerStep {
    fn default() -> Self {
        FingerStep {
            selected: FingerPosition::ALL[0],
            capturing: None,
            progress: None,
            last: None,
            pending: None,
            shown: FingerPosition::ALL[0],
            print: super::hand::PrintView::default(),
            force_reason: String::new(),
            exception: String::new(),
            exception_note: String::new(),
            error: None,
            slaps: Vec::new(),
            placing: None,
            same_hand: None,
        }
    }
}

/// The next placement with a finger still to take (none: all ten are recorded).
fn next_placement(draft: &Draft) -> Option<Placement> {
    Placement::SLAPS.into_iter().find(|p| p.fingers().iter().any(|f| !draft.fingers.contains_key(f)))
}

fn placement_keys(p: Placement) -> (&'static str, &'static str) {
    match p {
        Placement::LeftSlap => ("fingers-take-left-slap", "fingers-place-left-slap"),
        Placement::RightSlap => ("fingers-take-right-slap", "fingers-place-right-slap"),
        Placement::Thumbs | Placement::Face => ("fingers-take-thumbs", "fingers-place-thumbs"),
    }
}

/// Every finger has a print or an exception.
fn all_recorded(draft: &Draft) -> bool {
    FingerPosition::ALL.iter().all(|p| draft.fingers.contains_key(p))
}

fn state_text(t: &I18n, record: Option<&FingerRecord>) -> String {
    match record {
        None => t.t("finger-empty"),
        Some(FingerRecord::Captured(c)) if c.force_captured => t.t_args("finger-forced", &[("q", c.quality.into())]),
        Some(FingerRecord::Captured(c)) => t.t_args("finger-quality", &[("q", c.quality.into())]),
        Some(FingerRecord::Exception(_)) => t.t("finger-exception"),
    }
}

impl FingerStep {
    /// Whether a capture is running (the app keeps repainting).
    pub fn busy(&self) -> bool {
        self.capturing.is_some()
    }

    /// Remembers the cancel switch of a capture just started.
    pub fn started(&mut self, cancel: CancelToken) {
        self.capturing = Some(cancel);
        self.progress = None;
        self.error = None;
        self.last = None;
        self.pending = None;
    }

    /// Forgets the capture in hand: its reader was replaced and will never report its end.
    pub fn reader_gone(&mut self) {
        if let Some(token) = self.capturing.take() {
            token.cancel();
        }
        self.progress = None;
    }

    /// Cancels the capture under way (its end still comes from the reader).
    pub fn cancel(&self) {
        if let Some(c) = &self.capturing {
            c.cancel();
        }
    }

    /// The step bar's part, right to left: Capture is the step's main action, in the same place
    /// for every finger, and on Space (or Enter until all ten are done: then Enter is Next). Once
    /// all ten are done Next takes the main place and Capture steps aside; while a capture runs,
    /// Cancel.
    pub fn bar(&mut self, ui: &mut egui::Ui, view: &View<'_>, draft: &Draft, actions: &mut Vec<Action>) {
        let t = view.i18n;
        if self.capturing.is_some() {
            if theme::bar_button(ui, &t.t("fingers-cancel")).clicked() {
                actions.push(Action::CancelCapture);
            }
            return;
        }
        let connected = matches!(view.reader, Some(DeviceStatus::Connected(_)));
        let all_done = all_recorded(draft);
        if view.slap_reader {
            self.slap_bar(ui, t, draft, connected, actions);
            return;
        }
        let recorded = draft.fingers.contains_key(&self.selected);
        let label = if recorded { t.t("fingers-recapture") } else { t.t("fingers-capture") };
        if all_done && theme::bar_primary(ui, &t.t("next")).clicked() {
            actions.push(Action::Enroll(Command::Next));
        }
        let clicked = ui
            .add_enabled_ui(connected, |ui| {
                if all_done { theme::bar_button(ui, &label) } else { theme::bar_primary(ui, &label) }
            })
            .inner
            .clicked();
        if !all_done && theme::bar_button(ui, &t.t("next")).clicked() {
            actions.push(Action::Enroll(Command::Next));
        }
        let typing = ui.ctx().egui_wants_keyboard_input();
        let key = ui.input(|i| i.key_pressed(egui::Key::Space) || (!all_done && i.key_pressed(egui::Key::Enter)));
        if connected && (clicked || (key && !typing)) {
            actions.push(Action::CaptureFinger);
        }
    }

    /// The slap scanner's step bar: the next placement is the main action, in the same place
    /// for each, on Space or Enter; once all ten are done, Next.
    fn slap_bar(&mut self, ui: &mut egui::Ui, t: &I18n, draft: &Draft, connected: bool, actions: &mut Vec<Action>) {
        let Some(placement) = next_placement(draft) else {
            if theme::bar_primary(ui, &t.t("next")).clicked() {
                actions.push(Action::Enroll(Command::Next));
            }
            return;
        };
        let clicked = ui
            .add_enabled_ui(connected, |ui| theme::bar_primary(ui, &t.t(placement_keys(placement).0)))
            .inner
            .clicked();
        if theme::bar_button(ui, &t.t("next")).clicked() {
            actions.push(Action::Enroll(Command::Next));
        }
        let typing = ui.ctx().egui_wants_keyboard_input();
        let key = ui.input(|i| i.key_pressed(egui::Key::Space) || i.key_pressed(egui::Key::Enter));
        if connected && (clicked || (key && !typing)) {
            self.placing = Some(placement);
            actions.push(Action::TakeSlap(placement));
        }
    }

    /// What the scanner is asked for `placement`: the person's exceptions, their chain so far,
    /// and their earlier placements to check the hand against.
    pub fn slap_request(&self, placement: Placement, draft: &Draft) -> SlapRequest {
        let exceptions =
            draft.fingers.iter().filter(|(_, r)| matches!(r, FingerRecord::Exception(_))).map(|(p, _)| *p).collect();
        SlapRequest {
            placement,
            exceptions,
            previous_hash: self.slaps.last().map(|s| s.last_hash),
            earlier: self.slaps.iter().filter(|s| s.placement != placement).cloned().collect(),
        }
    }

    /// Takes a reader event; returns the commands offering its prints to the capture gate.
    pub fn on_reader(&mut self, event: ReaderEvent, device: Option<DeviceRef>, threshold: u8) -> Vec<Command> {
        let device = device.unwrap_or(DeviceRef::new("unknown", "unknown", false));
        match event {
            ReaderEvent::Progress(p) => {
                self.progress = Some(p);
                Vec::new()
            }
            ReaderEvent::Status(_) => Vec::new(),
            ReaderEvent::Captured(result) => {
                self.capturing = None;
                self.progress = None;
                match result {
                    Ok(print) => vec![Command::Offer { position: self.selected, print, device, threshold }],
                    Err(e) => {
                        self.error = Some(e);
                        Vec::new()
                    }
                }
            }
            ReaderEvent::Slap(result) => {
                self.capturing = None;
                self.progress = None;
                self.placing = None;
                self.same_hand = None;
                match result {
                    Ok(taken) => match taken.repeated {
                        Some(r) => {
                            self.same_hand = Some((r.second, r.first));
                            Vec::new()
                        }
                        None => {
                            let offers = slap::offers(&taken.slap, &device, threshold);
                            self.slaps.push(taken.slap);
                            offers
                        }
                    },
                    Err(e) => {
                        self.error = Some(e);
                        Vec::new()
                    }
                }
            }
        }
    }

    /// The gate's judgement of the print offered for `position`: an accepted print moves the
    /// selection on; used-up attempts open the force-capture choice.
    pub fn judged(&mut self, position: FingerPosition, judged: Judged, draft: &Draft) {
        match judged.verdict {
            Verdict::Accept => {
                self.shown = position;
                self.advance(draft, position);
            }
            Verdict::RetryOrForce => self.pending = Some(position),
            Verdict::Retry => {}
        }
        self.last = Some((position, judged));
    }

    /// The finger selected.
    pub fn selected(&self) -> FingerPosition {
        self.selected
    }

    /// Whether Enter means Next on this step: all ten fingers recorded and no capture running.
    pub fn enter_is_next(&self, draft: &Draft) -> bool {
        all_recorded(draft) && !self.busy()
    }

    /// Moves the selection to the next finger with nothing recorded.
    fn advance(&mut self, draft: &Draft, just_done: FingerPosition) {
        let next = FingerPosition::ALL.into_iter().find(|p| *p != just_done && !draft.fingers.contains_key(p));
        if let Some(next) = next {
            self.selected = next;
        }
    }

    /// Draws the step: the finger buttons, and beside them the hands and the print in view.
    pub fn ui(&mut self, ui: &mut egui::Ui, view: &View<'_>, draft: &Draft, actions: &mut Vec<Action>) {
        let t = view.i18n;
        ui.heading(t.t("fingers-title"));
        let side = super::hand::WIDTH + 16.0;
        ui.horizontal_top(|ui| {
            let buttons = (ui.available_width() - side).max(theme::COLUMN_WIDTH / 2.0);
            ui.vertical(|ui| {
                ui.set_max_width(buttons);
                self.finger_buttons(ui, t, draft);
            });
            if let Some(p) = super::hand::diagram(ui, t, draft, self.selected, !self.busy()) {
                self.select(p);
            }
        });
        self.exception_ui(ui, view, draft, actions);
    }

    /// The print in view with its quality bar: the selected finger's once it has one, else the
    /// last one recorded.
    pub fn print_ui(&mut self, ui: &mut egui::Ui, view: &View<'_>, draft: &Draft) {
        let shown = if draft.fingers.contains_key(&self.selected) { self.selected } else { self.shown };
        self.print.ui(ui, view.i18n, draft, shown, view.reader_min_quality);
    }

    fn select(&mut self, p: FingerPosition) {
        self.selected = p;
        self.last = None;
        self.pending = None;
    }

    fn finger_buttons(&mut self, ui: &mut egui::Ui, t: &I18n, draft: &Draft) {
        for (hand, positions) in [("hand-right", &FingerPosition::ALL[..5]), ("hand-left", &FingerPosition::ALL[5..])] {
            ui.label(egui::RichText::new(t.t(hand)).strong());
            ui.horizontal_wrapped(|ui| {
                for p in positions {
                    let text = format!("{}\n{}", t.t(finger_key(*p)), state_text(t, draft.fingers.get(p)));
                    let button = egui::Button::selectable(self.selected == *p, text)
                        .min_size(egui::vec2(120.0, theme::TARGET_HEIGHT * 1.4));
                    if ui.add_enabled(!self.busy(), button).clicked() {
                        self.select(*p);
                    }
                }
            });
        }
    }

    /// What the capture in hand says, drawn in the step bar above its buttons so that it is in
    /// view whatever the window's height: where to put which finger, the transfer, the verdict
    /// with what to do, and the force-capture choice after the allowed attempts.
    pub fn status_ui(
        &mut self,
        ui: &mut egui::Ui,
        view: &View<'_>,
        draft: &Draft,
        best: Option<u8>,
        actions: &mut Vec<Action>,
    ) {
        let t = view.i18n;
        let p = self.selected;
        if view.slap_reader {
            if let Some(placement) = self.placing.or_else(|| next_placement(draft)) {
                ui.label(t.t(placement_keys(placement).1));
            }
        } else if !draft.fingers.contains_key(&p) || self.capturing.is_some() {
            // Once a finger has its print, "place it" would ask for it again: only a recapture does.
            ui.label(t.t_args("fingers-place", &[("finger", t.t(finger_key(p)).into())]));
        }
        match &self.capturing {
            Some(_) => {
                match self.progress {
                    Some(CaptureProgress::Receiving { done, total }) => {
                        ui.label(t.t("fingers-receiving"));
                        ui.add(egui::ProgressBar::new(done as f32 / total.max(1) as f32).show_percentage());
                    }
                    _ => {
                        ui.label(t.t("fingers-waiting"));
                        ui.add(egui::Spinner::new());
                    }
                }
                // At least every 100 ms while the image streams in.
                ui.ctx().request_repaint_after(std::time::Duration::from_millis(100));
            }
            None => {
                if all_recorded(draft) {
                    ui.label(egui::RichText::new(t.t("fingers-all-done")).strong().color(theme::OK));
                }
                if let Some(DeviceStatus::Failed(why)) = view.reader {
                    theme::error(ui, &t.notice(why));
                }
            }
        }
        if let Some((finger, j)) = &self.last {
            ui.label(t.t_args(
                "fingers-result",
                &[
                    ("finger", t.t(finger_key(*finger)).into()),
                    ("q", j.quality.into()),
                    ("min", view.reader_min_quality.into()),
                    ("n", j.attempt.into()),
                ],
            ));
            for issue in &j.issues {
                theme::error(ui, &t.t(issue_key(*issue)));
            }
            if j.verdict != Verdict::Accept {
                theme::error(ui, &t.t("fingers-retry"));
            }
            if j.verdict == Verdict::RetryOrForce
                && let Some(best) = best
            {
                ui.label(t.t_args("fingers-best", &[("q", best.into())]));
            }
        }
        if let Some(e) = &self.error {
            theme::error(ui, &t.notice(e));
        }
        if let Some((new, earlier)) = self.same_hand {
            theme::error(
                ui,
                &t.t_args(
                    "fingers-same-hand",
                    &[("new", t.t(finger_key(new)).into()), ("earlier", t.t(finger_key(earlier)).into())],
                ),
            );
        }
        self.force_ui(ui, t, draft, actions);
    }

    fn force_ui(&mut self, ui: &mut egui::Ui, t: &I18n, draft: &Draft, actions: &mut Vec<Action>) {
        if self.pending.is_none() {
            return;
        }
        let label = ui.label(t.t("fingers-force-reason"));
        ui.add(egui::TextEdit::singleline(&mut self.force_reason).desired_width(theme::COLUMN_WIDTH))
            .labelled_by(label.id);
        let reason = self.force_reason.trim().to_string();
        if ui.add_enabled(!reason.is_empty(), egui::Button::new(t.t("fingers-force"))).clicked()
            && let Some(position) = self.pending.take()
        {
            self.force_reason.clear();
            self.last = None;
            self.shown = position;
            self.advance(draft, position);
            actions.push(Action::Enroll(Command::Force { position, reason }));
        }
    }

    fn exception_ui(&mut self, ui: &mut egui::Ui, view: &View<'_>, draft: &Draft, actions: &mut Vec<Action>) {
        let t = view.i18n;
        // One panel a finger, closed until opened: the one opened for the finger before must not
        // stand open (with its reason still chosen) for the next.
        egui::CollapsingHeader::new(t.t("fingers-mark-exception")).id_salt(("exception", self.selected)).show(
            ui,
            |ui| {
                ui.horizontal_wrapped(|ui| {
                    for (code, key) in [
                        ("amputated", "exception-amputated"),
                        ("injured", "exception-injured"),
                        ("unable", "exception-unable"),
                        ("other", "exception-other"),
                    ] {
                        if ui.selectable_label(self.exception == code, t.t(key)).clicked() {
                            self.exception = code.to_string();
                        }
                    }
                });
                let label = ui.label(t.t("exception-note"));
                ui.add(egui::TextEdit::singleline(&mut self.exception_note).desired_width(theme::COLUMN_WIDTH))
                    .labelled_by(label.id);
                let note = self.exception_note.trim().to_string();
                let reason = match self.exception.as_str() {
                    "amputated" => Some(FingerException::Amputated),
                    "injured" => Some(FingerException::InjuredOrBandaged),
                    "unable" => Some(FingerException::UnableToCapture),
                    "other" if !note.is_empty() => Some(FingerException::Other(note)),
                    _ => None,
                };
                if ui.add_enabled(reason.is_some(), egui::Button::new(t.t("fingers-mark-exception"))).clicked()
                    && let Some(reason) = reason
                {
                    let p = self.selected;
                    self.pending = None;
                    self.advance(draft, p);
                    self.exception.clear();
                    self.exception_note.clear();
                    actions.push(Action::Enroll(Command::Except(p, reason)));
                }
            },
        );
        if draft.has_exception() {
            if draft.exception_photo.is_some() {
                ui.label(egui::RichText::new(t.t("fingers-exception-photo-taken")).color(theme::OK));
            }
            let frame = view.camera_worker.and_then(|w| w.frame_since(0));
            if ui.add_enabled(frame.is_some(), egui::Button::new(t.t("fingers-exception-photo"))).clicked()
                && let Some((_, frame)) = frame
            {
                match frame.to_jpeg(90) {
                    Ok(jpeg) => actions.push(Action::Enroll(Command::SetExceptionPhoto(ExceptionPhoto {
                        jpeg,
                        width: frame.width,
                        height: frame.height,
                    }))),
                    Err(e) => self.error = Some(Notice::detail(&e)),
                }
            }
        }
    }
}
