//! Devices for the GUI: each on a worker thread of its own that reports over a channel, so the
//! UI thread never waits on a device.

// What the window needs of the devices, named here: it draws statuses and frames, it does not drive devices.
use crate::devices::camera::start_camera;
pub use crate::devices::camera::worker::{CameraWorker, FrameSource};
pub use crate::devices::camera::{CameraInfo, RgbFrame};
use crate::devices::factory::{OpenOptions, open_reader};
use crate::devices::profile::Protocol;
use crate::devices::profile::{DeviceProfile, Profiles};
use crate::devices::reader::FingerprintReader;
pub use crate::devices::reader::{CancelToken, CaptureProgress, ReaderInfo};
use crate::domain::notice::Notice;
use crate::workflow::capture::{Scored, score};
use crate::workflow::slap::SlapScanner;
pub use crate::workflow::slap::{SlapRequest, SlapTaken};
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};

/// Where a device stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceStatus<I> {
    /// Opening.
    Connecting,
    /// Open and answering.
    Connected(I),
    /// Could not be opened, with the reason and what to do.
    Failed(Notice),
}

enum ReaderCommand {
    Connect,
    Capture(CancelToken),
    Slap(Box<SlapRequest>),
}

/// What the reader thread reports.
#[derive(Debug)]
pub enum ReaderEvent {
    /// The reader's status changed.
    Status(DeviceStatus<ReaderInfo>),
    /// A capture is under way.
    Progress(CaptureProgress),
    /// A capture ended: the image scored on this thread, or why there is none.
    Captured(Result<Scored, Notice>),
    /// A slap scanner's placement ended: verified, each finger scored, the hand checked.
    Slap(Result<Box<SlapTaken>, Notice>),
}

/// The fingerprint reader, owned by a worker thread.
pub struct ReaderService {
    commands: Sender<ReaderCommand>,
    events: Receiver<ReaderEvent>,
    status: DeviceStatus<ReaderInfo>,
    // Ends when `commands` is dropped with the service.
    _thread: Option<std::thread::JoinHandle<()>>,
}

impl ReaderService {
    /// Starts the worker and asks it to connect; `wake` is called after every event.
    pub fn start(
        profile: DeviceProfile,
        profiles: Profiles,
        options: OpenOptions,
        wake: impl Fn() + Send + 'static,
    ) -> Self {
        let (commands, command_rx) = channel::<ReaderCommand>();
        let (event_tx, events) = channel::<ReaderEvent>();
        let thread = std::thread::Builder::new()
            .name("fingerprint-reader".into())
            .spawn(move || reader_thread(profile, profiles, options, command_rx, event_tx, wake));
        let status = match &thread {
            Ok(_) => DeviceStatus::Connecting,
            Err(e) => DeviceStatus::Failed(Notice::new("device-error-start").text("detail", e.to_string())),
        };
        let _ = commands.send(ReaderCommand::Connect);
        ReaderService { commands, events, status, _thread: thread.ok() }
    }

    /// Takes the events that arrived since the last call, keeping the status current.
    pub fn poll(&mut self) -> Vec<ReaderEvent> {
        let mut out = Vec::new();
        loop {
            match self.events.try_recv() {
                Ok(ReaderEvent::Status(s)) => {
                    self.status = s.clone();
                    out.push(ReaderEvent::Status(s));
                }
                Ok(e) => out.push(e),
                Err(TryRecvError::Empty) => return out,
                Err(TryRecvError::Disconnected) => {
                    self.status = DeviceStatus::Failed(Notice::new("device-error-stopped"));
                    return out;
                }
            }
        }
    }

    /// The reader's status as of the last poll.
    pub fn status(&self) -> &DeviceStatus<ReaderInfo> {
        &self.status
    }

    /// Tries to connect again.
    pub fn retry(&mut self) {
        self.status = DeviceStatus::Connecting;
        let _ = self.commands.send(ReaderCommand::Connect);
    }

