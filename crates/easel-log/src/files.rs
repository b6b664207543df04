//! Image files beside documents: content-addressed (the hex SHA-256 of the bytes), stored once
//! per file in `files`, named by documents in `doc_files`.
//!
//! A document *holds* a file when its owner linked it ([`Log::put_file`]: a paste, an import, a
//! download, an upload to a relay). The owner drops the links a document no longer needs
//! ([`Log::retain_doc_files`]: after compaction, when neither the current state nor any kept
//! snapshot shows the file) and deleting a document drops all of its links. A file no document
//! holds is marked orphaned and deleted by [`Log::collect_files`] once a grace period has passed
//! (an undo brings an image back; an offline peer may still send an edit that shows it), and a
//! link made meanwhile saves it.

use std::collections::HashSet;

use sha2::Digest;
use sqlx::{Row, SqliteConnection};

use crate::log::{Log, LogError, now_ms};

type Result<T, E = LogError> = std::result::Result<T, E>;

/// The largest file the log takes (a photo at full size).
pub const MAX_FILE_BYTES: usize = 16 * 1024 * 1024;

/// The hex SHA-256 of `data`: a file's name.
pub fn file_hash(data: &[u8]) -> String {
    let digest = sha2::Sha256::digest(data);
    let mut s = String::with_capacity(64);
    for b in digest {
        s.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
        s.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
    }
    s
}

/// Whether `s` is a file name: 64 lower-case hex digits.
pub fn is_file_hash(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// A stored file's bytes and type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    pub hash: String,
    pub mime: String,
    pub data: Vec<u8>,
}

/// A stored file's description, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileInfo {
    pub hash: String,
    pub mime: String,
    pub size: u64,
}

/// What [`Log::put_file`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Put {
    /// The bytes were new to this file (false: another document, or this one, had them).
    pub stored: bool,
    /// The document did not hold the file before.
    pub linked: bool,
}

/// What [`Log::collect_files`] deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Collected {
    pub files: u64,
    pub bytes: u64,
}

fn check(hash: &str, mime: &str, data: &[u8]) -> Result<()> {
    if !is_file_hash(hash) {
        return Err(LogError::Invalid(format!(
            "a file is named by the hex SHA-256 of its bytes (64 lower-case hex digits), not {:?}",
            hash.chars().take(80).collect::<String>()
        )));
    }
    if mime.is_empty() || mime.len() > 100 {
        return Err(LogError::Invalid(
            "a file's type must be 1 to 100 bytes".into(),
        ));
    }
    if data.len() > MAX_FILE_BYTES {
        return Err(LogError::Invalid(format!(
            "a file of {} bytes is over the limit of {} MiB",
            data.len(),
            MAX_FILE_BYTES >> 20
        )));
    }
    if file_hash(data) != hash {
        return Err(LogError::Invalid(
            "the file's bytes do not match its SHA-256 name".into(),
        ));
    }
    Ok(())
}

