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
    /// Why hosting that was on when the app last quit could not start again.
    pub error: Option<String>,
}

impl HostStatus {
    fn of(h: Option<&Hosting>) -> HostStatus {
        HostStatus {
            running: h.is_some(),
            host: h.map(|h| h.host.info().clone()),
            rekeyed: Vec::new(),
            error: None,
        }
    }
}

/// Hosting that was on when the app quit, to start again when it starts: the boards asked for
/// (empty: every board the user owns) and the port asked for. Written when hosting starts,
/// removed when the user stops it; quitting leaves it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
struct Resume {
    boards: Vec<Uuid>,
    port: Option<u16>,
}

impl Resume {
    fn path(data_dir: &std::path::Path) -> std::path::PathBuf {
        data_dir.join("host").join("resume.json")
    }

    fn load(data_dir: &std::path::Path) -> Result<Option<Resume>, String> {
        let path = Self::path(data_dir);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| format!("{} is damaged: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }

    /// Written whole or not at all (a new file renamed over the old).
    fn save(&self, data_dir: &std::path::Path) -> std::io::Result<()> {
        let path = Self::path(data_dir);
        let dir = path.parent().expect("the path has a parent");
        std::fs::create_dir_all(dir)?;
        let tmp = dir.join("resume.json.tmp");
        std::fs::write(&tmp, serde_json::to_vec(self).expect("serializable"))?;
        std::fs::rename(&tmp, &path)
    }

    fn clear(data_dir: &std::path::Path) -> std::io::Result<()> {
        match std::fs::remove_file(Self::path(data_dir)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
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
    let all = boards.is_empty();
    let status = start(&app, &state, boards, port).await?;
    // Remembered, to host again after a restart: the boards by the ids they are served under.
    let resume = Resume {
        boards: match (&status.host, all) {
            (Some(h), false) => h.boards.clone(),
            _ => Vec::new(),
        },
        port,
    };
    match Store::data_dir() {
        Ok(d) => {
            if let Err(e) = resume.save(&d) {
                tracing::warn!("hosting will not start again with the app: {e}");
            }
        }
        Err(e) => tracing::warn!("hosting will not start again with the app: {e}"),
    }
    Ok(status)
}

/// Starts hosting again if it was on when the app last quit. Called once the identity has
/// loaded (hosting checks share links against it). A failure is reported through
/// `host-status` (with the reason) and the log; hosting stays remembered until the user stops it.
pub async fn resume(app: &AppHandle) {
    use tauri::Manager;
    let Ok(dir) = Store::data_dir() else {
        return;
    };
    let resume = match Resume::load(&dir) {
        Ok(Some(r)) => r,
        Ok(None) => return,
        Err(e) => {
            tracing::warn!("not hosting again: {e}");
            let _ = Resume::clear(&dir);
            return;
        }
    };
    let state = app.state::<AppState>();
    match start(app, &state, resume.boards.clone(), resume.port).await {
        Ok(status) => tracing::info!(
            boards = status.host.as_ref().map_or(0, |h| h.boards.len()),
            "hosting on the LAN again, as when the app quit"
        ),
        Err(e) => {
            tracing::warn!("could not host on the LAN again: {}", e.message);
            let why = format!(
                "Hosting on this network could not start again: {}",
                e.message
            );
            *state.host_error.lock().unwrap_or_else(|p| p.into_inner()) = Some(why.clone());
            let mut status = HostStatus::of(None);
            status.error = Some(why);
            emit_status(app, &status);
        }
    }
}

async fn start(
    app: &AppHandle,
    state: &AppState,
    boards: Vec<Uuid>,
    port: Option<u16>,
) -> AppResult<HostStatus> {
    state.sharing_ready().await?;
    *state.host_error.lock().unwrap_or_else(|p| p.into_inner()) = None;
    if let Some(old) = state.host.lock().await.take() {
        old.stop().await?;
    }
    let (ids, rekeyed) = easel_host::boards_to_serve(&state.easel, state.user, &boards, false)
        .await
        .inspect_err(|_| emit_status(app, &HostStatus::of(None)))?;
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
    let host = host.inspect_err(|_| emit_status(app, &HostStatus::of(None)))?;
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
    emit_status(app, &status);
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
    if let Ok(d) = Store::data_dir()
        && let Err(e) = Resume::clear(&d)
    {
        tracing::warn!("hosting may start again with the app: {e}");
    }
    *state.host_error.lock().unwrap_or_else(|p| p.into_inner()) = None;
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
    let mut status = HostStatus::of(state.host.lock().await.as_ref());
    status.error = state
        .host_error
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    Ok(status)
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
            error: None,
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
                "error": null,
            })
        );
    }

    /// Hosting remembered across a restart: saved whole, read back, cleared; a damaged file is
    /// an error in words, not a crash or a silent default.
    #[test]
    fn hosting_is_remembered_until_stopped() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Resume::load(dir.path()), Ok(None));
        let r = Resume {
            boards: vec![Uuid::max()],
            port: Some(9000),
        };
        r.save(dir.path()).unwrap();
        assert_eq!(Resume::load(dir.path()), Ok(Some(r.clone())));
        let all = Resume {
            boards: vec![],
            port: None,
        };
        all.save(dir.path()).unwrap();
        assert_eq!(Resume::load(dir.path()), Ok(Some(all)));
        Resume::clear(dir.path()).unwrap();
        Resume::clear(dir.path()).unwrap();
        assert_eq!(Resume::load(dir.path()), Ok(None));
        std::fs::write(Resume::path(dir.path()), b"{\"boards\": [1").unwrap();
        let e = Resume::load(dir.path()).unwrap_err();
        assert!(e.contains("resume.json is damaged"), "{e}");
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
