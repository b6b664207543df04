//! [`Log`]: the document log over one SQLite file, and its group-commit writer.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use sqlx::{Connection, Row, SqliteConnection};
use tokio::sync::{mpsc, oneshot};

use crate::{Durability, StoredDoc};

/// The log's migrations. Their history is kept apart from the owner's (`_sqlx_migrations`), so
/// the app's, the relay's and the log's versions never collide.
fn migrator() -> sqlx::migrate::Migrator {
    let mut m = sqlx::migrate!("./migrations");
    m.dangerous_set_table_name("_easel_log_migrations");
    m
}

/// Most jobs committed in one group-commit transaction.
const MAX_BATCH: usize = 1024;
/// SQLite allows 32766 bound parameters per statement; an update row takes 4.
const ROWS_PER_INSERT: usize = 4096;

/// What can go wrong in the log.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// SQLite or sqlx failed.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// The log's migrations failed.
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A batch this job shared failed to commit; nothing of it was written.
    #[error("database: {0}")]
    Commit(String),
    /// The writer task is gone (the log was closed).
    #[error("the document log is closed")]
    Closed,
    /// A call the log refuses (an empty document name, a snapshot covering nothing...).
    #[error("{0}")]
    Invalid(String),
    /// A write that would take a document past its quota; nothing of it was stored.
    #[error("over quota: {0}")]
    Quota(String),
    /// File system error.
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
}

type Result<T, E = LogError> = std::result::Result<T, E>;

/// A snapshot to store: the document's full state covering every update up to `upto_seq`.
#[derive(Debug, Clone)]
pub struct NewSnapshot {
    pub upto_seq: i64,
    /// A full-state v1 update.
    pub state: Vec<u8>,
    /// A user-given name (kept until deleted with the document), or `None` for an automatic
    /// snapshot (pruned beyond the newest `keep_unnamed`).
    pub name: Option<String>,
    /// The owner's own record of it (opaque to the log).
    pub meta: Option<String>,
    /// Delete the updates this snapshot covers, in the same transaction.
    pub compact: bool,
    /// Automatic snapshots kept for the document, newest first (at least 1). The compaction
    /// base (the snapshot with the highest `upto_seq`) is never pruned.
    pub keep_unnamed: u32,
}

impl NewSnapshot {
    /// A compaction as a relay does it: an automatic snapshot that replaces the older ones and
    /// deletes the updates it covers.
    pub fn compaction(upto_seq: i64, state: Vec<u8>) -> NewSnapshot {
        NewSnapshot {
            upto_seq,
            state,
            name: None,
            meta: None,
            compact: true,
            keep_unnamed: 1,
        }
    }
}

/// A stored snapshot, without its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotInfo {
    pub id: i64,
    pub doc: String,
    pub name: Option<String>,
    pub upto_seq: i64,
    /// Bytes of state.
    pub size: i64,
    pub meta: Option<String>,
    /// Unix milliseconds.
    pub created_at: i64,
}

/// What storing a snapshot did.
#[derive(Debug, Clone)]
pub struct Compacted {
    pub snapshot: SnapshotInfo,
    /// Updates deleted because the snapshot covers them.
    pub deleted: u64,
}

/// Update rows and snapshots stored, over all documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    pub updates: i64,
    pub snapshots: i64,
}

enum Job {
    Append {
        doc: String,
        updates: Vec<Vec<u8>>,
        ack: oneshot::Sender<Result<Range<i64>, String>>,
    },
    Snapshot {
        doc: String,
        snapshot: NewSnapshot,
        ack: oneshot::Sender<Result<Compacted, String>>,
    },
}

impl Job {
    fn weight(&self) -> usize {
        match self {
            Job::Append { updates, .. } => updates.len().max(1),
            Job::Snapshot { .. } => 1,
        }
    }

    fn fail(self, msg: &str) {
        match self {
            Job::Append { ack, .. } => drop(ack.send(Err(msg.to_owned()))),
            Job::Snapshot { ack, .. } => drop(ack.send(Err(msg.to_owned()))),
        }
    }
}

