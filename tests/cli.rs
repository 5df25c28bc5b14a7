//! The command line as an operator or a script uses it: the "done when" flow, tamper
//! detection naming the RID or the audit entry, and bad input answered with clear errors that
//! change nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a panic is a failure with its line

mod common;

use common::{SUPERVISOR_PIN, fixtures, init_args};
use std::path::Path;
use std::process::Output;

fn cli(dir: &Path, args: &[&str]) -> Output {
    common::kit_command()
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("ENROLL_KIT_PIN", SUPERVISOR_PIN)
        .env_remove("ENROLL_KIT_DATA")
        .output()
        .expect("run enroll-kit")
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

fn init(dir: &Path) -> Output {
    let args = init_args();
    cli(dir, &args.iter().map(String::as_str).collect::<Vec<_>>())
}

fn ok(out: &Output) -> String {
    assert!(out.status.success(), "command failed: {}", text(out));
    text(out)
}

fn failed(out: &Output) -> String {
    assert!(!out.status.success(), "command should have failed: {}", text(out));
    let t = text(out);
    assert!(!t.contains("panicked"), "a panic instead of an error: {t}");
    t
}

/// A tamperer with the sqlite3 shell: drops the guard triggers and flips one byte.
fn tamper(db: &Path, sql_table: &str, column: &str, key: &str, key_value: &str, offset: usize) {
    let conn = common::insider(db);
    conn.execute_batch(
        "DROP TRIGGER IF EXISTS packets_sealed; DROP TRIGGER IF EXISTS packet_data_sealed; \
         DROP TRIGGER IF EXISTS audit_log_no_update;",
    )
    .unwrap();
    let mut bytes: Vec<u8> = conn
        .query_row(&format!("SELECT CAST({column} AS BLOB) FROM {sql_table} WHERE {key} = ?1"), [key_value], |r| {
            r.get(0)
        })
        .unwrap();
    let at = offset % bytes.len();
    bytes[at] ^= 0x01;
    let is_text = column != "data";
    if is_text {
        let value = String::from_utf8_lossy(&bytes).into_owned();
        conn.execute(&format!("UPDATE {sql_table} SET {column} = ?1 WHERE {key} = ?2"), [&value, key_value]).unwrap();
    } else {
        conn.execute(
            &format!("UPDATE {sql_table} SET {column} = ?1 WHERE {key} = ?2"),
            rusqlite::params![bytes, key_value],
        )
        .unwrap();
    }
}

#[test]
fn init_simulate_verify_then_any_flipped_byte_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("kit");
    let out = ok(&init(&dir));
    assert!(out.contains("Fingerprint:"), "{out}");
    assert!(!dir.join("kit.key").exists(), "the signing key is sealed in kit.keys, never in the clear");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(dir.join("kit.keys")).unwrap().permissions().mode() & 0o777, 0o600);
    }

    ok(&cli(&dir, &["simulate", "--count", "200"]));
    assert!(ok(&cli(&dir, &["packet", "verify"])).contains("OK: 200 packet(s) verified"));
    assert!(ok(&cli(&dir, &["audit", "verify"])).contains("OK: audit log intact"));
    let listed = ok(&cli(&dir, &["packet", "list", "--status", "pending_review"]));
    assert_eq!(listed.lines().filter(|l| l.contains("[training]")).count(), 200);

    // The day closes: all 200 approved, exported as a training batch, verified with the pilot identity.
    assert!(ok(&cli(&dir, &["review", "approve", "--all"])).contains("approved 200 packet(s)"));
    let stick = tmp.path().join("stick");
    std::fs::create_dir_all(&stick).unwrap();
    ok(&cli(&dir, &["export", "--out", stick.to_str().unwrap(), "--training"]));
    let batch = std::fs::read_dir(&stick)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "age"))
        .unwrap();
    let identity = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/pilot-keys/pilot-hq.age");
    let verified = ok(&cli(&dir, &["verify", batch.to_str().unwrap(), "--identity", identity.to_str().unwrap()]));
    assert!(verified.contains("200 TRAINING packet(s)"), "{verified}");

    let db = dir.join("kit.db");
    let conn = common::insider(&db);
    let (rid, size): (String, i64) = conn
        .query_row("SELECT rid, size FROM packets ORDER BY rid LIMIT 1 OFFSET 57", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    drop(conn);
    // A byte in the zstd frame header, in the middle of an image, and at the very end.
    for offset in [5, size as usize / 2, size as usize - 1] {
        tamper(&db, "packet_data", "data", "rid", &rid, offset);
        let out = cli(&dir, &["packet", "verify"]);
        let t = failed(&out);
        assert!(t.contains(&format!("FAILED {rid}")), "offset {offset}: {t}");
        assert!(t.contains("1 of 200"), "only the altered packet fails: {t}");
        tamper(&db, "packet_data", "data", "rid", &rid, offset);
        ok(&cli(&dir, &["packet", "verify", &rid]));
    }

    for (column, offset) in [("detail", 3), ("action", 0), ("at", 6), ("actor", 1), ("hash", 10), ("prev_hash", 63)] {
        tamper(&db, "audit_log", column, "seq", "42", offset);
        let t = failed(&cli(&dir, &["audit", "verify"]));
        assert!(t.contains("BROKEN: audit entry 42"), "{column}: {t}");
        tamper(&db, "audit_log", column, "seq", "42", offset);
    }
    // Removing an entry is caught at the gap.
    let conn = common::insider(&db);
    conn.execute_batch("DROP TRIGGER IF EXISTS audit_log_no_delete; DELETE FROM audit_log WHERE seq = 100;").unwrap();
    drop(conn);
    let t = failed(&cli(&dir, &["audit", "verify"]));
    assert!(t.contains("audit entry 101") && t.contains("missing"), "{t}");
}

