//! 1:1 fingerprint comparison, rotation- and translation-invariant, after SourceAFIS's idea:
//! every minutia and its nearest neighbours make **edges** (a length and the two minutiae's
//! directions relative to the edge — the same wherever the finger lay on the glass); edges that
//! agree between two prints vote for how one print sits on the other; under the best-supported
//! placements the minutiae are paired, and the score is how many pair up, weighed against how
//! many each print has.

use crate::minutiae::Minutia;
use crate::template::Template;
use std::collections::HashMap;
use std::f32::consts::{PI, TAU};
use std::hash::{BuildHasherDefault, Hasher};

/// Neighbours a minutia makes edges to.
const NEIGHBOURS: usize = 9;
/// Edges shorter than this carry too little direction to trust (pixels).
const MIN_EDGE: f32 = 10.0;
/// Edge lengths agree within this (pixels at 500 dpi).
const MAX_LENGTH_ERROR: f32 = 9.0;
/// Edge angles agree within this (radians, 12°).
const MAX_ANGLE_ERROR: f32 = 0.21;
/// Paired minutiae lie within this of each other once placed (pixels).
const MAX_PAIR_DISTANCE: f32 = 14.0;
/// Paired minutiae point the same way within this (radians, 25°).
const MAX_PAIR_ANGLE: f32 = 0.44;
/// Placements tried, best-voted first.
const PLACEMENTS: usize = 4;

/// A minutia and one of its neighbours, seen from the minutia: the same wherever the finger lay.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Edge {
    pub(crate) from: usize,
    pub(crate) length: f32,
    /// Edge direction relative to the `from` minutia's direction.
    pub(crate) at_from: f32,
    /// Reverse edge direction relative to the `to` minutia's direction.
    pub(crate) at_to: f32,
}

/// The gap between two directions, both already in [0, 2π) (no division: this runs in the
/// innermost loop).
fn angle_diff(a: f32, b: f32) -> f32 {
    let d = (a - b).abs();
    if d > PI { TAU - d } else { d }
}

/// Direction from a to b, counter-clockwise with y up (the minutiae's convention).
fn heading(a: &Minutia, b: &Minutia) -> f32 {
    (-(b.y as f32 - a.y as f32)).atan2(b.x as f32 - a.x as f32)
}

/// Each minutia's edges to its `neighbours` nearest, sorted by length.
pub(crate) fn edges(m: &[Minutia], neighbours: usize) -> Vec<Edge> {
    let mut out = Vec::with_capacity(m.len() * neighbours);
    let mut near: Vec<(f32, usize)> = Vec::with_capacity(m.len());
    for (i, a) in m.iter().enumerate() {
        near.clear();
        near.extend(
            m.iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(j, b)| (((a.x as f32 - b.x as f32).powi(2) + (a.y as f32 - b.y as f32).powi(2)).sqrt(), j))
                .filter(|(d, _)| *d >= MIN_EDGE),
        );
        // Only the nearest few are wanted: partition around the k-th, then sort those.
        if near.len() > neighbours && neighbours > 0 {
            near.select_nth_unstable_by(neighbours - 1, |p, q| p.0.total_cmp(&q.0));
            near.truncate(neighbours);
        }
        near.sort_by(|p, q| p.0.total_cmp(&q.0));
        for &(length, j) in near.iter().take(neighbours) {
            let b = &m[j];
            out.push(Edge {
                from: i,
                length,
                at_from: (heading(a, b) - a.angle).rem_euclid(TAU),
                at_to: (heading(b, a) - b.angle).rem_euclid(TAU),
            });
        }
    }
    out.sort_by(|p, q| p.length.total_cmp(&q.length));
    out
}

/// A multiply-rotate hasher (as rustc's FxHash): the vote bins are small integer keys that no
/// outsider chooses, so SipHash's protection buys nothing and costs a third of a comparison.
#[derive(Default)]
struct FastHash(u64);