/// A job handed to the writer: resolves once the transaction holding it committed, or failed.
#[derive(Debug)]
pub struct Pending<T>(oneshot::Receiver<Result<T, String>>);

impl<T> std::future::Future for Pending<T> {
    type Output = Result<T>;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        std::pin::Pin::new(&mut self.0)
            .poll(cx)
            .map(|r| r.map_err(|_| LogError::Closed)?.map_err(LogError::Commit))
    }
}

/// Opens a connection pool on an Easel SQLite file: the file made private (0600), WAL, the
/// chosen durability. The owner then runs [`migrate`], its own migrations, and [`Log::start`].
pub async fn connect(path: &Path, durability: Durability) -> Result<SqlitePool> {
    crate::private_db_file(path)?;
    Ok(SqlitePoolOptions::new()
        .max_connections(4)
        .min_connections(1)
        .connect_with(crate::connect_options(path, durability))
        .await?)
}

/// Creates or updates the log's tables. Owners whose own migrations move older rows into the
/// log run this first.
pub async fn migrate(pool: &SqlitePool) -> Result<()> {
    migrator().run(pool).await?;
    Ok(())
}

/// The document log of one SQLite file; cheap to clone.
#[derive(Clone)]
pub struct Log {
    pool: SqlitePool,
    writer: mpsc::Sender<Job>,
    path: PathBuf,
}

impl std::fmt::Debug for Log {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Log")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

fn check_doc(doc: &str) -> Result<()> {
    if doc.is_empty() || doc.len() > 512 {
        return Err(LogError::Invalid(format!(
            "a document name must be 1 to 512 bytes (got {})",
            doc.len()
        )));
    }
    Ok(())
}

impl Log {
    /// Opens (creating if needed) a file that holds only the log.
    pub async fn open(path: &Path, durability: Durability) -> Result<Log> {
        let pool = connect(path, durability).await?;
        migrate(&pool).await?;
        Log::start(pool, path, durability).await
    }

    /// Starts the writer on a pool from [`connect`] whose schema is migrated: it opens its own
    /// connection to `path` with the same options.
    pub async fn start(pool: SqlitePool, path: &Path, durability: Durability) -> Result<Log> {
        let options: SqliteConnectOptions = crate::connect_options(path, durability);
        let conn = SqliteConnection::connect_with(&options).await?;
        let (tx, rx) = mpsc::channel(MAX_BATCH);
        tokio::spawn(writer_task(conn, rx));
        Ok(Log {
            pool,
            writer: tx,
            path: path.to_path_buf(),
        })
    }

    /// The pool, for the owner's own tables in the same file.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends updates to a document; returns the seqs they received once the transaction
    /// holding them has committed. Concurrent callers share transactions (group commit).
    pub async fn append(&self, doc: &str, updates: Vec<Vec<u8>>) -> Result<Range<i64>> {
        if updates.is_empty() {
            check_doc(doc)?;
            return Ok(0..0);
        }
        self.submit_append(doc, updates).await?.await
    }

    /// Hands an append to the writer without waiting for its commit. Jobs commit in the order
    /// they were submitted, so one document's appends get consecutive seqs in that order.
    pub async fn submit_append(
        &self,
        doc: &str,
        updates: Vec<Vec<u8>>,
    ) -> Result<Pending<Range<i64>>> {
        check_doc(doc)?;
        let doc = doc.to_owned();
        let (ack, done) = oneshot::channel();
        self.writer
            .send(Job::Append { doc, updates, ack })
            .await
            .map_err(|_| LogError::Closed)?;
        Ok(Pending(done))
    }

    /// Stores a snapshot (and with `compact`, deletes the updates it covers) in the writer's
    /// next transaction, after every job submitted before it.
    pub async fn snapshot(&self, doc: &str, snapshot: NewSnapshot) -> Result<Compacted> {
        self.submit_snapshot(doc, snapshot).await?.await
    }

