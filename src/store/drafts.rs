//! Drafts: enrollments in progress, written at every step and capture so a crash or a power
//! cut loses at most the step in hand. The state is JSON; images are blobs, one per slot, so
//! a capture writes only its own image.

use super::{OrStore, Store, StoreError, Tx};
use crate::domain::biometrics::{
    DeviceRef, DeviceSignature, FaceCheck, FacePhoto, FingerCapture, FingerException, FingerPosition, FingerRecord,
    GreyImage,
};
use crate::domain::enrollment::{Draft, ExceptionPhoto, Step};
use crate::domain::person::PersonForm;
use crate::packet::utc_text;
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// Where a draft's image is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DraftSlot {
    /// The face JPEG.
    Face,
    /// A finger's raw 8-bit pixels.
    Finger(FingerPosition),
    /// The exception photo JPEG.
    ExceptionPhoto,
}

impl DraftSlot {
    fn name(self) -> String {
        match self {
            DraftSlot::Face => "face".into(),
            DraftSlot::Finger(p) => format!("finger-{:02}", p.code()),
            DraftSlot::ExceptionPhoto => "exception".into(),
        }
    }

    /// Every slot a draft may have.
    pub fn all() -> Vec<DraftSlot> {
        let mut all = vec![DraftSlot::Face, DraftSlot::ExceptionPhoto];
        all.extend(FingerPosition::ALL.into_iter().map(DraftSlot::Finger));
        all
    }
}

/// A draft as listed for resuming.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftSummary {
    /// Row id.
    pub id: i64,
    /// The assistant's account.
    pub account_id: i64,
    /// A training enrollment.
    pub training: bool,
    /// Started, UTC text.
    pub started_at: String,
    /// Last written, UTC text.
    pub updated_at: String,
    /// The step it stopped at.
    pub step: Step,
    /// The applicant's name as typed so far.
    pub name: String,
}

#[derive(Serialize, Deserialize)]
struct DraftState {
    step: Step,
    consent_at: Option<DateTime<Utc>>,
    form: PersonForm,
    face: Option<FaceMeta>,
    fingers: BTreeMap<u8, FingerMeta>,
    exception_photo: Option<(u32, u32)>,
}

#[derive(Serialize, Deserialize)]
struct FaceMeta {
    width: u32,
    height: u32,
    quality: u8,
    checks: Vec<FaceCheck>,
    device: DeviceRef,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum FingerMeta {
    Captured {
        width: u32,
        height: u32,
        dpi: u16,
        quality: u8,
        attempts: u8,
        force_captured: bool,
        force_reason: Option<String>,
        device: DeviceRef,
        // Absent in drafts saved before certified devices.
        #[serde(default)]
        device_signature: Option<DeviceSignature>,
    },
    Exception(FingerException),
}

/// The name a draft is listed under: "First Surname", or the one name of a person with one.
fn draft_name(form: &PersonForm) -> String {
    if form.single_name {
        return form.surname.trim().to_string();
    }
    format!("{} {}", form.first_name.trim(), form.surname.trim()).trim().to_string()
}

fn state_of(draft: &Draft) -> DraftState {
    DraftState {
        step: draft.step,
        consent_at: draft.consent_at,
        form: draft.form.clone(),
        face: draft.face.as_ref().map(|f| FaceMeta {
            width: f.width,
            height: f.height,
            quality: f.quality,
            checks: f.checks.clone(),
            device: f.device.clone(),
        }),
        fingers: draft
            .fingers
            .iter()
            .map(|(p, r)| {
                let meta = match r {
                    FingerRecord::Captured(c) => FingerMeta::Captured {
                        width: c.image.width(),
                        height: c.image.height(),
                        dpi: c.dpi,
                        quality: c.quality,
                        attempts: c.attempts,
                        force_captured: c.force_captured,
                        force_reason: c.force_reason.clone(),
                        device: c.device.clone(),
                        device_signature: c.device_signature.clone(),
                    },
                    FingerRecord::Exception(e) => FingerMeta::Exception(e.clone()),
                };
                (p.code(), meta)
            })
            .collect(),
        exception_photo: draft.exception_photo.as_ref().map(|p| (p.width, p.height)),
    }
}

fn blob_of(draft: &Draft, slot: DraftSlot) -> Option<&[u8]> {
    match slot {
        DraftSlot::Face => draft.face.as_ref().map(|f| f.jpeg.as_slice()),
        DraftSlot::Finger(p) => match draft.fingers.get(&p) {
            Some(FingerRecord::Captured(c)) => Some(c.image.pixels()),
            _ => None,
        },
        DraftSlot::ExceptionPhoto => draft.exception_photo.as_ref().map(|p| p.jpeg.as_slice()),
    }
}

impl Tx<'_> {
    /// Stores a new draft with all its images.
    pub fn create_draft(
        &self,
        account_id: i64,
        training: bool,
        at: DateTime<Utc>,
        draft: &Draft,
    ) -> Result<i64, StoreError> {
        let state = serde_json::to_string(&state_of(draft)).map_err(|e| StoreError::Refused(e.to_string()))?;
        self.conn()
            .execute(
                "INSERT INTO drafts (account_id, training, started_at, updated_at, state) VALUES (?1, ?2, ?3, ?3, ?4)",
                params![account_id, training, utc_text(at), state],
            )
            .or_store(self.path())?;
        let id = self.conn().last_insert_rowid();
        self.save_draft(id, draft, &DraftSlot::all(), at)?;
        Ok(id)
    }

