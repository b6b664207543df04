//! `easel sync`, `connect` and `serve` end to end: two installations (each its own
//! EASEL_DATA_DIR) run the real binary against a relay started in this process, or against
//! another `easel serve` process, on 127.0.0.1.

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use easel_relay::{Config, Durability, OpenAuthorizer, Server};

mod common;

use common::{Install, free_port, serve};

/// What these tests do to an installation, beyond running commands.
trait Board {
    fn element_ids(&self, board: &str) -> Vec<String>;
    fn add_rect(&self, board: &str, x: &str) -> String;
}

impl Board for Install {
    fn element_ids(&self, board: &str) -> Vec<String> {
        let mut ids: Vec<String> = self
            .json(&["element", "list", board])
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_string())
            .collect();
        ids.sort();
        ids
    }

    fn add_rect(&self, board: &str, x: &str) -> String {
        self.ok(&[
            "element",
            "add",
            board,
            "--kind",
            "rectangle",
            "--x",
            x,
            "--y",
            "0",
            "--width",
            "10",
            "--height",
            "10",
        ])
    }
}

/// A relay in a background runtime of this process, on 127.0.0.1:0.
struct Relay {
    url: String,
    _dir: tempfile::TempDir,
    _rt: tokio::runtime::Runtime,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Relay {
    fn start() -> Relay {
        Self::start_with(None)
    }

    /// With `tls`, the relay serves wss:// and the URL names `localhost`.
    fn start_with(tls: Option<easel_relay::TlsSettings>) -> Relay {
        let dir = tempfile::tempdir().unwrap();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let mut config = Config::new("127.0.0.1:0".parse().unwrap(), dir.path().to_path_buf());
        config.durability = Durability::Normal;
        let scheme = if tls.is_some() { "wss" } else { "ws" };
        config.tls = tls;
        let server = rt
            .block_on(Server::bind(config, Arc::new(OpenAuthorizer)))
            .unwrap();
        let url = match scheme {
            "wss" => format!("wss://localhost:{}", server.local_addr().port()),
            _ => format!("ws://{}", server.local_addr()),
        };
        let (stop, rx) = tokio::sync::oneshot::channel::<()>();
        rt.spawn(server.run(async move {
            let _ = rx.await;
        }));
        Relay {
            url,
            _dir: dir,
            _rt: rt,
            stop: Some(stop),
        }
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

#[test]
fn two_installs_share_a_board_through_a_relay() {
    let relay = Relay::start();
    let a = Install::new();
    let b = Install::new();
    let board = a.ok(&["boards", "create", "Team plan"]);
    let e1 = a.add_rect(&board, "0");
    let e2 = a.add_rect(&board, "20");

    let r = a.json(&["sync", &board[..8], "--relay", &relay.url]);
    assert_eq!(r["created"], false);
    assert!(r["remotes"][0]["sent_bytes"].as_u64().unwrap() > 0, "{r}");

    // B fetches the board by its full id: a replica appears, titled as the document.
    let r = b.json(&["sync", &board, "--relay", &relay.url]);
    assert_eq!(r["created"], true, "{r}");
    assert_eq!(r["title"], "Team plan");
    assert!(
        r["remotes"][0]["applied_updates"].as_u64().unwrap() >= 1,
        "{r}"
    );
    let mut want = vec![e1.clone(), e2.clone()];
    want.sort();
    assert_eq!(b.element_ids(&board), want);
    let listed = b.json(&["boards", "list"]);
    assert_eq!(listed[0]["title"], "Team plan");

    // B edits and syncs; A syncs and sees it.
    let e3 = b.add_rect(&board, "40");
    let text = b.ok(&["sync", &board, "--relay", &relay.url]);
    assert!(text.contains("sent") && text.contains("received"), "{text}");
    a.ok(&["sync", &board, "--relay", &format!("{}/", relay.url)]);
    assert!(a.element_ids(&board).contains(&e3));

    // A remembered remote is used without --relay; connect is idempotent and audited.
    a.fail(&["sync", &board], 1);
    let c = a.json(&["connect", &board, &relay.url]);
    assert_eq!(c["added"], true);
    assert_eq!(a.json(&["connect", &board, &relay.url])["added"], false);
    let listed = a.json(&["connect", &board]);
    assert_eq!(listed[0]["url"], relay.url.as_str());
    assert_eq!(listed[0]["kind"], "relay");
    let e4 = b.add_rect(&board, "60");
    b.ok(&["sync", &board, "--relay", &relay.url]);
    let r = a.json(&["sync", &board]);
    assert_eq!(r["remotes"][0]["url"], relay.url.as_str());
    assert!(a.element_ids(&board).contains(&e4));
    let audit = a.json(&["audit", &board, "--action", "connect"]);
    assert_eq!(audit.as_array().unwrap().len(), 1);
    let line = a.fail(&["disconnect", &board, "ws://127.0.0.1:1"], 1);
    assert!(line.contains("not a remote"), "{line}");
    a.ok(&["disconnect", &board, &relay.url]);
    assert_eq!(a.json(&["connect", &board]), serde_json::json!([]));
    let line = a.fail(&["sync", &board], 1);
    assert!(line.contains("easel connect"), "{line}");

    // Bad URLs are refused up front, leaving nothing behind.
    let line = a.fail(&["sync", &board, "--relay", "http://x"], 1);
    assert!(line.contains("ws://"), "{line}");
    a.fail(&["connect", &board, "http://x"], 1);
    let stranger = "0c7e4d3a-5b1f-4a7e-9d2c-1f2e3d4c5b6a";
    b.fail(&["sync", stranger, "--relay", "http://x"], 1);
    b.fail(&["sync", stranger], 1);
    assert_eq!(
        b.json(&["boards", "list", "--all"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

/// Comment threads on a board, oldest first, as `easel --json comments --all` lists them.
fn threads(i: &Install, board: &str) -> Vec<serde_json::Value> {
    i.json(&["comments", board, "--all"])
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn comments_travel_through_a_relay_and_concurrent_replies_converge() {
    let relay = Relay::start();
    let a = Install::new();
    let b = Install::new();
    let board = a.ok(&["boards", "create", "Reviewed"]);
    let t = a.ok(&[
        "comments",
        &board,
        "add",
        "--text",
        "First look",
        "--at",
        "5,5",
    ]);
    let r = a.json(&["sync", &board, "--relay", &relay.url]);
    assert!(
        r["remotes"][0]["comments"]["sent_bytes"].as_u64().unwrap() > 0,
        "{r}"
    );

    // B fetches the board; its comments come along.
    let r = b.json(&["sync", &board, "--relay", &relay.url]);
    assert_eq!(r["created"], true, "{r}");
    assert_eq!(r["threads"], 1, "{r}");
    let got = threads(&b, &board);
    assert_eq!(got[0]["id"], t.as_str());
    assert_eq!(got[0]["messages"][0]["text"], "First look");

    // Both reply while apart, and A resolves; after syncing both ways both hold the same.
    a.ok(&["comments", &board, "reply", &t, "--text", "from A"]);
    b.ok(&["comments", &board, "reply", &t, "--text", "from B 1"]);
    b.ok(&["comments", &board, "reply", &t, "--text", "from B 2"]);
    a.ok(&["comments", &board, "resolve", &t]);
    let t2 = b.ok(&[
        "comments", &board, "add", "--text", "Another", "--at", "1,1",
    ]);
    b.ok(&["sync", &board, "--relay", &relay.url]);
    a.ok(&["sync", &board, "--relay", &relay.url]);
    b.ok(&["sync", &board, "--relay", &relay.url]);
    let on_a = threads(&a, &board);
    assert_eq!(on_a, threads(&b, &board));
    assert_eq!(on_a.len(), 2);
    assert_eq!(on_a[0]["messages"].as_array().unwrap().len(), 4);
    assert_eq!(on_a[0]["resolved"], true);
    assert!(on_a.iter().any(|th| th["id"] == t2.as_str()));
    let texts: Vec<&str> = on_a[0]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    for want in ["First look", "from A", "from B 1", "from B 2"] {
        assert!(texts.contains(&want), "{texts:?}");
    }
    // The board's own content did not move: comments live in their own room.
    assert!(b.element_ids(&board).is_empty());
}

#[test]
fn an_unreachable_relay_fails_within_the_timeout() {
    let a = Install::new();
    let board = a.ok(&["boards", "create", "Lonely"]);
    // A port nobody listens on: bind, read the port, let it go.
    let port = free_port();
    let url = format!("ws://127.0.0.1:{port}");
    let t = Instant::now();
    let line = a.fail(&["sync", &board, "--relay", &url, "--timeout", "3s"], 1);
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    assert!(line.contains("cannot sync"), "{line}");
    // A fetch that fails leaves no empty replica.
    let stranger = "0c7e4d3a-5b1f-4a7e-9d2c-1f2e3d4c5b6a";
    a.fail(&["sync", stranger, "--relay", &url, "--timeout", "2s"], 1);
    assert_eq!(
        a.json(&["boards", "list", "--all"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn serve_hosts_boards_and_carries_edits_from_other_processes() {
    let a = Install::new();
    let b = Install::new();
    let board = a.ok(&["boards", "create", "Hosted"]);
    let e1 = a.add_rect(&board, "0");
    let t = a.ok(&[
        "comments",
        &board,
        "add",
        "--text",
        "Hosted note",
        "--at",
        "0,0",
    ]);
    let (mut serving, url, rx) = serve(&a, &["--open"]);

    // B fetches A's board from the host.
    let r = b.json(&["sync", &board, "--relay", &url, "--timeout", "10s"]);
    assert_eq!(r["created"], true, "{r}");
    assert_eq!(r["title"], "Hosted");
    assert_eq!(b.element_ids(&board), vec![e1.clone()]);
    assert_eq!(threads(&b, &board)[0]["id"], t.as_str());

    // B's reply lands in A's store through the host's comments room.
    b.ok(&["comments", &board, "reply", &t, "--text", "from B"]);
    b.ok(&["sync", &board, "--relay", &url, "--timeout", "10s"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while threads(&a, &board)[0]["messages"].as_array().unwrap().len() < 2 {
        assert!(
            Instant::now() < deadline,
            "B's reply never reached A's store"
        );
        std::thread::sleep(Duration::from_millis(200));
    }

    // An edit made by another process on A reaches B through the running host.
    let e2 = a.add_rect(&board, "30");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        b.ok(&["sync", &board, "--relay", &url, "--timeout", "5s"]);
        if b.element_ids(&board).contains(&e2) {
            break;
        }
        assert!(Instant::now() < deadline, "A's new element never reached B");
        std::thread::sleep(Duration::from_millis(200));
    }

    // B's edit lands in A's store through the host.
    let e3 = b.add_rect(&board, "60");
    b.ok(&["sync", &board, "--relay", &url, "--timeout", "5s"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !a.element_ids(&board).contains(&e3) {
        assert!(
            Instant::now() < deadline,
            "B's element never reached A's store"
        );
        std::thread::sleep(Duration::from_millis(200));
    }

    // SIGTERM stops it cleanly and promptly.
    let pid = serving.0.id().to_string();
    let t = Instant::now();
    let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(killed.success());
    let status = loop {
        if let Some(s) = serving.0.try_wait().unwrap() {
            break s;
        }
        assert!(
            t.elapsed() < Duration::from_secs(5),
            "serve did not exit within 5s of SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "serve exited with {status}");
    let rest: Vec<String> = rx.try_iter().collect();
    assert!(
        rest.iter().any(|l| l.contains("stopped serving")),
        "{rest:?}"
    );
}

#[test]
fn help_describes_the_sync_commands() {
    let a = Install::new();
    let h = a.ok(&["serve", "--help"]);
    assert!(
        h.contains("0.0.0.0:8788") && h.contains("unauthenticated")
            || h.contains("no authentication"),
        "{h}"
    );
    for cmd in ["sync", "connect", "disconnect", "hosts"] {
        let h = a.ok(&[cmd, "--help"]);
        assert!(h.contains("Example"), "{cmd}: {h}");
    }
    let line = a.fail(&["sync", "abcd", "--timeout", "soon"], 2);
    assert!(line.contains("duration"), "{line}");
}

/// A throwaway CA and a certificate for localhost it issued: (CA PEM, relay TLS settings).
fn test_pki() -> (String, easel_relay::TlsSettings) {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, KeyUsagePurpose};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_pem = ca.self_signed(&ca_key).unwrap().pem();
    let issuer = Issuer::new(ca, ca_key);
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["localhost".to_string()])
        .unwrap()
        .signed_by(&key, &issuer)
        .unwrap();
    let tls =
        easel_relay::TlsSettings::from_pem(cert.pem().as_bytes(), key.serialize_pem().as_bytes())
            .unwrap();
    (ca_pem, tls)
}

#[test]
fn sync_over_wss_trusts_the_ca_in_easel_extra_ca() {
    let (ca_pem, tls) = test_pki();
    let relay = Relay::start_with(Some(tls));
    let a = Install::new();
    let ca = a.path("relay-ca.pem");
    std::fs::write(&ca, ca_pem).unwrap();
    let ca = ca.to_str().unwrap().to_string();
    let mut a = a;
    a.env.push(("EASEL_EXTRA_CA".into(), ca.clone()));
    let board = a.ok(&["boards", "create", "Over TLS"]);
    let e1 = a.add_rect(&board, "0");
    a.ok(&["connect", &board[..8], &relay.url]);
    let r = a.json(&["sync", &board[..8]]);
    assert_eq!(r["remotes"][0]["url"], relay.url.as_str(), "{r}");

    // Without the CA the relay's certificate is not trusted, and the error says what to do.
    let mut b = Install::new();
    let line = b.fail(&["sync", &board, "--relay", &relay.url], 1);
    assert!(
        line.contains("certificate of localhost is not trusted"),
        "{line}"
    );
    assert!(line.contains("EASEL_EXTRA_CA"), "{line}");
    // A CA file that cannot be read is named.
    b.env
        .push(("EASEL_EXTRA_CA".into(), "/nonexistent/ca.pem".into()));
    let line = b.fail(&["sync", &board, "--relay", &relay.url], 1);
    assert!(
        line.contains("EASEL_EXTRA_CA=/nonexistent/ca.pem: cannot read it"),
        "{line}"
    );

    b.env.pop();
    b.env.push(("EASEL_EXTRA_CA".into(), ca));
    let r = b.json(&["sync", &board, "--relay", &relay.url]);
    assert_eq!(r["title"], "Over TLS", "{r}");
    assert_eq!(b.element_ids(&board), vec![e1.clone()]);

    // And back: B's edit reaches A through the same relay.
    let e2 = b.add_rect(&board, "30");
    b.ok(&["sync", &board, "--relay", &relay.url]);
    a.ok(&["sync", &board[..8]]);
    let mut want = vec![e1, e2];
    want.sort();
    assert_eq!(a.element_ids(&board), want);
}
