//! Opening the window: production, or pilot mode on its own data dir.

use anyhow::{Context, Result};
use clap::Args;
use enroll_kit::kit::{DataDir, Kit};
use enroll_kit::ui::{DeviceChoice, KitApp};
use enroll_kit::workflow::pilot::open_or_provision;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args, Default)]
pub struct GuiArgs {}

fn run_gui(kit: Kit) -> Result<ExitCode> {
    let devices = DeviceChoice::for_kit(&kit);
    let app = KitApp::new(kit, devices)?;
    enroll_kit::ui::run(app).map_err(|e| {
        anyhow::anyhow!("could not open the window: {e}. Is there a display (DISPLAY or WAYLAND_DISPLAY)?")
    })?;
    Ok(ExitCode::SUCCESS)
}

/// `pilot`: the given or default pilot dir. No command: the production kit, or pilot mode
/// when this machine has no provisioned kit yet.
pub fn run(data_dir: Option<PathBuf>, _args: GuiArgs, pilot: bool) -> Result<ExitCode> {
    let pilot_dir = || DataDir::default_pilot().context("this system has no data directory: pass --data-dir");
    if pilot {
        let dir = match data_dir {
            Some(d) => DataDir::new(d),
            None => pilot_dir()?,
        };
        return run_gui(open_or_provision(dir)?);
    }
    let dir = match data_dir {
        Some(d) => DataDir::new(d),
        None => DataDir::default_production().context("this system has no data directory: pass --data-dir")?,
    };
    if dir.config_path().exists() {
        return run_gui(Kit::open(dir)?);
    }
    eprintln!(
        "No kit is provisioned in {}: opening pilot mode. Provision one with `enroll-kit init`.",
        dir.root().display()
    );
    run_gui(open_or_provision(pilot_dir()?)?)
}
