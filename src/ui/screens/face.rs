//! The face step: live preview with the face checks beside it (each failed check an
//! instruction), a photo that takes itself after a few passing frames, capture and retake.

use super::View;
use crate::biometrics::face::{FaceCheck, FaceReport, stored_checks};
use crate::domain::biometrics::{DeviceRef, FacePhoto};
use crate::domain::notice::Notice;
use crate::ui::theme;
use crate::workflow::devices::RgbFrame;
use crate::workflow::face::{AUTO_CAPTURE_FRAMES, Checked, FaceCheckWorker};

/// Largest side of the preview on screen, in points.
const PREVIEW_SIDE: f32 = 360.0;
/// JPEG quality of a stored face photo.
const JPEG_QUALITY: u8 = 90;

/// The preview and the photo taken.
#[derive(Default)]
pub struct FaceStep {
    preview: Option<egui::TextureHandle>,
    latest: Option<RgbFrame>,
    seen: u64,
    photo: Option<egui::TextureHandle>,
    error: Option<crate::domain::notice::Notice>,
    checks: Option<FaceCheckWorker>,
    checked: Option<Checked>,
    auto_taken: bool,
    /// The camera the preview and checks follow.
    source: Option<crate::workflow::devices::FrameSource>,
}

/// The message key of a failed check: what to do about it.
pub fn check_key(check: FaceCheck, report: &FaceReport) -> &'static str {
    match check {
        FaceCheck::OneFace if report.faces == 0 => "face-check-no-face",
        FaceCheck::OneFace => "face-check-several-faces",
        FaceCheck::Centred => "face-check-centred",
        FaceCheck::CloseEnough => "face-check-close-enough",
        FaceCheck::NotTooClose => "face-check-not-too-close",
        FaceCheck::EyesLevel => "face-check-eyes-level",
        FaceCheck::EnoughLight => "face-check-enough-light",
        FaceCheck::NotTooBright => "face-check-not-too-bright",
        FaceCheck::Sharp => "face-check-sharp",
        FaceCheck::PlainBackground => "face-check-plain-background",
    }
}

impl std::fmt::Debug for FaceStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaceStep").field("seen", &self.seen).finish_non_exhaustive()
    }
}

fn texture(ctx: &egui::Context, name: &str, frame: &RgbFrame) -> egui::TextureHandle {
    let image = egui::ColorImage::from_rgb([frame.width as usize, frame.height as usize], &frame.rgb);
    ctx.load_texture(name, image, egui::TextureOptions::LINEAR)
}

/// The box a preview or a photo is drawn in: the same size whatever the camera sends (or whether
/// it sent anything yet), so the buttons below never move under the assistant's hand.
const PREVIEW_BOX: egui::Vec2 = egui::vec2(PREVIEW_SIDE, PREVIEW_SIDE * 0.75);

fn show(ui: &mut egui::Ui, tex: Option<&egui::TextureHandle>, empty: Option<&str>) {
    ui.allocate_ui_with_layout(PREVIEW_BOX, egui::Layout::centered_and_justified(egui::Direction::TopDown), |ui| {
        ui.set_min_size(PREVIEW_BOX);
        match (tex, empty) {
            (Some(tex), _) => {
                let size = tex.size_vec2();
                let scale = (PREVIEW_BOX.x / size.x).min(PREVIEW_BOX.y / size.y).min(1.0);
                ui.image((tex.id(), size * scale));
            }
            (None, Some(text)) => theme::error(ui, text),
            (None, None) => {}
        }
    });
}

fn photo(frame: &RgbFrame, report: Option<&FaceReport>, device: DeviceRef) -> Result<FacePhoto, String> {
    let jpeg = frame.to_jpeg(JPEG_QUALITY).map_err(|e| e.to_string())?;
    Ok(FacePhoto {
        jpeg,
        width: frame.width,
        height: frame.height,
        quality: report.map_or(0, |r| r.score),
        checks: report.map(stored_checks).unwrap_or_default(),
        device,
    })
}

impl FaceStep {
    /// Stops the face checks while another step is on screen.
    pub fn pause(&mut self) {
        self.checks = None;
        // A streak from before is stale: the photo must not take itself from an old frame.
        self.checked = None;
    }

