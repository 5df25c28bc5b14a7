//! Verifying a batch at the central office: decrypt, check the manifest signature (and that the
//! kit is registered, when a list is given), then every packet's hash, size and signature.

use super::registry::KitRegistry;
use super::{BATCH_FORMAT, BATCH_VERSION, BatchError, BatchManifest, MAX_AUDIT_BYTES, MAX_MANIFEST_BYTES};
use crate::domain::rid::Rid;
use crate::packet::manifest::KitInfo;
use crate::packet::{MAX_PACKET_BYTES, PublicKey, open_packet, sha256_hex};
use crate::store::AuditEntry;
use std::collections::BTreeMap;
use std::io::{BufReader, Read};
use std::path::Path;

/// A batch whose every packet checked out.
#[derive(Debug, Clone)]
pub struct VerifiedBatch {
    /// Its manifest.
    pub manifest: BatchManifest,
    /// The sealing kit's key.
    pub kit_key: PublicKey,
    /// The kit's audit log up to the manifest's head, every link, hash and checkpoint checked
    /// (empty for a version 1 batch from an older kit).
    pub audit: Vec<AuditEntry>,
}

/// Whether `log` agrees with the history the central office already holds for its kit (`held`:
/// each seq it holds with its hash, in order): the same hash at every position both have. A
/// log shorter than what is held is an older batch arriving late or sent again; a kit whose
/// history was rewritten, or cut short and then continued, differs at the first entry it
/// changed, and is named.
pub fn check_extends(held: &[(i64, String)], log: &[AuditEntry]) -> Result<(), String> {
    for (seq, hash) in held {
        let Some(entry) = usize::try_from(*seq - 1).ok().and_then(|i| log.get(i)) else { break };
        if &entry.hash != hash {
            return Err(format!(
                "audit entry {seq} differs from the one the central office received from this kit before: \
                 the kit's history was rewritten or cut short"
            ));
        }
    }
    Ok(())
}

/// Reads age identities (the central office's secret key file).
pub fn read_identities(path: &Path) -> Result<Vec<Box<dyn age::Identity + Send + Sync>>, BatchError> {
    let bad = |detail: String| BatchError::Decrypt { path: path.to_path_buf(), detail };
    let file = std::fs::File::open(path).map_err(|e| bad(format!("cannot read the identity file: {e}")))?;
    age::IdentityFile::from_buffer(BufReader::new(file))
        .map_err(|e| bad(format!("not an age identity file: {e}")))?
        .into_identities()
        .map_err(|e| bad(format!("not an age identity file: {e}")))
}

fn read_limited(entry: &mut impl Read, limit: u64, what: &str, path: &Path) -> Result<Vec<u8>, BatchError> {
    let mut out = Vec::new();
    entry
        .take(limit + 1)
        .read_to_end(&mut out)
        .map_err(|e| BatchError::Invalid { path: path.to_path_buf(), detail: format!("{what} cannot be read: {e}") })?;
    if out.len() as u64 > limit {
        return Err(BatchError::Invalid {
            path: path.to_path_buf(),
            detail: format!("{what} is larger than any real one"),
        });
    }
    Ok(out)
}

/// Verifies the batch at `path` with the central office's `identities`; with `registered`, the
/// kit's key must be registered, to the numbers the manifest gives, and not suspended or revoked.
pub fn verify_batch(
    path: &Path,
    identities: &[Box<dyn age::Identity + Send + Sync>],
    registered: Option<&dyn KitRegistry>,
) -> Result<VerifiedBatch, BatchError> {
    let file = std::fs::File::open(path)
        .map_err(|e| BatchError::Decrypt { path: path.to_path_buf(), detail: e.to_string() })?;
    verify_batch_each(BufReader::new(file), path, identities, registered, &mut |_, _| Ok(()))
}

/// Takes each verified packet (RID, bytes); an error stops the check.
pub type PacketSink<'a> = dyn FnMut(&str, Vec<u8>) -> Result<(), BatchError> + 'a;