    /// [`Log::snapshot`] without waiting for the commit.
    pub async fn submit_snapshot(
        &self,
        doc: &str,
        snapshot: NewSnapshot,
    ) -> Result<Pending<Compacted>> {
        check_doc(doc)?;
        if snapshot.upto_seq <= 0 {
            return Err(LogError::Invalid(
                "a snapshot must cover at least one update".into(),
            ));
        }
        if let Some(n) = &snapshot.name
            && (n.trim().is_empty() || n.len() > 200)
        {
            return Err(LogError::Invalid(
                "a snapshot name must be 1 to 200 bytes".into(),
            ));
        }
        let doc = doc.to_owned();
        let (ack, done) = oneshot::channel();
        self.writer
            .send(Job::Snapshot { doc, snapshot, ack })
            .await
            .map_err(|_| LogError::Closed)?;
        Ok(Pending(done))
    }

    /// A document's newest snapshot and every update after it.
    pub async fn load(&self, doc: &str) -> Result<StoredDoc> {
        self.load_since(doc, 0).await
    }

    /// What a reader that has applied every update up to `after` lacks: the updates after it,
    /// or, when a compaction has folded some of those into a snapshot, that snapshot and its
    /// tail. Read in one transaction, so a compaction committing in between leaves no gap.
    pub async fn load_since(&self, doc: &str, after: i64) -> Result<StoredDoc> {
        let mut conn = self.pool.acquire().await?;
        let mut tx = conn.begin().await?;
        let snap = sqlx::query(
            "SELECT state, upto_seq FROM doc_snapshots WHERE doc = ? AND upto_seq > ?
              ORDER BY upto_seq DESC, id DESC LIMIT 1",
        )
        .bind(doc)
        .bind(after)
        .fetch_optional(&mut *tx)
        .await?;
        let (snapshot, snapshot_seq) = match snap {
            Some(r) => (
                Some(r.try_get::<Vec<u8>, _>("state")?),
                r.try_get("upto_seq")?,
            ),
            None => (None, after),
        };
        let rows =
            sqlx::query("SELECT seq, data FROM doc_updates WHERE doc = ? AND seq > ? ORDER BY seq")
                .bind(doc)
                .bind(snapshot_seq)
                .fetch_all(&mut *tx)
                .await?;
        let tail = rows
            .iter()
            .map(|r| Ok((r.try_get("seq")?, r.try_get("data")?)))
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        tx.commit().await?;
        Ok(StoredDoc {
            snapshot,
            snapshot_seq,
            tail,
        })
    }

    /// The highest seq written for a document (0 if none), in the log or folded into a
    /// snapshot.
    pub async fn last_seq(&self, doc: &str) -> Result<i64> {
        let mut conn = self.pool.acquire().await?;
        Ok(tx::last_seq(&mut conn, doc).await?)
    }

    /// A document's snapshots, newest first.
    pub async fn snapshots(&self, doc: &str) -> Result<Vec<SnapshotInfo>> {
        let rows = sqlx::query(SNAPSHOT_INFO_SQL_BY_DOC)
            .bind(doc)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(snapshot_info).collect::<Result<_, _>>()?)
    }

    /// One snapshot with its state, if `doc` has it.
    pub async fn snapshot_state(
        &self,
        doc: &str,
        id: i64,
    ) -> Result<Option<(SnapshotInfo, Vec<u8>)>> {
        let row = sqlx::query(
            "SELECT id, doc, name, upto_seq, length(state) AS size, meta, created_at, state
               FROM doc_snapshots WHERE doc = ? AND id = ?",
        )
        .bind(doc)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(match row {
            Some(r) => Some((snapshot_info(&r)?, r.try_get("state")?)),
            None => None,
        })
    }

