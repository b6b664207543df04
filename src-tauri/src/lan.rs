//! Hosting boards on the LAN and finding hosts: thin commands over `easel_host`. The host serves
//! the app's open sessions (so what peers write shows at once) and runs its own sync clients
//! over loopback, next to any relay sync a board has; a board that does both bridges them.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use easel_core::Store;
use easel_host::{FoundHost, Host, HostConfig, HostInfo, Rekeyed, ServedBoard};
use serde::Serialize;
use tauri::{AppHandle, Emitter, State};
use tokio::task::JoinHandle;
use uuid::Uuid;

use crate::error::{AppError, AppResult};
use crate::state::{AppState, PresenceEvent};

/// The port a host listens on unless told otherwise (the CLI's `easel serve` example's); a free
/// one when it is taken.
pub const DEFAULT_PORT: u16 = 8788;

/// Longest mDNS browse `hosts_discover` runs.
const MAX_DISCOVER: Duration = Duration::from_secs(10);

/// The running host and the tasks that hand its peers' presence to the UI.
pub struct Hosting {
    host: Host,
    tasks: Vec<JoinHandle<()>>,
}

/// `host_status`'s answer and the `host-status` event's payload.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HostStatus {
    pub running: bool,
    /// The running host: its URL for peers, listen address, boards, announcement.
    pub host: Option<HostInfo>,
    /// Boards that got a new id (bound to the owner's key) when hosting started: the UI
    /// reopens them under the new one.
    pub rekeyed: Vec<Rekeyed>,
}

impl HostStatus {
    fn of(h: Option<&Hosting>) -> HostStatus {
        HostStatus {
            running: h.is_some(),
            host: h.map(|h| h.host.info().clone()),
            rekeyed: Vec::new(),
        }
    }
}

impl From<easel_host::Error> for AppError {
    fn from(e: easel_host::Error) -> Self {
        match e {
            easel_host::Error::Core(e) => e.into(),
            other => AppError::new("io", other.to_string()),
        }
    }
}

fn emit_status(app: &AppHandle, status: &HostStatus) {
    if let Err(e) = app.emit("host-status", status) {
        tracing::warn!("host-status not delivered: {e}");
    }
}

/// Hosts `boards` (every board the user owns when empty) on this machine's network, replacing
/// a running host. Listens on every interface at `port`, or at 8788 (a free port if that one is
/// taken); peers need a share link, checked like a relay checks it.
#[tauri::command]
pub async fn host_start(
    app: AppHandle,
    state: State<'_, AppState>,
    boards: Vec<Uuid>,
    port: Option<u16>,
) -> AppResult<HostStatus> {
    state.sharing_ready().await?;
    if let Some(old) = state.host.lock().await.take() {
        old.stop().await?;
    }
    let (ids, rekeyed) = easel_host::boards_to_serve(&state.easel, state.user, &boards, false)
        .await
        .inspect_err(|_| emit_status(&app, &HostStatus::of(None)))?;
    if !rekeyed.is_empty() {
        let mut open = state.boards.lock().await;
        for r in &rekeyed {
            open.remove(&r.from);
        }
        drop(open);
        if let Err(e) = app.emit("boards-changed", ()) {
            tracing::warn!("boards-changed not delivered: {e}");
        }
    }
    let mut served = Vec::with_capacity(ids.len());
    for id in &ids {
        let open = state.boards.lock().await.get(id).map(|b| ServedBoard {
            board: b.session.clone(),
            comments: b.comments.clone(),
        });
        served.push(match open {
            Some(s) => s,
            None => ServedBoard::open(&state.easel, state.user, *id).await?,
        });
    }
    let listen = SocketAddr::from((Ipv4Addr::UNSPECIFIED, port.unwrap_or(DEFAULT_PORT)));
    let mut config = HostConfig::new(listen, Store::data_dir()?.join("host"));
    config.any_port_if_taken = port.is_none();
    config.warn = std::sync::Arc::new(|w| tracing::warn!("host: {w}"));
    let host = Host::start(&state.easel, state.user, served, config).await;
    let host = host.inspect_err(|_| emit_status(&app, &HostStatus::of(None)))?;
    let tasks = ids
        .iter()
        .filter_map(|id| Some((*id, host.board_sync(*id)?.watch_peers())))
        .map(|(board, mut peers)| {
            let app = app.clone();
            tokio::spawn(async move {
                while peers.changed().await.is_ok() {
                    let p = peers.borrow_and_update().clone();
                    // A board that also syncs with a relay shows the relay's collaborators.
                    if app_relay_syncing(&app, board).await {
                        continue;
                    }
                    if let Err(e) = app.emit("presence", PresenceEvent { board, peers: p }) {
                        tracing::warn!("presence not delivered: {e}");
                    }
                }
            })
        })
        .collect();
    let hosting = Hosting { host, tasks };
    let mut status = HostStatus::of(Some(&hosting));
    *state.host.lock().await = Some(hosting);
    emit_status(&app, &status);
    status.rekeyed = rekeyed;
    Ok(status)
}

