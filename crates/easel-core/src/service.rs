//! [`Easel`]: the operations the CLI and the desktop app call.
//!
//! Every operation names its acting user, checks the access it needs against the table in
//! [`crate::perm::Op`], and only then touches anything. A denial is returned as
//! [`Error::Denied`] and written to the audit log. An open board is a [`BoardSession`]: its
//! document in memory, each edit persisted (and acknowledged) before the call returns.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use uuid::Uuid;

use crate::comments::{Anchor, Author, Comment, CommentsDoc, Thread};
use crate::doc::{BoardDoc, Reorder};
use crate::error::{Error, Result};
use crate::files::FileChannel;
use crate::identity::{self, Identity, KeyStoreKind};
use crate::model::{BoardFile, BoardMeta, Element, ElementPatch, Scene};
use crate::perm::{Access, Level, Op};
use crate::store::{
    AuditEntry, AuditQuery, BoardRecord, BoardRemote, DocKind, GrantChange, Permission,
    SnapshotInfo, Store, StoredDoc, User,
};

/// When automatic snapshots (which also compact the update log) are taken.
#[derive(Debug, Clone, Copy)]
pub struct SnapshotPolicy {
    /// After this many updates since the newest snapshot.
    pub every_updates: usize,
    /// Or when the newest snapshot is this old and there are updates since.
    pub every: Duration,
    /// Automatic snapshots kept for history (named ones are kept until deleted).
    pub keep_auto: u32,
}

impl Default for SnapshotPolicy {
    fn default() -> Self {
        SnapshotPolicy {
            every_updates: 2000,
            every: Duration::from_secs(10 * 60),
            keep_auto: 20,
        }
    }
}

/// Where a change to an open board's document came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeOrigin {
    /// This session's own edit (or its undo/redo).
    Local,
    /// Another process writing the same store, found by [`BoardSession::refresh`].
    Store,
    /// A sync connection, identified by the id it passed to [`BoardSession::apply_remote_from`].
    Peer(u64),
}

/// A change to an open board, as the v1 update that carries it, with the element ids it
/// changed (read from yrs's events; empty for the comments document). When one commit carries
/// several updates, the first change names every element the commit touched.
#[derive(Debug, Clone)]
pub struct DocChange {
    pub origin: ChangeOrigin,
    pub update: std::sync::Arc<Vec<u8>>,
    pub elements: std::sync::Arc<crate::edit::ElementChanges>,
}

/// Takes `first` and every change already queued behind it on `rx` as one: whether all were this
/// session's own (local), and every element they touched. What a UI watcher emits per wake-up.
pub fn coalesce_changes(
    first: &DocChange,
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<DocChange>,
) -> (bool, crate::edit::ElementChanges) {
    let mut local = first.origin == ChangeOrigin::Local;
    let mut touched = (*first.elements).clone();
    while let Ok(c) = rx.try_recv() {
        local &= c.origin == ChangeOrigin::Local;
        touched.merge(&c.elements);
    }
    (local, touched)
}

/// A board as listed for a user.
#[derive(Debug, Clone, Serialize)]
pub struct BoardSummary {
    #[serde(flatten)]
    pub board: BoardRecord,
    pub access: Access,
}

/// The core's entry point; cheap to clone (clones share the loaded identity).
#[derive(Clone)]
pub struct Easel {
    store: Store,
    policy: SnapshotPolicy,
    key_store: KeyStoreKind,
    /// The identity once loaded; the lock also keeps two first calls from both creating one.
    identity: Arc<tokio::sync::Mutex<Option<Arc<Identity>>>>,
}

impl Easel {
    pub fn new(store: Store) -> Self {
        Self::with_policy(store, SnapshotPolicy::default())
    }

    pub fn with_policy(store: Store, policy: SnapshotPolicy) -> Self {
        Easel {
            store,
            policy,
            key_store: KeyStoreKind::default(),
            identity: Default::default(),
        }
    }

    /// Where the identity's secret is kept (default: the OS keychain). Set it before the first
    /// [`Self::identity`]; see [`KeyStoreKind::from_env`] for the user's choice.
    pub fn with_key_store(mut self, key_store: KeyStoreKind) -> Self {
        self.key_store = key_store;
        self.identity = Default::default();
        self
    }

    pub fn key_store(&self) -> &KeyStoreKind {
        &self.key_store
    }

    /// The store, inside the core only: shells go through the permission layer.
    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    /// Closes the store's pool (a shell about to exit). Acknowledged edits are on disk already.
    pub async fn close(&self) {
        self.store.clone().close().await;
    }

    /// The people this installation knows (the local user and those remembered from links),
    /// for showing names.
    /// Image files in this installation's store: how many, and their bytes.
    pub async fn file_totals(&self) -> Result<easel_log::Collected> {
        self.store.file_totals().await
    }

    /// Deletes image files no board (nor any stored snapshot) has shown for `grace`; boards
    /// drop their links to files they no longer show when they take snapshots. Returns what
    /// was deleted.
    pub async fn collect_files(&self, grace: Duration) -> Result<easel_log::Collected> {
        self.store.collect_files(grace).await
    }

    pub async fn users(&self) -> Result<Vec<User>> {
        self.store.users().await
    }

    /// One known person.
    pub async fn user(&self, id: Uuid) -> Result<Option<User>> {
        self.store.user(id).await
    }

    /// Records a person without a key (a local account, as `easel users add` makes).
    pub async fn add_user(&self, display_name: &str) -> Result<User> {
        self.store.create_user(display_name, None).await
    }

    /// The id a board answers to now: a board re-keyed when first shared keeps answering to
    /// its old id.
    pub async fn resolve_board_id(&self, id: Uuid) -> Result<Uuid> {
        self.store.resolve_board_id(id).await
    }

