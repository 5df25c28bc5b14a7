//! The attacks of issue 15, each as its attacker tried it, each now failing for the attacker
//! (docs/threat-model.md names the test for each row).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a panic is a failure with its line

mod common;

use common::{ASSISTANT_PIN, SUPERVISOR_PIN, enroll, kit_with_staff};
use enroll_kit::domain::account::{Permission, Pin, Role};
use enroll_kit::kit::{DataDir, Kit};
use enroll_kit::workflow::{LoginError, WorkflowError, accounts, login, require};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Output;

fn cli(dir: &Path, pin: &str, args: &[&str]) -> Output {
    common::kit_command()
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("ENROLL_KIT_PIN", pin)
        .env_remove("ENROLL_KIT_DATA")
        .output()
        .expect("run enroll-kit")
}

fn said(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Thief with another account on the laptop: the data dir was 0755 and kit.db 0644.
#[test]
fn another_user_on_the_laptop_can_open_nothing_in_the_data_dir() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("kit");
    let (mut kit, _clock, _sup, assistant) = kit_with_staff(&root);
    enroll(&mut kit, &assistant, 1);
    let dir = kit.dir.clone();
    assert_eq!(mode(dir.root()), 0o700, "data dir");
    for f in [dir.db_path(), dir.keys_path(), dir.config_path()] {
        assert_eq!(mode(&f), 0o600, "{}", f.display());
    }
    drop(kit);

    // A kit made by an older version (or copied in under a loose umask) is closed on its next open.
    std::fs::set_permissions(dir.root(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(dir.db_path(), std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::set_permissions(dir.config_path(), std::fs::Permissions::from_mode(0o644)).unwrap();
    let kit = Kit::open(DataDir::new(&root), &common::test_unlock()).unwrap();
    assert_eq!((mode(kit.dir.root()), mode(&kit.dir.db_path()), mode(&kit.dir.config_path())), (0o700, 0o600, 0o600));

    // Files the program writes are its owner's only, whatever the shell's umask.
    let slip = tmp.path().join("slip.pdf");
    let rid = kit.store.packet_rows(None).unwrap()[0].rid.clone();
    let out = cli(&root, SUPERVISOR_PIN, &["packet", "slip", &rid, "--out", slip.to_str().unwrap()]);
    assert!(out.status.success(), "{}", said(&out));
    assert_eq!(mode(&slip), 0o600, "the slip names a person");
}

/// 30 wrong PINs sent at once through the CLI left the account at 1 failed attempt, unlocked.
#[test]
fn thirty_wrong_pins_at_once_get_five_guesses_and_lock_the_account() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("kit");
    let (kit, _clock, _sup, _assistant) = kit_with_staff(&root);
    drop(kit);
    let children: Vec<_> = (0..30)
        .map(|_| {
            common::kit_command()
                .arg("--data-dir")
                .arg(&root)
                .args(["account", "list", "--as", "wanjiru"])
                .env("ENROLL_KIT_PIN", "999999")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let answers: Vec<String> = children.into_iter().map(|c| said(&c.wait_with_output().unwrap())).collect();
    assert!(answers.iter().all(|a| a.contains("wrong PIN") || a.contains("locked") || a.contains("database")));
    // Each PIN actually compared with the hash is a login_failed entry: five at most, however
    // many arrive at once. (A process that found the database busy for its whole wait tried no
    // PIN at all; on this machine none does, and then the fifth locks.)
    let kit = Kit::open(DataDir::new(&root), &common::test_unlock()).unwrap();
    let actions: Vec<String> = kit.store.audit_entries(None).unwrap().into_iter().map(|e| e.action).collect();
    let guesses = actions.iter().filter(|a| *a == "login_failed").count();
    assert!(guesses <= 5, "{guesses} PINs were tried: {answers:?}");
    if !answers.iter().any(|a| a.contains("database")) {
        assert_eq!(guesses, 5, "{answers:?}");
        assert_eq!(actions.iter().filter(|a| *a == "lockout").count(), 1);
        let right = cli(&root, ASSISTANT_PIN, &["account", "list", "--as", "wanjiru"]);
        assert!(said(&right).contains("locked"), "the right PIN waits out the lockout: {}", said(&right));
    }
}

/// A PIN guesser who waits out each lockout (or moves the clock) gets 15 guesses, then a person
/// must act; setting the clock back lifts nothing.
#[test]
fn lockouts_escalate_until_a_supervisor_unlocks_and_the_clock_cannot_lift_them() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut kit, clock, sup, _assistant) = kit_with_staff(&tmp.path().join("kit"));
    let wrong = Pin::new("999999");
    let fail_five = |kit: &mut Kit| (0..5).map(|_| login(kit, "wanjiru", &wrong).unwrap_err()).last().unwrap();
    assert!(matches!(fail_five(&mut kit), LoginError::LockedOut { remaining } if remaining.num_minutes() == 5));
    clock.advance(-chrono::Duration::days(1));
    assert!(matches!(login(&mut kit, "wanjiru", &Pin::new(ASSISTANT_PIN)), Err(LoginError::LockedOut { .. })));
    clock.advance(chrono::Duration::days(1) + chrono::Duration::minutes(5));
    let e = login(&mut kit, "wanjiru", &wrong).unwrap_err();
    assert!(e.to_string().contains("lock the account for 30 minutes"), "{e}");
    assert!(matches!(fail_five(&mut kit), LoginError::LockedOut { remaining } if remaining.num_minutes() == 30));
    clock.advance(chrono::Duration::minutes(30));
    let last = fail_five(&mut kit);
    assert!(matches!(last, LoginError::LockedForSupervisor(_)), "{last:?}");
    clock.advance(chrono::Duration::days(400));
    assert!(matches!(login(&mut kit, "wanjiru", &Pin::new(ASSISTANT_PIN)), Err(LoginError::LockedForSupervisor(_))));
    accounts::unlock_account(&mut kit, &sup, "wanjiru").unwrap();
    login(&mut kit, "wanjiru", &Pin::new(ASSISTANT_PIN)).expect("unlocked by the supervisor");
}

/// Commands that showed personal data or changed the kit without a login, or for the wrong role.
#[test]
fn every_command_that_shows_a_person_or_changes_the_kit_needs_the_right_login() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("kit");
    let (mut kit, _clock, _sup, assistant) = kit_with_staff(&root);
    let rid = enroll(&mut kit, &assistant, 2);
    drop(kit);
    let out = tmp.path().join("slip.pdf");
    let attempts: [&[&str]; 6] = [
        &["packet", "list"],
        &["packet", "slip", &rid, "--out", out.to_str().unwrap()],
        &["audit", "list"],
        &["upload", "configure", "--url", "https://127.0.0.1:9", "--cert-sha256", &"a".repeat(64)],
        &["upload", "retry", "x"],
        &["upload", "send"],
    ];
    // Wrong PINs spread over two accounts, so that neither locks (five in a row would).
    for (k, args) in attempts.iter().enumerate() {
        let mut args = args.to_vec();
        if k % 2 == 1 {
            args.extend(["--as", "wanjiru"]);
        }
        let refused = cli(&root, "111111", &args);
        assert!(!refused.status.success() && said(&refused).contains("wrong PIN"), "{args:?}: {}", said(&refused));
    }
    assert!(!out.exists(), "no slip without a login");
    for args in [&attempts[0], &attempts[2], &attempts[3], &attempts[4]] {
        let mut as_assistant = args.to_vec();
        as_assistant.extend(["--as", "wanjiru"]);
        let refused = cli(&root, ASSISTANT_PIN, &as_assistant);
        assert!(said(&refused).contains("may not"), "{as_assistant:?}: {}", said(&refused));
    }
    // The assistant may reprint the slip of a person she enrolled; never over an existing file.
    let mine = cli(&root, ASSISTANT_PIN, &["packet", "slip", &rid, "--out", out.to_str().unwrap(), "--as", "wanjiru"]);
    assert!(mine.status.success(), "{}", said(&mine));
    std::fs::write(&out, b"the supervisor's notes").unwrap();
    let again = cli(&root, SUPERVISOR_PIN, &["packet", "slip", &rid, "--out", out.to_str().unwrap()]);
    assert!(said(&again).contains("already exists"), "{}", said(&again));
    assert_eq!(std::fs::read(&out).unwrap(), b"the supervisor's notes");
    // A supervisor's change of the upload address is audited, with what it was.
    let set = cli(&root, SUPERVISOR_PIN, attempts[3]);
    assert!(set.status.success(), "{}", said(&set));
    let kit = Kit::open(DataDir::new(&root), &common::test_unlock()).unwrap();
    assert!(kit.store.audit_entries(None).unwrap().iter().any(|e| e.action == "upload_configured"));
}

/// A trainer could approve production packets and export template lists.
#[test]
fn a_trainer_has_no_permission_on_a_production_kit() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut kit, _clock, sup, assistant) = kit_with_staff(&tmp.path().join("kit"));
    let rid = enroll(&mut kit, &assistant, 3);
    accounts::add_account(&mut kit, &sup, "trainer", "Trainer", Role::Trainer, "864200").unwrap();
    let trainer = login(&mut kit, "trainer", &Pin::new("864200")).unwrap();
    let forbidden = |r: Result<(), WorkflowError>| matches!(r, Err(WorkflowError::Forbidden { .. }));
    assert!(forbidden(enroll_kit::workflow::review::approve(&mut kit, &trainer, &rid)));
    let list = tmp.path().join("t.templates");
    let words = age::secrecy::SecretString::from("maji ya mvua ni baridi".to_string());
    assert!(matches!(
        enroll_kit::workflow::dedup::export_templates(&mut kit, &trainer, &list, &words),
        Err(WorkflowError::Forbidden { .. })
    ));
    for p in [Permission::Enroll, Permission::RunPilot, Permission::ReviewPackets] {
        assert!(forbidden(require(&trainer, p)), "{p:?}");
    }
}

