//! Shared test harness: a relay on 127.0.0.1:0 and raw y-websocket clients made of
//! tokio-tungstenite, easel-proto's encoding and a yrs doc each.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use easel_proto::{Outgoing, Peer, message};
use easel_relay::{Config, Durability, Metrics, OpenAuthorizer, RelayStore, Server};
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::{Bytes, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use yrs::updates::encoder::Encode;
use yrs::{Doc, Map, ReadTxn, Transact};

pub const T: Duration = Duration::from_secs(10);

pub fn test_config(dir: &Path) -> Config {
    let mut c = Config::new("127.0.0.1:0".parse().unwrap(), dir.to_path_buf());
    c.durability = Durability::Normal;
    c.max_connections_per_ip = 5000;
    // Tests open many connections from 127.0.0.1 at once.
    c.connect_rate_per_ip = 1.0e6;
    c.connect_burst_per_ip = 1.0e6;
    // The relay binary's mode: rooms and their connections on the server's own threads (two
    // here, so connections move between shards). The embedded mode (0) is what easel-host and
    // the core's sync tests run.
    c.threads = 2;
    c
}

pub struct TestServer {
    pub addr: SocketAddr,
    pub metrics: Arc<Metrics>,
    pub store: RelayStore,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    handle: Option<tokio::task::JoinHandle<Result<(), easel_relay::StoreError>>>,
}

impl TestServer {
    pub async fn start(config: Config) -> TestServer {
        let server = Server::bind(config, Arc::new(OpenAuthorizer))
            .await
            .unwrap();
        Self::run(server)
    }

    /// A server on a port that a later restart can bind again: a random one below the
    /// kernel's ephemeral range (32768 and up on Linux), so no socket bound to port 0 (by this
    /// process or a parallel test run) can take it while the server is down.
    pub async fn start_restartable(dir: &Path) -> TestServer {
        for _ in 0..100 {
            let mut config = test_config(dir);
            config.listen = SocketAddr::from(([127, 0, 0, 1], fastrand::u16(10_000..30_000)));
            if let Ok(server) = Server::bind(config, Arc::new(OpenAuthorizer)).await {
                return Self::run(server);
            }
        }
        panic!("no free port in 10000..30000");
    }

    /// Starts again on `addr` after a shutdown; a parallel run may hold the port for a moment
    /// (it found it free), so this retries for a few seconds.
    pub async fn restart(dir: &Path, addr: SocketAddr) -> TestServer {
        let deadline = tokio::time::Instant::now() + T;
        loop {
            let mut config = test_config(dir);
            config.listen = addr;
            match Server::bind(config, Arc::new(OpenAuthorizer)).await {
                Ok(server) => return Self::run(server),
                Err(e) if tokio::time::Instant::now() < deadline => {
                    eprintln!("restart on {addr}: {e}; retrying");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("cannot restart on {addr}: {e}"),
            }
        }
    }

    /// A server with `--auth capabilities`; every audit event is also pushed to `events`.
    pub async fn start_caps(
        config: Config,
        events: Arc<std::sync::Mutex<Vec<easel_relay::AuthEvent>>>,
    ) -> TestServer {
        Self::start_caps_with(config, events, Default::default()).await
    }

    pub async fn start_caps_with(
        config: Config,
        events: Arc<std::sync::Mutex<Vec<easel_relay::AuthEvent>>>,
        limits: easel_relay::RegistrationLimits,
    ) -> TestServer {
        let store = RelayStore::open(&config.db_path(), config.durability)
            .await
            .unwrap();
        let auth = easel_relay::CapabilityAuthorizer::load_with(
            store.clone(),
            Some(Arc::new(move |e| events.lock().unwrap().push(e))),
            limits,
        )
        .await
        .unwrap();
        let server = Server::bind_with_store(config, store, auth).await.unwrap();
        Self::run(server)
    }

    fn run(server: Server) -> TestServer {
        let addr = server.local_addr();
        let metrics = server.metrics();
        let store = server.store();
        let (stop, rx) = tokio::sync::oneshot::channel::<()>();
        let handle = tokio::spawn(server.run(async move {
            let _ = rx.await;
        }));
        TestServer {
            addr,
            metrics,
            store,
            stop: Some(stop),
            handle: Some(handle),
        }
    }

    pub fn url(&self, room: &str) -> String {
        format!("ws://{}/{room}", self.addr)
    }

    /// Graceful shutdown; waits for it to finish.
    pub async fn shutdown(mut self) {
        let _ = self.stop.take().unwrap().send(());
        tokio::time::timeout(Duration::from_secs(15), self.handle.take().unwrap())
            .await
            .expect("shutdown in time")
            .unwrap()
            .unwrap();
    }
}

/// A throwaway CA and a server certificate it issued.
pub struct Pki {
    pub ca_pem: String,
    pub cert_pem: String,
    pub key_pem: String,
}

pub fn ca() -> (rcgen::CertificateParams, rcgen::KeyPair, String) {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut p = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    p.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    p.distinguished_name
        .push(rcgen::DnType::CommonName, "Easel test CA");
    p.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::CrlSign,
        rcgen::KeyUsagePurpose::DigitalSignature,
    ];
    let pem = p.self_signed(&key).unwrap().pem();
    (p, key, pem)
}

/// A server certificate for `names`, issued by a new CA; `expired` dates it in the past.
pub fn pki(names: &[&str], expired: bool) -> Pki {
    let (ca_params, ca_key, ca_pem) = ca();
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let key = rcgen::KeyPair::generate().unwrap();
    let mut p =
        rcgen::CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
            .unwrap();
    p.distinguished_name
        .push(rcgen::DnType::CommonName, names[0]);
    if expired {
        p.not_before = rcgen::date_time_ymd(2020, 1, 1);
        p.not_after = rcgen::date_time_ymd(2021, 1, 1);
    }
    let cert = p.signed_by(&key, &issuer).unwrap();
    Pki {
        ca_pem,
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
    }
}

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Connects over TLS, trusting only the CA in `ca_pem`.
pub async fn raw_connect_tls(url: &str, ca_pem: &str) -> Ws {
    let config = easel_core::tls::TlsConfig::only_roots_pem(ca_pem.as_bytes())
        .unwrap()
        .client_config()
        .unwrap();
    let connect = tokio_tungstenite::connect_async_tls_with_config(
        url,
        None,
        true,
        Some(tokio_tungstenite::Connector::Rustls(config)),
    );
    let (ws, _) = tokio::time::timeout(T, connect)
        .await
        .expect("connect in time")
        .expect("connect");
    ws
}

pub async fn raw_connect(url: &str) -> Ws {
    let (ws, _) = tokio::time::timeout(T, tokio_tungstenite::connect_async(url))
        .await
        .expect("connect in time")
        .expect("connect");
    ws
}

/// Connects with a tiny receive buffer (no autotuning), for a client that never reads.
pub async fn raw_connect_small_buffer(addr: SocketAddr, room: &str) -> Ws {
    let sock = tokio::net::TcpSocket::new_v4().unwrap();
    sock.set_recv_buffer_size(4096).unwrap();
    let stream = sock.connect(addr).await.unwrap();
    let url = format!("ws://{addr}/{room}");
    let (ws, _) = tokio::time::timeout(
        T,
        tokio_tungstenite::client_async(url, MaybeTlsStream::Plain(stream)),
    )
    .await
    .expect("connect in time")
    .expect("connect");
    ws
}

/// Reads until a close frame (or the end) and returns its code and reason.
pub async fn expect_close(ws: &mut Ws) -> (u16, String) {
    let deadline = tokio::time::Instant::now() + T;
    loop {
        match tokio::time::timeout_at(deadline, ws.next()).await {
            Err(_) => panic!("no close frame in time"),
            Ok(None) => panic!("stream ended without a close frame"),
            Ok(Some(Err(e))) => panic!("error before a close frame: {e}"),
            Ok(Some(Ok(Message::Close(Some(f))))) => return (f.code.into(), f.reason.to_string()),
            Ok(Some(Ok(Message::Close(None)))) => panic!("close frame without a code"),
            Ok(Some(Ok(_))) => {}
        }
    }
}

/// A y-websocket client: a socket plus a peer over its own yrs doc.
pub struct Client {
    pub ws: Ws,
    pub peer: Peer,
}

impl Client {
    pub async fn connect(url: &str) -> Client {
        Self::over(raw_connect(url).await).await
    }

    /// With a tiny receive buffer: a client that stops reading falls behind quickly.
    pub async fn connect_small_buffer(addr: SocketAddr, room: &str) -> Client {
        Self::over(raw_connect_small_buffer(addr, room).await).await
    }

    /// Over TLS, trusting only the CA in `ca_pem`.
    pub async fn connect_tls(url: &str, ca_pem: &str) -> Client {
        Self::over(raw_connect_tls(url, ca_pem).await).await
    }

    /// With an `X-Forwarded-For` header, as a reverse proxy on 127.0.0.1 would send.
    pub async fn connect_forwarded(url: &str, forwarded_for: &str) -> Client {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let mut req = url.into_client_request().unwrap();
        req.headers_mut()
            .insert("x-forwarded-for", forwarded_for.parse().unwrap());
        let (ws, _) = tokio::time::timeout(T, tokio_tungstenite::connect_async(req))
            .await
            .expect("connect in time")
            .expect("connect");
        Self::over(ws).await
    }

    async fn over(mut ws: Ws) -> Client {
        // The relay's sync step 2 and resyncs carry whole documents, bigger than one edit.
        let limits = easel_proto::Limits {
            max_message_bytes: 64 << 20,
            ..Default::default()
        };
        let peer = Peer::with_limits(Doc::new(), limits);
        for m in peer.start() {
            ws.send(Message::Binary(Bytes::from(m))).await.unwrap();
        }
        Client { ws, peer }
    }

    pub async fn send(&mut self, bytes: Vec<u8>) {
        self.ws
            .send(Message::Binary(Bytes::from(bytes)))
            .await
            .unwrap();
    }

    /// Sets `m[key] = value` locally and sends the update.
    pub async fn set(&mut self, key: &str, value: &str) {
        let doc = self.peer.doc();
        let map = doc.get_or_insert_map("m");
        let before = doc.transact().state_vector();
        {
            let mut txn = doc.transact_mut();
            map.insert(&mut txn, key, value);
        }
        let update = doc.transact().encode_diff_v1(&before);
        self.send(message::encode_update(&update)).await;
    }

    pub fn get(&self, key: &str) -> Option<String> {
        let doc = self.peer.doc();
        let map = doc.get_or_insert_map("m");
        let txn = doc.transact();
        map.get(&txn, key).map(|v| v.to_string(&txn))
    }

    pub fn len(&self) -> u32 {
        let doc = self.peer.doc();
        let map = doc.get_or_insert_map("m");
        map.len(&doc.transact())
    }

    pub fn text_len(&self, name: &str) -> u32 {
        let doc = self.peer.doc();
        let t = doc.get_or_insert_text(name);
        yrs::Text::len(&t, &doc.transact())
    }

    pub async fn set_awareness(&mut self, json: &str) {
        // easel-proto gives a client's first state clock 0, which y-protocols' rules (and so
        // the relay) ignore as not newer than "unknown"; y-protocols' own Awareness starts at
        // clock 0 with `{}` and so publishes real states from clock 1. Do the same.
        if self
            .peer
            .awareness()
            .clock(self.peer.awareness().local_client())
            .is_none()
        {
            self.peer.set_local_awareness(Some("{}")).unwrap();
        }
        let m = self.peer.set_local_awareness(Some(json)).unwrap();
        self.send(m).await;
    }

    /// Handles incoming messages (answering sync step 1) until `done` holds.
    pub async fn pump_until(&mut self, what: &str, mut done: impl FnMut(&Client) -> bool) {
        let deadline = tokio::time::Instant::now() + T;
        while !done(self) {
            let msg = match tokio::time::timeout_at(deadline, self.ws.next()).await {
                Err(_) => panic!("timed out waiting for {what}"),
                Ok(None) => panic!("connection ended while waiting for {what}"),
                Ok(Some(m)) => m.unwrap(),
            };
            if let Message::Binary(b) = msg {
                for o in self.peer.handle(&b).unwrap() {
                    if let Outgoing::Reply(r) = o {
                        self.send(r).await;
                    }
                }
            }
        }
    }

    /// Handles whatever arrives within `d`.
    pub async fn pump_for(&mut self, d: Duration) {
        let deadline = tokio::time::Instant::now() + d;
        while let Ok(Some(Ok(msg))) = tokio::time::timeout_at(deadline, self.ws.next()).await {
            if let Message::Binary(b) = msg {
                for o in self.peer.handle(&b).unwrap() {
                    if let Outgoing::Reply(r) = o {
                        self.send(r).await;
                    }
                }
            }
        }
    }

    pub fn state(&self) -> Vec<u8> {
        self.peer
            .doc()
            .transact()
            .encode_state_as_update_v1(&yrs::StateVector::default())
    }

    pub fn sv(&self) -> Vec<u8> {
        self.peer.doc().transact().state_vector().encode_v1()
    }
}
