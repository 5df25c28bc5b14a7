//! Accounts and roles: lockout that survives a restart, what an assistant may not do,
//! nobody reviewing their own work, and no PIN ever in the audit log.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a panic is a failure with its line

mod common;

use chrono::Duration;
use common::{ASSISTANT_PIN, SUPERVISOR_PIN, kit_with_staff};
use enroll_kit::domain::account::{Permission, Pin, Role};
use enroll_kit::domain::status::{PacketStatus, RejectReason};
use enroll_kit::kit::{DataDir, Kit};
use enroll_kit::workflow::simulate::{SimulateOptions, simulate};
use enroll_kit::workflow::{LoginError, WorkflowError, accounts, login, require, review};

#[test]
fn five_wrong_pins_lock_for_five_minutes_even_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (mut kit, clock, _sup, _assistant) = kit_with_staff(dir.path());
    for left in (1..=4).rev() {
        match login(&mut kit, "wanjiru", &Pin::new("999999")) {
            Err(LoginError::WrongPin { attempts_left, .. }) => assert_eq!(attempts_left, left),
            other => panic!("{other:?}"),
        }
    }
    let locked = login(&mut kit, "wanjiru", &Pin::new("999999")).unwrap_err();
    assert!(matches!(locked, LoginError::LockedOut { .. }));
    assert!(locked.to_string().contains("locked for 5 more minute"), "{locked}");

    drop(kit);
    let mut kit = Kit::open(DataDir::new(dir.path()), &common::test_unlock()).unwrap();
    clock.install(&mut kit);
    clock.advance(Duration::minutes(2));
    let still = login(&mut kit, "wanjiru", &Pin::new(ASSISTANT_PIN)).unwrap_err();
    match still {
        LoginError::LockedOut { remaining } => assert_eq!(remaining, Duration::minutes(3)),
        other => panic!("the right PIN is refused while locked, got {other:?}"),
    }
    clock.advance(Duration::minutes(3));
    login(&mut kit, "wanjiru", &Pin::new(ASSISTANT_PIN)).expect("unlocked after five minutes");
    let actions: Vec<String> = kit.store.audit_entries(None).unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(actions.iter().filter(|a| *a == "login_failed").count(), 5);
    assert_eq!(actions.iter().filter(|a| *a == "lockout").count(), 1);
}

#[test]
fn an_assistant_cannot_approve_reject_export_or_change_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let (mut kit, _clock, sup, assistant) = kit_with_staff(dir.path());
    simulate(&mut kit, &sup, SimulateOptions { count: 1, seed: 3, assistants: 1 }, |_, _| {}).unwrap();
    let rid = kit.store.packet_rows(None).unwrap()[0].rid.clone();

    let forbidden = |r: Result<(), WorkflowError>| matches!(r, Err(WorkflowError::Forbidden { .. }));
    assert!(forbidden(review::approve(&mut kit, &assistant, &rid)));
    assert!(forbidden(review::reject(&mut kit, &assistant, &rid, RejectReason::PoorPhoto, "blurred")));
    assert!(forbidden(require(&assistant, Permission::ExportBatch)));
    assert!(forbidden(accounts::add_account(&mut kit, &assistant, "otieno", "Otieno", Role::Assistant, "583920")));
    assert!(forbidden(accounts::lock_account(&mut kit, &assistant, "sim-01")));
    assert!(forbidden(accounts::unlock_account(&mut kit, &assistant, "sim-01")));
    assert!(forbidden(accounts::reset_pin(&mut kit, &assistant, "sim-01", "583920")));
    assert!(accounts::list_accounts(&kit, &assistant).is_err());
    assert!(matches!(review::queue(&kit, &assistant), Err(WorkflowError::Forbidden { .. })));
    assert!(matches!(review::approve_all(&mut kit, &assistant, true), Err(WorkflowError::Forbidden { .. })));
    assert_eq!(kit.store.packet_row(&rid).unwrap().unwrap().status, PacketStatus::PendingReview, "nothing changed");
    assert!(kit.store.account("otieno").unwrap().is_none());

    review::approve(&mut kit, &sup, &rid).expect("a supervisor approves another's packet");
    let again = review::approve(&mut kit, &sup, &rid).unwrap_err();
    assert!(again.to_string().contains("cannot become approved"), "{again}");
}

