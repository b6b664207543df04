//! The commands the UI invokes. Each is a short delegation to the core, acting as the local
//! user; errors become [`AppError`] (`{kind, message}`) here.

use std::path::PathBuf;

use easel_core::share::{IssuedLink, Joined, LinkPreview, ShareRequest};
use easel_core::store::{AuditEntry, AuditQuery, BoardRecord, BoardRemote, SnapshotInfo};
use easel_core::sync::SyncStatus;
use easel_core::{Access, Anchor, BoardFile, BoardSummary, Comment, Edit, Element, Level, Thread};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Emitter, State};
use uuid::Uuid;

use crate::error::{AppError, AppResult};
use crate::state::{AppState, IdentityInfo};

fn boards_changed(app: &AppHandle) {
    if let Err(e) = app.emit("boards-changed", ()) {
        tracing::warn!("boards-changed not delivered: {e}");
    }
}

#[tauri::command]
pub async fn boards_list(state: State<'_, AppState>) -> AppResult<Vec<BoardSummary>> {
    Ok(state.easel.list_boards(state.user, false).await?)
}

#[tauri::command]
pub async fn board_create(
    app: AppHandle,
    state: State<'_, AppState>,
    title: String,
) -> AppResult<BoardRecord> {
    let record = state.easel.create_board(state.user, &title).await?;
    boards_changed(&app);
    Ok(record)
}

#[tauri::command]
pub async fn board_rename(
    app: AppHandle,
    state: State<'_, AppState>,
    board: Uuid,
    title: String,
) -> AppResult<()> {
    state.easel.rename_board(state.user, board, &title).await?;
    boards_changed(&app);
    Ok(())
}

#[tauri::command]
pub async fn board_delete(
    app: AppHandle,
    state: State<'_, AppState>,
    board: Uuid,
) -> AppResult<()> {
    state.easel.delete_board(state.user, board).await?;
    state.boards.lock().await.remove(&board);
    boards_changed(&app);
    Ok(())
}

/// An opened board, as the UI loads it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenedBoard {
    pub board: BoardRecord,
    pub access: Access,
    pub elements: Vec<Element>,
    #[serde(flatten)]
    pub undo: UndoState,
    /// The local user's id (comment authors are user ids: "is this message mine?").
    pub me: Uuid,
    /// The relays and hosts remembered for the board; the first is connected on open.
    pub remotes: Vec<BoardRemote>,
    /// The board's comment threads.
    pub threads: Vec<Thread>,
    /// The sync running for the board, if any.
    pub sync: Option<SyncState>,
}

