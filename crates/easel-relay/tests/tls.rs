//! wss:// end to end on 127.0.0.1: a relay serving TLS with a certificate from a throwaway CA
//! made here (rcgen), Easel apps syncing through it, and the refusals a person must be able to
//! read: an untrusted CA, a certificate for another name, an expired one, and the wrong scheme
//! on either port, each in bounded time.

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{Pki, TestServer, ca, pki, test_config};
use easel_core::sync::{self, SyncOptions, SyncStatus};
use easel_core::tls::TlsConfig;
use easel_core::{BoardSession, Easel, Element, ElementKind, Store};
use easel_relay::{Config, TlsSettings};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::Mutex;
use uuid::Uuid;

fn tls_config(dir: &std::path::Path, pki: &Pki) -> Config {
    let mut c = test_config(dir);
    c.handshake_timeout = Duration::from_secs(2);
    c.tls = Some(TlsSettings::from_pem(pki.cert_pem.as_bytes(), pki.key_pem.as_bytes()).unwrap());
    c
}

struct App {
    _dir: tempfile::TempDir,
    session: Arc<Mutex<BoardSession>>,
}

impl App {
    async fn new(board: Uuid) -> App {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_with(&dir.path().join("easel.db"), easel_core::Durability::Normal)
            .await
            .unwrap();
        let easel = Easel::new(store);
        let me = easel.local_user().await.unwrap();
        easel.create_replica(me.id, board, "TLS").await.unwrap();
        let session = easel.open_board(me.id, board).await.unwrap();
        App {
            _dir: dir,
            session: Arc::new(Mutex::new(session)),
        }
    }

