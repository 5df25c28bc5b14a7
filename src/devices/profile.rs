//! Device profiles: one TOML file per device model, validated on load.
//!
//! The shipped profiles (device-profiles/) are compiled in; a folder in the kit's data dir adds
//! models, or corrects a shipped one by using its id, without a rebuild.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;
use thiserror::Error;

/// The profiles compiled into the program: (file name, text).
pub const SHIPPED: &[(&str, &str)] = &[
    ("r307.toml", include_str!("../../device-profiles/r307.toml")),
    ("as608.toml", include_str!("../../device-profiles/as608.toml")),
    ("r503.toml", include_str!("../../device-profiles/r503.toml")),
    ("gt521f52.toml", include_str!("../../device-profiles/gt521f52.toml")),
    ("uvc-generic.toml", include_str!("../../device-profiles/uvc-generic.toml")),
    ("r307-sim.toml", include_str!("../../device-profiles/r307-sim.toml")),
    ("gt521-sim.toml", include_str!("../../device-profiles/gt521-sim.toml")),
    ("replay.toml", include_str!("../../device-profiles/replay.toml")),
    ("libfprint-uru4000.toml", include_str!("../../device-profiles/libfprint-uru4000.toml")),
    ("libfprint-virtual.toml", include_str!("../../device-profiles/libfprint-virtual.toml")),
    ("sbi-slap.toml", include_str!("../../device-profiles/sbi-slap.toml")),
    ("sbi-slap-sim.toml", include_str!("../../device-profiles/sbi-slap-sim.toml")),
];

/// A problem in a profile file, naming the file, the field and what is wrong.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[error("device profile {file}: {}{problem}", field.as_ref().map(|f| format!("field `{f}` ")).unwrap_or_default())]
pub struct ProfileError {
    /// The file (name for shipped ones, path for the data dir's).
    pub file: String,
    /// The field at fault, when one is.
    pub field: Option<String>,
    /// What is wrong.
    pub problem: String,
}

/// What a device captures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeviceKind {
    /// A fingerprint reader.
    Fingerprint,
    /// A camera.
    Camera,
}

/// The protocol family that drives the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    /// ZhianTec/GROW/AS608 UART modules.
    Zfm,
    /// ADH-Tech GT-511C3 / GT-521Fxx UART modules.
    Gt521,
    /// USB webcams through nokhwa.
    Uvc,
    /// Images from a folder.
    Replay,
    /// Certified devices' local HTTP interface.
    Sbi,
    /// Everyday USB readers through libfprint 2.
    Libfprint,
}

/// How the device sends pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Packing {
    /// Two pixels a byte, upper nibble first (ZFM over UART).
    #[serde(rename = "4bit")]
    FourBit,
    /// One pixel a byte.
    #[serde(rename = "8bit")]
    EightBit,
}

/// A USB vendor and product id that identifies the device (or its USB-UART bridge).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UsbId {
    /// Vendor id.
    pub vid: u16,
    /// Product id.
    pub pid: u16,
}

/// Serial line settings.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SerialSettings {
    /// The rate the module starts at.
    pub baud: u32,
    /// Rates to try, fastest first: to raise the rate, and to find a module left at another one.
    #[serde(default)]
    pub try_bauds: Vec<u32>,
}

impl SerialSettings {
    /// The rates to look for the module at: the start rate first, then the others in order.
    pub fn rates_to_try(&self) -> Vec<u32> {
        let mut rates = vec![self.baud];
        rates.extend(self.try_bauds.iter().copied().filter(|r| *r != self.baud));
        rates
    }
}

/// Image geometry.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImageSettings {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Resolution (fingerprint readers).
    pub dpi: Option<u16>,
    /// Pixel packing on the wire (fingerprint readers).
    pub packing: Option<Packing>,
    /// Frame rate (cameras, replay).
    pub fps: Option<u32>,
}

/// Per-operation time limits, milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Timeouts {
    /// One command and its answer.
    pub command_ms: u64,
    /// Waiting for a finger on the glass.
    pub finger_ms: u64,
    /// Receiving a whole image.
    pub image_ms: u64,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self { command_ms: 1000, finger_ms: 15_000, image_ms: 60_000 }
    }
}