#[test]
fn the_database_refuses_to_alter_sealed_packets_or_the_audit_log() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("kit");
    ok(&init(&dir));
    ok(&cli(&dir, &["simulate", "--count", "1"]));
    let conn = common::insider(&dir.join("kit.db"));
    assert!(conn.execute("UPDATE packet_data SET data = x'00'", []).is_err());
    assert!(conn.execute("DELETE FROM packet_data", []).is_err());
    assert!(conn.execute("UPDATE packets SET sha256 = 'x'", []).is_err());
    assert!(conn.execute("DELETE FROM packets", []).is_err());
    assert!(conn.execute("UPDATE audit_log SET actor = 'x'", []).is_err());
    assert!(conn.execute("DELETE FROM audit_log", []).is_err());
}

fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
        .collect();
    files.sort();
    files
}

#[test]
fn init_refuses_an_existing_kit_and_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("kit");
    ok(&init(&dir));
    let before = snapshot(&dir);
    let t = failed(&init(&dir));
    assert!(t.contains("already holds a kit"), "{t}");
    assert_eq!(snapshot(&dir), before);
}

#[test]
fn a_damaged_or_truncated_database_is_named_and_left_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("kit");
    ok(&init(&dir));
    ok(&cli(&dir, &["simulate", "--count", "3"]));
    let db = dir.join("kit.db");
    let good = std::fs::read(&db).unwrap();

    std::fs::write(&db, b"this is not a database at all, just words on a USB stick".repeat(100)).unwrap();
    let garbage = std::fs::read(&db).unwrap();
    let t = failed(&cli(&dir, &["packet", "verify"]));
    assert!(t.contains("kit.db") && t.contains("damaged"), "{t}");
    assert_eq!(std::fs::read(&db).unwrap(), garbage, "nothing written to a damaged file");

    std::fs::write(&db, &good[..good.len() / 3]).unwrap();
    let truncated = std::fs::read(&db).unwrap();
    let t = failed(&cli(&dir, &["packet", "verify"]));
    assert!(t.contains("kit.db") && t.contains("damaged"), "{t}");
    assert_eq!(std::fs::read(&db).unwrap(), truncated);

    std::fs::remove_file(&db).unwrap();
    let t = failed(&cli(&dir, &["audit", "verify"]));
    assert!(t.contains("no kit database") && t.contains("kit.db"), "{t}");
}

#[test]
fn a_bad_kit_toml_names_the_file_and_the_field() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("kit");
    ok(&init(&dir));
    let path = dir.join("kit.toml");
    let good = std::fs::read_to_string(&path).unwrap();

    std::fs::write(&path, format!("{good}colour = \"blue\"\n")).unwrap();
    let t = failed(&cli(&dir, &["audit", "verify"]));
    assert!(t.contains("kit.toml") && t.contains("colour"), "{t}");

    std::fs::write(&path, good.replace("centre = \"00042\"", "centre = \"42\"")).unwrap();
    let t = failed(&cli(&dir, &["audit", "verify"]));
    assert!(t.contains("kit.toml") && t.contains("`centre`") && t.contains("5 digits"), "{t}");

    std::fs::write(&path, good.replace("county = \"047\"", "county = \"099\"")).unwrap();
    let t = failed(&cli(&dir, &["audit", "verify"]));
    assert!(t.contains("`county`"), "{t}");
}

