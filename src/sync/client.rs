//! The kit's side of the protocol: asks the intake what it holds, sends the rest in chunks,
//! finishes, and hands back the receipt unchecked (the caller checks it against what it sent).

use super::{
    CHUNK, ErrorBody, MAX_CHUNK, PROTOCOL_VERSION, SignedReceipt, SyncError, UploadRequest, UploadState,
    tls::pinned_client_config,
};
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Answers larger than this are not read (a receipt for 10,000 packets is about 1 MB).
const MAX_ANSWER: u64 = 16 << 20;

/// The intake's health answer.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Health {
    /// "enroll-kit intake".
    pub service: String,
    /// Protocol version.
    pub version: u32,
    /// The key that signs receipts (hex).
    pub receipt_key: String,
}

/// How an upload went.
#[derive(Debug, Clone)]
pub struct Uploaded {
    /// The receipt, not yet checked.
    pub receipt: SignedReceipt,
    /// Bytes sent in all, the ones sent again after a cut included.
    pub bytes_sent: u64,
}

/// A connection to the central office's intake.
pub struct Intake {
    agent: ureq::Agent,
    base: String,
    chunk: usize,
    tls: std::sync::Arc<rustls::ClientConfig>,
    timeout: Duration,
}

fn agent(tls: std::sync::Arc<rustls::ClientConfig>, timeout: Duration, reuse: bool) -> ureq::Agent {
    let builder =
        ureq::AgentBuilder::new().tls_config(tls).timeout_connect(timeout).timeout_read(timeout).timeout_write(timeout);
    if reuse { builder.build() } else { builder.max_idle_connections(0).build() }
}

impl Intake {
    /// An intake at `url` (https://host:port) whose certificate has SHA-256 `pin`.
    pub fn new(url: &str, pin: &str, timeout: Duration) -> Result<Intake, SyncError> {
        if !url.starts_with("https://") {
            return Err(SyncError::Refused {
                status: 0,
                message: format!("the intake address {url:?} must start with https://"),
                retry: false,
            });
        }
        let tls = pinned_client_config(pin).map_err(|e| SyncError::WrongCertificate(e.to_string()))?;
        Ok(Intake {
            agent: agent(tls.clone(), timeout, true),
            base: url.trim_end_matches('/').to_string(),
            chunk: CHUNK,
            tls,
            timeout,
        })
    }

    /// A new connection for every request (tests: every request meets the faulty link afresh).
    pub fn without_connection_reuse(mut self) -> Intake {
        self.agent = agent(self.tls.clone(), self.timeout, false);
        self
    }

    /// Sends `bytes` per request instead of [`CHUNK`] (tests, benchmarks; at most [`MAX_CHUNK`]).
    pub fn with_chunk(mut self, bytes: usize) -> Intake {
        self.chunk = bytes.clamp(1, MAX_CHUNK);
        self
    }

    /// Whether the intake answers, and as what.
    pub fn health(&self) -> Result<Health, SyncError> {
        let health: Health = json(self.agent.get(&format!("{}/v1/health", self.base)).call())?;
        if health.version != PROTOCOL_VERSION {
            return Err(SyncError::Refused {
                status: 200,
                message: format!(
                    "the intake speaks protocol {}, this kit {PROTOCOL_VERSION}: update enroll-kit",
                    health.version
                ),
                retry: false,
            });
        }
        Ok(health)
    }

    /// Opens (or finds) the upload of a file of `size` bytes with SHA-256 `sha256`.
    pub fn open(&self, batch_id: &str, size: u64, sha256: &str) -> Result<UploadState, SyncError> {
        let body = serde_json::to_string(&UploadRequest { size, sha256: sha256.into() })
            .map_err(|e| SyncError::BadAnswer(e.to_string()))?;
        json(
            self.agent
                .put(&format!("{}/v1/uploads/{batch_id}", self.base))
                .set("Content-Type", "application/json")
                .send_string(&body),
        )
    }

    /// Sends `bytes` to go at `offset`. An intake holding another offset says so (409) and its
    /// state comes back as if accepted: the caller continues from `received`.
    pub fn send(&self, batch_id: &str, sha256: &str, offset: u64, bytes: &[u8]) -> Result<UploadState, SyncError> {
        let sent = self
            .agent
            .request("PATCH", &format!("{}/v1/uploads/{batch_id}", self.base))
            .set("Content-Type", "application/octet-stream")
            .set("Upload-Offset", &offset.to_string())
            .set("Upload-Sha256", sha256)
            .send_bytes(bytes);
        match sent {
            Err(ureq::Error::Status(409, answer)) => {
                let text = read_answer(answer)?;
                serde_json::from_str::<UploadState>(&text).map_err(|_| refused(409, &text, true))
            }
            other => json(other),
        }
    }

