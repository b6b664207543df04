//! The relay's limits, exercised over real sockets: connection caps, the handshake timeout, the
//! ping/pong timeout, and write refusals for read-only and comment-only connections.

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use common::{Client, T, expect_close, test_config};
use easel_proto::{Message as Proto, decode};
use easel_relay::{Admission, Authorizer, Denied, Grant, Server};
use futures_util::StreamExt;
use tokio::io::AsyncReadExt;
use tokio_tungstenite::tungstenite::Message;

async fn start(
    config: easel_relay::Config,
    auth: Arc<dyn Authorizer>,
) -> (std::net::SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let server = Server::bind(config, auth).await.unwrap();
    let addr = server.local_addr();
    let (stop, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server.run(async move {
        let _ = rx.await;
    }));
    (addr, stop)
}

fn http_status(e: tokio_tungstenite::tungstenite::Error) -> u16 {
    match e {
        tokio_tungstenite::tungstenite::Error::Http(r) => r.status().as_u16(),
        other => panic!("expected an HTTP refusal, got {other}"),
    }
}

#[tokio::test]
async fn connection_caps_refuse_with_http_status() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(dir.path());
    config.max_connections = 3;
    let (addr, _stop) = start(config, Arc::new(easel_relay::OpenAuthorizer)).await;
    let url = format!("ws://{addr}/room");
    let mut open = Vec::new();
    for _ in 0..3 {
        open.push(common::raw_connect(&url).await);
    }
    let err = tokio_tungstenite::connect_async(&url).await.unwrap_err();
    assert_eq!(http_status(err), 503);
    drop(open);

    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(dir.path());
    config.max_connections_per_ip = 2;
    let (addr, _stop) = start(config, Arc::new(easel_relay::OpenAuthorizer)).await;
    let url = format!("ws://{addr}/room");
    let _a = common::raw_connect(&url).await;
    let _b = common::raw_connect(&url).await;
    let err = tokio_tungstenite::connect_async(&url).await.unwrap_err();
    assert_eq!(http_status(err), 429);
}

#[tokio::test]
async fn connecting_too_often_from_one_address_is_throttled() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(dir.path());
    config.connect_rate_per_ip = 2.0;
    config.connect_burst_per_ip = 3.0;
    let (addr, _stop) = start(config, Arc::new(easel_relay::OpenAuthorizer)).await;
    let url = format!("ws://{addr}/room");
    // Each connection closes at once, so the concurrent cap is never the reason.
    for _ in 0..3 {
        drop(common::raw_connect(&url).await);
    }
    let err = tokio_tungstenite::connect_async(&url).await.unwrap_err();
    assert_eq!(http_status(err), 429);
    // The bucket refills at 2 per second.
    tokio::time::sleep(Duration::from_millis(700)).await;
    drop(common::raw_connect(&url).await);
}

#[tokio::test]
async fn a_silent_socket_is_dropped_after_the_handshake_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(dir.path());
    config.handshake_timeout = Duration::from_millis(300);
    let (addr, _stop) = start(config, Arc::new(easel_relay::OpenAuthorizer)).await;
    let mut sock = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut buf = [0u8; 64];
    // The server closes the socket; reading ends with 0 bytes (or a reset) well within T.
    let r = tokio::time::timeout(T, sock.read(&mut buf))
        .await
        .expect("closed in time");
    assert!(matches!(r, Ok(0) | Err(_)), "{r:?}");
}

#[tokio::test]
async fn a_peer_that_never_answers_pings_is_closed() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(dir.path());
    config.ping_interval = Duration::from_millis(100);
    config.pong_timeout = Duration::from_millis(400);
    let (addr, _stop) = start(config, Arc::new(easel_relay::OpenAuthorizer)).await;
    let mut ws = common::raw_connect(&format!("ws://{addr}/room")).await;
    // Not polling the socket means tungstenite never answers the server's pings.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let (code, reason) = expect_close(&mut ws).await;
    assert_eq!(code, 1001, "{reason}");
}