/// A kit from before sealed keys: kit.key in the clear, kit.db plain SQLite. It is refused with
/// the way out, and `keys protect` seals it in place, refusing a key file others could read.
#[cfg(unix)]
#[test]
fn an_older_kits_clear_key_and_database_are_sealed_by_keys_protect() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("kit");
    ok(&init(&dir));
    // Made into the older layout: the database decrypted, a clear key with its kit.pub.
    let plain = tmp.path().join("plain.db");
    {
        let conn = common::insider(&dir.join("kit.db"));
        conn.execute_batch(&format!("ATTACH DATABASE '{}' AS plain KEY '';", plain.display())).unwrap();
        conn.query_row("SELECT sqlcipher_export('plain')", [], |_| Ok(())).unwrap();
        conn.execute_batch("DETACH DATABASE plain;").unwrap();
    }
    for f in ["kit.keys", "kit.db", "kit.db-wal", "kit.db-shm", "kit.pub"] {
        let _ = std::fs::remove_file(dir.join(f));
    }
    std::fs::rename(&plain, dir.join("kit.db")).unwrap();
    let key = enroll_kit::packet::KitKey::generate().unwrap();
    std::fs::write(dir.join("kit.key"), key.to_secret_text("older kit")).unwrap();
    std::fs::write(dir.join("kit.pub"), key.public().to_text("older kit")).unwrap();
    std::fs::set_permissions(dir.join("kit.key"), std::fs::Permissions::from_mode(0o644)).unwrap();

    let t = failed(&cli(&dir, &["audit", "verify"]));
    assert!(t.contains("not protected") && t.contains("enroll-kit keys protect"), "{t}");
    let t = failed(&cli(&dir, &["keys", "protect", "--key-store", "passphrase"]));
    assert!(t.contains("kit.key") && t.contains("chmod 600"), "{t}");
    std::fs::set_permissions(dir.join("kit.key"), std::fs::Permissions::from_mode(0o600)).unwrap();
    ok(&cli(&dir, &["keys", "protect", "--key-store", "passphrase"]));
    assert!(!dir.join("kit.key").exists(), "the clear key is gone");
    let header = std::fs::read(dir.join("kit.db")).unwrap();
    assert_ne!(&header[..15], b"SQLite format 3", "the database is encrypted");
    let t = ok(&cli(&dir, &["audit", "verify"]));
    assert!(t.contains("OK"), "{t}");
    assert!(ok(&cli(&dir, &["audit", "list"])).contains("keys_protected"));
    assert!(ok(&cli(&dir, &["keys", "status"])).contains("passphrase"));
}

#[test]
fn an_unwritable_data_dir_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    // A path below a regular file cannot be created, even by root.
    let blocker = tmp.path().join("not-a-dir");
    std::fs::write(&blocker, b"x").unwrap();
    let dir = blocker.join("kit");
    let t = failed(&init(&dir));
    assert!(t.contains("cannot write to the data dir") && t.contains("not-a-dir"), "{t}");
}

#[test]
fn pins_and_arguments_from_outside_are_checked() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("kit");
    ok(&init(&dir));

    let missing = tmp.path().join("no-such-pin");
    let t = failed(&cli(&dir, &["simulate", "--count", "1", "--pin-file", missing.to_str().unwrap()]));
    assert!(t.contains("no-such-pin"), "{t}");

    let words = tmp.path().join("pin.txt");
    std::fs::write(&words, "my pin is 482913\n").unwrap();
    let t = failed(&cli(&dir, &["simulate", "--count", "1", "--pin-file", words.to_str().unwrap()]));
    assert!(t.contains("pin.txt") && t.contains("digits"), "{t}");

    let wrong = tmp.path().join("wrong.txt");
    std::fs::write(&wrong, "111222\n").unwrap();
    let t = failed(&cli(&dir, &["simulate", "--count", "1", "--pin-file", wrong.to_str().unwrap()]));
    assert!(t.contains("wrong PIN"), "{t}");

    let t = failed(&cli(&dir, &["packet", "verify", "12345"]));
    assert!(t.contains("29 digits"), "{t}");
    let t = failed(&cli(&dir, &["packet", "list", "--status", "lost"]));
    assert!(t.contains("unknown status"), "{t}");

    let other = tmp.path().join("other");
    let mut args = init_args();
    args[2] = "0004x".into();
    let t = failed(&cli(&other, &args.iter().map(String::as_str).collect::<Vec<_>>()));
    assert!(t.contains("centre") && t.contains("5 digits"), "{t}");
    assert!(
        !other.exists() || std::fs::read_dir(&other).unwrap().next().is_none(),
        "a refused init leaves nothing behind"
    );

    let t = failed(&cli(&tmp.path().join("empty"), &["audit", "verify"]));
    assert!(t.contains("no kit is provisioned"), "{t}");
}

