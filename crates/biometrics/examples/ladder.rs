//! Prints kit quality along each degradation ladder: `cargo run -p enroll-kit-biometrics --example ladder`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a dev tool: a failed setup is a failed run

use kit_biometrics::generator::{Finger, Impression};
use kit_biometrics::quality::assess;

fn main() {
    let levels = [0.0f32, 0.2, 0.4, 0.6, 0.8, 1.0];
    for seed in [1u64, 2, 3, 5] {
        let finger = Finger::generate(seed);
        for (name, make) in [
            (
                "noise",
                (|l: f32, s| Impression { noise: l * 0.8, ..Impression::ideal(s) }) as fn(f32, u64) -> Impression,
            ),
            ("blur", |l, s| Impression { blur: l, ..Impression::ideal(s) }),
            ("dry", |l, s| Impression { moisture: -l, ..Impression::ideal(s) }),
            ("wet", |l, s| Impression { moisture: l, ..Impression::ideal(s) }),
            ("partial", |l, s| Impression { contact: 1.0 - 0.75 * l, ..Impression::ideal(s) }),
        ] {
            let row: Vec<String> = levels
                .iter()
                .map(|&l| {
                    let a = assess(&finger.impression(&make(l, seed), 256, 288));
                    format!("{:3} {:3.0} {:?}", a.score, a.measures.foreground_mean, a.issues)
                })
                .collect();
            println!("{seed} {name:8} {}", row.join(" | "));
        }
    }
}