async fn app_relay_syncing(app: &AppHandle, board: Uuid) -> bool {
    use tauri::Manager;
    let state = app.state::<AppState>();
    let boards = state.boards.lock().await;
    boards.get(&board).is_some_and(|b| b.sync.is_some())
}

/// Stops hosting: peers are disconnected, everything they sent is already in the local store.
#[tauri::command]
pub async fn host_stop(app: AppHandle, state: State<'_, AppState>) -> AppResult<HostStatus> {
    let running = state.host.lock().await.take();
    if let Some(h) = running {
        h.stop().await?;
    }
    let status = HostStatus::of(None);
    emit_status(&app, &status);
    Ok(status)
}

impl Hosting {
    /// Ends the presence tasks, then the host (cleanly: rooms flushed, peers told).
    async fn stop(self) -> easel_host::Result<()> {
        for t in &self.tasks {
            t.abort();
        }
        self.host.stop().await
    }

    /// Publishes our presence to the host's peers of `board` (when it is hosted).
    pub fn set_awareness(&self, board: Uuid, presence: Option<String>) {
        if let Some(s) = self.host.board_sync(board) {
            s.set_awareness(presence);
        }
    }
}

/// Stops the host when the app exits, so peers' browsers drop it at once.
pub async fn stop_on_exit(app: &AppHandle) {
    use tauri::Manager;
    let Some(state) = app.try_state::<AppState>() else {
        return;
    };
    let Some(h) = state.host.lock().await.take() else {
        return;
    };
    match h.stop().await {
        Ok(()) => tracing::info!("stopped hosting on the LAN"),
        Err(e) => tracing::warn!("the LAN host did not stop cleanly: {e}"),
    }
}

#[tauri::command]
pub async fn host_status(state: State<'_, AppState>) -> AppResult<HostStatus> {
    Ok(HostStatus::of(state.host.lock().await.as_ref()))
}

/// Easel hosts that answer on the LAN within `waitMs` (default 1.5 s, at most 10 s).
#[tauri::command]
pub async fn hosts_discover(wait_ms: Option<u64>) -> AppResult<Vec<FoundHost>> {
    let wait = Duration::from_millis(wait_ms.unwrap_or(1500)).min(MAX_DISCOVER);
    tokio::task::spawn_blocking(move || easel_host::discover(wait))
        .await
        .map_err(|e| AppError::new("io", format!("mDNS browsing failed: {e}")))?
        .map_err(AppError::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shape `ui/src/collab/lan.ts` reads.
    #[test]
    fn host_status_serializes_as_the_ui_reads_it() {
        let info = HostInfo {
            name: "Easel on box".into(),
            url: "ws://box.local:8788".into(),
            listen: "0.0.0.0:8788".parse().unwrap(),
            lan_urls: vec!["ws://192.168.1.7:8788".into()],
            boards: vec![Uuid::nil()],
            open: false,
            announced: false,
            not_announced: Some("cannot start mDNS".into()),
        };
        let s = HostStatus {
            running: true,
            host: Some(info),
            rekeyed: vec![Rekeyed {
                from: Uuid::nil(),
                to: Uuid::max(),
            }],
        };
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "running": true,
                "host": {
                    "name": "Easel on box",
                    "url": "ws://box.local:8788",
                    "listen": "0.0.0.0:8788",
                    "lanUrls": ["ws://192.168.1.7:8788"],
                    "boards": [Uuid::nil()],
                    "open": false,
                    "announced": false,
                    "notAnnounced": "cannot start mDNS",
                },
                "rekeyed": [{ "from": Uuid::nil(), "to": Uuid::max() }],
            })
        );
    }

    #[test]
    fn host_errors_keep_the_core_kind() {
        let e: AppError =
            easel_host::Error::Core(easel_core::Error::not_found("board", "42")).into();
        assert_eq!(e.kind, "notFound");
        let e: AppError = easel_host::Error::Mdns("cannot start mDNS: x".into()).into();
        assert_eq!((e.kind, e.message.as_str()), ("io", "cannot start mDNS: x"));
    }
}
