//! On-kit duplicate search: a person enrolling again is found, a new person is not.

mod common;

use common::{ASSISTANT_PIN, enroll, fill_with, kit_with_staff, step};
use enroll_kit::domain::account::Pin;
use enroll_kit::workflow::dedup::{kit_wide, search};
use enroll_kit::workflow::enrollment::{Command, EnrollmentSession, Outcome};

#[test]
fn a_person_enrolling_again_is_found_and_a_new_person_is_not() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut kit, _clock, sup, assistant) = kit_with_staff(&tmp.path().join("kit"));
    let amina = enroll(&mut kit, &assistant, 101);
    let baraka = enroll(&mut kit, &assistant, 102);
    let stored = kit.store.templates().unwrap();
    assert_eq!(stored.iter().filter(|t| t.rid == amina).count(), 10, "a template per captured finger at sealing");

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
