//! The enrollment session: the draft driven by commands, written to the store at every step
//! and capture, sealed into a packet on sign-off.

use super::capture::CaptureGate;
use super::sealing::SealJob;
use super::{Operator, WorkflowError, require};
use crate::domain::account::{Permission, Pin};
use crate::domain::audit::AuditAction;
use crate::domain::biometrics::{FacePhoto, FingerPosition, FingerRecord};
use crate::domain::enrollment::{CompleteEnrollment, Draft, ExceptionPhoto, Gap, Step};
use crate::domain::person::PersonForm;
use crate::domain::rid::{Code5, Rid};
use crate::kit::Kit;
use crate::packet::build::{PacketMeta, build_packet};
pub use crate::store::DraftSummary;
use crate::store::NewAuditEntry;
use crate::store::drafts::DraftSlot;
use serde_json::json;

/// Something the assistant does in the enrollment.
#[derive(Debug, Clone)]
pub enum Command {
    /// The applicant agreed after hearing the consent text.
    GiveConsent,
    /// The applicant refused: the enrollment ends and the refusal is logged.
    RefuseConsent,
    /// The demographics form as it now stands.
    SetForm(Box<PersonForm>),
    /// A face photo was taken (or retaken).
    SetFace(FacePhoto),
    /// A print the reader delivered for a finger, scored where it was read: the capture gate
    /// records it if it is good enough, else counts the attempt and keeps the best.
    Offer {
        /// The finger it is.
        position: FingerPosition,
        /// The image with its kit quality.
        print: crate::workflow::capture::Scored,
        /// The reader that took it.
        device: crate::domain::biometrics::DeviceRef,
        /// The reader profile's quality threshold.
        threshold: u8,
    },
    /// Record a finger's best attempt below the threshold, with the assistant's reason (only
    /// after the allowed attempts).
    Force {
        /// The finger.
        position: FingerPosition,
        /// Why it is forced.
        reason: String,
    },
    /// A finger that cannot be printed, and why.
    Except(FingerPosition, crate::domain::biometrics::FingerException),
    /// A finger's record was cleared to capture it again.
    ClearFinger(FingerPosition),
    /// The exception photo was taken.
    SetExceptionPhoto(ExceptionPhoto),
    /// Record what the duplicate search found for the fingers as they are.
    SetDuplicates(Vec<crate::domain::biometrics::PossibleDuplicate>),
    /// Go to the next step if this one is complete.
    Next,
    /// Go one step back.
    Back,
    /// Jump to a step (from review).
    GoTo(Step),
    /// Sign off with the assistant's PIN: seal and store the packet.
    Complete(Pin),
    /// Give up this enrollment.
    Abandon,
}

impl Command {
    fn name(&self) -> &'static str {
        match self {
            Command::GiveConsent => "giving consent",
            Command::RefuseConsent => "refusing consent",
            Command::SetForm(_) => "the demographics form",
            Command::SetFace(_) => "a face photo",
            Command::Offer { .. } | Command::Force { .. } | Command::Except(..) | Command::ClearFinger(_) => {
                "a fingerprint"
            }
            Command::SetExceptionPhoto(_) => "the exception photo",
            Command::SetDuplicates(_) => "the duplicate search's result",
            Command::Next => "next",
            Command::Back => "back",
            Command::GoTo(_) => "go to",
            Command::Complete(_) => "signing off",
            Command::Abandon => "abandoning",
        }
    }

    /// The step a data command belongs to; None for navigation.
    fn step(&self) -> Option<Step> {
        match self {
            Command::GiveConsent | Command::RefuseConsent => Some(Step::Consent),
            Command::SetForm(_) => Some(Step::Demographics),
            Command::SetFace(_) => Some(Step::Face),
            Command::Offer { .. }
            | Command::Force { .. }
            | Command::Except(..)
            | Command::ClearFinger(_)
            | Command::SetExceptionPhoto(_) => Some(Step::Fingerprints),
            Command::Complete(_) => Some(Step::Review),
            Command::Next | Command::Back | Command::GoTo(_) | Command::Abandon | Command::SetDuplicates(_) => None,
        }
    }
}

/// What a command led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The enrollment is on this step.
    Step(Step),
    /// The step is not complete: these gaps remain.
    Blocked(Vec<Gap>),
    /// The applicant refused consent; the enrollment is over.
    Refused,
    /// Sealed and stored with this RID; the enrollment is over.
    Saved(Rid),
    /// Abandoned; the enrollment is over.
    Abandoned,
    /// A print offered to the gate, judged (recorded when accepted).
    Judged(crate::workflow::capture::Judged),
}

