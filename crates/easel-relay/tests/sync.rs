//! Easel apps (each its own store, session and sync client from easel-core) syncing through a
//! real relay on 127.0.0.1: live edits, offline edits caught up on reconnect, relay restarts, a
//! seeded randomized convergence run with disconnects and partitions, and recovery when yrs fails
//! on an update.
//!
//! Soak knobs for `randomized_convergence_with_disconnects_partitions_and_restarts`:
//! - `EASEL_SYNC_SEEDS=N` runs N seeds (default 50); `EASEL_SYNC_SEED_BASE=B` starts them at B
//!   (default: random), so a long soak can be split over runs: `B=0 N=5000`, `B=5000 N=5000`.
//! - `EASEL_SYNC_SEED=S` runs seed S alone (the timing still varies, so a failure may need a few
//!   runs to recur; the trace below does not).
//! - A failing seed writes `seed-S.json` to `EASEL_SYNC_TRACE_DIR` (default
//!   `target/sync-traces`): every update each replica integrated, in order. Replay it without
//!   sockets: `EASEL_SYNC_TRACE=target/sync-traces/seed-S.json cargo test -p easel-relay --test
//!   sync replay_a_trace`.
//!
//! A seed fails when the replicas do not converge, a client does not sync, or yrs failed on an
//! update anywhere (a client's sync recovered from it, or the relay reloaded a room).

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{TestServer, test_config};
use easel_core::doc::{TraceEntry, UpdateTrace, replay_trace};
use easel_core::sync::{self, SyncHandle, SyncOptions, SyncStatus};
use easel_core::{BoardSession, Easel, Element, ElementKind, ElementPatch, Store};
use tokio::sync::Mutex;
use uuid::Uuid;
use yrs::types::ToJson;
use yrs::{Doc, ReadTxn, Transact};

struct App {
    _dir: tempfile::TempDir,
    session: Arc<Mutex<BoardSession>>,
    sync: Option<SyncHandle>,
    /// Every update the board's document integrated, for a failing seed's trace.
    trace: UpdateTrace,
    /// Engine failures counted by sync handles already stopped.
    engine_failures: u64,
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
        let trace = session.record_trace();
        App {
            _dir: dir,
            session: Arc::new(Mutex::new(session)),
            sync: None,
            trace,
            engine_failures: 0,
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
            self.engine_failures += s.engine_failures();
            s.stop().await;
        }
    }

    async fn synced(&mut self) {
        if let Err(e) = self.try_synced().await {
            panic!("{e}");
        }
    }

    async fn try_synced(&mut self) -> Result<(), String> {
        let s = self.sync.as_mut().expect("connected");
        let st = s
            .wait_for(Duration::from_secs(20), |s| *s == SyncStatus::Synced)
            .await;
        match st {
            Some(SyncStatus::Synced) => Ok(()),
            _ => Err(format!("not synced: {:?}", s.status())),
        }
    }

    fn engine_failures(&self) -> u64 {
        self.engine_failures + self.sync.as_ref().map_or(0, |s| s.engine_failures())
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
    if let Err(e) = try_converge(apps, what).await {
        panic!("{e}");
    }
}

async fn try_converge(apps: &[App], what: &str) -> Result<(), String> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let mut states = Vec::new();
        for a in apps {
            let mut els = a.session.lock().await.elements();
            easel_core::doc::sort_by_z(&mut els);
            states.push(els);
        }
        if states.windows(2).all(|w| w[0] == w[1]) {
            return Ok(());
        }
        if tokio::time::Instant::now() > deadline {
            let counts: Vec<usize> = states.iter().map(Vec::len).collect();
            return Err(format!(
                "{what}: replicas did not converge (element counts {counts:?})"
            ));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A failing seed's trace: what each replica's board document integrated, in order.
#[derive(serde::Serialize, serde::Deserialize)]
struct SeedTrace {
    seed: u64,
    failure: String,
    replicas: Vec<Vec<TraceEntry>>,
}

fn trace_dir() -> std::path::PathBuf {
    match std::env::var_os("EASEL_SYNC_TRACE_DIR") {
        Some(d) => d.into(),
        // tests/ run from the crate's directory: the workspace's target/ is two levels up.
        None => std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/sync-traces"),
    }
}

fn write_trace(seed: u64, failure: &str, apps: &[App]) -> std::path::PathBuf {
    let trace = SeedTrace {
        seed,
        failure: failure.to_owned(),
        replicas: apps.iter().map(|a| a.trace.entries()).collect(),
    };
    let dir = trace_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("seed-{seed}.json"));
    std::fs::write(&path, serde_json::to_vec(&trace).unwrap()).unwrap();
    path
}