#[test]
fn accounts_from_the_command_line() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("kit");
    ok(&init(&dir));
    let out = common::kit_command()
        .args(["--data-dir", dir.to_str().unwrap(), "account", "add", "akinyi", "--name", "Akinyi O."])
        .env("ENROLL_KIT_PIN", SUPERVISOR_PIN)
        .env("ENROLL_KIT_NEW_PIN", "305817")
        .output()
        .unwrap();
    ok(&out);
    ok(&cli(&dir, &["account", "lock", "akinyi"]));
    let listed = ok(&cli(&dir, &["account", "list"]));
    assert!(listed.contains("akinyi") && listed.contains("locked by supervisor"), "{listed}");
    let t = failed(&cli(&dir, &["account", "add", "x", "--name", "X", "--role", "boss"]));
    assert!(t.contains("unknown role"), "{t}");
}

fn devices(args: &[&str]) -> Output {
    common::kit_command().arg("devices").args(args).env_remove("ENROLL_KIT_DATA").output().unwrap()
}

#[test]
fn devices_list_simulate_and_capture_across_processes() {
    let listed = ok(&devices(&["list"]));
    for id in ["r307", "as608", "r503", "gt521f52", "uvc-generic", "r307-sim", "gt521-sim", "replay"] {
        assert!(listed.lines().any(|l| l.trim_start().starts_with(id)), "{id} listed: {listed}");
    }

    for (profile, size) in [("r307-sim", "256x288"), ("gt521-sim", "202x258")] {
        let mut sim = common::kit_command()
            .args(["devices", "simulate", "--profile", profile, "--unpaced", "--seconds", "60"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufRead::read_line(&mut std::io::BufReader::new(sim.stdout.take().unwrap()), &mut line).unwrap();
        let port = line.trim().to_string();
        assert!(port.starts_with("/dev/"), "{port}");
        let tmp = tempfile::tempdir().unwrap();
        let out_png = tmp.path().join("finger.png");
        let out = devices(&["capture", "--profile", profile, "--port", &port, "--out", out_png.to_str().unwrap()]);
        let _ = sim.kill();
        let _ = sim.wait();
        assert!(ok(&out).contains(size), "{}", text(&out));
        let img = image::open(&out_png).unwrap();
        assert_eq!(format!("{}x{}", img.width(), img.height()), size);
    }
}

/// A descriptor its parent leaves inheritable (as tpm2-tss leaves its TPM sockets) does not live on
/// in the kit's process: a CLI child holding a TPM connection its parent had closed hung the suite.
#[test]
fn the_kit_closes_descriptors_it_inherits() {
    let mut fds = [0; 2];
    // SAFETY: pipe writes two descriptors into the array; opened inheritable on purpose.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    let mut sim = common::kit_command()
        .args(["devices", "simulate", "--profile", "r307-sim", "--unpaced", "--seconds", "60"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Its first line says the simulator is up, so `main` has run.
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(sim.stdout.take().unwrap()), &mut line).unwrap();
    // By what they are, not by number: the child may open descriptors of its own under the same numbers.
    let ours = std::fs::read_link(format!("/proc/self/fd/{}", fds[1])).unwrap();
    let held: Vec<_> = std::fs::read_dir(format!("/proc/{}/fd", sim.id()))
        .unwrap()
        .filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
        .filter(|target| *target == ours)
        .collect();
    let _ = sim.kill();
    let _ = sim.wait();
    // SAFETY: closing the two descriptors this test opened.
    unsafe {
        libc::close(fds[0]);
        libc::close(fds[1]);
    }
    assert!(line.starts_with("/dev/"), "the simulator started: {line}");
    assert!(held.is_empty(), "the child still holds inherited descriptors {held:?}");
}

#[test]
fn devices_capture_a_photo_from_the_replay_camera() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("face.jpg");
    let t = ok(&devices(&["capture", "--profile", "replay", "--camera", "0", "--out", out.to_str().unwrap()]));
    assert!(t.contains("384x512 photo"), "{t}");
    assert_eq!(image::open(&out).unwrap().width(), 384);
}

#[test]
fn devices_bad_input_is_explained() {
    let t = failed(&devices(&["capture", "--profile", "nosuch", "--out", "/tmp/x.png"]));
    assert!(t.contains("no device profile") && t.contains("devices list"), "{t}");
    let t =
        failed(&devices(&["capture", "--profile", "r307", "--port", "/dev/enroll-kit-missing", "--out", "/tmp/x.png"]));
    assert!(t.contains("/dev/enroll-kit-missing"), "{t}");
    // This machine has no camera: a clear error, not a panic.
    let t = failed(&devices(&["capture", "--profile", "uvc-generic", "--out", "/tmp/x.jpg"]));
    assert!(t.contains("no camera is attached"), "{t}");
    let t = failed(&devices(&["capture", "--profile", "uvc-generic", "--camera", "3", "--out", "/tmp/x.jpg"]));
    assert!(t.contains("no camera number 3"), "{t}");
    let tmp = tempfile::tempdir().unwrap();
    let t = failed(&devices(&[
        "capture",
        "--profile",
        "replay",
        "--images",
        tmp.path().to_str().unwrap(),
        "--out",
        "/tmp/x.png",
    ]));
    assert!(t.contains("holds no PNG or JPEG"), "{t}");
    let t = failed(&devices(&["simulate", "--profile", "replay", "--seconds", "1"]));
    assert!(t.contains("no simulator"), "{t}");

    // A broken profile in the data dir is named with its field.
    let dir = tmp.path().join("kit");
    std::fs::create_dir_all(dir.join("device-profiles")).unwrap();
    std::fs::write(dir.join("device-profiles/odd.toml"), "id = \"odd\"\nname = \"Odd\"\nkind = \"fingerprint\"\nprotocol = \"zfm\"\n[image]\nwidth = 10\nheight = 10\ndpi = 50\npacking = \"8bit\"\n").unwrap();
    let out = common::kit_command().args(["--data-dir", dir.to_str().unwrap(), "devices", "list"]).output().unwrap();
    let t = failed(&out);
    assert!(t.contains("odd.toml") && t.contains("image.dpi"), "{t}");
}

#[test]
fn packet_slip_writes_a_pdf_with_the_rid_and_refuses_bad_input() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("kit");
    ok(&init(&dir));
    ok(&cli(&dir, &["simulate", "--count", "1"]));
    let listed = ok(&cli(&dir, &["packet", "list"]));
    let rid = listed.split_whitespace().next().unwrap().to_string();
    let out = tmp.path().join("slip.pdf");
    ok(&cli(&dir, &["packet", "slip", &rid, "--out", out.to_str().unwrap()]));
    let pdf = std::fs::read(&out).unwrap();
    let text = String::from_utf8_lossy(&pdf);
    assert!(text.starts_with("%PDF-1.4"));
    let grouped = [&rid[0..5], &rid[5..10], &rid[10..15], &rid[15..23], &rid[23..29]].join(" ");
    assert!(text.contains(&grouped), "the RID in readable groups");
    assert!(text.contains("TRAINING RECORD"), "simulated records are training records");
    assert!(text.matches(" re f").count() > 100, "the QR code is drawn");

    let t = failed(&cli(&dir, &["packet", "slip", "00042000070009920261124090503", "--out", out.to_str().unwrap()]));
    assert!(t.contains("no packet"), "{t}");
    let t = failed(&cli(&dir, &["packet", "slip", &rid, "--out", "/nonexistent-dir/slip.pdf"]));
    assert!(t.contains("cannot write"), "{t}");
}

#[test]
fn review_queue_approve_all_clean_and_reject_with_a_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("kit");
    ok(&init(&dir));
    ok(&cli(&dir, &["simulate", "--count", "12", "--seed", "5"]));
    let listed = ok(&cli(&dir, &["review", "list"]));
    assert!(listed.contains("12 packet(s) waiting"), "{listed}");
    let clean: usize = listed.lines().filter(|l| l.ends_with("  clean")).count();
    let flagged: Vec<&str> = listed.lines().filter(|l| l.contains("forced,")).collect();
    assert!(clean > 0 && !flagged.is_empty(), "the seed gives clean and flagged packets: {listed}");

    let approved = ok(&cli(&dir, &["review", "approve", "--clean"]));
    assert!(approved.contains(&format!("approved {clean} packet(s)")), "{approved}");
    let left = ok(&cli(&dir, &["review", "list"]));
    assert!(left.contains(&format!("{} packet(s) waiting, 0 clean", flagged.len())), "{left}");

    let rid = flagged[0].split_whitespace().next().unwrap();
    let t = failed(&cli(&dir, &["review", "reject", rid, "--reason", "bad_vibes"]));
    assert!(t.contains("unknown reason") && t.contains("poor_prints"), "{t}");
    let t = failed(&cli(&dir, &["review", "reject", rid, "--reason", "other"]));
    assert!(t.contains("needs a note"), "{t}");
    ok(&cli(&dir, &["review", "reject", rid, "--reason", "poor_prints", "--note", "three fingers smudged"]));
    let rejected = ok(&cli(&dir, &["packet", "list", "--status", "rejected"]));
    assert!(rejected.contains(rid), "{rejected}");
    let t = failed(&cli(&dir, &["review", "approve", rid]));
    assert!(t.contains("cannot become approved"), "a rejected packet stays rejected: {t}");
    let t = failed(&cli(&dir, &["review", "approve"]));
    assert!(t.contains("--all"), "{t}");
    let rest = ok(&cli(&dir, &["review", "approve", "--all"]));
    assert!(
        rest.contains(&format!("approved {} packet(s)", flagged.len() - 1)),
        "the flagged ones but the rejected: {rest}"
    );
    assert!(ok(&cli(&dir, &["audit", "verify"])).contains("OK"));
}

