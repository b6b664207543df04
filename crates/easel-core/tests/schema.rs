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
    let s = &env.store;
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
    let s = &env.store;
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
    let r = env.store.execute_raw(&format!("INSERT INTO board_permissions (board_id, user_id, level) VALUES ('{b}', '{u}', 'ADMIN')")).await;
    assert!(r.unwrap_err().to_string().contains("CHECK"));
    assert!("admin".parse::<Level>().is_err());
}

#[tokio::test]
async fn permissions_go_with_their_board_and_audit_rows_stay() {
    let env = Env::new().await;
    let (b, u) = board_and_user(&env).await;
    let s = &env.store;
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
    for doc in [b.clone(), format!("{b}/comments")] {
        for table in ["doc_updates", "doc_snapshots"] {
            assert_eq!(
                s.execute_raw(&format!("DELETE FROM {table} WHERE doc = '{doc}'"))
                    .await
                    .unwrap(),
                0,
                "{table} {doc}"
            );
        }
    }
    // And no document is written for a board that does not exist.
    let orphan = s
        .execute_raw(&format!(
            "INSERT INTO doc_updates (doc, seq, data, created_at) VALUES ('{b}', 1, x'00', 0)"
        ))
        .await;
    assert!(orphan.unwrap_err().to_string().contains("FOREIGN KEY"));
}

