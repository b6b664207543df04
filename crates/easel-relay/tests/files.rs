//! Image files beside the document, over real sockets: a board holding a 3 MB photo (bigger
//! than any frame) syncs through the relay, and a fresh installation fetches the photo by its
//! hash when it asks for it, offline first and then online; the relay stores each file once,
//! checks uploads against their hash, serves only files the board holds, and keeps a board's
//! files under its quota.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{Client, TestServer, expect_close, test_config};
use easel_core::sync::{self, SyncHandle, SyncOptions, SyncStatus};
use easel_core::{BoardFile, BoardSession, Easel, Element, ElementKind, Store};
use easel_proto::files::{FileMsg, data_frames, from_hex};
use futures_util::StreamExt;
use tokio::sync::Mutex;
use tokio_tungstenite::tungstenite::Message;
use uuid::Uuid;

/// One installation of the app: its own store, the board open, maybe syncing.
struct App {
    _dir: tempfile::TempDir,
    easel: Easel,
    session: Arc<Mutex<BoardSession>>,
    sync: Option<SyncHandle>,
}

impl App {
    async fn new(board: Uuid) -> App {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_with(&dir.path().join("easel.db"), easel_core::Durability::Normal)
            .await
            .unwrap();
        let easel = Easel::new(store);
        let me = easel.local_user().await.unwrap();
        easel.create_replica(me.id, board, "Photos").await.unwrap();
        let session = easel.open_board(me.id, board).await.unwrap();
        App {
            _dir: dir,
            easel,
            session: Arc::new(Mutex::new(session)),
            sync: None,
        }
    }

    async fn connect(&mut self, base: &str) {
        let mut opts = SyncOptions::new(base);
        opts.min_backoff = Duration::from_millis(20);
        opts.max_backoff = Duration::from_millis(200);
        let mut s = sync::start(self.session.clone(), opts);
        let st = s
            .wait_for(Duration::from_secs(20), |s| *s == SyncStatus::Synced)
            .await;
        assert_eq!(st, Some(SyncStatus::Synced), "{:?}", s.status());
        self.sync = Some(s);
    }

    async fn disconnect(&mut self) {
        if let Some(s) = self.sync.take() {
            s.stop().await;
        }
    }
}

