//! Training scenarios on a pilot kit: a trainer starts one for a trainee, the simulated devices
//! play the applicant (dry prints, a missing finger, an unplugged cable, a bystander in the
//! picture), and when the run ends the kit judges it from what it left behind.

use super::{Operator, WorkflowError, require};
use crate::biometrics::synthetic::{Impression, print, typical_print};
use crate::domain::account::{Lockout, Permission, Role};
use crate::domain::audit::AuditAction;
use crate::domain::biometrics::{DeviceRef, FacePhoto, FingerCapture, FingerPosition, FingerRecord, GreyImage};
use crate::domain::enrollment::CompleteEnrollment;
use crate::domain::scenario::{RunFacts, SavedFacts, Scenario, ScenarioError, Verdict, judge};
use crate::kit::Kit;
use crate::store::NewAuditEntry;
use crate::store::scenario_runs::ScenarioRun;
use chrono::NaiveDate;
use rand::SeedableRng;
use serde_json::json;
use std::path::PathBuf;

/// The shipped scenarios (assets/pilot-scenarios), in the trainer's order.
pub fn shipped() -> Result<Vec<Scenario>, ScenarioError> {
    let mut all = crate::assets::PILOT_SCENARIOS
        .iter()
        .map(|(file, text)| Scenario::parse(file, text))
        .collect::<Result<Vec<_>, _>>()?;
    all.sort_by_key(|s| s.order);
    Ok(all)
}

/// The shipped scenario with this id.
pub fn find(id: &str) -> Result<Scenario, WorkflowError> {
    shipped()
        .map_err(|e| WorkflowError::Refused(e.to_string()))?
        .into_iter()
        .find(|s| s.id == id)
        .ok_or_else(|| WorkflowError::Refused(format!("there is no scenario {id:?}: see the trainer's list")))
}

/// What the simulated devices serve during a run (files under the data dir's `scenarios/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioDevices {
    /// Finger images, served in name order.
    pub prints: PathBuf,
    /// The reader drops off the line at this capture (1-based), if the scenario says so.
    pub unplug_at_capture: Option<u32>,
    /// Camera frames while the scenario's people stand there.
    pub camera: PathBuf,
    /// Camera frames once the bystander has stepped aside.
    pub camera_alone: PathBuf,
}

/// A run in progress.
#[derive(Debug, Clone)]
pub struct ActiveRun {
    /// Its row.
    pub run: ScenarioRun,
    /// The scenario.
    pub scenario: Scenario,
    /// What the devices serve.
    pub devices: ScenarioDevices,
}

fn pilot_only(kit: &Kit) -> Result<(), WorkflowError> {
    if kit.config.training {
        Ok(())
    } else {
        Err(WorkflowError::Refused("scenarios run on a pilot (training) kit only: open pilot mode".into()))
    }
}

fn devices_for(kit: &Kit, run_id: i64, scenario: &Scenario) -> ScenarioDevices {
    devices_in(kit.dir.root(), run_id, scenario)
}

fn devices_in(root: &std::path::Path, run_id: i64, scenario: &Scenario) -> ScenarioDevices {
    let dir = root.join("scenarios").join(format!("run-{run_id}"));
    let camera = if scenario.setup.faces == 2 { dir.join("camera-two") } else { dir.join("camera-one") };
    ScenarioDevices {
        prints: dir.join("prints"),
        unplug_at_capture: (scenario.setup.unplug_at_capture > 0).then_some(scenario.setup.unplug_at_capture),
        camera,
        camera_alone: dir.join("camera-one"),
    }
}

