//! 1:1 fingerprint comparison: Minutia Cylinder-Code (Cappelli, Ferrara, Maltoni, IEEE TPAMI
//! 32(12), 2010), bit-vector form, with its local-similarity-sort-with-relaxation consolidation.
//!
//! **Cylinders.** Each minutia gets a cylinder: a disc of radius 70 px around it, turned with the
//! minutia's direction, cut into 16 × 16 cells and each cell into 6 slices of relative direction.
//! A cell slice is set when the neighbouring minutiae near the cell (Gaussian in distance,
//! σ = 9.3 px) with a direction near the slice's (Gaussian in angle, σ = 40°) add up to more than
//! a small threshold. The cylinder describes the minutia's neighbourhood the same way wherever
//! the finger lay on the glass; a missing or a false neighbour changes a few bits, not the whole.
//! Cells outside the convex hull of the print's minutiae (widened by 50 px) are invalid — the
//! print does not reach there — and a cylinder with too few valid cells or fewer than two
//! contributing neighbours is dropped.
//!
//! **Local similarity** of two cylinders whose minutiae point within 90° of each other:
//! 1 − ‖a − b‖ / (‖a‖ + ‖b‖) over the cells valid in both (at least 60% of them), which for bit
//! vectors is popcounts: about a microsecond.
//!
//! **Consolidation (LSS-R).** The best one-to-one local pairs are relaxed against each other:
//! a pair keeps its weight in proportion to how many other pairs agree with it in distance and
//! angles (distortion bends a finger a little, not at random), over five rounds; the pairs that
//! kept most of their weight are averaged. A few local look-alikes in different places do not
//! agree with each other and fade.
//!
//! The score is that average × 2,000, capped at 100: the thresholds that matter (FMR 1/1,000 and
//! 1/10,000) fall around 40–55 (calibrated on real prints, see the README).

use crate::minutiae::Minutia;
use crate::template::Template;
use std::f32::consts::{PI, TAU};

/// Cylinder radius, pixels at 500 dpi.
const RADIUS: f32 = 70.0;
/// Spatial cells per side.
const CELLS_SIDE: usize = 16;
/// Direction slices per cell.
const SLICES: usize = 6;
/// Spatial spread of a neighbour's contribution, pixels.
const SIGMA_S: f32 = 28.0 / 3.0;
/// Directional spread of a neighbour's contribution, radians.
const SIGMA_D: f32 = 2.0 * PI / 9.0;
/// A slice is set above this summed contribution.
const MU_PSI: f32 = 0.01;
/// Cells this far outside the minutiae's convex hull are still valid, pixels.
const HULL_MARGIN: f32 = 50.0;
/// A cylinder needs this share of its cells valid.
const MIN_VALID_CELLS: f32 = 0.75;
/// … and this many neighbours contributing.
const MIN_NEIGHBOURS: usize = 2;
/// Two cylinders are compared over at least this share of cells valid in both.
const MIN_MATCHABLE: f32 = 0.60;
/// Minutiae pointing further apart than this are not compared.
const MAX_ROTATION: f32 = PI / 2.0;
/// Relaxation rounds and the weight a pair keeps of itself in each.
const RELAXATION_ROUNDS: usize = 5;
const RELAXATION_SELF: f32 = 0.5;
/// Pairs averaged into the score: from 4 (few minutiae) to 12 (many), around 20 minutiae.
const MIN_PAIRS: f32 = 4.0;
const MAX_PAIRS: f32 = 12.0;
/// Scale from the consolidated similarity (0–0.05 in practice) to the 0–100 score.
const SCALE: f32 = 2000.0;

const BITS: usize = CELLS_SIDE * CELLS_SIDE * SLICES;
const WORDS: usize = BITS.div_ceil(64);

/// A minutia's neighbourhood as bits, with the cells the print covers.
#[derive(Clone, Debug)]
struct Cylinder {
    minutia: Minutia,
    bits: [u64; WORDS],
    valid: [u64; WORDS],
}

