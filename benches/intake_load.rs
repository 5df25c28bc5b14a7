//! The intake under a campaign's burst (issue 16): KITS kits (default 200), each with one batch of
//! PACKETS packets (default 20, about 1 MB each), all uploading at once to intake nodes (the
//! release binary, `enroll-kit intake serve`) on one PostgreSQL behind nginx on 127.0.0.1.
//! Three runs, each on a fresh database:
//! 1. one node, a clean link; 2. two nodes, a clean link — throughput and how it scales;
//! 3. two nodes, every kit's link through a fault-injecting proxy (cuts at random offsets, cut
//!    answers, stalls, 500s), and node A killed (SIGKILL) once a third of the packets are stored.
//!
//! Each run checks that every packet is stored exactly once and every kit holds a receipt that
//! checks out (the kit's own check), and reports packets/s, MB/s, the time from a kit's last byte
//! to its receipt (p50, p99) and each node's peak RSS (VmHWM).
//!
//! Run: `scripts/bench-intake [KITS PACKETS]` (starts PostgreSQL, then `cargo bench --bench
//! intake_load`); with a server of your own: `ENROLL_KIT_TEST_POSTGRES="host=… user=…" cargo
//! bench --bench intake_load -- [KITS PACKETS]`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a dev tool: a failed setup is a failed run

#[path = "../tests/common/cluster.rs"]
mod cluster;
#[path = "../tests/common/fault_proxy.rs"]
mod fault_proxy;

use chrono::NaiveDate;
use enroll_kit::batch::export::Destination;
use enroll_kit::biometrics::synthetic::typical_print;
use enroll_kit::domain::account::{Pin, Role};
use enroll_kit::domain::admin_units::AdminUnits;
use enroll_kit::domain::biometrics::{DeviceRef, FacePhoto, FingerCapture, FingerPosition, FingerRecord};
use enroll_kit::domain::enrollment::CompleteEnrollment;
use enroll_kit::intake::{Database, IntakeDb};
use enroll_kit::kit::keyfile::read_public;
use enroll_kit::kit::{DataDir, InitParams, KdfCost, Kit, NewStore, Passphrase, init};
use enroll_kit::packet::PublicKey;
use enroll_kit::sync::tls::pem_certificate_sha256;
use enroll_kit::workflow::enrollment::seal_and_store_with;
use enroll_kit::workflow::export::close_day;
use enroll_kit::workflow::simulate::person;
use enroll_kit::workflow::upload::intake_at;
use enroll_kit::workflow::{accounts, login, review};
use rand::SeedableRng;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// One simulated kit: its batch on the stick.
struct FieldKit {
    kit: Kit,
    batch: String,
    path: PathBuf,
    rids: Vec<String>,
}

