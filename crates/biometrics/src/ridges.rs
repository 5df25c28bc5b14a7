//! The ridge map of a 500 dpi print: where the finger is, which way its ridges run, how far
//! apart they are and how clear they are — the measures the quality score ([`crate::quality`])
//! is made of, and the foreground the minutiae are kept inside ([`crate::minutiae`]).
//!
//! 1. **Blocks.** The image is cut into 8 px blocks; each gets the gradient structure tensor of
//!    the 24 px window around it (orientation, coherence, energy), its mean grey and spread.
//! 2. **Foreground.** Blocks whose gradient energy is well above the image's quiet background and
//!    whose grey is not the empty glass; then the largest connected region, holes filled, edges
//!    smoothed by a majority vote — a print is one blob of skin.
//! 3. **Orientation.** The tensor in doubled-angle form, smoothed over neighbouring blocks (more
//!    where the ridges are unclear), gives the ridge direction; coherence says how sure it is.
//! 4. **Ridge period.** Across the ridges of each block's oriented 32 × 16 px window, the grey
//!    profile's strongest wave between 4 and 20 px; blocks without a clear one take their
//!    neighbours' value, and the map is smoothed (a period changes slowly across a finger). The
//!    same profile gives NFIQ 2's local measures: how much of the window's variance it explains
//!    (clarity), its spread (contrast), how much its strongest wave dominates (frequency domain)
//!    and how wide ridges are against valleys (ridge-valley uniformity).

use crate::filters::{gaussian_blur, sobel};
use crate::{Grey, Plane};
use std::f32::consts::PI;

/// Block side, pixels.
pub const BLOCK: usize = 8;
/// Window over which a block's gradients are summed (centred on the block).
const TENSOR_WINDOW: usize = 24;
/// Plausible ridge periods at 500 dpi, pixels (0.2–0.8 mm).
pub const PERIOD_RANGE: (f32, f32) = (4.5, 16.0);

/// One block's measures.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Block {
    /// Part of the finger.
    pub foreground: bool,
    /// Ridge direction, radians in [0, π), counter-clockwise from x with y up.
    pub orientation: f32,
    /// How much the neighbourhood's smoothed orientation agrees, 0–1.
    pub coherence: f32,
    /// How much the block's own window's gradients agree on one direction, 0–1 (NFIQ 2's
    /// orientation certainty).
    pub raw_coherence: f32,
    /// Mean squared gradient magnitude over the window.
    pub energy: f32,
    /// Mean grey level of the window.
    pub mean: f32,
    /// Pixel-scale noise: the RMS of what a one-pixel blur removes, grey levels.
    pub grain: f32,
    /// Grey-level standard deviation of the window.
    pub spread: f32,
    /// Ridge period, pixels (smoothed and filled in).
    pub period: f32,
    /// Whether this block's own period estimate was clear (before filling in).
    pub period_measured: bool,
    /// Share of the window's variance the ridge profile explains, 0–1 (NFIQ 2's local clarity).
    pub clarity: f32,
    /// Ridge-valley contrast: standard deviation of the ridge profile, grey levels.
    pub contrast: f32,
    /// How much the profile's strongest wave stands out from its other frequencies, 0–1 (NFIQ 2's
    /// frequency domain analysis).
    pub wave_share: f32,
    /// Share of the profile darker than its mean: ridge width over ridge-plus-valley width
    /// (NFIQ 2's ridge-valley uniformity looks at how this varies).
    pub ridge_share: f32,
}

/// A print analysed: its blocks.
#[derive(Debug, Clone)]
pub struct RidgeMap {
    /// Image width, pixels.
    pub width: usize,
    /// Image height, pixels.
    pub height: usize,
    /// Blocks per row.
    pub cols: usize,
    /// Block rows.
    pub rows: usize,
    /// Row-major blocks.
    pub blocks: Vec<Block>,
}

