//! The document log on real SQLite files: dense seqs under concurrent writers (one process's
//! tasks and two writers on one file), snapshots and compaction, the owner's in-transaction
//! statements, and what it refuses.

use easel_log::{Durability, Log, LogError, NewSnapshot, tx};
use sqlx::Connection;

async fn open(dir: &tempfile::TempDir) -> Log {
    Log::open(&dir.path().join("log.db"), Durability::Normal)
        .await
        .unwrap()
}

fn upd(doc: &str, i: usize) -> Vec<u8> {
    format!("{doc}:{i}").into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_appends_get_dense_seqs_per_document_in_submission_order() {
    let dir = tempfile::tempdir().unwrap();
    let log = open(&dir).await;
    let mut tasks = Vec::new();
    for t in 0..16 {
        let log = log.clone();
        tasks.push(tokio::spawn(async move {
            let doc = if t % 2 == 0 { "a" } else { "b/comments" };
            let mut seqs = Vec::new();
            for i in 0..50 {
                let r = log.append(doc, vec![upd(doc, t * 1000 + i)]).await.unwrap();
                assert_eq!(r.end - r.start, 1);
                seqs.push(r.start);
            }
            // One task's appends commit in its order.
            assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
            (doc, seqs)
        }));
    }
    let mut by_doc: std::collections::HashMap<&str, Vec<i64>> = Default::default();
    for t in tasks {
        let (doc, seqs) = t.await.unwrap();
        by_doc.entry(doc).or_default().extend(seqs);
    }
    for (doc, mut seqs) in by_doc {
        seqs.sort();
        assert_eq!(seqs, (1..=400).collect::<Vec<_>>(), "{doc}");
        let stored = log.load(doc).await.unwrap();
        assert_eq!(stored.tail.len(), 400);
        assert_eq!(stored.last_seq(), 400);
        assert!(stored.snapshot.is_none());
    }
    // A batch of several updates gets consecutive seqs.
    let r = log
        .append("a", vec![upd("a", 1), upd("a", 2), upd("a", 3)])
        .await
        .unwrap();
    assert_eq!(r, 401..404);
    assert_eq!(log.append("a", vec![]).await.unwrap(), 0..0);
    assert_eq!(log.last_seq("a").await.unwrap(), 403);
    assert_eq!(log.last_seq("nothing").await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_writers_on_one_file_never_reuse_a_seq() {
    // As the app and the CLI do: two logs (two writer connections) on the same file append to
    // the same document; each writer's cached last seq must notice the other's commits.
    let dir = tempfile::tempdir().unwrap();
    let one = open(&dir).await;
    let two = open(&dir).await;
    let mut all = Vec::new();
    for i in 0..100 {
        let (a, b) = tokio::join!(
            one.append("doc", vec![upd("one", i)]),
            two.append("doc", vec![upd("two", i)])
        );
        all.push(a.unwrap().start);
        all.push(b.unwrap().start);
    }
    all.sort();
    assert_eq!(all, (1..=200).collect::<Vec<_>>());
    let stored = two.load("doc").await.unwrap();
    let seqs: Vec<i64> = stored.tail.iter().map(|(s, _)| *s).collect();
    assert_eq!(seqs, (1..=200).collect::<Vec<_>>());
}

#[tokio::test]
async fn a_compaction_deletes_only_what_its_snapshot_covers_and_loads_stay_complete() {
    let dir = tempfile::tempdir().unwrap();
    let log = open(&dir).await;
    for i in 0..10 {
        log.append("d", vec![upd("d", i)]).await.unwrap();
    }
    let c = log
        .snapshot("d", NewSnapshot::compaction(6, b"state@6".to_vec()))
        .await
        .unwrap();
    assert_eq!(c.deleted, 6);
    assert_eq!(c.snapshot.upto_seq, 6);
    assert_eq!(c.snapshot.size, 7);
    let stored = log.load("d").await.unwrap();
    assert_eq!(stored.snapshot.as_deref(), Some(&b"state@6"[..]));
    assert_eq!(stored.snapshot_seq, 6);
    assert_eq!(
        stored.tail.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
        vec![7, 8, 9, 10]
    );
    // A slower compaction covering less commits after: the base stays the one covering more,
    // and nothing it lacks was deleted.
    let late = log
        .snapshot("d", NewSnapshot::compaction(3, b"state@3".to_vec()))
        .await
        .unwrap();
    assert_eq!(late.deleted, 0);
    let stored = log.load("d").await.unwrap();
    assert_eq!(stored.snapshot_seq, 6);
    assert_eq!(stored.updates().count(), 5);
    // A reader at seq 8 gets only 9 and 10; a reader at 2 (before the base) gets the base.
    let since = log.load_since("d", 8).await.unwrap();
    assert!(since.snapshot.is_none());
    assert_eq!(since.tail.len(), 2);
    let since = log.load_since("d", 2).await.unwrap();
    assert_eq!(since.snapshot_seq, 6);
    // The seq counter never goes back, even with every update folded into the snapshot.
    log.snapshot("d", NewSnapshot::compaction(10, b"state@10".to_vec()))
        .await
        .unwrap();
    assert_eq!(log.update_count("d").await.unwrap(), 0);
    assert_eq!(log.append("d", vec![upd("d", 11)]).await.unwrap(), 11..12);
    let (tail, last) = log.tail_stats("d").await.unwrap();
    assert_eq!(tail, 1);
    assert!(last.is_some());
}

#[tokio::test]
async fn named_snapshots_are_kept_and_automatic_ones_pruned_to_the_newest() {
    let dir = tempfile::tempdir().unwrap();
    let log = open(&dir).await;
    for i in 0..5 {
        log.append("d", vec![upd("d", i)]).await.unwrap();
    }
    let named = log
        .snapshot(
            "d",
            NewSnapshot {
                upto_seq: 2,
                state: b"s2".to_vec(),
                name: Some("Before the workshop".into()),
                meta: Some(r#"{"elementCount":3}"#.into()),
                compact: false,
                keep_unnamed: 2,
            },
        )
        .await
        .unwrap();
    for upto in 3..=5 {
        let mut s = NewSnapshot::compaction(upto, format!("s{upto}").into_bytes());
        s.keep_unnamed = 2;
        log.snapshot("d", s).await.unwrap();
    }
    let list = log.snapshots("d").await.unwrap();
    let names: Vec<(Option<&str>, i64)> = list
        .iter()
        .map(|s| (s.name.as_deref(), s.upto_seq))
        .collect();
    assert_eq!(
        names,
        vec![(None, 5), (None, 4), (Some("Before the workshop"), 2)]
    );
    let (info, state) = log
        .snapshot_state("d", named.snapshot.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(state, b"s2");
    assert_eq!(info.meta.as_deref(), Some(r#"{"elementCount":3}"#));
    assert!(
        log.snapshot_state("other", named.snapshot.id)
            .await
            .unwrap()
            .is_none()
    );
    let totals = log.totals().await.unwrap();
    assert_eq!((totals.updates, totals.snapshots), (0, 3));
}

#[tokio::test]
async fn an_owner_creates_renames_and_deletes_documents_inside_its_own_transactions() {
    let dir = tempfile::tempdir().unwrap();
    let log = open(&dir).await;
    let mut conn = log.pool().acquire().await.unwrap();
    let mut t = conn.begin_with("BEGIN IMMEDIATE").await.unwrap();
    assert_eq!(tx::append(&mut t, "old", &[b"first"]).await.unwrap(), 1..2);
    t.commit().await.unwrap();
    // The writer's view agrees with what the owner wrote.
    assert_eq!(
        log.append("old", vec![b"second".to_vec()]).await.unwrap(),
        2..3
    );
    log.snapshot("old", NewSnapshot::compaction(1, b"s1".to_vec()))
        .await
        .unwrap();
    log.append("new", vec![b"x".to_vec()]).await.unwrap();

    let mut t = conn.begin_with("BEGIN IMMEDIATE").await.unwrap();
    let e = tx::rename_doc(&mut t, "old", "new").await.unwrap_err();
    assert!(e.to_string().contains("already has a log"), "{e}");
    tx::rename_doc(&mut t, "old", "moved").await.unwrap();
    t.commit().await.unwrap();
    let moved = log.load("moved").await.unwrap();
    assert_eq!(moved.snapshot.as_deref(), Some(&b"s1"[..]));
    assert_eq!(moved.tail, vec![(2, b"second".to_vec())]);
    assert_eq!(log.last_seq("old").await.unwrap(), 0);
    assert_eq!(
        log.append("moved", vec![b"third".to_vec()]).await.unwrap(),
        3..4
    );
    // The writer had cached "old" at seq 2; after the rename the name starts again at 1.
    assert_eq!(
        log.append("old", vec![b"fresh".to_vec()]).await.unwrap(),
        1..2
    );

    let mut t = conn.begin_with("BEGIN IMMEDIATE").await.unwrap();
    assert_eq!(tx::delete_doc(&mut t, "moved").await.unwrap(), 3);
    t.commit().await.unwrap();
    assert_eq!(log.last_seq("moved").await.unwrap(), 0);
    assert_eq!(
        log.append("moved", vec![b"again".to_vec()]).await.unwrap(),
        1..2
    );
}

#[tokio::test]
async fn what_the_log_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let log = open(&dir).await;
    let e = log.append("", vec![b"x".to_vec()]).await.unwrap_err();
    assert!(matches!(e, LogError::Invalid(_)), "{e}");
    let e = log
        .append(&"x".repeat(513), vec![b"x".to_vec()])
        .await
        .unwrap_err();
    assert!(matches!(e, LogError::Invalid(_)), "{e}");
    let e = log
        .snapshot("d", NewSnapshot::compaction(0, b"s".to_vec()))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("at least one update"), "{e}");
    let mut s = NewSnapshot::compaction(1, b"s".to_vec());
    s.name = Some("  ".into());
    let e = log.snapshot("d", s).await.unwrap_err();
    assert!(e.to_string().contains("name"), "{e}");
    // A failed batch answers every job in it and the log goes on.
    log.append("d", vec![b"ok".to_vec()]).await.unwrap();
}

#[cfg(unix)]
#[tokio::test]
async fn the_log_file_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let log = open(&dir).await;
    log.append("d", vec![b"x".to_vec()]).await.unwrap();
    let mode = std::fs::metadata(dir.path().join("log.db"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[tokio::test]
async fn files_are_stored_once_linked_per_document_and_collected_after_their_grace() {
    use std::collections::HashSet;
    let dir = tempfile::tempdir().unwrap();
    let log = open(&dir).await;
    let photo: Vec<u8> = (0..300_000u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    let hash = easel_log::file_hash(&photo);

    // Two boards paste the same photo: the bytes are stored once, each board holds it.
    let a = log
        .put_file("a", &hash, "image/png", &photo, None)
        .await
        .unwrap();
    assert!(a.stored && a.linked);
    let b = log
        .put_file("b", &hash, "image/png", &photo, None)
        .await
        .unwrap();
    assert!(!b.stored && b.linked);
    let again = log
        .put_file("b", &hash, "image/png", &photo, None)
        .await
        .unwrap();
    assert!(!again.stored && !again.linked);
    assert_eq!(log.file_totals().await.unwrap().files, 1);
    assert_eq!(log.file_totals().await.unwrap().bytes, photo.len() as u64);
    assert_eq!(log.file(&hash).await.unwrap().unwrap().data, photo);
    assert_eq!(
        log.doc_file("a", &hash).await.unwrap().unwrap().size,
        photo.len() as u64
    );
    assert!(log.doc_file("c", &hash).await.unwrap().is_none());
    let chunk = log.file_chunk(&hash, 1000, 64).await.unwrap().unwrap();
    assert_eq!(chunk, photo[1000..1064]);
    let tail = log
        .file_chunk(&hash, photo.len() as u64 - 10, 64)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(tail, photo[photo.len() - 10..]);

    // Bytes that do not match their name, a bad name, and a quota: refused, nothing stored.
    let mut tampered = photo.clone();
    tampered[7] ^= 1;
    let e = log
        .put_file("c", &hash, "image/png", &tampered, None)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("do not match"), "{e}");
    assert!(
        log.put_file("c", "ABC", "image/png", &photo, None)
            .await
            .is_err()
    );
    let small = b"tiny".to_vec();
    let e = log
        .put_file(
            "c",
            &easel_log::file_hash(&small),
            "image/png",
            &small,
            Some(3),
        )
        .await
        .unwrap_err();
    assert!(matches!(e, LogError::Quota(_)), "{e}");
    assert!(log.doc_files("c").await.unwrap().is_empty());
    assert_eq!(log.file_totals().await.unwrap().files, 1);

    // Board a stops showing it: b still holds it, nothing is orphaned.
    assert_eq!(
        log.retain_doc_files("a", &HashSet::new(), easel_log::now_ms())
            .await
            .unwrap(),
        1
    );
    assert_eq!(log.collect_files(0).await.unwrap().files, 0);
    // Board b is deleted: the file is orphaned, kept through its grace period, then collected.
    let mut conn = log.pool().acquire().await.unwrap();
    tx::delete_doc(&mut conn, "b").await.unwrap();
    drop(conn);
    assert_eq!(log.collect_files(60_000).await.unwrap().files, 0);
    assert!(log.file(&hash).await.unwrap().is_some());
    // A link made during the grace period saves it.
    log.put_file("d", &hash, "image/png", &photo, None)
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    assert_eq!(log.collect_files(0).await.unwrap().files, 0);
    // A link made after the state the owner read is not judged by it.
    assert_eq!(
        log.retain_doc_files("d", &HashSet::new(), 0).await.unwrap(),
        0
    );
    log.retain_doc_files("d", &HashSet::new(), easel_log::now_ms())
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let gone = log.collect_files(0).await.unwrap();
    assert_eq!(
        gone,
        easel_log::Collected {
            files: 1,
            bytes: photo.len() as u64
        }
    );
    assert!(log.file(&hash).await.unwrap().is_none());
    assert_eq!(log.file_totals().await.unwrap().files, 0);
}
