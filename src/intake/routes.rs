//! The intake's HTTP routes (protocol v2, see [`crate::sync`]). Every upload route is signed by
//! a registered kit and checked before anything is written; bytes go straight into the shared
//! database, so any node behind the load balancer can go on with any upload.

use super::finish::Workers;
use super::metrics::Metrics;
use super::store::{IntakeDb, Limits, Phase, Refusal, Upload};
use super::{IntakeConfig, IntakeError};
use crate::batch::registry::{KitState, RegisteredKit};
use crate::sync::signing::{self, Covered};
use crate::sync::{ErrorBody, MAX_CHUNK, PROTOCOL_VERSION, UploadRequest, UploadState, valid_batch_id};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use http_body_util::BodyExt;
use std::sync::Arc;
use std::time::Duration;

/// How long a chunk's body may stall before the intake gives up on it (and frees the upload for
/// the kit's next try).
const STALL: Duration = Duration::from_secs(20);
/// Bytes of a chunk held in memory before they go to the database: a cut chunk keeps all but
/// the last piece, and memory per chunk in flight stays at this.
pub(super) const PIECE: usize = 256 << 10;
/// Chunks a node reads at once; the rest wait their turn (memory is this × [`PIECE`]).
const CHUNKS_AT_ONCE: usize = 16;

/// The intake's shared state.
pub(super) struct Intake {
    pub(super) config: IntakeConfig,
    pub(super) db: IntakeDb,
    pub(super) metrics: Arc<Metrics>,
    pub(super) workers: Arc<Workers>,
    chunk_slots: tokio::sync::Semaphore,
}

type Shared = Arc<Intake>;

impl Intake {
    pub(super) fn new(config: IntakeConfig, db: IntakeDb, metrics: Arc<Metrics>, workers: Arc<Workers>) -> Shared {
        Arc::new(Intake { config, db, metrics, workers, chunk_slots: tokio::sync::Semaphore::new(CHUNKS_AT_ONCE) })
    }

    fn limits(&self) -> &Limits {
        &self.config.limits
    }

    /// Runs a database call off the async threads.
    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&IntakeDb) -> Result<T, IntakeError> + Send + 'static,
    ) -> Result<T, Failure> {
        let db = self.db.clone();
        match tokio::task::spawn_blocking(move || f(&db)).await {
            Ok(result) => result.map_err(failure),
            Err(e) => Err(Failure(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("the intake failed inside ({e}); try again"),
                true,
            )),
        }
    }

    /// The registered, active kit that signed this request, or why it is refused. Nothing is
    /// written before this passes but the nonce, and only for a registered kit's good signature.
    async fn caller(
        &self,
        method: &Method,
        path: &str,
        headers: &HeaderMap,
        body: Option<&[u8]>,
    ) -> Result<Caller, Failure> {
        let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
        let covered = Covered {
            method: method.as_str(),
            path,
            upload_offset: text("upload-offset"),
            upload_sha256: text("upload-sha256"),
            body_sha256: body.and_then(signing::body_digest),
        };
        let refused = |why: &'static str, message: String, retry: bool| {
            self.metrics.request_refused(why);
            Failure(StatusCode::UNAUTHORIZED, message, retry)
        };
        let signed =
            signing::verify(text(signing::HEADER), &covered).map_err(|e| refused("signature", e.to_string(), false))?;
        let now = super::now();
        let window = self.limits().clock_window_secs;
        if (signed.created - now).abs() > window {
            self.metrics.request_refused("stale");
            return Err(Failure(
                StatusCode::UNAUTHORIZED,
                format!(
                    "the request was signed at {} but the intake's time is {now}: more than {window} s apart; \
                     the kit sets its clock by the intake's health answer and tries again",
                    signed.created
                ),
                true,
            ));
        }
        let key = signed.key;
        let kit = self.blocking(move |db| db.kit(&key)).await?;
        let Some(kit) = kit else {
            self.metrics.request_refused("unregistered");
            return Err(Failure(
                StatusCode::FORBIDDEN,
                format!(
                    "kit key {} is not registered with the central office: the supervisor calls the central office",
                    signed.key.fingerprint()
                ),
                false,
            ));
        };
        if kit.state != KitState::Active {
            self.metrics.request_refused(kit.state.name());
            return Err(Failure(
                StatusCode::FORBIDDEN,
                format!(
                    "this kit is {} at the central office: nothing from it is taken; the supervisor calls the central office",
                    kit.state.name()
                ),
                false,
            ));
        }
        let (hex, nonce) = (signed.key.to_hex(), signed.nonce.clone());
        let forget = now - 2 * window;
        let fresh = self.blocking(move |db| db.use_nonce(&hex, &nonce, signed.created, forget)).await?;
        if !fresh {
            // A load balancer passing a request on to a second node after the first went down
            // sends it again too: harmless to refuse, and the kit signs the next one afresh.
            return Err(refused("replayed", "this request was sent before (a replay): it is refused".into(), true));
        }
        Ok(Caller { key: kit.public_key.to_hex(), kit })
    }

    /// [`Intake::caller`] for a batch route: the batch id must be well formed and carry the
    /// caller's centre and kit numbers.
    async fn batch_caller(
        &self,
        method: &Method,
        uri: &Uri,
        batch: &str,
        headers: &HeaderMap,
        body: Option<&[u8]>,
    ) -> Result<Caller, Failure> {
        if !valid_batch_id(batch) {
            return Err(Failure(
                StatusCode::BAD_REQUEST,
                format!("{batch:?} is not a batch id (letters, digits and '-')"),
                false,
            ));
        }
        let caller = self.caller(method, uri.path(), headers, body).await?;
        let prefix =
            format!("{}{}-", caller.kit.centre.as_deref().unwrap_or(""), caller.kit.kit.as_deref().unwrap_or(""));
        if !batch.starts_with(&prefix) {
            self.metrics.request_refused("batch_id");
            return Err(Failure(
                StatusCode::FORBIDDEN,
                format!("batch {batch} is not this kit's: its batch ids begin {prefix}"),
                false,
            ));
        }
        Ok(caller)
    }

    /// The caller's upload of `batch`.
    async fn upload_of(&self, caller: &Caller, batch: &str) -> Result<Upload, Failure> {
        let b = batch.to_string();
        let upload = self.blocking(move |db| db.upload(&b)).await?;
        match upload {
            Some(u) if u.kit_key == caller.key => Ok(u),
            Some(_) => Err(Failure(StatusCode::FORBIDDEN, format!("batch {batch} belongs to another kit"), false)),
            None => Err(Failure(
                StatusCode::NOT_FOUND,
                format!("no upload of batch {batch} is open: open it first (PUT)"),
                true,
            )),
        }
    }
}

