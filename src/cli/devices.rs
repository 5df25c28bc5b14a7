//! `enroll-kit devices`: for field technicians checking readers, and for trainers.

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use enroll_kit::devices::camera::start_camera;
use enroll_kit::devices::camera::uvc::list_cameras;
use enroll_kit::devices::factory::{OpenOptions, attached_ports, open_reader, start_simulator};
use enroll_kit::devices::profile::{DeviceKind, DeviceProfile, Profiles, Protocol};
use enroll_kit::devices::reader::{CancelToken, CaptureProgress, FingerprintReader};
use enroll_kit::devices::sim::{Faults, ImageSource};
use enroll_kit::packet::build::encode_png;
use image::ImageEncoder;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

#[derive(Debug, Subcommand)]
pub enum DevicesCommand {
    /// Device profiles, the serial ports attached, and which profile fits each
    List,
    /// Capture one fingerprint and save it as PNG
    Capture {
        /// Device profile id (see `devices list`)
        #[arg(long)]
        profile: String,
        /// Serial port (else found by USB id; a simulated profile starts its own simulator)
        #[arg(long)]
        port: Option<String>,
        /// Folder of images for `replay` or an in-process simulator
        #[arg(long, value_name = "DIR")]
        images: Option<PathBuf>,
        /// Camera number, for a camera profile (see `devices list`; default the first)
        #[arg(long, value_name = "N")]
        camera: Option<u32>,
        /// Where to write the image (PNG for prints; a photo as .jpg or .png)
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Run a protocol simulator on a pseudo-terminal and print its path
    Simulate(SimulateArgs),
}

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// A serial profile (r307-sim, gt521-sim, or any zfm/gt521 profile)
    #[arg(long)]
    profile: String,
    /// Serve these images (PNG/JPEG) instead of synthetic prints
    #[arg(long, value_name = "DIR")]
    images: Option<PathBuf>,
    /// Send as fast as possible instead of at the line rate
    #[arg(long)]
    unpaced: bool,
    /// Stop after this many seconds (default: run until interrupted)
    #[arg(long)]
    seconds: Option<u64>,
    /// Fault: no finger for this many seconds at each capture
    #[arg(long, value_name = "SECS")]
    no_finger_for: Option<u64>,
    /// Fault: corrupt the checksum of this image data packet (0-based)
    #[arg(long, value_name = "N")]
    bad_checksum_packet: Option<usize>,
    /// Fault: leave out this image data packet (0-based)
    #[arg(long, value_name = "N")]
    drop_packet: Option<usize>,
    /// Fault: stop answering, as if unplugged, after this many image bytes
    #[arg(long, value_name = "BYTES")]
    disconnect_after: Option<usize>,
    /// Fault: refuse the password (ZFM)
    #[arg(long)]
    wrong_password: bool,
    /// Fault: answer from this module address, e.g. 0x12345678 (ZFM: another module on the line)
    #[arg(long, value_name = "ADDRESS", value_parser = module_address)]
    module_address: Option<u32>,
    /// Fault: never answer
    #[arg(long)]
    silent: bool,
    /// Fault: acknowledge rate changes above this but stay at the old rate
    #[arg(long, value_name = "BAUD")]
    max_baud: Option<u32>,
    /// Fault: answer any rate change with an error code
    #[arg(long)]
    refuse_rate_change: bool,
    /// Packet faults spoil only the first N image transfers
    #[arg(long, value_name = "N")]
    spoil_transfers: Option<u32>,
    /// SBI: write the simulator's device CA into DIR/device-ca/ so that the kit in DIR trusts it
    #[arg(long, value_name = "DIR")]
    trust_into: Option<PathBuf>,
    /// SBI: a fault (busy, not-ready, not-registered, hang, bad-signature, unsigned, wrong-transaction,
    /// broken-chain, low-quality, old-timestamp, replay, missing-finger, wrong-finger, garbage,
    /// oversized, drip, json-bomb, same-hand)
    #[arg(long, value_name = "FAULT")]
    sbi_fault: Option<String>,
    /// SBI: how long each placement takes, as a real scanner's auto-capture does
    #[arg(long, value_name = "MS", default_value_t = 1000)]
    placement_ms: u64,
}

