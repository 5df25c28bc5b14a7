//! The intake's HTTP routes (protocol v1, see [`crate::sync`]).

use super::IntakeConfig;
use super::store::{IncomingBatch, IntakeStore};
use crate::batch::BatchError;
use crate::batch::verify::verify_batch_each;
use crate::packet::{KitKey, PublicKey, sha256_hex};
use crate::sync::{
    ErrorBody, MAX_BATCH, MAX_CHUNK, PROTOCOL_VERSION, RECEIPT_FORMAT, Receipt, SignedReceipt, UploadRequest,
    UploadState, valid_batch_id,
};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use http_body_util::BodyExt;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;

/// How long a chunk's body may stall before the intake gives up on it (and frees the upload for
/// the kit's next try).
const STALL: Duration = Duration::from_secs(20);

/// The intake's shared state.
pub(super) struct Intake {
    identities: Vec<Box<dyn age::Identity + Send + Sync>>,
    signing_key: KitKey,
    registered: Option<Vec<PublicKey>>,
    spool: PathBuf,
    training: bool,
    store: Arc<dyn IntakeStore>,
    locks: tokio::sync::Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

type Shared = Arc<Intake>;

impl Intake {
    pub(super) fn new(config: IntakeConfig, store: Arc<dyn IntakeStore>) -> Shared {
        Arc::new(Intake {
            identities: config.identities,
            signing_key: config.signing_key,
            registered: config.registered,
            spool: config.spool,
            training: config.training,
            store,
            locks: Default::default(),
        })
    }

    /// One request at a time per batch.
    async fn lock(&self, batch: &str) -> tokio::sync::OwnedMutexGuard<()> {
        let lock = self.locks.lock().await.entry(batch.to_string()).or_default().clone();
        lock.lock_owned().await
    }

    fn part(&self, batch: &str) -> PathBuf {
        self.spool.join(format!("{batch}.part"))
    }

    fn meta(&self, batch: &str) -> PathBuf {
        self.spool.join(format!("{batch}.json"))
    }

    /// The upload announced for `batch` with the bytes held, or why there is none to go on with.
    async fn open_upload(&self, batch: &str) -> Result<(UploadRequest, u64), Failure> {
        self.held(batch).await?.ok_or_else(|| {
            refuse(StatusCode::NOT_FOUND, format!("no upload of batch {batch} is open: open it first (PUT)"), true)
        })
    }

    /// The receipt already issued for this batch file, if any (looked up off the async threads).
    async fn issued(&self, batch: &str, sha256: &str) -> Result<Option<String>, Response> {
        let store = self.store.clone();
        let (b, s) = (batch.to_string(), sha256.to_string());
        match tokio::task::spawn_blocking(move || store.receipt(&b, &s)).await {
            Ok(Ok(found)) => Ok(found),
            Ok(Err(e)) => Err(fail(StatusCode::INTERNAL_SERVER_ERROR, e.to_string(), true)),
            Err(e) => Err(blocking_failed(e)),
        }
    }