impl RidgeMap {
    /// The block containing pixel (x, y).
    pub fn block_at(&self, x: usize, y: usize) -> &Block {
        &self.blocks[(y / BLOCK).min(self.rows - 1) * self.cols + (x / BLOCK).min(self.cols - 1)]
    }

    /// Whether pixel (x, y) is on the finger.
    pub fn is_foreground(&self, x: usize, y: usize) -> bool {
        self.block_at(x, y).foreground
    }

    /// Foreground blocks.
    pub fn foreground_blocks(&self) -> usize {
        self.blocks.iter().filter(|b| b.foreground).count()
    }

    /// The pixel foreground mask, row-major.
    pub fn mask(&self) -> Vec<bool> {
        let mut out = vec![false; self.width * self.height];
        for y in 0..self.height {
            for x in 0..self.width {
                out[y * self.width + x] = self.is_foreground(x, y);
            }
        }
        out
    }

    /// The ridge orientation at a pixel, interpolated between block centres (radians, [0, π)).
    pub fn orientation_at(&self, x: f32, y: f32) -> f32 {
        let (c, s) = self.doubled_at(x, y);
        0.5 * s.atan2(c).rem_euclid(2.0 * PI)
    }

    fn doubled_at(&self, x: f32, y: f32) -> (f32, f32) {
        let bx = (x / BLOCK as f32 - 0.5).clamp(0.0, (self.cols - 1) as f32);
        let by = (y / BLOCK as f32 - 0.5).clamp(0.0, (self.rows - 1) as f32);
        let (x0, y0) = (bx as usize, by as usize);
        let (x1, y1) = ((x0 + 1).min(self.cols - 1), (y0 + 1).min(self.rows - 1));
        let (fx, fy) = (bx - x0 as f32, by - y0 as f32);
        let v = |bx: usize, by: usize| {
            let b = &self.blocks[by * self.cols + bx];
            let w = if b.foreground { b.coherence.max(0.05) } else { 0.01 };
            ((2.0 * b.orientation).cos() * w, (2.0 * b.orientation).sin() * w)
        };
        let mix = |a: (f32, f32), b: (f32, f32), t: f32| (a.0 * (1.0 - t) + b.0 * t, a.1 * (1.0 - t) + b.1 * t);
        mix(mix(v(x0, y0), v(x1, y0), fx), mix(v(x0, y1), v(x1, y1), fx), fy)
    }

    /// Analyses a 500 dpi print.
    pub fn analyse(img: &Grey) -> RidgeMap {
        let (w, h) = (img.width, img.height);
        let plane = img.to_plane();
        let smooth = gaussian_blur(&plane, 1.0);
        let (gx, gy) = sobel(&smooth);
        let (cols, rows) = (w.div_ceil(BLOCK), h.div_ceil(BLOCK));
        let mut blocks = tensor_blocks(&plane, &smooth, &gx, &gy, cols, rows);
        segment(&mut blocks, cols, rows);
        smooth_orientation(&mut blocks, cols, rows);
        ridge_periods(&smooth, &mut blocks, cols, rows);
        RidgeMap { width: w, height: h, cols, rows, blocks }
    }
}

/// Summed-area tables make every block's window sums O(1).
struct Integral {
    w: usize,
    data: Vec<f64>,
}

impl Integral {
    fn new(values: impl Iterator<Item = f32>, w: usize, h: usize) -> Integral {
        let mut data = vec![0.0f64; (w + 1) * (h + 1)];
        let mut it = values;
        for y in 0..h {
            let mut row = 0.0f64;
            for x in 0..w {
                row += f64::from(it.next().unwrap_or(0.0));
                data[(y + 1) * (w + 1) + x + 1] = data[y * (w + 1) + x + 1] + row;
            }
        }
        Integral { w: w + 1, data }
    }

    /// Sum over [x0, x1) × [y0, y1).
    fn sum(&self, x0: usize, y0: usize, x1: usize, y1: usize) -> f64 {
        self.data[y1 * self.w + x1] - self.data[y0 * self.w + x1] - self.data[y1 * self.w + x0]
            + self.data[y0 * self.w + x0]
    }
}