    /// Starts a capture; the token cancels it.
    pub fn capture(&self) -> CancelToken {
        let cancel = CancelToken::new();
        let _ = self.commands.send(ReaderCommand::Capture(cancel.clone()));
        cancel
    }

    /// Asks a slap scanner for a placement (the scanner waits for the hand, then answers).
    pub fn slap(&self, request: SlapRequest) {
        let _ = self.commands.send(ReaderCommand::Slap(Box::new(request)));
    }
}

/// What the reader thread holds once connected.
enum Held {
    Reader(crate::devices::factory::OpenReader),
    Scanner(Box<SlapScanner>),
}

fn reader_thread(
    profile: DeviceProfile,
    profiles: Profiles,
    options: OpenOptions,
    commands: Receiver<ReaderCommand>,
    events: Sender<ReaderEvent>,
    wake: impl Fn(),
) {
    let mut reader = None;
    let send = |e: ReaderEvent| {
        let _ = events.send(e);
        wake();
    };
    while let Ok(command) = commands.recv() {
        match command {
            ReaderCommand::Connect => {
                reader = None;
                send(ReaderEvent::Status(DeviceStatus::Connecting));
                let opened = if profile.protocol == Protocol::Sbi {
                    SlapScanner::connect(&profile, options.device_ca.as_deref()).map(|s| Held::Scanner(Box::new(s)))
                } else {
                    open_reader(&profile, &profiles, &options).map(Held::Reader).map_err(|e| e.notice())
                };
                match opened {
                    Ok(held) => {
                        let info = match &held {
                            Held::Reader(r) => r.info().clone(),
                            Held::Scanner(s) => s.info().clone(),
                        };
                        send(ReaderEvent::Status(DeviceStatus::Connected(info)));
                        reader = Some(held);
                    }
                    Err(notice) => send(ReaderEvent::Status(DeviceStatus::Failed(notice))),
                }
            }
            ReaderCommand::Slap(request) => {
                let Some(Held::Scanner(scanner)) = reader.as_ref() else {
                    send(ReaderEvent::Slap(Err(Notice::new("device-error-not-connected"))));
                    continue;
                };
                send(ReaderEvent::Progress(CaptureProgress::WaitingForFinger));
                send(ReaderEvent::Slap(scanner.take(&request).map(Box::new).map_err(|e| e.notice())));
            }
            ReaderCommand::Capture(cancel) => {
                let Some(Held::Reader(r)) = reader.as_mut() else {
                    send(ReaderEvent::Captured(Err(Notice::new("device-error-not-connected"))));
                    continue;
                };
                let result = r.capture(&mut |p| send(ReaderEvent::Progress(p)), &cancel);
                let gone = matches!(result, Err(crate::devices::DeviceError::Disconnected));
                // The capture's end first, then the status: a window that acts on the status (a
                // trainer plugging the reader back in replaces this service) has already heard
                // that the capture in hand ended, and never waits on it.
                send(ReaderEvent::Captured(result.map(score).map_err(|e| e.notice())));
                if gone {
                    reader = None;
                    send(ReaderEvent::Status(DeviceStatus::Failed(Notice::new("device-error-disconnected"))));
                }
            }
        }
    }
}

/// The camera, opened on a worker thread.
pub struct CameraService {
    opening: Option<Receiver<Result<CameraWorker, Notice>>>,
    worker: Option<CameraWorker>,
    status: DeviceStatus<CameraInfo>,
    profile: DeviceProfile,
    images: Option<std::path::PathBuf>,
}

impl CameraService {
    /// Starts opening the camera `profile` describes.
    pub fn start(profile: DeviceProfile, images: Option<std::path::PathBuf>, wake: impl Fn() + Send + 'static) -> Self {
        let mut service =
            CameraService { opening: None, worker: None, status: DeviceStatus::Connecting, profile, images };
        service.open(wake);
        service
    }

