//! The document log's storage shape, shared by the app's store (easel-core) and the relay's:
//! how every Easel SQLite file is opened (WAL, durability, private file modes) and what a stored
//! document is (its newest snapshot and the updates after it). No yrs, no keys, no sockets.
//!
//! This is the first piece of the one document-log crate of issue 12: the group-committing
//! writer and one schema keyed by document are still two copies (easel-core's `store` and
//! easel-relay's `store`).

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
