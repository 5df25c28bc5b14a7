//! A ZFM module on a pseudo-terminal: the same bytes an R307 sends, at its line rate.

use super::protocol::{self, DEFAULT_ADDRESS, Instruction, Packet, Pid, confirm, param};
use crate::devices::profile::{DeviceProfile, Packing};
use crate::devices::sim::{Faults, ImageSource, SimHandle, SimModule, SimPort, serve};
use crate::domain::biometrics::GreyImage;
use std::time::Instant;

/// How the simulated module behaves.
#[derive(Debug, Clone)]
pub struct ZfmSimConfig {
    /// Image width.
    pub width: u32,
    /// Image height.
    pub height: u32,
    /// Pixel packing on the wire.
    pub packing: Packing,
    /// The rate the module starts at.
    pub baud: u32,
    /// Data packet size code at start (2 = 128 bytes, the factory setting).
    pub packet_size_code: u16,
    /// Send at the line rate (real timings) or as fast as possible (quick tests).
    pub pace: bool,
    /// Where finger images come from.
    pub source: ImageSource,
    /// Injected faults.
    pub faults: Faults,
}

impl ZfmSimConfig {
    /// A module as `profile` describes it, paced, with synthetic prints.
    pub fn from_profile(profile: &DeviceProfile) -> Self {
        ZfmSimConfig {
            width: profile.image.width,
            height: profile.image.height,
            packing: profile.image.packing.unwrap_or(Packing::FourBit),
            baud: profile.serial.as_ref().map_or(57600, |s| s.baud),
            packet_size_code: 2,
            pace: true,
            source: ImageSource::Synthetic(1),
            faults: Faults::default(),
        }
    }
}

/// The simulator.
pub struct ZfmSim;

struct State {
    config: ZfmSimConfig,
    baud: u32,
    packet_size_code: u16,
    image: Option<GreyImage>,
    captures: u32,
    transfers: u32,
    waiting_since: Option<Instant>,
    unplugged: bool,
}

impl ZfmSim {
    /// Starts a simulated module on a new pseudo-terminal; its path is `handle.path()`.
    pub fn start(config: ZfmSimConfig) -> std::io::Result<SimHandle> {
        let port = SimPort::open()?;
        Ok(SimHandle::spawn(port, move |mut port, stop| {
            let mut state = State {
                baud: config.baud,
                packet_size_code: config.packet_size_code,
                config,
                image: None,
                captures: 0,
                transfers: 0,
                waiting_since: None,
                unplugged: false,
            };
            serve(&mut port, &mut state, &stop);
        }))
    }
}

impl SimModule for State {
    type Packet = Packet;

    fn parse(input: &[u8]) -> Result<Option<(Self::Packet, usize)>, crate::devices::error::ProtocolError> {
        protocol::parse(input)
    }

    fn handle(&mut self, port: &mut SimPort, packet: Packet) -> std::io::Result<()> {
        handle(port, self, &packet)
    }

    fn baud(&self) -> u32 {
        self.baud
    }

    fn silent(&self) -> bool {
        self.config.faults.silent
    }

    fn unplugged(&self) -> bool {
        self.unplugged
    }
}

fn ack(port: &mut SimPort, state: &State, code: u8, params: &[u8]) -> std::io::Result<()> {
    let mut payload = vec![code];
    payload.extend_from_slice(params);
    let address = state.config.faults.module_address.unwrap_or(DEFAULT_ADDRESS);
    port.send(&protocol::encode(address, Pid::Ack, &payload), state.baud, state.config.pace)
}

