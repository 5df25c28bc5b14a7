//! Synthetic fingerprints at 500 dpi, after SFinGe (Cappelli, Maio, Maltoni): a finger is a
//! pattern class with its cores and deltas, an orientation field from them (Sherlock and
//! Monro's zero-pole model; a bump model for plain arches), a ridge period, and a ridge pattern
//! grown by iterative Gabor filtering from sparse random seeds. An impression of that finger is what a
//! reader would see of it: rotated, shifted, elastically distorted, pressed dry or wet, noisy,
//! blurred, in partial contact. Everything is deterministic from its seeds, and every parameter
//! is the ground truth the tests and benchmarks check against.
//!
//! Ridges grow at half resolution (250 dpi, a ridge period of 4–5.5 px is still well sampled)
//! and are resampled when an impression is rendered: a quarter of the filtering work, which is
//! what lets `simulate` make ten fingers a person by the hundred.

use crate::{Grey, Plane};
use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::f32::consts::{FRAC_PI_2, PI, TAU};

/// Master finger canvas at 500 dpi (17.9 × 22.8 mm): every impression is cut from it.
pub const MASTER_SIZE: (usize, usize) = (352, 448);
/// Growth happens at this fraction of the resolution.
const GROW_SCALE: f32 = 0.5;
/// Orientations and periods in the Gabor filter bank.
const ORIENTATIONS: usize = 32;
const PERIODS: usize = 4;
/// Ridge period range at 500 dpi (pixels between ridge centres): 0.40–0.53 mm.
const PERIOD_RANGE: (f32, f32) = (8.0, 10.5);
/// Filter radius at growth resolution.
const RADIUS: i32 = 4;
/// How far a finger's own irregularities turn its ridges (radians) and over what distance (px).
const BEND: f32 = 0.22;
const BEND_CELL: f32 = 45.0;
/// How much its ridge spacing varies (share of the period) and over what distance (px).
const PERIOD_VARIATION: f32 = 0.12;
const SPACING_CELL: f32 = 35.0;
/// Seeds per pixel at growth resolution. Each seed grows a patch of parallel ridges; where two
/// patches meet out of step, minutiae form. At 1.2% (the first version) a print had 80–130
/// minutiae by MINDTCT where real prints of that size have 36–56, and its ridges wandered like a
/// maze: 0.1% gives long ridges and MINDTCT counts within the real range.
const SEED_DENSITY: f32 = 0.001;
/// Growth iterations: sparse seeds need about eight to fill the finger, the rest settle the ridges.
const ITERATIONS: usize = 16;

/// The Henry pattern classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PatternClass {
    /// Plain arch: no core, no delta.
    Arch,
    /// Tented arch: a core right above a delta.
    TentedArch,
    /// Left loop: ridges enter and leave on the left; the delta is on the right.
    LeftLoop,
    /// Right loop: the mirror image.
    RightLoop,
    /// Whorl: two cores, two deltas.
    Whorl,
}

impl PatternClass {
    /// Picks a class with the frequencies found in real ten-print files (about 3.7% arch,
    /// 2.9% tented arch, 33.8% left loop, 31.7% right loop, 27.9% whorl).
    fn pick(rng: &mut impl Rng) -> Self {
        let r = rng.random_range(0.0..1.0f32);
        match r {
            r if r < 0.037 => PatternClass::Arch,
            r if r < 0.066 => PatternClass::TentedArch,
            r if r < 0.404 => PatternClass::LeftLoop,
            r if r < 0.721 => PatternClass::RightLoop,
            _ => PatternClass::Whorl,
        }
    }
}