#[derive(Debug, Serialize)]
pub struct SyncState {
    pub url: String,
    pub status: SyncStatus,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UndoState {
    pub can_undo: bool,
    pub can_redo: bool,
}

fn undo_state(s: &easel_core::BoardSession) -> UndoState {
    UndoState {
        can_undo: s.doc().can_undo(),
        can_redo: s.doc().can_redo(),
    }
}

#[tauri::command]
pub async fn board_open(
    app: AppHandle,
    state: State<'_, AppState>,
    board: Uuid,
) -> AppResult<OpenedBoard> {
    let (session, opened_now) = state.open_board(&app, board).await?;
    let remotes = state.easel.remotes(state.user, board).await?;
    // A board with a remembered relay syncs as soon as it opens.
    if opened_now
        && let Some(r) = remotes.first()
        && let Err(e) = state.start_sync(&app, board, &r.url).await
    {
        tracing::warn!(%board, "cannot start syncing with {}: {e}", r.url);
    }
    let threads = state.comments(board).await?.lock().await.threads();
    let sync = state.boards.lock().await.get(&board).and_then(|b| {
        b.sync.as_ref().map(|s| SyncState {
            url: s.url.clone(),
            status: s.board.status(),
        })
    });
    let s = session.lock().await;
    Ok(OpenedBoard {
        board: s.board().clone(),
        access: s.access(),
        elements: s.elements(),
        undo: undo_state(&s),
        me: state.user,
        remotes,
        threads,
        sync,
    })
}

#[tauri::command]
pub async fn board_close(state: State<'_, AppState>, board: Uuid) -> AppResult<()> {
    state.boards.lock().await.remove(&board);
    Ok(())
}

/// Applies a batch of the UI's edits (one gesture, the core's [`Edit`] vocabulary) as one core
/// transaction: one undo step. What it changed reaches the UI as a `board-changed` event naming
/// only the touched elements.
#[tauri::command]
pub async fn elements_apply(
    state: State<'_, AppState>,
    board: Uuid,
    commands: Vec<Edit>,
) -> AppResult<UndoState> {
    let session = state.session(board).await?;
    let mut s = session.lock().await;
    if !commands.is_empty() {
        s.apply_edits(&commands).await?;
    }
    Ok(undo_state(&s))
}

#[tauri::command]
pub async fn undo(state: State<'_, AppState>, board: Uuid) -> AppResult<UndoState> {
    let session = state.session(board).await?;
    let mut s = session.lock().await;
    s.undo().await?;
    Ok(undo_state(&s))
}

#[tauri::command]
pub async fn redo(state: State<'_, AppState>, board: Uuid) -> AppResult<UndoState> {
    let session = state.session(board).await?;
    let mut s = session.lock().await;
    s.redo().await?;
    Ok(undo_state(&s))
}

/// Stores an image's bytes in the board once (its id is their SHA-256); pasted images use it.
#[tauri::command]
pub async fn file_add(
    state: State<'_, AppState>,
    board: Uuid,
    file: BoardFile,
) -> AppResult<String> {
    let session = state.session(board).await?;
    let id = session.lock().await.add_file(file).await?;
    Ok(id)
}

/// One of the board's files, for the renderer (`data` is base64), or null when this
/// installation does not have its bytes yet: they are then asked of the board's server, and a
/// `board-file` event says when they arrive.
#[tauri::command]
pub async fn board_file(
    state: State<'_, AppState>,
    board: Uuid,
    id: String,
) -> AppResult<Option<BoardFile>> {
    let session = state.session(board).await?;
    let file = session.lock().await.file(&id).await?;
    Ok(file)
}

#[tauri::command]
pub async fn history_list(state: State<'_, AppState>, board: Uuid) -> AppResult<Vec<SnapshotInfo>> {
    Ok(state.easel.history(state.user, board).await?)
}

#[tauri::command]
pub async fn snapshot(
    state: State<'_, AppState>,
    board: Uuid,
    name: Option<String>,
) -> AppResult<SnapshotInfo> {
    let session = state.session(board).await?;
    let info = session.lock().await.snapshot(name.as_deref()).await?;
    Ok(info)
}

#[tauri::command]
pub async fn restore(state: State<'_, AppState>, board: Uuid, snapshot_id: i64) -> AppResult<()> {
    let session = state.session(board).await?;
    session.lock().await.restore(snapshot_id).await?;
    Ok(())
}

/// Filters for `audit_query`, as the CLI's `easel audit` takes them.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AuditFilter {
    pub action: Option<String>,
    pub since: Option<String>,
    pub until: Option<String>,
    pub before_id: Option<i64>,
    pub limit: Option<u32>,
}