/// Where a batch's tar is in its fixed order: the manifest, its signature, the audit log
/// (version 2), then packets only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Expect {
    Manifest,
    Signature,
    Audit,
    Packets,
}

/// [`verify_batch`] of the age file `reader` (named `path` in errors), handing each packet that
/// checks out to `packet(rid, bytes)` as it goes; an error from `packet` stops the check (the
/// intake streams packets into a transaction it commits only once the whole batch verified).
pub fn verify_batch_each(
    reader: impl std::io::BufRead,
    path: &Path,
    identities: &[Box<dyn age::Identity + Send + Sync>],
    registered: Option<&dyn KitRegistry>,
    packet: &mut PacketSink<'_>,
) -> Result<VerifiedBatch, BatchError> {
    let invalid = |detail: String| BatchError::Invalid { path: path.to_path_buf(), detail };
    let decryptor = age::Decryptor::new_buffered(reader).map_err(|e| BatchError::Decrypt {
        path: path.to_path_buf(),
        detail: format!("not an age file, or damaged: {e}"),
    })?;
    let reader = decryptor.decrypt(identities.iter().map(|i| i.as_ref() as &dyn age::Identity)).map_err(|e| {
        BatchError::Decrypt { path: path.to_path_buf(), detail: format!("{e} (is this the right identity file?)") }
    })?;

    let mut archive = tar::Archive::new(reader);
    let mut manifest: Option<(BatchManifest, PublicKey)> = None;
    let mut manifest_bytes = Vec::new();
    let mut audit: Option<Vec<AuditEntry>> = None;
    let mut seen: BTreeMap<String, ()> = BTreeMap::new();
    // One manifest, first: a second one could name other packets (or another kind) after the
    // first one's packets were already handed on, so the order is fixed and anything else refused.
    let mut expect = Expect::Manifest;
    let entries = archive.entries().map_err(|e| invalid(format!("the contents are damaged: {e}")))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| invalid(format!("the contents are damaged or truncated: {e}")))?;
        let name = entry.path().map_err(|e| invalid(e.to_string()))?.to_string_lossy().into_owned();
        let out_of_order = |what: &str| {
            invalid(format!(
                "{what} where the batch must have {}: a batch is manifest.json, manifest.sig, audit.jsonl, \
                 then packets, each once",
                match expect {
                    Expect::Manifest => "manifest.json first",
                    Expect::Signature => "manifest.sig second",
                    Expect::Audit => "audit.jsonl third",
                    Expect::Packets => "packets only",
                }
            ))
        };
        match (name.as_str(), expect) {
            ("manifest.json", Expect::Manifest) => {
                manifest_bytes = read_limited(&mut entry, MAX_MANIFEST_BYTES, "manifest.json", path)?;
                expect = Expect::Signature;
            }
            ("manifest.sig", Expect::Signature) => {
                let text = read_limited(&mut entry, 1024, "manifest.sig", path)?;
                let signature = hex::decode(String::from_utf8_lossy(&text).trim())
                    .map_err(|_| invalid("manifest.sig is not hex".into()))?;
                let parsed: BatchManifest =
                    serde_json::from_slice(&manifest_bytes).map_err(|e| invalid(format!("manifest.json: {e}")))?;
                if parsed.format != BATCH_FORMAT || !(1..=BATCH_VERSION).contains(&parsed.version) {
                    return Err(invalid(format!(
                        "manifest.json: format {} version {} is not a batch this build reads",
                        parsed.format, parsed.version
                    )));
                }
                let key = PublicKey::from_text(&parsed.kit.public_key)
                    .map_err(|e| invalid(format!("manifest.json: kit.public_key: {e}")))?;
                if !key.verify(&manifest_bytes, &signature) {
                    return Err(invalid(
                        "manifest.json: the signature does not verify against the kit key it names".into(),
                    ));
                }
                if let Some(registry) = registered {
                    let refused = match registry.lookup(&key) {
                        None => Some(registry.unknown(&key, &parsed.kit.centre, &parsed.kit.kit)),
                        Some(kit) => kit.refuses(&parsed.kit.centre, &parsed.kit.kit, &parsed.created_at),
                    };
                    if let Some(why) = refused {
                        return Err(invalid(why));
                    }
                }
                expect = if parsed.version >= 2 { Expect::Audit } else { Expect::Packets };
                manifest = Some((parsed, key));
            }
            ("audit.jsonl", Expect::Audit) => {
                let Some((m, key)) = &manifest else { return Err(out_of_order("audit.jsonl")) };
                let bytes = read_limited(&mut entry, MAX_AUDIT_BYTES, "audit.jsonl", path)?;
                let log = read_audit(&bytes, m, key).map_err(|e| invalid(format!("audit.jsonl: {e}")))?;
                audit = Some(log);
                expect = Expect::Packets;
            }
            (other, Expect::Packets) if other.starts_with("packets/") => {
                let Some((m, key)) = &manifest else { return Err(out_of_order(other)) };
                let rid = other
                    .strip_prefix("packets/")
                    .and_then(|r| r.strip_suffix(".zst"))
                    .ok_or_else(|| invalid(format!("unexpected file {other}")))?;
                let listed = m
                    .packets
                    .iter()
                    .find(|p| p.rid == rid)
                    .ok_or_else(|| invalid(format!("packet {rid} is not in the manifest")))?;
                let data = read_limited(&mut entry, MAX_PACKET_BYTES, &format!("packet {rid}"), path)?;
                if data.len() as u64 != listed.size || sha256_hex(&data) != listed.sha256 {
                    return Err(invalid(format!("packet {rid} does not match its size and SHA-256 in the manifest")));
                }
                let opened = open_packet(&data, Some(key)).map_err(|source| BatchError::Packet {
                    path: path.to_path_buf(),
                    rid: rid.into(),
                    source,
                })?;
                if opened.json.rid != rid {
                    return Err(invalid(format!("packet {rid} says it is {}", opened.json.rid)));
                }
                check_packet_kit(rid, &opened.json.kit, &m.kit).map_err(invalid)?;
                if opened.json.training != m.training {
                    return Err(invalid(format!(
                        "packet {rid} is {} in a {} batch",
                        kind(opened.json.training),
                        kind(m.training)
                    )));
                }
                let simulated = opened.json.simulated_devices();
                if !opened.json.training && !simulated.is_empty() {
                    return Err(invalid(format!(
                        "packet {rid} is a production packet captured with a simulator ({}): \
                         production records come from real devices only",
                        simulated.join(", ")
                    )));
                }
                if seen.insert(rid.to_string(), ()).is_some() {
                    return Err(invalid(format!("packet {rid} appears twice")));
                }
                packet(rid, data)?;
            }
            (other, _) => return Err(out_of_order(other)),
        }
    }
    let (manifest, kit_key) = manifest.ok_or_else(|| invalid("there is no signed manifest".into()))?;
    let audit = match (audit, manifest.version) {
        (Some(log), _) => log,
        (None, 1) => Vec::new(),
        (None, _) => return Err(invalid("the batch carries no audit log (audit.jsonl)".into())),
    };
    if let Some(missing) = manifest.packets.iter().find(|p| !seen.contains_key(&p.rid)) {
        return Err(invalid(format!("packet {} is in the manifest but not in the batch (truncated?)", missing.rid)));
    }
    Ok(VerifiedBatch { manifest, kit_key, audit })
}