/// Who sent a request.
struct Caller {
    key: String,
    kit: RegisteredKit,
}

pub(super) fn router(state: Shared) -> Router {
    Router::new()
        .route("/v1/health", get(health))
        .route("/v1/ready", get(ready))
        .route("/metrics", get(metrics))
        .route("/v1/uploads/{batch}", put(open).patch(append).get(status))
        .route("/v1/uploads/{batch}/finish", post(finish))
        .route("/v1/uploads/{batch}/receipt", get(receipt))
        .with_state(state)
        .layer(axum::middleware::from_fn(log_request))
}

/// One log line per request (target `enroll_kit::intake`): what was asked, the answer, how long
/// it took. The operator's view of kits arriving, failing and resuming; never a body, a name or
/// a key.
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

/// The answer an intake error becomes.
fn failure(e: IntakeError) -> Failure {
    match e {
        IntakeError::Refused { kind, message, retry } => {
            let status = match kind {
                Refusal::Bad => StatusCode::BAD_REQUEST,
                Refusal::Unauthenticated => StatusCode::UNAUTHORIZED,
                Refusal::Forbidden => StatusCode::FORBIDDEN,
                Refusal::NotFound => StatusCode::NOT_FOUND,
                Refusal::Conflict => StatusCode::CONFLICT,
                Refusal::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
                Refusal::Unprocessable => StatusCode::UNPROCESSABLE_ENTITY,
                Refusal::Quota => StatusCode::TOO_MANY_REQUESTS,
                Refusal::Full => StatusCode::INSUFFICIENT_STORAGE,
            };
            Failure(status, message, retry)
        }
        IntakeError::AuditHistory(_) => Failure(StatusCode::UNPROCESSABLE_ENTITY, e.to_string(), false),
        other => {
            tracing::error!("{other}");
            Failure(
                StatusCode::SERVICE_UNAVAILABLE,
                "the intake cannot reach its database just now; try again".into(),
                true,
            )
        }
    }
}

fn state(u: &Upload) -> UploadState {
    UploadState {
        batch_id: u.batch_id.clone(),
        size: u.size,
        sha256: u.sha256.clone(),
        received: u.received,
        finished: u.phase == Phase::Done,
        status: u.phase.as_str().to_string(),
        error: u.error.clone(),
    }
}

