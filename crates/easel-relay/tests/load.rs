//! Many connections: 1,000 clients in 100 rooms, each room served; and the relay binary's RSS
//! with 1,000 idle connections.

mod common;

use std::time::{Duration, Instant};

use common::*;
use easel_proto::message;
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::{Bytes, Message};

const ROOMS: usize = 100;
const PER_ROOM: usize = 10;

fn room(i: usize) -> String {
    format!("load-{i:03}")
}

/// A small real update: `m["k"] = i` from a fresh doc.
fn update(i: usize) -> Vec<u8> {
    use yrs::{Map, ReadTxn, Transact};
    let doc = yrs::Doc::new();
    let m = doc.get_or_insert_map("m");
    m.insert(&mut doc.transact_mut(), "k", i as i64);
    doc.transact()
        .encode_state_as_update_v1(&yrs::StateVector::default())
}

async fn open_all(url_of: impl Fn(usize) -> String) -> Vec<(usize, Ws)> {
    futures_util::stream::iter(0..ROOMS * PER_ROOM)
        .map(|i| {
            let url = url_of(i % ROOMS);
            async move { (i % ROOMS, raw_connect(&url).await) }
        })
        .buffer_unordered(64)
        .collect()
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_clients_in_a_hundred_rooms() {
    let dir = tempfile::tempdir().unwrap();
    let srv = TestServer::start(test_config(dir.path())).await;
    let t0 = Instant::now();
    let clients = open_all(|r| srv.url(&room(r))).await;
    println!("1000 connections open in {:?}", t0.elapsed());
    let deadline = Instant::now() + T;
    while srv
        .metrics
        .connections
        .load(std::sync::atomic::Ordering::Relaxed)
        != (ROOMS * PER_ROOM) as u64
    {
        assert!(
            Instant::now() < deadline,
            "connections never all registered"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Every client waits for the broadcast of its room's update.
    let mut waiters = tokio::task::JoinSet::new();
    for (r, mut ws) in clients {
        waiters.spawn(async move {
            loop {
                // A sync-update message (type 0, sub-type 2): the room's broadcast.
                match tokio::time::timeout(T, ws.next()).await {
                    Ok(Some(Ok(Message::Binary(b)))) if b.starts_with(&[0, 2]) => return ws,
                    Ok(Some(Ok(_))) => {}
                    other => panic!("room {r}: no broadcast: {other:?}"),
                }
            }
        });
    }
    let t1 = Instant::now();
    for r in 0..ROOMS {
        let mut w = raw_connect(&srv.url(&room(r))).await;
        w.send(Message::Binary(Bytes::from(message::encode_update(
            &update(r),
        ))))
        .await
        .unwrap();
        w.close(None).await.unwrap();
    }
    let mut served = 0;
    while let Some(ws) = waiters.join_next().await {
        drop(ws.unwrap());
        served += 1;
    }
    assert_eq!(served, ROOMS * PER_ROOM);
    println!(
        "every client got its room's broadcast in {:?}",
        t1.elapsed()
    );
    srv.shutdown().await;
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rss_of_the_binary_with_a_thousand_idle_connections() {
    if !std::path::Path::new("/proc/self/status").exists() {
        println!("skipped: no /proc to read RSS from");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_easel-relay"))
        .args(["--listen", &addr.to_string(), "--auth", "none"])
        .arg("--data")
        .arg(dir.path())
        .args(["--max-connections-per-ip", "5000"])
        // A thousand connections from 127.0.0.1 at once: lift the per-address connect rate.
        .args(["--connect-rate", "1000000", "--connect-burst", "1000000"])
        .env("RUST_LOG", "warn")
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let pid = child.id().unwrap();
    let deadline = Instant::now() + T;
    while tokio::net::TcpStream::connect(addr).await.is_err() {
        assert!(Instant::now() < deadline, "relay binary did not start");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let before = rss_kib(pid);
    let conns = open_all(|r| format!("ws://{addr}/{}", room(r))).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = rss_kib(pid);
    let per_conn = (after.saturating_sub(before)) as f64 / conns.len() as f64;
    println!(
        "relay RSS: {before} KiB before, {after} KiB with {} idle connections in {ROOMS} rooms \
         (rooms included): {per_conn:.1} KiB per connection",
        conns.len()
    );
    assert!(after < 512 * 1024, "RSS {after} KiB is out of bounds");
    drop(conns);
    child.kill().await.unwrap();
}
