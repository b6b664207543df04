//! The sharing commands: `easel share`, `links`, `revoke BOARD LINK_ID` and `join`.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use anyhow::{Result, bail};
use easel_core::Level;
use easel_core::share::{IssuedLink, ShareRequest, unix_now};
use serde_json::json;
use uuid::Uuid;

use crate::Output;
use crate::commands::{Ctx, out};
use crate::table;

fn when(t: Option<i64>) -> String {
    match t {
        None => "never".into(),
        Some(t) => {
            let left = t - unix_now();
            if left <= 0 {
                "expired".into()
            } else if left < 3600 {
                format!("in {}m", left / 60 + 1)
            } else if left < 2 * 86_400 {
                format!("in {}h", left / 3600)
            } else {
                format!("in {}d", left / 86_400)
            }
        }
    }
}

impl Ctx {
    pub(crate) async fn share(
        &self,
        board: &str,
        level: &str,
        relay: Option<String>,
        expires: Option<Duration>,
        for_key: Option<String>,
        name: Option<String>,
    ) -> Result<Output> {
        let level: Level = level.parse()?;
        let id = self.board_id(board, false).await?;
        self.identity().await?;
        let req = ShareRequest {
            level: Some(level),
            relay: relay.map(|r| r.trim().trim_end_matches('/').to_string()),
            expires_at: expires.map(|d| unix_now() + d.as_secs() as i64),
            subject: for_key,
            subject_name: name,
        };
        let shared = self.easel.share(self.actor, id, &req).await?;
        if let Some(old) = shared.rekeyed_from {
            eprintln!(
                "easel: board {old} now has the id {} (bound to your key, so no one else can \
                 claim it on a relay); the old id still works here",
                shared.link.record.board_id
            );
        }
        for w in &shared.warnings {
            eprintln!("easel: warning: {w}");
        }
        let l = &shared.link;
        let mut text = l.url.clone();
        if !self.json && std::io::stderr().is_terminal() {
            eprintln!(
                "easel: {} link {} for {}, expires {}",
                l.record.level,
                l.record.link_id,
                if l.subject_key.is_some() {
                    "one person"
                } else {
                    "anyone with the link"
                },
                when(l.record.expires_at)
            );
        }
        if l.record.relay.is_none() {
            text.push_str(
                "\n(no --relay: collaborators need a relay or host URL to sync; `easel sync` \
                 uses the ones remembered with `easel connect`)",
            );
        }
        Ok(out(
            text,
            json!({ "link": l, "rekeyed_from": shared.rekeyed_from, "warnings": shared.warnings }),
        ))
    }

    pub(crate) async fn links(&self, board: &str) -> Result<Output> {
        let id = self.board_id(board, false).await?;
        self.identity().await?;
        let links = self.easel.links(self.actor, id).await?;
        let names = self.user_names().await?;
        let rows: Vec<Vec<String>> = links
            .iter()
            .map(|l| {
                vec![
                    l.record.link_id.to_string(),
                    l.record.level.to_string(),
                    match l.record.subject_id {
                        Some(u) => names.get(&u).cloned().unwrap_or_else(|| u.to_string()),
                        None => "anyone with the link".into(),
                    },
                    when(l.record.expires_at),
                    l.status.to_string(),
                ]
            })
            .collect();
        let text = if rows.is_empty() {
            format!("no links issued on {id}; make one with `easel share {id} --level view`")
        } else {
            table::render(&["LINK", "LEVEL", "FOR", "EXPIRES", "STATUS"], &rows)
        };
        Ok(out(text, json!(links)))
    }