/// A production packet whose prints a simulator made was stored by the production intake.
#[test]
fn the_central_office_refuses_a_production_packet_a_simulator_captured() {
    use enroll_kit::domain::biometrics::{DeviceRef, FingerPosition};
    use enroll_kit::workflow::enrollment::{Command as Do, EnrollmentSession, Outcome};
    use enroll_kit::workflow::export::close_day;
    let tmp = tempfile::tempdir().unwrap();
    let (mut kit, _clock, sup, assistant) = kit_with_staff(&tmp.path().join("kit"));
    let mut s = EnrollmentSession::start(&mut kit, &assistant, false).unwrap();
    for c in [
        Do::GiveConsent,
        Do::Next,
        Do::SetForm(Box::new(common::form(4))),
        Do::Next,
        Do::SetFace(common::face()),
        Do::Next,
    ] {
        s.apply(&mut kit, c).unwrap();
    }
    // Every print as the synthetic reader records it.
    for p in FingerPosition::ALL {
        let offered = common::offer(p, 40 + u64::from(p.code()), 0, DeviceRef::new("r307-sim", "SIM-0001", false));
        s.apply(&mut kit, offered).unwrap();
    }
    s.apply(&mut kit, Do::Next).unwrap();
    let Outcome::Saved(rid) = s.apply(&mut kit, Do::Complete(Pin::new(ASSISTANT_PIN))).unwrap() else {
        panic!("not saved")
    };
    let stored = kit.store.packet(rid.as_str()).unwrap().unwrap();
    let opened = enroll_kit::packet::open_packet(&stored.data, Some(&kit.public_key())).unwrap();
    assert_eq!(opened.json.simulated_devices(), ["r307-sim"], "the packet says a simulator took it");
    enroll_kit::workflow::review::approve(&mut kit, &sup, rid.as_str()).unwrap();
    let stick = tmp.path().join("stick");
    std::fs::create_dir_all(&stick).unwrap();
    let batch = close_day(
        &mut kit,
        &sup,
        &enroll_kit::batch::export::Destination::folder(&stick),
        false,
        &std::sync::atomic::AtomicBool::new(false),
        &mut |_, _| {},
    )
    .unwrap();
    let identities = enroll_kit::batch::verify::read_identities(&common::fixtures().join("keys/test-hq.age")).unwrap();
    let e = enroll_kit::batch::verify::verify_batch(&batch.path, &identities, Some(&vec![common::registered(&kit)]))
        .unwrap_err();
    assert!(e.to_string().contains("captured with a simulator (r307-sim)"), "{e}");
}

