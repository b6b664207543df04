//! The commands the UI invokes. Each is a short delegation to the core, acting as the local
//! user; errors become [`AppError`] (`{kind, message}`) here.

use std::path::PathBuf;

use easel_core::store::{AuditEntry, AuditQuery, BoardRecord, SnapshotInfo};
use easel_core::sync::{SyncOptions, SyncStatus};
use easel_core::{Access, BoardFile, BoardSummary, Element};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Emitter, State};
use uuid::Uuid;

use crate::batch::{UiCommand, fold};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

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
    let session = state.open_board(&app, board).await?;
    let s = session.lock().await;
    Ok(OpenedBoard {
        board: s.board().clone(),
        access: s.access(),
        elements: s.elements(),
        undo: undo_state(&s),
    })
}

#[tauri::command]
pub async fn board_close(state: State<'_, AppState>, board: Uuid) -> AppResult<()> {
    state.boards.lock().await.remove(&board);
    Ok(())
}

/// Applies a batch of the UI's commands (one gesture) as one core transaction: one undo step.
#[tauri::command]
pub async fn elements_apply(
    state: State<'_, AppState>,
    board: Uuid,
    commands: Vec<UiCommand>,
) -> AppResult<UndoState> {
    let session = state.session(board).await?;
    let mut s = session.lock().await;
    let net = fold(&commands, |id| s.element(id));
    if !net.put.is_empty() || !net.remove.is_empty() {
        s.apply_elements(net.put, &net.remove).await?;
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

/// One of the board's files, for the renderer (`data` is base64), or null when it has none.
#[tauri::command]
pub async fn board_file(
    state: State<'_, AppState>,
    board: Uuid,
    id: String,
) -> AppResult<Option<BoardFile>> {
    let session = state.session(board).await?;
    let file = session.lock().await.doc().file(&id);
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

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatusEvent {
    pub board: Uuid,
    pub status: SyncStatus,
}

/// Starts syncing an open board with the relay or host at `url` (`ws://host:port`); status
/// changes arrive as `sync-status` events.
#[tauri::command]
pub async fn sync_connect(
    app: AppHandle,
    state: State<'_, AppState>,
    board: Uuid,
    url: String,
) -> AppResult<SyncStatus> {
    let mut boards = state.boards.lock().await;
    let open = boards
        .get_mut(&board)
        .ok_or_else(|| AppError::not_open(board))?;
    let handle = easel_core::sync::start(open.session.clone(), SyncOptions::new(url));
    let mut status = handle.watch_status();
    let task = tokio::spawn(async move {
        loop {
            let s = status.borrow_and_update().clone();
            if let Err(e) = app.emit("sync-status", SyncStatusEvent { board, status: s }) {
                tracing::warn!("sync-status not delivered: {e}");
            }
            if status.changed().await.is_err() {
                break;
            }
        }
    });
    let now = handle.status();
    open.sync = Some((handle, task));
    Ok(now)
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
        .map_or(SyncStatus::Offline, |(h, _)| h.status()))
}