fn window(c: usize, n: usize, size: usize) -> (usize, usize) {
    let centre = c * BLOCK + BLOCK / 2;
    let lo = centre.saturating_sub(size / 2);
    let hi = (centre + size / 2).min(n);
    (lo.min(hi.saturating_sub(1)), hi)
}

fn tensor_blocks(plane: &Plane, smooth: &Plane, gx: &Plane, gy: &Plane, cols: usize, rows: usize) -> Vec<Block> {
    let (w, h) = (plane.width, plane.height);
    // What a 1-pixel blur takes away is sensor noise (ridges are 4–8 px wide).
    let grain = Integral::new(plane.data.iter().zip(&smooth.data).map(|(a, b)| (a - b) * (a - b)), w, h);
    let xx = Integral::new(gx.data.iter().map(|v| v * v), w, h);
    let yy = Integral::new(gy.data.iter().map(|v| v * v), w, h);
    let xy = Integral::new(gx.data.iter().zip(&gy.data).map(|(a, b)| a * b), w, h);
    let s1 = Integral::new(plane.data.iter().copied(), w, h);
    let s2 = Integral::new(plane.data.iter().map(|v| v * v), w, h);
    let mut out = Vec::with_capacity(cols * rows);
    for by in 0..rows {
        for bx in 0..cols {
            let (x0, x1) = window(bx, w, TENSOR_WINDOW);
            let (y0, y1) = window(by, h, TENSOR_WINDOW);
            let n = ((x1 - x0) * (y1 - y0)).max(1) as f64;
            let (a, b, c) = (xx.sum(x0, y0, x1, y1), yy.sum(x0, y0, x1, y1), xy.sum(x0, y0, x1, y1));
            let mean = s1.sum(x0, y0, x1, y1) / n;
            let var = (s2.sum(x0, y0, x1, y1) / n - mean * mean).max(0.0);
            let coherence = (((a - b).powi(2) + 4.0 * c * c).sqrt() / (a + b).max(1e-9)) as f32;
            // The gradient is across the ridges; the ridge runs at right angles to it. In pixel
            // rows y grows downwards, so the angle with y up is the negative of atan2 in rows.
            let gradient = 0.5 * ((2.0 * c) as f32).atan2((a - b) as f32);
            let orientation = (-(gradient + PI / 2.0)).rem_euclid(PI);
            out.push(Block {
                orientation,
                coherence,
                raw_coherence: coherence,
                energy: ((a + b) / n) as f32,
                grain: (grain.sum(x0, y0, x1, y1) / n).sqrt() as f32,
                mean: mean as f32,
                spread: var.sqrt() as f32,
                ..Block::default()
            });
        }
    }
    out
}