/// Exports the approved production packets of `kit` into a new folder under `tmp`.
fn export_day(kit: &mut Kit, sup: &enroll_kit::workflow::Operator, tmp: &Path, name: &str) -> std::path::PathBuf {
    let stick = tmp.join(name);
    std::fs::create_dir_all(&stick).unwrap();
    enroll_kit::workflow::export::close_day(
        kit,
        sup,
        &enroll_kit::batch::export::Destination::folder(&stick),
        false,
        &std::sync::atomic::AtomicBool::new(false),
        &mut |_, _| {},
    )
    .unwrap()
    .path
}

/// The insider's tool: renumbers and rehashes the whole chain after rows were deleted, and with
/// the kit's key (unsealed from kit.keys with the passphrase) signs every checkpoint again.
fn rehash_audit(
    conn: &rusqlite::Connection,
    rows: Vec<enroll_kit::store::AuditEntry>,
    key: Option<&enroll_kit::packet::KitKey>,
) {
    use enroll_kit::domain::audit::checkpoint_message;
    use enroll_kit::packet::canonical::to_canonical_json;
    use enroll_kit::store::audit::{GENESIS_HASH, entry_hash};
    conn.execute_batch("DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;")
        .unwrap();
    conn.execute("DELETE FROM audit_log", []).unwrap();
    let mut prev = GENESIS_HASH.to_string();
    for (seq, row) in (1_i64..).zip(rows) {
        let enroll_kit::store::AuditEntry { at, actor, action, subject, mut detail, .. } = row;
        if action == "checkpoint"
            && let Some(key) = key
        {
            let signature = hex::encode(key.sign(&checkpoint_message(seq - 1, &prev)));
            let value = serde_json::json!({"head_seq": seq - 1, "head_hash": prev, "signature": signature});
            detail = String::from_utf8(to_canonical_json(&value)).unwrap();
        }
        let hash = entry_hash(&prev, seq, &at, actor.as_deref(), &action, subject.as_deref(), &detail);
        conn.execute(
            "INSERT INTO audit_log (seq, at, actor, action, subject, detail, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            rusqlite::params![seq, at, actor, action, subject, detail, prev, hash],
        )
        .unwrap();
        prev = hash;
    }
}

