//! One fingerprint image analysed once: brought to 500 dpi (the resolution the quality score,
//! the minutiae and the matcher are defined at), its ridge map, its minutiae, its quality and its
//! template. The capture gate, sealing, the duplicate search and the command line all start here.

use crate::domain::biometrics::GreyImage;
use kit_biometrics::quality::{Assessment, Issue, Measures, assess_analysed};
use kit_biometrics::ridges::RidgeMap;
use kit_biometrics::template::Template;
use std::path::Path;
use thiserror::Error;

/// The resolution the score, the minutiae and the matcher are defined at.
pub const WORKING_DPI: u16 = 500;
/// The largest print, pixels a side at 500 dpi (10 cm: a four-finger slap is 8 cm wide).
pub const MAX_SIDE_AT_500: u32 = 2000;
/// The smallest print worth looking at, pixels a side at 500 dpi (3 mm of skin).
pub const MIN_SIDE_AT_500: u32 = 64;
/// Resolutions a reader or a file may declare.
pub const DPI_RANGE: std::ops::RangeInclusive<u16> = 100..=2000;

/// Why an image cannot be analysed as a fingerprint.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum PrintError {
    /// The file could not be read or decoded.
    #[error("{path}: not a readable image ({detail}). Fingerprints are read from PNG, JPEG, BMP, TIFF or PGM files")]
    Unreadable {
        /// The file.
        path: String,
        /// The decoder's words.
        detail: String,
    },
    /// The declared resolution is outside what readers have.
    #[error("{dpi} dpi is not a fingerprint reader's resolution: give one between 100 and 2000 (most readers are 500)")]
    Resolution {
        /// What was declared.
        dpi: u16,
    },
    /// Too large to be one print at the declared resolution.
    #[error(
        "a {width}×{height} image at {dpi} dpi is {} × {} mm, larger than any fingerprint: check the resolution, or crop the image",
        u64::from(*width) * 254 / (10 * u64::from(*dpi)), u64::from(*height) * 254 / (10 * u64::from(*dpi))
    )]
    TooLarge {
        /// Pixels.
        width: u32,
        /// Pixels.
        height: u32,
        /// Declared resolution.
        dpi: u16,
    },
    /// Too small to hold a print.
    #[error("a {width}×{height} image at {dpi} dpi is too small to hold a fingerprint")]
    TooSmall {
        /// Pixels.
        width: u32,
        /// Pixels.
        height: u32,
        /// Declared resolution.
        dpi: u16,
    },
}

/// A print brought to 500 dpi and analysed.
#[derive(Debug, Clone)]
pub struct Analysed {
    /// The image at 500 dpi.
    pub image: kit_biometrics::Grey,
    /// Its kit quality and what holds it back.
    pub assessment: Assessment,
    /// Its minutiae as a template (at most the record's limit, most reliable first).
    pub template: Template,
}

impl Analysed {
    /// What an image that cannot be analysed scores: 0, no finger.
    pub fn unusable(_: PrintError) -> Assessment {
        Assessment { score: 0, issues: vec![Issue::NoFinger], measures: Measures::default() }
    }
}

/// Checks that a `width`×`height` image at `dpi` can be a fingerprint.
pub fn check_size(width: u32, height: u32, dpi: u16) -> Result<(), PrintError> {
    if !DPI_RANGE.contains(&dpi) {
        return Err(PrintError::Resolution { dpi });
    }
    let at_500 = |v: u32| u64::from(v) * u64::from(WORKING_DPI) / u64::from(dpi);
    let (w, h) = (at_500(width), at_500(height));
    if w > u64::from(MAX_SIDE_AT_500) || h > u64::from(MAX_SIDE_AT_500) {
        return Err(PrintError::TooLarge { width, height, dpi });
    }
    if w < u64::from(MIN_SIDE_AT_500) || h < u64::from(MIN_SIDE_AT_500) {
        return Err(PrintError::TooSmall { width, height, dpi });
    }
    Ok(())
}

/// `image`, taken at `dpi`, at 500 dpi.
pub fn at_working_dpi(image: &GreyImage, dpi: u16) -> Result<kit_biometrics::Grey, PrintError> {
    check_size(image.width(), image.height(), dpi)?;
    let grey = kit_biometrics::Grey {
        width: image.width() as usize,
        height: image.height() as usize,
        pixels: image.pixels().to_vec(),
    };
    Ok(if dpi == WORKING_DPI { grey } else { grey.rescale(f32::from(WORKING_DPI) / f32::from(dpi)) })
}

