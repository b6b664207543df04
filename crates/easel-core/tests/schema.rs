//! The schema on real SQLite files: constraints hold against any writer, migrations apply on
//! open, and an unversioned database from an older build is adopted or refused, never clobbered.

mod common;
use common::*;
use easel_core::{Error, Level, Store};

async fn board_and_user(env: &Env) -> (String, String) {
    let b = env
        .easel
        .create_board(env.owner.id, "B")
        .await
        .unwrap()
        .id
        .to_string();
    let u = env.user("u").await.id.to_string();
    (b, u)
}

#[tokio::test]
async fn duplicate_grant_rows_are_refused() {
    let env = Env::new().await;
    let (b, u) = board_and_user(&env).await;
    let s = env.easel.store();
    s.execute_raw(&format!(
        "INSERT INTO board_permissions (board_id, user_id, level) VALUES ('{b}', '{u}', 'VIEW')"
    ))
    .await
    .unwrap();
    let dup = s
        .execute_raw(&format!(
            "INSERT INTO board_permissions (board_id, user_id, level) VALUES ('{b}', '{u}', 'EDIT')"
        ))
        .await;
    assert!(
        dup.unwrap_err().to_string().contains("UNIQUE"),
        "duplicate (board, user)"
    );
}

#[tokio::test]
async fn a_second_public_row_is_refused() {
    let env = Env::new().await;
    let (b, _) = board_and_user(&env).await;
    let s = env.easel.store();
    s.execute_raw(&format!(
        "INSERT INTO board_permissions (board_id, user_id, level) VALUES ('{b}', NULL, 'VIEW')"
    ))
    .await
    .unwrap();
    let second = s
        .execute_raw(&format!(
            "INSERT INTO board_permissions (board_id, user_id, level) VALUES ('{b}', NULL, 'EDIT')"
        ))
        .await;
    assert!(second.unwrap_err().to_string().contains("UNIQUE"));
    // Through the API a second public grant changes the one row.
    env.easel
        .grant(env.owner.id, b.parse().unwrap(), None, Level::Edit)
        .await
        .unwrap();
    let perms = env
        .easel
        .permissions(env.owner.id, b.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(perms.len(), 1);
    assert_eq!(perms[0].level, Level::Edit);
}

#[tokio::test]
async fn unknown_levels_are_refused() {
    let env = Env::new().await;
    let (b, u) = board_and_user(&env).await;
    let r = env.easel.store().execute_raw(&format!("INSERT INTO board_permissions (board_id, user_id, level) VALUES ('{b}', '{u}', 'ADMIN')")).await;
    assert!(r.unwrap_err().to_string().contains("CHECK"));
    assert!("admin".parse::<Level>().is_err());
}

#[tokio::test]
async fn permissions_go_with_their_board_and_audit_rows_stay() {
    let env = Env::new().await;
    let (b, u) = board_and_user(&env).await;
    let s = env.easel.store();
    env.easel
        .grant(
            env.owner.id,
            b.parse().unwrap(),
            Some(u.parse().unwrap()),
            Level::View,
        )
        .await
        .unwrap();
    let upd = s.execute_raw("UPDATE audit_logs SET action = 'x'").await;
    assert!(upd.unwrap_err().to_string().contains("append-only"));
    let del = s.execute_raw("DELETE FROM audit_logs").await;
    assert!(del.unwrap_err().to_string().contains("append-only"));
    // A hard delete of the board (a purge) cascades to its grants and its document.
    s.execute_raw(&format!("DELETE FROM boards WHERE id = '{b}'"))
        .await
        .unwrap();
    assert_eq!(
        s.execute_raw(&format!(
            "DELETE FROM board_permissions WHERE board_id = '{b}'"
        ))
        .await
        .unwrap(),
        0
    );
    assert_eq!(
        s.execute_raw(&format!("DELETE FROM board_updates WHERE board_id = '{b}'"))
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn wal_and_foreign_keys_are_on() {
    let env = Env::new().await;
    let s = env.easel.store();
    assert_eq!(s.journal_mode().await.unwrap(), "wal");
    let r = s.execute_raw("INSERT INTO boards (id, owner_id, title) VALUES ('00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-00000000dead', 't')").await;
    assert!(r.unwrap_err().to_string().contains("FOREIGN KEY"));
}

/// The baseline schema as an older build (or someone by hand) created it: the seed tables
/// without migration history, the later guards, or the CRDT tables.
const LEGACY: &str = "
CREATE TABLE users (id TEXT(36) PRIMARY KEY NOT NULL, display_name TEXT NOT NULL, public_key TEXT,
    is_local INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')));
CREATE TABLE boards (id TEXT(36) PRIMARY KEY NOT NULL, owner_id TEXT(36) NOT NULL REFERENCES users(id),
    title TEXT NOT NULL, created_at TEXT NOT NULL DEFAULT '2026-01-20T12:00:00.000Z',
    updated_at TEXT NOT NULL DEFAULT '2026-01-20T12:00:00.000Z', deleted_at TEXT);
CREATE TABLE board_permissions (id INTEGER PRIMARY KEY, board_id TEXT(36) NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
    user_id TEXT(36), level TEXT NOT NULL CHECK (level IN ('VIEW','COMMENT','EDIT')), granted_by TEXT(36),
    created_at TEXT NOT NULL DEFAULT '2026-01-20T12:00:00.000Z', UNIQUE (board_id, user_id));
CREATE TABLE audit_logs (id INTEGER PRIMARY KEY AUTOINCREMENT, board_id TEXT(36) NOT NULL, actor_id TEXT(36),
    action TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '{}', created_at TEXT NOT NULL DEFAULT '2026-01-20T12:00:00.000Z');
INSERT INTO users (id, display_name, is_local) VALUES ('11111111-1111-1111-1111-111111111111', 'Old Me', 1);
INSERT INTO boards (id, owner_id, title) VALUES ('22222222-2222-2222-2222-222222222222', '11111111-1111-1111-1111-111111111111', 'Legacy board');
INSERT INTO board_permissions (board_id, user_id, level) VALUES ('22222222-2222-2222-2222-222222222222', NULL, 'VIEW');
INSERT INTO audit_logs (board_id, actor_id, action) VALUES ('22222222-2222-2222-2222-222222222222', '11111111-1111-1111-1111-111111111111', 'create');
";

fn make_legacy(path: &std::path::Path, sql: &str) {
    let status = std::process::Command::new("python3")
        .arg("-c")
        .arg("import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.commit()")
        .arg(path)
        .arg(sql)
        .status()
        .expect("python3 runs");
    assert!(status.success());
}

#[tokio::test]
async fn a_legacy_database_is_adopted_with_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("easel.db");
    make_legacy(&path, LEGACY);
    let store = Store::open(&path).await.unwrap();
    let easel = easel_core::Easel::new(store.clone());
    let me = easel.local_user().await.unwrap();
    assert_eq!(me.display_name, "Old Me");
    let boards = easel.list_boards(me.id, false).await.unwrap();
    assert_eq!(boards.len(), 1);
    assert_eq!(boards[0].board.title, "Legacy board");
    // The later migration's guards now hold on the adopted tables.
    let second = store.execute_raw("INSERT INTO board_permissions (board_id, user_id, level) VALUES ('22222222-2222-2222-2222-222222222222', NULL, 'EDIT')").await;
    assert!(second.is_err(), "one public row per board");
    assert!(store.execute_raw("DELETE FROM audit_logs").await.is_err());
    // A board from before documents existed opens empty and takes edits.
    let mut s = easel.open_board(me.id, boards[0].board.id).await.unwrap();
    assert_eq!(s.elements().len(), 0);
    s.add(rect("r", 0.0, 0.0)).await.unwrap();
    drop(s);
    store.close().await;
    // Reopening runs nothing again.
    let store = Store::open(&path).await.unwrap();
    let easel = easel_core::Easel::new(store);
    assert_eq!(
        easel
            .open_board(me.id, boards[0].board.id)
            .await
            .unwrap()
            .elements()
            .len(),
        1
    );
}

#[tokio::test]
async fn a_foreign_or_partial_database_is_refused_untouched() {
    for (name, sql) in [
        (
            "partial",
            "CREATE TABLE boards (id TEXT PRIMARY KEY, title TEXT);".to_string(),
        ),
        ("missing column", LEGACY.replace(", deleted_at TEXT", "")),
        (
            "no unique",
            LEGACY.replace(", UNIQUE (board_id, user_id)", ""),
        ),
        (
            "foreign table",
            format!("{LEGACY} CREATE TABLE notes (id INTEGER);"),
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("easel.db");
        make_legacy(&path, &sql);
        let schema_before = dump_schema(&path);
        match Store::open(&path).await {
            Err(Error::Schema(msg)) => assert!(msg.contains("refusing"), "{name}: {msg}"),
            Err(e) => panic!("{name}: wrong error {e}"),
            Ok(_) => panic!("{name}: adopted a database it should refuse"),
        }
        assert_eq!(dump_schema(&path), schema_before, "{name}: schema changed");
    }
}

fn dump_schema(path: &std::path::Path) -> String {
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg("import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(sorted(r for r in c.execute('select type,name,sql from sqlite_master')))")
        .arg(path)
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}
