//! Opening the window: production, or pilot mode on its own data dir.

use anyhow::{Context, Result};
use clap::Args;
use enroll_kit::kit::{DataDir, Kit};
use enroll_kit::ui::{DeviceChoice, KitApp};
use enroll_kit::workflow::pilot::open_or_provision;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args, Default)]
pub struct GuiArgs {
    /// Close after the first frame and print the time from process start (for the startup benchmark)
    #[arg(long)]
    exit_after_first_frame: bool,
    /// Walk through every step in English and Kiswahili, saving a screenshot of each into DIR
    #[arg(long, value_name = "DIR")]
    tour: Option<PathBuf>,
}

fn run_gui(kit: Kit, args: &GuiArgs) -> Result<ExitCode> {
    let devices = DeviceChoice::for_kit(&kit);
    let mut app = KitApp::new(kit, devices)?;
    if args.exit_after_first_frame {
        app.exit_after_first_frame();
    }
    if let Some(dir) = &args.tour {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        app.tour(dir.clone());
    }
    enroll_kit::ui::run(app).map_err(|e| {
        anyhow::anyhow!("could not open the window: {e}. Is there a display (DISPLAY or WAYLAND_DISPLAY)?")
    })?;
    Ok(ExitCode::SUCCESS)
}

/// `pilot`: the given or default pilot dir. No command: the production kit, or pilot mode
/// when this machine has no provisioned kit yet.
pub fn run(data_dir: Option<PathBuf>, args: GuiArgs, pilot: bool) -> Result<ExitCode> {
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
        return run_gui(Kit::open(dir)?, &args);
    }
    eprintln!(
        "No kit is provisioned in {}: opening pilot mode. Provision one with `enroll-kit init`.",
        dir.root().display()
    );
    run_gui(open_or_provision(pilot_dir()?)?, &args)
}
