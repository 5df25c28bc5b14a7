//! `enroll-kit match A B`: the comparison score of two fingerprint images and the decision at
//! each calibrated threshold, for technicians and for checking the matcher on outside images.

use anyhow::{Context, Result};
use clap::Args;
use enroll_kit::biometrics::matching::{THRESHOLD_FMR_1000, THRESHOLD_FMR_10000, score, template};
use enroll_kit::domain::biometrics::GreyImage;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct MatchArgs {
    /// The first print (PNG or JPEG)
    a: PathBuf,
    /// The second print
    b: PathBuf,
    /// The images' resolution; they are rescaled to 500 dpi first
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u16).range(100..=2000))]
    dpi: u16,
    /// Print the result as JSON
    #[arg(long)]
    json: bool,
}

fn load(path: &Path) -> Result<GreyImage> {
    let img =
        image::open(path).with_context(|| format!("{}: not a readable PNG or JPEG image", path.display()))?.to_luma8();
    let (w, h) = img.dimensions();
    Ok(GreyImage::new(w, h, img.into_raw())?)
}

pub fn run(args: MatchArgs) -> Result<ExitCode> {
    let (a, b) = (template(&load(&args.a)?, args.dpi), template(&load(&args.b)?, args.dpi));
    let s = score(&a, &b);
    let decide = |t: f32| if s > t { "same finger" } else { "different fingers" };
    if args.json {
        let v = serde_json::json!({
            "score": s, "minutiae": [a.minutiae.len(), b.minutiae.len()],
            "fmr_1000": {"threshold": THRESHOLD_FMR_1000, "match": s > THRESHOLD_FMR_1000},
            "fmr_10000": {"threshold": THRESHOLD_FMR_10000, "match": s > THRESHOLD_FMR_10000},
        });
        println!("{v}");
        return Ok(ExitCode::SUCCESS);
    }
    println!("score {s:.1} ({} and {} minutiae)", a.minutiae.len(), b.minutiae.len());
    println!("at FMR 1/1,000 (threshold {THRESHOLD_FMR_1000}): {}", decide(THRESHOLD_FMR_1000));
    println!("at FMR 1/10,000 (threshold {THRESHOLD_FMR_10000}): {}", decide(THRESHOLD_FMR_10000));
    Ok(ExitCode::SUCCESS)
}
