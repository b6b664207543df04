//! Comments through the service on a real SQLite file: persistence across reopen, the
//! edit-own rule, audit rows, live changes to subscribers, compaction, and two sessions in one
//! store.

mod common;
use common::*;
use easel_core::store::AuditQuery;
use easel_core::{Anchor, ChangeOrigin, DocKind, Easel, Error, Level, SnapshotPolicy, Store};

#[tokio::test]
async fn comments_persist_across_reopen_and_are_audited() {
    let env = Env::new().await;
    let b = env.easel.create_board(env.owner.id, "B").await.unwrap().id;
    let bob = env.user("Bob").await;
    env.easel
        .grant(env.owner.id, b, Some(bob.id), Level::Comment)
        .await
        .unwrap();

    let mut mine = env.easel.open_comments(env.owner.id, b).await.unwrap();
    let mut changes = mine.subscribe();
    let t = mine
        .add_thread(&Anchor::element("r1", 10.0, 20.0), "Why this colour?")
        .await
        .unwrap();
    let first = t.messages[0].id.clone();
    let change = changes.try_recv().unwrap();
    assert_eq!(change.origin, ChangeOrigin::Local);

    let mut theirs = env.easel.open_comments(bob.id, b).await.unwrap();
    assert_eq!(theirs.threads(), mine.threads());
    let reply = theirs.reply(&t.id, "Brand guide").await.unwrap();
    assert_eq!(reply.author, bob.id.to_string());
    assert_eq!(reply.author_name, "Bob");
    // Bob may not touch the owner's message, whatever the level.
    assert!(matches!(
        theirs.edit(&first, "rewritten").await,
        Err(Error::NotAuthor { .. })
    ));
    assert!(matches!(
        theirs.delete(&first).await,
        Err(Error::NotAuthor { .. })
    ));
    theirs.edit(&reply.id, "See the brand guide").await.unwrap();
    assert!(theirs.resolve(&t.id).await.unwrap());

    // The first session picks up the other one's writes, tagged as from the store.
    assert!(mine.refresh().await.unwrap() >= 3);
    let th = mine.thread(&t.id).unwrap();
    assert!(th.resolved);
    assert_eq!(th.messages[1].text, "See the brand guide");
    let mut saw_store = false;
    while let Ok(c) = changes.try_recv() {
        saw_store |= c.origin == ChangeOrigin::Store;
    }
    assert!(saw_store);
    mine.delete(&first).await.unwrap();
    let want = mine.threads();

    // Reopen the store from disk.
    let path = env.db_path();
    let store = Store::open(&path).await.unwrap();
    let easel = Easel::new(store.clone());
    let again = easel.open_comments(env.owner.id, b).await.unwrap();
    assert_eq!(again.threads(), want);
    assert!(again.threads()[0].messages[0].deleted);

    let actions: Vec<String> = store
        .audit_query(&AuditQuery {
            board_id: Some(b),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    for a in [
        "comment.add",
        "comment.reply",
        "comment.edit",
        "comment.delete",
        "comment.resolve",
    ] {
        assert!(actions.iter().any(|x| x == a), "no {a} row in {actions:?}");
    }
    // The board's own log is untouched by comments.
    let board_doc = store.load_doc(b).await.unwrap();
    assert_eq!(board_doc.last_seq(), 1);
}

#[tokio::test]
async fn viewers_read_but_do_not_write_comments() {
    let env = Env::new().await;
    let b = env.easel.create_board(env.owner.id, "B").await.unwrap().id;
    let viewer = env.user("V").await;
    env.easel
        .grant(env.owner.id, b, Some(viewer.id), Level::View)
        .await
        .unwrap();
    let mut owner = env.easel.open_comments(env.owner.id, b).await.unwrap();
    let t = owner
        .add_thread(&Anchor::at(0.0, 0.0), "hello")
        .await
        .unwrap();
    let mut v = env.easel.open_comments(viewer.id, b).await.unwrap();
    assert_eq!(v.threads().len(), 1);
    let before = v.doc().encode_state();
    match v.reply(&t.id, "me too").await {
        Err(Error::Denied { action, .. }) => assert_eq!(action, "comment"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(v.resolve(&t.id).await, Err(Error::Denied { .. })));
    assert_eq!(v.doc().encode_state(), before);
    let stranger = env.user("S").await;
    assert!(matches!(
        env.easel.open_comments(stranger.id, b).await,
        Err(Error::Denied {
            action: "comments",
            ..
        })
    ));
}

#[tokio::test]
async fn the_comment_log_compacts_and_reloads_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("easel.db")).await.unwrap();
    let policy = SnapshotPolicy {
        every_updates: 5,
        ..SnapshotPolicy::default()
    };
    let easel = Easel::with_policy(store.clone(), policy);
    let me = easel.local_user().await.unwrap().id;
    let b = easel.create_board(me, "B").await.unwrap().id;
    let mut c = easel.open_comments(me, b).await.unwrap();
    let t = c.add_thread(&Anchor::at(1.0, 1.0), "0").await.unwrap();
    for i in 1..12 {
        c.reply(&t.id, &i.to_string()).await.unwrap();
    }
    let stored = store.load_since(b, DocKind::Comments, 0).await.unwrap();
    assert!(stored.snapshot.is_some(), "compacted");
    assert!(stored.tail.len() < 5, "{}", stored.tail.len());
    assert_eq!(stored.last_seq(), 12);
    assert_eq!(store.last_seq_of(b, DocKind::Comments).await.unwrap(), 12);
    let again = easel.open_comments(me, b).await.unwrap();
    assert_eq!(again.threads(), c.threads());
    assert_eq!(again.threads()[0].messages.len(), 12);
}

#[tokio::test]
async fn concurrent_sessions_group_commit_board_and_comment_edits() {
    let env = Env::new().await;
    let b = env.easel.create_board(env.owner.id, "B").await.unwrap().id;
    let mut board = env.easel.open_board(env.owner.id, b).await.unwrap();
    let mut c = env.easel.open_comments(env.owner.id, b).await.unwrap();
    let t = c.add_thread(&Anchor::at(0.0, 0.0), "x").await.unwrap();
    let (r1, r2) = tokio::join!(
        async {
            for i in 0..20 {
                board
                    .add(rect(&format!("e{i}"), i as f64, 0.0))
                    .await
                    .unwrap();
            }
        },
        async {
            for i in 0..20 {
                c.reply(&t.id, &format!("r{i}")).await.unwrap();
            }
        }
    );
    let _ = (r1, r2);
    assert_eq!(env.store.last_seq(b).await.unwrap(), 21);
    assert_eq!(
        env.store.last_seq_of(b, DocKind::Comments).await.unwrap(),
        21
    );
    // Purging the board takes its comments along.
    env.store
        .purge_board(b, env.owner.id, &serde_json::json!({}))
        .await
        .unwrap();
    let left = env.store.load_since(b, DocKind::Comments, 0).await.unwrap();
    assert!(left.snapshot.is_none() && left.tail.is_empty());
}
