//! The GT-521 adapter: Open, raise the rate, backlight, wait for a finger, best-image capture,
//! GetImage; the rate goes back to the default when the reader is closed.

use super::protocol::{self, ACK, Command, NACK, OPEN_INFO_LEN, Packet, error_code};
use crate::devices::DeviceError;
use crate::devices::error::ProtocolError;
use crate::devices::link::Link;
use crate::devices::profile::DeviceProfile;
use crate::devices::reader::{CancelToken, CaptureProgress, FingerprintReader, RawCapture, ReaderInfo, with_retries};
use crate::domain::biometrics::GreyImage;
use std::time::{Duration, Instant};

/// How often to ask whether a finger is on the glass.
const FINGER_POLL: Duration = Duration::from_millis(50);

/// An open GT-521 module.
pub struct Gt521Reader {
    link: Link,
    profile: DeviceProfile,
    info: ReaderInfo,
    default_baud: u32,
}

impl Gt521Reader {
    /// Opens the module on `path`, finds its rate and raises it as far as it accepts.
    pub fn open(path: &str, profile: &DeviceProfile) -> Result<Gt521Reader, DeviceError> {
        let serial = profile
            .serial
            .as_ref()
            .ok_or_else(|| DeviceError::Unsupported(format!("profile {} has no serial settings", profile.id)))?;
        let rates = serial.rates_to_try();
        let link = Link::open(path, rates[0])?;
        let mut reader = Gt521Reader {
            link,
            profile: profile.clone(),
            info: ReaderInfo {
                profile: profile.id.clone(),
                serial: path.to_string(),
                baud: None,
                details: String::new(),
            },
            default_baud: serial.baud,
        };
        let info = reader.find_rate(&rates)?;
        let firmware = u32::from_le_bytes([info[0], info[1], info[2], info[3]]);
        let serial_no: String = info[8..24].iter().filter(|b| b.is_ascii_graphic()).map(|b| char::from(*b)).collect();
        if !serial_no.is_empty() {
            reader.info.serial = serial_no;
        }
        reader.raise_rate(&serial.try_bauds)?;
        reader.info.baud = Some(reader.link.baud());
        reader.info.details = format!("firmware {firmware:08x}");
        tracing::info!(port = path, baud = reader.link.baud(), "GT-521 module ready");
        Ok(reader)
    }

    fn command(&mut self, command: Command, param: u32) -> Result<Packet, DeviceError> {
        self.link.send(&protocol::encode(param, command as u16))?;
        let started = Instant::now();
        let packet =
            self.link.receive(started + command.timeout(), &format!("{command:?}"), started, protocol::parse)?;
        match packet.code {
            ACK | NACK => Ok(packet),
            other => Err(ProtocolError::Unexpected(format!("response code {other:#06x} to {command:?}")).into()),
        }
    }

    fn expect_ack(&mut self, command: Command, param: u32) -> Result<Packet, DeviceError> {
        let packet = self.command(command, param)?;
        if packet.code == NACK {
            return Err(DeviceError::Module { code: packet.param, meaning: error_code::meaning(packet.param) });
        }
        Ok(packet)
    }

    fn open_info(&mut self) -> Result<Vec<u8>, DeviceError> {
        self.expect_ack(Command::Open, 1)?;
        let started = Instant::now();
        self.link.receive(started + Command::Open.timeout(), "device info", started, |b| {
            protocol::parse_data(b, OPEN_INFO_LEN)
        })
    }

    fn find_rate(&mut self, rates: &[u32]) -> Result<Vec<u8>, DeviceError> {
        for &rate in rates {
            self.link.set_baud(rate)?;
            match self.open_info() {
                Ok(info) => return Ok(info),
                Err(DeviceError::Timeout { .. } | DeviceError::Protocol(_)) => {
                    self.link.drain(Duration::from_millis(30), Duration::from_millis(200));
                }
                Err(e) => return Err(e),
            }
        }
        Err(DeviceError::NoAnswer { tried: rates.to_vec() })
    }

