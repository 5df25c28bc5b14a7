//! Kit quality: a fingerprint quality score 0–100, inspired by NFIQ 2 but not NFIQ 2 (no trained
//! forest; a fixed formula anyone can read). Measured on 500 dpi 8-bit grey images:
//!
//! 1. Reject at once a blank or uniform image (mean > 250 or σ < 1): score 0, "no finger".
//! 2. Foreground: 16 px cells whose 32 px window has ridge-like contrast.
//! 3. In each foreground window: orientation certainty (OCL, from the gradient structure tensor),
//!    local clarity (how much of the window's variance one ridge profile across the ridges
//!    explains — noise, breaks and smudges are what it does not), ridge-valley contrast, and the
//!    ridge period from the strongest frequency of that profile (it must be a plausible 5–16 px).
//! 4. The image: mean window quality × a foreground-area factor (full credit from 50,000 px, as
//!    NFIQ 2's "sufficient foreground") × a minutiae factor (full credit from 12).
//!
//! Each shortfall becomes an [`Issue`] the assistant can act on.

use crate::filters::{gaussian_blur, sobel};
use crate::minutiae;
use crate::{Grey, Plane};
use serde::Serialize;

/// Cell side: foreground is decided per cell.
const CELL: usize = 16;
/// Analysis window side, centred on each cell: about three ridge periods.
const WINDOW: usize = 32;
/// A window with less grey-level spread than this holds no ridges.
const FOREGROUND_STD: f32 = 12.0;
/// Foreground pixels for full area credit (NFIQ 2's SufficientFingerprintForeground).
pub const FULL_AREA_PX: usize = 50_000;
/// Below this much foreground the finger was not placed flat and centred.
pub const SMALL_AREA_PX: usize = 30_000;
/// Clarity (share of a window's variance explained by its ridge profile) for full credit: a
/// clean print's windows reach about 0.6 (curvature inside a window costs the rest).
const GOOD_CLARITY: f32 = 0.6;
/// Ridge-valley contrast (grey levels) for full credit.
const GOOD_CONTRAST: f32 = 55.0;
/// Minutiae for full credit.
const GOOD_MINUTIAE: usize = 12;
/// Fewer than this and the print is not usable for matching (NFIQ 2's actionable feedback).
pub const MIN_MINUTIAE: usize = 5;

/// Something that keeps a print's score down, with what the assistant should do about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Issue {
    /// Nothing on the glass (blank or uniform image).
    NoFinger,
    /// Too little of the finger touched the glass.
    SmallArea,
    /// Ridges unclear: smudged, noisy or blurred.
    Unclear,
    /// Too light: a dry finger or too little pressure.
    Faint,
    /// Too dark: a wet or greasy finger, or too much pressure.
    Dark,
    /// Too few minutiae for matching.
    FewMinutiae,
}

impl Issue {
    /// A stable name (message keys are `quality-` + this, with `_` as `-`).
    pub fn as_str(self) -> &'static str {
        match self {
            Issue::NoFinger => "no_finger",
            Issue::SmallArea => "small_area",
            Issue::Unclear => "unclear",
            Issue::Faint => "faint",
            Issue::Dark => "dark",
            Issue::FewMinutiae => "few_minutiae",
        }
    }
}

/// The measures behind a score.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Measures {
    /// Foreground pixels.
    pub foreground_px: usize,
    /// Mean orientation certainty over the foreground, 0–1.
    pub orientation_certainty: f32,
    /// Mean local clarity, 0–1.
    pub clarity: f32,
    /// Mean ridge-valley contrast, grey levels (standard deviation of the ridge profile).
    pub contrast: f32,
    /// Median ridge period, pixels.
    pub ridge_period: f32,
    /// Mean grey level of the foreground.
    pub foreground_mean: f32,
    /// Minutiae found.
    pub minutiae: usize,
}

/// A print's score and what holds it back.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    /// Kit quality, 0–100.
    pub score: u8,
    /// What keeps it down, most important first.
    pub issues: Vec<Issue>,
    /// The measures.
    pub measures: Measures,
}

/// One analysis window's measures.
struct Window {
    ocl: f32,
    clarity: f32,
    contrast: f32,
    period: Option<f32>,
    mean: f32,
}

/// Scores a 500 dpi print.
pub fn assess(img: &Grey) -> Assessment {
    assess_with_minutiae(img).0
}