/// Starts `scenario` for `trainee`: writes what the devices will serve, enrolls the applicant
/// beforehand when the scenario says they came before, and audits the start.
pub fn start(
    kit: &mut Kit,
    trainer: &Operator,
    scenario: &Scenario,
    trainee: &str,
) -> Result<ActiveRun, WorkflowError> {
    require(trainer, Permission::RunPilot)?;
    pilot_only(kit)?;
    if let Some(open) = kit.store.open_scenario_run()? {
        return Err(WorkflowError::Refused(format!(
            "scenario {:?} for {} is still running: finish it first",
            open.scenario, open.trainee
        )));
    }
    let account =
        kit.store.account(trainee)?.filter(|a| a.role == Role::Assistant && !a.disabled).ok_or_else(|| {
            WorkflowError::Refused(format!("{trainee} is not an active assistant account on this kit"))
        })?;
    if scenario.setup.enrolled_before {
        enroll_applicant_earlier(kit, trainer, scenario.setup.person)?;
    }
    let now = kit.now();
    let root = kit.dir.root().to_path_buf();
    let tx = kit.store.begin()?;
    // A fresh start: a lockout left from an earlier run would spoil this one.
    tx.set_lockout(account.id, &Lockout::default())?;
    let id = tx.start_scenario_run(&scenario.id, trainee, &trainer.username, now)?;
    tx.audit(NewAuditEntry {
        at: now,
        actor: Some(&trainer.username),
        action: AuditAction::ScenarioStarted,
        subject: Some(format!("run {id}")),
        detail: json!({"scenario": scenario.id, "trainee": trainee}),
    })?;
    let devices = devices_in(&root, id, scenario);
    write_device_files(scenario, &devices).map_err(|e| {
        WorkflowError::Refused(format!("cannot write the scenario's images into {}: {e}", devices.prints.display()))
    })?;
    tx.commit()?;
    let run = kit
        .store
        .open_scenario_run()?
        .ok_or_else(|| WorkflowError::Refused("the scenario run was not recorded".into()))?;
    Ok(ActiveRun { run, scenario: scenario.clone(), devices })
}

/// The run in progress on this kit, if any (after a restart too).
pub fn active(kit: &Kit) -> Result<Option<ActiveRun>, WorkflowError> {
    let Some(run) = kit.store.open_scenario_run()? else { return Ok(None) };
    let scenario = find(&run.scenario)?;
    let devices = devices_for(kit, run.id, &scenario);
    if !devices.prints.is_dir() {
        write_device_files(&scenario, &devices)
            .map_err(|e| WorkflowError::Refused(format!("cannot write the scenario's images: {e}")))?;
    }
    Ok(Some(ActiveRun { run, scenario, devices }))
}

/// Ends the run: gathers what it left, judges it, records and audits the verdict (in the name
/// of the trainer who started it: whoever presses "end" at the kit), and clears any lockout the
/// run left on the trainee's account.
pub fn finish(kit: &mut Kit, active: &ActiveRun) -> Result<Verdict, WorkflowError> {
    pilot_only(kit)?;
    let facts = gather(kit, active)?;
    let verdict = judge(&active.scenario, &facts);
    let missed: Vec<String> = verdict.missed().map(|c| c.key().to_string()).collect();
    let now = kit.now();
    let trainee = kit.store.account(&active.run.trainee)?;
    let tx = kit.store.begin()?;
    tx.end_scenario_run(active.run.id, verdict.passed(), &missed, now)?;
    tx.audit(NewAuditEntry {
        at: now,
        actor: Some(&active.run.trainer),
        action: AuditAction::ScenarioFinished,
        subject: Some(format!("run {}", active.run.id)),
        detail: json!({"scenario": active.scenario.id, "trainee": active.run.trainee, "passed": verdict.passed(), "missed": missed}),
    })?;
    if let Some(account) = trainee.filter(|a| a.lockout != Lockout::default()) {
        tx.set_lockout(account.id, &Lockout::default())?;
        tx.audit(NewAuditEntry {
            at: now,
            actor: Some(&active.run.trainer),
            action: AuditAction::AccountUnlocked,
            subject: Some(account.username.clone()),
            detail: json!({"why": "the training scenario ended"}),
        })?;
    }
    tx.commit()?;
    Ok(verdict)
}

