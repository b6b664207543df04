//! The sync commands: `easel sync`, `connect`, `disconnect`, `serve` and `hosts` (the last two
//! over `easel_host`). Each board
//! syncs two rooms: its content (`<board>`) and its comments (`<board>/comments`).

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Result, anyhow, bail};
use easel_core::Store;
use easel_core::sync::{self, SyncOptions, SyncReport};
use easel_host::{Host, HostConfig, ServedBoard};
use serde_json::json;
use tokio::sync::Mutex;
use uuid::Uuid;

use crate::commands::{Ctx, out};
use crate::{Output, table};

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
            Some(id) => !e.has_board(id).await?,
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
            // A big board's download is reported on stderr as it goes.
            let (status, mut watch) = tokio::sync::watch::channel(sync::SyncStatus::Offline);
            let progress = tokio::spawn(async move {
                let mut shown = false;
                while watch.changed().await.is_ok() {
                    let s = watch.borrow_and_update().clone();
                    if let sync::SyncStatus::Downloading { received } = s {
                        eprintln!(
                            "downloading the board: {:.1} MiB",
                            received as f64 / 1048576.0
                        );
                        shown = true;
                    }
                }
                shown
            });
            let r = sync::sync_once_reporting(session.clone(), &opts, timeout, &status).await;
            drop(status);
            let _ = progress.await;
            let mut r = r.map_err(|err| anyhow!("cannot sync {id} with {url}: {err}"))?;
            // Images the board shows whose bytes this installation lacks come along now (the
            // app fetches them when drawn; the CLI may export offline next).
            let missing = session.lock().await.missing_files().await?;
            if !missing.is_empty() {
                for f in &missing {
                    session.lock().await.file_channel().want(f);
                }
                let again = sync::sync_once(session.clone(), &opts, timeout)
                    .await
                    .map_err(|err| anyhow!("cannot fetch the images of {id} from {url}: {err}"))?;
                r.sent_bytes += again.sent_bytes;
                r.received_bytes += again.received_bytes;
                r.applied_updates += again.applied_updates;
            }
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
        (max_board_bytes, max_board_file_bytes): (u64, u64),
        json: bool,
    ) -> Result<Output> {
        let e = &self.easel;
        let mut requested = Vec::new();
        for b in boards {
            requested.push(self.board_id(b, false).await?);
        }
        if !open {
            // Says where the key lives when it is a plain file.
            self.identity().await?;
        }
        let (ids, rekeyed) = easel_host::boards_to_serve(e, self.actor, &requested, open)
            .await
            .map_err(host_error)?;
        for r in &rekeyed {
            eprintln!(
                "easel: board {} now has the id {} (bound to your key); the old id still works \
                 here",
                r.from, r.to
            );
        }
        let mut served = Vec::new();
        for id in &ids {
            served.push(
                ServedBoard::open(e, self.actor, *id)
                    .await
                    .map_err(host_error)?,
            );
        }
        let mut config = HostConfig::new(listen, Store::data_dir()?.join("host"));
        config.open = open;
        config.poll = POLL;
        config.max_board_bytes = max_board_bytes;
        config.max_board_file_bytes = max_board_file_bytes;
        config.warn = Arc::new(|w| eprintln!("easel: warning: {w}"));
        let host = Host::start(e, self.actor, served.clone(), config)
            .await
            .map_err(host_error)?;
        let info = host.info().clone();
        if let Some(why) = &info.not_announced
            && !info.listen.ip().is_loopback()
        {
            eprintln!("easel: warning: not announced on the LAN: {why}");
        }
        let peer_url = &info.url;
        {
            let mut stdout = std::io::stdout().lock();
            if json {
                let line = json!({
                    "url": peer_url,
                    "listen": info.listen.to_string(),
                    "boards": ids,
                    "announced": info.announced,
                });
                writeln!(stdout, "{line}")?;
            } else {
                writeln!(
                    stdout,
                    "serving {} board{} at {peer_url} (Ctrl-C to stop)",
                    ids.len(),
                    if ids.len() == 1 { "" } else { "s" }
                )?;
                if info.listen.ip().is_unspecified() {
                    writeln!(
                        stdout,
                        "listening on all interfaces, port {}; peers on the LAN use this machine's address",
                        info.listen.port()
                    )?;
                }
                for s in &served {
                    let s = s.board.lock().await;
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

        shutdown_signal().await;
        host.stop().await?;
        Ok(out(
            "stopped serving",
            json!({ "stopped": true, "boards": ids }),
        ))
    }

    pub(crate) async fn hosts(&self, wait: Duration) -> Result<Output> {
        let hosts = tokio::task::spawn_blocking(move || easel_host::discover(wait))
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

/// The core's errors stay themselves, so `main` picks their exit code.
fn host_error(e: easel_host::Error) -> anyhow::Error {
    match e {
        easel_host::Error::Core(e) => e.into(),
        other => other.into(),
    }
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
