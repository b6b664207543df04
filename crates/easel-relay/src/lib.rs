//! Easel's relay server: y-websocket rooms over [`easel_proto`], persisted in SQLite.
//!
//! - A room is the URL path (`ws://HOST:PORT/<board-uuid>` or `.../<board-uuid>/comments`);
//!   parameters (a capability, later) travel in the query string and are never logged.
//! - `GET /health` and `GET /metrics` (Prometheus text) are served on the same port: the
//!   server reads the request line (and replays it) before deciding whether to upgrade.
//! - With [`Config::tls`] the same port serves TLS (wss://, https://): the handshake runs in
//!   the connection's task, after the connection limits and under the handshake timeout.
//! - One task per room owns its [`easel_proto::Peer`] and handles messages in order; every
//!   network byte passes easel-proto's validator before yrs sees it. Applied updates are
//!   broadcast at once and committed to the store (group commit across rooms) behind them; a
//!   reply to one connection (e.g. the step 2 answering its step 1) is sent only once every
//!   update applied before it has committed, so it acknowledges them (see `room.rs`).
//! - Each connection has one task owning its socket, reading the client's messages and writing
//!   what its small bounded queue holds; a client whose queue overflows is resynced with the
//!   full state, and closed with 1013 after [`Config::max_resyncs`] resyncs.
//! - With [`Config::threads`] (the binary: one per core) rooms live on the server's own
//!   single-threaded runtimes, and each connection moves to its room's one before the
//!   WebSocket handshake (`shard.rs`).
//! - Close codes: 1003 text frame, 1007 malformed message (nothing applied, nothing stored),
//!   1008 rate limit or a board over its storage quota, 1009 message too big, 1011 storage failure, 1013 slow consumer, 1001
//!   shutdown.

mod auth;
pub mod capauth;
mod config;
mod metrics;
mod proxy;
mod queue;
mod room;
mod server;
mod shard;
mod store;
mod tls;

pub use auth::{
    Admission, AuthEvent, AuthMode, Authorizer, Denied, Grant, OpenAuthorizer, RevokeFuture,
    parse_query, valid_room,
};
pub use capauth::{AuditSink, CapabilityAuthorizer, RegistrationLimits};
pub use config::{Config, DOC_MEMORY_FACTOR};
pub use metrics::{ConnRefusal, Metrics, Refusal};
pub use proxy::{IpNet, IpNetError};
pub use server::Server;
pub use store::{AuthState, Durability, RelayStore, StoreError, StoredRoom};
pub use tls::{TlsSettings, TlsSetupError};
