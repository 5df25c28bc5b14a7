//! Logging in from the command line: whose PIN, read from where.

use super::LoginArgs;
use anyhow::{Context, Result, bail};
use enroll_kit::domain::account::{Pin, Role};
use enroll_kit::kit::Kit;
use enroll_kit::workflow::{Operator, login};
use std::io::IsTerminal;
use std::path::Path;

/// Environment variable holding a PIN for scripts.
pub const PIN_ENV: &str = "ENROLL_KIT_PIN";

/// Reads a PIN: from `file`, else $ENROLL_KIT_PIN, else a hidden prompt on a terminal.
pub fn read_pin(file: Option<&Path>, prompt: &str) -> Result<Pin> {
    if let Some(path) = file {
        let text = std::fs::read_to_string(path).with_context(|| {
            format!("cannot read the PIN file {}: check the path and that it is readable", path.display())
        })?;
        let pin = text.lines().next().unwrap_or("").trim();
        if pin.is_empty() || !pin.bytes().all(|b| b.is_ascii_digit()) {
            bail!("the PIN file {} must hold the PIN's digits on its first line", path.display());
        }
        return Ok(Pin::new(pin));
    }
    if let Ok(pin) = std::env::var(PIN_ENV) {
        return Ok(Pin::new(&pin));
    }
    if std::io::stdin().is_terminal() {
        let pin = rpassword::prompt_password(prompt).context("could not read the PIN from the terminal")?;
        return Ok(Pin::new(&pin));
    }
    bail!("no PIN given: pass --pin-file FILE or set {PIN_ENV}")
}

/// Logs in the account named in `args` (or the only supervisor) with its PIN.
pub fn login_from(kit: &mut Kit, args: &LoginArgs) -> Result<Operator> {
    let username = match &args.user {
        Some(u) => u.clone(),
        None => {
            let supervisors: Vec<_> =
                kit.store.accounts()?.into_iter().filter(|a| a.role == Role::Supervisor).collect();
            match supervisors.as_slice() {
                [only] => only.username.clone(),
                [] => bail!("this kit has no supervisor account: pass --as USER"),
                _ => bail!("this kit has several supervisors: pass --as USER"),
            }
        }
    };
    let pin = read_pin(args.pin_file.as_deref(), &format!("PIN for {username}: "))?;
    Ok(login(kit, &username, &pin)?)
}
