//! Pilot mode: a training kit in its own data dir, provisioned on first start with known
//! accounts, the pilot keys, and simulated devices.

use super::{Operator, WorkflowError, accounts, login, require};
use crate::domain::account::{Permission, Pin, Role};
use crate::domain::audit::AuditAction;
use crate::kit::{DataDir, InitParams, KdfCost, Kit, NewStore, Passphrase, Unlock, init};
use crate::packet::PublicKey;
use crate::store::NewAuditEntry;
use serde_json::json;

/// The pilot kit's centre code: no real centre uses it.
pub const PILOT_CENTRE: &str = "99999";
use crate::assets::{PILOT_HQ_RECIPIENT, PILOT_HQ_VERIFY_KEY};

/// The pilot accounts: login name, name on screen, role, PIN. Shown on the pilot login screen.
pub const PILOT_ACCOUNTS: [(&str, &str, Role, &str); 3] = [
    ("supervisor", "Pilot supervisor", Role::Supervisor, "246810"),
    ("trainee", "Trainee", Role::Assistant, "135790"),
    ("trainer", "Trainer", Role::Trainer, "864200"),
];

/// The pilot kit's passphrase. It is published (the unlock screen shows it), so a pilot kit's
/// encryption protects nothing: pilot kits hold only training records. It exists so that pilot
/// kits run the same code, and trainers can show the morning unlock.
pub const PILOT_PASSPHRASE: &str = "pilot kit for training only";

/// Opens the pilot kit in `dir`, provisioning it first if the dir holds none.
pub fn open_or_provision(dir: DataDir) -> Result<Kit, WorkflowError> {
    if dir.config_path().exists() {
        let kit = Kit::open(dir, &Unlock::Passphrase(Passphrase::new(PILOT_PASSPHRASE)))?;
        if !kit.config.training {
            return Err(WorkflowError::Refused(format!(
                "{} holds a production kit: pilot mode needs its own data dir",
                kit.dir.root().display()
            )));
        }
        return Ok(kit);
    }
    let recipient = PILOT_HQ_RECIPIENT.lines().find(|l| l.starts_with("age1")).unwrap_or_default().to_string();
    let verify =
        PublicKey::from_text(PILOT_HQ_VERIFY_KEY).map_err(|e| WorkflowError::Refused(format!("pilot key: {e}")))?;
    let (sup_name, sup_display, _, sup_pin) = PILOT_ACCOUNTS[0];
    let mut kit = init(InitParams {
        dir,
        centre: PILOT_CENTRE.into(),
        kit: "00001".into(),
        county: "047".into(),
        hq_recipients: vec![recipient],
        hq_verify_key: verify,
        training: true,
        supervisor: sup_name.into(),
        supervisor_name: sup_display.into(),
        supervisor_pin: Pin::new(sup_pin),
        key_store: pilot_key_store(sup_name),
    })?;
    let sup = login(&mut kit, sup_name, &Pin::new(sup_pin))?;
    for (name, display, role, pin) in &PILOT_ACCOUNTS[1..] {
        accounts::add_account(&mut kit, &sup, name, display, *role, pin)?;
    }
    Ok(kit)
}

/// The pilot passphrase at a token cost: it is public, so a high cost would protect nothing.
fn pilot_key_store(supervisor: &str) -> NewStore {
    NewStore::Passphrase {
        label: supervisor.to_string(),
        passphrase: Passphrase::new(PILOT_PASSPHRASE),
        cost: KdfCost::TEST,
    }
}

/// What a pilot data dir holds: all of it is the kit's own, so a reset may remove it.
const PILOT_ENTRIES: &[&str] = &[
    "kit.toml",
    "kit.key",
    "kit.keys",
    "kit.pub",
    "kit.db",
    "kit.db-wal",
    "kit.db-shm",
    "kit.db-journal",
    "admin-units",
    "device-profiles",
    "export.lock",
    "outbox",
    "reports",
    "scenarios",
    "slips",
];

