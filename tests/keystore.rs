//! Keys and data at rest (issue 15, threat-model rows 7–9): what a thief holding a copy of the
//! data dir gets — nothing readable, nothing to sign with — and what opens a kit: its TPM on its
//! own machine only, or a supervisor's passphrase.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a panic is a failure with its line

mod common;

use common::{KIT_PASSPHRASE, SUPERVISOR_PIN, enroll, form, kit_with_staff};
use enroll_kit::assets::PILOT_FACE_JPEG;
use enroll_kit::domain::account::Pin;
use enroll_kit::kit::keystore::KeyStoreError;
use enroll_kit::kit::{DataDir, Kit, KitError, LockedKit, Passphrase, StoreKind, Unlock};
use enroll_kit::packet::KitKey;
use enroll_kit::workflow::login;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};

fn files_of(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            out.push((path.clone(), std::fs::read(&path).unwrap()));
        } else if path.is_dir() {
            out.extend(files_of(&path));
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// A copy of the disk, taken while the kit is open (the WAL holds the latest pages).
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for (path, bytes) in files_of(from) {
        let target = to.join(path.strip_prefix(from).unwrap());
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, bytes).unwrap();
    }
}

#[test]
fn a_data_dir_copied_off_the_kit_yields_no_name_image_template_or_key() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("kit");
    let (mut kit, _clock, _sup, assistant) = kit_with_staff(&root);
    let rid = enroll(&mut kit, &assistant, 7);
    // A draft too: the next person, stopped at the fingerprints.
    let mut draft = enroll_kit::workflow::enrollment::EnrollmentSession::start(&mut kit, &assistant, false).unwrap();
    common::fill(&mut draft, &mut kit, 8);
    let template = kit.store.templates_of(&rid).unwrap().remove(0).template;
    let public = kit.public_key();
    let stolen = tmp.path().join("stolen");
    copy_dir(&root, &stolen);

    let person = form(7);
    let drafted = form(8);
    let mut secrets: Vec<(&str, Vec<u8>)> = vec![
        ("surname", person.surname.clone().into_bytes()),
        ("first name", person.first_name.clone().into_bytes()),
        ("national id", person.national_id.clone().into_bytes()),
        ("draft surname", drafted.surname.clone().into_bytes()),
        ("face photo", PILOT_FACE_JPEG[200..264].to_vec()),
        // Whole headers, not 3-byte markers: a 3-byte marker turns up by chance in a few megabytes
        // of ciphertext (the WAL held FF D8 FF on one CI run in four), so it proves nothing.
        ("jpeg header", PILOT_FACE_JPEG[..12].to_vec()),
        ("png signature", b"\x89PNG\r\n\x1a\n".to_vec()),
        ("template", template.iso[..32.min(template.iso.len())].to_vec()),
        ("account name", b"wanjiru".to_vec()),
        ("argon2 PIN hash", b"$argon2id$".to_vec()),
        ("sqlite header", b"SQLite format 3".to_vec()),
    ];
    // Five bytes or more: a shorter needle turns up in megabytes of ciphertext too often to mean
    // anything (four bytes: about once in a thousand files of 4 MB).
    secrets.retain(|(_, s)| s.len() >= 5);
    for kept in ["surname", "national id", "draft surname", "face photo", "jpeg header", "template"] {
        assert!(secrets.iter().any(|(what, _)| *what == kept), "the {kept} is still looked for");
    }
    for (path, bytes) in files_of(&stolen) {
        for (what, needle) in &secrets {
            assert!(!contains(&bytes, needle), "{} holds the {what} in the clear", path.display());
        }
    }
    assert!(!stolen.join("kit.key").exists(), "no signing key in the clear");

    // No 32 bytes anywhere in the text files, read as hex, are the kit's signing seed.
    for (path, bytes) in files_of(&stolen) {
        let text = String::from_utf8_lossy(&bytes);
        let hex: Vec<char> = text.chars().filter(char::is_ascii_hexdigit).collect();
        for start in 0..hex.len().saturating_sub(63) {
            let window: String = hex[start..start + 64].iter().collect();
            let mut seed = [0u8; 32];
            if hex::decode_to_slice(&window, &mut seed).is_ok() {
                assert_ne!(KitKey::from_seed(seed).public(), public, "{} holds the seed", path.display());
            }
        }
    }

    // The database will not open as SQLite, nor with a wrong passphrase; the right one opens it.
    let plain = rusqlite::Connection::open(stolen.join("kit.db")).unwrap();
    assert!(plain.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)).is_err());
    let wrong = Kit::open(DataDir::new(&stolen), &Unlock::Passphrase(Passphrase::new("mango river seven lanterns")));
    if !common::uses_tpm() {
        assert!(matches!(wrong, Err(KitError::KeyStore(KeyStoreError::WrongPassphrase))), "{:?}", wrong.err());
        let mut opened = Kit::open(DataDir::new(&stolen), &common::test_unlock()).unwrap();
        assert_eq!(opened.store.packet_rows(None).unwrap()[0].rid, rid);
        assert!(login(&mut opened, "supervisor", &Pin::new(SUPERVISOR_PIN)).is_ok());
    }
}

