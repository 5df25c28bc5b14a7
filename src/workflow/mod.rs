//! What a person at the kit does, as commands over state, testable without a window.
//!
//! The GUI and the command line both drive these; every rule a person meets — a role, a
//! lockout, a gate between steps — is enforced here, not in a screen.

pub mod accounts;
pub mod app;
pub mod auth;
pub mod capture;
pub mod config;
pub mod dedup;
pub mod devices;
pub mod enrollment;
pub mod export;
pub mod face;
pub mod integrity;
pub mod keys;
pub mod pilot;
pub mod records;
pub mod report;
pub mod retention;
pub mod review;
pub mod scenarios;
pub mod sealing;
pub mod simulate;
pub mod slap;
pub mod unlock;
pub mod upload;

pub use auth::{LoginError, Operator, login, require};

use crate::domain::enrollment::Gap;
use crate::domain::notice::Notice;
use crate::kit::KitError;
use crate::packet::PacketError;
use crate::store::StoreError;
use thiserror::Error;

/// Why a workflow command failed.
#[derive(Debug, Error)]
pub enum WorkflowError {
    /// The operator's role does not allow the action.
    #[error("{username} is a {role} and may not {action}")]
    Forbidden {
        /// Who tried.
        username: String,
        /// Their role.
        role: crate::domain::account::Role,
        /// What they tried.
        action: &'static str,
    },
    /// A PIN check failed (sign-off, or logging in).
    #[error(transparent)]
    Login(#[from] LoginError),
    /// The enrollment is not complete.
    #[error("the enrollment is not complete: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Incomplete(Vec<Gap>),
    /// A command was sent on a step it does not belong to.
    #[error("{command} belongs to the {expected} step, but the enrollment is on the {actual} step")]
    WrongStep {
        /// The command.
        command: &'static str,
        /// The step it belongs to.
        expected: &'static str,
        /// The step on screen.
        actual: &'static str,
    },
    /// A rule refused the change.
    #[error("{0}")]
    Refused(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The kit failed.
    #[error(transparent)]
    Kit(#[from] KitError),
    /// A packet could not be sealed or read.
    #[error(transparent)]
    Packet(#[from] PacketError),
    /// A batch could not be written.
    #[error(transparent)]
    Batch(#[from] crate::batch::BatchError),
    /// An upload did not go through.
    #[error(transparent)]
    Sync(#[from] crate::sync::SyncError),
    /// A slip could not be made.
    #[error(transparent)]
    Slip(#[from] crate::slip::SlipError),
    /// A file the kit was asked to write exists: the kit never writes over one.
    #[error("{} already exists: give a new file name (the kit never writes over a file)", .0.display())]
    FileExists(std::path::PathBuf),
    /// A file could not be written.
    #[error("cannot write {}: {source}", .path.display())]
    Write {
        /// The file.
        path: std::path::PathBuf,
        /// The OS's words.
        source: std::io::Error,
    },
}

impl WorkflowError {
    /// What the person at the kit is told, in the language on screen.
    pub fn notice(&self) -> Notice {
        match self {
            WorkflowError::Forbidden { .. } => Notice::new("error-forbidden"),
            WorkflowError::Login(e) => e.notice(),
            WorkflowError::Batch(e) => e.notice(),
            WorkflowError::Store(e) => e.notice(),
            WorkflowError::Sync(e) => e.notice(),
            WorkflowError::FileExists(path) => {
                Notice::new("error-file-exists").text("path", path.display().to_string())
            }
            WorkflowError::Write { path, source } => {
                Notice::new("error-write").text("path", path.display().to_string()).text("detail", source.to_string())
            }
            other => Notice::detail(other),
        }
    }
}
