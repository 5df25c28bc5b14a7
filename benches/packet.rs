//! Packet benchmarks (issue 2's targets, on the 2-core kit machine):
//! - build, sign and store one full packet (face 640x480 JPEG + ten 400x500 prints at 500 dpi), its
//!   ten finger templates made at sealing included: median <= 30 ms before templates, see the README
//! - verify 1,000 stored packets: <= 2 s
//! - unlock a passphrase kit at the field argon2id cost (issue 15: 0.5-1 s on the kit)
//!
//! Run: `cargo bench --bench packet`. Figures go in the README.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a dev tool: a failed setup is a failed run

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use enroll_kit::assets::PILOT_FACE_JPEG;
use enroll_kit::biometrics::synthetic::typical_print;
use enroll_kit::domain::account::{Pin, Role};
use enroll_kit::domain::admin_units::AdminUnits;
use enroll_kit::domain::biometrics::{DeviceRef, FacePhoto, FingerCapture, FingerPosition, FingerRecord};
use enroll_kit::domain::enrollment::CompleteEnrollment;
use enroll_kit::kit::keyfile::read_public;
use enroll_kit::kit::{DataDir, InitParams, KdfCost, Kit, NewStore, Passphrase, Unlock, init};
use enroll_kit::workflow::dedup::templates_of;
use enroll_kit::workflow::enrollment::{seal_and_store, seal_and_store_with};
use enroll_kit::workflow::integrity::verify_packets;
use enroll_kit::workflow::simulate::person;
use enroll_kit::workflow::{Operator, accounts, login};
use rand::SeedableRng;
use std::path::Path;
use std::time::Duration;

const PASSPHRASE: &str = "mango river seven lantern";

fn kit(dir: &Path) -> (Kit, Operator) {
    let keys = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/keys");
    let recipient = std::fs::read_to_string(keys.join("test-hq.age.pub")).expect("test recipient");
    let mut kit = init(InitParams {
        dir: DataDir::new(dir),
        centre: "00042".into(),
        kit: "00007".into(),
        county: "047".into(),
        hq_recipients: vec![recipient.lines().find(|l| l.starts_with("age1")).expect("age1").into()],
        hq_verify_key: read_public(&keys.join("test-hq.ed25519.pub")).expect("verify key"),
        training: true,
        supervisor: "supervisor".into(),
        supervisor_name: "Bench".into(),
        supervisor_pin: Pin::new_checked("482913").expect("pin"),
        // The field cost, so that every figure below is measured on the kit as it ships.
        key_store: NewStore::Passphrase {
            label: "supervisor".into(),
            passphrase: Passphrase::new(PASSPHRASE),
            cost: KdfCost::KIT,
        },
    })
    .expect("init");
    let sup = login(&mut kit, "supervisor", &Pin::new("482913")).expect("login");
    accounts::add_account(&mut kit, &sup, "bench", "Bench", Role::Assistant, "730518").expect("add");
    let op = login(&mut kit, "bench", &Pin::new("730518")).expect("login");
    (kit, op)
}

fn face_640x480() -> FacePhoto {
    let img = image::load_from_memory(PILOT_FACE_JPEG).expect("pilot face decodes").resize_exact(
        640,
        480,
        image::imageops::FilterType::Triangle,
    );
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90).encode_image(&img.to_rgb8()).expect("encode");
    FacePhoto {
        jpeg,
        width: 640,
        height: 480,
        quality: 80,
        checks: vec![],
        device: DeviceRef::new("uvc-generic", "bench", false),
    }
}

/// Ten prints at 400x500 (a single-finger 500 dpi scanner's plain impression), made once.
fn prints() -> Vec<FingerRecord> {
    FingerPosition::ALL
        .into_iter()
        .map(|p| {
            FingerRecord::Captured(FingerCapture {
                image: typical_print(u64::from(p.code()), 0, 400, 500),
                dpi: 500,
                quality: 70,
                attempts: 1,
                force_captured: false,
                force_reason: None,
                device: DeviceRef::new("r307", "bench", false),
                device_signature: None,
            })
        })
        .collect()
}

fn enrollment(seed: u64, face: &FacePhoto, prints: &[FingerRecord]) -> CompleteEnrollment {
    let today = NaiveDate::from_ymd_opt(2026, 11, 24).expect("date");
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let person = person(&mut rng, today, AdminUnits::bundled()).validate(today, AdminUnits::bundled()).expect("valid");
    let fingers = FingerPosition::ALL.into_iter().zip(prints.iter().cloned()).collect();
    CompleteEnrollment {
        consent_at: chrono::Utc::now(),
        person,
        face: face.clone(),
        fingers,
        exception_photo: None,
        possible_duplicates: vec![],
    }
}

fn packets(c: &mut Criterion) {
    let face = face_640x480();
    let prints = prints();
    let one = enrollment(1, &face, &prints);

    let dir = tempfile::tempdir().expect("tempdir");
    let (mut k, op) = kit(dir.path());
    let mut group = c.benchmark_group("packet");
    group.sample_size(50).measurement_time(Duration::from_secs(10));
    group.bench_function("build_sign_store_one", |b| {
        b.iter(|| seal_and_store(&mut k, &op, &one, true, None).expect("sealed"));
    });
    group.finish();

    let dir = tempfile::tempdir().expect("tempdir");
    let (mut k, op) = kit(dir.path());
    // Every packet has the same ten prints: their templates are made once, not a thousand times.
    let templates = templates_of(&one.fingers);
    for seed in 0..1000 {
        seal_and_store_with(&mut k, &op, &enrollment(seed, &face, &prints), true, None, &templates).expect("sealed");
    }
    let mut group = c.benchmark_group("packet");
    group.sample_size(10).measurement_time(Duration::from_secs(20));
    group.bench_function("verify_1000_stored", |b| {
        b.iter(|| {
            let report = verify_packets(&k, None).expect("verified");
            assert_eq!((report.checked, report.faults.len()), (1000, 0));
        });
    });
    group.finish();
}

fn unlock(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    drop(kit(dir.path()));
    let mut group = c.benchmark_group("kit");
    group.sample_size(10).measurement_time(Duration::from_secs(10));
    group.bench_function("unlock_passphrase_field_cost", |b| {
        b.iter(|| {
            Kit::open(DataDir::new(dir.path()), &Unlock::Passphrase(Passphrase::new(PASSPHRASE))).expect("unlock")
        });
    });
    group.finish();
}

criterion_group!(benches, packets, unlock);
criterion_main!(benches);
