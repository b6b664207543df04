//! One task per room: it owns the room's [`Peer`] (yrs doc + awareness) and handles the
//! room's messages strictly in order.
//!
//! Each turn the task drains what has queued in its inbox, applies it, hands the applied
//! updates to the store's group commit without waiting for it, and broadcasts them at once:
//! every broadcast is encoded once into a [`Bytes`] shared by all recipients, and each
//! connection gets all of a turn's frames under one lock.
//!
//! **Acknowledgement.** y-websocket has no per-update ack; what tells a client that the server
//! holds its edits is the server's answer to its sync step 1 (Easel's `sync_once` confirms that
//! way). So every reply to one connection (sync step 2 answers, our step 1 at join, refusals) is
//! held until every update applied before it has committed: a reply means "everything you sent
//! before this is durable". A broadcast is a peer's edit relayed, not an acknowledgement: if the
//! relay dies before the commit, the clients that have the edit (its author at least) send it
//! again when they reconnect, since they answer the relay's step 1 with what it lacks.
//! Commits run in submission order, so the room keeps a queue of them in flight.
//!
//! **Slow consumers.** A connection whose queue is full is never silently skipped: its queue is
//! dropped and replaced by a resync (sync step 1 with the room's state vector, sync step 2 with
//! the full state, and the full awareness), which brings it exactly up to date whatever it
//! missed. After `max_resyncs` resyncs the connection is closed with 1013 "slow consumer".

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use easel_proto::message::{self, AwarenessPayload};
use easel_proto::protocol::{Outgoing, next_clock};
use easel_proto::{AwarenessEntry, Limits, Peer, ProtoError, WritePolicy};
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::Bytes;
use yrs::updates::encoder::Encode;
use yrs::{Doc, ReadTxn, StateVector, Transact, WriteTxn};

use crate::auth::{Admission, AuthEvent, Authorizer};
use crate::metrics::{Metrics, Refusal};
use crate::queue::{ConnShared, Push};
use crate::store::{Pending, RelayStore, StoreError};
use easel_proto::panic_message;

pub(crate) type ConnId = u64;

/// Awareness client ids one connection may hold (a Yjs client publishes one per document; a
/// little room for a page that makes a new document on reload).
const AWARENESS_IDS_PER_CONN: usize = 4;
/// Awareness client ids one room may hold in all.
const AWARENESS_IDS_PER_ROOM: usize = 4096;

/// Commands a room's task handles, in order.
pub(crate) enum RoomCmd {
    Join {
        conn: ConnId,
        shared: Arc<ConnShared>,
        policy: WritePolicy,
        admission: Arc<Admission>,
        ack: oneshot::Sender<JoinAck>,
    },
    Message {
        conn: ConnId,
        bytes: Bytes,
    },
    Leave {
        conn: ConnId,
    },
    /// A file was stored for this room (uploaded by `from`): tell everyone else, so a
    /// connection that asked for it before it came may ask again.
    FileAvailable {
        from: ConnId,
        frame: Bytes,
    },
    Shutdown {
        done: oneshot::Sender<()>,
    },
}

/// A room's answer to a join: `Err` is the close (code, reason) to send the connection.
pub(crate) type JoinAck = Result<(), (u16, String)>;

/// How long a file no board shows is kept before it is deleted (undo, offline peers): the
/// app's grace period too.
const FILE_GRACE_MS: i64 = 7 * 24 * 3600 * 1000;

/// The ids of the files a board document's elements show (`elements.*.fileId`, the layout
/// `easel-core` writes); empty for a document without elements.
fn shown_files(doc: &yrs::Doc) -> std::collections::HashSet<String> {
    use yrs::{Map, ReadTxn, Transact};
    let txn = doc.transact();
    let mut ids = std::collections::HashSet::new();
    if let Some(elements) = txn.get_map("elements") {
        for (_, v) in elements.iter(&txn) {
            if let yrs::Out::YMap(m) = v
                && let Some(yrs::Out::Any(yrs::Any::String(f))) = m.get(&txn, "fileId")
            {
                ids.insert(f.to_string());
            }
        }
    }
    ids
}

/// Settings a room needs.
#[derive(Clone)]
pub(crate) struct RoomSettings {
    pub limits: Limits,
    pub max_resyncs: u32,
    pub idle_timeout: Duration,
    pub compact_every: u64,
    /// How long the connection holding an awareness id must have been silent before another
    /// connection may take the id over (see [`Room::own_awareness`]).
    pub awareness_takeover_after: Duration,
    /// Most bytes of updates a room keeps waiting for dependencies that never arrived (see
    /// [`Room::bound_pending`]).
    pub max_pending_bytes: usize,
    /// Most bytes a document may hold in the store (see [`Room::over_quota`]).
    pub max_doc_bytes: u64,
    /// What the relay may hold in memory (see [`crate::Config::memory_budget`]).
    pub memory_budget: u64,
    pub store: RelayStore,
    pub metrics: Arc<Metrics>,
    pub authorizer: Arc<dyn Authorizer>,
    /// With shards, each room's task runs on the shard its name maps to.
    pub homes: Option<crate::shard::Homes>,
}

struct Entry {
    id: u64,
    tx: mpsc::Sender<RoomCmd>,
}

/// The rooms held in memory.
pub(crate) struct Registry {
    rooms: Mutex<RegistryState>,
    settings: RoomSettings,
}

struct RegistryState {
    rooms: HashMap<String, Entry>,
    next_id: u64,
    closed: bool,
}

