//! The camera on a worker thread: the UI asks for the latest frame and never waits on the device.

use super::{Camera, CameraInfo, RgbFrame};
use crate::devices::DeviceError;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// What the worker last saw.
#[derive(Debug, Clone, Default)]
pub struct Latest {
    /// The newest frame and its number.
    pub frame: Option<(u64, RgbFrame)>,
    /// The error that stopped the camera, if one did.
    pub error: Option<String>,
}

/// What the camera thread and its readers share: the newest frame, and a signal when it changes.
#[derive(Default)]
struct Shared {
    latest: Mutex<Latest>,
    changed: Condvar,
}

/// The newest frame of a running camera, shareable between threads.
#[derive(Clone)]
pub struct FrameSource(Arc<Shared>);

impl FrameSource {
    /// The newest frame if it is newer than frame number `seen`.
    pub fn frame_since(&self, seen: u64) -> Option<(u64, RgbFrame)> {
        let latest = self.0.latest.lock().ok()?;
        latest.frame.as_ref().filter(|(n, _)| *n > seen).cloned()
    }

    /// Waits up to `limit` for a frame newer than `seen` (or the camera's end); woken by the
    /// camera thread, not by polling.
    pub fn wait_since(&self, seen: u64, limit: Duration) -> Option<(u64, RgbFrame)> {
        let latest = self.0.latest.lock().ok()?;
        let (latest, _) = self
            .0
            .changed
            .wait_timeout_while(latest, limit, |l| {
                l.error.is_none() && l.frame.as_ref().is_none_or(|(n, _)| *n <= seen)
            })
            .ok()?;
        latest.frame.as_ref().filter(|(n, _)| *n > seen).cloned()
    }

    /// Whether the camera stopped with an error (no frame will come from this source again).
    pub fn ended(&self) -> bool {
        self.0.latest.lock().map_or(true, |l| l.error.is_some())
    }

    /// Whether both are the same running camera (a reopened camera is another source).
    pub fn same_as(&self, other: &FrameSource) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// A camera running on its own thread.
pub struct CameraWorker {
    shared: Arc<Shared>,
    stop: Arc<AtomicBool>,
    info: CameraInfo,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl CameraWorker {
    /// Starts reading frames from `open()`'s camera on a new thread; the camera is opened
    /// there too, since some backends tie a device to the thread that opened it.
    pub fn start<C: Camera + 'static>(
        open: impl FnOnce() -> Result<C, DeviceError> + Send + 'static,
    ) -> Result<CameraWorker, DeviceError> {
        let shared = Arc::new(Shared::default());
        let stop = Arc::new(AtomicBool::new(false));
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (l, s) = (Arc::clone(&shared), Arc::clone(&stop));
        let thread = std::thread::Builder::new()
            .name("camera".into())
            .spawn(move || {
                let mut camera = match open() {
                    Ok(c) => {
                        let _ = ready_tx.send(Ok(c.info().clone()));
                        c
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                let mut n = 0;
                while !s.load(Ordering::Relaxed) {
                    let result = camera.frame();
                    let Ok(mut latest) = l.latest.lock() else { return };
                    let ended = match result {
                        Ok(frame) => {
                            n += 1;
                            latest.frame = Some((n, frame));
                            false
                        }
                        Err(e) => {
                            latest.error = Some(e.to_string());
                            true
                        }
                    };
                    drop(latest);
                    l.changed.notify_all();
                    if ended {
                        return;
                    }
                }
            })
            .map_err(|e| DeviceError::Source(format!("could not start the camera thread: {e}")))?;
        let info =
            ready_rx.recv().map_err(|_| DeviceError::Source("the camera thread stopped while opening".into()))??;
        Ok(CameraWorker { shared, stop, info, thread: Some(thread) })
    }

    /// What the camera is.
    pub fn info(&self) -> &CameraInfo {
        &self.info
    }

    /// The newest frame if it is newer than frame number `seen` (copies only when there is one).
    pub fn frame_since(&self, seen: u64) -> Option<(u64, RgbFrame)> {
        self.source().frame_since(seen)
    }

    /// A handle on the newest frame that another thread can keep (the face checks' worker).
    pub fn source(&self) -> FrameSource {
        FrameSource(Arc::clone(&self.shared))
    }

    /// The newest frame and any error, without waiting.
    pub fn latest(&self) -> Latest {
        self.shared.latest.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

impl Drop for CameraWorker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::devices::camera::replay::ReplayCamera;

    #[test]
    fn the_worker_delivers_frames_without_the_caller_waiting() {
        let frames = vec![
            RgbFrame { width: 2, height: 1, rgb: vec![0; 6] },
            RgbFrame { width: 2, height: 1, rgb: vec![255; 6] },
        ];
        let worker = CameraWorker::start(move || ReplayCamera::new("replay", "test", frames, 50)).unwrap();
        assert!(worker.frame_since(u64::MAX).is_none(), "asking never waits");
        let source = worker.source();
        let mut seen = 0;
        // Woken by each frame; the long limit only turns a hang into a failure.
        while seen < 3 {
            seen = source.wait_since(seen, Duration::from_secs(600)).expect("frames keep coming").0;
        }
        assert_eq!(worker.info().profile, "replay");
        let failed = CameraWorker::start(|| ReplayCamera::new("replay", "none", vec![], 10));
        assert!(failed.is_err());
    }
}
