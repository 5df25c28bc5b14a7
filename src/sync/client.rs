//! The kit's side of the protocol: asks the intake what it holds, sends the rest in chunks,
//! finishes, polls for the receipt and hands it back unchecked (the caller checks it against
//! what it sent). Every request is signed with the kit's key.

use super::signing::{self, Covered};
use super::{
    CHUNK, ErrorBody, MAX_CHUNK, PROTOCOL_VERSION, SignedReceipt, SyncError, UploadRequest, UploadState,
    tls::pinned_client_config,
};
use crate::packet::KitKey;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::Duration;

/// Polls for a receipt at most this many times (the waits grow from [`FIRST_POLL`] to
/// [`LAST_POLL`]: about ten minutes in all) before leaving the batch for the next round.
const POLLS: u32 = 150;
/// The first wait for a receipt.
const FIRST_POLL: Duration = Duration::from_millis(100);
/// The longest wait between polls.
const LAST_POLL: Duration = Duration::from_secs(5);

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
    /// The intake's clock (Unix seconds): the kit signs by it.
    pub now: i64,
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
    key: KitKey,
    /// The intake's clock minus the kit's, from its last health answer.
    skew: AtomicI64,
    /// How a poll waits (tests: briefly).
    wait: fn(Duration),
    /// Polls before the batch is left for the next round.
    polls: u32,
}

fn agent(tls: std::sync::Arc<rustls::ClientConfig>, timeout: Duration, reuse: bool) -> ureq::Agent {
    let builder =
        ureq::AgentBuilder::new().tls_config(tls).timeout_connect(timeout).timeout_read(timeout).timeout_write(timeout);
    if reuse { builder.build() } else { builder.max_idle_connections(0).build() }
}

impl Intake {
    /// An intake at `url` (https://host:port) whose certificate has SHA-256 `pin`, spoken to as
    /// the kit whose signing key is `key`.
    pub fn new(url: &str, pin: &str, timeout: Duration, key: KitKey) -> Result<Intake, SyncError> {
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
            key,
            skew: AtomicI64::new(0),
            wait: std::thread::sleep,
            polls: POLLS,
        })
    }

    /// Polls for a receipt every few milliseconds until the intake answers one way or the other
    /// (tests: the intake's own pace decides, not a count of polls on a busy machine).
    pub fn without_poll_waits(mut self) -> Intake {
        self.wait = |_| std::thread::sleep(Duration::from_millis(5));
        self.polls = u32::MAX;
        self
    }

    /// A signed request.
    fn request(
        &self,
        method: &str,
        path: &str,
        offset: Option<&str>,
        sha256: Option<&str>,
        body: Option<&[u8]>,
    ) -> Result<ureq::Request, SyncError> {
        let covered = Covered {
            method,
            path,
            upload_offset: offset,
            upload_sha256: sha256,
            body_sha256: body.and_then(signing::body_digest),
        };
        let created = chrono::Utc::now().timestamp() + self.skew.load(Ordering::Relaxed);
        let header = signing::sign(&self.key, &covered, created)
            .map_err(|e| SyncError::Unreachable(format!("no randomness for a nonce: {e}")))?;
        let mut request = self.agent.request(method, &format!("{}{path}", self.base)).set(signing::HEADER, &header);
        if let Some(offset) = offset {
            request = request.set("Upload-Offset", offset);
        }
        if let Some(sha256) = sha256 {
            request = request.set("Upload-Sha256", sha256);
        }
        Ok(request)
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
        self.skew.store(health.now - chrono::Utc::now().timestamp(), Ordering::Relaxed);
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
        let path = format!("/v1/uploads/{batch_id}");
        json(
            self.request("PUT", &path, None, None, Some(body.as_bytes()))?
                .set("Content-Type", "application/json")
                .send_string(&body),
        )
    }

    /// Sends `bytes` to go at `offset`. An intake holding another offset says so (409) and its
    /// state comes back as if accepted: the caller continues from `received`.
    pub fn send(&self, batch_id: &str, sha256: &str, offset: u64, bytes: &[u8]) -> Result<UploadState, SyncError> {
        let path = format!("/v1/uploads/{batch_id}");
        let sent = self
            .request("PATCH", &path, Some(&offset.to_string()), Some(sha256), None)?
            .set("Content-Type", "application/octet-stream")
            .send_bytes(bytes);
        match sent {
            Err(ureq::Error::Status(409, answer)) => {
                let text = read_answer(answer)?;
                serde_json::from_str::<UploadState>(&text).map_err(|_| refused(409, &text, true))
            }
            other => json(other),
        }
    }

    /// Asks the intake to store the batch once every byte is in, then polls until its receipt
    /// is on record (or it was refused, or the polls run out: the next round asks again).
    pub fn finish(&self, batch_id: &str, cancel: &AtomicBool) -> Result<SignedReceipt, SyncError> {
        let path = format!("/v1/uploads/{batch_id}/finish");
        let mut answer = receipt_or_state(self.request("POST", &path, None, None, Some(b""))?.call())?;
        let path = format!("/v1/uploads/{batch_id}/receipt");
        let mut wait = FIRST_POLL;
        for _ in 0..self.polls {
            match answer {
                Waiting::Receipt(receipt) => return Ok(receipt),
                Waiting::Busy if cancel.load(Ordering::Relaxed) => return Err(SyncError::Cancelled),
                Waiting::Busy => {}
            }
            (self.wait)(wait);
            wait = (wait * 3 / 2).min(LAST_POLL);
            answer = receipt_or_state(self.request("GET", &path, None, None, Some(b""))?.call())?;
        }
        Err(SyncError::Unreachable("the central office is still storing the batch; the kit asks again later".into()))
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
        // The intake's clock, to sign by.
        self.health()?;
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
        Ok(Uploaded { receipt: self.finish(batch_id, cancel)?, bytes_sent })
    }
}

/// What a finish or a receipt poll answered.
enum Waiting {
    /// Stored: the receipt.
    Receipt(SignedReceipt),
    /// Queued or being stored.
    Busy,
}

fn receipt_or_state(sent: Result<ureq::Response, ureq::Error>) -> Result<Waiting, SyncError> {
    match sent {
        Ok(answer) if answer.status() == 202 => {
            let text = read_answer(answer)?;
            serde_json::from_str::<UploadState>(&text)
                .map(|_| Waiting::Busy)
                .map_err(|e| SyncError::BadAnswer(e.to_string()))
        }
        other => json(other).map(Waiting::Receipt),
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
