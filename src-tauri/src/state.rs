//! What the app holds: the core, the acting (local) user, the identity's load state, and the
//! boards open in the window. Each open board has its comments session, watcher tasks that turn
//! document changes into `board-changed` / `comments-changed` events and pull in what other
//! processes (the CLI) wrote, and, once connected, the sync of both documents.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use easel_core::sync::{SyncHandle, SyncOptions, SyncStatus};
use easel_core::{
    Access, BoardSession, BoardSummary, CommentsSession, DocChange, Easel, ElementDiff,
};
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager};
use tokio::sync::Mutex;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::task::JoinHandle;
use uuid::Uuid;

use crate::error::{AppError, AppResult};

/// How often an open board looks for updates other processes committed to the store.
pub const REFRESH_EVERY: Duration = Duration::from_millis(500);

pub struct AppState {
    pub easel: Easel,
    /// The local user: every command acts as them.
    pub user: Uuid,
    pub boards: Mutex<HashMap<Uuid, OpenBoard>>,
    /// The identity as the UI sees it; loaded in the background at start-up.
    pub identity: Mutex<IdentityInfo>,
    /// An `easel://` link that arrived before the UI asked (the app was started with it).
    pub pending_link: std::sync::Mutex<Option<String>>,
    /// The LAN host, while the user hosts boards (`lan.rs`).
    pub host: Mutex<Option<crate::lan::Hosting>>,
    /// Why hosting that was on when the app quit did not start again (until the user starts or
    /// stops hosting).
    pub host_error: std::sync::Mutex<Option<String>>,
}

/// The identity's public side and where it stands, as `identity_get` returns it (never the
/// secret).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentityInfo {
    /// `loading`, `ready` or `unavailable`.
    pub state: &'static str,
    pub public_key: Option<String>,
    pub name: Option<String>,
    pub key_store: Option<String>,
    /// Said while the file store is in use.
    pub warning: Option<String>,
    /// Why sharing is unavailable (`unavailable` only).
    pub error: Option<String>,
}

impl IdentityInfo {
    pub fn loading(warning: Option<String>) -> Self {
        IdentityInfo {
            state: "loading",
            public_key: None,
            name: None,
            key_store: None,
            warning,
            error: None,
        }
    }

    pub fn unavailable(error: String) -> Self {
        IdentityInfo {
            state: "unavailable",
            public_key: None,
            name: None,
            key_store: None,
            warning: None,
            error: Some(error),
        }
    }
}

pub struct OpenBoard {
    pub session: Arc<Mutex<BoardSession>>,
    pub comments: Arc<Mutex<CommentsSession>>,
    watchers: Vec<JoinHandle<()>>,
    pub sync: Option<BoardSync>,
}

/// A board's live sync: its content and its comments, with the same server and auth.
pub struct BoardSync {
    pub url: String,
    pub board: SyncHandle,
    pub comments: SyncHandle,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for BoardSync {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

impl Drop for OpenBoard {
    fn drop(&mut self) {
        for w in &self.watchers {
            w.abort();
        }
    }
}

/// The `sync-status` event's payload.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatusEvent {
    pub board: Uuid,
    pub url: String,
    pub status: SyncStatus,
}

/// The `presence` event's payload: collaborators' awareness states (JSON strings) by client id.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PresenceEvent {
    pub board: Uuid,
    pub peers: Vec<(u64, String)>,
}

impl AppState {
    pub async fn open(easel: Easel, identity: IdentityInfo) -> easel_core::Result<Self> {
        let user = easel.local_user().await?.id;
        Ok(AppState {
            easel,
            user,
            boards: Mutex::new(HashMap::new()),
            identity: Mutex::new(identity),
            pending_link: std::sync::Mutex::new(None),
            host: Mutex::new(None),
            host_error: std::sync::Mutex::new(None),
        })
    }