/// A template ready for many comparisons: its cylinders, built once.
#[derive(Clone, Debug)]
pub struct Prepared {
    cylinders: Vec<Cylinder>,
}

/// The signed gap a − b, in (−π, π].
fn gap(a: f32, b: f32) -> f32 {
    let d = (a - b).rem_euclid(TAU);
    if d > PI { d - TAU } else { d }
}

/// The logistic Z(v; μ, τ) the paper uses for every soft threshold.
fn logistic(v: f32, mu: f32, tau: f32) -> f32 {
    1.0 / (1.0 + (-tau * (v - mu)).exp())
}

/// erf by Abramowitz and Stegun 7.1.26 (|error| < 1.5e-7): for the directional contributions.
fn erf(x: f32) -> f32 {
    let t = 1.0 / (1.0 + 0.327_591_1 * x.abs());
    let poly = ((((1.061_405_4 * t - 1.453_152_1) * t) + 1.421_413_7) * t - 0.284_496_74) * t + 0.254_829_6;
    let y = 1.0 - poly * t * (-x * x).exp();
    if x >= 0.0 { y } else { -y }
}

/// The cell centres inside the disc, in the minutia's own frame (x along its direction, y up).
struct Geometry {
    cells: Vec<(usize, f32, f32)>,
    /// How much of each direction slice a neighbour at relative direction α fills, by α in 1/256
    /// of a turn: the Gaussian's area over the slice.
    slices: Vec<[f32; SLICES]>,
}

fn geometry() -> &'static Geometry {
    static GEOMETRY: std::sync::OnceLock<Geometry> = std::sync::OnceLock::new();
    GEOMETRY.get_or_init(|| {
        let step = 2.0 * RADIUS / CELLS_SIDE as f32;
        let mut cells = Vec::new();
        for i in 0..CELLS_SIDE {
            for j in 0..CELLS_SIDE {
                let u = step * (i as f32 - (CELLS_SIDE as f32 - 1.0) / 2.0);
                let v = step * (j as f32 - (CELLS_SIDE as f32 - 1.0) / 2.0);
                if u * u + v * v <= RADIUS * RADIUS {
                    cells.push((i * CELLS_SIDE + j, u, v));
                }
            }
        }
        let width = TAU / SLICES as f32;
        let s = SIGMA_D * std::f32::consts::SQRT_2;
        let slices = (0..256)
            .map(|k| {
                let alpha = -PI + TAU * k as f32 / 256.0;
                std::array::from_fn(|slice| {
                    let centre = -PI + (slice as f32 + 0.5) * width;
                    let d = gap(centre, alpha);
                    0.5 * (erf((d + width / 2.0) / s) - erf((d - width / 2.0) / s))
                })
            })
            .collect();
        Geometry { cells, slices }
    })
}

fn convex_hull(points: &[(f32, f32)]) -> Vec<(f32, f32)> {
    let mut p: Vec<(f32, f32)> = points.to_vec();
    p.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    p.dedup();
    if p.len() < 3 {
        return p;
    }
    let cross = |o: (f32, f32), a: (f32, f32), b: (f32, f32)| (a.0 - o.0) * (b.1 - o.1) - (a.1 - o.1) * (b.0 - o.0);
    let mut hull: Vec<(f32, f32)> = Vec::with_capacity(2 * p.len());
    for pass in 0..2 {
        let start = hull.len();
        let iter: Box<dyn Iterator<Item = &(f32, f32)>> =
            if pass == 0 { Box::new(p.iter()) } else { Box::new(p.iter().rev()) };
        for &q in iter {
            while hull.len() >= start + 2 && cross(hull[hull.len() - 2], hull[hull.len() - 1], q) <= 0.0 {
                hull.pop();
            }
            hull.push(q);
        }
        hull.pop();
    }
    hull
}

