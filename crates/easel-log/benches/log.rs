//! The document log's group commit on its own: prints figures, asserts nothing about time.
//!
//! `cargo bench -p easel-log --bench log` (add `-- --quick` for a short run). For each
//! durability (FULL: fsync per commit; NORMAL: fsync at checkpoints):
//! - closed loop, 1 writer: `Log::append` of one 60-byte update at a time (the writer task,
//!   its channel and acknowledgement included) beside a peer run in the same process that
//!   commits each update in its own IMMEDIATE transaction on one connection (the usual way);
//! - open loop: updates offered at a fixed rate (20k/s by default) whatever the acknowledgements
//!   do, each acknowledgement's latency measured from when its update was due (so a stalled
//!   writer shows as latency, not as a lower offered rate), beside the same peer offered the same
//!   rate (its updates queue on its connection's lock).
//!
//! `EASEL_BENCH_RATE` sets the open-loop rate.

use std::sync::Arc;
use std::time::{Duration, Instant};

use easel_log::{Durability, Log};
use sqlx::Connection;
use sqlx::sqlite::SqliteSynchronous;
use tokio::sync::Mutex;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let rate: f64 = std::env::var("EASEL_BENCH_RATE")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(20_000.0);
    let dir = tempfile::tempdir().unwrap();
    for durability in [Durability::Full, Durability::Normal] {
        let sync = match durability {
            Durability::Full => SqliteSynchronous::Full,
            Durability::Normal => SqliteSynchronous::Normal,
        };
        println!("## {durability:?}");
        let edits = if quick { 2_000 } else { 10_000 };
        let log = Log::open(&dir.path().join(format!("{durability:?}.db")), durability)
            .await
            .unwrap();
        let peer = Peer::open(&dir.path().join(format!("peer-{durability:?}.db")), sync).await;

        let (l_rate, l50, l99) = closed_loop(edits, |i| {
            let log = log.clone();
            async move {
                log.append("board", vec![update(i)]).await.unwrap();
            }
        })
        .await;
        let (p_rate, p50, p99) = closed_loop(edits, |i| {
            let peer = peer.clone();
            async move { peer.append(i).await }
        })
        .await;
        println!(
            "closed loop, 1 writer   log (group commit): {l_rate:>7.0}/s p50 {:>6.3} ms p99 {:>6.3} ms | peer (a transaction per update): {p_rate:>7.0}/s p50 {:>6.3} ms p99 {:>6.3} ms | ratio {:.2}x",
            ms(l50),
            ms(l99),
            ms(p50),
            ms(p99),
            l_rate / p_rate
        );

        let secs = if quick { 1.0 } else { 3.0 };
        let (l_done, l50, l99) = open_loop(rate, secs, |i| {
            let log = log.clone();
            async move {
                log.append("open", vec![update(i)]).await.unwrap();
            }
        })
        .await;
        let (p_done, p50, p99) = open_loop(rate, secs, |i| {
            let peer = peer.clone();
            async move { peer.append(i).await }
        })
        .await;
        println!(
            "open loop {rate:.0}/s offered  log: {l_done:>7.0}/s acked p50 {:>6.3} ms p99 {:>7.3} ms | peer: {p_done:>7.0}/s acked p50 {:>7.3} ms p99 {:>8.3} ms",
            ms(l50),
            ms(l99),
            ms(p50),
            ms(p99),
        );
        log.close().await;
    }
}

fn update(i: usize) -> Vec<u8> {
    let mut u = vec![7u8; 60];
    u[..8].copy_from_slice(&(i as u64).to_le_bytes());
    u
}

/// One writer, `n` appends one after the other.
async fn closed_loop<F, Fut>(n: usize, mut op: F) -> (f64, Duration, Duration)
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut lat = Vec::with_capacity(n);
    let start = Instant::now();
    for i in 0..n {
        let t = Instant::now();
        op(i).await;
        lat.push(t.elapsed());
    }
    let rate = n as f64 / start.elapsed().as_secs_f64();
    lat.sort();
    (rate, pct(&lat, 0.5), pct(&lat, 0.99))
}

/// Appends offered at `rate` per second for `secs`, each in its own task started when it is
/// due; latency runs from when it was due to its acknowledgement.
async fn open_loop<F, Fut>(rate: f64, secs: f64, mut op: F) -> (f64, Duration, Duration)
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let n = (rate * secs) as usize;
    let interval = Duration::from_secs_f64(1.0 / rate);
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(n);
    for i in 0..n {
        let due = start + interval * i as u32;
        let now = Instant::now();
        if due > now {
            // Sleep in coarse steps and release the due updates in bursts: a timer per 50 µs
            // is finer than tokio's clock; latency is still counted from each one's due time.
            if due - now > Duration::from_millis(1) {
                tokio::time::sleep(due - now).await;
            } else {
                tokio::task::yield_now().await;
            }
        }
        let fut = op(i);
        tasks.push(tokio::spawn(async move {
            fut.await;
            due.elapsed()
        }));
    }
    let mut lat = Vec::with_capacity(n);
    for t in tasks {
        lat.push(t.await.unwrap());
    }
    let done = n as f64 / start.elapsed().as_secs_f64();
    lat.sort();
    (done, pct(&lat, 0.5), pct(&lat, 0.99))
}

/// The usual way: one connection, an IMMEDIATE transaction per update.
#[derive(Clone)]
struct Peer {
    conn: Arc<Mutex<(sqlx::SqliteConnection, i64)>>,
}

impl Peer {
    async fn open(path: &std::path::Path, sync: SqliteSynchronous) -> Peer {
        let opts = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
            .synchronous(sync)
            .busy_timeout(Duration::from_secs(30));
        let mut conn = sqlx::SqliteConnection::connect_with(&opts).await.unwrap();
        sqlx::raw_sql(
            "CREATE TABLE u (doc TEXT NOT NULL, seq INTEGER NOT NULL, data BLOB NOT NULL,
                             created_at INTEGER NOT NULL, PRIMARY KEY (doc, seq)) WITHOUT ROWID",
        )
        .execute(&mut conn)
        .await
        .unwrap();
        Peer {
            conn: Arc::new(Mutex::new((conn, 0))),
        }
    }

    async fn append(&self, i: usize) {
        let mut guard = self.conn.lock().await;
        let (conn, seq) = &mut *guard;
        *seq += 1;
        let mut tx = conn.begin_with("BEGIN IMMEDIATE").await.unwrap();
        sqlx::query("INSERT INTO u (doc, seq, data, created_at) VALUES ('board', ?, ?, ?)")
            .bind(*seq)
            .bind(update(i))
            .bind(0i64)
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
}
