//! `enroll-kit receipts import`: the central office's receipts, carried back on a stick.

use super::LoginArgs;
use super::operator::login_from;
use anyhow::Result;
use clap::Subcommand;
use enroll_kit::kit::Kit;
use enroll_kit::workflow::retention::import_receipts;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum ReceiptsCommand {
    /// Record the receipts in a file the central office wrote, then delete what it acknowledged (supervisor)
    Import {
        /// The receipts file
        file: PathBuf,
        #[command(flatten)]
        login: LoginArgs,
    },
}

pub fn run(mut kit: Kit, command: ReceiptsCommand) -> Result<ExitCode> {
    match command {
        ReceiptsCommand::Import { file, login } => {
            let op = login_from(&mut kit, &login)?;
            let report = import_receipts(&mut kit, &op, &file)?;
            println!(
                "{} batch(es) acknowledged, {} already were, {} receipt(s) for other kits or batches",
                report.acknowledged.len(),
                report.already,
                report.not_ours
            );
            for (batch, why) in &report.refused {
                println!("REFUSED {batch}: {why}");
            }
            println!(
                "{} packet(s) lost their images and personal data; templates of {} expired",
                report.purged.packets.len(),
                report.purged.templates_expired
            );
            Ok(if report.refused.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
    }
}