    /// Draws the step: the preview and the photo in boxes of a fixed size, what the checks say
    /// beside them; returns the photo when the assistant takes one (`pressed`: the step bar's
    /// photo button) or it takes itself.
    pub fn ui(&mut self, ui: &mut egui::Ui, view: &View<'_>, has_photo: bool, pressed: bool) -> Option<FacePhoto> {
        let t = view.i18n;
        ui.heading(t.t("face-title"));
        ui.label(t.t("face-instructions"));
        if let Some(worker) = view.camera_worker {
            // A camera opened again (a retry, a training scenario's change of scene) numbers its
            // frames afresh: follow it from its first frame, with checks of its own.
            let source = worker.source();
            if !self.source.as_ref().is_some_and(|s| s.same_as(&source)) {
                self.seen = 0;
                self.pause();
                self.source = Some(source);
            }
            if let Some((n, frame)) = worker.frame_since(self.seen) {
                self.seen = n;
                self.preview = Some(texture(ui.ctx(), "face-preview", &frame));
                self.latest = Some(frame);
            }
            if self.checks.is_none() {
                let ctx = ui.ctx().clone();
                self.checks = Some(FaceCheckWorker::start(worker.source(), move || ctx.request_repaint()));
            }
        }
        if let Some(checks) = &self.checks
            && let Some(c) = checks.checked_since(self.checked.as_ref().map_or(0, |c| c.seq))
        {
            self.checked = Some(c);
        }
        let mut taken = None;
        ui.horizontal_top(|ui| {
            show(ui, self.preview.as_ref(), Some(&t.t("face-no-camera")));
            show(ui, self.photo.as_ref().filter(|_| has_photo), None);
            // Beside the pictures, not below them: in view on a netbook's 600 rows.
            ui.vertical(|ui| self.status_ui(ui, view, has_photo));
        });
        let auto = !has_photo && self.checked.as_ref().is_some_and(|c| c.streak >= AUTO_CAPTURE_FRAMES);
        if pressed || auto {
            // The photo is the newest checked frame (with its checks), or the newest frame.
            let chosen = match &self.checked {
                Some(c) => Some((&c.frame, Some(&c.report))),
                None => self.latest.as_ref().map(|f| (f, None)),
            };
            match (chosen, view.camera_worker) {
                (Some((frame, report)), Some(worker)) => {
                    let device = DeviceRef::new(worker.info().profile.clone(), worker.info().name.clone(), false);
                    match photo(frame, report, device) {
                        Ok(p) => {
                            self.photo = Some(texture(ui.ctx(), "face-photo", frame));
                            self.error = None;
                            self.auto_taken = auto && !pressed;
                            taken = Some(p);
                        }
                        Err(e) => self.error = Some(Notice::detail(&e)),
                    }
                }
                _ => self.error = Some(Notice::new("face-no-camera")),
            }
        }
        // A live preview needs frames: ask for the next one at the camera's pace.
        ui.ctx().request_repaint_after(std::time::Duration::from_millis(50));
        taken
    }

    /// What changes from frame to frame, drawn beside the pictures: whether the photo was taken,
    /// each failed check as an instruction, and any error.
    fn status_ui(&self, ui: &mut egui::Ui, view: &View<'_>, has_photo: bool) {
        let t = view.i18n;
        if has_photo && self.photo.is_some() {
            ui.label(t.t(if self.auto_taken { "face-auto-taken" } else { "face-taken" }));
        }
        if let Some(c) = &self.checked {
            let failed = c.report.failed();
            if failed.is_empty() {
                ui.colored_label(
                    theme::OK,
                    t.t_args(
                        "face-all-passed",
                        &[("n", c.streak.min(AUTO_CAPTURE_FRAMES).into()), ("of", AUTO_CAPTURE_FRAMES.into())],
                    ),
                );
            }
            for check in failed {
                theme::error(ui, &t.t(check_key(check, &c.report)));
            }
        }
        if let Some(e) = self.checks.as_ref().and_then(FaceCheckWorker::error) {
            theme::error(ui, &t.notice(&e));
        }
        if let Some(e) = &self.error {
            theme::error(ui, &t.notice(e));
        }
    }

    /// Frames the face checks have judged since the step last opened (tests wait on this, not on
    /// time).
    pub fn frames_checked(&self) -> u64 {
        self.checked.as_ref().map_or(0, |c| c.checks)
    }
}
