//! `enroll-kit hq`: tools for the central office.

use anyhow::{Result, bail};
use clap::Subcommand;
use enroll_kit::kit::keyfile::{write_new, write_secret};
use enroll_kit::packet::KitKey;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum HqCommand {
    /// Make the office's key set: NAME.age + NAME.age.pub (batch sealing), NAME.ed25519 + NAME.ed25519.pub (receipts)
    Keygen {
        /// Folder to write the four files into
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// File name stem
        #[arg(long, default_value = "hq")]
        name: String,
    },
    /// Sign a change of one kit's central-office recipients and receipt key, for `enroll-kit config apply`
    SignConfig {
        /// The office's current Ed25519 signing key (the one the kit holds)
        #[arg(long, value_name = "FILE")]
        signing_key: PathBuf,
        /// The kit's public key (kit.pub, or its hex)
        #[arg(long, value_name = "KEY")]
        kit: String,
        /// File with the new age recipient(s), one `age1…` a line; repeatable
        #[arg(long = "hq-recipient", value_name = "FILE", required = true)]
        hq_recipients: Vec<PathBuf>,
        /// File with the new Ed25519 verifying key
        #[arg(long, value_name = "FILE")]
        hq_verify_key: PathBuf,
        /// Where to write the signed change
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

pub fn run(cmd: HqCommand) -> Result<ExitCode> {
    let (out, name) = match cmd {
        HqCommand::Keygen { out, name } => (out, name),
        HqCommand::SignConfig { signing_key, kit, hq_recipients, hq_verify_key, out } => {
            return sign_config(&signing_key, &kit, &hq_recipients, &hq_verify_key, &out);
        }
    };
    use age::secrecy::ExposeSecret;
    let files = ["age", "age.pub", "ed25519", "ed25519.pub"].map(|ext| out.join(format!("{name}.{ext}")));
    if let Some(existing) = files.iter().find(|f| f.exists()) {
        bail!("{} already exists: refusing to overwrite a key. Choose another --out or --name", existing.display());
    }
    std::fs::create_dir_all(&out).map_err(|e| anyhow::anyhow!("cannot create {}: {e}", out.display()))?;
    let identity = age::x25519::Identity::generate();
    let recipient = identity.to_public().to_string();
    write_new(
        &files[0],
        &format!(
            "# central office age identity: opens kit batches. Keep secret.\n# public key: {recipient}\n{}\n",
            identity.to_string().expose_secret()
        ),
        0o600,
    )?;
    write_new(
        &files[1],
        &format!("# central office age recipient: goes into each kit's kit.toml (init --hq-recipient)\n{recipient}\n"),
        0o644,
    )?;
    let key = KitKey::generate().map_err(|e| anyhow::anyhow!("the system random generator failed: {e}"))?;
    write_secret(&files[2], &key, "central office Ed25519 signing key: signs receipts")?;
    write_new(&files[3], &key.public().to_text("central office Ed25519 verifying key: init --hq-verify-key"), 0o644)?;
    for f in &files {
        println!("wrote {}", f.display());
    }
    println!("receipt key fingerprint: {}", key.public().fingerprint());
    Ok(ExitCode::SUCCESS)
}

/// Reads the central office's Ed25519 signing key file (it signs receipts).
pub fn read_signing_key(path: &std::path::Path) -> anyhow::Result<enroll_kit::packet::KitKey> {
    use anyhow::Context;
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read the signing key {}", path.display()))?;
    enroll_kit::packet::KitKey::from_text(&text)
        .map_err(|e| anyhow::anyhow!("{}: not an Ed25519 key file ({e})", path.display()))
}

fn sign_config(
    signing_key: &std::path::Path,
    kit: &str,
    recipients: &[PathBuf],
    verify_key: &std::path::Path,
    out: &std::path::Path,
) -> Result<ExitCode> {
    use enroll_kit::kit::hq_change::{HQ_CHANGE_FORMAT, HqChange, SignedHqChange};
    use enroll_kit::kit::keyfile::{read_public, read_text};
    let key = read_signing_key(signing_key)?;
    let kit_text =
        if std::path::Path::new(kit).is_file() { read_text(std::path::Path::new(kit))? } else { kit.to_string() };
    let kit_key = enroll_kit::packet::PublicKey::from_text(&kit_text)
        .map_err(|e| anyhow::anyhow!("--kit {kit:?} is not a kit public key: {e}"))?;
    let mut hq_recipients = Vec::new();
    for path in recipients {
        hq_recipients.extend(super::init::recipients(path)?);
    }
    let change = HqChange {
        format: HQ_CHANGE_FORMAT.into(),
        version: 1,
        kit_public_key: kit_key.to_hex(),
        hq_recipients,
        hq_verify_key: read_public(verify_key)?.to_hex(),
        issued_at: enroll_kit::packet::utc_text(chrono::Utc::now()),
    };
    let signed = SignedHqChange::sign(change, &key);
    write_new(out, &serde_json::to_string_pretty(&signed)?, 0o644)?;
    println!("wrote {}: the kit's supervisor applies it with `enroll-kit config apply`", out.display());
    Ok(ExitCode::SUCCESS)
}
