//! Face checks beside the live preview: a worker thread checks the newest camera frame, one
//! after another, and reports each result with the frame it judged; after enough passing frames
//! in a row the photo takes itself.

use crate::biometrics::face::{FaceChecker, FaceReport, check_rgb};
use crate::devices::camera::RgbFrame;
use crate::devices::camera::worker::FrameSource;
use crate::domain::notice::Notice;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// Passing frames in a row before the photo takes itself.
pub const AUTO_CAPTURE_FRAMES: u32 = 3;

/// A checked frame.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The camera's frame number.
    pub seq: u64,
    /// The frame.
    pub frame: RgbFrame,
    /// What the checks found.
    pub report: FaceReport,
    /// Passing frames in a row, this one included (0 when it failed).
    pub streak: u32,
    /// Frames this worker has checked, this one included.
    pub checks: u64,
}

/// What the worker shares with the screen.
#[derive(Default)]
struct Shared {
    last: Option<Checked>,
    error: Option<crate::domain::notice::Notice>,
}

/// The face-check thread; it stops when dropped.
pub struct FaceCheckWorker {
    shared: Arc<Mutex<Shared>>,
    stop: Arc<AtomicBool>,
}

impl FaceCheckWorker {
    /// Starts checking the frames of `source`; `wake` is called after each check.
    pub fn start(source: FrameSource, wake: impl Fn() + Send + 'static) -> FaceCheckWorker {
        let shared = Arc::new(Mutex::new(Shared::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let (sh, st) = (Arc::clone(&shared), Arc::clone(&stop));
        let spawned = std::thread::Builder::new().name("face-checks".into()).spawn(move || {
            let mut checker = match FaceChecker::new() {
                Ok(c) => c,
                Err(e) => {
                    if let Ok(mut s) = sh.lock() {
                        s.error = Some(Notice::new("face-checks-failed").text("detail", e));
                    }
                    return;
                }
            };
            let (mut seen, mut streak, mut checks) = (0u64, 0u32, 0u64);
            while !st.load(Ordering::Relaxed) {
                // Woken by the camera; the limit only lets a stop be seen while the camera is silent.
                let Some((seq, frame)) = source.wait_since(seen, std::time::Duration::from_millis(100)) else {
                    if source.ended() {
                        // A camera opened again is a new source, with checks of its own.
                        return;
                    }
                    continue;
                };
                seen = seq;
                let Some(report) = check_rgb(&mut checker, frame.width, frame.height, &frame.rgb) else { continue };
                streak = if report.passed() { streak + 1 } else { 0 };
                checks += 1;
                let Ok(mut s) = sh.lock() else { return };
                s.last = Some(Checked { seq, frame, report, streak, checks });
                drop(s);
                wake();
            }
        });
        if let Err(e) = spawned
            && let Ok(mut s) = shared.lock()
        {
            s.error = Some(Notice::new("face-checks-failed").text("detail", e.to_string()));
        }
        FaceCheckWorker { shared, stop }
    }

    /// The newest checked frame, if it is newer than frame number `seen` (copies only then).
    pub fn checked_since(&self, seen: u64) -> Option<Checked> {
        self.shared.lock().ok().and_then(|s| s.last.as_ref().filter(|c| c.seq > seen).cloned())
    }

    /// Why the checks are not running, if they are not.
    pub fn error(&self) -> Option<crate::domain::notice::Notice> {
        self.shared.lock().ok().and_then(|s| s.error.clone())
    }
}

impl Drop for FaceCheckWorker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}
