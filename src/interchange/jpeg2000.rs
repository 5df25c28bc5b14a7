//! JPEG 2000 for 8-bit grey finger images: the decoder checks the codestream's own size,
//! depth and tiling before it decodes, so a hostile record cannot make it allocate or work
//! without bound; the encoder (lossless 5/3) is what the SBI simulator writes.

use crate::domain::biometrics::GreyImage;
use thiserror::Error;

/// The largest side the kit decodes: a single finger at 1,000 ppi is under 1,000 pixels.
pub const MAX_SIDE: u32 = 2_000;
/// Tiles a codestream may have: tiny tiles make the decoder's work grow without bound.
const MAX_TILES: u64 = 64;

/// Why JPEG 2000 bytes were not an image the kit takes.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum Jpeg2000Error {
    /// No SIZ marker: not a JPEG 2000 codestream or a JP2 file holding one.
    #[error("the image is not JPEG 2000 (no codestream header found)")]
    NotJpeg2000,
    /// The header ended early.
    #[error("the JPEG 2000 header is cut short")]
    Truncated,
    /// Not one 8-bit unsigned component.
    #[error(
        "the JPEG 2000 image has {components} component(s) of {bits} bits; a finger image is one 8-bit grey component"
    )]
    NotGrey8 {
        /// Components.
        components: u16,
        /// Bits in the first one.
        bits: u8,
    },
    /// Larger than a finger image can be, or empty.
    #[error("the JPEG 2000 image is {width}x{height}; a finger image is between 1 and {MAX_SIDE} pixels a side")]
    Size {
        /// Width.
        width: u32,
        /// Height.
        height: u32,
    },
    /// Split into too many tiles.
    #[error("the JPEG 2000 image is split into {0} tiles, more than a finger image ever has")]
    Tiles(u64),
    /// The decoder refused the codestream.
    #[error("the JPEG 2000 image could not be decoded: {0}")]
    Decode(String),
    /// The encoder failed (simulator side).
    #[error("the image could not be encoded as JPEG 2000: {0}")]
    Encode(String),
}

/// What the codestream header says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

fn be32(b: &[u8], at: usize) -> Result<u32, Jpeg2000Error> {
    b.get(at..at + 4).map(|s| u32::from_be_bytes([s[0], s[1], s[2], s[3]])).ok_or(Jpeg2000Error::Truncated)
}

/// Reads and checks the SIZ marker (SOC FF4F then SIZ FF51) wherever the codestream starts.
pub fn header(bytes: &[u8]) -> Result<Header, Jpeg2000Error> {
    let at = bytes.windows(4).position(|w| w == [0xFF, 0x4F, 0xFF, 0x51]).ok_or(Jpeg2000Error::NotJpeg2000)?;
    let siz = at + 4; // Lsiz(2) Rsiz(2) Xsiz Ysiz XOsiz YOsiz XTsiz YTsiz XTOsiz YTOsiz (4 each) Csiz(2) Ssiz…
    let (x, y, xo, yo) = (be32(bytes, siz + 4)?, be32(bytes, siz + 8)?, be32(bytes, siz + 12)?, be32(bytes, siz + 16)?);
    let (xt, yt, xto, yto) =
        (be32(bytes, siz + 20)?, be32(bytes, siz + 24)?, be32(bytes, siz + 28)?, be32(bytes, siz + 32)?);
    let comps =
        bytes.get(siz + 36..siz + 38).map(|s| u16::from_be_bytes([s[0], s[1]])).ok_or(Jpeg2000Error::Truncated)?;
    let ssiz = *bytes.get(siz + 38).ok_or(Jpeg2000Error::Truncated)?;
    let (width, height) = (x.saturating_sub(xo), y.saturating_sub(yo));
    if comps != 1 || ssiz != 7 {
        return Err(Jpeg2000Error::NotGrey8 { components: comps, bits: (ssiz & 0x7F) + 1 });
    }
    if !(1..=MAX_SIDE).contains(&width) || !(1..=MAX_SIDE).contains(&height) {
        return Err(Jpeg2000Error::Size { width, height });
    }
    if xt == 0 || yt == 0 || xto > xo || yto > yo {
        return Err(Jpeg2000Error::Tiles(u64::MAX));
    }
    let tiles = u64::from((x - xto).div_ceil(xt)) * u64::from((y - yto).div_ceil(yt));
    if tiles > MAX_TILES {
        return Err(Jpeg2000Error::Tiles(tiles));
    }
    Ok(Header { width, height })
}

/// Decodes an 8-bit grey JPEG 2000 image (JP2 file or bare codestream).
pub fn decode(bytes: &[u8]) -> Result<GreyImage, Jpeg2000Error> {
    let head = header(bytes)?;
    // The decoder is OpenJPEG translated to Rust: should a crafted codestream still trip one of
    // its assertions, the device's bytes are refused instead of taking the reader's worker down.
    std::panic::catch_unwind(|| decode_checked(bytes, head))
        .unwrap_or_else(|_| Err(Jpeg2000Error::Decode("the decoder gave up on this codestream".into())))
}