    /// Loads (or makes) the identity and records the outcome for `identity_get`; the UI hears
    /// of it through `identity-changed`.
    pub async fn load_identity(&self, app: &AppHandle) {
        if self.identity.lock().await.state == "unavailable" {
            return;
        }
        let info = match self.easel.identity().await {
            Ok(id) => IdentityInfo {
                state: "ready",
                public_key: Some(id.public_key_b64()),
                name: Some(id.user.display_name.clone()),
                key_store: Some(id.key_store.clone()),
                warning: self.easel.key_store().warning(),
                error: None,
            },
            Err(e) => {
                tracing::warn!("no identity: {e}");
                IdentityInfo::unavailable(e.to_string())
            }
        };
        *self.identity.lock().await = info.clone();
        if let Err(e) = app.emit("identity-changed", info) {
            tracing::warn!("identity-changed not delivered: {e}");
        }
    }

    /// Fails with the reason when sharing cannot work (no key store).
    pub async fn sharing_ready(&self) -> AppResult<()> {
        let id = self.identity.lock().await;
        match (id.state, &id.error) {
            ("unavailable", Some(e)) => Err(AppError::new(
                "keyStore",
                format!("Sharing is unavailable: {e}"),
            )),
            _ => Ok(()),
        }
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

    /// The comments session of an open board.
    pub async fn comments(&self, board: Uuid) -> AppResult<Arc<Mutex<CommentsSession>>> {
        self.boards
            .lock()
            .await
            .get(&board)
            .map(|b| b.comments.clone())
            .ok_or_else(|| AppError::not_open(board))
    }

    /// Opens `board` and its comments (or returns the already open session) and starts their
    /// watchers. The second value says whether it was opened now.
    pub async fn open_board(
        &self,
        app: &AppHandle,
        board: Uuid,
    ) -> AppResult<(Arc<Mutex<BoardSession>>, bool)> {
        let mut boards = self.boards.lock().await;
        if let Some(open) = boards.get(&board) {
            return Ok((open.session.clone(), false));
        }
        let mut session = self.easel.open_board(self.user, board).await?;
        let mut comments = self.easel.open_comments(self.user, board).await?;
        let changes = session.subscribe();
        let comment_changes = comments.subscribe();
        let mut arrivals = session.file_channel().arrivals();
        let session = Arc::new(Mutex::new(session));
        let comments = Arc::new(Mutex::new(comments));
        let file_app = app.clone();
        let watchers = vec![
            tokio::spawn(watch(app.clone(), board, session.clone(), changes)),
            // An image that arrived from a collaborator's server: the UI asks for it again
            // and draws it in place of its placeholder.
            tokio::spawn(async move {
                loop {
                    match arrivals.recv().await {
                        Ok(id) => {
                            let event = FileArrived { board, id };
                            if let Err(e) = file_app.emit("board-file", event) {
                                tracing::warn!("board-file not delivered: {e}");
                            }
                        }
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                        Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                    }
                }
            }),
            tokio::spawn(watch_comments(
                app.clone(),
                board,
                comments.clone(),
                comment_changes,
            )),
        ];
        boards.insert(
            board,
            OpenBoard {
                session: session.clone(),
                comments,
                watchers,
                sync: None,
            },
        );
        Ok((session, true))
    }

    /// Starts (or restarts) syncing an open board and its comments with `url`, authenticated
    /// as the core says (owner key proof, or the capability joined with). Status changes go
    /// out as `sync-status`, collaborators as `presence`.
    pub async fn start_sync(
        &self,
        app: &AppHandle,
        board: Uuid,
        url: &str,
    ) -> AppResult<SyncStatus> {
        let auth = self.easel.sync_auth(self.user, board).await?;
        let mut boards = self.boards.lock().await;
        let open = boards
            .get_mut(&board)
            .ok_or_else(|| AppError::not_open(board))?;
        // Stop the old connection first, so two never run for one board.
        open.sync = None;
        let mut opts = SyncOptions::new(url);
        opts.auth = auth;
        let handle = easel_core::sync::start(open.session.clone(), opts.clone());
        let comments = easel_core::sync::start(open.comments.clone(), opts);
        let mut status = handle.watch_status();
        let mut peers = handle.watch_peers();
        let (a1, a2, u) = (app.clone(), app.clone(), url.to_string());
        let status_task = tokio::spawn(async move {
            loop {
                let s = status.borrow_and_update().clone();
                let e = SyncStatusEvent {
                    board,
                    url: u.clone(),
                    status: s,
                };
                if let Err(e) = a1.emit("sync-status", e) {
                    tracing::warn!("sync-status not delivered: {e}");
                }
                if status.changed().await.is_err() {
                    break;
                }
            }
        });
        let peers_task = tokio::spawn(async move {
            while peers.changed().await.is_ok() {
                let p = peers.borrow_and_update().clone();
                if let Err(e) = a2.emit("presence", PresenceEvent { board, peers: p }) {
                    tracing::warn!("presence not delivered: {e}");
                }
            }
        });
        let now = handle.status();
        open.sync = Some(BoardSync {
            url: url.to_string(),
            board: handle,
            comments,
            tasks: vec![status_task, peers_task],
        });
        Ok(now)
    }
}

/// The `board-file` event's payload: a file of an open board arrived and can be read.
#[derive(Debug, Clone, Serialize)]
struct FileArrived {
    board: Uuid,
    id: String,
}

/// The `board-changed` event's payload: the elements a change touched, never the whole board
/// (except after `reset`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BoardChanged {
    pub board: Uuid,
    /// `local` for this window's own edits (and their undo/redo), `remote` for everything else:
    /// other processes on this machine, sync peers.
    pub origin: &'static str,
    /// The document was rebuilt (after an engine failure): `updated` holds every element, and
    /// elements it does not hold are gone.
    pub reset: bool,
    #[serde(flatten)]
    pub diff: ElementDiff,
}

