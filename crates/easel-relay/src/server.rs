//! The accept loop, HTTP endpoints, moving connections to their room's thread, and the one task
//! per connection that reads and writes it.

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{Sink, SinkExt, Stream, StreamExt};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, mpsc, oneshot};
use tokio::task::JoinSet;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::StatusCode;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Bytes, Error as WsError, Message};

use crate::auth::{Admission, AuthEvent, Authorizer, Denied, parse_query, valid_room};
use crate::config::Config;
use crate::metrics::{ConnRefusal, Metrics, Refusal};
use crate::queue::{ConnShared, Out};
use crate::room::{Registry, RoomCmd, RoomSettings};
use crate::shard::{Homes, Shards};
use crate::store::{RelayStore, StoreError};
use crate::tls::{Conn, TlsSettings};

/// How often a certificate read from files is checked for a renewal.
const TLS_RELOAD_CHECK: Duration = Duration::from_secs(60);

/// How long a closing connection waits for the client's close frame before dropping it.
const CLOSE_LINGER: Duration = Duration::from_secs(2);

/// Open connections per (board, share link): (connection id, its queue).
type LinkConns = HashMap<(Option<uuid::Uuid>, uuid::Uuid), Vec<(u64, std::sync::Weak<ConnShared>)>>;

/// A bound relay server; [`Server::run`] serves until its shutdown future completes.
pub struct Server {
    listener: TcpListener,
    ctx: Arc<Ctx>,
    store: RelayStore,
    /// The relay's own threads ([`Config::threads`]); `None` serves on the caller's runtime.
    shards: Option<Shards>,
}

struct Ctx {
    config: Config,
    authorizer: Arc<dyn Authorizer>,
    metrics: Arc<Metrics>,
    registry: Arc<Registry>,
    ws_config: WebSocketConfig,
    next_conn: AtomicU64,
    per_ip: Mutex<HashMap<IpAddr, usize>>,
    /// New-connection token buckets per address: (tokens, last refill).
    connect_buckets: Mutex<HashMap<IpAddr, (f64, std::time::Instant)>>,
    /// Open connections admitted by each share link, so revoking the link closes them.
    links: Mutex<LinkConns>,
    /// The shards connections and rooms run on, when the server has its own threads.
    homes: Option<Homes>,
    /// Rooms' files live in the store's log (`files`, `doc_files`), served by connections.
    store: RelayStore,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("listen", &self.listener.local_addr().ok())
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

impl Server {
    /// Opens the store in `config.data_dir` and binds the listener.
    pub async fn bind(
        config: Config,
        authorizer: Arc<dyn Authorizer>,
    ) -> Result<Server, StoreError> {
        let store = RelayStore::open(&config.db_path(), config.durability).await?;
        Self::bind_with_store(config, store, authorizer).await
    }