impl Hasher for FastHash {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
    fn write_i32(&mut self, n: i32) {
        self.write_u64(u64::from(n as u32));
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// The placements one vote bin collected: how many, and their sums (for the mean).
#[derive(Debug, Clone, Copy, Default)]
struct Votes {
    count: u32,
    rotation: f32,
    dx: f32,
    dy: f32,
}

/// A placement of the candidate on the probe: rotate by `rotation`, then shift by (dx, dy).
#[derive(Debug, Clone, Copy)]
struct Placement {
    rotation: f32,
    dx: f32,
    dy: f32,
}

/// Where the candidate minutia `c` lands on the probe under `p` (x right, y down, as pixels).
fn place(p: &Placement, c: &Minutia) -> (f32, f32, f32) {
    // Rotation counter-clockwise with y up is clockwise in pixel rows: flip y around it.
    let (s, co) = p.rotation.sin_cos();
    let (x, y) = (c.x as f32, -(c.y as f32));
    let (rx, ry) = (x * co - y * s, x * s + y * co);
    (rx + p.dx, -ry + p.dy, (c.angle + p.rotation).rem_euclid(TAU))
}

/// A template ready for many comparisons: its edges are built once.
#[derive(Debug, Clone)]
pub struct Prepared {
    minutiae: Vec<Minutia>,
    edges: Vec<Edge>,
}

impl Prepared {
    /// Builds the edges of `template`.
    pub fn new(template: &Template) -> Prepared {
        Prepared { edges: edges(&template.minutiae, NEIGHBOURS), minutiae: template.minutiae.clone() }
    }
}

/// How similar two prints are: 0 for nothing in common, 100 when every minutia pairs up
/// (calibrated thresholds live with the caller).
pub fn score(probe: &Template, candidate: &Template) -> f32 {
    score_prepared(&Prepared::new(probe), &Prepared::new(candidate))
}

/// [`score`] of two prepared templates (for 1:N searches).
pub fn score_prepared(probe: &Prepared, candidate: &Prepared) -> f32 {
    let (pm, cm) = (&probe.minutiae, &candidate.minutiae);
    if pm.len() < 3 || cm.len() < 3 {
        return 0.0;
    }
    let (pe, ce) = (&probe.edges, &candidate.edges);
    // Vote: each pair of agreeing edges proposes a placement, binned by rotation (10°) and
    // shift (16 px).
    let mut votes: HashMap<(i32, i32, i32), Votes, BuildHasherDefault<FastHash>> = HashMap::default();
    let mut lo = 0;
    for e in pe {
        while lo < ce.len() && ce[lo].length < e.length - MAX_LENGTH_ERROR {
            lo += 1;
        }
        for c in ce[lo..].iter().take_while(|c| c.length <= e.length + MAX_LENGTH_ERROR) {
            if angle_diff(e.at_from, c.at_from) > MAX_ANGLE_ERROR || angle_diff(e.at_to, c.at_to) > MAX_ANGLE_ERROR {
                continue;
            }
            let (a, b) = (&pm[e.from], &cm[c.from]);
            let rotation = (a.angle - b.angle).rem_euclid(TAU);
            let shifted = place(&Placement { rotation, dx: 0.0, dy: 0.0 }, b);
            let (dx, dy) = (a.x as f32 - shifted.0, a.y as f32 - shifted.1);
            let key = ((rotation / (PI / 18.0)) as i32, (dx / 16.0).floor() as i32, (dy / 16.0).floor() as i32);
            let v = votes.entry(key).or_default();
            // Rotations are averaged plainly: a bin is only 10° wide.
            *v = Votes { count: v.count + 1, rotation: v.rotation + rotation, dx: v.dx + dx, dy: v.dy + dy };
        }
    }
    let mut ranked: Vec<_> = votes.into_values().collect();
    ranked.sort_by_key(|v| std::cmp::Reverse(v.count));
    let mut best = 0usize;
    for v in ranked.into_iter().take(PLACEMENTS) {
        let n = v.count as f32;
        let placement = Placement { rotation: v.rotation / n, dx: v.dx / n, dy: v.dy / n };
        best = best.max(paired(pm, cm, &placement));
    }
    // Pairs against the geometric mean of the two templates' sizes: 100 when every minutia pairs.
    100.0 * best as f32 / ((pm.len() * cm.len()) as f32).sqrt()
}

/// Minutiae paired one to one under `placement` (greedy, nearest first).
fn paired(pm: &[Minutia], cm: &[Minutia], placement: &Placement) -> usize {
    let mut candidates: Vec<(f32, usize, usize)> = Vec::new();
    for (j, c) in cm.iter().enumerate() {
        let (x, y, angle) = place(placement, c);
        for (i, p) in pm.iter().enumerate() {
            let (dx, dy) = (p.x as f32 - x, p.y as f32 - y);
            if dx.abs() > MAX_PAIR_DISTANCE || dy.abs() > MAX_PAIR_DISTANCE {
                continue;
            }
            let d2 = dx * dx + dy * dy;
            if d2 <= MAX_PAIR_DISTANCE * MAX_PAIR_DISTANCE && angle_diff(p.angle, angle) <= MAX_PAIR_ANGLE {
                candidates.push((d2, i, j));
            }
        }
    }
    candidates.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (mut used_p, mut used_c) = (vec![false; pm.len()], vec![false; cm.len()]);
    let mut n = 0;
    for (_, i, j) in candidates {
        if !used_p[i] && !used_c[j] {
            used_p[i] = true;
            used_c[j] = true;
            n += 1;
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generator::{Finger, Impression};

    fn template(finger: u64, imp: Impression) -> Template {
        Template::of(&Finger::generate(finger).impression(&imp, 256, 288))
    }

    #[test]
    fn a_print_matches_itself_rotated_and_shifted_but_not_another_finger() {
        let a = template(5, Impression::ideal(1));
        let moved = template(5, Impression { rotation_deg: 12.0, dx: 14.0, dy: -10.0, ..Impression::ideal(1) });
        let other = template(6, Impression::ideal(1));
        let (same, turned, different) = (score(&a, &a), score(&a, &moved), score(&a, &other));
        assert!(turned > 3.0 * different.max(1.0), "same finger {turned} vs another {different} (self {same})");
    }
}
