//! Everyday USB readers (DigitalPersona U.are.U 4000/4500 and the other image devices) through
//! libfprint 2, loaded at run time: a kit without libfprint installed still starts, and says so
//! when such a reader is chosen. Only the dozen functions the kit needs are bound.
//!
//! libfprint's `_sync` calls iterate GLib's default main context; the kit drives one reader at
//! a time from the thread that owns it, which is what that requires.

use super::DeviceError;
use super::reader::{CancelToken, CaptureProgress, FingerprintReader, RawCapture, ReaderInfo};
use crate::domain::biometrics::GreyImage;
use std::ffi::{CStr, c_char, c_void};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// The library file the kit loads.
pub const LIBRARY: &str = "libfprint-2.so.2";
/// The largest image taken from a driver (libfprint's virtual device refuses more than 5000).
const MAX_SIDE: u32 = 5_000;

#[repr(C)]
struct GError {
    domain: u32,
    code: i32,
    message: *const c_char,
}

#[repr(C)]
struct GPtrArray {
    pdata: *mut *mut c_void,
    len: u32,
}

type Obj = *mut c_void;
type Sync3 = unsafe extern "C" fn(Obj, Obj, *mut *mut GError) -> i32;

struct Api {
    context_new: unsafe extern "C" fn() -> Obj,
    context_get_devices: unsafe extern "C" fn(Obj) -> *mut GPtrArray,
    device_get_driver: unsafe extern "C" fn(Obj) -> *const c_char,
    device_get_device_id: unsafe extern "C" fn(Obj) -> *const c_char,
    device_get_name: unsafe extern "C" fn(Obj) -> *const c_char,
    device_open_sync: Sync3,
    device_close_sync: Sync3,
    device_capture_sync: unsafe extern "C" fn(Obj, i32, Obj, *mut *mut GError) -> Obj,
    image_get_width: unsafe extern "C" fn(Obj) -> u32,
    image_get_height: unsafe extern "C" fn(Obj) -> u32,
    image_get_ppmm: unsafe extern "C" fn(Obj) -> f64,
    image_get_data: unsafe extern "C" fn(Obj, *mut usize) -> *const u8,
    object_unref: unsafe extern "C" fn(Obj),
    error_free: unsafe extern "C" fn(*mut GError),
    quark_to_string: unsafe extern "C" fn(u32) -> *const c_char,
    cancellable_new: unsafe extern "C" fn() -> Obj,
    cancellable_cancel: unsafe extern "C" fn(Obj),
    // Held last: the pointers above are valid while it is loaded.
    _library: libloading::Library,
}

fn text(p: *const c_char) -> String {
    if p.is_null() {
        return String::new();
    }
    // SAFETY: libfprint and GLib return NUL-terminated strings they own for the call's duration.
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}

/// The library, loaded once and never unloaded: GLib types cannot be registered twice in a
/// process, so a second load after an unload would fail.
fn api() -> Result<&'static Api, DeviceError> {
    static API: std::sync::OnceLock<Result<Api, String>> = std::sync::OnceLock::new();
    match API.get_or_init(|| Api::load().map_err(|e| e.to_string())) {
        Ok(api) => Ok(api),
        Err(e) => Err(DeviceError::Unsupported(e.clone())),
    }
}

impl Api {
    fn load() -> Result<Api, DeviceError> {
        let unavailable = |e: libloading::Error| {
            DeviceError::Unsupported(format!(
                "libfprint is not available ({e}): install the libfprint-2-2 package to use this reader"
            ))
        };
        // SAFETY: loading libfprint runs its (and GLib's) initialisers, which have no
        // preconditions; every symbol below is looked up with its documented C signature.
        unsafe {
            let library = libloading::Library::new(LIBRARY).map_err(unavailable)?;
            macro_rules! sym {
                ($name:literal) => {
                    *library.get(concat!($name, "\0").as_bytes()).map_err(unavailable)?
                };
            }
            Ok(Api {
                context_new: sym!("fp_context_new"),
                context_get_devices: sym!("fp_context_get_devices"),
                device_get_driver: sym!("fp_device_get_driver"),
                device_get_device_id: sym!("fp_device_get_device_id"),
                device_get_name: sym!("fp_device_get_name"),
                device_open_sync: sym!("fp_device_open_sync"),
                device_close_sync: sym!("fp_device_close_sync"),
                device_capture_sync: sym!("fp_device_capture_sync"),
                image_get_width: sym!("fp_image_get_width"),
                image_get_height: sym!("fp_image_get_height"),
                image_get_ppmm: sym!("fp_image_get_ppmm"),
                image_get_data: sym!("fp_image_get_data"),
                object_unref: sym!("g_object_unref"),
                error_free: sym!("g_error_free"),
                quark_to_string: sym!("g_quark_to_string"),
                cancellable_new: sym!("g_cancellable_new"),
                cancellable_cancel: sym!("g_cancellable_cancel"),
                _library: library,
            })
        }
    }

