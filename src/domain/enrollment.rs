//! An enrollment in progress (the draft), its steps, and what each step needs before the next.

use super::admin_units::AdminUnits;
use super::biometrics::{FacePhoto, FingerPosition, FingerRecord, PossibleDuplicate};
use super::person::{FieldError, Person, PersonForm};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The steps of an enrollment, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Read the consent text; the applicant agrees or refuses.
    Consent,
    /// Demographics form.
    Demographics,
    /// Face photo.
    Face,
    /// Ten fingers, or exceptions.
    Fingerprints,
    /// Everything on one page; sign off with the assistant's PIN.
    Review,
}

impl Step {
    /// All steps in order.
    pub const ALL: [Step; 5] = [Step::Consent, Step::Demographics, Step::Face, Step::Fingerprints, Step::Review];

    /// The stable key stored in drafts and used for messages.
    pub fn key(self) -> &'static str {
        match self {
            Step::Consent => "consent",
            Step::Demographics => "demographics",
            Step::Face => "face",
            Step::Fingerprints => "fingerprints",
            Step::Review => "review",
        }
    }

    fn next(self) -> Option<Step> {
        Step::ALL.iter().copied().find(|s| *s > self)
    }

    fn previous(self) -> Option<Step> {
        Step::ALL.iter().rev().copied().find(|s| *s < self)
    }
}

/// A photo of the hand that shows a finger exception.
#[derive(Clone, PartialEq, Eq)]
pub struct ExceptionPhoto {
    /// JPEG bytes.
    pub jpeg: Vec<u8>,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

impl std::fmt::Debug for ExceptionPhoto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ExceptionPhoto({}x{}, {} bytes)", self.width, self.height, self.jpeg.len())
    }
}

/// Something a step still needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gap {
    /// The applicant has not agreed to enrollment.
    NoConsent,
    /// The demographics form has these errors.
    Demographics(Vec<FieldError>),
    /// No face photo yet.
    NoFace,
    /// A finger has neither a print nor an exception.
    FingerMissing(FingerPosition),
    /// A finger is an exception but no exception photo was taken.
    NoExceptionPhoto,
}

impl Gap {
    /// The translation key of the message.
    pub fn key(&self) -> &'static str {
        match self {
            Gap::NoConsent => "gap-no-consent",
            Gap::Demographics(_) => "gap-demographics",
            Gap::NoFace => "gap-no-face",
            Gap::FingerMissing(_) => "gap-finger-missing",
            Gap::NoExceptionPhoto => "gap-no-exception-photo",
        }
    }
}

impl std::fmt::Display for Gap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Gap::NoConsent => f.write_str("the applicant's consent is not recorded"),
            Gap::Demographics(errors) => {
                f.write_str("the demographics have errors: ")?;
                let texts: Vec<String> = errors.iter().map(ToString::to_string).collect();
                f.write_str(&texts.join("; "))
            }
            Gap::NoFace => f.write_str("no face photo has been taken"),
            Gap::FingerMissing(p) => write!(f, "finger {p} has neither a print nor an exception"),
            Gap::NoExceptionPhoto => f.write_str("a finger is marked as an exception: take the exception photo"),
        }
    }
}

/// An enrollment in progress: everything captured so far, valid or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// When the applicant agreed, once they have.
    pub consent_at: Option<DateTime<Utc>>,
    /// The demographics as typed.
    pub form: PersonForm,
    /// The face photo.
    pub face: Option<FacePhoto>,
    /// What is recorded per finger.
    pub fingers: BTreeMap<FingerPosition, FingerRecord>,
    /// The exception photo, when a finger is an exception.
    pub exception_photo: Option<ExceptionPhoto>,
    /// The step on screen.
    pub step: Step,
    /// What the duplicate search found for the fingers as they are (searched again after a
    /// restart; cleared whenever a finger changes).
    pub possible_duplicates: Vec<PossibleDuplicate>,
}

impl Default for Draft {
    fn default() -> Self {
        Self {
            consent_at: None,
            form: PersonForm::default(),
            face: None,
            fingers: BTreeMap::new(),
            exception_photo: None,
            step: Step::Consent,
            possible_duplicates: Vec::new(),
        }
    }
}

/// A finished enrollment: everything validated, ready to seal into a packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompleteEnrollment {
    /// When the applicant agreed.
    pub consent_at: DateTime<Utc>,
    /// Validated demographics.
    pub person: Person,
    /// The face photo.
    pub face: FacePhoto,
    /// All ten fingers.
    pub fingers: BTreeMap<FingerPosition, FingerRecord>,
    /// The exception photo (present when any finger is an exception).
    pub exception_photo: Option<ExceptionPhoto>,
    /// Enrollments on this kit that may be the same person.
    pub possible_duplicates: Vec<PossibleDuplicate>,
}

