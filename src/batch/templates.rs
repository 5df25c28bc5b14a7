//! Template lists: the finger templates of one kit's people, carried on a stick to another kit so
//! that its duplicate search covers them too (people move between centres during a campaign).
//!
//! Format 2, on the stick: an age file encrypted with a passphrase (scrypt) — templates are
//! biometric data and a lost stick must leak nothing; the supervisors agree the passphrase by
//! word of mouth, never on the stick — whose plaintext is zstd-compressed JSON:
//!
//! ```text
//! { "format": "enroll-kit template list", "version": 2,
//!   "kit": { "centre", "kit", "county", "public_key" },      (the packets' kit block)
//!   "training": false,            (a training kit's list holds its training packets only, and the
//!                                  reverse: a production kit never loads a training list)
//!   "created_at": "2026-11-25T08:00:00Z",
//!   "people": [ { "rid": "…", "fingers": [ { "position": 1, "iso": "<hex ISO/IEC 19794-2 record>" } ] } ],
//!   "signature": "<hex Ed25519 signature by that kit's key over the canonical JSON of the rest>" }
//! ```
//!
//! Reading checks the signature against the key the list carries (and against the registered
//! kits when given), that every RID belongs to that kit, and every record parses. The version
//! names the extractor too: version 1 lists hold templates of the kit's first extractor, which
//! this one cannot compare, so they are refused with the way out (a new list from that kit).

use super::BatchError;
use crate::biometrics::matching::{Digest, EXTRACTOR, Template};
use crate::kit::Kit;
use crate::packet::canonical::to_canonical_json;
use crate::packet::keys::PublicKey;
use crate::packet::manifest::KitInfo;
use crate::store::{FingerTemplate, StoredTemplate};
use age::secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};
use std::path::Path;