impl Timeouts {
    /// One command's limit.
    pub fn command(&self) -> Duration {
        Duration::from_millis(self.command_ms)
    }
    /// Waiting for a finger.
    pub fn finger(&self) -> Duration {
        Duration::from_millis(self.finger_ms)
    }
    /// A whole image.
    pub fn image(&self) -> Duration {
        Duration::from_millis(self.image_ms)
    }
}

/// Which libfprint driver a profile's reader uses.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LibfprintSettings {
    /// The driver's name as libfprint reports it ("uru4000", "virtual_image").
    pub driver: String,
}

/// Quality thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QualitySettings {
    /// The lowest kit quality score accepted without forcing.
    pub min_score: u8,
}

/// One device model.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceProfile {
    /// Short id the command line takes (`r307`).
    pub id: String,
    /// Name shown to people.
    pub name: String,
    /// Fingerprint reader or camera.
    pub kind: DeviceKind,
    /// Protocol family.
    pub protocol: Protocol,
    /// A simulator or replay source, not hardware.
    #[serde(default)]
    pub simulated: bool,
    /// USB ids that identify it.
    #[serde(default)]
    pub usb: Vec<UsbId>,
    /// Serial settings (serial families).
    pub serial: Option<SerialSettings>,
    /// The libfprint driver (libfprint readers).
    pub libfprint: Option<LibfprintSettings>,
    /// Image geometry.
    pub image: ImageSettings,
    /// Time limits.
    #[serde(default)]
    pub timeouts: Timeouts,
    /// Quality thresholds (fingerprint readers).
    pub quality: Option<QualitySettings>,
    /// The data-dir file it came from; `None` for a shipped profile.
    #[serde(skip)]
    pub source: Option<String>,
}

/// The rates a family's modules accept.
pub fn allowed_bauds(protocol: Protocol) -> Vec<u32> {
    match protocol {
        Protocol::Zfm => (1..=12).map(|n| 9600 * n).collect(),
        Protocol::Gt521 => vec![9600, 19200, 38400, 57600, 115200],
        _ => vec![],
    }
}

/// The print quality a reader's captures must reach when its profile names none (what the big
/// registration systems use).
pub const DEFAULT_MIN_QUALITY: u8 = 40;

impl DeviceProfile {
    /// The kit quality a print from this reader must reach.
    pub fn min_quality(&self) -> u8 {
        self.quality.map_or(DEFAULT_MIN_QUALITY, |q| q.min_score)
    }

