//! On-kit duplicate search: each captured finger's template is compared with the same finger of
//! every person already on the kit, and the finger scores are fused into a person score.
//!
//! Two passes (`kit_biometrics::search`): the digests of everyone on the kit, kept in memory,
//! shortlist the likeliest people in milliseconds; their stored templates are then compared in
//! full and the finger scores fused (the mean of the better half, at least three: one finger can
//! match by chance, half of ten at once practically cannot, and a returning person still matches
//! when a few prints came out poor).

use super::{Operator, WorkflowError, require};
use crate::batch::templates::{read_template_list, write_template_list};
use crate::biometrics::matching::{
    Digest, EXTRACTOR, GalleryCache, Prepared, Template, parallel_filter_map, person_score, template,
};
use crate::domain::account::Permission;
use crate::domain::audit::AuditAction;
use crate::domain::biometrics::{FingerPosition, FingerRecord, GreyImage};
use crate::domain::notice::Notice;
use crate::kit::Kit;
use crate::packet::PublicKey;
use crate::store::{FingerTemplate, NewAuditEntry, StoredTemplate};
use age::secrecy::SecretString;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{MutexGuard, PoisonError};

pub use crate::biometrics::matching::{PERSON_THRESHOLD, SHORTLIST};

/// Another enrollment that may be the same person.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Its RID.
    pub rid: String,
    /// The fused person score.
    pub score: f32,
    /// Fingers compared.
    pub fingers: usize,
}

/// The templates of the captured fingers of an enrollment: (position, print quality, template),
/// made on every core (MINDTCT takes tens of milliseconds a print, and sealing waits for ten).
fn finger_templates(fingers: &BTreeMap<FingerPosition, FingerRecord>) -> Vec<(u8, u8, Template)> {
    let captured: Vec<(u8, &crate::domain::biometrics::FingerCapture)> = fingers
        .iter()
        .filter_map(|(p, r)| match r {
            FingerRecord::Captured(c) => Some((p.code(), c)),
            FingerRecord::Exception(_) => None,
        })
        .collect();
    parallel_filter_map(&captured, |(p, c)| Some((*p, c.quality, template(&c.image, c.dpi))))
        .into_iter()
        .flatten()
        .collect()
}

/// What is stored for the captured fingers of an enrollment when it is sealed: each finger's
/// ISO/IEC 19794-2 record and its search digest.
pub fn templates_of(fingers: &BTreeMap<FingerPosition, FingerRecord>) -> Vec<FingerTemplate> {
    finger_templates(fingers).iter().map(|(p, q, t)| stored_form(*p, *q, t)).collect()
}

fn stored_form(position: u8, quality: u8, t: &Template) -> FingerTemplate {
    FingerTemplate {
        position,
        iso: t.to_iso(position, quality),
        digest: Some(Digest::of(t).to_bytes()),
        extractor: EXTRACTOR,
    }
}

/// The kit's gallery brought up to date with its store: templates stored since the last search
/// are taken in, their digests made again where missing or out of date (and written back), and
/// packets sealed before there were templates, or whose templates an older extractor made, get
/// theirs from their prints. Templates loaded from another kit by an older extractor are left
/// out: there are no prints here to make them again from.
fn refreshed(kit: &Kit) -> Result<MutexGuard<'_, GalleryCache>, WorkflowError> {
    // A search that panicked leaves a gallery that is at worst behind: the next one tops it up.
    let mut cache = kit.gallery().lock().unwrap_or_else(PoisonError::into_inner);
    if cache.seen == 0 {
        rebuild_missing_templates(kit)?;
    }
    let rows = kit.store.templates_after(cache.seen)?;
    let digests = parallel_filter_map(&rows, |row| Some(digest_of(row)));
    let mut stale: BTreeMap<&str, usize> = BTreeMap::new();
    for (row, digest) in rows.iter().zip(digests) {
        cache.seen = row.row;
        if row.template.extractor != EXTRACTOR {
            // Only loaded templates get here: this kit's own were made again above.
            *stale.entry(row.origin.as_deref().unwrap_or("this kit")).or_default() += 1;
            continue;
        }
        match digest.flatten() {
            Some((digest, remade)) => {
                if remade {
                    kit.store.set_template_digest(row.row, &digest.to_bytes())?;
                }
                cache.gallery.insert(row.rid.clone(), row.template.position, digest);
            }
            None => tracing::warn!(
                "the stored template of {} finger {} is not a readable ISO/IEC 19794-2 record; \
                 that finger is left out of duplicate searches",
                row.rid,
                row.template.position
            ),
        }
    }
    for (origin, fingers) in stale {
        tracing::warn!(
            "{fingers} finger template(s) loaded from {origin} were made by an older fingerprint extractor \
             and are left out of duplicate searches: load a new template list from that kit"
        );
    }
    Ok(cache)
}

