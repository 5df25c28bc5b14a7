//! The ZFM packet format and instruction set (reference/devices.md §1). Big-endian throughout.
//!
//! `EF 01 | address (4) | PID (1) | length (2) = payload + 2 | payload | checksum (2)`, where the
//! checksum is the 16-bit sum of PID, both length bytes and the payload.

use crate::devices::error::ProtocolError;
use std::time::Duration;

/// The two header bytes of every packet.
pub const HEADER: [u8; 2] = [0xEF, 0x01];
/// The address a module answers to when nobody changed it.
pub const DEFAULT_ADDRESS: u32 = 0xFFFF_FFFF;
/// Framing bytes around a payload: header 2, address 4, PID 1, length 2, checksum 2.
pub const OVERHEAD: usize = 11;
/// The largest payload any packet carries (256-byte data packets).
pub const MAX_PAYLOAD: usize = 256;

/// Packet identifiers.
#[repr(u8)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pid {
    /// A command from the host.
    Command = 0x01,
    /// A data packet, more follow.
    Data = 0x02,
    /// The module's answer to a command.
    Ack = 0x07,
    /// The last data packet.
    End = 0x08,
}

impl Pid {
    fn from_byte(b: u8) -> Option<Pid> {
        match b {
            0x01 => Some(Pid::Command),
            0x02 => Some(Pid::Data),
            0x07 => Some(Pid::Ack),
            0x08 => Some(Pid::End),
            _ => None,
        }
    }
}

/// The instructions this kit sends (datasheet §6.4.2).
#[repr(u8)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Instruction {
    /// Take an image into the image buffer if a finger is on the glass.
    GenImg = 0x01,
    /// Send the image buffer to the host as data packets (4-bit pixels over UART).
    UpImage = 0x0A,
    /// Write a system parameter: 4 = baud rate (9600×N), 5 = security level, 6 = packet size code.
    SetSysPara = 0x0E,
    /// Read the 16-byte system parameter block.
    ReadSysPara = 0x0F,
    /// Verify the 4-byte module password.
    VfyPwd = 0x13,
}

impl Instruction {
    /// How long the module may take to answer this instruction.
    pub fn timeout(self) -> Duration {
        match self {
            // Taking an image includes exposure: datasheets give up to ~500 ms.
            Instruction::GenImg => Duration::from_millis(1500),
            Instruction::UpImage => Duration::from_millis(1000),
            // Flash write before the answer.
            Instruction::SetSysPara => Duration::from_millis(1000),
            Instruction::ReadSysPara | Instruction::VfyPwd => Duration::from_millis(500),
        }
    }

    /// The instruction for a byte received by a simulator.
    pub fn from_byte(b: u8) -> Option<Instruction> {
        [Self::GenImg, Self::UpImage, Self::SetSysPara, Self::ReadSysPara, Self::VfyPwd]
            .into_iter()
            .find(|i| *i as u8 == b)
    }
}

/// SetSysPara parameter numbers.
pub mod param {
    /// Baud rate as N, rate = 9600 × N.
    pub const BAUD: u8 = 4;
    /// Data packet size code 0..3 = 32/64/128/256 bytes.
    pub const PACKET_SIZE: u8 = 6;
}

/// Confirmation codes (datasheet §5.2).
pub mod confirm {
    /// Success.
    pub const OK: u8 = 0x00;
    /// The module could not read the packet.
    pub const RECEIVE_ERROR: u8 = 0x01;
    /// No finger on the glass.
    pub const NO_FINGER: u8 = 0x02;
    /// The image could not be taken.
    pub const CAPTURE_FAIL: u8 = 0x03;
    /// The image could not be uploaded.
    pub const UPLOAD_FAIL: u8 = 0x0F;
    /// Wrong password.
    pub const WRONG_PASSWORD: u8 = 0x13;
    /// Invalid register number.
    pub const BAD_REGISTER: u8 = 0x1A;
    /// The password must be verified first.
    pub const VERIFY_PASSWORD_FIRST: u8 = 0x21;

    /// What a code means, for messages.
    pub fn meaning(code: u8) -> &'static str {
        match code {
            OK => "success",
            RECEIVE_ERROR => "the module could not read the command",
            NO_FINGER => "no finger on the glass",
            CAPTURE_FAIL => "the image could not be taken",
            0x06 => "the image is too messy",
            0x07 => "too few feature points",
            0x0E => "cannot receive the following data packets",
            UPLOAD_FAIL => "the image could not be uploaded",
            0x18 => "flash error",
            WRONG_PASSWORD => "wrong password",
            BAD_REGISTER => "invalid register number",
            0x20 => "address error",
            VERIFY_PASSWORD_FIRST => "the password must be verified first",
            _ => "unknown error",
        }
    }
}