    /// Parses and validates one profile's text; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Self, ProfileError> {
        let profile: DeviceProfile = toml::from_str(text).map_err(|e| ProfileError {
            file: file.to_string(),
            field: None,
            problem: e.to_string().trim().replace('\n', " "),
        })?;
        profile.validate().map_err(|(field, problem)| ProfileError {
            file: file.to_string(),
            field: Some(field.into()),
            problem,
        })?;
        Ok(profile)
    }

    fn validate(&self) -> Result<(), (&'static str, String)> {
        let id_ok = (2..=32).contains(&self.id.len())
            && self.id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !id_ok {
            return Err(("id", format!("{:?} must be 2 to 32 lowercase letters, digits or '-'", self.id)));
        }
        if self.name.trim().is_empty() {
            return Err(("name", "must not be empty".into()));
        }
        let kind_ok = match self.protocol {
            Protocol::Zfm | Protocol::Gt521 | Protocol::Sbi | Protocol::Libfprint => {
                self.kind == DeviceKind::Fingerprint
            }
            Protocol::Uvc => self.kind == DeviceKind::Camera,
            Protocol::Replay => true,
        };
        if !kind_ok {
            return Err(("kind", format!("{:?} does not fit protocol {:?}", self.kind, self.protocol)));
        }
        let image = &self.image;
        if !(1..=4096).contains(&image.width) || !(1..=4096).contains(&image.height) {
            return Err((
                "image",
                format!("{}x{} is not a plausible image size (1 to 4096 a side)", image.width, image.height),
            ));
        }
        if self.kind == DeviceKind::Fingerprint {
            match image.dpi {
                Some(dpi) if (250..=1200).contains(&dpi) => {}
                Some(dpi) => return Err(("image.dpi", format!("{dpi} is outside 250 to 1200"))),
                None => return Err(("image.dpi", "is required for a fingerprint reader".into())),
            }
            match (image.packing, self.protocol) {
                (None, _) => {
                    return Err((
                        "image.packing",
                        "is required for a fingerprint reader (\"4bit\" or \"8bit\")".into(),
                    ));
                }
                (Some(Packing::FourBit), Protocol::Gt521) => {
                    return Err(("image.packing", "GT-521 modules send 8-bit pixels".into()));
                }
                (Some(Packing::FourBit), _) if !(image.width * image.height).is_multiple_of(2) => {
                    return Err(("image.packing", "4-bit packing needs an even pixel count".into()));
                }
                _ => {}
            }
        }
        if let Some(fps) = image.fps
            && !(1..=60).contains(&fps)
        {
            return Err(("image.fps", format!("{fps} is outside 1 to 60")));
        }
        let serial_family = matches!(self.protocol, Protocol::Zfm | Protocol::Gt521);
        match (&self.serial, serial_family) {
            (None, true) => return Err(("serial", "is required for a serial module".into())),
            (Some(_), false) => return Err(("serial", "applies only to serial modules (zfm, gt521)".into())),
            (Some(serial), true) => {
                let allowed = allowed_bauds(self.protocol);
                for b in std::iter::once(&serial.baud).chain(&serial.try_bauds) {
                    if !allowed.contains(b) {
                        return Err(("serial", format!("{b} baud is not a rate this family accepts ({allowed:?})")));
                    }
                }
            }
            (None, false) => {}
        }
        match (&self.libfprint, self.protocol == Protocol::Libfprint) {
            (None, true) => return Err(("libfprint", "is required for a libfprint reader (its driver)".into())),
            (Some(_), false) => return Err(("libfprint", "applies only to libfprint readers".into())),
            (Some(l), true)
                if l.driver.is_empty() || !l.driver.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') =>
            {
                return Err(("libfprint.driver", format!("{:?} is not a libfprint driver name", l.driver)));
            }
            _ => {}
        }
        let t = &self.timeouts;
        for (field, ms) in [
            ("timeouts.command_ms", t.command_ms),
            ("timeouts.finger_ms", t.finger_ms),
            ("timeouts.image_ms", t.image_ms),
        ] {
            if !(1..=600_000).contains(&ms) {
                return Err((field, format!("{ms} is outside 1 to 600000 ms")));
            }
        }
        if let Some(q) = &self.quality
            && q.min_score > 100
        {
            return Err(("quality.min_score", format!("{} is above 100", q.min_score)));
        }
        Ok(())
    }

    /// Bytes of pixel data the device sends for one image.
    pub fn image_bytes(&self) -> usize {
        let pixels = (self.image.width * self.image.height) as usize;
        match self.image.packing {
            Some(Packing::FourBit) => pixels / 2,
            _ => pixels,
        }
    }
}

/// Every profile known to the kit, by id.
#[derive(Debug, Clone, Default)]
pub struct Profiles {
    by_id: BTreeMap<String, DeviceProfile>,
}

impl Profiles {
    /// The shipped profiles.
    pub fn shipped() -> Result<Self, ProfileError> {
        let mut set = Profiles::default();
        for (file, text) in SHIPPED {
            let p = DeviceProfile::parse(file, text)?;
            set.by_id.insert(p.id.clone(), p);
        }
        Ok(set)
    }