/// Insider with a kit: deleted audit entries and rehashed the chain; `audit verify` said OK. Now
/// the kit's own checkpoints name the rewrite, and when the insider re-signs them too (holding
/// the passphrase), the central office's ledger names it: the new batch's log no longer extends
/// the one it received before. A log cut short is named the same way.
#[test]
fn a_rewritten_or_truncated_audit_log_is_named_by_the_kit_and_by_the_central_office() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("kit");
    let (mut kit, clock, sup, assistant) = kit_with_staff(&root);
    let first = enroll(&mut kit, &assistant, 21);
    enroll_kit::workflow::review::approve(&mut kit, &sup, &first).unwrap();
    let batch1 = export_day(&mut kit, &sup, tmp.path(), "day1");
    let ledger = tmp.path().join("ledger.db");
    let identity = common::fixtures().join("keys/test-hq.age");
    let verify = |batch: &Path| {
        common::kit_command()
            .args(["verify"])
            .arg(batch)
            .arg("--identity")
            .arg(&identity)
            .arg("--ledger")
            .arg(&ledger)
            .output()
            .unwrap()
    };
    let ok1 = verify(&batch1);
    assert!(ok1.status.success() && said(&ok1).contains("extends the ledger's"), "{}", said(&ok1));
    let held = kit.store.audit_entries(None).unwrap().len();

    // Day 2: an enrollment the insider wants gone from the history.
    clock.advance(chrono::Duration::days(1));
    let second = enroll(&mut kit, &assistant, 22);
    enroll_kit::workflow::review::approve(&mut kit, &sup, &second).unwrap();
    let conn = kit.insider_connection().unwrap();
    conn.execute("DROP TRIGGER IF EXISTS audit_log_no_delete", []).unwrap();
    conn.execute("DELETE FROM audit_log WHERE seq IN (3, 4, 5)", []).unwrap();
    rehash_audit(&conn, kit.store.audit_entries(None).unwrap(), None);
    let t = said(&cli(&root, SUPERVISOR_PIN, &["audit", "verify"]));
    assert!(t.contains("BROKEN") && t.contains("history before it was rewritten"), "{t}");

    // With the key as well: the kit's own check passes, the central office's does not.
    let keys = enroll_kit::kit::keystore::KeysFile::read(&kit.dir.keys_path()).unwrap();
    let secrets = keys.unseal(&common::test_unlock(), &kit.dir.keys_path()).unwrap();
    rehash_audit(&conn, kit.store.audit_entries(None).unwrap(), Some(&secrets.signing_key()));
    let t = said(&cli(&root, SUPERVISOR_PIN, &["audit", "verify"]));
    assert!(!t.contains("BROKEN"), "the insider made the kit's own check pass: {t}");
    let batch2 = export_day(&mut kit, &sup, tmp.path(), "day2");
    let refused = verify(&batch2);
    assert!(!refused.status.success(), "{}", said(&refused));
    assert!(said(&refused).contains("history was rewritten"), "{}", said(&refused));

    // Cut short below what the central office holds: named too.
    clock.advance(chrono::Duration::days(1));
    conn.execute(&format!("DELETE FROM audit_log WHERE seq > {}", held / 2), []).unwrap();
    let third = enroll(&mut kit, &assistant, 23);
    enroll_kit::workflow::review::approve(&mut kit, &sup, &third).unwrap();
    conn.execute(&format!("DELETE FROM audit_log WHERE seq > {}", held / 2), []).unwrap();
    rehash_audit(&conn, kit.store.audit_entries(None).unwrap(), Some(&secrets.signing_key()));
    let batch3 = export_day(&mut kit, &sup, tmp.path(), "day3");
    let refused = verify(&batch3);
    assert!(said(&refused).contains("cut short"), "{}", said(&refused));
    assert!(!refused.status.success());
}