#[test]
fn a_passphrase_kit_stays_locked_until_a_supervisor_unlocks_it() {
    if common::uses_tpm() {
        return; // the TPM run of the suite: this kit opens by itself, as the next test shows
    }
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("kit");
    drop(kit_with_staff(&root));
    let locked = LockedKit::open(DataDir::new(&root)).unwrap();
    assert_eq!(locked.store_kind(), StoreKind::Passphrase);
    assert_eq!(locked.passphrase_holders(), ["supervisor"]);
    assert!(matches!(locked.unlock(&Unlock::Machine), Err(KitError::KeyStore(KeyStoreError::WrongPassphrase))));
    assert!(locked.unlock(&Unlock::Passphrase(Passphrase::new(KIT_PASSPHRASE))).is_ok());

    // The command line: no passphrase, a wrong one, the right one.
    let run = |file: Option<&Path>| -> Output {
        let mut cmd = common::kit_command();
        cmd.arg("--data-dir").arg(&root).args(["packet", "list"]).env("ENROLL_KIT_PIN", SUPERVISOR_PIN);
        match file {
            Some(f) => cmd.env("ENROLL_KIT_UNLOCK_FILE", f),
            None => cmd.env_remove("ENROLL_KIT_UNLOCK_FILE"),
        };
        cmd.stdin(Stdio::null()).output().unwrap()
    };
    let said = |o: &Output| format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    let none = run(None);
    assert!(!none.status.success() && said(&none).contains("this kit is locked"), "{}", said(&none));
    let wrong_file = tmp.path().join("wrong");
    std::fs::write(&wrong_file, "mango river seven lanterns\n").unwrap();
    let wrong = run(Some(&wrong_file));
    assert!(!wrong.status.success() && said(&wrong).contains("not this kit's passphrase"), "{}", said(&wrong));
    let right = run(Some(&common::fixtures().join("keys/test-kit.passphrase")));
    assert!(right.status.success(), "{}", said(&right));
}

#[test]
fn a_weak_passphrase_is_refused_at_init_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("kit");
    let weak = tmp.path().join("weak");
    std::fs::write(&weak, "123456\n").unwrap();
    let keys = common::fixtures().join("keys");
    let out = common::kit_command()
        .arg("--data-dir")
        .arg(&dir)
        .args(["init", "--centre", "00042", "--kit", "00007", "--county", "047", "--key-store", "passphrase"])
        .arg("--hq-recipient")
        .arg(keys.join("test-hq.age.pub"))
        .arg("--hq-verify-key")
        .arg(keys.join("test-hq.ed25519.pub"))
        .env("ENROLL_KIT_PIN", SUPERVISOR_PIN)
        .env("ENROLL_KIT_UNLOCK_FILE", &weak)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && said.contains("at least 16"), "{said}");
    assert!(!dir.join("kit.keys").exists() && !dir.join("kit.db").exists());
}