    /// The profiles a production kit may use: the shipped hardware profiles plus every `*.toml`
    /// in `folder` that adds a new model of real hardware at a threshold no lower than the
    /// shipped one. A data-dir file that replaces a shipped id, sets `simulated`, names the
    /// replay protocol or lowers the quality threshold is refused: on a production kit, such a
    /// file would quietly turn the reader into a simulator or let poor prints through.
    /// Simulators and replay sources are left out altogether.
    pub fn load_production(folder: Option<&Path>) -> Result<Self, ProfileError> {
        let shipped = Self::shipped()?;
        let mut set = Self::load(folder)?;
        for p in set.by_id.values() {
            let Some(file) = p.source.as_deref() else { continue };
            let refuse = |field: &str, problem: String| {
                Err(ProfileError { file: file.to_string(), field: Some(field.into()), problem })
            };
            if shipped.by_id.contains_key(&p.id) {
                return refuse(
                    "id",
                    format!(
                        "{:?} is a shipped profile: a production kit does not let a data-dir file replace it \
                         (give the model a new id, or remove the file)",
                        p.id
                    ),
                );
            }
            if p.simulated || p.protocol == Protocol::Replay {
                return refuse(
                    "simulated",
                    "a production kit takes prints from real readers only: remove the file or set up a pilot kit for training".into(),
                );
            }
            if p.kind == DeviceKind::Fingerprint && p.min_quality() < DEFAULT_MIN_QUALITY {
                return refuse(
                    "quality.min_score",
                    format!(
                        "{} is below the kit's {DEFAULT_MIN_QUALITY}: a production kit does not lower the quality bar",
                        p.min_quality()
                    ),
                );
            }
        }
        set.by_id.retain(|_, p| !p.simulated);
        Ok(set)
    }

    /// The profiles for a kit: [`Profiles::load_production`] on a production kit, every
    /// profile (simulators and data-dir overrides included) on a training kit.
    pub fn for_kit(folder: Option<&Path>, training: bool) -> Result<Self, ProfileError> {
        if training { Self::load(folder) } else { Self::load_production(folder) }
    }

