//! The ZFM adapter: finds the module's rate, raises it, waits for a finger, streams the image.

use super::protocol::{self, Instruction, Packet, Pid, confirm, param};
use crate::devices::DeviceError;
use crate::devices::error::ProtocolError;
use crate::devices::link::Link;
use crate::devices::profile::{DeviceProfile, Packing};
use crate::devices::reader::{CancelToken, CaptureProgress, FingerprintReader, RawCapture, ReaderInfo, with_retries};
use crate::domain::biometrics::GreyImage;
use std::time::{Duration, Instant};

/// How often to ask for a finger while none is there.
const FINGER_POLL: Duration = Duration::from_millis(50);
/// The largest data packets the module offers: fewer packets, less framing on the wire.
const PACKET_SIZE_CODE: u8 = 3;

/// An open ZFM module.
pub struct ZfmReader {
    link: Link,
    profile: DeviceProfile,
    info: ReaderInfo,
    packet_size: usize,
}

impl ZfmReader {
    /// Opens the module on `path`: finds its rate, checks the password, raises the rate and
    /// the packet size as far as the module accepts.
    pub fn open(path: &str, profile: &DeviceProfile) -> Result<ZfmReader, DeviceError> {
        let serial = profile
            .serial
            .as_ref()
            .ok_or_else(|| DeviceError::Unsupported(format!("profile {} has no serial settings", profile.id)))?;
        let rates = serial.rates_to_try();
        let link = Link::open(path, rates[0])?;
        let mut reader = ZfmReader {
            link,
            profile: profile.clone(),
            info: ReaderInfo {
                profile: profile.id.clone(),
                serial: path.to_string(),
                baud: None,
                details: String::new(),
            },
            packet_size: 128,
        };
        reader.find_rate(&rates)?;
        reader.raise_rate(&serial.try_bauds)?;
        if reader.set_param(param::PACKET_SIZE, PACKET_SIZE_CODE).is_ok() {
            reader.read_params()?;
        }
        reader.info.baud = Some(reader.link.baud());
        reader.info.details = format!("{}-byte data packets", reader.packet_size);
        tracing::info!(port = path, baud = reader.link.baud(), packet = reader.packet_size, "ZFM module ready");
        Ok(reader)
    }

    fn command(&mut self, instruction: Instruction, params: &[u8]) -> Result<Packet, DeviceError> {
        self.link.send(&protocol::command(instruction, params))?;
        let started = Instant::now();
        let packet = self.link.receive(
            started + instruction.timeout(),
            &format!("{instruction:?}"),
            started,
            protocol::parse,
        )?;
        if packet.address != protocol::DEFAULT_ADDRESS {
            return Err(DeviceError::WrongModule { expected: protocol::DEFAULT_ADDRESS, found: packet.address });
        }
        if packet.pid != Pid::Ack || packet.payload.is_empty() {
            return Err(
                ProtocolError::Unexpected(format!("{:?} packet in answer to {instruction:?}", packet.pid)).into()
            );
        }
        Ok(packet)
    }

    fn expect_ok(&mut self, instruction: Instruction, params: &[u8]) -> Result<Packet, DeviceError> {
        let packet = self.command(instruction, params)?;
        match packet.payload[0] {
            confirm::OK => Ok(packet),
            confirm::WRONG_PASSWORD | confirm::VERIFY_PASSWORD_FIRST => Err(DeviceError::WrongPassword),
            code => Err(DeviceError::Module { code: u32::from(code), meaning: confirm::meaning(code) }),
        }
    }

    /// Tries each rate until the module answers the password check.
    fn find_rate(&mut self, rates: &[u32]) -> Result<(), DeviceError> {
        for &rate in rates {
            self.link.set_baud(rate)?;
            match self.expect_ok(Instruction::VfyPwd, &[0, 0, 0, 0]) {
                Ok(_) => return self.read_params(),
                Err(DeviceError::Timeout { .. } | DeviceError::Protocol(_)) => {
                    self.link.drain(Duration::from_millis(30), Duration::from_millis(200));
                }
                Err(e) => return Err(e),
            }
        }
        Err(DeviceError::NoAnswer { tried: rates.to_vec() })
    }

    fn read_params(&mut self) -> Result<(), DeviceError> {
        let packet = self.expect_ok(Instruction::ReadSysPara, &[])?;
        let block = &packet.payload[1..];
        if block.len() < 16 {
            return Err(ProtocolError::BadLength(block.len()).into());
        }
        let code = u16::from_be_bytes([block[12], block[13]]);
        self.packet_size =
            protocol::packet_size(code).ok_or_else(|| ProtocolError::Unexpected(format!("packet size code {code}")))?;
        Ok(())
    }

    fn set_param(&mut self, number: u8, value: u8) -> Result<(), DeviceError> {
        self.expect_ok(Instruction::SetSysPara, &[number, value]).map(|_| ())
    }

