//! The relay's configuration.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::store::Durability;

/// How much memory a loaded document takes per byte it holds in the store, as the relay
/// budgets it: yrs keeps every item as a block with its ids, origins and content. Measured by
/// the join bench (`in_memory`): a 20k-element board of 5.1 MiB grows the process by 56 MiB
/// while yrs applies it (11x).
pub const DOC_MEMORY_FACTOR: u64 = 11;

/// Everything the server can be tuned with. [`Config::new`] gives production defaults.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on (`127.0.0.1:0` picks a free port; see [`crate::Server::local_addr`]).
    pub listen: SocketAddr,
    /// Directory holding `relay.db`.
    pub data_dir: PathBuf,
    /// SQLite durability of acknowledged updates.
    pub durability: Durability,
    /// Largest WebSocket message (and frame) accepted, in bytes; larger ones close with 1009.
    pub max_message_bytes: usize,
    /// Most open WebSocket connections; more are refused with HTTP 503.
    pub max_connections: usize,
    /// Most open connections from one IP address; more are refused with HTTP 429.
    pub max_connections_per_ip: usize,
    /// New connections per second one IP address may open (token bucket refill rate); faster
    /// ones are refused with HTTP 429, so one address cannot churn connections to load rooms.
    pub connect_rate_per_ip: f64,
    /// New connections one IP address may open in a burst (token bucket size).
    pub connect_burst_per_ip: f64,
    /// Sustained messages per second one connection may send (token bucket refill rate).
    pub message_rate: f64,
    /// Messages one connection may send in a burst (token bucket size). Exceeding the bucket
    /// closes the connection with 1008.
    pub message_burst: f64,
    /// Frames left unsent for one connection from earlier turns of its room before it counts
    /// as a slow consumer (one turn's frames are always taken by a queue that is not full).
    pub send_queue: usize,
    /// Bytes left unsent for one connection before it counts as a slow consumer (one frame
    /// bigger than this, the whole document, still goes to a queue below it).
    pub send_queue_bytes: usize,
    /// Bytes of updates a room keeps waiting for dependencies that never arrived before it
    /// drops them and closes the connection that sent the last (1008).
    pub max_pending_bytes: usize,
    /// Most bytes one document may hold in the store (its snapshot plus the updates after
    /// it): a write that would go past it is refused and its connection closed with 1008, the
    /// board left as it was. Updates that only delete are always taken, so a full board can be
    /// trimmed.
    pub max_doc_bytes: u64,
    /// Most bytes of image files one board may hold (each file counted once per board): an
    /// upload past it is refused (the connection stays open).
    pub max_board_file_bytes: u64,
    /// What the relay may hold in memory, as it estimates it: loaded documents (their stored
    /// size times [`DOC_MEMORY_FACTOR`]) plus every connection's unsent frames. New
    /// connections are refused (HTTP 503) once it is reached, and a room that would go past it
    /// is not loaded (its joiners closed with 1013, try again later).
    pub memory_budget: u64,
    /// Resyncs a slow consumer gets before it is closed with 1013.
    pub max_resyncs: u32,
    /// Time a client has to finish the HTTP/WebSocket handshake.
    pub handshake_timeout: Duration,
    /// Interval between pings.
    pub ping_interval: Duration,
    /// A connection that sent nothing (not even a pong) for this long is closed.
    pub pong_timeout: Duration,
    /// A room without connections for this long is flushed and dropped from memory.
    pub idle_room_timeout: Duration,
    /// Updates after which a room is compacted into a snapshot.
    pub compact_every: u64,
    /// tungstenite's read buffer size per connection: also the most one read system call takes.
    /// tungstenite zero-fills it, so each idle connection keeps it resident; a larger message
    /// grows it as needed, at one read per this many bytes.
    pub read_buffer_size: usize,
    /// tungstenite's write buffer size per connection.
    pub write_buffer_size: usize,
    /// Serve TLS (wss://, https://) with this certificate; `None` serves plain ws://.
    pub tls: Option<crate::tls::TlsSettings>,
    /// Threads of the relay's own to serve connections and rooms on (see `shard.rs`): each
    /// room and its connections stay on one of them. 0 (the default) serves on the runtime
    /// that calls [`crate::Server::run`], as an embedded server does; the `easel-relay` binary
    /// runs one per core.
    pub threads: usize,
    /// Reverse proxies whose `X-Forwarded-For` names the client: connections from them are
    /// limited per client address (connect rate, connections per address) instead of all
    /// counting as the proxy's. Empty: the header is ignored.
    pub trusted_proxies: Vec<crate::proxy::IpNet>,
}

impl Config {
    /// Production defaults, listening on `listen` and keeping data in `data_dir`.
    pub fn new(listen: SocketAddr, data_dir: PathBuf) -> Self {
        Config {
            listen,
            data_dir,
            durability: Durability::Full,
            max_message_bytes: 1 << 20,
            max_connections: 10_000,
            max_connections_per_ip: 256,
            connect_rate_per_ip: 20.0,
            connect_burst_per_ip: 100.0,
            message_rate: 200.0,
            message_burst: 400.0,
            send_queue: 64,
            send_queue_bytes: 8 * 1024 * 1024,
            max_pending_bytes: 4 * 1024 * 1024,
            max_doc_bytes: 64 * 1024 * 1024,
            max_board_file_bytes: 1 << 30,
            memory_budget: 2 * 1024 * 1024 * 1024,
            max_resyncs: 3,
            handshake_timeout: Duration::from_secs(5),
            ping_interval: Duration::from_secs(15),
            pong_timeout: Duration::from_secs(30),
            idle_room_timeout: Duration::from_secs(30),
            compact_every: 500,
            read_buffer_size: 1024,
            write_buffer_size: 8 * 1024,
            tls: None,
            threads: 0,
            trusted_proxies: Vec::new(),
        }
    }

    /// The default data directory: `EASEL_RELAY_DATA_DIR` if set, else the platform's
    /// (`~/.local/share/easel-relay` on Linux).
    pub fn default_data_dir() -> Option<PathBuf> {
        if let Some(dir) = std::env::var_os("EASEL_RELAY_DATA_DIR").filter(|d| !d.is_empty()) {
            return Some(PathBuf::from(dir));
        }
        directories::ProjectDirs::from("", "", "easel-relay").map(|p| p.data_dir().to_path_buf())
    }

    /// The database file.
    pub fn db_path(&self) -> PathBuf {
        self.data_dir.join("relay.db")
    }
}
