//! The central office's intake as an outsider and as an insider with a kit would try it (issue
//! 16): strangers, stale and replayed requests, another kit's batch id, a kit under another kit's
//! numbers, two manifests in one batch, quotas, a full spool, abandoned uploads; and two intake
//! nodes on one PostgreSQL, one stopped mid-upload and one "dead" mid-finish.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a panic is a failure with its line

#[path = "common/cluster.rs"]
mod cluster;
mod common;
#[path = "common/fault_proxy.rs"]
mod fault_proxy;
#[path = "common/intake.rs"]
mod intake_common;

use common::{enroll, kit_with_staff, registered};
use enroll_kit::batch::export::Destination;
use enroll_kit::batch::registry::KitState;
use enroll_kit::batch::verify::{read_identities, verify_batch};
use enroll_kit::intake::{Database, Limits, RunningIntake};
use enroll_kit::kit::Kit;
use enroll_kit::packet::KitKey;
use enroll_kit::sync::client::Intake;
use enroll_kit::sync::signing::{self, Covered};
use enroll_kit::sync::{SignedReceipt, SyncError};
use enroll_kit::workflow::export::close_day;
use enroll_kit::workflow::upload::intake_at;
use intake_common::{keys, office_key, pin, postgres, start_intake, start_with, test_kit};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Duration;

const SHA: &str = "5d41402abc4b2a76b9719d911017c592a4a7f4e6f1b2c3d4e5f60718293a4b5c";

/// An HTTP client that sends whatever it is told, signed or not.
struct Raw {
    agent: ureq::Agent,
    base: String,
}

/// What came back: status and body.
#[derive(Debug)]
struct Answer(u16, String);

impl Raw {
    fn to(intake: &RunningIntake) -> Raw {
        let tls = enroll_kit::sync::tls::pinned_client_config(&pin()).unwrap();
        Raw { agent: ureq::AgentBuilder::new().tls_config(tls).build(), base: format!("https://{}", intake.addr) }
    }

    fn send(&self, method: &str, path: &str, headers: &[(&str, String)], body: &[u8]) -> Answer {
        let mut request = self.agent.request(method, &format!("{}{path}", self.base));
        for (name, value) in headers {
            request = request.set(name, value);
        }
        let answer = match request.send_bytes(body) {
            Ok(a) => a,
            Err(ureq::Error::Status(_, a)) => a,
            Err(e) => panic!("{method} {path}: {e}"),
        };
        let status = answer.status();
        let mut text = String::new();
        answer.into_reader().read_to_string(&mut text).unwrap();
        Answer(status, text)
    }

