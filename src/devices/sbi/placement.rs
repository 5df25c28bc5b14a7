//! What one SBI capture takes: a slap (left four, right four, two thumbs) or a face, and the
//! names SBI gives each finger.

use crate::domain::biometrics::FingerPosition;

/// One placement on a registration device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Placement {
    /// The left hand's four fingers (sub id 1).
    LeftSlap,
    /// The right hand's four fingers (sub id 2).
    RightSlap,
    /// Both thumbs (sub id 3).
    Thumbs,
    /// A face, or the exception photo (sub id 0).
    Face,
}

fn finger(code: u8) -> FingerPosition {
    // Codes 1–10 are all valid positions; this table holds no other.
    FingerPosition::ALL[usize::from(code - 1)]
}

impl Placement {
    /// The three slaps in the order a kit takes them.
    pub const SLAPS: [Placement; 3] = [Placement::LeftSlap, Placement::RightSlap, Placement::Thumbs];

    /// The SBI device sub id.
    pub fn sub_id(self) -> u8 {
        match self {
            Placement::LeftSlap => 1,
            Placement::RightSlap => 2,
            Placement::Thumbs => 3,
            Placement::Face => 0,
        }
    }

    /// The placement with this sub id on a finger device.
    pub fn finger_slap(sub_id: u8) -> Option<Placement> {
        Placement::SLAPS.into_iter().find(|p| p.sub_id() == sub_id)
    }

    /// The SBI modality.
    pub fn bio_type(self) -> &'static str {
        if self == Placement::Face { "Face" } else { "Finger" }
    }

    /// The fingers it takes, index side first (thumb-side index where the hand puts it).
    pub fn fingers(self) -> Vec<FingerPosition> {
        let codes: &[u8] = match self {
            Placement::LeftSlap => &[7, 8, 9, 10],
            Placement::RightSlap => &[2, 3, 4, 5],
            Placement::Thumbs => &[6, 1],
            Placement::Face => &[],
        };
        codes.iter().map(|&c| finger(c)).collect()
    }

    /// The placement a finger is taken in.
    pub fn of(position: FingerPosition) -> Placement {
        match position.code() {
            7..=10 => Placement::LeftSlap,
            2..=5 => Placement::RightSlap,
            _ => Placement::Thumbs,
        }
    }
}

/// SBI's name for a finger ("Left IndexFinger", "Right Thumb").
pub fn sbi_name(position: FingerPosition) -> &'static str {
    [
        "Right Thumb",
        "Right IndexFinger",
        "Right MiddleFinger",
        "Right RingFinger",
        "Right LittleFinger",
        "Left Thumb",
        "Left IndexFinger",
        "Left MiddleFinger",
        "Left RingFinger",
        "Left LittleFinger",
    ][usize::from(position.code() - 1)]
}

/// The finger an SBI name means (spacing and case as devices vary them).
pub fn from_sbi_name(name: &str) -> Option<FingerPosition> {
    let squashed: String = name.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_lowercase();
    FingerPosition::ALL.into_iter().find(|&p| sbi_name(p).replace(' ', "").to_ascii_lowercase() == squashed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_finger_has_one_placement_and_one_name() {
        for p in FingerPosition::ALL {
            assert!(Placement::of(p).fingers().contains(&p));
            assert_eq!(from_sbi_name(sbi_name(p)), Some(p));
        }
        assert_eq!(from_sbi_name("left indexfinger"), FingerPosition::new(7));
        assert_eq!(from_sbi_name("Left Eye"), None);
        let all: usize = Placement::SLAPS.iter().map(|s| s.fingers().len()).sum();
        assert_eq!(all, 10);
    }
}