#[test]
fn quality_scores_images_at_their_resolution_and_names_what_it_cannot_read() {
    use enroll_kit::biometrics::synthetic::{Impression, print};
    let tmp = tempfile::tempdir().unwrap();
    let save = |name: &str, img: &enroll_kit::domain::biometrics::GreyImage| {
        let path = tmp.path().join(name);
        image::GrayImage::from_raw(img.width(), img.height(), img.pixels().to_vec()).unwrap().save(&path).unwrap();
        path.display().to_string()
    };
    let good = save("good.png", &print(2, &Impression::ideal(2), 256, 288));
    let dry = save("dry.png", &print(2, &Impression { moisture: -0.9, ..Impression::ideal(2) }, 256, 288));
    let blank = tmp.path().join("blank.png");
    image::GrayImage::from_pixel(256, 288, image::Luma([255])).save(&blank).unwrap();
    let junk = tmp.path().join("junk.jpg");
    std::fs::write(&junk, b"not an image").unwrap();

    let out = ok(&cli(tmp.path(), &["quality", &good, &dry, blank.to_str().unwrap()]));
    let score = |line: &str| line.split_whitespace().nth(1).unwrap().parse::<u8>().unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert!(score(lines[0]) >= 60 && lines[0].ends_with("ok"), "{out}");
    assert!(score(lines[1]) < 40 && lines[1].contains("faint"), "{out}");
    assert!(lines[2].ends_with("  0  no_finger"), "{out}");

    let json = ok(&cli(tmp.path(), &["quality", "--json", &good]));
    let v: serde_json::Value = serde_json::from_str(json.trim()).unwrap();
    assert_eq!(v["score"].as_u64(), Some(u64::from(score(lines[0]))));

    // Read at the wrong resolution the ridges look twice as wide: the score drops.
    let at_250 = ok(&cli(tmp.path(), &["quality", "--dpi", "250", &good]));
    assert!(score(at_250.lines().next().unwrap()) < score(lines[0]), "{at_250}");

    let t = failed(&cli(tmp.path(), &["quality", &good, junk.to_str().unwrap()]));
    assert!(t.contains("junk.jpg: not a readable image") && t.contains("1 of 2"), "{t}");
    assert!(t.contains("good.png"), "the readable file is still scored: {t}");
    assert!(failed(&cli(tmp.path(), &["quality", "--dpi", "7", &good])).contains("7"));
}

