//! Generates the context `tauri::generate_context!` embeds and one permission per app command
//! (`allow-<command>`), which `capabilities/default.json` grants to the main window.

/// Every command in `src/commands.rs`, `src/panels.rs` and `src/lan.rs`; keep in step with `generate_handler!` in `src/lib.rs`.
const COMMANDS: &[&str] = &[
    "boards_list",
    "board_create",
    "board_rename",
    "board_delete",
    "board_open",
    "board_close",
    "elements_apply",
    "undo",
    "redo",
    "file_add",
    "board_file",
    "history_list",
    "snapshot",
    "restore",
    "audit_query",
    "export_board",
    "import_board",
    "sync_connect",
    "sync_status",
    // src/panels.rs
    "board_preview",
    "board_undelete",
    "history_preview",
    "history_restore",
    "user_names",
    "file_export",
    "file_import",
    "sync_disconnect",
    "presence_set",
    "identity_get",
    "share_create",
    "share_links",
    "share_revoke",
    "link_preview",
    "link_join",
    "link_pending",
    "comments_list",
    "comment_add",
    "comment_reply",
    "comment_edit",
    "comment_delete",
    "comment_resolve",
    // src/lan.rs
    "host_start",
    "host_stop",
    "host_status",
    "hosts_discover",
];

fn main() {
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    tauri_build::try_build(attributes).expect("tauri-build failed");
}
