//! An interim fingerprint quality score, 0–100: the share of the image covered by ridge-like
//! texture (16×16 blocks with strong local contrast). It ranks a blank, smudged or partial
//! print below a full clear one, which is what the capture gate needs until the full
//! NFIQ 2-inspired score (issue 6) replaces it.

use crate::domain::biometrics::GreyImage;

/// Block side in pixels (about 0.8 mm at 500 dpi: two ridge periods).
const BLOCK: u32 = 16;
/// Standard deviation above which a block holds ridges, not background or smudge.
const RIDGE_STD: f32 = 28.0;
/// The share of ridge blocks a full plain impression reaches; scores saturate there.
const FULL_COVERAGE: f32 = 0.6;

/// The interim score of a print.
pub fn interim_score(image: &GreyImage) -> u8 {
    let (w, h) = (image.width(), image.height());
    let (mut blocks, mut ridged) = (0u32, 0u32);
    for by in (0..h.saturating_sub(BLOCK - 1)).step_by(BLOCK as usize) {
        for bx in (0..w.saturating_sub(BLOCK - 1)).step_by(BLOCK as usize) {
            let (mut sum, mut sq) = (0f32, 0f32);
            for y in by..by + BLOCK {
                let row = &image.pixels()[(y * w + bx) as usize..(y * w + bx + BLOCK) as usize];
                for &p in row {
                    let v = f32::from(p);
                    sum += v;
                    sq += v * v;
                }
            }
            let n = (BLOCK * BLOCK) as f32;
            let var = (sq / n - (sum / n).powi(2)).max(0.0);
            blocks += 1;
            ridged += u32::from(var.sqrt() > RIDGE_STD);
        }
    }
    if blocks == 0 {
        return 0;
    }
    let coverage = ridged as f32 / blocks as f32;
    ((coverage / FULL_COVERAGE).min(1.0) * 100.0).round() as u8
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::biometrics::synthetic::simple_print;

    #[test]
    fn blank_scores_zero_and_a_full_print_scores_high_and_partial_in_between() {
        assert_eq!(interim_score(&GreyImage::new(256, 288, vec![200; 256 * 288]).unwrap()), 0);
        let full = simple_print(3, 256, 288);
        let full_score = interim_score(&full);
        assert!(full_score >= 80, "{full_score}");
        // Wipe the lower two thirds: partial contact.
        let mut partial = full.pixels().to_vec();
        partial[256 * 96..].fill(230);
        let partial_score = interim_score(&GreyImage::new(256, 288, partial).unwrap());
        assert!(partial_score < full_score / 2, "{partial_score} vs {full_score}");
        assert_eq!(interim_score(&GreyImage::new(8, 8, vec![0; 64]).unwrap()), 0, "too small to judge");
    }
}