#[test]
fn match_tells_two_impressions_of_one_finger_from_another_finger() {
    use enroll_kit::biometrics::synthetic::{Impression, print};
    let tmp = tempfile::tempdir().unwrap();
    let save = |name: &str, finger: u64, imp: Impression| {
        let img = print(finger, &imp, 256, 288);
        let path = tmp.path().join(name);
        image::GrayImage::from_raw(256, 288, img.pixels().to_vec()).unwrap().save(&path).unwrap();
        path.display().to_string()
    };
    let a = save("a.png", 41, Impression::typical(1));
    let a2 = save("a2.png", 41, Impression::typical(2));
    let b = save("b.png", 42, Impression::typical(1));
    let same = ok(&cli(tmp.path(), &["match", &a, &a2]));
    assert!(same.contains("at FMR 1/10,000") && !same.contains("different fingers"), "{same}");
    let other = ok(&cli(tmp.path(), &["match", &a, &b]));
    assert!(!other.contains("same finger"), "{other}");
    let json: serde_json::Value =
        serde_json::from_str(ok(&cli(tmp.path(), &["match", "--json", &a, &a2])).trim()).unwrap();
    assert_eq!(json["fmr_1000"]["match"], true);
    let t = failed(&cli(tmp.path(), &["match", &a, tmp.path().join("missing.png").to_str().unwrap()]));
    assert!(t.contains("missing.png: not a readable image"), "{t}");
}