    /// Binds with a store opened already (`config.db_path()`), for an authorizer that keeps
    /// its state in it.
    pub async fn bind_with_store(
        config: Config,
        store: RelayStore,
        authorizer: Arc<dyn Authorizer>,
    ) -> Result<Server, StoreError> {
        let listener = TcpListener::bind(config.listen).await?;
        let shards = match config.threads {
            0 => None,
            n => Some(Shards::start(n)?),
        };
        let homes = shards.as_ref().map(Shards::homes);
        let metrics = Arc::new(Metrics::default());
        metrics.memory_budget.store(config.memory_budget, Relaxed);
        let limits = easel_proto::Limits {
            max_message_bytes: config.max_message_bytes,
            ..Default::default()
        };
        let registry = Registry::new(RoomSettings {
            limits,
            max_resyncs: config.max_resyncs,
            idle_timeout: config.idle_room_timeout,
            compact_every: config.compact_every.max(1),
            // A holder that missed a pong is most likely gone: its client reconnecting on a new
            // connection (same awareness id) need not wait for the pong timeout to close it.
            awareness_takeover_after: config.ping_interval,
            max_pending_bytes: config.max_pending_bytes,
            max_doc_bytes: config.max_doc_bytes,
            memory_budget: config.memory_budget,
            store: store.clone(),
            metrics: metrics.clone(),
            authorizer: authorizer.clone(),
            homes: homes.clone(),
        });
        let ws_config = WebSocketConfig::default()
            .read_buffer_size(config.read_buffer_size)
            .write_buffer_size(config.write_buffer_size)
            // Outgoing frames can exceed max_message_bytes (a resync carries the full state); the
            // writer flushes after each burst, so the buffer holds at most one queue's worth.
            .max_write_buffer_size(usize::MAX)
            .max_message_size(Some(config.max_message_bytes))
            .max_frame_size(Some(config.max_message_bytes));
        Ok(Server {
            listener,
            ctx: Arc::new(Ctx {
                config,
                authorizer,
                metrics,
                registry,
                ws_config,
                next_conn: AtomicU64::new(1),
                per_ip: Mutex::new(HashMap::new()),
                connect_buckets: Mutex::new(HashMap::new()),
                links: Mutex::new(HashMap::new()),
                homes,
                store: store.clone(),
            }),
            store,
            shards,
        })
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// The server's metrics.
    pub fn metrics(&self) -> Arc<Metrics> {
        self.ctx.metrics.clone()
    }

    /// The server's store.
    pub fn store(&self) -> RelayStore {
        self.store.clone()
    }

    /// Serves until `shutdown` completes, then stops accepting, flushes every room to disk,
    /// closes every connection with 1001 and returns.
    pub async fn run(self, shutdown: impl Future<Output = ()>) -> Result<(), StoreError> {
        let Server {
            listener,
            ctx,
            store,
            shards,
        } = self;
        tracing::info!(listen = %listener.local_addr()?, "easel-relay listening");
        let cap = Arc::new(Semaphore::new(ctx.config.max_connections));
        let mut tasks = JoinSet::new();
        tokio::pin!(shutdown);
        // A certificate read from files is reloaded when they change (renewals).
        let mut tls_check = tokio::time::interval_at(
            tokio::time::Instant::now() + TLS_RELOAD_CHECK,
            TLS_RELOAD_CHECK,
        );
        let reloadable = ctx.config.tls.as_ref().filter(|t| t.reloadable()).cloned();
        loop {
            let (stream, addr) = tokio::select! {
                _ = &mut shutdown => break,
                _ = tls_check.tick(), if reloadable.is_some() => {
                    if let Some(tls) = &reloadable {
                        match tls.reload_if_changed() {
                            Ok(true) => tracing::info!("TLS certificate reloaded: its files changed"),
                            Ok(false) => {}
                            Err(e) => tracing::warn!(error = %e, "the changed TLS certificate does not load; still serving the previous one"),
                        }
                    }
                    continue;
                }
                r = listener.accept() => match r {
                    Ok(x) => x,
                    Err(e) => {
                        // Out of file descriptors and the like: back off instead of spinning.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
            };
            while tasks.try_join_next().is_some() {}
            let _ = stream.set_nodelay(true);
            // Refusals come before any TLS work.
            if ctx.metrics.memory_bytes.load(Relaxed) >= ctx.config.memory_budget {
                refuse_at_accept(
                    &ctx,
                    &mut tasks,
                    stream,
                    ConnRefusal::Memory,
                    503,
                    "the server is at its memory budget; try again later",
                );
                continue;
            }
            let Ok(permit) = cap.clone().try_acquire_owned() else {
                refuse_at_accept(
                    &ctx,
                    &mut tasks,
                    stream,
                    ConnRefusal::Cap,
                    503,
                    "connection limit reached",
                );
                continue;
            };
            // Behind a trusted proxy the per-address limits wait for the request's
            // X-Forwarded-For (in the handshake); the proxy itself is only under the cap.
            let proxied = crate::proxy::trusted(&ctx.config.trusted_proxies, addr.ip());
            let ip_guard = if proxied {
                None
            } else {
                match address_admits(&ctx, addr.ip()) {
                    Ok(g) => Some(g),
                    Err(why) => {
                        refuse_at_accept(&ctx, &mut tasks, stream, ConnRefusal::Throttle, 429, why);
                        continue;
                    }
                }
            };
            let slot = Slot {
                ip: ip_guard,
                proxied,
                _permit: permit,
            };
            let ctx2 = ctx.clone();
            match &ctx.homes {
                None => {
                    tasks.spawn(async move { handle_tcp(&ctx2, stream, addr, slot).await });
                }
                // The connection starts on the next shard (its room is not known yet): taken
                // off this runtime, registered with that one.
                Some(homes) => match stream.into_std() {
                    Ok(std) => {
                        tasks.spawn_on(
                            async move {
                                if let Ok(stream) = TcpStream::from_std(std) {
                                    handle_tcp(&ctx2, stream, addr, slot).await;
                                }
                            },
                            homes.next(),
                        );
                    }
                    Err(e) => tracing::warn!(error = %e, "cannot hand a connection to a shard"),
                },
            }
        }
        drop(listener);
        tracing::info!("shutting down: flushing rooms");
        let rooms = ctx.registry.close();
        let waits = rooms.into_iter().map(|tx| async move {
            let (done, rx) = oneshot::channel();
            if tx.send(RoomCmd::Shutdown { done }).await.is_ok() {
                let _ = rx.await;
            }
        });
        futures_util::future::join_all(waits).await;
        // Every connection holds a permit until it ends, wherever it runs (a connection moved to
        // its room's shard is no longer in `tasks`).
        let max = u32::try_from(ctx.config.max_connections).unwrap_or(u32::MAX);
        let drained = tokio::time::timeout(Duration::from_secs(5), async {
            while tasks.join_next().await.is_some() {}
            let _ = cap.acquire_many(max).await;
        })
        .await;
        if drained.is_err() {
            tasks.abort_all();
        }
        store.close().await;
        if let Some(shards) = shards {
            shards.stop().await;
        }
        tracing::info!("shut down");
        Ok(())
    }
}

/// Counts a connection refused at accept and, on a plain port, answers it in HTTP. On a TLS
/// port it is a plain close: an HTTP answer would need a TLS handshake, the very cost the limits
/// are there to refuse.
fn refuse_at_accept(
    ctx: &Ctx,
    tasks: &mut JoinSet<()>,
    stream: TcpStream,
    why: ConnRefusal,
    status: u16,
    reason: &'static str,
) {
    ctx.metrics.refuse_conn(why);
    if ctx.config.tls.is_none() {
        tasks.spawn(refuse_http(stream, status, reason));
    }
}

/// The per-address limits for a new connection from `ip`: its place in the address's count, or
/// why it is refused.
fn address_admits(ctx: &Arc<Ctx>, ip: IpAddr) -> Result<IpGuard, &'static str> {
    let ip = limited_address(ip);
    if !connect_allowed(ctx, ip) {
        return Err("connecting too often from this address");
    }
    IpGuard::acquire(ctx, ip).ok_or("too many connections from this address")
}

/// The address the per-address limits count: an IPv6 client by its /64 (one subscriber gets a
/// whole /64 and can pick any address in it), an IPv4-mapped IPv6 address as the IPv4 one.
fn limited_address(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(std::net::Ipv6Addr::from_bits(
                v6.to_bits() & !((1u128 << 64) - 1),
            )),
        },
        v4 => v4,
    }
}

/// Takes a token from `ip`'s new-connection bucket; false when it is empty.
fn connect_allowed(ctx: &Ctx, ip: IpAddr) -> bool {
    let now = std::time::Instant::now();
    let (rate, burst) = (
        ctx.config.connect_rate_per_ip,
        ctx.config.connect_burst_per_ip,
    );
    let mut m = ctx
        .connect_buckets
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    if m.len() > 65_536 {
        // Forget addresses whose bucket has refilled: they are back to the default anyway.
        m.retain(|_, (tokens, at)| *tokens + at.elapsed().as_secs_f64() * rate < burst);
    }
    let (tokens, at) = m.entry(ip).or_insert((burst, now));
    *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * rate).min(burst);
    *at = now;
    if *tokens >= 1.0 {
        *tokens -= 1.0;
        true
    } else {
        false
    }
}