/// Bytes that do not compress (a photo's), from a seed.
fn photo(seed: u64, len: usize) -> Vec<u8> {
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

async fn wait_until<F: std::future::Future<Output = bool>>(what: &str, mut f: impl FnMut() -> F) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !f().await {
        assert!(tokio::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Asks `app` for the file (which, when missing, asks its server) until the bytes are there.
async fn fetched(app: &App, id: &str) -> BoardFile {
    let mut arrivals = app.session.lock().await.file_channel().arrivals();
    if let Some(f) = app.session.lock().await.file(id).await.unwrap() {
        return f;
    }
    let got = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            match arrivals.recv().await {
                Ok(a) if a == id => return,
                Ok(_) => {}
                Err(e) => panic!("arrivals: {e}"),
            }
        }
    })
    .await;
    assert!(got.is_ok(), "the file did not arrive");
    app.session
        .lock()
        .await
        .file(id)
        .await
        .unwrap()
        .expect("stored once arrived")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_photo_board_syncs_and_a_fresh_installation_fetches_the_photo_by_hash() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(test_config(dir.path())).await;
    let base = format!("ws://{}", server.addr);
    let board = Uuid::new_v4();

    // The owner pastes a 3 MB photo (incompressible, bigger than any frame) while offline.
    let mut owner = App::new(board).await;
    let bytes = photo(7, 3 << 20);
    let file = BoardFile::new("image/png", bytes.clone());
    let id = {
        let mut s = owner.session.lock().await;
        let id = s.add_file(file.clone()).await.unwrap();
        let mut img = Element::new("img", ElementKind::Image, 10.0, 10.0).with_size(400.0, 300.0);
        img.file_id = Some(id.clone());
        s.add(img).await.unwrap();
        // The document holds the reference only.
        let doc_size = s.doc().encode_state().len();
        assert!(doc_size < 4096, "the document is {doc_size} bytes");
        id
    };
    assert_eq!(id, file.id);

    owner.connect(&base).await;
    // The upload follows the sync: the relay holds the photo, checked against its hash.
    let log = server.store.log().clone();
    let room = board.to_string();
    wait_until("the relay stores the photo", || {
        let (log, room, id) = (log.clone(), room.clone(), id.clone());
        async move { log.doc_file(&room, &id).await.unwrap().is_some() }
    })
    .await;
    assert_eq!(log.file(&id).await.unwrap().unwrap().data, bytes);
    assert!(
        log.stored_bytes(&room).await.unwrap() < 8192,
        "the relay's document holds no image bytes"
    );

    // A fresh installation joins: the element arrives with the sync, the photo when drawn.
    let mut joiner = App::new(board).await;
    joiner.connect(&base).await;
    wait_until("the image element arrives", || {
        let s = joiner.session.clone();
        async move { s.lock().await.element("img").is_some() }
    })
    .await;
    let got = fetched(&joiner, &id).await;
    assert_eq!(got.data, bytes, "the fetched photo equals the pasted one");
    assert_eq!(got.mime, "image/png");
    // Cached: the bytes are in the joiner's store now, offline too.
    joiner.disconnect().await;
    assert!(
        joiner
            .session
            .lock()
            .await
            .file(&id)
            .await
            .unwrap()
            .is_some()
    );

    // A third installation fetches lazily: asked while offline, it gets the photo once online.
    let mut late = App::new(board).await;
    late.connect(&base).await;
    wait_until("the image element arrives", || {
        let s = late.session.clone();
        async move { s.lock().await.element("img").is_some() }
    })
    .await;
    late.disconnect().await;
    assert!(
        late.session.lock().await.file(&id).await.unwrap().is_none(),
        "offline, the photo is not there yet (a placeholder is drawn)"
    );
    let mut arrivals = late.session.lock().await.file_channel().arrivals();
    late.connect(&base).await;
    let arrived = tokio::time::timeout(Duration::from_secs(20), arrivals.recv())
        .await
        .expect("the wanted photo arrives once online")
        .unwrap();
    assert_eq!(arrived, id);
    let cached = late.session.lock().await.file(&id).await.unwrap().unwrap();
    assert_eq!(cached.data, bytes);

    // A second board pasting the same photo: stored once in the owner's store.
    let me = owner.easel.local_user().await.unwrap();
    let other = owner.easel.create_board(me.id, "Second").await.unwrap();
    let mut second = owner.easel.open_board(me.id, other.id).await.unwrap();
    second.add_file(file.clone()).await.unwrap();
    let totals = second_store_totals(&owner).await;
    assert_eq!(totals, (1, bytes.len() as u64), "one copy for two boards");

    assert_eq!(server.metrics.refused(easel_relay::Refusal::TooLarge), 0);
    owner.disconnect().await;
    late.disconnect().await;
}

async fn second_store_totals(app: &App) -> (u64, u64) {
    let t = app.easel.file_totals().await.unwrap();
    (t.files, t.bytes)
}