impl Registry {
    pub(crate) fn new(settings: RoomSettings) -> Arc<Self> {
        Arc::new(Registry {
            rooms: Mutex::new(RegistryState {
                rooms: HashMap::new(),
                next_id: 0,
                closed: false,
            }),
            settings,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, RegistryState> {
        self.rooms.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The room's inbox, spawning its task if it is not loaded. `None` once shutting down.
    pub(crate) fn get_or_spawn(self: &Arc<Self>, room: &str) -> Option<mpsc::Sender<RoomCmd>> {
        let mut s = self.lock();
        if s.closed {
            return None;
        }
        if let Some(e) = s.rooms.get(room)
            && !e.tx.is_closed()
        {
            return Some(e.tx.clone());
        }
        s.next_id += 1;
        let id = s.next_id;
        let (tx, rx) = mpsc::channel(1024);
        s.rooms
            .insert(room.to_owned(), Entry { id, tx: tx.clone() });
        drop(s);
        Metrics::add(&self.settings.metrics.rooms_loaded, 1);
        let task = guarded_room_task(self.clone(), room.to_owned(), id, rx);
        match &self.settings.homes {
            Some(homes) => drop(homes.home(room).spawn(task)),
            None => drop(tokio::spawn(task)),
        }
        Some(tx)
    }

    /// Removes the room's entry if it is still `id` and its inbox is empty.
    fn try_remove(&self, room: &str, id: u64, rx: &mpsc::Receiver<RoomCmd>) -> bool {
        let mut s = self.lock();
        match s.rooms.get(room) {
            Some(e) if e.id == id => {
                if !rx.is_empty() {
                    return false;
                }
                s.rooms.remove(room);
                true
            }
            _ => true,
        }
    }

    /// Stops handing out rooms and returns every loaded room's inbox.
    pub(crate) fn close(&self) -> Vec<mpsc::Sender<RoomCmd>> {
        let mut s = self.lock();
        s.closed = true;
        s.rooms.values().map(|e| e.tx.clone()).collect()
    }
}

struct Conn {
    shared: Arc<ConnShared>,
    policy: WritePolicy,
    admission: Arc<Admission>,
    resyncs: u32,
    /// Awareness client ids this connection introduced: it alone may set or remove them, until
    /// it leaves.
    clients: HashSet<u64>,
    /// Refused writes not yet recorded, and when refusals were last recorded (they are
    /// coalesced: see [`AuthEvent::WriteRefused`]).
    unrecorded_refusals: u64,
    refusal_recorded_at: Option<std::time::Instant>,
}

/// How often a connection's refused writes are recorded, at most, after the first.
const REFUSAL_RECORD_EVERY: Duration = Duration::from_secs(60);

enum Target {
    One(ConnId),
    AllBut(ConnId),
    All,
}

impl Target {
    fn includes(&self, id: ConnId) -> bool {
        match self {
            Target::One(c) => *c == id,
            Target::AllBut(c) => *c != id,
            Target::All => true,
        }
    }
}

/// A commit handed to the store, and the replies waiting for it.
struct InFlight {
    commit: Pending,
    /// Updates it appends (0 for a compaction).
    updates: u64,
    compaction: bool,
    /// Replies released once this commit (and so every one before it) is durable.
    replies: Vec<(ConnId, Bytes)>,
}

/// What woke the room task.
enum Wake {
    Cmd(Option<RoomCmd>),
    Committed(Result<i64, StoreError>),
    Idle,
}

struct Room {
    name: String,
    peer: Peer,
    conns: HashMap<ConnId, Conn>,
    settings: RoomSettings,
    /// Last seq committed.
    last_seq: i64,
    /// Last seq handed to the store (committed or in flight).
    sent_seq: i64,
    /// Updates handed to the store since the last compaction was.
    since_compact: u64,
    /// Updates applied this turn, not yet handed to the store.
    pending: Vec<Vec<u8>>,
    /// Bytes the document holds in the store, or will once what is in flight commits: its
    /// snapshot plus the updates after it.
    stored_bytes: u64,
    /// What this room adds to the relay's memory gauge (its document's estimate).
    charged: u64,
    /// Replies to single connections of this turn, held until what precedes them is durable.
    replies: Vec<(ConnId, Bytes)>,
    /// Commits in flight, oldest first.
    in_flight: VecDeque<InFlight>,
    /// Deliveries ready to go: broadcasts, and replies whose commits are done.
    out: Vec<(Target, Bytes)>,
    /// Filled by the doc's update observer: the effective change of each transaction.
    changes: Arc<Mutex<Vec<Vec<u8>>>>,
    /// Which connection holds each awareness client id (see [`Room::own_awareness`]).
    awareness_owner: HashMap<u64, ConnId>,
    /// Set when yrs panicked inside this room: the document may be half-changed, so nothing
    /// more is applied, encoded or compacted from it; the room stores what it had applied
    /// before, closes its connections with 1011 and unloads, and the next join reloads it from
    /// the store (the clients resync in full and resend what the store lacks).
    broken: Option<String>,
}

/// [`room_task`], and if it panics anyway (outside the guarded yrs calls) the room is counted,
/// logged and forgotten, so its connections close ("room closed") and the next join loads it
/// again; the shard's other rooms go on.
async fn guarded_room_task(
    registry: Arc<Registry>,
    name: String,
    id: u64,
    rx: mpsc::Receiver<RoomCmd>,
) {
    use futures_util::FutureExt;
    let metrics = registry.settings.metrics.clone();
    let task = room_task(registry.clone(), name.clone(), id, rx);
    if let Err(payload) = std::panic::AssertUnwindSafe(task).catch_unwind().await {
        let reason = panic_message(payload.as_ref());
        tracing::error!(room = %name, %reason, "room task panicked; the room will be reloaded");
        Metrics::add(&metrics.room_failures, 1);
        Metrics::sub(&metrics.rooms_loaded, 1);
        registry.lock().rooms.retain(|_, e| e.id != id);
    }
}

/// Whether loading room `name` keeps the relay under its memory budget: what is held now plus
/// the room's document as it would be loaded. `Err` is the close to send its joiners.
async fn admit(name: &str, settings: &RoomSettings) -> Result<(), (u16, String)> {
    if settings.memory_budget == u64::MAX {
        return Ok(());
    }
    let used = settings
        .metrics
        .memory_bytes
        .load(std::sync::atomic::Ordering::Relaxed);
    let stored = settings.store.stored_bytes(name).await.unwrap_or(0);
    let estimate = stored.saturating_mul(crate::config::DOC_MEMORY_FACTOR);
    if used.saturating_add(estimate) > settings.memory_budget {
        settings
            .metrics
            .refuse_conn(crate::metrics::ConnRefusal::Memory);
        tracing::warn!(room = %name, used, estimate, budget = settings.memory_budget, "room not loaded: over the memory budget");
        return Err((
            1013,
            "the server is at its memory budget; try again later".into(),
        ));
    }
    Ok(())
}

impl Drop for Room {
    fn drop(&mut self) {
        Metrics::sub(&self.settings.metrics.memory_bytes, self.charged);
    }
}

async fn room_task(
    registry: Arc<Registry>,
    name: String,
    id: u64,
    mut rx: mpsc::Receiver<RoomCmd>,
) {
    let settings = registry.settings.clone();
    let metrics = settings.metrics.clone();
    let loaded = match admit(&name, &settings).await {
        Ok(()) => Room::load(&name, settings).await.map_err(|e| {
            tracing::error!(room = %name, error = %e, "cannot load room");
            (1011, "the room could not be loaded".to_string())
        }),
        Err(why) => Err(why),
    };
    let mut room = match loaded {
        Ok(mut r) => {
            r.recharge();
            r
        }
        Err(why) => {
            // Make sure nobody else can get this inbox, then refuse what queued.
            registry.lock().rooms.retain(|_, e| e.id != id);
            rx.close();
            while let Some(cmd) = rx.recv().await {
                match cmd {
                    RoomCmd::Join { ack, .. } => {
                        let _ = ack.send(Err(why.clone()));
                    }
                    RoomCmd::Shutdown { done } => {
                        let _ = done.send(());
                    }
                    _ => {}
                }
            }
            Metrics::sub(&metrics.rooms_loaded, 1);
            return;
        }
    };
    tracing::debug!(room = %name, seq = room.last_seq, "room loaded");
    let mut batch = Vec::with_capacity(64);
    let mut shutdown: Option<oneshot::Sender<()>> = None;
    loop {
        let wake = if let Some(front) = room.in_flight.front_mut() {
            tokio::select! {
                biased;
                r = &mut front.commit => Wake::Committed(r),
                c = rx.recv() => Wake::Cmd(c),
            }
        } else if room.conns.is_empty() {
            match tokio::time::timeout(room.settings.idle_timeout, rx.recv()).await {
                Ok(c) => Wake::Cmd(c),
                Err(_) => Wake::Idle,
            }
        } else {
            Wake::Cmd(rx.recv().await)
        };
        let first = match wake {
            Wake::Cmd(Some(c)) => c,
            Wake::Cmd(None) => break,
            Wake::Committed(r) => {
                if !room.committed(r) {
                    break;
                }
                room.deliver();
                continue;
            }
            Wake::Idle => {
                // Idle: flush to a snapshot, then unload unless someone is joining.
                room.compact_if_dirty().await;
                if registry.try_remove(&name, id, &rx) {
                    tracing::debug!(room = %name, "idle room unloaded");
                    break;
                }
                continue;
            }
        };
        batch.push(first);
        while batch.len() < 256 {
            match rx.try_recv() {
                Ok(c) => batch.push(c),
                Err(_) => break,
            }
        }
        for cmd in batch.drain(..) {
            match cmd {
                RoomCmd::Join {
                    conn,
                    shared,
                    policy,
                    admission,
                    ack,
                } => room.join(conn, shared, policy, admission, ack),
                RoomCmd::Message { conn, bytes } => room.message(conn, &bytes),
                RoomCmd::Leave { conn } => room.leave(conn),
                RoomCmd::FileAvailable { from, frame } => {
                    for (id, c) in &room.conns {
                        if *id != from {
                            // Best effort: a full queue is resynced anyway, and the file stays
                            // available to a later request.
                            let _ = c.shared.push(frame.clone());
                        }
                    }
                }
                RoomCmd::Shutdown { done } => shutdown = Some(done),
            }
        }
        if !room.submit().await {
            break;
        }
        // The document grew by this turn's updates (or shrank to a snapshot).
        room.recharge();
        room.deliver();
        if shutdown.is_some() || room.broken.is_some() {
            break;
        }
    }
    // Leaving: flush, close every connection, refuse whatever is still queued.
    room.finish().await;
    registry.lock().rooms.retain(|_, e| e.id != id);
    rx.close();
    while let Ok(cmd) = rx.try_recv() {
        // A join dropped here sees its ack fail and retries: on a fresh room task after an
        // idle unload, or finds the registry closed during shutdown.
        if let RoomCmd::Shutdown { done } = cmd {
            let _ = done.send(());
        }
    }
    Metrics::sub(&metrics.rooms_loaded, 1);
    if let Some(done) = shutdown {
        let _ = done.send(());
    }
}

/// Limits for data read back from our own store: snapshots can hold more structs than one
/// network message may.
fn stored_limits(l: &Limits) -> Limits {
    Limits {
        max_message_bytes: usize::MAX,
        max_depth: l.max_depth,
        max_structs: usize::MAX,
    }
}

impl Room {
    async fn load(name: &str, settings: RoomSettings) -> Result<Room, StoreError> {
        let stored = settings.store.load(name).await?;
        let doc = Doc::new();
        // Stored bytes are our own encodes, but they still go through the validator: it is
        // linear in their size, and it keeps a damaged or foreign database from crashing yrs.
        let limits = stored_limits(&settings.limits);
        let loaded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut txn = doc.transact_mut();
            let blobs = stored
                .snapshot
                .iter()
                .chain(stored.tail.iter().map(|(_, u)| u));
            for blob in blobs {
                let corrupt = |reason: String| StoreError::Corrupt {
                    room: name.to_owned(),
                    reason,
                };
                let update = easel_proto::message::UpdatePayload::new(blob.clone(), &limits)
                    .and_then(|p| p.to_yrs())
                    .map_err(|e| corrupt(e.to_string()))?;
                txn.apply_update(update)
                    .map_err(|e| corrupt(e.to_string()))?;
            }
            Ok::<(), StoreError>(())
        }));
        match loaded {
            Ok(r) => r?,
            Err(payload) => {
                Metrics::add(&settings.metrics.room_failures, 1);
                return Err(StoreError::Corrupt {
                    room: name.to_owned(),
                    reason: format!("yrs failed loading it: {}", panic_message(payload.as_ref())),
                });
            }
        }
        let changes: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
        let sink = changes.clone();
        doc.observe_update_v1("easel-relay", move |_, e: &yrs::UpdateEvent| {
            sink.lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(e.update.clone());
        })
        .map_err(|e| StoreError::Corrupt {
            room: name.to_owned(),
            reason: format!("cannot observe the document: {e}"),
        })?;
        Ok(Room {
            changes,
            name: name.to_owned(),
            peer: Peer::with_limits(doc, settings.limits.clone()),
            conns: HashMap::new(),
            last_seq: stored.last_seq(),
            sent_seq: stored.last_seq(),
            since_compact: stored.tail.len() as u64,
            stored_bytes: stored.updates().map(|u| u.len() as u64).sum(),
            charged: 0,
            settings,
            pending: Vec::new(),
            replies: Vec::new(),
            in_flight: VecDeque::new(),
            out: Vec::new(),
            broken: None,
            awareness_owner: HashMap::new(),
        })
    }

    fn join(
        &mut self,
        conn: ConnId,
        shared: Arc<ConnShared>,
        policy: WritePolicy,
        admission: Arc<Admission>,
        ack: oneshot::Sender<JoinAck>,
    ) {
        if ack.send(Ok(())).is_err() {
            return;
        }
        // As y-websocket's server does: our sync step 1, then every awareness state we know.
        for m in self.peer.start() {
            self.replies.push((conn, Bytes::from(m)));
        }
        let all = self.peer.awareness().encode_all();
        if !all.entries().is_empty() {
            self.replies
                .push((conn, Bytes::from(message::encode_awareness(&all.encode()))));
        }
        self.conns.insert(
            conn,
            Conn {
                shared,
                policy,
                admission,
                resyncs: 0,
                clients: HashSet::new(),
                unrecorded_refusals: 0,
                refusal_recorded_at: None,
            },
        );
    }

    fn message(&mut self, id: ConnId, bytes: &[u8]) {
        if self.broken.is_some() {
            // Dropped: its sender resends what the store lacks when it reconnects.
            return;
        }
        if !self.conns.contains_key(&id) {
            // Closed earlier this turn (or before): its remaining messages are dropped.
            return;
        }
        // An awareness message is decoded once: its entries are checked against the ids this
        // connection holds, and what is kept goes to the peer as decoded.
        let mut decoded = None;
        if bytes.first() == Some(&(message::MESSAGE_AWARENESS as u8))
            && let Ok(easel_proto::Message::Awareness(payload)) =
                easel_proto::decode(bytes, &self.settings.limits)
        {
            match self.own_awareness(id, payload) {
                Some(kept) => decoded = Some(easel_proto::Message::Awareness(kept)),
                None => return,
            }
        }
        let Some(conn) = self.conns.get_mut(&id) else {
            return;
        };
        // A sync request (step 1) is answered with all the requester lacks, up to the whole
        // document: one answer per connection is in flight at a time. A request while it is
        // unsent is dropped; that answer (or a resync) covers it.
        let sync_request =
            bytes.first() == Some(&(message::MESSAGE_SYNC as u8)) && bytes.get(1) == Some(&0);
        if sync_request && conn.shared.sync_reply_pending() {
            self.settings.metrics.refuse(Refusal::Busy);
            tracing::debug!(room = %self.name, conn = id, "sync request while its answer is unsent; dropped");
            return;
        }
        if conn.policy == WritePolicy::ReadWrite && self.over_quota(bytes) {
            let limit = self.settings.max_doc_bytes;
            let quota = if limit >= 1 << 20 {
                format!("{} MiB", limit >> 20)
            } else {
                format!("{} KiB", limit >> 10)
            };
            // A close reason holds 123 bytes.
            let reason =
                format!("board full: over its {quota} storage quota; this change was not stored");
            self.settings.metrics.refuse(Refusal::Quota);
            tracing::info!(room = %self.name, conn = id, stored = self.stored_bytes, limit, "write over the storage quota; closing 1008");
            if let Some(conn) = self.conns.get(&id) {
                conn.shared.close(1008, &reason);
            }
            self.leave(id);
            return;
        }
        let Some(conn) = self.conns.get_mut(&id) else {
            return;
        };
        let peer = &mut self.peer;
        let handled = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match decoded {
            Some(msg) => peer.handle_message(conn.policy, msg),
            None => peer.handle_with_policy(conn.policy, bytes),
        }));
        let handled = match handled {
            Ok(h) => h,
            Err(payload) => {
                let reason = panic_message(payload.as_ref());
                tracing::error!(room = %self.name, conn = id, %reason, "yrs panicked applying a message; the room reloads from the store");
                // yrs committed the failed transaction as it unwound: what the observer
                // collected of it is thrown away, never stored or broadcast.
                self.changes
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .clear();
                Metrics::add(&self.settings.metrics.room_failures, 1);
                self.broken = Some(reason);
                return;
            }
        };
        match handled {
            Ok(outs) => {
                let wrote = outs
                    .iter()
                    .any(|o| matches!(o, Outgoing::DocUpdated { .. }));
                for o in outs {
                    match o {
                        Outgoing::Reply(b) => {
                            let b = Bytes::from(b);
                            if sync_request {
                                conn.shared.set_sync_reply(&b);
                            }
                            self.replies.push((id, b));
                        }
                        Outgoing::DocUpdated { broadcast, .. } => {
                            // What the update changed, as yrs' update event encoded it. A
                            // duplicate (a client's sync step 2 repeating what we have) changes
                            // nothing: it is neither stored nor broadcast. An update still
                            // waiting for missing dependencies is stored once they arrive, as
                            // part of the change that integrates it.
                            let changed = std::mem::take(
                                &mut *self.changes.lock().unwrap_or_else(|p| p.into_inner()),
                            );
                            if !changed.is_empty() {
                                self.stored_bytes +=
                                    changed.iter().map(|u| u.len() as u64).sum::<u64>();
                                self.pending.extend(changed);
                                self.out.push((Target::AllBut(id), Bytes::from(broadcast)));
                            }
                        }
                        Outgoing::AwarenessChanged { broadcast, .. } => {
                            self.out.push((Target::All, Bytes::from(broadcast)));
                        }
                        Outgoing::PermissionDenied { .. } => {}
                    }
                }
                if wrote {
                    self.bound_pending(id);
                }
            }
            Err(ProtoError::WriteDenied) => {
                // Nothing was applied, forwarded or persisted: the peer refused before yrs.
                self.settings.metrics.refuse(Refusal::WriteDenied);
                let reason = conn.admission.write_refusal(&self.name);
                tracing::debug!(room = %self.name, conn = id, %reason, "write refused");
                conn.unrecorded_refusals += 1;
                if conn
                    .refusal_recorded_at
                    .is_none_or(|at| at.elapsed() >= REFUSAL_RECORD_EVERY)
                {
                    conn.refusal_recorded_at = Some(std::time::Instant::now());
                    self.settings.authorizer.record(AuthEvent::WriteRefused {
                        room: self.name.clone(),
                        admission: (*conn.admission).clone(),
                        reason: reason.clone(),
                        count: std::mem::take(&mut conn.unrecorded_refusals),
                    });
                }
                self.replies
                    .push((id, Bytes::from(message::encode_permission_denied(&reason))));
            }
            Err(e) => {
                let why = if matches!(e, ProtoError::Yrs(_)) {
                    Refusal::Rejected
                } else {
                    Refusal::Malformed
                };
                self.settings.metrics.refuse(why);
                tracing::info!(room = %self.name, conn = id, error = %e, "malformed message; closing 1007");
                conn.shared.close(1007, &e.to_string());
                self.leave(id);
            }
        }
    }

    /// What connection `id` may do of an awareness message: entries for client ids it holds,
    /// and new ids (with a state) up to its cap and the room's; an entry for an id another
    /// connection holds, or removing an id nobody holds, is dropped. So nobody can spoof or
    /// remove someone else's presence (nor take over what Follow follows). An id whose holder
    /// has been silent past a ping (a dropped connection the relay has not closed yet) may be
    /// taken over, so a client that reconnects keeps its presence. Returns the entries to
    /// apply, or `None` when nothing is left. (Bytes that do not decode never get here: the
    /// peer refuses them as malformed.)
    fn own_awareness(&mut self, id: ConnId, payload: AwarenessPayload) -> Option<AwarenessPayload> {
        let mut kept = Vec::with_capacity(payload.entries().len());
        for e in payload.entries() {
            let holder = self.awareness_owner.get(&e.client_id).copied();
            let taken_over = holder.is_some_and(|h| {
                h != id
                    && self.conns.get(&h).is_none_or(|c| {
                        c.shared.silent_for() > self.settings.awareness_takeover_after
                    })
            });
            if taken_over && let Some(old) = holder.and_then(|h| self.conns.get_mut(&h)) {
                old.clients.remove(&e.client_id);
                self.awareness_owner.remove(&e.client_id);
            }
            let conn = self.conns.get_mut(&id)?;
            let allowed = match self.awareness_owner.get(&e.client_id) {
                Some(&owner) => owner == id,
                None => {
                    let room = e.state.is_some()
                        && conn.clients.len() < AWARENESS_IDS_PER_CONN
                        && self.awareness_owner.len() < AWARENESS_IDS_PER_ROOM;
                    if room {
                        self.awareness_owner.insert(e.client_id, id);
                        conn.clients.insert(e.client_id);
                    }
                    room
                }
            };
            if allowed {
                kept.push(e.clone());
            }
        }
        let dropped = payload.entries().len() - kept.len();
        if dropped > 0 {
            self.settings.metrics.refuse(Refusal::Awareness);
            tracing::debug!(room = %self.name, conn = id, dropped, "awareness entries for ids this connection does not hold");
        }
        if kept.is_empty() {
            return None;
        }
        if dropped == 0 {
            return Some(payload);
        }
        AwarenessPayload::from_entries(kept, &self.settings.limits).ok()
    }

    /// Removes a connection, clears the awareness states it published and releases their ids
    /// (forgotten once the removal is out, so the room keeps no entry per id ever seen).
    /// Whether applying `bytes` (an update or sync step 2 message) could take the document past
    /// `max_doc_bytes`. The message's length bounds what it adds; an update that only deletes
    /// always passes, so a full board can be trimmed. Bytes that do not decode pass, for the
    /// peer to refuse as malformed.
    fn over_quota(&self, bytes: &[u8]) -> bool {
        let write = bytes.first() == Some(&(message::MESSAGE_SYNC as u8))
            && matches!(
                bytes.get(1).map(|b| u64::from(*b)),
                Some(message::SYNC_STEP2 | message::SYNC_UPDATE)
            );
        if !write || self.stored_bytes + bytes.len() as u64 <= self.settings.max_doc_bytes {
            return false;
        }
        match easel_proto::decode(bytes, &self.settings.limits) {
            Ok(easel_proto::Message::SyncStep2(u) | easel_proto::Message::Update(u)) => {
                u.summary().structs > 0
            }
            _ => false,
        }
    }

    /// Moves the relay's memory gauge to this room's current estimate.
    fn recharge(&mut self) {
        let now = self
            .stored_bytes
            .saturating_mul(crate::config::DOC_MEMORY_FACTOR);
        let m = &self.settings.metrics.memory_bytes;
        if now > self.charged {
            Metrics::add(m, now - self.charged);
        } else {
            Metrics::sub(m, self.charged - now);
        }
        self.charged = now;
    }

    fn leave(&mut self, id: ConnId) {
        let Some(conn) = self.conns.remove(&id) else {
            return;
        };
        if conn.unrecorded_refusals > 0 {
            self.settings.authorizer.record(AuthEvent::WriteRefused {
                room: self.name.clone(),
                admission: (*conn.admission).clone(),
                reason: conn.admission.write_refusal(&self.name),
                count: conn.unrecorded_refusals,
            });
        }
        for c in &conn.clients {
            self.awareness_owner.remove(c);
        }
        let aw = self.peer.awareness();
        let entries: Vec<AwarenessEntry> = conn
            .clients
            .iter()
            .filter(|c| aw.state(**c).is_some())
            .map(|c| AwarenessEntry {
                client_id: *c,
                clock: next_clock(aw.clock(*c).unwrap_or(0)),
                state: None,
            })
            .collect();
        if let Ok(payload) = AwarenessPayload::from_entries(entries, &self.settings.limits) {
            let msg = message::encode_awareness(&payload.encode());
            if let Ok(outs) = self.peer.handle_with_policy(WritePolicy::ReadOnly, &msg) {
                for o in outs {
                    if let Outgoing::AwarenessChanged { broadcast, .. } = o {
                        self.out.push((Target::All, Bytes::from(broadcast)));
                    }
                }
            }
        }
        self.peer.forget_awareness(conn.clients);
    }

    /// Hands this turn's updates to the store (not waiting for the commit), holds this turn's
    /// replies behind the newest commit in flight (or releases them if there is none), and
    /// starts a compaction when enough updates have gone to the store.
    async fn submit(&mut self) -> bool {
        if !self.pending.is_empty() {
            let updates = std::mem::take(&mut self.pending);
            let n = updates.len() as u64;
            match self.settings.store.submit_append(&self.name, updates).await {
                Ok(commit) => {
                    self.sent_seq += n as i64;
                    self.since_compact += n;
                    self.in_flight.push_back(InFlight {
                        commit,
                        updates: n,
                        compaction: false,
                        replies: Vec::new(),
                    });
                }
                Err(e) => {
                    self.fail(&e);
                    return false;
                }
            }
        }
        if !self.replies.is_empty() {
            match self.in_flight.back_mut() {
                Some(f) => f.replies.append(&mut self.replies),
                None => self
                    .out
                    .extend(self.replies.drain(..).map(|(id, b)| (Target::One(id), b))),
            }
        }
        if self.since_compact >= self.settings.compact_every && self.broken.is_none() {
            self.submit_compaction().await;
        }
        true
    }

    /// Handles the oldest commit in flight finishing. On failure nothing more can be
    /// acknowledged: every connection is closed with 1011 and the room unloads (its in-memory
    /// state is ahead of the disk).
    fn committed(&mut self, result: Result<i64, StoreError>) -> bool {
        let Some(done) = self.in_flight.pop_front() else {
            return true;
        };
        match result {
            Ok(v) if done.compaction => {
                Metrics::add(&self.settings.metrics.compactions, 1);
                tracing::debug!(room = %self.name, deleted = v, "room compacted");
            }
            Ok(last) => {
                self.last_seq = last;
                Metrics::add(&self.settings.metrics.updates_persisted, done.updates);
            }
            Err(e) if done.compaction => {
                tracing::error!(room = %self.name, error = %e, "compaction failed");
                self.since_compact = self.since_compact.max(1);
            }
            Err(e) => {
                self.fail(&e);
                return false;
            }
        }
        self.out
            .extend(done.replies.into_iter().map(|(id, b)| (Target::One(id), b)));
        true
    }

    fn fail(&mut self, e: &StoreError) {
        tracing::error!(room = %self.name, error = %e, "cannot persist updates; closing the room");
        for c in self.conns.values() {
            c.shared
                .close(1011, "the server could not store the update");
        }
        self.conns.clear();
        self.out.clear();
        self.replies.clear();
        self.in_flight.clear();
    }

    /// Waits for every commit in flight and sends what they release.
    async fn settle(&mut self) -> bool {
        while let Some(front) = self.in_flight.front_mut() {
            let r = (&mut front.commit).await;
            if !self.committed(r) {
                return false;
            }
        }
        self.deliver();
        true
    }

    /// yrs keeps blocks whose dependencies have not arrived (a gap in a client's clock) until
    /// they do, without bound; a peer that sends updates over a gap on purpose would grow the
    /// room for ever. Past `max_pending_bytes` the waiting blocks are dropped (nothing of them
    /// was stored or integrated) and the connection whose update passed the bound is closed
    /// with 1008: a real client reconnects and resyncs in full, sending the dependencies it has.
    fn bound_pending(&mut self, id: ConnId) {
        let doc = self.peer.doc();
        let size = {
            let txn = doc.transact();
            if !txn.has_missing_updates() {
                return;
            }
            let store = txn.store();
            store
                .pending_update()
                .map_or(0, |p| p.update.encode_v1().len())
                + store.pending_ds().map_or(0, |ds| ds.encode_v1().len())
        };
        if size <= self.settings.max_pending_bytes {
            return;
        }
        doc.transact_mut().prune_pending();
        // Pruning changes no integrated block; whatever the update observer saw of it is not
        // an update to store or forward.
        self.changes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
        self.settings.metrics.refuse(Refusal::Pending);
        tracing::info!(room = %self.name, conn = id, size, "updates waiting for missing dependencies past the bound; dropped, closing 1008");
        if let Some(conn) = self.conns.get(&id) {
            conn.shared.close(
                1008,
                "updates depend on changes this server never received: reconnect to resync",
            );
        }
    }

    /// Sends what is ready; resyncs or closes slow consumers. Each connection gets its frames
    /// under one lock and one wake-up of its connection task.
    fn deliver(&mut self) {
        if self.out.is_empty() {
            return;
        }
        let out = std::mem::take(&mut self.out);
        let mut resync: Option<Vec<Bytes>> = None;
        let mut dropped = Vec::new();
        let mut frames: Vec<Bytes> = Vec::new();
        for (&id, conn) in self.conns.iter_mut() {
            frames.clear();
            frames.extend(
                out.iter()
                    .filter(|(t, _)| t.includes(id))
                    .map(|(_, b)| b.clone()),
            );
            if frames.is_empty() {
                continue;
            }
            match conn.shared.push_all(&mut frames) {
                Push::Queued => {}
                Push::Closed => dropped.push(id),
                Push::Full => {
                    if conn.resyncs >= self.settings.max_resyncs || self.broken.is_some() {
                        Metrics::add(&self.settings.metrics.slow_disconnects, 1);
                        tracing::info!(room = %self.name, conn = id, "slow consumer; closing 1013");
                        conn.shared.close(1013, "slow consumer");
                        dropped.push(id);
                    } else {
                        conn.resyncs += 1;
                        Metrics::add(&self.settings.metrics.slow_resyncs, 1);
                        tracing::debug!(room = %self.name, conn = id, "slow consumer; resync");
                        let frames = resync.get_or_insert_with(|| resync_frames(&self.peer));
                        conn.shared.reset_with(frames.iter().cloned());
                    }
                }
            }
        }
        for id in dropped {
            self.leave(id);
        }
        if !self.out.is_empty() {
            // Awareness removals of the connections just dropped.
            self.deliver();
        }
    }

    /// Hands a snapshot of the whole document, covering every update handed to the store so
    /// far, to the store; it commits after them.
    async fn submit_compaction(&mut self) {
        let state = self
            .peer
            .doc()
            .transact()
            .encode_state_as_update_v1(&StateVector::default());
        // The files the board shows now: once the snapshot is stored, the room drops its
        // links to the others (collected a grace period later unless a board shows them).
        let shown = (!self.name.ends_with("/comments"))
            .then(|| (shown_files(self.peer.doc()), easel_log::now_ms()));
        // Once it commits the store holds this snapshot and what comes after it.
        self.stored_bytes = state.len() as u64;
        self.recharge();
        match self
            .settings
            .store
            .submit_compact(&self.name, self.sent_seq, state)
            .await
        {
            Ok(commit) => {
                self.since_compact = 0;
                self.in_flight.push_back(InFlight {
                    commit,
                    updates: 0,
                    compaction: true,
                    replies: Vec::new(),
                });
                if let Some((shown, seen_at)) = shown {
                    let log = self.settings.store.log().clone();
                    let room = self.name.clone();
                    tokio::spawn(async move {
                        let kept = async {
                            let dropped = log.retain_doc_files(&room, &shown, seen_at).await?;
                            let collected = log.collect_files(FILE_GRACE_MS).await?;
                            Ok::<_, easel_log::LogError>((dropped, collected))
                        };
                        match kept.await {
                            Ok((dropped, c)) if dropped + c.files > 0 => {
                                tracing::debug!(%room, dropped, collected = c.files, "files no board shows let go")
                            }
                            Ok(_) => {}
                            Err(e) => {
                                tracing::warn!(%room, error = %e, "letting go of unshown files failed")
                            }
                        }
                    });
                }
            }
            Err(e) => tracing::error!(room = %self.name, error = %e, "compaction failed"),
        }
    }

    /// The room's last act: stores what is in flight (and compacts, unless the document is
    /// suspect), then closes every connection: 1001 when the server shuts down or the room
    /// unloads, 1011 after a failure inside yrs, so clients reconnect to the room reloaded from
    /// the store and resync in full.
    async fn finish(&mut self) {
        self.compact_if_dirty().await;
        let (code, reason) = match self.broken {
            None => (1001, "server shutting down"),
            Some(_) => (
                1011,
                "the server reloads this board after an internal error",
            ),
        };
        for conn in self.conns.values() {
            conn.shared.close(code, reason);
        }
    }

    /// Waits for what is in flight, then compacts if anything was stored since the last
    /// compaction, and waits for that too.
    async fn compact_if_dirty(&mut self) {
        if !self.settle().await || self.since_compact == 0 || self.broken.is_some() {
            return;
        }
        self.submit_compaction().await;
        self.settle().await;
    }
}

