//! A GT-521F52 on a pseudo-terminal: the same bytes, at its line rate.

use super::protocol::{self, ACK, Command, NACK, OPEN_INFO_LEN, error_code};
use crate::devices::profile::DeviceProfile;
use crate::devices::sim::{Faults, ImageSource, SimHandle, SimModule, SimPort, serve};
use crate::domain::biometrics::GreyImage;
use std::time::Instant;

/// How the simulated module behaves.
#[derive(Debug, Clone)]
pub struct Gt521SimConfig {
    /// Image width (202 on a GT-521F52).
    pub width: u32,
    /// Image height (258).
    pub height: u32,
    /// The rate the module starts at (9600 after power-on).
    pub baud: u32,
    /// Send at the line rate or at once.
    pub pace: bool,
    /// Where finger images come from.
    pub source: ImageSource,
    /// Injected faults (the packet faults apply to the one image data packet: index 0).
    pub faults: Faults,
}

impl Gt521SimConfig {
    /// A module as `profile` describes it, paced, with synthetic prints.
    pub fn from_profile(profile: &DeviceProfile) -> Self {
        Gt521SimConfig {
            width: profile.image.width,
            height: profile.image.height,
            baud: profile.serial.as_ref().map_or(9600, |s| s.baud),
            pace: true,
            source: ImageSource::Synthetic(1),
            faults: Faults::default(),
        }
    }
}

/// The simulator.
pub struct Gt521Sim;

struct State {
    config: Gt521SimConfig,
    baud: u32,
    led: bool,
    image: Option<GreyImage>,
    captures: u32,
    transfers: u32,
    waiting_since: Option<Instant>,
    unplugged: bool,
}

impl Gt521Sim {
    /// Starts a simulated module on a new pseudo-terminal.
    pub fn start(config: Gt521SimConfig) -> std::io::Result<SimHandle> {
        let port = SimPort::open()?;
        Ok(SimHandle::spawn(port, move |mut port, stop| {
            let mut state = State {
                baud: config.baud,
                config,
                led: false,
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
    type Packet = protocol::Packet;

    fn parse(input: &[u8]) -> Result<Option<(Self::Packet, usize)>, crate::devices::error::ProtocolError> {
        protocol::parse(input)
    }

    fn handle(&mut self, port: &mut SimPort, packet: protocol::Packet) -> std::io::Result<()> {
        handle(port, self, packet.code, packet.param)
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

fn reply(port: &mut SimPort, state: &State, ok: bool, param: u32) -> std::io::Result<()> {
    port.send(&protocol::encode(param, if ok { ACK } else { NACK }), state.baud, state.config.pace)
}

fn finger_present(state: &mut State) -> bool {
    let since = *state.waiting_since.get_or_insert_with(Instant::now);
    since.elapsed() >= state.config.faults.no_finger_for
}

fn handle(port: &mut SimPort, state: &mut State, code: u16, param: u32) -> std::io::Result<()> {
    let Some(command) = Command::from_code(code) else {
        return reply(port, state, false, error_code::NOT_SUPPORTED);
    };
    match command {
        Command::Open => {
            reply(port, state, true, 0)?;
            if param == 1 {
                let mut info = Vec::with_capacity(OPEN_INFO_LEN);
                info.extend_from_slice(&0x2012_0831u32.to_le_bytes());
                info.extend_from_slice(&0x0000_0400u32.to_le_bytes());
                info.extend_from_slice(b"SIM-GT521F52-001");
                port.send(&protocol::encode_data(&info), state.baud, state.config.pace)?;
            }
            Ok(())
        }
        Command::Close => reply(port, state, true, 0),
        Command::ChangeBaudRate => {
            if state.config.faults.refuse_rate_change || ![9600, 19200, 38400, 57600, 115200].contains(&param) {
                return reply(port, state, false, error_code::INVALID_BAUD);
            }
            reply(port, state, true, 0)?;
            if state.config.faults.max_baud.is_none_or(|max| param <= max) {
                state.baud = param;
            }
            Ok(())
        }
        Command::CmosLed => {
            state.led = param != 0;
            reply(port, state, true, 0)
        }
        Command::IsPressFinger => {
            let present = state.led && finger_present(state);
            reply(port, state, true, if present { 0 } else { 1 })
        }
        Command::CaptureFinger => {
            if !state.led || !finger_present(state) {
                return reply(port, state, false, error_code::FINGER_NOT_PRESSED);
            }
            state.waiting_since = None;
            state.image = Some(state.config.source.image(state.captures, state.config.width, state.config.height));
            state.captures += 1;
            reply(port, state, true, 0)
        }
        Command::GetImage => {
            let Some(image) = state.image.clone() else {
                return reply(port, state, false, error_code::INVALID_PARAM);
            };
            reply(port, state, true, 0)?;
            let faults = state.config.faults.clone();
            let spoiled = faults.spoils(state.transfers);
            state.transfers += 1;
            if spoiled && faults.drop_packet == Some(0) {
                return Ok(());
            }
            let mut bytes = protocol::encode_data(image.pixels());
            if spoiled && faults.bad_checksum_packet == Some(0) {
                let last = bytes.len() - 1;
                bytes[last] ^= 0x5A;
            }
            if spoiled && let Some(limit) = faults.disconnect_after {
                port.send(&bytes[..limit.min(bytes.len())], state.baud, state.config.pace)?;
                state.unplugged = true;
                return Ok(());
            }
            port.send(&bytes, state.baud, state.config.pace)
        }
    }
}