/// A generated finger: its ground truth and its grown ridge pattern.
#[derive(Debug, Clone)]
pub struct Finger {
    /// The seed it was made from.
    pub seed: u64,
    /// Its pattern class.
    pub class: PatternClass,
    /// Cores (x, y) on the master canvas, pixels at 500 dpi.
    pub cores: Vec<(f32, f32)>,
    /// Deltas, likewise.
    pub deltas: Vec<(f32, f32)>,
    /// Mean ridge period, pixels at 500 dpi.
    pub ridge_period: f32,
    /// The finger's outline: centre and half-axes on the master canvas.
    outline: Outline,
    /// Ridge pattern at growth resolution, −1 (valley) to 1 (ridge).
    ridges: Plane,
}

#[derive(Debug, Clone, Copy)]
struct Outline {
    cx: f32,
    cy: f32,
    ax: f32,
    ay: f32,
}

impl Outline {
    /// 1 well inside the finger, 0 outside, a soft edge of a few pixels between (a
    /// superellipse: fingertips are squarer than ellipses).
    fn weight(&self, x: f32, y: f32) -> f32 {
        let d = ((x - self.cx) / self.ax).abs().powf(2.6) + ((y - self.cy) / self.ay).abs().powf(2.6);
        smoothstep(1.0, 0.9, d)
    }
}

