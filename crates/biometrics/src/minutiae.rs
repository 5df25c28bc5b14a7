//! Minutiae by NIST's MINDTCT, through `fprint-mindtct` (a pure-Rust, `forbid(unsafe_code)`
//! port that reproduces the stock NBIS tool's output bit for bit): direction and ridge-flow maps,
//! binarisation along the ridges, detection on the binary image, then its long list of false-
//! minutia removals (islands and lakes, holes, pores, hooks, overlaps, malformations, minutiae
//! too wide or too narrow, and those in low-quality or invalid blocks), and a reliability per
//! minutia from the quality map and the local grey-level spread.
//!
//! Why not our own: an extractor of our own (Gabor enhancement, Guo–Hall thinning, crossing
//! numbers, spur/island/bridge/break/cluster filters) was built and measured against it on the
//! three real FVC sets with the same matcher: EER 2.5 / 8.2 / 10.0% against MINDTCT's
//! 2.1 / 6.1 / 5.0% (the evaluation `enroll-kit evaluate` runs, in the same run for both; the
//! extractor of our own was then removed). MINDTCT finds the minutiae that repeat from one
//! impression to the next; ours, cleaner to the eye, found fewer of them. See the README.
//!
//! On top of MINDTCT the kit keeps only minutiae inside its own foreground ([`RidgeMap`]: one
//! blob of skin), which drops detail found in dust, latent prints left on the glass and the
//! sensor's own noise beyond the finger.

use crate::Grey;
use crate::ridges::RidgeMap;
use std::f32::consts::TAU;

/// What MINDTCT's output says of a minutia's kind: nothing (its `xyt` form carries no type, and
/// whether a ridge ends or forks flips with pressure anyway), so records say "other".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A ridge ending.
    Ending,
    /// A ridge bifurcation.
    Bifurcation,
    /// Not said.
    Other,
}

/// A ridge ending or bifurcation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Minutia {
    /// Column.
    pub x: usize,
    /// Row.
    pub y: usize,
    /// What kind it is, when known.
    pub kind: Kind,
    /// Direction, radians counter-clockwise from the image's x axis (y up), as MINDTCT and
    /// ISO/IEC 19794-2 count it.
    pub angle: f32,
    /// Reliability 0–100.
    pub quality: u8,
}

/// Minutiae of a 500 dpi print, best first.
pub fn extract(img: &Grey) -> Vec<Minutia> {
    extract_within(img, &RidgeMap::analyse(img))
}

/// Minutiae of a 500 dpi print already analysed, best first, inside the map's foreground.
pub fn extract_within(img: &Grey, map: &RidgeMap) -> Vec<Minutia> {
    let mut out: Vec<Minutia> = mindtct(img).into_iter().filter(|m| map.is_foreground(m.x, m.y)).collect();
    out.sort_by_key(|m| std::cmp::Reverse(m.quality));
    out
}

/// MINDTCT's own output for a 500 dpi print, as NBIS would give it (no foreground of ours).
pub fn mindtct(img: &Grey) -> Vec<Minutia> {
    let Ok(grey) = fprint_mindtct::GrayImage::new(&img.pixels, img.width, img.height, 500) else {
        // Too small for MINDTCT's block map: no detail can be found.
        return Vec::new();
    };
    fprint_mindtct::detect_minutiae(grey)
        .into_iter()
        .filter_map(|m| {
            // MINDTCT's origin is the bottom-left corner, y up.
            let x = usize::try_from(m.x).ok()?;
            let y = usize::try_from(i64::try_from(img.height).ok()? - 1 - i64::from(m.y)).ok()?;
            if x >= img.width || y >= img.height {
                return None;
            }
            Some(Minutia {
                x,
                y,
                kind: Kind::Other,
                angle: (m.theta as f32).to_radians().rem_euclid(TAU),
                quality: m.quality.clamp(0, 100) as u8,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Horizontal ridges of period 9 (dark on light), one of which stops in the middle.
    fn ridges_with_an_ending(w: usize, h: usize) -> Grey {
        let mut px = vec![230u8; w * h];
        for y in 0..h {
            for x in 0..w {
                let band = y / 9;
                let dark = (y % 9) < 4;
                let cut = band == h / 18 && x > w / 2;
                if dark && !cut {
                    px[y * w + x] = 40;
                }
            }
        }
        Grey::new(w, h, px).unwrap()
    }

    #[test]
    fn a_ridge_that_stops_gives_a_minutia_where_it_stops() {
        let img = ridges_with_an_ending(240, 200);
        let m = extract(&img);
        let near: Vec<&Minutia> =
            m.iter().filter(|m| m.x.abs_diff(120) <= 8 && m.y.abs_diff((200 / 18) * 9 + 2) <= 8).collect();
        assert!(!near.is_empty(), "{m:?}");
        // Ridges run horizontally: the minutia's direction is along them (0 or π).
        let a = near[0].angle;
        let off = a.min(TAU - a).min((a - std::f32::consts::PI).abs());
        assert!(off < 0.4, "{near:?}");
    }

    #[test]
    fn nothing_is_found_on_blank_or_tiny_images() {
        assert!(extract(&Grey::new(300, 300, vec![255; 300 * 300]).unwrap()).is_empty());
        assert!(extract(&Grey::new(10, 10, vec![0; 100]).unwrap()).is_empty());
    }
}
