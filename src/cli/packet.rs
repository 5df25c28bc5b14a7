//! `enroll-kit packet`.

use anyhow::{Result, bail};
use clap::Subcommand;
use enroll_kit::domain::rid::Rid;
use enroll_kit::domain::status::PacketStatus;
use enroll_kit::kit::Kit;
use enroll_kit::workflow::integrity::verify_packets;
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum PacketCommand {
    /// Re-check every stored packet (or one): stored hash, signature, each file's SHA-256
    Verify {
        /// Only this RID
        rid: Option<String>,
    },
    /// List stored packets
    List {
        /// Only packets with this status (pending_review, approved, rejected, exported, acknowledged)
        #[arg(long)]
        status: Option<String>,
    },
}

pub fn run(kit: Kit, cmd: PacketCommand) -> Result<ExitCode> {
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
        PacketCommand::List { status } => {
            let status = match status {
                None => None,
                Some(s) => match PacketStatus::parse(&s) {
                    Some(s) => Some(s),
                    None => {
                        bail!("unknown status {s:?}: use pending_review, approved, rejected, exported or acknowledged")
                    }
                },
            };
            for row in kit.store.packet_rows(status)? {
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
