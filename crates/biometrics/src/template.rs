//! Fingerprint templates: the minutiae of one print, and their ISO/IEC 19794-2:2005 Finger
//! Minutiae Record encoding (24-byte general header "FMR\0" " 20\0", one finger view, 6 bytes a
//! minutia, big-endian; resolution in pixels per centimetre).

use crate::Grey;
use crate::minutiae::{Kind, Minutia};
use std::f32::consts::TAU;

/// Minutiae kept per template, the most reliable first (NBIS's bozorth3 reads 150; a finger seldom
/// shows more than 80 true ones).
pub const MAX_MINUTIAE: usize = 120;

/// Which extractor made a template, stored beside it: minutiae from another extractor are not
/// comparable with these (other positions, other directions, another notion of a minutia), so a
/// template made by an older one is made again from its print, or left out where there is none.
/// 1: the kit's first extractor (synthetic-print era); 2: NIST's MINDTCT (issue 14).
pub const EXTRACTOR: u8 = 2;

/// One print's minutiae and the image they came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    /// Image width, pixels.
    pub width: u16,
    /// Image height, pixels.
    pub height: u16,
    /// Resolution, dots per inch.
    pub dpi: u16,
    /// The minutiae.
    pub minutiae: Vec<Minutia>,
}

/// Why bytes are not an ISO/IEC 19794-2 record this kit can read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IsoError(pub String);

impl std::fmt::Display for IsoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "not an ISO/IEC 19794-2:2005 minutiae record: {}", self.0)
    }
}

impl std::error::Error for IsoError {}

fn clamp_u16(v: usize) -> u16 {
    u16::try_from(v).unwrap_or(u16::MAX)
}

impl Template {
    /// The template of a 500 dpi print.
    pub fn of(img: &Grey) -> Template {
        Template::from_minutiae(img, crate::minutiae::extract(img))
    }

    /// The template of a 500 dpi print from its minutiae (best first), as many as a record keeps.
    pub fn from_minutiae(img: &Grey, mut minutiae: Vec<Minutia>) -> Template {
        minutiae.truncate(MAX_MINUTIAE);
        Template { width: clamp_u16(img.width), height: clamp_u16(img.height), dpi: 500, minutiae }
    }

    /// The ISO/IEC 19794-2:2005 record: one view of finger `position` (1–10) of quality `quality`.
    pub fn to_iso(&self, position: u8, quality: u8) -> Vec<u8> {
        let count = self.minutiae.len().min(255);
        let length = 24 + 4 + 6 * count + 2;
        let ppcm = (f32::from(self.dpi) / 2.54).round() as u16;
        let mut out = Vec::with_capacity(length);
        out.extend_from_slice(b"FMR\0 20\0");
        out.extend_from_slice(&(length as u32).to_be_bytes());
        out.extend_from_slice(&0u16.to_be_bytes()); // capture equipment: no certification, unknown device
        for v in [self.width, self.height, ppcm, ppcm] {
            out.extend_from_slice(&v.to_be_bytes());
        }
        out.push(1); // finger views
        out.push(0); // reserved
        out.push(position);
        out.push(0); // view 0, impression type 0: live-scan plain
        out.push(quality.min(100));
        out.push(count as u8);
        for m in self.minutiae.iter().take(count) {
            let kind: u16 = match m.kind {
                Kind::Other => 0,
                Kind::Ending => 1,
                Kind::Bifurcation => 2,
            };
            out.extend_from_slice(&((kind << 14) | (m.x as u16 & 0x3FFF)).to_be_bytes());
            out.extend_from_slice(&(m.y as u16 & 0x3FFF).to_be_bytes());
            out.push(((m.angle.rem_euclid(TAU) / TAU * 256.0).round() as u32 % 256) as u8);
            out.push(m.quality);
        }
        out.extend_from_slice(&0u16.to_be_bytes()); // no extended data
        out
    }