    /// Writes a draft's state and the images in `slots` (removing those the draft no longer has).
    pub fn save_draft(&self, id: i64, draft: &Draft, slots: &[DraftSlot], at: DateTime<Utc>) -> Result<(), StoreError> {
        let state = serde_json::to_string(&state_of(draft)).map_err(|e| StoreError::Refused(e.to_string()))?;
        let changed = self
            .conn()
            .execute("UPDATE drafts SET state = ?2, updated_at = ?3 WHERE id = ?1", params![id, state, utc_text(at)])
            .or_store(self.path())?;
        if changed == 0 {
            return Err(StoreError::NotFound(format!("draft {id}")));
        }
        for slot in slots {
            match blob_of(draft, *slot) {
                Some(bytes) => self.conn().execute(
                    "INSERT INTO draft_blobs (draft_id, slot, data) VALUES (?1, ?2, ?3) \
                     ON CONFLICT (draft_id, slot) DO UPDATE SET data = excluded.data",
                    params![id, slot.name(), bytes],
                ),
                None => self
                    .conn()
                    .execute("DELETE FROM draft_blobs WHERE draft_id = ?1 AND slot = ?2", params![id, slot.name()]),
            }
            .or_store(self.path())?;
        }
        Ok(())
    }

    /// Removes a draft and its images.
    pub fn delete_draft(&self, id: i64) -> Result<(), StoreError> {
        self.conn().execute("DELETE FROM drafts WHERE id = ?1", [id]).or_store(self.path())?;
        Ok(())
    }
}

impl Store {
    /// Drafts of one account, newest first.
    pub fn drafts_of(&self, account_id: i64) -> Result<Vec<DraftSummary>, StoreError> {
        let mut stmt = self
            .conn()
            .prepare("SELECT id, account_id, training, started_at, updated_at, state FROM drafts WHERE account_id = ?1 ORDER BY id DESC")
            .or_store(self.path())?;
        let rows = stmt
            .query_map([account_id], |r| {
                Ok((r.get::<_, i64>(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get::<_, String>(5)?))
            })
            .or_store(self.path())?;
        let mut out = Vec::new();
        for row in rows {
            let (id, account_id, training, started_at, updated_at, state) = row.or_store(self.path())?;
            let state: DraftState = serde_json::from_str(&state).map_err(|e| self.bad_draft(id, e.to_string()))?;
            let name = draft_name(&state.form);
            out.push(DraftSummary { id, account_id, training, started_at, updated_at, step: state.step, name });
        }
        Ok(out)
    }

    /// Loads a whole draft with its images.
    pub fn load_draft(&self, id: i64) -> Result<(DraftSummary, Draft), StoreError> {
        let row: Option<(i64, bool, String, String, String)> = self
            .conn()
            .query_row(
                "SELECT account_id, training, started_at, updated_at, state FROM drafts WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()
            .or_store(self.path())?;
        let (account_id, training, started_at, updated_at, state) =
            row.ok_or_else(|| StoreError::NotFound(format!("draft {id}")))?;
        let state: DraftState = serde_json::from_str(&state).map_err(|e| self.bad_draft(id, e.to_string()))?;

        let mut stmt =
            self.conn().prepare("SELECT slot, data FROM draft_blobs WHERE draft_id = ?1").or_store(self.path())?;
        let mut blobs: HashMap<String, Vec<u8>> = HashMap::new();
        for row in stmt.query_map([id], |r| Ok((r.get(0)?, r.get(1)?))).or_store(self.path())? {
            let (slot, data) = row.or_store(self.path())?;
            blobs.insert(slot, data);
        }
        let mut take = |slot: DraftSlot| {
            blobs.remove(&slot.name()).ok_or_else(|| self.bad_draft(id, format!("image {} is missing", slot.name())))
        };

        let face = match state.face {
            Some(m) => Some(FacePhoto {
                jpeg: take(DraftSlot::Face)?,
                width: m.width,
                height: m.height,
                quality: m.quality,
                checks: m.checks,
                device: m.device,
            }),
            None => None,
        };
        let mut fingers = BTreeMap::new();
        for (code, meta) in state.fingers {
            let position =
                FingerPosition::new(code).ok_or_else(|| self.bad_draft(id, format!("finger position {code}")))?;
            let record = match meta {
                FingerMeta::Captured {
                    width,
                    height,
                    dpi,
                    quality,
                    attempts,
                    force_captured,
                    force_reason,
                    device,
                    device_signature,
                } => {
                    let image = GreyImage::new(width, height, take(DraftSlot::Finger(position))?)
                        .map_err(|e| self.bad_draft(id, e.to_string()))?;
                    FingerRecord::Captured(FingerCapture {
                        image,
                        dpi,
                        quality,
                        attempts,
                        force_captured,
                        force_reason,
                        device,
                        device_signature,
                    })
                }
                FingerMeta::Exception(e) => FingerRecord::Exception(e),
            };
            fingers.insert(position, record);
        }
        let exception_photo = match state.exception_photo {
            Some((width, height)) => Some(ExceptionPhoto { jpeg: take(DraftSlot::ExceptionPhoto)?, width, height }),
            None => None,
        };
        let name = draft_name(&state.form);
        let draft = Draft {
            consent_at: state.consent_at,
            form: state.form,
            face,
            fingers,
            exception_photo,
            step: state.step,
            possible_duplicates: Vec::new(),
        };
        Ok((DraftSummary { id, account_id, training, started_at, updated_at, step: state.step, name }, draft))
    }

    fn bad_draft(&self, id: i64, detail: String) -> StoreError {
        StoreError::BadRow { path: self.path().to_path_buf(), what: format!("draft {id}"), detail }
    }
}
