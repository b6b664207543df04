//! The relay's SQLite store: the only module that holds SQL.
//!
//! One file (`relay.db` in the data dir). Rooms' documents live in the document log `easel-log`
//! keeps (`doc_updates`, `doc_snapshots`: the schema the app's store uses, a room's name being
//! its document's), written by the log's group-commit writer: appends and compactions of any
//! number of rooms commit in one transaction, so a burst pays one fsync, and
//! [`RelayStore::append`] returns only after the transaction holding its updates committed.
//! Beside the log, this module keeps what `--auth capabilities` pins: owner keys and
//! revocations.

use easel_log::{Log, LogError, NewSnapshot};
use sqlx::Row;
use sqlx::sqlite::SqlitePool;
use std::path::Path;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Errors of the store, and of binding or running the server (I/O).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite or sqlx failed.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// The document log failed.
    #[error("{0}")]
    Log(#[from] LogError),
    /// Migrations failed.
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
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

/// A job handed to the log's writer: resolves once the transaction holding it committed (or
/// failed), to the append's last seq or the compaction's count of deleted updates.
#[derive(Debug)]
pub(crate) enum Pending {
    Append(easel_log::Pending<std::ops::Range<i64>>),
    Compact(easel_log::Pending<easel_log::Compacted>),
}

impl std::future::Future for Pending {
    type Output = Result<i64, StoreError>;

    fn poll(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        use std::task::Poll;
        match self.get_mut() {
            Pending::Append(p) => match std::pin::Pin::new(p).poll(cx) {
                Poll::Ready(r) => Poll::Ready(r.map(|seqs| seqs.end - 1).map_err(Into::into)),
                Poll::Pending => Poll::Pending,
            },
            Pending::Compact(p) => match std::pin::Pin::new(p).poll(cx) {
                Poll::Ready(r) => Poll::Ready(r.map(|c| c.deleted as i64).map_err(Into::into)),
                Poll::Pending => Poll::Pending,
            },
        }
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
    log: Log,
}

impl std::fmt::Debug for RelayStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RelayStore")
            .field("path", &self.log.path())
            .finish_non_exhaustive()
    }
}

impl RelayStore {
    /// Opens (creating if needed) the store at `path`: the document log's migrations, then the
    /// relay's (which move rooms stored by older builds into the log).
    pub async fn open(path: &Path, durability: Durability) -> Result<RelayStore, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            easel_log::private_dir(dir, false)?;
        }
        let pool = easel_log::connect(path, durability).await?;
        easel_log::migrate(&pool).await?;
        MIGRATOR.run(&pool).await?;
        let log = Log::start(pool, path, durability).await?;
        Ok(RelayStore { log })
    }

    /// The document log (rooms' documents and their files).
    pub fn log(&self) -> &Log {
        &self.log
    }

    /// The log's pool: pins and revocations live in the same file.
    fn pool(&self) -> &SqlitePool {
        self.log.pool()
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        self.log.path()
    }

    /// Appends updates to a room's log; returns the last seq assigned once the transaction
    /// holding them has committed. Concurrent callers share transactions (group commit).
    pub async fn append(&self, room: &str, updates: Vec<Vec<u8>>) -> Result<i64, StoreError> {
        self.submit_append(room, updates).await?.await
    }

    /// Hands an append to the writer without waiting for its commit: the returned [`Pending`]
    /// resolves to the last seq assigned once it committed. Jobs commit in the order they were
    /// submitted, so one room's appends get consecutive seqs in that order.
    pub(crate) async fn submit_append(
        &self,
        room: &str,
        updates: Vec<Vec<u8>>,
    ) -> Result<Pending, StoreError> {
        Ok(Pending::Append(
            self.log.submit_append(room, updates).await?,
        ))
    }

    /// Like [`RelayStore::compact`], without waiting for the commit.
    pub(crate) async fn submit_compact(
        &self,
        room: &str,
        upto_seq: i64,
        state: Vec<u8>,
    ) -> Result<Pending, StoreError> {
        Ok(Pending::Compact(
            self.log
                .submit_snapshot(room, NewSnapshot::compaction(upto_seq, state))
                .await?,
        ))
    }

    /// What `--auth capabilities` persisted: pinned owner keys and revoked links.
    pub async fn auth_state(&self) -> Result<AuthState, StoreError> {
        let mut state = AuthState::default();
        for row in sqlx::query("SELECT board, owner_key FROM board_owners")
            .fetch_all(self.pool())
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
            .fetch_all(self.pool())
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
        .bind(easel_log::now_ms())
        .execute(self.pool())
        .await?;
        let pinned: Vec<u8> =
            sqlx::query_scalar("SELECT owner_key FROM board_owners WHERE board = ?")
                .bind(board.to_string())
                .fetch_one(self.pool())
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
        .bind(easel_log::now_ms())
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
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
        Ok(self.log.load(room).await?)
    }

    /// Bytes a room's document holds in the store (snapshot plus the updates after it).
    pub async fn stored_bytes(&self, room: &str) -> Result<u64, StoreError> {
        Ok(self.log.stored_bytes(room).await?.max(0) as u64)
    }

    /// Number of update rows stored for a room (not counting its snapshot).
    pub async fn update_count(&self, room: &str) -> Result<i64, StoreError> {
        Ok(self.log.update_count(room).await?)
    }

    /// Total update rows and snapshots stored, over all rooms.
    pub async fn totals(&self) -> Result<(i64, i64), StoreError> {
        let t = self.log.totals().await?;
        Ok((t.updates, t.snapshots))
    }

    /// Closes the read pool. Acknowledged appends are already on disk; the writer ends once
    /// the last handle is dropped.
    pub async fn close(self) {
        self.log.close().await;
    }
}
