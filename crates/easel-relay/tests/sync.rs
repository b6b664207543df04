//! Easel apps (each its own store, session and sync client from easel-core) syncing through a
//! real relay on 127.0.0.1: live edits, offline edits caught up on reconnect, relay restarts, and
//! a seeded randomized convergence run with disconnects and partitions.
//! `EASEL_SYNC_SEEDS` sets how many seeds run (default 50); `EASEL_SYNC_SEED` replays one.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{TestServer, test_config};
use easel_core::sync::{self, SyncHandle, SyncOptions, SyncStatus};
use easel_core::{BoardSession, Easel, Element, ElementKind, ElementPatch, Store};
use tokio::sync::Mutex;
use uuid::Uuid;

struct App {
    _dir: tempfile::TempDir,
    session: Arc<Mutex<BoardSession>>,
    sync: Option<SyncHandle>,
}

impl App {
    async fn new(board: Uuid, creator: bool) -> App {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_with(&dir.path().join("easel.db"), easel_core::Durability::Normal)
            .await
            .unwrap();
        let easel = Easel::new(store);
        let me = easel.local_user().await.unwrap();
        if creator {
            easel.create_replica(me.id, board, "Shared").await.unwrap();
        } else {
            easel.create_replica(me.id, board, "Joined").await.unwrap();
        }
        let session = easel.open_board(me.id, board).await.unwrap();
        App {
            _dir: dir,
            session: Arc::new(Mutex::new(session)),
            sync: None,
        }
    }

    fn connect(&mut self, url: &str) {
        let mut opts = SyncOptions::new(url);
        opts.min_backoff = Duration::from_millis(20);
        opts.max_backoff = Duration::from_millis(200);
        self.sync = Some(sync::start(self.session.clone(), opts));
    }

    async fn disconnect(&mut self) {
        if let Some(s) = self.sync.take() {
            s.stop().await;
        }
    }

    async fn synced(&mut self) {
        let s = self.sync.as_mut().expect("connected");
        let st = s
            .wait_for(Duration::from_secs(20), |s| *s == SyncStatus::Synced)
            .await;
        assert_eq!(st, Some(SyncStatus::Synced), "not synced: {:?}", s.status());
    }

    async fn ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .session
            .lock()
            .await
            .elements()
            .into_iter()
            .map(|e| e.id)
            .collect();
        ids.sort();
        ids
    }

    async fn add(&self, id: &str, x: f64) {
        let el = Element::new(id, ElementKind::Rectangle, x, 0.0).with_size(10.0, 10.0);
        self.session.lock().await.add(el).await.unwrap();
    }
}

