//! Keeping an open board in sync with a relay or a hosting peer.
//!
//! A board has two documents, each synced in its own room: its content in `<board>` and its
//! comments in `<board>/comments`. The client works on either through [`SyncDoc`], which
//! [`BoardSession`] and [`CommentsSession`] implement.
//!
//! One WebSocket per document, speaking y-websocket: on connect we send sync step 1 (our state
//! vector) and answer the server's step 1 with step 2 (exactly what it lacks), so edits made
//! offline, which sit in the local update log, go out on reconnect and nothing else is resent.
//! Local edits are sent as they are acknowledged by the store; remote ones are validated by
//! `easel-proto` before yrs sees them, applied, persisted, and handed to the session's other
//! listeners. A lost connection is retried with exponential backoff and jitter; a permission
//! denial is not retried.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use easel_proto::message::{encode_awareness, encode_sync_step1, encode_update};
use easel_proto::{Awareness, Limits, Message, decode};
use futures_util::{SinkExt, StreamExt};
use serde::Serialize;
use tokio::sync::{Mutex, mpsc, watch};
use tokio_tungstenite::tungstenite::Message as Ws;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use crate::error::{Error, Result};
use crate::files::FileChannel;
use crate::model::BoardFile;
use crate::service::{BoardSession, ChangeOrigin, CommentsSession, DocChange};
use crate::store::Store;

/// What the sync client needs of an open document: its room, its state, and a way to apply
/// what arrives and hear what changes locally.
pub trait SyncDoc: Send + 'static {
    /// The room path on the server: `<board>` or `<board>/comments`.
    fn room(&self) -> String;
    /// The yrs client id of this replica, for awareness.
    fn client_id(&self) -> u64;
    /// The document's state vector, v1-encoded.
    fn state_vector(&self) -> Vec<u8>;
    /// What a replica with state vector `sv` lacks, as one v1 update.
    fn encode_diff(&self, sv: &[u8]) -> Result<Vec<u8>>;
    /// Applies and persists a validated update from connection `source`; false when it brought
    /// nothing new.
    fn apply_remote_from(
        &mut self,
        update: &[u8],
        source: u64,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Every later change (local edits as they are committed, and what other connections or
    /// processes bring), tagged with its origin.
    fn subscribe(&mut self) -> mpsc::UnboundedReceiver<DocChange>;
    /// For a document that shows image files (a board): what it wants and offers, the store
    /// that holds the bytes, and the board. `None` (the default) for one without files.
    fn file_link(&self) -> Option<(FileChannel, Store, uuid::Uuid)> {
        None
    }
    /// The ids of the files the document references.
    fn file_ids(&self) -> Vec<String> {
        Vec::new()
    }
    /// Stores a file that arrived from the server (checked against its name first).
    fn store_file(&mut self, file: BoardFile) -> impl Future<Output = Result<()>> + Send {
        let _ = file;
        async { Ok(()) }
    }
}

impl SyncDoc for BoardSession {
    fn room(&self) -> String {
        self.board().id.to_string()
    }

    fn client_id(&self) -> u64 {
        self.doc().ydoc().client_id().get()
    }

    fn state_vector(&self) -> Vec<u8> {
        self.doc().state_vector()
    }

    fn encode_diff(&self, sv: &[u8]) -> Result<Vec<u8>> {
        self.doc().encode_diff(sv)
    }

    fn apply_remote_from(
        &mut self,
        update: &[u8],
        source: u64,
    ) -> impl Future<Output = Result<bool>> + Send {
        BoardSession::apply_remote_from(self, update, source)
    }

    fn subscribe(&mut self) -> mpsc::UnboundedReceiver<DocChange> {
        BoardSession::subscribe(self)
    }

    fn file_link(&self) -> Option<(FileChannel, Store, uuid::Uuid)> {
        Some((
            self.file_channel().clone(),
            self.store().clone(),
            self.board().id,
        ))
    }

    fn file_ids(&self) -> Vec<String> {
        self.doc().file_refs().into_iter().map(|r| r.id).collect()
    }

    async fn store_file(&mut self, file: BoardFile) -> Result<()> {
        self.store_arrived_file(&file).await
    }
}

impl SyncDoc for CommentsSession {
    fn room(&self) -> String {
        comments_room(&self.board().id.to_string())
    }

    fn client_id(&self) -> u64 {
        self.doc().ydoc().client_id().get()
    }

    fn state_vector(&self) -> Vec<u8> {
        self.doc().state_vector()
    }

    fn encode_diff(&self, sv: &[u8]) -> Result<Vec<u8>> {
        self.doc().encode_diff(sv)
    }

    fn apply_remote_from(
        &mut self,
        update: &[u8],
        source: u64,
    ) -> impl Future<Output = Result<bool>> + Send {
        CommentsSession::apply_remote_from(self, update, source)
    }

    fn subscribe(&mut self) -> mpsc::UnboundedReceiver<DocChange> {
        CommentsSession::subscribe(self)
    }
}

/// The room of a board's comments document.
pub fn comments_room(board: &str) -> String {
    format!("{board}/comments")
}

/// Where a board's sync stands, for the UI and the CLI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", content = "detail", rename_all = "lowercase")]
pub enum SyncStatus {
    /// Not connected, and not trying (stopped, or between attempts).
    Offline,
    /// Opening the connection; `attempt` counts failures since the last success.
    Connecting { attempt: u32 },
    /// Connected, and the first exchange is bringing a large board: `received` bytes so far
    /// (reported once past 256 KiB, at most ten times a second).
    Downloading { received: u64 },
    /// Connected and caught up with the server at least once on this connection.
    Synced,
    /// The server refused us; retrying would not help.
    Denied(String),
    /// The last attempt failed; another follows after the backoff.
    Error(String),
    /// yrs failed on an update from the server: the document was rebuilt from the store and a
    /// full resync follows after the backoff. The detail says what failed.
    Failed(String),
}

/// How to reach the server and how hard to retry.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// The server's base URL, `ws://host:port` or `wss://host[:port]`; the board's room is
    /// appended as the path.
    pub url: String,
    /// The certificates a `wss://` server is checked against (the OS store and
    /// `EASEL_EXTRA_CA` unless set).
    pub tls: crate::tls::TlsConfig,
    /// Extra query parameters sent with the connection.
    pub params: Vec<(String, String)>,
    /// How the connection authenticates; its parameters are made fresh for each connect.
    pub auth: SyncAuth,
    pub min_backoff: Duration,
    pub max_backoff: Duration,
    pub connect_timeout: Duration,
    /// A connection with no frame from the server for this long is considered lost.
    pub idle_timeout: Duration,
    pub limits: Limits,
}