/// A packet belongs to the kit that signed the batch: its signed kit block is the manifest's,
/// and its RID carries that kit's centre and kit numbers, so no kit can take another's RIDs.
fn check_packet_kit(rid: &str, packet_kit: &KitInfo, batch_kit: &KitInfo) -> Result<(), String> {
    if packet_kit != batch_kit {
        return Err(format!(
            "packet {rid} was sealed by kit {}/{} but the batch is kit {}/{}'s",
            packet_kit.centre, packet_kit.kit, batch_kit.centre, batch_kit.kit
        ));
    }
    let parsed = Rid::parse(rid).map_err(|e| format!("packet {rid}: {e}"))?;
    if parsed.centre() != batch_kit.centre || parsed.kit() != batch_kit.kit {
        return Err(format!(
            "packet {rid} carries the numbers of kit {}/{}, not of kit {}/{} that signed it: a kit can only \
             enroll under its own numbers",
            parsed.centre(),
            parsed.kit(),
            batch_kit.centre,
            batch_kit.kit
        ));
    }
    Ok(())
}

/// Parses `audit.jsonl` and checks it: a whole chain from the first entry, every checkpoint the
/// kit's, ending exactly at the head the signed manifest names.
fn read_audit(bytes: &[u8], manifest: &BatchManifest, key: &PublicKey) -> Result<Vec<AuditEntry>, String> {
    let head = manifest.audit.as_ref().ok_or("the manifest names no audit head")?;
    let text = std::str::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())?;
    let log: Vec<AuditEntry> = text
        .lines()
        .enumerate()
        .map(|(i, line)| serde_json::from_str(line).map_err(|e| format!("line {}: {e}", i + 1)))
        .collect::<Result<_, _>>()?;
    crate::store::audit::verify_chain(&log, key).map_err(|fault| fault.to_string())?;
    match log.last() {
        Some(last) if last.seq == head.seq && last.hash == head.hash => Ok(log),
        _ => Err(format!("the log does not end at the head the manifest names (entry {})", head.seq)),
    }
}

