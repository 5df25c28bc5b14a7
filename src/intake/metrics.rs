//! The node's counters, served at `/metrics` in Prometheus' text format. Counts and reasons
//! only: never a RID, a name or a key.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Upper bounds (seconds) of the finish-latency histogram.
const BUCKETS: [f64; 8] = [1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0, 1800.0];

/// One node's counters since it started.
#[derive(Default)]
pub struct Metrics {
    uploads_opened: AtomicU64,
    bytes_received: AtomicU64,
    batches_stored: AtomicU64,
    packets_stored: AtomicU64,
    batches_refused: Mutex<BTreeMap<&'static str, u64>>,
    requests_refused: Mutex<BTreeMap<&'static str, u64>>,
    finish: Mutex<([u64; BUCKETS.len()], u64, f64)>,
}

fn bump(map: &Mutex<BTreeMap<&'static str, u64>>, reason: &'static str) {
    *map.lock().unwrap_or_else(std::sync::PoisonError::into_inner).entry(reason).or_default() += 1;
}

impl Metrics {
    /// A new upload was opened.
    pub fn upload_opened(&self) {
        self.uploads_opened.fetch_add(1, Ordering::Relaxed);
    }

    /// Bytes of chunks kept.
    pub fn bytes_received(&self, n: u64) {
        self.bytes_received.fetch_add(n, Ordering::Relaxed);
    }

    /// A batch stored, `waited` seconds after its last byte.
    pub fn batch_stored(&self, packets: usize, waited: f64) {
        self.batches_stored.fetch_add(1, Ordering::Relaxed);
        self.packets_stored.fetch_add(packets as u64, Ordering::Relaxed);
        let mut h = self.finish.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        for (i, bound) in BUCKETS.iter().enumerate() {
            if waited <= *bound {
                h.0[i] += 1;
            }
        }
        h.1 += 1;
        h.2 += waited;
    }

    /// A batch refused, and why.
    pub fn batch_refused(&self, reason: &'static str) {
        bump(&self.batches_refused, reason);
    }

    /// A request refused at the door, and why.
    pub fn request_refused(&self, reason: &'static str) {
        bump(&self.requests_refused, reason);
    }

    /// The text `/metrics` serves; `spooled` is (uploads open, bytes held) across all nodes.
    pub fn render(&self, spooled: Option<(u64, u64)>) -> String {
        let mut out = String::new();
        let mut counter = |name: &str, help: &str, value: u64| {
            let _ = write!(out, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}\n");
        };
        counter(
            "intake_uploads_opened_total",
            "Uploads opened on this node.",
            self.uploads_opened.load(Ordering::Relaxed),
        );
        counter(
            "intake_bytes_received_total",
            "Chunk bytes kept by this node.",
            self.bytes_received.load(Ordering::Relaxed),
        );
        counter(
            "intake_batches_stored_total",
            "Batches verified and stored by this node.",
            self.batches_stored.load(Ordering::Relaxed),
        );
        counter(
            "intake_packets_stored_total",
            "Packets in the batches this node stored.",
            self.packets_stored.load(Ordering::Relaxed),
        );
        for (name, help, map) in [
            ("intake_batches_refused_total", "Batches refused by this node, by reason.", &self.batches_refused),
            ("intake_requests_refused_total", "Requests refused at the door, by reason.", &self.requests_refused),
        ] {
            let _ = write!(out, "# HELP {name} {help}\n# TYPE {name} counter\n");
            for (reason, n) in map.lock().unwrap_or_else(std::sync::PoisonError::into_inner).iter() {
                let _ = writeln!(out, "{name}{{reason=\"{reason}\"}} {n}");
            }
        }
        if let Some((open, bytes)) = spooled {
            let _ = write!(
                out,
                "# HELP intake_uploads_open Uploads open on every node.\n# TYPE intake_uploads_open gauge\nintake_uploads_open {open}\n\
                 # HELP intake_bytes_spooled Bytes held for open uploads on every node.\n# TYPE intake_bytes_spooled gauge\nintake_bytes_spooled {bytes}\n"
            );
        }
        let h = self.finish.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let name = "intake_finish_seconds";
        let _ = write!(out, "# HELP {name} From the last byte to the receipt.\n# TYPE {name} histogram\n");
        for (bound, n) in BUCKETS.iter().zip(h.0) {
            let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {n}");
        }
        let _ = write!(out, "{name}_bucket{{le=\"+Inf\"}} {}\n{name}_sum {}\n{name}_count {}\n", h.1, h.2, h.1);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_counters_render_as_prometheus_text() {
        let m = Metrics::default();
        m.batch_stored(20, 3.0);
        m.batch_refused("invalid");
        m.request_refused("replayed");
        let text = m.render(Some((2, 4096)));
        for line in [
            "intake_packets_stored_total 20",
            "intake_batches_refused_total{reason=\"invalid\"} 1",
            "intake_requests_refused_total{reason=\"replayed\"} 1",
            "intake_bytes_spooled 4096",
            "intake_finish_seconds_bucket{le=\"2\"} 0",
            "intake_finish_seconds_bucket{le=\"5\"} 1",
            "intake_finish_seconds_count 1",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
        }
    }
}