/// Whether `p` lies inside the hull or within `margin` of it.
fn near_hull(hull: &[(f32, f32)], p: (f32, f32), margin: f32) -> bool {
    if hull.len() < 3 {
        return false;
    }
    let mut inside = true;
    for k in 0..hull.len() {
        let (a, b) = (hull[k], hull[(k + 1) % hull.len()]);
        let (ex, ey) = (b.0 - a.0, b.1 - a.1);
        let (px, py) = (p.0 - a.0, p.1 - a.1);
        if ex * py - ey * px < 0.0 {
            inside = false;
            let len2 = ex * ex + ey * ey;
            let t = if len2 > 0.0 { ((px * ex + py * ey) / len2).clamp(0.0, 1.0) } else { 0.0 };
            let (dx, dy) = (px - t * ex, py - t * ey);
            if dx * dx + dy * dy <= margin * margin {
                return true;
            }
        }
    }
    inside
}

impl Prepared {
    /// Builds the cylinders of `template`'s minutiae.
    pub fn new(template: &Template) -> Prepared {
        let m = &template.minutiae;
        let geo = geometry();
        let hull = convex_hull(&m.iter().map(|a| (a.x as f32, a.y as f32)).collect::<Vec<_>>());
        let reach = (RADIUS + 3.0 * SIGMA_S).powi(2);
        let cutoff = (3.0 * SIGMA_S).powi(2);
        let norm = 1.0 / (SIGMA_S * TAU.sqrt());
        let mut cylinders = Vec::with_capacity(m.len());
        for (i, a) in m.iter().enumerate() {
            let (ax, ay) = (a.x as f32, a.y as f32);
            let (s, c) = a.angle.sin_cos();
            // Neighbours that can reach a cell: position (pixels) and their slice weights.
            let near: Vec<(f32, f32, &[f32; SLICES])> = m
                .iter()
                .enumerate()
                .filter(|&(j, b)| j != i && (b.x as f32 - ax).powi(2) + (b.y as f32 - ay).powi(2) <= reach)
                .map(|(_, b)| {
                    let alpha = gap(a.angle, b.angle);
                    let k = (((alpha + PI) / TAU * 256.0) as usize).min(255);
                    (b.x as f32, b.y as f32, &geo.slices[k])
                })
                .collect();
            let (mut bits, mut valid) = ([0u64; WORDS], [0u64; WORDS]);
            let mut valid_cells = 0usize;
            let mut contributing = vec![false; near.len()];
            for &(index, u, v) in &geo.cells {
                // The cell centre in pixels: turn (u, v) by the direction (y up), then flip y.
                let (px, py) = (ax + u * c - v * s, ay - (u * s + v * c));
                if !near_hull(&hull, (px, py), HULL_MARGIN) {
                    continue;
                }
                valid_cells += 1;
                let mut sums = [0.0f32; SLICES];
                for (n, &(bx, by, slice)) in near.iter().enumerate() {
                    let d2 = (bx - px).powi(2) + (by - py).powi(2);
                    if d2 > cutoff {
                        continue;
                    }
                    contributing[n] = true;
                    let spatial = norm * (-d2 / (2.0 * SIGMA_S * SIGMA_S)).exp();
                    for (sum, w) in sums.iter_mut().zip(slice) {
                        *sum += spatial * w;
                    }
                }
                for (k, sum) in sums.iter().enumerate() {
                    let bit = index * SLICES + k;
                    valid[bit / 64] |= 1 << (bit % 64);
                    if *sum > MU_PSI {
                        bits[bit / 64] |= 1 << (bit % 64);
                    }
                }
            }
            let enough = valid_cells as f32 >= MIN_VALID_CELLS * geo.cells.len() as f32;
            if enough && contributing.iter().filter(|&&c| c).count() >= MIN_NEIGHBOURS {
                cylinders.push(Cylinder { minutia: *a, bits, valid });
            }
        }
        Prepared { cylinders }
    }

    /// Cylinders kept (minutiae with a usable neighbourhood).
    pub fn len(&self) -> usize {
        self.cylinders.len()
    }

