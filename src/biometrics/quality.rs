//! Kit quality for captured prints (see `kit_biometrics::quality`): a score 0–100 on NFIQ 2's
//! scale and the reasons a print falls short, at any resolution (rescaled to 500 dpi first).

use crate::biometrics::print::{Analysed, analyse};
use crate::domain::biometrics::GreyImage;
pub use kit_biometrics::quality::{Assessment, Issue, Measures};

/// Scores `image`, taken at `dpi`.
pub fn assess(image: &GreyImage, dpi: u16) -> Assessment {
    analyse(image, dpi).map_or_else(Analysed::unusable, |a| a.assessment)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::biometrics::synthetic::{Impression, print};

    fn resized(img: &GreyImage, w: u32, h: u32) -> GreyImage {
        let raw = image::GrayImage::from_raw(img.width(), img.height(), img.pixels().to_vec()).unwrap();
        let big = image::imageops::resize(&raw, w, h, image::imageops::FilterType::Triangle);
        GreyImage::new(w, h, big.into_raw()).unwrap()
    }

    #[test]
    fn a_print_scanned_at_another_resolution_scores_like_the_same_print_at_500() {
        let at_500 = print(3, &Impression::ideal(3), 256, 288);
        let a = assess(&at_500, 500).score;
        for dpi in [512u16, 569, 1000] {
            let scale = f32::from(dpi) / 500.0;
            let scanned = resized(&at_500, (256.0 * scale).round() as u32, (288.0 * scale).round() as u32);
            let b = assess(&scanned, dpi).score;
            assert!(a.abs_diff(b) <= 8, "{dpi} dpi: {a} vs {b}");
        }
    }
}