/// Foreground: energetic, not empty glass, one connected blob without holes.
fn segment(blocks: &mut [Block], cols: usize, rows: usize) {
    let mut energies: Vec<f32> = blocks.iter().map(|b| b.energy).collect();
    energies.sort_by(f32::total_cmp);
    let pick = |q: f32| energies[((energies.len() - 1) as f32 * q) as usize];
    let (quiet, busy) = (pick(0.05), pick(0.90));
    // Between the image's quietest and busiest blocks, nearer the quiet end: sensors differ
    // tenfold in contrast, but on every one skin is far busier than the glass around it.
    let threshold = (quiet + 0.08 * (busy - quiet)).max(40.0);
    let mut fg: Vec<bool> = blocks.iter().map(|b| b.energy > threshold && b.spread > 6.0 && b.mean < 248.0).collect();
    // Majority vote over 3 × 3 blocks, twice: ragged edges and specks of dust go.
    for _ in 0..2 {
        let prev = fg.clone();
        for y in 0..rows {
            for x in 0..cols {
                let mut n = 0;
                let mut total = 0;
                for dy in -1i32..=1 {
                    for dx in -1i32..=1 {
                        let (nx, ny) = (x as i32 + dx, y as i32 + dy);
                        if nx >= 0 && ny >= 0 && (nx as usize) < cols && (ny as usize) < rows {
                            total += 1;
                            n += usize::from(prev[ny as usize * cols + nx as usize]);
                        }
                    }
                }
                fg[y * cols + x] = 2 * n > total;
            }
        }
    }
    // The largest 4-connected region.
    let mut label = vec![0u32; fg.len()];
    let (mut best, mut best_size, mut next) = (0u32, 0usize, 0u32);
    for start in 0..fg.len() {
        if !fg[start] || label[start] != 0 {
            continue;
        }
        next += 1;
        let mut stack = vec![start];
        label[start] = next;
        let mut size = 0;
        while let Some(i) = stack.pop() {
            size += 1;
            let (x, y) = (i % cols, i / cols);
            let mut visit = |j: usize| {
                if fg[j] && label[j] == 0 {
                    label[j] = next;
                    stack.push(j);
                }
            };
            if x > 0 {
                visit(i - 1);
            }
            if x + 1 < cols {
                visit(i + 1);
            }
            if y > 0 {
                visit(i - cols);
            }
            if y + 1 < rows {
                visit(i + cols);
            }
        }
        if size > best_size {
            (best, best_size) = (next, size);
        }
    }
    // Holes: background not reachable from the border is skin (a pale patch, a scar).
    let mut outside = vec![false; fg.len()];
    let mut stack: Vec<usize> = (0..fg.len())
        .filter(|&i| {
            let (x, y) = (i % cols, i / cols);
            (x == 0 || y == 0 || x + 1 == cols || y + 1 == rows) && label[i] != best
        })
        .collect();
    for &i in &stack {
        outside[i] = true;
    }
    while let Some(i) = stack.pop() {
        let (x, y) = (i % cols, i / cols);
        let mut visit = |j: usize| {
            if label[j] != best && !outside[j] {
                outside[j] = true;
                stack.push(j);
            }
        };
        if x > 0 {
            visit(i - 1);
        }
        if x + 1 < cols {
            visit(i + 1);
        }
        if y > 0 {
            visit(i - cols);
        }
        if y + 1 < rows {
            visit(i + cols);
        }
    }
    for (i, b) in blocks.iter_mut().enumerate() {
        b.foreground = best != 0 && !outside[i];
    }
}

/// Smooths the orientation field in doubled-angle form, weighting each block by its coherence;
/// the coherence is then that of the smoothed field (how well the neighbourhood agrees).
fn smooth_orientation(blocks: &mut [Block], cols: usize, rows: usize) {
    let doubled: Vec<(f32, f32, f32)> = blocks
        .iter()
        .map(|b| {
            let w = if b.foreground { b.coherence * b.energy.sqrt() } else { 0.0 };
            ((2.0 * b.orientation).cos() * w, (2.0 * b.orientation).sin() * w, w)
        })
        .collect();
    const R: i32 = 2;
    let sigma2 = 2.0 * 1.5f32 * 1.5;
    for y in 0..rows {
        for x in 0..cols {
            let (mut c, mut s, mut wsum) = (0.0f32, 0.0f32, 0.0f32);
            for dy in -R..=R {
                for dx in -R..=R {
                    let (nx, ny) = (x as i32 + dx, y as i32 + dy);
                    if nx < 0 || ny < 0 || nx as usize >= cols || ny as usize >= rows {
                        continue;
                    }
                    let g = (-((dx * dx + dy * dy) as f32) / sigma2).exp();
                    let d = doubled[ny as usize * cols + nx as usize];
                    c += g * d.0;
                    s += g * d.1;
                    wsum += g * d.2;
                }
            }
            let b = &mut blocks[y * cols + x];
            if wsum > 0.0 {
                b.orientation = (0.5 * s.atan2(c)).rem_euclid(PI);
                b.coherence = ((c * c + s * s).sqrt() / wsum).min(1.0);
            }
        }
    }
}

