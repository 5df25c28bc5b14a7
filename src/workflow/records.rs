//! What the kit holds, shown only to those allowed: acknowledgement slips and the packet list
//! (each names a person) and the audit log (who did what, to whom).

use super::{Operator, WorkflowError};
use crate::domain::account::Permission;
use crate::domain::status::PacketStatus;
use crate::kit::Kit;
use crate::store::PacketRow;
use std::io::Write;
use std::path::Path;

/// The acknowledgement slip (PDF) of packet `rid`: for a supervisor, or for the assistant who
/// enrolled that person.
pub fn slip(kit: &Kit, op: &Operator, rid: &str) -> Result<Vec<u8>, WorkflowError> {
    let packet = kit
        .store
        .packet(rid)?
        .ok_or_else(|| WorkflowError::Refused(format!("there is no packet {rid} on this kit")))?;
    if packet.row.account_id != op.account_id {
        super::require(op, Permission::ReadAllPackets)?;
    }
    let opened = crate::packet::open_packet(&packet.data, Some(&kit.public_key()))?;
    Ok(crate::slip::acknowledgement(&opened.json, kit.config.zone())?)
}

/// Writes packet `rid`'s slip to `out`, which must not exist yet (a slip never replaces a file).
pub fn write_slip(kit: &Kit, op: &Operator, rid: &str, out: &Path) -> Result<(), WorkflowError> {
    let pdf = slip(kit, op, rid)?;
    let mut file = match std::fs::OpenOptions::new().write(true).create_new(true).open(out) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Err(WorkflowError::FileExists(out.into())),
        Err(source) => return Err(WorkflowError::Write { path: out.into(), source }),
    };
    let written = file.write_all(&pdf).and_then(|()| file.sync_all());
    if let Err(source) = written {
        // Half a slip is no slip: leave nothing behind.
        let _ = std::fs::remove_file(out);
        return Err(WorkflowError::Write { path: out.into(), source });
    }
    Ok(())
}

/// The stored packets, or those with `status` (supervisor: the list names every person).
pub fn packet_list(kit: &Kit, op: &Operator, status: Option<PacketStatus>) -> Result<Vec<PacketRow>, WorkflowError> {
    super::require(op, Permission::ReadAllPackets)?;
    Ok(kit.store.packet_rows(status)?)
}

/// The last `last` audit entries (supervisor).
pub fn audit_entries(kit: &Kit, op: &Operator, last: usize) -> Result<Vec<crate::store::AuditEntry>, WorkflowError> {
    super::require(op, Permission::ReadAllPackets)?;
    Ok(kit.store.audit_entries(Some(last))?)
}
