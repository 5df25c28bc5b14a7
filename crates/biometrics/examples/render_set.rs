//! Renders a set of generated prints over the whole range of everyday and poor impressions, as
//! PNGs named `<finger>_<impression>.png` (the FVC layout): training data for the quality
//! calibration once NFIQ 2 has scored it, and a look at what the generator makes.
//!
//!     cargo run --release -p enroll-kit-biometrics --example render_set -- OUT_DIR [FINGERS] [WIDTH HEIGHT]
#![allow(clippy::unwrap_used, clippy::expect_used)] // a dev tool: a failed setup is a failed run
use kit_biometrics::generator::{Finger, Impression};
use rand::{RngExt, SeedableRng};

fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let out = a.first().map_or("render-set", String::as_str);
    let fingers: u64 = a.get(1).and_then(|v| v.parse().ok()).unwrap_or(50);
    let (w, h): (usize, usize) =
        (a.get(2).and_then(|v| v.parse().ok()).unwrap_or(320), a.get(3).and_then(|v| v.parse().ok()).unwrap_or(400));
    std::fs::create_dir_all(out).expect("the output folder");
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0xCA11B);
    for f in 0..fingers {
        let finger = Finger::generate(70_000 + f);
        for k in 0..8u64 {
            let base = Impression::typical(f * 100 + k);
            // Half everyday, half degraded along one or two axes at random strengths.
            let imp = if k < 4 {
                base
            } else {
                let s = rng.random_range(0.2..1.0f32);
                match rng.random_range(0..6) {
                    0 => Impression { moisture: -s, ..base },
                    1 => Impression { moisture: s, ..base },
                    2 => Impression { noise: 0.8 * s, ..base },
                    3 => Impression { blur: s, ..base },
                    4 => Impression { contact: 1.0 - 0.8 * s, ..base },
                    _ => Impression { noise: 0.4 * s, blur: 0.5 * s, moisture: -0.5 * s, ..base },
                }
            };
            let img = finger.impression(&imp, w, h);
            image::GrayImage::from_raw(w as u32, h as u32, img.pixels)
                .expect("pixels")
                .save(format!("{out}/{}_{}.png", f + 1, k + 1))
                .expect("a PNG");
        }
    }
}
