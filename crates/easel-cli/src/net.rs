//! The sync commands: `easel sync`, `connect`, `disconnect`, `serve` and `hosts`. Each board
//! syncs two rooms: its content (`<board>`) and its comments (`<board>/comments`).

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use easel_core::sync::{self, SyncOptions, SyncReport};
use easel_core::{Access, BoardSession, CommentsSession, Store};
use easel_relay::{
    AuditSink, AuthEvent, Authorizer, CapabilityAuthorizer, Config, OpenAuthorizer, RelayStore,
    Server,
};
use serde_json::json;
use tokio::sync::Mutex;
use uuid::Uuid;

use crate::commands::{Ctx, out};
use crate::{Output, mdns, table};

/// The title of a fetched board until the synced document's title replaces it.
const REPLICA_TITLE: &str = "Synced board";

/// How often `easel serve` looks for edits other processes made to the served boards.
const POLL: Duration = Duration::from_millis(500);

impl Ctx {
    pub(crate) async fn sync(
        &self,
        board: &str,
        relay: Option<&str>,
        timeout: Duration,
    ) -> Result<Output> {
        let e = &self.easel;
        // A full id this store lacks is a board to fetch; anything else must be here already.
        let full = Uuid::try_parse(board.trim()).ok();
        let missing = match full {
            Some(id) => match e.store().board(id).await {
                Ok(_) => false,
                Err(easel_core::Error::NotFound { .. }) => true,
                Err(err) => return Err(err.into()),
            },
            None => false,
        };
        let id = match full {
            Some(id) if missing => id,
            _ => self.board_id(board, false).await?,
        };
        let urls: Vec<String> = match relay {
            Some(u) => {
                let u = u.trim().trim_end_matches('/').to_string();
                sync::room_url(&u, &id.to_string(), &[])?;
                vec![u]
            }
            None if missing => bail!(
                "board {id} is not in this installation; pass --relay ws://HOST:PORT to fetch it"
            ),
            None => {
                let remotes = e.remotes(self.actor, id).await?;
                if remotes.is_empty() {
                    bail!(
                        "no relay or host is remembered for board {id}; pass --relay ws://HOST:PORT \
                         or run `easel connect {id} ws://HOST:PORT`"
                    );
                }
                remotes.into_iter().map(|r| r.url).collect()
            }
        };
        if missing {
            e.create_replica(self.actor, id, REPLICA_TITLE).await?;
        }
        let result = self.sync_with(id, &urls, timeout).await;
        let reports = match result {
            Ok(r) => r,
            Err(err) => {
                if missing {
                    // Leave no empty stand-in behind; a replica that got content is kept.
                    let _ = e.discard_replica(self.actor, id).await;
                }
                return Err(err);
            }
        };
        let renamed = e.adopt_doc_title(self.actor, id).await?;
        let session = e.open_board(self.actor, id).await?;
        let title = session.board().title.clone();
        let elements = session.elements().len();
        let threads = e.open_comments(self.actor, id).await?.threads().len();
        let mut lines = Vec::new();
        if missing {
            lines.push(format!("fetched board {id} ({title:?})"));
        } else if let Some(t) = &renamed {
            lines.push(format!("board {id} is now titled {t:?}"));
        }
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        for (url, r, c) in &reports {
            lines.push(format!(
                "synced {id} with {url}: sent {} bytes, received {} bytes, applied {} update{}; \
                 comments: sent {} bytes, received {} bytes, applied {} update{}",
                r.sent_bytes,
                r.received_bytes,
                r.applied_updates,
                plural(r.applied_updates),
                c.sent_bytes,
                c.received_bytes,
                c.applied_updates,
                plural(c.applied_updates),
            ));
        }
        lines.push(format!(
            "{elements} elements, {threads} comment thread{}",
            plural(threads)
        ));
        let j = json!({
            "id": id,
            "title": title,
            "created": missing,
            "renamed": renamed.is_some(),
            "elements": elements,
            "threads": threads,
            "remotes": reports.iter().map(|(url, r, c)| json!({
                "url": url,
                "sent_bytes": r.sent_bytes,
                "received_bytes": r.received_bytes,
                "applied_updates": r.applied_updates,
                "comments": c,
            })).collect::<Vec<_>>(),
        });
        Ok(out(lines.join("\n"), j))
    }