/// Everything a client needs to be exactly up to date: our state vector (so it sends what we
/// lack), our full state, and every awareness state.
fn resync_frames(peer: &Peer) -> Vec<Bytes> {
    let txn = peer.doc().transact();
    let sv = txn.state_vector().encode_v1();
    let full = txn.encode_state_as_update_v1(&StateVector::default());
    drop(txn);
    let mut v = vec![Bytes::from(message::encode_sync_step1(&sv))];
    match easel_proto::chunk::sync_step2_frames(&full) {
        Ok(frames) => v.extend(frames.into_iter().map(Bytes::from)),
        // Our own document always encodes to a valid update; whole if it ever did not.
        Err(_) => v.push(Bytes::from(message::encode_sync_step2(&full))),
    }
    let all = peer.awareness().encode_all();
    if !all.entries().is_empty() {
        v.push(Bytes::from(message::encode_awareness(&all.encode())));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{Grant, OpenAuthorizer};
    use yrs::Map;

    async fn settings(dir: &std::path::Path) -> RoomSettings {
        RoomSettings {
            limits: Limits::default(),
            max_resyncs: 2,
            idle_timeout: Duration::from_secs(60),
            compact_every: 1000,
            awareness_takeover_after: Duration::from_secs(15),
            max_pending_bytes: 4 << 20,
            max_doc_bytes: 64 << 20,
            memory_budget: u64::MAX,
            store: RelayStore::open(&dir.join("relay.db"), crate::Durability::Normal)
                .await
                .unwrap(),
            metrics: Arc::new(Metrics::default()),
            authorizer: Arc::new(OpenAuthorizer),
            homes: None,
        }
    }

    /// Joins connection `conn`; returns its queue and the join's acknowledgement (kept alive,
    /// or the room drops the connection).
    fn join(room: &mut Room, conn: ConnId) -> (Arc<ConnShared>, oneshot::Receiver<JoinAck>) {
        let shared = Arc::new(ConnShared::new(64, 8 << 20));
        let (ack, acked) = oneshot::channel();
        room.join(
            conn,
            shared.clone(),
            WritePolicy::ReadWrite,
            Arc::new(Admission::from(Grant::ReadWrite)),
            ack,
        );
        (shared, acked)
    }

    /// An update message from a fresh client that sets `key` in the map `m`.
    fn update(key: &str) -> Vec<u8> {
        let doc = Doc::new();
        let m = doc.get_or_insert_map("m");
        m.insert(&mut doc.transact_mut(), key, 1);
        let u = doc
            .transact()
            .encode_state_as_update_v1(&StateVector::default());
        message::encode_update(&u)
    }

    /// yrs panicking inside a room (an update observer armed to fail inside yrs's commit, as
    /// the block-store bug of yrs 0.28.1 did) neither kills the task nor stores or forwards
    /// anything of the failed transaction: the room stores what came before, applies nothing
    /// more, closes its connections with 1011, and loads again from the store without it.
    #[tokio::test]
    async fn a_panic_inside_yrs_reloads_the_room_from_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let settings = settings(dir.path()).await;
        let metrics = settings.metrics.clone();
        let mut room = Room::load("r", settings.clone()).await.unwrap();
        let (a, _a_ack) = join(&mut room, 1);
        let (b, _b_ack) = join(&mut room, 2);
        room.message(1, &update("kept"));
        assert_eq!(room.pending.len(), 1);
        let outgoing = room.out.len();
        room.peer
            .doc()
            .observe_update_v1("test:fault", |_, _| {
                panic!("injected failure inside yrs");
            })
            .unwrap();
        room.message(2, &update("failed"));
        let reason = room.broken.clone().expect("the room knows it is broken");
        assert!(reason.contains("injected failure inside yrs"), "{reason}");
        assert_eq!(
            metrics
                .room_failures
                .load(std::sync::atomic::Ordering::Relaxed),
            1
        );
        assert_eq!(
            room.pending.len(),
            1,
            "nothing of the failed transaction is stored"
        );
        assert_eq!(room.out.len(), outgoing, "nor broadcast");
        assert!(room.changes.lock().unwrap().is_empty());
        // Later messages are dropped: their senders resend what the store lacks on reconnect.
        room.message(1, &update("dropped"));
        assert_eq!(room.pending.len(), 1);
        assert!(room.submit().await);
        room.finish().await;
        for conn in [&a, &b] {
            let (code, why) = conn.take_close().expect("closed");
            assert_eq!(code, 1011, "{why}");
        }
        drop(room);

        let reloaded = Room::load("r", settings).await.unwrap();
        let m = reloaded.peer.doc().get_or_insert_map("m");
        let txn = reloaded.peer.doc().transact();
        assert!(m.get(&txn, "kept").is_some());
        assert!(m.get(&txn, "failed").is_none());
        assert!(m.get(&txn, "dropped").is_none());
    }
}