    /// Asks for the receipt once every byte is in.
    pub fn finish(&self, batch_id: &str) -> Result<SignedReceipt, SyncError> {
        json(self.agent.post(&format!("{}/v1/uploads/{batch_id}/finish", self.base)).call())
    }

    /// Uploads the file at `path` as batch `batch_id`, continuing from whatever the intake holds;
    /// `progress(sent, size)` after each chunk; `cancel` stops between chunks.
    pub fn upload(
        &self,
        batch_id: &str,
        path: &Path,
        progress: &mut dyn FnMut(u64, u64),
        cancel: &AtomicBool,
    ) -> Result<Uploaded, SyncError> {
        let (size, sha256) =
            file_digest(path).map_err(|e| SyncError::File { path: path.to_path_buf(), detail: e.to_string() })?;
        self.upload_digested(batch_id, path, size, &sha256, progress, cancel)
    }

    /// [`Intake::upload`] of a file whose size and SHA-256 the caller has just computed.
    pub fn upload_digested(
        &self,
        batch_id: &str,
        path: &Path,
        size: u64,
        sha256: &str,
        progress: &mut dyn FnMut(u64, u64),
        cancel: &AtomicBool,
    ) -> Result<Uploaded, SyncError> {
        let file_err = |e: std::io::Error| SyncError::File { path: path.to_path_buf(), detail: e.to_string() };
        let sha256 = sha256.to_string();
        let mut state = self.open(batch_id, size, &sha256)?;
        let mut file = std::fs::File::open(path).map_err(file_err)?;
        let mut buf = vec![0u8; self.chunk];
        let mut bytes_sent = 0u64;
        // Cuts with no progress in between: past a few, the link is down; the caller backs off.
        let mut stalls = 0;
        while !state.finished && state.received < size {
            progress(state.received, size);
            if cancel.load(Ordering::Relaxed) {
                return Err(SyncError::Cancelled);
            }
            let n = ((size - state.received) as usize).min(self.chunk);
            file.seek(SeekFrom::Start(state.received)).map_err(file_err)?;
            file.read_exact(&mut buf[..n]).map_err(file_err)?;
            bytes_sent += n as u64;
            let before = state.received;
            state = match self.send(batch_id, &sha256, before, &buf[..n]) {
                Ok(s) => s,
                // A cut mid-chunk: the intake kept what it read; ask where to go on.
                Err(SyncError::Unreachable(_)) if !cancel.load(Ordering::Relaxed) && stalls < 3 => {
                    self.open(batch_id, size, &sha256)?
                }
                Err(e) => return Err(e),
            };
            stalls = if state.received > before { 0 } else { stalls + 1 };
            if state.size != size || state.sha256 != sha256 {
                return Err(SyncError::BadAnswer("the intake's upload is for another file".into()));
            }
        }
        progress(size, size);
        Ok(Uploaded { receipt: self.finish(batch_id)?, bytes_sent })
    }
}

/// A file's size and SHA-256.
pub fn file_digest(path: &Path) -> std::io::Result<(u64, String)> {
    crate::packet::sha256_of_reader(&mut std::fs::File::open(path)?)
}

fn refused(status: u16, text: &str, retry_default: bool) -> SyncError {
    match serde_json::from_str::<ErrorBody>(text) {
        Ok(e) => SyncError::Refused { status, message: e.error, retry: e.retry },
        Err(_) => SyncError::Refused {
            status,
            message: format!("HTTP {status}: {}", text.chars().take(200).collect::<String>()),
            retry: retry_default,
        },
    }
}

fn read_answer(answer: ureq::Response) -> Result<String, SyncError> {
    let mut text = String::new();
    answer
        .into_reader()
        .take(MAX_ANSWER)
        .read_to_string(&mut text)
        .map_err(|e| SyncError::Unreachable(format!("the answer was cut: {e}")))?;
    Ok(text)
}

/// An answer as `T`, or the error it is.
fn json<T: serde::de::DeserializeOwned>(sent: Result<ureq::Response, ureq::Error>) -> Result<T, SyncError> {
    match sent {
        Ok(answer) => {
            let text = read_answer(answer)?;
            serde_json::from_str(&text).map_err(|e| SyncError::BadAnswer(format!("{e}")))
        }
        Err(ureq::Error::Status(status, answer)) => {
            let text = read_answer(answer).unwrap_or_default();
            Err(refused(status, &text, status >= 500 || status == 429))
        }
        Err(ureq::Error::Transport(t)) => {
            let said = t.to_string();
            let mut source: Option<&dyn std::error::Error> = std::error::Error::source(&t);
            let mut chain = said.clone();
            while let Some(s) = source {
                chain.push_str(&format!(": {s}"));
                source = s.source();
            }
            if chain.contains("kit.toml pins") {
                Err(SyncError::WrongCertificate(chain))
            } else {
                Err(SyncError::Unreachable(said))
            }
        }
    }
}
