//! What every protocol simulator shares: a pseudo-terminal, byte pacing at the line rate,
//! an image source, and the faults a trainer or a test can inject.

use crate::biometrics::synthetic::typical_print;
use crate::domain::biometrics::GreyImage;
use serialport::{SerialPort, TTYPort};
use std::io::{ErrorKind, Read, Write};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Faults a simulator injects on request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Faults {
    /// Report "no finger" for this long after each capture starts.
    pub no_finger_for: Duration,
    /// Corrupt the checksum of this image data packet (0-based).
    pub bad_checksum_packet: Option<usize>,
    /// Leave out this image data packet (0-based).
    pub drop_packet: Option<usize>,
    /// Stop sending, as if unplugged, after this many image bytes.
    pub disconnect_after: Option<usize>,
    /// Refuse the password (ZFM).
    pub wrong_password: bool,
    /// Never answer anything.
    pub silent: bool,
    /// Acknowledge a rate change above this but stay at the old rate.
    pub max_baud: Option<u32>,
    /// Answer any rate change with an error code, as some clone modules do.
    pub refuse_rate_change: bool,
    /// How many image transfers the packet faults spoil; `None` = all.
    pub spoil_transfers: Option<u32>,
    /// Answer from this module address instead of the default (ZFM: another module on the line).
    pub module_address: Option<u32>,
}

impl Faults {
    /// Whether transfer number `n` (0-based) is spoiled by the packet faults.
    pub fn spoils(&self, n: u32) -> bool {
        self.spoil_transfers.is_none_or(|limit| n < limit)
    }
}

/// Where a simulator's finger images come from.
#[derive(Debug, Clone)]
pub enum ImageSource {
    /// The synthetic generator, a new finger per capture from this seed.
    Synthetic(u64),
    /// Images read from a folder, in name order, round and round.
    Images(Vec<GreyImage>),
}

/// The PNG and JPEG files in `folder`, in name order; an error names the folder when it has none.
pub fn image_paths(folder: &Path) -> Result<Vec<std::path::PathBuf>, String> {
    let mut paths: Vec<_> = std::fs::read_dir(folder)
        .map_err(|e| format!("cannot read the image folder {}: {e}", folder.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| matches!(x.to_ascii_lowercase().as_str(), "png" | "jpg" | "jpeg"))
        })
        .collect();
    paths.sort();
    if paths.is_empty() {
        return Err(format!("{} holds no PNG or JPEG images", folder.display()));
    }
    Ok(paths)
}

impl ImageSource {
    /// Loads every PNG/JPEG in `folder` as 8-bit grey.
    pub fn from_folder(folder: &Path) -> Result<ImageSource, String> {
        let paths = image_paths(folder)?;
        let mut images = Vec::new();
        for path in &paths {
            let img =
                image::open(path).map_err(|e| format!("{} is not a readable image: {e}", path.display()))?.to_luma8();
            let (w, h) = img.dimensions();
            images.push(GreyImage::new(w, h, img.into_raw()).map_err(|e| e.to_string())?);
        }
        Ok(ImageSource::Images(images))
    }

    /// Image number `n`, fitted to `width`×`height` (centred; cropped or padded white).
    pub fn image(&self, n: u32, width: u32, height: u32) -> GreyImage {
        match self {
            ImageSource::Synthetic(seed) => typical_print(seed.wrapping_add(u64::from(n)), 0, width, height),
            ImageSource::Images(list) => fit(&list[n as usize % list.len()], width, height),
        }
    }
}

fn fit(src: &GreyImage, width: u32, height: u32) -> GreyImage {
    let mut out = vec![255u8; (width * height) as usize];
    let (sw, sh) = (src.width() as i64, src.height() as i64);
    let (dx, dy) = ((sw - i64::from(width)) / 2, (sh - i64::from(height)) / 2);
    for y in 0..i64::from(height) {
        for x in 0..i64::from(width) {
            let (sx, sy) = (x + dx, y + dy);
            if (0..sw).contains(&sx) && (0..sh).contains(&sy) {
                out[(y * i64::from(width) + x) as usize] = src.pixels()[(sy * sw + sx) as usize];
            }
        }
    }
    #[allow(clippy::expect_used)] // `out` was made width × height long above
    GreyImage::new(width, height, out).expect("one pixel per x and y")
}

/// The simulator's end of a pseudo-terminal pair.
pub struct SimPort {
    master: TTYPort,
    // Held so the line stays up while the adapter closes and reopens the slave.
    _slave: TTYPort,
    path: String,
    stop: Arc<AtomicBool>,
}

impl SimPort {
    /// Opens a new pseudo-terminal pair.
    pub fn open() -> std::io::Result<SimPort> {
        let (mut master, slave) = TTYPort::pair().map_err(std::io::Error::other)?;
        master.set_timeout(Duration::from_millis(10)).map_err(std::io::Error::other)?;
        let path = slave.name().ok_or_else(|| std::io::Error::other("the pseudo-terminal has no name"))?;
        Ok(SimPort { master, _slave: slave, path, stop: Arc::new(AtomicBool::new(false)) })
    }

