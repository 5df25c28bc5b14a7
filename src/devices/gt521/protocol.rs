//! The GT-521 packet formats and commands (reference/devices.md §2). Little-endian throughout.
//!
//! Command and response: `55 AA | device 01 00 | parameter (4) | command or response (2) | checksum (2)`.
//! Data: `5A A5 | device 01 00 | data (N) | checksum (2)`, N known from the command that asked.
//! Checksums are the 16-bit sum of every byte before them.

use crate::devices::error::ProtocolError;
use std::time::Duration;

/// Command/response packet header.
pub const COMMAND_HEADER: [u8; 2] = [0x55, 0xAA];
/// Data packet header.
pub const DATA_HEADER: [u8; 2] = [0x5A, 0xA5];
/// Device id of a single module.
pub const DEVICE_ID: u16 = 0x0001;
/// Command and response packets are always this long.
pub const PACKET_LEN: usize = 12;
/// Framing around data: header 2, device id 2, checksum 2.
pub const DATA_OVERHEAD: usize = 6;
/// Response code: acknowledged.
pub const ACK: u16 = 0x30;
/// Response code: refused, parameter holds the error.
pub const NACK: u16 = 0x31;
/// Bytes of the extra data Open(1) sends: firmware version, ISO area size, 16-byte serial.
pub const OPEN_INFO_LEN: usize = 24;

/// The commands this kit sends.
#[repr(u16)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// Start talking; parameter 1 asks for the device info data packet.
    Open = 0x01,
    /// Stop talking.
    Close = 0x02,
    /// Change the line rate; parameter = baud. The answer comes at the old rate.
    ChangeBaudRate = 0x04,
    /// Backlight on (1) or off (0); images need it on.
    CmosLed = 0x12,
    /// Parameter of the answer is 0 when a finger is on the glass.
    IsPressFinger = 0x26,
    /// Take an image; parameter 1 = best image (slower), 0 = fast.
    CaptureFinger = 0x60,
    /// Send the captured image: 202×258 8-bit pixels in one data packet.
    GetImage = 0x62,
}

impl Command {
    /// How long the module may take to answer.
    pub fn timeout(self) -> Duration {
        match self {
            Command::CaptureFinger => Duration::from_millis(3000),
            Command::Open | Command::ChangeBaudRate => Duration::from_millis(1000),
            Command::Close | Command::CmosLed | Command::IsPressFinger | Command::GetImage => {
                Duration::from_millis(500)
            }
        }
    }

    /// The command for a code received by a simulator.
    pub fn from_code(code: u16) -> Option<Command> {
        use Command::*;
        [Open, Close, ChangeBaudRate, CmosLed, IsPressFinger, CaptureFinger, GetImage]
            .into_iter()
            .find(|c| *c as u16 == code)
    }
}

/// NACK error codes.
pub mod error_code {
    /// Capture timeout.
    pub const TIMEOUT: u32 = 0x1001;
    /// Invalid baud rate.
    pub const INVALID_BAUD: u32 = 0x1002;
    /// Bad finger.
    pub const BAD_FINGER: u32 = 0x100C;
    /// Command not supported.
    pub const NOT_SUPPORTED: u32 = 0x100E;
    /// Invalid parameter.
    pub const INVALID_PARAM: u32 = 0x1011;
    /// Finger not pressed.
    pub const FINGER_NOT_PRESSED: u32 = 0x1012;

    /// What a code means, for messages.
    pub fn meaning(code: u32) -> &'static str {
        match code {
            TIMEOUT => "timeout",
            INVALID_BAUD => "invalid baud rate",
            0x1006 => "communication error",
            BAD_FINGER => "bad finger",
            0x100F => "device error",
            0x1010 => "capture cancelled",
            NOT_SUPPORTED => "command not supported",
            INVALID_PARAM => "invalid parameter",
            FINGER_NOT_PRESSED => "finger not pressed",
            _ => "unknown error",
        }
    }
}

fn sum(bytes: &[u8]) -> u16 {
    bytes.iter().fold(0u16, |s, b| s.wrapping_add(u16::from(*b)))
}

/// A command or response packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Packet {
    /// The parameter (or the error code of a NACK).
    pub param: u32,
    /// The command, or ACK/NACK.
    pub code: u16,
}

/// Encodes a command or response packet.
pub fn encode(param: u32, code: u16) -> [u8; PACKET_LEN] {
    let mut out = [0u8; PACKET_LEN];
    out[0..2].copy_from_slice(&COMMAND_HEADER);
    out[2..4].copy_from_slice(&DEVICE_ID.to_le_bytes());
    out[4..8].copy_from_slice(&param.to_le_bytes());
    out[8..10].copy_from_slice(&code.to_le_bytes());
    let checksum = sum(&out[..10]);
    out[10..12].copy_from_slice(&checksum.to_le_bytes());
    out
}

