//! `enroll-kit evaluate DIR...`: the kit's matcher and quality on folders of real prints laid out
//! like the FVC sets, beside NIST's bozorth3 in the same run and NFIQ 2 when its scores are given.

use anyhow::{Context, Result};
use clap::Args;
use enroll_kit::biometrics::evaluate::{ErrorRates, Evaluation, error_rates, evaluate, read_nfiq2};
use enroll_kit::biometrics::plot::{Panel, histograms};
use enroll_kit::biometrics::print::DPI_RANGE;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// Folders of prints named <finger>_<impression>.png (PNG, JPEG, BMP, TIFF or PGM), one sensor each
    #[arg(required = true, value_name = "DIR")]
    folders: Vec<PathBuf>,
    /// The prints' resolution; they are rescaled to 500 dpi first
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u16).range(i64::from(*DPI_RANGE.start())..=i64::from(*DPI_RANGE.end())))]
    dpi: u16,
    /// NFIQ 2 scores (CSV with file,nfiq2 columns; one per folder, in the same order)
    #[arg(long, value_name = "CSV")]
    nfiq2: Vec<PathBuf>,
    /// The capture gate's threshold to judge (the shipped reader profiles use 40)
    #[arg(long, default_value_t = 40)]
    threshold: u8,
    /// Score histograms as a PNG, one file per folder: FILE-<folder>.png
    #[arg(long, value_name = "FILE")]
    plot: Option<PathBuf>,
    /// One JSON object per folder, with every print's figures
    #[arg(long)]
    json: bool,
}

fn rates(r: &ErrorRates) -> String {
    let fmr10k = if r.fmr_10000_measured { "" } else { " (at 0 false matches)" };
    format!(
        "EER {:.2}%, FNMR {:.1}% at FMR 1/1,000 (threshold {:.1}), {:.1}% at FMR 1/10,000{fmr10k}",
        100.0 * r.eer,
        100.0 * r.fnmr_at_fmr_1000,
        r.threshold_fmr_1000,
        100.0 * r.fnmr_at_fmr_10000
    )
}

fn report(e: &Evaluation) {
    let (kit, mindtct) = e.median_minutiae();
    println!(
        "{} ({} prints at {} dpi, {} genuine and {} impostor comparisons)",
        e.folder,
        e.prints.len(),
        e.dpi,
        e.kit.genuine,
        e.kit.impostor
    );
    println!("  kit:      {}", rates(&e.kit));
    println!("  bozorth3: {}", rates(&e.bozorth3));
    println!("  minutiae: kit median {kit}, MINDTCT median {mindtct}");
    if let Some(rho) = e.spearman_nfiq2 {
        println!("  quality:  Spearman ρ {rho:.2} against NFIQ 2");
    }
    if let Some(g) = &e.gate {
        let share = |n: usize, of: usize| {
            if of == 0 { "-".to_string() } else { format!("{:.0}%", 100.0 * n as f64 / of as f64) }
        };
        println!(
            "  gate at {}: {} of {} prints NFIQ 2 rates ≥ 50 pass ({}), {} of {} it rates ≤ 15 fail ({})",
            g.threshold,
            g.good.1,
            g.good.0,
            share(g.good.1, g.good.0),
            g.poor.1,
            g.poor.0,
            share(g.poor.1, g.poor.0)
        );
    }
    for u in &e.unreadable {
        eprintln!("  not read: {u}");
    }
}

pub fn run(args: EvaluateArgs) -> Result<ExitCode> {
    if !args.nfiq2.is_empty() && args.nfiq2.len() != args.folders.len() {
        anyhow::bail!(
            "{} NFIQ 2 CSV(s) for {} folder(s): give one --nfiq2 per folder, in the same order, or none",
            args.nfiq2.len(),
            args.folders.len()
        );
    }
    // Every set's kit scores together: the thresholds the kit ships are read off these.
    let (mut genuine, mut impostor) = (Vec::new(), Vec::new());
    for (k, folder) in args.folders.iter().enumerate() {
        let nfiq2 = args.nfiq2.get(k).map(|p| read_nfiq2(p)).transpose()?;
        let e = evaluate(folder, args.dpi, nfiq2.as_ref(), args.threshold)?;
        genuine.extend_from_slice(&e.scores[0].0);
        impostor.extend_from_slice(&e.scores[0].1);
        if args.json {
            println!("{}", serde_json::to_string(&e)?);
        } else {
            report(&e);
        }
        if let Some(plot) = &args.plot {
            let name = folder.file_name().map_or_else(|| format!("{k}"), |n| n.to_string_lossy().into_owned());
            let path = plot.with_file_name(format!(
                "{}-{name}.png",
                plot.file_stem().map_or("plot".into(), |s| s.to_string_lossy().into_owned())
            ));
            let (kit, boz) = (&e.scores[0], &e.scores[1]);
            let top = |s: &(Vec<f32>, Vec<f32>)| s.0.iter().chain(&s.1).copied().fold(1.0f32, f32::max);
            let panels = [
                Panel {
                    title: format!("KIT: EER {:.2}%", 100.0 * e.kit.eer),
                    genuine: &kit.0,
                    impostor: &kit.1,
                    range: (0.0, top(kit)),
                    fmr_1000: e.kit.threshold_fmr_1000,
                    eer: e.kit.eer_threshold,
                },
                Panel {
                    title: format!("BOZORTH3: EER {:.2}%", 100.0 * e.bozorth3.eer),
                    genuine: &boz.0,
                    impostor: &boz.1,
                    range: (0.0, top(boz).min(200.0)),
                    fmr_1000: e.bozorth3.threshold_fmr_1000,
                    eer: e.bozorth3.eer_threshold,
                },
            ];
            histograms(&panels).save(&path).with_context(|| format!("cannot write the plot {}", path.display()))?;
            println!("  plot: {}", path.display());
        }
    }
    if args.folders.len() > 1 && !args.json {
        let pooled = error_rates(&genuine, &impostor);
        println!(
            "pooled over {} sets ({} genuine, {} impostor): kit {}; threshold at FMR 1/10,000 {:.1}",
            args.folders.len(),
            pooled.genuine,
            pooled.impostor,
            rates(&pooled),
            pooled.threshold_fmr_10000
        );
    }
    Ok(ExitCode::SUCCESS)
}
