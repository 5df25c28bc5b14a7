//! Synthetic enrollments: `enroll-kit simulate` and pilot mode.
//!
//! Every record goes through `EnrollmentSession`, the very path the GUI drives, and is marked
//! training. Simulated assistants (`sim-01`…) are real accounts a supervisor adds or resets;
//! they are locked again when the run ends, so nobody logs in as them.

use super::accounts::{add_account, lock_account, reset_pin, unlock_account};
use super::capture::{Verdict, score};
use super::enrollment::{Command, EnrollmentSession, Outcome};
use super::{Operator, WorkflowError, login};
use crate::assets::{PILOT_FACE_JPEG, PILOT_FACE_SIZE};
use crate::biometrics::synthetic::{Impression, print};
use crate::devices::reader::RawCapture;
use crate::domain::account::{Pin, Role};
use crate::domain::admin_units::AdminUnits;
use crate::domain::biometrics::{DeviceRef, FacePhoto, FingerException, FingerPosition};
use crate::domain::enrollment::ExceptionPhoto;
use crate::domain::person::PersonForm;
use crate::domain::rid::Rid;
use crate::kit::Kit;
use chrono::{Datelike, NaiveDate};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The simulated reader's image geometry (an R307 at 500 dpi).
const PRINT_SIZE: (u32, u32) = (256, 288);
const PRINT_DPI: u16 = 500;
/// The device profile of the reader `simulate` pretends to use (its quality threshold applies).
const SIMULATED_READER: &str = "r307-sim";

/// How many simulated enrollments, from which seed, by how many simulated assistants.
#[derive(Debug, Clone, Copy)]
pub struct SimulateOptions {
    /// Enrollments to make.
    pub count: usize,
    /// Seed for demographics and prints: the same seed makes the same people.
    pub seed: u64,
    /// Simulated assistants sharing the work (1–20).
    pub assistants: usize,
}

