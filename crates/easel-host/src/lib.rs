//! Hosting boards on the LAN: the relay server embedded in an installation, as `easel serve` and
//! the desktop app's "Host on this network" run it, and the discovery of such hosts over mDNS.
//!
//! - [`Host`]: binds an [`easel_relay::Server`] with its own room store (`<data dir>/host`),
//!   checks every peer's capability against the owner's key (or serves open rooms), writes peers'
//!   joins and refusals to the board's audit log, keeps the served boards in their rooms through
//!   the owner's own sync clients over loopback, picks up other processes' writes, and announces
//!   itself as `_easel._tcp.local.`.
//! - [`mdns`]: the announcement's TXT format, the announcement, and [`discover`].
//!
//! The owner reaches its own rooms like any peer would (a y-websocket client on loopback, with
//! the owner's key proof): the server code stays the relay's, and a board that also syncs with a
//! relay bridges the two, because each sync client forwards what the other brought in.
//!
//! Invariants: no Tauri and no terminal; warnings go to the caller's [`Warn`].

pub mod mdns;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use easel_core::sync::{self, SyncHandle, SyncOptions};
use easel_core::{Access, BoardSession, CommentsSession, Easel};
use easel_relay::{
    AuditSink, AuthEvent, Authorizer, CapabilityAuthorizer, Config, OpenAuthorizer, RelayStore,
    Server, StoreError,
};
use serde::Serialize;
use serde_json::json;
use tokio::sync::{Mutex, oneshot};
use tokio::task::JoinHandle;
use uuid::Uuid;

pub use mdns::FoundHost;

/// Why hosting or discovery failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The core refused (a board not found, not the owner's, no identity...).
    #[error(transparent)]
    Core(#[from] easel_core::Error),
    /// The room store's directory cannot be made.
    #[error("cannot create {}: {source}", path.display())]
    Dir {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The host's room store cannot be opened.
    #[error("cannot open the host's room store: {0}")]
    Store(StoreError),
    /// The address cannot be listened on (taken, or not this machine's).
    #[error("cannot serve on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: StoreError,
    },
    /// mDNS cannot start, announce or browse.
    #[error("{0}")]
    Mdns(String),
    /// The server failed, or did not stop in time.
    #[error("{0}")]
    Server(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Where a host's warnings go (a failed refresh, an audit entry not written): the CLI prints
/// them, the app logs them.
pub type Warn = Arc<dyn Fn(String) + Send + Sync>;

/// How long [`Host::stop`] waits for the server to drain.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// How a host listens and whom it lets in.
#[derive(Clone)]
pub struct HostConfig {
    /// `127.0.0.1:PORT` keeps it to this machine; `0.0.0.0:PORT` serves (and announces) on the
    /// LAN; port 0 picks a free one.
    pub listen: SocketAddr,
    /// When `listen`'s port is taken, listen on a free one instead of failing.
    pub any_port_if_taken: bool,
    /// Serve open rooms (anyone who reaches the port reads and writes) instead of checking
    /// links against the owner's key.
    pub open: bool,
    /// The directory of the host's own room store (`relay.db`).
    pub dir: PathBuf,
    /// How often the served sessions look for other processes' writes.
    pub poll: Duration,
    /// Most bytes one board's document may hold on the host (as the relay's
    /// `--max-board-bytes`).
    pub max_board_bytes: u64,
    /// Most bytes of image files one board may hold on the host (as the relay's
    /// `--max-board-file-bytes`).
    pub max_board_file_bytes: u64,
    pub warn: Warn,
}

impl HostConfig {
    /// Checked links, rooms in `dir`, a 500 ms poll, the relay's default quotas, warnings
    /// dropped.
    pub fn new(listen: SocketAddr, dir: PathBuf) -> HostConfig {
        HostConfig {
            listen,
            any_port_if_taken: false,
            open: false,
            dir,
            poll: Duration::from_millis(500),
            max_board_bytes: Config::new(listen, PathBuf::new()).max_doc_bytes,
            max_board_file_bytes: Config::new(listen, PathBuf::new()).max_board_file_bytes,
            warn: Arc::new(|_| {}),
        }
    }
}

/// A board to serve: its open sessions (the app's, or ones opened for the host).
#[derive(Clone)]
pub struct ServedBoard {
    pub board: Arc<Mutex<BoardSession>>,
    pub comments: Arc<Mutex<CommentsSession>>,
}

impl ServedBoard {
    /// Opens `board` and its comments as `actor`.
    pub async fn open(easel: &Easel, actor: Uuid, board: Uuid) -> Result<ServedBoard> {
        Ok(ServedBoard {
            board: Arc::new(Mutex::new(easel.open_board(actor, board).await?)),
            comments: Arc::new(Mutex::new(easel.open_comments(actor, board).await?)),
        })
    }
}

/// A board whose id changed when it was bound to the owner's key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rekeyed {
    pub from: Uuid,
    pub to: Uuid,
}

/// The boards to serve: `boards` (deduplicated), or every board `actor` owns when it is empty.
/// Unless `open`, each is bound to the owner's key first, since peers' links are checked
/// against it; a board made before the installation had an identity gets a new id, reported in
/// the second value (its old id stays an alias).
pub async fn boards_to_serve(
    easel: &Easel,
    actor: Uuid,
    boards: &[Uuid],
    open: bool,
) -> Result<(Vec<Uuid>, Vec<Rekeyed>)> {
    let mut ids: Vec<Uuid> = Vec::new();
    if boards.is_empty() {
        for b in easel.list_boards(actor, false).await? {
            if b.access == Access::Owner {
                ids.push(b.board.id);
            }
        }
    } else {
        for b in boards {
            if !ids.contains(b) {
                ids.push(*b);
            }
        }
    }
    let mut rekeyed = Vec::new();
    if !open {
        easel.identity().await?;
        for id in ids.iter_mut() {
            let (record, _, old) = easel.bind_board(actor, *id).await?;
            if let Some(from) = old {
                rekeyed.push(Rekeyed {
                    from,
                    to: record.id,
                });
            }
            *id = record.id;
        }
    }
    Ok((ids, rekeyed))
}

/// What a running host tells the UI and `easel serve --json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HostInfo {
    /// The name announced over mDNS (`Easel on NAME`), as [`discover`] lists it.
    pub name: String,
    /// The URL peers connect to (`ws://NAME.local:PORT` when listening on every interface).
    pub url: String,
    /// The address listened on.
    pub listen: SocketAddr,
    /// `ws://IP:PORT` for each of this machine's LAN addresses when listening on every
    /// interface (IPv4 first), for peers that cannot resolve `NAME.local`.
    pub lan_urls: Vec<String>,
    /// The served boards.
    pub boards: Vec<Uuid>,
    /// Whether peers' links are not checked.
    pub open: bool,
    /// Whether the host is announced over mDNS.
    pub announced: bool,
    /// Why it is not announced: listening on loopback only, or mDNS failed.
    pub not_announced: Option<String>,
}