/// What a sign-off asks for next.
#[derive(Debug)]
pub enum SignOff {
    /// Everything is in: the job that checks the PIN and seals.
    Ready(Box<SealJob>),
    /// These gaps remain.
    Blocked(Vec<Gap>),
}

/// An enrollment in progress, owned by one operator.
#[derive(Debug)]
pub struct EnrollmentSession {
    draft_id: i64,
    draft: Draft,
    operator: Operator,
    training: bool,
    finished: bool,
    gate: CaptureGate,
}

impl EnrollmentSession {
    /// Starts a new enrollment; on a training kit, or when `training`, its packet is a training record.
    pub fn start(kit: &mut Kit, op: &Operator, training: bool) -> Result<Self, WorkflowError> {
        require(op, Permission::Enroll)?;
        let training = training || kit.config.training;
        let draft = Draft::default();
        let now = kit.now();
        let tx = kit.store.begin()?;
        let draft_id = tx.create_draft(op.account_id, training, now, &draft)?;
        tx.audit(NewAuditEntry {
            at: now,
            actor: Some(&op.username),
            action: AuditAction::EnrollmentStarted,
            subject: Some(format!("draft {draft_id}")),
            detail: json!({"training": training}),
        })?;
        tx.commit()?;
        Ok(Self::over(draft_id, draft, op, training))
    }

    /// The operator's unfinished enrollments, to offer after login.
    pub fn resumable(kit: &Kit, op: &Operator) -> Result<Vec<DraftSummary>, WorkflowError> {
        Ok(kit.store.drafts_of(op.account_id)?)
    }

    /// Picks up an unfinished enrollment where it stopped.
    pub fn resume(kit: &mut Kit, op: &Operator, draft_id: i64) -> Result<Self, WorkflowError> {
        require(op, Permission::Enroll)?;
        let (summary, draft) = kit.store.load_draft(draft_id)?;
        if summary.account_id != op.account_id {
            return Err(WorkflowError::Refused(format!("draft {draft_id} belongs to another assistant")));
        }
        let now = kit.now();
        let tx = kit.store.begin()?;
        tx.audit(NewAuditEntry {
            at: now,
            actor: Some(&op.username),
            action: AuditAction::EnrollmentResumed,
            subject: Some(format!("draft {draft_id}")),
            detail: json!({"step": draft.step.key()}),
        })?;
        tx.commit()?;
        Ok(Self::over(draft_id, draft, op, summary.training))
    }

    /// A session over draft `draft_id`, its gate fresh (attempts are not kept across a restart).
    fn over(draft_id: i64, draft: Draft, op: &Operator, training: bool) -> Self {
        Self { draft_id, draft, operator: op.clone(), training, finished: false, gate: CaptureGate::default() }
    }

    /// Gives up a saved draft without resuming it (from the home screen).
    pub fn abandon_draft(kit: &mut Kit, op: &Operator, draft_id: i64) -> Result<(), WorkflowError> {
        require(op, Permission::Enroll)?;
        let (summary, draft) = kit.store.load_draft(draft_id)?;
        if summary.account_id != op.account_id {
            return Err(WorkflowError::Refused(format!("draft {draft_id} belongs to another assistant")));
        }
        let mut session = Self::over(draft_id, draft, op, summary.training);
        session.end(kit, AuditAction::EnrollmentAbandoned)
    }

    /// The draft as it stands.
    pub fn draft(&self) -> &Draft {
        &self.draft
    }

    /// The draft's row id.
    pub fn draft_id(&self) -> i64 {
        self.draft_id
    }

    /// Whether this enrollment makes a training record.
    pub fn is_training(&self) -> bool {
        self.training
    }

    /// What the current step still needs.
    pub fn gaps(&self, kit: &Kit) -> Vec<Gap> {
        self.draft.gaps(self.draft.step, kit.today(), &kit.admin_units())
    }

    /// Whether `command` may be applied now: the session is not over and it is the command's step.
    fn check(&self, command: &Command) -> Result<(), WorkflowError> {
        if self.finished {
            return Err(WorkflowError::Refused("this enrollment is already over".into()));
        }
        if let Some(expected) = command.step()
            && expected != self.draft.step
        {
            return Err(WorkflowError::WrongStep {
                command: command.name(),
                expected: expected.key(),
                actual: self.draft.step.key(),
            });
        }
        Ok(())
    }

    /// The sign-off's work with `pin`, to run here or on a worker ([`SealJob::run`], then
    /// [`EnrollmentSession::sealed`]), or the gaps that still block it.
    pub fn sign_off(&self, kit: &Kit, pin: Pin) -> Result<SignOff, WorkflowError> {
        self.check(&Command::Complete(pin.clone()))?;
        Ok(match self.draft.complete(kit.today(), &kit.admin_units()) {
            Ok(enrollment) => SignOff::Ready(Box::new(SealJob {
                operator: self.operator.clone(),
                enrollment,
                training: self.training,
                draft_id: Some(self.draft_id),
                pin,
            })),
            Err(gaps) => SignOff::Blocked(gaps),
        })
    }

