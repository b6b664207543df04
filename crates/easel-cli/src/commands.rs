//! What each command does: resolve ids, call the core as the acting user, shape the output.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::Path;

use anyhow::{Context, Result, anyhow, bail};
use easel_core::store::{AuditQuery, User};
use easel_core::{Easel, Element, ElementKind, Identity, KeyStoreKind, Level, Store};
use serde_json::json;
use uuid::Uuid;

use crate::Output;
use crate::cli::{AddElement, AuditArgs, BoardCmd, BoardsCmd, Cli, Command, ElementCmd, UsersCmd};
use crate::formats;
use crate::table;

/// Shortest board, user or element id prefix accepted.
const MIN_PREFIX: usize = 4;

/// Scenes with more elements than this report import/export progress on stderr.
const PROGRESS_ABOVE: usize = 1000;

pub(crate) struct Ctx {
    pub(crate) easel: Easel,
    /// Why `EASEL_KEY_STORE` could not be used, reported by the commands that need the identity
    /// (the others work without one).
    key_store_error: Option<easel_core::Error>,
    pub(crate) actor: Uuid,
    /// `--json`: for commands that print as they go (`serve`).
    pub(crate) json: bool,
}

pub async fn run(cli: Cli) -> Result<Output> {
    let store = Store::open_default()
        .await
        .context("cannot open the Easel store")?;
    let data_dir = store
        .path()
        .parent()
        .unwrap_or(Path::new("."))
        .to_path_buf();
    let (easel, key_store_error) = match KeyStoreKind::from_env(&data_dir) {
        Ok(k) => (Easel::new(store).with_key_store(k), None),
        Err(e) => (Easel::new(store), Some(e)),
    };
    let local = easel.local_user().await?;
    let actor = match &cli.act_as {
        Some(s) => resolve_user(&easel, s).await?.id,
        None => local.id,
    };
    let ctx = Ctx {
        easel,
        key_store_error,
        actor,
        json: cli.json,
    };
    let out = ctx.dispatch(cli.command).await;
    ctx.easel.close().await;
    out
}

pub(crate) fn out(text: impl Into<String>, json: serde_json::Value) -> Output {
    Output {
        text: text.into(),
        json,
    }
}

impl Ctx {
    async fn dispatch(&self, command: Command) -> Result<Output> {
        match command {
            Command::Boards(c) => self.boards(c).await,
            Command::Board(BoardCmd::Show { board }) => self.show(&board).await,
            Command::Export {
                board,
                format,
                output,
            } => self.export(&board, format.as_deref(), &output).await,
            Command::Import { file, title } => self.import(&file, title.as_deref()).await,
            Command::History { board } => self.history(&board).await,
            Command::Snapshot { board, name } => self.snapshot(&board, name.as_deref()).await,
            Command::Restore { board, snapshot_id } => self.restore(&board, snapshot_id).await,
            Command::Audit(a) => self.audit(a).await,
            Command::Element(c) => self.element(c).await,
            Command::Comments(c) => self.comments(c).await,
            Command::Users(c) => self.users(c).await,
            Command::Identity { name } => self.identity_cmd(name.as_deref()).await,
            Command::Grant {
                board,
                subject,
                level,
            } => self.grant(&board, &subject, &level).await,
            Command::Revoke { board, subject } => self.revoke(&board, &subject).await,
            Command::Share {
                board,
                level,
                relay,
                expires,
                for_key,
                name,
            } => {
                self.share(&board, &level, relay, expires, for_key, name)
                    .await
            }
            Command::Links { board } => self.links(&board).await,
            Command::Join {
                link,
                no_sync,
                timeout,
            } => self.join(&link, no_sync, timeout).await,
            Command::Permissions { board } => self.permissions(&board).await,
            Command::Sync {
                board,
                relay,
                timeout,
            } => self.sync(&board, relay.as_deref(), timeout).await,
            Command::Connect { board, url, kind } => {
                self.connect(&board, url.as_deref(), &kind).await
            }
            Command::Disconnect { board, url } => self.disconnect(&board, &url).await,
            Command::Serve {
                listen,
                boards,
                open,
                max_board_bytes,
                max_board_file_bytes,
            } => {
                let quotas = (max_board_bytes, max_board_file_bytes);
                self.serve(listen, &boards, open, quotas, self.json).await
            }
            Command::Hosts { wait } => self.hosts(wait).await,
        }
    }

