//! Easel's desktop shell: a Tauri 2 window showing the canvas UI (`ui/`) over the headless core.
//!
//! - [`commands`]: what the UI invokes; short delegations to `easel_core`.
//! - [`batch`]: the UI's edit commands, folded into one core transaction per gesture, and the
//!   element diffs the `board-changed` event carries.
//! - [`state`]: the core, the local user, open boards and their watcher tasks.
//! - [`panels`]: the side panels' commands (thumbnails, undelete, history previews, user names,
//!   import/export with `io-progress` events).
//! - [`lan`]: hosting boards on the LAN (`easel_host`) and finding hosts over mDNS.
//! - [`error`]: `{kind, message}`, the only error shape the UI sees.
//!
//! Files: `file_add` stores a pasted image once per board, `board_file` hands it to the renderer.
//!
//! Identity: the key store is `KeyStoreKind::from_env` (the CLI's rule); the identity loads in
//! the background after start-up. Without a working key store local boards work as before and
//! the sharing commands answer `keyStore` with the reason.
//!
//! Sharing: `share_create`/`share_links`/`share_revoke`, `link_preview`/`link_join`; `easel://`
//! links reach the app through the deep-link plugin (a second process started with a link
//! hands it to the running one) as `link-opened` events, or `link_pending` at start-up.
//!
//! Events: `board-changed` `{board, origin: "local"|"remote", added, updated, removed}`,
//! `boards-changed` (no payload: list again), `sync-status` `{board, url, status}`,
//! `io-progress` `{op, stage, done, total}`, `comments-changed` `{board, threads}`, `presence`
//! `{board, peers: [[clientId, json]]}`, `identity-changed` (as `identity_get`), `link-opened`
//! (the link, a string), `host-status` (as `host_status`).

pub mod commands;
pub mod error;
pub mod lan;
pub mod panels;
pub mod state;

use easel_core::{Easel, KeyStoreKind, Store};
use tauri::{AppHandle, Emitter, Manager};
use tauri_plugin_deep_link::DeepLinkExt;

/// Hands an `easel://` link to the UI: at once when it is listening, and kept for
/// `link_pending` in case it is not yet.
fn deliver_link(app: &AppHandle, link: String) {
    if !link.starts_with("easel://") {
        return;
    }
    let state = app.state::<state::AppState>();
    if let Ok(mut p) = state.pending_link.lock() {
        *p = Some(link.clone());
    }
    if let Err(e) = app.emit("link-opened", link) {
        tracing::warn!("link-opened not delivered: {e}");
    }
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.set_focus();
    }
}

/// One running app per store: a second launch (with an `easel://` argument on Linux and
/// Windows) hands its arguments to the deep-link plugin of the app already running on the same
/// data directory, and exits. Apps on different `EASEL_DATA_DIR`s are different installations
/// (other identity, other boards), so each gets its own D-Bus name.
fn single_instance() -> tauri::plugin::TauriPlugin<tauri::Wry> {
    let mut b = tauri_plugin_single_instance::Builder::new().callback(|app, _argv, _cwd| {
        if let Some(w) = app.get_webview_window("main") {
            let _ = w.set_focus();
        }
    });
    if let Some(dir) = std::env::var_os("EASEL_DATA_DIR").filter(|d| !d.is_empty()) {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        dir.hash(&mut h);
        b = b.dbus_id(format!("app.easel.desktop.data_{:016x}", h.finish()));
    }
    b.build()
}