#[tokio::test]
async fn wal_and_foreign_keys_are_on() {
    let env = Env::new().await;
    let s = &env.store;
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

/// Rows of one table of `path`, each column as SQLite gives it (through sqlx).
async fn open_pool(path: &std::path::Path) -> sqlx::SqlitePool {
    sqlx::SqlitePool::connect_with(
        sqlx::sqlite::SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true),
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn boards_stored_by_the_previous_schema_move_into_the_document_log_whole() {
    use sqlx::Row;
    let dir = tempfile::tempdir().unwrap();
    // A board as today's code makes it: elements, a named snapshot that compacted the log,
    // edits after it, and comments (their log, and a snapshot of their first update).
    let made = dir.path().join("made.db");
    let store = Store::open(&made).await.unwrap();
    let easel = easel_core::Easel::new(store.clone());
    let me = easel.local_user().await.unwrap();
    let b = easel.create_board(me.id, "Roadmap").await.unwrap().id;
    let mut s = easel.open_board(me.id, b).await.unwrap();
    for i in 0..3 {
        s.add(rect(&format!("r{i}"), i as f64 * 10.0, 0.0))
            .await
            .unwrap();
    }
    let named = s.snapshot(Some("Before the review")).await.unwrap();
    s.add(rect("r3", 40.0, 0.0)).await.unwrap();
    let elements = s.elements();
    drop(s);
    let mut c = easel.open_comments(me.id, b).await.unwrap();
    let t = c
        .add_thread(&easel_core::Anchor::element("r1", 1.0, 2.0), "Too wide?")
        .await
        .unwrap();
    c.reply(&t.id, "Narrower then").await.unwrap();
    let threads = c.threads();
    drop(c);
    let snapshots = easel.history(me.id, b).await.unwrap();
    store.close().await;

    // The same rows in the previous schema (migrations 1 to 5, before the document log).
    let old = dir.path().join("old.db");
    let all = sqlx::migrate!("../../migrations");
    let before = sqlx::migrate::Migrator::with_migrations(
        all.iter().filter(|m| m.version <= 5).cloned().collect(),
    );
    let from = open_pool(&made).await;
    let to = open_pool(&old).await;
    before.run(&to).await.unwrap();
    for r in sqlx::query("SELECT id, display_name, public_key, is_local FROM users")
        .fetch_all(&from)
        .await
        .unwrap()
    {
        sqlx::query(
            "INSERT INTO users (id, display_name, public_key, is_local) VALUES (?, ?, ?, ?)",
        )
        .bind(r.get::<String, _>(0))
        .bind(r.get::<String, _>(1))
        .bind(r.get::<Option<String>, _>(2))
        .bind(r.get::<i64, _>(3))
        .execute(&to)
        .await
        .unwrap();
    }
    sqlx::query("INSERT INTO boards (id, owner_id, title) VALUES (?, ?, 'Roadmap')")
        .bind(b.to_string())
        .bind(me.id.to_string())
        .execute(&to)
        .await
        .unwrap();
    let comments_doc = format!("{b}/comments");
    for r in sqlx::query("SELECT doc, seq, data, created_at FROM doc_updates ORDER BY doc, seq")
        .fetch_all(&from)
        .await
        .unwrap()
    {
        let doc: String = r.get(0);
        let (table, board) = if doc == comments_doc {
            ("comment_updates", b.to_string())
        } else {
            ("board_updates", doc)
        };
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO {table} (board_id, seq, data, created_at) VALUES (?, ?, ?, ?)"
        )))
        .bind(board)
        .bind(r.get::<i64, _>(1))
        .bind(r.get::<Vec<u8>, _>(2))
        .bind(r.get::<i64, _>(3))
        .execute(&to)
        .await
        .unwrap();
    }
    for info in &snapshots {
        let state: Vec<u8> = sqlx::query_scalar("SELECT state FROM doc_snapshots WHERE id = ?")
            .bind(info.id)
            .fetch_one(&from)
            .await
            .unwrap();
        sqlx::query(
            "INSERT INTO board_snapshots (id, board_id, name, upto_seq, state, state_vector,
                                          element_count, created_by, created_at)
             VALUES (?, ?, ?, ?, ?, x'00', ?, ?, ?)",
        )
        .bind(info.id)
        .bind(b.to_string())
        .bind(info.name.as_deref())
        .bind(info.upto_seq)
        .bind(state)
        .bind(info.element_count)
        .bind(info.created_by.map(|u| u.to_string()))
        .bind(&info.created_at)
        .execute(&to)
        .await
        .unwrap();
    }
    // The comments' first update doubles as a snapshot covering seq 1.
    sqlx::query(
        "INSERT INTO comment_snapshots (board_id, upto_seq, state)
         SELECT board_id, 1, data FROM comment_updates WHERE seq = 1",
    )
    .execute(&to)
    .await
    .unwrap();
    sqlx::query("DELETE FROM comment_updates WHERE seq = 1")
        .execute(&to)
        .await
        .unwrap();
    from.close().await;
    to.close().await;

    // Opened by this build: everything is there, and the board goes on from where it was.
    let store = Store::open(&old).await.unwrap();
    let easel = easel_core::Easel::new(store.clone());
    assert_eq!(easel.local_user().await.unwrap().id, me.id);
    let mut s = easel.open_board(me.id, b).await.unwrap();
    assert_eq!(s.elements(), elements);
    let c = easel.open_comments(me.id, b).await.unwrap();
    assert_eq!(c.threads(), threads);
    let moved = easel.history(me.id, b).await.unwrap();
    let key = |v: &[easel_core::store::SnapshotInfo]| {
        v.iter()
            .map(|i| {
                (
                    i.id,
                    i.name.clone(),
                    i.upto_seq,
                    i.element_count,
                    i.created_by,
                    i.created_at.clone(),
                    i.size,
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(key(&moved), key(&snapshots));
    let last = store.last_seq(b).await.unwrap();
    s.add(rect("r4", 50.0, 0.0)).await.unwrap();
    assert_eq!(store.last_seq(b).await.unwrap(), last + 1);
    s.restore(named.id).await.unwrap();
    assert_eq!(s.elements().len(), 3);
    drop(s);
    let old_tables: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM sqlite_master WHERE name IN
            ('board_updates', 'board_snapshots', 'comment_updates', 'comment_snapshots')",
    )
    .fetch_one(&open_pool(&old).await)
    .await
    .unwrap();
    assert_eq!(old_tables, 0);
}