/// Anyone: packets were kept forever, even after the central office acknowledged them. Now a
/// receipt — here offline, in the receipts file `verify` writes at the central office — deletes
/// the people's images and personal data, keeps what the duplicate search needs until the
/// retention period ends, and an unacknowledged packet still cannot be deleted.
#[test]
fn acknowledged_packets_lose_their_images_and_personal_data_and_only_those() {
    use enroll_kit::workflow::retention::{import_receipts, purge_acknowledged};
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("kit");
    let (mut kit, clock, sup, assistant) = kit_with_staff(&root);
    let rids = [enroll(&mut kit, &assistant, 31), enroll(&mut kit, &assistant, 32)];
    for rid in &rids {
        enroll_kit::workflow::review::approve(&mut kit, &sup, rid).unwrap();
    }
    let batch = export_day(&mut kit, &sup, tmp.path(), "stick");
    let pending = enroll(&mut kit, &assistant, 33);

    // At the central office: verify, and write the signed receipt into a receipts file.
    let keys = common::fixtures().join("keys");
    let receipts = tmp.path().join("receipts.json");
    let kits = tmp.path().join("kits.txt");
    std::fs::write(&kits, kit.public_key().to_hex()).unwrap();
    let out = common::kit_command()
        .arg("verify")
        .arg(&batch)
        .arg("--identity")
        .arg(keys.join("test-hq.age"))
        .arg("--kits")
        .arg(&kits)
        .arg("--receipts-out")
        .arg(&receipts)
        .arg("--hq-signing-key")
        .arg(keys.join("test-hq.ed25519"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", said(&out));

    // A receipts file signed by anyone else is refused, and nothing goes.
    let mut forged = enroll_kit::sync::receipts::ReceiptsFile::read(&receipts).unwrap();
    let thief = enroll_kit::packet::KitKey::generate().unwrap();
    let bytes = enroll_kit::sync::SignedReceipt::signed_bytes(&forged.receipts[0].receipt);
    forged.receipts[0].signature = hex::encode(thief.sign(&bytes));
    let forged_path = tmp.path().join("forged.json");
    std::fs::write(&forged_path, serde_json::to_vec(&forged).unwrap()).unwrap();
    let report = import_receipts(&mut kit, &sup, &forged_path).unwrap();
    assert_eq!(report.refused.len(), 1, "{report:?}");
    assert!(report.purged.packets.is_empty());
    assert!(kit.store.packet(&rids[0]).unwrap().is_some());
    // An assistant may not import receipts.
    assert!(import_receipts(&mut kit, &assistant, &receipts).is_err());

    let report = import_receipts(&mut kit, &sup, &receipts).unwrap();
    assert_eq!(report.acknowledged.len(), 1, "{report:?}");
    let mut purged = report.purged.packets.clone();
    purged.sort();
    assert_eq!(purged, rids.to_vec());
    for rid in &rids {
        assert!(kit.store.packet(rid).unwrap().is_none(), "no images or personal data left for {rid}");
        let row = kit.store.packet_row(rid).unwrap().unwrap();
        assert_eq!((row.status.as_str(), row.display_name.as_str()), ("acknowledged", ""));
        assert_eq!(kit.store.templates_of(rid).unwrap().len(), 10, "the duplicate search keeps its templates");
    }
    assert!(kit.store.packet(&pending).unwrap().is_some(), "a packet not yet acknowledged is kept");
    let conn = kit.insider_connection().unwrap();
    assert!(conn.execute("DELETE FROM packet_data WHERE rid = ?1", [&pending]).is_err(), "and cannot be deleted");
    let report = enroll_kit::workflow::integrity::verify_packets(&kit, None).unwrap();
    assert!(report.faults.is_empty(), "{:?}", report.faults);
    let again = import_receipts(&mut kit, &sup, &receipts).unwrap();
    assert_eq!((again.acknowledged.len(), again.already), (0, 1));

    // The person comes back: the duplicate search still finds them.
    let mut s = enroll_kit::workflow::enrollment::EnrollmentSession::start(&mut kit, &assistant, false).unwrap();
    common::fill_with(&mut s, &mut kit, 31, 1);
    let found = enroll_kit::workflow::dedup::search(&kit, &s.draft().fingers).unwrap();
    assert!(found.iter().any(|c| c.rid == rids[0]), "{found:?}");

    // After the retention period in kit.toml the templates go too.
    clock.advance(chrono::Duration::days(i64::from(kit.config.template_retention_days) + 1));
    let later = purge_acknowledged(&mut kit).unwrap();
    assert_eq!(later.templates_expired, 2);
    assert!(kit.store.templates_of(&rids[0]).unwrap().is_empty());
    let log = kit.store.audit_entries(None).unwrap();
    assert!(log.iter().filter(|e| e.action == "packets_purged").count() >= 2);
}

/// Insider with a kit: one added `hq_recipients` line in kit.toml silently added a reader for
/// every future batch. Now the kit refuses to open with it; a change the central office signed
/// is the only way, and one signed by anyone else, or for another kit, is refused.
#[test]
fn an_added_recipient_in_kit_toml_is_refused_and_only_a_change_the_office_signed_applies() {
    use enroll_kit::kit::hq_change::{HQ_CHANGE_FORMAT, HqChange, SignedHqChange};
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("kit");
    let (kit, _clock, _sup, _assistant) = kit_with_staff(&root);
    let me = kit.public_key();
    drop(kit);
    let toml_path = root.join("kit.toml");
    let original = std::fs::read_to_string(&toml_path).unwrap();
    let spy = age::x25519::Identity::generate().to_public().to_string();
    let mut config: enroll_kit::kit::KitConfig = toml::from_str(&original).unwrap();
    config.hq_recipients.push(spy.clone());
    std::fs::write(&toml_path, config.to_toml()).unwrap();
    let e = Kit::open(DataDir::new(&root), &common::test_unlock()).err().expect("an edited kit.toml is refused");
    assert!(e.to_string().contains("not the ones this kit was provisioned with"), "{e}");
    let t = said(&cli(&root, SUPERVISOR_PIN, &["packet", "list"]));
    assert!(t.contains("Restore kit.toml"), "{t}");

    // Put back, the kit opens; the office's signed change adds the recipient for real.
    std::fs::write(&toml_path, &original).unwrap();
    let mut kit = Kit::open(DataDir::new(&root), &common::test_unlock()).unwrap();
    let sup = enroll_kit::workflow::login(&mut kit, "supervisor", &Pin::new(SUPERVISOR_PIN)).unwrap();
    let office = enroll_kit::packet::KitKey::from_text(
        &std::fs::read_to_string(common::fixtures().join("keys/test-hq.ed25519")).unwrap(),
    )
    .unwrap();
    let change = |kit_key: &enroll_kit::packet::PublicKey| HqChange {
        format: HQ_CHANGE_FORMAT.into(),
        version: 1,
        kit_public_key: kit_key.to_hex(),
        hq_recipients: vec![common::hq_recipient(), spy.clone()],
        hq_verify_key: office.public().to_hex(),
        issued_at: "2026-11-25T08:00:00Z".into(),
    };
    let write = |name: &str, signed: &SignedHqChange| {
        let path = tmp.path().join(name);
        std::fs::write(&path, serde_json::to_string(signed).unwrap()).unwrap();
        path
    };
    let apply = enroll_kit::workflow::config::apply_hq_change;
    let stranger = enroll_kit::packet::KitKey::generate().unwrap();
    let by_stranger = write("stranger.json", &SignedHqChange::sign(change(&me), &stranger));
    let e = apply(&mut kit, &sup, &by_stranger).unwrap_err();
    assert!(e.to_string().contains("not signed by the central office"), "{e}");
    let other_kit = write("other.json", &SignedHqChange::sign(change(&stranger.public()), &office));
    assert!(apply(&mut kit, &sup, &other_kit).unwrap_err().to_string().contains("another kit"));
    let assistant = enroll_kit::workflow::login(&mut kit, "wanjiru", &Pin::new(ASSISTANT_PIN)).unwrap();
    let signed = write("signed.json", &SignedHqChange::sign(change(&me), &office));
    assert!(apply(&mut kit, &assistant, &signed).is_err(), "an assistant may not");
    apply(&mut kit, &sup, &signed).unwrap();
    assert_eq!(kit.config.hq_recipients.len(), 2);
    drop(kit);
    let kit = Kit::open(DataDir::new(&root), &common::test_unlock()).unwrap();
    assert!(kit.config.hq_recipients.contains(&spy), "the signed change holds across a restart");
    assert!(kit.store.audit_entries(None).unwrap().iter().any(|e| e.action == "hq_config_changed"));
}

/// Every command that needs a login, run as each role on a production kit: the supervisor is
/// never told "may not"; an assistant and a trainer always are (a trainer has no production
/// permission at all), and nothing they ran changed the kit.
#[test]
fn every_command_as_every_role_on_a_production_kit() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("kit");
    let (mut kit, _clock, sup, assistant) = kit_with_staff(&root);
    accounts::add_account(&mut kit, &sup, "mwalimu", "Trainer M.", Role::Trainer, "864209").unwrap();
    // A person another assistant enrolled: wanjiru may not reprint that slip.
    accounts::add_account(&mut kit, &sup, "akinyi", "Akinyi O.", Role::Assistant, "730529").unwrap();
    let akinyi = login(&mut kit, "akinyi", &Pin::new("730529")).unwrap();
    let theirs = common::enroll_as(&mut kit, &akinyi, "730529", 5);
    let _ = assistant;
    drop(kit);
    let path = |name: &str| tmp.path().join(name).display().to_string();
    std::fs::write(tmp.path().join("words"), "maji ya mvua ni baridi\n").unwrap();
    std::fs::write(tmp.path().join("receipts.json"), r#"{"format":"enroll-kit-receipts","version":1,"receipts":[]}"#)
        .unwrap();
    std::fs::write(tmp.path().join("change.json"), "{}").unwrap();
    let commands: Vec<Vec<String>> = [
        vec!["packet", "list"],
        vec!["packet", "slip", &theirs, "--out", &path("slip.pdf")],
        vec!["audit", "list"],
        vec!["account", "list"],
        vec!["account", "add", "newcomer", "--name", "New Comer"],
        vec!["account", "lock", "wanjiru"],
        vec!["review", "list"],
        vec!["review", "approve", &theirs],
        vec!["report"],
        vec!["dedup"],
        vec!["templates", "export", "--out", &path("list.templates"), "--passphrase-file", &path("words")],
        vec!["upload", "configure", "--url", "https://127.0.0.1:9", "--cert-sha256", &"a".repeat(64)],
        vec!["upload", "retry", "nobatch"],
        vec!["upload", "send"],
        vec!["receipts", "import", &path("receipts.json")],
        vec!["config", "apply", &path("change.json")],
        vec!["export", "--out", &path("stick")],
    ]
    .into_iter()
    .map(|c| c.into_iter().map(String::from).collect())
    .collect();
    std::fs::create_dir_all(tmp.path().join("stick")).unwrap();
    let log_before = Kit::open(DataDir::new(&root), &common::test_unlock()).unwrap().store.audit_entries(None).unwrap();
    for (user, pin) in [("wanjiru", ASSISTANT_PIN), ("mwalimu", "864209")] {
        for command in &commands {
            let mut args: Vec<&str> = command.iter().map(String::as_str).collect();
            args.extend(["--as", user]);
            let out = cli(&root, pin, &args);
            assert!(!out.status.success() && said(&out).contains("may not"), "{user} ran {args:?}: {}", said(&out));
        }
    }
    let kit = Kit::open(DataDir::new(&root), &common::test_unlock()).unwrap();
    let changes: Vec<_> = kit.store.audit_entries(None).unwrap()[log_before.len()..]
        .iter()
        .filter(|e| e.action != "login_ok")
        .map(|e| e.action.clone())
        .collect();
    assert!(changes.is_empty(), "a refused command changed the kit: {changes:?}");
    assert!(!tmp.path().join("slip.pdf").exists() && !tmp.path().join("list.templates").exists());
    drop(kit);
    for command in &commands {
        let args: Vec<&str> = command.iter().map(String::as_str).collect();
        let out = cli(&root, SUPERVISOR_PIN, &args);
        assert!(!said(&out).contains("may not"), "the supervisor was refused {args:?}: {}", said(&out));
    }
}