/// A stored template's digest, and whether it had to be made again; `None` if the record is
/// unreadable.
fn digest_of(row: &StoredTemplate) -> Option<(Digest, bool)> {
    if let Some(d) = row.template.digest.as_deref().and_then(Digest::from_bytes) {
        return Some((d, false));
    }
    let (t, _, _) = Template::from_iso(&row.template.iso).ok()?;
    Some((Digest::of(&t), true))
}

/// Templates made from their prints for packets that have none (sealed before migration 4) or
/// whose templates an older extractor made.
fn rebuild_missing_templates(kit: &Kit) -> Result<(), WorkflowError> {
    for rid in kit.store.rids_needing_templates(EXTRACTOR)? {
        let Some(stored) = kit.store.packet(&rid)? else { continue };
        let opened = crate::packet::open_packet(&stored.data, Some(&kit.public_key()))?;
        let mut templates = Vec::new();
        for finger in &opened.json.fingers {
            let Some(c) = &finger.capture else { continue };
            let grey = opened
                .file(&c.image.file.name)
                .and_then(|png| image::load_from_memory(png).ok())
                .map(|img| img.to_luma8())
                .and_then(|g| GreyImage::new(g.width(), g.height(), g.into_raw()).ok());
            match grey {
                Some(g) => templates.push(stored_form(finger.position.code(), c.quality, &template(&g, c.dpi))),
                None => tracing::warn!("packet {rid}: the print of finger {} does not decode", finger.position.code()),
            }
        }
        kit.store.replace_templates(&rid, &templates)?;
    }
    Ok(())
}

/// Packet `rid`'s fingers, prepared for full comparison.
fn prepared_of(kit: &Kit, rid: &str) -> Result<Vec<(u8, Prepared)>, WorkflowError> {
    Ok(kit
        .store
        .templates_of(rid)?
        .iter()
        .filter(|t| t.template.extractor == EXTRACTOR)
        .filter_map(|t| Template::from_iso(&t.template.iso).ok().map(|(tpl, p, _)| (p, Prepared::new(&tpl))))
        .collect())
}

/// The shortlisted people compared in full with `probe`: those at or above the threshold.
fn compared(
    kit: &Kit,
    probe: &[(u8, Prepared)],
    shortlist: Vec<(String, f32)>,
) -> Result<Vec<Candidate>, WorkflowError> {
    // Templates are read on this thread (one connection), compared on all cores.
    let theirs: Vec<(String, Vec<(u8, Prepared)>)> =
        shortlist.into_iter().map(|(rid, _)| prepared_of(kit, &rid).map(|p| (rid, p))).collect::<Result<_, _>>()?;
    let mut found: Vec<Candidate> = parallel_filter_map(&theirs, |(rid, fingers)| {
        let (score, fingers) = person_score(probe, fingers);
        (score >= PERSON_THRESHOLD).then(|| Candidate { rid: rid.clone(), score, fingers })
    })
    .into_iter()
    .flatten()
    .collect();
    found.sort_by(|a, b| b.score.total_cmp(&a.score));
    Ok(found)
}