    /// One-shot syncs of the board and then its comments with each URL in turn; the first
    /// failure ends it.
    pub(crate) async fn sync_with(
        &self,
        id: Uuid,
        urls: &[String],
        timeout: Duration,
    ) -> Result<Vec<(String, SyncReport, SyncReport)>> {
        let session = self.easel.open_board(self.actor, id).await?;
        let session = Arc::new(Mutex::new(session));
        let comments = self.easel.open_comments(self.actor, id).await?;
        let comments = Arc::new(Mutex::new(comments));
        let mut reports = Vec::new();
        let auth = self.easel.sync_auth(self.actor, id).await?;
        for url in urls {
            let mut opts = SyncOptions::new(url.clone());
            opts.connect_timeout = timeout;
            opts.auth = auth.clone();
            let r = sync::sync_once(session.clone(), &opts, timeout)
                .await
                .map_err(|err| anyhow!("cannot sync {id} with {url}: {err}"))?;
            let c = sync::sync_once(comments.clone(), &opts, timeout)
                .await
                .map_err(|err| anyhow!("cannot sync the comments of {id} with {url}: {err}"))?;
            reports.push((url.clone(), r, c));
        }
        Ok(reports)
    }

    pub(crate) async fn connect(
        &self,
        board: &str,
        url: Option<&str>,
        kind: &str,
    ) -> Result<Output> {
        let id = self.board_id(board, false).await?;
        let Some(url) = url else {
            let remotes = self.easel.remotes(self.actor, id).await?;
            let rows: Vec<Vec<String>> = remotes
                .iter()
                .map(|r| vec![r.url.clone(), r.kind.clone(), r.added_at.clone()])
                .collect();
            let text = if remotes.is_empty() {
                format!("no remotes for {id} (add one with `easel connect {id} ws://HOST:PORT`)\n")
            } else {
                table::render(&["URL", "KIND", "ADDED"], &rows)
            };
            return Ok(out(text, serde_json::to_value(&remotes)?));
        };
        let (url, added) = self.easel.connect(self.actor, id, url, kind).await?;
        let text = if added {
            format!("{id} will sync with {url} ({kind})")
        } else {
            format!("{id} already syncs with {url} ({kind})")
        };
        Ok(out(
            text,
            json!({ "id": id, "url": url, "kind": kind, "added": added }),
        ))
    }

    pub(crate) async fn disconnect(&self, board: &str, url: &str) -> Result<Output> {
        let id = self.board_id(board, false).await?;
        if !self.easel.disconnect(self.actor, id, url).await? {
            bail!("{url} is not a remote of board {id} (list them with `easel connect {id}`)");
        }
        Ok(out(
            format!("{id} no longer syncs with {url}"),
            json!({ "id": id, "url": url, "removed": true }),
        ))
    }