    /// The flag that stops the simulator: [`SimHandle::spawn`] takes it.
    pub fn stop_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.stop)
    }

    /// The path the adapter opens.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The rate the host side has set on the line.
    pub fn host_baud(&self) -> Option<u32> {
        self.master.baud_rate().ok()
    }

    /// Reads what is there (waits up to 10 ms).
    pub fn read_some(&mut self, buf: &mut Vec<u8>) -> std::io::Result<()> {
        let mut chunk = [0u8; 512];
        match self.master.read(&mut chunk) {
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == ErrorKind::TimedOut || e.kind() == ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
        Ok(())
    }

    /// Writes all of `bytes`, waiting as long as the host takes to read them. The pseudo-terminal
    /// holds a few KB; an unpaced image fills it and the write waits for the host. A module on a
    /// real line never gives up because the host is slow, so neither does this (a busy machine
    /// once made a 10 ms write timeout look like an unplugged cable); only a stop ends the wait.
    fn write_patiently(&mut self, mut bytes: &[u8]) -> std::io::Result<()> {
        while !bytes.is_empty() {
            match self.master.write(bytes) {
                Ok(0) => return Err(std::io::Error::new(ErrorKind::WriteZero, "the pseudo-terminal took nothing")),
                Ok(n) => bytes = &bytes[n..],
                Err(e) if matches!(e.kind(), ErrorKind::TimedOut | ErrorKind::WouldBlock | ErrorKind::Interrupted) => {
                    if self.stop.load(Ordering::Relaxed) {
                        return Err(std::io::Error::new(ErrorKind::Interrupted, "the simulator was stopped"));
                    }
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Writes bytes at `baud` (8N1: ten bit-times a byte) when pacing, else at once.
    pub fn send(&mut self, bytes: &[u8], baud: u32, pace: bool) -> std::io::Result<()> {
        if !pace {
            return self.write_patiently(bytes);
        }
        let start = Instant::now();
        let per_byte = Duration::from_secs_f64(10.0 / f64::from(baud));
        let mut sent = 0;
        // Small chunks keep the stream smooth; the schedule is absolute so sleeps don't drift.
        for chunk in bytes.chunks(64) {
            self.write_patiently(chunk)?;
            sent += chunk.len();
            let due = start + per_byte * sent as u32;
            if let Some(wait) = due.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
        }
        Ok(())
    }
}

/// A running simulator thread.
pub struct SimHandle {
    path: String,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl SimHandle {
    /// Starts `run` on its own thread with the port and its stop flag.
    pub fn spawn(port: SimPort, run: impl FnOnce(SimPort, Arc<AtomicBool>) + Send + 'static) -> SimHandle {
        let (path, stop) = (port.path().to_string(), port.stop_flag());
        let flag = Arc::clone(&stop);
        let thread = std::thread::Builder::new().name("device-simulator".into()).spawn(move || run(port, flag)).ok();
        SimHandle { path, stop, thread }
    }

    /// The pseudo-terminal path the adapter opens.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Whether the simulator still runs.
    pub fn running(&self) -> bool {
        self.thread.as_ref().is_some_and(|t| !t.is_finished())
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Whether the module can understand the host: a PTY carries no real timing, so the
/// simulator compares the rates and, like a real UART, hears only garbage when they differ.
fn rates_match(port: &SimPort, module_baud: u32) -> bool {
    port.host_baud().is_none_or(|host| host == module_baud)
}

/// A simulated module: how it frames packets and answers them.
pub trait SimModule {
    /// A decoded packet from the host.
    type Packet;
    /// Parses one packet from the front of the input (as the family's protocol parser does).
    fn parse(input: &[u8]) -> Result<Option<(Self::Packet, usize)>, crate::devices::error::ProtocolError>;
    /// Answers one packet.
    fn handle(&mut self, port: &mut SimPort, packet: Self::Packet) -> std::io::Result<()>;
    /// The rate the module is at.
    fn baud(&self) -> u32;
    /// Whether it ignores everything (the "never answers" fault).
    fn silent(&self) -> bool;
    /// Whether it was "unplugged" (the simulator then stops and the line goes down).
    fn unplugged(&self) -> bool;
}

/// Runs a module on its port until stopped or unplugged: reads what the host sends, drops
/// bytes it cannot frame (resynchronising on the next header, as modules do), answers packets.
pub fn serve<M: SimModule>(port: &mut SimPort, module: &mut M, stop: &AtomicBool) {
    let mut input = Vec::new();
    while !stop.load(Ordering::Relaxed) && !module.unplugged() {
        if port.read_some(&mut input).is_err() {
            return;
        }
        if module.silent() || !rates_match(port, module.baud()) {
            input.clear();
            continue;
        }
        loop {
            match M::parse(&input) {
                Ok(None) => break,
                Err(_) => {
                    input.remove(0);
                }
                Ok(Some((packet, used))) => {
                    input.drain(..used);
                    if module.handle(port, packet).is_err() {
                        return;
                    }
                }
            }
        }
    }
}