struct IpGuard {
    ctx: Arc<Ctx>,
    ip: IpAddr,
}

impl IpGuard {
    fn acquire(ctx: &Arc<Ctx>, ip: IpAddr) -> Option<IpGuard> {
        let mut m = ctx.per_ip.lock().unwrap_or_else(|p| p.into_inner());
        let n = m.entry(ip).or_insert(0);
        if *n >= ctx.config.max_connections_per_ip {
            return None;
        }
        *n += 1;
        Some(IpGuard {
            ctx: ctx.clone(),
            ip,
        })
    }
}

impl Drop for IpGuard {
    fn drop(&mut self) {
        let mut m = self.ctx.per_ip.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = m.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                m.remove(&self.ip);
            }
        }
    }
}

async fn refuse_http(mut stream: TcpStream, status: u16, reason: &str) {
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        let _ = stream
            .write_all(http_response(status, "text/plain", reason).as_bytes())
            .await;
        let _ = stream.shutdown().await;
    })
    .await;
}

fn http_response(status: u16, content_type: &str, body: &str) -> String {
    let text = StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    format!(
        "HTTP/1.1 {status} {text}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    )
}

/// The TLS handshake, under the handshake timeout. A client speaking plain HTTP to the TLS
/// port is told to use wss:// (its first byte is a letter, a TLS hello's is 0x16).
async fn tls_accept(ctx: &Ctx, tls: &TlsSettings, stream: TcpStream) -> Option<Conn> {
    let accepted = tokio::time::timeout(ctx.config.handshake_timeout, async {
        let mut first = [0u8; 1];
        if stream.peek(&mut first).await.ok()? == 0 {
            return None;
        }
        if first[0].is_ascii_alphabetic() {
            refuse_http(
                stream,
                400,
                "this relay serves TLS on this port: use wss:// (or https://)",
            )
            .await;
            return None;
        }
        match tls.acceptor().accept(Conn::tcp(stream)).await {
            Ok(s) => Some(s),
            Err(e) => {
                tracing::debug!(error = %e, "TLS handshake failed");
                None
            }
        }
    })
    .await;
    match accepted {
        Ok(Some(s)) => Some(Conn::tls(s)),
        _ => {
            ctx.metrics.refuse_conn(ConnRefusal::Handshake);
            None
        }
    }
}

async fn handle_tcp(ctx: &Arc<Ctx>, stream: TcpStream, addr: SocketAddr, slot: Slot) {
    // Each phase runs in its own allocation, freed when it is done: what an open connection's
    // task keeps is a few pointers, and serving keeps only what serving needs.
    let Some((conn, line)) = boxed(request_line(ctx, stream)).await else {
        return;
    };
    // With shards, the connection moves to its room's shard now, before the WebSocket handshake.
    if let Some(homes) = &ctx.homes
        && let Some(room) = request_room(&line)
        && let Some(home) = homes.elsewhere(room)
    {
        let mut conn = conn;
        match conn.detach() {
            Ok(std) => {
                Metrics::add(&ctx.metrics.connections_moved, 1);
                let ctx = ctx.clone();
                home.spawn(async move {
                    if conn.attach(std).is_ok() {
                        serve_conn(&ctx, conn, line, addr, slot).await;
                    }
                });
            }
            Err(e) => tracing::warn!(error = %e, "cannot move a connection to its room's shard"),
        }
        return;
    }
    serve_conn(ctx, conn, line, addr, slot).await;
}

/// `fut` on the heap, made outside the caller's own future: awaiting it there costs the caller
/// a pointer, not the callee's size for as long as it runs.
fn boxed<'a, T>(
    fut: impl Future<Output = T> + Send + 'a,
) -> std::pin::Pin<Box<dyn Future<Output = T> + Send + 'a>> {
    Box::pin(fut)
}

/// The TLS handshake (on a TLS port) and the request's first line, under the handshake timeout.
async fn request_line(ctx: &Arc<Ctx>, stream: TcpStream) -> Option<(Conn, String)> {
    let mut conn = match &ctx.config.tls {
        None => Conn::plain(stream),
        Some(tls) => tls_accept(ctx, tls, stream).await?,
    };
    match tokio::time::timeout(ctx.config.handshake_timeout, conn.read_request_line(512)).await {
        Ok(Ok(Some(line))) => Some((conn, line)),
        _ => {
            ctx.metrics.refuse_conn(ConnRefusal::Handshake);
            None
        }
    }
}

/// Admits the request (answering `/health` and `/metrics`, or refusing) and serves the
/// connection that joined a room; gives its slot back at the end. Small: what it awaits is
/// boxed, so an open connection's task keeps little more than its slot.
async fn serve_conn(ctx: &Arc<Ctx>, conn: Conn, line: String, addr: SocketAddr, mut slot: Slot) {
    if let Some(serving) = boxed(admit(ctx, conn, line, addr, &mut slot)).await {
        serving.await;
    }
    drop(slot);
}

/// The room a request line (`GET /<room>?query HTTP/1.1`) asks for, if it names a valid one
/// (`/health` and `/metrics` are not rooms).
fn request_room(line: &str) -> Option<&str> {
    let target = line.split(' ').nth(1)?;
    let path = target.split('?').next()?;
    let room = path.strip_prefix('/')?;
    (valid_room(room) && !http_endpoint(path)).then_some(room)
}

