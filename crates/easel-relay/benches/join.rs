//! Joining a big board through the relay over loopback: prints figures, asserts nothing about
//! time.
//!
//! `cargo bench -p easel-relay --bench join` (`-- --quick`: 20k elements only). For each size:
//! the owner's first upload (an offline board synced for the first time), a fresh
//! installation's join (connect, download, store, until synced; elements checked), and beside
//! them the peer in the same process: the same document's full state applied to a bare yrs doc
//! in memory, the floor any join pays. The relay and both apps run in this process (the relay
//! embedded, as easel-host runs it), every store on its own SQLite file with synchronous=NORMAL.
//!
//! Then a board of 20 photos (50 MB of incompressible bytes): the document's size in the
//! layout of older builds (bytes inside it) and now (references), the owner's upload until the
//! relay holds every photo, and a fresh installation's join with every photo fetched; beside
//! them the peer, the same 50 MB through a bare loopback TCP socket in this process; and the
//! process's peak resident memory during each (relay, owner and joiner in one process, so
//! both sides together).

use std::sync::Arc;
use std::time::{Duration, Instant};

use easel_core::sync::{self, SyncOptions, SyncStatus};
use easel_core::{Durability, Easel, Store};
use easel_relay::{Config, OpenAuthorizer, Server};
use tokio::sync::Mutex;
use yrs::updates::decoder::Decode;
use yrs::{Transact, Update};

#[path = "../../easel-core/benches/common/mod.rs"]
#[allow(dead_code)]
mod common;

/// Peak resident memory of this process so far, in bytes (Linux; 0 elsewhere).
fn peak_rss() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
            line.split_whitespace().nth(1)?.parse::<u64>().ok()
        })
        .map_or(0, |kib| kib * 1024)
}

