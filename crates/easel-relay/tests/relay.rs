//! The relay over real sockets: convergence, awareness, persistence, bad input, slow clients.

mod common;

use std::time::Duration;

use common::*;
use easel_proto::message;
use futures_util::SinkExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::{Bytes, Message};

const ROOM: &str = "3f2b1c9e-0000-4000-8000-000000000001";

async fn http_get(addr: std::net::SocketAddr, path: &str) -> String {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut out = String::new();
    tokio::time::timeout(T, s.read_to_string(&mut out))
        .await
        .unwrap()
        .unwrap();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_converge_with_awareness_late_join_and_isolated_rooms() {
    let dir = tempfile::tempdir().unwrap();
    let srv = TestServer::start(test_config(dir.path())).await;
    let mut a = Client::connect(&srv.url(ROOM)).await;
    let mut b = Client::connect(&srv.url(ROOM)).await;
    let mut c = Client::connect(&srv.url(ROOM)).await;
    let mut other = Client::connect(&srv.url("other-room/comments")).await;

    a.set("a", "1").await;
    b.set("b", "2").await;
    c.set("c", "3").await;
    other.set("x", "elsewhere").await;
    for cl in [&mut a, &mut b, &mut c] {
        cl.pump_until("three keys", |c| c.len() == 3).await;
    }
    assert_eq!(a.state(), b.state());
    assert_eq!(b.state(), c.state());
    assert_eq!(a.get("x"), None, "rooms are isolated");

    // Awareness from one reaches the others.
    a.set_awareness(r#"{"user":{"name":"ada"},"cursor":{"x":1,"y":2}}"#)
        .await;
    let aid = a.peer.awareness().local_client();
    for cl in [&mut b, &mut c] {
        cl.pump_until("a's awareness", |c| {
            c.peer
                .awareness()
                .state(aid)
                .is_some_and(|s| s.contains("ada"))
        })
        .await;
    }

    // A late joiner gets the full state and the current awareness.
    let mut late = Client::connect(&srv.url(ROOM)).await;
    late.pump_until("full state", |c| {
        c.len() == 3 && c.peer.awareness().state(aid).is_some()
    })
    .await;
    assert_eq!(late.get("b").as_deref(), Some("2"));

    // A leaving client's awareness is removed for the others.
    a.ws.close(None).await.unwrap();
    b.pump_until("a's awareness removed", |c| {
        c.peer.awareness().state(aid).is_none()
    })
    .await;

    other.pump_for(Duration::from_millis(100)).await;
    assert_eq!(other.len(), 1, "the other room saw only its own edit");

    // HTTP endpoints on the same port.
    let health = http_get(srv.addr, "/health").await;
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(health.ends_with("ok"));
    let metrics = http_get(srv.addr, "/metrics").await;
    assert!(metrics.contains("easel_relay_connections "), "{metrics}");
    // Clients answer the relay's sync step 1 with their whole state; only real changes count.
    assert!(
        metrics.contains("easel_relay_updates_persisted_total 4\n"),
        "{metrics}"
    );
    assert!(metrics.contains("easel_relay_rooms_loaded 2"), "{metrics}");

    // Invalid room names are refused at the handshake.
    for bad in ["a/../b", "", "a%20b"] {
        let r = tokio_tungstenite::connect_async(srv.url(bad)).await;
        assert!(r.is_err(), "room {bad:?} should be refused");
    }
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_loses_nothing_and_idle_rooms_reload() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = test_config(dir.path());
    cfg.compact_every = 7;
    cfg.idle_room_timeout = Duration::from_millis(300);
    let srv = TestServer::start(cfg.clone()).await;
    let mut a = Client::connect(&srv.url(ROOM)).await;
    for i in 0..20 {
        a.set(&format!("k{i}"), &format!("v{i}")).await;
    }
    // A second client seeing every edit means the room applied them all; the shutdown below
    // waits for their commits.
    let mut b = Client::connect(&srv.url(ROOM)).await;
    b.pump_until("20 keys", |c| c.len() == 20).await;
    // Compaction runs after the turn's broadcast, so give it a moment.
    let deadline = tokio::time::Instant::now() + T;
    while srv
        .metrics
        .compactions
        .load(std::sync::atomic::Ordering::Relaxed)
        == 0
    {
        assert!(tokio::time::Instant::now() < deadline, "never compacted");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (_, closing) = expect_close_after_shutdown(srv, &mut a).await;
    assert_eq!(closing, 1001);

    let srv = TestServer::start(cfg.clone()).await;
    let mut fresh = Client::connect(&srv.url(ROOM)).await;
    fresh
        .pump_until("everything after restart", |c| c.len() == 20)
        .await;
    assert_eq!(fresh.state(), b.state());

    // Idle unload: with no connections the room leaves memory, and comes back on demand.
    fresh.set("after", "restart").await;
    let mut watcher = Client::connect(&srv.url(ROOM)).await;
    watcher.pump_until("21 keys", |c| c.len() == 21).await;
    drop(fresh);
    drop(watcher);
    let gauge = &srv.metrics.rooms_loaded;
    let deadline = tokio::time::Instant::now() + T;
    while gauge.load(std::sync::atomic::Ordering::Relaxed) != 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "room never unloaded"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Unloading flushed the room into a snapshot.
    assert_eq!(srv.store.update_count(ROOM).await.unwrap(), 0);
    let mut back = Client::connect(&srv.url(ROOM)).await;
    back.pump_until("reloaded room", |c| c.len() == 21).await;
    assert_eq!(back.get("after").as_deref(), Some("restart"));
    srv.shutdown().await;
}

async fn expect_close_after_shutdown(srv: TestServer, ws: &mut Client) -> ((), u16) {
    let close = tokio::spawn(async move { srv.shutdown().await });
    let (code, _) = expect_close(&mut ws.ws).await;
    close.await.unwrap();
    ((), code)
}

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../../fixtures/yrs-malformed/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read fixture {path}: {e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_closes_only_the_sender_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = test_config(dir.path());
    cfg.max_message_bytes = 64 * 1024;
    cfg.message_rate = 50.0;
    cfg.message_burst = 100.0;
    let srv = TestServer::start(cfg).await;

    // A healthy pair in another room keeps working throughout.
    let mut w1 = Client::connect(&srv.url("healthy")).await;
    let mut w2 = Client::connect(&srv.url("healthy")).await;

    let mut cases: Vec<(String, Vec<u8>)> = Vec::new();
    // Each fixture bare, and wrapped as the message it would be handed to yrs as.
    for f in [
        "awareness_msg_abort.bin",
        "idset_oom_v1.bin",
        "utf8_segv_v1.bin",
        "v2_readusize_panic.bin",
    ] {
        let b = fixture(f);
        cases.push((format!("{f} bare"), b.clone()));
        if f != "awareness_msg_abort.bin" {
            cases.push((format!("{f} as update"), message::encode_update(&b)));
            cases.push((format!("{f} as step 2"), message::encode_sync_step2(&b)));
        }
    }
    cases.push(("truncated varint".into(), vec![0x80]));
    cases.push((
        "huge varint".into(),
        vec![
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
        ],
    ));
    cases.push((
        "length past the frame".into(),
        vec![0, 2, 0xff, 0x7f, 1, 2, 3],
    ));
    cases.push(("awareness length past the frame".into(), vec![1, 50, 1, 2]));
    cases.push(("unknown message type".into(), vec![9]));
    cases.push(("trailing bytes".into(), vec![3, 0]));
    // Validates as lib0 framing but is not a Yjs update: a struct section claiming a client
    // with garbage content.
    cases.push((
        "invalid yrs update".into(),
        message::encode_update(&[1, 1, 5, 0, 0xff, 0, 0]),
    ));
    cases.push(("empty message".into(), vec![]));

    for (name, bytes) in &cases {
        let mut bad = raw_connect(&srv.url(&format!("bad-{}", name.len()))).await;
        bad.send(Message::Binary(Bytes::from(bytes.clone())))
            .await
            .unwrap();
        let (code, reason) = expect_close(&mut bad).await;
        assert_eq!(code, 1007, "{name}: {reason}");
        assert!(
            !reason.is_empty() && reason.len() <= 123,
            "{name}: {reason:?}"
        );
        println!("{name}: 1007 {reason}");
    }
    let (updates, snapshots) = srv.store.totals().await.unwrap();
    assert_eq!((updates, snapshots), (0, 0), "nothing persisted");

    // A text frame: 1003.
    let mut t = raw_connect(&srv.url("bad-text")).await;
    t.send(Message::Text("hello".into())).await.unwrap();
    assert_eq!(expect_close(&mut t).await.0, 1003);

    // An oversized message: 1009.
    let mut big = raw_connect(&srv.url("bad-big")).await;
    let _ = big
        .send(Message::Binary(Bytes::from(message::encode_update(
            &vec![0; 100_000],
        ))))
        .await;
    let (code, reason) = expect_close(&mut big).await;
    assert_eq!(code, 1009);
    assert!(
        reason.contains("up to"),
        "the close says the limit: {reason}"
    );

    // A flood of (valid) query-awareness messages: 1008.
    let mut flood = raw_connect(&srv.url("bad-flood")).await;
    for _ in 0..400 {
        if flood
            .send(Message::Binary(Bytes::from(
                message::encode_query_awareness(),
            )))
            .await
            .is_err()
        {
            break;
        }
    }
    let (code, reason) = expect_close(&mut flood).await;
    assert_eq!(code, 1008, "{reason}");

    // The healthy room still converges and the store holds only its update.
    w1.set("still", "alive").await;
    w2.pump_until("healthy update", |c| c.get("still").is_some())
        .await;
    // A broadcast may beat the commit; the step 2 answering w1's next step 1 may not (the
    // first step 2 w1 reads answers its handshake).
    w1.send(message::encode_sync_step1(&w1.sv())).await;
    next_step2(&mut w1).await;
    next_step2(&mut w1).await;
    let (updates, _) = srv.store.totals().await.unwrap();
    assert_eq!(updates, 1);
    let m = &srv.metrics;
    use easel_relay::Refusal::*;
    assert!(m.refused(Malformed) + m.refused(Rejected) >= cases.len() as u64);
    assert_eq!(m.refused(TextFrame), 1);
    assert_eq!(m.refused(TooLarge), 1);
    assert_eq!(m.refused(RateLimited), 1);
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_consumers_are_resynced_then_closed_while_others_get_everything() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = test_config(dir.path());
    cfg.send_queue = 32;
    cfg.max_resyncs = 2;
    let srv = TestServer::start(cfg).await;
    let url = srv.url(ROOM);
    let mut writer = Client::connect(&url).await;
    let mut reader = Client::connect(&url).await;
    // Joins, says nothing, and never reads.
    let _sleeper = raw_connect_small_buffer(srv.addr, ROOM).await;

    let n = 150;
    let read = tokio::spawn(async move {
        reader
            .pump_until("every update", |c| c.text_len("t") as usize == n * 60_000)
            .await;
        reader
    });
    write_chunks(&mut writer, n).await;
    let reader = tokio::time::timeout(Duration::from_secs(30), read)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(reader.state(), writer.state());
    let m = &srv.metrics;
    eventually("slow client never closed", || {
        m.slow_disconnects
            .load(std::sync::atomic::Ordering::Relaxed)
            > 0
    })
    .await;
    assert_eq!(m.slow_resyncs.load(std::sync::atomic::Ordering::Relaxed), 2);
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resynced_client_converges() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = test_config(dir.path());
    cfg.send_queue = 2;
    cfg.max_resyncs = 1000;
    cfg.message_rate = 1.0e6;
    cfg.message_burst = 1.0e6;
    let srv = TestServer::start(cfg).await;
    let url = srv.url(ROOM);
    let mut writer = Client::connect(&url).await;
    // A small receive buffer, so that the relay's socket buffers fill and its queue with them.
    let mut lazy = Client::connect_small_buffer(srv.addr, ROOM).await;
    // Write until the relay has had to resync the client that does not read (its socket
    // buffers absorb a few megabytes first).
    let resyncs = || {
        srv.metrics
            .slow_resyncs
            .load(std::sync::atomic::Ordering::Relaxed)
    };
    let deadline = tokio::time::Instant::now() + T;
    let mut n = 0;
    while resyncs() == 0 || n < 200 {
        assert!(tokio::time::Instant::now() < deadline, "never resynced");
        writer.set(&format!("k{n}"), &"v".repeat(20_000)).await;
        n += 1;
        if n % 50 == 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    // Only now start reading: its queue overflowed.
    lazy.pump_until("everything", |c| c.len() == n).await;
    assert_eq!(lazy.state(), writer.state());
    srv.shutdown().await;
}

/// Broadcasts go out before the commit; replies to a client wait for it. So a client that sent
/// an update and then sync step 1 knows, once the answering step 2 arrives, that the update is
/// on disk (this is how `sync_once` confirms).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_comes_only_after_what_preceded_it_is_durable() {
    use yrs::{Map, Transact, updates::decoder::Decode};
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = test_config(dir.path());
    // An fsync per commit: a reply sent before its commit would beat it by milliseconds.
    cfg.durability = easel_relay::Durability::Full;
    cfg.compact_every = 5;
    let srv = TestServer::start(cfg).await;
    let mut a = Client::connect(&srv.url(ROOM)).await;
    let mut b = Client::connect(&srv.url(ROOM)).await;
    // The handshake's own step 2 first, so every step 2 below answers our step 1 of its round.
    let mut step2s = 0;
    next_step2(&mut a).await;
    for i in 0..12 {
        let key = format!("k{i}");
        a.set(&key, "v").await;
        a.send(message::encode_sync_step1(&a.sv())).await;
        next_step2(&mut a).await;
        step2s += 1;
        // The store alone (snapshot + log) must hold the update now.
        let stored = srv.store.load(ROOM).await.unwrap();
        let doc = yrs::Doc::new();
        {
            let mut txn = doc.transact_mut();
            for blob in stored
                .snapshot
                .iter()
                .chain(stored.tail.iter().map(|(_, u)| u))
            {
                txn.apply_update(yrs::Update::decode_v1(blob).unwrap())
                    .unwrap();
            }
        }
        let map = doc.get_or_insert_map("m");
        assert!(
            map.get(&doc.transact(), &key).is_some(),
            "round {i}: the step 2 reply arrived before {key} was stored"
        );
    }
    assert_eq!(step2s, 12);
    // The other client got every edit (as broadcasts).
    b.pump_until("12 keys", |c| c.len() == 12).await;
    srv.shutdown().await;
}

/// Handles incoming messages (answering the server's step 1) through the next sync step 2.
async fn next_step2(c: &mut Client) {
    use futures_util::StreamExt;
    loop {
        let msg = tokio::time::timeout(T, c.ws.next())
            .await
            .expect("a message in time")
            .expect("open")
            .unwrap();
        if let Message::Binary(bytes) = msg {
            let is_step2 = bytes.starts_with(&[0, 1]);
            for o in c.peer.handle(&bytes).unwrap() {
                if let easel_proto::Outgoing::Reply(r) = o {
                    c.send(r).await;
                }
            }
            if is_step2 {
                return;
            }
        }
    }
}

/// With threads of its own (`Config::threads`), the relay starts connections on its threads in
/// turn and moves each one to its room's thread before the WebSocket handshake; embedded (no
/// threads of its own) nothing moves. Either way every client gets its room's edits and only
/// those.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_move_to_their_rooms_thread() {
    for threads in [0, 2] {
        let dir = tempfile::tempdir().unwrap();
        let mut cfg = test_config(dir.path());
        cfg.threads = threads;
        let srv = TestServer::start(cfg).await;
        let rooms = ["room-a", "room-b/comments", ROOM];
        let mut clients = Vec::new();
        for i in 0..12 {
            clients.push(Client::connect(&srv.url(rooms[i % 3])).await);
        }
        for (i, c) in clients.iter_mut().enumerate() {
            c.set(&format!("k{i}"), rooms[i % 3]).await;
        }
        for (i, c) in clients.iter_mut().enumerate() {
            c.pump_until("its room's four keys", |c| c.len() == 4).await;
            assert_eq!(
                c.get(&format!("k{}", (i + 3) % 12)).as_deref(),
                Some(rooms[i % 3])
            );
        }
        let moved = srv
            .metrics
            .connections_moved
            .load(std::sync::atomic::Ordering::Relaxed);
        // Two threads, three rooms: each room's connections start on both threads, and the
        // half that started on the other one moved.
        assert_eq!(moved, if threads == 0 { 0 } else { 6 }, "threads={threads}");
        // HTTP requests are answered where they land: they are not connections to move.
        for path in ["/health", "/metrics", "/health", "/metrics"] {
            assert!(http_get(srv.addr, path).await.starts_with("HTTP/1.1 200"));
        }
        assert_eq!(
            srv.metrics
                .connections_moved
                .load(std::sync::atomic::Ordering::Relaxed),
            moved
        );
        srv.shutdown().await;
    }
}

/// One turn of the room may carry more frames for a connection than its queue's cap (many
/// writers or cursors at once): here 40 updates arrive in one write against a cap of 4. Clients
/// that keep up get every one and none is resynced; the cap is about what is left unsent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_turn_bigger_than_the_queue_cap_is_no_slow_consumer() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = test_config(dir.path());
    cfg.send_queue = 4;
    cfg.max_resyncs = 0;
    let srv = TestServer::start(cfg).await;
    let url = srv.url(ROOM);
    let mut writer = Client::connect(&url).await;
    let mut readers = Vec::new();
    for _ in 0..3 {
        readers.push(Client::connect(&url).await);
    }
    for r in readers.iter_mut() {
        r.pump_for(Duration::from_millis(50)).await;
    }
    let map = writer.peer.doc().get_or_insert_map("m");
    for i in 0..40 {
        let doc = writer.peer.doc();
        let before = yrs::ReadTxn::state_vector(&yrs::Transact::transact(doc));
        yrs::Map::insert(
            &map,
            &mut yrs::Transact::transact_mut(doc),
            format!("k{i}"),
            "v",
        );
        let update = yrs::ReadTxn::encode_diff_v1(&yrs::Transact::transact(doc), &before);
        writer
            .ws
            .feed(Message::Binary(Bytes::from(message::encode_update(
                &update,
            ))))
            .await
            .unwrap();
    }
    writer.ws.flush().await.unwrap();
    for r in readers.iter_mut() {
        r.pump_until("all 40 keys", |c| c.len() == 40).await;
        assert_eq!(r.state(), writer.state());
    }
    let m = &srv.metrics;
    assert_eq!(m.slow_resyncs.load(std::sync::atomic::Ordering::Relaxed), 0);
    assert_eq!(
        m.slow_disconnects
            .load(std::sync::atomic::Ordering::Relaxed),
        0
    );
    srv.shutdown().await;
}

/// A client whose downlink is stalled (it reads nothing, its socket buffers are full) is still
/// heard: what it sends is read and relayed at once. Reading never waits for writing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_does_not_read_is_still_heard() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = test_config(dir.path());
    // Neither resynced nor closed during the test: its connection stays stuck on writing.
    cfg.send_queue = 100_000;
    cfg.message_rate = 1.0e6;
    cfg.message_burst = 1.0e6;
    let srv = TestServer::start(cfg).await;
    let url = srv.url(ROOM);
    let mut writer = Client::connect(&url).await;
    let mut reader = Client::connect(&url).await;
    let mut stalled = Client::connect_small_buffer(srv.addr, ROOM).await;
    // 10 MB for the stalled client: far more than its socket buffers hold.
    let n = 100;
    for i in 0..n {
        writer.set(&format!("big{i}"), &"x".repeat(100_000)).await;
    }
    reader
        .pump_until("every big update", |c| c.len() as usize == n)
        .await;
    stalled.set("from-the-stalled-client", "heard").await;
    reader
        .pump_until("the stalled client's edit", |c| {
            c.get("from-the-stalled-client").is_some()
        })
        .await;
    assert_eq!(
        srv.metrics
            .slow_resyncs
            .load(std::sync::atomic::Ordering::Relaxed),
        0
    );
    srv.shutdown().await;
}