/// The enrollments on the kit that may be the person whose fingers are `fingers`, best first.
pub fn search(kit: &Kit, fingers: &BTreeMap<FingerPosition, FingerRecord>) -> Result<Vec<Candidate>, WorkflowError> {
    let mine = finger_templates(fingers);
    let digests: Vec<(u8, Digest)> = mine.iter().map(|(p, _, t)| (*p, Digest::of(t))).collect();
    let probe: Vec<(u8, Prepared)> = mine.iter().map(|(p, _, t)| (*p, Prepared::new(t))).collect();
    let shortlist = refreshed(kit)?.gallery.shortlist(&digests, SHORTLIST, None);
    compared(kit, &probe, shortlist)
}

/// Every pair of enrollments on the kit that may be one person (supervisor): each person
/// searched against the others.
pub fn kit_wide(kit: &Kit, op: &Operator) -> Result<Vec<(String, String, f32)>, WorkflowError> {
    require(op, Permission::ReviewPackets)?;
    let cache = refreshed(kit)?;
    // Each pair may be met from both sides (or, past the shortlist, from one): keep it once.
    let mut pairs: BTreeMap<(String, String), f32> = BTreeMap::new();
    for rid in cache.gallery.ids() {
        let stored = kit.store.templates_of(rid)?;
        let digests: Vec<(u8, Digest)> = stored
            .iter()
            .filter(|t| t.template.extractor == EXTRACTOR)
            .filter_map(|t| digest_of(t).map(|(d, _)| (t.template.position, d)))
            .collect();
        let shortlist = cache.gallery.shortlist(&digests, SHORTLIST, Some(rid));
        let probe = prepared_of(kit, rid)?;
        for c in compared(kit, &probe, shortlist)? {
            let key = if *rid < c.rid { (rid.clone(), c.rid) } else { (c.rid, rid.clone()) };
            let best = pairs.entry(key).or_insert(c.score);
            *best = best.max(c.score);
        }
    }
    let mut pairs: Vec<(String, String, f32)> = pairs.into_iter().map(|((a, b), s)| (a, b, s)).collect();
    pairs.sort_by(|a, b| b.2.total_cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    Ok(pairs)
}

/// What loading a template list did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loaded {
    /// The kit it came from ("centre/kit key-fingerprint").
    pub origin: String,
    /// People in the list.
    pub people: usize,
    /// Fingers new to this kit (0 when the list was loaded before).
    pub added: usize,
}

/// Writes this kit's templates to `path` as a template list for other kits, sealed with
/// `passphrase` (supervisor); returns the people listed.
pub fn export_templates(
    kit: &mut Kit,
    op: &Operator,
    path: &Path,
    passphrase: &SecretString,
) -> Result<usize, WorkflowError> {
    require(op, Permission::ReviewPackets)?;
    // Never hand another kit templates an older extractor made.
    rebuild_missing_templates(kit)?;
    let people = write_template_list(kit, kit.store.own_templates(kit.config.training)?, path, passphrase)?;
    audit(kit, op, AuditAction::TemplatesExported, json!({"people": people, "to": path.display().to_string()}))?;
    Ok(people)
}

/// Loads another kit's template list into this kit's duplicate search (supervisor); with
/// `registered`, only from a registered kit. The list is checked whole before anything is stored.
pub fn import_templates(
    kit: &mut Kit,
    op: &Operator,
    path: &Path,
    passphrase: &SecretString,
    registered: Option<&[PublicKey]>,
) -> Result<Loaded, WorkflowError> {
    require(op, Permission::ReviewPackets)?;
    let list = read_template_list(path, passphrase, registered)?;
    let own = kit.kit_info();
    if list.kit.public_key == own.public_key {
        return Err(WorkflowError::Refused("this is this kit's own template list: load it on another kit".into()));
    }
    if list.training != kit.config.training {
        return Err(WorkflowError::Refused(if list.training {
            "this is a training kit's template list: a production kit never loads training people".into()
        } else {
            "this is a production kit's template list: a training kit never loads real people".into()
        }));
    }
    if (list.kit.centre.as_str(), list.kit.kit.as_str()) == (own.centre.as_str(), own.kit.as_str()) {
        return Err(WorkflowError::Refused(format!(
            "the list comes from another kit numbered {}/{} like this one: kit numbers must be unique, ask the central office",
            own.centre, own.kit
        )));
    }
    let origin = list.origin();
    let added = kit.store.import_templates(&origin, &list.people)?;
    let loaded = Loaded { origin, people: list.people.len(), added };
    audit(
        kit,
        op,
        AuditAction::TemplatesImported,
        json!({"from": loaded.origin, "people": loaded.people, "fingers_added": added, "written": list.created_at}),
    )?;
    Ok(loaded)
}