#[test]
fn a_template_list_carries_one_kits_people_into_anothers_duplicate_check() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    // Two pilot kits: `simulate` makes training people, and training lists go to training kits only.
    let mut args = init_args();
    args.push("--training".into());
    ok(&cli(&a, &args.iter().map(String::as_str).collect::<Vec<_>>()));
    let at = args.iter().position(|x| x == "00007").unwrap();
    args[at] = "00008".into();
    ok(&cli(&b, &args.iter().map(String::as_str).collect::<Vec<_>>()));
    let production = tmp.path().join("p");
    ok(&init(&production));
    ok(&cli(&a, &["simulate", "--count", "2"]));
    ok(&cli(&b, &["simulate", "--count", "2"])); // the same seed: the same two people again

    let words = tmp.path().join("passphrase.txt");
    std::fs::write(&words, "maji ya mvua ni baridi\n").unwrap();
    let list = tmp.path().join("a.templates");
    let (list_s, words_s) = (list.to_str().unwrap(), words.to_str().unwrap());
    let t = failed(&cli(&a, &["templates", "export", "--out", list_s]));
    assert!(t.contains("no passphrase given"), "{t}");
    let t = ok(&cli(&a, &["templates", "export", "--out", list_s, "--passphrase-file", words_s]));
    assert!(t.contains("2 people"), "{t}");

    let wrong = tmp.path().join("wrong.txt");
    std::fs::write(&wrong, "maji ya mvua ni moto\n").unwrap();
    let t = failed(&cli(&b, &["templates", "import", list_s, "--passphrase-file", wrong.to_str().unwrap()]));
    assert!(t.contains("check the passphrase"), "{t}");
    let t = failed(&cli(&b, &["templates", "import", "nowhere.templates", "--passphrase-file", words_s]));
    assert!(t.contains("nowhere.templates"), "{t}");
    let t = failed(&cli(&production, &["templates", "import", list_s, "--passphrase-file", words_s]));
    assert!(t.contains("a production kit never loads training people"), "{t}");
    let t = ok(&cli(&b, &["templates", "import", list_s, "--passphrase-file", words_s]));
    assert!(t.contains("loaded 2 people from kit 00042/00007") && t.contains("20 finger template(s) new"), "{t}");

    // Each of B's two people pairs with the same person at kit A.
    let t = ok(&cli(&b, &["dedup", "--json"]));
    let pairs: Vec<serde_json::Value> = t.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    assert_eq!(pairs.len(), 2, "{t}");
    for p in &pairs {
        let (x, y) = (p["rid_a"].as_str().unwrap(), p["rid_b"].as_str().unwrap());
        assert!(x.starts_with("0004200007") && y.starts_with("0004200008"), "{t}");
    }
}