fn smoothstep(edge0: f32, edge1: f32, x: f32) -> f32 {
    let t = ((x - edge0) / (edge1 - edge0)).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

/// Ridge orientation (radians, modulo π) at a point of the master canvas.
struct OrientationField {
    class: PatternClass,
    cores: Vec<(f32, f32)>,
    deltas: Vec<(f32, f32)>,
    arch: (f32, f32, f32, f32),
    wobble: [f32; 4],
}

impl OrientationField {
    fn at(&self, x: f32, y: f32) -> f32 {
        let base = match self.class {
            PatternClass::Arch => {
                // Ridges follow y = −A(y)·exp(−((x−cx)/s)²): a bump, tallest mid-finger.
                let (cx, cy, amp, s) = self.arch;
                let a = amp * (-((y - cy) / (0.4 * MASTER_SIZE.1 as f32)).powi(2)).exp();
                let u = (x - cx) / s;
                (2.0 * a * u / s * (-u * u).exp()).atan()
            }
            _ => {
                let d: f32 = self.deltas.iter().map(|&(dx, dy)| (y - dy).atan2(x - dx)).sum();
                let c: f32 = self.cores.iter().map(|&(cx, cy)| (y - cy).atan2(x - cx)).sum();
                0.5 * (d - c)
            }
        };
        let [p1, p2, p3, amp] = self.wobble;
        base + amp * (x / 41.0 + p1).sin() * (y / 53.0 + p2).cos() + 0.5 * amp * (x / 23.0 + y / 29.0 + p3).sin()
    }
}

/// The Gabor filter bank at growth resolution: one kernel per (orientation, period).
struct Bank {
    kernels: Vec<Vec<f32>>,
    periods: [f32; PERIODS],
}

impl Bank {
    fn new(period_lo: f32, period_hi: f32) -> Self {
        let side = (2 * RADIUS + 1) as usize;
        let mut periods = [0.0; PERIODS];
        let mut kernels = Vec::with_capacity(ORIENTATIONS * PERIODS);
        for (i, p) in periods.iter_mut().enumerate() {
            *p = (period_lo + (period_hi - period_lo) * i as f32 / (PERIODS - 1) as f32) * GROW_SCALE;
        }
        for o in 0..ORIENTATIONS {
            let ridge = o as f32 * PI / ORIENTATIONS as f32;
            let normal = ridge + FRAC_PI_2;
            let (c, s) = (normal.cos(), normal.sin());
            for &t in &periods {
                let sigma = 0.42 * t;
                let mut k = Vec::with_capacity(side * side);
                for v in -RADIUS..=RADIUS {
                    for u in -RADIUS..=RADIUS {
                        let (u, v) = (u as f32, v as f32);
                        let n = u * c + v * s;
                        let a = -u * s + v * c;
                        k.push((-(n * n + a * a) / (2.0 * sigma * sigma)).exp() * (TAU * n / t).cos());
                    }
                }
                // No response to flat grey, unit response to the matching ridge wave.
                let mean = k.iter().sum::<f32>() / k.len() as f32;
                k.iter_mut().for_each(|w| *w -= mean);
                let gain: f32 = k.iter().map(|w| w.abs()).sum::<f32>() * 0.5;
                k.iter_mut().for_each(|w| *w /= gain.max(1e-6));
                kernels.push(k);
            }
        }
        Bank { kernels, periods }
    }

    fn kernel(&self, orientation: f32, period: f32) -> &[f32] {
        let o = ((orientation.rem_euclid(PI) / PI * ORIENTATIONS as f32).round() as usize) % ORIENTATIONS;
        let t = period * GROW_SCALE;
        let p = self
            .periods
            .iter()
            .enumerate()
            .min_by(|a, b| (a.1 - t).abs().total_cmp(&(b.1 - t).abs()))
            .map_or(0, |(i, _)| i);
        &self.kernels[o * PERIODS + p]
    }
}

impl Finger {
    /// Grows finger `seed`: the same seed always gives the same finger.
    pub fn generate(seed: u64) -> Finger {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5F1F_6E5E_ED00_0001);
        let (w, h) = (MASTER_SIZE.0 as f32, MASTER_SIZE.1 as f32);
        let class = PatternClass::pick(&mut rng);
        let outline = Outline {
            cx: w * 0.5,
            cy: h * rng.random_range(0.50..0.54),
            ax: w * rng.random_range(0.40..0.46),
            ay: h * rng.random_range(0.43..0.48),
        };
        let jitter = |rng: &mut ChaCha8Rng, s: f32| rng.random_range(-s..s);
        let (cx, cy) = (outline.cx + jitter(&mut rng, 0.05 * w), outline.cy - 0.08 * h + jitter(&mut rng, 0.05 * h));
        let (cores, deltas) = match class {
            PatternClass::Arch => (vec![], vec![]),
            PatternClass::TentedArch => {
                (vec![(cx, cy)], vec![(cx + jitter(&mut rng, 6.0), cy + rng.random_range(40.0..70.0))])
            }
            PatternClass::LeftLoop | PatternClass::RightLoop => {
                let side = if class == PatternClass::LeftLoop { 1.0 } else { -1.0 };
                let delta = (cx + side * rng.random_range(0.22..0.30) * w, cy + rng.random_range(0.20..0.28) * h);
                (vec![(cx, cy)], vec![delta])
            }
            PatternClass::Whorl => {
                let gap = rng.random_range(18.0..34.0);
                let tilt = jitter(&mut rng, 10.0);
                (
                    vec![(cx - tilt, cy - gap / 2.0), (cx + tilt, cy + gap / 2.0)],
                    vec![
                        (cx - rng.random_range(0.24..0.32) * w, cy + rng.random_range(0.22..0.30) * h),
                        (cx + rng.random_range(0.24..0.32) * w, cy + rng.random_range(0.22..0.30) * h),
                    ],
                )
            }
        };
        let field = OrientationField {
            class,
            cores: cores.clone(),
            deltas: deltas.clone(),
            arch: (cx, cy, rng.random_range(40.0..90.0), rng.random_range(0.22..0.32) * w),
            wobble: [rng.random_range(0.0..TAU), rng.random_range(0.0..TAU), rng.random_range(0.0..TAU), 0.06],
        };
        let ridge_period = rng.random_range(PERIOD_RANGE.0..PERIOD_RANGE.1);
        // Each finger's own irregularities: smooth random fields that bend the ridges and change
        // their spacing a little. Where spacing changes, ridges must end or fork to keep up, so
        // these fields decide where a finger's minutiae fall — without them, two fingers of one
        // class grew nearly the same minutiae (different fingers scored up to 99 of 100).
        let (mw, mh) = (w as usize, h as usize);
        let bend = value_noise(&mut rng, mw, mh, BEND_CELL);
        let spacing = value_noise(&mut rng, mw, mh, SPACING_CELL);
        let period_at =
            |x: f32, y: f32| ridge_period * (1.0 + PERIOD_VARIATION * (2.0 * spacing.sample(x, y, 0.5) - 1.0));

        // Growth: sparse random seeds, filtered again and again with the Gabor kernel that the
        // orientation and period at each pixel call for, squashed back to [−1, 1] each time.
        let bank = Bank::new(PERIOD_RANGE.0 * 0.93, PERIOD_RANGE.1 * 1.07);
        let (gw, gh) = ((w * GROW_SCALE) as usize, (h * GROW_SCALE) as usize);
        let mut kernels: Vec<Option<&[f32]>> = Vec::with_capacity(gw * gh);
        for gy in 0..gh {
            for gx in 0..gw {
                let (x, y) = ((gx as f32 + 0.5) / GROW_SCALE, (gy as f32 + 0.5) / GROW_SCALE);
                // Grow a margin beyond the outline, so impressions never meet a ridge's end.
                let inside = outline.weight(x * 0.92 + outline.cx * 0.08, y * 0.92 + outline.cy * 0.08) > 0.0;
                let turn = BEND * (2.0 * bend.sample(x, y, 0.5) - 1.0);
                kernels.push(inside.then(|| bank.kernel(field.at(x, y) + turn, period_at(x, y))));
            }
        }
        let mut ridges = Plane::new(gw, gh, 0.0);
        for (v, k) in ridges.data.iter_mut().zip(&kernels) {
            if k.is_some() && rng.random_range(0.0..1.0f32) < SEED_DENSITY {
                *v = if rng.random::<bool>() { 1.0 } else { -1.0 };
            }
        }
        let side = (2 * RADIUS + 1) as usize;
        let mut next = Plane::new(gw, gh, 0.0);
        for _ in 0..ITERATIONS {
            for gy in 0..gh {
                for gx in 0..gw {
                    let Some(k) = kernels[gy * gw + gx] else { continue };
                    let mut acc = 0.0;
                    for (ky, row) in k.chunks_exact(side).enumerate() {
                        let sy = gy as i32 + ky as i32 - RADIUS;
                        if sy < 0 || sy >= gh as i32 {
                            continue;
                        }
                        let base = sy as usize * gw;
                        let x0 = gx as i32 - RADIUS;
                        if x0 >= 0 && x0 + side as i32 <= gw as i32 {
                            let src = &ridges.data[base + x0 as usize..base + x0 as usize + side];
                            acc += src.iter().zip(row).map(|(a, b)| a * b).sum::<f32>();
                        } else {
                            for (kx, wgt) in row.iter().enumerate() {
                                let sx = x0 + kx as i32;
                                if sx >= 0 && sx < gw as i32 {
                                    acc += ridges.data[base + sx as usize] * wgt;
                                }
                            }
                        }
                    }
                    next.data[gy * gw + gx] = (2.5 * acc).clamp(-1.0, 1.0);
                }
            }
            std::mem::swap(&mut ridges, &mut next);
        }
        Finger { seed, class, cores, deltas, ridge_period, outline, ridges }
    }

    /// Renders `impression` of this finger as a `width`×`height` 500 dpi image, the finger
    /// centred (before the impression's translation).
    pub fn impression(&self, impression: &Impression, width: usize, height: usize) -> Grey {
        let imp = impression;
        let mut rng = ChaCha8Rng::seed_from_u64(imp.seed ^ 0x1A4B_5EED_0000_0002);
        let dry = (-imp.moisture).max(0.0);
        let wet = imp.moisture.max(0.0);
        let (sin, cos) = (-imp.rotation_deg.to_radians()).sin_cos();
        let phase: [f32; 4] = std::array::from_fn(|_| rng.random_range(0.0..TAU));
        // Where the finger touches: the whole outline, or a smaller patch pushed to one side.
        let angle = rng.random_range(0.0..TAU);
        let shrink = imp.contact.clamp(0.05, 1.0).sqrt();
        let o = self.outline;
        let contact = Outline {
            cx: o.cx + angle.cos() * (1.0 - shrink) * o.ax,
            cy: o.cy + angle.sin() * (1.0 - shrink) * o.ay,
            ax: o.ax * shrink,
            ay: o.ay * shrink,
        };
        let breaks = value_noise(&mut rng, width, height, 10.0);
        let (hw, hh) = (width as f32 / 2.0, height as f32 / 2.0);
        let background = 238.0;
        let ridge_ink = 45.0 + 110.0 * dry;
        let mut out = Plane::new(width, height, background);
        for y in 0..height {
            for x in 0..width {
                let (u, v) = (x as f32 - hw, y as f32 - hh);
                // Skin is elastic: a smooth displacement, strongest away from the centre.
                let reach = ((u * u + v * v).sqrt() / 120.0).min(1.5);
                let du = imp.distortion * 7.0 * reach * (u / 37.0 + phase[0]).sin() * (v / 53.0 + phase[1]).cos();
                let dv = imp.distortion * 7.0 * reach * (u / 41.0 + phase[2]).cos() * (v / 47.0 + phase[3]).sin();
                let (u, v) = (u + du, v + dv);
                let mx = o.cx + imp.dx + u * cos - v * sin;
                let my = o.cy + imp.dy + u * sin + v * cos;
                let touch = o.weight(mx, my) * contact.weight(mx, my);
                if touch <= 0.0 {
                    continue;
                }
                let r = self.ridges.sample(mx * GROW_SCALE - 0.5, my * GROW_SCALE - 0.5, -1.0);
                // Dry skin prints thin, broken ridges; wet skin thick ones that run together.
                let threshold = 0.4 * dry - 0.65 * wet;
                let mut ink = smoothstep(threshold - 0.25, threshold + 0.25, r);
                if dry > 0.0 {
                    ink *= smoothstep(0.55 * dry - 0.1, 0.55 * dry + 0.1, breaks.at(x, y));
                }
                out.data[y * width + x] = background - (background - ridge_ink) * ink * touch;
            }
        }
        let out = crate::filters::gaussian_blur(&out, 0.6 + 2.6 * imp.blur + 1.2 * wet);
        let mut out = out;
        if imp.noise > 0.0 {
            let sigma = 70.0 * imp.noise;
            for v in &mut out.data {
                *v += sigma * gaussian(&mut rng);
            }
        }
        out.to_grey()
    }
}

