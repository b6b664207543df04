//! The SQLite store: the only module that holds SQL.
//!
//! One file per installation (`easel.db` in the data dir), in WAL mode so the app and the CLI can
//! use it at once: readers never block the writer, and each sees the other's commits. Writes are
//! `BEGIN IMMEDIATE` so two writers queue on the lock up front instead of failing half-way.
//!
//! Document edits take the hot path: [`Store::append_updates`] hands the update to a writer task
//! that owns one connection and commits whatever has queued up in one transaction (group commit),
//! so a burst of edits pays one fsync, not one each. The call returns only after that transaction
//! commits: an acknowledged edit is on disk.
//!
//! A board has two documents ([`DocKind`]): its content and its comments. Both live in the
//! document log that `easel-log` keeps (`doc_updates`, `doc_snapshots`, the same schema a relay
//! uses), named `<board>` and `<board>/comments`, each with its own seq counter, sharing the
//! log's group-commit writer and its guarantees. This module adds the app's tables (users,
//! boards, permissions, links, audit) beside it in the same file.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::Serialize;
use sqlx::sqlite::SqlitePool;
use sqlx::{Row, SqliteConnection};
use uuid::Uuid;

pub use easel_log::{Durability, StoredDoc, connect_options, private_db_file, private_dir};
use easel_log::{Log, NewSnapshot};

use crate::error::{Error, Result};
use crate::model::BoardFile;
use crate::perm::{Access, Level};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations");

/// The tables migration 1 creates, with the columns this build reads. A database that has them
/// all but no migration history was made by an older build (or by hand) and is adopted.
const BASELINE: &[(&str, &[&str])] = &[
    (
        "users",
        &["id", "display_name", "public_key", "is_local", "created_at"],
    ),
    (
        "boards",
        &[
            "id",
            "owner_id",
            "title",
            "created_at",
            "updated_at",
            "deleted_at",
        ],
    ),
    (
        "board_permissions",
        &[
            "id",
            "board_id",
            "user_id",
            "level",
            "granted_by",
            "created_at",
        ],
    ),
    (
        "audit_logs",
        &[
            "id",
            "board_id",
            "actor_id",
            "action",
            "detail",
            "created_at",
        ],
    ),
];

#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: Uuid,
    pub display_name: String,
    pub public_key: Option<String>,
    pub is_local: bool,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct BoardRecord {
    pub id: Uuid,
    pub owner_id: Uuid,
    pub title: String,
    pub created_at: String,
    pub updated_at: String,
    pub deleted_at: Option<String>,
}

/// A link the local user issued on a board they own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShareLinkRecord {
    pub link_id: Uuid,
    pub board_id: Uuid,
    pub level: Level,
    /// `None`: anyone with the link.
    pub subject_id: Option<Uuid>,
    pub relay: Option<String>,
    #[serde(skip)]
    pub token: String,
    pub issued_at: i64,
    pub expires_at: Option<i64>,
    pub issued_by: Uuid,
    pub revoked_at: Option<i64>,
}

/// A capability the local user joined someone else's board with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeldCapability {
    pub board_id: Uuid,
    #[serde(skip)]
    pub token: String,
    pub link_id: Uuid,
    pub level: Level,
    /// The owner's public key (base64url).
    pub owner_key: String,
    pub relay: Option<String>,
    pub expires_at: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Permission {
    pub board_id: Uuid,
    /// `None`: public access for anyone with the link.
    pub user_id: Option<Uuid>,
    pub level: Level,
    pub granted_by: Option<Uuid>,
    pub created_at: String,
}

/// What a grant did, for the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "lowercase")]
pub enum GrantChange {
    Created,
    Changed { from: Level },
    Unchanged,
}

#[derive(Debug, Clone, Serialize)]
pub struct SnapshotInfo {
    pub id: i64,
    pub board_id: Uuid,
    pub name: Option<String>,
    pub upto_seq: i64,
    pub element_count: i64,
    pub size: i64,
    pub created_by: Option<Uuid>,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub board_id: Uuid,
    pub actor_id: Option<Uuid>,
    pub action: String,
    pub detail: serde_json::Value,
    pub created_at: String,
}

/// Filters for [`Store::audit_query`]; every field narrows the result. Results come newest
/// first; pass the last id seen as `before_id` for the next page.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub board_id: Option<Uuid>,
    pub actor_id: Option<Uuid>,
    pub action: Option<String>,
    /// Inclusive lower bound, an ISO-8601 UTC time or a prefix of one (`2026-11-27`).
    pub since: Option<String>,
    /// Exclusive upper bound, same form.
    pub until: Option<String>,
    pub before_id: Option<i64>,
    pub limit: Option<u32>,
}

/// A relay or LAN host a board syncs with (`board_remotes`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BoardRemote {
    pub board_id: Uuid,
    /// The server's base URL, `ws://host:port`.
    pub url: String,
    /// `relay` or `host`.
    pub kind: String,
    pub added_at: String,
}

/// Sizes of the store's file, for benchmarks and `easel` diagnostics.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct DbSize {
    pub pages: i64,
    pub page_size: i64,
    pub bytes: i64,
}

/// Which of a board's two documents an update log belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DocKind {
    /// The board's content ([`crate::doc::BoardDoc`]): `board_updates`, `board_snapshots`.
    Board,
    /// Its comments ([`crate::comments::CommentsDoc`]): `comment_updates`,
    /// `comment_snapshots`.
    Comments,
}

impl DocKind {
    /// The document's name in the log: the board's id, or `<board>/comments` (the names of
    /// the relay's rooms).
    pub fn doc_name(self, board: Uuid) -> String {
        match self {
            DocKind::Board => board.to_string(),
            DocKind::Comments => format!("{board}/comments"),
        }
    }
}

/// A handle to the store; cheap to clone.
#[derive(Clone)]
pub struct Store {
    /// The document log, whose file and pool the app's own tables share.
    log: Log,
}