/// Data packet payload sizes by packet size code.
pub fn packet_size(code: u16) -> Option<usize> {
    match code {
        0 => Some(32),
        1 => Some(64),
        2 => Some(128),
        3 => Some(256),
        _ => None,
    }
}

/// A decoded packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet {
    /// The module address it carried.
    pub address: u32,
    /// Its kind.
    pub pid: Pid,
    /// Its payload.
    pub payload: Vec<u8>,
}

fn checksum(pid: u8, length: u16, payload: &[u8]) -> u16 {
    let [hi, lo] = length.to_be_bytes();
    payload.iter().fold(u16::from(pid).wrapping_add(u16::from(hi)).wrapping_add(u16::from(lo)), |sum, b| {
        sum.wrapping_add(u16::from(*b))
    })
}

/// Encodes a packet.
pub fn encode(address: u32, pid: Pid, payload: &[u8]) -> Vec<u8> {
    let length = (payload.len() + 2) as u16;
    let mut out = Vec::with_capacity(payload.len() + OVERHEAD);
    out.extend_from_slice(&HEADER);
    out.extend_from_slice(&address.to_be_bytes());
    out.push(pid as u8);
    out.extend_from_slice(&length.to_be_bytes());
    out.extend_from_slice(payload);
    out.extend_from_slice(&checksum(pid as u8, length, payload).to_be_bytes());
    out
}

/// A command packet to the default address.
pub fn command(instruction: Instruction, params: &[u8]) -> Vec<u8> {
    let mut payload = Vec::with_capacity(1 + params.len());
    payload.push(instruction as u8);
    payload.extend_from_slice(params);
    encode(DEFAULT_ADDRESS, Pid::Command, &payload)
}

/// Parses one packet from the front of `buf`.
///
/// `Ok(None)`: more bytes are needed. `Ok(Some((packet, used)))`: a packet and how many bytes
/// it took. `Err`: the bytes at the front are not a valid packet (the caller drops at least one
/// byte and resynchronises on the next header).
pub fn parse(buf: &[u8]) -> Result<Option<(Packet, usize)>, ProtocolError> {
    match parse_frame(buf)? {
        None => Ok(None),
        Some((packet, used)) => packet.map(|p| Some((p, used))),
    }
}

/// A packet whose framing held: its contents, or why they are spoiled.
pub type Framed = Result<Packet, ProtocolError>;

/// Like [`parse`], but a packet whose framing holds and whose checksum does not still says how
/// many bytes it took: inside an image the stream stays in step past one spoiled packet, so the
/// rest of the transfer can be read off by its framing instead of waiting for the line to go quiet.
pub fn parse_frame(buf: &[u8]) -> Result<Option<(Framed, usize)>, ProtocolError> {
    if let Some(&b) = buf.first()
        && b != HEADER[0]
    {
        return Err(ProtocolError::BadHeader { found: b });
    }
    if let Some(&b) = buf.get(1)
        && b != HEADER[1]
    {
        return Err(ProtocolError::BadHeader { found: b });
    }
    if buf.len() < 9 {
        return Ok(None);
    }
    let address = u32::from_be_bytes([buf[2], buf[3], buf[4], buf[5]]);
    let pid = Pid::from_byte(buf[6])
        .ok_or_else(|| ProtocolError::Unexpected(format!("packet identifier {:#04x}", buf[6])))?;
    let length = u16::from_be_bytes([buf[7], buf[8]]);
    let payload_len = usize::from(length).checked_sub(2).ok_or(ProtocolError::BadLength(usize::from(length)))?;
    if payload_len == 0 || payload_len > MAX_PAYLOAD {
        return Err(ProtocolError::BadLength(payload_len));
    }
    let total = 9 + payload_len + 2;
    if buf.len() < total {
        return Ok(None);
    }
    let payload = &buf[9..9 + payload_len];
    let received = u16::from_be_bytes([buf[total - 2], buf[total - 1]]);
    let computed = checksum(buf[6], length, payload);
    if computed != received {
        return Ok(Some((Err(ProtocolError::Checksum { computed, received }), total)));
    }
    Ok(Some((Ok(Packet { address, pid, payload: payload.to_vec() }), total)))
}

/// Expands 4-bit packed pixels (upper nibble first) to 8 bits.
pub fn unpack_4bit(packed: &[u8]) -> Vec<u8> {
    packed.iter().flat_map(|b| [(b >> 4) * 17, (b & 0x0F) * 17]).collect()
}

