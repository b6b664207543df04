//! Sharing, as the CLI and the app use it: issue a signed link, list and revoke the links of a
//! board, join a board through a link, and say how to authenticate a sync connection.
//!
//! A board's id is bound to its owner's key ([`capability::board_id_for`] of the key and a
//! salt kept in `boards.id_salt`). A board created before this installation had an identity
//! gets such an id the first time it is shared: [`Store::rekey_board`] moves its history to
//! the new id and keeps the old one as an alias.

use serde::Serialize;
use uuid::Uuid;

use crate::capability::{self, Capability, Revocation, ShareLink};
use crate::error::{Error, Result};
use crate::identity;
use crate::perm::{Level, Op};
use crate::service::Easel;
use crate::store::{BoardRecord, HeldCapability, ShareLinkRecord};
use crate::sync::SyncAuth;

/// What `easel share` asks for.
#[derive(Debug, Clone, Default)]
pub struct ShareRequest {
    pub level: Option<Level>,
    /// The relay (or host) the link names, `ws://HOST:PORT`.
    pub relay: Option<String>,
    /// Unix seconds.
    pub expires_at: Option<i64>,
    /// Only this public key (base64url) may use the link; `None`: anyone with it.
    pub subject: Option<String>,
    /// A name for the subject, recorded with their key.
    pub subject_name: Option<String>,
}

/// A link as listed: its record, whether it still works, and the link itself.
#[derive(Debug, Clone, Serialize)]
pub struct IssuedLink {
    #[serde(flatten)]
    pub record: ShareLinkRecord,
    /// The subject's public key, for a link issued to one person.
    pub subject_key: Option<String>,
    /// `active`, `expired` or `revoked`.
    pub status: &'static str,
    pub url: String,
}

/// What [`Easel::share`] did.
#[derive(Debug, Clone, Serialize)]
pub struct Shared {
    pub link: IssuedLink,
    /// The board's previous id, when sharing gave it an id bound to the owner's key.
    pub rekeyed_from: Option<Uuid>,
    /// What the person sharing should know before sending the link (a `ws://` relay on the
    /// internet exposes the token: [`easel_keys::url::plaintext_risk`]).
    pub warnings: Vec<String>,
}

/// A link's contents, checked, for the prompt before joining.
#[derive(Debug, Clone, Serialize)]
pub struct LinkPreview {
    pub board: Uuid,
    pub title: Option<String>,
    /// Who issued it (the name the link carries) and their public key.
    pub issued_by: Option<String>,
    pub owner_key: String,
    pub level: Level,
    pub expires_at: Option<i64>,
    /// Whether the link is for one person (this installation) or anyone who has it.
    pub personal: bool,
    pub relay: Option<String>,
    /// Whether this installation already has the board.
    pub known: bool,
}

/// What [`Easel::join`] did.
#[derive(Debug, Clone, Serialize)]
pub struct Joined {
    pub board: BoardRecord,
    pub level: Level,
    pub relay: Option<String>,
    /// The board was new here (an empty replica to fill by syncing).
    pub created: bool,
}

/// Unix seconds now.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn random_salt() -> Result<[u8; 16]> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt)
        .map_err(|e| Error::Io(std::io::Error::other(format!("no OS randomness: {e}"))))?;
    Ok(salt)
}

fn link_status(r: &ShareLinkRecord, now: i64) -> &'static str {
    if r.revoked_at.is_some() {
        "revoked"
    } else if r.expires_at.is_some_and(|e| now >= e) {
        "expired"
    } else {
        "active"
    }
}

impl Easel {
    /// A new board's id and salt, bound to this installation's key, when an identity exists
    /// (set up earlier); `None` otherwise (the board gets a bound id when first shared).
    pub(crate) async fn bound_board_id(&self) -> Option<(Uuid, [u8; 16])> {
        let user = self.local_user().await.ok()?;
        user.public_key.as_ref()?;
        let id = self.identity().await.ok()?;
        let salt = random_salt().ok()?;
        Some((capability::board_id_for(&id.verifying_key(), &salt), salt))
    }

    /// Makes sure `board`'s id is bound to the owner's key (owner only), re-keying a board
    /// made before this installation had an identity. Returns the board, its salt, and its
    /// old id if it was re-keyed.
    pub async fn bind_board(
        &self,
        actor: Uuid,
        board: Uuid,
    ) -> Result<(BoardRecord, [u8; 16], Option<Uuid>)> {
        let (record, _) = self.authorize(actor, board, Op::Share).await?;
        let me = self.identity().await?;
        let pk = me.verifying_key();
        match self.store().board_salt(board).await? {
            Some(salt) if capability::board_id_for(&pk, &salt) == board => Ok((record, salt, None)),
            _ => {
                let salt = random_salt()?;
                let new = capability::board_id_for(&pk, &salt);
                let record = self.store().rekey_board(board, new, &salt, actor).await?;
                Ok((record, salt, Some(board)))
            }
        }
    }

