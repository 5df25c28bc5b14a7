//! `enroll-kit packet`.

use super::LoginArgs;
use super::operator::login_from;
use anyhow::{Result, bail};
use clap::Subcommand;
use enroll_kit::domain::rid::Rid;
use enroll_kit::domain::status::PacketStatus;
use enroll_kit::kit::Kit;
use enroll_kit::workflow::WorkflowError;
use enroll_kit::workflow::integrity::verify_packets;
use enroll_kit::workflow::records::{packet_list, write_slip};
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum PacketCommand {
    /// Re-check every stored packet (or one): stored hash, signature, each file's SHA-256
    Verify {
        /// Only this RID
        rid: Option<String>,
    },
    /// Write (or reprint) a packet's acknowledgement slip as PDF (supervisor, or the assistant who enrolled the person)
    Slip {
        /// The RID
        rid: String,
        /// Where to write the PDF (a new file: an existing one is never replaced)
        #[arg(long, value_name = "FILE")]
        out: std::path::PathBuf,
        #[command(flatten)]
        login: LoginArgs,
    },
    /// List stored packets (supervisor)
    List {
        /// Only packets with this status (pending_review, approved, rejected, exported, acknowledged)
        #[arg(long)]
        status: Option<String>,
        #[command(flatten)]
        login: LoginArgs,
    },
}

pub fn run(mut kit: Kit, cmd: PacketCommand) -> Result<ExitCode> {
    match cmd {
        PacketCommand::Verify { rid } => {
            let rid = rid.map(|r| Rid::parse(&r)).transpose()?;
            kit.store.integrity_check()?;
            let report = verify_packets(&kit, rid.as_ref().map(Rid::as_str))?;
            for fault in &report.faults {
                println!("FAILED {}: {}", fault.rid, fault.reason);
            }
            if report.faults.is_empty() {
                println!("OK: {} packet(s) verified", report.checked);
                Ok(ExitCode::SUCCESS)
            } else {
                println!("{} of {} packet(s) failed verification", report.faults.len(), report.checked);
                Ok(ExitCode::from(1))
            }
        }
        PacketCommand::Slip { rid, out, login } => {
            let rid = Rid::parse(&rid)?;
            let op = login_from(&mut kit, &login)?;
            write_slip(&kit, &op, rid.as_str(), &out).map_err(|e| match e {
                WorkflowError::Packet(_) => {
                    anyhow::anyhow!("packet {rid} does not verify ({e}): run `enroll-kit packet verify {rid}`")
                }
                other => other.into(),
            })?;
            println!("wrote {}", out.display());
            Ok(ExitCode::SUCCESS)
        }
        PacketCommand::List { status, login } => {
            let status = match status {
                None => None,
                Some(s) => match PacketStatus::parse(&s) {
                    Some(s) => Some(s),
                    None => {
                        bail!("unknown status {s:?}: use pending_review, approved, rejected, exported or acknowledged")
                    }
                },
            };
            let op = login_from(&mut kit, &login)?;
            for row in packet_list(&kit, &op, status)? {
                println!(
                    "{}  {}  {:<14}  {}{}",
                    row.rid,
                    row.created_at,
                    row.status,
                    row.display_name,
                    if row.training { "  [training]" } else { "" }
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