fn answer<T: serde::Serialize>(status: StatusCode, body: &T) -> Response {
    (status, axum::Json(body)).into_response()
}

async fn health(State(intake): State<Shared>) -> Response {
    answer(
        StatusCode::OK,
        &serde_json::json!({
            "service": "enroll-kit intake",
            "version": PROTOCOL_VERSION,
            "receipt_key": intake.config.signing_key.public().to_hex(),
            "now": super::now(),
        }),
    )
}

async fn ready(State(intake): State<Shared>) -> Response {
    match intake.blocking(|db| db.ping()).await {
        Ok(()) => answer(StatusCode::OK, &serde_json::json!({ "ready": true })),
        Err(_) => answer(StatusCode::SERVICE_UNAVAILABLE, &serde_json::json!({ "ready": false })),
    }
}

async fn metrics(State(intake): State<Shared>) -> Response {
    let spooled = intake.blocking(|db| db.spooled()).await.ok();
    let text = intake.metrics.render(spooled);
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
}

async fn open(
    State(intake): State<Shared>,
    UrlPath(batch): UrlPath<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let caller = match intake.batch_caller(&method, &uri, &batch, &headers, Some(&body)).await {
        Ok(c) => c,
        Err(f) => return f.into_response(),
    };
    let request: UploadRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return Failure(
                StatusCode::BAD_REQUEST,
                format!("the body must be {{\"size\": N, \"sha256\": HEX}}: {e}"),
                false,
            )
            .into_response();
        }
    };
    if request.sha256.len() != 64 || !request.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Failure(StatusCode::BAD_REQUEST, "sha256 must be 64 hex digits".into(), false).into_response();
    }
    let limits = intake.limits().clone();
    let sha256 = request.sha256.to_ascii_lowercase();
    let opened = intake
        .blocking(move |db| db.open_upload(&caller.key, &batch, request.size, &sha256, &limits, super::now()))
        .await;
    match opened {
        Ok(u) => {
            if u.received == 0 && u.phase == Phase::Open {
                intake.metrics.upload_opened();
            }
            answer(StatusCode::OK, &state(&u))
        }
        Err(f) => f.into_response(),
    }
}

async fn append(
    State(intake): State<Shared>,
    UrlPath(batch): UrlPath<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let caller = match intake.batch_caller(&method, &uri, &batch, &headers, None).await {
        Ok(c) => c,
        Err(f) => return f.into_response(),
    };
    let header_text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    let Some(offset) = header_text("upload-offset").and_then(|v| v.parse::<u64>().ok()) else {
        return Failure(StatusCode::BAD_REQUEST, "the Upload-Offset header (a byte count) is missing".into(), false)
            .into_response();
    };
    let Some(sha256) = header_text("upload-sha256").map(str::to_ascii_lowercase) else {
        return Failure(
            StatusCode::BAD_REQUEST,
            "the Upload-Sha256 header (the file's SHA-256) is missing".into(),
            false,
        )
        .into_response();
    };
    let upload = match intake.upload_of(&caller, &batch).await {
        Ok(u) => u,
        Err(f) => return f.into_response(),
    };
    if upload.sha256 != sha256 {
        return Failure(
            StatusCode::CONFLICT,
            "the intake holds another file for this batch: open the upload again".into(),
            true,
        )
        .into_response();
    }
    if upload.phase != Phase::Open || offset != upload.received {
        return answer(StatusCode::CONFLICT, &state(&upload));
    }
    let Ok(_slot) = intake.chunk_slots.acquire().await else {
        return Failure(StatusCode::SERVICE_UNAVAILABLE, "the intake is stopping".into(), true).into_response();
    };
    let room = (MAX_CHUNK as u64).min(upload.size - upload.received);
    let mut body = body;
    let mut at = offset;
    let mut piece: Vec<u8> = Vec::with_capacity(PIECE.min(room as usize));
    let mut taken: u64 = 0;
    let upload = Arc::new(upload);
    // Whatever arrived is kept, even from a cut chunk: the kit goes on from there.
    let keep = |piece: Vec<u8>, at: u64| {
        let u = upload.clone();
        intake.blocking(move |db| db.append(&u, at, &piece, super::now()))
    };
    let outcome: Result<(), Failure> = loop {
        let frame = match tokio::time::timeout(STALL, body.frame()).await {
            Err(_) => {
                break Err(Failure(StatusCode::REQUEST_TIMEOUT, "the chunk stalled: send the rest again".into(), true));
            }
            Ok(None) => break Ok(()),
            Ok(Some(Err(e))) => break Err(Failure(StatusCode::BAD_REQUEST, format!("the chunk was cut ({e})"), true)),
            Ok(Some(Ok(frame))) => frame,
        };
        let Ok(data) = frame.into_data() else { continue };
        if taken + data.len() as u64 > room {
            break Err(Failure(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("more bytes than the chunk limit ({MAX_CHUNK}) or the announced size ({})", upload.size),
                false,
            ));
        }
        taken += data.len() as u64;
        let mut data = &data[..];
        while !data.is_empty() {
            let n = data.len().min(PIECE - piece.len());
            piece.extend_from_slice(&data[..n]);
            data = &data[n..];
            if piece.len() == PIECE {
                let full = std::mem::replace(&mut piece, Vec::with_capacity(PIECE));
                let len = full.len() as u64;
                match keep(full, at).await {
                    Ok(next) => at = next,
                    Err(f) => return f.into_response(),
                }
                intake.metrics.bytes_received(len);
            }
        }
    };
    if !piece.is_empty() {
        let len = piece.len() as u64;
        match keep(piece, at).await {
            Ok(next) => at = next,
            Err(f) => return f.into_response(),
        }
        intake.metrics.bytes_received(len);
    }
    match outcome {
        Ok(()) => {
            let mut held = (*upload).clone();
            held.received = at;
            answer(StatusCode::OK, &state(&held))
        }
        Err(f) => f.into_response(),
    }
}