/// What the run left: audit entries after its start, and the packets the trainee saved.
fn gather(kit: &Kit, active: &ActiveRun) -> Result<RunFacts, WorkflowError> {
    let entries = kit.store.audit_entries(None)?;
    let subject = format!("run {}", active.run.id);
    let start = entries
        .iter()
        .position(|e| e.action == AuditAction::ScenarioStarted.as_str() && e.subject.as_deref() == Some(&subject))
        .map_or(entries.len(), |i| i + 1);
    let trainee = active.run.trainee.as_str();
    let mut facts = RunFacts::default();
    for e in &entries[start..] {
        let by_trainee = e.actor.as_deref() == Some(trainee);
        match e.action.as_str() {
            a if a == AuditAction::EnrollmentSaved.as_str() && by_trainee => {
                if let Some(rid) = &e.subject {
                    facts.saved.push(saved_facts(kit, rid)?);
                }
            }
            a if a == AuditAction::ValidationRefused.as_str() && by_trainee => {
                let detail: serde_json::Value = serde_json::from_str(&e.detail).unwrap_or_default();
                let problems = detail["problems"].as_array().cloned().unwrap_or_default();
                facts.refused.extend(problems.iter().filter_map(|p| p.as_str().map(String::from)));
            }
            a if a == AuditAction::Lockout.as_str() && e.subject.as_deref() == Some(trainee) => {
                facts.locked_out = true;
            }
            _ => {}
        }
    }
    Ok(facts)
}

/// The signed packet.json of this kit's packet `rid`.
fn sealed_json(kit: &Kit, rid: &str) -> Result<crate::packet::manifest::PacketJson, WorkflowError> {
    let stored = kit.store.packet(rid)?.ok_or_else(|| WorkflowError::Refused(format!("packet {rid} not found")))?;
    Ok(crate::packet::open_packet(&stored.data, Some(&kit.public_key()))
        .map_err(|e| WorkflowError::Refused(format!("packet {rid}: {e}")))?
        .json)
}

fn saved_facts(kit: &Kit, rid: &str) -> Result<SavedFacts, WorkflowError> {
    let json = sealed_json(kit, rid)?;
    let mut facts = SavedFacts {
        rid: rid.to_string(),
        exception_photo: json.exception_photo.is_some(),
        duplicate_flagged: !json.possible_duplicates.is_empty(),
        face_passed: !json.face.checks.is_empty() && json.face.checks.iter().all(|c| c.passed),
        ..Default::default()
    };
    for finger in &json.fingers {
        match (&finger.exception, &finger.capture) {
            (Some(reason), _) => facts.exceptions.push(reason.key().to_string()),
            (None, Some(c)) if c.force_captured => {
                facts.prints += 1;
                facts.forced += 1;
            }
            (None, Some(c)) => {
                facts.prints += 1;
                facts.most_attempts_unforced = facts.most_attempts_unforced.max(c.attempts);
            }
            (None, None) => {}
        }
    }
    Ok(facts)
}

/// Enrolls the scenario's applicant as the trainer would have that morning: the same fingers
/// (impression 0; the reader will serve impression 1), another name.
fn enroll_applicant_earlier(kit: &mut Kit, trainer: &Operator, person: u64) -> Result<(), WorkflowError> {
    let today = kit.today();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(person);
    let units = kit.admin_units();
    let details = super::simulate::person(&mut rng, today, &units)
        .validate(today, &units)
        .map_err(|e| WorkflowError::Refused(format!("the scenario's earlier applicant: {e:?}")))?;
    let device = DeviceRef::new("replay", "scenario", false);
    let fingers = FingerPosition::ALL
        .into_iter()
        .map(|p| {
            let capture = FingerCapture {
                image: typical_print(finger_seed(person, p), 0, PRINT_SIZE.0, PRINT_SIZE.1),
                dpi: 500,
                quality: 70,
                attempts: 1,
                force_captured: false,
                force_reason: None,
                device: device.clone(),
                device_signature: None,
            };
            (p, FingerRecord::Captured(capture))
        })
        .collect();
    let face = FacePhoto {
        jpeg: crate::assets::PILOT_FACE_JPEG.to_vec(),
        width: crate::assets::PILOT_FACE_SIZE.0,
        height: crate::assets::PILOT_FACE_SIZE.1,
        quality: 100,
        checks: vec![],
        device: DeviceRef::new("replay", "scenario", false),
    };
    let enrollment = CompleteEnrollment {
        consent_at: kit.now(),
        person: details,
        face,
        fingers,
        exception_photo: None,
        possible_duplicates: vec![],
    };
    super::enrollment::seal_and_store(kit, trainer, &enrollment, true, None)?;
    Ok(())
}

const PRINT_SIZE: (u32, u32) = (256, 288);

/// The generator's finger number for a scenario applicant's finger.
fn finger_seed(person: u64, p: FingerPosition) -> u64 {
    person * 10 + u64::from(p.code())
}

