//! On-kit duplicate search: a person enrolling again is found, a new person is not.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a panic is a failure with its line

mod common;

use age::secrecy::SecretString;
use common::{ASSISTANT_PIN, enroll, fill_with, kit_with_staff, step};
use enroll_kit::domain::account::Pin;
use enroll_kit::workflow::dedup::{export_templates, import_templates, kit_wide, search};
use enroll_kit::workflow::enrollment::{Command, EnrollmentSession, Outcome};

#[test]
fn a_person_enrolling_again_is_found_and_a_new_person_is_not() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut kit, _clock, sup, assistant) = kit_with_staff(&tmp.path().join("kit"));
    let amina = enroll(&mut kit, &assistant, 101);
    let baraka = enroll(&mut kit, &assistant, 102);
    let stored = kit.store.templates_after(0).unwrap();
    let hers: Vec<_> = stored.iter().filter(|t| t.rid == amina).collect();
    assert_eq!(hers.len(), 10, "a template per captured finger at sealing");
    assert!(hers.iter().all(|t| t.template.digest.is_some()), "with its search digest");

    // Amina comes back: the same fingers, pressed differently (impression 1, not 0).
    let mut again = EnrollmentSession::start(&mut kit, &assistant, false).unwrap();
    fill_with(&mut again, &mut kit, 101, 1);
    let found = search(&kit, &again.draft().fingers).unwrap();
    assert_eq!(found.iter().map(|c| c.rid.as_str()).collect::<Vec<_>>(), [amina.as_str()], "{found:?}");
    assert!(found[0].fingers == 10 && found[0].score > 50.0, "{found:?}");

    // Someone new is nobody's duplicate.
    let mut new = EnrollmentSession::start(&mut kit, &assistant, false).unwrap();
    fill_with(&mut new, &mut kit, 103, 1);
    assert!(search(&kit, &new.draft().fingers).unwrap().is_empty());

    // Saved anyway, Amina's second packet pairs with her first in the kit-wide check.
    let second = match step(&mut again, &mut kit, Command::Complete(Pin::new(ASSISTANT_PIN))) {
        Outcome::Saved(rid) => rid.to_string(),
        other => panic!("{other:?}"),
    };
    let pairs = kit_wide(&kit, &sup).unwrap();
    assert_eq!(pairs.len(), 1, "{pairs:?}");
    let (a, b, _) = &pairs[0];
    assert!([a, b].contains(&&amina) && [a, b].contains(&&second) && ![a, b].contains(&&baraka));
    assert!(kit_wide(&kit, &assistant).is_err(), "a supervisor's check");
}

#[test]
fn among_twenty_people_every_returning_one_is_found_and_no_newcomer_is_flagged() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut kit, _clock, _sup, assistant) = kit_with_staff(&tmp.path().join("kit"));
    let enrolled: Vec<(u64, String)> = (200..220).map(|seed| (seed, enroll(&mut kit, &assistant, seed))).collect();
    // Ten of them come back (their fingers, pressed differently); ten people come for the first time.
    for (seed, rid) in enrolled.iter().step_by(2) {
        let mut s = EnrollmentSession::start(&mut kit, &assistant, false).unwrap();
        fill_with(&mut s, &mut kit, *seed, 2);
        let found = search(&kit, &s.draft().fingers).unwrap();
        assert_eq!(
            found.iter().map(|c| c.rid.as_str()).collect::<Vec<_>>(),
            [rid.as_str()],
            "person {seed}: {found:?}"
        );
        s.apply(&mut kit, Command::Abandon).unwrap();
    }
    for seed in 300..310 {
        let mut s = EnrollmentSession::start(&mut kit, &assistant, false).unwrap();
        fill_with(&mut s, &mut kit, seed, 2);
        let found = search(&kit, &s.draft().fingers).unwrap();
        assert!(found.is_empty(), "newcomer {seed} flagged: {found:?}");
        s.apply(&mut kit, Command::Abandon).unwrap();
    }
}

