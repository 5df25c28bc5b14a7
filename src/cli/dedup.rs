//! `enroll-kit dedup` (supervisor): every pair of enrollments on this kit that may be one person.

use super::LoginArgs;
use super::operator::login_from;
use anyhow::Result;
use clap::Args;
use enroll_kit::kit::Kit;
use enroll_kit::workflow::dedup::{PERSON_THRESHOLD, kit_wide};
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct DedupArgs {
    /// One JSON object a line: the two RIDs and the score
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    login: LoginArgs,
}

pub fn run(mut kit: Kit, args: DedupArgs) -> Result<ExitCode> {
    let op = login_from(&mut kit, &args.login)?;
    let started = std::time::Instant::now();
    let pairs = kit_wide(&kit, &op)?;
    for (a, b, score) in &pairs {
        if args.json {
            println!("{}", serde_json::json!({"rid_a": a, "rid_b": b, "score": score}));
        } else {
            println!("{a}  {b}  score {score:.1}");
        }
    }
    eprintln!(
        "{} possible duplicate pair(s) at person score ≥ {PERSON_THRESHOLD} ({:.1} s)",
        pairs.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}