/// A running host. [`Host::stop`] ends it cleanly; dropping it stops the sync clients and the
/// server without waiting.
pub struct Host {
    info: HostInfo,
    /// The owner's sync clients, by board: content, then comments.
    syncs: Vec<(Uuid, SyncHandle, SyncHandle)>,
    /// Withdrawn on stop (a goodbye packet), so browsers forget us at once.
    announcement: Option<mdns::Announcement>,
    /// Refreshes the served sessions.
    poller: JoinHandle<()>,
    stop_server: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<Result<(), StoreError>>>,
}

impl Host {
    /// Starts serving `boards` (whose ids must be bound to the owner's key unless
    /// `config.open`; see [`boards_to_serve`]) as `actor`.
    pub async fn start(
        easel: &Easel,
        actor: Uuid,
        boards: Vec<ServedBoard>,
        config: HostConfig,
    ) -> Result<Host> {
        let mut ids = Vec::with_capacity(boards.len());
        for b in &boards {
            ids.push(b.board.lock().await.board().id);
        }
        std::fs::create_dir_all(&config.dir).map_err(|source| Error::Dir {
            path: config.dir.clone(),
            source,
        })?;
        let mut relay_config = Config::new(config.listen, config.dir.clone());
        relay_config.max_doc_bytes = config.max_board_bytes;
        relay_config.max_board_file_bytes = config.max_board_file_bytes;
        let store = RelayStore::open(&relay_config.db_path(), relay_config.durability)
            .await
            .map_err(Error::Store)?;
        let authorizer: Arc<dyn Authorizer> = if config.open {
            Arc::new(OpenAuthorizer)
        } else {
            // Joins, refusals and refused writes go to the board's audit log.
            let core = easel.clone();
            let warn = config.warn.clone();
            let sink: AuditSink = Arc::new(move |event| {
                if let Some((board, action, detail)) = audit_entry(&event) {
                    let core = core.clone();
                    let warn = warn.clone();
                    tokio::spawn(async move {
                        if let Err(err) = core.record_peer_event(board, action, &detail).await {
                            warn(format!("cannot write the audit log: {err}"));
                        }
                    });
                }
            });
            CapabilityAuthorizer::load_with_audit(store.clone(), sink)
                .await
                .map_err(Error::Store)?
        };
        let server =
            match Server::bind_with_store(relay_config.clone(), store.clone(), authorizer.clone())
                .await
            {
                Err(StoreError::Io(e))
                    if e.kind() == std::io::ErrorKind::AddrInUse && config.any_port_if_taken =>
                {
                    let mut any = relay_config;
                    any.listen.set_port(0);
                    Server::bind_with_store(any, store, authorizer).await
                }
                other => other,
            }
            .map_err(|source| Error::Bind {
                addr: config.listen,
                source,
            })?;
        let addr = server.local_addr();
        let (stop_server, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(server.run(async move {
            let _ = stopped.await;
        }));

        // Our own sync clients reach the embedded server over loopback.
        let mut opts = SyncOptions::new(ws_url(loopback(addr)));
        opts.min_backoff = Duration::from_millis(100);
        opts.max_backoff = Duration::from_secs(2);
        let mut syncs = Vec::with_capacity(boards.len());
        for (b, id) in boards.iter().zip(&ids) {
            if !config.open {
                opts.auth = easel.sync_auth(actor, *id).await?;
            }
            syncs.push((
                *id,
                sync::start(b.board.clone(), opts.clone()),
                sync::start(b.comments.clone(), opts.clone()),
            ));
        }

        let (announcement, not_announced) = if addr.ip().is_loopback() {
            (None, Some("it listens on this machine only".to_string()))
        } else {
            let ids = ids.clone();
            match tokio::task::spawn_blocking(move || mdns::Announcement::start(addr, &ids)).await {
                Ok(Ok(a)) => (Some(a), None),
                Ok(Err(e)) => (None, Some(e.to_string())),
                Err(e) => (None, Some(format!("mDNS failed: {e}"))),
            }
        };
        let url = if addr.ip().is_unspecified() {
            format!("ws://{}.local:{}", mdns::host_name(), addr.port())
        } else {
            ws_url(addr)
        };
        let lan_urls = if addr.ip().is_unspecified() {
            lan_urls(addr.port())
        } else {
            Vec::new()
        };
        let poller = tokio::spawn(refresh(boards, config.poll, config.warn.clone()));
        Ok(Host {
            info: HostInfo {
                name: mdns::instance_name_of(&mdns::host_name()),
                url,
                listen: addr,
                lan_urls,
                boards: ids,
                open: config.open,
                announced: announcement.is_some(),
                not_announced,
            },
            syncs,
            announcement,
            poller,
            stop_server: Some(stop_server),
            server: Some(server),
        })
    }

    pub fn info(&self) -> &HostInfo {
        &self.info
    }

    /// The address listened on.
    pub fn local_addr(&self) -> SocketAddr {
        self.info.listen
    }

    /// The URL peers connect to.
    pub fn peer_url(&self) -> &str {
        &self.info.url
    }

    /// `ws://` on loopback, for clients on this machine.
    pub fn local_url(&self) -> String {
        ws_url(loopback(self.info.listen))
    }

    /// The owner's sync client of a served board's content (status, peers' presence).
    pub fn board_sync(&self, board: Uuid) -> Option<&SyncHandle> {
        self.syncs
            .iter()
            .find(|(id, _, _)| *id == board)
            .map(|(_, b, _)| b)
    }

    /// Withdraws the announcement, closes the owner's sync clients (everything they hold is
    /// already in the local store), and stops the server once its rooms are flushed.
    pub async fn stop(mut self) -> Result<()> {
        self.poller.abort();
        for (_, b, c) in std::mem::take(&mut self.syncs) {
            b.stop().await;
            c.stop().await;
        }
        if let Some(a) = self.announcement.take() {
            // Dropping says goodbye and waits for mDNS to answer: not on the async runtime.
            let _ = tokio::task::spawn_blocking(move || drop(a)).await;
        }
        if let Some(s) = self.stop_server.take() {
            let _ = s.send(());
        }
        let Some(server) = self.server.take() else {
            return Ok(());
        };
        match tokio::time::timeout(STOP_TIMEOUT, server).await {
            Ok(Ok(Ok(()))) => Ok(()),
            Ok(Ok(Err(err))) => Err(Error::Server(format!(
                "the server failed while stopping: {err}"
            ))),
            Ok(Err(err)) => Err(Error::Server(format!("the server failed: {err}"))),
            Err(_) => Err(Error::Server(format!(
                "the server did not stop within {}s",
                STOP_TIMEOUT.as_secs()
            ))),
        }
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        self.poller.abort();
        if let Some(s) = self.stop_server.take() {
            let _ = s.send(());
        }
    }
}

/// Hosts that answered on the LAN within `wait`, by name. Blocks: call it off the async
/// runtime (`spawn_blocking`).
pub fn discover(wait: Duration) -> Result<Vec<FoundHost>> {
    mdns::browse(wait)
}

fn ws_url(addr: SocketAddr) -> String {
    format!("ws://{addr}")
}

/// `ws://IP:PORT` for this machine's non-loopback addresses (IPv6 link-local ones need a zone,
/// which URLs cannot carry: left out), IPv4 first.
fn lan_urls(port: u16) -> Vec<String> {
    let mut ips: Vec<IpAddr> = if_addrs::get_if_addrs()
        .unwrap_or_default()
        .into_iter()
        .map(|i| i.ip())
        .filter(|ip| match ip {
            IpAddr::V4(v4) => !v4.is_loopback() && !v4.is_link_local(),
            IpAddr::V6(v6) => !v6.is_loopback() && !v6.is_unicast_link_local(),
        })
        .collect();
    ips.sort_by_key(|ip| (ip.is_ipv6(), *ip));
    ips.dedup();
    ips.into_iter()
        .map(|ip| ws_url(SocketAddr::new(ip, port)))
        .collect()
}

/// `addr` with an unspecified IP replaced by loopback.
fn loopback(addr: SocketAddr) -> SocketAddr {
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, addr.port())
}