impl SyncOptions {
    pub fn new(url: impl Into<String>) -> Self {
        SyncOptions {
            url: url.into(),
            tls: crate::tls::TlsConfig::default(),
            params: Vec::new(),
            auth: SyncAuth::None,
            min_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(45),
            limits: Limits::default(),
        }
    }
}

/// The WebSocket URL of a board's room on a server: `ws://host:port/<board>?k=v` (or `wss://`).
pub fn room_url(base: &str, room: &str, params: &[(String, String)]) -> Result<String> {
    easel_keys::url::room_url(base, room, params).map_err(|e| Error::invalid("url", e.0))
}

enum Command {
    SetAwareness(Option<String>),
    /// An Easel control message (a signed revocation) to send now.
    Control(Vec<u8>),
    Stop,
}

/// How a sync connection authenticates (see `easel_relay::capauth` for the server side).
#[derive(Clone, Default)]
pub enum SyncAuth {
    /// Nothing: a board never shared, on a server with open rooms.
    #[default]
    None,
    /// The board's owner: a fresh key proof and the salt that registers the board; the
    /// signed revocations of its links are delivered on every connect.
    Owner {
        key: ed25519_dalek::SigningKey,
        salt: [u8; 16],
        revocations: Vec<Vec<u8>>,
    },
    /// A collaborator's capability, with a key proof when it was issued to their key.
    Capability {
        token: String,
        key: Option<ed25519_dalek::SigningKey>,
    },
}

impl std::fmt::Debug for SyncAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key, never the token.
        match self {
            SyncAuth::None => f.write_str("SyncAuth::None"),
            SyncAuth::Owner { revocations, .. } => f
                .debug_struct("SyncAuth::Owner")
                .field("revocations", &revocations.len())
                .finish_non_exhaustive(),
            SyncAuth::Capability { key, .. } => f
                .debug_struct("SyncAuth::Capability")
                .field("proves_key", &key.is_some())
                .finish_non_exhaustive(),
        }
    }
}

impl SyncAuth {
    /// The query parameters for a connection to a room of `board`, proofs dated `now`.
    pub fn params(&self, board: uuid::Uuid, now: i64) -> Vec<(String, String)> {
        use base64::Engine;
        match self {
            SyncAuth::None => Vec::new(),
            SyncAuth::Owner { key, salt, .. } => {
                let mut p = crate::capability::KeyProof::new(key, board, now).to_params();
                p.push((
                    "salt".into(),
                    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(salt),
                ));
                p
            }
            SyncAuth::Capability { token, key } => {
                let mut p = vec![("cap".to_string(), token.clone())];
                if let Some(k) = key {
                    p.extend(crate::capability::KeyProof::new(k, board, now).to_params());
                }
                p
            }
        }
    }