    /// `method path` signed by `key` at `created`, with the upload headers signed too.
    fn signed(
        &self,
        key: &KitKey,
        created: i64,
        method: &str,
        path: &str,
        upload: Option<(u64, &str)>,
        body: &[u8],
    ) -> (Answer, String) {
        let offset = upload.map(|(o, _)| o.to_string());
        let covered = Covered {
            method,
            path,
            upload_offset: offset.as_deref(),
            upload_sha256: upload.map(|(_, s)| s),
            body_sha256: if method == "PATCH" { None } else { signing::body_digest(body) },
        };
        let header = signing::sign(key, &covered, created).unwrap();
        let mut headers = vec![(signing::HEADER, header.clone())];
        if let Some((o, s)) = upload {
            headers.push(("upload-offset", o.to_string()));
            headers.push(("upload-sha256", s.to_string()));
        }
        (self.send(method, path, &headers, body), header)
    }
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn open_body(size: u64) -> Vec<u8> {
    format!(r#"{{"size": {size}, "sha256": "{SHA}"}}"#).into_bytes()
}

fn sqlite(dir: &Path) -> Database {
    Database::Sqlite(dir.join("intake.db"))
}

#[test]
fn nothing_unsigned_stale_replayed_or_from_an_unregistered_kit_reaches_the_disk() {
    let tmp = tempfile::tempdir().unwrap();
    let (kit, registered_kit) = test_kit(1, "00042", "00001");
    let (suspended, mut s) = test_kit(2, "00042", "00002");
    let (revoked, mut r) = test_kit(3, "00042", "00003");
    s.state = KitState::Suspended { reason: "under examination".into() };
    r.state = KitState::Revoked { since: "2026-11-30T00:00:00Z".into(), reason: "stolen".into() };
    let intake = start_intake(sqlite(tmp.path()), office_key(), &[registered_kit, s.clone(), r.clone()]);
    intake.db().set_kit_state(&s.public_key, &s.state).unwrap();
    intake.db().set_kit_state(&r.public_key, &r.state).unwrap();
    let raw = Raw::to(&intake);
    let path = "/v1/uploads/0004200001-20261201090000";

    // Anyone may no longer upload: no signature, a bad one, a stranger's key.
    let a = raw.send("PUT", path, &[], &open_body(10));
    assert_eq!(a.0, 401, "{a:?}");
    assert!(a.1.contains("not signed"), "{a:?}");
    let a = raw.send("PUT", path, &[(signing::HEADER, "key=00;created=1;nonce=00;sig=00".into())], &open_body(10));
    assert_eq!(a.0, 401, "{a:?}");
    let stranger = KitKey::from_seed([66; 32]);
    let (a, _) = raw.signed(&stranger, now(), "PUT", path, None, &open_body(10));
    assert_eq!(a.0, 403, "{a:?}");
    assert!(a.1.contains("is not registered with the central office"), "{a:?}");
    for (key, state) in [(&suspended, "suspended"), (&revoked, "revoked")] {
        let (a, _) = raw.signed(key, now(), "PUT", "/v1/uploads/0004200002-20261201090000", None, &open_body(10));
        assert_eq!(a.0, 403, "{a:?}");
        assert!(a.1.contains(&format!("this kit is {state}")), "{a:?}");
    }
    // A registered kit's request signed an hour ago, or whose body was changed after signing.
    let (a, _) = raw.signed(&kit, now() - 3600, "PUT", path, None, &open_body(10));
    assert_eq!(a.0, 401, "{a:?}");
    assert!(a.1.contains("more than 300 s apart"), "{a:?}");
    let covered = Covered {
        method: "PUT",
        path,
        upload_offset: None,
        upload_sha256: None,
        body_sha256: signing::body_digest(&open_body(10)),
    };
    let header = signing::sign(&kit, &covered, now()).unwrap();
    let a = raw.send("PUT", path, &[(signing::HEADER, header)], &open_body(9_000_000));
    assert_eq!(a.0, 401, "a body other than the one signed: {a:?}");
    assert_eq!(intake.db().spooled().unwrap(), (0, 0), "nothing opened");

    // The kit's own request goes through once; sent again word for word, it is a replay.
    let (a, header) = raw.signed(&kit, now(), "PUT", path, None, &open_body(10));
    assert_eq!(a.0, 200, "{a:?}");
    let again = raw.send("PUT", path, &[(signing::HEADER, header)], &open_body(10));
    assert_eq!(again.0, 401, "{again:?}");
    assert!(again.1.contains("replay"), "{again:?}");
    // A chunk whose signature names another offset than it is sent at.
    let covered =
        Covered { method: "PATCH", path, upload_offset: Some("0"), upload_sha256: Some(SHA), body_sha256: None };
    let header = signing::sign(&kit, &covered, now()).unwrap();
    let a = raw.send(
        "PATCH",
        path,
        &[(signing::HEADER, header), ("upload-offset", "5".into()), ("upload-sha256", SHA.into())],
        b"hello",
    );
    assert_eq!(a.0, 401, "{a:?}");
    assert_eq!(intake.db().spooled().unwrap(), (1, 0), "one upload open, not a byte written");

    let metrics = raw.send("GET", "/metrics", &[], b"");
    for line in [
        "intake_requests_refused_total{reason=\"replayed\"} 1",
        "intake_requests_refused_total{reason=\"unregistered\"} 1",
    ] {
        assert!(metrics.1.lines().any(|l| l == line), "{line} in {}", metrics.1);
    }
    assert_eq!(raw.send("GET", "/v1/ready", &[], b"").0, 200);
}

#[test]
fn a_batch_id_belongs_to_the_kit_whose_numbers_it_carries_and_that_opened_it() {
    let tmp = tempfile::tempdir().unwrap();
    let (a_key, a) = test_kit(1, "00042", "00001");
    let (b_key, b) = test_kit(2, "00042", "00002");
    let intake = start_intake(sqlite(tmp.path()), office_key(), &[a, b]);
    let raw = Raw::to(&intake);
    let path = "/v1/uploads/0004200001-20261201090000";
    let (answer, _) = raw.signed(&a_key, now(), "PUT", path, None, &open_body(10));
    assert_eq!(answer.0, 200, "{answer:?}");
    let (answer, _) = raw.signed(&a_key, now(), "PATCH", path, Some((0, SHA)), b"01234");
    assert_eq!(answer.0, 200, "{answer:?}");

    // Kit B tries to reset kit A's upload with another file, to continue it, or to read it.
    let other = br#"{"size": 10, "sha256": "0000000000000000000000000000000000000000000000000000000000000000"}"#;
    let (answer, _) = raw.signed(&b_key, now(), "PUT", path, None, other);
    assert_eq!(answer.0, 403, "{answer:?}");
    assert!(answer.1.contains("is not this kit's"), "{answer:?}");
    let (answer, _) = raw.signed(&b_key, now(), "PATCH", path, Some((5, SHA)), b"56789");
    assert_eq!(answer.0, 403, "{answer:?}");
    let (answer, _) = raw.signed(&b_key, now(), "GET", path, None, b"");
    assert_eq!(answer.0, 403, "{answer:?}");
    let (answer, _) = raw.signed(&a_key, now(), "GET", path, None, b"");
    assert!(answer.1.contains("\"received\":5"), "kit A's bytes are all there: {answer:?}");
}

/// Two kits with the same numbers (a kit provisioned under another's centre and kit numbers);
/// the central office registered the second under its own.
fn squatter_and_victim(dir: &Path) -> ((Kit, PathBuf), (Kit, PathBuf)) {
    let day = |name: &str, seed: u64| {
        let (mut kit, _clock, sup, assistant) = kit_with_staff(&dir.join(name));
        let rid = enroll(&mut kit, &assistant, seed);
        enroll_kit::workflow::review::approve(&mut kit, &sup, &rid).unwrap();
        let stick = dir.join(format!("{name}-stick"));
        std::fs::create_dir_all(&stick).unwrap();
        let batch =
            close_day(&mut kit, &sup, &Destination::folder(&stick), false, &AtomicBool::new(false), &mut |_, _| {})
                .unwrap();
        (kit, batch.path)
    };
    (day("squatter", 5), day("victim", 6))
}

#[test]
fn a_kit_cannot_send_packets_under_another_kits_numbers() {
    let tmp = tempfile::tempdir().unwrap();
    let ((squatter, squatter_batch), (victim, victim_batch)) = squatter_and_victim(tmp.path());
    let mut as_registered = registered(&squatter);
    as_registered.kit = Some("00008".into());
    let intake = start_intake(sqlite(tmp.path()), office_key(), &[as_registered.clone(), registered(&victim)]);
    let url = format!("https://{}", intake.addr);
    let never = AtomicBool::new(false);

    // The squatter's batch, under the victim's numbers, is refused at the door...
    let squatter_id = squatter.store.batches().unwrap()[0].id.clone();
    let client = intake_at(&squatter, &url, &pin(), Duration::from_secs(10)).unwrap().without_poll_waits();
    let e = client.upload(&squatter_id, &squatter_batch, &mut |_, _| {}, &never).unwrap_err();
    assert!(e.to_string().contains("is not this kit's"), "{e}");
    // ...and by `verify` with the register, which binds the key to its numbers.
    let identities = read_identities(&keys().join("test-hq.age")).unwrap();
    let register = vec![as_registered, registered(&victim)];
    let e = verify_batch(&squatter_batch, &identities, Some(&register)).unwrap_err();
    assert!(e.to_string().contains("that key is registered to kit 00042/00008"), "{e}");
    assert_eq!(intake.packet_count().unwrap(), 0);

    // The victim's genuine batch is taken whole.
    let victim_id = victim.store.batches().unwrap()[0].id.clone();
    let client = intake_at(&victim, &url, &pin(), Duration::from_secs(10)).unwrap().without_poll_waits();
    let uploaded = client.upload(&victim_id, &victim_batch, &mut |_, _| {}, &never).unwrap();
    assert!(uploaded.receipt.receipt.packets.iter().all(|p| p.accepted), "{:?}", uploaded.receipt);
    assert_eq!(intake.packet_count().unwrap(), 1);
}

/// The tar inside a batch, entry by entry (name, bytes).
fn open_batch(path: &Path) -> Vec<(String, Vec<u8>)> {
    let identities = read_identities(&keys().join("test-hq.age")).unwrap();
    let file = std::io::BufReader::new(std::fs::File::open(path).unwrap());
    let decryptor = age::Decryptor::new_buffered(file).unwrap();
    let reader = decryptor.decrypt(identities.iter().map(|i| i.as_ref() as &dyn age::Identity)).unwrap();
    let mut archive = tar::Archive::new(reader);
    archive
        .entries()
        .unwrap()
        .map(|e| {
            let mut e = e.unwrap();
            let name = e.path().unwrap().to_string_lossy().into_owned();
            let mut bytes = Vec::new();
            e.read_to_end(&mut bytes).unwrap();
            (name, bytes)
        })
        .collect()
}

/// Seals `entries` as a batch to the test central office.
fn seal(entries: &[(String, Vec<u8>)], path: &Path) {
    let text = std::fs::read_to_string(keys().join("test-hq.age.pub")).unwrap();
    let line = text.lines().find(|l| l.starts_with("age1")).unwrap();
    let recipient: age::x25519::Recipient = line.trim().parse().unwrap();
    let encryptor = age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient)).unwrap();
    let mut out = encryptor.wrap_output(std::fs::File::create(path).unwrap()).unwrap();
    {
        let mut tar = tar::Builder::new(&mut out);
        for (name, bytes) in entries {
            let mut header = tar::Header::new_gnu();
            header.set_size(bytes.len() as u64);
            header.set_mode(0o644);
            tar.append_data(&mut header, name, &bytes[..]).unwrap();
        }
        tar.finish().unwrap();
    }
    out.finish().unwrap().flush().unwrap();
}