    /// True when no minutia has a usable neighbourhood.
    pub fn is_empty(&self) -> bool {
        self.cylinders.is_empty()
    }
}

/// Local similarity of two cylinders, 0–1.
fn local(a: &Cylinder, b: &Cylinder, cells: usize) -> f32 {
    if gap(a.minutia.angle, b.minutia.angle).abs() > MAX_ROTATION {
        return 0.0;
    }
    let (mut common, mut na, mut nb, mut nx) = (0u32, 0u32, 0u32, 0u32);
    for w in 0..WORDS {
        let both = a.valid[w] & b.valid[w];
        let (x, y) = (a.bits[w] & both, b.bits[w] & both);
        common += both.count_ones();
        na += x.count_ones();
        nb += y.count_ones();
        nx += (x ^ y).count_ones();
    }
    if (common as f32) < MIN_MATCHABLE * (cells * SLICES) as f32 {
        return 0.0;
    }
    let norms = (na as f32).sqrt() + (nb as f32).sqrt();
    if norms == 0.0 { 0.0 } else { 1.0 - (nx as f32).sqrt() / norms }
}

/// How similar two prints are, 0–100 (calibrated thresholds live with the caller).
pub fn score(probe: &Template, candidate: &Template) -> f32 {
    score_prepared(&Prepared::new(probe), &Prepared::new(candidate))
}