fn main() {
    let numbers: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let kits = numbers.first().copied().unwrap_or(200);
    let packets = numbers.get(1).copied().unwrap_or(20);
    let server = std::env::var("ENROLL_KIT_TEST_POSTGRES")
        .expect("set ENROLL_KIT_TEST_POSTGRES to a PostgreSQL server (scripts/bench-intake starts one)");
    let keys = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/keys");
    let tmp = tempfile::tempdir().expect("tempdir");

    let started = Instant::now();
    let field = make_kits(tmp.path(), &keys, kits, packets);
    let bytes: u64 = field.iter().map(|k| std::fs::metadata(&k.path).expect("batch").len()).sum();
    println!(
        "{kits} kits x {packets} packets: {:.0} MB of batches ({:.2} MB a packet), made in {:.0} s",
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / (kits * packets) as f64,
        started.elapsed().as_secs_f64()
    );
    println!("| run | packets/s | MB/s | last byte → receipt p50 | p99 | peak RSS per node |");
    println!("|---|---|---|---|---|---|");
    // INTAKE_LOAD_RUNS=1 stops after the first run (while tuning).
    let runs: usize = std::env::var("INTAKE_LOAD_RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(3);
    let mut field = run("1 node, clean link", &server, &keys, field, 1, false, bytes);
    if runs >= 2 {
        field = run("2 nodes, clean link", &server, &keys, field, 2, false, bytes);
    }
    if runs >= 3 {
        run("2 nodes, faulty link, node A killed", &server, &keys, field, 2, true, bytes);
    }
}

/// `kits` kits of centre 00042 (kit numbers 10001…), each with one exported batch of `packets`.
fn make_kits(dir: &Path, keys: &Path, kits: usize, packets: usize) -> Vec<FieldKit> {
    let people = people(packets);
    let recipient = std::fs::read_to_string(keys.join("test-hq.age.pub")).expect("recipient");
    let recipient = recipient.lines().find(|l| l.starts_with("age1")).expect("age1").to_string();
    let verify_key = read_public(&keys.join("test-hq.ed25519.pub")).expect("key");
    let make = |n: usize| {
        let number = format!("{:05}", 10001 + n);
        let root = dir.join(&number);
        let mut kit = init(InitParams {
            dir: DataDir::new(root.join("kit")),
            centre: "00042".into(),
            kit: number.clone(),
            county: "047".into(),
            hq_recipients: vec![recipient.clone()],
            hq_verify_key: verify_key,
            training: false,
            supervisor: "supervisor".into(),
            supervisor_name: "Bench".into(),
            supervisor_pin: Pin::new_checked("482913").expect("pin"),
            key_store: NewStore::Passphrase {
                label: "supervisor".into(),
                passphrase: Passphrase::new("mango river seven lantern"),
                cost: KdfCost::TEST,
            },
        })
        .expect("init");
        let sup = login(&mut kit, "supervisor", &Pin::new("482913")).expect("login");
        // An assistant enrolls; the supervisor approves (never their own enrollments).
        accounts::add_account(&mut kit, &sup, "bench", "Bench", Role::Assistant, "730518").expect("add");
        let op = login(&mut kit, "bench", &Pin::new("730518")).expect("login");
        // No templates: the intake never reads them, and making them is the kit's time, not the office's.
        let rids: Vec<String> = people
            .iter()
            .map(|e| seal_and_store_with(&mut kit, &op, e, false, None, &[]).expect("sealed").to_string())
            .collect();
        review::approve_all(&mut kit, &sup, false).expect("approve");
        let stick = root.join("stick");
        std::fs::create_dir_all(&stick).expect("stick");
        let batch =
            close_day(&mut kit, &sup, &Destination::folder(&stick), false, &AtomicBool::new(false), &mut |_, _| {})
                .expect("export");
        FieldKit { kit, batch: batch.record.id, path: batch.path, rids }
    };
    // Two makers, one per core.
    std::thread::scope(|s| {
        let halves: Vec<_> = (0..2)
            .map(|h| {
                let make = &make;
                s.spawn(move || (0..kits).filter(|n| n % 2 == h).map(make).collect::<Vec<_>>())
            })
            .collect();
        let mut all: Vec<FieldKit> = halves.into_iter().flat_map(|h| h.join().expect("maker")).collect();
        all.sort_by(|a, b| a.batch.cmp(&b.batch));
        all
    })
}

/// `n` people with a face and ten 400x500 prints each.
fn people(n: usize) -> Vec<CompleteEnrollment> {
    let face_img = image::load_from_memory(enroll_kit::assets::PILOT_FACE_JPEG).expect("face").resize_exact(
        640,
        480,
        image::imageops::FilterType::Triangle,
    );
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90).encode_image(&face_img.to_rgb8()).expect("jpeg");
    let face = FacePhoto {
        jpeg,
        width: 640,
        height: 480,
        quality: 80,
        checks: vec![],
        device: DeviceRef::new("uvc-generic", "bench", false),
    };
    let today = NaiveDate::from_ymd_opt(2026, 11, 24).expect("date");
    (0..n as u64)
        .map(|seed| {
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
            let person =
                person(&mut rng, today, AdminUnits::bundled()).validate(today, AdminUnits::bundled()).expect("valid");
            let fingers = FingerPosition::ALL
                .into_iter()
                .map(|p| {
                    let c = FingerCapture {
                        image: typical_print(seed * 10 + u64::from(p.code()), 0, 400, 500),
                        dpi: 500,
                        quality: 80,
                        attempts: 1,
                        force_captured: false,
                        force_reason: None,
                        device: DeviceRef::new("r307", "b", false),
                        device_signature: None,
                    };
                    (p, FingerRecord::Captured(c))
                })
                .collect();
            CompleteEnrollment {
                consent_at: chrono::Utc::now(),
                person,
                face: face.clone(),
                fingers,
                exception_photo: None,
                possible_duplicates: vec![],
            }
        })
        .collect()
}

/// A fresh database on `server`, with every kit registered: its connection string and name.
fn fresh_database(server: &str, field: &[FieldKit]) -> (String, String) {
    let name = format!("intake_load_{}_{}", std::process::id(), chrono::Utc::now().timestamp_micros());
    let mut admin = postgres::Client::connect(server, postgres::NoTls).expect("PostgreSQL");
    admin.batch_execute(&format!("CREATE DATABASE {name}")).expect("create database");
    let url = format!("{server} dbname={name}");
    let db = IntakeDb::open(&Database::Postgres(url.clone())).expect("intake database");
    let kits: Vec<_> = field
        .iter()
        .map(|k| {
            let info = k.kit.kit_info();
            enroll_kit::batch::registry::RegisteredKit {
                public_key: k.kit.public_key(),
                centre: Some(info.centre),
                kit: Some(info.kit),
                state: enroll_kit::batch::registry::KitState::Active,
            }
        })
        .collect();
    db.import_kits(&kits, "2026-11-01T00:00:00Z").expect("register");
    (url, name)
}

/// Drops a run's database (gigabytes of packets) once its nodes are gone.
fn drop_database(server: &str, name: &str) {
    let mut admin = postgres::Client::connect(server, postgres::NoTls).expect("PostgreSQL");
    admin.batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)")).expect("drop the run's database");
}