/// Wipes the pilot kit's data (packets, drafts, batches, scenario runs, slips) and provisions it
/// afresh in place. Refused on a production kit, and on a dir holding anything the kit did not
/// make. The new pilot log starts with the reset: who, and what the old log's head was.
pub fn reset(kit: &mut Kit, op: &Operator) -> Result<(), WorkflowError> {
    require(op, Permission::RunPilot)?;
    if !kit.config.training {
        return Err(WorkflowError::Refused(
            "this is a production kit: a reset wipes pilot data only and never touches a production kit".into(),
        ));
    }
    let dir = kit.dir.clone();
    let strangers: Vec<String> = std::fs::read_dir(dir.root())
        .map_err(|e| WorkflowError::Refused(format!("cannot read {}: {e}", dir.root().display())))?
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|name| !PILOT_ENTRIES.contains(&name.as_str()))
        .collect();
    if !strangers.is_empty() {
        return Err(WorkflowError::Refused(format!(
            "{} holds files the kit did not make ({}): move them away, then reset again",
            dir.root().display(),
            strangers.join(", ")
        )));
    }
    let head = kit.store.audit_entries(Some(1))?.pop().map(|e| e.hash).unwrap_or_default();
    let packets = kit.store.packet_rows(None)?.len();
    let runs = kit.store.scenario_runs()?.len();
    kit.store.close()?;
    let mut failed = None;
    for name in PILOT_ENTRIES {
        let path = dir.root().join(name);
        let removed = if path.is_dir() { std::fs::remove_dir_all(&path) } else { std::fs::remove_file(&path) };
        if let Err(e) = removed
            && e.kind() != std::io::ErrorKind::NotFound
        {
            failed =
                Some(format!("cannot remove {} ({e}): close other enroll-kit windows and reset again", path.display()));
            break;
        }
    }
    // Whatever happened, the app goes on with a working pilot kit in the dir.
    *kit = open_or_provision(dir)?;
    if let Some(why) = failed {
        return Err(WorkflowError::Refused(why));
    }
    let now = kit.now();
    let tx = kit.store.begin()?;
    tx.audit(NewAuditEntry {
        at: now,
        actor: Some(&op.username),
        action: AuditAction::PilotReset,
        subject: None,
        detail: json!({"previous_audit_head": head, "packets_wiped": packets, "scenario_runs_wiped": runs}),
    })?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provisions_once_with_known_accounts_and_refuses_a_production_dir() {
        let dir = tempfile::tempdir().unwrap();
        let kit = open_or_provision(DataDir::new(dir.path().join("pilot"))).unwrap();
        assert!(kit.config.training);
        assert_eq!(kit.store.accounts().unwrap().len(), 3);
        drop(kit);
        let mut kit = open_or_provision(DataDir::new(dir.path().join("pilot"))).unwrap();
        login(&mut kit, "trainee", &Pin::new("135790")).unwrap();
        for (_, _, _, pin) in PILOT_ACCOUNTS {
            assert!(Pin::new_checked(pin).is_ok(), "pilot PIN {pin} passes the PIN rules");
        }
    }

    #[test]
    fn a_reset_wipes_the_pilot_kit_records_itself_and_refuses_anything_else() {
        let dir = tempfile::tempdir().unwrap();
        let mut kit = open_or_provision(DataDir::new(dir.path().join("pilot"))).unwrap();
        let trainee = login(&mut kit, "trainee", &Pin::new("135790")).unwrap();
        let e = reset(&mut kit, &trainee).unwrap_err();
        assert!(matches!(e, WorkflowError::Forbidden { .. }), "an assistant may not: {e}");
        let trainer = login(&mut kit, "trainer", &Pin::new("864200")).unwrap();
        let old_key = kit.public_key();
        let old_head = kit.store.audit_entries(Some(1)).unwrap().pop().unwrap().hash;
        std::fs::create_dir_all(dir.path().join("pilot/slips")).unwrap();
        std::fs::write(dir.path().join("pilot/slips/x.pdf"), b"%PDF").unwrap();
        reset(&mut kit, &trainer).unwrap();
        assert_ne!(kit.public_key(), old_key, "a new pilot kit");
        assert!(!dir.path().join("pilot/slips").exists());
        let log = kit.store.audit_entries(None).unwrap();
        let last = log.last().unwrap();
        assert_eq!((last.action.as_str(), last.actor.as_deref()), ("pilot_reset", Some("trainer")));
        assert!(last.detail.contains(&old_head), "the old log's head is kept: {}", last.detail);
        assert_eq!(kit.store.verify_audit(&kit.public_key()).unwrap(), Ok(log.len() as u64));

        // Something the kit did not make: refused, nothing removed.
        std::fs::write(dir.path().join("pilot/notes.txt"), b"mine").unwrap();
        let trainer = login(&mut kit, "trainer", &Pin::new("864200")).unwrap();
        let e = reset(&mut kit, &trainer).unwrap_err();
        assert!(e.to_string().contains("notes.txt"), "{e}");
        assert!(dir.path().join("pilot/kit.db").exists());
    }
}