#[tauri::command]
pub async fn audit_query(
    state: State<'_, AppState>,
    board: Uuid,
    filter: Option<AuditFilter>,
) -> AppResult<Vec<AuditEntry>> {
    let f = filter.unwrap_or_default();
    let query = AuditQuery {
        action: f.action,
        since: f.since,
        until: f.until,
        before_id: f.before_id,
        limit: f.limit,
        ..AuditQuery::default()
    };
    Ok(state.easel.audit(state.user, board, &query).await?)
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Exported {
    pub format: &'static str,
    pub elements: usize,
    pub bytes: usize,
}

/// Writes `board` to `path`; the format comes from `format` or the path's extension.
#[tauri::command]
pub async fn export_board(
    state: State<'_, AppState>,
    board: Uuid,
    path: PathBuf,
    format: Option<String>,
) -> AppResult<Exported> {
    let format: easel_formats::Format = match format
        .as_deref()
        .or_else(|| path.extension().and_then(|e| e.to_str()))
    {
        Some(f) => f.parse()?,
        None => {
            return Err(AppError::new(
                "invalid",
                "name a format or give the file an extension",
            ));
        }
    };
    let session = match state.session(board).await {
        Ok(s) => s,
        Err(_) => std::sync::Arc::new(tokio::sync::Mutex::new(
            state.easel.open_board(state.user, board).await?,
        )),
    };
    let s = session.lock().await;
    let scene = s.scene_for_export().await?;
    let bytes = easel_formats::export(&scene, format, &mut |_| {})?;
    std::fs::write(&path, &bytes)?;
    s.record_export(format.extension(), scene.elements.len(), bytes.len())
        .await?;
    Ok(Exported {
        format: format.extension(),
        elements: scene.elements.len(),
        bytes: bytes.len(),
    })
}

/// Creates a board from the file at `path` (any format Easel imports).
#[tauri::command]
pub async fn import_board(
    app: AppHandle,
    state: State<'_, AppState>,
    path: PathBuf,
    title: Option<String>,
) -> AppResult<BoardRecord> {
    let bytes = std::fs::read(&path)?;
    let name = path.file_name().and_then(|s| s.to_str());
    let scene = easel_formats::import(&bytes, name, &mut |_| {})?;
    let record = state
        .easel
        .import_board(state.user, &scene, title.as_deref(), name.unwrap_or("file"))
        .await?;
    boards_changed(&app);
    Ok(record)
}

/// Remembers the relay or host at `url` (`ws://host:port`) for an open board, when the user may
/// (EDIT), and starts syncing the board and its comments with it; status changes arrive as
/// `sync-status` events.
#[tauri::command]
pub async fn sync_connect(
    app: AppHandle,
    state: State<'_, AppState>,
    board: Uuid,
    url: String,
) -> AppResult<SyncStatus> {
    let url = match state.easel.connect(state.user, board, &url, "relay").await {
        Ok((normalized, _)) => normalized,
        // A VIEW or COMMENT collaborator may still sync; only remembering needs EDIT.
        Err(easel_core::Error::Denied { .. }) => url.trim().trim_end_matches('/').to_string(),
        Err(e) => return Err(e.into()),
    };
    state.start_sync(&app, board, &url).await
}

/// Stops syncing an open board (the relay stays remembered).
#[tauri::command]
pub async fn sync_disconnect(state: State<'_, AppState>, board: Uuid) -> AppResult<()> {
    if let Some(open) = state.boards.lock().await.get_mut(&board) {
        open.sync = None;
    }
    Ok(())
}

#[tauri::command]
pub async fn sync_status(state: State<'_, AppState>, board: Uuid) -> AppResult<SyncStatus> {
    let boards = state.boards.lock().await;
    let open = boards
        .get(&board)
        .ok_or_else(|| AppError::not_open(board))?;
    Ok(open
        .sync
        .as_ref()
        .map_or(SyncStatus::Offline, |s| s.board.status()))
}

/// Publishes our cursor, selection, name and colour (a JSON string) to the board's peers, or
/// withdraws it with null. Does nothing while the board is neither syncing nor hosted.
#[tauri::command]
pub async fn presence_set(
    state: State<'_, AppState>,
    board: Uuid,
    presence: Option<String>,
) -> AppResult<()> {
    if let Some(sync) = state
        .boards
        .lock()
        .await
        .get(&board)
        .and_then(|b| b.sync.as_ref())
    {
        sync.board.set_awareness(presence.clone());
    }
    // Peers on our LAN host see us too.
    if let Some(h) = state.host.lock().await.as_ref() {
        h.set_awareness(board, presence);
    }
    Ok(())
}

// --- Identity and sharing ---------------------------------------------------------------------

/// The identity's public key, name and key store (never the secret), or why there is none.
#[tauri::command]
pub async fn identity_get(state: State<'_, AppState>) -> AppResult<IdentityInfo> {
    Ok(state.identity.lock().await.clone())
}

/// What the share dialog issued.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ShareCreated {
    pub link: IssuedLink,
    /// Sharing moved the board to an id bound to the owner's key: reopen it under `link.board_id`.
    pub rekeyed_from: Option<Uuid>,
    /// Shown beside the link (e.g. a `ws://` relay on the internet exposes the token).
    pub warnings: Vec<String>,
}

/// Issues a share link (owner only). `expiresAt` is Unix seconds. The link's relay is
/// remembered and the open board's sync (re)started with the owner's key proof, so the relay
/// learns the board before anyone joins.
#[tauri::command]
pub async fn share_create(
    app: AppHandle,
    state: State<'_, AppState>,
    board: Uuid,
    level: Level,
    relay: Option<String>,
    expires_at: Option<i64>,
) -> AppResult<ShareCreated> {
    state.sharing_ready().await?;
    let relay = relay
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty());
    let req = ShareRequest {
        level: Some(level),
        relay: relay.clone(),
        expires_at,
        ..Default::default()
    };
    let shared = state.easel.share(state.user, board, &req).await?;
    let id = shared.link.record.board_id;
    if let Some(old) = shared.rekeyed_from {
        // The old id is an alias now; the UI reopens the board under its new id.
        state.boards.lock().await.remove(&old);
        boards_changed(&app);
    }
    if let Some(r) = &relay {
        let (r, _) = state.easel.connect(state.user, id, r, "relay").await?;
        // The board is now registered by the owner's key proof: (re)start its sync so the
        // relay learns it before anyone joins (a sync started before sharing had no auth).
        let syncing = state
            .boards
            .lock()
            .await
            .get(&id)
            .map(|b| b.sync.as_ref().map(|s| s.url.clone()));
        if let Some(url) = syncing {
            state
                .start_sync(&app, id, url.as_deref().unwrap_or(&r))
                .await?;
        }
    }
    Ok(ShareCreated {
        link: shared.link,
        rekeyed_from: shared.rekeyed_from,
        warnings: shared.warnings,
    })
}