/// Brings in what other processes write to the store; refreshing hands it to the sync clients.
async fn refresh(boards: Vec<ServedBoard>, every: Duration, warn: Warn) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        for b in &boards {
            let mut s = b.board.lock().await;
            if let Err(err) = s.refresh().await {
                warn(format!("cannot refresh {}: {err}", s.board().id));
            }
        }
        for b in &boards {
            let mut c = b.comments.lock().await;
            if let Err(err) = c.refresh().await {
                warn(format!(
                    "cannot refresh the comments of {}: {err}",
                    c.board().id
                ));
            }
        }
    }
}

/// What a hosting peer writes to a board's audit log for an authorization event.
fn audit_entry(event: &AuthEvent) -> Option<(Uuid, &'static str, serde_json::Value)> {
    match event {
        AuthEvent::Admitted { room, admission } if !admission.owner => Some((
            admission.board?,
            "peer.join",
            json!({ "room": room, "link_id": admission.link, "grant": format!("{:?}", admission.grant) }),
        )),
        AuthEvent::Admitted { .. } | AuthEvent::Registered { .. } => None,
        AuthEvent::Denied {
            room,
            board,
            reason,
        } => Some((
            (*board)?,
            "peer.denied",
            json!({ "room": room, "reason": reason }),
        )),
        AuthEvent::WriteRefused {
            room,
            admission,
            reason,
            count,
        } => Some((
            admission.board?,
            "peer.write_refused",
            json!({ "room": room, "link_id": admission.link, "reason": reason, "count": count }),
        )),
        AuthEvent::Revoked {
            board,
            link,
            closed,
        } => Some((
            *board,
            "link.revoke.applied",
            json!({ "link_id": link, "closed_connections": closed }),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a host on every interface offers peers besides `NAME.local`: this machine's
    /// reachable addresses (never loopback or link-local), IPv4 first, each with the port.
    #[test]
    fn lan_urls_are_this_machines_reachable_addresses() {
        let urls = lan_urls(8788);
        let ips: Vec<IpAddr> = urls
            .iter()
            .map(|u| {
                assert!(u.starts_with("ws://") && u.ends_with(":8788"), "{u}");
                let addr: SocketAddr = u["ws://".len()..].parse().unwrap();
                addr.ip()
            })
            .collect();
        assert!(ips.iter().all(|ip| !ip.is_loopback()), "{urls:?}");
        let first_v6 = ips.iter().position(IpAddr::is_ipv6).unwrap_or(ips.len());
        assert!(ips[first_v6..].iter().all(IpAddr::is_ipv6), "{urls:?}");
        // The same list as the interfaces give, in our order.
        let expected: usize = if_addrs::get_if_addrs()
            .unwrap()
            .iter()
            .map(|i| i.ip())
            .filter(|ip| match ip {
                IpAddr::V4(v4) => !v4.is_loopback() && !v4.is_link_local(),
                IpAddr::V6(v6) => !v6.is_loopback() && !v6.is_unicast_link_local(),
            })
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        assert_eq!(urls.len(), expected, "{urls:?}");
    }
}
