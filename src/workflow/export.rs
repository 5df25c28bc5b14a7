//! Closing the day: a supervisor exports the approved packets into a sealed batch, copies a past
//! batch to a second stick, and picks where to write (removable drives first).

use super::{Operator, WorkflowError, require};
pub use crate::batch::export::ExportedBatch;
use crate::batch::export::{Destination, copy_batch, export};
use crate::domain::account::Permission;
use crate::kit::Kit;
pub use crate::store::BatchRecord;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Exports the approved production packets (or, with `training`, the training ones) into `dest`.
pub fn close_day(
    kit: &mut Kit,
    op: &Operator,
    dest: &Destination,
    training: bool,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<ExportedBatch, WorkflowError> {
    require(op, Permission::ExportBatch)?;
    Ok(export(kit, &op.username, training, dest, cancel, progress)?)
}

/// Writes a past batch again into `dest` (a second stick); its packets stay as they are.
pub fn copy_past_batch(
    kit: &mut Kit,
    op: &Operator,
    batch_id: &str,
    dest: &Destination,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<ExportedBatch, WorkflowError> {
    require(op, Permission::ExportBatch)?;
    Ok(copy_batch(kit, &op.username, batch_id, dest, cancel, progress)?)
}

/// What an export worker is asked to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportJob {
    /// Close the day: the approved packets of this kind (training or production).
    CloseDay {
        /// A training batch.
        training: bool,
    },
    /// A past batch again, to a second stick.
    Copy {
        /// Its id.
        batch_id: String,
    },
}

/// An export running on a worker thread over its own kit connection, so the window keeps
/// drawing; the progress and the cancel flag are shared with it.
pub struct ExportWorker {
    job: ExportJob,
    dest: PathBuf,
    done: Arc<AtomicUsize>,
    total: Arc<AtomicUsize>,
    cancel: Arc<AtomicBool>,
    result: std::sync::mpsc::Receiver<Result<ExportedBatch, WorkflowError>>,
}

impl ExportWorker {
    /// Starts `job` into `dest` as `op` on a second connection to `kit`; `wake` is called as it
    /// progresses and when it ends.
    pub fn start(
        kit: &Kit,
        op: &Operator,
        job: ExportJob,
        dest: Destination,
        wake: impl Fn() + Send + 'static,
    ) -> Result<ExportWorker, WorkflowError> {
        require(op, Permission::ExportBatch)?;
        check_destination(dest.dir())?;
        let mut conn = kit.second_connection()?;
        let (done, total, cancel) =
            (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)), Arc::new(AtomicBool::new(false)));
        let (tx, result) = std::sync::mpsc::channel();
        let worker = ExportWorker {
            job: job.clone(),
            dest: dest.dir().to_path_buf(),
            done: done.clone(),
            total: total.clone(),
            cancel: cancel.clone(),
            result,
        };
        let op = op.clone();
        std::thread::Builder::new()
            .name("batch-export".into())
            .spawn(move || {
                let mut progress = |d: usize, t: usize| {
                    done.store(d, Ordering::Relaxed);
                    total.store(t, Ordering::Relaxed);
                    wake();
                };
                let outcome = match &job {
                    ExportJob::CloseDay { training } => {
                        close_day(&mut conn, &op, &dest, *training, &cancel, &mut progress)
                    }
                    ExportJob::Copy { batch_id } => {
                        copy_past_batch(&mut conn, &op, batch_id, &dest, &cancel, &mut progress)
                    }
                };
                let _ = tx.send(outcome);
                wake();
            })
            .map_err(|e| {
                WorkflowError::Refused(format!(
                    "the export could not be started ({e}): close other programs and try again"
                ))
            })?;
        Ok(worker)
    }

    /// What it is writing.
    pub fn job(&self) -> &ExportJob {
        &self.job
    }

    /// Where.
    pub fn dest(&self) -> &Path {
        &self.dest
    }

    /// (packets written, packets in all); the total is 0 until the first packet is written.
    pub fn progress(&self) -> (usize, usize) {
        (self.done.load(Ordering::Relaxed), self.total.load(Ordering::Relaxed))
    }

    /// Asks it to stop; the partial file is removed and nothing is marked.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// Whether a cancel was asked for.
    pub fn cancelling(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// The outcome, once it has ended.
    pub fn finished(&self) -> Option<Result<ExportedBatch, WorkflowError>> {
        match self.result.try_recv() {
            Ok(r) => Some(r),
            Err(std::sync::mpsc::TryRecvError::Empty) => None,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                Some(Err(WorkflowError::Refused("the export stopped unexpectedly; nothing was marked exported".into())))
            }
        }
    }
}

/// A place a batch could go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drive {
    /// Its mount point.
    pub path: PathBuf,
    /// A removable drive (USB stick, SD card), listed first.
    pub removable: bool,
}

