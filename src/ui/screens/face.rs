//! The face step: live preview, capture, retake.

use super::View;
use crate::devices::camera::RgbFrame;
use crate::domain::biometrics::{DeviceRef, FacePhoto};
use crate::ui::theme;

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
    error: Option<String>,
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

fn show(ui: &mut egui::Ui, tex: &egui::TextureHandle) {
    let size = tex.size_vec2();
    let scale = (PREVIEW_SIDE / size.x.max(size.y)).min(1.0);
    ui.image((tex.id(), size * scale));
}

impl FaceStep {
    /// Draws the step; returns the photo when the assistant takes one.
    pub fn ui(&mut self, ui: &mut egui::Ui, view: &View<'_>, has_photo: bool) -> Option<FacePhoto> {
        let t = view.i18n;
        ui.heading(t.t("face-title"));
        ui.label(t.t("face-instructions"));
        if let Some(worker) = view.camera_worker
            && let Some((n, frame)) = worker.frame_since(self.seen)
        {
            self.seen = n;
            self.preview = Some(texture(ui.ctx(), "face-preview", &frame));
            self.latest = Some(frame);
        }
        let mut taken = None;
        ui.horizontal(|ui| {
            match &self.preview {
                Some(tex) => show(ui, tex),
                None => theme::error(ui, &t.t("face-no-camera")),
            }
            if let Some(photo) = &self.photo {
                show(ui, photo);
            }
        });
        if has_photo && self.photo.is_some() {
            ui.label(t.t("face-taken"));
        }
        let label = if has_photo { t.t("face-retake") } else { t.t("face-capture") };
        if theme::primary_button(ui, &label).clicked() {
            match (&self.latest, view.camera_worker) {
                (Some(frame), Some(worker)) => match frame.to_jpeg(JPEG_QUALITY) {
                    Ok(jpeg) => {
                        self.photo = Some(texture(ui.ctx(), "face-photo", frame));
                        self.error = None;
                        taken = Some(FacePhoto {
                            jpeg,
                            width: frame.width,
                            height: frame.height,
                            // Scored by the face checks of the quality work; unknown until then.
                            quality: 0,
                            checks: vec![],
                            device: DeviceRef {
                                profile: worker.info().profile.clone(),
                                serial: worker.info().name.clone(),
                            },
                        });
                    }
                    Err(e) => self.error = Some(e.to_string()),
                },
                _ => self.error = Some(t.t("face-no-camera")),
            }
        }
        if let Some(e) = &self.error {
            theme::error(ui, e);
        }
        // A live preview needs frames: ask for the next one at the camera's pace.
        ui.ctx().request_repaint_after(std::time::Duration::from_millis(50));
        taken
    }
}