fn decode_checked(bytes: &[u8], head: Header) -> Result<GreyImage, Jpeg2000Error> {
    let image = jpeg2k::Image::from_bytes(bytes).map_err(|e| Jpeg2000Error::Decode(e.to_string()))?;
    let comp = image.components().first().ok_or(Jpeg2000Error::NotGrey8 { components: 0, bits: 0 })?;
    if (comp.width(), comp.height()) != (head.width, head.height) {
        return Err(Jpeg2000Error::Decode(format!(
            "the decoded image is {}x{} where its header says {}x{}",
            comp.width(),
            comp.height(),
            head.width,
            head.height
        )));
    }
    let pixels = comp.data().iter().map(|&v| v.clamp(0, 255) as u8).collect();
    GreyImage::new(head.width, head.height, pixels).map_err(|e| Jpeg2000Error::Decode(e.to_string()))
}

/// Encodes an 8-bit grey image as a lossless JP2 file (the only form a registration device sends).
pub fn encode_lossless(image: &GreyImage) -> Result<Vec<u8>, Jpeg2000Error> {
    use openjp2::{CODEC_FORMAT, Codec, OPJ_COLOR_SPACE, Stream, opj_cparameters_t, opj_image, opj_image_comptparm};
    let (w, h) = (image.width(), image.height());
    let parm = opj_image_comptparm { dx: 1, dy: 1, w, h, x0: 0, y0: 0, prec: 8, bpp: 8, sgnd: 0 };
    let fail = |what: &str| Jpeg2000Error::Encode(what.to_string());
    let mut img = opj_image::create(&[parm], OPJ_COLOR_SPACE::OPJ_CLRSPC_GRAY).ok_or_else(|| fail("image"))?;
    img.x1 = w;
    img.y1 = h;
    let plane = img.comps_data_mut_iter().and_then(|mut it| it.next()).ok_or_else(|| fail("image plane"))?;
    for (out, &p) in plane.iter_mut().zip(image.pixels()) {
        *out = i32::from(p);
    }
    let mut codec = Codec::new_encoder(CODEC_FORMAT::OPJ_CODEC_JP2).ok_or_else(|| fail("encoder"))?;
    // One layer at rate 0 is the reversible 5/3 path: lossless.
    let mut params = opj_cparameters_t { tcp_numlayers: 1, cp_disto_alloc: 1, ..Default::default() };
    params.tcp_rates[0] = 0.0;
    if codec.setup_encoder(&mut params, &mut img) == 0 {
        return Err(fail("encoder parameters"));
    }
    // The pure-Rust encoder writes to files only; a private temporary file stands in for memory.
    let (path, dir) = scratch_path()?;
    let result = (|| {
        let mut stream = Stream::new_file(&path, 1 << 16, false).map_err(|e| fail(&e.to_string()))?;
        let ok = codec.start_compress(&mut img, &mut stream) != 0
            && codec.encode(&mut stream) != 0
            && codec.end_compress(&mut stream) != 0;
        drop(stream);
        if !ok {
            return Err(fail("compression"));
        }
        std::fs::read(&path).map_err(|e| fail(&e.to_string()))
    })();
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// A file in a folder of our own (mode 0700, made with mkdir, which never follows a link), so
/// that no other user of the machine can put a symlink where the encoder writes.
fn scratch_path() -> Result<(std::path::PathBuf, std::path::PathBuf), Jpeg2000Error> {
    use std::os::unix::fs::DirBuilderExt;
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("enroll-kit-j2k-{}-{n}", std::process::id()));
    std::fs::DirBuilder::new()
        .mode(0o700)
        .create(&dir)
        .map_err(|e| Jpeg2000Error::Encode(format!("{}: {e}", dir.display())))?;
    Ok((dir.join("image.jp2"), dir))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ridges(w: u32, h: u32) -> GreyImage {
        let px =
            (0..w * h).map(|i| (((i % w) as f32 / 3.0).sin() * 100.0 + 128.0) as u8 ^ ((i / w) as u8 & 3)).collect();
        GreyImage::new(w, h, px).unwrap()
    }

    #[test]
    fn lossless_round_trip_keeps_every_pixel() {
        let img = ridges(300, 410);
        let bytes = encode_lossless(&img).unwrap();
        assert_eq!(&bytes[4..8], b"jP  ", "a JP2 file");
        assert_eq!(header(&bytes).unwrap(), Header { width: 300, height: 410 });
        assert_eq!(decode(&bytes).unwrap(), img);
    }

    #[test]
    fn hostile_headers_are_refused_before_decoding() {
        let bytes = encode_lossless(&ridges(64, 64)).unwrap();
        let siz = bytes.windows(4).position(|w| w == [0xFF, 0x4F, 0xFF, 0x51]).unwrap() + 4;
        let mut huge = bytes.clone();
        huge[siz + 4..siz + 8].copy_from_slice(&60_000u32.to_be_bytes());
        assert!(matches!(decode(&huge), Err(Jpeg2000Error::Size { width: 60_000, .. })));
        let mut tiny_tiles = bytes.clone();
        tiny_tiles[siz + 20..siz + 24].copy_from_slice(&1u32.to_be_bytes());
        tiny_tiles[siz + 24..siz + 28].copy_from_slice(&1u32.to_be_bytes());
        assert!(matches!(decode(&tiny_tiles), Err(Jpeg2000Error::Tiles(_))));
        let mut colour = bytes.clone();
        colour[siz + 36..siz + 38].copy_from_slice(&3u16.to_be_bytes());
        assert!(matches!(decode(&colour), Err(Jpeg2000Error::NotGrey8 { components: 3, .. })));
        assert_eq!(decode(b"not an image"), Err(Jpeg2000Error::NotJpeg2000));
        for cut in [siz + 10, bytes.len() / 2, bytes.len() - 3] {
            assert!(decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
    }
}