/// A print too dry to pass: thin, broken, faint ridges on part of the glass.
fn dry_print(person: u64, n: u64) -> GreyImage {
    let finger = finger_seed(person, FingerPosition::ALL[0]);
    let impression =
        Impression { moisture: -1.0, contact: 0.45, noise: 0.6, blur: 0.5, ..Impression::typical(finger ^ (n + 100)) };
    print(finger, &impression, PRINT_SIZE.0, PRINT_SIZE.1)
}

fn write_device_files(scenario: &Scenario, devices: &ScenarioDevices) -> std::io::Result<()> {
    let setup = &scenario.setup;
    std::fs::create_dir_all(&devices.prints)?;
    let mut images: Vec<GreyImage> = (0..setup.dry_captures).map(|n| dry_print(setup.person, u64::from(n))).collect();
    for p in FingerPosition::ALL {
        if setup.missing_finger && p == FingerPosition::ALL[9] {
            // Nothing on the glass where the finger would be.
            let blank = vec![210u8; (PRINT_SIZE.0 * PRINT_SIZE.1) as usize];
            images.push(GreyImage::new(PRINT_SIZE.0, PRINT_SIZE.1, blank).map_err(std::io::Error::other)?);
        } else {
            images.push(typical_print(finger_seed(setup.person, p), 1, PRINT_SIZE.0, PRINT_SIZE.1));
        }
    }
    for (i, image) in images.iter().enumerate() {
        let png = crate::packet::build::encode_png(image).map_err(std::io::Error::other)?;
        std::fs::write(devices.prints.join(format!("{i:02}.png")), png)?;
    }
    let one = devices.camera_alone.clone();
    std::fs::create_dir_all(&one)?;
    std::fs::write(one.join("applicant.jpg"), crate::assets::PILOT_FACE_JPEG)?;
    if setup.faces == 2 {
        let two = devices.camera.clone();
        std::fs::create_dir_all(&two)?;
        let face = image::load_from_memory(crate::assets::PILOT_FACE_JPEG).map_err(std::io::Error::other)?.to_rgb8();
        let (w, h) = face.dimensions();
        // The applicant and, a little behind and beside, a relative: two faces in one frame.
        let mut frame = image::RgbImage::from_pixel(w * 2, h, image::Rgb([200, 200, 200]));
        image::imageops::overlay(&mut frame, &face, 0, 0);
        image::imageops::overlay(&mut frame, &face, i64::from(w), 0);
        frame.save(two.join("applicant-and-relative.png")).map_err(std::io::Error::other)?;
    }
    Ok(())
}

/// A trainee's figures for the dashboard.
#[derive(Debug, Clone, PartialEq)]
pub struct TraineeFigures {
    /// Login name.
    pub username: String,
    /// Name on screen.
    pub display_name: String,
    /// Enrollments saved.
    pub enrollments: usize,
    /// Seconds from start to save of each enrollment, in the order they were saved.
    pub seconds: Vec<f64>,
    /// Captures beyond the first, over every finger of every saved enrollment.
    pub retakes: u32,
    /// Steps the kit refused for what was typed or missing.
    pub validation_errors: usize,
    /// Scenario runs judged handled right.
    pub scenarios_passed: usize,
    /// Scenario runs judged.
    pub scenarios_run: usize,
}

impl TraineeFigures {
    /// Median seconds per enrollment.
    pub fn median_seconds(&self) -> Option<f64> {
        let mut s = self.seconds.clone();
        s.sort_by(f64::total_cmp);
        s.get(s.len() / 2).copied()
    }
}