/// Encodes a data packet.
pub fn encode_data(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + DATA_OVERHEAD);
    out.extend_from_slice(&DATA_HEADER);
    out.extend_from_slice(&DEVICE_ID.to_le_bytes());
    out.extend_from_slice(data);
    let checksum = sum(&out);
    out.extend_from_slice(&checksum.to_le_bytes());
    out
}

fn check_header(buf: &[u8], header: [u8; 2]) -> Result<(), ProtocolError> {
    for (i, want) in header.iter().enumerate() {
        if let Some(&b) = buf.get(i)
            && b != *want
        {
            return Err(ProtocolError::BadHeader { found: b });
        }
    }
    Ok(())
}

/// Parses a command or response packet from the front of `buf` (see `zfm::protocol::parse`).
pub fn parse(buf: &[u8]) -> Result<Option<(Packet, usize)>, ProtocolError> {
    check_header(buf, COMMAND_HEADER)?;
    if buf.len() < PACKET_LEN {
        return Ok(None);
    }
    let received = u16::from_le_bytes([buf[10], buf[11]]);
    let computed = sum(&buf[..10]);
    if computed != received {
        return Err(ProtocolError::Checksum { computed, received });
    }
    let device = u16::from_le_bytes([buf[2], buf[3]]);
    if device != DEVICE_ID {
        return Err(ProtocolError::Unexpected(format!("device id {device:#06x}")));
    }
    let param = u32::from_le_bytes([buf[4], buf[5], buf[6], buf[7]]);
    let code = u16::from_le_bytes([buf[8], buf[9]]);
    Ok(Some((Packet { param, code }, PACKET_LEN)))
}

/// Parses a data packet of `len` data bytes from the front of `buf`.
pub fn parse_data(buf: &[u8], len: usize) -> Result<Option<(Vec<u8>, usize)>, ProtocolError> {
    check_header(buf, DATA_HEADER)?;
    let total = len + DATA_OVERHEAD;
    if buf.len() < total {
        return Ok(None);
    }
    let received = u16::from_le_bytes([buf[total - 2], buf[total - 1]]);
    let computed = sum(&buf[..total - 2]);
    if computed != received {
        return Err(ProtocolError::Checksum { computed, received });
    }
    Ok(Some((buf[4..4 + len].to_vec(), total)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn commands_match_the_reference_bytes() {
        assert_eq!(hex(&encode(1, Command::Open as u16)), "55 AA 01 00 01 00 00 00 01 00 02 01");
        assert_eq!(hex(&encode(1, Command::CmosLed as u16)), "55 AA 01 00 01 00 00 00 12 00 13 01");
        assert_eq!(hex(&encode(0, Command::GetImage as u16)), "55 AA 01 00 00 00 00 00 62 00 62 01");
    }

    #[test]
    fn round_trips_and_rejects_damage() {
        let bytes = encode(0x1012, NACK);
        assert_eq!(parse(&bytes), Ok(Some((Packet { param: 0x1012, code: NACK }, 12))));
        assert_eq!(parse(&bytes[..11]), Ok(None));
        let mut bad = bytes;
        bad[5] ^= 1;
        assert!(matches!(parse(&bad), Err(ProtocolError::Checksum { .. })));
        let data = encode_data(&[9, 8, 7]);
        assert_eq!(parse_data(&data, 3), Ok(Some((vec![9, 8, 7], 9))));
        assert_eq!(parse_data(&data[..8], 3), Ok(None));
        assert!(matches!(parse_data(&bytes, 3), Err(ProtocolError::BadHeader { found: 0x55 })));
    }

    /// Property test: random streams never panic either parser; accepted packets re-encode exactly.
    #[test]
    fn random_streams_never_panic() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0x521);
        let mut accepted = 0;
        for round in 0..40_000u32 {
            let len = rng.random_range(0..40);
            let mut buf: Vec<u8> = (0..len).map(|_| rng.random()).collect();
            if round % 2 == 0 && buf.len() >= 12 {
                let p = encode(rng.random(), rng.random());
                buf[..12].copy_from_slice(&p);
                if round % 4 == 0 {
                    let i = rng.random_range(0..12);
                    buf[i] = rng.random();
                }
            }
            if let Ok(Some((packet, used))) = parse(&buf) {
                accepted += 1;
                assert_eq!(encode(packet.param, packet.code)[..], buf[..used]);
            }
            let n = rng.random_range(0..30);
            if let Ok(Some((data, used))) = parse_data(&buf, n) {
                assert_eq!(encode_data(&data)[..], buf[..used]);
            }
        }
        assert!(accepted > 1000, "{accepted}");
    }
}
