//! Re-checking what the kit holds: every stored packet's hash, signature and files.

use super::WorkflowError;
use crate::kit::Kit;
use crate::packet::{PublicKey, open_packet, sha256_hex};
use crate::store::StoredPacket;
use std::sync::{Mutex, mpsc};

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
pub fn check_packet(kit_key: &PublicKey, packet: &StoredPacket) -> Result<(), String> {
    let row = &packet.row;
    if packet.data.len() as u64 != row.size {
        return Err(format!("its bytes are {} long, {} were stored", packet.data.len(), row.size));
    }
    if sha256_hex(&packet.data) != row.sha256 {
        return Err("its bytes do not match the SHA-256 recorded when it was sealed".into());
    }
    let opened = open_packet(&packet.data, Some(kit_key)).map_err(|e| e.to_string())?;
    if opened.json.rid != row.rid {
        return Err(format!("packet.json names RID {}, the database row says {}", opened.json.rid, row.rid));
    }
    if opened.json.training != row.training {
        return Err("the training flag in packet.json and in the database disagree".into());
    }
    Ok(())
}

/// Checks every stored packet, or only `rid`.
///
/// One thread reads packets from the database (a connection is not shared between threads)
/// while workers on the other cores hash and verify them: hashing dominates, and a kit has
/// at least two cores.
pub fn verify_packets(kit: &Kit, rid: Option<&str>) -> Result<PacketReport, WorkflowError> {
    let key = kit.public_key();
    if let Some(rid) = rid {
        let packet = kit
            .store
            .packet(rid)?
            .ok_or_else(|| WorkflowError::Refused(format!("there is no packet {rid} on this kit")))?;
        let faults = check_packet(&key, &packet).err().map(|reason| PacketFault { rid: rid.to_string(), reason });
        return Ok(PacketReport { checked: 1, faults: faults.into_iter().collect() });
    }
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 8);
    let (send, receive) = mpsc::sync_channel::<StoredPacket>(workers * 2);
    let receive = Mutex::new(receive);
    let faults = Mutex::new(Vec::new());
    let checked = std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    // The lock is held only to take the next packet, not while checking it.
                    let next = receive.lock().map(|r| r.recv());
                    let Ok(Ok(packet)) = next else { break };
                    if let Err(reason) = check_packet(&key, &packet)
                        && let Ok(mut f) = faults.lock()
                    {
                        f.push(PacketFault { rid: packet.row.rid, reason });
                    }
                }
            });
        }
        let checked = kit.store.for_each_packet(|p| {
            // A send fails only if every worker is gone, which the scope would report.
            let _ = send.send(p);
        });
        drop(send);
        checked
    })?;
    let mut faults = faults.into_inner().unwrap_or_default();
    faults.sort_by(|a, b| a.rid.cmp(&b.rid));
    Ok(PacketReport { checked, faults })
}