    fn open(&mut self, wake: impl Fn() + Send + 'static) {
        let (tx, rx) = channel();
        let (profile, images) = (self.profile.clone(), self.images.clone());
        self.worker = None;
        self.status = DeviceStatus::Connecting;
        self.opening = Some(rx);
        std::thread::spawn(move || {
            let _ = tx.send(start_camera(&profile, images.as_deref(), None).map_err(|e| e.notice()));
            wake();
        });
    }

    /// Picks up the result of opening, if it arrived.
    pub fn poll(&mut self) {
        if let Some(rx) = &self.opening
            && let Ok(result) = rx.try_recv()
        {
            self.opening = None;
            match result {
                Ok(worker) => {
                    self.status = DeviceStatus::Connected(worker.info().clone());
                    self.worker = Some(worker);
                }
                Err(e) => self.status = DeviceStatus::Failed(e),
            }
        }
    }

    /// The camera's status as of the last poll.
    pub fn status(&self) -> &DeviceStatus<CameraInfo> {
        &self.status
    }

    /// Tries to open the camera again.
    pub fn retry(&mut self, wake: impl Fn() + Send + 'static) {
        self.open(wake);
    }

    /// The running camera, when open.
    pub fn worker(&self) -> Option<&CameraWorker> {
        self.worker.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::devices::profile::Profiles;

    /// Waits (on the worker's wake calls, never a clock) for the first event `want` accepts.
    fn next_event(
        service: &mut ReaderService,
        woken: &Receiver<()>,
        want: impl Fn(&ReaderEvent) -> bool,
    ) -> ReaderEvent {
        loop {
            if let Some(e) = service.poll().into_iter().find(|e| want(e)) {
                return e;
            }
            woken.recv().expect("the reader worker is running");
        }
    }

    #[test]
    fn prints_arrive_scored_and_an_unplugged_reader_reports_a_notice_the_window_can_translate() {
        let profiles = Profiles::shipped().unwrap();
        let profile = profiles.get("replay").unwrap().clone();
        let options = OpenOptions { unplug_at_capture: Some(2), ..OpenOptions::default() };
        let (wake, woken) = channel();
        let mut service = ReaderService::start(profile, profiles, options, move || {
            let _ = wake.send(());
        });
        next_event(&mut service, &woken, |e| matches!(e, ReaderEvent::Status(DeviceStatus::Connected(_))));
        // A print arrives scored by the worker: the window only reads the verdict.
        service.capture();
        let ReaderEvent::Captured(Ok(first)) =
            next_event(&mut service, &woken, |e| matches!(e, ReaderEvent::Captured(_)))
        else {
            panic!("the first capture reads a print")
        };
        assert_eq!(first, score(first.capture.clone()), "scored as the gate would");
        assert!(first.quality > 0);
        service.capture();
        // Unplugged: the capture's end comes before the reader's status, in that order.
        let mut seen = Vec::new();
        while !seen.iter().any(|e| matches!(e, ReaderEvent::Status(DeviceStatus::Failed(_)))) {
            let batch = service.poll();
            if batch.is_empty() {
                woken.recv().expect("the reader worker is running");
            }
            seen.extend(batch.into_iter().filter(|e| !matches!(e, ReaderEvent::Progress(_))));
        }
        let keys: Vec<&str> = seen
            .iter()
            .map(|e| match e {
                ReaderEvent::Captured(Err(n)) => n.key,
                ReaderEvent::Status(DeviceStatus::Failed(_)) => "status-failed",
                _ => "other",
            })
            .collect();
        assert_eq!(keys, ["device-error-disconnected", "status-failed"]);
        assert!(
            matches!(service.status(), DeviceStatus::Failed(n) if n.key == "device-error-disconnected"),
            "{:?}",
            service.status()
        );
        // Captured again before Retry: the worker says what to press, not why in English.
        service.capture();
        let ReaderEvent::Captured(again) = next_event(&mut service, &woken, |e| matches!(e, ReaderEvent::Captured(_)))
        else {
            unreachable!()
        };
        assert_eq!(again.err().map(|n| n.key), Some("device-error-not-connected"));
    }
}