/// The `format` field.
pub const FORMAT: &str = "enroll-kit template list";
/// The version this build writes and reads: 2 since templates come from MINDTCT
/// (`kit_biometrics::template::EXTRACTOR` 2).
pub const VERSION: u32 = 2;
/// Shortest passphrase accepted: it is all that stands between a lost stick and the templates.
pub const MIN_PASSPHRASE: usize = 12;
/// Largest list read (bytes, decrypted and decompressed): about 100,000 people.
const MAX_LIST: u64 = 2 << 30;

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListJson {
    format: String,
    version: u32,
    kit: KitInfo,
    training: bool,
    created_at: String,
    people: Vec<ListedPerson>,
    signature: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListedPerson {
    rid: String,
    fingers: Vec<ListedFinger>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListedFinger {
    position: u8,
    iso: String,
}

/// A template list read and checked.
#[derive(Debug)]
pub struct TemplateList {
    /// The kit that signed it.
    pub kit: KitInfo,
    /// Training people only (from a pilot kit).
    pub training: bool,
    /// When it was written.
    pub created_at: String,
    /// Each person's fingers, digests made.
    pub people: Vec<(String, Vec<FingerTemplate>)>,
}

impl TemplateList {
    /// How the loaded rows name where they came from: "centre/kit key-fingerprint".
    pub fn origin(&self) -> String {
        let key = PublicKey::from_text(&self.kit.public_key).map(|k| k.fingerprint()).unwrap_or_default();
        format!("{}/{} {key}", self.kit.centre, self.kit.kit)
    }
}

fn check_passphrase(passphrase: &SecretString) -> Result<(), BatchError> {
    if passphrase.expose_secret().chars().count() < MIN_PASSPHRASE {
        return Err(BatchError::Passphrase(format!(
            "a passphrase of at least {MIN_PASSPHRASE} characters is needed (a few words are easiest to say and hard to guess)"
        )));
    }
    Ok(())
}

fn signed_part(list: &serde_json::Value) -> Vec<u8> {
    let mut unsigned = list.clone();
    if let Some(map) = unsigned.as_object_mut() {
        map.remove("signature");
    }
    to_canonical_json(&unsigned)
}

/// Writes `templates` (this kit's own, ordered by RID, training ones on a training kit and
/// production ones otherwise) to `path` as a template list signed by the
/// kit and sealed with `passphrase`; returns the people listed. The file appears whole or not at all.
pub fn write_template_list(
    kit: &Kit,
    templates: Vec<StoredTemplate>,
    path: &Path,
    passphrase: &SecretString,
) -> Result<usize, BatchError> {
    check_passphrase(passphrase)?;
    let mut people: Vec<ListedPerson> = Vec::new();
    for t in templates {
        let finger = ListedFinger { position: t.template.position, iso: hex::encode(&t.template.iso) };
        match people.last_mut() {
            Some(p) if p.rid == t.rid => p.fingers.push(finger),
            _ => people.push(ListedPerson { rid: t.rid, fingers: vec![finger] }),
        }
    }
    let count = people.len();
    let unsigned = ListJson {
        format: FORMAT.into(),
        version: VERSION,
        kit: kit.kit_info(),
        training: kit.config.training,
        created_at: crate::packet::utc_text(kit.now()),
        people,
        signature: String::new(),
    };
    let invalid = |detail: String| BatchError::Invalid { path: path.to_path_buf(), detail };
    let mut value = serde_json::to_value(&unsigned).map_err(|e| invalid(e.to_string()))?;
    let signature = hex::encode(kit.sign(&signed_part(&value)));
    value["signature"] = serde_json::Value::String(signature);
    let json = serde_json::to_vec(&value).map_err(|e| invalid(e.to_string()))?;
    let compressed = zstd::encode_all(&json[..], 9).map_err(|e| invalid(e.to_string()))?;

    let write_err = |e: &dyn std::fmt::Display| BatchError::Write { path: path.to_path_buf(), detail: e.to_string() };
    let partial = path.with_extension("partial");
    let written = (|| -> Result<(), BatchError> {
        let mut file = std::fs::File::create(&partial).map_err(|e| write_err(&e))?;
        let encryptor = age::Encryptor::with_user_passphrase(passphrase.clone());
        let mut sealed = encryptor.wrap_output(&mut file).map_err(|e| write_err(&e))?;
        sealed.write_all(&compressed).map_err(|e| write_err(&e))?;
        sealed.finish().map_err(|e| write_err(&e))?;
        file.sync_all().map_err(|e| write_err(&e))?;
        std::fs::rename(&partial, path).map_err(|e| write_err(&e))?;
        if let Some(dir) = path.parent().and_then(|d| std::fs::File::open(d).ok()) {
            dir.sync_all().map_err(|e| write_err(&e))?;
        }
        Ok(())
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    written.map(|()| count)
}

/// Reads and checks the template list at `path`; with `registered`, its kit must be one of them.
pub fn read_template_list(
    path: &Path,
    passphrase: &SecretString,
    registered: Option<&[PublicKey]>,
) -> Result<TemplateList, BatchError> {
    let invalid = |detail: String| BatchError::Invalid { path: path.to_path_buf(), detail };
    let decrypt = |detail: String| BatchError::Decrypt { path: path.to_path_buf(), detail };
    let file = std::fs::File::open(path).map_err(|e| decrypt(e.to_string()))?;
    let decryptor = age::Decryptor::new_buffered(std::io::BufReader::new(file))
        .map_err(|e| decrypt(format!("not a template list ({e})")))?;
    let identity = age::scrypt::Identity::new(passphrase.clone());
    let reader = decryptor
        .decrypt(std::iter::once(&identity as &dyn age::Identity))
        .map_err(|e| decrypt(format!("{e}: check the passphrase with the supervisor who wrote it")))?;
    let mut json = Vec::new();
    zstd::Decoder::new(reader)
        .map_err(|e| invalid(format!("damaged ({e})")))?
        .take(MAX_LIST)
        .read_to_end(&mut json)
        .map_err(|e| invalid(format!("damaged or cut short ({e})")))?;
    let value: serde_json::Value = serde_json::from_slice(&json).map_err(|e| invalid(format!("not JSON: {e}")))?;
    let (format, version) = (value["format"].as_str().unwrap_or_default(), value["version"].as_u64());
    if format != FORMAT {
        return Err(invalid(format!("not a template list (format {format:?}; this program reads \"{FORMAT}\")")));
    }
    match version {
        Some(v) if v == u64::from(VERSION) => {}
        Some(1) => {
            return Err(invalid(
                "written by an older enroll-kit whose fingerprint templates this version cannot compare: \
                 update the program on the kit that wrote it, then export its template list again"
                    .into(),
            ));
        }
        v => {
            return Err(invalid(format!(
                "template list version {}; this program reads version {VERSION}: use the same enroll-kit on both kits",
                v.map_or_else(|| "missing".to_string(), |v| v.to_string())
            )));
        }
    }
    let list: ListJson =
        serde_json::from_value(value.clone()).map_err(|e| invalid(format!("not a template list: {e}")))?;
    let key = PublicKey::from_text(&list.kit.public_key).map_err(|e| invalid(format!("kit public key: {e}")))?;
    let signature = hex::decode(&list.signature).map_err(|_| invalid("the signature is not hex".into()))?;
    if !key.verify(&signed_part(&value), &signature) {
        return Err(invalid("the signature does not match: the list was altered after it was written".into()));
    }
    if let Some(kits) = registered
        && !kits.contains(&key)
    {
        return Err(invalid(format!(
            "kit {}/{} (key {}) is not in the registered kits",
            list.kit.centre,
            list.kit.kit,
            key.fingerprint()
        )));
    }
    let prefix = format!("{}{}", list.kit.centre, list.kit.kit);
    let mut people = Vec::with_capacity(list.people.len());
    for p in list.people {
        if !p.rid.starts_with(&prefix) || p.rid.len() != 29 || !p.rid.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid(format!("RID {} is not one of kit {}/{}'s", p.rid, list.kit.centre, list.kit.kit)));
        }
        let mut fingers = Vec::with_capacity(p.fingers.len());
        for f in p.fingers {
            let iso = hex::decode(&f.iso).map_err(|_| invalid(format!("{} finger {}: not hex", p.rid, f.position)))?;
            let (t, position, _) =
                Template::from_iso(&iso).map_err(|e| invalid(format!("{} finger {}: {e}", p.rid, f.position)))?;
            if position != f.position || !(1..=10).contains(&position) {
                return Err(invalid(format!("{} finger {}: the record says finger {position}", p.rid, f.position)));
            }
            fingers.push(FingerTemplate {
                position,
                iso,
                digest: Some(Digest::of(&t).to_bytes()),
                extractor: EXTRACTOR,
            });
        }
        people.push((p.rid, fingers));
    }
    Ok(TemplateList { kit: list.kit, training: list.training, created_at: list.created_at, people })
}