    /// Moves to the fastest rate in `candidates` above the current one that the module accepts,
    /// falling back to the rate that worked when a faster one gets no answer.
    fn raise_rate(&mut self, candidates: &[u32]) -> Result<(), DeviceError> {
        let mut faster: Vec<u32> = candidates.iter().copied().filter(|r| *r > self.link.baud()).collect();
        faster.sort_unstable_by(|a, b| b.cmp(a));
        for rate in faster {
            let old = self.link.baud();
            if let Err(e) = self.set_param(param::BAUD, (rate / 9600) as u8) {
                // A module that refuses the rate outright stays where it works.
                tracing::warn!(rate, error = %e, "the module refused a faster rate");
                continue;
            }
            self.link.set_baud(rate)?;
            match self.read_params() {
                Ok(()) => return Ok(()),
                Err(DeviceError::Timeout { .. } | DeviceError::Protocol(_)) => {
                    tracing::warn!(rate, "the module did not answer at the faster rate; falling back to {old}");
                    self.link.drain(Duration::from_millis(30), Duration::from_millis(200));
                    self.link.set_baud(old)?;
                    self.read_params()?;
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    fn wait_for_finger(
        &mut self,
        progress: &mut dyn FnMut(CaptureProgress),
        cancel: &CancelToken,
    ) -> Result<(), DeviceError> {
        progress(CaptureProgress::WaitingForFinger);
        let limit = self.profile.timeouts.finger();
        let deadline = Instant::now() + limit;
        loop {
            if cancel.is_cancelled() {
                return Err(DeviceError::Cancelled);
            }
            let packet = self.command(Instruction::GenImg, &[])?;
            match packet.payload[0] {
                confirm::OK => return Ok(()),
                confirm::NO_FINGER if Instant::now() < deadline => std::thread::sleep(FINGER_POLL),
                confirm::NO_FINGER => return Err(DeviceError::NoFinger(limit)),
                code => return Err(DeviceError::Module { code: u32::from(code), meaning: confirm::meaning(code) }),
            }
        }
    }

    fn receive_image(
        &mut self,
        progress: &mut dyn FnMut(CaptureProgress),
        cancel: &CancelToken,
    ) -> Result<Vec<u8>, DeviceError> {
        self.expect_ok(Instruction::UpImage, &[])?;
        let expected = self.profile.image_bytes();
        let started = Instant::now();
        let deadline = started + self.profile.timeouts.image();
        // One packet at the slowest rate takes (size + 11) × 10 / 9600 s; allow twice that.
        let per_packet = Duration::from_secs_f64(2.0 * (self.packet_size + protocol::OVERHEAD) as f64 * 10.0 / 9600.0)
            .max(self.profile.timeouts.command());
        let mut data = Vec::with_capacity(expected);
        // A spoiled packet is remembered and the transfer read on to its end packet, so the next
        // command meets a quiet line (the module sends the whole image whatever the host thinks).
        let mut spoiled = None;
        loop {
            if cancel.is_cancelled() {
                return Err(DeviceError::Cancelled);
            }
            let now = Instant::now();
            let packet =
                match self.link.receive((now + per_packet).min(deadline), "image data", now, protocol::parse_frame) {
                    Ok(Ok(packet)) => packet,
                    Ok(Err(bad)) => {
                        spoiled.get_or_insert(bad);
                        continue;
                    }
                    // Framing lost before the end: the caller drains the line.
                    Err(e) => return Err(spoiled.map_or(e, DeviceError::from)),
                };
            if spoiled.is_some() {
                if packet.pid == Pid::End {
                    break;
                }
                continue;
            }
            match packet.pid {
                Pid::Data | Pid::End => data.extend_from_slice(&packet.payload),
                other => return Err(ProtocolError::Unexpected(format!("{other:?} packet inside an image")).into()),
            }
            if data.len() > expected {
                return Err(ProtocolError::ImageTooLarge { got: data.len(), expected }.into());
            }
            progress(CaptureProgress::Receiving { done: data.len(), total: expected });
            if packet.pid == Pid::End {
                break;
            }
        }
        if let Some(bad) = spoiled {
            return Err(bad.into());
        }
        if data.len() < expected {
            return Err(ProtocolError::ImageTooShort { got: data.len(), expected }.into());
        }
        Ok(data)
    }

    fn capture_once(
        &mut self,
        progress: &mut dyn FnMut(CaptureProgress),
        cancel: &CancelToken,
    ) -> Result<RawCapture, DeviceError> {
        self.wait_for_finger(progress, cancel)?;
        progress(CaptureProgress::Capturing);
        let data = match self.receive_image(progress, cancel) {
            Ok(data) => data,
            Err(e) => {
                // The module may still be sending the rest of the image: let it finish first.
                self.link.drain(Duration::from_millis(100), self.profile.timeouts.image());
                return Err(e);
            }
        };
        let pixels = match self.profile.image.packing {
            Some(Packing::FourBit) => protocol::unpack_4bit(&data),
            _ => data,
        };
        let image = GreyImage::new(self.profile.image.width, self.profile.image.height, pixels)
            .map_err(|e| ProtocolError::Unexpected(e.to_string()))?;
        Ok(RawCapture { image, dpi: self.profile.image.dpi.unwrap_or(500) })
    }
}

impl FingerprintReader for ZfmReader {
    fn info(&self) -> &ReaderInfo {
        &self.info
    }

    fn capture(
        &mut self,
        progress: &mut dyn FnMut(CaptureProgress),
        cancel: &CancelToken,
    ) -> Result<RawCapture, DeviceError> {
        with_retries(progress, |p| self.capture_once(p, cancel))
    }
}