/// Grants by room name prefix: `ro-*` read-only, `c-*` comments-only, others read-write.
struct ByName;

impl Authorizer for ByName {
    fn authorize(
        &self,
        room: &str,
        query: &HashMap<String, String>,
        _client: std::net::IpAddr,
    ) -> Result<Admission, Denied> {
        if query.get("cap").is_some_and(|c| c == "forged") {
            return Err(Denied("capability does not verify".into()));
        }
        Ok(if room.starts_with("ro-") {
            Grant::ReadOnly
        } else if room.starts_with("c-") {
            Grant::CommentsOnly
        } else {
            Grant::ReadWrite
        }
        .into())
    }
}

/// Sends `m[k] = v` and returns the reason of a permission-denied answer, if one comes.
async fn write_and_listen(c: &mut Client, key: &str) -> Option<String> {
    c.set(key, "v").await;
    let deadline = tokio::time::Instant::now() + Duration::from_millis(800);
    while let Ok(Some(Ok(msg))) = tokio::time::timeout_at(deadline, c.ws.next()).await {
        if let Message::Binary(b) = msg
            && let Ok(Proto::PermissionDenied { reason }) = decode(&b, &Default::default())
        {
            return Some(reason);
        }
    }
    None
}

#[tokio::test]
async fn writes_beyond_the_grant_are_refused_and_not_stored() {
    let dir = tempfile::tempdir().unwrap();
    let (addr, _stop) = start(test_config(dir.path()), Arc::new(ByName)).await;
    let base = format!("ws://{addr}");

    // A read-only connection may sync, but its write is refused, answered, and goes nowhere.
    let mut writer = Client::connect(&format!("{base}/ro-board")).await;
    writer.pump_for(Duration::from_millis(200)).await;
    let reason = write_and_listen(&mut writer, "x").await;
    assert!(
        reason.is_some_and(|r| r.contains("permission denied")),
        "expected a refusal"
    );
    let mut fresh = Client::connect(&format!("{base}/ro-board")).await;
    fresh.pump_for(Duration::from_millis(300)).await;
    assert_eq!(
        fresh.len(),
        0,
        "nothing from the refused write reached the room"
    );

    // Comments-only: the comments room takes writes, the board room does not.
    let mut commenter = Client::connect(&format!("{base}/c-board/comments")).await;
    assert_eq!(write_and_listen(&mut commenter, "note").await, None);
    let mut reader = Client::connect(&format!("{base}/c-board/comments")).await;
    reader
        .pump_until("the comment", |c| c.get("note").is_some())
        .await;
    let mut on_board = Client::connect(&format!("{base}/c-board")).await;
    assert!(write_and_listen(&mut on_board, "shape").await.is_some());

    // A capability that does not verify is not served: the auth message, then close 1008.
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("{base}/board?cap=forged"))
        .await
        .unwrap();
    let first = tokio::time::timeout(T, ws.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let Message::Binary(b) = first else {
        panic!("expected the auth message, got {first:?}")
    };
    assert_eq!(
        decode(&b, &Default::default()).unwrap(),
        Proto::PermissionDenied {
            reason: "capability does not verify".into()
        }
    );
    let (code, reason) = expect_close(&mut ws).await;
    assert_eq!(
        (code, reason.as_str()),
        (1008, "capability does not verify")
    );
}

/// Connects with an `X-Forwarded-For` header, as a reverse proxy on 127.0.0.1 would.
async fn connect_via_proxy(
    url: &str,
    forwarded_for: &str,
) -> Result<common::Ws, tokio_tungstenite::tungstenite::Error> {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut req = url.into_client_request().unwrap();
    req.headers_mut()
        .insert("x-forwarded-for", forwarded_for.parse().unwrap());
    tokio_tungstenite::connect_async(req)
        .await
        .map(|(ws, _)| ws)
}

