//! Finding and opening fingerprint readers: serial ports matched to profiles by USB id, an
//! explicit port, an in-process simulator for a simulated profile, or a replay folder.

use super::DeviceError;
use super::gt521::{Gt521Reader, Gt521Sim, Gt521SimConfig};
use super::profile::{DeviceKind, DeviceProfile, Profiles, Protocol};
use super::reader::{CancelToken, CaptureProgress, FingerprintReader, RawCapture, ReaderInfo};
use super::replay::ReplayReader;
use super::sim::{Faults, ImageSource, SimHandle};
use super::zfm::{ZfmReader, ZfmSim, ZfmSimConfig};
use std::path::PathBuf;

/// A serial port on this machine and the profiles that fit it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachedPort {
    /// Its path (/dev/ttyUSB0).
    pub path: String,
    /// USB vendor and product id, when it is a USB device.
    pub usb: Option<(u16, u16)>,
    /// What the USB device calls itself.
    pub product: Option<String>,
    /// Profiles whose USB ids match.
    pub profiles: Vec<String>,
}

/// The serial ports the system lists, matched to `profiles`.
pub fn attached_ports(profiles: &Profiles) -> Vec<AttachedPort> {
    let ports = serialport::available_ports().unwrap_or_default();
    ports
        .into_iter()
        .map(|p| {
            let (usb, product) = match p.port_type {
                serialport::SerialPortType::UsbPort(info) => (Some((info.vid, info.pid)), info.product),
                _ => (None, None),
            };
            let matched = usb
                .map(|(vid, pid)| profiles.matching_usb(vid, pid).iter().map(|m| m.id.clone()).collect())
                .unwrap_or_default();
            AttachedPort { path: p.port_name, usb, product, profiles: matched }
        })
        .collect()
}

/// Where to find the reader.
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// An explicit serial port (and the only way to reach a simulator in another process).
    pub port: Option<String>,
    /// A folder of images: for `replay`, and for an in-process simulator's prints.
    pub images: Option<PathBuf>,
    /// A replay reader starts at this image (a training scenario's reader plugged back in).
    pub first_image: u32,
    /// A replay reader drops off the line at this capture (1-based), as if unplugged (training
    /// scenarios; the serial simulators have their own faults).
    pub unplug_at_capture: Option<u32>,
    /// The folder of device CAs an SBI device's certificate must chain to (the data dir's `device-ca/`).
    pub device_ca: Option<PathBuf>,
}

/// An open reader, with the in-process simulator behind it when there is one.
pub struct OpenReader {
    // Declared first so it is dropped first: a reader says goodbye to its module on drop.
    reader: Box<dyn FingerprintReader>,
    simulator: Option<SimHandle>,
}

impl OpenReader {
    /// The simulator's pseudo-terminal, when the reader talks to an in-process one.
    pub fn simulator_path(&self) -> Option<&str> {
        self.simulator.as_ref().map(SimHandle::path)
    }
}

impl FingerprintReader for OpenReader {
    fn info(&self) -> &ReaderInfo {
        self.reader.info()
    }

    fn capture(
        &mut self,
        progress: &mut dyn FnMut(CaptureProgress),
        cancel: &CancelToken,
    ) -> Result<RawCapture, DeviceError> {
        self.reader.capture(progress, cancel)
    }
}

fn image_source(options: &OpenOptions) -> Result<ImageSource, DeviceError> {
    match &options.images {
        Some(folder) => ImageSource::from_folder(folder).map_err(DeviceError::Source),
        None => Ok(ImageSource::Synthetic(1)),
    }
}

/// Opens the fingerprint reader `profile` describes.
pub fn open_reader(
    profile: &DeviceProfile,
    profiles: &Profiles,
    options: &OpenOptions,
) -> Result<OpenReader, DeviceError> {
    if profile.kind != DeviceKind::Fingerprint {
        return Err(DeviceError::Unsupported(format!(
            "{} is a {:?}, not a fingerprint reader",
            profile.id, profile.kind
        )));
    }
    let serial = |reader: Box<dyn FingerprintReader>, simulator| Ok(OpenReader { reader, simulator });
    match profile.protocol {
        Protocol::Replay => {
            let label = options.images.as_ref().map_or("synthetic".to_string(), |p| p.display().to_string());
            let reader = ReplayReader::new(profile, image_source(options)?, &label)
                .scripted(options.first_image, options.unplug_at_capture);
            serial(Box::new(reader), None)
        }
        Protocol::Zfm | Protocol::Gt521 => {
            let (path, simulator) = match (&options.port, profile.simulated) {
                (Some(port), _) => (port.clone(), None),
                (None, true) => {
                    let sim = start_simulator(profile, image_source(options)?, true, Faults::default())
                        .map_err(|e| DeviceError::Open { port: "a pseudo-terminal".into(), detail: e.to_string() })?;
                    (sim.path().to_string(), Some(sim))
                }
                (None, false) => (find_port(profile, profiles)?, None),
            };
            let reader: Box<dyn FingerprintReader> = match profile.protocol {
                Protocol::Zfm => Box::new(ZfmReader::open(&path, profile)?),
                _ => Box::new(Gt521Reader::open(&path, profile)?),
            };
            serial(reader, simulator)
        }
        Protocol::Libfprint => {
            let driver = profile.libfprint.as_ref().map_or("", |l| l.driver.as_str());
            serial(Box::new(super::libfprint::LibfprintReader::open(&profile.id, driver)?), None)
        }
        Protocol::Uvc | Protocol::Sbi => {
            Err(DeviceError::Unsupported(format!("{} is not a serial fingerprint reader", profile.id)))
        }
    }
}

/// Starts the simulator for a serial profile's protocol family.
pub fn start_simulator(
    profile: &DeviceProfile,
    source: ImageSource,
    pace: bool,
    faults: Faults,
) -> std::io::Result<SimHandle> {
    match profile.protocol {
        Protocol::Zfm => {
            let mut config = ZfmSimConfig::from_profile(profile);
            (config.source, config.pace, config.faults) = (source, pace, faults);
            ZfmSim::start(config)
        }
        Protocol::Gt521 => {
            let mut config = Gt521SimConfig::from_profile(profile);
            (config.source, config.pace, config.faults) = (source, pace, faults);
            Gt521Sim::start(config)
        }
        other => Err(std::io::Error::other(format!("there is no simulator for the {other:?} family"))),
    }
}

fn find_port(profile: &DeviceProfile, profiles: &Profiles) -> Result<String, DeviceError> {
    let found: Vec<AttachedPort> =
        attached_ports(profiles).into_iter().filter(|p| p.profiles.contains(&profile.id)).collect();
    match found.as_slice() {
        [one] => Ok(one.path.clone()),
        [] => Err(DeviceError::Unsupported(format!(
            "no {} found on a USB port: plug it in, or pass --port with its serial port",
            profile.name
        ))),
        many => Err(DeviceError::Unsupported(format!(
            "several ports could be a {}: {}; pass --port to choose",
            profile.name,
            many.iter().map(|p| p.path.as_str()).collect::<Vec<_>>().join(", ")
        ))),
    }
}
