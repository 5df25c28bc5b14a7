//! Minutiae by the classic route: binarise against the local mean, thin to one-pixel ridges
//! (Zhang–Suen), and read ridge endings and bifurcations off the crossing number; drop those
//! near the edge of the print, where ridges end because the print does. A first extractor, good
//! enough to count minutiae for the quality score.

use crate::filters::box_blur;
use crate::{Grey, Plane};

/// A ridge ending or bifurcation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Minutia {
    /// Column.
    pub x: usize,
    /// Row.
    pub y: usize,
    /// Bifurcation (else a ridge ending).
    pub bifurcation: bool,
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
            let ring = [(0, -1), (1, -1), (1, 0), (1, 1), (0, 1), (-1, 1), (-1, 0), (-1, -1)];
            let on: Vec<bool> = ring
                .iter()
                .map(|&(dx, dy)| ridge[(y as isize + dy) as usize * w + (x as isize + dx) as usize])
                .collect();
            let crossings = (0..8).filter(|&i| !on[i] && on[(i + 1) % 8]).count();
            match crossings {
                1 => found.push(Minutia { x, y, bifurcation: false }),
                3 => found.push(Minutia { x, y, bifurcation: true }),
                _ => {}
            }
        }
    }
    // Two minutiae a few pixels apart are a spur or a break in one ridge, not two features.
    let close = |a: &Minutia, b: &Minutia| a.x.abs_diff(b.x) < 7 && a.y.abs_diff(b.y) < 7;
    found.iter().filter(|m| found.iter().filter(|o| close(m, o)).count() == 1).copied().collect()
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
    }
}
