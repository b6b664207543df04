//! `--auth capabilities` over real sockets: owner registration, the permission matrix, room
//! squatting, forged/expired/misdirected/garbage capabilities, revocation (live connections
//! closed, persisted across a restart, replays refused), and the audit trail.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use easel_core::capability::{self, Capability, KeyProof, Revocation};
use easel_core::perm::Level;
use easel_proto::message::{self, Message as Proto};
use easel_relay::{AuthEvent, Grant};
use ed25519_dalek::SigningKey;
use futures_util::StreamExt;
use tokio_tungstenite::tungstenite::Message;
use uuid::Uuid;

fn now() -> i64 {
    easel_relay::capauth::unix_now()
}

struct Owner {
    key: SigningKey,
    salt: [u8; 16],
    board: Uuid,
}

impl Owner {
    fn new() -> Owner {
        let key = capability::generate_key();
        let salt = rand_salt();
        let board = capability::board_id_for(&key.verifying_key(), &salt);
        Owner { key, salt, board }
    }

    /// The owner's connection parameters: a fresh key proof and the salt (registration).
    fn params(&self) -> Vec<(String, String)> {
        let mut p = KeyProof::new(&self.key, self.board, now()).to_params();
        p.push(("salt".into(), b64(&self.salt)));
        p
    }

    fn cap(
        &self,
        level: Level,
        subject: Option<&SigningKey>,
        expires_at: Option<i64>,
    ) -> (String, Uuid) {
        let link_id = Uuid::new_v4();
        let c = Capability {
            board: self.board,
            level,
            link_id,
            issued_at: now(),
            expires_at,
            subject: subject.map(|k| k.verifying_key().to_bytes()),
        };
        (c.sign(&self.key), link_id)
    }

    fn revocation(&self, link: Uuid) -> Vec<u8> {
        Revocation {
            board: self.board,
            link_id: link,
            revoked_at: now(),
        }
        .sign(&self.key)
    }
}

fn rand_salt() -> [u8; 16] {
    *Uuid::new_v4().as_bytes()
}

