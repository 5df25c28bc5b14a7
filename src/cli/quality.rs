//! `enroll-kit quality IMAGE...`: kit quality of fingerprint images, for technicians checking a
//! reader or a batch of scans.

use anyhow::Result;
use clap::Args;
use enroll_kit::biometrics::print::{DPI_RANGE, analyse, load};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct QualityArgs {
    /// Fingerprint images (PNG, JPEG, BMP, TIFF or PGM, any size up to 10 cm a side; colour and 16-bit are turned 8-bit grey)
    #[arg(required = true, value_name = "IMAGE")]
    images: Vec<PathBuf>,
    /// The images' resolution; they are rescaled to 500 dpi before scoring
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u16).range(i64::from(*DPI_RANGE.start())..=i64::from(*DPI_RANGE.end())))]
    dpi: u16,
    /// One JSON object a line: file, score, issues, measures
    #[arg(long)]
    json: bool,
}

pub fn run(args: QualityArgs) -> Result<ExitCode> {
    let mut failed = 0;
    for path in &args.images {
        let a = match load(path).and_then(|image| analyse(&image, args.dpi)) {
            Ok(analysed) => analysed.assessment,
            Err(e) => {
                eprintln!("error: {e}");
                failed += 1;
                continue;
            }
        };
        if args.json {
            let line = serde_json::json!({
                "file": path.display().to_string(), "score": a.score, "issues": a.issues, "measures": a.measures,
            });
            println!("{line}");
        } else {
            let issues: Vec<&str> = a.issues.iter().map(|i| i.as_str()).collect();
            println!(
                "{}: {:>3}  {}",
                path.display(),
                a.score,
                if issues.is_empty() { "ok".to_string() } else { issues.join(", ") }
            );
        }
    }
    if failed > 0 {
        eprintln!("{failed} of {} file(s) could not be read", args.images.len());
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
