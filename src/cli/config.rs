//! `enroll-kit config apply`: a change of the central office's recipients and key, signed by it.

use super::LoginArgs;
use super::operator::login_from;
use anyhow::Result;
use clap::Subcommand;
use enroll_kit::kit::Kit;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Apply a change of the central office's recipients and receipt key that it signed (supervisor)
    Apply {
        /// The signed change (`enroll-kit hq sign-config` writes it)
        file: PathBuf,
        #[command(flatten)]
        login: LoginArgs,
    },
}

pub fn run(mut kit: Kit, command: ConfigCommand) -> Result<ExitCode> {
    let ConfigCommand::Apply { file, login } = command;
    let op = login_from(&mut kit, &login)?;
    enroll_kit::workflow::config::apply_hq_change(&mut kit, &op, &file)?;
    println!(
        "kit.toml now seals batches to {} recipient(s); receipts checked with key {}",
        kit.config.hq_recipients.len(),
        kit.config.hq_verify_key().map(|k| k.fingerprint()).unwrap_or_default()
    );
    Ok(ExitCode::SUCCESS)
}
