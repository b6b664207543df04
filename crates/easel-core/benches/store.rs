//! Store and document benchmark: prints figures, asserts nothing about time.
//!
//! `cargo bench -p easel-core --bench store` (add `-- --quick` for a short run). Prints:
//! - open time of boards with 10k and 100k elements (snapshot + tail, and reading every element);
//! - persisted single-element edits per second with p50/p99 acknowledgement latency, through
//!   the group-committing store, beside a peer run in the same process that commits each edit in
//!   its own transaction (the usual way), and the ratio between them;
//! - database size before and after compaction.

use std::sync::Arc;
use std::time::{Duration, Instant};

use easel_core::{Durability, Easel, ElementPatch, Store};
use sqlx::Connection;
use sqlx::sqlite::SqliteSynchronous;
use tokio::sync::Mutex;

mod common;
use common::{ms, scene};

fn pct(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("bench.db")).await.unwrap();
    let easel = Easel::new(store.clone());
    let me = easel.local_user().await.unwrap();

    println!("## open time (snapshot + tail -> yrs doc), best of 5");
    let sizes: &[usize] = if quick { &[10_000] } else { &[10_000, 100_000] };
    for &n in sizes {
        let b = easel
            .import_board(me.id, &scene(n), None, "bench")
            .await
            .unwrap()
            .id;
        {
            // Compact so the board opens from one snapshot, as a long-lived board does.
            let mut s = easel.open_board(me.id, b).await.unwrap();
            s.snapshot(None).await.unwrap();
        }
        let mut open = Duration::MAX;
        let mut read = Duration::MAX;
        for _ in 0..5 {
            let t = Instant::now();
            let s = easel.open_board(me.id, b).await.unwrap();
            open = open.min(t.elapsed());
            let t = Instant::now();
            let els = s.elements();
            read = read.min(t.elapsed());
            assert_eq!(els.len(), n);
        }
        let snap = store.snapshots(b).await.unwrap()[0].size;
        println!(
            "{n:>7} elements: open {:>7.1} ms, read all elements {:>7.1} ms, snapshot {:.1} MiB",
            ms(open),
            ms(read),
            snap as f64 / 1048576.0
        );
    }

    for durability in [Durability::Full, Durability::Normal] {
        let (label, sync) = match durability {
            Durability::Full => (
                "FULL: fsync per commit, survives power loss",
                SqliteSynchronous::Full,
            ),
            Durability::Normal => (
                "NORMAL: survives a killed app, not a power cut",
                SqliteSynchronous::Normal,
            ),
        };
        println!("\n## persisted single-element edits, WAL + synchronous={label}");
        let edits = if quick { 4_000 } else { 32_000 };
        let path = dir.path().join(format!("edits-{durability:?}.db"));
        let estore = Store::open_with(&path, durability).await.unwrap();
        let eeasel = Easel::new(estore.clone());
        let eme = eeasel.local_user().await.unwrap().id;
        for writers in [1usize, 16, 64] {
            // Each writer edits its own board, as the app with several boards open, or a relay
            // with many rooms, does; the store's group commit batches across them.
            let mut boards = Vec::new();
            for _ in 0..writers {
                boards.push(
                    eeasel
                        .import_board(eme, &scene(200), None, "bench")
                        .await
                        .unwrap()
                        .id,
                );
            }
            let (rate, p50, p99) = run_edits(&eeasel, eme, &boards, edits).await;
            let peer_path = dir.path().join("peer.db");
            let (prate, pp50, pp99) = run_peer(&peer_path, sync, writers, edits / 4).await;
            println!(
                "{writers:>2} writers  easel (group commit): {rate:>7.0} edits/s  p50 {:>6.3} ms  p99 {:>6.3} ms | peer (a transaction per edit): {prate:>7.0} edits/s  p50 {:>6.3} ms  p99 {:>6.3} ms | throughput ratio {:.1}x",
                ms(p50),
                ms(p99),
                ms(pp50),
                ms(pp99),
                rate / prate
            );
        }
    }

    let b = easel
        .import_board(me.id, &scene(1_000), None, "bench")
        .await
        .unwrap()
        .id;
    {
        let mut s = easel.open_board(me.id, b).await.unwrap();
        for i in 0..20_000 {
            let id = format!("e{}", i % 1000);
            s.update(
                &id,
                &ElementPatch {
                    x: Some(i as f64),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        }
    }
    println!("\n## database size and compaction");
    let before = store.size().await.unwrap();
    {
        let mut s = easel.open_board(me.id, b).await.unwrap();
        s.snapshot(None).await.unwrap();
    }
    store.vacuum().await.unwrap();
    let after = store.size().await.unwrap();
    println!(
        "before compaction {:.2} MiB, after {:.2} MiB ({:.1}x smaller)",
        before.bytes as f64 / 1048576.0,
        after.bytes as f64 / 1048576.0,
        before.bytes as f64 / after.bytes as f64
    );
}

/// One session per board, each moving random elements of its board, `total` edits in all.
async fn run_edits(
    easel: &Easel,
    me: uuid::Uuid,
    boards: &[uuid::Uuid],
    total: usize,
) -> (f64, Duration, Duration) {
    let writers = boards.len();
    let mut sessions = Vec::new();
    for &b in boards {
        sessions.push(easel.open_board(me, b).await.unwrap());
    }
    let per = total / writers;
    let start = Instant::now();
    let mut tasks = Vec::new();
    for (w, mut s) in sessions.into_iter().enumerate() {
        tasks.push(tokio::spawn(async move {
            let mut rng = fastrand::Rng::with_seed(w as u64);
            let mut lat = Vec::with_capacity(per);
            for i in 0..per {
                let id = format!("e{}", rng.usize(0..200));
                let t = Instant::now();
                s.update(
                    &id,
                    &ElementPatch {
                        x: Some(i as f64),
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
                lat.push(t.elapsed());
            }
            lat
        }));
    }
    summarize(start, tasks).await
}

/// The peer: the same kind of row, one IMMEDIATE transaction per edit, on its own file with the
/// same pragmas. This is what a store without group commit does.
async fn run_peer(
    path: &std::path::Path,
    sync: SqliteSynchronous,
    writers: usize,
    total: usize,
) -> (f64, Duration, Duration) {
    let _ = std::fs::remove_file(path);
    let opts = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
        .synchronous(sync)
        .busy_timeout(Duration::from_secs(30));
    let mut conn = sqlx::SqliteConnection::connect_with(&opts).await.unwrap();
    sqlx::raw_sql("CREATE TABLE u (board TEXT NOT NULL, seq INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (board, seq)) WITHOUT ROWID")
        .execute(&mut conn)
        .await
        .unwrap();
    // One connection shared by the writers, as in-process stores usually do; a pool of
    // connections only adds lock contention in SQLite.
    let conn = Arc::new(Mutex::new(conn));
    let seq = Arc::new(std::sync::atomic::AtomicI64::new(0));
    let per = total / writers;
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..writers {
        let conn = conn.clone();
        let seq = seq.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(per);
            let data = vec![7u8; 60];
            for _ in 0..per {
                let t = Instant::now();
                let mut c = conn.lock().await;
                let mut tx = c.begin_with("BEGIN IMMEDIATE").await.unwrap();
                let s = seq.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                sqlx::query("INSERT INTO u VALUES ('b', ?, ?)")
                    .bind(s)
                    .bind(&data)
                    .execute(&mut *tx)
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
                drop(c);
                lat.push(t.elapsed());
            }
            lat
        }));
    }
    summarize(start, tasks).await
}

/// Throughput since `start` and p50/p99 latency over every task's latencies.
async fn summarize(
    start: Instant,
    tasks: Vec<tokio::task::JoinHandle<Vec<Duration>>>,
) -> (f64, Duration, Duration) {
    let mut lat = Vec::new();
    for t in tasks {
        lat.extend(t.await.unwrap());
    }
    let elapsed = start.elapsed();
    lat.sort();
    (
        lat.len() as f64 / elapsed.as_secs_f64(),
        pct(&lat, 0.5),
        pct(&lat, 0.99),
    )
}