    /// Rewrites a stored snapshot's state (the same document, re-encoded: a board whose image
    /// bytes moved out of it) and its owner's record. False when `doc` has no such snapshot.
    pub async fn rewrite_snapshot(
        &self,
        doc: &str,
        id: i64,
        state: Option<&[u8]>,
        meta: Option<&str>,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE doc_snapshots SET state = COALESCE(?1, state), meta = COALESCE(?2, meta)
              WHERE doc = ?3 AND id = ?4",
        )
        .bind(state)
        .bind(meta)
        .bind(doc)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Updates after the newest snapshot, and when that snapshot was taken (Unix ms), for an
    /// automatic snapshot policy.
    pub async fn tail_stats(&self, doc: &str) -> Result<(i64, Option<i64>)> {
        let r = sqlx::query(
            "SELECT (SELECT count(*) FROM doc_updates u WHERE u.doc = ?1
                       AND u.seq > COALESCE((SELECT max(upto_seq) FROM doc_snapshots
                                              WHERE doc = ?1), 0)) AS tail,
                    (SELECT max(created_at) FROM doc_snapshots WHERE doc = ?1) AS last",
        )
        .bind(doc)
        .fetch_one(&self.pool)
        .await?;
        Ok((r.try_get("tail")?, r.try_get("last")?))
    }

    /// Bytes a document holds: its newest snapshot plus the updates after it (what loading it
    /// reads), without reading them.
    pub async fn stored_bytes(&self, doc: &str) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COALESCE((SELECT length(state) FROM doc_snapshots WHERE doc = ?1
                               ORDER BY upto_seq DESC, id DESC LIMIT 1), 0)
                  + COALESCE((SELECT sum(length(data)) FROM doc_updates WHERE doc = ?1
                               AND seq > COALESCE((SELECT max(upto_seq) FROM doc_snapshots
                                                    WHERE doc = ?1), 0)), 0)",
        )
        .bind(doc)
        .fetch_one(&self.pool)
        .await?)
    }

    /// Update rows stored for a document (not counting its snapshots).
    pub async fn update_count(&self, doc: &str) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT count(*) FROM doc_updates WHERE doc = ?")
                .bind(doc)
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// Update rows and snapshots stored, over all documents.
    pub async fn totals(&self) -> Result<Totals> {
        let r = sqlx::query(
            "SELECT (SELECT count(*) FROM doc_updates) AS u,
                    (SELECT count(*) FROM doc_snapshots) AS s",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(Totals {
            updates: r.try_get("u")?,
            snapshots: r.try_get("s")?,
        })
    }

    /// Closes the read pool. Acknowledged jobs are already on disk; the writer ends once the
    /// last handle is dropped.
    pub async fn close(self) {
        self.pool.close().await;
    }
}

const SNAPSHOT_INFO_SQL_BY_DOC: &str =
    "SELECT id, doc, name, upto_seq, length(state) AS size, meta, created_at
       FROM doc_snapshots WHERE doc = ? ORDER BY id DESC";

fn snapshot_info(r: &sqlx::sqlite::SqliteRow) -> Result<SnapshotInfo, sqlx::Error> {
    Ok(SnapshotInfo {
        id: r.try_get("id")?,
        doc: r.try_get("doc")?,
        name: r.try_get("name")?,
        upto_seq: r.try_get("upto_seq")?,
        size: r.try_get("size")?,
        meta: r.try_get("meta")?,
        created_at: r.try_get("created_at")?,
    })
}

/// Statements an owner runs inside its own transactions, where a document changes together
/// with the owner's rows (a board created with its first update, deleted or re-keyed with its
/// documents). They take the same write lock as the writer and keep its invariants.
pub mod tx {
    use super::*;