impl Log {
    /// Stores a file (verified against its name) unless it is stored already, and links it to
    /// `doc`, in one transaction. With `quota`, refuses (storing nothing) when the files `doc`
    /// holds would then come to more than `quota` bytes.
    pub async fn put_file(
        &self,
        doc: &str,
        hash: &str,
        mime: &str,
        data: &[u8],
        quota: Option<u64>,
    ) -> Result<Put> {
        check(hash, mime, data)?;
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let linked_before: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM doc_files WHERE doc = ? AND hash = ?)",
        )
        .bind(doc)
        .bind(hash)
        .fetch_one(&mut *tx)
        .await?;
        if !linked_before && let Some(quota) = quota {
            let held = doc_bytes(&mut tx, doc).await?;
            if held + data.len() as u64 > quota {
                return Err(LogError::Quota(format!(
                    "its files would come to {} bytes, over the quota of {}",
                    held + data.len() as u64,
                    human_bytes(quota)
                )));
            }
        }
        let now = now_ms();
        let had_bytes: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM files WHERE hash = ?)")
                .bind(hash)
                .fetch_one(&mut *tx)
                .await?;
        if had_bytes {
            sqlx::query("UPDATE files SET orphaned_at = NULL WHERE hash = ?")
                .bind(hash)
                .execute(&mut *tx)
                .await?;
        } else {
            sqlx::query(
                "INSERT INTO files (hash, mime, size, data, created_at) VALUES (?, ?, ?, ?, ?)",
            )
            .bind(hash)
            .bind(mime)
            .bind(data.len() as i64)
            .bind(data)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        if !linked_before {
            sqlx::query("INSERT INTO doc_files (doc, hash, added_at) VALUES (?, ?, ?)")
                .bind(doc)
                .bind(hash)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(Put {
            stored: !had_bytes,
            linked: !linked_before,
        })
    }

    /// A file's bytes, if stored.
    pub async fn file(&self, hash: &str) -> Result<Option<StoredFile>> {
        let row = sqlx::query("SELECT mime, data FROM files WHERE hash = ?")
            .bind(hash)
            .fetch_optional(self.pool())
            .await?;
        Ok(match row {
            Some(r) => Some(StoredFile {
                hash: hash.to_string(),
                mime: r.try_get("mime")?,
                data: r.try_get("data")?,
            }),
            None => None,
        })
    }

    /// `len` bytes of a file from `offset` (fewer at its end), if stored.
    pub async fn file_chunk(&self, hash: &str, offset: u64, len: u32) -> Result<Option<Vec<u8>>> {
        Ok(
            sqlx::query_scalar("SELECT substr(data, ?, ?) FROM files WHERE hash = ?")
                .bind(offset as i64 + 1)
                .bind(i64::from(len))
                .bind(hash)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    /// The file `doc` holds under `hash`, without its bytes.
    pub async fn doc_file(&self, doc: &str, hash: &str) -> Result<Option<FileInfo>> {
        let row = sqlx::query(
            "SELECT f.mime, f.size FROM doc_files d JOIN files f ON f.hash = d.hash
              WHERE d.doc = ? AND d.hash = ?",
        )
        .bind(doc)
        .bind(hash)
        .fetch_optional(self.pool())
        .await?;
        Ok(match row {
            Some(r) => Some(FileInfo {
                hash: hash.to_string(),
                mime: r.try_get("mime")?,
                size: r.try_get::<i64, _>("size")? as u64,
            }),
            None => None,
        })
    }

    /// Of `hashes`, those `doc` holds.
    pub async fn doc_holds(&self, doc: &str, hashes: &[String]) -> Result<HashSet<String>> {
        let mut held = HashSet::new();
        for chunk in hashes.chunks(500) {
            let marks = vec!["?"; chunk.len()].join(",");
            // Only placeholders are formatted in; the values are bound.
            let sql = format!("SELECT hash FROM doc_files WHERE doc = ? AND hash IN ({marks})");
            let mut q = sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql)).bind(doc);
            for h in chunk {
                q = q.bind(h);
            }
            held.extend(q.fetch_all(self.pool()).await?);
        }
        Ok(held)
    }

    /// Of `hashes`, the files stored (for any document).
    pub async fn files_stored(&self, hashes: &[String]) -> Result<HashSet<String>> {
        let mut have = HashSet::new();
        for chunk in hashes.chunks(500) {
            let marks = vec!["?"; chunk.len()].join(",");
            // Only placeholders are formatted in; the values are bound.
            let sql = format!("SELECT hash FROM files WHERE hash IN ({marks})");
            let mut q = sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql));
            for h in chunk {
                q = q.bind(h);
            }
            have.extend(q.fetch_all(self.pool()).await?);
        }
        Ok(have)
    }

    /// Every file `doc` holds, by name.
    pub async fn doc_files(&self, doc: &str) -> Result<Vec<FileInfo>> {
        let rows = sqlx::query(
            "SELECT f.hash, f.mime, f.size FROM doc_files d JOIN files f ON f.hash = d.hash
              WHERE d.doc = ? ORDER BY f.hash",
        )
        .bind(doc)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(FileInfo {
                    hash: r.try_get("hash")?,
                    mime: r.try_get("mime")?,
                    size: r.try_get::<i64, _>("size")? as u64,
                })
            })
            .collect()
    }

    /// The bytes of the files `doc` holds (what its files quota counts).
    pub async fn doc_file_bytes(&self, doc: &str) -> Result<u64> {
        let mut conn = self.pool().acquire().await?;
        doc_bytes(&mut conn, doc).await
    }

    /// Drops `doc`'s links to files not in `keep` that were made at or before `seen_at` (Unix
    /// ms: when the owner read the state `keep` comes from; a link made after it is not judged
    /// by it, so an upload racing a compaction keeps its link). Files no document holds any
    /// more are marked orphaned now. Returns how many links were dropped.
    pub async fn retain_doc_files(
        &self,
        doc: &str,
        keep: &HashSet<String>,
        seen_at: i64,
    ) -> Result<u64> {
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let held: Vec<String> =
            sqlx::query_scalar("SELECT hash FROM doc_files WHERE doc = ? AND added_at <= ?")
                .bind(doc)
                .bind(seen_at)
                .fetch_all(&mut *tx)
                .await?;
        let mut dropped = 0;
        for h in held.iter().filter(|h| !keep.contains(*h)) {
            dropped += sqlx::query("DELETE FROM doc_files WHERE doc = ? AND hash = ?")
                .bind(doc)
                .bind(h)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        }
        if dropped > 0 {
            mark_orphans(&mut tx).await?;
        }
        tx.commit().await?;
        Ok(dropped)
    }

    /// Deletes files no document has held for `grace_ms` milliseconds (or more).
    pub async fn collect_files(&self, grace_ms: i64) -> Result<Collected> {
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let cutoff = now_ms().saturating_sub(grace_ms);
        let r = sqlx::query(
            "SELECT count(*) AS n, COALESCE(sum(size), 0) AS bytes FROM files
              WHERE orphaned_at IS NOT NULL AND orphaned_at <= ?1
                AND NOT EXISTS (SELECT 1 FROM doc_files d WHERE d.hash = files.hash)",
        )
        .bind(cutoff)
        .fetch_one(&mut *tx)
        .await?;
        let collected = Collected {
            files: r.try_get::<i64, _>("n")? as u64,
            bytes: r.try_get::<i64, _>("bytes")? as u64,
        };
        sqlx::query(
            "DELETE FROM files WHERE orphaned_at IS NOT NULL AND orphaned_at <= ?1
                AND NOT EXISTS (SELECT 1 FROM doc_files d WHERE d.hash = files.hash)",
        )
        .bind(cutoff)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(collected)
    }

    /// Files stored and their bytes, over all documents.
    pub async fn file_totals(&self) -> Result<Collected> {
        let r = sqlx::query("SELECT count(*) AS n, COALESCE(sum(size), 0) AS bytes FROM files")
            .fetch_one(self.pool())
            .await?;
        Ok(Collected {
            files: r.try_get::<i64, _>("n")? as u64,
            bytes: r.try_get::<i64, _>("bytes")? as u64,
        })
    }
}

async fn doc_bytes(conn: &mut SqliteConnection, doc: &str) -> Result<u64> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COALESCE(sum(f.size), 0) FROM doc_files d JOIN files f ON f.hash = d.hash
          WHERE d.doc = ?",
    )
    .bind(doc)
    .fetch_one(&mut *conn)
    .await?;
    Ok(n as u64)
}

/// Marks files that no document holds (and were not marked yet) as orphaned now.
pub(crate) async fn mark_orphans(conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE files SET orphaned_at = ? WHERE orphaned_at IS NULL
            AND NOT EXISTS (SELECT 1 FROM doc_files d WHERE d.hash = files.hash)",
    )
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// `n` bytes for a message: `1 GiB`, `64 MiB`, or bytes.
pub fn human_bytes(n: u64) -> String {
    if n >= 1 << 30 && n.is_multiple_of(1 << 30) {
        format!("{} GiB", n >> 30)
    } else if n >= 1 << 20 && n.is_multiple_of(1 << 20) {
        format!("{} MiB", n >> 20)
    } else {
        format!("{n} bytes")
    }
}