/// [`score`] of two prepared templates (for 1:N searches).
pub fn score_prepared(probe: &Prepared, candidate: &Prepared) -> f32 {
    let (ca, cb) = (&probe.cylinders, &candidate.cylinders);
    if ca.is_empty() || cb.is_empty() {
        return 0.0;
    }
    let cells = geometry().cells.len();
    let mut pairs: Vec<(f32, u16, u16)> = Vec::with_capacity(ca.len() * cb.len() / 4);
    for (i, x) in ca.iter().enumerate() {
        for (j, y) in cb.iter().enumerate() {
            let l = local(x, y, cells);
            if l > 0.0 {
                pairs.push((l, i as u16, j as u16));
            }
        }
    }
    pairs.sort_by(|p, q| q.0.total_cmp(&p.0));
    // The best one-to-one pairs, as many as the smaller print has cylinders.
    let n = ca.len().min(cb.len());
    let (mut used_a, mut used_b) = (vec![false; ca.len()], vec![false; cb.len()]);
    let mut chosen: Vec<(f32, &Minutia, &Minutia)> = Vec::with_capacity(n);
    for &(l, i, j) in &pairs {
        let (i, j) = (usize::from(i), usize::from(j));
        if !used_a[i] && !used_b[j] {
            used_a[i] = true;
            used_b[j] = true;
            chosen.push((l, &ca[i].minutia, &cb[j].minutia));
            if chosen.len() == n {
                break;
            }
        }
    }
    let nr = chosen.len();
    let take = ((MIN_PAIRS + (logistic(n as f32, 20.0, 0.4) * (MAX_PAIRS - MIN_PAIRS)).round()) as usize).min(nr);
    if nr < 2 || take == 0 {
        return (SCALE * chosen.first().map_or(0.0, |c| c.0) / MAX_PAIRS).min(100.0);
    }
    // How well pair t and pair k agree: distances, relative directions and radial angles.
    let radial = |p: &Minutia, q: &Minutia| gap(p.angle, (-(q.y as f32 - p.y as f32)).atan2(q.x as f32 - p.x as f32));
    let dist =
        |p: &Minutia, q: &Minutia| ((p.x as f32 - q.x as f32).powi(2) + (p.y as f32 - q.y as f32).powi(2)).sqrt();
    let mut rho = vec![0.0f32; nr * nr];
    for t in 0..nr {
        let (_, at, bt) = chosen[t];
        for k in t + 1..nr {
            let (_, ak, bk) = chosen[k];
            let d1 = (dist(at, ak) - dist(bt, bk)).abs();
            let d2 = gap(gap(at.angle, ak.angle), gap(bt.angle, bk.angle)).abs();
            let d3 = gap(radial(at, ak), radial(bt, bk)).abs();
            let r = logistic(d1, 5.0, -8.0 / 5.0) * logistic(d2, PI / 12.0, -30.0) * logistic(d3, PI / 12.0, -30.0);
            rho[t * nr + k] = r;
            rho[k * nr + t] = r;
        }
    }
    let start: Vec<f32> = chosen.iter().map(|c| c.0).collect();
    let mut lambda = start.clone();
    let mut next = vec![0.0f32; nr];
    for _ in 0..RELAXATION_ROUNDS {
        for t in 0..nr {
            let support: f32 = rho[t * nr..(t + 1) * nr].iter().zip(&lambda).map(|(r, l)| r * l).sum();
            next[t] = RELAXATION_SELF * lambda[t] + (1.0 - RELAXATION_SELF) * support / (nr - 1) as f32;
        }
        std::mem::swap(&mut lambda, &mut next);
    }
    // The pairs that kept most of their weight (efficiency), averaged.
    let mut kept: Vec<(f32, f32)> = (0..nr).map(|t| (lambda[t] / start[t].max(1e-6), lambda[t])).collect();
    kept.sort_by(|p, q| q.0.total_cmp(&p.0));
    let mean = kept[..take].iter().map(|k| k.1).sum::<f32>() / take as f32;
    (SCALE * mean).min(100.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::minutiae::Kind;

    fn minutia(x: usize, y: usize, angle: f32) -> Minutia {
        Minutia { x, y, kind: Kind::Other, angle, quality: 60 }
    }

    /// A scatter of minutiae from a seed, as a print's might lie.
    fn scatter(seed: u64, n: usize) -> Vec<Minutia> {
        let mut state = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let mut next = || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 33) as f32 / (1u64 << 31) as f32
        };
        (0..n).map(|_| minutia(40 + (next() * 220.0) as usize, 40 + (next() * 260.0) as usize, next() * TAU)).collect()
    }

    fn template(m: Vec<Minutia>) -> Template {
        Template { width: 300, height: 340, dpi: 500, minutiae: m }
    }

    /// Turns minutiae by `deg` about (150, 170) and shifts them, as another placement would.
    fn moved(m: &[Minutia], deg: f32, dx: f32, dy: f32) -> Vec<Minutia> {
        let (s, c) = deg.to_radians().sin_cos();
        m.iter()
            .filter_map(|a| {
                let (u, v) = (a.x as f32 - 150.0, -(a.y as f32 - 170.0));
                let (x, y) = (150.0 + u * c - v * s + dx, 170.0 - (u * s + v * c) + dy);
                (x >= 0.0 && y >= 0.0)
                    .then(|| minutia(x.round() as usize, y.round() as usize, a.angle + deg.to_radians()))
            })
            .collect()
    }

    #[test]
    fn a_print_matches_itself_turned_and_shifted_with_some_minutiae_lost_but_not_another() {
        let a = scatter(1, 45);
        let mut b = moved(&a, 20.0, 15.0, -12.0);
        // A fifth of the minutiae missed, and three false ones.
        b.retain(|m| (m.x + m.y) % 5 != 0);
        b.extend(scatter(99, 3));
        let same = score(&template(a.clone()), &template(b));
        let other = score(&template(a), &template(scatter(2, 45)));
        assert!(same > 40.0, "the same finger scores {same}");
        assert!(other < 0.5 * same, "another finger scores {other}, the same {same}");
    }

    #[test]
    fn too_few_minutiae_score_zero_and_never_panic() {
        let empty = Prepared::new(&template(vec![]));
        assert!(empty.is_empty());
        let one = template(vec![minutia(100, 100, 1.0)]);
        assert_eq!(score(&one, &one), 0.0);
        let two = template(vec![minutia(100, 100, 1.0), minutia(130, 100, 2.0)]);
        assert!(score(&two, &two).is_finite());
    }
}