fn profiles(data_dir: Option<&Path>) -> Result<Profiles> {
    Ok(Profiles::load(data_dir.map(|d| d.join("device-profiles")).as_deref())?)
}

pub fn run(data_dir: Option<PathBuf>, cmd: DevicesCommand) -> Result<ExitCode> {
    let profiles = profiles(data_dir.as_deref())?;
    match cmd {
        DevicesCommand::List => {
            println!("Profiles:");
            for p in profiles.iter() {
                let kind = match p.kind {
                    DeviceKind::Fingerprint => "fingerprint",
                    DeviceKind::Camera => "camera",
                };
                println!(
                    "  {:<12} {:<11} {:<7} {}{}",
                    p.id,
                    kind,
                    format!("{:?}", p.protocol).to_lowercase(),
                    p.name,
                    if p.simulated { " (simulated)" } else { "" }
                );
            }
            let cameras = list_cameras();
            println!("Cameras:");
            if cameras.is_empty() {
                println!("  none attached");
            }
            for c in cameras {
                println!("  {:<3} {:<30} {}", c.index, c.name, c.description);
            }
            list_sbi(data_dir.as_deref());
            println!("libfprint readers:");
            match enroll_kit::devices::libfprint::list() {
                Ok(found) if found.is_empty() => println!("  none attached"),
                Ok(found) => {
                    for f in found {
                        let fits: Vec<&str> = profiles
                            .iter()
                            .filter(|p| p.libfprint.as_ref().is_some_and(|l| l.driver == f.driver))
                            .map(|p| p.id.as_str())
                            .collect();
                        let matched = if fits.is_empty() {
                            "no profile matches".to_string()
                        } else {
                            format!("fits {}", fits.join(", "))
                        };
                        println!("  {:<16} {:<30} {}", f.driver, f.name, matched);
                    }
                }
                Err(e) => println!("  {e}"),
            }
            let ports = attached_ports(&profiles);
            println!("Serial ports:");
            if ports.is_empty() {
                println!("  none found (a simulator's pseudo-terminal is not listed: pass it with --port)");
            }
            for port in ports {
                let usb = port.usb.map(|(v, p)| format!("USB {v:04x}:{p:04x}")).unwrap_or_else(|| "not USB".into());
                let matched = if port.profiles.is_empty() {
                    "no profile matches".to_string()
                } else {
                    format!("fits {}", port.profiles.join(", "))
                };
                println!("  {:<16} {:<15} {:<24} {}", port.path, usb, port.product.unwrap_or_default(), matched);
            }
            Ok(ExitCode::SUCCESS)
        }
        DevicesCommand::Capture { profile, port, images, camera, out } => {
            let p = profiles
                .get(&profile)
                .with_context(|| format!("no device profile {profile:?}: see `enroll-kit devices list`"))?;
            if p.kind == DeviceKind::Camera || (p.protocol == Protocol::Replay && camera.is_some()) {
                return photo(p, images.as_deref(), camera, &out);
            }
            let mut reader = open_reader(p, &profiles, &OpenOptions { port, images, ..Default::default() })?;
            let info = reader.info().clone();
            eprintln!(
                "{} on {} ({}{})",
                p.name,
                info.serial,
                info.baud.map(|b| format!("{b} baud, ")).unwrap_or_default(),
                info.details
            );
            let mut stderr = std::io::stderr();
            let mut last_percent = None;
            let capture = reader.capture(
                &mut |progress| {
                    // Redraw only when the figure changes: a log file should not get a line per packet.
                    if let CaptureProgress::Receiving { done, total } = progress {
                        let percent = done * 100 / total.max(1);
                        if last_percent.replace(percent) == Some(percent) {
                            return;
                        }
                    }
                    show(&mut stderr, progress)
                },
                &CancelToken::new(),
            );
            eprintln!();
            let capture = capture?;
            let png = encode_png(&capture.image).context("could not encode the image as PNG")?;
            std::fs::write(&out, png).with_context(|| format!("cannot write {}", out.display()))?;
            println!(
                "wrote {} ({}x{}, {} dpi)",
                out.display(),
                capture.image.width(),
                capture.image.height(),
                capture.dpi
            );
            Ok(ExitCode::SUCCESS)
        }
        DevicesCommand::Simulate(args) => simulate(&profiles, args),
    }
}