/// Behind a trusted proxy (`--trusted-proxy`), the per-address limits count the client the
/// proxy names, not the proxy: two clients get two connections each through the same proxy
/// address. A forged entry left of the proxy's does not help, and without the option the header
/// is ignored: everything from 127.0.0.1 is one address.
#[tokio::test]
async fn behind_a_trusted_proxy_the_limits_are_per_client() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(dir.path());
    config.max_connections_per_ip = 2;
    config.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    let server = Server::bind(config, Arc::new(easel_relay::OpenAuthorizer))
        .await
        .unwrap();
    let metrics = server.metrics();
    let addr = server.local_addr();
    let (_stop, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server.run(async move {
        let _ = rx.await;
    }));
    let url = format!("ws://{addr}/room");
    let mut open = Vec::new();
    for client in ["203.0.113.7", "198.51.100.9"] {
        for _ in 0..2 {
            open.push(connect_via_proxy(&url, client).await.unwrap());
        }
    }
    let err = connect_via_proxy(&url, "203.0.113.7").await.unwrap_err();
    assert_eq!(http_status(err), 429);
    // A client that wrote its own header: the proxy appends the address it saw.
    let err = connect_via_proxy(&url, "192.0.2.1, 203.0.113.7")
        .await
        .unwrap_err();
    assert_eq!(http_status(err), 429);
    assert_eq!(
        metrics.conn_refused(easel_relay::ConnRefusal::Throttle),
        2,
        "counted as throttled, not denied"
    );
    // A client's slot is given back when its connection ends.
    drop(open.remove(0));
    let deadline = tokio::time::Instant::now() + T;
    loop {
        match connect_via_proxy(&url, "203.0.113.7").await {
            Ok(ws) => {
                open.push(ws);
                break;
            }
            Err(_) => {
                assert!(tokio::time::Instant::now() < deadline, "slot never freed");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    }

    // Not trusted: the header changes nothing.
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(dir.path());
    config.max_connections_per_ip = 2;
    let (addr, _stop2) = start(config, Arc::new(easel_relay::OpenAuthorizer)).await;
    let url = format!("ws://{addr}/room");
    let _a = connect_via_proxy(&url, "203.0.113.7").await.unwrap();
    let _b = connect_via_proxy(&url, "198.51.100.9").await.unwrap();
    let err = connect_via_proxy(&url, "192.0.2.44").await.unwrap_err();
    assert_eq!(http_status(err), 429);
}

/// The per-address limits count an IPv6 client by its /64: a subscriber gets a whole /64 and
/// could otherwise take a fresh address for every connection. An IPv4-mapped address counts as
/// the IPv4 one. (Through a trusted proxy, which names the client, so the test can speak for
/// addresses it does not have.)
#[tokio::test]
async fn ipv6_clients_are_limited_by_their_64() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(dir.path());
    config.max_connections_per_ip = 2;
    config.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    let (addr, _stop) = start(config, Arc::new(easel_relay::OpenAuthorizer)).await;
    let url = format!("ws://{addr}/room");
    let _a = connect_via_proxy(&url, "2001:db8:1:2::1").await.unwrap();
    let _b = connect_via_proxy(&url, "2001:db8:1:2:ffff:ffff:ffff:ffff")
        .await
        .unwrap();
    let err = connect_via_proxy(&url, "2001:db8:1:2:abcd::9")
        .await
        .unwrap_err();
    assert_eq!(http_status(err), 429, "a third address in the same /64");
    let _c = connect_via_proxy(&url, "2001:db8:1:3::1").await.unwrap();
    let _d = connect_via_proxy(&url, "203.0.113.7").await.unwrap();
    let _e = connect_via_proxy(&url, "::ffff:203.0.113.7").await.unwrap();
    let err = connect_via_proxy(&url, "203.0.113.7").await.unwrap_err();
    assert_eq!(
        http_status(err),
        429,
        "an IPv4-mapped address is the IPv4 one"
    );
}