/// The links issued on a board (owner only), newest first.
#[tauri::command]
pub async fn share_links(state: State<'_, AppState>, board: Uuid) -> AppResult<Vec<IssuedLink>> {
    state.sharing_ready().await?;
    Ok(state.easel.links(state.user, board).await?)
}

/// Revokes a link (owner only). A running sync is restarted, so the owner's connection delivers
/// every signed revocation to the relay now.
#[tauri::command]
pub async fn share_revoke(
    app: AppHandle,
    state: State<'_, AppState>,
    board: Uuid,
    link: Uuid,
) -> AppResult<IssuedLink> {
    state.sharing_ready().await?;
    let revoked = state.easel.revoke_link(state.user, board, link).await?;
    let url = state
        .boards
        .lock()
        .await
        .get(&board)
        .and_then(|b| b.sync.as_ref().map(|s| s.url.clone()));
    if let Some(url) = url {
        state.start_sync(&app, board, &url).await?;
    }
    Ok(revoked)
}

/// Reads and checks a link for the prompt before joining: title, level, issuer and key.
#[tauri::command]
pub async fn link_preview(state: State<'_, AppState>, link: String) -> AppResult<LinkPreview> {
    state.sharing_ready().await?;
    Ok(state.easel.preview_link(link.trim()).await?)
}

/// Joins a board through a link. The UI then opens it, which starts its sync.
#[tauri::command]
pub async fn link_join(
    app: AppHandle,
    state: State<'_, AppState>,
    link: String,
) -> AppResult<Joined> {
    state.sharing_ready().await?;
    let joined = state.easel.join(state.user, link.trim()).await?;
    boards_changed(&app);
    // Already open (joined again with a new link): sync with the new capability.
    let open = state.boards.lock().await.contains_key(&joined.board.id);
    if open && let Some(r) = &joined.relay {
        state.start_sync(&app, joined.board.id, r).await?;
    }
    Ok(joined)
}

/// The `easel://` link the app was started with (or that arrived before the UI listened), once.
#[tauri::command]
pub async fn link_pending(state: State<'_, AppState>) -> AppResult<Option<String>> {
    Ok(state.pending_link.lock().ok().and_then(|mut p| p.take()))
}

// --- Comments ------------------------------------------------------------------------------------

#[tauri::command]
pub async fn comments_list(state: State<'_, AppState>, board: Uuid) -> AppResult<Vec<Thread>> {
    Ok(state.comments(board).await?.lock().await.threads())
}

/// Starts a thread at `anchor` (a point, or an element and a point) with its first message.
#[tauri::command]
pub async fn comment_add(
    state: State<'_, AppState>,
    board: Uuid,
    anchor: Anchor,
    text: String,
) -> AppResult<Thread> {
    let c = state.comments(board).await?;
    let t = c.lock().await.add_thread(&anchor, &text).await?;
    Ok(t)
}

#[tauri::command]
pub async fn comment_reply(
    state: State<'_, AppState>,
    board: Uuid,
    thread: String,
    text: String,
) -> AppResult<Comment> {
    let c = state.comments(board).await?;
    let m = c.lock().await.reply(&thread, &text).await?;
    Ok(m)
}

/// Edits one of the local user's own messages.
#[tauri::command]
pub async fn comment_edit(
    state: State<'_, AppState>,
    board: Uuid,
    message: String,
    text: String,
) -> AppResult<Comment> {
    let c = state.comments(board).await?;
    let m = c.lock().await.edit(&message, &text).await?;
    Ok(m)
}

/// Deletes one of the local user's own messages (a tombstone stays).
#[tauri::command]
pub async fn comment_delete(
    state: State<'_, AppState>,
    board: Uuid,
    message: String,
) -> AppResult<Comment> {
    let c = state.comments(board).await?;
    let m = c.lock().await.delete(&message).await?;
    Ok(m)
}

/// Resolves (`resolved: true`) or reopens a thread; false when it already was so.
#[tauri::command]
pub async fn comment_resolve(
    state: State<'_, AppState>,
    board: Uuid,
    thread: String,
    resolved: bool,
) -> AppResult<bool> {
    let c = state.comments(board).await?;
    let mut c = c.lock().await;
    let changed = if resolved {
        c.resolve(&thread).await?
    } else {
        c.reopen(&thread).await?
    };
    Ok(changed)
}
