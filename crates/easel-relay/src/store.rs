//! The relay's SQLite store: the only module that holds SQL.
//!
//! Modelled on `easel-core`'s store: one file (`relay.db` in the data dir) in WAL mode, writes in
//! `BEGIN IMMEDIATE` transactions, and a single group-commit writer task that owns one
//! connection and commits whatever has queued up (appends and compactions of any number of
//! rooms) in one transaction, so a burst pays one fsync. [`RelayStore::append`] returns only
//! after the transaction holding its updates committed.

use sqlx::sqlite::{SqlitePool, SqlitePoolOptions};
use sqlx::{Connection, Row, SqliteConnection};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use tokio::sync::{mpsc, oneshot};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Most jobs committed in one group-commit transaction.
const MAX_BATCH: usize = 1024;
/// SQLite allows 32766 bound parameters per statement; an update row takes 4.
const ROWS_PER_INSERT: usize = 4096;

/// Errors of the store, and of binding or running the server (I/O).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite or sqlx failed.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// Migrations failed.
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The writer task is gone (the store was closed).
    #[error("the store is closed")]
    Closed,
    /// A stored update or snapshot failed validation.
    #[error("room {room}: stored data is corrupt: {reason}")]
    Corrupt {
        /// The room.
        room: String,
        /// What is wrong.
        reason: String,
    },
    /// File system error.
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
}

pub use easel_log::Durability;

/// A room as stored: its snapshot (if any) and the updates after it, exactly as the app's
/// store keeps a board.
pub use easel_log::StoredDoc as StoredRoom;

enum Job {
    Append {
        room: String,
        updates: Vec<Vec<u8>>,
        ack: oneshot::Sender<Result<i64, String>>,
    },
    Compact {
        room: String,
        upto_seq: i64,
        state: Vec<u8>,
        ack: oneshot::Sender<Result<i64, String>>,
    },
}

/// A job handed to the writer task: resolves once the transaction holding it committed (or
/// failed), to the append's last seq or the compaction's count of deleted updates.
#[derive(Debug)]
pub(crate) struct Pending(oneshot::Receiver<Result<i64, String>>);

impl std::future::Future for Pending {
    type Output = Result<i64, StoreError>;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        std::pin::Pin::new(&mut self.0).poll(cx).map(|r| {
            r.map_err(|_| StoreError::Closed)?
                .map_err(|m| StoreError::Database(sqlx::Error::Protocol(m)))
        })
    }
}

/// Pinned owner keys and revoked links, as loaded at startup.
#[derive(Debug, Default)]
pub struct AuthState {
    pub owners: Vec<(uuid::Uuid, [u8; 32])>,
    pub revoked: Vec<(uuid::Uuid, uuid::Uuid)>,
}

/// A handle to the relay's store; cheap to clone.
#[derive(Clone)]
pub struct RelayStore {
    pool: SqlitePool,
    writer: mpsc::Sender<Job>,
    path: PathBuf,
}

