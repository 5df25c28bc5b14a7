//! Command-line parsing and dispatch.

mod account;
mod audit;
mod batch;
mod config;
mod dedup;
mod devices;
mod evaluate;
mod gui;
mod hq;
mod init;
mod keys;
mod matching;
mod operator;
mod packet;
mod quality;
mod receipts;
mod report;
mod review;
mod simulate;
mod upload;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use enroll_kit::kit::{DataDir, Kit};
use std::path::PathBuf;
use std::process::ExitCode;

/// enroll-kit: offline field enrollment for a national identity register.
#[derive(Debug, Parser)]
#[command(name = "enroll-kit", version, about, long_about = None)]
pub struct Cli {
    /// The kit's data dir [default: the OS data dir for enroll-kit]
    #[arg(long, global = true, env = "ENROLL_KIT_DATA", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Read the kit passphrase that unlocks (or, at init, seals) a passphrase kit from this file [default: a prompt on a terminal]
    #[arg(
        long = "unlock-file",
        id = "unlock_file",
        global = true,
        env = "ENROLL_KIT_UNLOCK_FILE",
        value_name = "FILE"
    )]
    pub unlock_file: Option<PathBuf>,
    /// Without a command the kit's window opens (pilot mode when no kit is provisioned)
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the kit in pilot (training) mode: its own data dir, provisioned on first start, simulated devices
    Pilot(gui::GuiArgs),
    /// Provision a new kit: key pair, kit.toml, database and the first supervisor
    Init(init::InitArgs),
    /// Create synthetic training enrollments through the same path as the GUI
    Simulate(simulate::SimulateArgs),
    /// Stored packets: list them, or re-check their hashes and signatures
    #[command(subcommand)]
    Packet(packet::PacketCommand),
    /// Review (supervisor): the queue of pending packets, approve, reject
    #[command(subcommand)]
    Review(review::ReviewCommand),
    /// Close the day (supervisor): seal the approved packets into a batch on the USB stick
    Export(batch::ExportArgs),
    /// The daily report (supervisor): counts by assistant and hour, decisions, print quality; JSON or CSV too
    Report(report::ReportArgs),
    /// Central office: decrypt a batch and check its manifest, signatures and every packet
    Verify(batch::VerifyArgs),
    /// The hash-chained audit log: verify it, or show its last entries
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Accounts (supervisor): add, lock, unlock, reset PIN, list
    #[command(subcommand)]
    Account(account::AccountCommand),
    /// Fingerprint readers and cameras: list, capture one image, run a simulator
    #[command(subcommand)]
    Devices(devices::DevicesCommand),
    /// Every pair of enrollments on this kit that may be one person (supervisor)
    Dedup(dedup::DedupArgs),
    /// Template lists carried between kits, so each kit's duplicate search covers the others' people
    #[command(subcommand)]
    Templates(dedup::TemplatesCommand),
    /// Compare two fingerprint images: the score and the decision at each calibrated threshold
    Match(matching::MatchArgs),
    /// Kit quality (0-100) of fingerprint images, with what holds each back
    Quality(quality::QualityArgs),
    /// Evaluate the matcher and the quality score on folders of real prints (FVC layout), beside bozorth3 and NFIQ 2
    Evaluate(evaluate::EvaluateArgs),
    /// Send exported batches to the central office (resumable), see where they stand, set its address
    Upload(upload::UploadArgs),
    /// Central office: take batches uploaded by kits, verify them, store the packets, sign receipts
    Intake(upload::IntakeArgs),
    /// Central-office tools: make the office's key set
    #[command(subcommand)]
    Hq(hq::HqCommand),
    /// The central office's recipients and key: changed only by a file it signed
    #[command(subcommand)]
    Config(config::ConfigCommand),
    /// The central office's receipts carried back on a stick: record them, delete what they acknowledge
    #[command(subcommand)]
    Receipts(receipts::ReceiptsCommand),
    /// The kit's sealed keys: what unlocks the kit; protect an older kit's clear key and database
    #[command(subcommand)]
    Keys(keys::KeysCommand),
}

/// Who runs a command that needs a login: the account and where its PIN comes from.
#[derive(Debug, Default, Args)]
pub struct LoginArgs {
    /// Login name [default: the kit's supervisor, when there is exactly one]
    #[arg(long = "as", value_name = "USER")]
    pub user: Option<String>,
    /// Read the PIN from this file (else ENROLL_KIT_PIN, else a prompt on a terminal)
    #[arg(long, value_name = "FILE")]
    pub pin_file: Option<PathBuf>,
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<ExitCode> {
    let data_dir = cli.data_dir;
    let pass = cli.unlock_file;
    let open_kit = |dir: Option<PathBuf>| -> Result<Kit> { keys::open_kit(resolve_dir(dir)?, pass.as_deref()) };
    let Some(command) = cli.command else {
        return gui::run(data_dir, pass.as_deref(), gui::GuiArgs::default(), false);
    };
    match command {
        Command::Pilot(args) => gui::run(data_dir, pass.as_deref(), args, true),
        Command::Init(args) => init::run(resolve_dir(data_dir)?, pass.as_deref(), args),
        Command::Config(cmd) => config::run(open_kit(data_dir)?, cmd),
        Command::Receipts(cmd) => receipts::run(open_kit(data_dir)?, cmd),
        Command::Keys(cmd) => keys::run(resolve_dir(data_dir)?, pass.as_deref(), cmd),
        Command::Simulate(args) => simulate::run(open_kit(data_dir)?, args),
        Command::Packet(cmd) => packet::run(open_kit(data_dir)?, cmd),
        Command::Audit(cmd) => audit::run(open_kit(data_dir)?, cmd),
        Command::Review(cmd) => review::run(open_kit(data_dir)?, cmd),
        Command::Export(args) => batch::export(open_kit(data_dir)?, args),
        Command::Report(args) => report::run(open_kit(data_dir)?, args),
        Command::Verify(args) => batch::verify(args),
        Command::Account(cmd) => account::run(open_kit(data_dir)?, cmd),
        Command::Devices(cmd) => devices::run(data_dir, cmd),
        Command::Hq(cmd) => hq::run(cmd),
        Command::Quality(args) => quality::run(args),
        Command::Evaluate(args) => evaluate::run(args),
        Command::Match(args) => matching::run(args),
        Command::Dedup(args) => dedup::run(open_kit(data_dir)?, args),
        Command::Templates(command) => dedup::templates(open_kit(data_dir)?, command),
        Command::Upload(args) => upload::run(open_kit(data_dir)?, args),
        Command::Intake(args) => upload::intake_command(args),
    }
}

fn resolve_dir(flag: Option<PathBuf>) -> Result<DataDir> {
    match flag {
        Some(dir) => Ok(DataDir::new(dir)),
        None => DataDir::default_production()
            .context("this system has no data directory for enroll-kit: pass --data-dir or set ENROLL_KIT_DATA"),
    }
}
