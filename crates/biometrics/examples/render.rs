//! Renders generated prints as PGM files for a look: `cargo run -p enroll-kit-biometrics --example render -- OUT_DIR [SEED...]`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a dev tool: a failed setup is a failed run

use kit_biometrics::generator::{Finger, Impression};
use std::io::Write;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let out = std::path::PathBuf::from(args.next().unwrap_or_else(|| ".".into()));
    let seeds: Vec<u64> = args.filter_map(|a| a.parse().ok()).collect();
    for seed in if seeds.is_empty() { vec![1, 2, 3] } else { seeds } {
        let started = std::time::Instant::now();
        let finger = Finger::generate(seed);
        let grown = started.elapsed();
        for (name, imp) in [
            ("ideal", Impression::ideal(seed)),
            ("typical", Impression::typical(seed)),
            ("dry", Impression { moisture: -0.8, ..Impression::ideal(seed) }),
            ("wet", Impression { moisture: 0.8, ..Impression::ideal(seed) }),
            ("noisy", Impression { noise: 0.6, ..Impression::ideal(seed) }),
            ("blurred", Impression { blur: 0.8, ..Impression::ideal(seed) }),
            ("partial", Impression { contact: 0.35, ..Impression::ideal(seed) }),
        ] {
            let img = finger.impression(&imp, 320, 400);
            let path = out.join(format!("{seed}-{name}.pgm"));
            let mut f = std::fs::File::create(&path)?;
            write!(f, "P5\n{} {}\n255\n", img.width, img.height)?;
            f.write_all(&img.pixels)?;
        }
        println!(
            "seed {seed}: {:?}, grown in {grown:?}, cores {:?} deltas {:?}",
            finger.class, finger.cores, finger.deltas
        );
    }
    Ok(())
}