impl Draft {
    /// What `step` still needs before the enrollment may go past it.
    pub fn gaps(&self, step: Step, today: NaiveDate, units: &AdminUnits) -> Vec<Gap> {
        match step {
            Step::Consent => self.consent_at.is_none().then_some(Gap::NoConsent).into_iter().collect(),
            Step::Demographics => match self.form.validate(today, units) {
                Ok(_) => vec![],
                Err(errors) => vec![Gap::Demographics(errors)],
            },
            Step::Face => self.face.is_none().then_some(Gap::NoFace).into_iter().collect(),
            Step::Fingerprints => {
                let mut gaps: Vec<Gap> = FingerPosition::ALL
                    .iter()
                    .filter(|p| !self.fingers.contains_key(p))
                    .map(|p| Gap::FingerMissing(*p))
                    .collect();
                if self.has_exception() && self.exception_photo.is_none() {
                    gaps.push(Gap::NoExceptionPhoto);
                }
                gaps
            }
            Step::Review => vec![],
        }
    }

    /// Whether any finger is recorded as an exception.
    pub fn has_exception(&self) -> bool {
        self.fingers.values().any(|r| matches!(r, FingerRecord::Exception(_)))
    }

    /// Moves to the next step if the current one is satisfied.
    pub fn next(&mut self, today: NaiveDate, units: &AdminUnits) -> Result<Step, Vec<Gap>> {
        let gaps = self.gaps(self.step, today, units);
        if !gaps.is_empty() {
            return Err(gaps);
        }
        if let Some(next) = self.step.next() {
            self.step = next;
        }
        Ok(self.step)
    }

    /// Moves one step back (never past consent).
    pub fn back(&mut self) -> Step {
        if let Some(prev) = self.step.previous() {
            self.step = prev;
        }
        self.step
    }

    /// Jumps to `step` if every step before it is satisfied (review uses it to go back and forth).
    pub fn go_to(&mut self, step: Step, today: NaiveDate, units: &AdminUnits) -> Result<Step, Vec<Gap>> {
        let gaps: Vec<Gap> =
            Step::ALL.iter().filter(|s| **s < step).flat_map(|s| self.gaps(*s, today, units)).collect();
        if !gaps.is_empty() {
            return Err(gaps);
        }
        self.step = step;
        Ok(step)
    }

    /// Validates everything and returns the finished enrollment, or every gap left.
    pub fn complete(&self, today: NaiveDate, units: &AdminUnits) -> Result<CompleteEnrollment, Vec<Gap>> {
        let gaps: Vec<Gap> = Step::ALL.iter().flat_map(|s| self.gaps(*s, today, units)).collect();
        let person = self.form.validate(today, units);
        match (gaps.is_empty(), self.consent_at, person, &self.face) {
            (true, Some(consent_at), Ok(person), Some(face)) => Ok(CompleteEnrollment {
                consent_at,
                person,
                face: face.clone(),
                fingers: self.fingers.clone(),
                exception_photo: if self.has_exception() { self.exception_photo.clone() } else { None },
                possible_duplicates: self.possible_duplicates.clone(),
            }),
            _ => Err(gaps),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::biometrics::{DeviceRef, FingerException};

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
    }

    fn face() -> FacePhoto {
        FacePhoto {
            jpeg: vec![0xFF, 0xD8],
            width: 4,
            height: 4,
            quality: 80,
            checks: vec![],
            device: DeviceRef::new("replay", "test", false),
        }
    }

    #[test]
    fn each_step_gates_the_next() {
        let units = AdminUnits::bundled();
        let mut d = Draft::default();
        assert_eq!(d.next(today(), units), Err(vec![Gap::NoConsent]));
        d.consent_at = Some(Utc::now());
        assert_eq!(d.next(today(), units), Ok(Step::Demographics));
        assert!(matches!(d.next(today(), units).unwrap_err()[0], Gap::Demographics(_)));
        assert_eq!(d.back(), Step::Consent);
        assert_eq!(d.back(), Step::Consent);
        assert!(d.go_to(Step::Review, today(), units).is_err());
        assert_eq!(d.step, Step::Consent, "a refused jump leaves the step alone");
    }

    #[test]
    fn fingerprints_need_all_ten_and_an_exception_photo() {
        let mut d = Draft { face: Some(face()), step: Step::Fingerprints, ..Default::default() };
        let units = AdminUnits::bundled();
        assert_eq!(d.gaps(Step::Fingerprints, today(), units).len(), 10);
        for p in FingerPosition::ALL {
            d.fingers.insert(p, FingerRecord::Exception(FingerException::Amputated));
        }
        assert_eq!(d.gaps(Step::Fingerprints, today(), units), vec![Gap::NoExceptionPhoto]);
        d.exception_photo = Some(ExceptionPhoto { jpeg: vec![1], width: 1, height: 1 });
        assert!(d.gaps(Step::Fingerprints, today(), units).is_empty());
        let gaps = d.complete(today(), units).unwrap_err();
        assert!(gaps.contains(&Gap::NoConsent));
    }
}