#[test]
fn a_batch_with_a_second_manifest_or_its_parts_out_of_order_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let ((_, _), (kit, batch)) = squatter_and_victim(tmp.path());
    let identities = read_identities(&keys().join("test-hq.age")).unwrap();
    let register = vec![registered(&kit)];
    let entries = open_batch(&batch);
    assert_eq!(
        entries.iter().map(|(n, _)| n.as_str()).take(3).collect::<Vec<_>>(),
        ["manifest.json", "manifest.sig", "audit.jsonl"]
    );
    let forged = tmp.path().join("forged.age");
    let mut twice = entries.clone();
    twice.extend(entries[..2].iter().cloned());
    let mut sig_first = entries.clone();
    sig_first.swap(0, 1);
    let mut audit_late = entries.clone();
    let audit = audit_late.remove(2);
    audit_late.push(audit);
    let mut stray = entries.clone();
    stray.insert(3, ("notes.txt".into(), b"hello".to_vec()));
    for (name, contents, said) in [
        ("a second manifest after the packets", twice, "manifest.json where the batch must have packets only"),
        ("the signature first", sig_first, "manifest.sig where the batch must have manifest.json first"),
        ("the audit log after the packets", audit_late, "where the batch must have audit.jsonl third"),
        ("a stray file", stray, "notes.txt where the batch must have packets only"),
    ] {
        seal(&contents, &forged);
        let e = verify_batch(&forged, &identities, Some(&register)).unwrap_err();
        assert!(e.to_string().contains(said), "{name}: {e}");
    }
    seal(&entries, &forged);
    verify_batch(&forged, &identities, Some(&register)).expect("the same entries in order still verify");
}

