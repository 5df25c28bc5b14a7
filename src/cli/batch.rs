//! `enroll-kit export` (supervisor) and `enroll-kit verify` (central office).

use super::LoginArgs;
use super::operator::login_from;
use anyhow::{Context, Result};
use clap::Args;
use enroll_kit::batch::export::Destination;
use enroll_kit::batch::verify::{read_identities, verify_batch};
use enroll_kit::kit::Kit;
use enroll_kit::kit::keyfile::read_text;
use enroll_kit::packet::PublicKey;
use enroll_kit::workflow::export::{check_destination, close_day, copy_past_batch};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Folder to write the batch and its receipt into (the USB stick)
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Export the approved training packets (sealed to the pilot key) instead of production ones
    #[arg(long)]
    training: bool,
    /// Write a past batch again (to a second stick) instead of exporting new packets
    #[arg(long, value_name = "BATCH_ID", conflicts_with = "training")]
    copy: Option<String>,
    #[command(flatten)]
    login: LoginArgs,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The batch file (.age)
    batch: PathBuf,
    /// The central office's age identity file
    #[arg(long, value_name = "FILE")]
    identity: PathBuf,
    /// Registered kits: one Ed25519 public key (hex) a line; the batch's kit must be among them
    #[arg(long, value_name = "FILE")]
    kits: Option<PathBuf>,
    /// The central office's record of each kit's audit log (an intake database, or a SQLite file
    /// of its own): the batch's log must extend what it holds from that kit, and is added to it
    #[arg(long, value_name = "DB")]
    ledger: Option<PathBuf>,
}

pub fn export(mut kit: Kit, args: ExportArgs) -> Result<ExitCode> {
    check_destination(&args.out)?;
    let op = login_from(&mut kit, &args.login)?;
    let mut stderr = std::io::stderr();
    let dest = Destination::folder(&args.out);
    let mut progress = |done, total| {
        let _ = write!(stderr, "\rwriting packet {done}/{total}");
        let _ = stderr.flush();
    };
    let cancel = AtomicBool::new(false);
    let batch = match &args.copy {
        Some(id) => copy_past_batch(&mut kit, &op, id, &dest, &cancel, &mut progress)?,
        None => close_day(&mut kit, &op, &dest, args.training, &cancel, &mut progress)?,
    };
    eprintln!();
    println!("wrote {} ({} packet(s), SHA-256 {})", batch.path.display(), batch.record.count, batch.record.sha256);
    println!("receipt {}", batch.receipt.display());
    Ok(ExitCode::SUCCESS)
}

pub fn verify(args: VerifyArgs) -> Result<ExitCode> {
    let identities = read_identities(&args.identity)?;
    let registered = args.kits.as_deref().map(read_registered_kits).transpose()?;
    let verified = verify_batch(&args.batch, &identities, registered.as_deref())?;
    let m = &verified.manifest;
    if registered.is_none() {
        eprintln!("WARNING: no --kits list: any key that signs its own batch passes. Verify with the registered kits");
    }
    let audit_note = match (&args.ledger, verified.audit.is_empty()) {
        (_, true) => "no audit log (a batch from an older kit)".to_string(),
        (None, false) => {
            format!("audit log of {} entries, chained and signed (no --ledger: not compared)", verified.audit.len())
        }
        (Some(db), false) => {
            use enroll_kit::intake::store::IntakeStore;
            let ledger = enroll_kit::intake::store::SqliteIntake::open(db)?;
            let new = ledger.hold_audit(&verified.kit_key.to_hex(), &verified.audit)?;
            format!("audit log of {} entries extends the ledger's ({new} new)", verified.audit.len())
        }
    };
    println!(
        "OK: batch {} from kit {}/{} (key {}), {} {} packet(s), closed by {} at {}",
        m.batch_id,
        m.kit.centre,
        m.kit.kit,
        verified.kit_key.fingerprint(),
        m.packets.len(),
        if m.training { "TRAINING" } else { "production" },
        m.supervisor,
        m.created_at
    );
    println!("    {audit_note}");
    Ok(ExitCode::SUCCESS)
}

/// The registered kits' public keys: one a line (hex or a key file's text), `#` comments.
pub(super) fn read_registered_kits(path: &std::path::Path) -> Result<Vec<PublicKey>> {
    let text = read_text(path)?;
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| PublicKey::from_text(l).with_context(|| format!("{}: {l:?} is not a kit public key", path.display())))
        .collect()
}