/// Starts measuring the peak resident memory again from now (Linux: `clear_refs` 5).
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Incompressible bytes (a photo's), from a seed.
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

/// The photo board: 20 photos of 2.5 MB, each shown by an image element.
async fn photos() {
    use easel_core::{BoardDoc, BoardFile, Element, ElementKind};
    use yrs::Map;
    let files: Vec<BoardFile> = (0..20)
        .map(|i| BoardFile::new("image/jpeg", photo(i + 1, 2_500_000)))
        .collect();
    let total: usize = files.iter().map(|f| f.data.len()).sum();
    let owner_dir = tempfile::tempdir().unwrap();
    let (owner, me) = installation(owner_dir.path()).await;
    let board = owner.create_board(me, "Photos").await.unwrap().id;
    let mut session = owner.open_board(me, board).await.unwrap();
    // The same board in the layout of older builds: every photo's bytes in the document.
    let old = BoardDoc::new();
    for (i, f) in files.iter().enumerate() {
        session.add_file(f.clone()).await.unwrap();
        let mut img = Element::new(
            format!("photo{i}"),
            ElementKind::Image,
            i as f64 * 50.0,
            0.0,
        )
        .with_size(400.0, 300.0);
        img.file_id = Some(f.id.clone());
        session.add(img).await.unwrap();
        let map = old.ydoc().get_or_insert_map("files");
        let mut txn = old.ydoc().transact_mut();
        let entry = yrs::Any::from(std::collections::HashMap::from([
            ("mime".to_string(), yrs::Any::from(f.mime.clone())),
            ("data".to_string(), yrs::Any::from(f.data.clone())),
        ]));
        map.insert(&mut txn, f.id.as_str(), entry);
    }
    let doc_now = session.doc().encode_state().len();
    let doc_before = old.encode_state().len() + doc_now;
    drop(old);
    // Keep names and sizes only: what the process holds from here is the sync's.
    let files: Vec<(String, usize)> = files.into_iter().map(|f| (f.id, f.data.len())).collect();
    let session = Arc::new(Mutex::new(session));

    let relay_dir = tempfile::tempdir().unwrap();
    let mut config = Config::new(
        "127.0.0.1:0".parse().unwrap(),
        relay_dir.path().to_path_buf(),
    );
    config.durability = easel_relay::Durability::Normal;
    config.threads = 0;
    let store = easel_relay::RelayStore::open(&config.db_path(), config.durability)
        .await
        .unwrap();
    let log = store.log().clone();
    let server = Server::bind_with_store(config, store, Arc::new(OpenAuthorizer))
        .await
        .unwrap();
    let base_photos = format!("ws://{}", server.local_addr());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(server.run(async move {
        let _ = stopped.await;
    }));

    reset_peak_rss();
    let t = Instant::now();
    let mut up = sync::start(session.clone(), SyncOptions::new(&base_photos));
    synced(&mut up).await;
    let room = board.to_string();
    while log.doc_files(&room).await.unwrap().len() < files.len() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let upload = t.elapsed();
    let peak_upload = peak_rss();

    let dir = tempfile::tempdir().unwrap();
    let (joiner, jme) = installation(dir.path()).await;
    let t = Instant::now();
    joiner.create_replica(jme, board, "joined").await.unwrap();
    let replica = Arc::new(Mutex::new(joiner.open_board(jme, board).await.unwrap()));
    let mut arrivals = replica.lock().await.file_channel().arrivals();
    reset_peak_rss();
    let mut down = sync::start(replica.clone(), SyncOptions::new(&base_photos));
    synced(&mut down).await;
    while replica.lock().await.doc().element_count() < files.len() {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    // Drawing every photo asks for them all.
    let mut waiting = 0;
    for (id, _) in &files {
        if replica.lock().await.file(id).await.unwrap().is_none() {
            waiting += 1;
        }
    }
    while waiting > 0 {
        arrivals.recv().await.unwrap();
        waiting -= 1;
    }
    let join = t.elapsed();
    let peak_join = peak_rss();
    for (id, len) in &files {
        let got = replica.lock().await.file(id).await.unwrap().unwrap();
        assert_eq!(got.data.len(), *len);
    }

    // The peer: the same bytes through a bare loopback socket.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let payload = photo(99, total);
    let t = Instant::now();
    let reader = tokio::spawn(async move {
        use tokio::io::AsyncReadExt;
        let (mut s, _) = listener.accept().await.unwrap();
        let mut buf = vec![0u8; 1 << 16];
        let mut n = 0;
        while n < total {
            n += s.read(&mut buf).await.unwrap();
        }
    });
    {
        use tokio::io::AsyncWriteExt;
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        s.write_all(&payload).await.unwrap();
    }
    reader.await.unwrap();
    let floor = t.elapsed();

    println!(
        "photos n=20 bytes_mb={:.1} doc_before_mib={:.1} doc_now_kib={:.1} ({:.0}x smaller) upload_s={:.2} (peak rss {:.0} MiB) join_and_fetch_s={:.2} (peak rss {:.0} MiB) | peer: the bytes over a loopback socket {:.3} s | join/peer {:.1}x",
        total as f64 / 1e6,
        doc_before as f64 / 1048576.0,
        doc_now as f64 / 1024.0,
        doc_before as f64 / doc_now as f64,
        secs(upload),
        peak_upload as f64 / 1048576.0,
        secs(join),
        peak_join as f64 / 1048576.0,
        secs(floor),
        secs(join) / secs(floor),
    );
    up.stop().await;
    down.stop().await;
    let _ = stop.send(());
    let _ = running.await;
}

/// Resident memory of this process, in bytes (Linux; 0 elsewhere).
fn rss() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4096)
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

async fn installation(dir: &std::path::Path) -> (Easel, uuid::Uuid) {
    let store = Store::open_with(&dir.join("easel.db"), Durability::Normal)
        .await
        .unwrap();
    let easel = Easel::new(store);
    let me = easel.local_user().await.unwrap().id;
    (easel, me)
}

async fn synced(handle: &mut sync::SyncHandle) {
    let st = handle
        .wait_for(Duration::from_secs(300), |s| *s == SyncStatus::Synced)
        .await;
    assert_eq!(st, Some(SyncStatus::Synced), "{:?}", handle.status());
}

/// A fresh installation joining `board`: returns its sync handle once it holds all `n`
/// elements, and how long that took.
async fn join(
    base: &str,
    board: uuid::Uuid,
    n: usize,
) -> (sync::SyncHandle, Duration, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let (joiner, me) = installation(dir.path()).await;
    let t = Instant::now();
    joiner.create_replica(me, board, "joined").await.unwrap();
    let replica = Arc::new(Mutex::new(joiner.open_board(me, board).await.unwrap()));
    let mut handle = sync::start(replica.clone(), SyncOptions::new(base));
    synced(&mut handle).await;
    let deadline = Instant::now() + Duration::from_secs(300);
    while replica.lock().await.doc().element_count() < n {
        assert!(
            Instant::now() < deadline,
            "the joiner never got every element"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    (handle, t.elapsed(), dir)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let quick = std::env::args().any(|a| a == "--quick");
    // First, while the process is small: its peak memory is the photo board's.
    photos().await;
    let sizes: &[usize] = if quick { &[20_000] } else { &[20_000, 100_000] };
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::new("127.0.0.1:0".parse().unwrap(), dir.path().join("relay"));
    config.durability = easel_relay::Durability::Normal;
    config.threads = 0;
    let server = Server::bind(config, Arc::new(OpenAuthorizer))
        .await
        .unwrap();
    let base = format!("ws://{}", server.local_addr());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(server.run(async move {
        let _ = stopped.await;
    }));

    for &n in sizes {
        let owner_dir = tempfile::tempdir().unwrap();
        let (owner, me) = installation(owner_dir.path()).await;
        let board = owner
            .import_board(me, &common::scene(n), None, "bench")
            .await
            .unwrap()
            .id;
        let session = owner.open_board(me, board).await.unwrap();
        let state = session.doc().encode_state();
        let session = Arc::new(Mutex::new(session));

        // The owner's first upload: from connecting until a joiner holds every element (the
        // owner reports Synced on the relay's answer, before its own upload has landed).
        let t = Instant::now();
        let mut up = sync::start(session.clone(), SyncOptions::new(&base));
        synced(&mut up).await;
        let (first, _, _first_dir) = join(&base, board, n).await;
        let upload = t.elapsed();
        // A fresh installation's join of the board the relay now holds whole.
        let (down, join, _down_dir) = join(&base, board, n).await;

        let rss_before = rss();
        let t = Instant::now();
        let bare = yrs::Doc::new();
        bare.transact_mut()
            .apply_update(Update::decode_v1(&state).unwrap())
            .unwrap();
        let floor = t.elapsed();
        let in_memory = rss().saturating_sub(rss_before);
        drop(bare);

        println!(
            "join N={n} doc_mib={:.1} in_memory_mib={:.0} ({:.1}x) upload_s={:.2} join_s={:.2} | peer: apply the state in memory {:.2} s | join/peer {:.1}x",
            state.len() as f64 / 1048576.0,
            in_memory as f64 / 1048576.0,
            in_memory as f64 / state.len() as f64,
            secs(upload),
            secs(join),
            secs(floor),
            secs(join) / secs(floor)
        );
        up.stop().await;
        down.stop().await;
        first.stop().await;
    }
    let _ = stop.send(());
    let _ = running.await;
}