/// The elements of a yrs board document, as JSON values (for comparing replayed documents).
fn elements_json(doc: &Doc) -> yrs::Any {
    doc.get_or_insert_map("elements").to_json(&doc.transact())
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
    let server = TestServer::start_restartable(dir.path()).await;
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
    let server = TestServer::restart(dir.path(), addr).await;
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
    let number = |name: &str| {
        std::env::var(name).ok().map(|v| {
            v.parse::<u64>()
                .unwrap_or_else(|_| panic!("{name} is a number"))
        })
    };
    let seeds: Vec<u64> = match number("EASEL_SYNC_SEED") {
        Some(s) => vec![s],
        None => {
            let n = number("EASEL_SYNC_SEEDS").unwrap_or(50);
            let base = number("EASEL_SYNC_SEED_BASE").unwrap_or_else(|| fastrand::u64(..1 << 40));
            (base..base + n).collect()
        }
    };
    let started = std::time::Instant::now();
    for (i, &seed) in seeds.iter().enumerate() {
        println!("sync convergence seed {seed} (run it alone with EASEL_SYNC_SEED={seed})");
        run_scenario(seed).await;
        if (i + 1) % 100 == 0 {
            eprintln!("{} seeds in {:?}", i + 1, started.elapsed());
        }
    }
}

/// One seed: five apps, 25 random steps, then everything heals and must agree. A failure
/// writes the trace and panics with its path.
async fn run_scenario(seed: u64) {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_restartable(dir.path()).await;
    let addr = server.addr;
    let mut apps = Vec::new();
    let mut server = Some(server);
    let outcome = scenario_steps(seed, &dir, addr, &mut server, &mut apps).await;
    let relay_failures = server.as_ref().map_or(0, |s| {
        s.metrics
            .room_failures
            .load(std::sync::atomic::Ordering::Relaxed)
    });
    let engine_failures: u64 = apps.iter().map(App::engine_failures).sum();
    let failure = match outcome {
        Err(e) => Some(e),
        Ok(()) if engine_failures > 0 => Some(format!(
            "converged, but yrs failed {engine_failures} time(s) on a client (recovered)"
        )),
        Ok(()) if relay_failures > 0 => Some(format!(
            "converged, but the relay reloaded a room {relay_failures} time(s) after yrs failed"
        )),
        Ok(()) => None,
    };
    if let Some(failure) = failure {
        let path = write_trace(seed, &failure, &apps);
        panic!(
            "seed {seed}: {failure}; trace: {} (replay: EASEL_SYNC_TRACE={} cargo test -p easel-relay --test sync replay_a_trace)",
            path.display(),
            path.display()
        );
    }
    for a in apps.iter_mut() {
        a.disconnect().await;
    }
    if let Some(s) = server.take() {
        s.shutdown().await;
    }
}

async fn scenario_steps(
    seed: u64,
    dir: &tempfile::TempDir,
    addr: std::net::SocketAddr,
    server: &mut Option<TestServer>,
    apps: &mut Vec<App>,
) -> Result<(), String> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let base = format!("ws://{addr}");
    let board = Uuid::new_v4();
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
                    let failures = s
                        .metrics
                        .room_failures
                        .load(std::sync::atomic::Ordering::Relaxed);
                    s.shutdown().await;
                    if failures > 0 {
                        return Err(format!(
                            "the relay reloaded a room {failures} time(s) after yrs failed"
                        ));
                    }
                }
                *server = Some(TestServer::restart(dir.path(), addr).await);
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
        a.try_synced().await?;
    }
    try_converge(apps, &format!("seed {seed}")).await
}