impl std::fmt::Debug for RelayStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RelayStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl RelayStore {
    /// Opens (creating if needed) the store at `path`, running the relay's migrations.
    pub async fn open(path: &Path, durability: Durability) -> Result<RelayStore, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            easel_log::private_dir(dir, false)?;
        }
        easel_log::private_db_file(path)?;
        let options = easel_log::connect_options(path, durability);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .min_connections(1)
            .connect_with(options.clone())
            .await?;
        MIGRATOR.run(&pool).await?;
        let conn = SqliteConnection::connect_with(&options).await?;
        let (tx, rx) = mpsc::channel(MAX_BATCH);
        tokio::spawn(writer_task(conn, rx));
        Ok(RelayStore {
            pool,
            writer: tx,
            path: path.to_path_buf(),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends updates to a room's log; returns the last seq assigned once the transaction
    /// holding them has committed. Concurrent callers share transactions (group commit).
    pub async fn append(&self, room: &str, updates: Vec<Vec<u8>>) -> Result<i64, StoreError> {
        self.submit_append(room, updates).await?.await
    }

    /// Hands an append to the writer task without waiting for its commit: the returned
    /// [`Pending`] resolves to the last seq assigned once it committed. Jobs commit in the order
    /// they were submitted, so one room's appends get consecutive seqs in that order.
    pub(crate) async fn submit_append(
        &self,
        room: &str,
        updates: Vec<Vec<u8>>,
    ) -> Result<Pending, StoreError> {
        let room = room.to_owned();
        self.submit(|ack| Job::Append { room, updates, ack }).await
    }

    /// Like [`RelayStore::compact`], without waiting for the commit.
    pub(crate) async fn submit_compact(
        &self,
        room: &str,
        upto_seq: i64,
        state: Vec<u8>,
    ) -> Result<Pending, StoreError> {
        let room = room.to_owned();
        self.submit(|ack| Job::Compact {
            room,
            upto_seq,
            state,
            ack,
        })
        .await
    }

    /// What `--auth capabilities` persisted: pinned owner keys and revoked links.
    pub async fn auth_state(&self) -> Result<AuthState, StoreError> {
        let mut state = AuthState::default();
        for row in sqlx::query("SELECT board, owner_key FROM board_owners")
            .fetch_all(&self.pool)
            .await?
        {
            let board: String = row.get(0);
            let key: Vec<u8> = row.get(1);
            let (Ok(board), Ok(key)) = (uuid::Uuid::parse_str(&board), <[u8; 32]>::try_from(key))
            else {
                return Err(StoreError::Corrupt {
                    room: board,
                    reason: "bad owner key row".into(),
                });
            };
            state.owners.push((board, key));
        }
        for row in sqlx::query("SELECT board, link_id FROM revoked_links")
            .fetch_all(&self.pool)
            .await?
        {
            let board: String = row.get(0);
            let link: String = row.get(1);
            let (Ok(b), Ok(l)) = (uuid::Uuid::parse_str(&board), uuid::Uuid::parse_str(&link))
            else {
                return Err(StoreError::Corrupt {
                    room: board,
                    reason: "bad revocation row".into(),
                });
            };
            state.revoked.push((b, l));
        }
        Ok(state)
    }

    /// Pins `key` as the owner of `board` unless one is pinned already; returns the pinned key.
    pub async fn pin_owner(
        &self,
        board: uuid::Uuid,
        key: &[u8; 32],
    ) -> Result<[u8; 32], StoreError> {
        sqlx::query(
            "INSERT INTO board_owners (board, owner_key, registered_at) VALUES (?, ?, ?) \
             ON CONFLICT (board) DO NOTHING",
        )
        .bind(board.to_string())
        .bind(key.as_slice())
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        let pinned: Vec<u8> =
            sqlx::query_scalar("SELECT owner_key FROM board_owners WHERE board = ?")
                .bind(board.to_string())
                .fetch_one(&self.pool)
                .await?;
        pinned.try_into().map_err(|_| StoreError::Corrupt {
            room: board.to_string(),
            reason: "bad owner key row".into(),
        })
    }

    /// Records a verified revocation (idempotent); returns whether it was new. Returns only
    /// after the row is committed.
    pub async fn add_revocation(
        &self,
        board: uuid::Uuid,
        link: uuid::Uuid,
        revoked_at: i64,
        signed: &[u8],
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO revoked_links (board, link_id, revoked_at, revocation, received_at) \
             VALUES (?, ?, ?, ?, ?) ON CONFLICT (board, link_id) DO NOTHING",
        )
        .bind(board.to_string())
        .bind(link.to_string())
        .bind(revoked_at)
        .bind(signed)
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Hands a job to the writer task; the answer comes through the returned [`Pending`].
    async fn submit(
        &self,
        job: impl FnOnce(oneshot::Sender<Result<i64, String>>) -> Job,
    ) -> Result<Pending, StoreError> {
        let (ack, done) = oneshot::channel();
        self.writer
            .send(job(ack))
            .await
            .map_err(|_| StoreError::Closed)?;
        Ok(Pending(done))
    }

    /// Replaces a room's snapshot with `state` (a full-state v1 update covering every update up
    /// to `upto_seq`) and deletes the updates it covers, in one transaction. Returns how many
    /// updates were deleted.
    pub async fn compact(
        &self,
        room: &str,
        upto_seq: i64,
        state: Vec<u8>,
    ) -> Result<i64, StoreError> {
        self.submit_compact(room, upto_seq, state).await?.await
    }

    /// A room's snapshot and the updates after it, read in one transaction.
    pub async fn load(&self, room: &str) -> Result<StoredRoom, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let mut tx = conn.begin().await?;
        let snap = sqlx::query("SELECT state, upto_seq FROM room_snapshots WHERE room = ?")
            .bind(room)
            .fetch_optional(&mut *tx)
            .await?;
        let (snapshot, snapshot_seq) = match snap {
            Some(r) => (
                Some(r.try_get::<Vec<u8>, _>("state")?),
                r.try_get("upto_seq")?,
            ),
            None => (None, 0),
        };
        let rows = sqlx::query(
            "SELECT seq, data FROM room_updates WHERE room = ? AND seq > ? ORDER BY seq",
        )
        .bind(room)
        .bind(snapshot_seq)
        .fetch_all(&mut *tx)
        .await?;
        let tail = rows
            .iter()
            .map(|r| Ok((r.try_get("seq")?, r.try_get("data")?)))
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        tx.commit().await?;
        Ok(StoredRoom {
            snapshot,
            snapshot_seq,
            tail,
        })
    }

    /// Number of update rows stored for a room (not counting its snapshot).
    pub async fn update_count(&self, room: &str) -> Result<i64, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT count(*) FROM room_updates WHERE room = ?")
                .bind(room)
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// Total update rows and snapshots stored, over all rooms.
    pub async fn totals(&self) -> Result<(i64, i64), StoreError> {
        let r = sqlx::query(
            "SELECT (SELECT count(*) FROM room_updates) AS u, (SELECT count(*) FROM room_snapshots) AS s",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok((r.try_get("u")?, r.try_get("s")?))
    }

    /// Closes the read pool. Acknowledged appends are already on disk; the writer task ends
    /// once the last handle is dropped.
    pub async fn close(self) {
        self.pool.close().await;
    }
}

/// The group-commit writer: takes every job that has queued up, runs them in order in one
/// IMMEDIATE transaction, then acknowledges each.
async fn writer_task(mut conn: SqliteConnection, mut rx: mpsc::Receiver<Job>) {
    let mut batch: Vec<Job> = Vec::new();
    let mut cache = SeqCache::default();
    while let Some(first) = rx.recv().await {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        match commit_batch(&mut conn, &mut cache, &batch).await {
            Ok(results) => {
                for (job, r) in batch.drain(..).zip(results) {
                    match job {
                        Job::Append { ack, .. } | Job::Compact { ack, .. } => {
                            let _ = ack.send(Ok(r));
                        }
                    }
                }
            }
            Err(e) => {
                cache.clear();
                let msg = e.to_string();
                tracing::error!(error = %msg, jobs = batch.len(), "relay store commit failed");
                for job in batch.drain(..) {
                    match job {
                        Job::Append { ack, .. } | Job::Compact { ack, .. } => {
                            let _ = ack.send(Err(msg.clone()));
                        }
                    }
                }
            }
        }
    }
}

/// The last seq of each room as this writer last committed it, valid while `PRAGMA
/// data_version` says nobody else committed since.
#[derive(Default)]
struct SeqCache {
    data_version: Option<i64>,
    last: HashMap<String, i64>,
}

impl SeqCache {
    fn clear(&mut self) {
        self.data_version = None;
        self.last.clear();
    }
}

async fn commit_batch(
    conn: &mut SqliteConnection,
    cache: &mut SeqCache,
    batch: &[Job],
) -> Result<Vec<i64>, sqlx::Error> {
    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
    let version: i64 = sqlx::query_scalar("PRAGMA data_version")
        .fetch_one(&mut *tx)
        .await?;
    if cache.data_version != Some(version) {
        cache.last.clear();
        cache.data_version = Some(version);
    }
    let now = now_ms();
    let mut next: HashMap<&str, i64> = HashMap::new();
    let mut rows: Vec<(&str, i64, &[u8])> = Vec::new();
    let mut results = Vec::with_capacity(batch.len());
    // Rows are inserted in multi-row statements; a compaction in the batch first flushes the
    // rows queued before it, so jobs take effect in order.
    for job in batch {
        match job {
            Job::Append { room, updates, .. } => {
                let last = match next.get(room.as_str()).or(cache.last.get(room)) {
                    Some(l) => *l,
                    None => {
                        sqlx::query(
                            "INSERT INTO rooms (name, created_at, updated_at) VALUES (?, ?, ?)
                             ON CONFLICT (name) DO NOTHING",
                        )
                        .bind(room)
                        .bind(now)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                        last_seq(&mut tx, room).await?
                    }
                };
                for (i, u) in updates.iter().enumerate() {
                    rows.push((room, last + 1 + i as i64, u));
                }
                let last = last + updates.len() as i64;
                next.insert(room, last);
                results.push(last);
            }
            Job::Compact {
                room,
                upto_seq,
                state,
                ..
            } => {
                insert_rows(&mut tx, &mut rows, now).await?;
                sqlx::query(
                    "INSERT INTO rooms (name, created_at, updated_at) VALUES (?, ?, ?)
                     ON CONFLICT (name) DO NOTHING",
                )
                .bind(room)
                .bind(now)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO room_snapshots (room, upto_seq, state, created_at)
                     VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (room) DO UPDATE
                        SET upto_seq = excluded.upto_seq, state = excluded.state,
                            created_at = excluded.created_at
                      WHERE excluded.upto_seq >= room_snapshots.upto_seq",
                )
                .bind(room)
                .bind(upto_seq)
                .bind(state.as_slice())
                .bind(now)
                .execute(&mut *tx)
                .await?;
                let deleted = sqlx::query("DELETE FROM room_updates WHERE room = ? AND seq <= ?")
                    .bind(room)
                    .bind(upto_seq)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                results.push(deleted as i64);
            }
        }
    }
    insert_rows(&mut tx, &mut rows, now).await?;
    for room in next.keys() {
        sqlx::query("UPDATE rooms SET updated_at = ? WHERE name = ?")
            .bind(now)
            .bind(*room)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    for (room, last) in next {
        cache.last.insert(room.to_owned(), last);
    }
    Ok(results)
}

async fn insert_rows(
    tx: &mut SqliteConnection,
    rows: &mut Vec<(&str, i64, &[u8])>,
    now: i64,
) -> Result<(), sqlx::Error> {
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let mut qb =
            sqlx::QueryBuilder::new("INSERT INTO room_updates (room, seq, data, created_at) ");
        qb.push_values(chunk, |mut b, (room, seq, data)| {
            b.push_bind(*room)
                .push_bind(*seq)
                .push_bind(*data)
                .push_bind(now);
        });
        qb.build().execute(&mut *tx).await?;
    }
    rows.clear();
    Ok(())
}

async fn last_seq(tx: &mut SqliteConnection, room: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT max(COALESCE((SELECT max(seq) FROM room_updates WHERE room = ?1), 0),
                    COALESCE((SELECT upto_seq FROM room_snapshots WHERE room = ?1), 0))",
    )
    .bind(room)
    .fetch_one(&mut *tx)
    .await
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}
