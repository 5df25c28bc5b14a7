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
}

pub fn run(cmd: HqCommand) -> Result<ExitCode> {
    let HqCommand::Keygen { out, name } = cmd;
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
