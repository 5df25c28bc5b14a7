//! Training scenarios (assets/pilot-scenarios/*.toml): what the simulated devices do, what the
//! trainee is told, and what a run must show to count as handled right.
//!
//! A scenario is judged from facts gathered after the run (what was saved, what the kit refused,
//! whether an account locked), never from how the screens were clicked, so the same judge works
//! for any trainee and any order of steps.

use serde::Deserialize;
use std::fmt;

/// Text in both screen languages.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bilingual {
    /// English.
    pub en: String,
    /// Kiswahili.
    pub sw: String,
}

impl Bilingual {
    /// The text for a language code ("en", "sw"); English for any other.
    pub fn get(&self, language: &str) -> &str {
        if language == "sw" { &self.sw } else { &self.en }
    }
}

/// What the simulated devices and the kit hold when a run starts.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Setup {
    /// The applicant's fingers: a person number for the print generator.
    pub person: u64,
    /// The first captures of the first finger come out dry (too faint to pass).
    #[serde(default)]
    pub dry_captures: u32,
    /// The applicant has no left little finger: the glass stays empty for it.
    #[serde(default)]
    pub missing_finger: bool,
    /// The reader drops off the line at this capture (1-based); 0: never.
    #[serde(default)]
    pub unplug_at_capture: u32,
    /// People in front of the camera until the bystander steps aside (1 or 2).
    #[serde(default = "one")]
    pub faces: u8,
    /// This kit enrolled the applicant earlier the same day.
    #[serde(default)]
    pub enrolled_before: bool,
}

fn one() -> u8 {
    1
}

/// Something a run must show. Each check says, when missed, what the trainee should have done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Check {
    /// An enrollment was signed and saved.
    Saved,
    /// Nothing was saved.
    NotSaved,
    /// Ten fingers recorded, as prints or exceptions, none forced below the threshold.
    TenFingersNoneForced,
    /// A finger needed more than one attempt and was not forced.
    RetriedUntilGood,
    /// A finger recorded as amputated, with the photo of the hand.
    AmputatedWithPhoto,
    /// The saved enrollment carries the possible-duplicate flag.
    DuplicateFlagged,
    /// The face photo passed every check (one face, centred, lit…).
    FacePassed,
    /// The kit refused a minor's details without a guardian.
    RefusedMinorWithoutGuardian,
    /// The account locked after wrong PINs.
    LockedOut,
}

impl Check {
    /// The message key of what this check looks for (assets/i18n: `check-…`).
    pub fn key(self) -> &'static str {
        match self {
            Check::Saved => "check-saved",
            Check::NotSaved => "check-not-saved",
            Check::TenFingersNoneForced => "check-ten-fingers",
            Check::RetriedUntilGood => "check-retried",
            Check::AmputatedWithPhoto => "check-amputated",
            Check::DuplicateFlagged => "check-duplicate",
            Check::FacePassed => "check-face",
            Check::RefusedMinorWithoutGuardian => "check-minor",
            Check::LockedOut => "check-locked-out",
        }
    }

    /// The message key of what was missed when this check fails: what to do instead.
    pub fn missed_key(self) -> &'static str {
        match self {
            Check::Saved => "missed-saved",
            Check::NotSaved => "missed-not-saved",
            Check::TenFingersNoneForced => "missed-ten-fingers",
            Check::RetriedUntilGood => "missed-retried",
            Check::AmputatedWithPhoto => "missed-amputated",
            Check::DuplicateFlagged => "missed-duplicate",
            Check::FacePassed => "missed-face",
            Check::RefusedMinorWithoutGuardian => "missed-minor",
            Check::LockedOut => "missed-locked-out",
        }
    }
}

/// One shipped scenario.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Short id ("dry-finger").
    pub id: String,
    /// Where it comes in the trainer's list.
    pub order: u32,
    /// Its name.
    pub title: Bilingual,
    /// What the trainee is told: the applicant's story and the task.
    pub brief: Bilingual,
    /// What the devices and the kit do.
    pub setup: Setup,
    /// What a run must show.
    pub expect: Vec<Check>,
}