    pub(crate) async fn serve(
        &self,
        listen: SocketAddr,
        boards: &[String],
        open: bool,
        json: bool,
    ) -> Result<Output> {
        let e = &self.easel;
        let mut ids: Vec<Uuid> = if boards.is_empty() {
            e.list_boards(self.actor, false)
                .await?
                .into_iter()
                .filter(|b| b.access == Access::Owner)
                .map(|b| b.board.id)
                .collect()
        } else {
            let mut ids = Vec::new();
            for b in boards {
                let id = self.board_id(b, false).await?;
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
            ids
        };
        if !open {
            // Peers' links are checked against our key: every served board needs an id bound
            // to it (a board made before this installation had an identity is re-keyed).
            self.identity().await?;
            for id in ids.iter_mut() {
                let (record, _, old) = e.bind_board(self.actor, *id).await?;
                if let Some(old) = old {
                    eprintln!(
                        "easel: board {old} now has the id {} (bound to your key); the old id \
                         still works here",
                        record.id
                    );
                }
                *id = record.id;
            }
        }
        let mut sessions: Vec<Arc<Mutex<BoardSession>>> = Vec::new();
        let mut comments: Vec<Arc<Mutex<CommentsSession>>> = Vec::new();
        for id in &ids {
            sessions.push(Arc::new(Mutex::new(e.open_board(self.actor, *id).await?)));
            comments.push(Arc::new(Mutex::new(
                e.open_comments(self.actor, *id).await?,
            )));
        }

        let dir = Store::data_dir()?.join("host");
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        let config = Config::new(listen, dir);
        let relay_store = RelayStore::open(&config.db_path(), config.durability)
            .await
            .context("cannot open the host's room store")?;
        let authorizer: Arc<dyn Authorizer> = if open {
            Arc::new(OpenAuthorizer)
        } else {
            // Joins, refusals and refused writes go to the board's audit log.
            let store = e.store().clone();
            let sink: AuditSink = Arc::new(move |event| {
                if let Some((board, action, detail)) = host_audit(&event) {
                    let store = store.clone();
                    tokio::spawn(async move {
                        if let Err(err) = store.audit(board, None, action, &detail).await {
                            eprintln!("easel: cannot write the audit log: {err}");
                        }
                    });
                }
            });
            CapabilityAuthorizer::load_with_audit(relay_store.clone(), sink).await?
        };
        let server = Server::bind_with_store(config, relay_store, authorizer)
            .await
            .with_context(|| format!("cannot serve on {listen}"))?;
        let addr = server.local_addr();
        let (stop_server, stopped) = tokio::sync::oneshot::channel::<()>();
        let server_task = tokio::spawn(server.run(async move {
            let _ = stopped.await;
        }));

        // Our own sync clients reach the embedded server over loopback.
        let local_ip = match addr.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        let local_url = ws_url(SocketAddr::new(local_ip, addr.port()));
        let mut handles = Vec::new();
        let mut opts = SyncOptions::new(local_url.clone());
        opts.min_backoff = Duration::from_millis(100);
        opts.max_backoff = Duration::from_secs(2);
        for (s, id) in sessions.iter().zip(&ids) {
            if !open {
                opts.auth = e.sync_auth(self.actor, *id).await?;
            }
            handles.push(sync::start(s.clone(), opts.clone()));
        }
        for (c, id) in comments.iter().zip(&ids) {
            if !open {
                opts.auth = e.sync_auth(self.actor, *id).await?;
            }
            handles.push(sync::start(c.clone(), opts.clone()));
        }

        let announcement = if addr.ip().is_loopback() {
            None
        } else {
            match mdns::Announcement::start(addr, &ids) {
                Ok(a) => Some(a),
                Err(err) => {
                    eprintln!("easel: warning: not announced on the LAN: {err:#}");
                    None
                }
            }
        };

        let peer_url = if addr.ip().is_unspecified() {
            format!("ws://{}.local:{}", mdns::host_name(), addr.port())
        } else {
            ws_url(addr)
        };
        {
            let mut stdout = std::io::stdout().lock();
            if json {
                let line = json!({
                    "url": peer_url,
                    "listen": addr.to_string(),
                    "boards": ids,
                    "announced": announcement.is_some(),
                });
                writeln!(stdout, "{line}")?;
            } else {
                writeln!(
                    stdout,
                    "serving {} board{} at {peer_url} (Ctrl-C to stop)",
                    ids.len(),
                    if ids.len() == 1 { "" } else { "s" }
                )?;
                if addr.ip().is_unspecified() {
                    writeln!(
                        stdout,
                        "listening on all interfaces, port {}; peers on the LAN use this machine's address",
                        addr.port()
                    )?;
                }
                for s in &sessions {
                    let s = s.lock().await;
                    writeln!(
                        stdout,
                        "  {}  {}  (easel sync {} --relay {peer_url})",
                        s.board().id,
                        s.board().title,
                        s.board().id
                    )?;
                }
            }
            stdout.flush()?;
        }

        // Bring in what other processes write to the store; refresh hands it to the sync client.
        let shutdown = shutdown_signal();
        tokio::pin!(shutdown);
        let mut tick = tokio::time::interval(POLL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = &mut shutdown => break,
                _ = tick.tick() => {
                    for s in &sessions {
                        let mut s = s.lock().await;
                        if let Err(err) = s.refresh().await {
                            eprintln!("easel: warning: cannot refresh {}: {err}", s.board().id);
                        }
                    }
                    for c in &comments {
                        let mut c = c.lock().await;
                        if let Err(err) = c.refresh().await {
                            eprintln!(
                                "easel: warning: cannot refresh the comments of {}: {err}",
                                c.board().id
                            );
                        }
                    }
                }
            }
        }

        for h in handles {
            h.stop().await;
        }
        drop(announcement);
        let _ = stop_server.send(());
        match tokio::time::timeout(Duration::from_secs(10), server_task).await {
            Ok(Ok(Ok(()))) => {}
            Ok(Ok(Err(err))) => return Err(anyhow!("the server failed while stopping: {err}")),
            Ok(Err(err)) => return Err(anyhow!("the server failed: {err}")),
            Err(_) => bail!("the server did not stop within 10s"),
        }
        Ok(out(
            "stopped serving",
            json!({ "stopped": true, "boards": ids }),
        ))
    }