/// The paths answered in plain HTTP on the relay's port.
fn http_endpoint(path: &str) -> bool {
    path == "/health" || path == "/metrics"
}

/// What admitted a connection (its place under the connection cap and its address's count),
/// given back when the connection ends.
struct Slot {
    /// Its address's count; for a connection through a trusted proxy, taken at the handshake
    /// for the client's address.
    ip: Option<IpGuard>,
    /// It came from a trusted proxy.
    proxied: bool,
    _permit: tokio::sync::OwnedSemaphorePermit,
}

/// Handles a request whose first line has been read: `/health`, `/metrics`, a refusal, or a
/// connection that joined its room, returned as the future that serves it.
async fn admit<'a>(
    ctx: &'a Arc<Ctx>,
    conn: Conn,
    line: String,
    addr: SocketAddr,
    slot: &mut Slot,
) -> Option<Pin<Box<dyn Future<Output = ()> + Send + 'a>>> {
    let (ws, room, decision) = handshake(ctx, conn, line, addr, slot).await?;
    match decision {
        Ok(admission) => {
            ctx.authorizer.record(AuthEvent::Admitted {
                room: room.clone(),
                admission: admission.clone(),
            });
            // The client's address: behind a trusted proxy, the one it named.
            let client = slot.ip.as_ref().map_or(addr.ip(), |g| g.ip);
            let joined = join_room(ctx, ws, room, admission, client).await?;
            Some(boxed(joined.serve(ctx)))
        }
        Err(denied) => {
            ctx.metrics.refuse_conn(ConnRefusal::Denied);
            ctx.authorizer.record(AuthEvent::Denied {
                board: crate::capauth::board_room(&room).map(|(b, _)| b),
                room,
                reason: denied.0.clone(),
            });
            refuse_ws(ws, &denied.0).await;
            None
        }
    }
}

/// Given the request line read already: answers `/health` and `/metrics` (returning `None`); otherwise completes
/// the WebSocket handshake and returns the socket, its room and the authorizer's decision.
async fn handshake(
    ctx: &Arc<Ctx>,
    mut stream: Conn,
    line: String,
    addr: SocketAddr,
    slot: &mut Slot,
) -> Option<(WebSocketStream<Conn>, String, Result<Admission, Denied>)> {
    let mut parts = line.split(' ');
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let path = target.split('?').next().unwrap_or("");
    if method == "GET" && http_endpoint(path) {
        // Consume the request head, then answer and close.
        let _ =
            tokio::time::timeout(ctx.config.handshake_timeout, stream.read_head(16 * 1024)).await;
        let resp = if path == "/health" {
            http_response(200, "text/plain", "ok")
        } else {
            http_response(200, "text/plain; version=0.0.4", &ctx.metrics.render())
        };
        let _ = tokio::time::timeout(ctx.config.handshake_timeout, async {
            let _ = stream.write_all(resp.as_bytes()).await;
            let _ = stream.shutdown().await;
        })
        .await;
        return None;
    }
    let mut admitted: Option<(String, Result<Admission, Denied>)> = None;
    let authorizer = &ctx.authorizer;
    let mut throttled = false;
    let proxied = slot.proxied;
    let ip_guard = &mut slot.ip;
    // The callback's signature is tungstenite's; its error type is not ours to box.
    #[allow(clippy::result_large_err)]
    let callback = |req: &Request, resp: Response| -> Result<Response, ErrorResponse> {
        if proxied {
            // The per-address limits, for the client the trusted proxy names.
            let ip = crate::proxy::client_ip(addr.ip(), req.headers(), &ctx.config.trusted_proxies);
            match address_admits(ctx, ip) {
                Ok(g) => *ip_guard = Some(g),
                Err(why) => {
                    // Counted before the answer is written: whoever reads the 429 sees it.
                    throttled = true;
                    ctx.metrics.refuse_conn(ConnRefusal::Throttle);
                    return Err(error_response(StatusCode::TOO_MANY_REQUESTS, why));
                }
            }
        }
        let client = if proxied {
            crate::proxy::client_ip(addr.ip(), req.headers(), &ctx.config.trusted_proxies)
        } else {
            addr.ip()
        };
        let path = req.uri().path();
        let room = path.strip_prefix('/').unwrap_or(path);
        if !valid_room(room) {
            return Err(error_response(StatusCode::BAD_REQUEST, "invalid room name"));
        }
        let query = parse_query(req.uri().query().unwrap_or(""));
        // A refusal is still upgraded: the client gets the y-websocket auth message with the
        // reason, then a close frame, which stock clients report (an HTTP 403 they retry).
        admitted = Some((
            room.to_owned(),
            authorizer.authorize(room, &query, limited_address(client)),
        ));
        Ok(resp)
    };
    let ws = match tokio::time::timeout(
        ctx.config.handshake_timeout,
        tokio_tungstenite::accept_hdr_async_with_config(stream, callback, Some(ctx.ws_config)),
    )
    .await
    {
        Ok(Ok(ws)) => ws,
        Ok(Err(WsError::Http(_))) => {
            if !throttled {
                ctx.metrics.refuse_conn(ConnRefusal::Denied);
            }
            return None;
        }
        _ => {
            ctx.metrics.refuse_conn(ConnRefusal::Handshake);
            return None;
        }
    };
    let (room, decision) = admitted?;
    Some((ws, room, decision))
}

