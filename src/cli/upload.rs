//! `enroll-kit upload` (send exported batches to the central office, show where they stand, set
//! the office's address) and `enroll-kit intake` (the central office's side).

use super::LoginArgs;
use super::operator::login_from;
use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use enroll_kit::batch::registry::KitState;
use enroll_kit::batch::verify::read_identities;
use enroll_kit::domain::status::UploadStatus;
use enroll_kit::intake::{Database, IntakeConfig, IntakeDb, Limits};
use enroll_kit::kit::Kit;
use enroll_kit::kit::config::UploadConfig;
use enroll_kit::packet::PublicKey;
use enroll_kit::workflow::upload::last_error_text;
use enroll_kit::workflow::upload::{TIMEOUT, configure, intake, retry_now, upload_due, uploads};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

#[derive(Debug, Args)]
pub struct UploadArgs {
    #[command(subcommand)]
    command: Option<UploadCommand>,
}

#[derive(Debug, Subcommand)]
pub enum UploadCommand {
    /// Send every pending batch now, with a progress bar (the same as no subcommand; supervisor)
    Send {
        #[command(flatten)]
        login: LoginArgs,
    },
    /// Every exported batch: pending, acknowledged or refused, with the last error
    Status {
        /// One JSON object a line
        #[arg(long)]
        json: bool,
    },
    /// Set the central office's intake in kit.toml (supervisor)
    Configure {
        /// https://host:port
        #[arg(long)]
        url: String,
        /// The intake's TLS certificate (PEM): its SHA-256 is pinned
        #[arg(long, conflicts_with = "cert_sha256")]
        cert: Option<PathBuf>,
        /// Or the certificate's SHA-256 as the central office gave it (64 hex digits)
        #[arg(long)]
        cert_sha256: Option<String>,
        #[command(flatten)]
        login: LoginArgs,
    },
    /// Try a refused or waiting batch again now (supervisor)
    Retry {
        /// The batch id
        batch: String,
        #[command(flatten)]
        login: LoginArgs,
    },
}