fn audit(kit: &mut Kit, op: &Operator, action: AuditAction, detail: serde_json::Value) -> Result<(), WorkflowError> {
    let now = kit.now();
    let tx = kit.store.begin()?;
    tx.audit(NewAuditEntry { at: now, actor: Some(&op.username), action, subject: None, detail })?;
    tx.commit()?;
    Ok(())
}

/// A possible duplicate as the assistant sees it: the earlier enrollment's name and photo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    /// Its RID.
    pub rid: String,
    /// Fused person score, 0–100.
    pub score: u8,
    /// The name in that packet (empty for a person enrolled at another kit).
    pub name: String,
    /// That packet's face photo (JPEG; empty for a person enrolled at another kit).
    pub face_jpeg: Vec<u8>,
    /// `None` when enrolled on this kit; else the kit whose template list named them.
    pub origin: Option<String>,
}

impl Match {
    /// What the packet records of it.
    pub fn entry(&self) -> crate::domain::biometrics::PossibleDuplicate {
        crate::domain::biometrics::PossibleDuplicate { rid: self.rid.clone(), score: self.score }
    }
}

/// The search run on a worker thread over its own kit connection, as soon as the fingerprints
/// are in, so the assistant never waits on it.
pub struct SearchWorker {
    result: std::sync::mpsc::Receiver<Result<Vec<Match>, Notice>>,
}

impl SearchWorker {
    /// Starts searching for the person with `fingers`; `wake` is called when it is done.
    pub fn start(
        kit: &Kit,
        fingers: BTreeMap<FingerPosition, FingerRecord>,
        wake: impl Fn() + Send + 'static,
    ) -> Result<SearchWorker, WorkflowError> {
        let conn = kit.second_connection()?;
        let (tx, result) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("duplicate-search".into())
            .spawn(move || {
                let found = search(&conn, &fingers).and_then(|c| c.iter().map(|c| describe(&conn, c)).collect());
                let _ = tx.send(found.map_err(|e| e.notice()));
                wake();
            })
            .map_err(|e| WorkflowError::Refused(format!("the duplicate search could not start ({e})")))?;
        Ok(SearchWorker { result })
    }

    /// The result, once the search has ended (the worker is spent after).
    pub fn finished(&self) -> Option<Result<Vec<Match>, crate::domain::notice::Notice>> {
        match self.result.try_recv() {
            Ok(r) => Some(r),
            Err(std::sync::mpsc::TryRecvError::Empty) => None,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => Some(Err(Notice::new("dedup-stopped"))),
        }
    }
}

/// The name and photo of candidate `c`, from its verified packet; a person known only from
/// another kit's template list is named by that kit, without a photo.
fn describe(kit: &Kit, c: &Candidate) -> Result<Match, WorkflowError> {
    let score = c.score.round().clamp(0.0, 100.0) as u8;
    let Some(stored) = kit.store.packet(&c.rid)? else {
        let origin = kit.store.templates_of(&c.rid)?.into_iter().find_map(|t| t.origin);
        return match origin {
            Some(origin) => Ok(Match {
                rid: c.rid.clone(),
                score,
                name: String::new(),
                face_jpeg: Vec::new(),
                origin: Some(origin),
            }),
            None => Err(WorkflowError::Refused(format!("packet {} vanished during the search", c.rid))),
        };
    };
    let opened = crate::packet::open_packet(&stored.data, Some(&kit.public_key()))?;
    Ok(Match {
        rid: c.rid.clone(),
        score,
        name: opened.json.person.display_name(),
        face_jpeg: opened.file(&opened.json.face.image.file.name).map(<[u8]>::to_vec).unwrap_or_default(),
        origin: None,
    })
}