    /// The highest seq written for `doc` (0 if none).
    pub async fn last_seq(conn: &mut SqliteConnection, doc: &str) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT max(COALESCE((SELECT max(seq) FROM doc_updates WHERE doc = ?1), 0),
                        COALESCE((SELECT max(upto_seq) FROM doc_snapshots WHERE doc = ?1), 0))",
        )
        .bind(doc)
        .fetch_one(&mut *conn)
        .await
    }

    /// Appends updates to `doc` inside the caller's (IMMEDIATE) transaction; returns their
    /// seqs. For writes that must commit with the owner's rows; edits go through [`Log`].
    pub async fn append(
        conn: &mut SqliteConnection,
        doc: &str,
        updates: &[&[u8]],
    ) -> Result<Range<i64>> {
        check_doc(doc)?;
        let first = last_seq(conn, doc).await? + 1;
        let now = now_ms();
        let rows: Vec<(&str, i64, &[u8])> = updates
            .iter()
            .enumerate()
            .map(|(i, u)| (doc, first + i as i64, *u))
            .collect();
        insert_rows(conn, &rows, now).await?;
        Ok(first..first + updates.len() as i64)
    }

    /// Deletes every update and snapshot of `doc`; returns the rows deleted.
    pub async fn delete_doc(conn: &mut SqliteConnection, doc: &str) -> Result<u64, sqlx::Error> {
        let u = sqlx::query("DELETE FROM doc_updates WHERE doc = ?")
            .bind(doc)
            .execute(&mut *conn)
            .await?
            .rows_affected();
        let s = sqlx::query("DELETE FROM doc_snapshots WHERE doc = ?")
            .bind(doc)
            .execute(&mut *conn)
            .await?
            .rows_affected();
        let f = sqlx::query("DELETE FROM doc_files WHERE doc = ?")
            .bind(doc)
            .execute(&mut *conn)
            .await?
            .rows_affected();
        if f > 0 {
            crate::files::mark_orphans(conn).await?;
        }
        Ok(u + s)
    }

    /// Moves every update and snapshot of `from` to the name `to` (which must hold nothing).
    pub async fn rename_doc(conn: &mut SqliteConnection, from: &str, to: &str) -> Result<()> {
        check_doc(to)?;
        if last_seq(conn, to).await? != 0 {
            return Err(LogError::Invalid(format!(
                "document {to} already has a log; refusing to merge {from} into it"
            )));
        }
        sqlx::query("UPDATE doc_updates SET doc = ?1 WHERE doc = ?2")
            .bind(to)
            .bind(from)
            .execute(&mut *conn)
            .await?;
        sqlx::query("UPDATE doc_files SET doc = ?1 WHERE doc = ?2")
            .bind(to)
            .bind(from)
            .execute(&mut *conn)
            .await?;
        sqlx::query("UPDATE doc_snapshots SET doc = ?1 WHERE doc = ?2")
            .bind(to)
            .bind(from)
            .execute(&mut *conn)
            .await?;
        Ok(())
    }
}

/// The group-commit writer: takes every job that has queued up, runs them in order in one
/// IMMEDIATE transaction, then answers each. While a commit is in flight new jobs queue, so
/// under load batches grow by themselves and fsyncs per edit fall.
async fn writer_task(mut conn: SqliteConnection, mut rx: mpsc::Receiver<Job>) {
    let mut batch: Vec<Job> = Vec::new();
    let mut cache = SeqCache::default();
    while let Some(first) = rx.recv().await {
        let mut weight = first.weight();
        batch.push(first);
        while weight < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => {
                    weight += job.weight();
                    batch.push(job);
                }
                Err(_) => break,
            }
        }
        match commit_batch(&mut conn, &mut cache, &batch).await {
            Ok(results) => {
                for (job, r) in batch.drain(..).zip(results) {
                    match (job, r) {
                        (Job::Append { ack, .. }, Done::Appended(seqs)) => {
                            let _ = ack.send(Ok(seqs));
                        }
                        (Job::Snapshot { ack, .. }, Done::Snapshot(c)) => {
                            let _ = ack.send(Ok(c));
                        }
                        (job, _) => job.fail("internal: job and result out of step"),
                    }
                }
            }
            Err(e) => {
                // Nothing of the batch committed; every caller hears why (the message is shared
                // because sqlx errors do not clone).
                cache.clear();
                let msg = e.to_string();
                for job in batch.drain(..) {
                    job.fail(&msg);
                }
            }
        }
    }
}