/// Turns the open board's changes into `board-changed` events. Each names only the elements the
/// change touched (from the core's [`easel_core::ElementChanges`]), read once under the session's lock: a
/// gesture costs what it touches, and the shell keeps no copy of the board.
async fn watch(
    app: AppHandle,
    board: Uuid,
    session: Arc<Mutex<BoardSession>>,
    mut changes: UnboundedReceiver<DocChange>,
) {
    let mut tick = tokio::time::interval(REFRESH_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            change = changes.recv() => {
                let Some(change) = change else { break };
                // Coalesce what is already queued into one event.
                let (local, touched) = easel_core::coalesce_changes(&change, &mut changes);
                if touched.is_empty() {
                    continue;
                }
                let diff = session.lock().await.doc().diff_for(&touched);
                if diff.is_empty() && !touched.everything {
                    continue;
                }
                let payload = BoardChanged {
                    board,
                    origin: if local { "local" } else { "remote" },
                    reset: touched.everything,
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

/// What the board list shows of each board, in its order: when any of it changes, the list is
/// sent again.
type ListKey = Vec<(Uuid, String, Access)>;

/// Notices changes to the board list that this window did not make (the CLI imported or created
/// a board, another process renamed or deleted one): `changed` compares each list with the last.
#[derive(Debug, Default)]
pub struct BoardListWatch {
    last: Option<ListKey>,
}

impl BoardListWatch {
    /// Whether `list` differs from the list seen last; the first list seen is the baseline.
    pub fn changed(&mut self, list: &[BoardSummary]) -> bool {
        let key: ListKey = list
            .iter()
            .map(|b| (b.board.id, b.board.title.clone(), b.access))
            .collect();
        let changed = self.last.as_ref().is_some_and(|last| *last != key);
        self.last = Some(key);
        changed
    }
}

/// Every `REFRESH_EVERY`, lists the boards and emits `boards-changed` when the list changed, so
/// a board another process added shows in the sidebar as its elements show on an open board.
pub async fn watch_board_list(app: AppHandle) {
    let mut tick = tokio::time::interval(REFRESH_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut watch = BoardListWatch::default();
    loop {
        tick.tick().await;
        let state = app.state::<AppState>();
        match state.easel.list_boards(state.user, false).await {
            Ok(list) => {
                if watch.changed(&list)
                    && let Err(e) = app.emit("boards-changed", ())
                {
                    tracing::warn!("boards-changed not delivered: {e}");
                }
            }
            Err(e) => tracing::warn!("listing boards failed: {e}"),
        }
    }
}

/// The `comments-changed` event's payload: every thread, as `comments_list` returns them.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CommentsChanged {
    pub board: Uuid,
    pub threads: Vec<easel_core::Thread>,
}

async fn watch_comments(
    app: AppHandle,
    board: Uuid,
    comments: Arc<Mutex<CommentsSession>>,
    mut changes: UnboundedReceiver<DocChange>,
) {
    let mut tick = tokio::time::interval(REFRESH_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            change = changes.recv() => {
                if change.is_none() { break };
                while changes.try_recv().is_ok() {}
                let threads = comments.lock().await.threads();
                if let Err(e) = app.emit("comments-changed", CommentsChanged { board, threads }) {
                    tracing::warn!("comments-changed not delivered: {e}");
                }
            }
            _ = tick.tick() => {
                if let Err(e) = comments.lock().await.refresh().await {
                    tracing::warn!(%board, "comments refresh failed: {e}");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn state(identity: IdentityInfo) -> (tempfile::TempDir, AppState) {
        let dir = tempfile::tempdir().unwrap();
        let store = easel_core::Store::open(&dir.path().join("easel.db"))
            .await
            .unwrap();
        let state = AppState::open(Easel::new(store), identity).await.unwrap();
        (dir, state)
    }

    #[test]
    fn without_a_key_store_sharing_says_why_and_local_boards_still_work() {
        tauri::async_runtime::block_on(async {
            let (_dir, s) = state(IdentityInfo::unavailable(
                "key store: no Secret Service".into(),
            ))
            .await;
            let e = s.sharing_ready().await.unwrap_err();
            assert_eq!(e.kind, "keyStore");
            assert_eq!(
                e.message,
                "Sharing is unavailable: key store: no Secret Service"
            );
            let b = s.easel.create_board(s.user, "Local").await.unwrap();
            assert_eq!(s.easel.list_boards(s.user, false).await.unwrap().len(), 1);
            assert_eq!(b.title, "Local");
        });
    }

    #[test]
    fn the_board_list_watch_sees_what_another_process_adds_renames_or_deletes() {
        tauri::async_runtime::block_on(async {
            let (dir, s) = state(IdentityInfo::loading(None)).await;
            let list = || async { s.easel.list_boards(s.user, false).await.unwrap() };
            let mut watch = BoardListWatch::default();
            s.easel.create_board(s.user, "Mine").await.unwrap();
            assert!(
                !watch.changed(&list().await),
                "the first list is the baseline"
            );
            assert!(!watch.changed(&list().await), "nothing changed");
            // Another process (the CLI) on the same store.
            let other = easel_core::Store::open(&dir.path().join("easel.db"))
                .await
                .unwrap();
            let other = Easel::new(other);
            let b = other.create_board(s.user, "Imported").await.unwrap();
            assert!(watch.changed(&list().await), "a board was added");
            assert!(!watch.changed(&list().await));
            other
                .rename_board(s.user, b.id, "Imported plan")
                .await
                .unwrap();
            assert!(watch.changed(&list().await), "a board was renamed");
            other.delete_board(s.user, b.id).await.unwrap();
            assert!(watch.changed(&list().await), "a board was deleted");
            assert!(!watch.changed(&list().await));
        });
    }

    #[test]
    fn identity_info_carries_no_secret() {
        let info = IdentityInfo {
            state: "ready",
            public_key: Some("pk".into()),
            name: Some("Ann".into()),
            key_store: Some("file /x".into()),
            warning: Some("plain file".into()),
            error: None,
        };
        let json = serde_json::to_value(&info).unwrap();
        let mut keys: Vec<&String> = json.as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(
            keys,
            ["error", "keyStore", "name", "publicKey", "state", "warning"]
        );
    }
}
