//! Minutiae by the classic route: binarise against the local mean, thin to one-pixel ridges
//! (Zhang–Suen), and read ridge endings and bifurcations off the crossing number; drop those
//! near the edge of the print, where ridges end because the print does. A first extractor, good
//! enough to count minutiae for the quality score.

use crate::filters::box_blur;
use crate::{Grey, Plane};

/// A ridge ending or bifurcation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Minutia {
    /// Column.
    pub x: usize,
    /// Row.
    pub y: usize,
    /// Bifurcation (else a ridge ending).
    pub bifurcation: bool,
    /// Direction, radians counter-clockwise from the image's x axis (as ISO/IEC 19794-2 counts):
    /// an ending points where its ridge ran out, a bifurcation along its forks.
    pub angle: f32,
    /// Confidence 0–100: the ridge contrast around it.
    pub quality: u8,
}

/// How far along the skeleton a branch is followed to read its direction (about one ridge period).
const TRACE_STEPS: usize = 9;

/// The 8 neighbours of pixel `i`, clockwise from the one above.
fn ring(i: usize, w: usize) -> [usize; 8] {
    [i - w, i - w + 1, i + 1, i + w + 1, i + w, i + w - 1, i - 1, i - w - 1]
}

/// Follows the skeleton from `start` (a neighbour of `origin`) for up to `TRACE_STEPS` pixels,
/// never stepping onto `blocked`; returns where it got to.
fn trace(skel: &[bool], w: usize, h: usize, origin: usize, start: usize, blocked: &[usize]) -> usize {
    let mut visited: Vec<usize> = blocked.to_vec();
    visited.push(origin);
    let mut cur = start;
    for _ in 0..TRACE_STEPS {
        visited.push(cur);
        let (x, y) = (cur % w, cur / w);
        if x == 0 || y == 0 || x + 1 >= w || y + 1 >= h {
            break;
        }
        match ring(cur, w).into_iter().find(|n| skel[*n] && !visited.contains(n)) {
            Some(next) => cur = next,
            None => break,
        }
    }
    cur
}

/// The direction of the vector from pixel `a` to pixel `b`, counter-clockwise from x (y up).
fn direction(a: usize, b: usize, w: usize) -> f32 {
    let (dx, dy) = ((b % w) as f32 - (a % w) as f32, (b / w) as f32 - (a / w) as f32);
    (-dy).atan2(dx).rem_euclid(std::f32::consts::TAU)
}

/// Minutiae of `img` (500 dpi) inside `foreground` (true where the print is), row-major.
pub fn extract(img: &Grey, foreground: &[bool]) -> Vec<Minutia> {
    extract_smoothed(&crate::filters::gaussian_blur(&img.to_plane(), 1.0), foreground)
}

