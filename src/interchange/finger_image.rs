//! The ISO/IEC 19794-4:2011 finger image record ("FIR\0" "020\0"): one finger, one
//! representation, as MOSIP's validators require of a registration device. Every field is read
//! from bytes a device sent, so each is checked against the record's own length first.

use super::jpeg2000::{self, Jpeg2000Error};
use crate::domain::biometrics::{FingerPosition, GreyImage};
use thiserror::Error;

/// The largest record the kit reads: a lossless 1,000 ppi finger is well under this.
pub const MAX_RECORD: usize = 4 << 20;
const GENERAL_HEADER: usize = 16;
/// "FIR" NUL, version "020" NUL: the 2011 edition.
const MAGIC: &[u8; 8] = b"FIR\x00020\x00";
/// Compression codes of the 2011 edition.
const RAW: u8 = 0;
const J2K_LOSSY: u8 = 4;
const J2K_LOSSLESS: u8 = 5;

/// One finger's image as a device recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FingerImage {
    /// Which finger.
    pub position: FingerPosition,
    /// Image sampling rate in pixels per inch.
    pub dpi: u16,
    /// The first quality block's score (0–100), if the device gave one.
    pub quality: Option<u8>,
    /// The pixels.
    pub image: GreyImage,
}

/// Why bytes are not a finger image record the kit takes.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum FingerImageError {
    /// Not "FIR\0" "020\0".
    #[error("not an ISO/IEC 19794-4:2011 finger image record (it starts {0:02x?})")]
    NotARecord(Vec<u8>),
    /// Longer than any finger record.
    #[error("the finger image record is {0} bytes, more than {MAX_RECORD}")]
    TooLarge(usize),
    /// A length field points past the end.
    #[error("the finger image record is cut short: {0}")]
    Truncated(&'static str),
    /// A field has a value the standard or MOSIP does not allow.
    #[error("the finger image record's {field} is {value}, which a registration record never has")]
    Field {
        /// Which field.
        field: &'static str,
        /// Its value.
        value: u32,
    },
    /// The image inside.
    #[error(transparent)]
    Image(#[from] Jpeg2000Error),
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], FingerImageError> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len()).ok_or(FingerImageError::Truncated(what))?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }
    fn u8(&mut self, what: &'static str) -> Result<u8, FingerImageError> {
        Ok(self.take(1, what)?[0])
    }
    fn u16(&mut self, what: &'static str) -> Result<u16, FingerImageError> {
        let b = self.take(2, what)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }
    fn u32(&mut self, what: &'static str) -> Result<u32, FingerImageError> {
        let b = self.take(4, what)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
}

fn field(field: &'static str, value: impl Into<u32>) -> FingerImageError {
    FingerImageError::Field { field, value: value.into() }
}

/// Reads a record of one finger.
pub fn decode(bytes: &[u8]) -> Result<FingerImage, FingerImageError> {
    if bytes.len() > MAX_RECORD {
        return Err(FingerImageError::TooLarge(bytes.len()));
    }
    if bytes.get(..8) != Some(MAGIC.as_slice()) {
        return Err(FingerImageError::NotARecord(bytes.iter().take(8).copied().collect()));
    }
    let mut r = Reader { bytes, at: 8 };
    let length = r.u32("record length")?;
    if length as usize != bytes.len() {
        return Err(field("record length", length));
    }
    let representations = r.u16("representation count")?;
    if representations != 1 {
        return Err(field("number of representations", representations));
    }
    let certified = r.u8("certification flag")?;
    if certified > 1 {
        return Err(field("certification flag", certified));
    }
    let _positions = r.u8("distinct positions")?;
    let rep_length = r.u32("representation length")? as usize;
    if rep_length != bytes.len() - GENERAL_HEADER {
        return Err(field("representation length", rep_length as u32));
    }
    r.take(9 + 1 + 2 + 2, "capture date and device")?;
    let blocks = r.u8("quality block count")?;
    let mut quality = None;
    for _ in 0..blocks {
        let score = r.u8("quality block")?;
        r.take(4, "quality block")?;
        if score > 100 && score != 255 {
            return Err(field("quality score", score));
        }
        quality = quality.or((score <= 100).then_some(score));
    }
    if certified == 1 {
        let certs = r.u8("certification block count")?;
        r.take(usize::from(certs) * 3, "certification blocks")?;
    }
    let code = r.u8("finger position")?;
    let position = FingerPosition::new(code).ok_or_else(|| field("finger position", code))?;
    let _representation = r.u8("representation number")?;
    let scale = r.u8("scale units")?;
    let (_capture_h, _capture_v) = (r.u16("capture sampling")?, r.u16("capture sampling")?);
    let (image_h, image_v) = (r.u16("image sampling")?, r.u16("image sampling")?);
    let dpi = match scale {
        1 => image_h,
        2 => ((u32::from(image_h) * 254 + 50) / 100).min(u32::from(u16::MAX)) as u16,
        other => return Err(field("scale units", other)),
    };
    if image_h != image_v {
        return Err(field("vertical sampling (differs from horizontal)", image_v));
    }
    if !(250..=1_100).contains(&dpi) {
        return Err(field("sampling rate in ppi", dpi));
    }
    let depth = r.u8("bit depth")?;
    if depth != 8 {
        return Err(field("bit depth", depth));
    }
    let compression = r.u8("compression")?;
    let _impression = r.u8("impression type")?;
    let (width, height) = (u32::from(r.u16("width")?), u32::from(r.u16("height")?));
    let data_length = r.u32("image length")? as usize;
    let data = r.take(data_length, "image data")?;
    let image = match compression {
        RAW => {
            if data.len() as u64 != u64::from(width) * u64::from(height) {
                return Err(field("raw image length", data.len() as u32));
            }
            GreyImage::new(width, height, data.to_vec()).map_err(|_| field("raw image length", data.len() as u32))?
        }
        J2K_LOSSY | J2K_LOSSLESS => jpeg2000::decode(data)?,
        other => return Err(field("compression", other)),
    };
    if (image.width(), image.height()) != (width, height) {
        return Err(field("width (differs from the image's)", image.width()));
    }
    Ok(FingerImage { position, dpi, quality, image })
}