    /// Issues a share link for `board` (owner only). A board whose id is not yet bound to the
    /// owner's key is re-keyed first; the new id is in the result.
    pub async fn share(&self, actor: Uuid, board: Uuid, req: &ShareRequest) -> Result<Shared> {
        let level = req
            .level
            .ok_or_else(|| Error::invalid("level", "choose view, comment or edit"))?;
        if let Some(r) = &req.relay {
            crate::sync::room_url(r, &board.to_string(), &[])?;
        }
        if let Some(e) = req.expires_at
            && e <= unix_now()
        {
            return Err(Error::invalid("expires", "the expiry is in the past"));
        }
        let me = self.identity().await?;
        let (record, salt, rekeyed_from) = self.bind_board(actor, board).await?;
        let (subject_id, subject_bytes) = match &req.subject {
            Some(key) => {
                let vk = identity::decode_public_key(key)
                    .map_err(|e| Error::invalid("for", e.to_string()))?;
                let name = req.subject_name.as_deref().unwrap_or("Collaborator");
                let user = self
                    .remember_user(&identity::encode_public_key(&vk), name)
                    .await?;
                (Some(user.id), Some(vk.to_bytes()))
            }
            None => (None, None),
        };
        let cap = Capability {
            board: record.id,
            level,
            link_id: Uuid::new_v4(),
            issued_at: unix_now(),
            expires_at: req.expires_at,
            subject: subject_bytes,
        };
        let rec = ShareLinkRecord {
            link_id: cap.link_id,
            board_id: record.id,
            level,
            subject_id,
            relay: req.relay.clone(),
            token: cap.sign(me.signing_key()),
            issued_at: cap.issued_at,
            expires_at: cap.expires_at,
            issued_by: actor,
            revoked_at: None,
        };
        self.store().insert_share_link(&rec).await?;
        if let Some(r) = &req.relay {
            // The owner syncs through the relay the link names, too.
            self.store()
                .add_remote(record.id, r, "relay", actor)
                .await?;
        }
        let link = self
            .issued(rec, &record, &salt, &me.user.display_name)
            .await?;
        let warnings = req
            .relay
            .as_deref()
            .and_then(easel_keys::url::plaintext_risk)
            .into_iter()
            .collect();
        Ok(Shared {
            link,
            rekeyed_from,
            warnings,
        })
    }

    async fn issued(
        &self,
        rec: ShareLinkRecord,
        board: &BoardRecord,
        salt: &[u8; 16],
        by: &str,
    ) -> Result<IssuedLink> {
        let me = self.identity().await?;
        let subject_key = match rec.subject_id {
            Some(u) => self.store().user(u).await?.and_then(|u| u.public_key),
            None => None,
        };
        let url = ShareLink {
            board: board.id,
            relay: rec.relay.clone(),
            owner: Some(me.verifying_key().to_bytes()),
            salt: Some(*salt),
            by: Some(by.to_string()),
            title: Some(board.title.clone()),
            token: rec.token.clone(),
        }
        .to_url();
        Ok(IssuedLink {
            status: link_status(&rec, unix_now()),
            record: rec,
            subject_key,
            url,
        })
    }

    /// The links issued on `board` (owner only), newest first.
    pub async fn links(&self, actor: Uuid, board: Uuid) -> Result<Vec<IssuedLink>> {
        let (record, _) = self.authorize(actor, board, Op::Share).await?;
        let recs = self.store().share_links(record.id).await?;
        if recs.is_empty() {
            return Ok(Vec::new());
        }
        let salt = self.store().board_salt(record.id).await?.ok_or_else(|| {
            Error::Corrupt(format!("board {} has links but no id salt", record.id))
        })?;
        let me = self.identity().await?;
        let mut out = Vec::with_capacity(recs.len());
        for r in recs {
            out.push(
                self.issued(r, &record, &salt, &me.user.display_name)
                    .await?,
            );
        }
        Ok(out)
    }

    /// Revokes a link (owner only): signs the revocation, which every later sync of the board
    /// delivers to its relays and hosts. Returns the link; revoking twice changes nothing.
    pub async fn revoke_link(&self, actor: Uuid, board: Uuid, link: Uuid) -> Result<IssuedLink> {
        let (record, _) = self.authorize(actor, board, Op::Share).await?;
        let me = self.identity().await?;
        let rev = Revocation {
            board: record.id,
            link_id: link,
            revoked_at: unix_now(),
        };
        let signed = rev.sign(me.signing_key());
        let rec = self
            .store()
            .revoke_share_link(record.id, link, rev.revoked_at, &signed, actor)
            .await?;
        let salt = self.store().board_salt(record.id).await?.unwrap_or([0; 16]);
        self.issued(rec, &record, &salt, &me.user.display_name)
            .await
    }