#[test]
fn nobody_reviews_their_own_work() {
    let dir = tempfile::tempdir().unwrap();
    let (mut kit, _clock, sup, _assistant) = kit_with_staff(dir.path());
    // A supervisor who enrolls someone may not review that packet; another supervisor may.
    accounts::add_account(&mut kit, &sup, "mwangi", "Mwangi", Role::Supervisor, "640213").unwrap();
    let other = login(&mut kit, "mwangi", &Pin::new("640213")).unwrap();
    let rid = common::enroll_as(&mut kit, &other, "640213", 9);
    let own = review::approve(&mut kit, &other, &rid).unwrap_err();
    assert!(own.to_string().contains("nobody reviews their own work"), "{own}");
    assert!(review::reject(&mut kit, &other, &rid, RejectReason::PoorPhoto, "blurred").is_err());
    assert_eq!(kit.store.packet_row(&rid).unwrap().unwrap().status, PacketStatus::PendingReview);
    assert!(review::reject(&mut kit, &sup, &rid, RejectReason::Other, "  ").is_err(), "another reason needs a note");
    review::reject(&mut kit, &sup, &rid, RejectReason::PoorPhoto, "photo does not show the applicant").unwrap();
    let row = kit.store.packet_row(&rid).unwrap().unwrap();
    assert_eq!(row.status_note.as_deref(), Some("poor_photo: photo does not show the applicant"));
    assert_eq!(kit.store.packet_row(&rid).unwrap().unwrap().status, PacketStatus::Rejected);
}

#[test]
fn supervisors_manage_assistants_but_not_themselves() {
    let dir = tempfile::tempdir().unwrap();
    let (mut kit, _clock, sup, _assistant) = kit_with_staff(dir.path());
    assert!(accounts::add_account(&mut kit, &sup, "wanjiru", "Dup", Role::Assistant, "583920").is_err(), "name taken");
    assert!(accounts::add_account(&mut kit, &sup, "kevo", "Kevo", Role::Assistant, "123456").is_err(), "trivial PIN");
    assert!(accounts::lock_account(&mut kit, &sup, "supervisor").is_err());
    accounts::lock_account(&mut kit, &sup, "wanjiru").unwrap();
    let e = login(&mut kit, "wanjiru", &Pin::new(ASSISTANT_PIN)).unwrap_err();
    assert!(matches!(e, LoginError::Disabled(_)), "{e}");
    accounts::unlock_account(&mut kit, &sup, "wanjiru").unwrap();
    accounts::reset_pin(&mut kit, &sup, "wanjiru", "902417").unwrap();
    assert!(login(&mut kit, "wanjiru", &Pin::new(ASSISTANT_PIN)).is_err());
    login(&mut kit, "wanjiru", &Pin::new("902417")).unwrap();
}

#[test]
fn no_pin_ever_reaches_the_audit_log() {
    let dir = tempfile::tempdir().unwrap();
    let (mut kit, _clock, sup, _assistant) = kit_with_staff(dir.path());
    let _ = login(&mut kit, "wanjiru", &Pin::new("555777"));
    // A PIN typed into the login-name box.
    let _ = login(&mut kit, "730518", &Pin::new(""));
    accounts::reset_pin(&mut kit, &sup, "wanjiru", "902417").unwrap();
    let text: String = kit
        .store
        .audit_entries(None)
        .unwrap()
        .into_iter()
        .map(|e| format!("{} {:?} {} {:?} {}", e.at, e.actor, e.action, e.subject, e.detail))
        .collect();
    for pin in [SUPERVISOR_PIN, ASSISTANT_PIN, "555777", "902417"] {
        assert!(!text.contains(pin), "PIN {pin} in the audit log");
    }
    assert!(text.contains("pin_reset"));
    assert!(text.contains("digits withheld"));
}