/// [`extract`] from the image already smoothed with a Gaussian of σ = 1 px.
pub fn extract_smoothed(plane: &Plane, foreground: &[bool]) -> Vec<Minutia> {
    let (w, h) = (plane.width, plane.height);
    let local = box_blur(plane, 7);
    let mut ridge: Vec<bool> = (0..w * h).map(|i| foreground[i] && plane.data[i] < local.data[i] - 2.0).collect();
    // A 3×3 majority vote closes pin holes and removes specks before thinning.
    let snapshot = ridge.clone();
    for y in 1..h.saturating_sub(1) {
        for x in 1..w.saturating_sub(1) {
            let n: usize = (0..3)
                .flat_map(|dy| (0..3).map(move |dx| (dx, dy)))
                .filter(|&(dx, dy)| snapshot[(y + dy - 1) * w + x + dx - 1])
                .count();
            ridge[y * w + x] = n >= 5;
        }
    }
    thin(&mut ridge, w, h);
    // Keep away from the print's edge: ridges end there because the print does.
    let near_edge = {
        let mask = Plane { width: w, height: h, data: foreground.iter().map(|&f| if f { 1.0 } else { 0.0 }).collect() };
        box_blur(&mask, 12)
    };
    let mut found = Vec::new();
    for y in 14..h.saturating_sub(14) {
        for x in 14..w.saturating_sub(14) {
            if !ridge[y * w + x] || near_edge.at(x, y) < 0.999 {
                continue;
            }
            let i = y * w + x;
            let around = ring(i, w);
            // Each branch leaving the pixel starts where the ring turns from background to ridge.
            let starts: Vec<usize> = (0..8)
                .filter(|&k| !ridge[around[k]] && ridge[around[(k + 1) % 8]])
                .map(|k| around[(k + 1) % 8])
                .collect();
            if starts.len() != 1 && starts.len() != 3 {
                continue;
            }
            let ends: Vec<usize> = starts
                .iter()
                .map(|&s| {
                    let others: Vec<usize> = starts.iter().copied().filter(|&o| o != s).collect();
                    trace(&ridge, w, h, i, s, &others)
                })
                .collect();
            match ends.as_slice() {
                [e] => found.push(Minutia { x, y, bifurcation: false, angle: direction(*e, i, w), quality: 0 }),
                [a, b, c] => {
                    // The two forks are the closest pair of branches; the third is the stem.
                    let dirs = [direction(i, *a, w), direction(i, *b, w), direction(i, *c, w)];
                    let gap = |p: f32, q: f32| {
                        let d = (p - q).rem_euclid(std::f32::consts::TAU);
                        d.min(std::f32::consts::TAU - d)
                    };
                    let stem = [(0, gap(dirs[1], dirs[2])), (1, gap(dirs[0], dirs[2])), (2, gap(dirs[0], dirs[1]))]
                        .into_iter()
                        .min_by(|p, q| p.1.total_cmp(&q.1))
                        .map_or(0, |(k, _)| k);
                    let angle = dirs[stem] + std::f32::consts::PI;
                    let angle = angle.rem_euclid(std::f32::consts::TAU);
                    found.push(Minutia { x, y, bifurcation: true, angle, quality: 0 });
                }
                _ => {}
            }
        }
    }
    // Two minutiae a few pixels apart are a spur or a break in one ridge, not two features.
    let close = |a: &Minutia, b: &Minutia| a.x.abs_diff(b.x) < 7 && a.y.abs_diff(b.y) < 7;
    let mut kept: Vec<Minutia> =
        found.iter().filter(|m| found.iter().filter(|o| close(m, o)).count() == 1).copied().collect();
    // Confidence: the grey-level spread in the 11×11 pixels around (ridges crisp or washed out).
    for m in &mut kept {
        let (mut sum, mut sq) = (0.0f32, 0.0f32);
        for y in m.y - 5..=m.y + 5 {
            for x in m.x - 5..=m.x + 5 {
                let v = plane.at(x, y);
                sum += v;
                sq += v * v;
            }
        }
        let var = (sq / 121.0 - (sum / 121.0).powi(2)).max(0.0);
        m.quality = (var.sqrt() * 1.6).min(100.0) as u8;
    }
    kept.sort_by_key(|m| std::cmp::Reverse(m.quality));
    kept
}

/// Zhang–Suen thinning in place. Only pixels still set are visited: after the first pass
/// that is a shrinking list, not the whole image.
fn thin(img: &mut [bool], w: usize, h: usize) {
    let mut alive: Vec<usize> =
        (0..w * h).filter(|&i| img[i] && i % w != 0 && i % w != w - 1 && i / w != 0 && i / w != h - 1).collect();
    let mut remove = Vec::new();
    loop {
        let mut changed = false;
        for pass in 0..2 {
            remove.clear();
            for &i in &alive {
                if !img[i] {
                    continue;
                }
                let n = [
                    img[i - w],
                    img[i - w + 1],
                    img[i + 1],
                    img[i + w + 1],
                    img[i + w],
                    img[i + w - 1],
                    img[i - 1],
                    img[i - w - 1],
                ];
                let b = n.iter().filter(|&&v| v).count();
                if !(2..=6).contains(&b) {
                    continue;
                }
                let a = (0..8).filter(|&k| !n[k] && n[(k + 1) % 8]).count();
                let (p2, p4, p6, p8) = (n[0], n[2], n[4], n[6]);
                let ok = if pass == 0 { !(p4 && p6 && (p2 || p8)) } else { !(p2 && p8 && (p4 || p6)) };
                if a == 1 && ok {
                    remove.push(i);
                }
            }
            for &i in &remove {
                img[i] = false;
            }
            changed |= !remove.is_empty();
        }
        alive.retain(|&i| img[i]);
        if !changed {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bar_thins_to_a_line_with_two_ends() {
        let (w, h) = (60, 40);
        let mut px = vec![230u8; w * h];
        for y in 17..23 {
            for x in 15..45 {
                px[y * w + x] = 30;
            }
        }
        let img = Grey::new(w, h, px).unwrap();
        let m = extract(&img, &vec![true; w * h]);
        assert_eq!(m.len(), 2, "{m:?}");
        assert!(m.iter().all(|m| !m.bifurcation));
        // The left end points left (π), the right end right (0).
        let (left, right) = if m[0].x < m[1].x { (m[0], m[1]) } else { (m[1], m[0]) };
        assert!((left.angle - std::f32::consts::PI).abs() < 0.3, "{left:?}");
        assert!(right.angle.min(std::f32::consts::TAU - right.angle) < 0.3, "{right:?}");
    }
}