    /// The share link of `board` that `arg` names (full id or a unique prefix), if any.
    pub(crate) async fn link_id(&self, board: Uuid, arg: &str) -> Result<Option<Uuid>> {
        if arg.eq_ignore_ascii_case("public") {
            return Ok(None);
        }
        let s = arg.trim().to_ascii_lowercase();
        if self.easel.access(self.actor, board).await? != easel_core::Access::Owner {
            return Ok(None);
        }
        let links = self.easel.links(self.actor, board).await?;
        let hits: Vec<Uuid> = links
            .iter()
            .map(|l| l.record.link_id)
            .filter(|l| l.to_string().starts_with(&s))
            .collect();
        match hits.as_slice() {
            [one] if s.len() >= 4 => Ok(Some(*one)),
            [_, _, ..] if s.len() >= 4 => bail!("link id {arg:?} is ambiguous"),
            _ => Ok(None),
        }
    }

    pub(crate) async fn revoke_link(&self, board: Uuid, link: Uuid) -> Result<Output> {
        self.identity().await?;
        let l: IssuedLink = self.easel.revoke_link(self.actor, board, link).await?;
        // Deliver it now where we can; every later sync of the board delivers it again.
        let mut urls: Vec<String> = self
            .easel
            .remotes(self.actor, board)
            .await?
            .into_iter()
            .map(|r| r.url)
            .collect();
        for other in self.easel.links(self.actor, board).await? {
            if let Some(r) = other.record.relay
                && !urls.contains(&r)
            {
                urls.push(r);
            }
        }
        let mut delivered = Vec::new();
        let mut pending = Vec::new();
        for url in urls {
            match self
                .sync_with(board, std::slice::from_ref(&url), Duration::from_secs(10))
                .await
            {
                Ok(_) => delivered.push(url),
                Err(e) => pending.push((url, format!("{e:#}"))),
            }
        }
        let mut text = format!("revoked link {link} ({}) on {board}", l.record.level);
        for u in &delivered {
            text.push_str(&format!("\n  delivered to {u}"));
        }
        for (u, why) in &pending {
            text.push_str(&format!(
                "\n  not delivered to {u} yet ({why}); the next sync delivers it"
            ));
        }
        Ok(out(
            text,
            json!({
                "link": l,
                "delivered": delivered,
                "pending": pending.iter().map(|(u, _)| u).collect::<Vec<_>>(),
            }),
        ))
    }

    pub(crate) async fn join(
        &self,
        link: &str,
        no_sync: bool,
        timeout: Duration,
    ) -> Result<Output> {
        let preview = self.easel.preview_link(link).await?;
        let title = preview.title.clone().unwrap_or_else(|| "a board".into());
        let by = preview
            .issued_by
            .clone()
            .unwrap_or_else(|| "its owner".into());
        let prompt = format!(
            "\"{title}\" ({}) shared by {by} ({}…) with {} access{}",
            preview.board,
            &preview.owner_key[..12.min(preview.owner_key.len())],
            preview.level,
            match preview.expires_at {
                Some(_) => format!(", expires {}", when(preview.expires_at)),
                None => String::new(),
            }
        );
        if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() && !self.json {
            eprint!("{prompt}\nJoin? [y/N] ");
            std::io::stderr().flush()?;
            let mut answer = String::new();
            std::io::stdin().read_line(&mut answer)?;
            if !matches!(answer.trim(), "y" | "Y" | "yes") {
                bail!("not joined");
            }
        }
        let joined = self.easel.join(self.actor, link).await?;
        let id = joined.board.id;
        let mut text = format!("joined: {prompt}");
        let mut synced = None;
        if !no_sync {
            match &joined.relay {
                Some(url) => {
                    let reports = self
                        .sync_with(id, std::slice::from_ref(url), timeout)
                        .await?;
                    let _ = self.easel.adopt_doc_title(self.actor, id).await;
                    synced = Some(url.clone());
                    let received: usize = reports.iter().map(|(_, r, _)| r.received_bytes).sum();
                    text.push_str(&format!("\nsynced with {url} ({received} bytes received)"));
                }
                None => text.push_str(
                    "\nthe link names no relay: run `easel sync ID --relay ws://HOST:PORT`",
                ),
            }
        }
        Ok(out(
            text,
            json!({
                "board": joined.board,
                "level": joined.level,
                "relay": joined.relay,
                "created": joined.created,
                "synced": synced,
            }),
        ))
    }
}