/// Sends the auth message (permission denied + reason) and closes with 1008.
async fn refuse_ws(mut ws: WebSocketStream<Conn>, reason: &str) {
    let msg = easel_proto::message::encode_permission_denied(reason);
    let frame = CloseFrame {
        code: CloseCode::Policy,
        reason: crate::queue::truncate_reason(reason).into(),
    };
    let _ = tokio::time::timeout(CLOSE_LINGER, async {
        ws.send(Message::Binary(Bytes::from(msg))).await?;
        ws.send(Message::Close(Some(frame))).await?;
        // Wait for the client's close frame so ours is not lost to a reset.
        while let Some(m) = ws.next().await {
            if m?.is_close() {
                break;
            }
        }
        Ok::<_, WsError>(())
    })
    .await;
}

fn error_response(status: StatusCode, body: &str) -> ErrorResponse {
    let mut r = ErrorResponse::new(Some(body.to_owned()));
    *r.status_mut() = status;
    r
}

/// A connection that joined its room: what serving it needs, and what leaving undoes.
struct Joined {
    ws: WebSocketStream<Conn>,
    shared: Arc<ConnShared>,
    room_tx: Option<mpsc::Sender<RoomCmd>>,
    id: u64,
    room: String,
    /// The (board, share link) it is registered under, to be closed if the link is revoked.
    link: Option<(Option<uuid::Uuid>, uuid::Uuid)>,
    expiry: Option<tokio::task::JoinHandle<()>>,
    /// Why this connection may not upload files (`None`: it may).
    upload_refusal: Option<String>,
}

/// Registers the connection and joins its room (retrying if the room unloads meanwhile).
async fn join_room(
    ctx: &Arc<Ctx>,
    ws: WebSocketStream<Conn>,
    room: String,
    admission: Admission,
    client: IpAddr,
) -> Option<Joined> {
    let policy = admission.grant.policy_for(&room);
    let grant = admission.grant;
    let id = ctx.next_conn.fetch_add(1, Relaxed);
    let shared = Arc::new(
        ConnShared::new(ctx.config.send_queue, ctx.config.send_queue_bytes)
            .charging(ctx.metrics.clone()),
    );
    shared.seen();
    Metrics::add(&ctx.metrics.connections, 1);
    Metrics::add(&ctx.metrics.connections_total, 1);
    // The room path only: the query string may carry a capability.
    tracing::debug!(room = %room, conn = id, ip = %client, ?grant, "connected");

    let mut room_tx: Option<mpsc::Sender<RoomCmd>> = None;
    for _ in 0..5 {
        let Some(tx) = ctx.registry.get_or_spawn(&room) else {
            break;
        };
        let (ack, ack_rx) = oneshot::channel();
        let join = RoomCmd::Join {
            conn: id,
            shared: shared.clone(),
            policy,
            admission: Arc::new(admission.clone()),
            ack,
        };
        if tx.send(join).await.is_err() {
            continue;
        }
        match ack_rx.await {
            Ok(Ok(())) => {
                room_tx = Some(tx);
                break;
            }
            Ok(Err((code, why))) => {
                shared.close(code, &why);
                break;
            }
            // The room unloaded (or shut down) as we joined: try again.
            Err(_) => continue,
        }
    }
    if room_tx.is_none() {
        shared.close(1001, "server shutting down");
    }

    if let Some(link) = admission.link {
        lock(&ctx.links)
            .entry((admission.board, link))
            .or_default()
            .push((id, Arc::downgrade(&shared)));
    }
    // A capability that expires while the connection is open ends it then.
    let expiry = admission.expires_at.map(|at| {
        let shared = shared.clone();
        let wait = (at - crate::capauth::unix_now()).max(0) as u64;
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(wait)).await;
            let reason = "permission denied: the capability expired";
            shared.close_with(
                Bytes::from(easel_proto::message::encode_permission_denied(reason)),
                1008,
                reason,
            );
        })
    });

    let upload_refusal =
        (policy != easel_proto::WritePolicy::ReadWrite).then(|| admission.write_refusal(&room));
    Some(Joined {
        ws,
        shared,
        room_tx,
        id,
        room,
        link: admission.link.map(|l| (admission.board, l)),
        expiry,
        upload_refusal,
    })
}

impl Joined {
    /// Serves until the connection ends, then leaves the room.
    async fn serve(mut self, ctx: &Arc<Ctx>) {
        let io = ConnIo {
            ctx,
            ws: &mut self.ws,
            shared: &self.shared,
            room_tx: self.room_tx.as_ref(),
            id: self.id,
            bucket: TokenBucket::new(ctx.config.message_rate, ctx.config.message_burst),
            unflushed: false,
            ping_due: false,
            room: &self.room,
            upload_refusal: self.upload_refusal.as_deref(),
            files: ConnFiles::default(),
        };
        boxed(io.run()).await;
        if let Some(t) = self.expiry.take() {
            t.abort();
        }
        if let Some(key) = self.link {
            let mut links = lock(&ctx.links);
            if let Some(v) = links.get_mut(&key) {
                v.retain(|(c, _)| *c != self.id);
                if v.is_empty() {
                    links.remove(&key);
                }
            }
        }
        if let Some(tx) = &self.room_tx {
            let _ = boxed(tx.send(RoomCmd::Leave { conn: self.id })).await;
        }
        self.shared.close(1000, "");
        // Answers a close the client started (tungstenite queued the reply), or sends ours if
        // the connection ended any other way.
        let _ = boxed(tokio::time::timeout(
            Duration::from_secs(1),
            self.ws.close(None),
        ))
        .await;
        Metrics::sub(&ctx.metrics.connections, 1);
        tracing::debug!(room = %self.room, conn = self.id, "disconnected");
    }
}

struct TokenBucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    last: Instant,
}

impl TokenBucket {
    fn new(rate: f64, burst: f64) -> Self {
        TokenBucket {
            rate,
            burst: burst.max(1.0),
            tokens: burst.max(1.0),
            last: Instant::now(),
        }
    }

