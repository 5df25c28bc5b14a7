//! Writes the fuzz targets' seed corpora from what the kit itself produces: the serial modules'
//! packets as the simulators send them, the shipped device profiles and scenarios, a pilot kit's
//! kit.toml, its packets, templates and digests, an exported batch (the tar inside, decrypted
//! with the pilot central office's identity), a receipts file and a register of kits.
//!
//!     cargo run --example fuzz_seeds -- fuzz/corpus
//!
//! `scripts/fuzz` runs it when a target's corpus is empty.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a dev tool: a failed setup is a failed run

use enroll_kit::devices::{gt521, zfm};
use enroll_kit::kit::DataDir;
use enroll_kit::workflow::pilot::{PILOT_ACCOUNTS, open_or_provision};
use std::io::Read;
use std::path::Path;

fn put(corpus: &Path, target: &str, name: &str, bytes: &[u8]) {
    let dir = corpus.join(target);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), bytes).unwrap();
}

fn main() {
    let corpus = std::path::PathBuf::from(std::env::args().nth(1).expect("usage: fuzz_seeds CORPUS_DIR"));
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));

    // Serial packets, each behind the byte the target splits the stream at.
    let addr = zfm::protocol::DEFAULT_ADDRESS;
    let mut image = vec![9u8];
    for k in 0..4u8 {
        image.extend(zfm::protocol::encode(addr, zfm::protocol::Pid::Data, &[k.wrapping_mul(37); 128]));
    }
    image.extend(zfm::protocol::encode(addr, zfm::protocol::Pid::End, &[0x55; 128]));
    put(&corpus, "zfm_stream", "image", &image);
    let mut ack = vec![3u8];
    ack.extend(zfm::protocol::encode(addr, zfm::protocol::Pid::Ack, &[0x00]));
    ack.extend(zfm::protocol::command(zfm::protocol::Instruction::GenImg, &[]));
    put(&corpus, "zfm_stream", "ack-command", &ack);
    let mut gt = vec![16u8];
    gt.extend(gt521::protocol::encode(1, 0x30));
    gt.extend(gt521::protocol::encode_data(&[0x7f; 64]));
    put(&corpus, "gt521_stream", "response-data", &gt);

    // What an SBI device sends: an ISO 19794-4 record with its JPEG 2000 image, and JSON answers.
    let print = enroll_kit::biometrics::synthetic::typical_print(3, 0, 120, 140);
    let position = enroll_kit::domain::biometrics::FingerPosition::ALL[1];
    let record = enroll_kit::interchange::FingerImage { position, dpi: 500, quality: Some(61), image: print.clone() };
    put(&corpus, "sbi_device", "iso-record", &enroll_kit::interchange::finger_image::encode(&record).unwrap());
    put(&corpus, "sbi_device", "jp2", &enroll_kit::interchange::jpeg2000::encode_lossless(&print).unwrap());
    put(
        &corpus,
        "sbi_device",
        "discover",
        br#"[{"deviceId":"1","deviceStatus":"Ready","deviceSubId":["1",2,"3"],"specVersion":["0.9.5"],"error":{"errorCode":0,"errorInfo":"Success"}}]"#,
    );
    put(
        &corpus,
        "sbi_device",
        "capture",
        br#"{"biometrics":[{"specVersion":"0.9.5","data":"eyJhbGciOiJSUzI1NiJ9.e30.c2ln","hash":"E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855","error":{"errorCode":"0","errorInfo":"Success"}}]}"#,
    );

    for dir in ["device-profiles", "assets/pilot-scenarios"] {
        let target = if dir == "device-profiles" { "device_profile" } else { "scenario" };
        for entry in std::fs::read_dir(root.join(dir)).unwrap().flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "toml") {
                put(&corpus, target, &path.file_name().unwrap().to_string_lossy(), &std::fs::read(&path).unwrap());
            }
        }
    }

    // A pilot kit with a few enrollments, approved and exported.
    let tmp = tempfile::tempdir().unwrap();
    let kit_dir = tmp.path().join("pilot");
    let mut kit = open_or_provision(DataDir::new(&kit_dir)).unwrap();
    put(&corpus, "kit_toml", "pilot", &std::fs::read(kit_dir.join("kit.toml")).unwrap());
    let (sup, _, _, pin) = PILOT_ACCOUNTS[0];
    let supervisor = enroll_kit::workflow::login(&mut kit, sup, &enroll_kit::domain::account::Pin::new(pin)).unwrap();
    let options = enroll_kit::workflow::simulate::SimulateOptions { count: 3, seed: 7, assistants: 1 };
    let rids = enroll_kit::workflow::simulate::simulate(&mut kit, &supervisor, options, |_, _| {}).unwrap();
    for rid in &rids {
        let packet = kit.store.packet(rid.as_str()).unwrap().unwrap();
        put(&corpus, "packet", rid.as_str(), &packet.data);
        for t in kit.store.templates_of(rid.as_str()).unwrap().into_iter().take(2) {
            put(&corpus, "iso_template", &format!("{rid}-{}", t.template.position), &t.template.iso);
            if let Some(digest) = &t.template.digest {
                put(&corpus, "iso_template", &format!("{rid}-{}-digest", t.template.position), digest);
            }
        }
    }
    enroll_kit::workflow::review::approve_all(&mut kit, &supervisor, false).unwrap();
    let stick = tmp.path().join("stick");
    std::fs::create_dir_all(&stick).unwrap();
    let batch = enroll_kit::workflow::export::close_day(
        &mut kit,
        &supervisor,
        &enroll_kit::batch::export::Destination::folder(&stick),
        true,
        &std::sync::atomic::AtomicBool::new(false),
        &mut |_, _| {},
    )
    .unwrap();
    let identities = enroll_kit::batch::verify::read_identities(&root.join("assets/pilot-keys/pilot-hq.age")).unwrap();
    let file = std::fs::File::open(&batch.path).unwrap();
    let decryptor = age::Decryptor::new_buffered(std::io::BufReader::new(file)).unwrap();
    let mut tar = Vec::new();
    decryptor
        .decrypt(identities.iter().map(|i| i.as_ref() as &dyn age::Identity))
        .unwrap()
        .read_to_end(&mut tar)
        .unwrap();
    put(&corpus, "batch", "pilot-day", &tar);

    let receipts = serde_json::to_vec(&enroll_kit::sync::receipts::ReceiptsFile::new()).unwrap();
    put(&corpus, "receipts", "empty", &receipts);
    put(
        &corpus,
        "registered_kits",
        "one",
        format!("{} 99999 00001\n# a comment\n", kit.public_key().to_hex()).as_bytes(),
    );
    println!("seeds written to {}", corpus.display());
}
