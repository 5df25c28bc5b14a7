//! `enroll-kit match A B`: the comparison score of two fingerprint images and the decision at
//! each calibrated threshold, for technicians and for checking the matcher on outside images.

use anyhow::{Context, Result};
use clap::Args;
use enroll_kit::biometrics::matching::{THRESHOLD_FMR_1000, THRESHOLD_FMR_10000, score};
use enroll_kit::biometrics::print::{DPI_RANGE, analyse, load};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct MatchArgs {
    /// The first print (PNG or JPEG)
    a: PathBuf,
    /// The second print
    b: PathBuf,
    /// The images' resolution; they are rescaled to 500 dpi first
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u16).range(i64::from(*DPI_RANGE.start())..=i64::from(*DPI_RANGE.end())))]
    dpi: u16,
    /// Print the result as JSON
    #[arg(long)]
    json: bool,
}

fn template_of(path: &Path, dpi: u16) -> Result<enroll_kit::biometrics::matching::Template> {
    Ok(analyse(&load(path)?, dpi).with_context(|| path.display().to_string())?.template)
}

pub fn run(args: MatchArgs) -> Result<ExitCode> {
    let (a, b) = (template_of(&args.a, args.dpi)?, template_of(&args.b, args.dpi)?);
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