/// Takes one photo: a few frames in, so the camera's exposure has settled.
fn photo(p: &DeviceProfile, images: Option<&Path>, camera: Option<u32>, out: &Path) -> Result<ExitCode> {
    const SETTLE_FRAMES: u64 = 5;
    let worker = start_camera(p, images, camera)?;
    eprintln!("{} ({})", worker.info().name, worker.info().format);
    let deadline = std::time::Instant::now() + p.timeouts.command() + Duration::from_secs(5);
    let frame = loop {
        let latest = worker.latest();
        if let Some(error) = latest.error {
            anyhow::bail!("the camera stopped: {error}");
        }
        match latest.frame {
            Some((n, frame)) if n >= SETTLE_FRAMES => break frame,
            _ if std::time::Instant::now() > deadline => {
                anyhow::bail!("the camera sent no picture in time: check the cable and retry")
            }
            _ => std::thread::sleep(Duration::from_millis(20)),
        }
    };
    let jpeg = out.extension().is_some_and(|e| e.eq_ignore_ascii_case("jpg") || e.eq_ignore_ascii_case("jpeg"));
    let bytes = if jpeg {
        frame.to_jpeg(90)?
    } else {
        let mut png = Vec::new();
        image::codecs::png::PngEncoder::new(&mut png)
            .write_image(&frame.rgb, frame.width, frame.height, image::ExtendedColorType::Rgb8)
            .context("could not encode the photo as PNG")?;
        png
    };
    std::fs::write(out, bytes).with_context(|| format!("cannot write {}", out.display()))?;
    println!("wrote {} ({}x{} photo)", out.display(), frame.width, frame.height);
    Ok(ExitCode::SUCCESS)
}

fn show(out: &mut impl Write, progress: CaptureProgress) {
    let _ = match progress {
        CaptureProgress::WaitingForFinger => write!(out, "\rplace a finger on the reader…"),
        CaptureProgress::Capturing => write!(out, "\rcapturing…                   "),
        CaptureProgress::Receiving { done, total } => {
            let filled = done * 30 / total.max(1);
            write!(out, "\r[{}{}] {:>3}%  ", "#".repeat(filled), " ".repeat(30 - filled), done * 100 / total.max(1))
        }
        CaptureProgress::Retrying(n) => write!(out, "\rgarbled data, retrying (attempt {n})…\n"),
    };
    let _ = out.flush();
}

