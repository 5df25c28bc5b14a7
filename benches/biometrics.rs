//! Biometric speed (issue 6): kit quality of one 500 dpi print (goal ≤ 20 ms; the whole analysis:
//! ridge map, MINDTCT, the template), one matcher comparison, face checks on one 640×480 frame
//! (goal ≤ 30 ms: live feedback at ≥ 15 fps on 2 cores), and the generator.
//!
//! Run: `cargo bench --bench biometrics` (criterion, release).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a dev tool: a failed setup is a failed run

use criterion::{Criterion, criterion_group, criterion_main};
use enroll_kit::biometrics::face::{FaceChecker, check_rgb};
use enroll_kit::biometrics::matching::{Prepared, score_prepared, template};
use enroll_kit::biometrics::quality::assess;
use enroll_kit::biometrics::synthetic::{Finger, Impression, typical_print};
use std::hint::black_box;

fn frame(path: &std::path::Path) -> (u32, u32, Vec<u8>) {
    let img = image::open(path).expect("fixture").to_rgb8();
    let img = image::imageops::resize(&img, 640, 480, image::imageops::FilterType::Triangle);
    (640, 480, img.into_raw())
}

fn bench(c: &mut Criterion) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for (w, h) in [(256u32, 288u32), (400, 500)] {
        let print = typical_print(7, 1, w, h);
        c.bench_function(&format!("quality {w}x{h} print at 500 dpi"), |b| b.iter(|| assess(black_box(&print), 500)));
    }
    // One comparison in the duplicate search's second pass: two prepared templates of one finger.
    let (a, b) = (template(&typical_print(7, 1, 256, 288), 500), template(&typical_print(7, 2, 256, 288), 500));
    let (a, b) = (Prepared::new(&a), Prepared::new(&b));
    c.bench_function("matcher: one comparison of prepared templates", |bench| {
        bench.iter(|| score_prepared(black_box(&a), black_box(&b)))
    });
    c.bench_function("generator: grow one finger", |b| b.iter(|| Finger::generate(black_box(11))));
    let finger = Finger::generate(11);
    c.bench_function("generator: one 256x288 impression", |b| {
        b.iter(|| finger.impression(black_box(&Impression::typical(3)), 256, 288))
    });

    let mut checker = FaceChecker::new().expect("face models");
    // The pilot face (one face, plain wall: every check runs) and the cat (no face: the search only),
    // both stretched to a 640x480 camera frame.
    for (name, path) in [
        ("one face", root.join("assets/pilot/faces/astronaut.jpg")),
        ("no face", root.join("fixtures/faces/chelsea.png")),
    ] {
        let (w, h, rgb) = frame(&path);
        c.bench_function(&format!("face checks 640x480, {name}"), |b| {
            b.iter(|| check_rgb(&mut checker, w, h, black_box(&rgb)))
        });
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = bench
}
criterion_main!(benches);
