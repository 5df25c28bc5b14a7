//! Score histograms as a PNG: genuine (green) and impostor (red) scores of each matcher, each
//! class scaled to its own largest bin (there are ten times as many impostors), with the
//! thresholds at FMR 1/1,000 (blue) and the EER (grey) — drawn pixel by pixel, with a 3 × 5 font
//! for the labels, so the evaluation needs no plotting library.

use image::{Rgb, RgbImage};

/// One panel: a title, genuine and impostor scores, the score range, thresholds to mark.
pub struct Panel<'a> {
    /// What the panel shows.
    pub title: String,
    /// Same-finger scores.
    pub genuine: &'a [f32],
    /// Different-finger scores.
    pub impostor: &'a [f32],
    /// The score axis, low to high.
    pub range: (f32, f32),
    /// The FMR 1/1,000 threshold.
    pub fmr_1000: f32,
    /// The EER threshold.
    pub eer: f32,
}

const W: u32 = 720;
const PANEL_H: u32 = 220;
const MARGIN: u32 = 30;
const BINS: usize = 60;
const GREEN: Rgb<u8> = Rgb([30, 140, 60]);
const RED: Rgb<u8> = Rgb([200, 50, 40]);
const BLUE: Rgb<u8> = Rgb([30, 80, 200]);
const GREY: Rgb<u8> = Rgb([130, 130, 130]);
const INK: Rgb<u8> = Rgb([20, 20, 20]);

/// The 3 × 5 glyphs, one row of three bits a row.
fn glyph(c: char) -> [u8; 5] {
    match c.to_ascii_uppercase() {
        '0' => [7, 5, 5, 5, 7],
        '1' => [2, 6, 2, 2, 7],
        '2' => [7, 1, 7, 4, 7],
        '3' => [7, 1, 3, 1, 7],
        '4' => [5, 5, 7, 1, 1],
        '5' => [7, 4, 7, 1, 7],
        '6' => [7, 4, 7, 5, 7],
        '7' => [7, 1, 2, 2, 2],
        '8' => [7, 5, 7, 5, 7],
        '9' => [7, 5, 7, 1, 7],
        'A' => [2, 5, 7, 5, 5],
        'B' => [6, 5, 6, 5, 6],
        'C' => [7, 4, 4, 4, 7],
        'D' => [6, 5, 5, 5, 6],
        'E' => [7, 4, 6, 4, 7],
        'F' => [7, 4, 6, 4, 4],
        'G' => [7, 4, 5, 5, 7],
        'H' => [5, 5, 7, 5, 5],
        'I' => [7, 2, 2, 2, 7],
        'J' => [1, 1, 1, 5, 7],
        'K' => [5, 5, 6, 5, 5],
        'L' => [4, 4, 4, 4, 7],
        'M' => [5, 7, 7, 5, 5],
        'N' => [6, 5, 5, 5, 5],
        'O' => [7, 5, 5, 5, 7],
        'P' => [7, 5, 7, 4, 4],
        'Q' => [7, 5, 5, 7, 1],
        'R' => [7, 5, 6, 5, 5],
        'S' => [7, 4, 7, 1, 7],
        'T' => [7, 2, 2, 2, 2],
        'U' => [5, 5, 5, 5, 7],
        'V' => [5, 5, 5, 5, 2],
        'W' => [5, 5, 7, 7, 5],
        'X' => [5, 5, 2, 5, 5],
        'Y' => [5, 5, 2, 2, 2],
        'Z' => [7, 1, 2, 4, 7],
        '.' => [0, 0, 0, 0, 2],
        ',' => [0, 0, 0, 2, 4],
        '%' => [5, 1, 2, 4, 5],
        '/' => [1, 1, 2, 4, 4],
        ':' => [0, 2, 0, 2, 0],
        '-' => [0, 0, 7, 0, 0],
        '=' => [0, 7, 0, 7, 0],
        '(' => [1, 2, 2, 2, 1],
        ')' => [4, 2, 2, 2, 4],
        _ => [0; 5],
    }
}

fn text(img: &mut RgbImage, x: u32, y: u32, s: &str, colour: Rgb<u8>) {
    const SCALE: u32 = 2;
    for (k, c) in s.chars().enumerate() {
        for (row, bits) in glyph(c).iter().enumerate() {
            for col in 0..3u32 {
                if bits & (4 >> col) != 0 {
                    for dy in 0..SCALE {
                        for dx in 0..SCALE {
                            let (px, py) = (x + (k as u32 * 4 + col) * SCALE + dx, y + row as u32 * SCALE + dy);
                            if px < img.width() && py < img.height() {
                                img.put_pixel(px, py, colour);
                            }
                        }
                    }
                }
            }
        }
    }
}

