//! Closing the day: a supervisor exports the approved packets into a sealed batch.

use super::{Operator, WorkflowError, require};
use crate::batch::export::{ExportedBatch, export};
use crate::domain::account::Permission;
use crate::kit::Kit;
use std::path::Path;
use std::sync::atomic::AtomicBool;

/// Exports the approved production packets (or, with `training`, the training ones) into `out_dir`.
pub fn close_day(
    kit: &mut Kit,
    op: &Operator,
    out_dir: &Path,
    training: bool,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<ExportedBatch, WorkflowError> {
    require(op, Permission::ExportBatch)?;
    Ok(export(kit, &op.username, training, out_dir, cancel, progress)?)
}
