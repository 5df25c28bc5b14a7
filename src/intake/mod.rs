//! The central office's intake (`enroll-kit intake`): takes batches uploaded by kits (protocol in
//! [`crate::sync`]), verifies each with the same code as `enroll-kit verify`, stores the packets
//! by RID and answers with a receipt signed by the central office's Ed25519 key.
//!
//! Uploads in progress live in a spool dir (`BATCH.part` with the bytes so far, `BATCH.json` with
//! the size and SHA-256 announced), so a restart of the intake loses no bytes already received;
//! packets and receipts go to the database.

mod routes;
pub mod store;

use crate::packet::{KitKey, PublicKey};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use thiserror::Error;

/// Why the intake cannot start or serve.
#[derive(Debug, Error)]
pub enum IntakeError {
    /// A setting or a file it names.
    #[error("{0}")]
    Config(String),
    /// The database.
    #[error("the intake database: {0}")]
    Store(String),
    /// The spool dir.
    #[error("the spool dir: {0}")]
    Spool(String),
    /// The batch's audit log does not extend what the central office holds from its kit.
    #[error("refused: {0}. Nothing from this batch was stored; the kit must be examined")]
    AuditHistory(String),
}

/// Where packets and receipts are kept.
#[derive(Debug, Clone)]
pub enum Database {
    /// A SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL connection string.
    Postgres(String),
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
    /// Registered kits; `None` takes any kit whose signatures hold.
    pub registered: Option<Vec<PublicKey>>,
    /// Uploads in progress.
    pub spool: PathBuf,
    /// Packets and receipts.
    pub database: Database,
    /// A training intake (pilot keys) takes training batches only; a production one never does.
    pub training: bool,
}

/// A running intake.
pub struct RunningIntake {
    /// Where it listens.
    pub addr: SocketAddr,
    handle: axum_server::Handle<SocketAddr>,
    thread: Option<std::thread::JoinHandle<()>>,
    store: Arc<dyn store::IntakeStore>,
}

impl RunningIntake {
    /// Packets held (for tests and the operator's log).
    pub fn packet_count(&self) -> Result<u64, IntakeError> {
        self.store.packet_count()
    }

    /// Waits until the intake stops (it does not on its own).
    pub fn wait(mut self) {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }

    /// Stops it: open connections are dropped.
    pub fn stop(self) {
        drop(self);
    }
}

impl Drop for RunningIntake {
    fn drop(&mut self) {
        self.handle.shutdown();
        // Wait for the server to let go of its state inside the runtime, so that the store's last
        // reference (ours) is dropped here: PostgreSQL's blocking client may not be dropped
        // inside a runtime.
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Starts an intake on its own thread and runtime; returns once it listens.
pub fn start(config: IntakeConfig) -> Result<RunningIntake, IntakeError> {
    let tls = crate::sync::tls::server_config(&config.cert, &config.key).map_err(IntakeError::Config)?;
    std::fs::create_dir_all(&config.spool)
        .map_err(|e| IntakeError::Spool(format!("cannot make {}: {e}", config.spool.display())))?;
    let store: Arc<dyn store::IntakeStore> = match &config.database {
        Database::Sqlite(path) => Arc::new(store::SqliteIntake::open(path)?),
        Database::Postgres(url) => Arc::new(store::PostgresIntake::connect(url)?),
    };
    let listener = std::net::TcpListener::bind(config.listen)
        .map_err(|e| IntakeError::Config(format!("cannot listen on {}: {e}", config.listen)))?;
    listener.set_nonblocking(true).map_err(|e| IntakeError::Config(e.to_string()))?;
    let addr = listener.local_addr().map_err(|e| IntakeError::Config(e.to_string()))?;
    let state = routes::Intake::new(config, store.clone());
    let app = routes::router(state);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .thread_name("intake")
        .build()
        .map_err(|e| IntakeError::Config(format!("cannot start the server runtime: {e}")))?;
    // The server takes its listener into the runtime's reactor as it is made.
    let entered = runtime.enter();
    let handle = axum_server::Handle::<SocketAddr>::new();
    let server =
        axum_server::from_tcp_rustls(listener, axum_server::tls_rustls::RustlsConfig::from_config(Arc::new(tls)))
            .map_err(|e| IntakeError::Config(e.to_string()))?
            .handle(handle.clone());
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
    Ok(RunningIntake { addr, handle, thread: Some(thread), store })
}
