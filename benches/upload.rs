//! Upload speed and waste (issue 8), on loopback against a real intake (TLS, chunks committed to its SQLite database):
//! - throughput: the kit's client sending a 100 MB file, as a ratio to curl sending the same file
//!   (with the same signed headers, made beforehand)
//!   in the same 4 MiB chunks over one kept-alive connection to the same intake, alternating
//!   runs (goal ≥ 0.8). The kit's time includes hashing the file, which it must do to announce
//!   it; curl is handed the hash.
//! - bytes re-sent after a cut: the same upload through a plain TCP relay that counts the bytes
//!   the kit puts on the link, once uncut and once cut mid-chunk (goal < one chunk).
//!
//! Run: `cargo bench --bench upload [-- MB]` (custom harness; prints the figures for the README).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a dev tool: a failed setup is a failed run

use enroll_kit::batch::verify::read_identities;
use enroll_kit::intake::{Database, IntakeConfig, IntakeDb, Limits};
use enroll_kit::packet::KitKey;
use enroll_kit::sync::client::{Intake, file_digest};
use enroll_kit::sync::tls::pem_certificate_sha256;
use enroll_kit::sync::{CHUNK, signing};
use rand::{RngExt, SeedableRng};
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

const ROUNDS: usize = 3;

fn main() {
    let mb: u64 = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(100);
    let keys = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/keys");
    let tmp = tempfile::tempdir().expect("tempdir");
    let file = tmp.path().join("batch.age");
    let size = mb << 20;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(8);
    let mut bytes = vec![0u8; size as usize];
    rng.fill(&mut bytes[..]);
    std::fs::write(&file, &bytes).expect("write the file");
    let (_, sha256) = file_digest(&file).expect("hash");
    let chunks = tmp.path().join("chunks");
    std::fs::create_dir_all(&chunks).expect("chunks dir");
    for (i, c) in bytes.chunks(CHUNK).enumerate() {
        std::fs::write(chunks.join(format!("{i:05}")), c).expect("chunk");
    }
    drop(bytes);

    let database = Database::Sqlite(tmp.path().join("intake.db"));
    IntakeDb::open(&database)
        .and_then(|db| db.add_kit(&kit_key().public(), "00042", "00007", "2026-11-01T00:00:00Z"))
        .expect("register the kit");
    let intake = enroll_kit::intake::start(IntakeConfig {
        listen: "127.0.0.1:0".parse().expect("addr"),
        cert: keys.join("test-intake.crt"),
        key: keys.join("test-intake.key"),
        identities: read_identities(&keys.join("test-hq.age")).expect("identities"),
        signing_key: KitKey::from_text(&std::fs::read_to_string(keys.join("test-hq.ed25519")).expect("key"))
            .expect("key"),
        database,
        training: false,
        limits: Limits::default(),
        finish_workers: 2,
    })
    .expect("intake");
    let pin = pem_certificate_sha256(&keys.join("test-intake.crt")).expect("pin");
    let url = format!("https://{}", intake.addr);
    println!("upload of {mb} MiB to an intake on {url}, {ROUNDS} rounds, chunks of {} MiB", CHUNK >> 20);

    let mut ratios = Vec::new();
    for round in 0..ROUNDS {
        let ours = kit_upload(&url, &pin, &file, &format!("0004200007-ours-{round}"));
        let theirs = curl_upload(
            &url,
            &keys.join("test-intake.crt"),
            &chunks,
            size,
            &sha256,
            &format!("0004200007-curl-{round}"),
        );
        let mbs = |d: Duration| size as f64 / 1048576.0 / d.as_secs_f64();
        println!(
            "round {round}: kit {:.2} s ({:.0} MiB/s), curl {:.2} s ({:.0} MiB/s), ratio {:.2}",
            ours.as_secs_f64(),
            mbs(ours),
            theirs.as_secs_f64(),
            mbs(theirs),
            theirs.as_secs_f64() / ours.as_secs_f64()
        );
        ratios.push(theirs.as_secs_f64() / ours.as_secs_f64());
    }
    ratios.sort_by(f64::total_cmp);
    println!("throughput ratio kit/curl: median {:.2} (goal ≥ 0.8)", ratios[ROUNDS / 2]);

    let relay = Relay::start(intake.addr);
    let relayed = format!("https://{}", relay.addr);
    kit_upload(&relayed, &pin, &file, "0004200007-relay-uncut");
    let uncut = relay.from_kit.swap(0, Ordering::SeqCst);
    // Halfway through the file plus 1.5 MiB: mid-chunk, with the chunk's start already delivered.
    relay.cut_at.store(size / 2 + (3 << 19), Ordering::SeqCst);
    kit_upload(&relayed, &pin, &file, "0004200007-relay-cut");
    let cut = relay.from_kit.load(Ordering::SeqCst);
    assert_eq!(relay.cut_at.load(Ordering::SeqCst), u64::MAX, "the relay did not cut");
    println!(
        "bytes on the link: uncut {uncut}, cut once {cut}: re-sent after the cut {} bytes ({:.1}% of a {} MiB chunk; goal < 100%)",
        cut - uncut,
        (cut - uncut) as f64 * 100.0 / CHUNK as f64,
        CHUNK >> 20
    );
}

/// The registered kit the uploads are signed by.
fn kit_key() -> KitKey {
    KitKey::from_seed([7; 32])
}