/// A software TPM of its own (another "machine" per instance), stopped when dropped.
struct Swtpm {
    child: Child,
    tcti: String,
    _state: tempfile::TempDir,
}

impl Swtpm {
    fn start() -> Swtpm {
        let state = tempfile::tempdir().unwrap();
        // Two free ports side by side: the TPM's and its control channel.
        let port = loop {
            let a = TcpListener::bind("127.0.0.1:0").unwrap();
            let port = a.local_addr().unwrap().port();
            if port < u16::MAX && TcpListener::bind(("127.0.0.1", port + 1)).is_ok() {
                break port;
            }
        };
        let child = std::process::Command::new("swtpm")
            .args(["socket", "--tpm2", "--flags", "not-need-init,startup-clear"])
            .arg("--tpmstate")
            .arg(format!("dir={}", state.path().display()))
            .arg("--server")
            .arg(format!("type=tcp,port={port},bindaddr=127.0.0.1"))
            .arg("--ctrl")
            .arg(format!("type=tcp,port={},bindaddr=127.0.0.1", port + 1))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("swtpm is installed (scripts/test-packages.txt)");
        let mut swtpm = Swtpm { child, tcti: format!("swtpm:host=127.0.0.1,port={port}"), _state: state };
        // Wait for the event (the port answers), not for a time: the only bound is that swtpm is alive.
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(swtpm.child.try_wait().unwrap().is_none(), "swtpm exited before it listened");
            std::thread::yield_now();
        }
        swtpm.tcti = format!("swtpm:host=127.0.0.1,port={port}");
        swtpm
    }
}

