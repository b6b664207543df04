//! What the app holds: the core, the acting (local) user, and the boards open in the window,
//! each with a watcher task that turns document changes into `board-changed` events and pulls in
//! what other processes (the CLI) wrote.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use easel_core::sync::SyncHandle;
use easel_core::{BoardSession, ChangeOrigin, DocChange, Easel, Element};
use serde::Serialize;
use tauri::{AppHandle, Emitter};
use tokio::sync::Mutex;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::task::JoinHandle;
use uuid::Uuid;

use crate::batch::{ElementDiff, diff};
use crate::error::{AppError, AppResult};

/// How often an open board looks for updates other processes committed to the store.
pub const REFRESH_EVERY: Duration = Duration::from_millis(500);

pub struct AppState {
    pub easel: Easel,
    /// The local user: every command acts as them.
    pub user: Uuid,
    pub boards: Mutex<HashMap<Uuid, OpenBoard>>,
}

pub struct OpenBoard {
    pub session: Arc<Mutex<BoardSession>>,
    watcher: JoinHandle<()>,
    pub sync: Option<(SyncHandle, JoinHandle<()>)>,
}

impl Drop for OpenBoard {
    fn drop(&mut self) {
        self.watcher.abort();
        if let Some((_, task)) = &self.sync {
            task.abort();
        }
    }
}

impl AppState {
    pub async fn open(easel: Easel) -> easel_core::Result<Self> {
        let user = easel.local_user().await?.id;
        Ok(AppState {
            easel,
            user,
            boards: Mutex::new(HashMap::new()),
        })
    }

    /// The session of an open board.
    pub async fn session(&self, board: Uuid) -> AppResult<Arc<Mutex<BoardSession>>> {
        self.boards
            .lock()
            .await
            .get(&board)
            .map(|b| b.session.clone())
            .ok_or_else(|| AppError::not_open(board))
    }

    /// Opens `board` (or returns the already open session) and starts its watcher.
    pub async fn open_board(
        &self,
        app: &AppHandle,
        board: Uuid,
    ) -> AppResult<Arc<Mutex<BoardSession>>> {
        let mut boards = self.boards.lock().await;
        if let Some(open) = boards.get(&board) {
            return Ok(open.session.clone());
        }
        let mut session = self.easel.open_board(self.user, board).await?;
        let changes = session.subscribe();
        let known = session
            .elements()
            .into_iter()
            .map(|e| (e.id.clone(), e))
            .collect();
        let session = Arc::new(Mutex::new(session));
        let watcher = tokio::spawn(watch(app.clone(), board, session.clone(), changes, known));
        boards.insert(
            board,
            OpenBoard {
                session: session.clone(),
                watcher,
                sync: None,
            },
        );
        Ok(session)
    }
}

/// The `board-changed` event's payload.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BoardChanged {
    pub board: Uuid,
    /// `local` for this window's own edits (and their undo/redo), `remote` for everything else:
    /// other processes on this machine, sync peers.
    pub origin: &'static str,
    #[serde(flatten)]
    pub diff: ElementDiff,
}

async fn watch(
    app: AppHandle,
    board: Uuid,
    session: Arc<Mutex<BoardSession>>,
    mut changes: UnboundedReceiver<DocChange>,
    mut known: HashMap<String, Element>,
) {
    let mut tick = tokio::time::interval(REFRESH_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            change = changes.recv() => {
                let Some(change) = change else { break };
                // Coalesce what is already queued into one diff.
                let mut local = change.origin == ChangeOrigin::Local;
                while let Ok(c) = changes.try_recv() {
                    local &= c.origin == ChangeOrigin::Local;
                }
                let now = session.lock().await.elements();
                let diff = diff(&mut known, now);
                if diff.is_empty() {
                    continue;
                }
                let payload = BoardChanged {
                    board,
                    origin: if local { "local" } else { "remote" },
                    diff,
                };
                if let Err(e) = app.emit("board-changed", payload) {
                    tracing::warn!("board-changed not delivered: {e}");
                }
            }
            _ = tick.tick() => {
                if let Err(e) = session.lock().await.refresh().await {
                    tracing::warn!(%board, "refresh failed: {e}");
                }
            }
        }
    }
}