/// Packs 8-bit pixels into 4 bits each, upper nibble first (what the module sends).
pub fn pack_4bit(pixels: &[u8]) -> Vec<u8> {
    pixels.chunks(2).map(|p| (p[0] & 0xF0) | (p.get(1).copied().unwrap_or(0) >> 4)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn commands_match_the_datasheet_bytes() {
        assert_eq!(hex(&command(Instruction::GenImg, &[])), "EF 01 FF FF FF FF 01 00 03 01 00 05");
        assert_eq!(hex(&command(Instruction::UpImage, &[])), "EF 01 FF FF FF FF 01 00 03 0A 00 0E");
        assert_eq!(hex(&command(Instruction::ReadSysPara, &[])), "EF 01 FF FF FF FF 01 00 03 0F 00 13");
        assert_eq!(
            hex(&command(Instruction::VfyPwd, &[0, 0, 0, 0])),
            "EF 01 FF FF FF FF 01 00 07 13 00 00 00 00 00 1B"
        );
        assert_eq!(hex(&command(Instruction::SetSysPara, &[6, 3])), "EF 01 FF FF FF FF 01 00 05 0E 06 03 00 1D");
    }

    #[test]
    fn parses_what_it_encodes_and_asks_for_more_when_short() {
        let bytes = encode(DEFAULT_ADDRESS, Pid::Data, &[1, 2, 3]);
        let (packet, used) = parse(&bytes).unwrap().unwrap();
        assert_eq!((packet.pid, packet.payload.as_slice(), used), (Pid::Data, &[1u8, 2, 3][..], bytes.len()));
        for cut in 0..bytes.len() {
            assert_eq!(parse(&bytes[..cut]), Ok(None), "cut at {cut}");
        }
        let mut bad = bytes.clone();
        bad[10] ^= 1;
        assert!(matches!(parse(&bad), Err(ProtocolError::Checksum { .. })));
        assert!(matches!(parse(&[0x55, 0xAA]), Err(ProtocolError::BadHeader { found: 0x55 })));
        let mut long = bytes;
        long[7] = 0x10;
        assert!(matches!(parse(&long), Err(ProtocolError::BadLength(_))));
    }

    #[test]
    fn a_spoiled_packet_keeps_the_stream_in_step() {
        let mut stream = encode(DEFAULT_ADDRESS, Pid::Data, &[1, 2, 3]);
        let last = stream.len() - 1;
        stream[last] ^= 0x5A;
        let first = stream.len();
        stream.extend(encode(DEFAULT_ADDRESS, Pid::End, &[4, 5]));
        let (spoiled, used) = parse_frame(&stream).unwrap().unwrap();
        assert!(matches!(spoiled, Err(ProtocolError::Checksum { .. })));
        assert_eq!(used, first, "the spoiled packet's own length, no more");
        let (next, _) = parse_frame(&stream[used..]).unwrap().unwrap();
        assert_eq!(next.map(|p| (p.pid, p.payload)), Ok((Pid::End, vec![4, 5])));
    }

    #[test]
    fn nibbles_round_trip() {
        let pixels: Vec<u8> = (0..=255).collect();
        let unpacked = unpack_4bit(&pack_4bit(&pixels));
        assert_eq!(unpacked.len(), 256);
        assert!(pixels.iter().zip(&unpacked).all(|(a, b)| (a >> 4) == (b >> 4)));
        assert_eq!(unpack_4bit(&[0xF0]), vec![255, 0]);
    }

    /// Property test: random byte streams never panic the parser, and whatever it accepts
    /// re-encodes to exactly the bytes it consumed.
    #[test]
    fn random_streams_never_panic_and_accepted_packets_round_trip() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0x2F_4D);
        let mut accepted = 0;
        for round in 0..40_000u32 {
            let len = rng.random_range(0..300);
            let mut buf: Vec<u8> = (0..len).map(|_| rng.random()).collect();
            if round % 3 == 0 && buf.len() > 9 {
                // Bias towards plausible packets so the deep paths run too.
                buf[0] = 0xEF;
                buf[1] = 0x01;
                buf[6] = [1u8, 2, 7, 8][rng.random_range(0..4)];
                let n = rng.random_range(0..buf.len() as u16);
                buf[7..9].copy_from_slice(&n.to_be_bytes());
                if round % 6 == 0 {
                    let payload = buf[9..].to_vec();
                    buf = encode(
                        u32::from_be_bytes([buf[2], buf[3], buf[4], buf[5]]),
                        Pid::Data,
                        &payload[..payload.len().min(MAX_PAYLOAD)],
                    );
                }
            }
            if let Ok(Some((packet, used))) = parse(&buf) {
                accepted += 1;
                assert_eq!(encode(packet.address, packet.pid, &packet.payload), buf[..used]);
            }
        }
        assert!(accepted > 100, "the generator reached valid packets: {accepted}");
    }
}
