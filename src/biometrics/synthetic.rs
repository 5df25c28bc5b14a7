//! Synthetic fingerprints (see `kit_biometrics::generator`): realistic ridge patterns, many
//! impressions of the same finger, deterministic from seeds.

use crate::domain::biometrics::GreyImage;
pub use kit_biometrics::generator::{Finger, Impression, PatternClass};

/// `impression` of generated finger `finger`, `width`×`height` at 500 dpi.
pub fn print(finger: u64, impression: &Impression, width: u32, height: u32) -> GreyImage {
    let img = Finger::generate(finger).impression(impression, width as usize, height as usize);
    to_domain(img)
}

/// An everyday impression (number `n`) of finger `finger`.
pub fn typical_print(finger: u64, n: u64, width: u32, height: u32) -> GreyImage {
    print(finger, &Impression::typical(finger.rotate_left(17) ^ n), width, height)
}

/// The domain's image from the crate's.
pub(crate) fn to_domain(img: kit_biometrics::Grey) -> GreyImage {
    let (w, h) = (img.width as u32, img.height as u32);
    // The generator always returns as many pixels as it was asked for.
    GreyImage::new(w, h, img.pixels).unwrap_or_else(|_| unreachable!("the generator's image has its own size"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_have_the_size_asked_for_and_impressions_of_one_finger_differ() {
        let a = typical_print(5, 1, 256, 288);
        let b = typical_print(5, 2, 256, 288);
        assert_eq!((a.width(), a.height()), (256, 288));
        assert_ne!(a.pixels(), b.pixels());
        assert_eq!(a.pixels(), typical_print(5, 1, 256, 288).pixels());
    }
}