    fn raise_rate(&mut self, candidates: &[u32]) -> Result<(), DeviceError> {
        let mut faster: Vec<u32> = candidates.iter().copied().filter(|r| *r > self.link.baud()).collect();
        faster.sort_unstable_by(|a, b| b.cmp(a));
        for rate in faster {
            let old = self.link.baud();
            if let Err(e) = self.expect_ack(Command::ChangeBaudRate, rate) {
                // A module that refuses the rate outright stays where it works.
                tracing::warn!(rate, error = %e, "the module refused a faster rate");
                continue;
            }
            self.link.set_baud(rate)?;
            match self.expect_ack(Command::Open, 0) {
                Ok(_) => return Ok(()),
                Err(DeviceError::Timeout { .. } | DeviceError::Protocol(_)) => {
                    tracing::warn!(rate, "the module did not answer at the faster rate; falling back to {old}");
                    self.link.drain(Duration::from_millis(30), Duration::from_millis(200));
                    self.link.set_baud(old)?;
                    self.expect_ack(Command::Open, 0)?;
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
            if self.expect_ack(Command::IsPressFinger, 0)?.param == 0 {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(DeviceError::NoFinger(limit));
            }
            std::thread::sleep(FINGER_POLL);
        }
    }

    fn capture_once(
        &mut self,
        progress: &mut dyn FnMut(CaptureProgress),
        cancel: &CancelToken,
    ) -> Result<RawCapture, DeviceError> {
        self.expect_ack(Command::CmosLed, 1)?;
        let result = self.capture_lit(progress, cancel);
        if let Err(e) = &result
            && matches!(e, DeviceError::Protocol(_) | DeviceError::Timeout { .. })
        {
            self.link.drain(Duration::from_millis(100), self.profile.timeouts.image());
        }
        // The backlight goes off whatever happened; a failure here must not hide the first one.
        let _ = self.expect_ack(Command::CmosLed, 0);
        result
    }

    fn capture_lit(
        &mut self,
        progress: &mut dyn FnMut(CaptureProgress),
        cancel: &CancelToken,
    ) -> Result<RawCapture, DeviceError> {
        self.wait_for_finger(progress, cancel)?;
        progress(CaptureProgress::Capturing);
        let capture = self.command(Command::CaptureFinger, 1)?;
        if capture.code == NACK {
            return Err(match capture.param {
                error_code::FINGER_NOT_PRESSED => DeviceError::FingerLifted,
                code => DeviceError::Module { code, meaning: error_code::meaning(code) },
            });
        }
        self.expect_ack(Command::GetImage, 0)?;
        let total = (self.profile.image.width * self.profile.image.height) as usize;
        let started = Instant::now();
        let deadline = started + self.profile.timeouts.image();
        let mut last_seen = 0;
        let mut last_progress = Instant::now();
        // The whole image is one data packet: report progress as its bytes arrive, and give up
        // when they stop coming for longer than a command may take.
        let stall = self.profile.timeouts.command();
        let data = self.link.receive(deadline, "image data", started, |buf| {
            let got = buf.len().saturating_sub(4).min(total);
            if got != last_seen {
                last_seen = got;
                last_progress = Instant::now();
                progress(CaptureProgress::Receiving { done: got, total });
            } else if last_progress.elapsed() > stall {
                return Err(ProtocolError::ImageTooShort { got, expected: total });
            }
            if cancel.is_cancelled() {
                return Err(ProtocolError::Unexpected("cancelled".into()));
            }
            protocol::parse_data(buf, total)
        });
        if cancel.is_cancelled() {
            return Err(DeviceError::Cancelled);
        }
        let data = data?;
        let image = GreyImage::new(self.profile.image.width, self.profile.image.height, data)
            .map_err(|e| ProtocolError::Unexpected(e.to_string()))?;
        Ok(RawCapture { image, dpi: self.profile.image.dpi.unwrap_or(450) })
    }
}

impl FingerprintReader for Gt521Reader {
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

impl Drop for Gt521Reader {
    fn drop(&mut self) {
        // Back to the power-on rate, so the next program to open the module finds it there.
        if self.link.baud() != self.default_baud && self.expect_ack(Command::ChangeBaudRate, self.default_baud).is_ok()
        {
            let _ = self.link.set_baud(self.default_baud);
        }
        let _ = self.command(Command::Close, 0);
    }
}
