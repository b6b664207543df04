//! Counters and gauges, rendered as Prometheus text at `GET /metrics`.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// Why a message or a connection was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// easel-proto refused the bytes (close 1007).
    Malformed,
    /// A text frame (close 1003).
    TextFrame,
    /// A message over the size limit (close 1009).
    TooLarge,
    /// The per-connection message rate was exceeded (close 1008).
    RateLimited,
    /// A write from a read-only connection (answered with permission denied, not closed).
    WriteDenied,
    /// yrs refused an already validated update (close 1007).
    Rejected,
    /// Awareness entries for client ids another connection holds, removals of ids nobody
    /// holds, or ids past a connection's cap: dropped, the rest of the message applied.
    Awareness,
    /// A sync request from a connection whose answer to the previous one is still unsent
    /// (dropped: that answer, or a resync, covers it).
    Busy,
    /// Updates waiting for dependencies that never arrived, past the room's bound: dropped, and
    /// the connection that sent the last of them closed (1008).
    Pending,
    /// A write that would take the document past its storage quota (`max_doc_bytes`):
    /// dropped, and the connection closed (1008).
    Quota,
}

impl Refusal {
    const ALL: [Refusal; 10] = [
        Refusal::Malformed,
        Refusal::TextFrame,
        Refusal::TooLarge,
        Refusal::RateLimited,
        Refusal::WriteDenied,
        Refusal::Rejected,
        Refusal::Awareness,
        Refusal::Busy,
        Refusal::Pending,
        Refusal::Quota,
    ];

    fn label(self) -> &'static str {
        match self {
            Refusal::Malformed => "malformed",
            Refusal::TextFrame => "text_frame",
            Refusal::TooLarge => "too_large",
            Refusal::RateLimited => "rate_limited",
            Refusal::WriteDenied => "write_denied",
            Refusal::Rejected => "rejected",
            Refusal::Awareness => "awareness",
            Refusal::Busy => "busy",
            Refusal::Pending => "pending",
            Refusal::Quota => "quota",
        }
    }
}

/// Why a connection was refused before it joined a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnRefusal {
    /// The global connection cap was reached (HTTP 503).
    Cap,
    /// The per-IP connection cap was reached (HTTP 429).
    Throttle,
    /// Bad room path or the authorizer said no (HTTP 400 / 403).
    Denied,
    /// The handshake did not finish in time or failed.
    Handshake,
    /// The relay's memory budget was reached (HTTP 503), or the room the connection asked for
    /// would have taken it past the budget (close 1013).
    Memory,
}

/// The relay's metrics; every field is a plain atomic.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Open WebSocket connections (gauge).
    pub connections: AtomicU64,
    /// WebSocket connections ever accepted.
    pub connections_total: AtomicU64,
    /// Rooms held in memory (gauge).
    pub rooms_loaded: AtomicU64,
    /// Binary messages received.
    pub messages_in: AtomicU64,
    /// Binary messages sent.
    pub messages_out: AtomicU64,
    /// Bytes of binary messages received.
    pub bytes_in: AtomicU64,
    /// Bytes of binary messages sent.
    pub bytes_out: AtomicU64,
    /// Updates durably persisted.
    pub updates_persisted: AtomicU64,
    /// Compactions into a snapshot.
    pub compactions: AtomicU64,
    /// Slow clients whose queue was dropped and who were sent the full state instead.
    pub slow_resyncs: AtomicU64,
    /// Slow clients closed with 1013 after too many resyncs.
    pub slow_disconnects: AtomicU64,
    /// Connections closed for missing pongs.
    pub ping_timeouts: AtomicU64,
    /// Connections moved to their room's thread before the WebSocket handshake (see
    /// [`crate::Config::threads`]).
    pub connections_moved: AtomicU64,
    /// Times yrs failed (panicked) inside a room, applying a message or loading; each time the
    /// room closed its connections with 1011 and reloads from the store on the next join.
    pub room_failures: AtomicU64,
    /// What the relay holds in memory as it budgets it (gauge): loaded documents (stored size
    /// times [`crate::config::DOC_MEMORY_FACTOR`]) and unsent frames.
    pub memory_bytes: AtomicU64,
    /// The budget `memory_bytes` is held under ([`crate::Config::memory_budget`]).
    pub memory_budget: AtomicU64,
    refused: [AtomicU64; Refusal::ALL.len()],
    conn_refused: [AtomicU64; 5],
}

