//! `kit.toml`: who the kit is and whom it seals batches to.

use crate::domain::admin_units::AdminUnits;
use crate::domain::rid::Code5;
use crate::packet::PublicKey;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use thiserror::Error;

/// The kit.toml format this build writes and reads.
pub const CONFIG_FORMAT: u32 = 1;

/// A problem with kit.toml, naming the file and the field.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// kit.toml.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// Not valid TOML, an unknown key, or a value of the wrong type.
    #[error(
        "{path} is not a valid kit configuration: {message}. Fix the file (see README, \"kit.toml\") or restore it from the kit's backup"
    )]
    Syntax {
        /// kit.toml.
        path: PathBuf,
        /// The parser's words, with the line and key.
        message: String,
    },
    /// A field's value breaks a rule.
    #[error("{path}: field `{field}` {problem}")]
    Field {
        /// kit.toml, or the command-line flag the value came from.
        path: PathBuf,
        /// The field.
        field: &'static str,
        /// What is wrong.
        problem: String,
    },
}

/// The contents of kit.toml.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KitConfig {
    /// File format version (1).
    pub format: u32,
    /// Registration centre code, 5 digits.
    pub centre: String,
    /// Kit number within the centre, 5 digits.
    pub kit: String,
    /// County code where the kit works, 001–047.
    pub county: String,
    /// A training (pilot) kit: every record it makes is marked training.
    #[serde(default)]
    pub training: bool,
    /// The central office's age recipients (`age1…`) that batches are sealed to.
    pub hq_recipients: Vec<String>,
    /// The central office's Ed25519 verifying key (hex) for receipts.
    pub hq_verify_key: String,
    /// Where batches are uploaded when there is a network; none: export to sticks only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload: Option<UploadConfig>,
    /// Days the kit keeps an acknowledged person's templates for its duplicate search after it
    /// deleted their images and personal data.
    #[serde(default = "default_template_retention_days")]
    pub template_retention_days: u32,
    /// The IANA time zone the kit's people live by: "today", the report's days and hours, the
    /// times in the queue and the date on the slip. Stored times and the RID stay UTC.
    #[serde(default = "default_time_zone")]
    pub time_zone: String,
}

/// Kenya's zone (UTC+3, no daylight saving).
pub const DEFAULT_TIME_ZONE: &str = "Africa/Nairobi";

fn default_time_zone() -> String {
    DEFAULT_TIME_ZONE.to_string()
}

/// Two years: a person who enrolls again within a campaign and its follow-up is still found.
pub const DEFAULT_TEMPLATE_RETENTION_DAYS: u32 = 730;

fn default_template_retention_days() -> u32 {
    DEFAULT_TEMPLATE_RETENTION_DAYS
}

/// The `[upload]` section: the central office's intake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UploadConfig {
    /// `https://host:port`.
    pub url: String,
    /// SHA-256 (hex) of the intake's TLS certificate: the only one the kit accepts.
    pub certificate_sha256: String,
}

impl KitConfig {
    /// The kit's time zone (checked when kit.toml is read; Kenya's if it somehow is not one).
    pub fn zone(&self) -> chrono_tz::Tz {
        self.time_zone.parse().unwrap_or(chrono_tz::Africa::Nairobi)
    }

