//! `enroll-kit account` (supervisor).

use super::LoginArgs;
use super::operator::login_from;
use anyhow::{Context, Result, bail};
use clap::Subcommand;
use enroll_kit::domain::account::Role;
use enroll_kit::kit::Kit;
use enroll_kit::workflow::accounts;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Environment variable holding the new PIN for `add` and `reset-pin` in scripts.
const NEW_PIN_ENV: &str = "ENROLL_KIT_NEW_PIN";

#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Add an account
    Add {
        /// Login name (lowercase letters, digits, . - _)
        username: String,
        /// Name shown on screen
        #[arg(long)]
        name: String,
        /// assistant, supervisor or trainer
        #[arg(long, default_value = "assistant")]
        role: String,
        /// Read the new account's PIN from this file (else ENROLL_KIT_NEW_PIN, else a prompt)
        #[arg(long, value_name = "FILE")]
        new_pin_file: Option<PathBuf>,
        #[command(flatten)]
        login: LoginArgs,
    },
    /// Lock an account until unlocked
    Lock {
        /// Login name
        username: String,
        #[command(flatten)]
        login: LoginArgs,
    },
    /// Unlock an account (also clears a wrong-PIN lockout)
    Unlock {
        /// Login name
        username: String,
        #[command(flatten)]
        login: LoginArgs,
    },
    /// Set a new PIN for an account
    ResetPin {
        /// Login name
        username: String,
        /// Read the new PIN from this file (else ENROLL_KIT_NEW_PIN, else a prompt)
        #[arg(long, value_name = "FILE")]
        new_pin_file: Option<PathBuf>,
        #[command(flatten)]
        login: LoginArgs,
    },
    /// List accounts
    List {
        #[command(flatten)]
        login: LoginArgs,
    },
}

fn new_pin(file: Option<&Path>, username: &str) -> Result<String> {
    if let Some(path) = file {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the new PIN file {}", path.display()))?;
        return Ok(text.lines().next().unwrap_or("").trim().to_string());
    }
    if let Ok(pin) = std::env::var(NEW_PIN_ENV) {
        return Ok(pin);
    }
    if std::io::stdin().is_terminal() {
        return Ok(rpassword::prompt_password(format!("New PIN for {username}: "))?);
    }
    bail!("no new PIN given: pass --new-pin-file FILE or set {NEW_PIN_ENV}")
}

pub fn run(mut kit: Kit, cmd: AccountCommand) -> Result<ExitCode> {
    match cmd {
        AccountCommand::Add { username, name, role, new_pin_file, login } => {
            let role = Role::parse(&role)
                .with_context(|| format!("unknown role {role:?}: use assistant, supervisor or trainer"))?;
            let op = login_from(&mut kit, &login)?;
            // Refused before anyone is asked for a new PIN.
            enroll_kit::workflow::require(&op, enroll_kit::domain::account::Permission::ManageAccounts)?;
            let pin = new_pin(new_pin_file.as_deref(), &username)?;
            accounts::add_account(&mut kit, &op, &username, &name, role, &pin)?;
            println!("added {role} {username}");
        }
        AccountCommand::Lock { username, login } => {
            let op = login_from(&mut kit, &login)?;
            accounts::lock_account(&mut kit, &op, &username)?;
            println!("locked {username}");
        }
        AccountCommand::Unlock { username, login } => {
            let op = login_from(&mut kit, &login)?;
            accounts::unlock_account(&mut kit, &op, &username)?;
            println!("unlocked {username}");
        }
        AccountCommand::ResetPin { username, new_pin_file, login } => {
            let op = login_from(&mut kit, &login)?;
            enroll_kit::workflow::require(&op, enroll_kit::domain::account::Permission::ManageAccounts)?;
            let pin = new_pin(new_pin_file.as_deref(), &username)?;
            accounts::reset_pin(&mut kit, &op, &username, &pin)?;
            println!("new PIN set for {username}");
        }
        AccountCommand::List { login } => {
            let op = login_from(&mut kit, &login)?;
            for a in accounts::list_accounts(&kit, &op)? {
                let state = if a.disabled {
                    "locked by supervisor".to_string()
                } else if let Some(left) = a.lockout.remaining(kit.now()) {
                    format!("locked out for {} s", left.num_seconds())
                } else {
                    "active".to_string()
                };
                println!("{:<20} {:<11} {:<30} {}", a.username, a.role, a.display_name, state);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