fn bins(scores: &[f32], range: (f32, f32)) -> Vec<f32> {
    let counts = kit_biometrics::eval::histogram(scores, range.0, range.1, BINS);
    let most = counts.iter().copied().max().unwrap_or(0).max(1) as f32;
    counts.into_iter().map(|c| c as f32 / most).collect()
}

/// Draws the panels one under the other.
pub fn histograms(panels: &[Panel<'_>]) -> RgbImage {
    let mut img = RgbImage::from_pixel(W, PANEL_H * panels.len() as u32, Rgb([255, 255, 255]));
    let plot_w = W - 2 * MARGIN;
    let bin_w = plot_w / BINS as u32;
    for (p, panel) in panels.iter().enumerate() {
        let top = p as u32 * PANEL_H;
        let base = top + PANEL_H - MARGIN;
        let height = PANEL_H - 2 * MARGIN - 10;
        let (lo, hi) = panel.range;
        let x_of = |v: f32| MARGIN + ((v - lo) / (hi - lo).max(1e-6) * plot_w as f32).clamp(0.0, plot_w as f32) as u32;
        for (b, (g, i)) in bins(panel.genuine, panel.range).iter().zip(bins(panel.impostor, panel.range)).enumerate() {
            let x0 = MARGIN + b as u32 * bin_w;
            // Impostors on the left half of each bin, genuine on the right.
            for (share, colour, offset) in [(i, RED, 0), (*g, GREEN, bin_w / 2)] {
                let h = (share * height as f32).round() as u32;
                for y in base - h..base {
                    for x in x0 + offset..x0 + offset + bin_w / 2 {
                        img.put_pixel(x, y, colour);
                    }
                }
            }
        }
        for (v, colour) in [(panel.eer, GREY), (panel.fmr_1000, BLUE)] {
            let x = x_of(v);
            for y in base - height..base {
                img.put_pixel(x, y, colour);
            }
        }
        for x in MARGIN..MARGIN + plot_w {
            img.put_pixel(x, base, INK);
        }
        for k in 0..=4 {
            let v = lo + (hi - lo) * k as f32 / 4.0;
            text(&mut img, x_of(v).saturating_sub(6), base + 6, &format!("{v:.0}"), INK);
        }
        text(&mut img, MARGIN, top + 8, &panel.title, INK);
        text(&mut img, W - MARGIN - 300, top + 8, "GENUINE", GREEN);
        text(&mut img, W - MARGIN - 230, top + 8, "IMPOSTOR", RED);
        text(&mut img, W - MARGIN - 150, top + 8, "FMR 1/1000", BLUE);
        text(&mut img, W - MARGIN - 50, top + 8, "EER", GREY);
    }
    img
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_and_lines_are_drawn_where_the_scores_are() {
        let genuine: Vec<f32> = (0..50).map(|k| 80.0 + (k % 10) as f32).collect();
        let impostor: Vec<f32> = (0..500).map(|k| (k % 20) as f32).collect();
        let panel = Panel {
            title: "KIT".into(),
            genuine: &genuine,
            impostor: &impostor,
            range: (0.0, 100.0),
            fmr_1000: 50.0,
            eer: 40.0,
        };
        let img = histograms(&[panel]);
        assert_eq!((img.width(), img.height()), (W, PANEL_H));
        let base = PANEL_H - MARGIN - 1;
        let at = |v: f32| MARGIN + (v / 100.0 * (W - 2 * MARGIN) as f32) as u32;
        assert_eq!(*img.get_pixel(at(5.0), base), RED, "impostors low");
        // Genuine bars fill the right half of their bin.
        let right_half = (W - 2 * MARGIN) / BINS as u32 / 2 + 1;
        assert_eq!(*img.get_pixel(at(85.0) + right_half, base), GREEN, "genuine high");
        assert_eq!(*img.get_pixel(at(50.0), base - 20), BLUE, "the threshold line");
        assert_eq!(*img.get_pixel(at(60.0) + 3, base), Rgb([255, 255, 255]), "nothing between");
    }
}