    /// The upload announced for `batch`, if any, with the bytes held.
    async fn held(&self, batch: &str) -> Result<Option<(UploadRequest, u64)>, Failure> {
        let meta = match tokio::fs::read(self.meta(batch)).await {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(refuse(StatusCode::INTERNAL_SERVER_ERROR, format!("the spool: {e}"), true)),
        };
        let Ok(request) = serde_json::from_slice::<UploadRequest>(&meta) else {
            return Ok(None); // a damaged note: start this upload over
        };
        let len = tokio::fs::metadata(self.part(batch)).await.map(|m| m.len()).unwrap_or(0);
        Ok(Some((request, len)))
    }
}

pub(super) fn router(state: Shared) -> Router {
    Router::new()
        .route("/v1/health", get(health))
        .route("/v1/uploads/{batch}", put(open).patch(append))
        .route("/v1/uploads/{batch}/finish", post(finish))
        .with_state(state)
        .layer(axum::middleware::from_fn(log_request))
}

/// One log line per request (target `enroll_kit::intake`): what was asked, the answer, how long
/// it took. The operator's view of kits arriving, failing and resuming; never a body.
async fn log_request(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let (method, path) = (request.method().clone(), request.uri().path().to_string());
    let offset = request.headers().get("upload-offset").and_then(|v| v.to_str().ok()).map(str::to_string);
    let started = std::time::Instant::now();
    let answer = next.run(request).await;
    tracing::info!(
        %method,
        path,
        offset,
        status = answer.status().as_u16(),
        ms = started.elapsed().as_millis() as u64,
        "request"
    );
    answer
}

/// An error answer not yet sent (small, so helpers can return it in a `Result`).
pub(super) struct Failure(StatusCode, String, bool);

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        (self.0, axum::Json(ErrorBody { error: self.1, retry: self.2 })).into_response()
    }
}

fn refuse(status: StatusCode, error: String, retry: bool) -> Failure {
    Failure(status, error, retry)
}

fn fail(status: StatusCode, error: String, retry: bool) -> Response {
    refuse(status, error, retry).into_response()
}

fn state(batch: &str, request: &UploadRequest, received: u64, finished: bool) -> UploadState {
    UploadState { batch_id: batch.into(), size: request.size, sha256: request.sha256.clone(), received, finished }
}

fn check_batch(batch: &str) -> Result<(), Failure> {
    if valid_batch_id(batch) {
        Ok(())
    } else {
        Err(refuse(StatusCode::BAD_REQUEST, format!("{batch:?} is not a batch id (letters, digits and '-')"), false))
    }
}

fn blocking_failed(e: tokio::task::JoinError) -> Response {
    fail(StatusCode::INTERNAL_SERVER_ERROR, format!("the intake failed inside ({e}); try again"), true)
}

async fn health(State(intake): State<Shared>) -> Response {
    axum::Json(serde_json::json!({
        "service": "enroll-kit intake",
        "version": PROTOCOL_VERSION,
        "receipt_key": intake.signing_key.public().to_hex(),
    }))
    .into_response()
}

async fn open(State(intake): State<Shared>, UrlPath(batch): UrlPath<String>, body: Bytes) -> Response {
    if let Err(r) = check_batch(&batch) {
        return r.into_response();
    }
    let request: UploadRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return fail(
                StatusCode::BAD_REQUEST,
                format!("the body must be {{\"size\": N, \"sha256\": HEX}}: {e}"),
                false,
            );
        }
    };
    if request.size == 0 || request.size > MAX_BATCH {
        return fail(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("a batch of {} bytes is not taken (1 to {MAX_BATCH})", request.size),
            false,
        );
    }
    if request.sha256.len() != 64 || !request.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return fail(StatusCode::BAD_REQUEST, "sha256 must be 64 hex digits".into(), false);
    }
    let _guard = intake.lock(&batch).await;
    match intake.issued(&batch, &request.sha256).await {
        Ok(Some(_)) => return axum::Json(state(&batch, &request, request.size, true)).into_response(),
        Ok(None) => {}
        Err(r) => return r,
    }
    match intake.held(&batch).await {
        Ok(Some((held, len))) if held == request => {
            return axum::Json(state(&batch, &request, len.min(request.size), false)).into_response();
        }
        Ok(_) => {}
        Err(r) => return r.into_response(),
    }
    // A new upload, or another file under this batch id (the kit sealed it again): start over.
    let started = async {
        tokio::fs::write(intake.part(&batch), b"").await?;
        let meta = serde_json::to_vec(&request).map_err(std::io::Error::other)?;
        tokio::fs::write(intake.meta(&batch), meta).await
    };
    match started.await {
        Ok(()) => axum::Json(state(&batch, &request, 0, false)).into_response(),
        Err(e) => fail(StatusCode::INTERNAL_SERVER_ERROR, format!("the spool: {e}"), true),
    }
}

