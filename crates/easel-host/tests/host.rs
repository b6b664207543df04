//! A host on 127.0.0.1 with real SQLite stores and real WebSockets: a second installation joins
//! with a share link and syncs both ways through it, a peer without a link is refused and
//! audited, another process's write reaches the peer, and stopping flushes the rooms.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex as StdMutex};
use std::time::{Duration, Instant};

use easel_core::share::ShareRequest;
use easel_core::store::AuditQuery;
use easel_core::sync::{self, SyncOptions, SyncStatus};
use easel_core::{BoardDoc, Easel, Element, ElementKind, KeyStoreKind, Level, Store};
use easel_host::mdns;
use easel_host::{Host, HostConfig, ServedBoard, boards_to_serve};
use easel_relay::{Durability, RelayStore};
use tokio::sync::Mutex;
use uuid::Uuid;

async fn install(dir: &Path) -> (Easel, Uuid) {
    let store = Store::open(&dir.join("easel.db")).await.unwrap();
    let easel = Easel::new(store).with_key_store(KeyStoreKind::File(dir.join("identity.key")));
    let user = easel.local_user().await.unwrap().id;
    (easel, user)
}

fn rect(id: &str, x: f64) -> Element {
    Element::new(id, ElementKind::Rectangle, x, 0.0).with_size(100.0, 50.0)
}