    /// Ends the session once its sign-off job sealed packet `rid`.
    pub fn sealed(&mut self, rid: Rid) -> Outcome {
        self.finished = true;
        Outcome::Saved(rid)
    }

    /// Applies a command; every change is in the database before this returns.
    pub fn apply(&mut self, kit: &mut Kit, command: Command) -> Result<Outcome, WorkflowError> {
        self.check(&command)?;
        let today = kit.today();
        let units = kit.admin_units();
        let units = units.as_ref();
        let outcome = match command {
            Command::GiveConsent => {
                self.draft.consent_at = Some(kit.now());
                self.save(kit, &[])?;
                Outcome::Step(self.draft.step)
            }
            Command::RefuseConsent => {
                self.end(kit, AuditAction::ConsentRefused)?;
                Outcome::Refused
            }
            Command::Abandon => {
                self.end(kit, AuditAction::EnrollmentAbandoned)?;
                Outcome::Abandoned
            }
            Command::SetForm(form) => {
                self.draft.form = *form;
                self.save(kit, &[])?;
                Outcome::Step(self.draft.step)
            }
            Command::SetFace(face) => {
                self.draft.face = Some(face);
                self.save(kit, &[DraftSlot::Face])?;
                Outcome::Step(self.draft.step)
            }
            Command::Offer { position, print, device, threshold } => {
                let (judged, accepted) = self.gate.offer(position, print, device, threshold);
                if let Some(capture) = accepted {
                    self.record(kit, position, FingerRecord::Captured(capture))?;
                }
                Outcome::Judged(judged)
            }
            Command::Force { position, reason } => {
                let Some(capture) = self.gate.force(position, &reason) else {
                    return Err(WorkflowError::Refused(format!(
                        "{position:?} may be forced only after {} attempts, with a reason",
                        crate::workflow::capture::MAX_ATTEMPTS
                    )));
                };
                self.record(kit, position, FingerRecord::Captured(capture))?;
                Outcome::Step(self.draft.step)
            }
            Command::Except(position, reason) => {
                self.gate.forget(position);
                self.record(kit, position, FingerRecord::Exception(reason))?;
                Outcome::Step(self.draft.step)
            }
            Command::ClearFinger(position) => {
                self.gate.forget(position);
                self.draft.fingers.remove(&position);
                self.draft.possible_duplicates.clear();
                self.save(kit, &[DraftSlot::Finger(position)])?;
                Outcome::Step(self.draft.step)
            }
            Command::SetDuplicates(found) => {
                self.draft.possible_duplicates = found;
                Outcome::Step(self.draft.step)
            }
            Command::SetExceptionPhoto(photo) => {
                self.draft.exception_photo = Some(photo);
                self.save(kit, &[DraftSlot::ExceptionPhoto])?;
                Outcome::Step(self.draft.step)
            }
            Command::Next => match self.draft.next(today, units) {
                Ok(step) => {
                    self.save(kit, &[])?;
                    Outcome::Step(step)
                }
                Err(gaps) => {
                    self.refused(kit, &gaps)?;
                    Outcome::Blocked(gaps)
                }
            },
            Command::Back => {
                self.draft.back();
                self.save(kit, &[])?;
                Outcome::Step(self.draft.step)
            }
            Command::GoTo(step) => match self.draft.go_to(step, today, units) {
                Ok(step) => {
                    self.save(kit, &[])?;
                    Outcome::Step(step)
                }
                Err(gaps) => Outcome::Blocked(gaps),
            },
            Command::Complete(pin) => match self.sign_off(kit, pin)? {
                SignOff::Ready(job) => {
                    let rid = job.run(kit)?;
                    self.sealed(rid)
                }
                SignOff::Blocked(gaps) => Outcome::Blocked(gaps),
            },
        };
        Ok(outcome)
    }

    /// Keeps `record` for `position` (the duplicate search must run again on the fingers as they are).
    fn record(&mut self, kit: &mut Kit, position: FingerPosition, record: FingerRecord) -> Result<(), WorkflowError> {
        self.draft.fingers.insert(position, record);
        self.draft.possible_duplicates.clear();
        self.save(kit, &[DraftSlot::Finger(position)])
    }

    /// The best quality of the attempts at `position` not yet recorded.
    pub fn best_attempt(&self, position: FingerPosition) -> Option<u8> {
        self.gate.best_quality(position)
    }

