//! `enroll-kit report` (supervisor): the daily report as text, JSON or CSV.

use super::LoginArgs;
use super::operator::login_from;
use anyhow::{Context, Result};
use clap::Args;
use enroll_kit::kit::Kit;
use enroll_kit::workflow::report::{QUALITY_BIN, daily};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The day, YYYY-MM-DD (UTC) [default: today]
    #[arg(long, value_name = "DATE")]
    date: Option<String>,
    /// Print the report as JSON
    #[arg(long)]
    json: bool,
    /// Also write one line per packet to this CSV file (it must not exist yet)
    #[arg(long, value_name = "FILE")]
    csv: Option<PathBuf>,
    #[command(flatten)]
    login: LoginArgs,
}

pub fn run(mut kit: Kit, args: ReportArgs) -> Result<ExitCode> {
    let op = login_from(&mut kit, &args.login)?;
    let date = args.date.unwrap_or_else(|| kit.today().format("%Y-%m-%d").to_string());
    let report = daily(&kit, &op, &date)?;
    if let Some(path) = &args.csv {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .with_context(|| format!("cannot create {} (choose a new file name)", path.display()))?;
        file.write_all(report.to_csv().as_bytes()).with_context(|| format!("cannot write {}", path.display()))?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("Daily report for {} (UTC): {} enrollment(s)", report.date, report.enrollments);
    println!("By assistant:");
    for (who, n) in &report.by_assistant {
        println!("  {who:<16} {n}");
    }
    println!("By hour (UTC):");
    for (hour, n) in report.by_hour.iter().enumerate().filter(|(_, n)| **n > 0) {
        println!("  {hour:02}:00  {n}");
    }
    println!("Status now:");
    for (status, n) in &report.by_status {
        println!("  {status:<16} {n}");
    }
    if !report.rejections.is_empty() {
        println!("Rejections:");
        for (reason, n) in &report.rejections {
            println!("  {reason:<22} {n}");
        }
    }
    println!("Print quality:");
    for (i, n) in report.quality_bins.iter().enumerate() {
        let low = i * usize::from(QUALITY_BIN);
        let high = if i == 9 { 100 } else { low + usize::from(QUALITY_BIN) - 1 };
        println!("  {low:>3}-{high:<3} {n}");
    }
    println!("Forced prints: {}", report.forced_prints);
    println!(
        "Finger exceptions: {} (in {} enrollment(s))",
        report.finger_exceptions, report.enrollments_with_exceptions
    );
    println!("Rejected as suspected duplicates: {}", report.suspected_duplicates);
    println!("Flagged by the kit's duplicate search: {}", report.flagged_duplicates);
    Ok(ExitCode::SUCCESS)
}