/// Every assistant's figures on this pilot kit, from its audit log, packets and scenario runs.
pub fn trainee_figures(kit: &Kit, op: &Operator) -> Result<Vec<TraineeFigures>, WorkflowError> {
    require(op, Permission::RunPilot)?;
    let entries = kit.store.audit_entries(None)?;
    let runs = kit.store.scenario_runs()?;
    let mut out = Vec::new();
    for account in kit.store.accounts()?.into_iter().filter(|a| a.role == Role::Assistant) {
        let name = account.username.as_str();
        let mut f = TraineeFigures {
            username: account.username.clone(),
            display_name: account.display_name.clone(),
            enrollments: 0,
            seconds: Vec::new(),
            retakes: 0,
            validation_errors: 0,
            scenarios_passed: runs.iter().filter(|r| r.trainee == name && r.passed == Some(true)).count(),
            scenarios_run: runs.iter().filter(|r| r.trainee == name && r.passed.is_some()).count(),
        };
        let mut started: std::collections::HashMap<String, chrono::DateTime<chrono::Utc>> = Default::default();
        for e in entries.iter().filter(|e| e.actor.as_deref() == Some(name)) {
            let at = chrono::DateTime::parse_from_rfc3339(&e.at).map(|t| t.with_timezone(&chrono::Utc)).ok();
            let detail: serde_json::Value = serde_json::from_str(&e.detail).unwrap_or_default();
            match e.action.as_str() {
                a if a == AuditAction::EnrollmentStarted.as_str() => {
                    if let (Some(subject), Some(at)) = (&e.subject, at) {
                        started.insert(subject.clone(), at);
                    }
                }
                a if a == AuditAction::EnrollmentSaved.as_str() => {
                    f.enrollments += 1;
                    let draft = detail["draft"].as_i64().map(|d| format!("draft {d}"));
                    if let (Some(begun), Some(at)) = (draft.and_then(|d| started.get(&d).copied()), at) {
                        f.seconds.push((at - begun).num_milliseconds() as f64 / 1000.0);
                    }
                    if let Some(rid) = &e.subject
                        && let Ok(facts) = retakes_in(kit, rid)
                    {
                        f.retakes += facts;
                    }
                }
                a if a == AuditAction::ValidationRefused.as_str() => f.validation_errors += 1,
                _ => {}
            }
        }
        out.push(f);
    }
    Ok(out)
}

fn retakes_in(kit: &Kit, rid: &str) -> Result<u32, WorkflowError> {
    let json = sealed_json(kit, rid)?;
    Ok(json.fingers.iter().filter_map(|f| f.capture.as_ref()).map(|c| u32::from(c.attempts.saturating_sub(1))).sum())
}

/// The figures as CSV, a line per trainee.
pub fn figures_csv(figures: &[TraineeFigures]) -> String {
    let mut out = String::from(
        "trainee,name,enrollments,median_seconds,retakes,validation_errors,scenarios_passed,scenarios_run\n",
    );
    for f in figures {
        let fields = [
            f.username.clone(),
            f.display_name.clone(),
            f.enrollments.to_string(),
            f.median_seconds().map(|s| format!("{s:.0}")).unwrap_or_default(),
            f.retakes.to_string(),
            f.validation_errors.to_string(),
            f.scenarios_passed.to_string(),
            f.scenarios_run.to_string(),
        ];
        let quoted: Vec<String> = fields.iter().map(|f| super::report::csv_field(f)).collect();
        out.push_str(&quoted.join(","));
        out.push('\n');
    }
    out
}

/// Writes the figures' CSV into the data dir's `reports` folder; returns its path.
pub fn save_figures_csv(kit: &Kit, figures: &[TraineeFigures], day: NaiveDate) -> Result<PathBuf, WorkflowError> {
    super::report::save_in_reports(kit, &format!("trainees-{}.csv", day.format("%Y-%m-%d")), &figures_csv(figures))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::biometrics::quality::assess;

    #[test]
    fn every_shipped_scenario_parses_with_its_own_id() {
        let all = shipped().unwrap();
        assert_eq!(all.len(), 8);
        let ids: std::collections::HashSet<_> = all.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids.len(), 8, "ids are unique");
        for (file, text) in crate::assets::PILOT_SCENARIOS {
            let s = Scenario::parse(file, text).unwrap();
            assert!(file.contains(&s.id), "{file} is named after its id");
        }
    }

    #[test]
    fn a_dry_print_fails_the_threshold_and_the_good_ones_pass() {
        let threshold = crate::devices::profile::DEFAULT_MIN_QUALITY;
        for n in 0..2 {
            let q = assess(&dry_print(102, n), 500).score;
            assert!(q < threshold, "dry print {n} scores {q}");
        }
        // Every scenario's applicant presses well, so only the scenario's own trouble shows.
        for s in shipped().unwrap() {
            for p in FingerPosition::ALL {
                let q = assess(&typical_print(finger_seed(s.setup.person, p), 1, 256, 288), 500).score;
                assert!(q >= threshold, "{}: finger {p} scores {q}", s.id);
            }
        }
    }
}
