//! `enroll-kit packet`.

use anyhow::{Context, Result, bail};
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
    /// Write (or reprint) a packet's acknowledgement slip as PDF
    Slip {
        /// The RID
        rid: String,
        /// Where to write the PDF
        #[arg(long, value_name = "FILE")]
        out: std::path::PathBuf,
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
        PacketCommand::Slip { rid, out } => {
            let rid = Rid::parse(&rid)?;
            let packet =
                kit.store.packet(rid.as_str())?.with_context(|| format!("there is no packet {rid} on this kit"))?;
            let opened = enroll_kit::packet::open_packet(&packet.data, Some(&kit.public_key()))
                .with_context(|| format!("packet {rid} does not verify: run `enroll-kit packet verify {rid}`"))?;
            let pdf = enroll_kit::slip::acknowledgement(&opened.json)?;
            std::fs::write(&out, pdf).with_context(|| format!("cannot write {}", out.display()))?;
            println!("wrote {}", out.display());
            Ok(ExitCode::SUCCESS)
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
