//! Face photo checks in the spirit of ICAO 9303 / ISO/IEC 19794-5, each one a thing the
//! assistant can fix: exactly one face (SeetaFace's frontal detector through `rustface`), face
//! centred and of a good size, eyes found and level (OpenCV's eye cascade through
//! [`haar`]), exposure, sharpness, a plain background. Thresholds are constants below, with
//! where they come from; the tests run them over the face fixtures and variants made from them.

pub mod haar;

use crate::filters::sobel;
use crate::{Grey, Plane};
use haar::{Cascade, Rect};
use serde::Serialize;

/// The SeetaFace frontal face model (BSD-2-Clause; see assets/PROVENANCE.md).
const FACE_MODEL: &[u8] = include_bytes!("../../assets/seeta_fd_frontal_v1.0.bin");
/// OpenCV's 20×20 eye cascade (Intel licence in its header; see assets/PROVENANCE.md).
pub const EYE_CASCADE: &str = include_str!("../../assets/haarcascade_eye.xml");

/// Face width (the detector's box: brows to mouth) as a share of the image width: below, "move
/// closer". ICAO asks for 90 px between the eyes; at 640 px that is a box of about 0.2 of the
/// width, and a preview gets some slack.
const MIN_FACE_SHARE: f32 = 0.14;
/// Above, "move back": the whole head and shoulders must be in the frame.
const MAX_FACE_SHARE: f32 = 0.65;
/// The face centre's horizontal band (ICAO: eye midpoint 45–55%, widened for a live preview).
const CENTRE_X: (f32, f32) = (0.35, 0.65);
/// The face centre's vertical band.
const CENTRE_Y: (f32, f32) = (0.2, 0.65);
/// Largest tilt of the eye line, degrees (ICAO roll ±8°).
const MAX_ROLL_DEG: f32 = 8.0;
/// Face mean grey level band.
const EXPOSURE: (f32, f32) = (70.0, 200.0);
/// Share of burnt-out face pixels (≥ 250) allowed.
const MAX_CLIPPED: f32 = 0.08;
/// Share of the face's edge energy a further small blur takes away, below which the face is
/// already blurred (see `sharpness`).
const MIN_SHARPNESS: f32 = 0.1;
/// Mean gradient magnitude beside and above the head (image at 320 px wide), above which the
/// background is busy: a plain wall measures under 10, the fixture's flag and shuttle about 50.
const MAX_BACKGROUND_DETAIL: f32 = 25.0;
/// Detector score below which a "face" is a pattern on a shirt or a wall (real faces: 12–25).
const MIN_FACE_SCORE: f64 = 5.0;
/// Faces are searched for on the photo scaled to this width: a face that passes the size check
/// is still 45 px there, and the search costs a quarter of what it would at 640.
const SEARCH_WIDTH: f32 = 320.0;

/// One check a face photo must pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FaceCheck {
    /// Exactly one face.
    OneFace,
    /// Face centred in the frame.
    Centred,
    /// Face large enough (the applicant close enough).
    CloseEnough,
    /// Face not too large (whole head in the frame).
    NotTooClose,
    /// Both eyes found and level.
    EyesLevel,
    /// Not too dark.
    EnoughLight,
    /// Not too bright or burnt out.
    NotTooBright,
    /// Sharp.
    Sharp,
    /// A plain background.
    PlainBackground,
}

impl FaceCheck {
    /// Every check, in the order they are reported.
    pub const ALL: [FaceCheck; 9] = [
        FaceCheck::OneFace,
        FaceCheck::Centred,
        FaceCheck::CloseEnough,
        FaceCheck::NotTooClose,
        FaceCheck::EyesLevel,
        FaceCheck::EnoughLight,
        FaceCheck::NotTooBright,
        FaceCheck::Sharp,
        FaceCheck::PlainBackground,
    ];

    /// A stable name, stored in packets.
    pub fn as_str(self) -> &'static str {
        match self {
            FaceCheck::OneFace => "one_face",
            FaceCheck::Centred => "centred",
            FaceCheck::CloseEnough => "close_enough",
            FaceCheck::NotTooClose => "not_too_close",
            FaceCheck::EyesLevel => "eyes_level",
            FaceCheck::EnoughLight => "enough_light",
            FaceCheck::NotTooBright => "not_too_bright",
            FaceCheck::Sharp => "sharp",
            FaceCheck::PlainBackground => "plain_background",
        }
    }
}

/// What the checks found in one photo.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FaceReport {
    /// Faces found.
    pub faces: usize,
    /// The face checked (the largest), in pixels.
    pub face: Option<(f32, f32, f32, f32)>,
    /// Eye centres, when both were found.
    pub eyes: Option<((f32, f32), (f32, f32))>,
    /// Each check and whether it passed (only `OneFace` when there is not exactly one face).
    pub checks: Vec<(FaceCheck, bool)>,
    /// Share of checks passed, 0–100 (0 without exactly one face).
    pub score: u8,
}