    async fn add(&self, id: &str) {
        let el = Element::new(id, ElementKind::Rectangle, 1.0, 0.0).with_size(10.0, 10.0);
        self.session.lock().await.add(el).await.unwrap();
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

    async fn sync_once(&self, url: &str, tls: TlsConfig) -> easel_core::Result<()> {
        let mut opts = SyncOptions::new(url);
        opts.tls = tls;
        opts.connect_timeout = Duration::from_secs(5);
        sync::sync_once(self.session.clone(), &opts, Duration::from_secs(10))
            .await
            .map(|_| ())
    }
}

fn trusting(pki: &Pki) -> TlsConfig {
    TlsConfig::only_roots_pem(pki.ca_pem.as_bytes()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apps_sync_a_board_through_wss_both_ways() {
    let dir = tempfile::tempdir().unwrap();
    let pki = pki(&["localhost", "127.0.0.1"], false);
    let server = TestServer::start(tls_config(dir.path(), &pki)).await;
    let port = server.addr.port();
    let board = Uuid::new_v4();
    let a = App::new(board).await;
    let b = App::new(board).await;
    a.add("from-a").await;
    b.add("from-b").await;

    // Live sync: both connected, both edit, both converge.
    let start = |app: &App, url: String| {
        let mut opts = SyncOptions::new(url);
        // The OS store plus the test CA, as EASEL_EXTRA_CA would give.
        opts.tls = TlsConfig::with_extra_roots_pem(pki.ca_pem.as_bytes()).unwrap();
        opts.min_backoff = Duration::from_millis(20);
        sync::start(app.session.clone(), opts)
    };
    let mut sa = start(&a, format!("wss://127.0.0.1:{port}"));
    let mut sb = start(&b, format!("wss://localhost:{port}/"));
    for s in [&mut sa, &mut sb] {
        let st = s
            .wait_for(Duration::from_secs(20), |s| *s == SyncStatus::Synced)
            .await;
        assert_eq!(st, Some(SyncStatus::Synced), "{:?}", s.status());
    }
    a.add("live-a").await;
    b.add("live-b").await;
    let want = vec!["from-a", "from-b", "live-a", "live-b"];
    let deadline = Instant::now() + Duration::from_secs(20);
    while a.ids().await != want || b.ids().await != want {
        assert!(
            Instant::now() < deadline,
            "no convergence: {:?} vs {:?}",
            a.ids().await,
            b.ids().await
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    sa.stop().await;
    sb.stop().await;

    // A one-shot sync of a third replica fetches everything over TLS too.
    let c = App::new(board).await;
    c.sync_once(&format!("wss://localhost:{port}"), trusting(&pki))
        .await
        .unwrap();
    assert_eq!(c.ids().await, want);

    // /health and /metrics are served over https on the same port.
    let health = https_get(server.addr, "/health", &pki).await;
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(health.ends_with("ok"), "{health}");
    let metrics = https_get(server.addr, "/metrics", &pki).await;
    assert!(
        metrics.contains("easel_relay_connections_total"),
        "{metrics}"
    );
    server.shutdown().await;
}

async fn https_get(addr: SocketAddr, path: &str, pki: &Pki) -> String {
    let config = trusting(pki).client_config().unwrap();
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let mut tls = tokio_rustls::TlsConnector::from(config)
        .connect(name, tcp)
        .await
        .unwrap();
    tls.write_all(format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), tls.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

/// Seeds the relay's room for `board` with one element through a trusted client.
async fn seeded(server: &TestServer, pki: &Pki, board: Uuid) {
    let seed = App::new(board).await;
    seed.add("secret").await;
    seed.sync_once(
        &format!("wss://localhost:{}", server.addr.port()),
        trusting(pki),
    )
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untrusted_certificate_is_refused_in_words_and_nothing_is_applied() {
    let dir = tempfile::tempdir().unwrap();
    let pki = pki(&["localhost", "127.0.0.1"], false);
    let server = TestServer::start(tls_config(dir.path(), &pki)).await;
    let board = Uuid::new_v4();
    seeded(&server, &pki, board).await;

    let stranger = App::new(board).await;
    // The default trust: the OS store (and EASEL_EXTRA_CA, unset here), not the test CA.
    let err = stranger
        .sync_once(
            &format!("wss://localhost:{}", server.addr.port()),
            TlsConfig::default(),
        )
        .await
        .unwrap_err()
        .to_string();
    println!("{err}");
    assert!(err.contains("certificate of localhost"), "{err}");
    assert!(err.contains("not trusted"), "{err}");
    assert!(err.contains("EASEL_EXTRA_CA"), "{err}");
    assert!(stranger.ids().await.is_empty());

    // Trusting another CA (of the same name, so its signature is what fails) is no better.
    let other = pki_other_ca();
    let err = stranger
        .sync_once(&format!("wss://127.0.0.1:{}", server.addr.port()), other)
        .await
        .unwrap_err()
        .to_string();
    println!("{err}");
    assert!(
        err.contains("certificate of 127.0.0.1 is not trusted"),
        "{err}"
    );
    assert!(stranger.ids().await.is_empty());
    server.shutdown().await;
}

fn pki_other_ca() -> TlsConfig {
    let (_, _, pem) = ca();
    TlsConfig::only_roots_pem(pem.as_bytes()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_for_another_name_or_expired_is_refused_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let pki_other = pki(&["relay.example"], false);
    let server = TestServer::start(tls_config(dir.path(), &pki_other)).await;
    let app = App::new(Uuid::new_v4()).await;
    let err = app
        .sync_once(
            &format!("wss://127.0.0.1:{}", server.addr.port()),
            trusting(&pki_other),
        )
        .await
        .unwrap_err()
        .to_string();
    println!("{err}");
    assert!(
        err.contains("certificate of 127.0.0.1 is not valid for the name 127.0.0.1"),
        "{err}"
    );
    assert!(err.contains("(it is for relay.example)"), "{err}");
    server.shutdown().await;

    let dir = tempfile::tempdir().unwrap();
    let pki_old = pki(&["localhost"], true);
    let server = TestServer::start(tls_config(dir.path(), &pki_old)).await;
    let err = app
        .sync_once(
            &format!("wss://localhost:{}", server.addr.port()),
            trusting(&pki_old),
        )
        .await
        .unwrap_err()
        .to_string();
    println!("{err}");
    assert!(
        err.contains("certificate of localhost has expired"),
        "{err}"
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wrong_scheme_fails_fast_on_either_port() {
    let dir = tempfile::tempdir().unwrap();
    let pki = pki(&["localhost", "127.0.0.1"], false);
    let tls = TestServer::start(tls_config(dir.path(), &pki)).await;
    let dir2 = tempfile::tempdir().unwrap();
    let plain = TestServer::start(test_config(dir2.path())).await;
    let app = App::new(Uuid::new_v4()).await;

    // Each mismatch is refused in words within three seconds.
    let refused = async |url: String| {
        let t = Instant::now();
        let err = app
            .sync_once(&url, trusting(&pki))
            .await
            .unwrap_err()
            .to_string();
        println!("{err}");
        assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
        err
    };
    let err = refused(format!("ws://127.0.0.1:{}", tls.addr.port())).await;
    assert!(err.contains("use wss://"), "{err}");
    let err = refused(format!("wss://127.0.0.1:{}", plain.addr.port())).await;
    assert!(err.contains("TLS handshake with 127.0.0.1 failed"), "{err}");
    assert!(err.contains("try ws://"), "{err}");

    // A client that opens a TCP connection and never says hello neither holds up the accept
    // loop nor stays past the handshake timeout.
    let mut idle = tokio::net::TcpStream::connect(tls.addr).await.unwrap();
    app.sync_once(
        &format!("wss://localhost:{}", tls.addr.port()),
        trusting(&pki),
    )
    .await
    .unwrap();
    let t = Instant::now();
    let mut buf = [0u8; 16];
    let n = tokio::time::timeout(Duration::from_secs(5), idle.read(&mut buf))
        .await
        .expect("closed within the handshake timeout")
        .unwrap_or(0);
    assert_eq!(n, 0);
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
    tls.shutdown().await;
    plain.shutdown().await;
}

#[test]
fn mismatched_or_unreadable_certificate_files_are_refused_at_startup() {
    let a = pki(&["localhost"], false);
    let b = pki(&["localhost"], false);
    let e = TlsSettings::from_pem(a.cert_pem.as_bytes(), b.key_pem.as_bytes())
        .unwrap_err()
        .to_string();
    assert!(e.contains("key does not belong to the certificate"), "{e}");
    let e = TlsSettings::from_pem(a.key_pem.as_bytes(), a.key_pem.as_bytes())
        .unwrap_err()
        .to_string();
    assert!(e.contains("no certificate"), "{e}");
    let e = TlsSettings::from_pem(a.cert_pem.as_bytes(), a.cert_pem.as_bytes())
        .unwrap_err()
        .to_string();
    assert!(e.contains("no usable private key"), "{e}");
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.pem");
    let e = TlsSettings::from_files(&missing, &missing)
        .unwrap_err()
        .to_string();
    assert!(e.contains("cannot read the TLS certificate"), "{e}");
    assert!(e.contains("nope.pem"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_connection_limits_apply_before_the_tls_handshake() {
    let dir = tempfile::tempdir().unwrap();
    let pki = pki(&["localhost", "127.0.0.1"], false);
    let mut config = tls_config(dir.path(), &pki);
    config.max_connections_per_ip = 1;
    let server = TestServer::start(config).await;
    let base = format!("wss://127.0.0.1:{}", server.addr.port());
    // One open connection uses up this address's share.
    let _held = common::Client::connect_tls(&format!("{base}/room"), &pki.ca_pem).await;
    let app = App::new(Uuid::new_v4()).await;
    let t = Instant::now();
    let err = app
        .sync_once(&base, trusting(&pki))
        .await
        .unwrap_err()
        .to_string();
    println!("{err}");
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
    assert!(err.contains("TLS handshake with 127.0.0.1 failed"), "{err}");
    assert!(err.contains("too many from this address"), "{err}");
    assert!(
        server
            .metrics
            .conn_refused(easel_relay::ConnRefusal::Throttle)
            >= 1
    );
    assert!(app.ids().await.is_empty());
    server.shutdown().await;
}

/// A TLS connection moves to its room's thread with its TLS state (and whatever it read ahead)
/// once its request line is decrypted, and keeps working there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_connections_move_to_their_rooms_thread_and_keep_working() {
    let pki = pki(&["localhost"], false);
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = tls_config(dir.path(), &pki);
    cfg.threads = 2;
    let server = TestServer::start(cfg).await;
    let url = format!("wss://localhost:{}/tls-room", server.addr.port());
    let mut clients = Vec::new();
    for _ in 0..4 {
        clients.push(common::Client::connect_tls(&url, &pki.ca_pem).await);
    }
    for (i, c) in clients.iter_mut().enumerate() {
        c.set(&format!("k{i}"), "v").await;
    }
    for c in clients.iter_mut() {
        c.pump_until("every key", |c| c.len() == 4).await;
    }
    // They started on the two threads in turn: the two on the other thread moved.
    let moved = server
        .metrics
        .connections_moved
        .load(std::sync::atomic::Ordering::Relaxed);
    assert_eq!(moved, 2);
    server.shutdown().await;
}

/// A renewed certificate is served without a restart: the files are read again (as on SIGHUP or
/// the server's periodic check), new connections get the new certificate, and a file that does
/// not load is refused in words while the previous certificate stays in service.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_renewed_certificate_is_served_without_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let old = pki(&["localhost"], false);
    std::fs::write(&cert, &old.cert_pem).unwrap();
    std::fs::write(&key, &old.key_pem).unwrap();
    let tls = TlsSettings::from_files(&cert, &key).unwrap();
    assert!(!tls.reload_if_changed().unwrap(), "nothing changed yet");
    let mut cfg = test_config(dir.path());
    cfg.tls = Some(tls.clone());
    let server = TestServer::start(cfg).await;
    assert!(
        https_get(server.addr, "/health", &old)
            .await
            .ends_with("ok")
    );

    // Renewed (here by another CA, so the two are told apart).
    let new = pki(&["localhost"], false);
    std::fs::write(&cert, &new.cert_pem).unwrap();
    std::fs::write(&key, &new.key_pem).unwrap();
    assert!(tls.reload_if_changed().unwrap());
    assert!(
        https_get(server.addr, "/health", &new)
            .await
            .ends_with("ok")
    );
    let refused = try_https(server.addr, &old).await.unwrap_err();
    // Both test CAs share a name: the old one is refused for the new signature.
    assert!(refused.contains("InvalidCertificate"), "{refused}");

    // Half-written renewal: the key of another certificate.
    std::fs::write(&key, &old.key_pem).unwrap();
    let e = tls.reload_if_changed().unwrap_err().to_string();
    assert!(e.contains("does not belong to the certificate"), "{e}");
    assert!(
        !tls.reload_if_changed().unwrap(),
        "a broken change is reported once"
    );
    let e = tls.reload().unwrap_err().to_string();
    assert!(e.contains("does not belong"), "{e}");
    assert!(
        https_get(server.addr, "/health", &new)
            .await
            .ends_with("ok")
    );
    server.shutdown().await;
}

/// A TLS handshake trusting only `pki`'s CA; the error in words when it fails.
async fn try_https(addr: SocketAddr, pki: &Pki) -> Result<(), String> {
    let config = trusting(pki).client_config().unwrap();
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    tokio_rustls::TlsConnector::from(config)
        .connect(name, tcp)
        .await
        .map(|_| ())
        .map_err(|e| format!("{e:?}"))
}