/// Waits until every app holds the same elements (compared field by field).
async fn converge(apps: &[App], what: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let mut states = Vec::new();
        for a in apps {
            let mut els = a.session.lock().await.elements();
            easel_core::doc::sort_by_z(&mut els);
            states.push(els);
        }
        if states.windows(2).all(|w| w[0] == w[1]) {
            return;
        }
        if tokio::time::Instant::now() > deadline {
            let counts: Vec<usize> = states.iter().map(Vec::len).collect();
            panic!("{what}: replicas did not converge (element counts {counts:?})");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_apps_sync_live_and_catch_up_after_offline_edits() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(test_config(dir.path())).await;
    let base = format!("ws://{}", server.addr);
    let board = Uuid::new_v4();
    let mut a = App::new(board, true).await;
    let mut b = App::new(board, false).await;
    a.add("before-connect", 1.0).await;
    a.connect(&base);
    b.connect(&base);
    a.synced().await;
    b.synced().await;
    converge(&[a, b].into_iter().collect::<Vec<_>>(), "initial").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_edits_and_relay_restarts_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(test_config(dir.path())).await;
    let addr = server.addr;
    let base = format!("ws://{addr}");
    let board = Uuid::new_v4();
    let mut apps = vec![App::new(board, true).await, App::new(board, false).await];
    for a in &mut apps {
        a.connect(&base);
        a.synced().await;
    }
    apps[0].add("live", 0.0).await;
    converge(&apps, "live edit").await;

    // B goes offline and edits; A edits too; B returns and each gets exactly what it lacks.
    apps[1].disconnect().await;
    apps[1].add("offline-b", 1.0).await;
    apps[1]
        .session
        .lock()
        .await
        .update(
            "live",
            &ElementPatch {
                fill: Some("#ff0000".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    apps[0].add("online-a", 2.0).await;
    apps[1].connect(&base);
    apps[1].synced().await;
    converge(&apps, "after offline edits").await;
    assert_eq!(apps[0].ids().await, ["live", "offline-b", "online-a"]);
    assert_eq!(
        apps[0].session.lock().await.element("live").unwrap().fill,
        "#ff0000"
    );

    // The relay restarts (gracefully, persisting); clients reconnect by themselves.
    server.shutdown().await;
    apps[0].add("while-relay-down", 3.0).await;
    let mut config = test_config(dir.path());
    config.listen = addr;
    let server = TestServer::start(config).await;
    for a in &mut apps {
        a.synced().await;
    }
    converge(&apps, "after relay restart").await;
    assert_eq!(apps[1].ids().await.len(), 4);
    // A newcomer gets everything from the relay's store alone.
    let mut c = App::new(board, false).await;
    c.connect(&base);
    c.synced().await;
    apps.push(c);
    converge(&apps, "newcomer").await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn randomized_convergence_with_disconnects_partitions_and_restarts() {
    let seeds: Vec<u64> = match std::env::var("EASEL_SYNC_SEED") {
        Ok(s) => vec![s.parse().expect("EASEL_SYNC_SEED is a number")],
        Err(_) => {
            let n: u64 = std::env::var("EASEL_SYNC_SEEDS")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(50);
            let base = fastrand::u64(..1 << 40);
            (base..base + n).collect()
        }
    };
    for seed in seeds {
        println!("sync convergence seed {seed} (replay with EASEL_SYNC_SEED={seed})");
        run_scenario(seed).await;
    }
}

async fn run_scenario(seed: u64) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let dir = tempfile::tempdir().unwrap();
    let mut server = Some(TestServer::start(test_config(dir.path())).await);
    let addr = server.as_ref().unwrap().addr;
    let base = format!("ws://{addr}");
    let board = Uuid::new_v4();
    let mut apps = Vec::new();
    for i in 0..5 {
        let mut a = App::new(board, i == 0).await;
        a.connect(&base);
        apps.push(a);
    }
    let mut next_id = 0;
    for _step in 0..25 {
        let i = rng.usize(0..apps.len());
        match rng.u32(0..100) {
            0..=49 => {
                // An edit, online or not: add, move, recolour, retext or delete.
                // Read the ids under the same lock as the edit: a remote delete may land between.
                let mut s = apps[i].session.lock().await;
                let ids: Vec<String> = s.elements().into_iter().map(|e| e.id).collect();
                match (rng.u32(0..4), ids.is_empty()) {
                    (0, _) | (_, true) => {
                        next_id += 1;
                        let mut el = Element::new(
                            format!("e{next_id}-{i}"),
                            ElementKind::Text,
                            rng.f64() * 100.0,
                            0.0,
                        );
                        el.text = format!("from {i}");
                        s.add(el).await.unwrap();
                    }
                    (1, false) => {
                        let id = &ids[rng.usize(0..ids.len())];
                        let patch = ElementPatch {
                            x: Some(rng.f64() * 500.0),
                            stroke: Some(format!("#{:06x}", rng.u32(0..0xffffff))),
                            ..Default::default()
                        };
                        s.update(id, &patch).await.unwrap();
                    }
                    (2, false) => {
                        let id = &ids[rng.usize(0..ids.len())];
                        if s.element(id).is_some_and(|e| e.kind == ElementKind::Text) {
                            s.set_text(id, &format!("edited by {i} #{}", rng.u32(0..1000)))
                                .await
                                .unwrap();
                        }
                    }
                    _ => {
                        let id = ids[rng.usize(0..ids.len())].clone();
                        s.delete(&[id]).await.unwrap();
                    }
                }
            }
            50..=69 => {
                // Disconnect or reconnect one app.
                if apps[i].sync.is_some() {
                    apps[i].disconnect().await;
                } else {
                    apps[i].connect(&base);
                }
            }
            70..=84 => {
                // A partition: a random subset goes offline at once.
                for a in apps.iter_mut() {
                    if rng.bool() {
                        a.disconnect().await;
                    }
                }
            }
            _ => {
                // The relay restarts on the same address, with its store.
                if let Some(s) = server.take() {
                    s.shutdown().await;
                }
                let mut config = test_config(dir.path());
                config.listen = addr;
                server = Some(TestServer::start(config).await);
            }
        }
        if rng.u32(0..4) == 0 {
            tokio::time::sleep(Duration::from_millis(rng.u64(0..15))).await;
        }
    }
    // Heal everything: every app online, then all replicas must agree.
    for a in apps.iter_mut() {
        if a.sync.is_none() {
            a.connect(&base);
        }
    }
    for a in apps.iter_mut() {
        a.synced().await;
    }
    converge(&apps, &format!("seed {seed}")).await;
    for a in apps.iter_mut() {
        a.disconnect().await;
    }
    if let Some(s) = server.take() {
        s.shutdown().await;
    }
}