#[test]
fn a_simulated_kit_exports_and_uploads_to_a_training_intake_and_every_packet_is_acknowledged() {
    use std::io::BufRead;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("kit");
    // A pilot kit: what `simulate` makes is training data, which goes to a training intake only.
    let mut args = init_args();
    args.push("--training".into());
    ok(&cli(&dir, &args.iter().map(String::as_str).collect::<Vec<_>>()));
    ok(&cli(&dir, &["simulate", "--count", "20"]));
    let approved = ok(&cli(&dir, &["review", "approve", "--all"]));
    let n: usize = approved.split_whitespace().nth(1).unwrap().parse().unwrap();
    let stick = tmp.path().join("stick");
    std::fs::create_dir_all(&stick).unwrap();
    ok(&cli(&dir, &["export", "--out", stick.to_str().unwrap(), "--training"]));

    let t = failed(&cli(&dir, &["upload"]));
    assert!(t.contains("no central office address"), "{t}");
    let keys = fixtures().join("keys");
    let pilot = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/pilot-keys");
    struct Running(std::process::Child);
    impl Drop for Running {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    // The central office registers the kit (its public key file, its numbers) before it serves.
    let intake_db = tmp.path().join("intake.db");
    let db = intake_db.to_str().unwrap();
    let t =
        failed(&cli(&dir, &["intake", "serve", "--cert", "c", "--key", "k", "--identity", "i", "--signing-key", "s"]));
    assert!(t.contains("c") && !t.contains("panicked"), "{t}");
    let t = failed(&cli(
        &dir,
        &["intake", "kits", "add", "not-a-key", "--centre", "00042", "--kit", "00007", "--database", db],
    ));
    assert!(t.contains("is not a kit public key"), "{t}");
    let kit_pub = dir.join("kit.pub");
    let kit_pub = kit_pub.to_str().unwrap();
    let t =
        ok(&cli(&dir, &["intake", "kits", "add", kit_pub, "--centre", "00042", "--kit", "00007", "--database", db]));
    assert!(t.contains("kit 00042/00007 registered"), "{t}");
    let t = failed(&cli(
        &dir,
        &["intake", "kits", "add", kit_pub, "--centre", "00042", "--kit", "00008", "--database", db],
    ));
    assert!(t.contains("registered already, to kit 00042/00007"), "{t}");
    let t = ok(&cli(&dir, &["intake", "kits", "list", "--database", db]));
    assert!(t.contains("00042/00007") && t.contains("active"), "{t}");
    let mut intake = common::kit_command()
        .args(["intake", "serve", "--training", "--listen", "127.0.0.1:0"])
        .arg("--cert")
        .arg(keys.join("test-intake.crt"))
        .arg("--key")
        .arg(keys.join("test-intake.key"))
        .arg("--identity")
        .arg(pilot.join("pilot-hq.age"))
        .arg("--signing-key")
        .arg(pilot.join("pilot-hq.ed25519"))
        .arg("--database")
        .arg(&intake_db)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = intake.stdout.take().unwrap();
    let _intake = Running(intake);
    let mut first = String::new();
    std::io::BufReader::new(stdout).read_line(&mut first).unwrap();
    let url =
        first.split_whitespace().find(|w| w.starts_with("https://")).unwrap_or_else(|| panic!("{first}")).to_string();

    let t = failed(&cli(&dir, &["upload", "configure", "--url", "http://insecure", "--cert-sha256", &"a".repeat(64)]));
    assert!(t.contains("upload.url"), "{t}");
    let cert = keys.join("test-intake.crt");
    ok(&cli(&dir, &["upload", "configure", "--url", &url, "--cert", cert.to_str().unwrap()]));
    let t = ok(&cli(&dir, &["upload"]));
    assert!(t.contains(&format!("acknowledged, {n} packet(s) accepted, 0 rejected")), "{t}");
    let acknowledged = ok(&cli(&dir, &["packet", "list", "--status", "acknowledged"]));
    assert_eq!(acknowledged.lines().count(), n);
    let status: serde_json::Value =
        serde_json::from_str(ok(&cli(&dir, &["upload", "status", "--json"])).lines().next().unwrap()).unwrap();
    assert_eq!(status["state"], "acknowledged");
    assert!(ok(&cli(&dir, &["upload"])).contains("nothing to upload"));

    // The central office writes the kit's receipts to a file for a kit that is offline; the kit
    // takes it (nothing new here: it already holds them).
    let receipts = tmp.path().join("receipts.json");
    let receipts = receipts.to_str().unwrap();
    let t = ok(&cli(&dir, &["intake", "receipts", "--kit", kit_pub, "--out", receipts, "--database", db]));
    assert!(t.contains("1 receipt(s) of kit"), "{t}");
    let file: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(receipts).unwrap()).unwrap();
    assert_eq!(file["receipts"][0]["receipt"]["packets"].as_array().unwrap().len(), n);
    ok(&cli(&dir, &["receipts", "import", receipts]));
}
