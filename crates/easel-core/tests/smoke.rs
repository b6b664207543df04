mod common;
use common::*;
use easel_core::ElementPatch;

#[tokio::test]
async fn create_edit_reopen() {
    let env = Env::new().await;
    let b = env.easel.create_board(env.owner.id, "First").await.unwrap();
    let mut s = env.easel.open_board(env.owner.id, b.id).await.unwrap();
    s.add(rect("r1", 10.0, 20.0)).await.unwrap();
    s.set_text("r1", "hello").await.unwrap();
    s.update(
        "r1",
        &ElementPatch {
            x: Some(42.0),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    drop(s);
    let s = env.easel.open_board(env.owner.id, b.id).await.unwrap();
    let el = s.element("r1").unwrap();
    assert_eq!(el.x, 42.0);
    assert_eq!(el.text, "hello");
    assert_eq!(s.doc().meta().title, "First");
    assert_eq!(env.store.journal_mode().await.unwrap(), "wal");
}

/// Everything a user drew is readable by them only: the data directory 0700 (tightened if it
/// was looser), the database and its WAL and shared-memory files 0600, a database made
/// world-readable by an older build tightened on open.
#[cfg(unix)]
#[tokio::test]
async fn the_data_dir_and_database_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    std::fs::create_dir(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    easel_core::store::private_dir(&dir, true).unwrap();
    assert_eq!(mode(&dir), 0o700);
    let fresh = tmp.path().join("new/deeper");
    easel_core::store::private_dir(&fresh, false).unwrap();
    assert_eq!(mode(&fresh), 0o700);

    let db = dir.join("easel.db");
    let store = easel_core::Store::open(&db).await.unwrap();
    let easel = easel_core::Easel::new(store);
    let me = easel.local_user().await.unwrap();
    easel.create_board(me.id, "Private").await.unwrap();
    for suffix in ["", "-wal", "-shm"] {
        let p = std::path::PathBuf::from(format!("{}{suffix}", db.display()));
        assert_eq!(mode(&p), 0o600, "{}", p.display());
    }
    drop(easel);

    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    let _store = easel_core::Store::open(&db).await.unwrap();
    assert_eq!(mode(&db), 0o600);
}
