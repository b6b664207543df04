//! Joining a big board through the relay over loopback: prints figures, asserts nothing about
//! time.
//!
//! `cargo bench -p easel-relay --bench join` (`-- --quick`: 20k elements only). For each size:
//! the owner's first upload (an offline board synced for the first time), a fresh
//! installation's join (connect, download, store, until synced; elements checked), and beside
//! them the peer in the same process: the same document's full state applied to a bare yrs doc
//! in memory, the floor any join pays. The relay and both apps run in this process (the relay
//! embedded, as easel-host runs it), every store on its own SQLite file with synchronous=NORMAL.

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
    let quick = std::env::args().any(|a| a == "--quick");
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