#[test]
fn quotas_a_full_spool_and_abandoned_uploads() {
    let tmp = tempfile::tempdir().unwrap();
    let (a_key, a) = test_kit(1, "00042", "00001");
    let (b_key, b) = test_kit(2, "00042", "00002");
    let limits =
        Limits { kit_open_uploads: 2, kit_spool_bytes: 1000, spool_bytes: 1500, max_batch: 900, ..Limits::default() };
    let intake = start_with(sqlite(tmp.path()), office_key(), &[a, b], limits.clone());
    let raw = Raw::to(&intake);
    let open = |key: &KitKey, batch: &str, size: u64| {
        raw.signed(key, now(), "PUT", &format!("/v1/uploads/{batch}"), None, &open_body(size)).0
    };
    assert_eq!(open(&a_key, "0004200001-1", 901).0, 413, "larger than any day's batch");
    assert_eq!(open(&a_key, "0004200001-1", 400).0, 200);
    assert_eq!(open(&a_key, "0004200001-2", 400).0, 200);
    let third = open(&a_key, "0004200001-3", 100);
    assert_eq!(third.0, 429, "{third:?}");
    assert!(third.1.contains("\"retry\":true"), "{third:?}");
    assert_eq!(open(&b_key, "0004200002-1", 600).0, 200);
    let full = open(&b_key, "0004200002-2", 200);
    assert_eq!(full.0, 507, "{full:?}");
    assert!(full.1.contains("try again later") && full.1.contains("\"retry\":true"), "{full:?}");
    // Nobody comes back for them: after the abandon time they go, and there is room again.
    assert_eq!(intake.db().expire(now() + limits.abandon_after_secs + 60, &limits).unwrap().0, 3);
    assert_eq!(intake.db().spooled().unwrap(), (0, 0));
    assert_eq!(open(&b_key, "0004200002-2", 200).0, 200);
}