/// Peak resident memory of a process, MB (VmHWM).
fn peak_rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// One run: every kit uploads at once; returns the kits for the next run.
fn run(
    name: &str,
    server: &str,
    keys: &Path,
    field: Vec<FieldKit>,
    nodes: usize,
    faults: bool,
    bytes: u64,
) -> Vec<FieldKit> {
    let (url, database_name) = fresh_database(server, &field);
    let db = IntakeDb::open(&Database::Postgres(url.clone())).expect("intake database");
    let lease = ["--finish-lease-secs", "10"];
    let mut running: Vec<cluster::Node> = (0..nodes)
        .map(|_| {
            let mut binary = std::process::Command::new(env!("CARGO_BIN_EXE_enroll-kit"));
            if let Ok(arenas) = std::env::var("INTAKE_LOAD_ARENAS") {
                binary.env("MALLOC_ARENA_MAX", arenas);
            }
            cluster::Node::spawn(binary, keys, &url, &lease)
        })
        .collect();
    let nginx = cluster::Nginx::start(keys, &running.iter().map(|n| n.addr).collect::<Vec<_>>());
    let pin = pem_certificate_sha256(&keys.join("test-intake.crt")).expect("pin");
    let proxy = faults.then(|| fault_proxy::start(nginx.addr, &pin, keys, 16, 0.1, Duration::from_secs(25)));
    let target = format!("https://{}", proxy.as_ref().map_or(nginx.addr, |p| p.addr));
    let office = read_public(&keys.join("test-hq.ed25519.pub")).expect("office key");
    let total = field.iter().map(|k| k.rids.len()).sum::<usize>() as u64;

    let started = Instant::now();
    let uploads: Vec<_> = field
        .into_iter()
        .map(|k| {
            let (target, pin) = (target.clone(), pin.clone());
            std::thread::spawn(move || upload_one(k, &target, &pin, &office, faults))
        })
        .collect();
    let mut killed = !faults;
    let mut peaks = vec![0.0f64; nodes];
    while uploads.iter().any(|u| !u.is_finished()) {
        for (i, node) in running.iter().enumerate() {
            peaks[i] = peaks[i].max(peak_rss_mb(node.pid()));
        }
        if !killed && db.packet_count().unwrap_or(0) * 3 >= total {
            running[0].kill();
            killed = true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut latencies = Vec::new();
    let mut field = Vec::new();
    for u in uploads {
        let (k, waited) = u.join().expect("a kit's upload");
        latencies.push(waited);
        field.push(k);
    }
    let took = started.elapsed().as_secs_f64();
    let stored = db.packet_count().expect("count");
    assert_eq!(stored, total, "{name}: every packet stored exactly once");
    assert_eq!(db.spooled().expect("spooled"), (0, 0), "{name}: no upload left open");
    for (i, node) in running.iter().enumerate() {
        peaks[i] = peaks[i].max(peak_rss_mb(node.pid()));
    }
    latencies.sort_by(f64::total_cmp);
    let rss: Vec<String> = peaks
        .iter()
        .enumerate()
        .map(|(i, p)| format!("{p:.0} MB{}", if faults && i == 0 { " (until killed)" } else { "" }))
        .collect();
    println!(
        "| {name} | {:.1} | {:.1} | {:.1} s | {:.1} s | {} |",
        total as f64 / took,
        bytes as f64 / 1e6 / took,
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        rss.join(", ")
    );
    if let Some(p) = &proxy {
        let c = &p.counts;
        eprintln!(
            "  faults cut-up/cut-down/stall/500: {:?}",
            [&c.cut_up, &c.cut_down, &c.stalled, &c.errors_500].map(|a| a.load(Ordering::Relaxed))
        );
    }
    drop((nginx, running, db, proxy));
    drop_database(server, &database_name);
    field
}

/// Uploads one kit's batch until its receipt checks out; returns the kit and the seconds from
/// its last byte to its receipt (the last attempt's).
fn upload_one(k: FieldKit, target: &str, pin: &str, office: &PublicKey, faults: bool) -> (FieldKit, f64) {
    let client = intake_at(&k.kit, target, pin, Duration::from_secs(20)).expect("client");
    // Through the faulty link every request meets it afresh, as a kit on a failing mobile link does.
    let client = if faults { client.without_connection_reuse() } else { client };
    let (size, sha256) = enroll_kit::sync::client::file_digest(&k.path).expect("digest");
    for _attempt in 0..200 {
        let mut last_byte = None;
        let result = client.upload_digested(
            &k.batch,
            &k.path,
            size,
            &sha256,
            &mut |sent, size| {
                if sent == size {
                    last_byte.get_or_insert_with(Instant::now);
                }
            },
            &AtomicBool::new(false),
        );
        match result {
            Ok(uploaded) => {
                uploaded.receipt.check(office, &k.batch, &sha256, &k.kit.public_key(), &k.rids).expect("receipt");
                assert!(uploaded.receipt.receipt.packets.iter().all(|p| p.accepted), "{:?}", uploaded.receipt);
                let waited = last_byte.map_or(0.0, |t| t.elapsed().as_secs_f64());
                return (k, waited);
            }
            Err(e) if e.retryable() => std::thread::sleep(Duration::from_millis(200)),
            Err(e) => panic!("kit {}: refused: {e}", k.batch),
        }
    }
    panic!("kit {}: no receipt after 200 attempts", k.batch);
}
