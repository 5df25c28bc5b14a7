//! What can go wrong with an SBI device, typed, each with what the assistant does next.

use super::jws::JwsError;
use crate::domain::notice::Notice;
use crate::interchange::FingerImageError;
use std::time::Duration;
use thiserror::Error;

/// An SBI failure.
#[derive(Debug, Error)]
pub enum SbiError {
    /// No SBI service answered on the port range.
    #[error(
        "no registration device service answered on 127.0.0.1 ports {first}–{last}: start the device's service, check the cable, then look again"
    )]
    NotFound {
        /// First port tried.
        first: u16,
        /// Last port tried.
        last: u16,
    },
    /// The service could not be reached or closed the connection.
    #[error("the device service on port {port} could not be reached: {detail}")]
    Connection {
        /// The port.
        port: u16,
        /// The OS's words.
        detail: String,
    },
    /// No complete answer within the call's time.
    #[error("the device service on port {port} did not answer {what} within {} s", .after.as_secs())]
    Timeout {
        /// The port.
        port: u16,
        /// Which call.
        what: &'static str,
        /// How long.
        after: Duration,
    },
    /// The answer is not HTTP or not the JSON the call expects.
    #[error("the device service on port {port} sent a malformed answer: {detail}")]
    Malformed {
        /// The port.
        port: u16,
        /// What was wrong.
        detail: String,
    },
    /// More bytes than any answer to this call.
    #[error("the device service on port {port} sent more than {limit} bytes")]
    TooLarge {
        /// The port.
        port: u16,
        /// The limit.
        limit: usize,
    },
    /// The device reported an SBI error code.
    #[error("the device reported error {code}: {info}")]
    Device {
        /// The SBI code.
        code: u16,
        /// The device's words (not shown to the assistant as they are).
        info: String,
    },
    /// A signature did not verify or its certificate is not trusted.
    #[error("the device's signed data was refused: {0}")]
    Signature(#[from] JwsError),
    /// The device is not registered (unsigned information).
    #[error("the device is not registered with the device provider: it cannot be used for registration")]
    NotRegistered,
    /// Not the transaction the kit asked for: a replay or a mix-up.
    #[error("the device answered transaction {got}, not {sent}")]
    Transaction {
        /// Sent.
        sent: String,
        /// Received.
        got: String,
    },
    /// The device's timestamp is outside the window around the kit's clock.
    #[error("the device's timestamp {0} is more than 5 minutes from the kit's clock")]
    Timestamp(String),
    /// The hash chain does not link.
    #[error("capture {index}'s hash does not follow from the one before it")]
    Chain {
        /// Which element.
        index: usize,
    },
    /// What came back is not what was asked (count, finger, modality, version, device).
    #[error("the device returned something other than what was asked: {0}")]
    Mismatch(String),
    /// The ISO record inside.
    #[error("the device's finger image is unreadable: {0}")]
    Record(#[from] FingerImageError),
}

impl SbiError {
    /// What the assistant reads, in the language on screen, with the next step.
    pub fn notice(&self) -> Notice {
        match self {
            SbiError::NotFound { first, last } => {
                Notice::new("sbi-error-not-found").number("first", *first).number("last", *last)
            }
            SbiError::Connection { .. } | SbiError::Timeout { .. } => Notice::new("sbi-error-unreachable"),
            SbiError::Device { code, .. } => match code {
                100 => Notice::new("sbi-error-not-registered"),
                110 => Notice::new("sbi-error-not-ready"),
                111 | 703 => Notice::new("sbi-error-busy"),
                101 | 701 | 707 | 708 => Notice::new("sbi-error-no-finger"),
                105 => Notice::new("sbi-error-orientation"),
                103 => Notice::new("sbi-error-tamper"),
                _ => Notice::new("sbi-error-device").number("code", *code),
            },
            SbiError::NotRegistered => Notice::new("sbi-error-not-registered"),
            SbiError::Signature(_) | SbiError::Chain { .. } => Notice::new("sbi-error-untrusted"),
            SbiError::Timestamp(_) => Notice::new("sbi-error-clock"),
            SbiError::Malformed { .. }
            | SbiError::TooLarge { .. }
            | SbiError::Transaction { .. }
            | SbiError::Mismatch(_)
            | SbiError::Record(_) => Notice::new("sbi-error-garbled"),
        }
    }

    /// Whether capturing again can help.
    pub fn retryable(&self) -> bool {
        match self {
            SbiError::Device { code, .. } => matches!(code, 101 | 110 | 111 | 701 | 703 | 707 | 708),
            SbiError::Timeout { .. } | SbiError::Connection { .. } | SbiError::Malformed { .. } => true,
            _ => false,
        }
    }
}

/// The notice keys SBI errors use (each defined in both languages).
pub const NOTICE_KEYS: [&str; 12] = [
    "sbi-error-garbled",
    "sbi-error-not-found",
    "sbi-error-unreachable",
    "sbi-error-not-registered",
    "sbi-error-not-ready",
    "sbi-error-busy",
    "sbi-error-no-finger",
    "sbi-error-orientation",
    "sbi-error-tamper",
    "sbi-error-device",
    "sbi-error-untrusted",
    "sbi-error-clock",
];
