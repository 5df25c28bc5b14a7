//! Kit quality for captured prints (see `kit_biometrics::quality`): a score 0–100 and the
//! reasons a print falls short, at any resolution (rescaled to 500 dpi first).

use crate::domain::biometrics::GreyImage;
pub use kit_biometrics::quality::{Assessment, Issue, Measures};

/// The resolution the score, the minutiae and the matcher are defined at.
pub const QUALITY_DPI: u16 = 500;

/// `image`, taken at `dpi`, as the biometrics crate's image at 500 dpi.
pub(crate) fn at_500_dpi(image: &GreyImage, dpi: u16) -> kit_biometrics::Grey {
    let grey = kit_biometrics::Grey {
        width: image.width() as usize,
        height: image.height() as usize,
        pixels: image.pixels().to_vec(),
    };
    if dpi == QUALITY_DPI || dpi == 0 { grey } else { grey.rescale(f32::from(QUALITY_DPI) / f32::from(dpi)) }
}

/// Scores `image`, taken at `dpi`.
pub fn assess(image: &GreyImage, dpi: u16) -> Assessment {
    kit_biometrics::quality::assess(&at_500_dpi(image, dpi))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::biometrics::synthetic::{Impression, print};

    #[test]
    fn a_print_scanned_at_1000_dpi_scores_like_the_same_print_at_500() {
        let at_500 = print(3, &Impression::ideal(3), 256, 288);
        let img = image::GrayImage::from_raw(256, 288, at_500.pixels().to_vec()).unwrap();
        let big = image::imageops::resize(&img, 512, 576, image::imageops::FilterType::Triangle);
        let at_1000 = GreyImage::new(512, 576, big.into_raw()).unwrap();
        let (a, b) = (assess(&at_500, 500).score, assess(&at_1000, 1000).score);
        assert!(a.abs_diff(b) <= 8, "{a} vs {b}");
        assert!(assess(&at_1000, 500).score < a, "read at the wrong resolution, the ridges are too wide");
    }
}
