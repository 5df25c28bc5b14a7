//! `enroll-kit quality IMAGE...`: kit quality of fingerprint images, for technicians checking a
//! reader or a batch of scans.

use anyhow::Result;
use clap::Args;
use enroll_kit::biometrics::quality::assess;
use enroll_kit::domain::biometrics::GreyImage;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct QualityArgs {
    /// Fingerprint images (PNG or JPEG, any size; colour is turned grey)
    #[arg(required = true, value_name = "IMAGE")]
    images: Vec<PathBuf>,
    /// The images' resolution; they are rescaled to 500 dpi before scoring
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u16).range(100..=2000))]
    dpi: u16,
    /// One JSON object a line: file, score, issues, measures
    #[arg(long)]
    json: bool,
}

fn load(path: &Path) -> Result<GreyImage, String> {
    let img = image::open(path).map_err(|e| format!("{}: not a readable PNG or JPEG image ({e})", path.display()))?;
    let grey = img.to_luma8();
    let (w, h) = grey.dimensions();
    GreyImage::new(w, h, grey.into_raw()).map_err(|e| format!("{}: {e}", path.display()))
}

pub fn run(args: QualityArgs) -> Result<ExitCode> {
    let mut failed = 0;
    for path in &args.images {
        let image = match load(path) {
            Ok(i) => i,
            Err(e) => {
                eprintln!("error: {e}");
                failed += 1;
                continue;
            }
        };
        let a = assess(&image, args.dpi);
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