/// A scenario file that will not do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    /// The file.
    pub file: String,
    /// What is wrong with it.
    pub detail: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "scenario {}: {}", self.file, self.detail)
    }
}

impl std::error::Error for ScenarioError {}

impl Scenario {
    /// Parses and checks one scenario file's text.
    pub fn parse(file: &str, text: &str) -> Result<Scenario, ScenarioError> {
        let err = |detail: String| ScenarioError { file: file.into(), detail };
        let s: Scenario = toml::from_str(text).map_err(|e| err(e.to_string()))?;
        if s.id.is_empty() || !s.id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
            return Err(err(format!("id {:?}: use lower-case letters, digits and dashes", s.id)));
        }
        if s.expect.is_empty() {
            return Err(err("expect lists nothing: a run could never be judged".into()));
        }
        if s.expect.contains(&Check::Saved) && s.expect.contains(&Check::NotSaved) {
            return Err(err("expect asks for saved and not-saved at once".into()));
        }
        if !(1..=2).contains(&s.setup.faces) {
            return Err(err(format!("setup.faces is {}: 1 or 2", s.setup.faces)));
        }
        if s.setup.unplug_at_capture > 10 {
            return Err(err("setup.unplug_at_capture: a capture from 1 to 10, or 0 for never".into()));
        }
        Ok(s)
    }
}

/// What one saved enrollment showed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SavedFacts {
    /// Its RID.
    pub rid: String,
    /// Fingers recorded as prints.
    pub prints: usize,
    /// Fingers recorded as exceptions, by reason key ("amputated"…).
    pub exceptions: Vec<String>,
    /// The exception photo is there.
    pub exception_photo: bool,
    /// Prints forced below the quality threshold.
    pub forced: usize,
    /// The most attempts any unforced print took.
    pub most_attempts_unforced: u8,
    /// The possible-duplicate flag is set.
    pub duplicate_flagged: bool,
    /// Every face check passed.
    pub face_passed: bool,
}

/// What a run left behind, gathered from the kit's store and audit log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunFacts {
    /// Enrollments the trainee saved during the run.
    pub saved: Vec<SavedFacts>,
    /// Validation problems the kit raised (message keys, "validation-…").
    pub refused: Vec<String>,
    /// The trainee's account locked.
    pub locked_out: bool,
}

/// One check's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckResult {
    /// The check.
    pub check: Check,
    /// Whether the run showed it.
    pub passed: bool,
}

/// A judged run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// Every expected check, in the scenario's order.
    pub results: Vec<CheckResult>,
}

impl Verdict {
    /// Handled right: every check passed.
    pub fn passed(&self) -> bool {
        self.results.iter().all(|r| r.passed)
    }

    /// The checks missed.
    pub fn missed(&self) -> impl Iterator<Item = Check> + '_ {
        self.results.iter().filter(|r| !r.passed).map(|r| r.check)
    }
}