enum Done {
    Appended(Range<i64>),
    Snapshot(Compacted),
}

/// The last seq of each document as this writer last committed it, valid while `PRAGMA
/// data_version` says nobody else committed since (it changes exactly when another connection,
/// in this process or another, commits).
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
) -> Result<Vec<Done>, sqlx::Error> {
    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
    // Holding the write lock now, nobody else can commit until we do.
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
    let mut out = Vec::with_capacity(batch.len());
    // Rows go in multi-row statements; a snapshot in the batch first flushes the rows queued
    // before it, so jobs take effect in order.
    for job in batch {
        match job {
            Job::Append { doc, updates, .. } => {
                let last = match next.get(doc.as_str()).or(cache.last.get(doc)) {
                    Some(l) => *l,
                    None => tx::last_seq(&mut tx, doc).await?,
                };
                for (i, u) in updates.iter().enumerate() {
                    rows.push((doc, last + 1 + i as i64, u));
                }
                next.insert(doc, last + updates.len() as i64);
                out.push(Done::Appended(last + 1..last + 1 + updates.len() as i64));
            }
            Job::Snapshot { doc, snapshot, .. } => {
                insert_rows(&mut tx, &rows, now).await?;
                rows.clear();
                out.push(Done::Snapshot(
                    store_snapshot(&mut tx, doc, snapshot, now).await?,
                ));
            }
        }
    }
    insert_rows(&mut tx, &rows, now).await?;
    tx.commit().await?;
    for (doc, last) in next {
        cache.last.insert(doc.to_owned(), last);
    }
    Ok(out)
}

async fn store_snapshot(
    tx: &mut SqliteConnection,
    doc: &str,
    s: &NewSnapshot,
    now: i64,
) -> Result<Compacted, sqlx::Error> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO doc_snapshots (doc, upto_seq, state, name, meta, created_at)
         VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(doc)
    .bind(s.upto_seq)
    .bind(s.state.as_slice())
    .bind(s.name.as_deref())
    .bind(s.meta.as_deref())
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let deleted = if s.compact {
        sqlx::query("DELETE FROM doc_updates WHERE doc = ? AND seq <= ?")
            .bind(doc)
            .bind(s.upto_seq)
            .execute(&mut *tx)
            .await?
            .rows_affected()
    } else {
        0
    };
    // Automatic snapshots beyond the newest `keep_unnamed` go, never the base a load starts
    // from (the highest upto_seq: another writer's compaction may cover more than this one).
    sqlx::query(
        "DELETE FROM doc_snapshots
          WHERE doc = ?1 AND name IS NULL AND id NOT IN (
                SELECT id FROM doc_snapshots WHERE doc = ?1 AND name IS NULL
                 ORDER BY id DESC LIMIT ?2)
            AND id <> (SELECT id FROM doc_snapshots WHERE doc = ?1
                        ORDER BY upto_seq DESC, id DESC LIMIT 1)",
    )
    .bind(doc)
    .bind(s.keep_unnamed.max(1))
    .execute(&mut *tx)
    .await?;
    let snapshot = snapshot_info(
        &sqlx::query(
            "SELECT id, doc, name, upto_seq, length(state) AS size, meta, created_at
               FROM doc_snapshots WHERE id = ?",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?,
    )?;
    Ok(Compacted { snapshot, deleted })
}

async fn insert_rows(
    conn: &mut SqliteConnection,
    rows: &[(&str, i64, &[u8])],
    now: i64,
) -> Result<(), sqlx::Error> {
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let mut qb =
            sqlx::QueryBuilder::new("INSERT INTO doc_updates (doc, seq, data, created_at) ");
        qb.push_values(chunk, |mut b, (doc, seq, data)| {
            b.push_bind(*doc)
                .push_bind(*seq)
                .push_bind(*data)
                .push_bind(now);
        });
        qb.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// Now, in Unix milliseconds.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}
