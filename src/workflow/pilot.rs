//! Pilot mode: a training kit in its own data dir, provisioned on first start with known
//! accounts, the pilot keys, and simulated devices.

use super::{WorkflowError, accounts, login};
use crate::domain::account::{Pin, Role};
use crate::kit::{DataDir, InitParams, Kit, init};
use crate::packet::PublicKey;

/// The pilot kit's centre code: no real centre uses it.
pub const PILOT_CENTRE: &str = "99999";
use crate::assets::{PILOT_HQ_RECIPIENT, PILOT_HQ_VERIFY_KEY};

/// The pilot accounts: login name, name on screen, role, PIN. Shown on the pilot login screen.
pub const PILOT_ACCOUNTS: [(&str, &str, Role, &str); 3] = [
    ("supervisor", "Pilot supervisor", Role::Supervisor, "246810"),
    ("trainee", "Trainee", Role::Assistant, "135790"),
    ("trainer", "Trainer", Role::Trainer, "864200"),
];

/// Opens the pilot kit in `dir`, provisioning it first if the dir holds none.
pub fn open_or_provision(dir: DataDir) -> Result<Kit, WorkflowError> {
    if dir.config_path().exists() {
        let kit = Kit::open(dir)?;
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
    })?;
    let sup = login(&mut kit, sup_name, &Pin::new(sup_pin))?;
    for (name, display, role, pin) in &PILOT_ACCOUNTS[1..] {
        accounts::add_account(&mut kit, &sup, name, display, *role, pin)?;
    }
    Ok(kit)
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
}
