//! Fits the quality model's weights to NFIQ 2's scores and prints them as the constants of
//! `quality::model`, with how well the fit holds on each set and with each set left out.
//!
//!     cargo run --release -p enroll-kit-biometrics --example calibrate_quality -- \
//!         DIR=NFIQ2.csv [DIR=NFIQ2.csv ...]
//!
//! Each DIR holds prints (PNG, 500 dpi); each CSV has `file,nfiq2` columns (more are ignored),
//! as `scripts/nfiq2-oracle` writes them with NIST's NFIQ 2 (PyPI `nbis-py`).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a dev tool: a failed setup is a failed run
use kit_biometrics::eval::spearman;
use kit_biometrics::quality::{FEATURES, features, measure};
use kit_biometrics::ridges::RidgeMap;

fn solve(a: &mut [Vec<f64>], b: &mut [f64]) -> Vec<f64> {
    let n = b.len();
    for c in 0..n {
        let p = (c..n).max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs())).unwrap();
        a.swap(c, p);
        b.swap(c, p);
        for r in 0..n {
            if r != c {
                let f = a[r][c] / a[c][c];
                let pivot = a[c].clone();
                for (x, p) in a[r][c..n].iter_mut().zip(&pivot[c..n]) {
                    *x -= f * p;
                }
                b[r] -= f * b[c];
            }
        }
    }
    (0..n).map(|i| b[i] / a[i][i]).collect()
}

fn fit(x: &[[f64; FEATURES]], y: &[f64], centre: &[f64], spread: &[f64], lambda: f64) -> Vec<f64> {
    let d = FEATURES + 1;
    let mut ata = vec![vec![0.0; d]; d];
    let mut aty = vec![0.0; d];
    for (row, &t) in x.iter().zip(y) {
        let z: Vec<f64> = std::iter::once(1.0).chain((0..FEATURES).map(|k| (row[k] - centre[k]) / spread[k])).collect();
        for i in 0..d {
            aty[i] += z[i] * t;
            for j in 0..d {
                ata[i][j] += z[i] * z[j];
            }
        }
    }
    for (i, row) in ata.iter_mut().enumerate().skip(1) {
        row[i] += lambda;
    }
    solve(&mut ata, &mut aty)
}

fn predict(row: &[f64; FEATURES], w: &[f64], centre: &[f64], spread: &[f64]) -> f64 {
    w[0] + (0..FEATURES).map(|k| w[k + 1] * (row[k] - centre[k]) / spread[k]).sum::<f64>()
}

fn main() {
    let mut sets: Vec<(String, Vec<[f64; FEATURES]>, Vec<f64>)> = Vec::new();
    for arg in std::env::args().skip(1) {
        let (dir, csv) = arg.split_once('=').expect("DIR=NFIQ2.csv");
        let text = std::fs::read_to_string(csv).expect("the NFIQ 2 CSV");
        let (mut x, mut y) = (Vec::new(), Vec::new());
        for line in text.lines().skip(1) {
            let cols: Vec<&str> = line.split(',').collect();
            let Some(Ok(q)) = cols.get(1).map(|v| v.parse::<f64>()) else { continue };
            let img = image::open(format!("{dir}/{}", cols[0])).expect("an image").to_luma8();
            let (w, h) = img.dimensions();
            let g = kit_biometrics::Grey::new(w as usize, h as usize, img.into_raw()).expect("pixels");
            let map = RidgeMap::analyse(&g);
            let m = kit_biometrics::minutiae::extract_within(&g, &map);
            x.push(features(&measure(&map, &m)).map(f64::from));
            y.push(q);
        }
        sets.push((dir.rsplit('/').next().unwrap_or(dir).to_string(), x, y));
    }
    let all_x: Vec<[f64; FEATURES]> = sets.iter().flat_map(|s| s.1.clone()).collect();
    let all_y: Vec<f64> = sets.iter().flat_map(|s| s.2.clone()).collect();
    let n = all_x.len() as f64;
    let centre: Vec<f64> = (0..FEATURES).map(|k| all_x.iter().map(|r| r[k]).sum::<f64>() / n).collect();
    let spread: Vec<f64> = (0..FEATURES)
        .map(|k| (all_x.iter().map(|r| (r[k] - centre[k]).powi(2)).sum::<f64>() / n).sqrt().max(1e-6))
        .collect();
    let lambda: f64 = std::env::var("LAMBDA").ok().and_then(|v| v.parse().ok()).unwrap_or(1.0);
    let w = fit(&all_x, &all_y, &centre, &spread, lambda);
    println!("    pub const INTERCEPT: f32 = {:.2};", w[0]);
    println!("    pub const TERMS: [(f32, f32, f32); super::FEATURES] = [");
    for k in 0..FEATURES {
        println!("        ({:.4}, {:.4}, {:.3}),", centre[k], spread[k], w[k + 1]);
    }
    println!("    ];");
    for (name, x, y) in &sets {
        let p: Vec<f64> = x.iter().map(|r| predict(r, &w, &centre, &spread)).collect();
        // Left out: fitted on the other sets only.
        let others_x: Vec<[f64; FEATURES]> = sets.iter().filter(|s| &s.0 != name).flat_map(|s| s.1.clone()).collect();
        let others_y: Vec<f64> = sets.iter().filter(|s| &s.0 != name).flat_map(|s| s.2.clone()).collect();
        let wl = fit(&others_x, &others_y, &centre, &spread, lambda);
        let pl: Vec<f64> = x.iter().map(|r| predict(r, &wl, &centre, &spread)).collect();
        println!(
            "{name}: Spearman {:.2} fitted on all, {:.2} with this set left out",
            spearman(&p, y),
            spearman(&pl, y)
        );
    }
}
