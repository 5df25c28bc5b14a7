//! `enroll-kit upload` (send exported batches to the central office, show where they stand, set
//! the office's address) and `enroll-kit intake` (the central office's side).

use super::LoginArgs;
use super::operator::login_from;
use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use enroll_kit::batch::verify::read_identities;
use enroll_kit::domain::status::UploadStatus;
use enroll_kit::intake::{Database, IntakeConfig};
use enroll_kit::kit::Kit;
use enroll_kit::kit::config::UploadConfig;
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
                        "last_error": row.last_error, "rejected": row.rejected,
                    });
                    println!("{v}");
                } else {
                    let next = u
                        .next_try_at
                        .map(|t| format!(", next try {}", t.format("%Y-%m-%d %H:%M UTC")))
                        .unwrap_or_default();
                    println!("{}  {} packet(s)  {}{next}", u.batch_id, row.count, u.state.as_str());
                    if let Some(e) = &row.last_error {
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
    /// Registered kits' public keys, one a line: batches from any other kit are refused
    #[arg(long)]
    kits: Option<PathBuf>,
    /// Folder for uploads in progress
    #[arg(long, default_value = "intake-spool")]
    spool: PathBuf,
    /// SQLite database for packets and receipts
    #[arg(long, default_value = "intake.db", conflicts_with = "postgres")]
    database: PathBuf,
    /// PostgreSQL connection string instead of SQLite (postgres://user@host/db)
    #[arg(long)]
    postgres: Option<String>,
    /// A training intake: takes training batches only (run it with the pilot keys)
    #[arg(long)]
    training: bool,
}

pub fn intake_server(args: IntakeArgs) -> Result<ExitCode> {
    let identities = read_identities(&args.identity)?;
    let signing_key = super::hq::read_signing_key(&args.signing_key)?;
    let fingerprint = signing_key.public().fingerprint();
    let registered = args.kits.as_deref().map(super::batch::read_registered_kits).transpose()?;
    let database = match args.postgres {
        Some(url) => Database::Postgres(url),
        None => Database::Sqlite(args.database),
    };
    let running = enroll_kit::intake::start(IntakeConfig {
        listen: args.listen,
        cert: args.cert,
        key: args.key,
        identities,
        signing_key,
        registered,
        spool: args.spool,
        database,
        training: args.training,
    })?;
    println!("intake listening on https://{} (receipts signed by {})", running.addr, fingerprint);
    running.wait();
    Ok(ExitCode::SUCCESS)
}
