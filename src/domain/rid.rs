//! The registration id (RID): 29 digits, generated offline.
//!
//! centre (5) + kit (5) + daily sequence (5) + UTC `yyyyMMddHHmmss` (14): the same shape the
//! large national platforms use, so an intake can take it as it is.

use chrono::{DateTime, NaiveDateTime, Utc};
use std::fmt;
use thiserror::Error;

/// A five-digit code (centre or kit number), kept as text so leading zeros survive.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Code5(String);

/// Why a five-digit code was refused.
#[derive(Debug, Error, PartialEq, Eq)]
#[error("{what} must be exactly 5 digits (for example 00042), got {got:?}")]
pub struct Code5Error {
    /// Which code it was meant to be ("centre code", "kit number").
    pub what: &'static str,
    /// The text that was given.
    pub got: String,
}

impl Code5 {
    /// Parses a five-digit code; `what` names it in the error.
    pub fn parse(what: &'static str, text: &str) -> Result<Self, Code5Error> {
        if text.len() == 5 && text.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(text.to_string()))
        } else {
            Err(Code5Error { what, got: text.to_string() })
        }
    }

    /// The code as its five digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Code5 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Highest daily sequence number a RID can carry.
pub const MAX_DAILY_SEQUENCE: u32 = 99_999;

/// A registration id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Rid(String);

/// Why a RID could not be made or parsed.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum RidError {
    /// The text is not 29 digits.
    #[error("a registration id is 29 digits, got {0:?}")]
    Shape(String),
    /// The last 14 digits are not a real UTC date and time.
    #[error("registration id {0} does not end in a valid date and time (yyyyMMddHHmmss)")]
    Time(String),
    /// The daily sequence is 0 or above 99999.
    #[error("daily sequence {0} is out of range 1..=99999: the kit has made too many ids today")]
    Sequence(u32),
}

impl Rid {
    /// Makes a RID from its parts.
    pub fn new(centre: &Code5, kit: &Code5, sequence: u32, at: DateTime<Utc>) -> Result<Self, RidError> {
        if sequence == 0 || sequence > MAX_DAILY_SEQUENCE {
            return Err(RidError::Sequence(sequence));
        }
        Ok(Self(format!("{}{}{:05}{}", centre.as_str(), kit.as_str(), sequence, at.format("%Y%m%d%H%M%S"))))
    }

    /// Parses and checks a RID typed or read from outside.
    pub fn parse(text: &str) -> Result<Self, RidError> {
        let text = text.trim();
        if text.len() != 29 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(RidError::Shape(text.to_string()));
        }
        if NaiveDateTime::parse_from_str(&text[15..], "%Y%m%d%H%M%S").is_err() {
            return Err(RidError::Time(text.to_string()));
        }
        let sequence: u32 = text[10..15].parse().map_err(|_| RidError::Shape(text.to_string()))?;
        if sequence == 0 {
            return Err(RidError::Sequence(0));
        }
        Ok(Self(text.to_string()))
    }

    /// The RID's 29 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The centre code part.
    pub fn centre(&self) -> &str {
        &self.0[0..5]
    }

    /// The kit number part.
    pub fn kit(&self) -> &str {
        &self.0[5..10]
    }

    /// The daily sequence part.
    pub fn sequence(&self) -> u32 {
        // Checked to be five digits at construction.
        self.0[10..15].parse().unwrap_or(0)
    }
}

impl fmt::Display for Rid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn codes() -> (Code5, Code5) {
        (Code5::parse("centre code", "00042").unwrap(), Code5::parse("kit number", "00007").unwrap())
    }

    #[test]
    fn builds_the_29_digit_shape() {
        let (centre, kit) = codes();
        let at = Utc.with_ymd_and_hms(2026, 11, 24, 9, 5, 3).unwrap();
        let rid = Rid::new(&centre, &kit, 17, at).unwrap();
        assert_eq!(rid.as_str(), "00042000070001720261124090503");
        assert_eq!(rid.as_str().len(), 29);
        assert_eq!((rid.centre(), rid.kit(), rid.sequence()), ("00042", "00007", 17));
        assert_eq!(Rid::parse(rid.as_str()).unwrap(), rid);
    }

    #[test]
    fn refuses_bad_sequences_and_text() {
        let (centre, kit) = codes();
        let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(Rid::new(&centre, &kit, 0, at), Err(RidError::Sequence(0)));
        assert_eq!(Rid::new(&centre, &kit, 100_000, at), Err(RidError::Sequence(100_000)));
        assert!(matches!(Rid::parse("123"), Err(RidError::Shape(_))));
        assert!(matches!(Rid::parse("0004200007000172026112409050x"), Err(RidError::Shape(_))));
        assert!(matches!(Rid::parse("00042000070001720261340090503"), Err(RidError::Time(_))));
        assert!(Code5::parse("centre code", "4200").is_err());
        assert!(Code5::parse("centre code", "0004a").is_err());
    }
}
