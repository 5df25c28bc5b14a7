//! A simple, deterministic synthetic fingerprint: concentric ridges around a core, warped,
//! inside a finger-shaped mask. Good enough to exercise capture, storage and packets; the
//! realistic SFinGe-style generator replaces it for quality and matching work.

use crate::domain::biometrics::GreyImage;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Ridge period at 500 dpi: about 0.46 mm between ridges.
const RIDGE_PERIOD_PX: f32 = 9.0;

/// Renders a print of `width`×`height` at 500 dpi from `seed`.
pub fn simple_print(seed: u64, width: u32, height: u32) -> GreyImage {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (w, h) = (width as f32, height as f32);
    let core = (w * rng.random_range(0.4..0.6), h * rng.random_range(0.35..0.55));
    let stretch = rng.random_range(0.7..1.0f32);
    let wobble = rng.random_range(2.0..6.0f32);
    let phase = rng.random_range(0.0..std::f32::consts::TAU);
    let noise_seed = rng.random::<u32>();
    let mut pixels = Vec::with_capacity((width * height) as usize);
    for y in 0..height {
        for x in 0..width {
            let (fx, fy) = (x as f32, y as f32);
            let dx = (fx - core.0) * stretch;
            let dy = fy - core.1;
            let r = (dx * dx + dy * dy).sqrt() + wobble * (fy / 23.0 + fx / 31.0).sin();
            let ridge = (std::f32::consts::TAU * r / RIDGE_PERIOD_PX + phase).cos();
            // Finger-shaped mask: an ellipse, fading out at its border.
            let ex = (fx - w / 2.0) / (w * 0.46);
            let ey = (fy - h * 0.55) / (h * 0.52);
            let inside = (1.0 - (ex * ex + ey * ey)).clamp(0.0, 0.15) / 0.15;
            let noise = hash_noise(noise_seed, x, y) * 6.0;
            let value = 225.0 - inside * (95.0 + 85.0 * ridge) + noise;
            pixels.push(value.clamp(0.0, 255.0) as u8);
        }
    }
    GreyImage::new(width, height, pixels).expect("one pixel pushed per x and y")
}

fn hash_noise(seed: u32, x: u32, y: u32) -> f32 {
    let mut h = seed ^ x.wrapping_mul(0x9E37_79B1) ^ y.wrapping_mul(0x85EB_CA77);
    h ^= h >> 15;
    h = h.wrapping_mul(0x2C1B_3C6D);
    h ^= h >> 12;
    (h & 0xFFFF) as f32 / 65535.0 - 0.5
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_has_ridges() {
        let a = simple_print(7, 256, 288);
        assert_eq!(a, simple_print(7, 256, 288));
        assert_ne!(a, simple_print(8, 256, 288));
        let centre_row = &a.pixels()[(144 * 256)..(145 * 256)];
        let dark = centre_row.iter().filter(|&&p| p < 100).count();
        let light = centre_row.iter().filter(|&&p| p > 160).count();
        assert!(dark > 40 && light > 40, "ridges and valleys alternate: {dark} dark, {light} light");
    }
}