    fn take(&mut self) -> bool {
        let now = Instant::now();
        let dt = now.duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens = (self.tokens + dt * self.rate).min(self.burst);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// One joined connection, served by one task that owns its socket. Reading and writing go on
/// side by side: each wake-up moves what the room queued into the socket as far as the socket
/// takes it, and reads what the client sent, so a client whose downlink is slow still has its
/// edits read and relayed at once, and no lock sits between a reader half and a writer half.
struct ConnIo<'a> {
    ctx: &'a Arc<Ctx>,
    ws: &'a mut WebSocketStream<Conn>,
    shared: &'a Arc<ConnShared>,
    room_tx: Option<&'a mpsc::Sender<RoomCmd>>,
    id: u64,
    bucket: TokenBucket,
    /// Frames handed to the socket since its last flush.
    unflushed: bool,
    /// A ping is due as soon as the socket takes it.
    ping_due: bool,
    room: &'a str,
    upload_refusal: Option<&'a str>,
    files: ConnFiles,
}

/// A connection's file transfers (see `easel_proto::files`): files it asked for, sent one
/// piece at a time while its queue is short (so a download never fills memory), and the one
/// file it is uploading.
#[derive(Default)]
struct ConnFiles {
    /// Files asked for and not yet started.
    wanted: std::collections::VecDeque<easel_proto::files::Hash>,
    /// The file being sent: (hash, mime, size, next offset).
    sending: Option<(easel_proto::files::Hash, String, u64, u64)>,
    upload: Option<easel_proto::files::Assembly>,
    /// Bytes of `upload` charged to the memory gauge.
    charged: u64,
}

/// Files queued for one connection, at most: a longer want is refused for the rest.
const MAX_WANTED_FILES: usize = 4096;

/// What the connection's task handles next, outside [`ConnIo::poll_step`].
enum Step {
    Read(Option<Result<Message, WsError>>),
    /// The queue is short and a file is being sent: queue its next piece.
    FilePiece,
    Close(u16, String),
    /// Writing failed: the connection is gone.
    Gone,
}

impl ConnIo<'_> {
    /// Serves until the client leaves, the socket fails, or a close requested by anyone (the
    /// room, a revocation, an expiry, a limit) has been sent and answered.
    async fn run(mut self) {
        let period = self.ctx.config.ping_interval;
        let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
        ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            match std::future::poll_fn(|cx| self.poll_step(cx, &mut ping)).await {
                Step::Read(None) | Step::Gone => return,
                Step::Read(Some(m)) => {
                    if !self.read(m).await {
                        return;
                    }
                }
                Step::Close(code, reason) => {
                    self.close(code, reason).await;
                    return;
                }
                Step::FilePiece => self.send_file_piece().await,
            }
        }
    }

    /// Writes what is queued while the socket takes it (one flush for the lot), sends a due
    /// ping, and returns at the first thing read, a close to send, or a failed write.
    fn poll_step(
        &mut self,
        cx: &mut std::task::Context<'_>,
        ping: &mut tokio::time::Interval,
    ) -> std::task::Poll<Step> {
        use std::task::Poll;
        while ping.poll_tick(cx).is_ready() {
            if self.shared.silent_for() > self.ctx.config.pong_timeout {
                Metrics::add(&self.ctx.metrics.ping_timeouts, 1);
                self.shared.close(1001, "no pong received");
            } else {
                self.ping_due = true;
            }
        }
        let metrics = &self.ctx.metrics;
        loop {
            match Pin::new(&mut *self.ws).poll_ready(cx) {
                Poll::Ready(Ok(())) => {}
                Poll::Ready(Err(_)) => return Poll::Ready(Step::Gone),
                Poll::Pending => {
                    // The socket takes nothing more for now; what is queued stays queued (and
                    // counts towards the slow-consumer cap). A close does not wait for it.
                    if let Some((code, reason)) = self.shared.take_close() {
                        return Poll::Ready(Step::Close(code, reason));
                    }
                    break;
                }
            }
            let msg = if std::mem::take(&mut self.ping_due) {
                Message::Ping(Bytes::new())
            } else {
                match self.shared.poll_next(cx) {
                    Poll::Ready(Out::Data(b)) => {
                        Metrics::add(&metrics.messages_out, 1);
                        Metrics::add(&metrics.bytes_out, b.len() as u64);
                        Message::Binary(b)
                    }
                    Poll::Ready(Out::Close(code, reason)) => {
                        return Poll::Ready(Step::Close(code, reason));
                    }
                    Poll::Pending => break,
                }
            };
            if Pin::new(&mut *self.ws).start_send(msg).is_err() {
                return Poll::Ready(Step::Gone);
            }
            self.unflushed = true;
        }
        if self.unflushed {
            match Pin::new(&mut *self.ws).poll_flush(cx) {
                Poll::Ready(Ok(())) => self.unflushed = false,
                Poll::Ready(Err(_)) => return Poll::Ready(Step::Gone),
                Poll::Pending => {}
            }
        }
        // Once a close is requested nothing more is read until the close frame is out (after a
        // read error the socket may have nothing more to give).
        if !self.shared.is_closing()
            && let Poll::Ready(m) = Pin::new(&mut *self.ws).poll_next(cx)
        {
            return Poll::Ready(Step::Read(m));
        }
        // The next piece of a file once what is queued is nearly out: a download moves at the
        // client's pace and holds one piece or two in memory.
        if (self.files.sending.is_some() || !self.files.wanted.is_empty())
            && !self.shared.is_closing()
            && self.shared.queued_bytes() < easel_proto::files::MAX_CHUNK
        {
            return Poll::Ready(Step::FilePiece);
        }
        Poll::Pending
    }

    /// Handles one read; false when the connection is over.
    async fn read(&mut self, msg: Result<Message, WsError>) -> bool {
        let (ctx, shared, id) = (self.ctx, self.shared, self.id);
        let metrics = &ctx.metrics;
        let msg = match msg {
            Ok(m) => m,
            Err(WsError::Capacity(e)) => {
                metrics.refuse(Refusal::TooLarge);
                tracing::info!(conn = id, error = %e, "message too big; closing 1009");
                // Say the limit: a stock client whose offline changes went as one step 2 over
                // it knows why it cannot sync (Easel's own clients never send a frame over
                // 1 MiB).
                let limit = easel_log::human_bytes(ctx.config.max_message_bytes as u64);
                shared.close(
                    1009,
                    &format!("message too big: this server takes messages of up to {limit}"),
                );
                return true;
            }
            Err(WsError::Protocol(e)) => {
                tracing::info!(conn = id, error = %e, "protocol error; closing 1002");
                shared.close(1002, &e.to_string());
                return true;
            }
            Err(_) => return false,
        };
        shared.seen();
        if shared.is_closing() {
            // A close is on its way out: what the client sends meanwhile is dropped.
            return !msg.is_close();
        }
        match msg {
            Message::Binary(bytes) => {
                if !self.bucket.take() {
                    metrics.refuse(Refusal::RateLimited);
                    tracing::info!(conn = id, "message rate limit exceeded; closing 1008");
                    shared.close(1008, "message rate limit exceeded");
                    return true;
                }
                Metrics::add(&metrics.messages_in, 1);
                Metrics::add(&metrics.bytes_in, bytes.len() as u64);
                if easel_proto::files::is_file_message(&bytes) {
                    Box::pin(self.file_message(&bytes)).await;
                    return true;
                }
                if easel_proto::message::is_easel_control(&bytes) {
                    Box::pin(handle_control(ctx, shared, &bytes, id)).await;
                    return true;
                }
                let Some(tx) = self.room_tx else {
                    return true;
                };
                if tx.send(RoomCmd::Message { conn: id, bytes }).await.is_err() {
                    shared.close(1001, "room closed");
                }
            }
            Message::Text(_) => {
                metrics.refuse(Refusal::TextFrame);
                shared.close(
                    1003,
                    "text frames are not accepted: y-websocket messages are binary",
                );
            }
            Message::Close(_) => return false,
            Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {}
        }
        true
    }

    /// Sends the close frame (and the auth message before it, if any was queued as the close's
    /// last words: [`ConnShared::next`] hands it out first), then reads until the client's own
    /// close frame, so that ours is not lost to a reset caused by unread data.
    async fn close(&mut self, code: u16, reason: String) {
        let frame = CloseFrame {
            code: CloseCode::from(code),
            reason: reason.into(),
        };
        let sent = Box::pin(tokio::time::timeout(
            Duration::from_secs(1),
            self.ws.send(Message::Close(Some(frame))),
        ))
        .await;
        if !matches!(sent, Ok(Ok(()))) {
            return;
        }
        let _ = Box::pin(tokio::time::timeout(CLOSE_LINGER, async {
            while let Some(Ok(m)) = self.ws.next().await {
                self.shared.seen();
                if m.is_close() {
                    break;
                }
            }
        }))
        .await;
    }
}

