//! Image files beside the document, on a real SQLite file: a board stores references and the
//! store the bytes (once, whatever the boards); a board made by older builds (bytes inside its
//! document and its snapshots) migrates on first open losing nothing; files no board shows are
//! collected after the grace period, and not while a snapshot still shows them; exports carry
//! the bytes.

mod common;
use common::*;
use easel_core::{BoardDoc, BoardFile, Element, ElementKind};
use std::time::Duration;
use uuid::Uuid;
use yrs::{Any, Map, Transact};

fn bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

fn image(id: &str, file: &str) -> Element {
    let mut e = Element::new(id, ElementKind::Image, 0.0, 0.0).with_size(64.0, 48.0);
    e.file_id = Some(file.to_string());
    e
}

/// Writes a file entry the way builds before the files store did: `{mime, data}` in the
/// document's `files` map.
fn put_legacy(d: &BoardDoc, f: &BoardFile) {
    let files = d.ydoc().get_or_insert_map("files");
    let mut txn = d.ydoc().transact_mut();
    let entry = Any::from(std::collections::HashMap::from([
        ("mime".to_string(), Any::from(f.mime.clone())),
        ("data".to_string(), Any::from(f.data.clone())),
    ]));
    files.insert(&mut txn, f.id.as_str(), entry);
}

#[tokio::test]
async fn a_board_made_by_older_builds_moves_its_image_bytes_out_on_first_open() {
    let env = Env::new().await;
    let a = BoardFile::new("image/png", bytes(1, 200_000));
    let b = BoardFile::new("image/jpeg", bytes(2, 150_000));

    // The board as an older build left it: photo A shown, a named snapshot of that, then A
    // deleted and photo B pasted. Every byte of both lives in the document's updates and in
    // the snapshot's state.
    let board = Uuid::new_v4();
    let mut d = BoardDoc::new();
    put_legacy(&d, &a);
    d.add(&env.owner.id.to_string(), image("img-a", &a.id))
        .unwrap();
    env.store
        .create_board(
            board,
            env.owner.id,
            "Old photos",
            &d.encode_state(),
            "create",
            &serde_json::json!({}),
        )
        .await
        .unwrap();
    let named = env
        .store
        .save_snapshot(
            board,
            Some("with A"),
            1,
            &d.encode_state(),
            1,
            Some(env.owner.id),
            false,
            20,
            &[],
        )
        .await
        .unwrap();
    // Older builds recorded no `files` in a snapshot's meta.
    env.store
        .execute_raw(&format!(
            "UPDATE doc_snapshots SET meta = '{{\"elementCount\":1}}' WHERE id = {}",
            named.id
        ))
        .await
        .unwrap();
    let sv = d.state_vector();
    d.delete(&env.owner.id.to_string(), &["img-a".to_string()])
        .unwrap();
    put_legacy(&d, &b);
    d.add(&env.owner.id.to_string(), image("img-b", &b.id))
        .unwrap();
    env.store
        .append_updates(board, vec![d.encode_diff(&sv).unwrap()])
        .await
        .unwrap();
    let before = env.store.load_doc(board).await.unwrap();
    let stored_before: usize = before.updates().map(<[u8]>::len).sum();
    assert!(stored_before > 350_000, "{stored_before}");

    // First open by this build: the bytes go to the files store, the document keeps references.
    let mut s = env.easel.open_board(env.owner.id, board).await.unwrap();
    assert!(s.doc().legacy_files().is_empty());
    let ra = s.doc().file_ref(&a.id).unwrap();
    assert_eq!((ra.mime.as_str(), ra.size), ("image/png", 200_000));
    assert_eq!(s.file(&b.id).await.unwrap().unwrap(), b);
    assert_eq!(s.elements().len(), 1);
    let totals = env.easel.file_totals().await.unwrap();
    assert_eq!((totals.files, totals.bytes), (2, 350_000));
    // The log holds no image bytes any more: the board...
    let after = env.store.load_doc(board).await.unwrap();
    let stored_after: usize = after.updates().map(<[u8]>::len).sum();
    assert!(
        stored_after < 8_000,
        "the board's log still holds {stored_after} bytes"
    );
    // ...nor its named snapshot, which records what it shows.
    let (_, snap_state) = env.store.snapshot_state(board, named.id).await.unwrap();
    assert!(
        snap_state.len() < 8_000,
        "the snapshot holds {} bytes",
        snap_state.len()
    );
    let files = env.store.snapshot_files(board).await.unwrap();
    let shown: Vec<_> = files
        .iter()
        .find(|(id, _)| *id == named.id)
        .unwrap()
        .1
        .clone()
        .unwrap();
    assert_eq!(shown, vec![a.id.clone()]);

    // Restoring the old snapshot brings photo A back, bytes and all.
    s.restore(named.id).await.unwrap();
    assert!(s.element("img-a").is_some());
    assert_eq!(s.file(&a.id).await.unwrap().unwrap(), a);
    let scene = s.scene_for_export().await.unwrap();
    assert_eq!(scene.files.len(), 1, "an export carries the bytes it shows");
    assert_eq!(scene.files[0], a);
    drop(s);

    // A second open finds nothing more to move.
    let s = env.easel.open_board(env.owner.id, board).await.unwrap();
    assert!(s.doc().legacy_files().is_empty());
    assert_eq!(env.easel.file_totals().await.unwrap().files, 2);
}