    /// Reads and checks a link without joining: the board, who issued it, the level.
    pub async fn preview_link(&self, link: &str) -> Result<LinkPreview> {
        let parsed = ShareLink::parse(link).map_err(cap_error)?;
        let owner = parsed.owner.ok_or_else(|| {
            Error::invalid(
                "link",
                "the link does not name its owner's key, so it cannot be checked; ask for a new link",
            )
        })?;
        let (cap, _) = Capability::decode_unverified(&parsed.token).map_err(cap_error)?;
        let me = match cap.subject {
            Some(_) => Some(self.identity().await?.verifying_key().to_bytes()),
            None => None,
        };
        let cap = parsed.verify(unix_now(), me.as_ref()).map_err(cap_error)?;
        let known = self.store().board(parsed.board).await.is_ok();
        Ok(LinkPreview {
            board: parsed.board,
            title: parsed.title,
            issued_by: parsed.by,
            owner_key: identity::encode_public_key(
                &ed25519_dalek::VerifyingKey::from_bytes(&owner)
                    .map_err(|_| Error::invalid("owner", "not an Ed25519 public key"))?,
            ),
            level: cap.level,
            expires_at: cap.expires_at,
            personal: cap.subject.is_some(),
            relay: parsed.relay,
            known,
        })
    }

    /// Joins a board through a link: checks it, records the owner and the capability, gives
    /// the local user the link's level, and remembers the link's relay. The board's content
    /// arrives by syncing.
    pub async fn join(&self, actor: Uuid, link: &str) -> Result<Joined> {
        let preview = self.preview_link(link).await?;
        let parsed = ShareLink::parse(link).map_err(cap_error)?;
        let existing = self.store().board(preview.board).await.ok();
        if let Some(b) = &existing
            && b.owner_id == actor
        {
            return Err(Error::invalid("link", "this is your own board"));
        }
        let owner_name = preview.issued_by.as_deref().unwrap_or("Board owner");
        let owner = self.remember_user(&preview.owner_key, owner_name).await?;
        let created = existing.is_none();
        if created {
            let title = preview.title.as_deref().unwrap_or("Shared board");
            let title: String = title.chars().take(200).collect();
            let doc = crate::doc::BoardDoc::new();
            let detail = serde_json::json!({ "title": title, "joined": true });
            self.store()
                .create_board(
                    preview.board,
                    owner.id,
                    &title,
                    &doc.encode_state(),
                    "create",
                    &detail,
                )
                .await?;
        }
        let (cap, _) = Capability::decode_unverified(&parsed.token).map_err(cap_error)?;
        self.store()
            .record_join(
                &HeldCapability {
                    board_id: preview.board,
                    token: parsed.token.clone(),
                    link_id: cap.link_id,
                    level: preview.level,
                    owner_key: preview.owner_key.clone(),
                    relay: preview.relay.clone(),
                    expires_at: preview.expires_at,
                },
                actor,
                owner.id,
            )
            .await?;
        if let Some(r) = &preview.relay {
            self.store()
                .add_remote(preview.board, r, "relay", actor)
                .await?;
        }
        Ok(Joined {
            board: self.store().board(preview.board).await?,
            level: preview.level,
            relay: preview.relay,
            created,
        })
    }

    /// How the local user authenticates a sync of `board`: as its owner (a key proof, the
    /// registration salt, and the revocations to deliver), with the capability they joined
    /// with, or not at all (a board that was never shared, on an open server).
    pub async fn sync_auth(&self, actor: Uuid, board: Uuid) -> Result<SyncAuth> {
        let record = self.store().board(board).await?;
        if record.owner_id == actor {
            let Some(salt) = self.store().board_salt(board).await? else {
                return Ok(SyncAuth::None);
            };
            let me = self.identity().await?;
            if capability::board_id_for(&me.verifying_key(), &salt) != board {
                return Ok(SyncAuth::None);
            }
            return Ok(SyncAuth::Owner {
                key: me.signing_key().clone(),
                salt,
                revocations: self.store().revocations(board).await?,
            });
        }
        match self.store().held_capability(board).await? {
            Some(held) => {
                let (cap, _) = Capability::decode_unverified(&held.token).map_err(cap_error)?;
                let key = match cap.subject {
                    Some(_) => Some(self.identity().await?.signing_key().clone()),
                    None => None,
                };
                Ok(SyncAuth::Capability {
                    token: held.token,
                    key,
                })
            }
            None => Ok(SyncAuth::None),
        }
    }
}

fn cap_error(e: capability::CapError) -> Error {
    match e {
        capability::CapError::Link { field, message } => Error::invalid(field, message),
        other => Error::invalid("link", other.to_string()),
    }
}
