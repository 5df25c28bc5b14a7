//! A serial line to a module: reads with deadlines, rate changes, draining after garbage.

use super::DeviceError;
use serialport::SerialPort;
use std::io::{ErrorKind, Read, Write};
use std::time::{Duration, Instant};

/// How long one read call blocks: short, so deadlines and cancels are honoured promptly.
const POLL: Duration = Duration::from_millis(20);

/// An open serial line.
pub struct Link {
    port: Box<dyn SerialPort>,
    name: String,
    baud: u32,
    buffered: Vec<u8>,
}

impl Link {
    /// Opens `path` at `baud`.
    pub fn open(path: &str, baud: u32) -> Result<Link, DeviceError> {
        let port = serialport::new(path, baud)
            .timeout(POLL)
            .open()
            .map_err(|e| DeviceError::Open { port: path.to_string(), detail: e.to_string() })?;
        Ok(Link { port, name: path.to_string(), baud, buffered: Vec::new() })
    }

    /// The port's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The rate in use.
    pub fn baud(&self) -> u32 {
        self.baud
    }

    /// Changes the host side's rate.
    pub fn set_baud(&mut self, baud: u32) -> Result<(), DeviceError> {
        self.port
            .set_baud_rate(baud)
            .map_err(|e| DeviceError::Open { port: self.name.clone(), detail: e.to_string() })?;
        self.baud = baud;
        Ok(())
    }

    /// Sends bytes.
    pub fn send(&mut self, bytes: &[u8]) -> Result<(), DeviceError> {
        self.port.write_all(bytes).and_then(|_| self.port.flush()).map_err(|e| match e.kind() {
            ErrorKind::TimedOut => DeviceError::Timeout { what: "accepting a command".into(), after: POLL },
            _ => DeviceError::Disconnected,
        })
    }

    /// Reads until `parse` yields a value, or fails at `deadline`. `parse` sees every byte
    /// received so far and says how many it used; unused bytes stay for the next call.
    pub fn receive<T, E>(
        &mut self,
        deadline: Instant,
        what: &str,
        started: Instant,
        mut parse: impl FnMut(&[u8]) -> Result<Option<(T, usize)>, E>,
    ) -> Result<T, DeviceError>
    where
        DeviceError: From<E>,
    {
        let mut chunk = [0u8; 1024];
        loop {
            match parse(&self.buffered) {
                Ok(Some((value, used))) => {
                    self.buffered.drain(..used.min(self.buffered.len()));
                    return Ok(value);
                }
                Ok(None) => {}
                Err(e) => {
                    // Whatever was garbled is gone; the next call resynchronises on fresh bytes.
                    self.buffered.clear();
                    return Err(e.into());
                }
            }
            if Instant::now() >= deadline {
                return Err(DeviceError::Timeout { what: what.to_string(), after: deadline - started });
            }
            match self.port.read(&mut chunk) {
                Ok(0) => {}
                Ok(n) => self.buffered.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == ErrorKind::TimedOut || e.kind() == ErrorKind::WouldBlock => {}
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => return Err(DeviceError::Disconnected),
            }
        }
    }

    /// Discards input until the line has been quiet for `quiet` (after garbage or a failed
    /// transfer the module may still be sending), at most `limit`.
    pub fn drain(&mut self, quiet: Duration, limit: Duration) {
        self.buffered.clear();
        let end = Instant::now() + limit;
        let mut last = Instant::now();
        let mut chunk = [0u8; 1024];
        while Instant::now() < end && last.elapsed() < quiet {
            match self.port.read(&mut chunk) {
                Ok(n) if n > 0 => last = Instant::now(),
                Ok(_) => {}
                Err(e) if e.kind() == ErrorKind::TimedOut || e.kind() == ErrorKind::WouldBlock => {}
                Err(_) => break,
            }
        }
        let _ = self.port.clear(serialport::ClearBuffer::Input);
    }
}
