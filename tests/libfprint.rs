//! The libfprint adapter against libfprint's own `virtual_image` driver: the test feeds images
//! and retry/error/removal commands over the driver's socket, the adapter captures through the
//! real library, exactly as it would from a U.are.U reader.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a panic is a failure with its line

use enroll_kit::biometrics::synthetic::typical_print;
use enroll_kit::devices::libfprint::{self, LibfprintReader};
use enroll_kit::devices::{CancelToken, DeviceError, FingerprintReader};
use std::io::Write;
use std::os::unix::net::UnixStream;
use std::path::Path;

fn connect(socket: &Path) -> UnixStream {
    // libfprint listens once the device is opened; the open is what this waits on.
    loop {
        if let Ok(s) = UnixStream::connect(socket) {
            return s;
        }
        std::thread::yield_now();
    }
}

fn send(stream: &mut UnixStream, a: i32, b: i32, pixels: &[u8]) {
    stream.write_all(&a.to_ne_bytes()).unwrap();
    stream.write_all(&b.to_ne_bytes()).unwrap();
    stream.write_all(pixels).unwrap();
}

fn capture(reader: &mut LibfprintReader) -> Result<enroll_kit::devices::RawCapture, DeviceError> {
    reader.capture(&mut |_| {}, &CancelToken::new())
}

#[test]
fn a_capture_through_libfprints_virtual_image_device_with_every_command_the_driver_has() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("virtual-image.sock");
    // SAFETY: before any other thread of this binary (which holds this one test) reads the
    // environment; libfprint reads it when it enumerates.
    unsafe { std::env::set_var("FP_VIRTUAL_IMAGE", &socket) };
    let found = libfprint::list().unwrap();
    assert!(found.iter().any(|f| f.driver == "virtual_image"), "{found:?}");
    let mut reader = LibfprintReader::open("libfprint-virtual", "virtual_image").unwrap();
    assert!(reader.info().details.contains("virtual_image"));
    let mut feed = connect(&socket);

    // A U.are.U 4500-sized print, then one of another size: each comes back whole.
    for (w, h, seed) in [(384u32, 290u32, 7u64), (300, 400, 8)] {
        let print = typical_print(seed, 0, w, h);
        send(&mut feed, w as i32, h as i32, print.pixels());
        let got = capture(&mut reader).unwrap();
        assert_eq!(got.image, print, "the pixels as sent");
        assert_eq!(got.dpi, 500);
    }
    // A retry request (too short): the finger was lifted, and a retry may help.
    send(&mut feed, -1, 1, &[]);
    let e = capture(&mut reader).unwrap_err();
    assert!(matches!(e, DeviceError::FingerLifted) && e.retryable(), "{e}");
    // Cancelled while waiting for a finger: the assistant pressed Cancel.
    let cancel = CancelToken::new();
    cancel.cancel();
    let e = reader.capture(&mut |_| {}, &cancel).unwrap_err();
    assert!(matches!(e, DeviceError::Cancelled), "{e}");
    // After the cancel the reader still works.
    let print = typical_print(9, 0, 384, 290);
    send(&mut feed, 384, 290, print.pixels());
    assert_eq!(capture(&mut reader).unwrap().image, print);
    // A protocol error from the device's session: a typed error that says the reader failed.
    send(&mut feed, -2, 5, &[]);
    let e = capture(&mut reader).unwrap_err();
    assert!(matches!(e, DeviceError::Unsupported(ref m) if m.contains("failed to capture")), "{e}");
    // The reader unplugged mid-capture.
    send(&mut feed, -5, 0, &[]);
    let e = capture(&mut reader).unwrap_err();
    assert!(matches!(e, DeviceError::Disconnected), "{e}");
}