pub fn run(mut kit: Kit, args: UploadArgs) -> Result<ExitCode> {
    match args.command.unwrap_or(UploadCommand::Send { login: LoginArgs::default() }) {
        UploadCommand::Send { login } => {
            let op = login_from(&mut kit, &login)?;
            enroll_kit::workflow::require(&op, enroll_kit::domain::account::Permission::Upload)?;
            send(&mut kit)
        }
        UploadCommand::Status { json } => {
            for row in uploads(&kit)? {
                let u = &row.upload;
                if json {
                    let v = serde_json::json!({
                        "batch_id": u.batch_id, "training": u.training, "packets": row.count, "state": u.state.as_str(),
                        "attempts": u.attempts, "next_try_at": u.next_try_at.map(|t| t.to_rfc3339()),
                        "last_error": row.last_error.as_deref().map(last_error_text), "rejected": row.rejected,
                    });
                    println!("{v}");
                } else {
                    let next = u
                        .next_try_at
                        .map(|t| format!(", next try {}", t.format("%Y-%m-%d %H:%M UTC")))
                        .unwrap_or_default();
                    println!("{}  {} packet(s)  {}{next}", u.batch_id, row.count, u.state.as_str());
                    if let Some(e) = row.last_error.as_deref().map(last_error_text) {
                        println!("    last error: {e}");
                    }
                    for (rid, why) in &row.rejected {
                        println!("    rejected {rid}: {why}");
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        UploadCommand::Configure { url, cert, cert_sha256, login } => {
            let op = login_from(&mut kit, &login)?;
            let pin = match (cert, cert_sha256) {
                (Some(path), _) => enroll_kit::sync::tls::pem_certificate_sha256(&path).map_err(anyhow::Error::msg)?,
                (None, Some(pin)) => pin,
                (None, None) => bail!("give the intake's certificate: --cert FILE.pem or --cert-sha256 HEX"),
            };
            configure(&mut kit, &op, UploadConfig { url: url.clone(), certificate_sha256: pin.to_ascii_lowercase() })?;
            println!("uploads go to {url}; certificate SHA-256 {pin} pinned in kit.toml");
            Ok(ExitCode::SUCCESS)
        }
        UploadCommand::Retry { batch, login } => {
            let op = login_from(&mut kit, &login)?;
            retry_now(&mut kit, &op, &batch)?;
            println!("batch {batch} will be sent at the next upload");
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn send(kit: &mut Kit) -> Result<ExitCode> {
    let office = intake(kit, TIMEOUT)?;
    office.health().context("the central office does not answer; the batches stay pending")?;
    let mut stderr = std::io::stderr();
    let mut progress = |batch: &str, sent: u64, size: u64| {
        let filled = (sent * 30 / size.max(1)) as usize;
        let _ = write!(
            stderr,
            "\r{batch} [{}{}] {:>3}%  ",
            "#".repeat(filled),
            " ".repeat(30 - filled),
            sent * 100 / size.max(1)
        );
        let _ = stderr.flush();
    };
    let done = upload_due(kit, &office, true, &mut progress, &AtomicBool::new(false))?;
    eprintln!();
    let mut failed = false;
    for (batch, result) in &done {
        match result {
            Ok(a) => {
                println!("{batch}: acknowledged, {} packet(s) accepted, {} rejected", a.accepted, a.rejected.len());
                for (rid, why) in &a.rejected {
                    println!("    rejected {rid}: {why}");
                }
            }
            Err(e) => {
                failed = true;
                println!("{batch}: not uploaded: {e}");
            }
        }
    }
    let waiting = uploads(kit)?
        .iter()
        .filter(|r| r.upload.state == UploadStatus::Pending && r.upload.training == kit.config.training)
        .count();
    if done.is_empty() {
        println!("nothing to upload");
    }
    if waiting > 0 {
        println!("{waiting} batch(es) still pending");
    }
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

#[derive(Debug, Args)]
pub struct IntakeArgs {
    #[command(subcommand)]
    command: IntakeCommand,
}

/// The intake's database, shared by every node and every `intake` command.
#[derive(Debug, Args)]
pub struct IntakeDatabaseArgs {
    /// SQLite database (one machine)
    #[arg(long, default_value = "intake.db", conflicts_with = "postgres")]
    database: PathBuf,
    /// PostgreSQL connection string instead (several intake nodes: postgres://user@host/db)
    #[arg(long)]
    postgres: Option<String>,
}

impl IntakeDatabaseArgs {
    fn open(&self) -> Result<IntakeDb> {
        Ok(IntakeDb::open(&self.database())?)
    }

    fn database(&self) -> Database {
        match &self.postgres {
            Some(url) => Database::Postgres(url.clone()),
            None => Database::Sqlite(self.database.clone()),
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum IntakeCommand {
    /// Run the intake server (one node; run several on one PostgreSQL behind a load balancer)
    Serve(ServeArgs),
    /// The register of kits: only registered, active kits may upload
    Kits {
        #[command(subcommand)]
        command: KitsCommand,
    },
    /// Write the signed receipts of one kit's batches to a file its supervisor carries back
    Receipts {
        /// The kit's public key (hex, or its public key file)
        #[arg(long)]
        kit: String,
        /// The receipts file to write (added to if it exists)
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        db: IntakeDatabaseArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum KitsCommand {
    /// Register a kit: its public key bound to its centre code and kit number
    Add {
        /// The kit's public key (hex, or its public key file's text)
        key: String,
        /// Centre code, 5 digits
        #[arg(long)]
        centre: String,
        /// Kit number, 5 digits
        #[arg(long)]
        kit: String,
        #[command(flatten)]
        db: IntakeDatabaseArgs,
    },
    /// Register every kit of a registered-kits file (`KEY CENTRE KIT` a line)
    Import {
        /// The file
        file: PathBuf,
        #[command(flatten)]
        db: IntakeDatabaseArgs,
    },
    /// Every registered kit and its state
    List {
        #[command(flatten)]
        db: IntakeDatabaseArgs,
    },
    /// Hold back a kit (under examination): nothing from it is taken until `restore`
    Suspend {
        /// The kit's public key
        key: String,
        /// Why (kept with the kit, shown in the list)
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        db: IntakeDatabaseArgs,
    },
    /// Put a suspended kit back in service
    Restore {
        /// The kit's public key
        key: String,
        #[command(flatten)]
        db: IntakeDatabaseArgs,
    },
    /// Revoke a lost or stolen kit for good: batches it sealed from --since on are refused
    Revoke {
        /// The kit's public key
        key: String,
        /// Why
        #[arg(long)]
        reason: String,
        /// From when (UTC, 2026-12-01T00:00:00Z; default now): the last moment the kit was known
        /// to be in its team's hands
        #[arg(long)]
        since: Option<String>,
        #[command(flatten)]
        db: IntakeDatabaseArgs,
    },
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on
    #[arg(long, default_value = "0.0.0.0:8443")]
    listen: std::net::SocketAddr,
    /// TLS certificate chain (PEM) the kits pin
    #[arg(long)]
    cert: PathBuf,
    /// Its private key (PEM)
    #[arg(long)]
    key: PathBuf,
    /// The central office's age identity file (opens batches), from `hq keygen`
    #[arg(long)]
    identity: PathBuf,
    /// The central office's Ed25519 key file (signs receipts), from `hq keygen`
    #[arg(long)]
    signing_key: PathBuf,
    #[command(flatten)]
    db: IntakeDatabaseArgs,
    /// A training intake: takes training batches only (run it with the pilot keys)
    #[arg(long)]
    training: bool,
    /// Batches this node verifies and stores at once
    #[arg(long, default_value_t = 2)]
    finish_workers: usize,
    /// Largest batch taken, in MiB
    #[arg(long, default_value_t = 2048)]
    max_batch_mib: u64,
    /// Bytes one kit's open uploads may hold, in MiB
    #[arg(long, default_value_t = 4096)]
    kit_quota_mib: u64,
    /// Bytes all open uploads may hold, in GiB (the database's room for them)
    #[arg(long, default_value_t = 256)]
    spool_gib: u64,
    /// Hours after which an upload nobody touched is let go
    #[arg(long, default_value_t = 72)]
    abandon_after_hours: i64,
    /// Seconds after which a batch a node was storing is taken over by another (a node died)
    #[arg(long, default_value_t = 600)]
    finish_lease_secs: i64,
}

fn kit_key(text: &str) -> Result<PublicKey> {
    let text = if std::path::Path::new(text).is_file() { std::fs::read_to_string(text)? } else { text.to_string() };
    let line = text.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with('#')).unwrap_or("");
    PublicKey::from_text(line).with_context(|| format!("{line:?} is not a kit public key (64 hex digits, or its file)"))
}

pub fn intake_command(args: IntakeArgs) -> Result<ExitCode> {
    let now = || enroll_kit::packet::utc_text(chrono::Utc::now());
    match args.command {
        IntakeCommand::Serve(args) => serve(args),
        IntakeCommand::Receipts { kit, out, db } => {
            let key = kit_key(&kit)?;
            let receipts = db.open()?.receipts_of(&key.to_hex())?;
            for text in &receipts {
                let receipt: enroll_kit::sync::SignedReceipt = serde_json::from_str(text)?;
                enroll_kit::sync::receipts::ReceiptsFile::append(&out, receipt).map_err(anyhow::Error::msg)?;
            }
            println!("{} receipt(s) of kit {} in {}", receipts.len(), key.fingerprint(), out.display());
            Ok(ExitCode::SUCCESS)
        }
        IntakeCommand::Kits { command } => {
            match command {
                KitsCommand::Add { key, centre, kit, db } => {
                    let key = kit_key(&key)?;
                    db.open()?.add_kit(&key, &centre, &kit, &now())?;
                    println!("kit {centre}/{kit} registered (key {})", key.fingerprint());
                }
                KitsCommand::Import { file, db } => {
                    let kits = super::batch::read_registered_kits(&file)?;
                    let (added, held) = db.open()?.import_kits(&kits, &now())?;
                    println!("{added} kit(s) registered, {held} already were");
                }
                KitsCommand::List { db } => {
                    for k in db.open()?.kits()? {
                        let detail = match &k.state {
                            KitState::Active => String::new(),
                            KitState::Suspended { reason } => format!("  ({reason})"),
                            KitState::Revoked { since, reason } => format!("  since {since} ({reason})"),
                        };
                        println!(
                            "{}/{}  {}  {}{detail}",
                            k.centre.unwrap_or_default(),
                            k.kit.unwrap_or_default(),
                            k.public_key.to_hex(),
                            k.state.name()
                        );
                    }
                }
                KitsCommand::Suspend { key, reason, db } => {
                    let key = kit_key(&key)?;
                    db.open()?.set_kit_state(&key, &KitState::Suspended { reason })?;
                    println!("kit {} suspended", key.fingerprint());
                }
                KitsCommand::Restore { key, db } => {
                    let key = kit_key(&key)?;
                    db.open()?.set_kit_state(&key, &KitState::Active)?;
                    println!("kit {} active", key.fingerprint());
                }
                KitsCommand::Revoke { key, reason, since, db } => {
                    let key = kit_key(&key)?;
                    let since = match since {
                        Some(text) => enroll_kit::packet::utc_text(
                            chrono::DateTime::parse_from_rfc3339(&text)
                                .with_context(|| {
                                    format!("--since {text:?} is not a UTC time like 2026-12-01T00:00:00Z")
                                })?
                                .with_timezone(&chrono::Utc),
                        ),
                        None => now(),
                    };
                    db.open()?.set_kit_state(&key, &KitState::Revoked { since: since.clone(), reason })?;
                    println!(
                        "kit {} revoked since {since}: batches it sealed from then on are refused",
                        key.fingerprint()
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn serve(args: ServeArgs) -> Result<ExitCode> {
    // glibc gives busy threads arenas of their own and keeps what they free: with a thread per
    // database call in flight, a node under load held memory it no longer used.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; called before the server's threads start.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
    let identities = read_identities(&args.identity)?;
    let signing_key = super::hq::read_signing_key(&args.signing_key)?;
    let fingerprint = signing_key.public().fingerprint();
    let mib = 1u64 << 20;
    let limits = Limits {
        max_batch: args.max_batch_mib.saturating_mul(mib),
        kit_spool_bytes: args.kit_quota_mib.saturating_mul(mib),
        spool_bytes: args.spool_gib.saturating_mul(mib << 10),
        abandon_after_secs: args.abandon_after_hours.saturating_mul(3600),
        finish_lease_secs: args.finish_lease_secs,
        ..Limits::default()
    };
    let running = enroll_kit::intake::start(IntakeConfig {
        listen: args.listen,
        cert: args.cert,
        key: args.key,
        identities,
        signing_key,
        database: args.db.database(),
        training: args.training,
        limits,
        finish_workers: args.finish_workers,
    })?;
    println!("intake listening on https://{} (receipts signed by {})", running.addr, fingerprint);
    running.wait();
    Ok(ExitCode::SUCCESS)
}