    /// Control messages to send right after connecting (the owner's revocations).
    pub fn on_connect(&self) -> Vec<Vec<u8>> {
        match self {
            SyncAuth::Owner { revocations, .. } => revocations
                .iter()
                .map(|r| easel_proto::message::encode_revocation(r))
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// A running sync of one document; dropping it stops the sync.
pub struct SyncHandle {
    status: watch::Receiver<SyncStatus>,
    peers: watch::Receiver<Vec<(u64, String)>>,
    commands: mpsc::UnboundedSender<Command>,
    /// Times the document engine failed on an update from the server (each one reloaded the
    /// document from the store and restarted the sync).
    failures: Arc<AtomicU64>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl SyncHandle {
    pub fn status(&self) -> SyncStatus {
        self.status.borrow().clone()
    }

    /// How many times yrs failed on an update from the server since this sync started; each
    /// time the document was rebuilt from the store and the sync started again.
    pub fn engine_failures(&self) -> u64 {
        self.failures.load(Ordering::Relaxed)
    }

    /// A receiver that sees every status change.
    pub fn watch_status(&self) -> watch::Receiver<SyncStatus> {
        self.status.clone()
    }

    /// Collaborators' awareness states (cursor, selection, name) as JSON, by client id.
    pub fn peers(&self) -> Vec<(u64, String)> {
        self.peers.borrow().clone()
    }

    pub fn watch_peers(&self) -> watch::Receiver<Vec<(u64, String)>> {
        self.peers.clone()
    }

    /// Sends a signed revocation to the server now (it is also sent on every reconnect).
    pub fn send_revocation(&self, signed: &[u8]) {
        let _ = self
            .commands
            .send(Command::Control(easel_proto::message::encode_revocation(
                signed,
            )));
    }

    /// Publishes our awareness state (JSON), or withdraws it with `None`.
    pub fn set_awareness(&self, state: Option<String>) {
        let _ = self.commands.send(Command::SetAwareness(state));
    }

    /// Waits until the status satisfies `pred`, or `timeout` passes.
    pub async fn wait_for(
        &mut self,
        timeout: Duration,
        pred: impl Fn(&SyncStatus) -> bool,
    ) -> Option<SyncStatus> {
        let fut = self.status.wait_for(|s| pred(s));
        match tokio::time::timeout(timeout, fut).await {
            Ok(Ok(s)) => Some(s.clone()),
            _ => None,
        }
    }

    /// Closes the connection cleanly and ends the task.
    pub async fn stop(mut self) {
        let _ = self.commands.send(Command::Stop);
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
    }
}

impl Drop for SyncHandle {
    fn drop(&mut self) {
        let _ = self.commands.send(Command::Stop);
    }
}

/// Starts keeping `session` (a board or its comments) in sync with the server in `opts`, in the
/// background.
pub fn start<D: SyncDoc>(session: Arc<Mutex<D>>, opts: SyncOptions) -> SyncHandle {
    let (status_tx, status) = watch::channel(SyncStatus::Offline);
    let (peers_tx, peers) = watch::channel(Vec::new());
    let (commands, command_rx) = mpsc::unbounded_channel();
    let failures = Arc::new(AtomicU64::new(0));
    let counted = failures.clone();
    let task = tokio::spawn(async move {
        use futures_util::FutureExt;
        let sync = run(session, opts, &status_tx, peers_tx, command_rx, counted);
        // A panic that escapes the guarded yrs calls still must not end the sync silently.
        if let Err(payload) = std::panic::AssertUnwindSafe(sync).catch_unwind().await {
            let reason = crate::error::panic_message(payload.as_ref());
            tracing::error!(%reason, "the sync task panicked");
            status_tx.send_replace(SyncStatus::Failed(format!(
                "sync stopped: internal error: {reason}"
            )));
        }
    });
    SyncHandle {
        status,
        peers,
        commands,
        failures,
        task: Some(task),
    }
}

/// A first exchange that brings more than this is reported as [`SyncStatus::Downloading`].
const PROGRESS_AFTER: u64 = 256 * 1024;
/// How often a download's progress is reported, at most.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// What one sync brought: for `easel sync`.
#[derive(Debug, Clone, Serialize)]
pub struct SyncReport {
    pub sent_bytes: usize,
    pub received_bytes: usize,
    pub applied_updates: usize,
}

/// Connects once, exchanges what each side lacks, confirms both sides hold the same document,
/// and disconnects.
pub async fn sync_once<D: SyncDoc>(
    session: Arc<Mutex<D>>,
    opts: &SyncOptions,
    timeout: Duration,
) -> Result<SyncReport> {
    let (status_tx, _status) = watch::channel(SyncStatus::Offline);
    sync_once_reporting(session, opts, timeout, &status_tx).await
}

/// [`sync_once`], telling `status_tx` where it stands (a big board's download progress).
pub async fn sync_once_reporting<D: SyncDoc>(
    session: Arc<Mutex<D>>,
    opts: &SyncOptions,
    timeout: Duration,
    status_tx: &watch::Sender<SyncStatus>,
) -> Result<SyncReport> {
    let (peers_tx, _peers) = watch::channel(Vec::new());
    let (_commands, mut command_rx) = mpsc::unbounded_channel();
    let mut awareness_state = None;
    let mut report = SyncReport {
        sent_bytes: 0,
        received_bytes: 0,
        applied_updates: 0,
    };
    let failures = AtomicU64::new(0);
    let run = connection(
        &session,
        opts,
        status_tx,
        &peers_tx,
        &mut command_rx,
        &mut awareness_state,
        Some(&mut report),
        &failures,
    );
    match tokio::time::timeout(timeout, run).await {
        Err(_) => Err(Error::Io(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            format!("no complete sync within {timeout:?}"),
        ))),
        Ok(Ended::Done) => Ok(report),
        Ok(Ended::Denied(reason)) => Err(Error::Io(std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            format!("the server refused: {reason}"),
        ))),
        Ok(Ended::Lost(reason, _) | Ended::Failed(reason)) => {
            Err(Error::Io(std::io::Error::other(reason)))
        }
        Ok(Ended::Stopped) => Err(Error::Closed),
    }
}

enum Ended {
    /// The caller asked to stop.
    Stopped,
    /// The server refused us.
    Denied(String),
    /// The connection ended; the flag says whether it had synced (which resets the backoff).
    Lost(String, bool),
    /// yrs failed on an update from the server; the session has rebuilt its document.
    Failed(String),
    /// A one-shot sync completed.
    Done,
}

async fn run<D: SyncDoc>(
    session: Arc<Mutex<D>>,
    opts: SyncOptions,
    status: &watch::Sender<SyncStatus>,
    peers: watch::Sender<Vec<(u64, String)>>,
    mut commands: mpsc::UnboundedReceiver<Command>,
    failures: Arc<AtomicU64>,
) {
    let mut attempt: u32 = 0;
    let mut awareness_state: Option<String> = None;
    loop {
        status.send_replace(SyncStatus::Connecting { attempt });
        let ended = connection(
            &session,
            &opts,
            status,
            &peers,
            &mut commands,
            &mut awareness_state,
            None,
            &failures,
        )
        .await;
        peers.send_replace(Vec::new());
        match ended {
            Ended::Stopped | Ended::Done => {
                status.send_replace(SyncStatus::Offline);
                return;
            }
            Ended::Denied(reason) => {
                tracing::warn!(%reason, "sync refused by the server");
                status.send_replace(SyncStatus::Denied(reason));
                // Wait to be stopped; a denial is final for this capability.
                while let Some(c) = commands.recv().await {
                    if matches!(c, Command::Stop) {
                        break;
                    }
                }
                return;
            }
            Ended::Lost(reason, was_synced) => {
                tracing::info!(%reason, "sync connection lost");
                if was_synced {
                    attempt = 0;
                }
                status.send_replace(SyncStatus::Error(reason));
            }
            Ended::Failed(reason) => {
                tracing::error!(%reason, "sync failed; resyncing from the stored board");
                status.send_replace(SyncStatus::Failed(reason));
            }
        }
        let delay = backoff(&opts, attempt);
        attempt = attempt.saturating_add(1);
        let sleep = tokio::time::sleep(delay);
        tokio::pin!(sleep);
        loop {
            tokio::select! {
                _ = &mut sleep => break,
                c = commands.recv() => match c {
                    None | Some(Command::Stop) => {
                        status.send_replace(SyncStatus::Offline);
                        return;
                    }
                    Some(Command::SetAwareness(s)) => awareness_state = s,
                    // Delivered on reconnect anyway (the owner's auth carries every revocation).
                    Some(Command::Control(_)) => {}
                },
            }
        }
    }
}

/// Exponential backoff with full jitter, so clients cut off together do not return together.
fn backoff(opts: &SyncOptions, attempt: u32) -> Duration {
    let cap = opts
        .min_backoff
        .saturating_mul(1u32.checked_shl(attempt.min(16)).unwrap_or(u32::MAX))
        .min(opts.max_backoff);
    let ms = cap.as_millis().max(1) as u64;
    Duration::from_millis(opts.min_backoff.as_millis() as u64 / 2 + random_u64() % ms)
}

fn random_u64() -> u64 {
    uuid::Uuid::new_v4().as_u64_pair().0
}

#[allow(clippy::too_many_arguments)]
async fn connection<D: SyncDoc>(
    session: &Arc<Mutex<D>>,
    opts: &SyncOptions,
    status: &watch::Sender<SyncStatus>,
    peers: &watch::Sender<Vec<(u64, String)>>,
    commands: &mut mpsc::UnboundedReceiver<Command>,
    awareness_state: &mut Option<String>,
    mut once: Option<&mut SyncReport>,
    failures: &AtomicU64,
) -> Ended {
    let (room, mut changes, state_vector, client_id, file_link) = {
        let mut s = session.lock().await;
        let changes = s.subscribe();
        (
            s.room(),
            changes,
            s.state_vector(),
            s.client_id(),
            s.file_link(),
        )
    };
    let mut files = file_link.map(|(channel, store, board)| FileSync::new(channel, store, board));
    let mut file_watch = files.as_ref().map(|f| f.channel.watch());
    let mut params = opts.params.clone();
    if let Some(board) = room.get(..36).and_then(|b| uuid::Uuid::parse_str(b).ok()) {
        params.extend(opts.auth.params(board, crate::share::unix_now()));
    }
    let url = match room_url(&opts.url, &room, &params) {
        Ok(u) => u,
        Err(e) => return Ended::Denied(e.to_string()),
    };
    let config = WebSocketConfig::default()
        .max_message_size(Some(opts.limits.max_message_bytes))
        .max_frame_size(Some(opts.limits.max_message_bytes));
    // The same limits hold on both paths; TLS only wraps the socket.
    let connector = if url.starts_with("wss://") {
        match opts.tls.client_config() {
            Ok(c) => Some(tokio_tungstenite::Connector::Rustls(c)),
            // An unreadable EASEL_EXTRA_CA does not get better by retrying.
            Err(e) => return Ended::Denied(e.to_string()),
        }
    } else {
        Some(tokio_tungstenite::Connector::Plain)
    };
    let connect = tokio_tungstenite::connect_async_tls_with_config(
        url.as_str(),
        Some(config),
        true,
        connector,
    );
    let ws = match tokio::time::timeout(opts.connect_timeout, connect).await {
        Err(_) => {
            let host = crate::tls::url_host(&url);
            return Ended::Lost(format!("connecting to {host} timed out"), false);
        }
        Ok(Err(e)) => return Ended::Lost(crate::tls::describe_connect_error(&url, &e), false),
        Ok(Ok((ws, _))) => ws,
    };
    let (mut sink, mut stream) = ws.split();
    // A connection's own updates are tagged so they are not echoed back to it.
    let source = random_u64() | 1;
    let mut awareness = Awareness::new(client_id);
    let mut synced = false;
    // For a one-shot sync: after the first step 2, ask again; the answer to the second request
    // comes after the server has applied our step 2, so when it brings nothing, both are equal.
    let mut confirming = false;
    // Synced means the server holds what we had: once we have answered its sync request (our
    // upload, up to a whole offline board in many frames), we ask again, and the answer to
    // that comes after the server applied everything we sent before it (Easel's relay answers
    // only after those updates are committed).
    let mut answered_server = false;
    let mut upload_confirm_sent = false;
    // A one-shot sync whose document is confirmed equal, waiting for its files to settle.
    let mut done_when_settled = false;
    // What the first exchange has brought, for a progress report while a big board downloads.
    let mut received: u64 = 0;
    let mut reported: Option<Instant> = None;

    macro_rules! send {
        ($bytes:expr) => {{
            let bytes: Vec<u8> = $bytes;
            if let Some(r) = once.as_deref_mut() {
                r.sent_bytes += bytes.len();
            }
            if let Err(e) = sink.send(Ws::binary(bytes)).await {
                return Ended::Lost(format!("send failed: {e}"), synced);
            }
        }};
    }

    send!(encode_sync_step1(&state_vector));
    for m in opts.auth.on_connect() {
        send!(m);
    }
    if let Some(state) = awareness_state.as_deref()
        && let Ok(p) = awareness.set_local_state(Some(state), &opts.limits)
    {
        send!(encode_awareness(&p.encode()));
    }
    let mut ping = tokio::time::interval(opts.idle_timeout / 3);
    ping.tick().await;
    let mut last_heard = Instant::now();
    loop {
        tokio::select! {
            frame = stream.next() => {
                last_heard = Instant::now();
                let bytes = match frame {
                    None => return Ended::Lost("the server closed the connection".into(), synced),
                    Some(Err(e)) => return Ended::Lost(format!("connection error: {e}"), synced),
                    Some(Ok(Ws::Binary(b))) => b,
                    Some(Ok(Ws::Close(frame))) => {
                        let reason = frame
                            .map(|f| format!("closed by the server ({}): {}", u16::from(f.code), f.reason))
                            .unwrap_or_else(|| "closed by the server".into());
                        return Ended::Lost(reason, synced);
                    }
                    Some(Ok(Ws::Text(_))) => {
                        let _ = sink.send(Ws::Close(Some(close(CloseCode::Unsupported, "text frames are not part of the protocol")))).await;
                        return Ended::Lost("the server sent a text frame".into(), synced);
                    }
                    Some(Ok(_)) => continue, // Ping and pong; tungstenite answers pings itself.
                };
                if let Some(r) = once.as_deref_mut() {
                    r.received_bytes += bytes.len();
                }
                if !synced {
                    received += bytes.len() as u64;
                    if received >= PROGRESS_AFTER
                        && reported.is_none_or(|at| at.elapsed() >= PROGRESS_EVERY)
                    {
                        reported = Some(Instant::now());
                        status.send_replace(SyncStatus::Downloading { received });
                    }
                }
                if easel_proto::files::is_file_message(&bytes) {
                    let Some(f) = files.as_mut() else {
                        continue;
                    };
                    match f.receive(&bytes, session).await {
                        Ok(replies) => {
                            for r in replies {
                                send!(r);
                            }
                            if done_when_settled && f.settled() {
                                let _ = sink.send(Ws::Close(Some(close(CloseCode::Normal, "synced")))).await;
                                return Ended::Done;
                            }
                        }
                        Err(e) => {
                            let _ = sink.send(Ws::Close(Some(close(CloseCode::Invalid, "malformed file message")))).await;
                            return Ended::Lost(format!("malformed file message from the server: {e}"), synced);
                        }
                    }
                    continue;
                }
                let msg = match decode(&bytes, &opts.limits) {
                    Ok(m) => m,
                    Err(e) => {
                        let _ = sink.send(Ws::Close(Some(close(CloseCode::Invalid, "malformed message")))).await;
                        return Ended::Lost(format!("malformed message from the server: {e}"), synced);
                    }
                };
                let is_step2 = matches!(msg, Message::SyncStep2(_));
                match msg {
                    Message::SyncStep1(sv) => {
                        let diff = session.lock().await.encode_diff(sv.bytes());
                        // A large answer (an offline board's first upload) goes as several
                        // frames of at most 1 MiB, the step 2 last.
                        let frames = diff.map_err(|e| e.to_string()).and_then(|d| {
                            easel_proto::chunk::sync_step2_frames(&d).map_err(|e| e.to_string())
                        });
                        match frames {
                            Ok(frames) => {
                                for f in frames {
                                    send!(f);
                                }
                                answered_server = true;
                            }
                            Err(e) => return Ended::Lost(e, synced),
                        }
                    }
                    Message::SyncStep2(u) | Message::Update(u) => {
                        let changed = match session.lock().await.apply_remote_from(u.bytes(), source).await {
                            Ok(c) => c,
                            Err(e @ Error::Engine(_)) => {
                                // The session has rebuilt its document from the store; this
                                // connection's exchange started from the old one, so it ends and
                                // the next one resyncs in full from the rebuilt state.
                                failures.fetch_add(1, Ordering::Relaxed);
                                let _ = sink.send(Ws::Close(Some(close(CloseCode::Error, "could not apply an update")))).await;
                                return Ended::Failed(format!("sync stopped: {e}; the board was reloaded from disk and syncs again"));
                            }
                            Err(e) => return Ended::Lost(format!("cannot apply a remote update: {e}"), synced),
                        };
                        if let Some(r) = once.as_deref_mut() {
                            r.applied_updates += usize::from(changed);
                        }
                        if is_step2 {
                            if !synced && answered_server && !upload_confirm_sent {
                                upload_confirm_sent = true;
                                // For a one-shot sync this request is also the confirming one:
                                // its answer, if it brings nothing, means both sides are equal.
                                confirming = true;
                                let sv = session.lock().await.state_vector();
                                send!(encode_sync_step1(&sv));
                                continue;
                            }
                            if !synced {
                                synced = true;
                                status.send_replace(SyncStatus::Synced);
                                if let Some(f) = files.as_mut() {
                                    let ids = session.lock().await.file_ids();
                                    for m in f.start(ids).await {
                                        send!(m);
                                    }
                                }
                            }
                            if once.is_some() {
                                if confirming && !changed {
                                    if files.as_ref().is_some_and(|f| !f.settled()) {
                                        // Files still moving: done once they have.
                                        done_when_settled = true;
                                        continue;
                                    }
                                    let _ = sink.send(Ws::Close(Some(close(CloseCode::Normal, "synced")))).await;
                                    return Ended::Done;
                                }
                                confirming = true;
                                let sv = session.lock().await.state_vector();
                                send!(encode_sync_step1(&sv));
                            }
                        }
                    }
                    Message::Awareness(p) => {
                        awareness.apply(&p);
                        let local = awareness.local_client();
                        let states = awareness
                            .states()
                            .filter(|(id, _)| *id != local)
                            .map(|(id, s)| (id, s.to_string()))
                            .collect();
                        peers.send_replace(states);
                    }
                    Message::QueryAwareness => send!(encode_awareness(&awareness.encode_all().encode())),
                    Message::PermissionDenied { reason } => return Ended::Denied(reason),
                }
            }
            change = changes.recv() => match change {
                Some(c) if c.origin != ChangeOrigin::Peer(source) => {
                    // An import or a paste may make one large update: several frames.
                    match easel_proto::chunk::update_frames(&c.update) {
                        Ok(frames) => {
                            for f in frames {
                                send!(f);
                            }
                        }
                        Err(_) => send!(encode_update(&c.update)),
                    }
                }
                Some(_) => {}
                None => return Ended::Stopped,
            },
            _ = async { file_watch.as_mut().expect("guarded").changed().await }, if synced && file_watch.is_some() && files.as_ref().is_some_and(|f| f.watching) => {
                let f = files.as_mut().expect("guarded");
                for m in f.changed() {
                    send!(m);
                }
            }
            piece = async { files.as_mut().expect("guarded").next_upload_piece().await }, if files.as_ref().is_some_and(FileSync::uploading) => {
                if let Some(p) = piece {
                    send!(p);
                }
            }
            command = commands.recv() => match command {
                None | Some(Command::Stop) => {
                    let _ = sink.send(Ws::Close(Some(close(CloseCode::Normal, "bye")))).await;
                    return Ended::Stopped;
                }
                Some(Command::Control(bytes)) => send!(bytes),
                Some(Command::SetAwareness(state)) => {
                    *awareness_state = state;
                    if let Ok(p) = awareness.set_local_state(awareness_state.as_deref(), &opts.limits) {
                        send!(encode_awareness(&p.encode()));
                    }
                }
            },
            _ = ping.tick() => {
                if last_heard.elapsed() > opts.idle_timeout {
                    return Ended::Lost("no response from the server".into(), synced);
                }
                if let Err(e) = sink.send(Ws::Ping(Default::default())).await {
                    return Ended::Lost(format!("send failed: {e}"), synced);
                }
            }
        }
    }
}

/// One connection's side of moving a board's image files (`easel_proto::files`): once synced,
/// it offers every file the board holds in the store (the server answers with those it lacks,
/// which are uploaded one at a time, piece by piece) and asks for every file wanted; then it
/// follows the board's [`FileChannel`] for new offers and wants, stores what arrives (checked
/// against its name by the store), and asks again for a wanted file the server announces.
struct FileSync {
    channel: FileChannel,
    store: Store,
    board: uuid::Uuid,
    watching: bool,
    /// Wanted files asked for on this connection.
    asked: std::collections::HashSet<String>,
    /// Files the server said it lacks, to upload.
    to_upload: std::collections::VecDeque<String>,
    /// Pieces of the file being uploaded, not yet sent.
    pieces: std::collections::VecDeque<Vec<u8>>,
    incoming: Option<easel_proto::files::Assembly>,
    /// Offers sent whose answer has not come.
    unanswered: usize,
    /// Files offered on this connection: a `need` naming anything else is ignored (a server
    /// cannot make us upload a file we did not offer).
    offered: std::collections::HashSet<String>,
    /// Uploads sent whose outcome (stored or refused) has not come, and wants asked on this
    /// connection not yet answered (a file, or a refusal).
    unconfirmed: std::collections::HashSet<String>,
}

impl FileSync {
    fn new(channel: FileChannel, store: Store, board: uuid::Uuid) -> Self {
        FileSync {
            channel,
            store,
            board,
            watching: false,
            asked: Default::default(),
            to_upload: Default::default(),
            pieces: Default::default(),
            incoming: None,
            unanswered: 0,
            offered: Default::default(),
            unconfirmed: Default::default(),
        }
    }

    /// Nothing in flight: every offer answered, every upload confirmed, every want answered
    /// (a one-shot sync waits for this before it disconnects).
    fn settled(&self) -> bool {
        self.unanswered == 0
            && self.to_upload.is_empty()
            && self.pieces.is_empty()
            && self.unconfirmed.is_empty()
    }

    fn offers(&mut self, ids: &[String]) -> Vec<Vec<u8>> {
        self.offered.extend(ids.iter().cloned());
        let out = Self::lists(easel_proto::files::FileMsg::Have, ids);
        self.unanswered += out.len();
        out
    }

    fn hashes(ids: &[String]) -> Vec<easel_proto::files::Hash> {
        ids.iter()
            .filter_map(|id| easel_proto::files::from_hex(id))
            .collect()
    }

    fn lists(
        make: fn(Vec<easel_proto::files::Hash>) -> easel_proto::files::FileMsg,
        ids: &[String],
    ) -> Vec<Vec<u8>> {
        Self::hashes(ids)
            .chunks(easel_proto::files::MAX_HASHES)
            .map(|c| make(c.to_vec()).encode())
            .collect()
    }

    /// What to send once synced: offers of every file of the board held here, and the wants.
    async fn start(&mut self, ids: Vec<String>) -> Vec<Vec<u8>> {
        self.watching = true;
        // Only files this board holds: a reference a collaborator wrote to some hash does not
        // make us upload bytes another board brought.
        let held = match self.store.board_holds_files(self.board, &ids).await {
            Ok(h) => h,
            Err(e) => {
                tracing::warn!(error = %e, "cannot list the board's files");
                Default::default()
            }
        };
        let mut held: Vec<String> = held.into_iter().collect();
        held.sort();
        tracing::trace!(
            files = ids.len(),
            held = held.len(),
            "offering the board's files"
        );
        // Offers made before this connection synced are covered by this one.
        let _ = self.channel.take_offered();
        let mut out = self.offers(&held);
        out.extend(self.wants());
        out
    }

    /// Wants not yet asked on this connection.
    fn wants(&mut self) -> Vec<Vec<u8>> {
        let new: Vec<String> = self
            .channel
            .wanted()
            .into_iter()
            .filter(|id| self.asked.insert(id.clone()))
            .collect();
        self.unconfirmed.extend(new.iter().cloned());
        Self::lists(easel_proto::files::FileMsg::Want, &new)
    }

    /// Something was newly wanted or offered.
    fn changed(&mut self) -> Vec<Vec<u8>> {
        let offered = self.channel.take_offered();
        let mut out = self.offers(&offered);
        out.extend(self.wants());
        out
    }

    fn uploading(&self) -> bool {
        !self.pieces.is_empty() || !self.to_upload.is_empty()
    }

    /// The next piece to upload, reading the next file the server lacks when one is done.
    /// Cancel-safe: a file leaves the queue only once it is read.
    async fn next_upload_piece(&mut self) -> Option<Vec<u8>> {
        while self.pieces.is_empty() {
            let id = self.to_upload.front()?.clone();
            let read = self.store.file(&id).await;
            self.to_upload.pop_front();
            match read {
                Ok(Some(f)) => {
                    let hash = easel_proto::files::from_hex(&f.id)?;
                    self.pieces = easel_proto::files::data_frames(&hash, &f.mime, &f.data).into();
                    self.unconfirmed.insert(f.id);
                }
                Ok(None) => {}
                Err(e) => tracing::warn!(file = %id, error = %e, "cannot read a file to upload"),
            }
        }
        self.pieces.pop_front()
    }

    /// Handles a file message from the server; returns what to send back.
    async fn receive<D: SyncDoc>(
        &mut self,
        bytes: &[u8],
        session: &Arc<Mutex<D>>,
    ) -> std::result::Result<Vec<Vec<u8>>, easel_proto::ProtoError> {
        use easel_proto::files::{Assembly, FileMsg, to_hex};
        match FileMsg::decode(bytes)? {
            FileMsg::Need(hashes) => {
                tracing::trace!(need = hashes.len(), "the server lacks files");
                self.unanswered = self.unanswered.saturating_sub(1);
                for h in hashes {
                    let id = to_hex(&h);
                    if !self.offered.contains(&id) {
                        tracing::warn!(file = %id, "the server asked for a file not offered to it");
                        continue;
                    }
                    if !self.to_upload.contains(&id) {
                        self.to_upload.push_back(id);
                    }
                }
            }
            FileMsg::Data {
                hash,
                mime,
                total,
                offset,
                bytes,
            } => match Assembly::push(&mut self.incoming, hash, &mime, total, offset, &bytes) {
                Ok(Some(file)) => {
                    let id = to_hex(&file.hash);
                    self.unconfirmed.remove(&id);
                    let file = BoardFile {
                        id: id.clone(),
                        mime: file.mime,
                        data: file.bytes,
                    };
                    match session.lock().await.store_file(file).await {
                        Ok(()) => tracing::debug!(file = %id, "file arrived"),
                        // A file that does not match its name, or that this board does not
                        // show: dropped; asked again on the next connection if still wanted.
                        Err(e) => {
                            tracing::warn!(file = %id, error = %e, "a file from the server was refused")
                        }
                    }
                }
                Ok(None) => {}
                Err(why) => tracing::warn!(why, "a file from the server was cut short"),
            },
            FileMsg::Stored(h) => {
                self.unconfirmed.remove(&to_hex(&h));
                tracing::debug!(file = %to_hex(&h), "the server stored a file");
            }
            FileMsg::Refused { hash, reason } => {
                self.unconfirmed.remove(&to_hex(&hash));
                tracing::info!(file = %to_hex(&hash), %reason, "the server refused a file request");
            }
            FileMsg::Available(h) => {
                let id = to_hex(&h);
                if self.channel.wanted().contains(&id) {
                    self.unconfirmed.insert(id);
                    return Ok(vec![FileMsg::Want(vec![h]).encode()]);
                }
            }
            // Only clients send these.
            FileMsg::Have(_) | FileMsg::Want(_) => {}
        }
        Ok(Vec::new())
    }
}

fn close(code: CloseCode, reason: &str) -> tokio_tungstenite::tungstenite::protocol::CloseFrame {
    tokio_tungstenite::tungstenite::protocol::CloseFrame {
        code,
        reason: reason.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn room_urls_are_checked_and_encoded() {
        let p = vec![("cap".to_string(), "a+b/c=".to_string())];
        assert_eq!(
            room_url("ws://127.0.0.1:8787/", "b1", &p).unwrap(),
            "ws://127.0.0.1:8787/b1?cap=a%2Bb%2Fc%3D"
        );
        assert!(room_url("http://x", "b", &[]).is_err());
        assert_eq!(
            room_url("wss://relay.example/", "b1", &[]).unwrap(),
            "wss://relay.example/b1"
        );
        assert!(room_url("wss://", "b", &[]).is_err());
        assert!(room_url("https://x", "b", &[]).is_err());
        assert!(room_url("ws://", "b", &[]).is_err());
    }

    #[test]
    fn backoff_grows_to_its_cap_with_jitter() {
        let opts = SyncOptions::new("ws://x");
        for attempt in 0..40 {
            let d = backoff(&opts, attempt);
            assert!(d <= opts.max_backoff + opts.min_backoff, "{attempt}: {d:?}");
        }
        let early: Duration = (0..50).map(|_| backoff(&opts, 0)).max().unwrap();
        assert!(early <= Duration::from_millis(400), "{early:?}");
    }
}
