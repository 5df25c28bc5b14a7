//! Re-checking what the kit holds: every stored packet's hash, signature and files.

use super::WorkflowError;
use crate::kit::Kit;
use crate::packet::{open_packet, sha256_hex};
use crate::store::StoredPacket;

/// A packet that failed its check, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PacketFault {
    /// The packet's RID.
    pub rid: String,
    /// What is wrong.
    pub reason: String,
}

/// The result of checking stored packets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PacketReport {
    /// Packets checked.
    pub checked: u64,
    /// Those that failed.
    pub faults: Vec<PacketFault>,
}

/// Checks one stored packet against the kit's key: stored hash and size, signature, every file.
pub fn check_packet(kit: &Kit, packet: &StoredPacket) -> Result<(), String> {
    let row = &packet.row;
    if packet.data.len() as u64 != row.size {
        return Err(format!("its bytes are {} long, {} were stored", packet.data.len(), row.size));
    }
    if sha256_hex(&packet.data) != row.sha256 {
        return Err("its bytes do not match the SHA-256 recorded when it was sealed".into());
    }
    let opened = open_packet(&packet.data, Some(&kit.public_key())).map_err(|e| e.to_string())?;
    if opened.json.rid != row.rid {
        return Err(format!("packet.json names RID {}, the database row says {}", opened.json.rid, row.rid));
    }
    if opened.json.training != row.training {
        return Err("the training flag in packet.json and in the database disagree".into());
    }
    Ok(())
}

/// Checks every stored packet, or only `rid`.
pub fn verify_packets(kit: &Kit, rid: Option<&str>) -> Result<PacketReport, WorkflowError> {
    let mut report = PacketReport::default();
    let mut check = |p: StoredPacket| {
        report.checked += 1;
        if let Err(reason) = check_packet(kit, &p) {
            report.faults.push(PacketFault { rid: p.row.rid, reason });
        }
    };
    match rid {
        Some(rid) => {
            let packet = kit
                .store
                .packet(rid)?
                .ok_or_else(|| WorkflowError::Refused(format!("there is no packet {rid} on this kit")))?;
            check(packet);
        }
        None => {
            kit.store.for_each_packet(check)?;
        }
    }
    Ok(report)
}
