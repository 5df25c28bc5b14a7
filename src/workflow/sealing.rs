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

/// What the sealing thread reports, in order: the commit, then the slip.
enum Stage {
    /// The packet is sealed and stored (or the job failed: nothing was stored).
    Stored(Result<Rid, WorkflowError>),
    /// Where the slip went.
    Slip(Result<PathBuf, WorkflowError>),
}

/// A sign-off under way on its own thread.
pub struct SealWorker {
    stages: Receiver<Stage>,
    /// The packet stored, once the thread said so (its slip may still be coming).
    stored: Option<Rid>,
}

impl SealWorker {
    /// Starts `job` on a second connection to `kit`; `wake` is called when it ends.
    pub fn start(kit: &Kit, job: Box<SealJob>, wake: impl Fn() + Send + 'static) -> Result<SealWorker, WorkflowError> {
        let mut conn = kit.second_connection()?;
        let (tx, stages) = channel();
        std::thread::Builder::new()
            .name("sealing".into())
            .spawn(move || {
                let stored = job.run(&mut conn);
                let rid = stored.as_ref().ok().cloned();
                // The commit is reported before the slip is written: if the thread died while
                // writing it, the window must know the person is sealed, not offer to seal again.
                let _ = tx.send(Stage::Stored(stored));
                if let Some(rid) = rid {
                    let _ = tx.send(Stage::Slip(write_slip_for(&conn, &job.operator, &rid)));
                }
                wake();
            })
            .map_err(|e| {
                WorkflowError::Refused(format!(
                    "the enrollment could not be saved ({e}): close other programs and press Sign and save again"
                ))
            })?;
        Ok(SealWorker { stages, stored: None })
    }

    /// The outcome, once the worker is done.
    pub fn finished(&mut self) -> Option<Result<Sealed, WorkflowError>> {
        loop {
            match (self.stages.try_recv(), self.stored.take()) {
                (Ok(Stage::Stored(Ok(rid))), _) => self.stored = Some(rid),
                (Ok(Stage::Stored(Err(e))), _) => return Some(Err(e)),
                (Ok(Stage::Slip(slip)), Some(rid)) => return Some(Ok(Sealed { rid, slip })),
                (Ok(Stage::Slip(_)), None) => {}
                (Err(TryRecvError::Empty), stored) => {
                    self.stored = stored;
                    return None;
                }
                // Sealed, and the thread ended before the slip: the packet is safe, the slip
                // can be printed again from it.
                (Err(TryRecvError::Disconnected), Some(rid)) => {
                    let slip =
                        Err(WorkflowError::Refused("the slip was not written: print it again from the packet".into()));
                    return Some(Ok(Sealed { rid, slip }));
                }
                (Err(TryRecvError::Disconnected), None) => {
                    return Some(Err(WorkflowError::Refused(
                        "the saving stopped before it ended: nothing half-written is kept; press Sign and save again"
                            .into(),
                    )));
                }
            }
        }
    }
}

impl std::fmt::Debug for SealWorker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealWorker")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn worker(stages: &[Stage]) -> SealWorker {
        let (tx, rx) = channel();
        for stage in stages {
            let copy = match stage {
                Stage::Stored(Ok(rid)) => Stage::Stored(Ok(rid.clone())),
                Stage::Stored(Err(_)) => Stage::Stored(Err(WorkflowError::Refused("wrong".into()))),
                Stage::Slip(Ok(p)) => Stage::Slip(Ok(p.clone())),
                Stage::Slip(Err(_)) => Stage::Slip(Err(WorkflowError::Refused("no room".into()))),
            };
            tx.send(copy).unwrap();
        }
        SealWorker { stages: rx, stored: None }
    }

    fn rid() -> Rid {
        Rid::parse("10001200010000120261204093000").unwrap()
    }

    #[test]
    fn a_sealing_thread_that_dies_after_its_commit_still_reports_the_packet_sealed() {
        // Stored, then the thread ended without a slip: sealed, and the slip's absence said — a
        // second Sign and save would seal the person twice.
        let mut w = worker(&[Stage::Stored(Ok(rid()))]);
        let sealed = w.finished().expect("done").expect("sealed");
        assert_eq!(sealed.rid, rid());
        assert!(sealed.slip.is_err());
        // Stored with its slip.
        let mut w = worker(&[Stage::Stored(Ok(rid())), Stage::Slip(Ok(PathBuf::from("s.pdf")))]);
        let sealed = w.finished().expect("done").expect("sealed");
        assert_eq!(sealed.slip.unwrap(), PathBuf::from("s.pdf"));
        // Nothing stored, and the thread gone: try again.
        assert!(worker(&[]).finished().expect("done").is_err());
        assert!(worker(&[Stage::Stored(Err(WorkflowError::Refused("x".into())))]).finished().unwrap().is_err());
    }

    #[test]
    fn a_sealing_still_writing_its_slip_is_not_finished() {
        let (tx, rx) = channel();
        let mut w = SealWorker { stages: rx, stored: None };
        assert!(w.finished().is_none());
        tx.send(Stage::Stored(Ok(rid()))).unwrap();
        assert!(w.finished().is_none(), "sealed, the slip still being written");
        tx.send(Stage::Slip(Ok(PathBuf::from("s.pdf")))).unwrap();
        assert_eq!(w.finished().expect("done").expect("sealed").rid, rid());
    }
}