/// Smooth random values in [0, 1] with features about `cell` pixels across.
fn value_noise(rng: &mut impl Rng, width: usize, height: usize, cell: f32) -> Plane {
    let (gw, gh) = ((width as f32 / cell).ceil() as usize + 2, (height as f32 / cell).ceil() as usize + 2);
    let grid = Plane { width: gw, height: gh, data: (0..gw * gh).map(|_| rng.random_range(0.0..1.0)).collect() };
    let mut out = Plane::new(width, height, 0.0);
    for y in 0..height {
        for x in 0..width {
            out.data[y * width + x] = grid.sample(x as f32 / cell, y as f32 / cell, 0.5);
        }
    }
    out
}

/// A standard normal deviate (Box–Muller).
fn gaussian(rng: &mut impl Rng) -> f32 {
    let u1: f32 = rng.random_range(f32::EPSILON..1.0);
    let u2: f32 = rng.random_range(0.0..1.0);
    (-2.0 * u1.ln()).sqrt() * (TAU * u2).cos()
}

/// How one impression of a finger was taken: the ground truth of a generated image.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Impression {
    /// Seed for the impression's own randomness (noise, breaks, where a partial contact falls).
    pub seed: u64,
    /// Rotation on the glass, degrees.
    pub rotation_deg: f32,
    /// Shift on the glass, pixels.
    pub dx: f32,
    /// Shift on the glass, pixels.
    pub dy: f32,
    /// Elastic skin distortion, 0 (none) to 1 (strong).
    pub distortion: f32,
    /// −1 very dry (thin, broken, faint ridges) … 0 normal … 1 very wet (ridges run together).
    pub moisture: f32,
    /// Sensor noise, 0 to 1 (a standard deviation of 70 grey levels at 1).
    pub noise: f32,
    /// Blur (a dirty glass, a moving finger), 0 to 1.
    pub blur: f32,
    /// Share of the finger in contact with the glass, 0 to 1.
    pub contact: f32,
}