    /// The shipped profiles plus every `*.toml` in `folder` (which may not exist); a file
    /// there with a shipped id replaces the shipped profile.
    pub fn load(folder: Option<&Path>) -> Result<Self, ProfileError> {
        let mut set = Self::shipped()?;
        let Some(folder) = folder.filter(|f| f.is_dir()) else {
            return Ok(set);
        };
        let unreadable = |path: &Path, e: std::io::Error| ProfileError {
            file: path.display().to_string(),
            field: None,
            problem: format!("cannot be read: {e}"),
        };
        let mut paths: Vec<_> = std::fs::read_dir(folder)
            .map_err(|e| unreadable(folder, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        paths.sort();
        let mut seen = BTreeMap::new();
        for path in paths {
            let text = std::fs::read_to_string(&path).map_err(|e| unreadable(&path, e))?;
            let file = path.display().to_string();
            let mut p = DeviceProfile::parse(&file, &text)?;
            p.source = Some(file.clone());
            if let Some(other) = seen.insert(p.id.clone(), file.clone()) {
                return Err(ProfileError {
                    file,
                    field: Some("id".into()),
                    problem: format!("{:?} is already used by {other}", p.id),
                });
            }
            set.by_id.insert(p.id.clone(), p);
        }
        Ok(set)
    }

    /// The profile with this id.
    pub fn get(&self, id: &str) -> Option<&DeviceProfile> {
        self.by_id.get(id)
    }

    /// All profiles by id.
    pub fn iter(&self) -> impl Iterator<Item = &DeviceProfile> {
        self.by_id.values()
    }

    /// Hardware profiles whose USB ids match.
    pub fn matching_usb(&self, vid: u16, pid: u16) -> Vec<&DeviceProfile> {
        self.by_id.values().filter(|p| !p.simulated && p.usb.iter().any(|u| u.vid == vid && u.pid == pid)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_simulators_are_the_ones_packets_name_as_simulated() {
        let shipped = Profiles::shipped().unwrap();
        let simulated: Vec<&str> = shipped.iter().filter(|p| p.simulated).map(|p| p.id.as_str()).collect();
        assert_eq!(simulated, crate::domain::biometrics::SIMULATED_PROFILES);
    }

    #[test]
    fn a_production_kit_refuses_profiles_that_would_weaken_it() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: String| std::fs::write(dir.path().join(name), text).unwrap();
        // The stolen-kit attack: the production reader's id, turned simulator, bar at zero.
        let simulator = |text: &str| text.replacen("protocol = \"zfm\"", "protocol = \"zfm\"\nsimulated = true", 1);
        write("r307.toml", simulator(SHIPPED[0].1).replace("min_score = 40", "min_score = 0"));
        let e = Profiles::load_production(Some(dir.path())).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("id"), "{e}");
        assert!(Profiles::load(Some(dir.path())).is_ok(), "a training kit may do this");
        std::fs::remove_file(dir.path().join("r307.toml")).unwrap();
        // A new model is welcome, unless it is a simulator or lowers the bar.
        let new_model = SHIPPED[0].1.replace("id = \"r307\"", "id = \"fpm10a\"");
        write("fpm10a.toml", new_model.replace("min_score = 40", "min_score = 20"));
        assert_eq!(
            Profiles::load_production(Some(dir.path())).unwrap_err().field.as_deref(),
            Some("quality.min_score")
        );
        write("fpm10a.toml", simulator(&new_model));
        assert_eq!(Profiles::load_production(Some(dir.path())).unwrap_err().field.as_deref(), Some("simulated"));
        write("fpm10a.toml", new_model.clone());
        let set = Profiles::load_production(Some(dir.path())).unwrap();
        assert!(set.get("fpm10a").is_some() && set.get("r307").is_some());
        assert!(set.get("r307-sim").is_none() && set.get("replay").is_none(), "no simulators on a production kit");
    }

    #[test]
    fn every_shipped_profile_loads_and_every_file_is_shipped() {
        let set = Profiles::shipped().expect("shipped profiles are valid");
        for id in ["r307", "as608", "r503", "gt521f52", "uvc-generic", "r307-sim", "gt521-sim", "replay"] {
            assert!(set.get(id).is_some(), "{id} is shipped");
        }
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("device-profiles");
        for entry in std::fs::read_dir(dir).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            assert!(SHIPPED.iter().any(|(f, _)| *f == name), "{name} is in device-profiles/ but not compiled in");
        }
        assert_eq!(set.get("r307").unwrap().image_bytes(), 36_864);
        assert_eq!(set.get("gt521f52").unwrap().image_bytes(), 52_116);
    }

    fn r307_with(find: &str, replace: &str) -> Result<DeviceProfile, ProfileError> {
        let text = SHIPPED[0].1.replace(find, replace);
        assert_ne!(text, SHIPPED[0].1, "the replacement applies");
        DeviceProfile::parse("custom.toml", &text)
    }

    #[test]
    fn bad_profiles_name_file_field_and_problem() {
        let e = r307_with("dpi = 500", "dpi = 5000").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("image.dpi"));
        assert!(e.to_string().starts_with("device profile custom.toml: field `image.dpi`"), "{e}");
        let e = r307_with("baud = 57600", "baud = 57000").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("serial"));
        let e = r307_with("packing = \"4bit\"", "packing = \"2bit\"").unwrap_err();
        assert!(e.problem.contains("2bit"), "{e}");
        let e = r307_with("[quality]", "colour = \"red\"\n[quality]").unwrap_err();
        assert!(e.problem.contains("colour"), "{e}");
        let e = r307_with("kind = \"fingerprint\"", "kind = \"camera\"").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("kind"));
    }

    #[test]
    fn a_data_dir_profile_adds_or_corrects_a_model() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("r503.toml"), SHIPPED[2].1.replace("packing = \"4bit\"", "packing = \"8bit\""))
            .unwrap();
        std::fs::write(dir.path().join("fpm10a.toml"), SHIPPED[0].1.replace("id = \"r307\"", "id = \"fpm10a\""))
            .unwrap();
        let set = Profiles::load(Some(dir.path())).unwrap();
        assert_eq!(set.get("r503").unwrap().image.packing, Some(Packing::EightBit));
        assert!(set.get("fpm10a").is_some());
        std::fs::write(dir.path().join("zz.toml"), "id = \"broken\"\n").unwrap();
        let e = Profiles::load(Some(dir.path())).unwrap_err();
        assert!(e.file.ends_with("zz.toml"), "{e}");
    }
}