    /// A board id from a full UUID or a unique prefix of a board the actor can see.
    pub(crate) async fn board_id(&self, arg: &str, include_deleted: bool) -> Result<Uuid> {
        let s = arg.trim().to_ascii_lowercase();
        if let Ok(id) = Uuid::try_parse(&s) {
            // A board re-keyed when first shared still answers to its old id.
            return Ok(self.easel.resolve_board_id(id).await?);
        }
        check_prefix("board", arg, &s)?;
        let boards = self.easel.list_boards(self.actor, include_deleted).await?;
        let hits: Vec<_> = boards
            .iter()
            .filter(|b| b.board.id.to_string().starts_with(&s))
            .collect();
        match hits.as_slice() {
            [] => bail!("no board matches id {arg:?}"),
            [one] => Ok(one.board.id),
            many => bail!(
                "board id {arg:?} is ambiguous: {}",
                many.iter()
                    .map(|b| format!("{} ({})", b.board.id, b.board.title))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    async fn boards(&self, c: BoardsCmd) -> Result<Output> {
        let e = &self.easel;
        match c {
            BoardsCmd::List { all } => {
                let boards = e.list_boards(self.actor, all).await?;
                let mut headers = vec!["ID", "TITLE", "LEVEL", "UPDATED"];
                if all {
                    headers.push("DELETED");
                }
                let rows: Vec<Vec<String>> = boards
                    .iter()
                    .map(|b| {
                        let mut r = vec![
                            b.board.id.to_string(),
                            b.board.title.clone(),
                            b.access.to_string(),
                            b.board.updated_at.clone(),
                        ];
                        if all {
                            r.push(b.board.deleted_at.clone().unwrap_or_default());
                        }
                        r
                    })
                    .collect();
                let text = if boards.is_empty() {
                    "no boards\n".to_string()
                } else {
                    table::render(&headers, &rows)
                };
                Ok(out(text, serde_json::to_value(&boards)?))
            }
            BoardsCmd::Create { title } => {
                let b = e.create_board(self.actor, &title).await?;
                Ok(out(b.id.to_string(), serde_json::to_value(&b)?))
            }
            BoardsCmd::Rename { board, title } => {
                let id = self.board_id(&board, false).await?;
                e.rename_board(self.actor, id, &title).await?;
                Ok(out(
                    format!("renamed {id} to {title:?}"),
                    json!({ "id": id, "title": title }),
                ))
            }
            BoardsCmd::Delete { board } => {
                let id = self.board_id(&board, false).await?;
                e.delete_board(self.actor, id).await?;
                Ok(out(
                    format!("deleted {id} (undo with `easel boards undelete {id}`)"),
                    json!({ "id": id, "deleted": true }),
                ))
            }
            BoardsCmd::Undelete { board } => {
                let id = self.board_id(&board, true).await?;
                e.undelete_board(self.actor, id).await?;
                Ok(out(
                    format!("undeleted {id}"),
                    json!({ "id": id, "deleted": false }),
                ))
            }
        }
    }

    async fn show(&self, board: &str) -> Result<Output> {
        let id = self.board_id(board, false).await?;
        let session = self.easel.open_board(self.actor, id).await?;
        let record = session.board().clone();
        let mut by_kind: BTreeMap<&'static str, usize> = BTreeMap::new();
        let elements = session.elements();
        for el in &elements {
            *by_kind.entry(el.kind.as_str()).or_default() += 1;
        }
        let snapshots = self.easel.history(self.actor, id).await?.len();
        let owner = self.easel.user(record.owner_id).await?;
        let owner_name = owner.as_ref().map(|u| u.display_name.clone());
        let kinds = by_kind
            .iter()
            .map(|(k, n)| format!("{n} {k}"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut fields = vec![
            ("id", record.id.to_string()),
            ("title", record.title.clone()),
            (
                "owner",
                match &owner_name {
                    Some(n) => format!("{n} ({})", record.owner_id),
                    None => record.owner_id.to_string(),
                },
            ),
            (
                "elements",
                if kinds.is_empty() {
                    "0".into()
                } else {
                    format!("{} ({kinds})", elements.len())
                },
            ),
            ("your level", session.access().to_string()),
            ("created", record.created_at.clone()),
            ("updated", record.updated_at.clone()),
            ("snapshots", snapshots.to_string()),
        ];
        if let Some(d) = &record.deleted_at {
            fields.push(("deleted", d.clone()));
        }
        let j = json!({
            "id": record.id,
            "title": record.title,
            "owner_id": record.owner_id,
            "owner_name": owner_name,
            "elements": elements.len(),
            "elements_by_kind": by_kind,
            "access": session.access(),
            "created_at": record.created_at,
            "updated_at": record.updated_at,
            "deleted_at": record.deleted_at,
            "snapshots": snapshots,
        });
        Ok(out(table::fields(&fields), j))
    }

    async fn export(&self, board: &str, format: Option<&str>, output: &Path) -> Result<Output> {
        let format: formats::Format = match format {
            Some(f) => f.to_ascii_lowercase().parse()?,
            None => format_from_path(output)?,
        };
        let id = self.board_id(board, false).await?;
        let session = self.easel.open_board(self.actor, id).await?;
        let scene = session.scene_for_export().await?;
        let mut progress = Progress::new("export", scene.elements.len() > PROGRESS_ABOVE);
        let bytes = formats::export(&scene, format, &mut |p| progress.report(p))?;
        progress.finish();
        write_atomic(output, &bytes)?;
        session
            .record_export(format.extension(), scene.elements.len(), bytes.len())
            .await?;
        Ok(out(
            format!(
                "exported {} elements to {} ({}, {} bytes)",
                scene.elements.len(),
                output.display(),
                format.extension(),
                bytes.len()
            ),
            json!({
                "id": id,
                "file": output,
                "format": format.extension(),
                "elements": scene.elements.len(),
                "bytes": bytes.len(),
            }),
        ))
    }

    async fn import(&self, file: &Path, title: Option<&str>) -> Result<Output> {
        let bytes =
            std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
        // The whole name: its extension helps tell formats apart, its stem titles the board.
        let hint = file.file_name().and_then(|s| s.to_str());
        // The size of the scene is unknown until parsed; report only once it proves large.
        let mut progress = Progress::new("import", false);
        let scene = formats::import(&bytes, hint, &mut |p| {
            progress.enabled |= p.total > PROGRESS_ABOVE;
            progress.report(p)
        })
        .with_context(|| format!("cannot import {}", file.display()))?;
        progress.finish();
        let source = file
            .file_name()
            .and_then(|s| s.to_str())
            .unwrap_or("file")
            .to_string();
        let record = self
            .easel
            .import_board(self.actor, &scene, title, &source)
            .await?;
        let mut j = serde_json::to_value(&record)?;
        j["elements"] = json!(scene.elements.len());
        Ok(out(record.id.to_string(), j))
    }

    async fn history(&self, board: &str) -> Result<Output> {
        let id = self.board_id(board, false).await?;
        let snaps = self.easel.history(self.actor, id).await?;
        let rows: Vec<Vec<String>> = snaps
            .iter()
            .map(|s| {
                vec![
                    s.id.to_string(),
                    s.name.clone().unwrap_or_else(|| "(auto)".into()),
                    s.element_count.to_string(),
                    s.size.to_string(),
                    s.created_at.clone(),
                ]
            })
            .collect();
        let text = if snaps.is_empty() {
            "no snapshots\n".to_string()
        } else {
            table::render(&["ID", "NAME", "ELEMENTS", "BYTES", "CREATED"], &rows)
        };
        Ok(out(text, serde_json::to_value(&snaps)?))
    }

    async fn snapshot(&self, board: &str, name: Option<&str>) -> Result<Output> {
        let id = self.board_id(board, false).await?;
        let mut session = self.easel.open_board(self.actor, id).await?;
        let info = session.snapshot(name).await?;
        Ok(out(info.id.to_string(), serde_json::to_value(&info)?))
    }

    async fn restore(&self, board: &str, snapshot: i64) -> Result<Output> {
        let id = self.board_id(board, false).await?;
        let mut session = self.easel.open_board(self.actor, id).await?;
        session.restore(snapshot).await?;
        let n = session.elements().len();
        Ok(out(
            format!("restored {id} to snapshot {snapshot} ({n} elements)"),
            json!({ "id": id, "snapshot": snapshot, "elements": n }),
        ))
    }

    async fn audit(&self, a: AuditArgs) -> Result<Output> {
        let id = self.board_id(&a.board, false).await?;
        let actor_id = match &a.actor {
            Some(s) => Some(resolve_user(&self.easel, s).await?.id),
            None => None,
        };
        let q = AuditQuery {
            board_id: Some(id),
            actor_id,
            action: a.action.clone(),
            since: a
                .since
                .as_deref()
                .map(|s| iso_bound("--since", s))
                .transpose()?,
            until: a
                .until
                .as_deref()
                .map(|s| iso_bound("--until", s))
                .transpose()?,
            before_id: a.before,
            limit: a.limit,
        };
        let rows = self.easel.audit(self.actor, id, &q).await?;
        let names = self.user_names().await?;
        let table_rows: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                vec![
                    r.id.to_string(),
                    r.created_at.clone(),
                    match r.actor_id {
                        Some(u) => names.get(&u).cloned().unwrap_or_else(|| u.to_string()),
                        None => "(anonymous)".into(),
                    },
                    r.action.clone(),
                    r.detail.to_string(),
                ]
            })
            .collect();
        let text = if rows.is_empty() {
            "no audit rows\n".to_string()
        } else {
            table::render(&["ID", "TIME", "ACTOR", "ACTION", "DETAIL"], &table_rows)
        };
        Ok(out(text, serde_json::to_value(&rows)?))
    }

    async fn element(&self, c: ElementCmd) -> Result<Output> {
        match c {
            ElementCmd::Add(a) => self.element_add(a).await,
            ElementCmd::List { board } => {
                let id = self.board_id(&board, false).await?;
                let session = self.easel.open_board(self.actor, id).await?;
                let els = session.elements();
                let rows: Vec<Vec<String>> = els
                    .iter()
                    .map(|e| {
                        vec![
                            e.id.clone(),
                            e.kind.to_string(),
                            num(e.x),
                            num(e.y),
                            num(e.width),
                            num(e.height),
                            e.text.clone(),
                        ]
                    })
                    .collect();
                let text = if els.is_empty() {
                    "no elements\n".to_string()
                } else {
                    table::render(&["ID", "KIND", "X", "Y", "WIDTH", "HEIGHT", "TEXT"], &rows)
                };
                Ok(out(text, serde_json::to_value(&els)?))
            }
            ElementCmd::Delete { board, elements } => {
                let id = self.board_id(&board, false).await?;
                let mut session = self.easel.open_board(self.actor, id).await?;
                let existing: Vec<String> = session.elements().into_iter().map(|e| e.id).collect();
                let mut ids: Vec<String> = Vec::new();
                for arg in &elements {
                    let el = resolve_element(&existing, arg)?;
                    if !ids.contains(&el) {
                        ids.push(el);
                    }
                }
                let n = session.delete(&ids).await?;
                Ok(out(
                    format!("deleted {n} element{}", if n == 1 { "" } else { "s" }),
                    json!({ "id": id, "deleted": ids }),
                ))
            }
        }
    }

    async fn element_add(&self, a: AddElement) -> Result<Output> {
        let kind: ElementKind = a.kind.to_ascii_lowercase().parse()?;
        let id = self.board_id(&a.board, false).await?;
        let mut el = Element::new(Element::new_id(), kind, a.x, a.y).with_size(a.width, a.height);
        if kind.has_points() {
            el.points = vec![[0.0, 0.0], [a.width, a.height]];
        }
        if let Some(t) = a.text {
            el.text = t;
        }
        if let Some(s) = a.stroke {
            el.stroke = s;
        }
        if let Some(f) = a.fill {
            el.fill = f;
        }
        let mut session = self.easel.open_board(self.actor, id).await?;
        let el = session.add(el).await?;
        Ok(out(el.id.clone(), serde_json::to_value(&el)?))
    }

    async fn users(&self, c: UsersCmd) -> Result<Output> {
        match c {
            UsersCmd::List => {
                let users = self.easel.users().await?;
                let rows: Vec<Vec<String>> = users
                    .iter()
                    .map(|u| {
                        vec![
                            u.id.to_string(),
                            u.display_name.clone(),
                            if u.is_local { "local" } else { "" }.into(),
                            u.created_at.clone(),
                        ]
                    })
                    .collect();
                Ok(out(
                    table::render(&["ID", "NAME", "", "CREATED"], &rows),
                    serde_json::to_value(&users)?,
                ))
            }
            UsersCmd::Add { name } => {
                let u = self.easel.add_user(&name).await?;
                Ok(out(u.id.to_string(), serde_json::to_value(&u)?))
            }
            UsersCmd::Remember { public_key, name } => {
                let u = self.easel.remember_user(&public_key, &name).await?;
                Ok(out(u.id.to_string(), serde_json::to_value(&u)?))
            }
        }
    }

    /// This installation's identity, loaded (or made) once. Says on stderr when the secret is
    /// in a plain file.
    pub(crate) async fn identity(&self) -> Result<std::sync::Arc<Identity>> {
        if let Some(e) = &self.key_store_error {
            bail!("{e}");
        }
        let id = self.easel.identity().await?;
        if let Some(w) = self.easel.key_store().warning() {
            eprintln!("easel: warning: {w}");
        }
        Ok(id)
    }

    async fn identity_cmd(&self, name: Option<&str>) -> Result<Output> {
        let mut id = self.identity().await?;
        if let Some(n) = name {
            self.easel.set_display_name(n).await?;
            id = self.easel.identity().await?;
        }
        let mut text = String::new();
        if id.created {
            text.push_str("created a new identity for this installation\n");
        }
        text.push_str(&table::fields(&[
            ("public key", id.public_key_b64()),
            ("name", id.user.display_name.clone()),
            ("user id", id.user.id.to_string()),
            ("key store", id.key_store.clone()),
        ]));
        Ok(out(
            text,
            json!({
                "public_key": id.public_key_b64(),
                "display_name": id.user.display_name,
                "user_id": id.user.id,
                "key_store": id.key_store,
                "created": id.created,
            }),
        ))
    }

    /// `public` or a user, as the core's grant subject.
    async fn subject(&self, arg: &str) -> Result<Option<Uuid>> {
        if arg.eq_ignore_ascii_case("public") {
            Ok(None)
        } else {
            Ok(Some(resolve_user(&self.easel, arg).await?.id))
        }
    }

    async fn grant(&self, board: &str, subject: &str, level: &str) -> Result<Output> {
        let level: Level = level.parse()?;
        let id = self.board_id(board, false).await?;
        let who = self.subject(subject).await?;
        let change = self.easel.grant(self.actor, id, who, level).await?;
        let whom = who.map_or("public".to_string(), |u| u.to_string());
        Ok(out(
            format!("granted {level} on {id} to {whom}"),
            json!({ "id": id, "subject": who, "level": level, "result": change }),
        ))
    }

    async fn revoke(&self, board: &str, subject: &str) -> Result<Output> {
        let id = self.board_id(board, false).await?;
        if let Some(link) = self.link_id(id, subject).await? {
            return self.revoke_link(id, link).await;
        }
        let who = self.subject(subject).await?;
        let had = self.easel.revoke(self.actor, id, who).await?;
        let whom = who.map_or("public".to_string(), |u| u.to_string());
        let text = match had {
            Some(l) => format!("revoked {l} on {id} from {whom}"),
            None => format!("{whom} held no grant on {id}"),
        };
        Ok(out(
            text,
            json!({ "id": id, "subject": who, "revoked": had }),
        ))
    }

    async fn permissions(&self, board: &str) -> Result<Output> {
        let id = self.board_id(board, false).await?;
        let perms = self.easel.permissions(self.actor, id).await?;
        let names = self.user_names().await?;
        let name = |u: Option<Uuid>| match u {
            Some(u) => match names.get(&u) {
                Some(n) => format!("{n} ({u})"),
                None => u.to_string(),
            },
            None => "public".into(),
        };
        let rows: Vec<Vec<String>> = perms
            .iter()
            .map(|p| {
                vec![
                    name(p.user_id),
                    p.level.to_string(),
                    p.granted_by.map(|g| name(Some(g))).unwrap_or_default(),
                    p.created_at.clone(),
                ]
            })
            .collect();
        let text = if perms.is_empty() {
            "no grants (only the owner has access)\n".to_string()
        } else {
            table::render(&["SUBJECT", "LEVEL", "GRANTED BY", "CREATED"], &rows)
        };
        Ok(out(text, serde_json::to_value(&perms)?))
    }

    pub(crate) async fn user_names(&self) -> Result<BTreeMap<Uuid, String>> {
        Ok(self
            .easel
            .users()
            .await?
            .into_iter()
            .map(|u| (u.id, u.display_name))
            .collect())
    }
}

/// A recorded user from a full id or a unique prefix.
async fn resolve_user(easel: &Easel, arg: &str) -> Result<User> {
    let s = arg.trim().to_ascii_lowercase();
    if let Ok(id) = Uuid::try_parse(&s) {
        return easel
            .user(id)
            .await?
            .ok_or_else(|| anyhow!("user not found: {id}"));
    }
    check_prefix("user", arg, &s)?;
    let users = easel.users().await?;
    let mut hits: Vec<User> = users
        .into_iter()
        .filter(|u| u.id.to_string().starts_with(&s))
        .collect();
    match hits.len() {
        0 => bail!("no user matches id {arg:?}"),
        1 => Ok(hits.remove(0)),
        _ => bail!(
            "user id {arg:?} is ambiguous: {}",
            hits.iter()
                .map(|u| format!("{} ({})", u.id, u.display_name))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

pub(crate) fn check_prefix(what: &str, arg: &str, s: &str) -> Result<()> {
    if s.is_empty() || !s.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        bail!("{arg:?} is not a {what} id (expected a UUID or a prefix of one)");
    }
    if s.len() < MIN_PREFIX {
        bail!("{what} id prefix {arg:?} is too short: give at least {MIN_PREFIX} characters");
    }
    Ok(())
}

/// An element id: exact, or a unique prefix of at least 4 characters.
pub(crate) fn resolve_element(existing: &[String], arg: &str) -> Result<String> {
    if existing.iter().any(|e| e == arg) {
        return Ok(arg.to_string());
    }
    let hits: Vec<&String> = if arg.len() >= MIN_PREFIX {
        existing.iter().filter(|e| e.starts_with(arg)).collect()
    } else {
        Vec::new()
    };
    match hits.as_slice() {
        [] => bail!("element not found: {arg}"),
        [one] => Ok((*one).clone()),
        many => bail!(
            "element id {arg:?} is ambiguous: {}",
            many.iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn format_from_path(path: &Path) -> Result<formats::Format> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .ok_or_else(|| {
            anyhow!(
                "cannot tell the format from {:?}; pass --format json|excalidraw|canvas|svg|png",
                path.display().to_string()
            )
        })?;
    ext.parse().map_err(|_| {
        anyhow!("unknown extension .{ext}; pass --format json|excalidraw|canvas|svg|png")
    })
}

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename, so
/// readers (and a crash) see either the old file or the whole new one.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".easel-export-").suffix(".tmp");
    #[cfg(unix)]
    {
        // Like any newly created file: 0666 less the umask (tempfile's default is 0600).
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder
        .tempfile_in(dir)
        .with_context(|| format!("cannot write {}", path.display()))?;
    tmp.write_all(bytes)
        .and_then(|_| tmp.as_file().sync_all())
        .with_context(|| format!("cannot write {}", path.display()))?;
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// An audit time bound: an ISO-8601 UTC time or a prefix of one, compared as text against the
/// stored `YYYY-MM-DDTHH:MM:SS.sssZ`. A trailing `Z` is dropped so `…T10:00:00Z` also covers
/// `…T10:00:00.123Z`.
fn iso_bound(flag: &str, s: &str) -> Result<String> {
    const TEMPLATE: &[u8] = b"dddd-dd-ddTdd:dd:dd";
    let body = s.strip_suffix('Z').unwrap_or(s);
    let (main, frac) = match body.split_once('.') {
        Some((m, f)) => (m, Some(f)),
        None => (body, None),
    };
    let main_ok = main.len() >= 4
        && main.len() <= TEMPLATE.len()
        && main.bytes().zip(TEMPLATE).all(|(c, t)| match t {
            b'd' => c.is_ascii_digit(),
            _ => c == *t,
        });
    let frac_ok = match frac {
        None => true,
        Some(f) => {
            main.len() == TEMPLATE.len() && !f.is_empty() && f.bytes().all(|c| c.is_ascii_digit())
        }
    };
    if !main_ok || !frac_ok {
        bail!(
            "invalid {flag} {s:?}: expected a UTC time like 2026-11-27, 2026-11-27T14:03 or 2026-11-27T14:03:00Z"
        );
    }
    Ok(body.to_string())
}

pub(crate) fn num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// Import/export progress on stderr, for large scenes only.
struct Progress {
    what: &'static str,
    enabled: bool,
    tty: bool,
    last_tenth: Option<usize>,
}

impl Progress {
    fn new(what: &'static str, enabled: bool) -> Self {
        Progress {
            what,
            enabled,
            tty: std::io::stderr().is_terminal(),
            last_tenth: None,
        }
    }

    fn report(&mut self, p: formats::Progress) {
        if !self.enabled || p.total == 0 {
            return;
        }
        let tenth = p.done * 10 / p.total;
        if self.last_tenth == Some(tenth) {
            return;
        }
        self.last_tenth = Some(tenth);
        let line = format!("easel: {} {}: {}/{}", self.what, p.stage, p.done, p.total);
        let mut err = std::io::stderr().lock();
        let _ = if self.tty {
            write!(err, "\r{line}\x1b[K")
        } else {
            writeln!(err, "{line}")
        };
    }

    fn finish(&mut self) {
        if self.enabled && self.tty && self.last_tenth.is_some() {
            let _ = writeln!(std::io::stderr());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn element_prefixes() {
        let ids = vec![
            "abcd-1".to_string(),
            "abcd-2".to_string(),
            "abc".to_string(),
        ];
        assert_eq!(resolve_element(&ids, "abc").unwrap(), "abc", "exact wins");
        assert_eq!(resolve_element(&ids, "abcd-2").unwrap(), "abcd-2");
        let e = resolve_element(&ids, "abcd").unwrap_err().to_string();
        assert!(
            e.contains("ambiguous") && e.contains("abcd-1, abcd-2"),
            "{e}"
        );
        assert!(
            resolve_element(&ids, "ab").is_err(),
            "short prefixes never match"
        );
        assert!(resolve_element(&ids, "zzzz").is_err());
    }

    #[test]
    fn id_prefix_rules() {
        assert!(check_prefix("board", "3f2a", "3f2a").is_ok());
        assert!(check_prefix("board", "3f2a-9", "3f2a-9").is_ok());
        assert!(check_prefix("board", "3f2", "3f2").is_err());
        assert!(check_prefix("board", "3f2g", "3f2g").is_err());
        assert!(check_prefix("board", "", "").is_err());
    }

    #[test]
    fn iso_bounds() {
        assert_eq!(iso_bound("--since", "2026").unwrap(), "2026");
        assert_eq!(iso_bound("--since", "2026-11-27").unwrap(), "2026-11-27");
        assert_eq!(
            iso_bound("--since", "2026-11-27T14:03:00Z").unwrap(),
            "2026-11-27T14:03:00"
        );
        assert_eq!(
            iso_bound("--since", "2026-11-27T14:03:00.5Z").unwrap(),
            "2026-11-27T14:03:00.5"
        );
        for bad in [
            "",
            "26",
            "2026/11/27",
            "2026-11-27 14:03",
            "2026-11-27T14:03.5",
            "today",
        ] {
            assert!(iso_bound("--since", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn formats_from_paths() {
        let f = |p: &str| format_from_path(Path::new(p)).map(|f| f.extension());
        assert_eq!(f("a/b.json").unwrap(), "json");
        assert_eq!(f("b.JSON").unwrap(), "json");
        assert_eq!(f("b.excalidraw").unwrap(), "excalidraw");
        assert!(f("b").is_err());
        assert!(f("b.txt").is_err());
    }
}