/// Judges a run of `scenario` from what it left behind.
pub fn judge(scenario: &Scenario, facts: &RunFacts) -> Verdict {
    // Checks about the enrollment look at the last one saved: a trainee who saved twice is judged
    // on the second (the first still counts against NotSaved).
    let last = facts.saved.last();
    let results = scenario
        .expect
        .iter()
        .map(|&check| {
            let passed = match check {
                Check::Saved => last.is_some(),
                Check::NotSaved => facts.saved.is_empty(),
                Check::TenFingersNoneForced => {
                    last.is_some_and(|s| s.prints + s.exceptions.len() == 10 && s.forced == 0)
                }
                Check::RetriedUntilGood => last.is_some_and(|s| s.most_attempts_unforced >= 2 && s.forced == 0),
                Check::AmputatedWithPhoto => {
                    last.is_some_and(|s| s.exceptions.iter().any(|e| e == "amputated") && s.exception_photo)
                }
                Check::DuplicateFlagged => last.is_some_and(|s| s.duplicate_flagged),
                Check::FacePassed => last.is_some_and(|s| s.face_passed),
                Check::RefusedMinorWithoutGuardian => {
                    facts.refused.iter().any(|k| k == "validation-minor-needs-guardian")
                }
                Check::LockedOut => facts.locked_out,
            };
            CheckResult { check, passed }
        })
        .collect();
    Verdict { results }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
id = "good"
order = 1
title = { en = "A good enrollment", sw = "Usajili mzuri" }
brief = { en = "Enroll her.", sw = "Msajili." }
setup = { person = 4 }
expect = ["saved", "ten-fingers-none-forced", "face-passed"]
"#;

    fn clean(rid: &str) -> SavedFacts {
        SavedFacts { rid: rid.into(), prints: 10, face_passed: true, most_attempts_unforced: 1, ..Default::default() }
    }

    #[test]
    fn a_scenario_parses_with_defaults_and_bad_ones_say_what_is_wrong() {
        let s = Scenario::parse("good.toml", GOOD).unwrap();
        assert_eq!((s.setup.faces, s.setup.unplug_at_capture, s.setup.enrolled_before), (1, 0, false));
        assert_eq!(s.brief.get("sw"), "Msajili.");
        let e = Scenario::parse("x.toml", &GOOD.replace("face-passed", "face-smiles")).unwrap_err();
        assert!(e.to_string().starts_with("scenario x.toml:") && e.detail.contains("face-smiles"), "{e}");
        let e = Scenario::parse("x.toml", &GOOD.replace(r#"["saved", "#, r#"["saved", "not-saved", "#)).unwrap_err();
        assert!(e.detail.contains("saved and not-saved"), "{e}");
        let e = Scenario::parse("x.toml", &GOOD.replace("person = 4", "person = 4, faces = 3")).unwrap_err();
        assert!(e.detail.contains("faces"), "{e}");
        let e = Scenario::parse("x.toml", &GOOD.replace("\"good\"", "\"Good One\"")).unwrap_err();
        assert!(e.detail.contains("lower-case"), "{e}");
        assert!(Scenario::parse("x.toml", "id = ").is_err());
    }

    #[test]
    fn a_run_is_judged_on_what_it_left_and_what_was_missed_is_named() {
        let s = Scenario::parse("good.toml", GOOD).unwrap();
        let good = RunFacts { saved: vec![clean("1")], ..Default::default() };
        assert!(judge(&s, &good).passed());
        let nothing = judge(&s, &RunFacts::default());
        assert_eq!(nothing.missed().count(), 3);
        let forced = RunFacts { saved: vec![SavedFacts { forced: 1, ..clean("1") }], ..Default::default() };
        let v = judge(&s, &forced);
        assert_eq!(v.missed().collect::<Vec<_>>(), [Check::TenFingersNoneForced]);
        assert_eq!(Check::TenFingersNoneForced.missed_key(), "missed-ten-fingers");

        let mut minor = s.clone();
        minor.expect = vec![Check::RefusedMinorWithoutGuardian, Check::NotSaved];
        let refused = RunFacts { refused: vec!["validation-minor-needs-guardian".into()], ..Default::default() };
        assert!(judge(&minor, &refused).passed());
        let enrolled_anyway = RunFacts { saved: vec![clean("2")], ..refused };
        assert_eq!(judge(&minor, &enrolled_anyway).missed().collect::<Vec<_>>(), [Check::NotSaved]);

        let mut dry = s.clone();
        dry.expect = vec![Check::RetriedUntilGood];
        let once = RunFacts { saved: vec![clean("3")], ..Default::default() };
        assert!(!judge(&dry, &once).passed(), "one attempt each is not a retry");
        let retried =
            RunFacts { saved: vec![SavedFacts { most_attempts_unforced: 3, ..clean("3") }], ..Default::default() };
        assert!(judge(&dry, &retried).passed());
    }
}
