//! Commands behind the side panels (board list, history, audit log, import/export). Each is a
//! thin wrapper over `Easel`; the import and export here also report progress as `io-progress`
//! events `{op, stage, done, total}` so the UI can show how far a long file has come.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use easel_core::Element;
use easel_core::store::BoardRecord;
use serde::Serialize;
use tauri::{AppHandle, Emitter, State};
use uuid::Uuid;

use crate::commands::UndoState;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// A board's elements for its thumbnail in the board list. An open board answers from its
/// session; any other board is read from the store without opening a session, so drawing the
/// list does not write an `open` audit row per board. Needs VIEW, like opening.
#[tauri::command]
pub async fn board_preview(state: State<'_, AppState>, board: Uuid) -> AppResult<Vec<Element>> {
    if let Ok(session) = state.session(board).await {
        return Ok(session.lock().await.elements());
    }
    Ok(state.easel.preview_elements(state.user, board).await?)
}

/// Brings a deleted board back (the board list's "Undo" after a delete). Owner only.
#[tauri::command]
pub async fn board_undelete(
    app: AppHandle,
    state: State<'_, AppState>,
    board: Uuid,
) -> AppResult<()> {
    state.easel.undelete_board(state.user, board).await?;
    if let Err(e) = app.emit("boards-changed", ()) {
        tracing::warn!("boards-changed not delivered: {e}");
    }
    Ok(())
}

/// The elements a snapshot holds, for the history panel's preview.
#[tauri::command]
pub async fn history_preview(
    state: State<'_, AppState>,
    board: Uuid,
    snapshot_id: i64,
) -> AppResult<Vec<Element>> {
    Ok(state
        .easel
        .snapshot_elements(state.user, board, snapshot_id)
        .await?)
}

/// `restore` that answers with the undo state: a restore is one undoable step, so the UI's undo
/// button must come alive after it.
#[tauri::command]
pub async fn history_restore(
    state: State<'_, AppState>,
    board: Uuid,
    snapshot_id: i64,
) -> AppResult<UndoState> {
    let session = state.session(board).await?;
    let mut s = session.lock().await;
    s.restore(snapshot_id).await?;
    Ok(UndoState {
        can_undo: s.doc().can_undo(),
        can_redo: s.doc().can_redo(),
    })
}

/// Display names of the users this installation knows, by id (the audit log shows names).
#[tauri::command]
pub async fn user_names(state: State<'_, AppState>) -> AppResult<HashMap<Uuid, String>> {
    Ok(state
        .easel
        .users()
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect())
}

#[derive(Debug, Clone, Serialize)]
pub struct IoProgress {
    pub op: &'static str,
    pub stage: &'static str,
    pub done: usize,
    pub total: usize,
}

/// A progress callback that emits `io-progress`, at most every 50 ms (and at each stage's end).
fn progress_emitter(app: AppHandle, op: &'static str) -> impl FnMut(easel_formats::Progress) {
    let mut last: Option<Instant> = None;
    move |p| {
        if p.done < p.total && last.is_some_and(|t| t.elapsed() < Duration::from_millis(50)) {
            return;
        }
        last = Some(Instant::now());
        let event = IoProgress {
            op,
            stage: p.stage,
            done: p.done,
            total: p.total,
        };
        if let Err(e) = app.emit("io-progress", event) {
            tracing::warn!("io-progress not delivered: {e}");
        }
    }
}

fn blocking_failed(e: tokio::task::JoinError) -> AppError {
    AppError::new("storage", format!("background work failed: {e}"))
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FileExported {
    pub format: &'static str,
    pub elements: usize,
    pub bytes: usize,
    pub path: PathBuf,
}

/// `export_board` with progress: writes `board` to `path` (format from `format` or the path's
/// extension), encoding off the async runtime. The export sheet's options: `background`
/// (default on), PNG `scale` (default 2, at most 4) and `only` (a selection's element ids).
#[tauri::command]
#[allow(clippy::too_many_arguments)]
pub async fn file_export(
    app: AppHandle,
    state: State<'_, AppState>,
    board: Uuid,
    path: PathBuf,
    format: Option<String>,
    background: Option<bool>,
    scale: Option<f32>,
    only: Option<Vec<String>>,
) -> AppResult<FileExported> {
    let scale = scale.unwrap_or(2.0);
    if !(scale.is_finite() && scale > 0.0 && scale <= 4.0) {
        return Err(AppError::new("invalid", format!("scale {scale}: 0 to 4")));
    }
    let opts = easel_formats::ExportOptions {
        background: background.unwrap_or(true),
        scale,
        only,
    };
    let format: easel_formats::Format = match format
        .as_deref()
        .or_else(|| path.extension().and_then(|e| e.to_str()))
    {
        Some(f) => f.parse()?,
        None => return Err(AppError::new("invalid", "give the file an extension")),
    };
    let session = match state.session(board).await {
        Ok(s) => s,
        Err(_) => std::sync::Arc::new(tokio::sync::Mutex::new(
            state.easel.open_board(state.user, board).await?,
        )),
    };
    let scene = session.lock().await.scene_for_export().await?;
    let elements = match &opts.only {
        Some(ids) => easel_formats::subset(&scene, ids).elements.len(),
        None => scene.elements.len(),
    };
    let mut progress = progress_emitter(app, "export");
    let target = path.clone();
    let bytes = tokio::task::spawn_blocking(move || -> AppResult<usize> {
        let bytes = easel_formats::export_with(&scene, format, &opts, &mut progress)?;
        std::fs::write(&target, &bytes)?;
        Ok(bytes.len())
    })
    .await
    .map_err(blocking_failed)??;
    session
        .lock()
        .await
        .record_export(format.extension(), elements, bytes)
        .await?;
    Ok(FileExported {
        format: format.extension(),
        elements,
        bytes,
        path,
    })
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FileImported {
    pub board: BoardRecord,
    pub elements: usize,
}

/// `import_board` with progress: a new board from the file at `path` (any format Easel
/// imports), parsed off the async runtime.
#[tauri::command]
pub async fn file_import(
    app: AppHandle,
    state: State<'_, AppState>,
    path: PathBuf,
) -> AppResult<FileImported> {
    let mut progress = progress_emitter(app.clone(), "import");
    let source = path.clone();
    let scene = tokio::task::spawn_blocking(move || -> AppResult<_> {
        let bytes = std::fs::read(&source)?;
        let name = source.file_name().and_then(|s| s.to_str());
        Ok(easel_formats::import(&bytes, name, &mut progress)?)
    })
    .await
    .map_err(blocking_failed)??;
    let name = path.file_name().and_then(|s| s.to_str()).unwrap_or("file");
    let board = state
        .easel
        .import_board(state.user, &scene, None, name)
        .await?;
    if let Err(e) = app.emit("boards-changed", ()) {
        tracing::warn!("boards-changed not delivered: {e}");
    }
    Ok(FileImported {
        board,
        elements: scene.elements.len(),
    })
}
