//! Signing off an enrollment: the sign-off PIN's check (argon2id), the fingers' templates, the
//! sealing and the acknowledgement slip take about half a second on a field laptop — on a worker
//! with a connection of its own, so that the window keeps drawing; the command line runs the
//! same job on its own thread.

use super::auth::confirm_pin;
use super::enrollment::seal_and_store;
use super::{Operator, WorkflowError};
use crate::domain::account::Pin;
use crate::domain::enrollment::CompleteEnrollment;
use crate::domain::rid::Rid;
use crate::kit::Kit;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, TryRecvError, channel};

/// Everything signing off needs, taken from the session on the caller's thread.
#[derive(Debug)]
pub struct SealJob {
    pub(super) operator: Operator,
    pub(super) enrollment: CompleteEnrollment,
    pub(super) training: bool,
    pub(super) draft_id: Option<i64>,
    pub(super) pin: Pin,
}

impl SealJob {
    /// Checks the sign-off PIN, then seals and stores the packet (its draft goes in the same
    /// transaction); a wrong PIN counts towards the account's lockout and seals nothing.
    pub fn run(&self, kit: &mut Kit) -> Result<Rid, WorkflowError> {
        confirm_pin(kit, &self.operator, &self.pin)?;
        seal_and_store(kit, &self.operator, &self.enrollment, self.training, self.draft_id)
    }
}

/// A sealed enrollment, and its slip in the data dir's `slips` folder (or why it is not there:
/// the packet is safe either way, and `packet slip` prints it again).
#[derive(Debug)]
pub struct Sealed {
    /// The packet's RID.
    pub rid: Rid,
    /// Where the slip was written.
    pub slip: Result<PathBuf, WorkflowError>,
}

/// Writes packet `rid`'s slip into the data dir's `slips` folder.
pub fn write_slip_for(kit: &Kit, op: &Operator, rid: &Rid) -> Result<PathBuf, WorkflowError> {
    let folder = kit.dir.root().join("slips");
    std::fs::create_dir_all(&folder).map_err(|source| WorkflowError::Write { path: folder.clone(), source })?;
    let path = folder.join(format!("{rid}.pdf"));
    super::records::write_slip(kit, op, rid.as_str(), &path)?;
    Ok(path)
}

/// A sign-off under way on its own thread.
pub struct SealWorker {
    result: Receiver<Result<Sealed, WorkflowError>>,
}

impl SealWorker {
    /// Starts `job` on a second connection to `kit`; `wake` is called when it ends.
    pub fn start(kit: &Kit, job: Box<SealJob>, wake: impl Fn() + Send + 'static) -> Result<SealWorker, WorkflowError> {
        let mut conn = kit.second_connection()?;
        let (tx, result) = channel();
        std::thread::Builder::new()
            .name("sealing".into())
            .spawn(move || {
                let outcome = job.run(&mut conn).map(|rid| {
                    let slip = write_slip_for(&conn, &job.operator, &rid);
                    Sealed { rid, slip }
                });
                let _ = tx.send(outcome);
                wake();
            })
            .map_err(|e| {
                WorkflowError::Refused(format!(
                    "the enrollment could not be saved ({e}): close other programs and press Sign and save again"
                ))
            })?;
        Ok(SealWorker { result })
    }

    /// The outcome, once the worker is done.
    pub fn finished(&self) -> Option<Result<Sealed, WorkflowError>> {
        match self.result.try_recv() {
            Ok(r) => Some(r),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(Err(WorkflowError::Refused(
                "the saving stopped before it ended: nothing half-written is kept; press Sign and save again".into(),
            ))),
        }
    }
}

impl std::fmt::Debug for SealWorker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealWorker")
    }
}
