//! Loading, compaction, snapshots and restore on a real SQLite file, and two stores (two
//! processes' worth of connections) writing one file.

mod common;
use common::*;
use easel_core::{BoardDoc, Easel, ElementPatch, SnapshotPolicy, Store};
use std::time::Duration;

#[tokio::test]
async fn compaction_yields_exactly_the_same_document() {
    let env = Env::new().await;
    let b = env.easel.create_board(env.owner.id, "C").await.unwrap().id;
    let mut s = env.easel.open_board(env.owner.id, b).await.unwrap();
    let mut rng = fastrand::Rng::with_seed(11);
    for i in 0..300 {
        let id = format!("e{}", rng.usize(0..60));
        if s.element(&id).is_none() {
            s.add(rect(&id, i as f64, 0.0)).await.unwrap();
        } else if rng.bool() {
            s.update(
                &id,
                &ElementPatch {
                    x: Some(rng.f64() * 100.0),
                    text: Some(format!("t{i}")),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        } else {
            s.delete(&[id]).await.unwrap();
        }
    }
    let before_sv = s.doc().state_vector();
    let before = s.elements();
    let size_before = env.store.size().await.unwrap();
    let info = s.snapshot(None).await.unwrap();
    assert_eq!(info.upto_seq, s.applied_seq());
    drop(s);
    let (tail, _) = env.store.tail_stats(b).await.unwrap();
    assert_eq!(tail, 0, "the log is folded into the snapshot");
    env.store.vacuum().await.unwrap();
    let size_after = env.store.size().await.unwrap();
    assert!(
        size_after.bytes < size_before.bytes,
        "{size_before:?} -> {size_after:?}"
    );

    let s = env.easel.open_board(env.owner.id, b).await.unwrap();
    // Compare decoded: the encoding lists clients in hash-map order, which differs per doc.
    let decode = |b: &[u8]| {
        use yrs::updates::decoder::Decode;
        yrs::StateVector::decode_v1(b).unwrap()
    };
    assert_eq!(decode(&s.doc().state_vector()), decode(&before_sv));
    assert_eq!(s.elements(), before);
}

#[tokio::test]
async fn automatic_snapshots_compact_as_edits_accumulate() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("easel.db")).await.unwrap();
    let policy = SnapshotPolicy {
        every_updates: 50,
        every: Duration::from_secs(3600),
        keep_auto: 3,
    };
    let easel = Easel::with_policy(store.clone(), policy);
    let me = easel.local_user().await.unwrap();
    let b = easel.create_board(me.id, "Auto").await.unwrap().id;
    let mut s = easel.open_board(me.id, b).await.unwrap();
    for i in 0..260 {
        s.add(rect(&format!("e{i}"), i as f64, 0.0)).await.unwrap();
    }
    let snaps = easel.history(me.id, b).await.unwrap();
    assert_eq!(snaps.len(), 3, "old automatic snapshots are pruned");
    assert!(snaps.iter().all(|s| s.name.is_none()));
    let (tail, _) = store.tail_stats(b).await.unwrap();
    assert!(tail < 50, "tail {tail}");
    drop(s);
    let s = easel.open_board(me.id, b).await.unwrap();
    assert_eq!(s.elements().len(), 260);
}