async fn status(
    State(intake): State<Shared>,
    UrlPath(batch): UrlPath<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let caller = match intake.batch_caller(&method, &uri, &batch, &headers, Some(b"")).await {
        Ok(c) => c,
        Err(f) => return f.into_response(),
    };
    match intake.upload_of(&caller, &batch).await {
        Ok(u) => answer(StatusCode::OK, &state(&u)),
        Err(f) => f.into_response(),
    }
}

async fn finish(
    State(intake): State<Shared>,
    UrlPath(batch): UrlPath<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let caller = match intake.batch_caller(&method, &uri, &batch, &headers, Some(b"")).await {
        Ok(c) => c,
        Err(f) => return f.into_response(),
    };
    let upload = match intake.upload_of(&caller, &batch).await {
        Ok(u) => u,
        Err(f) => return f.into_response(),
    };
    if upload.phase == Phase::Open {
        if upload.received < upload.size {
            return Failure(
                StatusCode::CONFLICT,
                format!("{} of {} bytes received: send the rest", upload.received, upload.size),
                true,
            )
            .into_response();
        }
        let b = batch.clone();
        if let Err(f) = intake.blocking(move |db| db.queue(&b, super::now())).await {
            return f.into_response();
        }
    }
    if matches!(upload.phase, Phase::Open | Phase::Queued | Phase::Finishing) {
        // A worker here looks now: at this batch, or at one a dead node left behind.
        intake.workers.wake();
    }
    receipt_or_state(&intake, &batch, &caller).await
}

async fn receipt(
    State(intake): State<Shared>,
    UrlPath(batch): UrlPath<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    match intake.batch_caller(&method, &uri, &batch, &headers, Some(b"")).await {
        Ok(caller) => receipt_or_state(&intake, &batch, &caller).await,
        Err(f) => f.into_response(),
    }
}

/// The receipt once the batch is stored (200), the state while it waits or is being stored
/// (202: ask again), or why it was refused (422).
async fn receipt_or_state(intake: &Shared, batch: &str, caller: &Caller) -> Response {
    let upload = match intake.upload_of(caller, batch).await {
        Ok(u) => u,
        Err(f) => return f.into_response(),
    };
    match upload.phase {
        Phase::Done => {
            let (b, s) = (upload.batch_id.clone(), upload.sha256.clone());
            match intake.blocking(move |db| db.receipt(&b, &s)).await {
                Ok(Some(receipt)) => ([(header::CONTENT_TYPE, "application/json")], receipt).into_response(),
                Ok(None) => {
                    Failure(StatusCode::SERVICE_UNAVAILABLE, "the receipt is not on record yet: ask again".into(), true)
                        .into_response()
                }
                Err(f) => f.into_response(),
            }
        }
        Phase::Refused => Failure(
            StatusCode::UNPROCESSABLE_ENTITY,
            upload.error.clone().unwrap_or_else(|| "the batch was refused".into()),
            false,
        )
        .into_response(),
        Phase::Open => answer(StatusCode::CONFLICT, &state(&upload)),
        Phase::Queued | Phase::Finishing => answer(StatusCode::ACCEPTED, &state(&upload)),
    }
}
