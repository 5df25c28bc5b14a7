//! What a person can do at the kit, as the screens report it: the app applies each at the end
//! of the frame.

use super::i18n::Language;

/// What a person did on a screen this frame.
#[derive(Debug, Clone)]
pub enum Action {
    /// Log in with these.
    Login {
        /// Login name.
        username: String,
        /// PIN as typed.
        pin: String,
    },
    /// Show another language (and remember it for the account).
    SetLanguage(Language),
    /// Back to the login screen.
    Logout,
    /// Begin a new enrollment.
    StartEnrollment,
    /// Continue a saved draft.
    Resume(i64),
    /// Give up a saved draft.
    Abandon(i64),
    /// Try the reader again.
    RetryReader,
    /// Try the camera again.
    RetryCamera,
    /// Back to the home screen (the draft stays saved).
    Home,
    /// An enrollment command.
    Enroll(crate::workflow::enrollment::Command),
    /// Capture the selected finger.
    CaptureFinger,
    /// Take a placement on a slap scanner.
    TakeSlap(crate::workflow::slap::Placement),
    /// Stop the capture under way.
    CancelCapture,
    /// Open the review queue (supervisor).
    OpenQueue,
    /// Open one packet in the queue.
    OpenPacket(String),
    /// Approve a packet.
    Approve(String),
    /// Reject a packet.
    Reject {
        /// Its RID.
        rid: String,
        /// The reason from the list.
        reason: crate::domain::status::RejectReason,
        /// The note.
        note: String,
    },
    /// Approve every clean packet (after the confirmation).
    ApproveAllClean,
    /// Open the close-the-day screen.
    OpenCloseDay,
    /// Start an export or a copy into a folder.
    Export {
        /// What to write.
        job: crate::workflow::export::ExportJob,
        /// Where.
        dir: std::path::PathBuf,
    },
    /// Stop the export under way.
    CancelExport,
    /// Look for the central office and upload what is pending, now.
    UploadNow,
    /// Send a refused batch again.
    RetryUpload(String),
    /// Open the daily report for today.
    OpenReport,
    /// Show the report for a day.
    ShowReport(String),
    /// Save the report shown as CSV.
    SaveReportCsv,
    /// Open the trainer's screen (pilot kits).
    OpenTrainer,
    /// Start a training scenario for a trainee.
    StartScenario {
        /// The scenario's id.
        scenario: String,
        /// The trainee's login name.
        trainee: String,
    },
    /// End the scenario under way and judge it.
    EndScenario,
    /// The scenario's unplugged reader is plugged back in.
    PlugReaderBack,
    /// The scenario's bystander steps out of the picture.
    StepAside,
    /// Save the trainee figures as CSV.
    SaveTraineeCsv,
    /// Wipe the pilot data (after the confirmation).
    ResetPilot,
}