/// Polls `check` every 50 ms for up to 10 s.
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(10);
    while !check().await {
        assert!(Instant::now() < deadline, "{what} within 10s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn loopback_any() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_joins_through_the_host_syncs_both_ways_and_stop_flushes() {
    let a_dir = tempfile::tempdir().unwrap();
    let b_dir = tempfile::tempdir().unwrap();
    let (a, a_user) = install(a_dir.path()).await;
    let (b, b_user) = install(b_dir.path()).await;

    let made = a.create_board(a_user, "Hosted").await.unwrap().id;
    {
        let mut s = a.open_board(a_user, made).await.unwrap();
        s.apply_elements(vec![rect("e1", 0.0)], &[]).await.unwrap();
    }
    let (ids, rekeyed) = boards_to_serve(&a, a_user, &[made, made], false)
        .await
        .unwrap();
    assert_eq!(ids.len(), 1, "duplicates are served once");
    let board = ids[0];
    if board != made {
        assert_eq!(rekeyed[0].from, made);
        assert_eq!(rekeyed[0].to, board);
    }

    let warnings = Arc::new(StdMutex::new(Vec::<String>::new()));
    let w = warnings.clone();
    let mut config = HostConfig::new(loopback_any(), a_dir.path().join("host"));
    config.poll = Duration::from_millis(100);
    config.warn = Arc::new(move |m| w.lock().unwrap().push(m));
    let served = ServedBoard::open(&a, a_user, board).await.unwrap();
    let host = Host::start(&a, a_user, vec![served.clone()], config)
        .await
        .unwrap();
    let info = host.info().clone();
    assert_eq!(info.url, format!("ws://{}", host.local_addr()));
    assert_eq!(info.boards, vec![board]);
    assert!(
        info.lan_urls.is_empty(),
        "a loopback host has no LAN address"
    );
    assert!(!info.announced, "loopback is not announced");
    assert_eq!(
        info.not_announced.as_deref(),
        Some("it listens on this machine only")
    );
    // (A `watch` borrow held on would block the client's next status change: test and drop it.)
    let mut own = host.board_sync(board).unwrap().watch_status();
    let reached = tokio::time::timeout(
        Duration::from_secs(10),
        own.wait_for(|s| *s == SyncStatus::Synced),
    )
    .await
    .is_ok_and(|r| r.is_ok());
    assert!(reached, "the owner's own client reaches the host");

    // B joins with an edit link naming the host and fetches the board.
    let link = a
        .share(
            a_user,
            board,
            &ShareRequest {
                level: Some(Level::Edit),
                relay: Some(info.url.clone()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .link
        .url;
    let joined = b.join(b_user, &link).await.unwrap();
    assert_eq!(joined.board.id, board);
    let b_session = Arc::new(Mutex::new(b.open_board(b_user, board).await.unwrap()));
    let mut opts = SyncOptions::new(info.url.clone());
    opts.auth = b.sync_auth(b_user, board).await.unwrap();
    let b_sync = sync::start(b_session.clone(), opts);
    eventually("B receives A's element", || async {
        b_session.lock().await.element("e1").is_some()
    })
    .await;

    // B's edit reaches A's open session and A's store.
    b_session
        .lock()
        .await
        .apply_elements(vec![rect("e2", 200.0)], &[])
        .await
        .unwrap();
    eventually("A's session receives B's element", || async {
        served.board.lock().await.element("e2").is_some()
    })
    .await;
    let stored = a.open_board(a_user, board).await.unwrap();
    assert!(
        stored.element("e2").is_some(),
        "B's element is in A's store"
    );

    // A write by another process on A's store reaches B through the host's refresh.
    {
        let other = Easel::new(Store::open(&a_dir.path().join("easel.db")).await.unwrap());
        let mut s = other.open_board(a_user, board).await.unwrap();
        s.apply_elements(vec![rect("e3", 400.0)], &[])
            .await
            .unwrap();
    }
    eventually("B receives the other process's element", || async {
        b_session.lock().await.element("e3").is_some()
    })
    .await;

    // A peer with no link is refused, and the refusal is audited like B's join.
    let c_dir = tempfile::tempdir().unwrap();
    let (c, c_user) = install(c_dir.path()).await;
    let c_session = Arc::new(Mutex::new(
        c.create_replica(c_user, board, "Stranger")
            .await
            .and(c.open_board(c_user, board).await)
            .unwrap(),
    ));
    let mut c_sync = sync::start(c_session, SyncOptions::new(info.url.clone()));
    let refused = c_sync
        .wait_for(Duration::from_secs(10), |s| {
            matches!(s, SyncStatus::Denied(_))
        })
        .await;
    assert!(refused.is_some(), "{:?}", c_sync.status());
    let audited = |action: &'static str| {
        let a = &a;
        async move {
            let q = AuditQuery {
                action: Some(action.into()),
                ..AuditQuery::default()
            };
            !a.audit(a_user, board, &q).await.unwrap().is_empty()
        }
    };
    eventually("peer.join is audited", || audited("peer.join")).await;
    eventually("peer.denied is audited", || audited("peer.denied")).await;

    // Stopping closes the port and leaves every edit in the host's room store.
    let addr = host.local_addr();
    b_sync.stop().await;
    c_sync.stop().await;
    host.stop().await.unwrap();
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "the port is closed after stop"
    );
    let rooms = RelayStore::open(&a_dir.path().join("host/relay.db"), Durability::Full)
        .await
        .unwrap();
    let room = rooms.load(&board.to_string()).await.unwrap();
    let updates: Vec<&[u8]> = room
        .snapshot
        .iter()
        .map(Vec::as_slice)
        .chain(room.tail.iter().map(|(_, u)| u.as_slice()))
        .collect();
    let doc = BoardDoc::from_updates(updates).unwrap();
    let mut have: Vec<String> = doc.elements().into_iter().map(|e| e.id).collect();
    have.sort();
    assert_eq!(have, ["e1", "e2", "e3"]);
    assert!(
        warnings.lock().unwrap().is_empty(),
        "{:?}",
        warnings.lock().unwrap()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_taken_port_fails_or_falls_back_to_a_free_one() {
    let dir = tempfile::tempdir().unwrap();
    let (a, user) = install(dir.path()).await;
    let board = a.create_board(user, "Open").await.unwrap().id;
    let served = ServedBoard::open(&a, user, board).await.unwrap();
    let taken = std::net::TcpListener::bind(loopback_any()).unwrap();
    let port = taken.local_addr().unwrap();

    let mut config = HostConfig::new(port, dir.path().join("host"));
    config.open = true;
    let err = match Host::start(&a, user, vec![served.clone()], config.clone()).await {
        Ok(_) => panic!("a taken port must fail without the fallback"),
        Err(e) => e,
    };
    assert!(
        matches!(err, easel_host::Error::Bind { addr, .. } if addr == port),
        "{err}"
    );
    assert!(
        err.to_string()
            .starts_with(&format!("cannot serve on {port}: ")),
        "{err}"
    );

    config.any_port_if_taken = true;
    let host = Host::start(&a, user, vec![served], config).await.unwrap();
    assert_ne!(host.local_addr().port(), port.port());
    assert!(host.info().open);
    // An open host admits a peer without any link.
    let b_dir = tempfile::tempdir().unwrap();
    let (b, b_user) = install(b_dir.path()).await;
    b.create_replica(b_user, board, "Copy").await.unwrap();
    let s = Arc::new(Mutex::new(b.open_board(b_user, board).await.unwrap()));
    let mut h = sync::start(s, SyncOptions::new(host.peer_url()));
    let synced = h
        .wait_for(Duration::from_secs(10), |s| *s == SyncStatus::Synced)
        .await;
    assert!(synced.is_some(), "{:?}", h.status());
    h.stop().await;
    host.stop().await.unwrap();
}

/// Real mDNS: what a host on every interface announces (`Host::start` on `0.0.0.0`) is found by
/// `discover` with its boards and a LAN address, and is gone once withdrawn. Multicast must work
/// on the machine (it does in our container); where mDNS cannot even start, the test says why and
/// stops there. Test servers stay on 127.0.0.1, so nothing listens on the announced port (held
/// on loopback so no one else takes it); a host on loopback is never announced.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_on_the_lan_is_announced_and_discovered() {
    let dir = tempfile::tempdir().unwrap();
    let (a, user) = install(dir.path()).await;
    let board = a.create_board(user, "Announced").await.unwrap().id;
    let served = ServedBoard::open(&a, user, board).await.unwrap();
    let mut config = HostConfig::new(loopback_any(), dir.path().join("host"));
    config.open = true;
    let host = Host::start(&a, user, vec![served], config).await.unwrap();
    let info = host.info().clone();
    assert!(!info.announced);
    assert_eq!(
        info.not_announced.as_deref(),
        Some("it listens on this machine only")
    );
    host.stop().await.unwrap();

    let held = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = held.local_addr().unwrap().port();
    let everywhere: std::net::SocketAddr = format!("0.0.0.0:{port}").parse().unwrap();
    let announced =
        tokio::task::spawn_blocking(move || mdns::Announcement::start(everywhere, &[board]))
            .await
            .unwrap();
    let announcement = match announced {
        Ok(a) => a,
        Err(e) => {
            eprintln!("mDNS unavailable here: {e}");
            return;
        }
    };
    let found = tokio::task::spawn_blocking(|| easel_host::discover(Duration::from_secs(3)))
        .await
        .unwrap()
        .unwrap();
    let me = found
        .iter()
        .find(|h| h.port == port)
        .unwrap_or_else(|| panic!("port {port} not among {found:?}"));
    assert_eq!(me.name, mdns::instance_name_of(&mdns::host_name()));
    assert_eq!(me.boards, vec![board]);
    assert_eq!(me.board_count, 1);
    let url = me.url.as_deref().unwrap();
    assert!(
        url.starts_with("ws://") && url.ends_with(&format!(":{port}")),
        "{url}"
    );
    assert!(
        !url.starts_with("ws://127."),
        "a loopback address is listed last: {url}"
    );
    // Withdrawn, it is gone from the LAN.
    drop(announcement);
    let after = tokio::task::spawn_blocking(|| easel_host::discover(Duration::from_secs(2)))
        .await
        .unwrap()
        .unwrap();
    assert!(after.iter().all(|h| h.port != port), "{after:?}");
    drop(held);
}

/// A board that syncs with a relay and is hosted at once bridges the two: what a relay peer
/// writes reaches a LAN peer, and back, through the owner's two sync clients.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hosted_board_that_also_syncs_with_a_relay_bridges_them() {
    let relay_dir = tempfile::tempdir().unwrap();
    let relay = easel_relay::Server::bind(
        easel_relay::Config::new(loopback_any(), relay_dir.path().to_path_buf()),
        Arc::new(easel_relay::OpenAuthorizer),
    )
    .await
    .unwrap();
    let relay_url = format!("ws://{}", relay.local_addr());
    let (stop_relay, relay_stopped) = tokio::sync::oneshot::channel::<()>();
    let relay_task = tokio::spawn(relay.run(async move {
        let _ = relay_stopped.await;
    }));

    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let (a, a_user) = install(dirs[0].path()).await;
    let board = a.create_board(a_user, "Bridged").await.unwrap().id;
    let served = ServedBoard::open(&a, a_user, board).await.unwrap();
    let to_relay = sync::start(served.board.clone(), SyncOptions::new(relay_url.clone()));
    let mut config = HostConfig::new(loopback_any(), dirs[0].path().join("host"));
    config.open = true;
    let host = Host::start(&a, a_user, vec![served], config).await.unwrap();

    // R syncs with the relay only, L with the host only.
    let mut peers = Vec::new();
    for (dir, url) in [
        (&dirs[1], relay_url.clone()),
        (&dirs[2], host.peer_url().to_string()),
    ] {
        let (e, user) = install(dir.path()).await;
        e.create_replica(user, board, "Copy").await.unwrap();
        let s = Arc::new(Mutex::new(e.open_board(user, board).await.unwrap()));
        let h = sync::start(s.clone(), SyncOptions::new(url));
        peers.push((e, s, h));
    }
    let (r, l) = (&peers[0].1, &peers[1].1);
    r.lock()
        .await
        .apply_elements(vec![rect("from-relay", 0.0)], &[])
        .await
        .unwrap();
    eventually("the relay peer's element reaches the LAN peer", || async {
        l.lock().await.element("from-relay").is_some()
    })
    .await;
    l.lock()
        .await
        .apply_elements(vec![rect("from-lan", 200.0)], &[])
        .await
        .unwrap();
    eventually("the LAN peer's element reaches the relay peer", || async {
        r.lock().await.element("from-lan").is_some()
    })
    .await;

    for (_, _, h) in peers {
        h.stop().await;
    }
    to_relay.stop().await;
    host.stop().await.unwrap();
    let _ = stop_relay.send(());
    relay_task.await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_photo_board_is_joined_through_the_host_and_the_photo_fetched_by_hash() {
    let a_dir = tempfile::tempdir().unwrap();
    let b_dir = tempfile::tempdir().unwrap();
    let (a, a_user) = install(a_dir.path()).await;
    let (b, b_user) = install(b_dir.path()).await;

    // A board holding a 3 MB photo (incompressible: bigger than any frame), hosted.
    let made = a.create_board(a_user, "Photos").await.unwrap().id;
    let (ids, _) = boards_to_serve(&a, a_user, &[made], false).await.unwrap();
    let board = ids[0];
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let bytes: Vec<u8> = (0..3_000_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    let photo = easel_core::BoardFile::new("image/png", bytes.clone());
    {
        let mut s = a.open_board(a_user, board).await.unwrap();
        s.add_file(photo.clone()).await.unwrap();
        let mut img = Element::new("photo", ElementKind::Image, 0.0, 0.0).with_size(300.0, 200.0);
        img.file_id = Some(photo.id.clone());
        s.add(img).await.unwrap();
    }
    let mut config = HostConfig::new(loopback_any(), a_dir.path().join("host"));
    config.poll = Duration::from_millis(100);
    let served = ServedBoard::open(&a, a_user, board).await.unwrap();
    let host = Host::start(&a, a_user, vec![served], config).await.unwrap();
    let url = host.info().url.clone();

    // B joins with a view link: the element comes with the sync, the photo when drawn.
    let link = a
        .share(
            a_user,
            board,
            &ShareRequest {
                level: Some(Level::View),
                relay: Some(url.clone()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .link
        .url;
    b.join(b_user, &link).await.unwrap();
    let b_session = Arc::new(Mutex::new(b.open_board(b_user, board).await.unwrap()));
    let mut arrivals = b_session.lock().await.file_channel().arrivals();
    let mut opts = SyncOptions::new(url);
    opts.auth = b.sync_auth(b_user, board).await.unwrap();
    let b_sync = sync::start(b_session.clone(), opts);
    eventually("B receives the image element", || async {
        b_session.lock().await.element("photo").is_some()
    })
    .await;
    let mut got = b_session.lock().await.file(&photo.id).await.unwrap();
    if got.is_none() {
        let arrived = tokio::time::timeout(Duration::from_secs(20), arrivals.recv())
            .await
            .expect("the photo arrives")
            .unwrap();
        assert_eq!(arrived, photo.id);
        got = b_session.lock().await.file(&photo.id).await.unwrap();
    }
    assert_eq!(
        got.expect("stored").data,
        bytes,
        "the photo B fetched is A's"
    );
    b_sync.stop().await;
    host.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hosts_files_quota_refuses_a_photo_over_it() {
    let a_dir = tempfile::tempdir().unwrap();
    let (a, a_user) = install(a_dir.path()).await;
    let made = a.create_board(a_user, "Big photo").await.unwrap().id;
    let (ids, _) = boards_to_serve(&a, a_user, &[made], false).await.unwrap();
    let board = ids[0];
    let small = easel_core::BoardFile::new("image/png", vec![7; 1000]);
    let big = easel_core::BoardFile::new("image/png", vec![9; 2 << 20]);
    {
        let mut s = a.open_board(a_user, board).await.unwrap();
        for (i, f) in [&small, &big].into_iter().enumerate() {
            s.add_file(f.clone()).await.unwrap();
            let mut img =
                Element::new(format!("p{i}"), ElementKind::Image, 0.0, 0.0).with_size(10.0, 10.0);
            img.file_id = Some(f.id.clone());
            s.add(img).await.unwrap();
        }
    }
    let mut config = HostConfig::new(loopback_any(), a_dir.path().join("host"));
    config.max_board_file_bytes = 1 << 20;
    let served = ServedBoard::open(&a, a_user, board).await.unwrap();
    let host = Host::start(&a, a_user, vec![served], config).await.unwrap();
    let rooms = RelayStore::open(&a_dir.path().join("host/relay.db"), Durability::Full)
        .await
        .unwrap();
    let log = rooms.log().clone();
    eventually("the small photo reaches the host", || {
        let (log, board, id) = (log.clone(), board.to_string(), small.id.clone());
        async move { log.doc_file(&board, &id).await.unwrap().is_some() }
    })
    .await;
    // The big one was refused (over 1 MiB of files for the board); give it time to have come.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        log.doc_file(&board.to_string(), &big.id)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        log.file(&big.id).await.unwrap().is_none(),
        "nothing half-stored"
    );
    host.stop().await.unwrap();
}