impl Store {
    /// The per-user data directory: `EASEL_DATA_DIR` if set, else the platform's
    /// (`~/.local/share/easel` on Linux).
    pub fn data_dir() -> Result<PathBuf> {
        if let Some(dir) = std::env::var_os("EASEL_DATA_DIR").filter(|d| !d.is_empty()) {
            return Ok(PathBuf::from(dir));
        }
        directories::ProjectDirs::from("", "", "easel")
            .map(|p| p.data_dir().to_path_buf())
            .ok_or_else(|| {
                Error::Io(std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "no home directory to keep Easel's data in; set EASEL_DATA_DIR",
                ))
            })
    }

    /// Opens (creating if needed) the store in the default data dir, which is made readable by
    /// this user only (0700 on Unix, tightened if it was looser: it holds every board).
    pub async fn open_default() -> Result<Store> {
        let dir = Self::data_dir()?;
        private_dir(&dir, true)?;
        Self::open(&dir.join("easel.db")).await
    }

    /// Opens (creating if needed) the store at `path` with full durability, migrating or adopting
    /// its schema.
    pub async fn open(path: &Path) -> Result<Store> {
        Self::open_with(path, Durability::Full).await
    }

    pub async fn open_with(path: &Path, durability: Durability) -> Result<Store> {
        let pool = easel_log::connect(path, durability).await?;
        migrate(&pool).await?;
        let log = Log::start(pool, path, durability).await?;
        Ok(Store { log })
    }

    /// The log's pool: the app's own tables live in the same file.
    fn pool(&self) -> &SqlitePool {
        self.log.pool()
    }

    pub fn path(&self) -> &Path {
        self.log.path()
    }

    /// Closes the pool. Pending appends already acknowledged are on disk; the writer task ends
    /// when the last handle is dropped.
    pub async fn close(self) {
        self.log.close().await;
    }

    async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>> {
        Ok(self.pool().begin_with("BEGIN IMMEDIATE").await?)
    }

    // ----- users -----

    /// The user of this installation, created on first use with `display_name`.
    pub async fn local_user(&self, display_name: &str) -> Result<User> {
        if let Some(u) = self.local_user_if_any().await? {
            return Ok(u);
        }
        let mut tx = self.begin().await?;
        // Another process may have created it between the read above and our lock.
        let row = sqlx::query("SELECT * FROM users WHERE is_local = 1")
            .fetch_optional(&mut *tx)
            .await?;
        let user = match row {
            Some(r) => user_from_row(&r)?,
            None => {
                let id = Uuid::new_v4();
                let name = clean_name(display_name);
                sqlx::query("INSERT INTO users (id, display_name, is_local) VALUES (?, ?, 1)")
                    .bind(id.to_string())
                    .bind(&name)
                    .execute(&mut *tx)
                    .await?;
                let r = sqlx::query("SELECT * FROM users WHERE id = ?")
                    .bind(id.to_string())
                    .fetch_one(&mut *tx)
                    .await?;
                user_from_row(&r)?
            }
        };
        tx.commit().await?;
        Ok(user)
    }

    async fn local_user_if_any(&self) -> Result<Option<User>> {
        let row = sqlx::query("SELECT * FROM users WHERE is_local = 1")
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| user_from_row(&r)).transpose()
    }

    /// Records another user (a collaborator met, or a test actor).
    pub async fn create_user(&self, display_name: &str, public_key: Option<&str>) -> Result<User> {
        let id = Uuid::new_v4();
        let name = clean_name(display_name);
        let mut tx = self.begin().await?;
        sqlx::query("INSERT INTO users (id, display_name, public_key) VALUES (?, ?, ?)")
            .bind(id.to_string())
            .bind(&name)
            .bind(public_key)
            .execute(&mut *tx)
            .await?;
        let r = sqlx::query("SELECT * FROM users WHERE id = ?")
            .bind(id.to_string())
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        user_from_row(&r)
    }

    /// Records `public_key` as the local user's, unless it already has one; returns the local
    /// user row afterwards (whose key is someone else's if another process set it first).
    pub async fn claim_local_public_key(&self, public_key: &str) -> Result<User> {
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE users SET public_key = ? WHERE is_local = 1 AND public_key IS NULL")
            .bind(public_key)
            .execute(&mut *tx)
            .await?;
        let r = sqlx::query("SELECT * FROM users WHERE is_local = 1")
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| Error::not_found("user", "local"))?;
        tx.commit().await?;
        user_from_row(&r)
    }

    /// Changes a user's display name (control characters dropped, at most 200 characters).
    pub async fn set_display_name(&self, id: Uuid, display_name: &str) -> Result<User> {
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE users SET display_name = ? WHERE id = ?")
            .bind(clean_name(display_name))
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        let r = sqlx::query("SELECT * FROM users WHERE id = ?")
            .bind(id.to_string())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| Error::not_found("user", id.to_string()))?;
        tx.commit().await?;
        user_from_row(&r)
    }

    /// Records a collaborator met (by their Ed25519 public key, base64url without padding):
    /// inserts a non-local user, or renames the one already recorded with that key. Refuses
    /// a malformed key and this installation's own key.
    pub async fn remember_user(&self, public_key_b64: &str, display_name: &str) -> Result<User> {
        let key = crate::identity::decode_public_key(public_key_b64)?;
        let public_key = crate::identity::encode_public_key(&key);
        let name = clean_name(display_name);
        let mut tx = self.begin().await?;
        let existing = sqlx::query("SELECT * FROM users WHERE public_key = ?")
            .bind(&public_key)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| user_from_row(&r))
            .transpose()?;
        let id = match existing {
            Some(u) if u.is_local => {
                return Err(Error::invalid(
                    "public_key",
                    "that is this installation's own key",
                ));
            }
            Some(u) => {
                sqlx::query("UPDATE users SET display_name = ? WHERE id = ?")
                    .bind(&name)
                    .bind(u.id.to_string())
                    .execute(&mut *tx)
                    .await?;
                u.id
            }
            None => {
                let id = Uuid::new_v4();
                sqlx::query("INSERT INTO users (id, display_name, public_key) VALUES (?, ?, ?)")
                    .bind(id.to_string())
                    .bind(&name)
                    .bind(&public_key)
                    .execute(&mut *tx)
                    .await?;
                id
            }
        };
        let r = sqlx::query("SELECT * FROM users WHERE id = ?")
            .bind(id.to_string())
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        user_from_row(&r)
    }

    pub async fn user(&self, id: Uuid) -> Result<Option<User>> {
        let row = sqlx::query("SELECT * FROM users WHERE id = ?")
            .bind(id.to_string())
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| user_from_row(&r)).transpose()
    }

    pub async fn users(&self) -> Result<Vec<User>> {
        let rows = sqlx::query("SELECT * FROM users ORDER BY created_at, id")
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(user_from_row).collect()
    }

    // ----- boards -----

    /// Creates a board with its first document state and the audit row, all in one transaction:
    /// a board never exists without its content (an import is all or nothing).
    pub async fn create_board(
        &self,
        id: Uuid,
        owner: Uuid,
        title: &str,
        initial_update: &[u8],
        audit_action: &str,
        audit_detail: &serde_json::Value,
    ) -> Result<BoardRecord> {
        crate::model::validate_title(title)?;
        let mut tx = self.begin().await?;
        sqlx::query("INSERT INTO boards (id, owner_id, title) VALUES (?, ?, ?)")
            .bind(id.to_string())
            .bind(owner.to_string())
            .bind(title)
            .execute(&mut *tx)
            .await?;
        easel_log::tx::append(&mut tx, &DocKind::Board.doc_name(id), &[initial_update]).await?;
        insert_audit(&mut tx, id, Some(owner), audit_action, audit_detail).await?;
        let r = sqlx::query("SELECT * FROM boards WHERE id = ?")
            .bind(id.to_string())
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        board_from_row(&r)
    }

    /// The board record, deleted or not.
    pub async fn board(&self, id: Uuid) -> Result<BoardRecord> {
        let row = sqlx::query("SELECT * FROM boards WHERE id = ?")
            .bind(id.to_string())
            .fetch_optional(self.pool())
            .await?;
        match row {
            Some(r) => board_from_row(&r),
            None => Err(Error::not_found("board", id.to_string())),
        }
    }

    /// Boards `user` can open (owned, granted, or public), newest edit first, with their access.
    pub async fn boards_for(
        &self,
        user: Uuid,
        include_deleted: bool,
    ) -> Result<Vec<(BoardRecord, Access)>> {
        let rows = sqlx::query(
            "SELECT b.*,
                    (SELECT level FROM board_permissions p
                      WHERE p.board_id = b.id AND p.user_id = ?1) AS own_level,
                    (SELECT level FROM board_permissions p
                      WHERE p.board_id = b.id AND p.user_id IS NULL) AS public_level
               FROM boards b
              WHERE (b.deleted_at IS NULL OR ?2)
                AND b.alias_of IS NULL
                AND (b.owner_id = ?1
                     OR EXISTS (SELECT 1 FROM board_permissions p
                                 WHERE p.board_id = b.id
                                   AND (p.user_id = ?1 OR p.user_id IS NULL)))
              ORDER BY b.updated_at DESC, b.id",
        )
        .bind(user.to_string())
        .bind(include_deleted)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let board = board_from_row(r)?;
                let access = access_from(
                    &board,
                    user,
                    r.try_get("own_level")?,
                    r.try_get("public_level")?,
                )?;
                Ok((board, access))
            })
            .collect()
    }

    /// What `user` (or an anonymous user, `None`) holds on a board.
    pub async fn access(&self, board: &BoardRecord, user: Option<Uuid>) -> Result<Access> {
        let row = sqlx::query(
            "SELECT (SELECT level FROM board_permissions WHERE board_id = ?1 AND user_id = ?2)
                        AS own_level,
                    (SELECT level FROM board_permissions WHERE board_id = ?1 AND user_id IS NULL)
                        AS public_level",
        )
        .bind(board.id.to_string())
        .bind(user.map(|u| u.to_string()))
        .fetch_one(self.pool())
        .await?;
        match user {
            Some(u) => access_from(
                board,
                u,
                row.try_get("own_level")?,
                row.try_get("public_level")?,
            ),
            None => {
                let public: Option<String> = row.try_get("public_level")?;
                Ok(public
                    .map(|l| Level::from_str(&l))
                    .transpose()?
                    .map(Access::from)
                    .unwrap_or(Access::None))
            }
        }
    }

    pub async fn rename_board(
        &self,
        id: Uuid,
        actor: Uuid,
        title: &str,
        detail: &serde_json::Value,
    ) -> Result<()> {
        crate::model::validate_title(title)?;
        let mut tx = self.begin().await?;
        sqlx::query(
            "UPDATE boards SET title = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
              WHERE id = ?",
        )
        .bind(title)
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
        insert_audit(&mut tx, id, Some(actor), "rename", detail).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes a board and everything stored for it except its audit trail, with the audit row
    /// `purge`. For a replica whose first sync failed, so no empty stand-in is left behind.
    pub async fn purge_board(
        &self,
        id: Uuid,
        actor: Uuid,
        detail: &serde_json::Value,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM boards WHERE id = ?")
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        for doc in [DocKind::Board, DocKind::Comments] {
            easel_log::tx::delete_doc(&mut tx, &doc.doc_name(id)).await?;
        }
        insert_audit(&mut tx, id, Some(actor), "purge", detail).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Soft-deletes (or with `deleted = false`, restores) a board, with its audit row.
    pub async fn set_deleted(&self, id: Uuid, actor: Uuid, deleted: bool) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "UPDATE boards
                SET deleted_at = CASE WHEN ?1 THEN strftime('%Y-%m-%dT%H:%M:%fZ', 'now') END
              WHERE id = ?2",
        )
        .bind(deleted)
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
        let action = if deleted { "delete" } else { "undelete" };
        insert_audit(&mut tx, id, Some(actor), action, &serde_json::json!({})).await?;
        tx.commit().await?;
        Ok(())
    }

    // ----- remotes -----

    /// Remembers `url` (a `relay` or `host`) for a board, with the audit row `connect`, in one
    /// transaction. Returns false, changing nothing and auditing nothing, when it was already
    /// remembered with the same kind.
    pub async fn add_remote(
        &self,
        board: Uuid,
        url: &str,
        kind: &str,
        actor: Uuid,
    ) -> Result<bool> {
        if !matches!(kind, "relay" | "host") {
            return Err(Error::invalid(
                "kind",
                format!("{kind:?} is not one of relay, host"),
            ));
        }
        let mut tx = self.begin().await?;
        let old: Option<String> =
            sqlx::query_scalar("SELECT kind FROM board_remotes WHERE board_id = ? AND url = ?")
                .bind(board.to_string())
                .bind(url)
                .fetch_optional(&mut *tx)
                .await?;
        if old.as_deref() == Some(kind) {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO board_remotes (board_id, url, kind) VALUES (?1, ?2, ?3)
             ON CONFLICT (board_id, url) DO UPDATE SET kind = ?3",
        )
        .bind(board.to_string())
        .bind(url)
        .bind(kind)
        .execute(&mut *tx)
        .await?;
        let detail = serde_json::json!({ "url": url, "kind": kind, "was": old });
        insert_audit(&mut tx, board, Some(actor), "connect", &detail).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// A board's remembered remotes, oldest first.
    pub async fn remotes(&self, board: Uuid) -> Result<Vec<BoardRemote>> {
        let rows =
            sqlx::query("SELECT * FROM board_remotes WHERE board_id = ? ORDER BY added_at, url")
                .bind(board.to_string())
                .fetch_all(self.pool())
                .await?;
        rows.iter()
            .map(|r| {
                Ok(BoardRemote {
                    board_id: parse_uuid(r.try_get("board_id")?)?,
                    url: r.try_get("url")?,
                    kind: r.try_get("kind")?,
                    added_at: r.try_get("added_at")?,
                })
            })
            .collect()
    }

    /// Forgets a remote, with the audit row `disconnect`. Returns false (nothing audited) when it
    /// was not remembered.
    pub async fn remove_remote(&self, board: Uuid, url: &str, actor: Uuid) -> Result<bool> {
        let mut tx = self.begin().await?;
        let n = sqlx::query("DELETE FROM board_remotes WHERE board_id = ? AND url = ?")
            .bind(board.to_string())
            .bind(url)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Ok(false);
        }
        insert_audit(
            &mut tx,
            board,
            Some(actor),
            "disconnect",
            &serde_json::json!({ "url": url }),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    // ----- permissions -----

    /// Grants `level` on a board to `user` (`None`: to anyone with the link), or changes an
    /// existing grant; audited in the same transaction.
    pub async fn grant(
        &self,
        board: Uuid,
        user: Option<Uuid>,
        level: Level,
        granted_by: Uuid,
    ) -> Result<GrantChange> {
        let mut tx = self.begin().await?;
        let existing: Option<String> = sqlx::query_scalar(
            "SELECT level FROM board_permissions WHERE board_id = ? AND user_id IS ?",
        )
        .bind(board.to_string())
        .bind(user.map(|u| u.to_string()))
        .fetch_optional(&mut *tx)
        .await?;
        let change = match existing.map(|l| Level::from_str(&l)).transpose()? {
            None => {
                sqlx::query(
                    "INSERT INTO board_permissions (board_id, user_id, level, granted_by)
                     VALUES (?, ?, ?, ?)",
                )
                .bind(board.to_string())
                .bind(user.map(|u| u.to_string()))
                .bind(level.as_str())
                .bind(granted_by.to_string())
                .execute(&mut *tx)
                .await?;
                GrantChange::Created
            }
            Some(from) if from == level => GrantChange::Unchanged,
            Some(from) => {
                sqlx::query(
                    "UPDATE board_permissions SET level = ?, granted_by = ?
                      WHERE board_id = ? AND user_id IS ?",
                )
                .bind(level.as_str())
                .bind(granted_by.to_string())
                .bind(board.to_string())
                .bind(user.map(|u| u.to_string()))
                .execute(&mut *tx)
                .await?;
                GrantChange::Changed { from }
            }
        };
        let detail = serde_json::json!({
            "subject": user.map(|u| u.to_string()),
            "level": level,
            "result": change,
        });
        insert_audit(&mut tx, board, Some(granted_by), "grant", &detail).await?;
        tx.commit().await?;
        Ok(change)
    }

    /// Removes a grant; returns the level it held, or `None` if there was none.
    pub async fn revoke(&self, board: Uuid, user: Option<Uuid>, by: Uuid) -> Result<Option<Level>> {
        let mut tx = self.begin().await?;
        let existing: Option<String> = sqlx::query_scalar(
            "DELETE FROM board_permissions WHERE board_id = ? AND user_id IS ? RETURNING level",
        )
        .bind(board.to_string())
        .bind(user.map(|u| u.to_string()))
        .fetch_optional(&mut *tx)
        .await?;
        let level = existing.map(|l| Level::from_str(&l)).transpose()?;
        let detail = serde_json::json!({
            "subject": user.map(|u| u.to_string()),
            "level": level,
        });
        insert_audit(&mut tx, board, Some(by), "revoke", &detail).await?;
        tx.commit().await?;
        Ok(level)
    }

    pub async fn permissions(&self, board: Uuid) -> Result<Vec<Permission>> {
        let rows = sqlx::query(
            "SELECT * FROM board_permissions WHERE board_id = ? ORDER BY user_id IS NOT NULL, created_at, id",
        )
        .bind(board.to_string())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Permission {
                    board_id: parse_uuid(r.try_get("board_id")?)?,
                    user_id: r
                        .try_get::<Option<String>, _>("user_id")?
                        .map(parse_uuid)
                        .transpose()?,
                    level: Level::from_str(r.try_get::<&str, _>("level")?)?,
                    granted_by: r
                        .try_get::<Option<String>, _>("granted_by")?
                        .map(parse_uuid)
                        .transpose()?,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect()
    }

    // ----- audit -----

    /// Appends one audit row in its own transaction.
    pub async fn audit(
        &self,
        board: Uuid,
        actor: Option<Uuid>,
        action: &str,
        detail: &serde_json::Value,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        insert_audit(&mut tx, board, actor, action, detail).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn audit_query(&self, q: &AuditQuery) -> Result<Vec<AuditEntry>> {
        let limit = q.limit.unwrap_or(100).clamp(1, 10_000);
        let rows = sqlx::query(
            "SELECT * FROM audit_logs
              WHERE (?1 IS NULL OR board_id = ?1
                     OR board_id IN (SELECT id FROM boards WHERE alias_of = ?1))
                AND (?2 IS NULL OR actor_id = ?2)
                AND (?3 IS NULL OR action = ?3)
                AND (?4 IS NULL OR created_at >= ?4)
                AND (?5 IS NULL OR created_at < ?5)
                AND (?6 IS NULL OR id < ?6)
              ORDER BY id DESC
              LIMIT ?7",
        )
        .bind(q.board_id.map(|u| u.to_string()))
        .bind(q.actor_id.map(|u| u.to_string()))
        .bind(q.action.as_deref())
        .bind(q.since.as_deref())
        .bind(q.until.as_deref())
        .bind(q.before_id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let detail: String = r.try_get("detail")?;
                Ok(AuditEntry {
                    id: r.try_get("id")?,
                    board_id: parse_uuid(r.try_get("board_id")?)?,
                    actor_id: r
                        .try_get::<Option<String>, _>("actor_id")?
                        .map(parse_uuid)
                        .transpose()?,
                    action: r.try_get("action")?,
                    detail: serde_json::from_str(&detail)
                        .map_err(|e| Error::Corrupt(format!("audit detail: {e}")))?,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect()
    }

    // ----- documents -----

    /// Appends updates to a board's log and returns their seqs once the transaction holding them
    /// has committed. Concurrent callers share transactions (group commit).
    pub async fn append_updates(&self, board: Uuid, updates: Vec<Vec<u8>>) -> Result<Vec<i64>> {
        self.append(board, DocKind::Board, updates).await
    }

    /// Appends updates to the log of one of a board's documents, as [`Self::append_updates`]
    /// does for its content: acknowledged after commit, in a shared (group) transaction.
    pub async fn append(
        &self,
        board: Uuid,
        doc: DocKind,
        updates: Vec<Vec<u8>>,
    ) -> Result<Vec<i64>> {
        Ok(self
            .log
            .append(&doc.doc_name(board), updates)
            .await?
            .collect())
    }

    /// The snapshot covering the most updates and every update after it. Two sessions may
    /// snapshot at once, and the later one may cover less; compaction only ever deletes what its
    /// own snapshot covers, so the base with the highest `upto_seq` plus the remaining tail is
    /// always complete.
    pub async fn load_doc(&self, board: Uuid) -> Result<StoredDoc> {
        self.load_doc_since(board, 0).await
    }

    /// What a reader that has applied every update up to `after` lacks: the updates after it, or,
    /// when a compaction has folded some of those into a snapshot, that snapshot and its tail.
    /// Read in one transaction, so a compaction committing in between cannot leave a gap.
    pub async fn load_doc_since(&self, board: Uuid, after: i64) -> Result<StoredDoc> {
        self.load_since(board, DocKind::Board, after).await
    }

    /// [`Self::load_doc_since`] for either of a board's documents.
    pub async fn load_since(&self, board: Uuid, doc: DocKind, after: i64) -> Result<StoredDoc> {
        Ok(self.log.load_since(&doc.doc_name(board), after).await?)
    }

    /// The highest seq written for a board (0 if none), whether still in the log or folded into
    /// a snapshot.
    pub async fn last_seq(&self, board: Uuid) -> Result<i64> {
        self.last_seq_of(board, DocKind::Board).await
    }

    /// [`Self::last_seq`] for either of a board's documents.
    pub async fn last_seq_of(&self, board: Uuid, doc: DocKind) -> Result<i64> {
        Ok(self.log.last_seq(&doc.doc_name(board)).await?)
    }

    /// Folds a board's comment log up to `upto_seq` into its comments snapshot. A snapshot
    /// covering more (taken concurrently by another session) stays the base; the updates
    /// deleted are only those `state` covers, so nothing is ever lost.
    pub async fn compact_comments(&self, board: Uuid, upto_seq: i64, state: &[u8]) -> Result<()> {
        if upto_seq <= 0 {
            return Ok(());
        }
        self.log
            .snapshot(
                &DocKind::Comments.doc_name(board),
                NewSnapshot::compaction(upto_seq, state.to_vec()),
            )
            .await?;
        Ok(())
    }

    /// Stores a snapshot covering updates up to `upto_seq`; with `compact`, deletes those
    /// updates in the same transaction, so the log never loses an update the snapshot lacks.
    /// Automatic snapshots (no name) beyond the newest `keep_auto` are pruned.
    #[allow(clippy::too_many_arguments)]
    pub async fn save_snapshot(
        &self,
        board: Uuid,
        name: Option<&str>,
        upto_seq: i64,
        state: &[u8],
        element_count: usize,
        created_by: Option<Uuid>,
        compact: bool,
        keep_auto: u32,
        files: &[String],
    ) -> Result<SnapshotInfo> {
        if let Some(n) = name
            && (n.trim().is_empty() || n.len() > 200)
        {
            return Err(Error::invalid(
                "name",
                "a snapshot name must be 1 to 200 bytes",
            ));
        }
        let done = self
            .log
            .snapshot(
                &DocKind::Board.doc_name(board),
                NewSnapshot {
                    upto_seq,
                    state: state.to_vec(),
                    name: name.map(str::to_owned),
                    meta: Some(
                        serde_json::json!({
                            "elementCount": element_count,
                            "createdBy": created_by,
                            "files": files,
                        })
                        .to_string(),
                    ),
                    compact,
                    keep_unnamed: keep_auto,
                },
            )
            .await?;
        snapshot_from_log(board, done.snapshot)
    }

    // ----- files (image bytes beside the board's document) -----

    /// Stores a file's bytes (once per store, verified against its id) and links it to the
    /// board. True when the bytes were new to the store.
    pub async fn put_file(&self, board: Uuid, file: &BoardFile) -> Result<bool> {
        file.validate()?;
        let put = self
            .log
            .put_file(
                &DocKind::Board.doc_name(board),
                &file.id,
                &file.mime,
                &file.data,
                None,
            )
            .await?;
        Ok(put.stored)
    }

    /// A file's bytes, if this store has them.
    pub async fn file(&self, id: &str) -> Result<Option<BoardFile>> {
        Ok(self.log.file(id).await?.map(|f| BoardFile {
            id: f.hash,
            mime: f.mime,
            data: f.data,
        }))
    }

    /// Of `ids`, the files whose bytes this store has (for any board).
    pub async fn files_present(&self, ids: &[String]) -> Result<HashSet<String>> {
        Ok(self.log.files_stored(ids).await?)
    }

    /// Drops the board's links to files not in `keep` (their bytes are collected after the
    /// grace period unless another board holds them).
    /// Only links made at or before `seen_at` (Unix ms) are judged (see
    /// [`Log::retain_doc_files`]).
    pub async fn retain_board_files(
        &self,
        board: Uuid,
        keep: &HashSet<String>,
        seen_at: i64,
    ) -> Result<u64> {
        Ok(self
            .log
            .retain_doc_files(&DocKind::Board.doc_name(board), keep, seen_at)
            .await?)
    }

    /// Deletes files no board has held for `grace`.
    pub async fn collect_files(&self, grace: std::time::Duration) -> Result<easel_log::Collected> {
        Ok(self
            .log
            .collect_files(i64::try_from(grace.as_millis()).unwrap_or(i64::MAX))
            .await?)
    }

    /// Of `ids`, the files this board holds (linked to it by a paste, an import, a download or
    /// a migration; bytes another board brought do not count).
    pub async fn board_holds_files(&self, board: Uuid, ids: &[String]) -> Result<HashSet<String>> {
        Ok(self
            .log
            .doc_holds(&DocKind::Board.doc_name(board), ids)
            .await?)
    }

    /// Files stored and their bytes.
    pub async fn file_totals(&self) -> Result<easel_log::Collected> {
        Ok(self.log.file_totals().await?)
    }

    /// Rewrites a snapshot's state and/or its `files` record (see [`Log::rewrite_snapshot`]).
    pub async fn rewrite_snapshot(
        &self,
        board: Uuid,
        id: i64,
        state: Option<&[u8]>,
        files: &[String],
    ) -> Result<()> {
        let doc = DocKind::Board.doc_name(board);
        let Some((info, _)) = self.log.snapshot_state(&doc, id).await? else {
            return Err(Error::not_found("snapshot", id.to_string()));
        };
        let mut meta: serde_json::Value = info
            .meta
            .as_deref()
            .and_then(|m| serde_json::from_str(m).ok())
            .unwrap_or_else(|| serde_json::json!({}));
        meta["files"] = serde_json::json!(files);
        self.log
            .rewrite_snapshot(&doc, id, state, Some(&meta.to_string()))
            .await?;
        Ok(())
    }

    /// The files a board's stored snapshots show, by snapshot id, as recorded when each was
    /// taken (`None` for a snapshot taken by an older build, which recorded nothing).
    pub async fn snapshot_files(&self, board: Uuid) -> Result<Vec<(i64, Option<Vec<String>>)>> {
        let snaps = self.log.snapshots(&DocKind::Board.doc_name(board)).await?;
        Ok(snaps
            .into_iter()
            .map(|s| {
                let files = s
                    .meta
                    .as_deref()
                    .and_then(|m| serde_json::from_str::<serde_json::Value>(m).ok())
                    .and_then(|m| {
                        serde_json::from_value::<Vec<String>>(m.get("files")?.clone()).ok()
                    });
                (s.id, files)
            })
            .collect())
    }

    /// A board's snapshots, newest first.
    pub async fn snapshots(&self, board: Uuid) -> Result<Vec<SnapshotInfo>> {
        self.log
            .snapshots(&DocKind::Board.doc_name(board))
            .await?
            .into_iter()
            .map(|s| snapshot_from_log(board, s))
            .collect()
    }

    /// A snapshot's document state.
    pub async fn snapshot_state(&self, board: Uuid, id: i64) -> Result<(SnapshotInfo, Vec<u8>)> {
        let (info, state) = self
            .log
            .snapshot_state(&DocKind::Board.doc_name(board), id)
            .await?
            .ok_or_else(|| Error::not_found("snapshot", id.to_string()))?;
        Ok((snapshot_from_log(board, info)?, state))
    }

    /// Updates and time since the newest snapshot, for the automatic snapshot policy.
    pub async fn tail_stats(&self, board: Uuid) -> Result<(i64, Option<String>)> {
        let (tail, last) = self.log.tail_stats(&DocKind::Board.doc_name(board)).await?;
        Ok((tail, last.map(iso_from_ms)))
    }

    /// The database file's size, after a checkpoint so the WAL is folded in.
    pub async fn size(&self) -> Result<DbSize> {
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(self.pool())
            .await?;
        let pages: i64 = sqlx::query_scalar("PRAGMA page_count")
            .fetch_one(self.pool())
            .await?;
        let page_size: i64 = sqlx::query_scalar("PRAGMA page_size")
            .fetch_one(self.pool())
            .await?;
        Ok(DbSize {
            pages,
            page_size,
            bytes: pages * page_size,
        })
    }

    /// Returns free pages to the file system (after compaction).
    pub async fn vacuum(&self) -> Result<()> {
        sqlx::query("VACUUM").execute(self.pool()).await?;
        Ok(())
    }

    /// The journal mode in effect (always `wal`), for tests and diagnostics.
    pub async fn journal_mode(&self) -> Result<String> {
        Ok(sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(self.pool())
            .await?)
    }

    /// Runs a raw statement; for tests that check constraints hold against any writer.
    #[doc(hidden)]
    pub async fn execute_raw(&self, sql: &str) -> Result<u64> {
        Ok(sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(self.pool())
            .await?
            .rows_affected())
    }

    // ---- sharing -------------------------------------------------------------------------

    /// The salt that derives `board`'s id from its owner's key, if the id is bound.
    pub async fn board_salt(&self, board: Uuid) -> Result<Option<[u8; 16]>> {
        let salt: Option<Option<Vec<u8>>> =
            sqlx::query_scalar("SELECT id_salt FROM boards WHERE id = ?")
                .bind(board.to_string())
                .fetch_optional(self.pool())
                .await?;
        let Some(salt) = salt else {
            return Err(Error::not_found("board", board.to_string()));
        };
        salt.map(|s| {
            <[u8; 16]>::try_from(s)
                .map_err(|_| Error::Corrupt(format!("board {board}: id_salt is not 16 bytes")))
        })
        .transpose()
    }

    /// Records the salt of a board whose id was derived from its owner's key at creation.
    pub async fn set_board_salt(&self, board: Uuid, salt: &[u8; 16]) -> Result<()> {
        sqlx::query("UPDATE boards SET id_salt = ? WHERE id = ? AND id_salt IS NULL")
            .bind(salt.as_slice())
            .bind(board.to_string())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The board an id stands for: the id itself, or, for a board re-keyed when first shared,
    /// the id it was given then.
    pub async fn resolve_board_id(&self, id: Uuid) -> Result<Uuid> {
        let alias: Option<Option<String>> =
            sqlx::query_scalar("SELECT alias_of FROM boards WHERE id = ?")
                .bind(id.to_string())
                .fetch_optional(self.pool())
                .await?;
        match alias.flatten() {
            Some(to) => parse_uuid(to),
            None => Ok(id),
        }
    }

    /// Gives a board a new id bound to its owner's key, in one transaction: a new board row,
    /// every row that refers to the board moved to it (found through the schema's foreign keys,
    /// so tables added later move too), and the old row kept as a hidden alias. Its document
    /// history and audit trail stay intact.
    pub async fn rekey_board(
        &self,
        old: Uuid,
        new: Uuid,
        salt: &[u8; 16],
        actor: Uuid,
    ) -> Result<BoardRecord> {
        let mut tx = self.begin().await?;
        let done = sqlx::query(
            "INSERT INTO boards (id, owner_id, title, created_at, updated_at, deleted_at, id_salt)
             SELECT ?1, owner_id, title, created_at, updated_at, deleted_at, ?2
               FROM boards WHERE id = ?3 AND alias_of IS NULL",
        )
        .bind(new.to_string())
        .bind(salt.as_slice())
        .bind(old.to_string())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(Error::not_found("board", old.to_string()));
        }
        let refs: Vec<(String, String)> = sqlx::query_as(
            "SELECT m.name, f.\"from\" FROM sqlite_master m, pragma_foreign_key_list(m.name) f
              WHERE m.type = 'table' AND f.\"table\" = 'boards' AND m.name <> 'boards'",
        )
        .fetch_all(&mut *tx)
        .await?;
        for (table, column) in refs {
            let ident = |s: &str| s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !ident(&table) || !ident(&column) {
                return Err(Error::Corrupt(format!(
                    "schema: unexpected table or column name {table}.{column}"
                )));
            }
            // Identifiers come from the schema itself and were checked above.
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE {table} SET {column} = ?1 WHERE {column} = ?2"
            )))
            .bind(new.to_string())
            .bind(old.to_string())
            .execute(&mut *tx)
            .await?;
        }
        for doc in [DocKind::Board, DocKind::Comments] {
            easel_log::tx::rename_doc(&mut tx, &doc.doc_name(old), &doc.doc_name(new)).await?;
        }
        sqlx::query(
            "UPDATE boards SET alias_of = ?1,
                    deleted_at = COALESCE(deleted_at, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
              WHERE id = ?2",
        )
        .bind(new.to_string())
        .bind(old.to_string())
        .execute(&mut *tx)
        .await?;
        let detail = serde_json::json!({ "old_id": old.to_string(), "new_id": new.to_string() });
        insert_audit(&mut tx, new, Some(actor), "board.rekey", &detail).await?;
        insert_audit(&mut tx, old, Some(actor), "board.rekey", &detail).await?;
        let row = sqlx::query("SELECT * FROM boards WHERE id = ?")
            .bind(new.to_string())
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        board_from_row(&row)
    }

    /// Records a link the owner issued, mirrors it in `board_permissions` (a row per subject,
    /// the NULL row for anyone with the link, at the highest level their live links give), and
    /// audits it, in one transaction.
    pub async fn insert_share_link(&self, link: &ShareLinkRecord) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO share_links (link_id, board_id, level, subject_id, relay, token,
                                      issued_at, expires_at, issued_by)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(link.link_id.to_string())
        .bind(link.board_id.to_string())
        .bind(link.level.as_str())
        .bind(link.subject_id.map(|u| u.to_string()))
        .bind(link.relay.as_deref())
        .bind(&link.token)
        .bind(link.issued_at)
        .bind(link.expires_at)
        .bind(link.issued_by.to_string())
        .execute(&mut *tx)
        .await?;
        mirror_links(&mut tx, link.board_id, link.subject_id, link.issued_by).await?;
        let detail = serde_json::json!({
            "link_id": link.link_id.to_string(),
            "level": link.level,
            "subject": link.subject_id.map(|u| u.to_string()),
            "expires_at": link.expires_at,
            "relay": link.relay,
        });
        insert_audit(
            &mut tx,
            link.board_id,
            Some(link.issued_by),
            "link.create",
            &detail,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The links issued on a board, newest first.
    pub async fn share_links(&self, board: Uuid) -> Result<Vec<ShareLinkRecord>> {
        let rows = sqlx::query(
            "SELECT * FROM share_links WHERE board_id = ? ORDER BY issued_at DESC, link_id",
        )
        .bind(board.to_string())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(share_link_from_row).collect()
    }

    /// Marks a link revoked with its signed revocation, updates the mirror, audits.
    pub async fn revoke_share_link(
        &self,
        board: Uuid,
        link: Uuid,
        revoked_at: i64,
        revocation: &[u8],
        actor: Uuid,
    ) -> Result<ShareLinkRecord> {
        let mut tx = self.begin().await?;
        let row = sqlx::query("SELECT * FROM share_links WHERE board_id = ? AND link_id = ?")
            .bind(board.to_string())
            .bind(link.to_string())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| Error::not_found("link", link.to_string()))?;
        let mut rec = share_link_from_row(&row)?;
        if rec.revoked_at.is_some() {
            return Ok(rec);
        }
        sqlx::query("UPDATE share_links SET revoked_at = ?, revocation = ? WHERE link_id = ?")
            .bind(revoked_at)
            .bind(revocation)
            .bind(link.to_string())
            .execute(&mut *tx)
            .await?;
        mirror_links(&mut tx, board, rec.subject_id, actor).await?;
        let detail = serde_json::json!({ "link_id": link.to_string(), "level": rec.level });
        insert_audit(&mut tx, board, Some(actor), "link.revoke", &detail).await?;
        tx.commit().await?;
        rec.revoked_at = Some(revoked_at);
        Ok(rec)
    }

    /// The signed revocations of a board's links, to deliver to every server it syncs with.
    pub async fn revocations(&self, board: Uuid) -> Result<Vec<Vec<u8>>> {
        Ok(sqlx::query_scalar(
            "SELECT revocation FROM share_links WHERE board_id = ? AND revocation IS NOT NULL",
        )
        .bind(board.to_string())
        .fetch_all(self.pool())
        .await?)
    }

    /// Records the capability the local user joined a board with, the level it gives them in
    /// `board_permissions`, and a `join` audit entry, in one transaction.
    pub async fn record_join(&self, held: &HeldCapability, local: Uuid, owner: Uuid) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO board_capabilities (board_id, token, link_id, level, owner_key, relay,
                                             expires_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (board_id) DO UPDATE SET token = excluded.token,
                 link_id = excluded.link_id, level = excluded.level,
                 owner_key = excluded.owner_key, relay = excluded.relay,
                 expires_at = excluded.expires_at,
                 joined_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
        )
        .bind(held.board_id.to_string())
        .bind(&held.token)
        .bind(held.link_id.to_string())
        .bind(held.level.as_str())
        .bind(&held.owner_key)
        .bind(held.relay.as_deref())
        .bind(held.expires_at)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO board_permissions (board_id, user_id, level, granted_by)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (board_id, user_id) DO UPDATE SET level = excluded.level,
                 granted_by = excluded.granted_by",
        )
        .bind(held.board_id.to_string())
        .bind(local.to_string())
        .bind(held.level.as_str())
        .bind(owner.to_string())
        .execute(&mut *tx)
        .await?;
        let detail = serde_json::json!({
            "link_id": held.link_id.to_string(),
            "level": held.level,
            "owner_key": held.owner_key,
            "relay": held.relay,
        });
        insert_audit(&mut tx, held.board_id, Some(local), "join", &detail).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The capability the local user holds on a board someone else owns, if any.
    pub async fn held_capability(&self, board: Uuid) -> Result<Option<HeldCapability>> {
        let row = sqlx::query("SELECT * FROM board_capabilities WHERE board_id = ?")
            .bind(board.to_string())
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| {
            Ok(HeldCapability {
                board_id: parse_uuid(r.try_get("board_id")?)?,
                token: r.try_get("token")?,
                link_id: parse_uuid(r.try_get("link_id")?)?,
                level: Level::from_str(&r.try_get::<String, _>("level")?)?,
                owner_key: r.try_get("owner_key")?,
                relay: r.try_get("relay")?,
                expires_at: r.try_get("expires_at")?,
            })
        })
        .transpose()
    }
}

/// Applies migrations, first adopting a database whose baseline tables were made without them.
async fn migrate(pool: &SqlitePool) -> Result<()> {
    // The document log's own tables are the log's business (they may exist alone if a first
    // open stopped between the log's migrations and ours).
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
            AND name NOT IN ('doc_updates', 'doc_snapshots', '_easel_log_migrations')",
    )
    .fetch_all(pool)
    .await?;
    let has_history = tables.iter().any(|t| t == "_sqlx_migrations");
    if !has_history && !tables.is_empty() {
        adopt(pool, &tables).await?;
    }
    // The document log's tables first: migration 6 moves older boards' rows into them.
    easel_log::migrate(pool).await?;
    MIGRATOR.run(pool).await?;
    Ok(())
}

/// Checks that an unversioned database holds exactly the baseline schema this build expects,
/// then records migration 1 as applied so the later migrations run on top of it. Anything else
/// is refused untouched: guessing would risk the user's boards.
async fn adopt(pool: &SqlitePool, tables: &[String]) -> Result<()> {
    let baseline: Vec<&str> = BASELINE.iter().map(|(t, _)| *t).collect();
    let foreign: Vec<&String> = tables
        .iter()
        .filter(|t| !baseline.contains(&t.as_str()))
        .collect();
    if !foreign.is_empty() {
        return Err(Error::Schema(format!(
            "the database has tables this build does not know ({}) and no migration history; \
             refusing to change it",
            foreign
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    for (table, columns) in BASELINE {
        if !tables.iter().any(|t| t == table) {
            return Err(Error::Schema(format!(
                "the database has no migration history and lacks table {table}; refusing to \
                 change it"
            )));
        }
        let have: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT name FROM pragma_table_info('{table}')"
        )))
        .fetch_all(pool)
        .await?;
        for c in *columns {
            if !have.iter().any(|h| h == c) {
                return Err(Error::Schema(format!(
                    "table {table} lacks column {c}; refusing to adopt this database"
                )));
            }
        }
    }
    // UNIQUE (board_id, user_id) cannot be added later in SQLite, so an adopted table must have
    // been created with it.
    let unique: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pragma_index_list('board_permissions') l
          WHERE l.[unique] = 1
            AND (SELECT group_concat(name, ',') FROM
                   (SELECT name FROM pragma_index_info(l.name) ORDER BY seqno))
                = 'board_id,user_id'",
    )
    .fetch_one(pool)
    .await?;
    if unique == 0 {
        return Err(Error::Schema(
            "board_permissions lacks UNIQUE(board_id, user_id); refusing to adopt this database"
                .into(),
        ));
    }
    MIGRATOR.skip(pool, Some(1)).await?;
    Ok(())
}

async fn insert_audit(
    tx: &mut SqliteConnection,
    board: Uuid,
    actor: Option<Uuid>,
    action: &str,
    detail: &serde_json::Value,
) -> Result<()> {
    sqlx::query("INSERT INTO audit_logs (board_id, actor_id, action, detail) VALUES (?, ?, ?, ?)")
        .bind(board.to_string())
        .bind(actor.map(|u| u.to_string()))
        .bind(action)
        .bind(detail.to_string())
        .execute(&mut *tx)
        .await?;
    Ok(())
}

fn access_from(
    board: &BoardRecord,
    user: Uuid,
    own: Option<String>,
    public: Option<String>,
) -> Result<Access> {
    if board.owner_id == user {
        return Ok(Access::Owner);
    }
    let own = own.map(|l| Level::from_str(&l)).transpose()?;
    let public = public.map(|l| Level::from_str(&l)).transpose()?;
    Ok(own.max(public).map(Access::from).unwrap_or(Access::None))
}

fn clean_name(name: &str) -> String {
    let n: String = name.chars().filter(|c| !c.is_control()).take(200).collect();
    let n = n.trim();
    if n.is_empty() {
        "Me".into()
    } else {
        n.to_string()
    }
}

fn parse_uuid(s: String) -> Result<Uuid> {
    Uuid::parse_str(&s).map_err(|e| Error::Corrupt(format!("bad uuid {s:?} in the database: {e}")))
}

fn user_from_row(r: &sqlx::sqlite::SqliteRow) -> Result<User> {
    Ok(User {
        id: parse_uuid(r.try_get("id")?)?,
        display_name: r.try_get("display_name")?,
        public_key: r.try_get("public_key")?,
        is_local: r.try_get::<i64, _>("is_local")? == 1,
        created_at: r.try_get("created_at")?,
    })
}

fn share_link_from_row(r: &sqlx::sqlite::SqliteRow) -> Result<ShareLinkRecord> {
    Ok(ShareLinkRecord {
        link_id: parse_uuid(r.try_get("link_id")?)?,
        board_id: parse_uuid(r.try_get("board_id")?)?,
        level: Level::from_str(&r.try_get::<String, _>("level")?)?,
        subject_id: r
            .try_get::<Option<String>, _>("subject_id")?
            .map(parse_uuid)
            .transpose()?,
        relay: r.try_get("relay")?,
        token: r.try_get("token")?,
        issued_at: r.try_get("issued_at")?,
        expires_at: r.try_get("expires_at")?,
        issued_by: parse_uuid(r.try_get("issued_by")?)?,
        revoked_at: r.try_get("revoked_at")?,
    })
}

/// Sets the `board_permissions` row of `subject` (NULL: anyone with the link) to the highest
/// level of their unrevoked links, or removes it when none is left.
async fn mirror_links(
    tx: &mut SqliteConnection,
    board: Uuid,
    subject: Option<Uuid>,
    by: Uuid,
) -> Result<()> {
    let levels: Vec<String> = sqlx::query_scalar(
        "SELECT level FROM share_links
          WHERE board_id = ? AND subject_id IS ? AND revoked_at IS NULL",
    )
    .bind(board.to_string())
    .bind(subject.map(|u| u.to_string()))
    .fetch_all(&mut *tx)
    .await?;
    let best = levels
        .iter()
        .map(|l| Level::from_str(l).map_err(Error::from))
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .max();
    match best {
        Some(level) => {
            let updated = sqlx::query(
                "UPDATE board_permissions SET level = ?, granted_by = ?
                  WHERE board_id = ? AND user_id IS ?",
            )
            .bind(level.as_str())
            .bind(by.to_string())
            .bind(board.to_string())
            .bind(subject.map(|u| u.to_string()))
            .execute(&mut *tx)
            .await?;
            if updated.rows_affected() == 0 {
                sqlx::query(
                    "INSERT INTO board_permissions (board_id, user_id, level, granted_by)
                     VALUES (?, ?, ?, ?)",
                )
                .bind(board.to_string())
                .bind(subject.map(|u| u.to_string()))
                .bind(level.as_str())
                .bind(by.to_string())
                .execute(&mut *tx)
                .await?;
            }
        }
        None => {
            sqlx::query("DELETE FROM board_permissions WHERE board_id = ? AND user_id IS ?")
                .bind(board.to_string())
                .bind(subject.map(|u| u.to_string()))
                .execute(&mut *tx)
                .await?;
        }
    }
    Ok(())
}

fn board_from_row(r: &sqlx::sqlite::SqliteRow) -> Result<BoardRecord> {
    Ok(BoardRecord {
        id: parse_uuid(r.try_get("id")?)?,
        owner_id: parse_uuid(r.try_get("owner_id")?)?,
        title: r.try_get("title")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        deleted_at: r.try_get("deleted_at")?,
    })
}

/// What the app records beside a board snapshot in the log's `meta` column.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct SnapshotMeta {
    element_count: i64,
    created_by: Option<Uuid>,
}