/// Writes a 2011 record with a JPEG 2000 lossless image, as a registration device does.
pub fn encode(finger: &FingerImage) -> Result<Vec<u8>, FingerImageError> {
    let (w, h) = (finger.image.width(), finger.image.height());
    let (Ok(w16), Ok(h16)) = (u16::try_from(w), u16::try_from(h)) else {
        return Err(field("width", w.max(h)));
    };
    let data = jpeg2000::encode_lossless(&finger.image)?;
    let mut rep = Vec::with_capacity(64 + data.len());
    rep.extend_from_slice(&[0; 4]); // representation length, filled below
    rep.extend_from_slice(&[0; 9]); // capture date and time: not recorded
    rep.extend_from_slice(&[0, 0, 0, 0, 0]); // device technology, vendor, type: unknown
    match finger.quality {
        Some(q) => rep.extend_from_slice(&[1, q.min(100), 0, 0, 0, 0]),
        None => rep.push(0),
    }
    rep.extend_from_slice(&[finger.position.code(), 0, 1]);
    for _ in 0..4 {
        rep.extend_from_slice(&finger.dpi.to_be_bytes());
    }
    rep.extend_from_slice(&[8, J2K_LOSSLESS, 0]); // 8 bits, JPEG 2000 lossless, live-scan plain
    rep.extend_from_slice(&w16.to_be_bytes());
    rep.extend_from_slice(&h16.to_be_bytes());
    rep.extend_from_slice(&(data.len() as u32).to_be_bytes());
    rep.extend_from_slice(&data);
    let rep_len = rep.len() as u32;
    rep[..4].copy_from_slice(&rep_len.to_be_bytes());
    let mut out = Vec::with_capacity(GENERAL_HEADER + rep.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(GENERAL_HEADER as u32 + rep_len).to_be_bytes());
    out.extend_from_slice(&1u16.to_be_bytes());
    out.extend_from_slice(&[0, 1]); // not certified, one position
    out.extend_from_slice(&rep);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finger() -> FingerImage {
        let px = (0..200u32 * 240).map(|i| ((i % 200) * 7 % 251) as u8).collect();
        FingerImage {
            position: FingerPosition::new(7).unwrap(),
            dpi: 500,
            quality: Some(61),
            image: GreyImage::new(200, 240, px).unwrap(),
        }
    }

    #[test]
    fn a_record_reads_back_as_written() {
        let bytes = encode(&finger()).unwrap();
        assert_eq!(&bytes[..8], MAGIC);
        assert_eq!(u32::from_be_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize, bytes.len());
        assert_eq!(decode(&bytes).unwrap(), finger());
    }

    #[test]
    fn every_truncation_and_bad_field_is_an_error() {
        let bytes = encode(&finger()).unwrap();
        for cut in 0..80 {
            assert!(decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut old = bytes.clone();
        old[4..8].copy_from_slice(b"010\0");
        assert!(matches!(decode(&old), Err(FingerImageError::NotARecord(_))));
        // Offsets in the representation: 16 general + 4 length + 9 date + 5 device + 6 quality.
        let pos = 16 + 4 + 9 + 5 + 6;
        let mut slap = bytes.clone();
        slap[pos] = 13;
        assert_eq!(decode(&slap), Err(field("finger position", 13u8)));
        let mut dpi = bytes.clone();
        dpi[pos + 7..pos + 9].copy_from_slice(&90u16.to_be_bytes());
        dpi[pos + 9..pos + 11].copy_from_slice(&90u16.to_be_bytes());
        assert_eq!(decode(&dpi), Err(field("sampling rate in ppi", 90u16)));
        let mut depth = bytes.clone();
        depth[pos + 11] = 16;
        assert_eq!(decode(&depth), Err(field("bit depth", 16u8)));
        let mut wide = bytes.clone();
        wide[pos + 14..pos + 16].copy_from_slice(&201u16.to_be_bytes());
        assert!(decode(&wide).is_err());
        assert_eq!(decode(&vec![0; MAX_RECORD + 1]), Err(FingerImageError::TooLarge(MAX_RECORD + 1)));
    }
}
