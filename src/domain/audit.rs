//! What the audit log records. Entries carry names and ids, never a PIN or biometric data.

/// An action written to the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    /// The kit was provisioned.
    Init,
    /// A PIN was accepted.
    LoginOk,
    /// A PIN was refused.
    LoginFailed,
    /// Too many wrong PINs locked an account.
    Lockout,
    /// An account was added.
    AccountAdded,
    /// A supervisor locked an account.
    AccountLocked,
    /// A supervisor unlocked an account.
    AccountUnlocked,
    /// A supervisor reset a PIN.
    PinReset,
    /// An enrollment began.
    EnrollmentStarted,
    /// The applicant refused consent.
    ConsentRefused,
    /// A draft was resumed after a restart or a logout.
    EnrollmentResumed,
    /// A draft was abandoned.
    EnrollmentAbandoned,
    /// A packet was sealed and stored.
    EnrollmentSaved,
    /// A packet's status changed.
    PacketStatusChanged,
    /// A batch was written, read back and verified.
    BatchExported,
    /// A copy of an exported batch was written to another stick.
    BatchCopied,
    /// This kit's finger templates were written to a template list for another kit.
    TemplatesExported,
    /// Another kit's template list was loaded into the duplicate search.
    TemplatesImported,
    /// The central office's signed receipt for an uploaded batch was checked and recorded.
    BatchAcknowledged,
    /// The central office refused an uploaded batch for good.
    UploadRefused,
    /// A supervisor set where uploads go (the intake's address and pinned certificate).
    UploadConfigured,
    /// The kit refused a step because of what was typed or missing (which problems, no values).
    ValidationRefused,
    /// A trainer started a training scenario for a trainee.
    ScenarioStarted,
    /// A training scenario run was judged.
    ScenarioFinished,
    /// A trainer wiped the pilot data (the first entries of the new pilot log).
    PilotReset,
    /// An older kit's clear key and database were sealed and encrypted (`keys protect`).
    KeysProtected,
    /// A supervisor's passphrase slot was added to (or replaced in) kit.keys.
    PassphraseSet,
    /// The central office's recipients and receipt key changed by a file it signed.
    HqConfigChanged,
    /// Acknowledged packets lost their images and personal data (retention).
    PacketsPurged,
    /// The kit signed the chain's head so far (at every export): rewriting the history before
    /// it needs the kit's key.
    Checkpoint,
}

impl AuditAction {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        use AuditAction::*;
        match self {
            Init => "init",
            LoginOk => "login_ok",
            LoginFailed => "login_failed",
            Lockout => "lockout",
            AccountAdded => "account_added",
            AccountLocked => "account_locked",
            AccountUnlocked => "account_unlocked",
            PinReset => "pin_reset",
            EnrollmentStarted => "enrollment_started",
            ConsentRefused => "consent_refused",
            EnrollmentResumed => "enrollment_resumed",
            EnrollmentAbandoned => "enrollment_abandoned",
            EnrollmentSaved => "enrollment_saved",
            PacketStatusChanged => "packet_status_changed",
            BatchExported => "batch_exported",
            BatchCopied => "batch_copied",
            TemplatesExported => "templates_exported",
            TemplatesImported => "templates_imported",
            BatchAcknowledged => "batch_acknowledged",
            UploadRefused => "upload_refused",
            UploadConfigured => "upload_configured",
            ValidationRefused => "validation_refused",
            ScenarioStarted => "scenario_started",
            ScenarioFinished => "scenario_finished",
            PilotReset => "pilot_reset",
            KeysProtected => "keys_protected",
            Checkpoint => "checkpoint",
            PacketsPurged => "packets_purged",
            HqConfigChanged => "hq_config_changed",
            PassphraseSet => "passphrase_set",
        }
    }
}

/// What a checkpoint entry's signature covers: the position and hash of the entry before it.
pub fn checkpoint_message(seq: i64, hash: &str) -> Vec<u8> {
    format!("enroll-kit audit checkpoint\n{seq}\n{hash}").into_bytes()
}