/// Scores a 500 dpi print and returns the minutiae found on the way (best first).
pub fn assess_with_minutiae(img: &Grey) -> (Assessment, Vec<minutiae::Minutia>) {
    let n = img.pixels.len() as f32;
    let mean = img.mean();
    let var = img.pixels.iter().map(|&p| (f32::from(p) - mean).powi(2)).sum::<f32>() / n;
    if mean > 250.0 || var.sqrt() < 1.0 {
        return (Assessment { score: 0, issues: vec![Issue::NoFinger], measures: Measures::default() }, Vec::new());
    }
    let plane = img.to_plane();
    let smooth = gaussian_blur(&plane, 1.0);
    let (gx, gy) = sobel(&smooth);
    let (w, h) = (img.width, img.height);
    let (cols, rows) = (w / CELL, h / CELL);
    let mut foreground = vec![false; w * h];
    let mut windows = Vec::new();
    for cy in 0..rows {
        for cx in 0..cols {
            let x0 = (cx * CELL + CELL / 2).saturating_sub(WINDOW / 2).min(w.saturating_sub(WINDOW));
            let y0 = (cy * CELL + CELL / 2).saturating_sub(WINDOW / 2).min(h.saturating_sub(WINDOW));
            let Some(win) = window(&plane, &gx, &gy, x0, y0, WINDOW.min(w), WINDOW.min(h)) else { continue };
            for y in cy * CELL..(cy + 1) * CELL {
                foreground[y * w + cx * CELL..y * w + (cx + 1) * CELL].iter_mut().for_each(|f| *f = true);
            }
            windows.push(win);
        }
    }
    let foreground_px = windows.len() * CELL * CELL;
    if windows.len() < 4 {
        let measures = Measures { foreground_px, ..Measures::default() };
        return (Assessment { score: 0, issues: vec![Issue::NoFinger], measures }, Vec::new());
    }
    let count = windows.len() as f32;
    let avg = |f: &dyn Fn(&Window) -> f32| windows.iter().map(f).sum::<f32>() / count;
    let mut periods: Vec<f32> = windows.iter().filter_map(|w| w.period).collect();
    periods.sort_by(f32::total_cmp);
    let found = minutiae::extract_smoothed(&smooth, &foreground);
    let minutiae = found.len();
    let measures = Measures {
        foreground_px,
        orientation_certainty: avg(&|w| w.ocl),
        clarity: avg(&|w| w.clarity),
        contrast: avg(&|w| w.contrast),
        ridge_period: periods.get(periods.len() / 2).copied().unwrap_or(0.0),
        foreground_mean: avg(&|w| w.mean),
        minutiae,
    };
    let window_quality = avg(&|w| {
        let plausible = if w.period.is_some() { 1.0 } else { 0.5 };
        let certainty = smoothstep(0.5, 0.9, w.ocl);
        let clarity = (w.clarity.max(0.0) / GOOD_CLARITY).min(1.0).powi(2);
        let contrast = (w.contrast / GOOD_CONTRAST).min(1.0);
        certainty * clarity * contrast * plausible
    });
    let area = (foreground_px as f32 / FULL_AREA_PX as f32).min(1.0).powf(1.5);
    let detail = (minutiae as f32 / GOOD_MINUTIAE as f32).min(1.0).sqrt();
    let q = window_quality * area * detail;
    let score = (100.0 * q.clamp(0.0, 1.0)).round() as u8;

    let mut issues = Vec::new();
    if foreground_px < SMALL_AREA_PX {
        issues.push(Issue::SmallArea);
    }
    let light = measures.foreground_mean > 170.0;
    let dark = measures.foreground_mean < 115.0;
    if light {
        issues.push(Issue::Faint);
    } else if dark {
        issues.push(Issue::Dark);
    }
    let washed_out = measures.contrast < 25.0 && !light && !dark;
    if measures.clarity < 0.45 || measures.orientation_certainty < 0.45 || washed_out {
        issues.push(Issue::Unclear);
    }
    if minutiae < MIN_MINUTIAE {
        issues.push(Issue::FewMinutiae);
    }
    (Assessment { score, issues, measures }, found)
}