impl Drop for ConnIo<'_> {
    fn drop(&mut self) {
        // An upload cut short gives back what it held.
        self.release_upload();
    }
}

impl ConnIo<'_> {
    fn refuse_file(&self, hash: easel_proto::files::Hash, reason: &str) {
        use easel_proto::files::FileMsg;
        let msg = FileMsg::Refused {
            hash,
            reason: reason.to_string(),
        };
        let _ = self.shared.push(Bytes::from(msg.encode()));
    }

    fn release_upload(&mut self) {
        self.files.upload = None;
        Metrics::sub(&self.ctx.metrics.memory_bytes, self.files.charged);
        self.files.charged = 0;
    }

    /// A file message from the client (see `easel_proto::files`). Malformed ones close the
    /// connection (1007) like any malformed message; refusals leave it open.
    async fn file_message(&mut self, bytes: &[u8]) {
        use easel_proto::files::{Assembly, FileMsg, to_hex};
        let (ctx, id) = (self.ctx, self.id);
        let msg = match FileMsg::decode(bytes) {
            Ok(m) => m,
            Err(e) => {
                ctx.metrics.refuse(Refusal::Malformed);
                tracing::info!(conn = id, error = %e, "malformed file message; closing 1007");
                self.shared
                    .close(1007, &format!("malformed file message: {e}"));
                return;
            }
        };
        let board_room = !self.room.ends_with("/comments");
        let log = ctx.store.log();
        match msg {
            FileMsg::Have(hashes) => {
                // A connection that may not upload is told it need not.
                let need = if self.upload_refusal.is_some() || !board_room {
                    Vec::new()
                } else {
                    let hex: Vec<String> = hashes.iter().map(to_hex).collect();
                    match log.doc_holds(self.room, &hex).await {
                        Ok(held) => hashes
                            .into_iter()
                            .filter(|h| !held.contains(&to_hex(h)))
                            .collect(),
                        Err(e) => {
                            tracing::error!(room = %self.room, error = %e, "reading files failed");
                            Vec::new()
                        }
                    }
                };
                let _ = self.shared.push(Bytes::from(FileMsg::Need(need).encode()));
            }
            FileMsg::Want(hashes) => {
                for h in hashes {
                    if self.files.wanted.len() >= MAX_WANTED_FILES {
                        self.refuse_file(h, "too many files asked for at once; ask again later");
                    } else if !self.files.wanted.contains(&h) {
                        self.files.wanted.push_back(h);
                    }
                }
            }
            FileMsg::Data {
                hash,
                mime,
                total,
                offset,
                bytes,
            } => {
                let refusal = if !board_room {
                    Some("a comments room holds no files".to_string())
                } else {
                    self.upload_refusal.map(str::to_string)
                };
                if let Some(reason) = refusal {
                    // Once per file, not once per piece.
                    if offset == 0 {
                        ctx.metrics.refuse(Refusal::WriteDenied);
                        self.refuse_file(hash, &reason);
                    }
                    return;
                }
                if offset == 0 {
                    self.release_upload();
                    Metrics::add(&ctx.metrics.memory_bytes, total);
                    self.files.charged = total;
                }
                let done = match Assembly::push(
                    &mut self.files.upload,
                    hash,
                    &mime,
                    total,
                    offset,
                    &bytes,
                ) {
                    Ok(done) => done,
                    Err(why) => {
                        self.release_upload();
                        self.refuse_file(hash, why);
                        return;
                    }
                };
                let Some(file) = done else {
                    return;
                };
                self.release_upload();
                let hex = to_hex(&file.hash);
                let quota = ctx.config.max_board_file_bytes;
                match log
                    .put_file(self.room, &hex, &file.mime, &file.bytes, Some(quota))
                    .await
                {
                    Ok(put) => {
                        tracing::debug!(room = %self.room, conn = id, file = %hex, size = file.bytes.len(), new = put.stored, "file stored");
                        let _ = self
                            .shared
                            .push(Bytes::from(FileMsg::Stored(file.hash).encode()));
                        if put.linked
                            && let Some(tx) = self.room_tx
                        {
                            let frame = Bytes::from(FileMsg::Available(file.hash).encode());
                            let _ = tx.send(RoomCmd::FileAvailable { from: id, frame }).await;
                        }
                    }
                    Err(e) => {
                        let reason = match &e {
                            easel_log::LogError::Invalid(why) => why.clone(),
                            easel_log::LogError::Quota(why) => format!("this board is full: {why}"),
                            _ => {
                                tracing::error!(room = %self.room, error = %e, "storing a file failed");
                                "the server could not store the file; try again later".into()
                            }
                        };
                        ctx.metrics.refuse(Refusal::Rejected);
                        tracing::info!(room = %self.room, conn = id, file = %hex, %reason, "file refused");
                        self.refuse_file(file.hash, &reason);
                    }
                }
            }
            // Messages only a server sends.
            FileMsg::Need(_)
            | FileMsg::Stored(_)
            | FileMsg::Refused { .. }
            | FileMsg::Available(_) => {
                ctx.metrics.refuse(Refusal::Malformed);
                self.shared
                    .close(1007, "a file message only a server sends");
            }
        }
    }

    /// Queues the next piece of the file being sent (starting the next wanted file if none).
    async fn send_file_piece(&mut self) {
        use easel_proto::files::{FileMsg, MAX_CHUNK, to_hex};
        let log = self.ctx.store.log();
        if self.files.sending.is_none() {
            let Some(hash) = self.files.wanted.pop_front() else {
                return;
            };
            let hex = to_hex(&hash);
            let info = if self.room.ends_with("/comments") {
                Ok(None)
            } else {
                log.doc_file(self.room, &hex).await
            };
            match info {
                Ok(Some(info)) => self.files.sending = Some((hash, info.mime, info.size, 0)),
                Ok(None) => {
                    self.refuse_file(hash, "this board has no such file (not uploaded yet?)");
                    return;
                }
                Err(e) => {
                    tracing::error!(room = %self.room, error = %e, "reading a file failed");
                    self.refuse_file(hash, "the server could not read the file; try again later");
                    return;
                }
            }
        }
        let Some((hash, mime, total, offset)) = self.files.sending.clone() else {
            return;
        };
        let piece = match log
            .file_chunk(&to_hex(&hash), offset, MAX_CHUNK as u32)
            .await
        {
            Ok(Some(p)) if !p.is_empty() || total == 0 => p,
            // Collected meanwhile, or shorter than recorded: say so rather than send a torso.
            Ok(_) | Err(_) => {
                self.files.sending = None;
                self.refuse_file(hash, "the server could not read the file; try again later");
                return;
            }
        };
        let next = offset + piece.len() as u64;
        let frame = FileMsg::Data {
            hash,
            mime: mime.clone(),
            total,
            offset,
            bytes: piece,
        }
        .encode();
        let _ = self.shared.push(Bytes::from(frame));
        self.files.sending = (next < total).then_some((hash, mime, total, next));
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// An Easel control message (a signed revocation): checked and persisted by the authorizer,
/// then every open connection on the revoked link gets the auth message and is closed.
async fn handle_control(ctx: &Arc<Ctx>, shared: &Arc<ConnShared>, bytes: &[u8], id: u64) {
    let signed = match easel_proto::message::decode_revocation(bytes) {
        Ok(s) => s,
        Err(e) => {
            ctx.metrics.refuse(Refusal::Malformed);
            tracing::info!(conn = id, error = %e, "malformed control message; closing 1007");
            shared.close(1007, &e.to_string());
            return;
        }
    };
    match ctx.authorizer.revoke(signed).await {
        Ok((board, link)) => {
            let conns = lock(&ctx.links)
                .remove(&(Some(board), link))
                .unwrap_or_default();
            let reason = format!("permission denied: the link {link} was revoked");
            let msg = Bytes::from(easel_proto::message::encode_permission_denied(&reason));
            let mut closed = 0;
            for (_, weak) in conns {
                if let Some(c) = weak.upgrade() {
                    c.close_with(msg.clone(), 1008, &reason);
                    closed += 1;
                }
            }
            ctx.authorizer.record(AuthEvent::Revoked {
                board,
                link,
                closed,
            });
        }
        Err(denied) => {
            ctx.metrics.refuse(Refusal::WriteDenied);
            tracing::info!(conn = id, reason = %denied, "revocation refused");
            shared.push(Bytes::from(easel_proto::message::encode_permission_denied(
                &denied.0,
            )));
        }
    }
}