/// The signature header curl sends for one request (signed now, as the kit would).
fn signature(method: &str, path: &str, offset: Option<&str>, sha256: Option<&str>, body: Option<&[u8]>) -> String {
    let covered = signing::Covered {
        method,
        path,
        upload_offset: offset,
        upload_sha256: sha256,
        body_sha256: body.and_then(signing::body_digest),
    };
    let header = signing::sign(&kit_key(), &covered, chrono::Utc::now().timestamp()).expect("sign");
    format!("{}: {header}", signing::HEADER)
}

/// The kit's client: hash, open, send every chunk; timed until the last byte is in (the finish
/// that follows refuses the random file, which is not a batch).
fn kit_upload(url: &str, pin: &str, file: &Path, batch: &str) -> Duration {
    let client = Intake::new(url, pin, Duration::from_secs(30), kit_key()).expect("client").without_poll_waits();
    let start = Instant::now();
    let mut done = None;
    let result = client.upload(
        batch,
        file,
        &mut |sent, size| {
            if sent == size {
                done.get_or_insert(start.elapsed());
            }
        },
        &AtomicBool::new(false),
    );
    assert!(result.is_err(), "random bytes taken as a batch");
    done.expect("every byte sent")
}

/// curl, one process and one connection: open, then a PATCH per chunk.
fn curl_upload(url: &str, cacert: &Path, chunks: &Path, size: u64, sha256: &str, batch: &str) -> Duration {
    let path = format!("/v1/uploads/{batch}");
    let target = format!("{url}{path}");
    let mut args: Vec<String> = vec!["-sS".into(), "--fail".into(), "--cacert".into(), cacert.display().to_string()];
    let common = |args: &mut Vec<String>| args.extend(["-o", "/dev/null", "-H", "Expect:"].map(String::from));
    common(&mut args);
    let body = format!(r#"{{"size":{size},"sha256":"{sha256}"}}"#);
    args.extend(["-H".into(), signature("PUT", &path, None, None, Some(body.as_bytes()))]);
    args.extend(["-X", "PUT", "-H", "Content-Type: application/json", "--data-binary"].map(String::from));
    args.push(body);
    args.push(target.clone());
    let mut names: Vec<_> = std::fs::read_dir(chunks).expect("chunks").map(|e| e.expect("entry").path()).collect();
    names.sort();
    for (i, chunk) in names.iter().enumerate() {
        args.extend(["--next", "-sS", "--fail", "--cacert"].map(String::from));
        args.push(cacert.display().to_string());
        common(&mut args);
        args.extend(["-X", "PATCH", "-H", "Content-Type: application/octet-stream", "-H"].map(String::from));
        args.push(format!("Upload-Offset: {}", i * CHUNK));
        let offset = (i * CHUNK).to_string();
        args.extend(["-H".into(), signature("PATCH", &path, Some(&offset), Some(sha256), None)]);
        args.extend(["-H".into(), format!("Upload-Sha256: {sha256}"), "--data-binary".into()]);
        args.push(format!("@{}", chunk.display()));
        args.push(target.clone());
    }
    let start = Instant::now();
    let status = std::process::Command::new("curl").args(&args).status().expect("curl (apt install curl)");
    let took = start.elapsed();
    assert!(status.success(), "curl failed: {status}");
    took
}

/// A plain TCP relay (TLS passes through untouched) that counts the bytes from the kit and, when
/// `cut_at` is reached, cuts that connection once, as a dropped mobile link does.
struct Relay {
    addr: SocketAddr,
    from_kit: Arc<AtomicU64>,
    cut_at: Arc<AtomicU64>,
}

impl Relay {
    fn start(upstream: SocketAddr) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").expect("relay");
        let addr = listener.local_addr().expect("relay addr");
        let from_kit = Arc::new(AtomicU64::new(0));
        let cut_at = Arc::new(AtomicU64::new(u64::MAX));
        let (counted, cut) = (from_kit.clone(), cut_at.clone());
        std::thread::spawn(move || {
            for kit in listener.incoming() {
                let Ok(kit) = kit else { return };
                let Ok(intake) = TcpStream::connect(upstream) else { return };
                let (counted, cut) = (counted.clone(), cut.clone());
                let (mut kit_r, mut intake_w) = (kit.try_clone().expect("clone"), intake.try_clone().expect("clone"));
                std::thread::spawn(move || {
                    let mut buf = vec![0u8; 64 << 10];
                    loop {
                        let n = match kit_r.read(&mut buf) {
                            Ok(0) | Err(_) => break,
                            Ok(n) => n,
                        };
                        let before = counted.fetch_add(n as u64, Ordering::SeqCst);
                        let limit = cut.load(Ordering::SeqCst);
                        if before + n as u64 >= limit {
                            let _ = intake_w.write_all(&buf[..limit.saturating_sub(before) as usize]);
                            cut.store(u64::MAX, Ordering::SeqCst);
                            break;
                        }
                        if intake_w.write_all(&buf[..n]).is_err() {
                            break;
                        }
                    }
                    let _ = intake_w.shutdown(Shutdown::Both);
                    let _ = kit_r.shutdown(Shutdown::Both);
                });
                let (mut intake_r, mut kit_w) = (intake, kit);
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut intake_r, &mut kit_w);
                    let _ = kit_w.shutdown(Shutdown::Both);
                });
            }
        });
        Relay { addr, from_kit, cut_at }
    }
}