fn simulate(profiles: &Profiles, args: SimulateArgs) -> Result<ExitCode> {
    let p = profiles
        .get(&args.profile)
        .with_context(|| format!("no device profile {:?}: see `enroll-kit devices list`", args.profile))?;
    if p.protocol == enroll_kit::devices::profile::Protocol::Sbi {
        return simulate_sbi(p, &args);
    }
    let source = match &args.images {
        Some(dir) => ImageSource::from_folder(dir).map_err(anyhow::Error::msg)?,
        None => ImageSource::Synthetic(1),
    };
    let faults = Faults {
        no_finger_for: Duration::from_secs(args.no_finger_for.unwrap_or(0)),
        bad_checksum_packet: args.bad_checksum_packet,
        drop_packet: args.drop_packet,
        disconnect_after: args.disconnect_after,
        wrong_password: args.wrong_password,
        silent: args.silent,
        max_baud: args.max_baud,
        refuse_rate_change: args.refuse_rate_change,
        spoil_transfers: args.spoil_transfers,
        module_address: args.module_address,
    };
    let handle = start_simulator(p, source, !args.unpaced, faults)
        .context("could not start the simulator on a pseudo-terminal")?;
    println!("{}", handle.path());
    let _ = std::io::stdout().flush();
    eprintln!(
        "simulating {} on {}: open it with `enroll-kit devices capture --profile {} --port {}`",
        p.name,
        handle.path(),
        p.id,
        handle.path()
    );
    let until = args.seconds.map(|s| std::time::Instant::now() + Duration::from_secs(s));
    while handle.running() && until.is_none_or(|u| std::time::Instant::now() < u) {
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(ExitCode::SUCCESS)
}

/// The SBI services on 127.0.0.1:4501-4600 and whether this kit trusts their signatures.
fn list_sbi(data_dir: Option<&Path>) {
    use enroll_kit::devices::sbi::{DeviceTrust, DeviceType, SbiClient};
    println!("SBI devices (127.0.0.1:4501-4600):");
    let trust = match data_dir.map(DeviceTrust::load).transpose() {
        Ok(trust) => trust.unwrap_or_default(),
        Err(e) => {
            println!("  {e}");
            DeviceTrust::default()
        }
    };
    let client = SbiClient::new(trust);
    let Ok(found) = client.discover(DeviceType::Any) else {
        println!("  none answering");
        return;
    };
    for f in found {
        let verdict = match client.info(f.port) {
            Ok(devices) => devices
                .iter()
                .map(|d| {
                    format!(
                        "trusted: {} {} serial {}",
                        d.digital_id.make.as_str(),
                        d.digital_id.model.as_str(),
                        d.digital_id.serial_no.as_str()
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
            Err(e) => format!("not usable: {e}"),
        };
        println!("  port {:<5} {:<10} {}", f.port, f.device.device_status.as_str(), verdict);
    }
}

/// Runs the SBI slap-scanner simulator on the first free SBI port and prints the port.
fn simulate_sbi(p: &DeviceProfile, args: &SimulateArgs) -> Result<ExitCode> {
    use enroll_kit::devices::sbi::sim::{Fault, SbiSim, SimConfig, TestChain};
    anyhow::ensure!(
        p.simulated,
        "{} is a real SBI device: only a simulated profile (sbi-slap-sim) has a simulator",
        p.id
    );
    let fault = match args.sbi_fault.as_deref() {
        Some(name) => Fault::from_name(name).with_context(|| format!("{name:?} is not an SBI fault: see --help"))?,
        None => Fault::None,
    };
    let chain = std::sync::Arc::new(TestChain::generate("enroll-kit simulator")?);
    if let Some(dir) = &args.trust_into {
        let folder = dir.join(enroll_kit::devices::sbi::trust::FOLDER);
        std::fs::create_dir_all(&folder).with_context(|| format!("cannot create {}", folder.display()))?;
        let file = folder.join("enroll-kit-simulator.pem");
        std::fs::write(&file, chain.ca_pem()).with_context(|| format!("cannot write {}", file.display()))?;
        eprintln!("the kit in {} now trusts this simulator's device CA ({})", dir.display(), file.display());
    }
    let config = SimConfig { placement_time: Duration::from_millis(args.placement_ms), ..SimConfig::new(chain) };
    let sim = SbiSim::start(config)?;
    sim.set_fault(fault);
    println!("{}", sim.port());
    let _ = std::io::stdout().flush();
    eprintln!("simulating {} on http://127.0.0.1:{}/ (SBI 0.9.5)", p.name, sim.port());
    let until = args.seconds.map(|s| std::time::Instant::now() + Duration::from_secs(s));
    while until.is_none_or(|u| std::time::Instant::now() < u) {
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(ExitCode::SUCCESS)
}

/// A module address as the ZFM manuals write it: hex with `0x`, or decimal.
fn module_address(text: &str) -> Result<u32, String> {
    let parsed = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u32::from_str_radix(hex, 16),
        None => text.parse(),
    };
    parsed.map_err(|_| format!("{text:?} is not a module address: give 32 bits as hex (0x12345678) or decimal"))
}