    /// Checks every field; `source` names the file in errors.
    pub fn validate(&self, source: &Path) -> Result<(), ConfigError> {
        let field =
            |field: &'static str, problem: String| ConfigError::Field { path: source.to_path_buf(), field, problem };
        if self.format != CONFIG_FORMAT {
            return Err(field("format", format!("is {}, this build reads format {CONFIG_FORMAT}", self.format)));
        }
        Code5::parse("centre code", &self.centre).map_err(|e| field("centre", e.to_string()))?;
        Code5::parse("kit number", &self.kit).map_err(|e| field("kit", e.to_string()))?;
        if AdminUnits::bundled().county(&self.county).is_none() {
            return Err(field("county", format!("{:?} is not a county code (001 to 047)", self.county)));
        }
        self.time_zone.parse::<chrono_tz::Tz>().map_err(|_| {
            field(
                "time_zone",
                format!("{:?} is not an IANA time zone name (for Kenya: {DEFAULT_TIME_ZONE})", self.time_zone),
            )
        })?;
        if self.hq_recipients.is_empty() {
            return Err(field("hq_recipients", "is empty: batches need at least one central-office recipient".into()));
        }
        for r in &self.hq_recipients {
            age::x25519::Recipient::from_str(r)
                .map_err(|e| field("hq_recipients", format!("{r:?} is not an age X25519 recipient (age1…): {e}")))?;
        }
        PublicKey::from_text(&self.hq_verify_key)
            .map_err(|e| field("hq_verify_key", format!("is not an Ed25519 public key: {e}")))?;
        if let Some(upload) = &self.upload {
            if !upload.url.starts_with("https://") || upload.url.len() <= "https://".len() {
                return Err(field("upload.url", format!("{:?} is not an https:// address", upload.url)));
            }
            let pin = &upload.certificate_sha256;
            if pin.len() != 64 || !pin.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(field(
                    "upload.certificate_sha256",
                    "must be the 64 hex digits of the intake certificate's SHA-256 (enroll-kit hq cert-pin CERT)"
                        .into(),
                ));
            }
        }
        Ok(())
    }

    /// Reads and validates kit.toml.
    pub fn load(path: &Path) -> Result<KitConfig, ConfigError> {
        let text =
            std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.to_path_buf(), source })?;
        Self::parse(&text, path)
    }

    /// Parses and validates the text of kit.toml (`path` names it in errors).
    pub fn parse(text: &str, path: &Path) -> Result<KitConfig, ConfigError> {
        let config: KitConfig = toml::from_str(text).map_err(|e| ConfigError::Syntax {
            path: path.to_path_buf(),
            message: e.to_string().trim().replace('\n', " "),
        })?;
        config.validate(path)?;
        Ok(config)
    }

    /// The file's text, with a header saying what it is.
    pub fn to_toml(&self) -> String {
        let body = toml::to_string(self).unwrap_or_default();
        format!("# enroll-kit kit configuration. Written by `enroll-kit init`; see README, \"kit.toml\".\n{body}")
    }

    /// SHA-256 of the central office's recipients and key: what the kit's database records at
    /// init, so an edited kit.toml is noticed.
    pub fn hq_fingerprint(&self) -> String {
        let mut recipients = self.hq_recipients.clone();
        recipients.sort();
        let value = serde_json::json!({"hq_recipients": recipients, "hq_verify_key": self.hq_verify_key});
        crate::packet::sha256_hex(&crate::packet::canonical::to_canonical_json(&value))
    }

    /// The central office's verifying key.
    pub fn hq_verify_key(&self) -> Option<PublicKey> {
        PublicKey::from_text(&self.hq_verify_key).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sample() -> KitConfig {
        KitConfig {
            format: 1,
            centre: "00042".into(),
            kit: "00007".into(),
            county: "047".into(),
            training: false,
            hq_recipients: vec![age::x25519::Identity::generate().to_public().to_string()],
            hq_verify_key: crate::packet::KitKey::from_seed([3; 32]).public().to_hex(),
            upload: None,
            template_retention_days: DEFAULT_TEMPLATE_RETENTION_DAYS,
            time_zone: DEFAULT_TIME_ZONE.into(),
        }
    }

    #[test]
    fn round_trips_and_names_bad_fields() {
        let path = Path::new("kit.toml");
        let config = sample();
        let again: KitConfig = toml::from_str(&config.to_toml()).unwrap();
        assert_eq!(again, config);
        again.validate(path).unwrap();

        let mut bad = config.clone();
        bad.centre = "42".into();
        let e = bad.validate(path).unwrap_err().to_string();
        assert!(e.contains("kit.toml") && e.contains("`centre`"), "{e}");

        let mut bad = config.clone();
        bad.county = "048".into();
        assert!(bad.validate(path).unwrap_err().to_string().contains("`county`"));

        let mut bad = config.clone();
        bad.hq_recipients = vec!["age1nonsense".into()];
        assert!(bad.validate(path).unwrap_err().to_string().contains("`hq_recipients`"));

        let mut bad = config;
        bad.time_zone = "Nairobi".into();
        let e = bad.validate(path).unwrap_err().to_string();
        assert!(e.contains("`time_zone`") && e.contains("Africa/Nairobi"), "says what to write: {e}");
    }

    #[test]
    fn a_kit_toml_from_before_the_time_zone_reads_as_kenyas() {
        let mut text = sample().to_toml();
        text = text.lines().filter(|l| !l.starts_with("time_zone")).collect::<Vec<_>>().join("\n");
        let old: KitConfig = toml::from_str(&text).unwrap();
        assert_eq!(old.zone(), chrono_tz::Africa::Nairobi);
    }

    #[test]
    fn unknown_keys_are_refused() {
        let text = format!("{}\nsurprise = 1\n", sample().to_toml());
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kit.toml");
        std::fs::write(&path, text).unwrap();
        let e = KitConfig::load(&path).unwrap_err().to_string();
        assert!(e.contains("surprise") && e.contains("kit.toml"), "{e}");
    }
}
