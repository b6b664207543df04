//! Easel's desktop shell: a Tauri 2 window showing the canvas UI (`ui/`) over the headless core.
//!
//! - [`commands`]: what the UI invokes; short delegations to `easel_core`.
//! - [`batch`]: the UI's edit commands, folded into one core transaction per gesture, and the
//!   element diffs the `board-changed` event carries.
//! - [`state`]: the core, the local user, open boards and their watcher tasks.
//! - [`panels`]: the side panels' commands (thumbnails, undelete, history previews, user names,
//!   import/export with `io-progress` events).
//! - [`error`]: `{kind, message}`, the only error shape the UI sees.
//!
//! Files: `file_add` stores a pasted image once per board, `board_file` hands it to the renderer.
//!
//! Events: `board-changed` `{board, origin: "local"|"remote", added, updated, removed}`,
//! `boards-changed` (no payload: list again), `sync-status` `{board, status}`, `io-progress`
//! `{op, stage, done, total}`.

pub mod batch;
pub mod commands;
pub mod error;
pub mod panels;
pub mod state;

use tauri::Manager;

/// Builds and runs the app until its window closes.
pub fn run() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "warn,easel_app=info".into()),
        )
        .try_init();
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .setup(|app| {
            // The store's writer task lives on Tauri's Tokio runtime, where commands run too.
            let state = tauri::async_runtime::block_on(async {
                let store = easel_core::Store::open_default().await?;
                state::AppState::open(easel_core::Easel::new(store)).await
            })?;
            app.manage(state);
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
            commands::sync_status,
            panels::board_preview,
            panels::board_undelete,
            panels::history_preview,
            panels::history_restore,
            panels::user_names,
            panels::file_export,
            panels::file_import,
        ])
        .run(tauri::generate_context!())
        .expect("error while running Easel");
}