/// Replays a failing seed's trace (`EASEL_SYNC_TRACE`) on bare yrs documents and reports each
/// replica's first failure. Without the variable, checks the trace machinery itself on a live
/// run: five apps sync through a relay, and each one's recorded trace, replayed without sockets,
/// rebuilds exactly its document.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_a_trace() {
    if let Some(path) = std::env::var_os("EASEL_SYNC_TRACE") {
        let bytes = std::fs::read(&path).expect("EASEL_SYNC_TRACE names a readable file");
        let trace: SeedTrace = serde_json::from_slice(&bytes).expect("a trace file");
        println!("seed {}: {}", trace.seed, trace.failure);
        let mut failed = Vec::new();
        for (i, entries) in trace.replicas.iter().enumerate() {
            match replay_trace(entries) {
                Ok(_) => println!("replica {i}: {} updates replay cleanly", entries.len()),
                Err((at, e)) => {
                    println!("replica {i}: update {at} of {} fails: {e}", entries.len());
                    failed.push(i);
                }
            }
        }
        assert!(failed.is_empty(), "replicas {failed:?} fail on replay");
        return;
    }
    // Traces of failures found earlier replay cleanly now, and every replica ends where the
    // others do (each of these runs converged: its sync recovered from the failure).
    let kept = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/sync-traces");
    for file in std::fs::read_dir(&kept).unwrap() {
        let path = file.unwrap().path();
        let trace: SeedTrace = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let docs: Vec<Doc> = trace
            .replicas
            .iter()
            .enumerate()
            .map(|(i, entries)| {
                replay_trace(entries).unwrap_or_else(|(at, e)| {
                    panic!("{}: replica {i}: update {at}: {e}", path.display())
                })
            })
            .collect();
        for (i, d) in docs.iter().enumerate().skip(1) {
            assert_eq!(
                elements_json(d),
                elements_json(&docs[0]),
                "{}: replica {i}",
                path.display()
            );
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(test_config(dir.path())).await;
    let base = format!("ws://{}", server.addr);
    let board = Uuid::new_v4();
    let mut apps = Vec::new();
    for i in 0..5 {
        let mut a = App::new(board, i == 0).await;
        a.connect(&base);
        apps.push(a);
    }
    for round in 0..4 {
        for (i, a) in apps.iter().enumerate() {
            a.add(&format!("r{round}-{i}"), i as f64).await;
        }
        // Someone drops out and comes back, so some updates arrive out of order or twice.
        let i = round % apps.len();
        apps[i].disconnect().await;
        apps[i].add(&format!("offline-{round}"), 0.0).await;
        apps[i].connect(&base);
    }
    for a in apps.iter_mut() {
        a.synced().await;
    }
    converge(&apps, "before replay").await;
    for (i, a) in apps.iter().enumerate() {
        let entries = a.trace.entries();
        let replayed =
            replay_trace(&entries).unwrap_or_else(|(at, e)| panic!("replica {i}: {at}: {e}"));
        let s = a.session.lock().await;
        let live = s.doc().ydoc();
        assert_eq!(
            replayed.transact().state_vector(),
            live.transact().state_vector(),
            "replica {i}"
        );
        assert_eq!(elements_json(&replayed), elements_json(live), "replica {i}");
    }
    for a in apps.iter_mut() {
        a.disconnect().await;
    }
    server.shutdown().await;
}

/// yrs failing inside an update from the relay (here a panic raised inside yrs's own commit, by
/// an update observer armed on the receiving replica, as the block-store bug of yrs 0.28.1 did):
/// the client's sync says so, the board is rebuilt from its store with nothing of the failed
/// transaction kept, and a full resync brings the update in after all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_yrs_failure_on_a_remote_update_reloads_the_board_and_resyncs() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(test_config(dir.path())).await;
    let base = format!("ws://{}", server.addr);
    let board = Uuid::new_v4();
    let mut apps = vec![App::new(board, true).await, App::new(board, false).await];
    apps[0].add("first", 0.0).await;
    apps[0].connect(&base);
    // A long backoff keeps b's "sync stopped" status up long enough to be seen.
    let mut opts = SyncOptions::new(&base);
    opts.min_backoff = Duration::from_millis(1500);
    opts.max_backoff = Duration::from_millis(1500);
    apps[1].sync = Some(sync::start(apps[1].session.clone(), opts));
    for a in apps.iter_mut() {
        a.synced().await;
    }
    converge(&apps, "before the failure").await;

    // Arm the failure: b's next remote transaction panics inside yrs's commit.
    let armed = Arc::new(AtomicBool::new(true));
    let flag = armed.clone();
    let remote = yrs::Origin::from(easel_core::doc::REMOTE_ORIGIN);
    apps[1]
        .session
        .lock()
        .await
        .doc()
        .ydoc()
        .observe_update_v1("test:fault", move |txn, _| {
            if txn.origin() == Some(&remote) && flag.swap(false, Ordering::SeqCst) {
                panic!("injected failure inside yrs");
            }
        })
        .unwrap();
    let mut status = apps[1].sync.as_ref().unwrap().watch_status();
    apps[0].add("second", 1.0).await;
    let stopped = tokio::time::timeout(
        Duration::from_secs(10),
        status.wait_for(|s| matches!(s, SyncStatus::Failed(_))),
    )
    .await
    .expect("b reports that its sync stopped")
    .unwrap()
    .clone();
    let SyncStatus::Failed(reason) = stopped else {
        unreachable!()
    };
    assert!(
        reason.starts_with("sync stopped: the document engine failed: applying a remote update: injected failure inside yrs"),
        "{reason}"
    );
    assert!(!armed.load(Ordering::SeqCst));
    assert_eq!(apps[1].engine_failures(), 1);
    // Rebuilt from the store: the failed transaction's element is not there (not even half).
    assert_eq!(apps[1].ids().await, ["first"]);

    // The full resync brings it in, and both agree; nothing more failed.
    apps[1].synced().await;
    converge(&apps, "after the resync").await;
    assert_eq!(apps[1].ids().await, ["first", "second"]);
    assert_eq!(apps[1].engine_failures(), 1);
    for a in apps.iter_mut() {
        a.disconnect().await;
    }
    server.shutdown().await;
}