/// Each block's ridge period, clarity and contrast from the grey profile across its ridges.
fn ridge_periods(smooth: &Plane, blocks: &mut [Block], cols: usize, rows: usize) {
    const LEN: usize = 32;
    const WIDTH: usize = 16;
    for by in 0..rows {
        for bx in 0..cols {
            let b = blocks[by * cols + bx];
            if !b.foreground {
                continue;
            }
            let (cx, cy) = ((bx * BLOCK) as f32 + BLOCK as f32 / 2.0, (by * BLOCK) as f32 + BLOCK as f32 / 2.0);
            // Along the ridge (y up): (cos, sin); in pixel rows, y flips.
            let (s, c) = b.orientation.sin_cos();
            let along = (c, -s);
            let across = (s, c);
            let mut profile = [0.0f32; LEN];
            let (mut sum, mut sq, mut n) = (0.0f32, 0.0f32, 0.0f32);
            let mut residual = 0.0f32;
            let mut ok = true;
            for (k, p) in profile.iter_mut().enumerate() {
                let t = k as f32 - (LEN as f32 - 1.0) / 2.0;
                let mut acc = 0.0;
                let mut vals = [0.0f32; WIDTH];
                for (j, v) in vals.iter_mut().enumerate() {
                    let u = j as f32 - (WIDTH as f32 - 1.0) / 2.0;
                    let (x, y) = (cx + t * across.0 + u * along.0, cy + t * across.1 + u * along.1);
                    let sample = smooth.sample(x, y, f32::NAN);
                    if sample.is_nan() {
                        ok = false;
                    }
                    *v = sample;
                    acc += sample;
                }
                *p = acc / WIDTH as f32;
                for v in vals {
                    sum += v;
                    sq += v * v;
                    n += 1.0;
                    residual += (v - *p).powi(2);
                }
            }
            let block = &mut blocks[by * cols + bx];
            if !ok {
                continue;
            }
            let mean = sum / n;
            let var = (sq / n - mean * mean).max(1e-6);
            block.clarity = (1.0 - residual / n / var).clamp(0.0, 1.0);
            let pmean = profile.iter().sum::<f32>() / LEN as f32;
            block.contrast = (profile.iter().map(|p| (p - pmean).powi(2)).sum::<f32>() / LEN as f32).sqrt();
            block.ridge_share = profile.iter().filter(|&&p| p < pmean).count() as f32 / LEN as f32;
            let (period, share) = dominant_period(&profile);
            block.wave_share = share;
            if let Some(period) = period {
                block.period = period;
                block.period_measured = true;
            }
        }
    }
    fill_periods(blocks, cols, rows);
}

/// The period of the strongest wave in a profile, if plausible and standing out, and how much
/// of the profile's energy that wave holds.
fn dominant_period(profile: &[f32]) -> (Option<f32>, f32) {
    let n = profile.len();
    let mean = profile.iter().sum::<f32>() / n as f32;
    let hann = |i: usize| 0.5 - 0.5 * (std::f32::consts::TAU * i as f32 / (n - 1) as f32).cos();
    let signal: Vec<f32> = profile.iter().enumerate().map(|(i, p)| (p - mean) * hann(i)).collect();
    let energy: f32 = signal.iter().map(|v| v * v).sum();
    if energy <= 1e-3 {
        return (None, 0.0);
    }
    // Power at fractional frequencies, so the period is not stuck to n / k.
    let power = |f: f32| {
        let (mut re, mut im) = (0.0f32, 0.0f32);
        for (i, v) in signal.iter().enumerate() {
            let (sn, cs) = (std::f32::consts::TAU * f * i as f32).sin_cos();
            re += v * cs;
            im += v * sn;
        }
        re * re + im * im
    };
    let (mut best_f, mut best_p) = (0.0f32, 0.0f32);
    let mut f = 1.0 / 20.0;
    while f <= 1.0 / 3.0 {
        let p = power(f);
        if p > best_p {
            (best_f, best_p) = (f, p);
        }
        f += 1.0 / 256.0;
    }
    let period = 1.0 / best_f;
    // A clean sinusoid puts about n/2·(3/8) of the energy at its peak (Hann window); demand a fair share.
    let share = (best_p / (energy * n as f32 * 0.375)).min(1.0);
    (((PERIOD_RANGE.0..=PERIOD_RANGE.1).contains(&period) && share > 0.25).then_some(period), share)
}

