//! `easel-relay`: the relay server binary.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use easel_relay::{AuthMode, Config, Durability, RelayStore, Server, TlsSettings};

/// Easel's relay: y-websocket rooms (ws://HOST:PORT/<board-uuid>[/comments]) persisted in
/// SQLite, with GET /health and GET /metrics on the same port. With --tls-cert and --tls-key
/// the port serves TLS instead (wss://, https://).
#[derive(Debug, Parser)]
#[command(name = "easel-relay", version)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8787")]
    listen: SocketAddr,
    /// Directory for the relay's database (default: EASEL_RELAY_DATA_DIR, else the platform
    /// data dir, ~/.local/share/easel-relay on Linux).
    #[arg(long)]
    data: Option<PathBuf>,
    /// Who may join rooms: `capabilities` (the default) serves boards to their owner and to
    /// holders of the owner's signed share links; `none` serves open rooms to anyone.
    #[arg(long, value_enum, default_value_t = AuthMode::Capabilities)]
    auth: AuthMode,
    /// Boards one address (an IPv6 /64; loopback exempt) may register in an hour.
    #[arg(long, default_value_t = easel_relay::RegistrationLimits::default().per_address)]
    registrations_per_address: u32,
    /// Boards one owner key may register in an hour.
    #[arg(long, default_value_t = easel_relay::RegistrationLimits::default().per_key)]
    registrations_per_key: u32,
    /// Largest WebSocket message accepted, in bytes.
    #[arg(long, default_value_t = 1 << 20)]
    max_message_bytes: usize,
    /// Most bytes one board's document may hold (snapshot plus updates); writes past it are
    /// refused (close 1008).
    #[arg(long, default_value_t = 64 << 20)]
    max_board_bytes: u64,
    /// Most bytes of image files one board may hold; uploads past it are refused.
    #[arg(long, default_value_t = 1 << 30)]
    max_board_file_bytes: u64,
    /// Memory the relay may hold, in bytes, as it estimates it (loaded boards and unsent
    /// data); new connections (HTTP 503) and rooms (close 1013) are refused past it.
    #[arg(long, default_value_t = 2 << 30)]
    memory_budget: u64,
    /// Most open connections.
    #[arg(long, default_value_t = 10_000)]
    max_connections: usize,
    /// Most open connections from one IP address.
    #[arg(long, default_value_t = 256)]
    max_connections_per_ip: usize,
    /// New connections per second one IP address may open (bursts up to --connect-burst).
    #[arg(long, default_value_t = 20.0)]
    connect_rate: f64,
    /// New connections one IP address may open at once.
    #[arg(long, default_value_t = 100.0)]
    connect_burst: f64,
    /// Sustained messages per second per connection.
    #[arg(long, default_value_t = 200.0)]
    message_rate: f64,
    /// Message burst per connection.
    #[arg(long, default_value_t = 400.0)]
    message_burst: f64,
    /// Seconds without connections after which a room is flushed and unloaded.
    #[arg(long, default_value_t = 30)]
    idle_room_secs: u64,
    /// Updates after which a room is compacted into a snapshot.
    #[arg(long, default_value_t = 500)]
    compact_every: u64,
    /// `full` fsyncs every commit (an acknowledged update survives a power cut); `normal`
    /// fsyncs at checkpoints only (it survives a killed process, not a power cut).
    #[arg(long, value_enum, default_value_t = DurabilityArg::Full)]
    durability: DurabilityArg,
    /// Serve TLS with this PEM certificate chain (the server's certificate first); needs
    /// --tls-key. Without both, plain ws:// (e.g. behind a TLS-terminating proxy).
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Threads serving connections and rooms (default: one per core). Each room and its
    /// connections stay on one thread; rooms spread over the threads.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024))]
    threads: Option<u16>,
    /// A reverse proxy (address or network, e.g. 127.0.0.1 or 10.0.0.0/8; repeat for more)
    /// whose X-Forwarded-For names the client: the per-address limits then apply to that
    /// client instead of to the proxy. Without it the header is ignored.
    #[arg(long = "trusted-proxy", value_name = "ADDR")]
    trusted_proxies: Vec<easel_relay::IpNet>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum DurabilityArg {
    Full,
    Normal,
}

// The main thread only accepts connections (and handles signals and the store's bookkeeping);
// connections and rooms run on the server's own threads (`Config::threads`).
#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let args = Args::parse();
    let data = match args.data {
        Some(d) => d,
        None => Config::default_data_dir().context(
            "no home directory for the relay's data; pass --data or set EASEL_RELAY_DATA_DIR",
        )?,
    };
    let mut config = Config::new(args.listen, data);
    config.max_message_bytes = args.max_message_bytes;
    config.max_doc_bytes = args.max_board_bytes;
    config.max_board_file_bytes = args.max_board_file_bytes;
    config.memory_budget = args.memory_budget;
    config.max_connections = args.max_connections;
    config.max_connections_per_ip = args.max_connections_per_ip;
    config.connect_rate_per_ip = args.connect_rate;
    config.connect_burst_per_ip = args.connect_burst;
    config.message_rate = args.message_rate;
    config.message_burst = args.message_burst;
    config.idle_room_timeout = Duration::from_secs(args.idle_room_secs);
    config.compact_every = args.compact_every;
    config.durability = match args.durability {
        DurabilityArg::Full => Durability::Full,
        DurabilityArg::Normal => Durability::Normal,
    };
    config.threads = match args.threads {
        Some(n) => n.into(),
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    config.trusted_proxies = args.trusted_proxies;
    if let (Some(cert), Some(key)) = (&args.tls_cert, &args.tls_key) {
        config.tls = Some(TlsSettings::from_files(cert, key).context("--tls-cert/--tls-key")?);
    }
    #[cfg(unix)]
    if let Some(tls) = config.tls.clone() {
        reload_on_sighup(tls)?;
    }
    let store = RelayStore::open(&config.db_path(), config.durability).await?;
    let limits = easel_relay::RegistrationLimits {
        per_address: args.registrations_per_address,
        per_key: args.registrations_per_key,
    };
    let authorizer = args.auth.authorizer_with(&store, limits).await?;
    let scheme = if config.tls.is_some() { "wss" } else { "ws" };
    tracing::info!(listen = %config.listen, auth = ?args.auth, scheme, threads = config.threads, "easel-relay starting");
    let server = Server::bind_with_store(config, store, authorizer).await?;
    server.run(shutdown_signal()).await?;
    Ok(())
}

/// SIGHUP reloads the TLS certificate and key from their files (as after a renewal); a
/// certificate that does not load is reported and the previous one stays.
#[cfg(unix)]
fn reload_on_sighup(tls: TlsSettings) -> anyhow::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut hup = signal(SignalKind::hangup()).context("cannot listen for SIGHUP")?;
    tokio::spawn(async move {
        while hup.recv().await.is_some() {
            match tls.reload() {
                Ok(()) => tracing::info!("SIGHUP: TLS certificate reloaded"),
                Err(e) => {
                    tracing::warn!(error = %e, "SIGHUP: the TLS certificate does not load; still serving the previous one")
                }
            }
        }
    });
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