/// Builds and runs the app until its window closes.
pub fn run() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "warn,easel_app=info".into()),
        )
        .try_init();
    tauri::Builder::default()
        // First, so a second launch exits before doing anything else.
        .plugin(single_instance())
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_dialog::init())
        .setup(|app| {
            // The store's writer task lives on Tauri's Tokio runtime, where commands run too.
            let state = tauri::async_runtime::block_on(async {
                let dir = Store::data_dir()?;
                let store = Store::open_default().await?;
                let (easel, identity) = match KeyStoreKind::from_env(&dir) {
                    Ok(kind) => {
                        let warning = kind.warning();
                        (
                            Easel::new(store).with_key_store(kind),
                            state::IdentityInfo::loading(warning),
                        )
                    }
                    Err(e) => (
                        Easel::new(store),
                        state::IdentityInfo::unavailable(e.to_string()),
                    ),
                };
                state::AppState::open(easel, identity).await
            })?;
            app.manage(state);
            // Boards other processes add, rename or delete reach the sidebar without a reload.
            tauri::async_runtime::spawn(state::watch_board_list(app.handle().clone()));
            // Image files no board has shown for the grace period are deleted, in the background.
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                let easel = &handle.state::<state::AppState>().easel;
                match easel.collect_files(easel_core::FILE_GRACE).await {
                    Ok(c) if c.files > 0 => {
                        tracing::info!(
                            files = c.files,
                            bytes = c.bytes,
                            "unused image files deleted"
                        )
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!("collecting unused image files failed: {e}"),
                }
            });
            // The keychain may be slow (or ask the user): never block the window on it.
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                handle
                    .state::<state::AppState>()
                    .load_identity(&handle)
                    .await;
                // Hosting that was on when the app quit starts again (it needs the identity).
                lan::resume(&handle).await;
            });
            // Installed packages register the scheme in their desktop entry; a dev build or an
            // AppImage registers itself (a `.desktop` handler and `xdg-mime` on Linux).
            #[cfg(any(target_os = "linux", windows))]
            {
                #[cfg(target_os = "linux")]
                let self_registers = cfg!(debug_assertions) || app.env().appimage.is_some();
                #[cfg(windows)]
                let self_registers = cfg!(debug_assertions);
                if self_registers && let Err(e) = app.deep_link().register_all() {
                    tracing::warn!("easel:// links are not registered: {e}");
                }
            }
            let handle = app.handle().clone();
            app.deep_link().on_open_url(move |event| {
                for url in event.urls() {
                    deliver_link(&handle, url.to_string());
                }
            });
            if let Ok(Some(urls)) = app.deep_link().get_current() {
                for url in urls {
                    deliver_link(app.handle(), url.to_string());
                }
            }
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::boards_list,
            commands::board_create,
            commands::board_rename,
            commands::board_delete,
            commands::board_open,
            commands::board_close,
            commands::elements_apply,
            commands::undo,
            commands::redo,
            commands::file_add,
            commands::board_file,
            commands::history_list,
            commands::snapshot,
            commands::restore,
            commands::audit_query,
            commands::export_board,
            commands::import_board,
            commands::sync_connect,
            commands::sync_disconnect,
            commands::sync_status,
            panels::board_preview,
            panels::board_undelete,
            panels::history_preview,
            panels::history_restore,
            panels::user_names,
            panels::file_export,
            panels::file_import,
            commands::presence_set,
            commands::identity_get,
            commands::share_create,
            commands::share_links,
            commands::share_revoke,
            commands::link_preview,
            commands::link_join,
            commands::link_pending,
            commands::comments_list,
            commands::comment_add,
            commands::comment_reply,
            commands::comment_edit,
            commands::comment_delete,
            commands::comment_resolve,
            lan::host_start,
            lan::host_stop,
            lan::host_status,
            lan::hosts_discover,
        ])
        .build(tauri::generate_context!())
        .expect("error while building Easel")
        .run(|app, event| {
            if let tauri::RunEvent::Exit = event {
                // Say goodbye on the LAN and drain the host's rooms before the runtime ends.
                tauri::async_runtime::block_on(lan::stop_on_exit(app));
            }
        });
}

#[cfg(test)]
mod tests {
    /// The command names in `build.rs`'s list, `generate_handler!` and the capability must
    /// agree: a command missing from one of them fails only at run time, in the window.
    #[test]
    fn every_command_is_registered_and_granted_once() {
        let build = include_str!("../build.rs");
        let lib = include_str!("lib.rs");
        let caps: serde_json::Value =
            serde_json::from_str(include_str!("../capabilities/default.json")).unwrap();
        let list = build.split("const COMMANDS").nth(1).unwrap();
        let list = &list[..list.find("];").unwrap()];
        let mut built: Vec<&str> = list.split('"').skip(1).step_by(2).collect();
        let handler = lib.split("generate_handler![").nth(1).unwrap();
        let handler = &handler[..handler.find(']').unwrap()];
        let mut handled: Vec<&str> = handler
            .split(',')
            .filter_map(|s| {
                let s = s.trim();
                s.strip_prefix("commands::")
                    .or_else(|| s.strip_prefix("panels::"))
                    .or_else(|| s.strip_prefix("lan::"))
            })
            .collect();
        let mut granted: Vec<String> = caps["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p.as_str()?.strip_prefix("allow-"))
            .map(|p| p.replace('-', "_"))
            .collect();
        built.sort();
        handled.sort();
        granted.sort();
        assert_eq!(built, handled);
        assert_eq!(built, granted);
        for c in [
            "identity_get",
            "share_create",
            "link_join",
            "comment_add",
            "presence_set",
            "host_start",
            "hosts_discover",
        ] {
            assert!(built.contains(&c), "{c}");
        }
    }
}