/// Mounted removable drives (from `/proc/self/mounts` and `/sys/block/*/removable`, plus anything
/// mounted under /media or /run/media, where desktops put sticks), then the home folder.
pub fn suggested_destinations() -> Vec<Drive> {
    let mounts = std::fs::read_to_string("/proc/self/mounts").unwrap_or_default();
    let mut drives = removable_mounts(&mounts, |dev| {
        std::fs::read_to_string(format!("/sys/block/{dev}/removable")).is_ok_and(|s| s.trim() == "1")
    });
    if let Some(home) = std::env::var_os("HOME").map(PathBuf::from).filter(|h| h.is_dir()) {
        drives.push(Drive { path: home, removable: false });
    }
    drives
}

/// The removable mounts listed in `mounts` (the /proc/mounts format); `removable` answers for a
/// whole disk's name (sdb, mmcblk0).
fn removable_mounts(mounts: &str, removable: impl Fn(&str) -> bool) -> Vec<Drive> {
    let mut found = Vec::new();
    for line in mounts.lines() {
        let mut fields = line.split_whitespace();
        let (Some(device), Some(mount)) = (fields.next(), fields.next()) else { continue };
        // /proc/mounts escapes spaces in paths as \040.
        let mount = mount.replace("\\040", " ");
        let under_media = mount.starts_with("/media/") || mount.starts_with("/run/media/");
        let disk = device.strip_prefix("/dev/").map(disk_of);
        if under_media || disk.is_some_and(|d| removable(&d)) {
            let path = PathBuf::from(mount);
            if !found.iter().any(|d: &Drive| d.path == path) {
                found.push(Drive { path, removable: true });
            }
        }
    }
    found
}

/// The whole disk a partition belongs to: sdb1 → sdb, mmcblk0p1 → mmcblk0, nvme0n1p2 → nvme0n1.
fn disk_of(partition: &str) -> String {
    if partition.starts_with("mmcblk") || partition.starts_with("nvme") {
        match partition.rfind('p') {
            Some(i) if i > 0 && partition[i + 1..].chars().all(|c| c.is_ascii_digit()) && i + 1 < partition.len() => {
                partition[..i].to_string()
            }
            _ => partition.to_string(),
        }
    } else {
        partition.trim_end_matches(|c: char| c.is_ascii_digit()).to_string()
    }
}

/// Whether `dir` is somewhere a batch can be written: an existing folder.
pub fn check_destination(dir: &Path) -> Result<(), WorkflowError> {
    if dir.is_dir() {
        Ok(())
    } else {
        Err(WorkflowError::Refused(format!(
            "{} is not a folder: insert the USB stick, or choose a folder that exists",
            dir.display()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sticks_are_found_by_the_removable_flag_or_by_where_they_are_mounted() {
        let mounts = "/dev/sda2 / ext4 rw 0 0\n\
            /dev/sdb1 /mnt/stick vfat rw 0 0\n\
            /dev/mmcblk0p1 /mnt/sd vfat rw 0 0\n\
            /dev/sdc1 /media/amina/KIT\\040STICK vfat rw 0 0\n\
            proc /proc proc rw 0 0\n";
        let drives = removable_mounts(mounts, |d| d == "sdb" || d == "mmcblk0");
        let paths: Vec<_> = drives.iter().map(|d| d.path.display().to_string()).collect();
        assert_eq!(paths, ["/mnt/stick", "/mnt/sd", "/media/amina/KIT STICK"]);
    }

    #[test]
    fn partitions_map_to_their_disk() {
        assert_eq!(disk_of("sdb1"), "sdb");
        assert_eq!(disk_of("mmcblk0p1"), "mmcblk0");
        assert_eq!(disk_of("nvme0n1p2"), "nvme0n1");
        assert_eq!(disk_of("sdb"), "sdb");
    }
}

/// What the close-the-day screen shows: packets ready and still waiting, of the kit's kind
/// (training or production), and the batches written before.
#[derive(Debug, Clone, Default)]
pub struct CloseDayFigures {
    /// Approved, not yet exported.
    pub ready: usize,
    /// Still waiting for review.
    pub pending: usize,
    /// Past batches, newest first as the store lists them.
    pub batches: Vec<crate::store::BatchRecord>,
}

/// The close-the-day figures now.
pub fn close_day_figures(kit: &Kit) -> CloseDayFigures {
    use crate::domain::status::PacketStatus;
    let training = kit.config.training;
    let count = |status| {
        kit.store
            .packet_rows(Some(status))
            .map(|rows| rows.iter().filter(|r| r.training == training).count())
            .unwrap_or(0)
    };
    CloseDayFigures {
        ready: count(PacketStatus::Approved),
        pending: count(PacketStatus::PendingReview),
        batches: kit.store.batches().unwrap_or_default(),
    }
}