    /// Takes a GError out, frees it, and says what it means for the assistant.
    fn error(&self, error: *mut GError, doing: &str) -> DeviceError {
        if error.is_null() {
            return DeviceError::Unsupported(format!("libfprint failed {doing} without saying why"));
        }
        // SAFETY: a non-null GError set by libfprint; freed once, here.
        let (domain, code, message) = unsafe {
            let e = &*error;
            let out = (text((self.quark_to_string)(e.domain)), e.code, text(e.message));
            (self.error_free)(error);
            out
        };
        map_error(&domain, code, &message, doing)
    }
}

/// What a libfprint error means (the codes of FpDeviceRetry, FpDeviceError and GIOError).
fn map_error(domain: &str, code: i32, message: &str, doing: &str) -> DeviceError {
    // libfprint names its quarks "fp - device - retry - quark"; GLib's have no spaces.
    let squashed: String = domain.chars().filter(|c| !c.is_whitespace()).collect();
    match (squashed.as_str(), code) {
        // Retry codes: too short a swipe, finger off-centre, remove and place again.
        ("fp-device-retry-quark", _) => DeviceError::FingerLifted,
        // FP_DEVICE_ERROR_REMOVED is 0x100; BUSY is 4.
        ("fp-device-error-quark", 0x100) => DeviceError::Disconnected,
        ("fp-device-error-quark", 4) => DeviceError::Open {
            port: "libfprint".into(),
            detail: "the reader is busy (is fprintd running? stop it)".into(),
        },
        ("g-io-error-quark", 19) => DeviceError::Cancelled,
        _ => DeviceError::Unsupported(format!("the reader failed {doing}: {message} ({domain} {code})")),
    }
}

/// A device libfprint enumerated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Its driver ("uru4000", "virtual_image").
    pub driver: String,
    /// libfprint's id for it.
    pub id: String,
    /// Its name.
    pub name: String,
}

struct Context {
    api: &'static Api,
    ctx: Obj,
}

impl Context {
    fn new() -> Result<Context, DeviceError> {
        let api = api()?;
        // SAFETY: fp_context_new has no preconditions and returns a new reference.
        let ctx = unsafe { (api.context_new)() };
        if ctx.is_null() {
            return Err(DeviceError::Unsupported("libfprint could not start".into()));
        }
        Ok(Context { api, ctx })
    }

    fn devices(&self) -> Vec<(Obj, Found)> {
        // SAFETY: the array and its devices belong to the context, which outlives this call.
        unsafe {
            let array = (self.api.context_get_devices)(self.ctx);
            if array.is_null() || (*array).pdata.is_null() {
                return Vec::new();
            }
            let items = std::slice::from_raw_parts((*array).pdata, (*array).len as usize);
            items
                .iter()
                .map(|&dev| {
                    let found = Found {
                        driver: text((self.api.device_get_driver)(dev)),
                        id: text((self.api.device_get_device_id)(dev)),
                        name: text((self.api.device_get_name)(dev)),
                    };
                    (dev, found)
                })
                .collect()
        }
    }
}

impl Drop for Context {
    fn drop(&mut self) {
        // SAFETY: the reference fp_context_new returned, released once.
        unsafe { (self.api.object_unref)(self.ctx) }
    }
}

/// The image devices libfprint sees now.
pub fn list() -> Result<Vec<Found>, DeviceError> {
    Ok(Context::new()?.devices().into_iter().map(|(_, f)| f).collect())
}

/// An open libfprint reader.
pub struct LibfprintReader {
    context: Context,
    device: Obj,
    info: ReaderInfo,
}

// SAFETY: the reader's GObjects are used only by the thread that holds the reader (it moves to
// the capture worker whole); GObject reference counting is thread-safe.
unsafe impl Send for LibfprintReader {}