#[test]
fn lost_templates_and_stale_digests_are_made_again_and_the_person_is_still_found() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut kit, clock, _sup, assistant) = kit_with_staff(&tmp.path().join("kit"));
    let amina = enroll(&mut kit, &assistant, 111);
    let baraka = enroll(&mut kit, &assistant, 112);
    // As a kit upgraded from before migrations 4 and 5 would have it: Baraka's packet has no
    // templates, Amina's templates no digests.
    {
        let db = kit.insider_connection().unwrap();
        db.execute("DELETE FROM finger_templates WHERE rid = ?1", [&baraka]).unwrap();
        db.execute("UPDATE finger_templates SET digest = NULL", []).unwrap();
    }
    let mut kit = enroll_kit::kit::Kit::open(kit.dir.clone(), &common::test_unlock()).unwrap();
    clock.install(&mut kit);
    for (seed, rid) in [(111, &amina), (112, &baraka)] {
        let mut s = EnrollmentSession::start(&mut kit, &assistant, false).unwrap();
        fill_with(&mut s, &mut kit, seed, 1);
        let found = search(&kit, &s.draft().fingers).unwrap();
        assert_eq!(found.iter().map(|c| c.rid.as_str()).collect::<Vec<_>>(), [rid.as_str()], "{found:?}");
        s.apply(&mut kit, Command::Abandon).unwrap();
    }
    let stored = kit.store.templates_after(0).unwrap();
    assert_eq!(stored.iter().filter(|t| t.rid == baraka).count(), 10, "rebuilt from the packet's prints");
    assert!(stored.iter().all(|t| t.template.digest.is_some()), "digests written back");
}

#[test]
fn templates_an_older_extractor_made_are_made_again_from_the_prints_and_its_lists_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut kit, clock, sup, assistant) = kit_with_staff(&tmp.path().join("kit"));
    let amina = enroll(&mut kit, &assistant, 131);
    // As a kit upgraded from the first extractor would have it (migration 8 marks its rows 1):
    // templates that extractor made, here stood in for by another person's fingers, which the
    // search must not compare with the new extractor's.
    let other = enroll(&mut kit, &assistant, 132);
    {
        let db = kit.insider_connection().unwrap();
        db.execute(
            "UPDATE finger_templates SET extractor = 1, digest = NULL,
                 iso = (SELECT o.iso FROM finger_templates o WHERE o.rid = ?2 AND o.position = finger_templates.position)
             WHERE rid = ?1",
            [&amina, &other],
        )
        .unwrap();
    }
    let mut kit = enroll_kit::kit::Kit::open(kit.dir.clone(), &common::test_unlock()).unwrap();
    clock.install(&mut kit);
    let mut s = EnrollmentSession::start(&mut kit, &assistant, false).unwrap();
    fill_with(&mut s, &mut kit, 131, 1);
    let found = search(&kit, &s.draft().fingers).unwrap();
    assert!(found.iter().any(|c| c.rid == amina), "found from templates made again: {found:?}");
    s.apply(&mut kit, Command::Abandon).unwrap();
    let hers: Vec<_> = kit.store.templates_of(&amina).unwrap();
    assert_eq!(hers.len(), 10);
    assert!(hers.iter().all(|t| t.template.extractor == enroll_kit::biometrics::matching::EXTRACTOR));

    // A list written by a kit still on the first extractor (version 1) is refused with the way out.
    let list = tmp.path().join("new.templates");
    let words = SecretString::from("maji ya mvua ni baridi".to_string());
    export_templates(&mut kit, &sup, &list, &words).unwrap();
    let old = tmp.path().join("old.templates");
    std::fs::write(&old, reseal_as_version_1(&list, &words)).unwrap();
    let (mut b, _, sup_b, _) = kit_with_staff(&tmp.path().join("b"));
    b.config.kit = "00008".into();
    let said = import_templates(&mut b, &sup_b, &old, &words, None).unwrap_err().to_string();
    assert!(said.contains("older enroll-kit") && said.contains("export its template list again"), "{said}");
    assert!(b.store.templates_after(0).unwrap().is_empty(), "nothing stored");
}

/// The list at `path` with its version field set to 1, sealed again with the same passphrase.
fn reseal_as_version_1(path: &std::path::Path, words: &SecretString) -> Vec<u8> {
    use std::io::{Read, Write};
    let file = std::fs::File::open(path).unwrap();
    let identity = age::scrypt::Identity::new(words.clone());
    let mut plain = Vec::new();
    age::Decryptor::new(file)
        .unwrap()
        .decrypt(std::iter::once(&identity as &dyn age::Identity))
        .unwrap()
        .read_to_end(&mut plain)
        .unwrap();
    let mut json: serde_json::Value = serde_json::from_slice(&zstd::decode_all(&plain[..]).unwrap()).unwrap();
    json["version"] = 1.into();
    let compressed = zstd::encode_all(&serde_json::to_vec(&json).unwrap()[..], 3).unwrap();
    let mut out = Vec::new();
    let mut w = age::Encryptor::with_user_passphrase(words.clone()).wrap_output(&mut out).unwrap();
    w.write_all(&compressed).unwrap();
    w.finish().unwrap();
    out
}