/// Blocks without a measured period take the weighted mean of measured ones near them; then
/// the map is smoothed.
fn fill_periods(blocks: &mut [Block], cols: usize, rows: usize) {
    let measured: Vec<f32> = blocks.iter().map(|b| if b.period_measured { b.period } else { 0.0 }).collect();
    let mut all: Vec<f32> = measured.iter().copied().filter(|p| *p > 0.0).collect();
    all.sort_by(f32::total_cmp);
    let median = all.get(all.len() / 2).copied().unwrap_or(9.0);
    for y in 0..rows {
        for x in 0..cols {
            let i = y * cols + x;
            if !blocks[i].foreground {
                continue;
            }
            let (mut sum, mut wsum) = (0.0f32, 0.0f32);
            for r in [2i32, 4, 8] {
                for dy in -r..=r {
                    for dx in -r..=r {
                        let (nx, ny) = (x as i32 + dx, y as i32 + dy);
                        if nx < 0 || ny < 0 || nx as usize >= cols || ny as usize >= rows {
                            continue;
                        }
                        let p = measured[ny as usize * cols + nx as usize];
                        if p > 0.0 {
                            let g = (-((dx * dx + dy * dy) as f32) / (2.0 * (r as f32 * 0.6).powi(2))).exp();
                            // Outliers (a double period across a crease) count less.
                            let g = g / (1.0 + ((p - median) / (0.25 * median)).powi(2));
                            sum += g * p;
                            wsum += g;
                        }
                    }
                }
                if wsum > 0.5 {
                    break;
                }
            }
            blocks[i].period = if wsum > 0.0 { sum / wsum } else { median };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Straight ridges at `angle` (y up) with period `period`, dark on light.
    fn stripes(w: usize, h: usize, angle: f32, period: f32) -> Grey {
        let (s, c) = angle.sin_cos();
        let px = (0..w * h)
            .map(|i| {
                let (x, y) = ((i % w) as f32, -((i / w) as f32));
                // Distance across the ridges.
                let t = -x * s + y * c;
                (140.0 + 80.0 * (std::f32::consts::TAU * t / period).cos()) as u8
            })
            .collect();
        Grey::new(w, h, px).unwrap()
    }

    #[test]
    fn straight_ridges_give_their_direction_and_period() {
        for (angle, period) in [(0.3f32, 9.0f32), (1.2, 7.0), (2.5, 11.0)] {
            let map = RidgeMap::analyse(&stripes(160, 160, angle, period));
            let b = map.blocks[10 * map.cols + 10];
            assert!(b.foreground);
            let d = (b.orientation - angle).rem_euclid(PI);
            assert!(d.min(PI - d) < 0.05, "angle {angle}: {}", b.orientation);
            assert!((b.period - period).abs() < 0.5, "period {period}: {}", b.period);
            assert!(b.coherence > 0.9 && b.clarity > 0.8, "{b:?}");
        }
    }

    #[test]
    fn empty_glass_is_background_and_a_blob_of_ridges_is_foreground() {
        let mut img = stripes(200, 200, 0.7, 9.0);
        for (i, p) in img.pixels.iter_mut().enumerate() {
            let (x, y) = ((i % 200) as f32 - 100.0, (i / 200) as f32 - 100.0);
            if x * x + y * y > 60.0 * 60.0 {
                *p = 250;
            }
        }
        let map = RidgeMap::analyse(&img);
        assert!(map.is_foreground(100, 100));
        assert!(!map.is_foreground(5, 5) && !map.is_foreground(195, 190));
        let share = map.foreground_blocks() as f32 / map.blocks.len() as f32;
        assert!((0.2..0.4).contains(&share), "{share}");
    }
}