impl Metrics {
    /// Counts a refused message.
    pub fn refuse(&self, why: Refusal) {
        self.refused[why as usize].fetch_add(1, Relaxed);
    }

    /// Refused messages for one reason.
    pub fn refused(&self, why: Refusal) -> u64 {
        self.refused[why as usize].load(Relaxed)
    }

    /// Counts a refused connection.
    pub fn refuse_conn(&self, why: ConnRefusal) {
        self.conn_refused[why as usize].fetch_add(1, Relaxed);
    }

    /// Refused connections for one reason.
    pub fn conn_refused(&self, why: ConnRefusal) -> u64 {
        self.conn_refused[why as usize].load(Relaxed)
    }

    pub(crate) fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Relaxed);
    }

    pub(crate) fn sub(counter: &AtomicU64, n: u64) {
        counter.fetch_sub(n, Relaxed);
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let mut one = |name: &str, kind: &str, help: &str, v: &AtomicU64| {
            let _ = writeln!(out, "# HELP easel_relay_{name} {help}");
            let _ = writeln!(out, "# TYPE easel_relay_{name} {kind}");
            let _ = writeln!(out, "easel_relay_{name} {}", v.load(Relaxed));
        };
        one(
            "connections",
            "gauge",
            "Open WebSocket connections.",
            &self.connections,
        );
        one(
            "connections_total",
            "counter",
            "WebSocket connections accepted.",
            &self.connections_total,
        );
        one(
            "rooms_loaded",
            "gauge",
            "Rooms held in memory.",
            &self.rooms_loaded,
        );
        one(
            "messages_in_total",
            "counter",
            "Binary messages received.",
            &self.messages_in,
        );
        one(
            "messages_out_total",
            "counter",
            "Binary messages sent.",
            &self.messages_out,
        );
        one(
            "bytes_in_total",
            "counter",
            "Bytes of binary messages received.",
            &self.bytes_in,
        );
        one(
            "bytes_out_total",
            "counter",
            "Bytes of binary messages sent.",
            &self.bytes_out,
        );
        one(
            "updates_persisted_total",
            "counter",
            "Updates durably persisted.",
            &self.updates_persisted,
        );
        one(
            "compactions_total",
            "counter",
            "Room compactions into a snapshot.",
            &self.compactions,
        );
        one(
            "slow_client_resyncs_total",
            "counter",
            "Slow clients resynced with the full state.",
            &self.slow_resyncs,
        );
        one(
            "slow_client_disconnects_total",
            "counter",
            "Slow clients closed with 1013.",
            &self.slow_disconnects,
        );
        one(
            "ping_timeouts_total",
            "counter",
            "Connections closed for a missing pong.",
            &self.ping_timeouts,
        );
        one(
            "connections_moved_total",
            "counter",
            "Connections moved to their room's thread.",
            &self.connections_moved,
        );
        one(
            "room_failures_total",
            "counter",
            "Rooms reloaded from the store after yrs failed inside them.",
            &self.room_failures,
        );
        one(
            "memory_bytes",
            "gauge",
            "Memory the relay holds as it budgets it: loaded documents and unsent frames.",
            &self.memory_bytes,
        );
        one(
            "memory_budget_bytes",
            "gauge",
            "The memory budget: new connections and rooms are refused once it is reached.",
            &self.memory_budget,
        );
        let _ = writeln!(
            out,
            "# HELP easel_relay_refused_messages_total Messages refused, by reason."
        );
        let _ = writeln!(out, "# TYPE easel_relay_refused_messages_total counter");
        for r in Refusal::ALL {
            let _ = writeln!(
                out,
                "easel_relay_refused_messages_total{{reason=\"{}\"}} {}",
                r.label(),
                self.refused(r)
            );
        }
        let _ = writeln!(
            out,
            "# HELP easel_relay_refused_connections_total Connections refused, by reason."
        );
        let _ = writeln!(out, "# TYPE easel_relay_refused_connections_total counter");
        for (r, l) in [
            (ConnRefusal::Cap, "cap"),
            (ConnRefusal::Throttle, "throttle"),
            (ConnRefusal::Denied, "denied"),
            (ConnRefusal::Handshake, "handshake"),
            (ConnRefusal::Memory, "memory"),
        ] {
            let _ = writeln!(
                out,
                "easel_relay_refused_connections_total{{reason=\"{l}\"}} {}",
                self.conn_refused(r)
            );
        }
        out
    }
}
