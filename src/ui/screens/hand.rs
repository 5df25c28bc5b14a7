//! The fingerprint step's picture of the two hands (each finger coloured by its state, the one to
//! place outlined; a click selects it) and the print in view with its quality bar.

use super::fingers::finger_key;
use crate::domain::biometrics::{FingerPosition, FingerRecord, GreyImage};
use crate::domain::enrollment::Draft;
use crate::ui::i18n::I18n;
use crate::ui::theme;

/// The diagram's width: two hands side by side.
pub const WIDTH: f32 = 236.0;
const SIZE: egui::Vec2 = egui::vec2(WIDTH, 110.0);

/// Where finger `index` (0 thumb … 4 little) of a hand stands, as a rect relative to the hand's
/// lower left corner; the thumb stands low and out to the side, as on a hand laid palm down.
fn finger_rect(origin: egui::Pos2, index: usize, mirrored: bool) -> egui::Rect {
    // Heights of thumb, index, middle, ring, little.
    const HEIGHTS: [f32; 5] = [50.0, 70.0, 80.0, 72.0, 56.0];
    const WIDTH: f32 = 17.0;
    const GAP: f32 = 4.0;
    let slot = if mirrored { 4 - index } else { index } as f32;
    let x = origin.x + slot * (WIDTH + GAP);
    // The fingers rise from the palm; the thumb from lower down its side.
    let palm = if index == 0 { 0.0 } else { 22.0 };
    let bottom = origin.y - palm;
    egui::Rect::from_min_max(egui::pos2(x, bottom - HEIGHTS[index]), egui::pos2(x + WIDTH, bottom))
}

fn fill(record: Option<&FingerRecord>) -> egui::Color32 {
    match record {
        None => theme::FINGER_EMPTY,
        Some(FingerRecord::Captured(c)) if c.force_captured => theme::FINGER_FORCED,
        Some(FingerRecord::Captured(_)) => theme::OK,
        Some(FingerRecord::Exception(_)) => theme::FINGER_EXCEPTION,
    }
}

/// Draws both hands as the applicant's own, palms down on the glass (left hand on the left, the
/// thumbs inward); returns the finger clicked, if any.
pub fn diagram(
    ui: &mut egui::Ui,
    t: &I18n,
    draft: &Draft,
    selected: FingerPosition,
    enabled: bool,
) -> Option<FingerPosition> {
    let (rect, _) = ui.allocate_exact_size(SIZE, egui::Sense::hover());
    let painter = ui.painter_at(rect);
    let mut clicked = None;
    for (hand, positions) in FingerPosition::ALL.chunks(5).enumerate() {
        // ALL lists the right hand first: it stands in the right half, its thumb at its left.
        let half = if hand == 0 { 1.0 } else { 0.0 };
        let origin = egui::pos2(rect.left() + 8.0 + half * (SIZE.x / 2.0), rect.bottom() - 4.0);
        let mirrored = hand == 1;
        for (index, p) in positions.iter().enumerate() {
            let r = finger_rect(origin, index, mirrored);
            let id = ui.scope_id().with(("finger-diagram", p.code()));
            let response = ui.interact(r, id, if enabled { egui::Sense::click() } else { egui::Sense::hover() });
            painter.rect_filled(r, 6.0, fill(draft.fingers.get(p)));
            let stroke = if *p == selected {
                egui::Stroke::new(3.0, theme::PRIMARY)
            } else {
                egui::Stroke::new(1.0, theme::FINGER_OUTLINE)
            };
            painter.rect_stroke(r, 6.0, stroke, egui::StrokeKind::Outside);
            if response.on_hover_text(t.t(finger_key(*p))).clicked() {
                clicked = Some(*p);
            }
        }
    }
    clicked
}

/// The print shown beside the diagram: its finger and the texture made from it (kept until
/// another print is shown: a texture a frame would stutter the preview).
#[derive(Default)]
pub struct PrintView {
    shown: Option<(FingerPosition, u8, u8, egui::TextureHandle)>,
}

/// A greyscale print as a texture.
fn texture(ctx: &egui::Context, image: &GreyImage) -> egui::TextureHandle {
    let size = [image.width() as usize, image.height() as usize];
    let pixels = egui::ColorImage::from_gray(size, image.pixels());
    ctx.load_texture("fingers-last-print", pixels, egui::TextureOptions::LINEAR)
}

impl PrintView {
    /// Draws the print recorded for `position` (if any) with its quality bar against `min`.
    pub fn ui(&mut self, ui: &mut egui::Ui, t: &I18n, draft: &Draft, position: FingerPosition, min: u8) {
        let Some(FingerRecord::Captured(c)) = draft.fingers.get(&position) else {
            ui.label(t.t_args("fingers-no-print", &[("finger", t.t(finger_key(position)).into())]));
            return;
        };
        let key = (position, c.quality, c.attempts);
        let fresh = self.shown.as_ref().is_some_and(|(p, q, a, _)| (*p, *q, *a) == key);
        if !fresh {
            self.shown = Some((position, c.quality, c.attempts, texture(ui.ctx(), &c.image)));
        }
        if let Some((_, _, _, tex)) = &self.shown {
            let height = theme::PRINT_HEIGHT;
            let width = height * tex.aspect_ratio();
            ui.add(egui::Image::new(tex).fit_to_exact_size(egui::vec2(width, height)));
        }
        // A thin bar under the print, green from the threshold up; the words are in the status
        // beside it, and in the bar's hover text.
        let good = c.quality >= min;
        let bar = egui::ProgressBar::new(f32::from(c.quality) / 100.0)
            .desired_width(theme::PRINT_HEIGHT)
            .desired_height(theme::QUALITY_BAR_HEIGHT)
            .fill(if good { theme::OK } else { theme::FINGER_FORCED });
        ui.add(bar).on_hover_text(t.t_args("fingers-print-quality", &[("q", c.quality.into()), ("min", min.into())]));
    }
}
