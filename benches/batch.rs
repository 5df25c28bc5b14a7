//! Batch export and verify speed (issue 5): 1,000 packets of about 1 MB (ten 400x500 prints and a
//! 640x480 face), exported to a folder, against `cp` of the same bytes to the same filesystem;
//! then verify. Goals: export ≤ 1.5× cp; verify ≥ 100 MB/s.
//!
//! Run: `cargo bench --bench batch` (custom harness; prints the figures for the README).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a dev tool: a failed setup is a failed run

use chrono::NaiveDate;
use enroll_kit::batch::export::Destination;
use enroll_kit::batch::verify::{read_identities, verify_batch};
use enroll_kit::biometrics::synthetic::typical_print;
use enroll_kit::domain::account::{Pin, Role};
use enroll_kit::domain::admin_units::AdminUnits;
use enroll_kit::domain::biometrics::{DeviceRef, FacePhoto, FingerCapture, FingerPosition, FingerRecord};
use enroll_kit::domain::enrollment::CompleteEnrollment;
use enroll_kit::kit::keyfile::read_public;
use enroll_kit::kit::{DataDir, InitParams, KdfCost, NewStore, Passphrase, init};
use enroll_kit::workflow::enrollment::seal_and_store;
use enroll_kit::workflow::export::close_day;
use enroll_kit::workflow::simulate::person;
use enroll_kit::workflow::{accounts, login, review};
use rand::SeedableRng;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

const PACKETS: u64 = 1000;

fn main() {
    tracing_subscriber::fmt().with_env_filter("enroll_kit::batch=info").with_writer(std::io::stderr).init();
    let keys = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/keys");
    let tmp = tempfile::tempdir().expect("tempdir");
    let recipient = std::fs::read_to_string(keys.join("test-hq.age.pub")).expect("recipient");
    let mut kit = init(InitParams {
        dir: DataDir::new(tmp.path().join("kit")),
        centre: "00042".into(),
        kit: "00007".into(),
        county: "047".into(),
        hq_recipients: vec![recipient.lines().find(|l| l.starts_with("age1")).expect("age1").into()],
        hq_verify_key: read_public(&keys.join("test-hq.ed25519.pub")).expect("key"),
        training: false,
        supervisor: "supervisor".into(),
        supervisor_name: "Bench".into(),
        supervisor_pin: Pin::new_checked("482913").expect("pin"),
        key_store: NewStore::Passphrase {
            label: "supervisor".into(),
            passphrase: Passphrase::new("mango river seven lantern"),
            cost: KdfCost::KIT,
        },
    })
    .expect("init");
    let sup = login(&mut kit, "supervisor", &Pin::new("482913")).expect("login");
    accounts::add_account(&mut kit, &sup, "bench", "Bench", Role::Assistant, "730518").expect("add");
    let op = login(&mut kit, "bench", &Pin::new("730518")).expect("login");

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
    let mut made = Vec::new();
    for seed in 0..PACKETS {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let person =
            person(&mut rng, today, AdminUnits::bundled()).validate(today, AdminUnits::bundled()).expect("valid");
        // Vary the prints per packet so compression cannot exploit repeats across packets.
        let fingers = FingerPosition::ALL
            .into_iter()
            .map(|p| {
                let image = typical_print(seed * 10 + u64::from(p.code()), 0, 400, 500);
                let c = FingerCapture {
                    image,
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
        let e = CompleteEnrollment {
            consent_at: chrono::Utc::now(),
            person,
            face: face.clone(),
            fingers,
            exception_photo: None,
            possible_duplicates: vec![],
        };
        made.push(seal_and_store(&mut kit, &op, &e, false, None).expect("sealed"));
    }
    review::approve_all(&mut kit, &sup, false).expect("approve");
    let bytes: u64 = kit.store.packet_rows(None).expect("rows").iter().map(|r| r.size).sum();
    let mb = bytes as f64 / 1e6;

    // cp baseline: the same packet bytes as files, copied to the same filesystem.
    let src = tmp.path().join("cp-src");
    let dst = tmp.path().join("cp-dst");
    std::fs::create_dir_all(&src).expect("dir");
    for rid in &made {
        let p = kit.store.packet(rid.as_str()).expect("read").expect("packet");
        std::fs::write(src.join(format!("{rid}.zst")), &p.data).expect("write");
    }
    let started = Instant::now();
    let status = std::process::Command::new("cp").arg("-r").arg(&src).arg(&dst).status().expect("cp");
    assert!(status.success());
    std::process::Command::new("sync").status().expect("sync");
    let cp = started.elapsed().as_secs_f64();

    let stick = tmp.path().join("stick");
    std::fs::create_dir_all(&stick).expect("dir");
    let started = Instant::now();
    let batch = close_day(&mut kit, &sup, &Destination::folder(&stick), false, &AtomicBool::new(false), &mut |_, _| {})
        .expect("export");
    let export = started.elapsed().as_secs_f64();

    let identities = read_identities(&keys.join("test-hq.age")).expect("identity");
    let started = Instant::now();
    let verified = verify_batch(&batch.path, &identities, None).expect("verify");
    let verify = started.elapsed().as_secs_f64();
    assert_eq!(verified.manifest.packets.len() as u64, PACKETS);

    println!("{PACKETS} packets, {mb:.0} MB in all ({:.2} MB each)", mb / PACKETS as f64);
    println!("| cp -r + sync | {cp:.2} s | {:.0} MB/s |", mb / cp);
    println!(
        "| export (read from SQLite, tar, age-encrypt, fsync, rename, read back, receipt, mark) | {export:.2} s | {:.0} MB/s | {:.2}x cp |",
        mb / export,
        export / cp
    );
    println!(
        "| verify (decrypt, manifest signature, every packet's hash and signature) | {verify:.2} s | {:.0} MB/s |",
        mb / verify
    );
}
