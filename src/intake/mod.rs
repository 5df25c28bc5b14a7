//! The central office's intake (`enroll-kit intake`): takes batches uploaded by kits (protocol in
//! [`crate::sync`]), verifies each with the same code as `enroll-kit verify`, stores the packets
//! by RID and answers with a receipt signed by the central office's Ed25519 key.
//!
//! Everything lives in one database ([`store`]): the register of kits, uploads in progress and
//! their bytes, packets and receipts. Several intake nodes on one PostgreSQL behind a load
//! balancer are one intake: any node goes on with any upload, and a node killed mid-way loses
//! nothing another cannot finish.

pub mod db;
mod finish;
pub mod metrics;
mod routes;
pub mod store;

pub use store::{Database, IntakeDb, Limits, Refusal};

use crate::packet::KitKey;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use thiserror::Error;

/// Why the intake cannot start or serve, or refuses a request.
#[derive(Debug, Error)]
pub enum IntakeError {
    /// A setting or a file it names.
    #[error("{0}")]
    Config(String),
    /// The database.
    #[error("the intake database: {0}")]
    Store(String),
    /// The batch's audit log does not extend what the central office holds from its kit.
    #[error("refused: {0}. Nothing from this batch was stored; the kit must be examined")]
    AuditHistory(String),
    /// A request or a batch the intake will not take.
    #[error("{message}")]
    Refused {
        /// What kind of refusal (the HTTP status it becomes).
        kind: Refusal,
        /// What is wrong and what to do.
        message: String,
        /// Whether the same request may succeed later.
        retry: bool,
    },
}

/// What an intake needs.
pub struct IntakeConfig {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// TLS certificate chain (PEM).
    pub cert: PathBuf,
    /// Its private key (PEM).
    pub key: PathBuf,
    /// The central office's age identities (open batches).
    pub identities: Vec<Box<dyn age::Identity + Send + Sync>>,
    /// The central office's Ed25519 key (signs receipts).
    pub signing_key: KitKey,
    /// The register of kits, uploads in progress, packets and receipts: every node of one
    /// intake uses the same one.
    pub database: Database,
    /// A training intake (pilot keys) takes training batches only; a production one never does.
    pub training: bool,
    /// Quotas and timeouts.
    pub limits: Limits,
    /// Batches this node verifies and stores at once.
    pub finish_workers: usize,
}

/// The time the intake goes by (Unix seconds).
pub(crate) fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A running intake.
pub struct RunningIntake {
    /// Where it listens.
    pub addr: SocketAddr,
    handle: axum_server::Handle<SocketAddr>,
    thread: Option<std::thread::JoinHandle<()>>,
    db: IntakeDb,
    workers: Arc<finish::Workers>,
}

impl RunningIntake {
    /// Packets held (for tests and the operator's log).
    pub fn packet_count(&self) -> Result<u64, IntakeError> {
        self.db.packet_count()
    }

    /// Its database.
    pub fn db(&self) -> &IntakeDb {
        &self.db
    }

    /// Waits until the intake stops (it does not on its own).
    pub fn wait(mut self) {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }

    /// Stops it: open connections are dropped, a batch being stored is finished first.
    pub fn stop(self) {
        drop(self);
    }
}

impl Drop for RunningIntake {
    fn drop(&mut self) {
        self.handle.shutdown();
        // Wait for the server to let go of its state inside the runtime, so that the database's
        // last references are dropped outside it: PostgreSQL's blocking client may not be
        // dropped inside a runtime.
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        self.workers.stop();
    }
}

/// Starts an intake on its own thread and runtime; returns once it listens. It refuses to start
/// with no kit registered: an intake that takes any kit's batches is what it exists to prevent.
pub fn start(config: IntakeConfig) -> Result<RunningIntake, IntakeError> {
    let tls = crate::sync::tls::server_config(&config.cert, &config.key).map_err(IntakeError::Config)?;
    let db = IntakeDb::open(&config.database)?;
    if db.kits()?.is_empty() {
        return Err(IntakeError::Config(
            "no kit is registered: register the kits first (`enroll-kit intake kits add` or `kits import`); \
             an intake takes batches from registered kits only"
                .into(),
        ));
    }
    let listener = std::net::TcpListener::bind(config.listen)
        .map_err(|e| IntakeError::Config(format!("cannot listen on {}: {e}", config.listen)))?;
    listener.set_nonblocking(true).map_err(|e| IntakeError::Config(e.to_string()))?;
    let addr = listener.local_addr().map_err(|e| IntakeError::Config(e.to_string()))?;
    let workers = Arc::new(finish::Workers::default());
    let finish_workers = config.finish_workers;
    let state = routes::Intake::new(config, db.clone(), Arc::new(metrics::Metrics::default()), workers.clone());
    workers
        .start(&state, finish_workers)
        .map_err(|e| IntakeError::Config(format!("cannot start the finishing workers: {e}")))?;
    let app = routes::router(state);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        // Database calls wait for one of the pool's connections anyway: more threads would only
        // hold more chunks in memory while they wait.
        .max_blocking_threads(16)
        .enable_all()
        .thread_name("intake")
        .build()
        .map_err(|e| IntakeError::Config(format!("cannot start the server runtime: {e}")))?;
    // The server takes its listener into the runtime's reactor as it is made.
    let entered = runtime.enter();
    let handle = axum_server::Handle::<SocketAddr>::new();
    let mut server =
        axum_server::from_tcp_rustls(listener, axum_server::tls_rustls::RustlsConfig::from_config(Arc::new(tls)))
            .map_err(|e| IntakeError::Config(e.to_string()))?
            .handle(handle.clone());
    // Hundreds of kits connect at once in a burst: a small read buffer each keeps the node's
    // memory flat (chunks are read a piece at a time anyway).
    server.http_builder().http1().max_buf_size(64 << 10);
    drop(entered);
    let thread = std::thread::Builder::new()
        .name("intake".into())
        .spawn(move || {
            if let Err(e) = runtime.block_on(server.serve(app.into_make_service())) {
                tracing::error!("the intake stopped: {e}");
            }
        })
        .map_err(|e| IntakeError::Config(format!("cannot start the server thread: {e}")))?;
    tracing::info!("intake listening on https://{addr}");
    Ok(RunningIntake { addr, handle, thread: Some(thread), db, workers })
}