async fn append(
    State(intake): State<Shared>,
    UrlPath(batch): UrlPath<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if let Err(r) = check_batch(&batch) {
        return r.into_response();
    }
    let header_text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    let Some(offset) = header_text("upload-offset").and_then(|v| v.parse::<u64>().ok()) else {
        return fail(StatusCode::BAD_REQUEST, "the Upload-Offset header (a byte count) is missing".into(), false);
    };
    let Some(sha256) = header_text("upload-sha256").map(str::to_string) else {
        return fail(StatusCode::BAD_REQUEST, "the Upload-Sha256 header (the file's SHA-256) is missing".into(), false);
    };
    let _guard = intake.lock(&batch).await;
    let (request, held) = match intake.open_upload(&batch).await {
        Ok(h) => h,
        Err(r) => return r.into_response(),
    };
    if request.sha256 != sha256 {
        return fail(
            StatusCode::CONFLICT,
            "the intake holds another file for this batch: open the upload again".into(),
            true,
        );
    }
    if offset != held {
        return (StatusCode::CONFLICT, axum::Json(state(&batch, &request, held, false))).into_response();
    }
    let mut file = match tokio::fs::OpenOptions::new().append(true).open(intake.part(&batch)).await {
        Ok(f) => f,
        Err(e) => return fail(StatusCode::INTERNAL_SERVER_ERROR, format!("the spool: {e}"), true),
    };
    let mut body = body;
    let mut written: u64 = 0;
    let outcome: Result<(), Response> = loop {
        let frame = match tokio::time::timeout(STALL, body.frame()).await {
            Err(_) => {
                break Err(fail(StatusCode::REQUEST_TIMEOUT, "the chunk stalled: send the rest again".into(), true));
            }
            Ok(None) => break Ok(()),
            Ok(Some(Err(e))) => break Err(fail(StatusCode::BAD_REQUEST, format!("the chunk was cut ({e})"), true)),
            Ok(Some(Ok(frame))) => frame,
        };
        let Ok(data) = frame.into_data() else { continue };
        let room = (MAX_CHUNK as u64 - written).min(request.size - held - written);
        if data.len() as u64 > room {
            break Err(fail(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("more bytes than the chunk limit ({MAX_CHUNK}) or the announced size ({})", request.size),
                false,
            ));
        }
        if let Err(e) = file.write_all(&data).await {
            break Err(fail(StatusCode::INTERNAL_SERVER_ERROR, format!("the spool: {e}"), true));
        }
        written += data.len() as u64;
    };
    // Whatever arrived is kept, even from a cut chunk: the kit goes on from there.
    if let Err(e) = file.flush().await {
        return fail(StatusCode::INTERNAL_SERVER_ERROR, format!("the spool: {e}"), true);
    }
    match outcome {
        Ok(()) => axum::Json(state(&batch, &request, held + written, false)).into_response(),
        Err(r) => r,
    }
}

async fn finish(State(intake): State<Shared>, UrlPath(batch): UrlPath<String>) -> Response {
    if let Err(r) = check_batch(&batch) {
        return r.into_response();
    }
    let _guard = intake.lock(&batch).await;
    let (request, held) = match intake.open_upload(&batch).await {
        Ok(h) => h,
        Err(r) => return r.into_response(),
    };
    match intake.issued(&batch, &request.sha256).await {
        Ok(Some(receipt)) => return receipt_response(receipt),
        Ok(None) => {}
        Err(r) => return r,
    }
    if held < request.size {
        return fail(StatusCode::CONFLICT, format!("{held} of {} bytes received: send the rest", request.size), true);
    }
    let worker = intake.clone();
    let (b, r) = (batch.clone(), request.clone());
    match tokio::task::spawn_blocking(move || take_batch(&worker, &b, &r)).await {
        Ok(Ok(receipt)) => {
            // The note stays, so a kit that missed the answer finds the receipt by asking again.
            let _ = tokio::fs::remove_file(intake.part(&batch)).await;
            receipt_response(receipt)
        }
        Ok(Err(r)) => r.into_response(),
        Err(e) => blocking_failed(e),
    }
}

