//! `enroll-kit export` (supervisor) and `enroll-kit verify` (central office).

use super::LoginArgs;
use super::operator::login_from;
use anyhow::Result;
use clap::Args;
use enroll_kit::batch::export::Destination;
use enroll_kit::batch::registry::{KitRegistry, RegisteredKit, parse_registered_kits};
use enroll_kit::batch::verify::read_identities;
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
    /// The device CAs the central office trusts (a folder of PEM or DER certificates): every print
    /// a certified device signed is checked against them
    #[arg(long, value_name = "DIR")]
    device_ca: Option<PathBuf>,
    /// The central office's age identity file
    #[arg(long, value_name = "FILE")]
    identity: PathBuf,
    /// Registered kits: `KEY CENTRE KIT` a line; the batch's kit must be among them, under its numbers
    #[arg(long, value_name = "FILE", conflicts_with = "registry")]
    kits: Option<PathBuf>,
    /// Or the central office's register of kits in an intake database (SQLite), with suspended and
    /// revoked kits
    #[arg(long, value_name = "DB")]
    registry: Option<PathBuf>,
    /// The central office's record of each kit's audit log (an intake database, or a SQLite file
    /// of its own): the batch's log must extend what it holds from that kit, and is added to it
    #[arg(long, value_name = "DB")]
    ledger: Option<PathBuf>,
    /// Add the central office's signed receipt for this batch to this receipts file, for the
    /// kit's supervisor to carry back (`enroll-kit receipts import`); needs --hq-signing-key
    #[arg(long, value_name = "FILE", requires = "hq_signing_key")]
    receipts_out: Option<PathBuf>,
    /// The central office's Ed25519 signing key file (signs receipts)
    #[arg(long, value_name = "FILE")]
    hq_signing_key: Option<PathBuf>,
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
    let registered: Option<Vec<RegisteredKit>> = match (&args.kits, &args.registry) {
        (Some(file), _) => Some(read_registered_kits(file)?),
        (None, Some(db)) => Some(enroll_kit::intake::IntakeDb::sqlite(db)?.kits()?),
        (None, None) => None,
    };
    if registered.is_none() {
        eprintln!(
            "WARNING: NO REGISTER OF KITS (--kits FILE or --registry DB): any key that signs its own batch passes, \
             a thief's or a stranger's. Do not take this batch into the register on this check alone"
        );
    }
    let trust = args.device_ca.as_deref().map(enroll_kit::devices::sbi::DeviceTrust::load_folder).transpose()?;
    let (mut device_signed, mut unchecked) = (0usize, 0usize);
    let file =
        std::fs::File::open(&args.batch).map_err(|e| anyhow::anyhow!("cannot open {}: {e}", args.batch.display()))?;
    let mut check_devices = |rid: &str, bytes: Vec<u8>| -> Result<(), enroll_kit::batch::BatchError> {
        let invalid = |detail: String| enroll_kit::batch::BatchError::Invalid { path: args.batch.clone(), detail };
        let opened = enroll_kit::packet::open_packet(&bytes, None).map_err(|e| invalid(format!("{rid}: {e}")))?;
        let signed = opened
            .json
            .fingers
            .iter()
            .filter(|f| f.capture.as_ref().is_some_and(|c| c.device_signature.is_some()))
            .count();
        match &trust {
            Some(trust) if signed > 0 => {
                device_signed += enroll_kit::packet::verify_device_signatures(&opened, trust)
                    .map_err(|e| invalid(format!("packet {rid}: {e}")))?;
            }
            _ => unchecked += signed,
        }
        Ok(())
    };
    let verified = enroll_kit::batch::verify::verify_batch_each(
        std::io::BufReader::new(file),
        &args.batch,
        &identities,
        registered.as_ref().map(|r| r as &dyn KitRegistry),
        &mut check_devices,
    )?;
    if unchecked > 0 {
        eprintln!(
            "WARNING: {unchecked} print(s) carry a certified device's signature that was not checked: give the \
             device CAs the central office trusts with --device-ca DIR"
        );
    }
    let m = &verified.manifest;
    if registered.as_ref().and_then(|r| r.lookup(&verified.kit_key)).is_some_and(|k| k.centre.is_none()) {
        eprintln!(
            "WARNING: the registered-kits file lists this key without its centre and kit numbers, so they were \
             not checked: write them after the key (KEY CENTRE KIT)"
        );
    }
    let audit_note = match (&args.ledger, verified.audit.is_empty()) {
        (_, true) => "no audit log (a batch from an older kit)".to_string(),
        (None, false) => {
            format!("audit log of {} entries, chained and signed (no --ledger: not compared)", verified.audit.len())
        }
        (Some(db), false) => {
            let ledger = enroll_kit::intake::IntakeDb::sqlite(db)?;
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
    if device_signed > 0 {
        println!("    {device_signed} print(s) signed by certified devices, every signature checked");
    }
    if let (Some(out), Some(key)) = (&args.receipts_out, &args.hq_signing_key) {
        let key = super::hq::read_signing_key(key)?;
        let sha256 = enroll_kit::packet::sha256_of_reader(&mut std::fs::File::open(&args.batch)?)?.1;
        let receipt = enroll_kit::sync::Receipt {
            format: enroll_kit::sync::RECEIPT_FORMAT.into(),
            version: enroll_kit::sync::RECEIPT_VERSION,
            batch_id: m.batch_id.clone(),
            batch_sha256: sha256,
            kit_public_key: verified.kit_key.to_hex(),
            received_at: enroll_kit::packet::utc_text(chrono::Utc::now()),
            packets: m
                .packets
                .iter()
                .map(|p| enroll_kit::sync::PacketVerdict { rid: p.rid.clone(), accepted: true, reason: None })
                .collect(),
        };
        let signature = hex::encode(key.sign(&enroll_kit::sync::SignedReceipt::signed_bytes(&receipt)));
        enroll_kit::sync::receipts::ReceiptsFile::append(out, enroll_kit::sync::SignedReceipt { receipt, signature })
            .map_err(anyhow::Error::msg)?;
        println!("    receipt added to {}: carry it back to the kit (`enroll-kit receipts import`)", out.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// A registered-kits file (`KEY CENTRE KIT` a line, or older files' key alone).
pub(super) fn read_registered_kits(path: &std::path::Path) -> Result<Vec<RegisteredKit>> {
    let text = read_text(path)?;
    parse_registered_kits(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// The keys alone of a registered-kits file.
pub(super) fn read_registered_keys(path: &std::path::Path) -> Result<Vec<PublicKey>> {
    Ok(read_registered_kits(path)?.into_iter().map(|k| k.public_key).collect())
}