fn snapshot_from_log(board: Uuid, s: easel_log::SnapshotInfo) -> Result<SnapshotInfo> {
    let meta: SnapshotMeta = match &s.meta {
        Some(m) => serde_json::from_str(m).map_err(|e| {
            Error::Corrupt(format!("snapshot {} of board {board}: bad meta: {e}", s.id))
        })?,
        None => SnapshotMeta {
            element_count: 0,
            created_by: None,
        },
    };
    Ok(SnapshotInfo {
        id: s.id,
        board_id: board,
        name: s.name,
        upto_seq: s.upto_seq,
        element_count: meta.element_count,
        size: s.size,
        created_by: meta.created_by,
        created_at: iso_from_ms(s.created_at),
    })
}

/// Unix milliseconds as the store's other timestamps read (`2026-12-07T19:30:00.123Z`, what
/// SQLite's `strftime('%Y-%m-%dT%H:%M:%fZ')` writes).
fn iso_from_ms(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let milli = ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{milli:03}Z",
        sod / 3600,
        sod / 60 % 60,
        sod % 60
    )
}

#[cfg(test)]
mod tests {
    use super::iso_from_ms;

    #[test]
    fn milliseconds_read_as_sqlite_writes_them() {
        assert_eq!(iso_from_ms(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso_from_ms(951_782_400_123), "2000-02-29T00:00:00.123Z");
        assert_eq!(iso_from_ms(1_796_672_096_789), "2026-12-07T19:34:56.789Z");
        assert_eq!(iso_from_ms(-1), "1969-12-31T23:59:59.999Z");
    }
}
