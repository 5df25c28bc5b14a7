//! `enroll-kit init`.

use super::keys::{KeyStoreChoice, new_store};
use super::operator::read_pin;
use anyhow::{Context, Result, bail};
use clap::Args;
use enroll_kit::domain::account::Pin;
use enroll_kit::kit::keyfile::{read_public, read_text};
use enroll_kit::kit::{DataDir, InitParams, init};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Registration centre code, 5 digits (e.g. 00042)
    #[arg(long)]
    centre: String,
    /// Kit number within the centre, 5 digits (e.g. 00007)
    #[arg(long)]
    kit: String,
    /// County code where the kit works, 001 to 047
    #[arg(long)]
    county: String,
    /// File with the central office's age recipient(s), one `age1…` a line; repeatable
    #[arg(long = "hq-recipient", value_name = "FILE", required = true)]
    hq_recipients: Vec<PathBuf>,
    /// File with the central office's Ed25519 verifying key (for receipts)
    #[arg(long, value_name = "FILE")]
    hq_verify_key: PathBuf,
    /// Login name of the first supervisor
    #[arg(long, default_value = "supervisor")]
    supervisor: String,
    /// The first supervisor's name as shown on screen
    #[arg(long, default_value = "Supervisor")]
    supervisor_name: String,
    /// Read the first supervisor's PIN from this file (else ENROLL_KIT_PIN, else a prompt)
    #[arg(long, value_name = "FILE")]
    pin_file: Option<PathBuf>,
    /// Provision a training (pilot) kit: every record it makes is marked training
    #[arg(long)]
    training: bool,
    /// What seals the kit's keys: the TPM, or the first supervisor's day passphrase (--passphrase-file or a prompt)
    #[arg(long, value_enum, default_value = "auto", env = "ENROLL_KIT_KEY_STORE")]
    key_store: KeyStoreChoice,
    /// Test suites only: a token argon2id cost (anyone with the disk could guess the passphrase)
    #[arg(long, hide = true, env = "ENROLL_KIT_INSECURE_TEST_KDF")]
    insecure_test_kdf: bool,
}

pub(super) fn recipients(path: &Path) -> Result<Vec<String>> {
    let text = read_text(path)?;
    let list: Vec<String> =
        text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(String::from).collect();
    if list.is_empty() {
        bail!("{} holds no age recipient: expected a line starting with age1", path.display());
    }
    Ok(list)
}

pub fn run(dir: DataDir, passphrase_file: Option<&Path>, args: InitArgs) -> Result<ExitCode> {
    let mut hq_recipients = Vec::new();
    for path in &args.hq_recipients {
        hq_recipients.extend(recipients(path)?);
    }
    let hq_verify_key = read_public(&args.hq_verify_key)?;
    let typed = read_pin(args.pin_file.as_deref(), "PIN for the first supervisor (6 to 12 digits): ")?;
    let pin = Pin::new_checked(typed.expose()).map_err(|e| anyhow::anyhow!("the first supervisor's PIN: {e}"))?;
    let key_store = new_store(args.key_store, &args.supervisor, passphrase_file, args.insecure_test_kdf)?;
    let root = dir.root().to_path_buf();
    let kit = init(InitParams {
        dir,
        centre: args.centre,
        kit: args.kit,
        county: args.county,
        hq_recipients,
        hq_verify_key,
        training: args.training,
        supervisor: args.supervisor.clone(),
        supervisor_name: args.supervisor_name,
        supervisor_pin: pin,
        key_store,
    })
    .with_context(|| format!("could not provision a kit in {}", root.display()))?;
    let county = kit.admin_units().county(&kit.config.county).map(|c| c.name.clone()).unwrap_or_default();
    println!("Kit provisioned in {}", root.display());
    println!(
        "  centre {}, kit {}, county {} ({county}){}",
        kit.config.centre,
        kit.config.kit,
        kit.config.county,
        if kit.config.training { ", TRAINING kit" } else { "" }
    );
    println!("  first supervisor: {}", args.supervisor);
    match kit.key_store() {
        enroll_kit::kit::StoreKind::Tpm => println!("  keys sealed by this machine's TPM"),
        enroll_kit::kit::StoreKind::Passphrase => {
            println!("  keys sealed by {}'s passphrase: the kit stays locked until it is typed", args.supervisor)
        }
    }
    println!("Kit public key:  {}", kit.public_key().to_hex());
    println!("Fingerprint:     {}", kit.public_key().fingerprint());
    println!("Register this key with the central office before the kit's first export.");
    Ok(ExitCode::SUCCESS)
}
