//! Small separable filters and gradients.

use crate::Plane;

/// Mean over a (2r+1)² window (edges clamped); `r = 0` copies.
pub fn box_blur(p: &Plane, r: usize) -> Plane {
    if r == 0 {
        return p.clone();
    }
    let kernel = vec![1.0 / (2 * r + 1) as f32; 2 * r + 1];
    separable(p, &kernel)
}

/// Gaussian blur with standard deviation `sigma` pixels (kernel ±3σ, edges clamped).
pub fn gaussian_blur(p: &Plane, sigma: f32) -> Plane {
    if sigma < 0.3 {
        return p.clone();
    }
    let r = (3.0 * sigma).ceil() as i32;
    let mut kernel: Vec<f32> = (-r..=r).map(|i| (-(i * i) as f32 / (2.0 * sigma * sigma)).exp()).collect();
    let sum: f32 = kernel.iter().sum();
    kernel.iter_mut().for_each(|k| *k /= sum);
    separable(p, &kernel)
}

/// Convolves rows then columns with the same odd-length kernel.
fn separable(p: &Plane, kernel: &[f32]) -> Plane {
    let r = (kernel.len() / 2) as isize;
    let (w, h) = (p.width as isize, p.height as isize);
    let mut tmp = Plane::new(p.width, p.height, 0.0);
    for y in 0..h {
        let row = &p.data[(y * w) as usize..((y + 1) * w) as usize];
        let out = &mut tmp.data[(y * w) as usize..((y + 1) * w) as usize];
        for x in 0..w {
            // Away from the edges the window is a plain slice (no clamping: it vectorises).
            out[x as usize] = if x >= r && x + r < w {
                let window = &row[(x - r) as usize..=(x + r) as usize];
                window.iter().zip(kernel).map(|(a, b)| a * b).sum()
            } else {
                kernel
                    .iter()
                    .enumerate()
                    .map(|(k, weight)| row[(x + k as isize - r).clamp(0, w - 1) as usize] * weight)
                    .sum()
            };
        }
    }
    let mut out = Plane::new(p.width, p.height, 0.0);
    for y in 0..h {
        for (k, weight) in kernel.iter().enumerate() {
            let sy = (y + k as isize - r).clamp(0, h - 1);
            let src = &tmp.data[(sy * w) as usize..((sy + 1) * w) as usize];
            let dst = &mut out.data[(y * w) as usize..((y + 1) * w) as usize];
            for (d, s) in dst.iter_mut().zip(src) {
                *d += s * weight;
            }
        }
    }
    out
}

/// Sobel gradients (gx, gy); zero on the one-pixel border.
pub fn sobel(p: &Plane) -> (Plane, Plane) {
    let (w, h) = (p.width, p.height);
    let mut gx = Plane::new(w, h, 0.0);
    let mut gy = Plane::new(w, h, 0.0);
    for y in 1..h.saturating_sub(1) {
        for x in 1..w.saturating_sub(1) {
            let a = |dx: usize, dy: usize| p.data[(y + dy - 1) * w + (x + dx - 1)];
            gx.data[y * w + x] = (a(2, 0) + 2.0 * a(2, 1) + a(2, 2)) - (a(0, 0) + 2.0 * a(0, 1) + a(0, 2));
            gy.data[y * w + x] = (a(0, 2) + 2.0 * a(1, 2) + a(2, 2)) - (a(0, 0) + 2.0 * a(1, 0) + a(2, 0));
        }
    }
    (gx, gy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blurs_keep_a_flat_image_flat_and_spread_a_spike() {
        let flat = Plane::new(9, 7, 42.0);
        assert!(gaussian_blur(&flat, 1.5).data.iter().all(|v| (v - 42.0).abs() < 1e-3));
        let mut spike = Plane::new(9, 9, 0.0);
        spike.data[4 * 9 + 4] = 81.0;
        let b = box_blur(&spike, 1);
        assert!((b.at(4, 4) - 9.0).abs() < 1e-4 && (b.at(3, 3) - 9.0).abs() < 1e-4 && b.at(2, 2) == 0.0);
    }

    #[test]
    fn sobel_points_up_a_ramp() {
        let mut ramp = Plane::new(5, 5, 0.0);
        for y in 0..5 {
            for x in 0..5 {
                ramp.data[y * 5 + x] = x as f32 * 10.0;
            }
        }
        let (gx, gy) = sobel(&ramp);
        assert_eq!(gx.at(2, 2), 80.0);
        assert_eq!(gy.at(2, 2), 0.0);
    }
}