fn kind(training: bool) -> &'static str {
    if training { "training" } else { "production" }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(hashes: &[&str]) -> Vec<AuditEntry> {
        (1..)
            .zip(hashes)
            .map(|(seq, h)| AuditEntry {
                seq,
                at: "2026-11-24T09:00:00Z".into(),
                actor: None,
                action: "login_ok".into(),
                subject: None,
                detail: "{}".into(),
                prev_hash: String::new(),
                hash: (*h).into(),
            })
            .collect()
    }

    #[test]
    fn a_packet_must_be_sealed_by_the_batchs_kit_under_its_numbers() {
        let kit = |centre: &str, number: &str| KitInfo {
            centre: centre.into(),
            kit: number.into(),
            county: "047".into(),
            public_key: "ab".repeat(32),
        };
        let own = "00042000080000120261124090000";
        assert_eq!(check_packet_kit(own, &kit("00042", "00008"), &kit("00042", "00008")), Ok(()));
        // Kit 00042/00008 sealing a packet under kit 00042/00007's RID: squatting.
        let squatted = "00042000070000120261124090000";
        let e = check_packet_kit(squatted, &kit("00042", "00008"), &kit("00042", "00008")).unwrap_err();
        assert!(e.contains("carries the numbers of kit 00042/00007, not of kit 00042/00008"), "{e}");
        let e = check_packet_kit(own, &kit("00042", "00007"), &kit("00042", "00008")).unwrap_err();
        assert!(e.contains("was sealed by kit 00042/00007 but the batch is kit 00042/00008's"), "{e}");
        assert!(check_packet_kit("not-a-rid", &kit("00042", "00008"), &kit("00042", "00008")).is_err());
    }

    #[test]
    fn a_log_must_extend_what_the_central_office_holds() {
        let held = vec![(1, "a".to_string()), (2, "b".to_string())];
        assert_eq!(check_extends(&held, &log(&["a", "b", "c"])), Ok(()));
        assert_eq!(check_extends(&held, &log(&["a", "b"])), Ok(()), "the same history again");
        assert_eq!(check_extends(&[], &log(&["x"])), Ok(()), "a kit's first batch");
        assert!(check_extends(&held, &log(&["a", "x", "c"])).unwrap_err().contains("entry 2 differs"));
        assert_eq!(check_extends(&held, &log(&["a"])), Ok(()), "an older batch, late or sent again");
        // Cut back to one entry, then the kit went on: the next entry it wrote is not the one held.
        assert!(check_extends(&held, &log(&["a", "y"])).unwrap_err().contains("rewritten or cut short"));
    }
}