fn handle(port: &mut SimPort, state: &mut State, packet: &Packet) -> std::io::Result<()> {
    if packet.pid != Pid::Command {
        return Ok(());
    }
    let Some(instruction) = packet.payload.first().copied().and_then(Instruction::from_byte) else {
        return ack(port, state, confirm::RECEIVE_ERROR, &[]);
    };
    let params = &packet.payload[1..];
    match instruction {
        Instruction::VfyPwd => {
            let code = if state.config.faults.wrong_password { confirm::WRONG_PASSWORD } else { confirm::OK };
            ack(port, state, code, &[])
        }
        Instruction::ReadSysPara => {
            let mut block = Vec::with_capacity(16);
            for word in [0u16, 0x0009, 1000, 3] {
                block.extend_from_slice(&word.to_be_bytes());
            }
            block.extend_from_slice(&DEFAULT_ADDRESS.to_be_bytes());
            block.extend_from_slice(&state.packet_size_code.to_be_bytes());
            block.extend_from_slice(&((state.baud / 9600) as u16).to_be_bytes());
            ack(port, state, confirm::OK, &block)
        }
        Instruction::SetSysPara => match params {
            [param::BAUD, _] if state.config.faults.refuse_rate_change => ack(port, state, confirm::BAD_REGISTER, &[]),
            [param::BAUD, n @ 1..=12] => {
                // The module answers at the old rate, then switches.
                ack(port, state, confirm::OK, &[])?;
                let wanted = 9600 * u32::from(*n);
                if state.config.faults.max_baud.is_none_or(|max| wanted <= max) {
                    state.baud = wanted;
                }
                Ok(())
            }
            [param::PACKET_SIZE, code @ 0..=3] => {
                state.packet_size_code = u16::from(*code);
                ack(port, state, confirm::OK, &[])
            }
            _ => ack(port, state, confirm::BAD_REGISTER, &[]),
        },
        Instruction::GenImg => {
            let since = *state.waiting_since.get_or_insert_with(Instant::now);
            if since.elapsed() < state.config.faults.no_finger_for {
                return ack(port, state, confirm::NO_FINGER, &[]);
            }
            state.waiting_since = None;
            state.image = Some(state.config.source.image(state.captures, state.config.width, state.config.height));
            state.captures += 1;
            ack(port, state, confirm::OK, &[])
        }
        Instruction::UpImage => {
            let Some(image) = state.image.clone() else {
                return ack(port, state, confirm::UPLOAD_FAIL, &[]);
            };
            ack(port, state, confirm::OK, &[])?;
            send_image(port, state, &image)
        }
    }
}

fn send_image(port: &mut SimPort, state: &mut State, image: &GreyImage) -> std::io::Result<()> {
    let data = match state.config.packing {
        Packing::FourBit => protocol::pack_4bit(image.pixels()),
        Packing::EightBit => image.pixels().to_vec(),
    };
    let size = protocol::packet_size(state.packet_size_code).unwrap_or(128);
    let faults = state.config.faults.clone();
    let spoiled = faults.spoils(state.transfers);
    state.transfers += 1;
    let chunks: Vec<&[u8]> = data.chunks(size).collect();
    let mut sent_bytes = 0;
    for (i, chunk) in chunks.iter().enumerate() {
        let pid = if i + 1 == chunks.len() { Pid::End } else { Pid::Data };
        if spoiled && faults.drop_packet == Some(i) {
            continue;
        }
        let mut bytes = protocol::encode(state.config.faults.module_address.unwrap_or(DEFAULT_ADDRESS), pid, chunk);
        if spoiled && faults.bad_checksum_packet == Some(i) {
            let last = bytes.len() - 1;
            bytes[last] ^= 0x5A;
        }
        if spoiled && let Some(limit) = faults.disconnect_after {
            let room = limit.saturating_sub(sent_bytes);
            if room < chunk.len() {
                // Part of a packet, then nothing: the cable came out.
                port.send(&bytes[..room.min(bytes.len())], state.baud, state.config.pace)?;
                state.unplugged = true;
                return Ok(());
            }
        }
        port.send(&bytes, state.baud, state.config.pace)?;
        sent_bytes += chunk.len();
    }
    Ok(())
}
