//! Times the quality score's parts on one print: `cargo run --release -p enroll-kit-biometrics --example timing`.

use kit_biometrics::generator::{Finger, Impression};

fn main() {
    let img = Finger::generate(7).impression(&Impression::typical(1), 400, 500);
    let fg = vec![true; img.width * img.height];
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let a = kit_biometrics::quality::assess(&img);
        let all = t.elapsed();
        let t = std::time::Instant::now();
        let m = kit_biometrics::minutiae::extract(&img, &fg);
        println!("assess {all:?} (score {}), minutiae alone {:?} ({} found)", a.score, t.elapsed(), m.len());
    }
}
