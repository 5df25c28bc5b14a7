//! A fault-injecting proxy on 127.0.0.1 for upload tests: it ends the kit's TLS with the test
//! intake certificate (so the kit's pin holds), opens its own TLS to the intake, and on each
//! connection, chosen by a seeded generator, passes bytes through, cuts the upload at a random
//! byte, cuts the answer, stalls, or answers 500 itself.

use enroll_kit::sync::tls::{pinned_client_config, server_config};
use rand::{RngExt, SeedableRng};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// What happened, for the test's report.
#[derive(Debug, Default)]
pub struct Counts {
    pub passed: AtomicU64,
    pub cut_up: AtomicU64,
    pub cut_down: AtomicU64,
    pub stalled: AtomicU64,
    pub errors_500: AtomicU64,
}

/// A running proxy.
pub struct FaultProxy {
    pub addr: SocketAddr,
    pub counts: Arc<Counts>,
    _runtime: tokio::runtime::Runtime,
}

#[derive(Debug, Clone, Copy)]
enum Fault {
    Pass,
    CutUp(u64),
    CutDown(u64),
    Stall(u64),
    Answer500,
}

/// Starts a proxy to the intake at `upstream`; `stall` is how long a stall lasts (longer than
/// the kit's timeout); faults hit about `fault_share` of the connections.
pub fn start(upstream: SocketAddr, pin: &str, keys: &Path, seed: u64, fault_share: f64, stall: Duration) -> FaultProxy {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let server = server_config(&keys.join("test-intake.crt"), &keys.join("test-intake.key")).unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(server));
    let connector = tokio_rustls::TlsConnector::from(pinned_client_config(pin).unwrap());
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap();
    let counts = Arc::new(Counts::default());
    let c = counts.clone();
    runtime.spawn(async move {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        loop {
            let Ok((tcp, _)) = listener.accept().await else { return };
            let fault = if rng.random::<f64>() >= fault_share {
                Fault::Pass
            } else {
                match rng.random_range(0..4) {
                    0 => Fault::CutUp(rng.random_range(0..600_000)),
                    1 => Fault::CutDown(rng.random_range(0..400)),
                    2 => Fault::Stall(rng.random_range(0..300_000)),
                    _ => Fault::Answer500,
                }
            };
            let (acceptor, connector, counts) = (acceptor.clone(), connector.clone(), c.clone());
            tokio::spawn(async move {
                let Ok(down) = acceptor.accept(tcp).await else { return };
                match fault {
                    Fault::Pass => counts.passed.fetch_add(1, Ordering::Relaxed),
                    Fault::CutUp(_) => counts.cut_up.fetch_add(1, Ordering::Relaxed),
                    Fault::CutDown(_) => counts.cut_down.fetch_add(1, Ordering::Relaxed),
                    Fault::Stall(_) => counts.stalled.fetch_add(1, Ordering::Relaxed),
                    Fault::Answer500 => counts.errors_500.fetch_add(1, Ordering::Relaxed),
                };
                if let Fault::Answer500 = fault {
                    answer_500(down).await;
                    return;
                }
                let Ok(tcp_up) = tokio::net::TcpStream::connect(upstream).await else { return };
                let name = rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap();
                let Ok(up) = connector.connect(name, tcp_up).await else { return };
                let (down_r, down_w) = tokio::io::split(down);
                let (up_r, up_w) = tokio::io::split(up);
                let (to_up, to_down, stall_at) = match fault {
                    Fault::CutUp(n) => (Some(n), None, None),
                    Fault::CutDown(n) => (None, Some(n), None),
                    Fault::Stall(n) => (None, None, Some(n)),
                    _ => (None, None, None),
                };
                // Whichever direction ends (or is cut) ends the connection, as a dropped link does.
                tokio::select! {
                    _ = pipe(down_r, up_w, to_up.or(stall_at), stall_at.map(|_| stall)) => {}
                    _ = pipe(up_r, down_w, to_down, None) => {}
                }
            });
        }
    });
    FaultProxy { addr, counts, _runtime: runtime }
}

/// Copies `from` to `to`; after `limit` bytes, stops (or, with `stall`, waits that long first).
async fn pipe(
    mut from: impl AsyncRead + Unpin,
    mut to: impl AsyncWrite + Unpin,
    limit: Option<u64>,
    stall: Option<Duration>,
) {
    let mut buf = vec![0u8; 16 * 1024];
    let mut moved = 0u64;
    loop {
        let room = limit.map_or(buf.len() as u64, |l| (l - moved).min(buf.len() as u64)) as usize;
        if room == 0 {
            if let Some(d) = stall {
                tokio::time::sleep(d).await;
            }
            return;
        }
        let n = match from.read(&mut buf[..room]).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        if to.write_all(&buf[..n]).await.is_err() {
            return;
        }
        let _ = to.flush().await;
        moved += n as u64;
    }
}

/// Reads the request head, then answers 500 as a failing front end would.
async fn answer_500(mut down: impl AsyncRead + AsyncWrite + Unpin) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 16 * 1024 {
        match down.read(&mut byte).await {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let body = br#"{"error":"injected by the test proxy","retry":true}"#;
    let answer = format!(
        "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = down.write_all(answer.as_bytes()).await;
    let _ = down.write_all(body).await;
    let _ = down.shutdown().await;
}