    /// Whether this store holds the board (deleted or not), without opening or auditing it.
    pub async fn has_board(&self, id: Uuid) -> Result<bool> {
        match self.store.board(id).await {
            Ok(_) => Ok(true),
            Err(Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// A board's elements read from the store without opening a session (no `open` audit row),
    /// for a preview in a board list. Needs VIEW, like opening.
    pub async fn preview_elements(&self, actor: Uuid, board: Uuid) -> Result<Vec<Element>> {
        let held = self.access(actor, board).await?;
        if held < Access::View {
            return Err(Error::Denied {
                action: "preview",
                needed: Access::View,
                held,
            });
        }
        let stored = self.store.load_doc(board).await?;
        Ok(doc_from_stored(&stored)?.elements())
    }

    /// Records what a peer did to a board as this installation served it (a LAN host's joins,
    /// refusals and refused writes), in the board's audit log, without an acting local user.
    pub async fn record_peer_event(
        &self,
        board: Uuid,
        action: &str,
        detail: &serde_json::Value,
    ) -> Result<()> {
        self.store.audit(board, None, action, detail).await
    }

    /// The user of this installation (created on first run, named after the OS user).
    pub async fn local_user(&self) -> Result<User> {
        let name = std::env::var("USER")
            .or_else(|_| std::env::var("USERNAME"))
            .unwrap_or_else(|_| "Me".into());
        self.store.local_user(&name).await
    }

    /// This installation's identity: its secret loaded from the key store, or, on first use,
    /// a new key pair whose secret is stored first and whose public key then goes to the local
    /// user's row. Loaded once per `Easel` (and its clones).
    ///
    /// A public key recorded without its secret in the key store (a wiped keychain) is an
    /// [`Error::KeyStore`], never a new key: that would orphan the boards the old key owns.
    pub async fn identity(&self) -> Result<Arc<Identity>> {
        let mut slot = self.identity.lock().await;
        if let Some(id) = slot.as_ref() {
            return Ok(id.clone());
        }
        let id = Arc::new(self.load_identity().await?);
        *slot = Some(id.clone());
        Ok(id)
    }

    async fn load_identity(&self) -> Result<Identity> {
        let user = self.local_user().await?;
        match &self.key_store {
            KeyStoreKind::File(path) => self.file_identity(user, path.clone()).await,
            KeyStoreKind::Keyring => self.keyring_identity(user).await,
        }
    }

    async fn file_identity(&self, user: User, path: std::path::PathBuf) -> Result<Identity> {
        let expected = user.public_key.clone();
        let p = path.clone();
        let (key, created) = identity::off_thread(move || match identity::file_load(&p)? {
            Some(key) => {
                if let Some(pk) = &expected {
                    identity::file_check_matches(&key, pk, &p)?;
                }
                Ok((key, false))
            }
            None => match &expected {
                Some(pk) => Err(Error::KeyStore(format!(
                    "this installation's public key {pk} is recorded, but {} does not exist; \
                     the secret may be in the OS keychain (unset EASEL_KEY_STORE). Easel will \
                     not make a new key: the boards the old key owns would be orphaned",
                    p.display()
                ))),
                None => identity::file_create(&p),
            },
        })
        .await?;
        let pk = identity::encode_public_key(&key.verifying_key());
        let user = if user.public_key.is_none() {
            let u = self.store.claim_local_public_key(&pk).await?;
            if u.public_key.as_deref() != Some(pk.as_str()) {
                return Err(Error::KeyStore(format!(
                    "{} holds the secret of {pk}, but another process recorded {} for this \
                     installation",
                    path.display(),
                    u.public_key.unwrap_or_default()
                )));
            }
            u
        } else {
            user
        };
        Ok(Identity::new(
            key,
            user,
            format!("file {}", path.display()),
            created,
        ))
    }

    async fn keyring_identity(&self, user: User) -> Result<Identity> {
        let backends = identity::keyring_backends();
        let hint = self
            .store
            .path()
            .parent()
            .unwrap_or(std::path::Path::new("."))
            .join(identity::KEY_FILE_NAME);
        let load = |expected: Option<String>| {
            let backends = backends.clone();
            let hint = hint.clone();
            let uid = user.id;
            identity::off_thread(move || {
                identity::keyring_load_or_create(&backends, uid, expected.as_deref(), &hint)
            })
        };
        let found = load(user.public_key.clone()).await?;
        if !found.created {
            return Ok(Identity::new(
                found.key,
                user,
                found.backend.to_string(),
                false,
            ));
        }
        let pk = identity::encode_public_key(&found.key.verifying_key());
        let claimed = self.store.claim_local_public_key(&pk).await?;
        if claimed.public_key.as_deref() == Some(pk.as_str()) {
            return Ok(Identity::new(
                found.key,
                claimed,
                found.backend.to_string(),
                true,
            ));
        }
        // Another process made this installation's identity at the same time and recorded it
        // first: drop ours, use theirs.
        let account = identity::keyring_account(user.id, &pk);
        let (b, backend) = (backends.clone(), found.backend);
        identity::off_thread(move || identity::keyring_discard(&b, backend, &account)).await?;
        let theirs = load(claimed.public_key.clone()).await?;
        Ok(Identity::new(
            theirs.key,
            claimed,
            theirs.backend.to_string(),
            false,
        ))
    }

    /// Renames the local user (the name collaborators see); the loaded identity follows.
    pub async fn set_display_name(&self, name: &str) -> Result<User> {
        let me = self.local_user().await?;
        let user = self.store.set_display_name(me.id, name).await?;
        let mut slot = self.identity.lock().await;
        if let Some(id) = slot.as_ref() {
            *slot = Some(Arc::new(id.with_user(user.clone())));
        }
        Ok(user)
    }

    /// Records a collaborator met, by public key (base64url, no padding): inserts a non-local
    /// user or renames the one recorded with that key.
    pub async fn remember_user(&self, public_key_b64: &str, display_name: &str) -> Result<User> {
        self.store.remember_user(public_key_b64, display_name).await
    }

    /// Checks `actor` may do `op` on `board`; a denial is audited. Deleted boards are only
    /// reachable for undelete.
    pub(crate) async fn authorize(
        &self,
        actor: Uuid,
        board: Uuid,
        op: Op,
    ) -> Result<(BoardRecord, Access)> {
        let record = self.store.board(board).await?;
        if record.deleted_at.is_some() && op != Op::Undelete {
            return Err(Error::not_found("board", board.to_string()));
        }
        let access = self.store.access(&record, Some(actor)).await?;
        if let Err(e) = op.check(access) {
            self.audit_denied(board, actor, op, access).await?;
            return Err(e);
        }
        Ok((record, access))
    }

    async fn audit_denied(&self, board: Uuid, actor: Uuid, op: Op, held: Access) -> Result<()> {
        let detail = serde_json::json!({
            "op": op.name(), "needed": op.needs(), "held": held,
        });
        self.store
            .audit(board, Some(actor), "denied", &detail)
            .await
    }

    pub async fn create_board(&self, actor: Uuid, title: &str) -> Result<BoardRecord> {
        let mut doc = BoardDoc::new();
        doc.set_meta(&BoardMeta::new(title))?;
        let detail = serde_json::json!({ "title": title });
        // Bound to the owner's key from the start when this installation has an identity.
        let bound = self.bound_board_id().await;
        let id = bound.map(|(id, _)| id).unwrap_or_else(Uuid::new_v4);
        let record = self
            .store
            .create_board(id, actor, title, &doc.encode_state(), "create", &detail)
            .await?;
        if let Some((_, salt)) = bound {
            self.store.set_board_salt(id, &salt).await?;
        }
        Ok(record)
    }

    /// Creates an empty local replica of a board that lives elsewhere (joined through a relay
    /// or a host), under its existing id, so syncing fills it in. The local user holds it.
    pub async fn create_replica(
        &self,
        actor: Uuid,
        board: Uuid,
        title: &str,
    ) -> Result<BoardRecord> {
        let doc = BoardDoc::new();
        let detail = serde_json::json!({ "title": title, "replica": true });
        self.store
            .create_board(board, actor, title, &doc.encode_state(), "create", &detail)
            .await
    }

    /// Creates a board holding `scene`, all at once or not at all. `source` names where it came
    /// from (a format, a file name) for the audit log.
    pub async fn import_board(
        &self,
        actor: Uuid,
        scene: &Scene,
        title: Option<&str>,
        source: &str,
    ) -> Result<BoardRecord> {
        let mut scene = scene.clone();
        if let Some(t) = title {
            scene.meta.title = t.to_string();
        }
        let mut doc = BoardDoc::new();
        doc.load_scene(&actor.to_string(), &scene)?;
        let detail = serde_json::json!({
            "source": source,
            "elements": scene.elements.len(),
            "files": scene.files.len(),
        });
        // The images' bytes go beside the document (which holds references); stored first, so
        // the board never shows a file the store lacks. A failed create unlinks them again.
        let id = Uuid::new_v4();
        for f in &scene.files {
            self.store.put_file(id, f).await?;
        }
        let created = self
            .store
            .create_board(
                id,
                actor,
                &scene.meta.title,
                &doc.encode_state(),
                "import",
                &detail,
            )
            .await;
        if created.is_err() && !scene.files.is_empty() {
            let _ = self
                .store
                .retain_board_files(id, &Default::default(), easel_log::now_ms())
                .await;
        }
        created
    }

    /// Boards `actor` can open, most recently edited first.
    pub async fn list_boards(
        &self,
        actor: Uuid,
        include_deleted: bool,
    ) -> Result<Vec<BoardSummary>> {
        Ok(self
            .store
            .boards_for(actor, include_deleted)
            .await?
            .into_iter()
            .map(|(board, access)| BoardSummary { board, access })
            .collect())
    }

    /// Opens a board: latest snapshot plus the update tail. Audited.
    pub async fn open_board(&self, actor: Uuid, board: Uuid) -> Result<BoardSession> {
        let (record, access) = self.authorize(actor, board, Op::Open).await?;
        let session = self.session(actor, record, access).await?;
        self.store
            .audit(board, Some(actor), "open", &serde_json::json!({}))
            .await?;
        Ok(session)
    }

    pub async fn rename_board(&self, actor: Uuid, board: Uuid, title: &str) -> Result<()> {
        let (record, access) = self.authorize(actor, board, Op::Rename).await?;
        let mut session = self.session(actor, record.clone(), access).await?;
        let mut meta = session.doc.meta();
        meta.title = title.to_string();
        session.doc.set_meta(&meta)?;
        session.commit().await?;
        let detail = serde_json::json!({ "from": record.title, "to": title });
        self.store.rename_board(board, actor, title, &detail).await
    }

    /// Makes the board record's title match the title in the document's meta (which a sync may
    /// have brought), without touching the document. Returns the new title when it changed.
    /// Audited as `rename` with `"source": "sync"`.
    pub async fn adopt_doc_title(&self, actor: Uuid, board: Uuid) -> Result<Option<String>> {
        let (record, access) = self.authorize(actor, board, Op::Open).await?;
        let session = self.session(actor, record.clone(), access).await?;
        let title = session.doc.meta().title;
        if title.is_empty()
            || title == record.title
            || crate::model::validate_title(&title).is_err()
        {
            return Ok(None);
        }
        let detail = serde_json::json!({ "from": record.title, "to": title, "source": "sync" });
        self.store
            .rename_board(board, actor, &title, &detail)
            .await?;
        Ok(Some(title))
    }

    /// Remembers a relay or LAN host (`kind` is `relay` or `host`) for syncing a board; needs
    /// edit access. Returns the normalized URL and whether anything changed (audited as
    /// `connect`).
    pub async fn connect(
        &self,
        actor: Uuid,
        board: Uuid,
        url: &str,
        kind: &str,
    ) -> Result<(String, bool)> {
        let url = normalize_remote(url, board)?;
        self.authorize(actor, board, Op::Edit).await?;
        let added = self.store.add_remote(board, &url, kind, actor).await?;
        Ok((url, added))
    }

    /// Forgets a remembered remote (audited as `disconnect`); returns false when there was none.
    pub async fn disconnect(&self, actor: Uuid, board: Uuid, url: &str) -> Result<bool> {
        let url = url.trim().trim_end_matches('/');
        self.authorize(actor, board, Op::Edit).await?;
        self.store.remove_remote(board, url, actor).await
    }

    /// A board's remembered remotes.
    pub async fn remotes(&self, actor: Uuid, board: Uuid) -> Result<Vec<BoardRemote>> {
        self.authorize(actor, board, Op::Open).await?;
        self.store.remotes(board).await
    }

    /// A session on an authorized board, without the "open" audit row (operations that open a
    /// board to do one thing audit that thing instead).
    async fn session(
        &self,
        actor: Uuid,
        record: BoardRecord,
        access: Access,
    ) -> Result<BoardSession> {
        let stored = self.store.load_doc(record.id).await?;
        let mut doc = doc_from_stored(&stored).map_err(|e| match e {
            Error::Corrupt(why) => Error::Corrupt(format!(
                "board {} ({:?}) cannot be read: {why}",
                record.id, record.title
            )),
            other => other,
        })?;
        doc.clear_undo();
        let mut session = BoardSession {
            store: self.store.clone(),
            board: record,
            actor,
            access,
            doc,
            applied_seq: stored.last_seq(),
            since_snapshot: stored.tail.len(),
            last_snapshot: Instant::now(),
            unsaved: Vec::new(),
            policy: self.policy,
            listeners: Listeners::default(),
            reloaded: false,
            files: FileChannel::default(),
        };
        session.migrate_files().await?;
        Ok(session)
    }

    /// Opens a board's comments (needs VIEW to read; writing needs COMMENT). Audited as `open`
    /// with `"doc": "comments"`.
    pub async fn open_comments(&self, actor: Uuid, board: Uuid) -> Result<CommentsSession> {
        let (record, access) = self.authorize(actor, board, Op::ReadComments).await?;
        let stored = self.store.load_since(board, DocKind::Comments, 0).await?;
        let doc = CommentsDoc::from_updates(stored.updates())?;
        let name = match self.store.user(actor).await? {
            Some(u) => u.display_name,
            None => actor.to_string(),
        };
        self.store
            .audit(
                board,
                Some(actor),
                "open",
                &serde_json::json!({ "doc": "comments" }),
            )
            .await?;
        Ok(CommentsSession {
            store: self.store.clone(),
            board: record,
            author: Author::new(actor.to_string(), name),
            actor,
            access,
            doc,
            applied_seq: stored.last_seq(),
            since_snapshot: stored.tail.len(),
            unsaved: Vec::new(),
            policy: self.policy,
            listeners: Listeners::default(),
        })
    }

    /// Removes a replica made by [`Self::create_replica`] whose first sync failed: the board and
    /// its document go, the audit trail stays. Owner only; refused for a board that has had
    /// any update beyond its empty first state, so no content can be lost this way.
    pub async fn discard_replica(&self, actor: Uuid, board: Uuid) -> Result<()> {
        self.authorize(actor, board, Op::Delete).await?;
        if self.store.last_seq(board).await? > 1 {
            return Err(Error::invalid(
                "board",
                "it has content; delete it with `easel boards delete` instead",
            ));
        }
        let detail = serde_json::json!({ "replica": true, "reason": "first sync failed" });
        self.store.purge_board(board, actor, &detail).await
    }

    /// Moves a board to the trash (soft delete); the owner can bring it back.
    pub async fn delete_board(&self, actor: Uuid, board: Uuid) -> Result<()> {
        self.authorize(actor, board, Op::Delete).await?;
        self.store.set_deleted(board, actor, true).await
    }

    pub async fn undelete_board(&self, actor: Uuid, board: Uuid) -> Result<()> {
        self.authorize(actor, board, Op::Undelete).await?;
        self.store.set_deleted(board, actor, false).await
    }

    /// Grants `level` to `subject` (`None`: anyone with the link), or changes their level.
    pub async fn grant(
        &self,
        actor: Uuid,
        board: Uuid,
        subject: Option<Uuid>,
        level: Level,
    ) -> Result<GrantChange> {
        let (record, _) = self.authorize(actor, board, Op::Share).await?;
        if subject == Some(record.owner_id) {
            return Err(Error::invalid(
                "subject",
                "the owner already holds every level",
            ));
        }
        if let Some(s) = subject
            && self.store.user(s).await?.is_none()
        {
            return Err(Error::not_found("user", s.to_string()));
        }
        self.store.grant(board, subject, level, actor).await
    }

    pub async fn revoke(
        &self,
        actor: Uuid,
        board: Uuid,
        subject: Option<Uuid>,
    ) -> Result<Option<Level>> {
        self.authorize(actor, board, Op::Share).await?;
        self.store.revoke(board, subject, actor).await
    }

    pub async fn permissions(&self, actor: Uuid, board: Uuid) -> Result<Vec<Permission>> {
        self.authorize(actor, board, Op::Share).await?;
        self.store.permissions(board).await
    }

    /// A board's audit log, filtered and paged; for the owner.
    pub async fn audit(
        &self,
        actor: Uuid,
        board: Uuid,
        query: &AuditQuery,
    ) -> Result<Vec<AuditEntry>> {
        self.authorize(actor, board, Op::ReadAudit).await?;
        let mut q = query.clone();
        q.board_id = Some(board);
        self.store.audit_query(&q).await
    }

    /// A board's snapshots, newest first.
    pub async fn history(&self, actor: Uuid, board: Uuid) -> Result<Vec<SnapshotInfo>> {
        self.authorize(actor, board, Op::ListHistory).await?;
        self.store.snapshots(board).await
    }

    /// The elements a snapshot holds, for a preview of the board at that point.
    pub async fn snapshot_elements(
        &self,
        actor: Uuid,
        board: Uuid,
        snapshot: i64,
    ) -> Result<Vec<Element>> {
        self.authorize(actor, board, Op::ListHistory).await?;
        let (info, state) = self.store.snapshot_state(board, snapshot).await?;
        if info.board_id != board {
            return Err(Error::not_found("snapshot", snapshot.to_string()));
        }
        Ok(BoardDoc::from_updates([state.as_slice()])?.elements())
    }

    /// The access `actor` holds on `board`, without auditing (for display).
    pub async fn access(&self, actor: Uuid, board: Uuid) -> Result<Access> {
        let record = self.store.board(board).await?;
        self.store.access(&record, Some(actor)).await
    }
}

/// A remote's base URL as stored: trimmed, without a trailing slash, and one that
/// [`crate::sync::room_url`] accepts.
fn normalize_remote(url: &str, board: Uuid) -> Result<String> {
    let url = url.trim().trim_end_matches('/').to_string();
    crate::sync::room_url(&url, &board.to_string(), &[])?;
    Ok(url)
}

fn doc_from_stored(stored: &StoredDoc) -> Result<BoardDoc> {
    BoardDoc::from_updates(stored.updates())
}

/// An open board: its live document, and the acting user's access to it.
pub struct BoardSession {
    store: Store,
    board: BoardRecord,
    actor: Uuid,
    access: Access,
    doc: BoardDoc,
    /// Every update with seq <= this is in `doc`.
    applied_seq: i64,
    /// Updates since the newest snapshot, for the automatic snapshot policy.
    since_snapshot: usize,
    last_snapshot: Instant,
    /// Local updates whose commit failed (a full disk, say); retried before the next ones, so a
    /// failed save loses nothing while the session lives.
    unsaved: Vec<Vec<u8>>,
    policy: SnapshotPolicy,
    /// Who hears about changes (sync connections, the UI); closed receivers are dropped.
    listeners: Listeners,
    /// The document was rebuilt from the store since listeners last heard: the next change
    /// tells them to read everything.
    reloaded: bool,
    /// Files wanted from, and offered to, this board's sync connections.
    files: FileChannel,
}

/// How long a file no board shows any more is kept before it is deleted: an undo may bring
/// the image back, and a peer that was offline may still send an edit that shows it.
pub const FILE_GRACE: Duration = Duration::from_secs(7 * 24 * 3600);

/// The subscribers to one document's changes (a board's or its comments'), each told every
/// change in order; a dropped receiver is forgotten on the next change.
#[derive(Default)]
struct Listeners(Vec<tokio::sync::mpsc::UnboundedSender<DocChange>>);

impl Listeners {
    fn subscribe(&mut self) -> tokio::sync::mpsc::UnboundedReceiver<DocChange> {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        self.0.push(tx);
        rx
    }

    fn notify(
        &mut self,
        origin: ChangeOrigin,
        update: Vec<u8>,
        elements: crate::edit::ElementChanges,
    ) {
        if self.0.is_empty() {
            return;
        }
        let change = DocChange {
            origin,
            update: std::sync::Arc::new(update),
            elements: std::sync::Arc::new(elements),
        };
        self.0.retain(|l| l.send(change.clone()).is_ok());
    }
}

/// Checks that `access` allows `op`; a refusal is written to the board's audit log as `denied`
/// (what was tried, what it needs, what was held) before the error is returned.
async fn allow(store: &Store, board: Uuid, actor: Uuid, access: Access, op: Op) -> Result<()> {
    if let Err(e) = op.check(access) {
        let detail = serde_json::json!({
            "op": op.name(), "needed": op.needs(), "held": access,
        });
        store.audit(board, Some(actor), "denied", &detail).await?;
        return Err(e);
    }
    Ok(())
}

impl BoardSession {
    pub fn board(&self) -> &BoardRecord {
        &self.board
    }

    pub fn access(&self) -> Access {
        self.access
    }

    pub fn doc(&self) -> &BoardDoc {
        &self.doc
    }

    pub fn elements(&self) -> Vec<Element> {
        self.doc.elements()
    }

    pub fn element(&self, id: &str) -> Option<Element> {
        self.doc.element(id)
    }

    /// The seq of the newest update this session has applied.
    pub fn applied_seq(&self) -> i64 {
        self.applied_seq
    }

    /// Edits not yet saved because a commit failed.
    pub fn unsaved(&self) -> usize {
        self.unsaved.len()
    }

    /// Every later change to this board's document, with its origin, in order.
    pub fn subscribe(&mut self) -> tokio::sync::mpsc::UnboundedReceiver<DocChange> {
        self.listeners.subscribe()
    }

    fn notify(&mut self, origin: ChangeOrigin, update: Vec<u8>) {
        let mut elements = self.doc.take_changes();
        if std::mem::take(&mut self.reloaded) {
            elements.everything = true;
        }
        self.listeners.notify(origin, update, elements);
    }

    async fn allow(&self, op: Op) -> Result<()> {
        allow(&self.store, self.board.id, self.actor, self.access, op).await
    }

    fn actor_str(&self) -> String {
        self.actor.to_string()
    }

    /// Persists this session's pending updates; returns when they are committed.
    async fn commit(&mut self) -> Result<()> {
        self.unsaved.extend(self.doc.take_updates());
        if self.unsaved.is_empty() {
            return Ok(());
        }
        let updates = std::mem::take(&mut self.unsaved);
        let n = updates.len();
        let seqs = match self
            .store
            .append_updates(self.board.id, updates.clone())
            .await
        {
            Ok(s) => s,
            Err(e) => {
                self.unsaved = updates;
                return Err(e);
            }
        };
        for u in updates {
            self.notify(ChangeOrigin::Local, u);
        }
        if seqs.first() != Some(&(self.applied_seq + 1)) {
            // Another process wrote in between: bring its updates in first.
            self.refresh().await?;
        }
        self.applied_seq = self.applied_seq.max(*seqs.last().expect("non-empty"));
        self.since_snapshot += n;
        if self.since_snapshot >= self.policy.every_updates
            || (self.since_snapshot > 0 && self.last_snapshot.elapsed() >= self.policy.every)
        {
            self.take_snapshot(None).await?;
        }
        Ok(())
    }

    /// Applies updates other processes committed since this session last looked (and the
    /// access they may have changed). Returns how many updates were applied.
    pub async fn refresh(&mut self) -> Result<usize> {
        let record = self.store.board(self.board.id).await?;
        self.access = self.store.access(&record, Some(self.actor)).await?;
        self.board = record;
        let stored = self
            .store
            .load_doc_since(self.board.id, self.applied_seq)
            .await?;
        // A snapshot here means another session folded updates we lack into it; merging its
        // whole state brings them in (what we already have is a no-op to apply).
        let mut applied = 0;
        for u in stored.updates() {
            crate::doc::validate_stored(u).map_err(|e| match e {
                Error::Corrupt(why) => Error::Corrupt(format!(
                    "board {}: an update another process stored: {why}",
                    self.board.id
                )),
                other => other,
            })?;
            let effect = self.doc.apply_remote_effective(u);
            if let Some(effect) = self.recover_if_engine_failed(effect).await? {
                self.notify(ChangeOrigin::Store, effect);
            }
            applied += 1;
        }
        self.applied_seq = self.applied_seq.max(stored.last_seq());
        Ok(applied)
    }

    /// Passes `applied` on; when yrs failed inside the call ([`Error::Engine`]) the document
    /// may be half-changed, so it is first rebuilt from the store (which never received the
    /// failed update: what the observer collected of it was thrown away). Local updates not yet
    /// stored are carried over; undo history starts again. The caller (a sync connection)
    /// resyncs from the rebuilt state.
    async fn recover_if_engine_failed(
        &mut self,
        applied: Result<Option<Vec<u8>>>,
    ) -> Result<Option<Vec<u8>>> {
        let Err(Error::Engine(reason)) = applied else {
            return applied;
        };
        tracing::error!(board = %self.board.id, %reason, "reloading the board from the store");
        self.unsaved.extend(self.doc.take_updates());
        let stored = self.store.load_doc(self.board.id).await?;
        let doc = doc_from_stored(&stored)?;
        for u in &self.unsaved {
            doc.apply_remote(u)?;
        }
        if let Some(trace) = self.doc.trace() {
            doc.record_trace(trace);
        }
        self.doc = doc;
        self.reloaded = true;
        self.applied_seq = stored.last_seq();
        self.since_snapshot = stored.tail.len();
        Err(Error::Engine(reason))
    }

    /// Records every update this session's document integrates from now on, across reloads,
    /// for replaying a failure without sockets ([`crate::doc::replay_trace`]).
    pub fn record_trace(&self) -> crate::doc::UpdateTrace {
        let trace = crate::doc::UpdateTrace::default();
        self.doc.record_trace(trace.clone());
        trace
    }

    /// Applies an update received from a collaborator and persists it. The caller (the sync
    /// layer) has validated the bytes and the sender's right to write.
    pub async fn apply_remote(&mut self, update: &[u8]) -> Result<bool> {
        self.apply_remote_from(update, 0).await
    }

    /// Applies and persists an update from sync connection `source`; other listeners hear of it
    /// (so a board synced with a relay and a LAN host passes changes between them). Returns
    /// false, storing nothing, when this replica already had all of it.
    pub async fn apply_remote_from(&mut self, update: &[u8], source: u64) -> Result<bool> {
        let effect = self.doc.apply_remote_effective(update);
        let Some(effect) = self.recover_if_engine_failed(effect).await? else {
            return Ok(false);
        };
        let seqs = self
            .store
            .append_updates(self.board.id, vec![effect.clone()])
            .await?;
        if seqs.first() != Some(&(self.applied_seq + 1)) {
            self.refresh().await?;
        }
        self.applied_seq = self.applied_seq.max(seqs[0]);
        self.since_snapshot += 1;
        self.notify(ChangeOrigin::Peer(source), effect);
        Ok(true)
    }

    /// One edit: checks `op`, applies `f` to the document as this session's actor, and returns
    /// once the change is committed. A refused or invalid edit changes nothing.
    async fn edit<T>(
        &mut self,
        op: Op,
        f: impl FnOnce(&mut BoardDoc, &str) -> Result<T>,
    ) -> Result<T> {
        self.allow(op).await?;
        let actor = self.actor_str();
        let out = f(&mut self.doc, &actor)?;
        self.commit().await?;
        Ok(out)
    }

    pub async fn add(&mut self, el: Element) -> Result<Element> {
        self.edit(Op::Edit, |d, a| d.add(a, el)).await
    }

    pub async fn add_many(&mut self, els: Vec<Element>) -> Result<Vec<Element>> {
        self.edit(Op::Edit, |d, a| d.add_many(a, els)).await
    }

    pub async fn update(&mut self, id: &str, patch: &ElementPatch) -> Result<Element> {
        self.edit(Op::Edit, |d, a| d.update(a, id, patch)).await
    }

    pub async fn update_many(
        &mut self,
        patches: &[(String, ElementPatch)],
    ) -> Result<Vec<Element>> {
        self.edit(Op::Edit, |d, a| d.update_many(a, patches)).await
    }

    pub async fn delete(&mut self, ids: &[String]) -> Result<usize> {
        self.edit(Op::Edit, |d, a| d.delete(a, ids)).await
    }

    pub async fn reorder(&mut self, ids: &[String], to: Reorder) -> Result<()> {
        self.edit(Op::Edit, |d, a| d.reorder(a, ids, to)).await
    }

    pub async fn group(&mut self, ids: &[String]) -> Result<String> {
        self.edit(Op::Edit, |d, a| d.group(a, ids)).await
    }

    pub async fn ungroup(&mut self, group_id: &str) -> Result<usize> {
        self.edit(Op::Edit, |d, a| d.ungroup(a, group_id)).await
    }

    /// Applies a batch of edits (one gesture) as one transaction: one undo step, one commit,
    /// acknowledged once stored. Returns what it wrote; listeners hear which elements changed.
    /// Costs what the batch touches, whatever the board's size (see [`BoardDoc::apply_edits`]).
    pub async fn apply_edits(
        &mut self,
        edits: &[crate::edit::Edit],
    ) -> Result<crate::edit::Applied> {
        let total: usize = edits.iter().map(crate::edit::Edit::len).sum();
        if total > crate::edit::MAX_ENTRIES_PER_BATCH {
            return Err(Error::too_large(
                "edits",
                total,
                crate::edit::MAX_ENTRIES_PER_BATCH,
            ));
        }
        self.edit(Op::Edit, |d, a| d.apply_edits(a, edits)).await
    }

    /// Applies a batch of element changes as one transaction (one undo step, one commit): each
    /// element in `put` is added or replaces the element with its id, then each id in `remove` is
    /// deleted. Only what differs from the current document is written.
    pub async fn apply_elements(&mut self, put: Vec<Element>, remove: &[String]) -> Result<()> {
        self.apply_edits(&[
            crate::edit::Edit::Add { elements: put },
            crate::edit::Edit::Delete {
                ids: remove.to_vec(),
            },
        ])
        .await
        .map(drop)
    }

    pub async fn set_text(&mut self, id: &str, text: &str) -> Result<Element> {
        self.edit(Op::Edit, |d, a| d.set_text(a, id, text)).await
    }

    /// Adds an image file to the board: its bytes to the store (once, whoever else holds
    /// them), a reference to the document, and an offer to the board's servers. Returns its id.
    pub async fn add_file(&mut self, file: BoardFile) -> Result<String> {
        self.allow(Op::Edit).await?;
        // The store checks the file (and its bytes against its id) before anything is written.
        self.store.put_file(self.board.id, &file).await?;
        let id = self.edit(Op::Edit, |d, _| d.add_file(&file)).await?.id;
        self.files.offer(&id);
        Ok(id)
    }

    /// The bytes of an image the board references. From the store when they are here (or
    /// from the document itself, for a board in the layout of older builds); otherwise the
    /// board's sync connections are asked for them, `None` is returned, and
    /// [`Self::file_channel`]'s arrivals say when they came.
    pub async fn file(&self, id: &str) -> Result<Option<BoardFile>> {
        if self.doc.file_ref(id).is_none() {
            return Ok(None);
        }
        if let Some(f) = self.doc.legacy_file(id) {
            return Ok(Some(f));
        }
        match self.store.file(id).await? {
            Some(f) => Ok(Some(f)),
            None => {
                self.files.want(id);
                Ok(None)
            }
        }
    }

    /// Stores a file that arrived from a peer (checked against its name) and links it to this
    /// board, then tells whoever waits for it.
    pub async fn store_arrived_file(&self, file: &BoardFile) -> Result<()> {
        if self.doc.file_ref(&file.id).is_none() && !self.files.wanted().contains(&file.id) {
            return Err(Error::invalid(
                "fileId",
                format!("file {:?} is not in this board", file.id),
            ));
        }
        self.store.put_file(self.board.id, file).await?;
        self.files.arrived(&file.id);
        Ok(())
    }

    /// Files the board's elements show whose bytes this store lacks.
    pub async fn missing_files(&self) -> Result<Vec<String>> {
        let shown: Vec<String> = self.doc.shown_files().into_iter().collect();
        let have = self.store.files_present(&shown).await?;
        let mut missing: Vec<String> = shown
            .into_iter()
            .filter(|f| !have.contains(f) && self.doc.legacy_file(f).is_none())
            .collect();
        missing.sort();
        Ok(missing)
    }

    /// What this board and its sync connections say to each other about files.
    pub fn file_channel(&self) -> &FileChannel {
        &self.files
    }

    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    /// Moves image bytes that older builds kept inside the document into the store, leaving
    /// references: the board's document, then every stored snapshot of it (history keeps its
    /// images, without their bytes). A compaction follows, so the updates that carried the
    /// bytes leave the log. Only a session that may edit migrates (a VIEW replica's change would
    /// be refused by its server); it reads the bytes from the document meanwhile.
    async fn migrate_files(&mut self) -> Result<()> {
        if Op::Edit.check(self.access).is_err() {
            return Ok(());
        }
        let legacy = self.doc.legacy_files();
        let mut changed = false;
        if !legacy.is_empty() {
            for f in &legacy {
                self.store.put_file(self.board.id, f).await?;
            }
            self.doc.migrate_files();
            self.commit().await?;
            changed = true;
            tracing::info!(board = %self.board.id, files = legacy.len(), "moved image bytes out of the document");
        }
        for (id, files) in self.store.snapshot_files(self.board.id).await? {
            if files.is_some() {
                continue;
            }
            // A snapshot by an older build: move its bytes out too, and record what it shows.
            let (_, state) = self.store.snapshot_state(self.board.id, id).await?;
            let mut past = BoardDoc::from_updates([state.as_slice()])?;
            let old = past.legacy_files();
            for f in &old {
                self.store.put_file(self.board.id, f).await?;
            }
            let shown: Vec<String> = past.shown_files().into_iter().collect();
            let state = (past.migrate_files() > 0).then(|| past.encode_state());
            self.store
                .rewrite_snapshot(self.board.id, id, state.as_deref(), &shown)
                .await?;
            changed |= state.is_some();
        }
        if changed {
            self.take_snapshot(None).await?;
        }
        Ok(())
    }

    /// Drops the board's links to files neither its document nor any stored snapshot shows
    /// (collected after [`FILE_GRACE`] unless another board holds them). It links nothing: a
    /// board holds a file only when it was pasted, imported, downloaded or migrated into it, so
    /// a collaborator who writes a reference to some hash cannot make this installation hold
    /// (and so offer to the board's server) bytes another board brought.
    async fn sync_file_links(&self) -> Result<()> {
        let seen_at = easel_log::now_ms();
        let mut live = self.doc.shown_files();
        for (_, files) in self.store.snapshot_files(self.board.id).await? {
            live.extend(files.unwrap_or_default());
        }
        self.store
            .retain_board_files(self.board.id, &live, seen_at)
            .await?;
        Ok(())
    }

    pub async fn set_background(&mut self, background: &str) -> Result<()> {
        self.edit(Op::Edit, |d, _| {
            let mut meta = d.meta();
            meta.background = background.to_string();
            d.set_meta(&meta)
        })
        .await
    }

    /// Undoes this user's last change on this board; returns false when there is none.
    pub async fn undo(&mut self) -> Result<bool> {
        self.edit(Op::Undo, |d, _| Ok(d.undo())).await
    }

    pub async fn redo(&mut self) -> Result<bool> {
        self.edit(Op::Undo, |d, _| Ok(d.redo())).await
    }

    /// Takes a snapshot now, named or automatic, and folds the update log into it.
    pub async fn snapshot(&mut self, name: Option<&str>) -> Result<SnapshotInfo> {
        self.allow(Op::Snapshot).await?;
        self.commit().await?;
        let info = self.take_snapshot(name).await?;
        if let Some(n) = name {
            let detail = serde_json::json!({ "snapshot": info.id, "name": n });
            self.store
                .audit(self.board.id, Some(self.actor), "snapshot", &detail)
                .await?;
        }
        Ok(info)
    }

    async fn take_snapshot(&mut self, name: Option<&str>) -> Result<SnapshotInfo> {
        // Bring in what other processes wrote, so the snapshot covers every seq up to ours.
        self.refresh().await?;
        let info = self
            .store
            .save_snapshot(
                self.board.id,
                name,
                self.applied_seq,
                &self.doc.encode_state(),
                self.doc.element_count(),
                Some(self.actor),
                true,
                self.policy.keep_auto,
                &self.doc.shown_files().into_iter().collect::<Vec<_>>(),
            )
            .await?;
        self.since_snapshot = 0;
        self.last_snapshot = Instant::now();
        self.sync_file_links().await?;
        Ok(info)
    }

    /// Makes the board look as it did at a snapshot, as a new change on top of the present: it
    /// syncs like any edit and can be undone. Owner only.
    pub async fn restore(&mut self, snapshot_id: i64) -> Result<()> {
        self.allow(Op::Restore).await?;
        let (info, state) = self
            .store
            .snapshot_state(self.board.id, snapshot_id)
            .await?;
        let past = BoardDoc::from_updates([state.as_slice()])?;
        for f in past.legacy_files() {
            self.store.put_file(self.board.id, &f).await?;
        }
        let actor = self.actor_str();
        self.doc
            .replace_content(&actor, &past.scene(), &past.file_refs())?;
        self.commit().await?;
        let detail = serde_json::json!({
            "snapshot": info.id, "name": info.name, "elements": info.element_count,
        });
        self.store
            .audit(self.board.id, Some(self.actor), "restore", &detail)
            .await
    }

    /// The board's content for export, titled as the board. Checks the access an export needs
    /// (a denial is audited); the export itself is audited by [`Self::record_export`] once the
    /// file exists, so a failed encoding or write leaves no row claiming an export.
    pub async fn scene_for_export(&self) -> Result<Scene> {
        self.allow(Op::Export).await?;
        let mut scene = self.doc.scene();
        scene.meta.title = self.board.title.clone();
        let missing = self.missing_files().await?;
        if !missing.is_empty() {
            for id in &missing {
                self.files.want(id);
            }
            return Err(Error::invalid(
                "files",
                format!(
                    "{} image(s) of this board are not downloaded yet (they come from its server \
                     when the board is open and connected); try again once they have arrived",
                    missing.len()
                ),
            ));
        }
        let mut ids: Vec<String> = self.doc.shown_files().into_iter().collect();
        ids.sort();
        for id in ids {
            let file = match self.doc.legacy_file(&id) {
                Some(f) => Some(f),
                None => self.store.file(&id).await?,
            };
            scene.files.extend(file);
        }
        Ok(scene)
    }

    /// Writes the audit row of a completed export.
    pub async fn record_export(&self, format: &str, elements: usize, bytes: usize) -> Result<()> {
        let detail = serde_json::json!({
            "format": format, "elements": elements, "bytes": bytes,
        });
        self.store
            .audit(self.board.id, Some(self.actor), "export", &detail)
            .await
    }
}

/// An open board's comments: the live comments document and the acting user's access. Reading
/// needs VIEW (checked when opened); every write needs COMMENT, is committed before it returns,
/// and is audited (`comment.add`, `comment.reply`, `comment.edit`, `comment.delete`,
/// `comment.resolve`, `comment.reopen`). Only a message's author may edit or delete it.
pub struct CommentsSession {
    store: Store,
    board: BoardRecord,
    actor: Uuid,
    author: Author,
    access: Access,
    doc: CommentsDoc,
    /// Every comments update with seq <= this is in `doc`.
    applied_seq: i64,
    /// Updates since the comments snapshot, for compaction.
    since_snapshot: usize,
    /// Local updates whose commit failed; retried before the next ones.
    unsaved: Vec<Vec<u8>>,
    policy: SnapshotPolicy,
    listeners: Listeners,
}

impl CommentsSession {
    pub fn board(&self) -> &BoardRecord {
        &self.board
    }

    pub fn access(&self) -> Access {
        self.access
    }

    pub fn doc(&self) -> &CommentsDoc {
        &self.doc
    }

    /// Every thread, oldest first.
    pub fn threads(&self) -> Vec<Thread> {
        self.doc.threads()
    }

    pub fn thread(&self, id: &str) -> Option<Thread> {
        self.doc.thread(id)
    }

    /// The seq of the newest comments update this session has applied.
    pub fn applied_seq(&self) -> i64 {
        self.applied_seq
    }

    /// Every later change to the comments document, with its origin, in order.
    pub fn subscribe(&mut self) -> tokio::sync::mpsc::UnboundedReceiver<DocChange> {
        self.listeners.subscribe()
    }

    fn notify(&mut self, origin: ChangeOrigin, update: Vec<u8>) {
        self.listeners
            .notify(origin, update, crate::edit::ElementChanges::default());
    }

    async fn allow(&self, op: Op) -> Result<()> {
        allow(&self.store, self.board.id, self.actor, self.access, op).await
    }

    /// One write: checks COMMENT, applies `f`, commits, then writes the audit row `action` with
    /// the detail `f` returned. A refused or invalid write changes nothing.
    async fn write<T>(
        &mut self,
        action: &str,
        f: impl FnOnce(&mut CommentsDoc, &Author) -> Result<(T, serde_json::Value)>,
    ) -> Result<T> {
        self.allow(Op::Comment).await?;
        let (out, detail) = f(&mut self.doc, &self.author)?;
        self.commit().await?;
        self.store
            .audit(self.board.id, Some(self.actor), action, &detail)
            .await?;
        Ok(out)
    }

    /// Starts a thread at `anchor` with its first message.
    pub async fn add_thread(&mut self, anchor: &Anchor, text: &str) -> Result<Thread> {
        self.write("comment.add", |d, a| {
            let t = d.add_thread(a, anchor, text)?;
            let detail = serde_json::json!({
                "thread": t.id, "message": t.messages[0].id, "anchor": t.anchor,
            });
            Ok((t, detail))
        })
        .await
    }

    pub async fn reply(&mut self, thread: &str, text: &str) -> Result<Comment> {
        self.write("comment.reply", |d, a| {
            let c = d.reply(a, thread, text)?;
            let detail = serde_json::json!({ "thread": thread, "message": c.id });
            Ok((c, detail))
        })
        .await
    }

    /// Edits one of the actor's own messages.
    pub async fn edit(&mut self, message: &str, text: &str) -> Result<Comment> {
        self.write("comment.edit", |d, a| {
            let c = d.edit(&a.id, message, text)?;
            Ok((c, serde_json::json!({ "message": message })))
        })
        .await
    }

    /// Deletes one of the actor's own messages (a tombstone stays in its thread).
    pub async fn delete(&mut self, message: &str) -> Result<Comment> {
        self.write("comment.delete", |d, a| {
            let c = d.delete(&a.id, message)?;
            Ok((c, serde_json::json!({ "message": message })))
        })
        .await
    }

    /// Resolves a thread; false (nothing written, nothing audited) when it already was.
    pub async fn resolve(&mut self, thread: &str) -> Result<bool> {
        self.set_resolved(thread, true).await
    }

    /// Reopens a thread; false (nothing written, nothing audited) when it was open.
    pub async fn reopen(&mut self, thread: &str) -> Result<bool> {
        self.set_resolved(thread, false).await
    }

    async fn set_resolved(&mut self, thread: &str, resolved: bool) -> Result<bool> {
        self.allow(Op::Comment).await?;
        let changed = if resolved {
            self.doc.resolve(&self.author.id, thread)?
        } else {
            self.doc.reopen(&self.author.id, thread)?
        };
        if changed {
            self.commit().await?;
            let action = if resolved {
                "comment.resolve"
            } else {
                "comment.reopen"
            };
            self.store
                .audit(
                    self.board.id,
                    Some(self.actor),
                    action,
                    &serde_json::json!({ "thread": thread }),
                )
                .await?;
        }
        Ok(changed)
    }

    /// Persists pending local updates; returns when they are committed.
    async fn commit(&mut self) -> Result<()> {
        self.unsaved.extend(self.doc.take_updates());
        if self.unsaved.is_empty() {
            return Ok(());
        }
        let updates = std::mem::take(&mut self.unsaved);
        let n = updates.len();
        let seqs = match self
            .store
            .append(self.board.id, DocKind::Comments, updates.clone())
            .await
        {
            Ok(s) => s,
            Err(e) => {
                self.unsaved = updates;
                return Err(e);
            }
        };
        for u in updates {
            self.notify(ChangeOrigin::Local, u);
        }
        self.advance(&seqs, n).await
    }

    /// Records committed seqs, catching up first when another process wrote in between, and
    /// compacts the log when the policy says so.
    async fn advance(&mut self, seqs: &[i64], n: usize) -> Result<()> {
        if seqs.first() != Some(&(self.applied_seq + 1)) {
            self.refresh().await?;
        }
        if let Some(last) = seqs.last() {
            self.applied_seq = self.applied_seq.max(*last);
        }
        self.since_snapshot += n;
        if self.since_snapshot >= self.policy.every_updates {
            self.compact().await?;
        }
        Ok(())
    }

    /// Folds the comments log into one snapshot.
    pub async fn compact(&mut self) -> Result<()> {
        self.refresh().await?;
        self.store
            .compact_comments(self.board.id, self.applied_seq, &self.doc.encode_state())
            .await?;
        self.since_snapshot = 0;
        Ok(())
    }

    /// Applies comments other processes committed since this session last looked (and the
    /// access they may have changed). Returns how many updates were applied.
    pub async fn refresh(&mut self) -> Result<usize> {
        let record = self.store.board(self.board.id).await?;
        self.access = self.store.access(&record, Some(self.actor)).await?;
        self.board = record;
        let stored = self
            .store
            .load_since(self.board.id, DocKind::Comments, self.applied_seq)
            .await?;
        let mut applied = 0;
        for u in stored.updates() {
            let effect = self.doc.apply_remote_effective(u);
            if let Some(effect) = self.recover_if_engine_failed(effect).await? {
                self.notify(ChangeOrigin::Store, effect);
            }
            applied += 1;
        }
        self.applied_seq = self.applied_seq.max(stored.last_seq());
        Ok(applied)
    }

    /// As [`BoardSession`]'s: after [`Error::Engine`] the comments document is rebuilt from
    /// the store (with local updates not yet stored) before the error is passed on.
    async fn recover_if_engine_failed(
        &mut self,
        applied: Result<Option<Vec<u8>>>,
    ) -> Result<Option<Vec<u8>>> {
        let Err(Error::Engine(reason)) = applied else {
            return applied;
        };
        tracing::error!(board = %self.board.id, %reason, "reloading the comments from the store");
        self.unsaved.extend(self.doc.take_updates());
        let stored = self
            .store
            .load_since(self.board.id, DocKind::Comments, 0)
            .await?;
        let doc = CommentsDoc::from_updates(stored.updates())?;
        for u in &self.unsaved {
            doc.apply_remote(u)?;
        }
        if let Some(trace) = self.doc.trace() {
            doc.record_trace(trace);
        }
        self.doc = doc;
        self.applied_seq = stored.last_seq();
        self.since_snapshot = stored.tail.len();
        Err(Error::Engine(reason))
    }

    /// Applies and persists a comments update from sync connection `source` (validated again
    /// here); other listeners hear of it. Returns false, storing nothing, when this replica
    /// already had all of it. The sync layer has checked the sender's right to write.
    pub async fn apply_remote_from(&mut self, update: &[u8], source: u64) -> Result<bool> {
        let effect = self.doc.apply_remote_effective(update);
        let Some(effect) = self.recover_if_engine_failed(effect).await? else {
            return Ok(false);
        };
        let seqs = self
            .store
            .append(self.board.id, DocKind::Comments, vec![effect.clone()])
            .await?;
        self.advance(&seqs, 1).await?;
        self.notify(ChangeOrigin::Peer(source), effect);
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ElementKind;

    #[tokio::test]
    async fn apply_elements_is_one_undo_step_and_one_commit() {
        let dir = tempfile::tempdir().unwrap();
        let easel = Easel::new(Store::open(&dir.path().join("easel.db")).await.unwrap());
        let me = easel.local_user().await.unwrap().id;
        let board = easel.create_board(me, "B").await.unwrap();
        let mut s = easel.open_board(me, board.id).await.unwrap();
        let rect =
            |id: &str, x| Element::new(id, ElementKind::Rectangle, x, 0.0).with_size(10.0, 10.0);
        s.add_many(vec![rect("a", 0.0), rect("b", 20.0)])
            .await
            .unwrap();
        let seq = s.applied_seq();

        let mut moved = s.element("a").unwrap();
        moved.x = 100.0;
        s.apply_elements(vec![moved, rect("c", 40.0)], &["b".to_string()])
            .await
            .unwrap();
        assert_eq!(s.applied_seq(), seq + 1);
        let ids: Vec<String> = s.elements().into_iter().map(|e| e.id).collect();
        assert_eq!(ids.len(), 2);
        assert_eq!(s.element("a").unwrap().x, 100.0);
        assert!(s.element("c").is_some() && s.element("b").is_none());

        assert!(s.undo().await.unwrap());
        assert_eq!(s.element("a").unwrap().x, 0.0);
        assert!(s.element("b").is_some() && s.element("c").is_none());
    }

    #[tokio::test]
    async fn listeners_hear_which_elements_a_change_touched_whatever_its_origin() {
        let dir = tempfile::tempdir().unwrap();
        let easel = Easel::new(Store::open(&dir.path().join("easel.db")).await.unwrap());
        let me = easel.local_user().await.unwrap().id;
        let board = easel.create_board(me, "B").await.unwrap();
        let mut s = easel.open_board(me, board.id).await.unwrap();
        let rect =
            |id: &str, x| Element::new(id, ElementKind::Rectangle, x, 0.0).with_size(10.0, 10.0);
        s.add_many(
            (0..1000)
                .map(|i| rect(&format!("r{i}"), i as f64))
                .collect(),
        )
        .await
        .unwrap();
        let mut rx = s.subscribe();
        let touched = |c: &DocChange| c.elements.touched.iter().cloned().collect::<Vec<_>>();

        let edits = vec![
            crate::edit::Edit::Add {
                elements: vec![rect("n", 1.0)],
            },
            crate::edit::Edit::Delete {
                ids: vec!["r7".into()],
            },
        ];
        s.apply_edits(&edits).await.unwrap();
        let c = rx.try_recv().unwrap();
        assert_eq!(c.origin, ChangeOrigin::Local);
        assert_eq!(touched(&c), ["n", "r7"]);

        s.undo().await.unwrap();
        assert_eq!(touched(&rx.try_recv().unwrap()), ["n", "r7"]);

        // A collaborator's update names what it changed here.
        let other = BoardDoc::from_updates([s.doc().encode_state().as_slice()]).unwrap();
        let mut other = other;
        other.set_text("peer", "r9", "hi").unwrap();
        let update = other.take_updates().remove(0);
        s.apply_remote_from(&update, 7).await.unwrap();
        let c = rx.try_recv().unwrap();
        assert_eq!(
            (c.origin, touched(&c)),
            (ChangeOrigin::Peer(7), vec!["r9".to_string()])
        );
        assert!(rx.try_recv().is_err());
    }

    #[tokio::test]
    async fn a_board_with_a_damaged_stored_update_is_a_clear_error_and_others_open() {
        let dir = tempfile::tempdir().unwrap();
        let easel = Easel::new(Store::open(&dir.path().join("easel.db")).await.unwrap());
        let me = easel.local_user().await.unwrap().id;
        let bad = easel.create_board(me, "Damaged").await.unwrap();
        let fine = easel.create_board(me, "Fine").await.unwrap();
        let segv = std::fs::read(format!(
            "{}/../../fixtures/yrs-malformed/utf8_segv_v1.bin",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let mut open = easel.open_board(me, bad.id).await.unwrap();
        easel
            .store()
            .append_updates(bad.id, vec![segv])
            .await
            .unwrap();
        // An open session finds it when it looks for other processes' writes...
        match open.refresh().await {
            Err(Error::Corrupt(why)) => assert!(why.contains(&bad.id.to_string()), "{why}"),
            other => panic!("expected Corrupt, got {:?}", other.map(|_| ())),
        }
        // ...and opening it again says which board cannot be read.
        match easel.open_board(me, bad.id).await {
            Err(Error::Corrupt(why)) => {
                assert!(
                    why.contains("Damaged") && why.contains("stored update"),
                    "{why}"
                )
            }
            Err(other) => panic!("expected Corrupt, got {other}"),
            Ok(_) => panic!("a damaged board opened"),
        }
        assert!(easel.open_board(me, fine.id).await.is_ok());
    }
}