#[test]
fn a_template_list_from_another_kit_extends_the_search_and_damaged_or_foreign_lists_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut a, _, sup_a, assistant_a) = kit_with_staff(&tmp.path().join("a"));
    let (mut b, _, sup_b, assistant_b) = kit_with_staff(&tmp.path().join("b"));
    b.config.kit = "00008".into(); // kit numbers are unique in the field
    let amina = enroll(&mut a, &assistant_a, 121);
    enroll(&mut b, &assistant_b, 122);
    let list = tmp.path().join("kit-a.templates");
    let words = SecretString::from("maji ya mvua ni baridi".to_string());
    assert!(export_templates(&mut a, &sup_a, &list, &SecretString::from("short".to_string())).is_err());
    assert!(export_templates(&mut a, &assistant_a, &list, &words).is_err(), "a supervisor's task");
    assert_eq!(export_templates(&mut a, &sup_a, &list, &words).unwrap(), 1);

    // Refused before anything is stored: wrong passphrase, a flipped byte, an unregistered kit,
    // the kit's own list.
    let said = |r: Result<_, enroll_kit::workflow::WorkflowError>| r.unwrap_err().to_string();
    let wrong = SecretString::from("maji ya mvua ni moto".to_string());
    assert!(said(import_templates(&mut b, &sup_b, &list, &wrong, None)).contains("passphrase"));
    let mut bytes = std::fs::read(&list).unwrap();
    let at = bytes.len() - 40;
    bytes[at] ^= 1;
    let damaged = tmp.path().join("damaged.templates");
    std::fs::write(&damaged, bytes).unwrap();
    assert!(import_templates(&mut b, &sup_b, &damaged, &words, None).is_err());
    let only_b = [b.public_key()];
    assert!(
        said(import_templates(&mut b, &sup_b, &list, &words, Some(&only_b))).contains("not in the registered kits")
    );
    assert!(said(import_templates(&mut a, &sup_a, &list, &words, None)).contains("own template list"));
    assert_eq!(b.store.templates_after(0).unwrap().iter().filter(|t| t.origin.is_some()).count(), 0);

    let loaded = import_templates(&mut b, &sup_b, &list, &words, Some(&[a.public_key()])).unwrap();
    assert_eq!((loaded.people, loaded.added), (1, 10));
    assert!(loaded.origin.starts_with("00042/00007 "), "{}", loaded.origin);
    assert_eq!(import_templates(&mut b, &sup_b, &list, &words, None).unwrap().added, 0, "loading twice adds nothing");

    // Amina, enrolled at kit A, now tries kit B.
    let mut s = EnrollmentSession::start(&mut b, &assistant_b, false).unwrap();
    fill_with(&mut s, &mut b, 121, 1);
    let found = search(&b, &s.draft().fingers).unwrap();
    assert_eq!(found.iter().map(|c| c.rid.as_str()).collect::<Vec<_>>(), [amina.as_str()], "{found:?}");
    // What the assistant is shown: the kit she enrolled at, no name or photo (B has no packet).
    let (woken, wake) = std::sync::mpsc::channel();
    let worker = enroll_kit::workflow::dedup::SearchWorker::start(&b, s.draft().fingers.clone(), move || {
        let _ = woken.send(());
    })
    .unwrap();
    // The worker wakes its caller when it ends, as it wakes the window.
    let shown = loop {
        if let Some(r) = worker.finished() {
            break r.unwrap();
        }
        wake.recv().expect("the search worker ended without a result");
    };
    assert_eq!(shown.len(), 1);
    assert_eq!((shown[0].origin.as_deref(), shown[0].name.as_str()), (Some(loaded.origin.as_str()), ""));
    let actions: Vec<String> = b.store.audit_entries(None).unwrap().into_iter().map(|e| e.action).collect();
    assert!(actions.iter().any(|a| a == "templates_imported"), "{actions:?}");
}