/// Makes `options.count` complete training enrollments; `progress` hears each RID as it is saved.
pub fn simulate(
    kit: &mut Kit,
    supervisor: &Operator,
    options: SimulateOptions,
    mut progress: impl FnMut(usize, &Rid),
) -> Result<Vec<Rid>, WorkflowError> {
    if !(1..=20).contains(&options.assistants) {
        return Err(WorkflowError::Refused("simulated assistants: choose 1 to 20".into()));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    let mut assistants = Vec::new();
    for i in 1..=options.assistants {
        let username = format!("sim-{i:02}");
        let pin = random_pin(&mut rng);
        match kit.store.account(&username)? {
            Some(_) => {
                unlock_account(kit, supervisor, &username)?;
                reset_pin(kit, supervisor, &username, &pin)?;
            }
            None => {
                add_account(kit, supervisor, &username, &format!("Simulated assistant {i}"), Role::Assistant, &pin)?
            }
        }
        assistants.push((username, Pin::new(&pin)));
    }
    let result = run(kit, &assistants, options, &mut rng, &mut progress);
    for (username, _) in &assistants {
        lock_account(kit, supervisor, username)?;
    }
    result
}

fn run(
    kit: &mut Kit,
    assistants: &[(String, Pin)],
    options: SimulateOptions,
    rng: &mut ChaCha8Rng,
    progress: &mut impl FnMut(usize, &Rid),
) -> Result<Vec<Rid>, WorkflowError> {
    let mut rids = Vec::with_capacity(options.count);
    let mut operators: Vec<Operator> = Vec::new();
    for (username, pin) in assistants {
        operators.push(login(kit, username, pin)?);
    }
    let today = kit.today();
    let profiles = crate::devices::profile::Profiles::load(Some(&kit.dir.root().join("device-profiles")))
        .map_err(|e| WorkflowError::Refused(e.to_string()))?;
    let threshold = profiles
        .get(SIMULATED_READER)
        .map_or(crate::devices::profile::DEFAULT_MIN_QUALITY, crate::devices::profile::DeviceProfile::min_quality);
    for i in 0..options.count {
        let which = i % operators.len();
        let rid = enroll_one(kit, &operators[which], &assistants[which].1, rng, today, threshold)?;
        progress(i + 1, &rid);
        rids.push(rid);
    }
    Ok(rids)
}

fn enroll_one(
    kit: &mut Kit,
    op: &Operator,
    pin: &Pin,
    rng: &mut ChaCha8Rng,
    today: NaiveDate,
    threshold: u8,
) -> Result<Rid, WorkflowError> {
    let mut session = EnrollmentSession::start(kit, op, true)?;
    let form = person(rng, today, &kit.admin_units());
    let mut apply = |kit: &mut Kit, command: Command| -> Result<Outcome, WorkflowError> {
        match session.apply(kit, command)? {
            Outcome::Blocked(gaps) => Err(WorkflowError::Incomplete(gaps)),
            o @ (Outcome::Step(_) | Outcome::Judged(_) | Outcome::Saved(_)) => Ok(o),
            other => Err(WorkflowError::Refused(format!("simulated enrollment ended unexpectedly: {other:?}"))),
        }
    };
    for command in [
        Command::GiveConsent,
        Command::Next,
        Command::SetForm(Box::new(form)),
        Command::Next,
        Command::SetFace(face()),
        Command::Next,
    ] {
        apply(kit, command)?;
    }
    let amputated = rng.random_bool(0.03).then(|| FingerPosition::ALL[rng.random_range(0..10)]);
    let reader = DeviceRef::new(SIMULATED_READER, "SIM-0001", true);
    for position in FingerPosition::ALL {
        if Some(position) == amputated {
            apply(kit, Command::Except(position, FingerException::Amputated))?;
            continue;
        }
        // Most fingers print well; now and then a dry one is forced after the allowed attempts.
        let dry = rng.random_bool(0.04);
        let finger: u64 = rng.random();
        for attempt in 0u64.. {
            let mut impression = Impression::typical(rng.random());
            if dry {
                impression.moisture = -0.9;
            }
            let image = print(finger.wrapping_add(attempt), &impression, PRINT_SIZE.0, PRINT_SIZE.1);
            let print = score(RawCapture { image, dpi: PRINT_DPI });
            let offered = Command::Offer { position, print, device: reader.clone(), threshold };
            let Outcome::Judged(judged) = apply(kit, offered)? else { break };
            match judged.verdict {
                Verdict::Accept => break,
                Verdict::Retry => {}
                Verdict::RetryOrForce => {
                    apply(kit, Command::Force { position, reason: "worn ridges".into() })?;
                    break;
                }
            }
        }
    }
    if amputated.is_some() {
        apply(
            kit,
            Command::SetExceptionPhoto(ExceptionPhoto {
                jpeg: PILOT_FACE_JPEG.to_vec(),
                width: PILOT_FACE_SIZE.0,
                height: PILOT_FACE_SIZE.1,
            }),
        )?;
    }
    apply(kit, Command::Next)?;
    match apply(kit, Command::Complete(pin.clone()))? {
        Outcome::Saved(rid) => Ok(rid),
        _ => Err(WorkflowError::Refused("simulated enrollment did not save".into())),
    }
}

fn face() -> FacePhoto {
    FacePhoto {
        jpeg: PILOT_FACE_JPEG.to_vec(),
        width: PILOT_FACE_SIZE.0,
        height: PILOT_FACE_SIZE.1,
        quality: 80,
        checks: vec![],
        device: DeviceRef::new("replay", "pilot-faces", false),
    }
}

fn random_pin(rng: &mut ChaCha8Rng) -> String {
    loop {
        let pin: String = (0..8).map(|_| char::from(b'0' + rng.random_range(0..10u8))).collect();
        if Pin::new_checked(&pin).is_ok() {
            return pin;
        }
    }
}

/// First names and surnames by community, so simulated records look like Kenya's registers.
const COMMUNITIES: &[(&[&str], &[&str], &[&str])] = &[
    // (male first names, female first names, surnames)
    (
        &["Kamau", "Njoroge", "Mwangi", "Kariuki"],
        &["Wanjiru", "Nyambura", "Wambui", "Njeri"],
        &["Kamau", "Njoroge", "Githinji", "Mwangi", "Kinyua"],
    ),
    (
        &["Otieno", "Ochieng", "Odhiambo", "Omondi"],
        &["Akinyi", "Achieng", "Atieno", "Adhiambo"],
        &["Otieno", "Onyango", "Owino", "Ouma", "Okoth"],
    ),
    (
        &["Wafula", "Wekesa", "Barasa", "Simiyu"],
        &["Nafula", "Nekesa", "Naliaka", "Nanjala"],
        &["Wanyama", "Wafula", "Makokha", "Shikuku"],
    ),
    (
        &["Kiprotich", "Kipchoge", "Kibet", "Cheruiyot"],
        &["Chebet", "Jepkosgei", "Chepkoech", "Jeruto"],
        &["Rotich", "Koech", "Kiprono", "Langat", "Ruto"],
    ),
    (
        &["Mutua", "Musyoka", "Kioko", "Muli"],
        &["Mwikali", "Ndinda", "Mwende", "Syokau"],
        &["Mutiso", "Musau", "Kilonzo", "Nzioka"],
    ),
    (
        &["Onsongo", "Nyamweya", "Momanyi"],
        &["Kemunto", "Moraa", "Kwamboka", "Bochaberi"],
        &["Ogeto", "Nyakundi", "Omwenga", "Onchiri"],
    ),
    (
        &["Mwenda", "Kirimi", "Murithi"],
        &["Kendi", "Karimi", "Nkatha", "Gakii"],
        &["Mutuma", "Kaberia", "M'Ikiara", "Kinoti"],
    ),
    (
        &["Baya", "Kazungu", "Charo", "Katana"],
        &["Kadzo", "Dama", "Sidi", "Furaha"],
        &["Kahindi", "Mwaringa", "Ngala", "Tsuma"],
    ),
    (
        &["Abdi", "Mohamed", "Hassan", "Farah"],
        &["Fatuma", "Amina", "Halima", "Sahra"],
        &["Abdullahi", "Hussein", "Aden", "Ibrahim"],
    ),
    (
        &["Lekishon", "Saitoti", "Parsimei"],
        &["Naserian", "Nalangu", "Nashipae", "Sinoti"],
        &["Ole Sankale", "Ole Kina", "Koikai", "Lemayian"],
    ),
    (&["Ekal", "Lokol", "Ewoi"], &["Akai", "Nakiru", "Aleper"], &["Lokwang", "Ekeno", "Ebei", "Nakadio"]),
    (&["Brian", "Kevin", "Dennis", "Joseph"], &["Mercy", "Faith", "Grace", "Esther"], &[]),
];

/// A seeded, plausible person: adults and minors (with a guardian), across all 47 counties.
pub fn person(rng: &mut ChaCha8Rng, today: NaiveDate, units: &AdminUnits) -> PersonForm {
    let community = COMMUNITIES[rng.random_range(0..COMMUNITIES.len() - 1)];
    let christian = COMMUNITIES[COMMUNITIES.len() - 1];
    let female = rng.random_bool(0.5);
    let pick = |rng: &mut ChaCha8Rng, list: &[&str]| list[rng.random_range(0..list.len())].to_string();
    let (own, western) = if female { (community.1, christian.1) } else { (community.0, christian.0) };
    let first_name = if rng.random_bool(0.4) { pick(rng, western) } else { pick(rng, own) };
    let other_names = if rng.random_bool(0.6) { pick(rng, own) } else { String::new() };
    let surname = pick(rng, community.2);

    let minor = rng.random_bool(0.2);
    let age_years = if minor { rng.random_range(0..18) } else { rng.random_range(18..90) };
    let estimated = !minor && age_years > 60 && rng.random_bool(0.5);
    let year = today.year() - age_years;
    let date_of_birth = if estimated {
        // Born mid-year or earlier: the estimated-year rule takes 1 July.
        (year - 1).to_string()
    } else {
        let day_of_year = rng.random_range(0..365);
        let born = NaiveDate::from_yo_opt(year - 1, 1).unwrap_or(today) + chrono::Duration::days(day_of_year);
        born.min(today).format("%Y-%m-%d").to_string()
    };

    let counties = units.counties();
    let county = &counties[rng.random_range(0..counties.len())];
    let areas: Vec<_> = units.constituencies_of(&county.code).collect();
    let (sub_county, ward) = match areas.get(rng.random_range(0..areas.len().max(1))) {
        Some(area) => {
            let wards: Vec<_> = units.wards_of(&area.code).collect();
            let ward = wards.get(rng.random_range(0..wards.len().max(1))).map(|w| w.code.clone()).unwrap_or_default();
            (area.code.clone(), ward)
        }
        None => (String::new(), String::new()),
    };
    let digits = |rng: &mut ChaCha8Rng, n: usize| -> String {
        (0..n).map(|_| char::from(b'0' + rng.random_range(0..10u8))).collect()
    };
    PersonForm {
        surname,
        first_name,
        other_names,
        sex: if female { "female" } else { "male" }.into(),
        date_of_birth,
        dob_estimated: estimated,
        citizenship: if rng.random_bool(0.97) { "birth" } else { "registration" }.into(),
        national_id: if minor { String::new() } else { format!("{}{}", rng.random_range(1..=3), digits(rng, 7)) },
        birth_certificate: if minor { digits(rng, 9) } else { String::new() },
        phone: if minor { String::new() } else { format!("07{}", digits(rng, 8)) },
        county: county.code.clone(),
        sub_county,
        ward,
        guardian_id: if minor { format!("2{}", digits(rng, 7)) } else { String::new() },
        guardian_name: if minor { format!("{} {}", pick(rng, own), pick(rng, community.2)) } else { String::new() },
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_people_are_valid_and_varied() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        let units = AdminUnits::bundled();
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut minors = 0;
        let mut counties = std::collections::HashSet::new();
        for _ in 0..500 {
            let form = person(&mut rng, today, units);
            let p = form.validate(today, units).unwrap_or_else(|e| panic!("{form:?}: {e:?}"));
            minors += usize::from(p.guardian.is_some());
            counties.insert(form.county);
        }
        assert!(minors > 50, "minors with guardians appear: {minors}");
        assert!(counties.len() > 40, "most counties appear: {}", counties.len());
    }
}
