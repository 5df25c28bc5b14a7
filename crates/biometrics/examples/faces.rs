//! Runs the face checks over image files: `cargo run -p enroll-kit-biometrics --example faces -- FILE...`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a dev tool: a failed setup is a failed run

use kit_biometrics::Grey;
use kit_biometrics::face::FaceChecker;

fn main() {
    let mut checker = FaceChecker::new().expect("models");
    for path in std::env::args().skip(1) {
        let img = image::open(&path).expect("image").to_luma8();
        let grey = Grey::new(img.width() as usize, img.height() as usize, img.into_raw()).expect("size");
        let started = std::time::Instant::now();
        let r = checker.check(&grey);
        println!(
            "{path}: {:?} score {} faces {} face {:?} eyes {:?} failed {:?}",
            started.elapsed(),
            r.score,
            r.faces,
            r.face,
            r.eyes,
            r.failed()
        );
    }
}