impl FaceReport {
    /// The checks that failed.
    pub fn failed(&self) -> Vec<FaceCheck> {
        self.checks.iter().filter(|(_, ok)| !ok).map(|(c, _)| *c).collect()
    }

    /// Whether every check passed.
    pub fn passed(&self) -> bool {
        !self.checks.is_empty() && self.checks.iter().all(|(_, ok)| *ok)
    }
}

/// The face detector and the eye cascade, loaded once and used for frame after frame.
pub struct FaceChecker {
    detector: Box<dyn rustface::Detector>,
    eyes: Cascade,
}

impl std::fmt::Debug for FaceChecker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FaceChecker")
    }
}

impl FaceChecker {
    /// Loads the compiled-in models.
    pub fn new() -> Result<FaceChecker, String> {
        let model = rustface::read_model(FACE_MODEL).map_err(|e| format!("the face model does not load: {e}"))?;
        let mut detector = rustface::create_detector_with_model(model);
        detector.set_score_thresh(MIN_FACE_SCORE);
        detector.set_pyramid_scale_factor(0.8);
        detector.set_slide_window_step(4, 4);
        let eyes = Cascade::parse(EYE_CASCADE).map_err(|e| e.to_string())?;
        Ok(FaceChecker { detector, eyes })
    }

    /// Checks a grey photo.
    pub fn check(&mut self, img: &Grey) -> FaceReport {
        let (w, h) = (img.width as f32, img.height as f32);
        let scale = (SEARCH_WIDTH / w).min(1.0);
        let small = haar::resize(img, ((w * scale) as usize).max(1), ((h * scale) as usize).max(1));
        // Faces smaller than the size check accepts need not be found at all: a cheaper search.
        let min_face = ((small.width.min(small.height) as f32 * MIN_FACE_SHARE * 0.6) as u32).max(20);
        self.detector.set_min_face_size(min_face);
        let found =
            self.detector.detect(&rustface::ImageData::new(&small.pixels, small.width as u32, small.height as u32));
        let mut faces: Vec<Rect> = found
            .iter()
            .map(|f| {
                let b = f.bbox();
                Rect {
                    x: b.x() as f32 / scale,
                    y: b.y() as f32 / scale,
                    w: b.width() as f32 / scale,
                    h: b.height() as f32 / scale,
                }
            })
            .collect();
        faces.sort_by(|a, b| (b.w * b.h).total_cmp(&(a.w * a.h)));
        if faces.len() != 1 {
            return FaceReport {
                faces: faces.len(),
                face: faces.first().map(|f| (f.x, f.y, f.w, f.h)),
                eyes: None,
                checks: vec![(FaceCheck::OneFace, false)],
                score: 0,
            };
        }
        let f = faces[0];
        let (cx, cy) = f.centre();
        let share = f.w / w;
        let centred = (CENTRE_X.0..=CENTRE_X.1).contains(&(cx / w))
            && (CENTRE_Y.0..=CENTRE_Y.1).contains(&(cy / h))
            && f.x >= 0.0
            && f.y >= 0.0
            && f.x + f.w <= w
            && f.y + f.h <= h;
        let eyes = self.eyes(img, &f);
        let level =
            eyes.is_some_and(|((lx, ly), (rx, ry))| (ry - ly).atan2(rx - lx).to_degrees().abs() <= MAX_ROLL_DEG);
        let face_px = crop(img, &f);
        let mean = face_px.mean();
        let clipped = face_px.pixels.iter().filter(|&&p| p >= 250).count() as f32 / face_px.pixels.len().max(1) as f32;
        let checks = vec![
            (FaceCheck::OneFace, true),
            (FaceCheck::Centred, centred),
            (FaceCheck::CloseEnough, share >= MIN_FACE_SHARE),
            (FaceCheck::NotTooClose, share <= MAX_FACE_SHARE),
            (FaceCheck::EyesLevel, level),
            (FaceCheck::EnoughLight, mean >= EXPOSURE.0),
            (FaceCheck::NotTooBright, mean <= EXPOSURE.1 && clipped <= MAX_CLIPPED),
            (FaceCheck::Sharp, sharpness(&face_px) >= MIN_SHARPNESS),
            (FaceCheck::PlainBackground, background_detail(img, &f) <= MAX_BACKGROUND_DETAIL),
        ];
        let passed = checks.iter().filter(|(_, ok)| *ok).count();
        FaceReport {
            faces: 1,
            face: Some((f.x, f.y, f.w, f.h)),
            eyes,
            score: (100 * passed / checks.len()) as u8,
            checks,
        }
    }

