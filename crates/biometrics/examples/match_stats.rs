//! Genuine and impostor scores on generated prints: `cargo run --release -p enroll-kit-biometrics --example match_stats -- FINGERS`.

use kit_biometrics::generator::{Finger, Impression};
use kit_biometrics::matcher::{Prepared, score_prepared};
use kit_biometrics::template::Template;

fn main() {
    let n: u64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(40);
    let started = std::time::Instant::now();
    let pairs: Vec<(Template, Template)> = (0..n)
        .map(|f| {
            let finger = Finger::generate(1000 + f);
            let a = Template::of(&finger.impression(&Impression::typical(f * 2), 256, 288));
            let b = Template::of(&finger.impression(&Impression::typical(f * 2 + 1), 256, 288));
            (a, b)
        })
        .collect();
    println!("{n} fingers, two impressions each, extracted in {:?}", started.elapsed());
    let mean_minutiae = pairs.iter().map(|p| p.0.minutiae.len()).sum::<usize>() as f32 / n as f32;
    let prepared: Vec<(Prepared, Prepared)> = pairs.iter().map(|(a, b)| (Prepared::new(a), Prepared::new(b))).collect();
    let mut genuine: Vec<f32> = prepared.iter().map(|(a, b)| score_prepared(a, b)).collect();
    let started = std::time::Instant::now();
    let mut impostor = Vec::new();
    for i in 0..prepared.len() {
        for j in 0..prepared.len() {
            if i != j {
                impostor.push(score_prepared(&prepared[i].0, &prepared[j].1));
            }
        }
    }
    let per = started.elapsed() / impostor.len() as u32;
    genuine.sort_by(f32::total_cmp);
    impostor.sort_by(f32::total_cmp);
    let q = |v: &[f32], p: f32| v[((v.len() - 1) as f32 * p) as usize];
    println!("mean minutiae {mean_minutiae:.0}; {} impostor comparisons at {per:?} each", impostor.len());
    println!("genuine  min {:.1} p10 {:.1} median {:.1}", genuine[0], q(&genuine, 0.1), q(&genuine, 0.5));
    println!(
        "impostor median {:.1} p99 {:.1} max {:.1}",
        q(&impostor, 0.5),
        q(&impostor, 0.99),
        impostor[impostor.len() - 1]
    );
    for (name, p) in [("FMR 1/1,000", 0.999), ("FMR 1/10,000", 0.9999)] {
        let t = q(&impostor, p);
        let missed = genuine.iter().filter(|g| **g <= t).count();
        println!("{name}: threshold {t:.1}, {missed} of {} genuine pairs missed", genuine.len());
    }
}