/// An awareness message about `client` at `clock` (`None`: a removal), as any Yjs client can send.
fn awareness_of(client: u64, clock: u64, state: Option<&str>) -> Vec<u8> {
    let entry = easel_proto::AwarenessEntry {
        client_id: client,
        clock,
        state: state.map(str::to_owned),
    };
    let payload =
        message::AwarenessPayload::from_entries(vec![entry], &easel_proto::Limits::default())
            .unwrap();
    message::encode_awareness(&payload.encode())
}

/// Awareness belongs to the connection that introduced each client id: another connection can
/// neither overwrite nor remove it (no spoofed cursor or name, no hijacked Follow), one
/// connection holds at most four ids, and an id is released when its connection leaves.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn awareness_ids_belong_to_the_connection_that_introduced_them() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(test_config(dir.path())).await;
    let url = server.url(ROOM);
    let mut a = Client::connect(&url).await;
    let mut b = Client::connect(&url).await;
    let mut c = Client::connect(&url).await;
    let ada = r#"{"user":{"name":"ada"}}"#;
    a.set_awareness(ada).await;
    let aid = a.peer.awareness().local_client();
    c.pump_until("ada's presence", |c| {
        c.peer.awareness().state(aid).is_some()
    })
    .await;

    // b forges ada's id: a newer state, then a removal at a newer clock still.
    b.send(awareness_of(
        aid,
        100,
        Some(r#"{"user":{"name":"mallory"}}"#),
    ))
    .await;
    b.send(awareness_of(aid, 101, None)).await;
    // b's own presence goes through, after everything b sent before it.
    b.set_awareness(r#"{"user":{"name":"bob"}}"#).await;
    let bid = b.peer.awareness().local_client();
    c.pump_until("bob's presence", |c| {
        c.peer.awareness().state(bid).is_some()
    })
    .await;
    assert_eq!(
        c.peer.awareness().state(aid),
        Some(ada),
        "ada's presence is hers"
    );
    assert_eq!(server.metrics.refused(easel_relay::Refusal::Awareness), 2);

    // Six more ids from b: it holds four in all, its own included.
    for id in 1..=6 {
        b.send(awareness_of(1000 + id, 1, Some("{}"))).await;
    }
    b.set_awareness(r#"{"user":{"name":"bob 2"}}"#).await;
    c.pump_until("bob's second state", |c| {
        c.peer.awareness().state(bid) == Some(r#"{"user":{"name":"bob 2"}}"#)
    })
    .await;
    let extra = (1001..=1006)
        .filter(|id| c.peer.awareness().state(*id).is_some())
        .count();
    assert_eq!(extra, 3);

    // Ada leaves: her presence goes for everyone, and her id is free again.
    a.ws.close(None).await.unwrap();
    c.pump_until("ada's presence removed", |c| {
        c.peer.awareness().state(aid).is_none()
    })
    .await;
    let mut d = Client::connect(&url).await;
    d.send(awareness_of(
        aid,
        200,
        Some(r#"{"user":{"name":"ada again"}}"#),
    ))
    .await;
    c.pump_until("the released id taken again", |c| {
        c.peer.awareness().state(aid) == Some(r#"{"user":{"name":"ada again"}}"#)
    })
    .await;
    server.shutdown().await;
}

/// Waits (up to `T`) until `done` holds; fails with `what` if it never does.
async fn eventually(what: &str, done: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + T;
    while !done() {
        assert!(tokio::time::Instant::now() < deadline, "{what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Writes `n` chunks of 60 KB of text into the room through `writer`, staying under the rate
/// limit and letting a reading client keep up.
async fn write_chunks(writer: &mut Client, n: usize) {
    let chunk = "x".repeat(60_000);
    for i in 0..n {
        let doc = writer.peer.doc();
        let text = doc.get_or_insert_text("t");
        let before = yrs::ReadTxn::state_vector(&yrs::Transact::transact(doc));
        {
            let mut txn = yrs::Transact::transact_mut(doc);
            yrs::Text::insert(&text, &mut txn, (i * 60_000) as u32, &chunk);
        }
        let update = yrs::ReadTxn::encode_diff_v1(&yrs::Transact::transact(doc), &before);
        writer.send(message::encode_update(&update)).await;
        tokio::time::sleep(Duration::from_millis(3)).await;
    }
}

/// The attack that took a relay to 13.5 GB: a client asks for the whole document thousands of
/// times (sync step 1 with an empty state vector) and never reads. One answer per connection
/// is queued at a time, and the socket takes at most a couple more into its buffers before it
/// stops taking any; every other request is dropped, so the relay holds a few copies of the
/// document, not one per request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_asking_for_the_whole_document_without_reading_gets_one_answer_in_flight() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = test_config(dir.path());
    cfg.message_rate = 1e6;
    cfg.message_burst = 1e6;
    let srv = TestServer::start(cfg).await;
    let url = srv.url(ROOM);
    let mut writer = Client::connect(&url).await;
    write_chunks(&mut writer, 40).await; // A 2.4 MB document.

    let mut attacker = raw_connect_small_buffer(srv.addr, ROOM).await;
    let sync_step1_empty = Bytes::from_static(&[0, 0, 1, 0]);
    let requests = 1_000;
    for _ in 0..requests {
        attacker
            .send(Message::Binary(sync_step1_empty.clone()))
            .await
            .unwrap();
    }
    let m = &srv.metrics;
    eventually(
        "fewer than all but 4 of the repeated requests were dropped",
        || m.refused(easel_relay::Refusal::Busy) >= requests - 4,
    )
    .await;
    // The room still serves everyone else.
    let mut reader = Client::connect(&url).await;
    reader
        .pump_until("the document", |c| c.text_len("t") == 40 * 60_000)
        .await;
    drop(attacker);
    srv.shutdown().await;
}

/// A slow consumer is found by the bytes waiting for it, not only by the number of frames: a
/// few big frames count as much as many small ones.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_queues_are_bounded_in_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = test_config(dir.path());
    cfg.send_queue = 100_000; // Never reached by frame count here.
    cfg.send_queue_bytes = 1 << 20;
    cfg.max_resyncs = 1;
    let srv = TestServer::start(cfg).await;
    let url = srv.url(ROOM);
    let mut writer = Client::connect(&url).await;
    let _sleeper = raw_connect_small_buffer(srv.addr, ROOM).await;
    write_chunks(&mut writer, 150).await; // 9 MB the sleeper never reads.
    let m = &srv.metrics;
    eventually("a client 9 MB behind was never closed", || {
        m.slow_disconnects
            .load(std::sync::atomic::Ordering::Relaxed)
            > 0
    })
    .await;
    assert_eq!(m.slow_resyncs.load(std::sync::atomic::Ordering::Relaxed), 1);
    srv.shutdown().await;
}

/// Updates over a gap in a client's clock wait in yrs for the missing part, without bound. A
/// peer that sends them on purpose (here: every update of a client but its first) is stopped at
/// the room's bound: the waiting blocks are dropped and it is closed with 1008; the room goes
/// on, and what it hands a new reader holds none of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn updates_waiting_for_missing_dependencies_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = test_config(dir.path());
    cfg.max_pending_bytes = 256 * 1024;
    cfg.message_rate = 1e6;
    cfg.message_burst = 1e6;
    let srv = TestServer::start(cfg).await;
    let url = srv.url(ROOM);
    let mut honest = Client::connect(&url).await;
    honest.set("k", "v").await;

    let forger = yrs::Doc::with_client_id(424242);
    let text = forger.get_or_insert_text("t");
    let chunk = "y".repeat(60_000);
    let mut updates = Vec::new();
    for i in 0..12u32 {
        let before = yrs::ReadTxn::state_vector(&yrs::Transact::transact(&forger));
        {
            let mut txn = yrs::Transact::transact_mut(&forger);
            yrs::Text::insert(&text, &mut txn, i * 60_000, &chunk);
        }
        updates.push(yrs::ReadTxn::encode_diff_v1(
            &yrs::Transact::transact(&forger),
            &before,
        ));
    }
    let mut attacker = Client::connect(&url).await;
    // Everything but the first: each depends on the one before, so none can be integrated.
    for u in &updates[1..] {
        if attacker
            .ws
            .send(Message::Binary(Bytes::from(message::encode_update(u))))
            .await
            .is_err()
        {
            break;
        }
    }
    let (code, reason) = expect_close(&mut attacker.ws).await;
    assert_eq!(code, 1008, "{reason}");
    assert!(reason.contains("resync"), "{reason}");
    assert!(srv.metrics.refused(easel_relay::Refusal::Pending) >= 1);

    // The room still works, and what a new reader receives is small: no waiting blocks.
    honest.set("k2", "v2").await;
    let mut reader = Client::connect(&url).await;
    reader
        .pump_until("the honest writes", |c| c.get("k2").is_some())
        .await;
    let state = yrs::ReadTxn::encode_state_as_update_v1(
        &yrs::Transact::transact(reader.peer.doc()),
        &yrs::StateVector::default(),
    );
    assert!(state.len() < 64 * 1024, "{} bytes", state.len());
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rooms_stored_by_the_previous_schema_are_served_after_the_upgrade() {
    use sqlx::Row;
    let connect = |p: std::path::PathBuf| async move {
        sqlx::SqlitePool::connect_with(
            sqlx::sqlite::SqliteConnectOptions::new()
                .filename(p)
                .create_if_missing(true),
        )
        .await
        .unwrap()
    };
    // A room as this build stores it: a compaction snapshot and updates after it.
    let made = tempfile::tempdir().unwrap();
    let mut cfg = test_config(made.path());
    cfg.compact_every = 7;
    let srv = TestServer::start(cfg).await;
    let mut a = Client::connect(&srv.url(ROOM)).await;
    for i in 0..20 {
        a.set(&format!("k{i}"), &format!("v{i}")).await;
    }
    let mut b = Client::connect(&srv.url(ROOM)).await;
    b.pump_until("20 keys", |c| c.len() == 20).await;
    // Copied while the room is live: after a compaction, with its last updates still in the
    // log (an unload would fold them all into a snapshot).
    let relaxed = std::sync::atomic::Ordering::Relaxed;
    eventually("a compaction and every update stored", || {
        srv.metrics.compactions.load(relaxed) > 0
            && srv.metrics.updates_persisted.load(relaxed) == 20
    })
    .await;
    // One more, well short of the next compaction, stays in the log.
    a.set("tail", "kept").await;
    b.pump_until("21 keys", |c| c.len() == 21).await;
    eventually("the tail stored", || {
        srv.metrics.updates_persisted.load(relaxed) == 21
    })
    .await;

    // The same rows in the relay's previous schema (its migrations 1 and 2).
    let old = tempfile::tempdir().unwrap();
    let all = sqlx::migrate!("./migrations");
    let before = sqlx::migrate::Migrator::with_migrations(
        all.iter().filter(|m| m.version <= 2).cloned().collect(),
    );
    let from = connect(made.path().join("relay.db")).await;
    let to = connect(old.path().join("relay.db")).await;
    before.run(&to).await.unwrap();
    sqlx::query("INSERT INTO rooms (name, created_at, updated_at) VALUES (?, 0, 0)")
        .bind(ROOM)
        .execute(&to)
        .await
        .unwrap();
    let mut snapshots = 0;
    for r in sqlx::query("SELECT doc, upto_seq, state, created_at FROM doc_snapshots")
        .fetch_all(&from)
        .await
        .unwrap()
    {
        snapshots += 1;
        sqlx::query(
            "INSERT INTO room_snapshots (room, upto_seq, state, created_at) VALUES (?, ?, ?, ?)",
        )
        .bind(r.get::<String, _>(0))
        .bind(r.get::<i64, _>(1))
        .bind(r.get::<Vec<u8>, _>(2))
        .bind(r.get::<i64, _>(3))
        .execute(&to)
        .await
        .unwrap();
    }
    let mut updates = 0;
    for r in sqlx::query("SELECT doc, seq, data, created_at FROM doc_updates")
        .fetch_all(&from)
        .await
        .unwrap()
    {
        updates += 1;
        sqlx::query("INSERT INTO room_updates (room, seq, data, created_at) VALUES (?, ?, ?, ?)")
            .bind(r.get::<String, _>(0))
            .bind(r.get::<i64, _>(1))
            .bind(r.get::<Vec<u8>, _>(2))
            .bind(r.get::<i64, _>(3))
            .execute(&to)
            .await
            .unwrap();
    }
    assert!(
        snapshots == 1 && updates > 0,
        "{snapshots} snapshots, {updates} updates"
    );
    from.close().await;
    to.close().await;
    srv.shutdown().await;

    // This build serves it whole, and the room's seqs go on after the moved ones.
    let srv = TestServer::start(test_config(old.path())).await;
    let mut fresh = Client::connect(&srv.url(ROOM)).await;
    fresh.pump_until("the moved room", |c| c.len() == 21).await;
    assert_eq!(fresh.state(), b.state());
    let before_seq = srv.store.load(ROOM).await.unwrap().last_seq();
    fresh.set("after", "upgrade").await;
    let mut watcher = Client::connect(&srv.url(ROOM)).await;
    watcher.pump_until("22 keys", |c| c.len() == 22).await;
    let deadline = tokio::time::Instant::now() + T;
    while srv.store.load(ROOM).await.unwrap().last_seq() <= before_seq {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the new update was never stored"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_board_over_its_storage_quota_refuses_writes_whole_and_still_takes_deletions() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = test_config(dir.path());
    cfg.max_doc_bytes = 64 * 1024;
    let srv = TestServer::start(cfg).await;
    let value = "v".repeat(10 * 1024);
    // Six values of 10 KiB fit in 64 KiB; the seventh would not.
    let mut writer = Client::connect(&srv.url(ROOM)).await;
    for i in 0..7 {
        writer.set(&format!("k{i}"), &value).await;
    }
    let (code, reason) = expect_close(&mut writer.ws).await;
    assert_eq!(code, 1008);
    assert!(reason.contains("storage quota"), "{reason}");
    assert!(reason.contains("64 KiB"), "{reason}");
    assert_eq!(srv.metrics.refused(easel_relay::Refusal::Quota), 1);

    // What was refused left nothing behind; what came before it is all there.
    let mut reader = Client::connect(&srv.url(ROOM)).await;
    reader
        .pump_until("the six stored values", |c| c.len() == 6)
        .await;
    reader.pump_for(Duration::from_millis(200)).await;
    assert_eq!(reader.len(), 6);
    assert!(reader.get("k6").is_none());
    let stored: usize = srv
        .store
        .load(ROOM)
        .await
        .unwrap()
        .updates()
        .map(<[u8]>::len)
        .sum();
    assert!(stored <= 64 * 1024, "{stored} bytes stored");

    // A full board can still be trimmed: an update that only deletes is taken.
    let doc = reader.peer.doc();
    let before = yrs::ReadTxn::state_vector(&yrs::Transact::transact(doc));
    yrs::Map::remove(
        &doc.get_or_insert_map("m"),
        &mut yrs::Transact::transact_mut(doc),
        "k0",
    );
    let delete = yrs::ReadTxn::encode_diff_v1(&yrs::Transact::transact(doc), &before);
    reader.send(message::encode_update(&delete)).await;
    let mut other = Client::connect(&srv.url(ROOM)).await;
    other.pump_until("the deletion", |c| c.len() == 5).await;
    assert_eq!(srv.metrics.refused(easel_relay::Refusal::Quota), 1);
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_memory_budget_refuses_new_rooms_and_connections_and_is_given_back() {
    use easel_relay::ConnRefusal;
    let relaxed = std::sync::atomic::Ordering::Relaxed;
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = test_config(dir.path());
    // Sized by the relay's estimate of a loaded board (stored bytes times the factor).
    let budget = 50 * 1024 * easel_relay::DOC_MEMORY_FACTOR;
    cfg.memory_budget = budget;
    cfg.idle_room_timeout = Duration::from_millis(200);
    let srv = TestServer::start(cfg).await;
    let room_b = "3f2b1c9e-0000-4000-8000-00000000000b";
    let value = "v".repeat(10 * 1024);
    let url_b = format!("ws://{}/{room_b}", srv.addr);

    // Board B holds 60 KiB, more than the budget once loaded; while it is the only room that is
    // fine. Once nobody is on it, it leaves memory and the budget is free again.
    let mut b = Client::connect(&url_b).await;
    for i in 0..6 {
        b.set(&format!("k{i}"), &value).await;
    }
    let mut probe = Client::connect(&url_b).await;
    probe.pump_until("board B", |c| c.len() == 6).await;
    drop((b, probe));
    eventually("board B unloaded and its memory given back", || {
        srv.metrics.rooms_loaded.load(relaxed) == 0 && srv.metrics.memory_bytes.load(relaxed) == 0
    })
    .await;

    // Board A holds 30 KiB: about 60% of the budget.
    let mut a = Client::connect(&srv.url(ROOM)).await;
    for i in 0..3 {
        a.set(&format!("k{i}"), &value).await;
    }
    let mut watcher = Client::connect(&srv.url(ROOM)).await;
    watcher.pump_until("board A", |c| c.len() == 3).await;
    let used = srv.metrics.memory_bytes.load(relaxed);
    assert!(used > budget / 2 && used < budget, "{used} of {budget}");

    // Loading B again would go past the budget: its joiner is told to come back later.
    let mut refused = raw_connect(&url_b).await;
    let (code, reason) = expect_close(&mut refused).await;
    assert_eq!(code, 1013);
    assert!(reason.contains("memory budget"), "{reason}");
    assert_eq!(srv.metrics.conn_refused(ConnRefusal::Memory), 1);

    // A grows past the budget (loaded rooms keep working); then new connections are refused
    // before anything else is done for them.
    for i in 3..6 {
        a.set(&format!("k{i}"), &value).await;
    }
    watcher.pump_until("board A grown", |c| c.len() == 6).await;
    eventually("the budget reached", || {
        srv.metrics.memory_bytes.load(relaxed) >= budget
    })
    .await;
    let err = tokio_tungstenite::connect_async(srv.url(ROOM))
        .await
        .unwrap_err();
    match err {
        tokio_tungstenite::tungstenite::Error::Http(r) => assert_eq!(r.status(), 503),
        other => panic!("expected HTTP 503, got {other}"),
    }
    assert_eq!(srv.metrics.conn_refused(ConnRefusal::Memory), 2);
    assert!(
        srv.metrics
            .render()
            .contains(&format!("easel_relay_memory_budget_bytes {budget}"))
    );

    // Everything held is given back once everyone leaves.
    drop((a, watcher, refused));
    eventually("every room unloaded and the memory given back", || {
        srv.metrics.rooms_loaded.load(relaxed) == 0 && srv.metrics.memory_bytes.load(relaxed) == 0
    })
    .await;
    srv.shutdown().await;
}