impl Impression {
    /// A clean, centred, full-contact impression.
    pub fn ideal(seed: u64) -> Self {
        Impression {
            seed,
            rotation_deg: 0.0,
            dx: 0.0,
            dy: 0.0,
            distortion: 0.0,
            moisture: 0.0,
            noise: 0.0,
            blur: 0.0,
            contact: 1.0,
        }
    }

    /// An everyday impression: placed a little differently each time, mostly good.
    pub fn typical(seed: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x7E57_0000_0000_0003);
        Impression {
            seed,
            rotation_deg: rng.random_range(-12.0..12.0),
            dx: rng.random_range(-16.0..16.0),
            dy: rng.random_range(-16.0..16.0),
            distortion: rng.random_range(0.2..0.8),
            moisture: rng.random_range(-0.25..0.25),
            noise: rng.random_range(0.03..0.12),
            blur: rng.random_range(0.0..0.2),
            contact: rng.random_range(0.88..1.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seeds_make_the_same_image_and_others_differ() {
        let a = Finger::generate(7);
        let b = Finger::generate(7);
        let imp = Impression::typical(3);
        assert_eq!(a.impression(&imp, 256, 288), b.impression(&imp, 256, 288));
        assert_ne!(a.impression(&imp, 256, 288), Finger::generate(8).impression(&imp, 256, 288));
        assert_ne!(a.impression(&imp, 256, 288), a.impression(&Impression::typical(4), 256, 288));
    }

    #[test]
    fn classes_carry_their_singular_points() {
        let mut seen = std::collections::HashSet::new();
        for seed in 0..200 {
            let f = Finger::generate(seed);
            let expected = match f.class {
                PatternClass::Arch => (0, 0),
                PatternClass::TentedArch | PatternClass::LeftLoop | PatternClass::RightLoop => (1, 1),
                PatternClass::Whorl => (2, 2),
            };
            assert_eq!((f.cores.len(), f.deltas.len()), expected, "seed {seed}: {:?}", f.class);
            assert!((PERIOD_RANGE.0..PERIOD_RANGE.1).contains(&f.ridge_period));
            seen.insert(f.class);
            if seen.len() == 5 {
                return;
            }
        }
        panic!("200 fingers did not show all five classes: {seen:?}");
    }

    #[test]
    fn ridges_are_dark_on_light_inside_the_finger_and_background_outside() {
        let f = Finger::generate(11);
        let img = f.impression(&Impression::ideal(1), 256, 288);
        let centre: Vec<u8> =
            (120..168).flat_map(|y| (104..152).map(move |x| (x, y))).map(|(x, y)| img.pixels[y * 256 + x]).collect();
        let dark = centre.iter().filter(|&&p| p < 100).count() as f32 / centre.len() as f32;
        assert!((0.25..0.75).contains(&dark), "ridges and valleys in about equal parts: {dark}");
        let partial = f.impression(&Impression { contact: 0.3, ..Impression::ideal(1) }, 256, 288);
        assert!(partial.mean() > img.mean() + 30.0, "a partial contact leaves more background");
    }
}