/// `n` elements with some text each, as one batch (one transaction: one large update).
async fn add_many(app: &App, prefix: &str, n: usize) {
    let els: Vec<Element> = (0..n)
        .map(|i| {
            let mut e = Element::new(
                format!("{prefix}{i}"),
                ElementKind::Rectangle,
                i as f64,
                (i % 100) as f64,
            )
            .with_size(40.0, 30.0);
            e.text = format!("note {i} of a board bigger than a frame");
            e
        })
        .collect();
    app.session.lock().await.add_many(els).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_board_bigger_than_a_frame_uploads_and_downloads_in_pieces() {
    // The relay refuses frames over 1 MiB (its default max_message_bytes) and so does the sync
    // client: a board of several MiB crosses only as several updates, the step 2 last.
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(test_config(dir.path())).await;
    let base = format!("ws://{}", server.addr);
    let board = Uuid::new_v4();
    let mut owner = App::new(board, true).await;
    add_many(&owner, "offline-", 20_000).await;
    let size = owner.session.lock().await.doc().encode_state().len();
    assert!(
        size > 3 << 20,
        "the board is {size} bytes; the test needs several frames"
    );

    owner.connect(&base);
    owner.synced().await;
    // Synced means the relay holds the upload, committed: its store has every element now.
    let stored = server.store.load(&board.to_string()).await.unwrap();
    let relay_doc = easel_core::doc::BoardDoc::from_updates(stored.updates()).unwrap();
    assert_eq!(relay_doc.element_count(), 20_000);
    let mut joiner = App::new(board, false).await;
    joiner.connect(&base);
    // The joiner reports its download's progress before it is synced.
    let mut status = joiner.sync.as_ref().unwrap().watch_status();
    let progress = tokio::spawn(async move {
        let mut seen = Vec::new();
        while status.changed().await.is_ok() {
            let s = status.borrow_and_update().clone();
            if let SyncStatus::Downloading { received } = s {
                seen.push(received);
            }
            if s == SyncStatus::Synced {
                break;
            }
        }
        seen
    });
    joiner.synced().await;
    let seen = tokio::time::timeout(Duration::from_secs(10), progress)
        .await
        .unwrap()
        .unwrap();
    assert!(
        !seen.is_empty() && seen.windows(2).all(|w| w[0] < w[1]) && seen[0] >= 256 << 10,
        "download progress: {seen:?}"
    );
    let apps = vec![owner, joiner];
    converge(&apps, "the offline board, uploaded and downloaded").await;

    // A large edit while connected (an import) goes as several update messages too.
    add_many(&apps[0], "live-", 8_000).await;
    converge(&apps, "a large live edit").await;
    assert_eq!(apps[1].ids().await.len(), 28_000);
    assert_eq!(server.metrics.refused(easel_relay::Refusal::TooLarge), 0);
}