fn smoothstep(edge0: f32, edge1: f32, x: f32) -> f32 {
    let t = ((x - edge0) / (edge1 - edge0)).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

/// Measures one window, or `None` when it holds no ridges (background).
fn window(plane: &Plane, gx: &Plane, gy: &Plane, x0: usize, y0: usize, ww: usize, wh: usize) -> Option<Window> {
    let (mut sum, mut sq) = (0.0f32, 0.0f32);
    let (mut gxx, mut gyy, mut gxy) = (0.0f32, 0.0f32, 0.0f32);
    for y in y0..y0 + wh {
        for x in x0..x0 + ww {
            let v = plane.at(x, y);
            sum += v;
            sq += v * v;
            let (a, b) = (gx.at(x, y), gy.at(x, y));
            gxx += a * a;
            gyy += b * b;
            gxy += a * b;
        }
    }
    let n = (ww * wh) as f32;
    let mean = sum / n;
    let var = (sq / n - mean * mean).max(0.0);
    if var.sqrt() < FOREGROUND_STD || mean > 245.0 {
        return None;
    }
    let ocl = ((gxx - gyy).powi(2) + 4.0 * gxy * gxy).sqrt() / (gxx + gyy).max(1e-6);
    // The profile across the ridges: pixels binned by their distance along the gradient.
    let normal = 0.5 * (2.0 * gxy).atan2(gxx - gyy);
    let (c, s) = (normal.cos(), normal.sin());
    const BINS: usize = 48;
    let (mut bsum, mut bsq, mut bcount) = ([0.0f32; BINS], [0.0f32; BINS], [0u32; BINS]);
    let (mx, my) = (x0 as f32 + ww as f32 / 2.0, y0 as f32 + wh as f32 / 2.0);
    for y in y0..y0 + wh {
        // Along a row the distance grows by `c` a pixel: no multiplication per pixel.
        let mut t = (x0 as f32 + 0.5 - mx) * c + (y as f32 + 0.5 - my) * s + BINS as f32 / 2.0;
        for &v in &plane.data[y * plane.width + x0..y * plane.width + x0 + ww] {
            let b = (t.floor() as isize).clamp(0, BINS as isize - 1) as usize;
            bsum[b] += v;
            bsq[b] += v * v;
            bcount[b] += 1;
            t += c;
        }
    }
    let profile: Vec<Option<f32>> = (0..BINS).map(|b| (bcount[b] >= 3).then(|| bsum[b] / bcount[b] as f32)).collect();
    // What the profile leaves unexplained, from the bins' sums: Σ(v − p)² = Σv² − 2pΣv + n·p²,
    // with p the bin's mean (or the window's, for a bin too small to trust).
    let residual: f32 = (0..BINS)
        .map(|b| {
            let p = profile[b].unwrap_or(mean);
            bsq[b] - 2.0 * p * bsum[b] + bcount[b] as f32 * p * p
        })
        .sum::<f32>()
        .max(0.0);
    let clarity = 1.0 - residual / (var * n).max(1e-6);
    let known: Vec<f32> = profile.iter().flatten().copied().collect();
    let pmean = known.iter().sum::<f32>() / known.len().max(1) as f32;
    let contrast = (known.iter().map(|p| (p - pmean).powi(2)).sum::<f32>() / known.len().max(1) as f32).sqrt();
    Some(Window { ocl, clarity, contrast, period: dominant_period(&known), mean })
}

/// The period (pixels) of the strongest wave in a ridge profile, if it is a plausible ridge
/// period (5–16 px at 500 dpi) and stands out from the rest of the spectrum.
fn dominant_period(profile: &[f32]) -> Option<f32> {
    let n = profile.len();
    if n < 16 {
        return None;
    }
    let mean = profile.iter().sum::<f32>() / n as f32;
    let hann = |i: usize| 0.5 - 0.5 * (std::f32::consts::TAU * i as f32 / (n - 1) as f32).cos();
    let signal: Vec<f32> = profile.iter().enumerate().map(|(i, p)| (p - mean) * hann(i)).collect();
    let power = |k: usize| {
        let (mut re, mut im) = (0.0f32, 0.0f32);
        let step = std::f32::consts::TAU * k as f32 / n as f32;
        for (i, v) in signal.iter().enumerate() {
            let (sin, cos) = (step * i as f32).sin_cos();
            re += v * cos;
            im += v * sin;
        }
        re * re + im * im
    };
    // The peak is sought over periods of 3–24 px, wider than the plausible 5–16, so that a print
    // at the wrong resolution shows its true (implausible) period; the whole one-sided
    // spectrum's power comes from Parseval's theorem instead of the remaining frequencies.
    let total = signal.iter().map(|v| v * v).sum::<f32>() * n as f32 / 2.0;
    let lowest = n.div_ceil(24).max(1);
    let highest = n / 3;
    let (k, peak) = (lowest..=highest).map(|k| (k, power(k))).max_by(|a, b| a.1.total_cmp(&b.1))?;
    let period = n as f32 / k as f32;
    ((5.0..=16.0).contains(&period) && peak > 0.2 * total).then_some(period)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generator::{Finger, Impression};

    #[test]
    fn blank_and_uniform_images_score_zero_with_no_finger() {
        for level in [255u8, 128, 0] {
            let a = assess(&Grey::new(256, 288, vec![level; 256 * 288]).unwrap());
            assert_eq!((a.score, a.issues.as_slice()), (0, &[Issue::NoFinger][..]), "level {level}");
        }
    }

    #[test]
    fn a_clean_full_print_scores_high_and_says_nothing_is_wrong() {
        for seed in 1..4 {
            let img = Finger::generate(seed).impression(&Impression::ideal(seed), 256, 288);
            let a = assess(&img);
            assert!(a.score >= 60, "seed {seed}: {a:?}");
            assert!(a.issues.is_empty(), "seed {seed}: {a:?}");
            assert!((7.0..12.0).contains(&a.measures.ridge_period), "seed {seed}: {a:?}");
        }
    }
}

#[cfg(test)]
mod ranking {
    use super::*;
    use crate::generator::{Finger, Impression};

    /// Spearman's rank correlation (ties get their mean rank).
    fn spearman(a: &[f32], b: &[f32]) -> f32 {
        fn ranks(v: &[f32]) -> Vec<f32> {
            let mut idx: Vec<usize> = (0..v.len()).collect();
            idx.sort_by(|&i, &j| v[i].total_cmp(&v[j]));
            let mut r = vec![0.0; v.len()];
            let mut i = 0;
            while i < idx.len() {
                let mut j = i;
                while j + 1 < idx.len() && v[idx[j + 1]] == v[idx[i]] {
                    j += 1;
                }
                for k in i..=j {
                    r[idx[k]] = (i + j) as f32 / 2.0;
                }
                i = j + 1;
            }
            r
        }
        let (ra, rb) = (ranks(a), ranks(b));
        let n = a.len() as f32;
        let (ma, mb) = (ra.iter().sum::<f32>() / n, rb.iter().sum::<f32>() / n);
        let cov: f32 = ra.iter().zip(&rb).map(|(x, y)| (x - ma) * (y - mb)).sum();
        let va: f32 = ra.iter().map(|x| (x - ma).powi(2)).sum();
        let vb: f32 = rb.iter().map(|y| (y - mb).powi(2)).sum();
        cov / (va * vb).sqrt()
    }

    #[test]
    fn the_score_falls_as_noise_blur_dryness_wetness_or_partial_contact_grows() {
        let levels = [0.0f32, 0.2, 0.4, 0.6, 0.8, 1.0];
        type Ladder = (&'static str, fn(f32, u64) -> Impression);
        let ladders: [Ladder; 5] = [
            ("noise", |l, s| Impression { noise: l * 0.8, ..Impression::ideal(s) }),
            ("blur", |l, s| Impression { blur: l, ..Impression::ideal(s) }),
            ("dryness", |l, s| Impression { moisture: -l, ..Impression::ideal(s) }),
            ("wetness", |l, s| Impression { moisture: l, ..Impression::ideal(s) }),
            ("partial contact", |l, s| Impression { contact: 1.0 - 0.75 * l, ..Impression::ideal(s) }),
        ];
        let fingers: Vec<Finger> = (21..25).map(Finger::generate).collect();
        for (name, make) in ladders {
            let mut rhos = Vec::new();
            for f in &fingers {
                let scores: Vec<f32> = levels
                    .iter()
                    .map(|&l| f32::from(assess(&f.impression(&make(l, f.seed), 256, 288)).score))
                    .collect();
                let rho = spearman(&levels, &scores);
                assert!(rho <= -0.8, "{name}, finger {}: ρ = {rho}, scores {scores:?}", f.seed);
                rhos.push(-rho);
            }
            let mean = rhos.iter().sum::<f32>() / rhos.len() as f32;
            assert!(mean >= 0.9, "{name}: mean ρ = {mean} ({rhos:?})");
        }
    }

    #[test]
    fn each_degradation_is_named() {
        let f = Finger::generate(31);
        let issues = |imp: Impression| assess(&f.impression(&imp, 256, 288)).issues;
        assert!(issues(Impression { moisture: -0.8, ..Impression::ideal(1) }).contains(&Issue::Faint));
        assert!(issues(Impression { moisture: 1.0, ..Impression::ideal(1) }).contains(&Issue::Dark));
        assert!(issues(Impression { blur: 0.8, ..Impression::ideal(1) }).contains(&Issue::Unclear));
        assert!(issues(Impression { contact: 0.2, ..Impression::ideal(1) }).contains(&Issue::SmallArea));
        assert!(issues(Impression { noise: 1.0, ..Impression::ideal(1) }).contains(&Issue::Unclear));
    }
}
