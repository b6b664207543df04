//! Sharing end to end through the real `easel` binary: share, join, links, revoke, against a
//! relay with `--auth capabilities` and against a hosting peer (`easel serve`), with installs
//! that keep their identity in a 0600 file (EASEL_KEY_STORE=file).

mod common;

use std::time::{Duration, Instant};

use common::*;
use easel_relay::{CapabilityAuthorizer, Config, Durability, RelayStore, Server};
use serde_json::Value;

/// A capabilities relay in a background runtime; restartable on the same data.
struct Relay {
    url: String,
    dir: tempfile::TempDir,
    rt: tokio::runtime::Runtime,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    done: Option<tokio::task::JoinHandle<()>>,
}

impl Relay {
    fn start() -> Relay {
        let dir = tempfile::tempdir().unwrap();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let mut r = Relay {
            url: String::new(),
            dir,
            rt,
            stop: None,
            done: None,
        };
        r.run("127.0.0.1:0");
        r
    }

    fn run(&mut self, listen: &str) {
        let mut config = Config::new(listen.parse().unwrap(), self.dir.path().to_path_buf());
        config.durability = Durability::Normal;
        let server = self.rt.block_on(async {
            let store = RelayStore::open(&config.db_path(), config.durability)
                .await
                .unwrap();
            let auth = CapabilityAuthorizer::load(store.clone()).await.unwrap();
            Server::bind_with_store(config, store, auth).await.unwrap()
        });
        self.url = format!("ws://{}", server.local_addr());
        let (stop, rx) = tokio::sync::oneshot::channel::<()>();
        let task = self.rt.spawn(async move {
            let _ = server
                .run(async move {
                    let _ = rx.await;
                })
                .await;
        });
        self.stop = Some(stop);
        self.done = Some(task);
    }

    fn stop(&mut self) {
        let _ = self.stop.take().unwrap().send(());
        let done = self.done.take().unwrap();
        self.rt
            .block_on(async { tokio::time::timeout(Duration::from_secs(15), done).await })
            .expect("relay stopped")
            .unwrap();
    }

    fn start_again(&mut self) {
        let addr = self.url.trim_start_matches("ws://").to_string();
        self.run(&addr);
    }