/// A production kit with one exported batch of `people`.
fn kit_with_a_batch(dir: &Path, people: u64) -> (Kit, String, PathBuf) {
    let (mut kit, _clock, sup, assistant) = kit_with_staff(&dir.join("kit"));
    for n in 0..people {
        let rid = enroll(&mut kit, &assistant, 20 + n);
        enroll_kit::workflow::review::approve(&mut kit, &sup, &rid).unwrap();
    }
    let stick = dir.join("stick");
    std::fs::create_dir_all(&stick).unwrap();
    let batch = close_day(&mut kit, &sup, &Destination::folder(&stick), false, &AtomicBool::new(false), &mut |_, _| {})
        .unwrap();
    (kit, batch.record.id, batch.path)
}

fn client(kit: &Kit, intake: &RunningIntake) -> Intake {
    intake_at(kit, &format!("https://{}", intake.addr), &pin(), Duration::from_secs(10))
        .unwrap()
        .with_chunk(16 << 10)
        .without_poll_waits()
}

#[test]
fn two_intake_nodes_on_one_postgresql_share_uploads_and_a_dead_nodes_finish() {
    let Some(url) = postgres() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let (kit, batch, path) = kit_with_a_batch(tmp.path(), 2);
    let database = || Database::Postgres(url.clone());
    let node_a = start_intake(database(), office_key(), &[registered(&kit)]);
    let node_b = start_intake(database(), office_key(), &[]);

    // Node A takes the first 32 KiB, then goes away; node B takes the rest from there.
    let cancel = AtomicBool::new(false);
    let e = client(&kit, &node_a)
        .upload(
            &batch,
            &path,
            &mut |sent, _| {
                if sent >= 32 << 10 {
                    cancel.store(true, std::sync::atomic::Ordering::Relaxed);
                }
            },
            &cancel,
        )
        .unwrap_err();
    assert!(matches!(e, SyncError::Cancelled), "{e}");
    drop(node_a);
    let on_b = client(&kit, &node_b);
    let size = std::fs::metadata(&path).unwrap().len();
    let (_, sha256) = enroll_kit::sync::client::file_digest(&path).unwrap();
    on_b.health().unwrap();
    let state = on_b.open(&batch, size, &sha256).unwrap();
    assert!(state.received >= 32 << 10, "node B holds what node A was sent: {state:?}");

    // A node claims the finish and dies holding it (its lease long run out): node B takes it over.
    let mut state = state;
    let mut file = std::fs::read(&path).unwrap();
    while state.received < size {
        let end = (state.received as usize + (16 << 10)).min(file.len());
        state = on_b.send(&batch, &sha256, state.received, &file[state.received as usize..end]).unwrap();
    }
    node_b.db().queue(&batch, now()).unwrap();
    let dead = node_b.db().claim_finish(now() - 10_000, 60).unwrap().expect("the dead node's claim");
    assert_eq!(dead.batch_id, batch);
    let receipt = on_b.finish(&batch, &AtomicBool::new(false)).unwrap();
    assert!(receipt.receipt.packets.iter().all(|p| p.accepted), "{receipt:?}");
    assert_eq!(node_b.packet_count().unwrap(), 2);

    // Either node gives the same receipt; the bytes are gone from the spool.
    let node_c = start_intake(database(), office_key(), &[]);
    let again = client(&kit, &node_c).finish(&batch, &AtomicBool::new(false)).unwrap();
    assert_eq!(again, receipt);
    assert_eq!(node_c.db().spooled().unwrap(), (0, 0));
    let text = node_c.db().receipt(&batch, &sha256).unwrap().unwrap();
    assert_eq!(serde_json::from_str::<SignedReceipt>(&text).unwrap(), receipt);
    file.clear();
}