/// Reads until a file message arrives (skipping sync and awareness).
async fn next_file_msg(c: &mut Client) -> FileMsg {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let m = tokio::time::timeout_at(deadline, c.ws.next())
            .await
            .expect("a file message in time")
            .expect("open")
            .expect("a frame");
        if let Message::Binary(b) = m
            && easel_proto::files::is_file_message(&b)
        {
            return FileMsg::decode(&b).unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_are_checked_against_their_hash_and_the_quota_and_only_held_files_are_served() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(dir.path());
    config.max_board_file_bytes = 1 << 20;
    let server = TestServer::start(config).await;
    let url = |room: &str| format!("ws://{}/{room}", server.addr);
    let mut c = Client::connect(&url("board-a")).await;

    // A tampered upload: pieces that do not hash to the name they claim.
    let good = photo(1, 600_000);
    let hash = from_hex(&easel_log::file_hash(&good)).unwrap();
    let mut bad = good.clone();
    bad[300_000] ^= 0x40;
    for f in data_frames(&hash, "image/png", &bad) {
        c.send(f).await;
    }
    match next_file_msg(&mut c).await {
        FileMsg::Refused { hash: h, reason } => {
            assert_eq!(h, hash);
            assert!(reason.contains("do not match"), "{reason}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(
        server
            .store
            .log()
            .file(&easel_log::file_hash(&good))
            .await
            .unwrap()
            .is_none()
    );

    // Pieces out of order: refused, nothing stored.
    let frames = data_frames(&hash, "image/png", &good);
    c.send(frames[1].clone()).await;
    assert!(matches!(
        next_file_msg(&mut c).await,
        FileMsg::Refused { .. }
    ));

    // The honest upload is stored and confirmed; asking which files the board lacks shows it.
    for f in frames {
        c.send(f).await;
    }
    assert_eq!(next_file_msg(&mut c).await, FileMsg::Stored(hash));
    let other = from_hex(&"ab".repeat(32)).unwrap();
    c.send(FileMsg::Have(vec![hash, other]).encode()).await;
    assert_eq!(next_file_msg(&mut c).await, FileMsg::Need(vec![other]));

    // Over the board's files quota (1 MiB here): refused, the board keeps what it had.
    let more = photo(2, 600_000);
    let more_hash = from_hex(&easel_log::file_hash(&more)).unwrap();
    for f in data_frames(&more_hash, "image/jpeg", &more) {
        c.send(f).await;
    }
    match next_file_msg(&mut c).await {
        FileMsg::Refused { hash: h, reason } => {
            assert_eq!(h, more_hash);
            assert!(reason.contains("quota"), "{reason}");
        }
        other => panic!("expected a quota refusal, got {other:?}"),
    }
    assert_eq!(
        server.store.log().doc_files("board-a").await.unwrap().len(),
        1
    );

    // Another board cannot read board-a's file by its hash, even though the relay has it.
    let mut b = Client::connect(&url("board-b")).await;
    b.send(FileMsg::Want(vec![hash]).encode()).await;
    assert!(matches!(
        next_file_msg(&mut b).await,
        FileMsg::Refused { .. }
    ));
    // Board a's own connections are served it, piece by piece, whole.
    let mut reader = Client::connect(&url("board-a")).await;
    reader.send(FileMsg::Want(vec![hash]).encode()).await;
    let mut got = Vec::new();
    while got.len() < good.len() {
        match next_file_msg(&mut reader).await {
            FileMsg::Data { offset, bytes, .. } => {
                assert_eq!(offset as usize, got.len());
                got.extend(bytes);
            }
            other => panic!("expected data, got {other:?}"),
        }
    }
    assert_eq!(got, good);
    // A comments room holds no files.
    let mut comments = Client::connect(&url("board-a/comments")).await;
    comments.send(FileMsg::Want(vec![hash]).encode()).await;
    assert!(matches!(
        next_file_msg(&mut comments).await,
        FileMsg::Refused { .. }
    ));

    // A malformed file message closes the connection (1007), as any malformed message does.
    c.send(vec![100, 1, 3, 1, 2, 3]).await;
    let (code, reason) = expect_close(&mut c.ws).await;
    assert_eq!(code, 1007, "{reason}");
    // A message only a server sends, from a client: the same.
    b.send(FileMsg::Stored(hash).encode()).await;
    let (code, _) = expect_close(&mut b.ws).await;
    assert_eq!(code, 1007);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_relay_lets_go_of_a_file_once_its_board_no_longer_shows_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(dir.path());
    config.compact_every = 1;
    let server = TestServer::start(config).await;
    let base = format!("ws://{}", server.addr);
    let board = Uuid::new_v4();
    let room = board.to_string();
    let log = server.store.log().clone();
    let mut owner = App::new(board).await;
    owner.connect(&base).await;
    let file = BoardFile::new("image/webp", photo(9, 70_000));
    {
        let mut s = owner.session.lock().await;
        s.add_file(file.clone()).await.unwrap();
        let mut img = Element::new("pic", ElementKind::Image, 0.0, 0.0).with_size(50.0, 50.0);
        img.file_id = Some(file.id.clone());
        s.add(img).await.unwrap();
    }
    wait_until("the relay stores the file", || {
        let (log, room, id) = (log.clone(), room.clone(), file.id.clone());
        async move { log.doc_file(&room, &id).await.unwrap().is_some() }
    })
    .await;
    // Compactions while the board shows it keep it.
    owner
        .session
        .lock()
        .await
        .add(Element::new("r", ElementKind::Rectangle, 0.0, 0.0).with_size(5.0, 5.0))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(log.doc_file(&room, &file.id).await.unwrap().is_some());
    // Deleted: the next compaction drops the board's link (the bytes wait out the grace).
    owner
        .session
        .lock()
        .await
        .delete(&["pic".to_string()])
        .await
        .unwrap();
    wait_until("the relay lets go of the file", || {
        let (log, room, id) = (log.clone(), room.clone(), file.id.clone());
        async move { log.doc_file(&room, &id).await.unwrap().is_none() }
    })
    .await;
    assert!(
        log.file(&file.id).await.unwrap().is_some(),
        "kept through the grace period"
    );
    owner.disconnect().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_reference_does_not_make_an_installation_upload_another_boards_file() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(test_config(dir.path())).await;
    let base = format!("ws://{}", server.addr);
    let shared = Uuid::new_v4();

    // The victim keeps a photo on a private board, never shared.
    let mut victim = App::new(shared).await;
    let me = victim.easel.local_user().await.unwrap();
    let private = victim
        .easel
        .create_board(me.id, "Private")
        .await
        .unwrap()
        .id;
    let secret = BoardFile::new("image/png", photo(42, 50_000));
    let mut p = victim.easel.open_board(me.id, private).await.unwrap();
    p.add_file(secret.clone()).await.unwrap();

    // A collaborator on the shared board who knows only the photo's hash writes a reference to
    // it, and an element that shows it.
    let mut attacker = App::new(shared).await;
    attacker.connect(&base).await;
    {
        let mut s = attacker.session.lock().await;
        let sv = s.doc().state_vector();
        let mut forged =
            easel_core::BoardDoc::from_updates([s.doc().encode_state().as_slice()]).unwrap();
        forged
            .add_file_ref(&easel_core::FileRef {
                id: secret.id.clone(),
                mime: "image/png".into(),
                size: secret.data.len() as u64,
                width: None,
                height: None,
            })
            .unwrap();
        let mut img = Element::new("bait", ElementKind::Image, 0.0, 0.0).with_size(9.0, 9.0);
        img.file_id = Some(secret.id.clone());
        forged.add("attacker", img).unwrap();
        s.apply_remote(&forged.encode_diff(&sv).unwrap())
            .await
            .unwrap();
    }
    victim.connect(&base).await;
    wait_until("the victim receives the bait", || {
        let s = victim.session.clone();
        async move { s.lock().await.element("bait").is_some() }
    })
    .await;
    // Drawn here from the bytes this installation has; never offered to the shared board's
    // server, so the attacker cannot fetch them.
    assert!(
        victim
            .session
            .lock()
            .await
            .file(&secret.id)
            .await
            .unwrap()
            .is_some()
    );
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(
        server.store.log().file(&secret.id).await.unwrap().is_none(),
        "the private photo reached the relay"
    );
    victim.disconnect().await;
    attacker.disconnect().await;
}