    pub(crate) async fn hosts(&self, wait: Duration) -> Result<Output> {
        let hosts = tokio::task::spawn_blocking(move || mdns::browse(wait))
            .await
            .map_err(|err| anyhow!("mDNS browsing failed: {err}"))??;
        let rows: Vec<Vec<String>> = hosts
            .iter()
            .map(|h| {
                let addr = match h.addresses.first() {
                    Some(IpAddr::V6(a)) => format!("[{a}]:{}", h.port),
                    Some(a) => format!("{a}:{}", h.port),
                    None => format!("?:{}", h.port),
                };
                let mut boards: Vec<String> = h.boards.iter().map(Uuid::to_string).collect();
                if h.board_count > h.boards.len() {
                    boards.push(format!("(+{} more)", h.board_count - h.boards.len()));
                }
                vec![h.name.clone(), addr, boards.join(" ")]
            })
            .collect();
        let text = if hosts.is_empty() {
            format!("no Easel hosts found on the LAN within {:?}\n", wait)
        } else {
            table::render(&["NAME", "ADDRESS", "BOARDS"], &rows)
        };
        Ok(out(text, serde_json::to_value(&hosts)?))
    }
}

fn ws_url(addr: SocketAddr) -> String {
    format!("ws://{addr}")
}

/// Completes on Ctrl-C or (on Unix) SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = ctrl_c => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = ctrl_c.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

/// What a hosting peer writes to a board's audit log for an authorization event.
fn host_audit(event: &AuthEvent) -> Option<(Uuid, &'static str, serde_json::Value)> {
    match event {
        AuthEvent::Admitted { room, admission } if !admission.owner => Some((
            admission.board?,
            "peer.join",
            json!({ "room": room, "link_id": admission.link, "grant": format!("{:?}", admission.grant) }),
        )),
        AuthEvent::Admitted { .. } | AuthEvent::Registered { .. } => None,
        AuthEvent::Denied {
            room,
            board,
            reason,
        } => Some((
            (*board)?,
            "peer.denied",
            json!({ "room": room, "reason": reason }),
        )),
        AuthEvent::WriteRefused {
            room,
            admission,
            reason,
        } => Some((
            admission.board?,
            "peer.write_refused",
            json!({ "room": room, "link_id": admission.link, "reason": reason }),
        )),
        AuthEvent::Revoked {
            board,
            link,
            closed,
        } => Some((
            *board,
            "link.revoke.applied",
            json!({ "link_id": link, "closed_connections": closed }),
        )),
    }
}
