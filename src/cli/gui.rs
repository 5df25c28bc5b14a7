//! Opening the window: production, or pilot mode on its own data dir.

use anyhow::{Context, Result};
use clap::Args;
use enroll_kit::kit::{DataDir, Kit, LockedKit, StoreKind};
use enroll_kit::ui::KitApp;
use enroll_kit::ui::unlock::KitWindow;
use enroll_kit::workflow::app::{DeviceChoice, KitCore};
use enroll_kit::workflow::pilot::open_or_provision;
use enroll_kit::workflow::unlock::Locked;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Args, Default)]
pub struct GuiArgs {
    /// Close after the first frame and print the time from process start (for the startup benchmark)
    #[arg(long)]
    exit_after_first_frame: bool,
    /// Walk through every step in English and Kiswahili, saving a screenshot of each into DIR
    #[arg(long, value_name = "DIR")]
    tour: Option<PathBuf>,
    /// The fingerprint reader's profile (see `devices list`), e.g. sbi-slap-sim for the slap scanner
    #[arg(long, value_name = "PROFILE")]
    reader: Option<String>,
}

fn app_for(kit: Kit, exit_after_first_frame: bool, tour: Option<PathBuf>, reader: Option<&str>) -> Result<KitApp> {
    let mut devices = DeviceChoice::for_kit(&kit);
    if let Some(reader) = reader {
        devices.reader = reader.to_string();
    }
    let core = KitCore::new(kit, devices)?;
    if let Some(reader) = reader {
        anyhow::ensure!(
            core.is_reader_profile(reader),
            "no fingerprint reader profile {reader:?} on this kit: see `enroll-kit devices list` (a production kit offers no simulator)"
        );
    }
    let mut app = KitApp::new(core);
    if exit_after_first_frame {
        app.exit_after_first_frame();
    }
    if let Some(dir) = tour {
        std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        app.tour(dir);
    }
    Ok(app)
}

fn run_gui(kit: Kit, args: &GuiArgs) -> Result<ExitCode> {
    show(KitWindow::Open(Box::new(app_for(
        kit,
        args.exit_after_first_frame,
        args.tour.clone(),
        args.reader.as_deref(),
    )?)))
}

/// A production kit: the TPM opens it at once; a passphrase kit opens on its unlock screen, or
/// straight away when the passphrase came in a file.
fn run_production(dir: DataDir, passphrase_file: Option<&Path>, args: &GuiArgs) -> Result<ExitCode> {
    let locked = LockedKit::open(dir.clone())?;
    if locked.store_kind() == StoreKind::Tpm || passphrase_file.is_some() {
        return run_gui(super::keys::open_kit(dir, passphrase_file)?, args);
    }
    let (exit, tour, reader) = (args.exit_after_first_frame, args.tour.clone(), args.reader.clone());
    show(KitWindow::locked(
        Locked::new(locked),
        Box::new(move |opened| {
            app_for(opened.into_kit(), exit, tour.clone(), reader.as_deref()).map_err(|e| format!("{e:#}"))
        }),
    ))
}

fn show(window: KitWindow) -> Result<ExitCode> {
    enroll_kit::ui::run(window).map_err(|e| {
        anyhow::anyhow!("could not open the window: {e}. Is there a display (DISPLAY or WAYLAND_DISPLAY)?")
    })?;
    Ok(ExitCode::SUCCESS)
}

/// `pilot`: the given or default pilot dir. No command: the production kit, or pilot mode
/// when this machine has no provisioned kit yet.
pub fn run(data_dir: Option<PathBuf>, passphrase_file: Option<&Path>, args: GuiArgs, pilot: bool) -> Result<ExitCode> {
    let pilot_dir = || DataDir::default_pilot().context("this system has no data directory: pass --data-dir");
    if pilot {
        let dir = match data_dir {
            Some(d) => DataDir::new(d),
            None => pilot_dir()?,
        };
        return run_gui(open_or_provision(dir)?, &args);
    }
    let dir = match data_dir {
        Some(d) => DataDir::new(d),
        None => DataDir::default_production().context("this system has no data directory: pass --data-dir")?,
    };
    if dir.config_path().exists() {
        return run_production(dir, passphrase_file, &args);
    }
    eprintln!(
        "No kit is provisioned in {}: opening pilot mode. Provision one with `enroll-kit init`.",
        dir.root().display()
    );
    run_gui(open_or_provision(pilot_dir()?)?, &args)
}
