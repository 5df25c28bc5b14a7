//! `enroll-kit simulate`.

use super::LoginArgs;
use super::operator::login_from;
use anyhow::Result;
use clap::Args;
use enroll_kit::kit::Kit;
use enroll_kit::workflow::simulate::{SimulateOptions, simulate};
use std::io::Write;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// How many enrollments to create
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    count: u32,
    /// Seed: the same seed makes the same people and prints
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Simulated assistants (sim-01 …) sharing the work
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=20))]
    assistants: u32,
    #[command(flatten)]
    login: LoginArgs,
}

pub fn run(mut kit: Kit, args: SimulateArgs) -> Result<ExitCode> {
    let op = login_from(&mut kit, &args.login)?;
    let options = SimulateOptions { count: args.count as usize, seed: args.seed, assistants: args.assistants as usize };
    let total = options.count;
    let mut stderr = std::io::stderr();
    let rids = simulate(&mut kit, &op, options, |done, _| {
        if done % 10 == 0 || done == total {
            let _ = write!(stderr, "\rsimulated {done}/{total}");
            let _ = stderr.flush();
        }
    })?;
    eprintln!();
    println!(
        "created {} training enrollment(s), {} to {}",
        rids.len(),
        rids.first().map(|r| r.as_str()).unwrap_or("-"),
        rids.last().map(|r| r.as_str()).unwrap_or("-")
    );
    Ok(ExitCode::SUCCESS)
}