    /// Reads an ISO/IEC 19794-2:2005 record (its first finger view); returns the template, the
    /// finger position and the view's quality.
    pub fn from_iso(bytes: &[u8]) -> Result<(Template, u8, u8), IsoError> {
        let err = |s: &str| IsoError(s.to_string());
        if bytes.len() < 28 {
            return Err(err("shorter than the 24-byte header and one 4-byte view header"));
        }
        if &bytes[0..4] != b"FMR\0" {
            return Err(err("it does not start with \"FMR\\0\""));
        }
        if &bytes[4..8] != b" 20\0" {
            return Err(err("only version \" 20\" (the 2005 edition) is read"));
        }
        let u16_at = |i: usize| u16::from_be_bytes([bytes[i], bytes[i + 1]]);
        let length = u32::from_be_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize;
        if length != bytes.len() {
            return Err(IsoError(format!("the header says {length} bytes, there are {}", bytes.len())));
        }
        let (width, height, ppcm) = (u16_at(14), u16_at(16), u16_at(18));
        if bytes[22] == 0 {
            return Err(err("it holds no finger view"));
        }
        let (position, quality, count) = (bytes[24], bytes[26], bytes[27] as usize);
        // The 2005 edition's ranges: finger 0–10 (0 unknown), qualities 0–100.
        if position > 10 {
            return Err(IsoError(format!("finger position {position} is not one of 0–10")));
        }
        if quality > 100 {
            return Err(IsoError(format!("the view's quality {quality} is above 100")));
        }
        if bytes.len() < 28 + 6 * count + 2 {
            return Err(IsoError(format!("{count} minutiae announced, the record is too short for them")));
        }
        let mut minutiae = Vec::with_capacity(count);
        for k in 0..count {
            let at = 28 + 6 * k;
            let (a, b) = (u16_at(at), u16_at(at + 2));
            let kind = a >> 14;
            let (x, y) = ((a & 0x3FFF) as usize, (b & 0x3FFF) as usize);
            if bytes[at + 5] > 100 {
                return Err(IsoError(format!("minutia {k}'s quality {} is above 100", bytes[at + 5])));
            }
            if x >= usize::from(width.max(1)) || y >= usize::from(height.max(1)) {
                return Err(IsoError(format!("minutia {k} at ({x}, {y}) lies outside the {width}×{height} image")));
            }
            minutiae.push(Minutia {
                x,
                y,
                kind: match kind {
                    1 => Kind::Ending,
                    2 => Kind::Bifurcation,
                    _ => Kind::Other,
                },
                angle: f32::from(bytes[at + 4]) / 256.0 * TAU,
                quality: bytes[at + 5],
            });
        }
        let dpi = (f32::from(ppcm) * 2.54).round() as u16;
        Ok((Template { width, height, dpi, minutiae }, position, quality))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generator::{Finger, Impression};

    #[test]
    fn a_template_survives_the_iso_round_trip() {
        let img = Finger::generate(3).impression(&Impression::ideal(3), 256, 288);
        let t = Template::of(&img);
        assert!(t.minutiae.len() >= 12, "{}", t.minutiae.len());
        let bytes = t.to_iso(2, 77);
        assert_eq!(&bytes[..8], b"FMR\0 20\0");
        assert_eq!(u16::from_be_bytes([bytes[18], bytes[19]]), 197, "500 dpi is 197 pixels per cm");
        let (back, position, quality) = Template::from_iso(&bytes).unwrap();
        assert_eq!((position, quality, back.dpi, back.width, back.height), (2, 77, 500, 256, 288));
        assert_eq!(back.minutiae.len(), t.minutiae.len());
        for (a, b) in t.minutiae.iter().zip(&back.minutiae) {
            assert_eq!((a.x, a.y, a.kind, a.quality), (b.x, b.y, b.kind, b.quality));
            let d = (a.angle - b.angle).rem_euclid(TAU);
            assert!(d.min(TAU - d) <= TAU / 512.0 + 1e-4, "angle kept to the record's 1.4°");
        }
    }

    #[test]
    fn damaged_records_are_refused_with_what_is_wrong() {
        let img = Finger::generate(4).impression(&Impression::ideal(4), 256, 288);
        let good = Template::of(&img).to_iso(1, 60);
        let said = |b: &[u8]| Template::from_iso(b).unwrap_err().to_string();
        assert!(said(&good[..20]).contains("shorter"));
        assert!(said(&[b"FIR\0".as_slice(), &good[4..]].concat()).contains("FMR"));
        assert!(said(&good[..good.len() - 1]).contains("the header says"));
        let mut far = good.clone();
        far[28] = 0x7F; // the first minutia's x far outside the image
        assert!(said(&far).contains("outside"));
        // Found by fuzzing (fuzz/fuzz_targets/iso_template.rs): a view quality of 246 was read,
        // and written back as 100 — a record the kit would not write is not one it trusts.
        let mut loud = good.clone();
        loud[26] = 246;
        assert!(said(&loud).contains("quality 246"));
        let mut finger = good.clone();
        finger[24] = 11;
        assert!(said(&finger).contains("position 11"));
        let mut minutia = good;
        minutia[28 + 5] = 200;
        assert!(said(&minutia).contains("quality 200"));
    }
}
