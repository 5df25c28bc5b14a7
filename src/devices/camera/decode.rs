//! Turning the pixel formats webcams send into RGB.

use super::RgbFrame;
use crate::devices::DeviceError;

/// The formats cameras deliver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PixelFormat {
    /// Motion JPEG: each frame a JPEG.
    Mjpeg,
    /// YUV 4:2:2, Y0 U Y1 V.
    Yuyv,
    /// YUV 4:2:0: a Y plane, then interleaved U V at half resolution.
    Nv12,
    /// 8-bit grey.
    Gray,
    /// RGB.
    Rgb,
    /// BGR.
    Bgr,
}

fn short(what: &str, got: usize, need: usize) -> DeviceError {
    DeviceError::Source(format!("a {what} frame has {got} bytes, {need} were expected: the camera sent a broken frame"))
}

fn clamp(v: f32) -> u8 {
    v.round().clamp(0.0, 255.0) as u8
}

fn yuv(y: u8, u: u8, v: u8) -> [u8; 3] {
    // BT.601 limited range, what UVC webcams use.
    let (c, d, e) = (f32::from(y) - 16.0, f32::from(u) - 128.0, f32::from(v) - 128.0);
    [clamp(1.164 * c + 1.596 * e), clamp(1.164 * c - 0.392 * d - 0.813 * e), clamp(1.164 * c + 2.017 * d)]
}

/// Converts one frame to RGB; a frame of the wrong size is an error, never a panic.
pub fn to_rgb(format: PixelFormat, width: u32, height: u32, data: &[u8]) -> Result<RgbFrame, DeviceError> {
    let pixels = (width as usize) * (height as usize);
    let rgb = match format {
        PixelFormat::Mjpeg => {
            let img = image::load_from_memory_with_format(data, image::ImageFormat::Jpeg)
                .map_err(|e| DeviceError::Source(format!("the camera sent a broken JPEG frame: {e}")))?
                .to_rgb8();
            return Ok(RgbFrame { width: img.width(), height: img.height(), rgb: img.into_raw() });
        }
        PixelFormat::Yuyv => {
            if data.len() < pixels * 2 || !width.is_multiple_of(2) {
                return Err(short("YUYV", data.len(), pixels * 2));
            }
            let mut out = Vec::with_capacity(pixels * 3);
            for q in data[..pixels * 2].chunks_exact(4) {
                out.extend_from_slice(&yuv(q[0], q[1], q[3]));
                out.extend_from_slice(&yuv(q[2], q[1], q[3]));
            }
            out
        }
        PixelFormat::Nv12 => {
            let need = pixels + pixels / 2;
            if data.len() < need || !width.is_multiple_of(2) || !height.is_multiple_of(2) {
                return Err(short("NV12", data.len(), need));
            }
            let (w, h) = (width as usize, height as usize);
            let mut out = Vec::with_capacity(pixels * 3);
            for y in 0..h {
                for x in 0..w {
                    let uv = pixels + (y / 2) * w + (x / 2) * 2;
                    out.extend_from_slice(&yuv(data[y * w + x], data[uv], data[uv + 1]));
                }
            }
            out
        }
        PixelFormat::Gray => {
            if data.len() < pixels {
                return Err(short("grey", data.len(), pixels));
            }
            data[..pixels].iter().flat_map(|g| [*g, *g, *g]).collect()
        }
        PixelFormat::Rgb | PixelFormat::Bgr => {
            if data.len() < pixels * 3 {
                return Err(short("RGB", data.len(), pixels * 3));
            }
            let mut out = data[..pixels * 3].to_vec();
            if format == PixelFormat::Bgr {
                out.chunks_exact_mut(3).for_each(|p| p.swap(0, 2));
            }
            out
        }
    };
    Ok(RgbFrame { width, height, rgb })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_each_format_and_refuses_short_frames() {
        let grey = to_rgb(PixelFormat::Gray, 2, 1, &[10, 200]).unwrap();
        assert_eq!(grey.rgb, vec![10, 10, 10, 200, 200, 200]);
        let bgr = to_rgb(PixelFormat::Bgr, 1, 1, &[1, 2, 3]).unwrap();
        assert_eq!(bgr.rgb, vec![3, 2, 1]);
        // Mid grey in YUV is mid grey in RGB.
        let yuyv = to_rgb(PixelFormat::Yuyv, 2, 1, &[126, 128, 126, 128]).unwrap();
        assert!(yuyv.rgb.iter().all(|v| (v).abs_diff(128) <= 2), "{:?}", yuyv.rgb);
        let nv12 = to_rgb(PixelFormat::Nv12, 2, 2, &[235, 235, 235, 235, 128, 128]).unwrap();
        assert!(nv12.rgb.iter().all(|v| *v == 255), "{:?}", nv12.rgb);
        for (f, n) in [(PixelFormat::Yuyv, 3), (PixelFormat::Nv12, 5), (PixelFormat::Gray, 1), (PixelFormat::Rgb, 5)] {
            assert!(to_rgb(f, 2, 2, &vec![0; n]).is_err(), "{f:?}");
        }
        assert!(to_rgb(PixelFormat::Mjpeg, 2, 2, b"not a jpeg").is_err());
        let jpeg = RgbFrame { width: 8, height: 8, rgb: vec![90; 192] }.to_jpeg(90).unwrap();
        assert_eq!(to_rgb(PixelFormat::Mjpeg, 0, 0, &jpeg).unwrap().width, 8);
    }
}
