//! Device errors: every failure a reader can have, typed, with whether a retry can help.

use crate::domain::notice::Notice;
use std::time::Duration;
use thiserror::Error;

/// A malformed packet from a device: every byte from a device is untrusted.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ProtocolError {
    /// The packet does not start with the family's header.
    #[error("a packet started with {found:#04x} where the header was expected")]
    BadHeader {
        /// The byte found.
        found: u8,
    },
    /// A length field is impossible for this family.
    #[error("a packet claims a length of {0} bytes, which this module never sends")]
    BadLength(usize),
    /// The checksum does not match.
    #[error("packet checksum mismatch (computed {computed:#06x}, received {received:#06x})")]
    Checksum {
        /// What the bytes sum to.
        computed: u16,
        /// What the packet says.
        received: u16,
    },
    /// A packet of a kind not expected at this point.
    #[error("unexpected packet: {0}")]
    Unexpected(String),
    /// More image data than the profile's image holds.
    #[error("the module sent more image data ({got} bytes) than a {expected}-byte image")]
    ImageTooLarge {
        /// Bytes received.
        got: usize,
        /// Bytes expected.
        expected: usize,
    },
    /// The image ended short.
    #[error("the image ended after {got} of {expected} bytes")]
    ImageTooShort {
        /// Bytes received.
        got: usize,
        /// Bytes expected.
        expected: usize,
    },
}

/// Why a device operation failed.
#[derive(Debug, Error)]
pub enum DeviceError {
    /// The port could not be opened.
    #[error("cannot open {port}: {detail}. Check the cable, and that this user may use serial ports (group dialout)")]
    Open {
        /// The port.
        port: String,
        /// The OS's words.
        detail: String,
    },
    /// The device did not answer in time.
    #[error("the reader did not answer {what} within {} ms: check the cable and the power, then retry", .after.as_millis())]
    Timeout {
        /// What was waited for.
        what: String,
        /// How long.
        after: Duration,
    },
    /// Nobody put a finger on the reader.
    #[error("no finger on the reader after {} s: place the finger flat on the glass and retry", .0.as_secs())]
    NoFinger(Duration),
    /// The finger left the glass before the image was taken.
    #[error("the finger was lifted too soon: keep it on the glass until the capture completes")]
    FingerLifted,
    /// The bytes were wrong.
    #[error("garbled data from the reader: {0}. Retry the capture; if it keeps happening, check the cable")]
    Protocol(#[from] ProtocolError),
    /// The module reported an error code.
    #[error("the reader reported an error: {meaning} (code {code:#x})")]
    Module {
        /// The module's code.
        code: u32,
        /// What it means.
        meaning: &'static str,
    },
    /// The module refused the password.
    #[error(
        "the reader refused the password: its password was changed; set the right one in the device profile or reset the module"
    )]
    WrongPassword,
    /// The module answered at no rate tried.
    #[error(
        "no answer from the reader at {tried:?} baud: check the cable and the power, and that the profile fits the device"
    )]
    NoAnswer {
        /// Rates tried.
        tried: Vec<u32>,
    },
    /// The device went away.
    #[error("the reader was disconnected: plug it back in and retry")]
    Disconnected,
    /// A module answered from another address than the kit speaks to.
    #[error(
        "the reader answered as module {found:#010x}, not {expected:#010x}: another module is on this port, or this one \
         was set to another address; check that the cable goes to the kit's reader, or reset the module"
    )]
    WrongModule {
        /// The address the kit sends to.
        expected: u32,
        /// The address the answer came from.
        found: u32,
    },
    /// The operator cancelled.
    #[error("capture cancelled")]
    Cancelled,
    /// The profile does not fit the operation.
    #[error("{0}")]
    Unsupported(String),
    /// Reading images from a folder failed.
    #[error("{0}")]
    Source(String),
}

impl DeviceError {
    /// What the assistant is told, in the language on screen, with the next step.
    pub fn notice(&self) -> Notice {
        match self {
            DeviceError::Open { port, detail } => {
                Notice::new("device-error-open").text("port", port.as_str()).text("detail", detail.as_str())
            }
            DeviceError::Timeout { after, .. } => {
                Notice::new("device-error-timeout").number("ms", after.as_millis().min(u128::from(u32::MAX)) as u32)
            }
            DeviceError::NoFinger(after) => Notice::new("device-error-no-finger").number("seconds", after.as_secs()),
            DeviceError::FingerLifted => Notice::new("device-error-finger-lifted"),
            DeviceError::Protocol(e) => Notice::new("device-error-garbled").text("detail", e.to_string()),
            DeviceError::Module { code, meaning } => {
                Notice::new("device-error-module").text("meaning", *meaning).text("code", format!("{code:#x}"))
            }
            DeviceError::WrongPassword => Notice::new("device-error-password"),
            DeviceError::NoAnswer { tried } => Notice::new("device-error-no-answer")
                .text("rates", tried.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")),
            DeviceError::Disconnected => Notice::new("device-error-disconnected"),
            DeviceError::WrongModule { found, .. } => {
                Notice::new("device-error-wrong-module").text("found", format!("{found:#010x}"))
            }
            DeviceError::Cancelled => Notice::new("device-error-cancelled"),
            DeviceError::Unsupported(what) | DeviceError::Source(what) => {
                Notice::new("device-error-other").text("detail", what.as_str())
            }
        }
    }

    /// Whether repeating the capture can help (garbled or missing data, a slow answer).
    pub fn retryable(&self) -> bool {
        matches!(self, DeviceError::Protocol(_) | DeviceError::Timeout { .. } | DeviceError::FingerLifted)
    }
}