fn receipt_response(receipt: String) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], receipt).into_response()
}

/// Checks the whole file, verifies the batch, stores it and signs the receipt (blocking).
fn take_batch(intake: &Intake, batch: &str, request: &UploadRequest) -> Result<String, Failure> {
    let part = intake.part(batch);
    let spool = |e: std::io::Error| refuse(StatusCode::INTERNAL_SERVER_ERROR, format!("the spool: {e}"), true);
    let (_, sha256) = crate::sync::client::file_digest(&part).map_err(spool)?;
    let forget = || {
        let _ = std::fs::remove_file(&part);
        let _ = std::fs::remove_file(intake.meta(batch));
    };
    if sha256 != request.sha256 {
        forget();
        return Err(refuse(
            StatusCode::CONFLICT,
            "the file arrived damaged (its SHA-256 differs): send it again".into(),
            true,
        ));
    }
    let mut packets: Vec<(String, String, Vec<u8>)> = Vec::new();
    let verified = verify_batch_each(&part, &intake.identities, intake.registered.as_deref(), &mut |rid, data| {
        packets.push((rid.to_string(), sha256_hex(&data), data));
    });
    let verified = match verified {
        Ok(v) => v,
        Err(e) => {
            forget();
            let said = match e {
                BatchError::Decrypt { .. } if intake.training => "the pilot key cannot open it: a production batch \
                    is never taken by a training intake; send it to the central office's production intake"
                    .to_string(),
                BatchError::Decrypt { .. } => {
                    "the central office's key cannot open it: a training batch (sealed to the \
                    pilot key) is never taken by a production intake; otherwise the kit's kit.toml has the wrong \
                    recipients"
                        .to_string()
                }
                other => other.to_string(),
            };
            return Err(refuse(StatusCode::UNPROCESSABLE_ENTITY, said, false));
        }
    };
    if verified.manifest.training != intake.training {
        forget();
        let said = if intake.training {
            "a production batch: a training intake never takes real people's data"
        } else {
            "a training batch: a production intake never takes training data"
        };
        return Err(refuse(StatusCode::UNPROCESSABLE_ENTITY, said.into(), false));
    }
    let incoming = IncomingBatch {
        batch_id: batch.into(),
        sha256: request.sha256.clone(),
        kit_key: verified.kit_key.to_hex(),
        received_at: crate::packet::utc_text(chrono::Utc::now()),
        packets,
        audit: verified.audit,
    };
    let sign = |verdicts| {
        let receipt = Receipt {
            format: RECEIPT_FORMAT.into(),
            version: PROTOCOL_VERSION,
            batch_id: incoming.batch_id.clone(),
            batch_sha256: incoming.sha256.clone(),
            kit_public_key: incoming.kit_key.clone(),
            received_at: incoming.received_at.clone(),
            packets: verdicts,
        };
        let signature = hex::encode(intake.signing_key.sign(&SignedReceipt::signed_bytes(&receipt)));
        serde_json::to_string(&SignedReceipt { receipt, signature })
            .map_err(|e| super::IntakeError::Store(e.to_string()))
    };
    let receipt = intake.store.store_batch(&incoming, &sign).map_err(|e| match e {
        super::IntakeError::AuditHistory(_) => refuse(StatusCode::UNPROCESSABLE_ENTITY, e.to_string(), false),
        other => refuse(StatusCode::INTERNAL_SERVER_ERROR, other.to_string(), true),
    })?;
    tracing::info!("batch {batch}: {} packet(s) from kit {}", incoming.packets.len(), verified.kit_key.fingerprint());
    Ok(receipt)
}