impl Drop for Swtpm {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_tpm_kit_opens_by_itself_on_its_own_machine_and_nowhere_else() {
    let here = Swtpm::start();
    let elsewhere = Swtpm::start();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("kit");
    let keys = common::fixtures().join("keys");
    let kit = |tpm: &Swtpm, args: &[&str]| -> Output {
        common::kit_command()
            .arg("--data-dir")
            .arg(&dir)
            .args(args)
            .env("ENROLL_KIT_PIN", SUPERVISOR_PIN)
            .env("ENROLL_KIT_TCTI", &tpm.tcti)
            .env_remove("ENROLL_KIT_UNLOCK_FILE")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let said = |o: &Output| format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    let init = kit(
        &here,
        &[
            "init",
            "--centre",
            "00042",
            "--kit",
            "00007",
            "--county",
            "047",
            "--key-store",
            "tpm",
            "--hq-recipient",
            keys.join("test-hq.age.pub").to_str().unwrap(),
            "--hq-verify-key",
            keys.join("test-hq.ed25519.pub").to_str().unwrap(),
        ],
    );
    assert!(init.status.success(), "{}", said(&init));
    assert!(said(&init).contains("sealed by this machine's TPM"), "{}", said(&init));
    let text = std::fs::read_to_string(dir.join("kit.keys")).unwrap();
    assert!(text.contains("store = \"tpm\"") && !text.contains("[[passphrase]]"), "{text}");

    let simulated = kit(&here, &["simulate", "--count", "2"]);
    assert!(simulated.status.success(), "no passphrase asked on its own machine: {}", said(&simulated));
    let listed = kit(&here, &["packet", "list"]);
    assert!(listed.status.success() && said(&listed).lines().count() >= 2, "{}", said(&listed));

    // The disk in another laptop: that TPM cannot unseal the keys, so nothing opens.
    let moved = kit(&elsewhere, &["packet", "list"]);
    assert!(!moved.status.success(), "{}", said(&moved));
    assert!(said(&moved).contains("refuses the kit's sealed keys"), "{}", said(&moved));
    // No TPM at all: the error says what to check.
    let missing = common::kit_command()
        .arg("--data-dir")
        .arg(&dir)
        .args(["packet", "list"])
        .env("ENROLL_KIT_TCTI", "device:/dev/no-such-tpm")
        .output()
        .unwrap();
    assert!(said(&missing).contains("/dev/no-such-tpm does not exist"), "{}", said(&missing));
    let status = kit(&here, &["keys", "status"]);
    assert!(said(&status).contains("TPM"), "{}", said(&status));
}

/// The forged packet of issue 15: the thief signed "Ghost Forged" with the kit's clear key and it
/// passed `verify --kits`. With no key to take, a thief can only sign with a key of their own,
/// under the stolen kit's centre and kit numbers; the central office's registered list refuses it.
#[test]
fn a_forged_packet_signed_without_the_kits_key_is_refused_by_the_central_office() {
    let tmp = tempfile::tempdir().unwrap();
    let (real, _c, _s, _a) = kit_with_staff(&tmp.path().join("real"));
    let registered = vec![common::registered(&real)];
    // The thief's own kit, provisioned with the same centre and kit numbers.
    let (mut forged, _clock, sup, assistant) = kit_with_staff(&tmp.path().join("thief"));
    assert_eq!(
        (forged.config.centre.as_str(), forged.config.kit.as_str()),
        (real.config.centre.as_str(), real.config.kit.as_str())
    );
    let rid = enroll(&mut forged, &assistant, 66);
    enroll_kit::workflow::review::approve(&mut forged, &sup, &rid).unwrap();
    let stick = tmp.path().join("stick");
    std::fs::create_dir_all(&stick).unwrap();
    let batch = enroll_kit::workflow::export::close_day(
        &mut forged,
        &sup,
        &enroll_kit::batch::export::Destination::folder(&stick),
        false,
        &std::sync::atomic::AtomicBool::new(false),
        &mut |_, _| {},
    )
    .unwrap();
    let identities = enroll_kit::batch::verify::read_identities(&common::fixtures().join("keys/test-hq.age")).unwrap();
    let e = enroll_kit::batch::verify::verify_batch(&batch.path, &identities, Some(&registered)).unwrap_err();
    assert!(e.to_string().contains("is not in the registered kits"), "{e}");
}

/// Another supervisor sets their own passphrase on an unlocked kit: from then on either opens it;
/// an assistant may not, and a TPM kit has no passphrase to set.
#[test]
fn each_supervisor_may_set_their_own_day_passphrase() {
    use enroll_kit::domain::account::Role;
    if common::uses_tpm() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("kit");
    let (mut kit, _clock, sup, assistant) = kit_with_staff(&root);
    enroll_kit::workflow::accounts::add_account(&mut kit, &sup, "baraka", "Baraka S.", Role::Supervisor, "551903")
        .unwrap();
    let baraka = login(&mut kit, "baraka", &Pin::new("551903")).unwrap();
    let theirs = Passphrase::new("simba anakula nyama kesho");
    let cost = enroll_kit::kit::KdfCost::TEST;
    assert!(enroll_kit::workflow::keys::set_own_passphrase(&mut kit, &assistant, &theirs, cost).is_err());
    let weak = enroll_kit::workflow::keys::set_own_passphrase(&mut kit, &baraka, &Passphrase::new("short"), cost);
    assert!(weak.unwrap_err().to_string().contains("at least 16"));
    enroll_kit::workflow::keys::set_own_passphrase(&mut kit, &baraka, &theirs, cost).unwrap();
    drop(kit);
    let locked = LockedKit::open(DataDir::new(&root)).unwrap();
    assert_eq!(locked.passphrase_holders(), ["supervisor", "baraka"]);
    assert!(locked.unlock(&Unlock::Passphrase(Passphrase::new("simba anakula nyama kesho"))).is_ok());
    assert!(locked.unlock(&Unlock::Passphrase(Passphrase::new(KIT_PASSPHRASE))).is_ok());
}