#[tokio::test]
async fn restore_is_a_new_undoable_change() {
    let env = Env::new().await;
    let b = env.easel.create_board(env.owner.id, "H").await.unwrap().id;
    let mut s = env.easel.open_board(env.owner.id, b).await.unwrap();
    s.add(rect("a", 0.0, 0.0)).await.unwrap();
    s.set_text("a", "version one").await.unwrap();
    let v1 = s.snapshot(Some("v1")).await.unwrap();
    s.add(rect("b", 5.0, 5.0)).await.unwrap();
    s.set_text("a", "version two").await.unwrap();
    s.update(
        "a",
        &ElementPatch {
            x: Some(77.0),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    s.delete(&["a".into()]).await.unwrap();
    let seq_before = s.applied_seq();

    s.restore(v1.id).await.unwrap();
    assert!(
        s.applied_seq() > seq_before,
        "restore is appended, not a rewrite of history"
    );
    let ids: Vec<_> = s.elements().into_iter().map(|e| e.id).collect();
    assert_eq!(ids, ["a"]);
    assert_eq!(s.element("a").unwrap().text, "version one");
    assert_eq!(s.element("a").unwrap().x, 0.0);

    // It survives a reopen, and a second replica that syncs sees the same.
    drop(s);
    let mut s = env.easel.open_board(env.owner.id, b).await.unwrap();
    assert_eq!(s.element("a").unwrap().text, "version one");
    let replica = BoardDoc::from_updates([s.doc().encode_state().as_slice()]).unwrap();
    assert_eq!(replica.elements(), s.elements());

    // Undo within a session takes the restore back.
    s.restore(v1.id).await.unwrap(); // no-op content-wise
    s.add(rect("c", 0.0, 0.0)).await.unwrap();
    s.restore(v1.id).await.unwrap();
    assert!(s.element("c").is_none());
    assert!(s.undo().await.unwrap());
    assert!(s.element("c").is_some());

    let names: Vec<_> = env
        .easel
        .history(env.owner.id, b)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|s| s.name)
        .collect();
    assert_eq!(names, ["v1"]);
}

#[tokio::test]
async fn another_process_writes_are_seen_and_never_lost() {
    let env = Env::new().await;
    let b = env
        .easel
        .create_board(env.owner.id, "Shared")
        .await
        .unwrap()
        .id;
    // A second store on the same file: what the CLI does while the app has the board open.
    let other = Easel::new(Store::open(&env.db_path()).await.unwrap());
    let mut app = env.easel.open_board(env.owner.id, b).await.unwrap();
    let mut cli = other.open_board(env.owner.id, b).await.unwrap();
    app.add(rect("from-app", 0.0, 0.0)).await.unwrap();
    cli.add(rect("from-cli", 0.0, 0.0)).await.unwrap();
    assert!(
        cli.element("from-app").is_some(),
        "a write catches up with what it lacked"
    );
    assert!(app.element("from-cli").is_none());
    assert_eq!(app.refresh().await.unwrap(), 1);
    assert!(app.element("from-cli").is_some());

    // The CLI compacts while the app holds an older view; the app still catches up.
    cli.add(rect("later", 0.0, 0.0)).await.unwrap();
    cli.snapshot(None).await.unwrap();
    app.refresh().await.unwrap();
    assert!(app.element("later").is_some());
    app.add(rect("after", 0.0, 0.0)).await.unwrap();
    app.snapshot(Some("x")).await.unwrap();
    drop((app, cli));
    let s = env.easel.open_board(env.owner.id, b).await.unwrap();
    let mut ids: Vec<_> = s.elements().into_iter().map(|e| e.id).collect();
    ids.sort();
    assert_eq!(ids, ["after", "from-app", "from-cli", "later"]);
}

#[tokio::test]
async fn concurrent_sessions_group_commit_and_keep_every_edit() {
    let env = Env::new().await;
    let b = env
        .easel
        .create_board(env.owner.id, "Busy")
        .await
        .unwrap()
        .id;
    let mut tasks = Vec::new();
    for w in 0..8 {
        let easel = env.easel.clone();
        let me = env.owner.id;
        tasks.push(tokio::spawn(async move {
            let mut s = easel.open_board(me, b).await.unwrap();
            for i in 0..50 {
                s.add(rect(&format!("w{w}-{i}"), 0.0, 0.0)).await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let s = env.easel.open_board(env.owner.id, b).await.unwrap();
    assert_eq!(s.elements().len(), 400);
}

#[tokio::test]
async fn concurrent_sessions_snapshotting_lose_nothing() {
    // Sessions that compact while others write: a later snapshot may cover fewer updates than
    // an earlier one; loading must still see every edit.
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("easel.db")).await.unwrap();
    let policy = SnapshotPolicy {
        every_updates: 7,
        every: Duration::from_secs(3600),
        keep_auto: 2,
    };
    let easel = Easel::with_policy(store, policy);
    let me = easel.local_user().await.unwrap();
    let b = easel.create_board(me.id, "Race").await.unwrap().id;
    let mut tasks = Vec::new();
    for w in 0..8 {
        let easel = easel.clone();
        tasks.push(tokio::spawn(async move {
            let mut s = easel.open_board(me.id, b).await.unwrap();
            for i in 0..60 {
                s.add(rect(&format!("w{w}-{i}"), 0.0, 0.0)).await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let s = easel.open_board(me.id, b).await.unwrap();
    assert_eq!(s.elements().len(), 480);
}

#[tokio::test]
async fn a_snapshot_previews_the_board_as_it_was() {
    let env = Env::new().await;
    let b = env.easel.create_board(env.owner.id, "P").await.unwrap().id;
    let mut s = env.easel.open_board(env.owner.id, b).await.unwrap();
    s.add(rect("a", 0.0, 0.0)).await.unwrap();
    let v1 = s.snapshot(Some("v1")).await.unwrap();
    s.add(rect("b", 10.0, 0.0)).await.unwrap();
    s.delete(&["a".to_string()]).await.unwrap();
    let then = env
        .easel
        .snapshot_elements(env.owner.id, b, v1.id)
        .await
        .unwrap();
    assert_eq!(
        then.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
        vec!["a"]
    );
    let other = env.easel.create_board(env.owner.id, "Q").await.unwrap().id;
    assert!(
        env.easel
            .snapshot_elements(env.owner.id, other, v1.id)
            .await
            .is_err(),
        "a snapshot of another board is not found"
    );
}