fn b64(b: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// Parameters of a capability holder: the token, plus a key proof when `key` is given.
fn holder(board: Uuid, token: &str, key: Option<&SigningKey>) -> Vec<(String, String)> {
    let mut p = vec![("cap".to_string(), token.to_string())];
    if let Some(k) = key {
        p.extend(KeyProof::new(k, board, now()).to_params());
    }
    p
}

fn url(srv: &TestServer, room: &str, params: &[(String, String)]) -> String {
    let q: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{}?{}", srv.url(room), q.join("&"))
}

enum Opened {
    Served(Box<Client>),
    Refused(String),
}

impl Opened {
    fn served(self, what: &str) -> Client {
        match self {
            Opened::Served(c) => *c,
            Opened::Refused(r) => panic!("{what}: refused: {r}"),
        }
    }

    fn refused(self, what: &str) -> String {
        match self {
            Opened::Served(_) => panic!("{what}: served, expected a refusal"),
            Opened::Refused(r) => r,
        }
    }
}

/// Connects and reads the first message: the relay's sync step 1 (served), or the auth
/// message followed by close 1008 (refused).
async fn open(url: &str) -> Opened {
    opened(Client::connect(url).await).await
}

/// [`open`] through a reverse proxy on 127.0.0.1 that names `client` as the client.
async fn open_forwarded(url: &str, client: &str) -> Opened {
    opened(Client::connect_forwarded(url, client).await).await
}

async fn opened(mut c: Client) -> Opened {
    let first = tokio::time::timeout(T, c.ws.next())
        .await
        .expect("a first message in time")
        .expect("a first message")
        .expect("a frame");
    let Message::Binary(b) = first else {
        panic!("unexpected first frame {first:?}")
    };
    if let Ok(Proto::PermissionDenied { reason }) = message::decode(&b, &Default::default()) {
        let (code, close_reason) = expect_close(&mut c.ws).await;
        assert_eq!(code, 1008, "{close_reason}");
        return Opened::Refused(reason);
    }
    for o in c.peer.handle(&b).unwrap() {
        if let easel_proto::Outgoing::Reply(r) = o {
            c.send(r).await;
        }
    }
    Opened::Served(Box::new(c))
}

/// Writes `m[key]` and returns the refusal reason if one arrives.
async fn write(c: &mut Client, key: &str) -> Option<String> {
    c.set(key, "v").await;
    let deadline = tokio::time::Instant::now() + Duration::from_millis(700);
    while let Ok(Some(Ok(msg))) = tokio::time::timeout_at(deadline, c.ws.next()).await {
        if let Message::Binary(b) = msg {
            match message::decode(&b, &Default::default()) {
                Ok(Proto::PermissionDenied { reason }) => return Some(reason),
                _ => {
                    for o in c.peer.handle(&b).unwrap_or_default() {
                        if let easel_proto::Outgoing::Reply(r) = o {
                            c.send(r).await;
                        }
                    }
                }
            }
        }
    }
    None
}

/// Whether `key` is in the room, as a fresh owner connection sees it.
async fn owner_sees(srv: &TestServer, o: &Owner, room: &str, key: &str) -> bool {
    let mut c = open(&url(srv, room, &o.params()))
        .await
        .served("owner reader");
    c.pump_for(Duration::from_millis(250)).await;
    c.get(key).is_some()
}

fn events() -> Arc<Mutex<Vec<AuthEvent>>> {
    Arc::new(Mutex::new(Vec::new()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_permission_matrix_holds_on_the_relay() {
    let dir = tempfile::tempdir().unwrap();
    let log = events();
    let srv = TestServer::start_caps(test_config(dir.path()), log.clone()).await;
    let o = Owner::new();
    let board = o.board.to_string();
    let comments = format!("{board}/comments");

    // Before the owner registers, nobody is served.
    let (early, _) = o.cap(Level::Edit, None, None);
    let r = open(&url(&srv, &board, &holder(o.board, &early, None)))
        .await
        .refused("cap before registration");
    assert!(r.contains("not registered"), "{r}");

    // The owner registers and writes both rooms.
    let mut owner = open(&url(&srv, &board, &o.params())).await.served("owner");
    assert_eq!(write(&mut owner, "by-owner").await, None);
    let mut owner_c = open(&url(&srv, &comments, &o.params()))
        .await
        .served("owner comments");
    assert_eq!(write(&mut owner_c, "owner-note").await, None);

    let (e_key, c_key, v_key) = (
        capability::generate_key(),
        capability::generate_key(),
        capability::generate_key(),
    );
    let (edit, _) = o.cap(Level::Edit, Some(&e_key), None);
    let (comment, _) = o.cap(Level::Comment, Some(&c_key), None);
    let (view, _) = o.cap(Level::View, Some(&v_key), None);
    let (public, public_link) = o.cap(Level::View, None, None);

    struct Row {
        who: &'static str,
        params: Vec<(String, String)>,
        signer: Option<SigningKey>,
        write_board: bool,
        write_comments: bool,
        revoke: bool,
    }
    let rows = vec![
        Row {
            who: "owner",
            params: o.params(),
            signer: Some(o.key.clone()),
            write_board: true,
            write_comments: true,
            revoke: true,
        },
        Row {
            who: "EDIT",
            params: holder(o.board, &edit, Some(&e_key)),
            signer: Some(e_key.clone()),
            write_board: true,
            write_comments: true,
            revoke: false,
        },
        Row {
            who: "COMMENT",
            params: holder(o.board, &comment, Some(&c_key)),
            signer: Some(c_key.clone()),
            write_board: false,
            write_comments: true,
            revoke: false,
        },
        Row {
            who: "VIEW",
            params: holder(o.board, &view, Some(&v_key)),
            signer: Some(v_key.clone()),
            write_board: false,
            write_comments: false,
            revoke: false,
        },
        Row {
            who: "public link",
            params: holder(o.board, &public, None),
            signer: None,
            write_board: false,
            write_comments: false,
            revoke: false,
        },
    ];
    for row in &rows {
        // Read: served, and the owner's content arrives.
        let mut c = open(&url(&srv, &board, &row.params)).await.served(row.who);
        c.pump_until("the owner's content", |c| c.get("by-owner").is_some())
            .await;

        // Write the board.
        let key = format!("board-by-{}", row.who);
        let refused = write(&mut c, &key).await;
        assert_eq!(
            refused.is_none(),
            row.write_board,
            "{}: board write: {refused:?}",
            row.who
        );
        assert_eq!(
            owner_sees(&srv, &o, &board, &key).await,
            row.write_board,
            "{}",
            row.who
        );
        if let Some(r) = refused {
            assert!(r.starts_with("permission denied"), "{r}");
        }

        // Write the comments room.
        // A second connection needs a fresh key proof: the relay takes each one once.
        let mut again: Vec<(String, String)> = row
            .params
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "key" | "ts" | "nonce" | "proof"))
            .cloned()
            .collect();
        if let Some(k) = &row.signer {
            again.extend(KeyProof::new(k, o.board, now()).to_params());
        }
        let mut cc = open(&url(&srv, &comments, &again)).await.served(row.who);
        let key = format!("note-by-{}", row.who);
        let refused = write(&mut cc, &key).await;
        assert_eq!(
            refused.is_none(),
            row.write_comments,
            "{}: comment write: {refused:?}",
            row.who
        );
        assert_eq!(
            owner_sees(&srv, &o, &comments, &key).await,
            row.write_comments,
            "{}",
            row.who
        );

        // Revoke: only the owner's signature revokes a link.
        let throwaway = o.cap(Level::View, None, None);
        let rev = match &row.signer {
            Some(k) => Revocation {
                board: o.board,
                link_id: throwaway.1,
                revoked_at: now(),
            }
            .sign(k),
            None => vec![0u8; 104],
        };
        c.send(message::encode_revocation(&rev)).await;
        c.pump_for(Duration::from_millis(200)).await;
        let after = open(&url(&srv, &board, &holder(o.board, &throwaway.0, None))).await;
        match (row.revoke, after) {
            (true, Opened::Refused(r)) => assert!(r.contains("revoked"), "{r}"),
            (false, Opened::Served(_)) => {}
            (true, Opened::Served(_)) => panic!("{}: the owner's revocation did not take", row.who),
            (false, Opened::Refused(r)) => panic!("{}: a non-owner revoked a link: {r}", row.who),
        }
    }

    // No capability: not served.
    let r = open(&srv.url(&board)).await.refused("no capability");
    assert!(r.contains("no capability"), "{r}");
    let r = open(&srv.url(&comments))
        .await
        .refused("no capability, comments");
    assert!(r.contains("no capability"), "{r}");

    // The public link is revoked while open: the connection gets the reason and is closed.
    let mut viewer = open(&url(&srv, &board, &holder(o.board, &public, None)))
        .await
        .served("public");
    owner
        .send(message::encode_revocation(&o.revocation(public_link)))
        .await;
    let deadline = tokio::time::Instant::now() + T;
    let mut told = None;
    loop {
        match tokio::time::timeout_at(deadline, viewer.ws.next())
            .await
            .expect("closed in time")
        {
            Some(Ok(Message::Binary(b))) => {
                if let Ok(Proto::PermissionDenied { reason }) =
                    message::decode(&b, &Default::default())
                {
                    told = Some(reason);
                }
            }
            Some(Ok(Message::Close(Some(f)))) => {
                assert_eq!(u16::from(f.code), 1008);
                break;
            }
            Some(Ok(_)) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(told.is_some_and(|r| r.contains("revoked")));

    // The audit trail saw registrations, refusals, refused writes and revocations.
    let log = log.lock().unwrap().clone();
    assert!(
        log.iter()
            .any(|e| matches!(e, AuthEvent::Registered { board } if *board == o.board))
    );
    assert!(log.iter().any(|e| matches!(e, AuthEvent::WriteRefused { admission, .. } if admission.grant == Grant::ReadOnly)));
    assert!(log.iter().any(|e| matches!(e, AuthEvent::WriteRefused { admission, .. } if admission.grant == Grant::CommentsOnly)));
    assert!(
        log.iter().any(
            |e| matches!(e, AuthEvent::Revoked { link, closed: 1, .. } if *link == public_link)
        )
    );
    assert!(
        log.iter()
            .filter(|e| matches!(e, AuthEvent::Denied { .. }))
            .count()
            >= 3
    );
    let metrics = srv.metrics.render();
    assert!(metrics.contains("reason=\"write_denied\""), "{metrics}");
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn squatting_forgery_and_bad_tokens_are_refused_and_revocations_persist() {
    let dir = tempfile::tempdir().unwrap();
    let log = events();
    let srv = TestServer::start_caps(test_config(dir.path()), log.clone()).await;
    let o = Owner::new();
    let board = o.board.to_string();

    // Room squatting: someone who learned the board id registers first with their own key.
    let squatter = capability::generate_key();
    let mut p = KeyProof::new(&squatter, o.board, now()).to_params();
    p.push(("salt".into(), b64(&o.salt)));
    let r = open(&url(&srv, &board, &p)).await.refused("squatter");
    assert!(r.contains("registration refused"), "{r}");
    // A proof signed by one key but naming the owner's key.
    let mut forged = KeyProof::new(&squatter, o.board, now());
    forged.key = o.key.verifying_key().to_bytes();
    let mut p = forged.to_params();
    p.push(("salt".into(), b64(&o.salt)));
    let r = open(&url(&srv, &board, &p)).await.refused("forged proof");
    assert!(r.contains("key proof"), "{r}");
    // A stale proof (replayed from long ago).
    let mut p = KeyProof::new(&o.key, o.board, now() - 3600).to_params();
    p.push(("salt".into(), b64(&o.salt)));
    let r = open(&url(&srv, &board, &p)).await.refused("stale proof");
    assert!(r.contains("too far"), "{r}");

    // The real owner registers.
    let owner_params = o.params();
    let mut owner = open(&url(&srv, &board, &owner_params))
        .await
        .served("owner");
    assert_eq!(write(&mut owner, "x").await, None);
    // Its URL replayed while the proof is still fresh (copied from a log or a plain ws://
    // connection): a proof works once.
    let r = open(&url(&srv, &board, &owner_params))
        .await
        .refused("replayed proof");
    assert!(r.contains("already used"), "{r}");
    // A proof without a nonce (an older client, or one stripped to dodge the replay check).
    let stripped: Vec<(String, String)> = o
        .params()
        .into_iter()
        .filter(|(k, _)| k != "nonce")
        .collect();
    let r = open(&url(&srv, &board, &stripped))
        .await
        .refused("no nonce");
    assert!(r.contains("nonce"), "{r}");
    // Another nonce with the same signature is a forgery.
    let mut swapped = KeyProof::new(&o.key, o.board, now());
    swapped.nonce = [7; 16];
    let r = open(&url(&srv, &board, &swapped.to_params()))
        .await
        .refused("swapped nonce");
    assert!(r.contains("key proof"), "{r}");

    let other = Owner::new();
    let mut other_conn = open(&url(&srv, &other.board.to_string(), &other.params()))
        .await
        .served("other owner");
    assert_eq!(write(&mut other_conn, "y").await, None);
    let (good, link) = o.cap(Level::Edit, None, None);
    let forged_sig = {
        let c = Capability::decode_unverified(&good).unwrap().0;
        c.sign(&squatter)
    };
    let (other_board_cap, _) = other.cap(Level::Edit, None, None);
    let (expired, _) = o.cap(Level::Edit, None, Some(now() - 10));
    let (for_someone_else, _) = o.cap(Level::Edit, Some(&capability::generate_key()), None);
    let truncated = good[..good.len() - 10].to_string();
    for (what, token, expect) in [
        (
            "forged signature",
            forged_sig.as_str(),
            "signature does not verify",
        ),
        (
            "another board's capability",
            other_board_cap.as_str(),
            "signature does not verify",
        ),
        ("expired", expired.as_str(), "expired"),
        (
            "issued to another user",
            for_someone_else.as_str(),
            "another user",
        ),
        ("truncated", truncated.as_str(), "malformed"),
        ("garbage", "%21%21not-base64", "malformed"),
    ] {
        let r = open(&url(&srv, &board, &holder(o.board, token, None)))
            .await
            .refused(what);
        assert!(r.contains(expect), "{what}: {r}");
    }
    // The good one works, then is revoked; a forged revocation for another link does nothing.
    open(&url(&srv, &board, &holder(o.board, &good, None)))
        .await
        .served("good");
    let (kept, kept_link) = o.cap(Level::View, None, None);
    let fake = Revocation {
        board: o.board,
        link_id: kept_link,
        revoked_at: now(),
    }
    .sign(&squatter);
    owner.send(message::encode_revocation(&fake)).await;
    owner
        .send(message::encode_revocation(&o.revocation(link)))
        .await;
    owner.pump_for(Duration::from_millis(300)).await;
    let r = open(&url(&srv, &board, &holder(o.board, &good, None)))
        .await
        .refused("revoked");
    assert!(r.contains("revoked"), "{r}");
    open(&url(&srv, &board, &holder(o.board, &kept, None)))
        .await
        .served("kept");
    srv.shutdown().await;

    // After a restart: the pin and the revocation hold; the replayed capability is refused.
    let srv = TestServer::start_caps(test_config(dir.path()), log.clone()).await;
    let r = open(&url(&srv, &board, &holder(o.board, &good, None)))
        .await
        .refused("replay after restart");
    assert!(r.contains("revoked"), "{r}");
    let mut p = KeyProof::new(&squatter, o.board, now()).to_params();
    p.push(("salt".into(), b64(&o.salt)));
    open(&url(&srv, &board, &p))
        .await
        .refused("squatter after restart");
    let mut c = open(&url(&srv, &board, &holder(o.board, &kept, None)))
        .await
        .served("kept after restart");
    c.pump_until("the board's content", |c| c.get("x").is_some())
        .await;
    // Malformed control messages close the sender with 1007.
    c.send(vec![100, 0, 3, 1, 2]).await;
    let (code, _) = expect_close(&mut c.ws).await;
    assert_eq!(code, 1007);
    // Every refusal was audited.
    let denied = log
        .lock()
        .unwrap()
        .iter()
        .filter(|e| matches!(e, AuthEvent::Denied { .. }))
        .count();
    assert!(denied >= 11, "{denied}");
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stock_yjs_client_writes_with_edit_and_cannot_with_view() {
    let node_ok = std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        node_ok,
        "node is needed for the stock Yjs client (./dev test installs it)"
    );
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop");
    if !dir.join("node_modules").exists() {
        let st = std::process::Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir)
            .status()
            .unwrap();
        assert!(st.success(), "npm ci failed in {}", dir.display());
    }
    let data = tempfile::tempdir().unwrap();
    let srv = TestServer::start_caps(test_config(data.path()), events()).await;
    let o = Owner::new();
    let board = o.board.to_string();
    let mut owner = open(&url(&srv, &board, &o.params())).await.served("owner");
    let (view, _) = o.cap(Level::View, None, None);
    let (edit, _) = o.cap(Level::Edit, None, None);

    for (token, key, may_write) in [(&view, "from_viewer", false), (&edit, "from_editor", true)] {
        let node = tokio::process::Command::new("node")
            .arg("client.mjs")
            .arg(format!("ws://{}", srv.addr))
            .arg(&board)
            .arg(token)
            .arg(key)
            .current_dir(&dir)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        if may_write {
            owner
                .pump_until("the editor's write", |c| c.get(key).is_some())
                .await;
        } else {
            // Give the viewer's write every chance to arrive (it is refused at the relay).
            owner.pump_for(Duration::from_millis(1500)).await;
        }
        owner.set("from_rust", key).await;
        let out = tokio::time::timeout(Duration::from_secs(25), node.wait_with_output())
            .await
            .expect("node finished in time")
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        println!(
            "node ({key}):\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "node failed");
        assert!(stdout.contains(&format!("GOT from_rust={key}")), "{stdout}");
        owner.pump_for(Duration::from_millis(300)).await;
        assert_eq!(owner.get(key).is_some(), may_write, "{key}");
        assert_eq!(
            owner_sees(&srv, &o, &board, key).await,
            may_write,
            "{key} persisted"
        );
    }
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_ends_when_its_capability_expires() {
    let dir = tempfile::tempdir().unwrap();
    let srv = TestServer::start_caps(test_config(dir.path()), events()).await;
    let o = Owner::new();
    let board = o.board.to_string();
    let _owner = open(&url(&srv, &board, &o.params())).await.served("owner");
    let (token, _) = o.cap(Level::Edit, None, Some(now() + 2));
    let mut c = open(&url(&srv, &board, &holder(o.board, &token, None)))
        .await
        .served("before expiry");
    let started = std::time::Instant::now();
    let mut told = None;
    loop {
        match tokio::time::timeout(T, c.ws.next())
            .await
            .expect("closed in time")
        {
            Some(Ok(Message::Binary(b))) => {
                if let Ok(Proto::PermissionDenied { reason }) =
                    message::decode(&b, &Default::default())
                {
                    told = Some(reason);
                }
            }
            Some(Ok(Message::Close(Some(f)))) => {
                assert_eq!(u16::from(f.code), 1008);
                break;
            }
            Some(Ok(_)) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(started.elapsed() >= Duration::from_millis(500));
    assert!(told.is_some_and(|r| r.contains("expired")));
    let r = open(&url(&srv, &board, &holder(o.board, &token, None)))
        .await
        .refused("after expiry");
    assert!(r.contains("expired"), "{r}");
    srv.shutdown().await;
}

/// With capabilities a board has exactly one room name, its id in lower-case hyphenated form
/// (plus `/comments`): another spelling of the same id (upper case, no hyphens) is
/// refused, not a second room beside the board's, where a holder's writes would escape what
/// the owner sees and revokes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_spelling_of_a_board_id_is_refused_not_a_second_room() {
    let dir = tempfile::tempdir().unwrap();
    let srv = TestServer::start_caps(test_config(dir.path()), events()).await;
    let o = Owner::new();
    let board = o.board.to_string();
    let mut owner = open(&url(&srv, &board, &o.params())).await.served("owner");
    assert_eq!(write(&mut owner, "x").await, None);
    let (token, _) = o.cap(Level::Edit, None, None);
    for room in [
        board.to_uppercase(),
        format!("{}/comments", board.to_uppercase()),
        o.board.simple().to_string(),
    ] {
        let r = open(&url(&srv, &room, &holder(o.board, &token, None)))
            .await
            .refused(&room);
        assert!(r.contains("is not a board"), "{room}: {r}");
    }
    // The canonical names still serve.
    for room in [board.clone(), format!("{board}/comments")] {
        open(&url(&srv, &room, &holder(o.board, &token, None)))
            .await
            .served(&room);
    }
}

/// Registering is free for an attacker (a fresh key and salt per board) and costs the relay a
/// room and its bytes for good: registrations are limited per key and per address (an IPv6
/// client by its /64) per hour, with a reason that says so. Joining registered boards is not.
#[tokio::test]
async fn registrations_are_limited_per_key_and_per_address() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = test_config(dir.path());
    cfg.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    let limits = easel_relay::RegistrationLimits {
        per_address: 4,
        per_key: 3,
    };
    let srv = TestServer::start_caps_with(cfg, events(), limits).await;

    // One key, many boards (a new salt each): three, then refused.
    let key = capability::generate_key();
    let board_of = |key: &SigningKey| {
        let salt = rand_salt();
        Owner {
            key: key.clone(),
            salt,
            board: capability::board_id_for(&key.verifying_key(), &salt),
        }
    };
    let mut first = None;
    for i in 0..3 {
        let o = board_of(&key);
        open(&url(&srv, &o.board.to_string(), &o.params()))
            .await
            .served(&format!("registration {i}"));
        first.get_or_insert(o);
    }
    let o = board_of(&key);
    let why = open(&url(&srv, &o.board.to_string(), &o.params()))
        .await
        .refused("a fourth board by one key");
    assert!(why.contains("this key registered 3 boards"), "{why}");
    // A registered board still opens for its owner: the limit is on new rooms only.
    let o = first.unwrap();
    open(&url(&srv, &o.board.to_string(), &o.params()))
        .await
        .served("a registered board");

    // Fresh keys from one address: four, then refused; the same /64 counts as one address;
    // another address is not affected.
    for i in 0..4 {
        let o = board_of(&capability::generate_key());
        let client = format!("2001:db8:1:2::{i:x}");
        open_forwarded(&url(&srv, &o.board.to_string(), &o.params()), &client)
            .await
            .served(&format!("address registration {i}"));
    }
    let o = board_of(&capability::generate_key());
    let why = open_forwarded(
        &url(&srv, &o.board.to_string(), &o.params()),
        "2001:db8:1:2:ffff::9",
    )
    .await
    .refused("a fifth board from one /64");
    assert!(why.contains("from this address"), "{why}");
    open_forwarded(&url(&srv, &o.board.to_string(), &o.params()), "203.0.113.7")
        .await
        .served("the same board from another address");
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_viewer_who_keeps_writing_is_recorded_once_not_once_per_write() {
    let dir = tempfile::tempdir().unwrap();
    let log = events();
    let srv = TestServer::start_caps(test_config(dir.path()), log.clone()).await;
    let o = Owner::new();
    let board = o.board.to_string();
    let _owner = open(&url(&srv, &board, &o.params())).await.served("owner");
    let (view, _) = o.cap(Level::View, None, None);
    let mut viewer = open(&url(&srv, &board, &holder(o.board, &view, None)))
        .await
        .served("viewer");
    // 60 writes, each refused: one record at once, the rest coalesced into the one written
    // when the viewer leaves.
    for i in 0..60 {
        viewer.set(&format!("k{i}"), "v").await;
    }
    viewer.pump_for(Duration::from_millis(500)).await;
    drop(viewer);
    let refused = || {
        log.lock()
            .unwrap()
            .iter()
            .filter_map(|e| match e {
                AuthEvent::WriteRefused { count, .. } => Some(*count),
                _ => None,
            })
            .collect::<Vec<u64>>()
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while refused().iter().sum::<u64>() < 60 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "refusals recorded: {:?}",
            refused()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let records = refused();
    assert_eq!(records.iter().sum::<u64>(), 60, "{records:?}");
    assert_eq!(records.len(), 2, "coalesced: {records:?}");
    assert_eq!(records[0], 1, "the first refusal is recorded at once");
    srv.shutdown().await;
}