    fn save(&self, kit: &mut Kit, slots: &[DraftSlot]) -> Result<(), WorkflowError> {
        let now = kit.now();
        let tx = kit.store.begin()?;
        tx.save_draft(self.draft_id, &self.draft, slots, now)?;
        crate::crashpoint::reached("draft-before-commit");
        tx.commit()?;
        Ok(())
    }

    /// Audits a step refused, naming the problems (never the values typed): the trainer's
    /// dashboard counts them, and a supervisor can see where assistants get stuck.
    fn refused(&self, kit: &mut Kit, gaps: &[Gap]) -> Result<(), WorkflowError> {
        let problems: Vec<&str> = gaps
            .iter()
            .flat_map(|g| match g {
                Gap::Demographics(errors) => errors.iter().map(|e| e.problem.key()).collect::<Vec<_>>(),
                other => vec![other.key()],
            })
            .collect();
        let now = kit.now();
        let tx = kit.store.begin()?;
        tx.audit(NewAuditEntry {
            at: now,
            actor: Some(&self.operator.username),
            action: AuditAction::ValidationRefused,
            subject: Some(format!("draft {}", self.draft_id)),
            detail: json!({"step": self.draft.step.key(), "problems": problems}),
        })?;
        tx.commit()?;
        Ok(())
    }

    fn end(&mut self, kit: &mut Kit, action: AuditAction) -> Result<(), WorkflowError> {
        let now = kit.now();
        let tx = kit.store.begin()?;
        tx.delete_draft(self.draft_id)?;
        tx.audit(NewAuditEntry {
            at: now,
            actor: Some(&self.operator.username),
            action,
            subject: Some(format!("draft {}", self.draft_id)),
            detail: json!({"step": self.draft.step.key()}),
        })?;
        tx.commit()?;
        self.finished = true;
        Ok(())
    }
}

/// Seals a finished enrollment into a packet and stores it: RID sequence, packet, removal of
/// its draft (if any) and the audit entry commit together or not at all.
///
/// The session calls this after the assistant's sign-off PIN; it is public for pilot
/// scenarios and benchmarks, and still needs a logged-in operator allowed to enroll.
pub fn seal_and_store(
    kit: &mut Kit,
    op: &Operator,
    enrollment: &CompleteEnrollment,
    training: bool,
    draft_id: Option<i64>,
) -> Result<Rid, WorkflowError> {
    require(op, Permission::Enroll)?;
    // The duplicate search's templates, made before the transaction: no lock held while they are.
    let templates = crate::workflow::dedup::templates_of(&enrollment.fingers);
    seal_and_store_with(kit, op, enrollment, training, draft_id, &templates)
}

/// [`seal_and_store`] with the fingers' templates already made (`dedup::templates_of` of the
/// same fingers): for callers that made them while the person was still at the kit.
pub fn seal_and_store_with(
    kit: &mut Kit,
    op: &Operator,
    enrollment: &CompleteEnrollment,
    training: bool,
    draft_id: Option<i64>,
    templates: &[crate::store::FingerTemplate],
) -> Result<Rid, WorkflowError> {
    require(op, Permission::Enroll)?;
    let training = training || kit.config.training;
    let now = kit.now();
    let centre = Code5::parse("centre code", &kit.config.centre).map_err(|e| WorkflowError::Refused(e.to_string()))?;
    let kit_no = Code5::parse("kit number", &kit.config.kit).map_err(|e| WorkflowError::Refused(e.to_string()))?;
    let info = kit.kit_info();
    let display_name = enrollment.person.display_name();
    let (store, key) = kit.store_and_key();
    let tx = store.begin()?;
    let sequence = tx.next_sequence(&now.format("%Y%m%d").to_string())?;
    let rid = Rid::new(&centre, &kit_no, sequence, now).map_err(|e| WorkflowError::Refused(e.to_string()))?;
    let meta = PacketMeta { rid: &rid, created_at: now, training, kit: info, assistant: &op.username };
    let sealed = build_packet(meta, enrollment, key)?;
    tx.insert_packet(&sealed, op.account_id, &display_name, now)?;
    tx.insert_templates(rid.as_str(), templates)?;
    if let Some(id) = draft_id {
        tx.delete_draft(id)?;
    }
    tx.audit(NewAuditEntry {
        at: now,
        actor: Some(&op.username),
        action: AuditAction::EnrollmentSaved,
        subject: Some(rid.to_string()),
        detail: json!({
            "draft": draft_id,
            "training": training,
            "sha256": sealed.sha256,
            "forced": sealed.json.any_forced(),
            "exceptions": sealed.json.exception_count(),
        }),
    })?;
    crate::crashpoint::reached("seal-before-commit");
    tx.commit()?;
    crate::crashpoint::reached("seal-after-commit");
    tracing::info!(rid = %rid, training, "packet sealed and stored");
    Ok(rid)
}
