//! `enroll-kit audit`.

use super::LoginArgs;
use super::operator::login_from;
use anyhow::Result;
use clap::Subcommand;
use enroll_kit::kit::Kit;
use enroll_kit::workflow::records::audit_entries;
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute the hash chain and name the first broken entry
    Verify,
    /// Show the last entries (supervisor)
    List {
        /// How many
        #[arg(long, default_value_t = 50)]
        last: usize,
        #[command(flatten)]
        login: LoginArgs,
    },
}

pub fn run(mut kit: Kit, cmd: AuditCommand) -> Result<ExitCode> {
    match cmd {
        AuditCommand::Verify => match kit.store.verify_audit(&kit.public_key())? {
            Ok(count) => {
                println!("OK: audit log intact, {count} entries");
                Ok(ExitCode::SUCCESS)
            }
            Err(fault) => {
                println!("BROKEN: {fault}");
                Ok(ExitCode::from(1))
            }
        },
        AuditCommand::List { last, login } => {
            let op = login_from(&mut kit, &login)?;
            for e in audit_entries(&kit, &op, last)? {
                println!(
                    "{:>6}  {}  {:<10}  {:<22}  {}  {}",
                    e.seq,
                    e.at,
                    e.actor.as_deref().unwrap_or("-"),
                    e.action,
                    e.subject.as_deref().unwrap_or("-"),
                    e.detail
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