    /// Eye centres (left in the image, right in the image) in the upper part of the face.
    fn eyes(&self, img: &Grey, face: &Rect) -> Option<((f32, f32), (f32, f32))> {
        let region = Rect { x: face.x, y: face.y, w: face.w, h: face.h * 0.6 };
        let patch = crop(img, &region);
        // Work on the face at about 120 px wide: eyes of 16–44 px, whatever the camera.
        let scale = 120.0 / region.w.max(1.0);
        let small = haar::resize(
            &patch,
            (patch.width as f32 * scale).max(1.0) as usize,
            (patch.height as f32 * scale).max(1.0) as usize,
        );
        let found = self.eyes.detect(&small, 16.0, 44.0, 3);
        let mid = small.width as f32 / 2.0;
        let pick = |left: bool| found.iter().find(|r| (r.centre().0 < mid) == left).map(|r| r.centre());
        let (l, r) = (pick(true)?, pick(false)?);
        let back = |(x, y): (f32, f32)| (region.x.max(0.0) + x / scale, region.y.max(0.0) + y / scale);
        Some((back(l), back(r)))
    }
}

/// The part of `img` inside `r` (clamped to the image).
fn crop(img: &Grey, r: &Rect) -> Grey {
    let x0 = r.x.max(0.0) as usize;
    let y0 = r.y.max(0.0) as usize;
    let x1 = ((r.x + r.w) as usize).min(img.width).max(x0 + 1);
    let y1 = ((r.y + r.h) as usize).min(img.height).max(y0 + 1);
    let mut pixels = Vec::with_capacity((x1 - x0) * (y1 - y0));
    for y in y0..y1.min(img.height) {
        pixels.extend_from_slice(&img.pixels[y * img.width + x0..y * img.width + x1.min(img.width)]);
    }
    let width = x1.min(img.width) - x0;
    Grey { width, height: pixels.len() / width.max(1), pixels }
}

/// How much edge the face loses when blurred again (Crete et al.'s re-blur idea): a sharp face
/// loses much of its gradient energy to a small blur, a blurred one little — a ratio, so a dim
/// face is not called blurred. Measured on the face scaled to 128×128.
fn sharpness(face: &Grey) -> f32 {
    let f = haar::resize(face, 128, 128).to_plane();
    let g = crate::filters::gaussian_blur(&f, 1.5);
    let energy = |p: &Plane| {
        let (gx, gy) = sobel(p);
        (8..120).flat_map(|y| (8..120).map(move |x| (x, y))).map(|(x, y)| grad(&gx, &gy, x, y)).sum::<f32>()
    };
    let (ef, eg) = (energy(&f), energy(&g));
    if ef <= 1.0 { 0.0 } else { (ef - eg) / ef }
}

/// Mean gradient magnitude in the bands beside the head (from the top of the image down to the
/// chin), the image scaled to 320 px wide so the figure does not depend on the camera.
fn background_detail(img: &Grey, face: &Rect) -> f32 {
    let scale = 320.0 / img.width as f32;
    let small = haar::resize(img, 320, ((img.height as f32 * scale) as usize).max(1));
    let (gx, gy) = sobel(&small.to_plane());
    let f = Rect { x: face.x * scale, y: face.y * scale, w: face.w * scale, h: face.h * scale };
    let margin = 0.35 * f.w;
    let bottom = (f.y + f.h).min(small.height as f32);
    let mut total = 0.0;
    let mut count = 0usize;
    for y in 1..(bottom as usize).saturating_sub(1) {
        for x in 1..small.width - 1 {
            let (fx, fy) = (x as f32, y as f32);
            let beside = fx < f.x - margin || fx > f.x + f.w + margin;
            let above = fy < f.y - 0.6 * f.h;
            if beside || above {
                total += grad(&gx, &gy, x, y);
                count += 1;
            }
        }
    }
    if count < 200 { 0.0 } else { total / count as f32 }
}

fn grad(gx: &Plane, gy: &Plane, x: usize, y: usize) -> f32 {
    (gx.at(x, y).powi(2) + gy.at(x, y).powi(2)).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dim_face_is_not_a_blurred_one() {
        let mut p = Plane::new(100, 100, 0.0);
        for y in 0..100 {
            for x in 0..100 {
                p.data[y * 100 + x] = if (x / 10 + y / 10) % 2 == 0 { 200.0 } else { 50.0 };
            }
        }
        let sharp = sharpness(&p.to_grey());
        let dim = Plane { data: p.data.iter().map(|v| v * 0.3).collect(), ..p.clone() };
        assert!((sharpness(&dim.to_grey()) - sharp).abs() < 0.02, "{sharp}");
    }
}
