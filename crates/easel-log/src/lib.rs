//! The document log, shared by the app's store (easel-core) and the relay's: how every Easel
//! SQLite file is opened (WAL, durability, private file modes), one schema keyed by document
//! (`doc_updates`, `doc_snapshots`), and one group-committing writer.
//!
//! A document is named by a string: a board's id, `<board>/comments` for its comments, or on a
//! relay any room name (the same names the relay's rooms use, so a board's rows look the same
//! in the app's file and in a relay's). A document's state is its snapshot with the highest
//! `upto_seq` plus the updates after it ([`StoredDoc`]); compaction writes a snapshot and
//! deletes only the updates that snapshot covers, so two compactions racing never lose one.
//!
//! Every write of a document goes through [`Log`]'s writer task: it owns one connection and
//! commits whatever has queued up (appends and snapshots of any number of documents) in one
//! `BEGIN IMMEDIATE` transaction, so a burst pays one fsync; a caller is answered only after
//! the transaction holding its job committed. Seqs are dense per document and are assigned
//! under the write lock, so several processes may share one file.
//!
//! The owner of the file keeps its own tables beside these (users and boards in the app,
//! owner pins and revocations in the relay) and runs its own migrations after [`migrate`];
//! [`tx`] has the statements an owner needs inside its own transactions (a board created with
//! its first update, a board deleted or renamed with its documents). Nothing here knows yrs,
//! keys or sockets. The API speaks of documents, seqs and bytes only, so another backend
//! (Postgres for a relay cluster) can offer the same calls. Image files live beside documents,
//! keyed by the SHA-256 of their bytes, in `files`/`doc_files` (see the `files` calls on
//! [`Log`]: a file is stored once, documents link it, and orphans are collected after a grace
//! period), never inside a document's updates.

mod files;
mod log;

pub use files::{
    Collected, FileInfo, MAX_FILE_BYTES, Put, StoredFile, file_hash, human_bytes, is_file_hash,
};

pub use log::{
    Compacted, Log, LogError, NewSnapshot, Pending, SnapshotInfo, Totals, connect, migrate, now_ms,
    tx,
};

use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};

/// How the store makes commits durable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    /// fsync the WAL at every commit: an acknowledged edit survives power loss.
    #[default]
    Full,
    /// fsync at checkpoints only: an acknowledged edit survives a killed process (the WAL is in
    /// the OS page cache), not a power cut. For benchmarks and tests that measure the rest.
    Normal,
}

/// A stored document: its newest snapshot (if any) and the updates after it.
#[derive(Debug, Default)]
pub struct StoredDoc {
    pub snapshot: Option<Vec<u8>>,
    pub snapshot_seq: i64,
    /// (seq, update) in commit order.
    pub tail: Vec<(i64, Vec<u8>)>,
}

impl StoredDoc {
    /// Its updates in the order to apply them: the snapshot, then the tail.
    pub fn updates(&self) -> impl Iterator<Item = &[u8]> {
        self.snapshot
            .as_deref()
            .into_iter()
            .chain(self.tail.iter().map(|(_, u)| u.as_slice()))
    }

    /// The highest seq this stored doc covers.
    pub fn last_seq(&self) -> i64 {
        self.tail
            .last()
            .map(|(s, _)| *s)
            .unwrap_or(self.snapshot_seq)
    }
}

/// Creates `dir` (with its parents) readable by its owner only (0700 on Unix). An existing
/// directory is tightened to 0700 when `tighten` says it is ours alone (the app's data dir),
/// and left as it is otherwise (a directory someone pointed a server at).
pub fn private_dir(dir: &Path, tighten: bool) -> std::io::Result<()> {
    let existed = dir.exists();
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
        if tighten || !existed {
            let mode = std::fs::metadata(dir)?.permissions().mode() & 0o777;
            if mode != 0o700 {
                std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (existed, tighten);
        std::fs::create_dir_all(dir)?;
    }
    Ok(())
}

/// Makes a SQLite database file readable by its owner only (0600 on Unix): created empty if
/// missing, so that SQLite creates its `-wal` and `-shm` files with the same mode, and an
/// existing database and its `-wal` and `-shm` files tightened.
pub fn private_db_file(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(path)?;
        for suffix in ["", "-wal", "-shm"] {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            let p = PathBuf::from(p);
            if let Ok(meta) = std::fs::metadata(&p)
                && meta.permissions().mode() & 0o777 != 0o600
            {
                std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600))?;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// The options every Easel SQLite file is opened with (the app's store and the relay's): WAL set
/// explicitly (sqlx leaves new files in rollback-journal mode), the chosen durability, foreign
/// keys on, and a busy timeout long enough to wait out another process's write.
pub fn connect_options(path: &Path, durability: Durability) -> SqliteConnectOptions {
    SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(match durability {
            Durability::Full => SqliteSynchronous::Full,
            Durability::Normal => SqliteSynchronous::Normal,
        })
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10))
}