#[tokio::test]
async fn files_no_board_shows_are_collected_after_the_grace_not_while_a_snapshot_shows_them() {
    let env = Env::new().await;
    let b1 = env
        .easel
        .create_board(env.owner.id, "One")
        .await
        .unwrap()
        .id;
    let b2 = env
        .easel
        .create_board(env.owner.id, "Two")
        .await
        .unwrap()
        .id;
    let mut s1 = env.easel.open_board(env.owner.id, b1).await.unwrap();
    let mut s2 = env.easel.open_board(env.owner.id, b2).await.unwrap();
    let a = BoardFile::new("image/png", bytes(3, 50_000));
    let b = BoardFile::new("image/png", bytes(4, 40_000));

    // One photo pasted into two boards is stored once.
    s1.add_file(a.clone()).await.unwrap();
    s1.add(image("a1", &a.id)).await.unwrap();
    s2.add_file(a.clone()).await.unwrap();
    s2.add(image("a2", &a.id)).await.unwrap();
    assert_eq!(env.easel.file_totals().await.unwrap().files, 1);

    // Board one deletes it: board two still shows it, nothing goes.
    s1.delete(&["a1".to_string()]).await.unwrap();
    s1.snapshot(None).await.unwrap();
    assert_eq!(
        env.easel.collect_files(Duration::ZERO).await.unwrap().files,
        0
    );
    // Board two deletes it too: kept through the grace period, then collected.
    s2.delete(&["a2".to_string()]).await.unwrap();
    s2.snapshot(None).await.unwrap();
    assert_eq!(
        env.easel
            .collect_files(Duration::from_secs(3600))
            .await
            .unwrap()
            .files,
        0,
        "within the grace period"
    );
    tokio::time::sleep(Duration::from_millis(5)).await;
    let gone = env.easel.collect_files(Duration::ZERO).await.unwrap();
    assert_eq!((gone.files, gone.bytes), (1, 50_000));
    assert_eq!(env.easel.file_totals().await.unwrap().files, 0);

    // A photo a named snapshot shows stays after the board deletes it, until the board goes.
    s1.add_file(b.clone()).await.unwrap();
    s1.add(image("b1", &b.id)).await.unwrap();
    s1.snapshot(Some("with B")).await.unwrap();
    s1.delete(&["b1".to_string()]).await.unwrap();
    s1.snapshot(None).await.unwrap();
    tokio::time::sleep(Duration::from_millis(5)).await;
    assert_eq!(
        env.easel.collect_files(Duration::ZERO).await.unwrap().files,
        0
    );
    assert!(s1.file(&b.id).await.unwrap().is_some());
    drop(s1);
    env.store
        .purge_board(b1, env.owner.id, &serde_json::json!({}))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(5)).await;
    assert_eq!(
        env.easel.collect_files(Duration::ZERO).await.unwrap().files,
        1
    );
    assert_eq!(env.easel.file_totals().await.unwrap().files, 0);
}

#[tokio::test]
async fn an_export_of_a_board_whose_images_are_not_here_says_so() {
    let env = Env::new().await;
    let board = env
        .easel
        .create_board(env.owner.id, "Shared")
        .await
        .unwrap()
        .id;
    let s = env.easel.open_board(env.owner.id, board).await.unwrap();
    // A collaborator's paste: the reference came with the sync, the bytes have not yet.
    let far = BoardFile::new("image/png", bytes(5, 1000));
    let mut other = BoardDoc::from_updates([s.doc().encode_state().as_slice()]).unwrap();
    let sv = s.doc().state_vector();
    other.add_file(&far).unwrap();
    other.add("them", image("far", &far.id)).unwrap();
    let mut s = s;
    s.apply_remote(&other.encode_diff(&sv).unwrap())
        .await
        .unwrap();
    assert!(s.file(&far.id).await.unwrap().is_none());
    assert_eq!(s.file_channel().wanted(), vec![far.id.clone()]);
    assert_eq!(s.missing_files().await.unwrap(), vec![far.id.clone()]);
    let e = s.scene_for_export().await.unwrap_err().to_string();
    assert!(e.contains("not downloaded yet"), "{e}");
    // Bytes that do not match the name are refused; the right ones are taken.
    let mut forged = far.clone();
    forged.data[0] ^= 1;
    assert!(s.store_arrived_file(&forged).await.is_err());
    let mut arrivals = s.file_channel().arrivals();
    s.store_arrived_file(&far).await.unwrap();
    assert_eq!(arrivals.recv().await.unwrap(), far.id);
    assert!(s.file_channel().wanted().is_empty());
    assert_eq!(s.scene_for_export().await.unwrap().files, vec![far]);
}