/// Analyses `image`, taken at `dpi`: once, for its quality and its template alike.
pub fn analyse(image: &GreyImage, dpi: u16) -> Result<Analysed, PrintError> {
    let grey = at_working_dpi(image, dpi)?;
    let map = RidgeMap::analyse(&grey);
    let minutiae = kit_biometrics::minutiae::extract_within(&grey, &map);
    let assessment = assess_analysed(&grey, &map, &minutiae);
    let template = Template::from_minutiae(&grey, minutiae);
    Ok(Analysed { image: grey, assessment, template })
}

/// Reads a fingerprint image file as 8-bit grey (colour and 16-bit images are converted), with
/// decoder limits so that a hostile file cannot make it allocate gigabytes.
pub fn load(path: &Path) -> Result<GreyImage, PrintError> {
    let unreadable = |detail: String| PrintError::Unreadable { path: path.display().to_string(), detail };
    let mut reader = image::ImageReader::open(path)
        .map_err(|e| unreadable(e.to_string()))?
        .with_guessed_format()
        .map_err(|e| unreadable(e.to_string()))?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(20_000);
    limits.max_image_height = Some(20_000);
    limits.max_alloc = Some(512 << 20);
    reader.limits(limits);
    let grey = reader.decode().map_err(|e| unreadable(e.to_string()))?.to_luma8();
    let (w, h) = grey.dimensions();
    GreyImage::new(w, h, grey.into_raw()).map_err(|e| unreadable(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_resolutions_that_cannot_be_a_print_are_named() {
        assert!(check_size(256, 288, 500).is_ok());
        assert!(check_size(1600, 1500, 500).is_ok(), "a four-finger slap");
        assert!(matches!(check_size(5000, 5000, 500), Err(PrintError::TooLarge { .. })));
        assert!(check_size(5000, 5000, 1500).is_ok(), "the same pixels at 1500 dpi are 8.5 cm");
        assert!(matches!(check_size(40, 40, 500), Err(PrintError::TooSmall { .. })));
        assert!(matches!(check_size(256, 288, 0), Err(PrintError::Resolution { dpi: 0 })));
        let e = check_size(5000, 5000, 500).unwrap_err().to_string();
        assert!(e.contains("254 × 254 mm") && e.contains("resolution"), "{e}");
    }

    #[test]
    fn a_huge_blank_or_noisy_image_is_answered_at_once_without_a_stall() {
        let huge = GreyImage::new(5000, 5000, vec![200; 25_000_000]).unwrap();
        assert!(matches!(analyse(&huge, 500), Err(PrintError::TooLarge { .. })));
        let blank = GreyImage::new(300, 300, vec![255; 90_000]).unwrap();
        assert_eq!(analyse(&blank, 500).unwrap().assessment.issues, [Issue::NoFinger]);
        // Noise is not a finger: it scores low and has next to no reliable minutiae.
        let mut state = 7u32;
        let noise: Vec<u8> = (0..90_000)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                (state >> 24) as u8
            })
            .collect();
        let a = analyse(&GreyImage::new(300, 300, noise).unwrap(), 500).unwrap();
        assert!(a.assessment.score < 40, "{:?}", a.assessment);
    }

    #[test]
    fn files_that_are_not_images_are_named_with_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("print.png");
        std::fs::write(&path, b"\x89PNG\r\n\x1a\n truncated").unwrap();
        let e = load(&path).unwrap_err().to_string();
        assert!(e.contains("print.png") && e.contains("PNG, JPEG"), "{e}");
        assert!(load(&dir.path().join("missing.png")).is_err());
        // A 16-bit grey PNG is read as 8-bit grey.
        let wide =
            image::ImageBuffer::<image::Luma<u16>, Vec<u16>>::from_fn(80, 90, |x, _| image::Luma([x as u16 * 700]));
        let p16 = dir.path().join("sixteen.png");
        wide.save(&p16).unwrap();
        let g = load(&p16).unwrap();
        assert_eq!((g.width(), g.height()), (80, 90));
    }
}
