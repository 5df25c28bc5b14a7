//! Unlocking the kit from the command line, and `enroll-kit keys`.

use anyhow::{Context, Result, bail};
use clap::{Subcommand, ValueEnum};
use enroll_kit::kit::keystore::tpm::TpmStore;
use enroll_kit::kit::{DataDir, KdfCost, Kit, LockedKit, NewStore, Passphrase, StoreKind, Unlock, protect};
use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;

/// Reads the kit passphrase: from `file`, else a hidden prompt on a terminal.
pub fn read_passphrase(file: Option<&Path>, prompt: &str) -> Result<Passphrase> {
    if let Some(path) = file {
        let text = std::fs::read_to_string(path).with_context(|| {
            format!("cannot read the passphrase file {}: check the path and that it is readable", path.display())
        })?;
        let line = text.lines().next().unwrap_or("");
        if line.trim().is_empty() {
            bail!("the passphrase file {} must hold the passphrase on its first line", path.display());
        }
        return Ok(Passphrase::new(line));
    }
    if std::io::stdin().is_terminal() {
        let typed = rpassword::prompt_password(prompt).context("could not read the passphrase from the terminal")?;
        return Ok(Passphrase::new(&typed));
    }
    bail!(
        "this kit is locked and no passphrase was given: pass --unlock-file FILE (the kit passphrase on its first line), or run it on a terminal"
    )
}

/// Opens the kit in `dir`: by the TPM, or with a supervisor's passphrase.
pub fn open_kit(dir: DataDir, passphrase_file: Option<&Path>) -> Result<Kit> {
    let locked = LockedKit::open(dir)?;
    let unlock = match locked.store_kind() {
        StoreKind::Tpm => Unlock::Machine,
        StoreKind::Passphrase => Unlock::Passphrase(read_passphrase(
            passphrase_file,
            &format!(
                "Kit {}/{} is locked. Passphrase (supervisor {}): ",
                locked.config.centre,
                locked.config.kit,
                locked.passphrase_holders().join(" or ")
            ),
        )?),
    };
    Ok(locked.unlock(&unlock)?)
}

/// Which key store `init` and `keys protect` seal the kit's keys with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KeyStoreChoice {
    /// This machine's TPM when it has one, else a passphrase
    Auto,
    /// This machine's TPM 2.0 (ENROLL_KIT_TCTI names another, e.g. swtpm:port=2321)
    Tpm,
    /// A supervisor's day passphrase
    Passphrase,
}

/// Builds the store a new kit's keys are sealed with.
pub fn new_store(
    choice: KeyStoreChoice,
    supervisor: &str,
    passphrase_file: Option<&Path>,
    test_cost: bool,
) -> Result<NewStore> {
    let choice = match choice {
        KeyStoreChoice::Auto if TpmStore::from_env().is_present() => KeyStoreChoice::Tpm,
        KeyStoreChoice::Auto => KeyStoreChoice::Passphrase,
        other => other,
    };
    Ok(match choice {
        KeyStoreChoice::Tpm => NewStore::Tpm,
        _ => {
            let passphrase = read_passphrase(
                passphrase_file,
                &format!("Kit passphrase for {supervisor} (at least 3 words, 16 characters; typed every morning): "),
            )?;
            passphrase.check()?;
            NewStore::Passphrase {
                label: supervisor.to_string(),
                passphrase,
                cost: if test_cost { KdfCost::TEST } else { KdfCost::KIT },
            }
        }
    })
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// What seals this kit's keys and who may unlock it (needs no unlock)
    Status,
    /// Set your own day passphrase (a supervisor, on a kit unlocked with --unlock-file or a prompt): from then on it unlocks the kit too
    SetPassphrase {
        /// Read the new passphrase from this file (else it is asked twice)
        #[arg(long, value_name = "FILE")]
        new_passphrase_file: Option<std::path::PathBuf>,
        #[command(flatten)]
        login: super::LoginArgs,
        /// Test suites only: a token argon2id cost
        #[arg(long, hide = true, env = "ENROLL_KIT_INSECURE_TEST_KDF")]
        insecure_test_kdf: bool,
    },
    /// Seal an older kit's clear signing key and encrypt its database (run once, as a supervisor)
    Protect {
        /// What seals the keys
        #[arg(long, value_enum, default_value = "auto", env = "ENROLL_KIT_KEY_STORE")]
        key_store: KeyStoreChoice,
        /// Whose passphrase slot it is
        #[arg(long, default_value = "supervisor")]
        supervisor: String,
        /// Test suites only: a token argon2id cost (anyone with the disk could guess the passphrase)
        #[arg(long, hide = true, env = "ENROLL_KIT_INSECURE_TEST_KDF")]
        insecure_test_kdf: bool,
    },
}

pub fn run(dir: DataDir, passphrase_file: Option<&Path>, command: KeysCommand) -> Result<ExitCode> {
    match command {
        KeysCommand::Status => {
            let locked = LockedKit::open(dir)?;
            println!("kit {}/{}", locked.config.centre, locked.config.kit);
            match locked.store_kind() {
                StoreKind::Tpm => {
                    println!("keys sealed by this machine's TPM: the kit opens by itself here, and nowhere else")
                }
                StoreKind::Passphrase => println!(
                    "keys sealed by a passphrase: locked until a supervisor unlocks it ({})",
                    locked.passphrase_holders().join(", ")
                ),
            }
            if locked.weak_passphrase_cost() {
                println!(
                    "WARNING: the passphrase is sealed at the test cost: anyone with a copy of the disk can guess it quickly. \
                     Re-provision this kit"
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        KeysCommand::SetPassphrase { new_passphrase_file, login, insecure_test_kdf } => {
            let mut kit = open_kit(dir, passphrase_file)?;
            let op = super::operator::login_from(&mut kit, &login)?;
            enroll_kit::workflow::require(&op, enroll_kit::domain::account::Permission::ManageAccounts)?;
            let new = match &new_passphrase_file {
                Some(file) => read_passphrase(Some(file), "")?,
                None => {
                    let first = read_passphrase(
                        None,
                        &format!("New kit passphrase for {} (at least 3 words, 16 characters): ", op.username),
                    )?;
                    let again = read_passphrase(None, "The same passphrase again: ")?;
                    if first.differs(&again) {
                        bail!("the two passphrases differ: nothing was changed");
                    }
                    first
                }
            };
            let cost = if insecure_test_kdf { KdfCost::TEST } else { KdfCost::KIT };
            enroll_kit::workflow::keys::set_own_passphrase(&mut kit, &op, &new, cost)?;
            println!("{}'s passphrase now unlocks kit {}/{}", op.username, kit.config.centre, kit.config.kit);
            Ok(ExitCode::SUCCESS)
        }
        KeysCommand::Protect { key_store, supervisor, insecure_test_kdf } => {
            let store = new_store(key_store, &supervisor, passphrase_file, insecure_test_kdf)?;
            let kit = protect(dir, store)?;
            println!(
                "kit {}/{}: signing key sealed, database encrypted; kit.key is gone",
                kit.config.centre, kit.config.kit
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