impl LibfprintReader {
    /// Opens the first device of `driver` for profile `profile`.
    pub fn open(profile: &str, driver: &str) -> Result<LibfprintReader, DeviceError> {
        let context = Context::new()?;
        let (device, found) = context.devices().into_iter().find(|(_, f)| f.driver == driver).ok_or_else(|| {
            DeviceError::Open { port: format!("libfprint {driver}"), detail: "no such reader is plugged in".into() }
        })?;
        let mut error: *mut GError = std::ptr::null_mut();
        // SAFETY: `device` belongs to the live context; a null cancellable is allowed.
        let opened = unsafe { (context.api.device_open_sync)(device, std::ptr::null_mut(), &mut error) };
        if opened == 0 {
            return Err(context.api.error(error, "to open"));
        }
        let info = ReaderInfo {
            profile: profile.to_string(),
            serial: found.id.clone(),
            baud: None,
            details: format!("{} (libfprint {})", found.name, found.driver),
        };
        Ok(LibfprintReader { context, device, info })
    }

    fn take_image(&self, image: Obj) -> Result<RawCapture, DeviceError> {
        let api = self.context.api;
        // SAFETY: `image` is the new reference capture returned; read, then released once.
        unsafe {
            let (w, h, ppmm) =
                ((api.image_get_width)(image), (api.image_get_height)(image), (api.image_get_ppmm)(image));
            let mut len = 0usize;
            let data = (api.image_get_data)(image, &mut len);
            let out = if data.is_null() || w == 0 || h == 0 || w > MAX_SIDE || h > MAX_SIDE || len != (w * h) as usize {
                Err(DeviceError::Unsupported(format!("the reader returned an unusable {w}x{h} image")))
            } else {
                let pixels = std::slice::from_raw_parts(data, len).to_vec();
                let dpi = if ppmm.is_finite() && ppmm > 1.0 {
                    (ppmm * 25.4).round().clamp(100.0, 2000.0) as u16
                } else {
                    500
                };
                GreyImage::new(w, h, pixels)
                    .map(|image| RawCapture { image, dpi })
                    .map_err(|e| DeviceError::Unsupported(e.to_string()))
            };
            (api.object_unref)(image);
            out
        }
    }
}

impl FingerprintReader for LibfprintReader {
    fn info(&self) -> &ReaderInfo {
        &self.info
    }

    fn capture(
        &mut self,
        progress: &mut dyn FnMut(CaptureProgress),
        cancel: &CancelToken,
    ) -> Result<RawCapture, DeviceError> {
        let api = self.context.api;
        // SAFETY: a new GCancellable, released below after the capture returns.
        let cancellable = unsafe { (api.cancellable_new)() };
        let done = Arc::new(AtomicBool::new(false));
        // GCancellable is thread-safe: a watcher turns the kit's cancel switch into libfprint's.
        let watcher = {
            let (done, cancel) = (Arc::clone(&done), cancel.clone());
            let handle = cancellable as usize;
            std::thread::spawn(move || {
                while !done.load(Ordering::Relaxed) {
                    if cancel.is_cancelled() {
                        // SAFETY: the cancellable lives until this thread is joined.
                        unsafe { (api.cancellable_cancel)(handle as Obj) };
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
            })
        };
        progress(CaptureProgress::WaitingForFinger);
        let mut error: *mut GError = std::ptr::null_mut();
        // SAFETY: the device is open; the cancellable is live; wait for a finger (TRUE).
        let image = unsafe { (api.device_capture_sync)(self.device, 1, cancellable, &mut error) };
        done.store(true, Ordering::Relaxed);
        let _ = watcher.join();
        // SAFETY: the reference cancellable_new returned, released once (the watcher is done).
        unsafe { (api.object_unref)(cancellable) };
        if image.is_null() {
            return Err(api.error(error, "to capture"));
        }
        progress(CaptureProgress::Capturing);
        self.take_image(image)
    }
}

impl Drop for LibfprintReader {
    fn drop(&mut self) {
        let mut error: *mut GError = std::ptr::null_mut();
        // SAFETY: the device was opened by `open`; closing frees nothing the context owns.
        unsafe {
            if (self.context.api.device_close_sync)(self.device, std::ptr::null_mut(), &mut error) == 0
                && !error.is_null()
            {
                (self.context.api.error_free)(error);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libfprint_errors_mean_what_the_assistant_does_next() {
        assert!(matches!(
            map_error("fp - device - retry - quark", 1, "too short", "to capture"),
            DeviceError::FingerLifted
        ));
        assert!(matches!(
            map_error("fp-device-error-quark", 0x100, "removed", "to capture"),
            DeviceError::Disconnected
        ));
        assert!(matches!(map_error("g-io-error-quark", 19, "cancelled", "to capture"), DeviceError::Cancelled));
        assert!(map_error("fp-device-retry-quark", 0, "", "").retryable());
        assert!(
            matches!(map_error("fp-device-error-quark", 5, "protocol", "to capture"), DeviceError::Unsupported(m) if m.contains("protocol"))
        );
    }
}