#[test]
fn kits_upload_through_nginx_to_two_nodes_while_one_is_killed_and_every_packet_lands_once() {
    let Some(url) = postgres() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let database = Database::Postgres(url.clone());
    // Four kits of one centre, two people each, each registered under its own number.
    let kits: Vec<(Kit, String)> = (1..=4)
        .map(|n| {
            let number = format!("{:05}", 10 + n);
            let dir = tmp.path().join(&number);
            let (mut kit, _clock, sup, assistant) = common::kit_with_staff_numbered(&dir, &number);
            for p in 0..2 {
                let rid = enroll(&mut kit, &assistant, n * 10 + p);
                enroll_kit::workflow::review::approve(&mut kit, &sup, &rid).unwrap();
            }
            let stick = dir.join("stick");
            std::fs::create_dir_all(&stick).unwrap();
            let batch =
                close_day(&mut kit, &sup, &Destination::folder(&stick), false, &AtomicBool::new(false), &mut |_, _| {})
                    .unwrap();
            (kit, batch.record.id)
        })
        .collect();
    let db = intake_common::register_all(&database, &kits.iter().map(|(k, _)| registered(k)).collect::<Vec<_>>());
    let lease = ["--finish-lease-secs", "2"];
    let mut node_a = cluster::Node::spawn(common::kit_command(), &keys(), &url, &lease);
    let node_b = cluster::Node::spawn(common::kit_command(), &keys(), &url, &lease);
    let nginx = cluster::Nginx::start(&keys(), &[node_a.addr, node_b.addr]);
    let proxy = fault_proxy::start(nginx.addr, &pin(), &keys(), 11, 0.3, Duration::from_millis(2500));

    let uploading: Vec<_> = kits
        .into_iter()
        .map(|(mut kit, batch)| {
            let url = format!("https://{}", proxy.addr);
            std::thread::spawn(move || {
                let client = intake_at(&kit, &url, &pin(), Duration::from_secs(2))
                    .unwrap()
                    .with_chunk(32 << 10)
                    .without_connection_reuse()
                    .without_poll_waits();
                kit.set_upload(Some(enroll_kit::kit::config::UploadConfig {
                    url: url.clone(),
                    certificate_sha256: pin(),
                }))
                .unwrap();
                let mut rounds = 0;
                let done = |kit: &Kit| {
                    enroll_kit::workflow::upload::uploads(kit)
                        .unwrap()
                        .iter()
                        .all(|r| r.upload.state == enroll_kit::domain::status::UploadStatus::Acknowledged)
                };
                while !done(&kit) {
                    rounds += 1;
                    assert!(rounds <= 300, "kit {batch}: not done after 300 rounds");
                    let outcomes = enroll_kit::workflow::upload::upload_due(
                        &mut kit,
                        &client,
                        true,
                        &mut |_, _, _| {},
                        &AtomicBool::new(false),
                    )
                    .unwrap();
                    let refused = enroll_kit::workflow::upload::uploads(&kit)
                        .unwrap()
                        .iter()
                        .any(|r| r.upload.state == enroll_kit::domain::status::UploadStatus::Refused);
                    assert!(!refused, "kit {batch}: refused: {outcomes:?}");
                }
                kit.store.packet_rows(Some(enroll_kit::domain::status::PacketStatus::Acknowledged)).unwrap().len()
            })
        })
        .collect();
    // Node A dies once bytes are arriving: uploads in its hands go on through node B.
    while db.spooled().unwrap().1 == 0 && db.packet_count().unwrap() == 0 {
        std::thread::sleep(Duration::from_millis(5));
    }
    node_a.kill();
    let acknowledged: usize = uploading.into_iter().map(|t| t.join().expect("a kit's upload")).sum();
    assert_eq!(acknowledged, 8, "every kit holds a receipt for each of its packets");
    assert_eq!(db.packet_count().unwrap(), 8, "every packet stored once");
    assert_eq!(db.spooled().unwrap(), (0, 0), "no upload left open");
    let c = &proxy.counts;
    eprintln!(
        "faults cut-up/cut-down/stall/500: {:?}",
        [&c.cut_up, &c.cut_down, &c.stalled, &c.errors_500].map(|a| a.load(std::sync::atomic::Ordering::Relaxed))
    );
    drop((nginx, node_b));
}