    fn restart(&mut self) {
        self.stop();
        self.start_again();
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

/// Runs a command that must succeed; stderr may carry only easel's notices (the file-store
/// warning, a re-key notice). Returns stdout trimmed.
fn ok(i: &Install, args: &[&str]) -> String {
    let r = i.run(args);
    assert_eq!(
        r.code, 0,
        "easel {args:?} failed: {}\nstdout: {}",
        r.stderr, r.stdout
    );
    for line in r.stderr.lines() {
        assert!(
            line.starts_with("easel: warning: the identity secret is stored in a plain file")
                || line.contains("now has the id"),
            "easel {args:?}: unexpected stderr {line:?}"
        );
    }
    r.stdout.trim().to_string()
}

fn json(i: &Install, args: &[&str]) -> Value {
    let mut a = vec!["--json"];
    a.extend_from_slice(args);
    serde_json::from_str(&ok(i, &a)).unwrap()
}

/// Runs a command that must fail with `code`; returns stderr.
fn fails(i: &Install, args: &[&str], code: i32) -> String {
    let r = i.run(args);
    assert_eq!(r.code, code, "easel {args:?}: {} {}", r.stderr, r.stdout);
    r.stderr
}

fn rect(i: &Install, board: &str, x: &str) -> String {
    ok(
        i,
        &[
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
        ],
    )
}

fn element_ids(i: &Install, board: &str) -> Vec<String> {
    let mut ids: Vec<String> = json(i, &["element", "list", board])
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

fn link(i: &Install, board: &str, extra: &[&str]) -> String {
    let mut args = vec!["share", board];
    args.extend_from_slice(extra);
    let out = ok(i, &args);
    out.lines()
        .find(|l| l.starts_with("easel://"))
        .unwrap_or_else(|| panic!("no link in {out}"))
        .to_string()
}

fn public_key(i: &Install) -> String {
    json(i, &["identity"])["public_key"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn share_join_and_revoke_through_a_capabilities_relay() {
    let mut relay = Relay::start();
    let a = Install::with_file_keys();
    let (b, c, d) = (
        Install::with_file_keys(),
        Install::with_file_keys(),
        Install::with_file_keys(),
    );

    // A board made before A had an identity: sharing re-keys it, the old id keeps working.
    let old = ok(&a, &["boards", "create", "Roadmap"]);
    let e1 = rect(&a, &old, "0");
    let edit = link(&a, &old, &["--level", "edit", "--relay", &relay.url]);
    let board = edit
        .strip_prefix("easel://board/")
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_string();
    assert_ne!(board, old);
    assert_eq!(uuid::Uuid::parse_str(&board).unwrap().get_version_num(), 8);
    assert_eq!(
        element_ids(&a, &old),
        vec![e1.clone()],
        "the old id resolves"
    );
    let audit = json(&a, &["audit", &board]);
    assert!(audit.to_string().contains("board.rekey"), "{audit}");
    assert!(
        audit.to_string().contains("\"create\""),
        "history before the re-key: {audit}"
    );

    // A board made once A has an identity is bound from the start.
    let fresh = ok(&a, &["boards", "create", "Fresh"]);
    assert_eq!(uuid::Uuid::parse_str(&fresh).unwrap().get_version_num(), 8);

    // Before the owner registers the board on the relay, the link cannot be used yet.
    let e = fails(&b, &["join", &edit], 1);
    assert!(e.contains("not registered"), "{e}");
    ok(&a, &["sync", &board]);

    // B joins with EDIT and gets the board; B's edit reaches A.
    let j = json(&b, &["join", &edit]);
    assert_eq!(j["level"], "EDIT");
    assert_eq!(element_ids(&b, &board), vec![e1.clone()]);
    let e2 = rect(&b, &board, "20");
    ok(&b, &["sync", &board]);
    ok(&a, &["sync", &board]);
    let mut both = vec![e1.clone(), e2.clone()];
    both.sort();
    assert_eq!(element_ids(&a, &board), both);

    // C holds a VIEW link issued to C's key alone: reads, cannot write (refused locally, and the
    // relay would refuse it too). D cannot use C's personal link.
    let c_key = public_key(&c);
    let view = link(
        &a,
        &board,
        &[
            "--level", "view", "--relay", &relay.url, "--for", &c_key, "--name", "Cy",
        ],
    );
    let e = fails(&d, &["join", &view], 1);
    assert!(e.contains("issued to another user"), "{e}");
    json(&c, &["join", &view]);
    assert_eq!(element_ids(&c, &board), both);
    let e = fails(
        &c,
        &[
            "element", "add", &board, "--kind", "ellipse", "--x", "0", "--y", "0", "--width", "5",
            "--height", "5",
        ],
        3,
    );
    assert!(e.contains("you have VIEW"), "{e}");

    // No link: not served.
    let e = fails(&d, &["sync", &board, "--relay", &relay.url], 1);
    assert!(e.contains("no capability"), "{e}");

    // Bad links are refused, naming what is wrong.
    let forged = {
        let (head, _) = edit.split_once("#cap=").unwrap();
        let other = Install::with_file_keys();
        let o = ok(&other, &["boards", "create", "Other"]);
        let theirs = link(&other, &o, &["--level", "edit"]);
        format!("{head}#cap={}", theirs.split_once("#cap=").unwrap().1)
    };
    for (bad, want) in [
        ("https://example.com", "scheme"),
        ("easel://board/nope#cap=x", "board"),
        (&forged[..], "cap"),
        (&edit[..edit.len() - 6], "cap"),
    ] {
        let e = fails(&d, &["join", bad], 1);
        assert!(e.contains(want), "{bad}: {e}");
    }
    let expired = link(&a, &board, &["--level", "view", "--expires", "1s"]);
    std::thread::sleep(Duration::from_millis(2100));
    let e = fails(&d, &["join", &expired], 1);
    assert!(e.contains("expired"), "{e}");

    // The owner lists and revokes B's link; the relay refuses B from then on, across a restart.
    let links = json(&a, &["links", &board]);
    let links = links.as_array().unwrap();
    assert_eq!(links.len(), 3, "{links:?}");
    let b_link = links.iter().find(|l| l["level"] == "EDIT").unwrap()["link_id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = json(&a, &["revoke", &board, &b_link[..8]]);
    assert_eq!(r["delivered"][0], relay.url.as_str(), "{r}");
    assert_eq!(
        json(&a, &["links", &board])
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["link_id"] == b_link.as_str())
            .unwrap()["status"],
        "revoked"
    );
    let e = fails(&b, &["sync", &board], 1);
    assert!(e.contains("revoked"), "{e}");
    relay.restart();
    let e = fails(&b, &["sync", &board], 1);
    assert!(e.contains("revoked"), "after a restart: {e}");
    ok(&c, &["sync", &board]);
    let audit = json(&a, &["audit", &board]).to_string();
    for action in ["link.create", "link.revoke"] {
        assert!(audit.contains(action), "{action}: {audit}");
    }

    // Revoked while the relay is down: pending, then delivered by the owner's next sync.
    let c_link = json(&a, &["links", &board])
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["level"] == "VIEW" && l["status"] == "active")
        .unwrap()["link_id"]
        .as_str()
        .unwrap()
        .to_string();
    relay.stop();
    let r = json(&a, &["revoke", &board, &c_link]);
    assert_eq!(r["pending"][0], relay.url.as_str(), "{r}");
    relay.start_again();
    ok(&c, &["sync", &board]);
    ok(&a, &["sync", &board]);
    let e = fails(&c, &["sync", &board], 1);
    assert!(e.contains("revoked"), "{e}");
}

#[test]
fn a_hosting_peer_enforces_links_like_the_relay_and_audits_them() {
    let a = Install::with_file_keys();
    let (b, c, d) = (
        Install::with_file_keys(),
        Install::with_file_keys(),
        Install::with_file_keys(),
    );
    ok(&a, &["identity"]);
    let board = ok(&a, &["boards", "create", "Hosted"]);
    let e1 = rect(&a, &board, "0");
    let (_host, url, _) = serve(&a, &["--board", &board]);

    let edit = link(&a, &board, &["--level", "edit", "--relay", &url]);
    let comment = link(&a, &board, &["--level", "comment", "--relay", &url]);

    // EDIT: joins through the host and writes the board.
    json(&b, &["join", &edit]);
    assert_eq!(element_ids(&b, &board), vec![e1.clone()]);
    let e2 = rect(&b, &board, "30");
    ok(&b, &["sync", &board]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while element_ids(&a, &board).len() < 2 {
        assert!(
            Instant::now() < deadline,
            "B's edit never reached A's store through the host"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(element_ids(&a, &board).contains(&e2));

    // COMMENT: reads the board, writes comments (which reach A), never the board.
    json(&c, &["join", &comment]);
    assert_eq!(element_ids(&c, &board).len(), 2);
    let t = ok(
        &c,
        &["comments", &board, "add", "--text", "from C", "--at", "0,0"],
    );
    ok(&c, &["sync", &board]);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let threads = json(&a, &["comments", &board]);
        if threads.to_string().contains("from C") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "C's comment never reached A: {threads} ({t})"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let e = fails(
        &c,
        &[
            "element", "add", &board, "--kind", "ellipse", "--x", "0", "--y", "0", "--width", "5",
            "--height", "5",
        ],
        3,
    );
    assert!(e.contains("you have COMMENT"), "{e}");

    // Clients that do not hold back (not the easel CLI, which refuses locally) are refused by
    // the host itself: VIEW writes nothing, COMMENT writes comments only.
    let view = link(&a, &board, &["--level", "view", "--relay", &url]);
    let token = |l: &str| l.split_once("#cap=").unwrap().1.to_string();
    let comments_room = format!("{board}/comments");
    for (what, l, room, refused) in [
        ("VIEW on the board", &view, &board, true),
        ("VIEW on comments", &view, &comments_room, true),
        ("COMMENT on the board", &comment, &board, true),
    ] {
        let r = raw_write(&url, room, &token(l)).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(r.is_some(), refused, "{what}: {r:?}");
        assert!(r.unwrap().starts_with("permission denied"), "{what}");
    }
    let e = raw_write(&url, &board, "garbage").unwrap_err();
    assert!(e.contains("malformed"), "{e}");

    // Revoking the EDIT link on the host: B is refused from then on.
    let edit_id = json(&a, &["links", &board])
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["level"] == "EDIT")
        .unwrap()["link_id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = json(&a, &["revoke", &board, &edit_id]);
    assert_eq!(r["delivered"][0], url.as_str(), "{r}");
    let e = raw_write(&url, &board, &token(&edit)).unwrap_err();
    assert!(e.contains("revoked"), "{e}");
    let e = fails(&b, &["sync", &board], 1);
    assert!(e.contains("revoked"), "{e}");

    // No link: refused by the host, and the refusal is in the board's audit log.
    let e = fails(&d, &["sync", &board, "--relay", &url], 1);
    assert!(e.contains("no capability"), "{e}");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let audit = json(&a, &["audit", &board]).to_string();
        if audit.contains("peer.denied")
            && audit.contains("peer.join")
            && audit.contains("peer.write_refused")
            && audit.contains("link.revoke.applied")
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no peer.join / peer.denied in {audit}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// A y-websocket client that does not hold back: connects to `room` with `cap`, sends one
/// update, and returns the server's refusal of the write (if any). `Err` is a refused connection.
/// A `ws://` relay on the internet carries the link's token in clear text: `easel share` says
/// so (stderr and `--json`) and still prints the link. A relay on this machine or the LAN is not
/// warned about.
#[test]
fn sharing_through_a_plain_relay_on_the_internet_warns() {
    let a = Install::with_file_keys();
    let board = ok(&a, &["boards", "create", "Warned"]);
    let r = a.run(&[
        "share",
        &board,
        "--level",
        "view",
        "--relay",
        "ws://relay.example.com",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("easel://"), "{}", r.stdout);
    assert!(
        r.stderr.lines().any(|l| l
            .starts_with("easel: warning: the relay ws://relay.example.com is ws://")
            && l.contains("wss://")),
        "{}",
        r.stderr
    );
    let out = json(
        &a,
        &[
            "share",
            &board,
            "--level",
            "view",
            "--relay",
            "ws://192.168.1.20:8787",
        ],
    );
    assert_eq!(out["warnings"], serde_json::json!([]));
}

fn raw_write(base: &str, room: &str, cap: &str) -> Result<Option<String>, String> {
    use easel_proto::message::{self, Message as Proto};
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    use yrs::{Map, ReadTxn, Transact};

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let url = format!("{base}/{room}?cap={cap}");
        let (mut ws, _) = tokio::time::timeout(
            Duration::from_secs(10),
            tokio_tungstenite::connect_async(url),
        )
        .await
        .map_err(|_| "connect timed out".to_string())?
        .map_err(|e| e.to_string())?;
        let limits = easel_proto::Limits::default();
        let wait = Duration::from_millis(1500);
        // The first frame says whether we are served.
        match tokio::time::timeout(wait, ws.next()).await {
            Ok(Some(Ok(Message::Binary(b)))) => {
                if let Ok(Proto::PermissionDenied { reason }) = message::decode(&b, &limits) {
                    return Err(reason);
                }
            }
            other => return Err(format!("unexpected first frame {other:?}")),
        }
        let doc = yrs::Doc::new();
        let m = doc.get_or_insert_map("m");
        m.insert(&mut doc.transact_mut(), "k", "v");
        let update = doc
            .transact()
            .encode_state_as_update_v1(&yrs::StateVector::default());
        ws.send(Message::Binary(message::encode_update(&update).into()))
            .await
            .map_err(|e| e.to_string())?;
        loop {
            match tokio::time::timeout(wait, ws.next()).await {
                Ok(Some(Ok(Message::Binary(b)))) => {
                    if let Ok(Proto::PermissionDenied { reason }) = message::decode(&b, &limits) {
                        return Ok(Some(reason));
                    }
                }
                Ok(Some(Ok(_))) => {}
                _ => return Ok(None),
            }
        }
    })
}
