//! `--auth capabilities`: rooms are boards, each registered by its owner; every other
//! connection presents a capability the owner signed.
//!
//! Rooms are `<board-uuid>` and `<board-uuid>/comments`. A connection proves a key with the
//! query parameters `key`, `ts` and `proof` (a fresh signature over the board id and time; see
//! [`KeyProof`]) and/or presents a capability as `cap`:
//! - **Owner.** A proven key equal to the board's pinned owner key. The first owner connection
//!   registers the board: it also sends `salt`, and the board id must derive from key and salt
//!   ([`capability::board_id_for`]), so nobody who merely learned a board id can claim its room.
//! - **Anyone else** needs `cap`: its signature is checked against the pinned owner key, then the
//!   board, expiry, subject (a capability issued to one key needs that key proven) and the
//!   revoked links. VIEW → read only; COMMENT → writes `<board>/comments` only; EDIT → both.
//!
//! Awareness (cursors, selections, names) is relayed for every admitted connection, viewers
//! included: a viewer's cursor is how the others see who is looking, and awareness never
//! changes the document.
//!
//! Registering costs the relay a room and stored bytes for good, and a fresh key and salt are
//! free, so registrations are limited per hour, per address (an IPv6 client by its /64;
//! loopback exempt: the machine's own host) and per key ([`RegistrationLimits`]). A
//! registration over either limit is refused with a reason that says when to try again.
//!
//! Pins and revocations live in the relay's store, loaded into memory at startup. A pin is
//! written after the handshake admits the owner (losing it in a crash is harmless: only the
//! same key can register the id again); a revocation is committed before it takes effect.

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::IpAddr;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use easel_keys::Level;
use easel_keys::capability::{self, Capability, KeyProof, Revocation, decode_fixed};
use ed25519_dalek::VerifyingKey;
use uuid::Uuid;

use crate::auth::{Admission, AuthEvent, Authorizer, Denied, Grant, RevokeFuture};
use crate::store::{RelayStore, StoreError};

/// Where audit events go besides the relay's log.
pub type AuditSink = Arc<dyn Fn(AuthEvent) + Send + Sync>;

/// How many boards may be registered in any hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegistrationLimits {
    /// From one address (an IPv6 /64); loopback is exempt.
    pub per_address: u32,
    /// By one owner key.
    pub per_key: u32,
}

impl Default for RegistrationLimits {
    fn default() -> Self {
        RegistrationLimits {
            per_address: 200,
            per_key: 100,
        }
    }
}

/// The window the limits count over.
const REGISTRATION_WINDOW: Duration = Duration::from_secs(3600);

/// Registration times in the last window, per address and per key.
#[derive(Default)]
struct Registrations {
    by_address: HashMap<IpAddr, VecDeque<Instant>>,
    by_key: HashMap<[u8; 32], VecDeque<Instant>>,
}

impl Registrations {
    /// Records a registration unless it would pass a limit; `Err` says which and when to retry.
    fn admit(
        &mut self,
        limits: RegistrationLimits,
        client: IpAddr,
        key: [u8; 32],
        now: Instant,
    ) -> Result<(), String> {
        fn recent(q: &mut VecDeque<Instant>, now: Instant) -> usize {
            while q
                .front()
                .is_some_and(|t| now.duration_since(*t) >= REGISTRATION_WINDOW)
            {
                q.pop_front();
            }
            q.len()
        }
        fn retry_in(q: &VecDeque<Instant>, now: Instant) -> u64 {
            q.front()
                .map(|t| {
                    (REGISTRATION_WINDOW.saturating_sub(now.duration_since(*t))).as_secs() / 60 + 1
                })
                .unwrap_or(1)
        }
        if self.by_address.len() + self.by_key.len() > 100_000 {
            // Forget addresses and keys with nothing in the window (bounded memory).
            self.by_address.retain(|_, q| recent(q, now) > 0);
            self.by_key.retain(|_, q| recent(q, now) > 0);
        }
        let counted = !client.is_loopback();
        if counted {
            let q = self.by_address.entry(client).or_default();
            if recent(q, now) >= limits.per_address as usize {
                return Err(format!(
                    "registration refused: {} boards were registered from this address in the                      last hour (the limit); try again in {} minutes",
                    limits.per_address,
                    retry_in(q, now)
                ));
            }
        }
        let q = self.by_key.entry(key).or_default();
        if recent(q, now) >= limits.per_key as usize {
            return Err(format!(
                "registration refused: this key registered {} boards in the last hour (the                  limit); try again in {} minutes",
                limits.per_key,
                retry_in(q, now)
            ));
        }
        q.push_back(now);
        if counted {
            self.by_address.entry(client).or_default().push_back(now);
        }
        Ok(())
    }
}

/// The capability-checking [`Authorizer`].
pub struct CapabilityAuthorizer {
    store: RelayStore,
    owners: RwLock<HashMap<Uuid, VerifyingKey>>,
    revoked: RwLock<HashSet<(Uuid, Uuid)>>,
    audit: Option<AuditSink>,
    limits: RegistrationLimits,
    registrations: Mutex<Registrations>,
    /// Key proofs taken, by key and nonce, until they expire: each proof works once.
    proofs_seen: Mutex<HashMap<ProofId, i64>>,
}

/// A key proof's identity: the proving key and the proof's nonce.
type ProofId = ([u8; 32], [u8; 16]);

/// Key proofs remembered at once before the expired ones are dropped, and at most: past it a
/// new proof is refused until old ones expire (a flood of connections from many keys).
const PROOFS_PRUNE_AT: usize = 100_000;
const PROOFS_MAX: usize = 1_000_000;

impl CapabilityAuthorizer {
    /// Takes a verified proof once: refuses one seen before within its window.
    fn take_proof(&self, proof: &KeyProof, now: i64) -> Result<(), Denied> {
        let mut seen = self.proofs_seen.lock().unwrap_or_else(|p| p.into_inner());
        if seen.len() >= PROOFS_PRUNE_AT {
            seen.retain(|_, until| *until >= now);
        }
        if seen.len() >= PROOFS_MAX {
            return Err(Denied(
                "too many key proofs at once; try again in a few minutes".into(),
            ));
        }
        let until = proof.ts + capability::PROOF_WINDOW_SECS;
        match seen.insert((proof.key, proof.nonce), until) {
            None => Ok(()),
            Some(_) => Err(Denied(
                "key proof: already used (a proof works once; this one was replayed)".into(),
            )),
        }
    }
}

impl std::fmt::Debug for CapabilityAuthorizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CapabilityAuthorizer")
            .field("boards", &read(&self.owners).len())
            .field("revoked", &read(&self.revoked).len())
            .finish_non_exhaustive()
    }
}

fn read<T>(l: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(|p| p.into_inner())
}

fn write<T>(l: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(|p| p.into_inner())
}

/// Unix seconds now.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Splits a room into its board and whether it is the comments room.
pub fn board_room(room: &str) -> Option<(Uuid, bool)> {
    let (id, comments) = match room.strip_suffix("/comments") {
        Some(id) => (id, true),
        None => (room, false),
    };
    // Only the lower-case hyphenated form, so one board has exactly one room name (not a second
    // room under another spelling of its id).
    let board = Uuid::parse_str(id).ok()?;
    (board.hyphenated().to_string() == id).then_some((board, comments))
}

impl CapabilityAuthorizer {
    /// Loads pinned owners and revocations from the relay's store.
    pub async fn load(store: RelayStore) -> Result<Arc<Self>, StoreError> {
        Self::load_with(store, None, RegistrationLimits::default()).await
    }

    /// Like [`CapabilityAuthorizer::load`], with an audit sink and registration limits.
    pub async fn load_with(
        store: RelayStore,
        audit: Option<AuditSink>,
        limits: RegistrationLimits,
    ) -> Result<Arc<Self>, StoreError> {
        let state = store.auth_state().await?;
        let mut owners = HashMap::new();
        for (board, key) in state.owners {
            let key = VerifyingKey::from_bytes(&key).map_err(|_| StoreError::Corrupt {
                room: board.to_string(),
                reason: "pinned owner key is not an Ed25519 key".into(),
            })?;
            owners.insert(board, key);
        }
        Ok(Arc::new(CapabilityAuthorizer {
            store,
            owners: RwLock::new(owners),
            revoked: RwLock::new(state.revoked.into_iter().collect()),
            audit,
            limits,
            registrations: Mutex::default(),
            proofs_seen: Mutex::default(),
        }))
    }

    /// Like [`CapabilityAuthorizer::load`], also handing every audit event to `sink` (a hosting
    /// app writes them to the board's audit log).
    pub async fn load_with_audit(
        store: RelayStore,
        sink: AuditSink,
    ) -> Result<Arc<Self>, StoreError> {
        Self::load_with(store, Some(sink), RegistrationLimits::default()).await
    }

    /// The pinned owner key of `board`, if registered.
    pub fn owner_of(&self, board: Uuid) -> Option<VerifyingKey> {
        read(&self.owners).get(&board).copied()
    }

    fn check(
        &self,
        room: &str,
        query: &HashMap<String, String>,
        client: IpAddr,
    ) -> Result<Admission, Denied> {
        let (board, _comments) = board_room(room).ok_or_else(|| {
            Denied(format!(
                "room {room:?} is not a board: rooms are <board-id> or <board-id>/comments"
            ))
        })?;
        let now = unix_now();
        let get = |k: &str| query.get(k).cloned();
        let proof = KeyProof::from_params(get).map_err(|e| Denied(format!("key proof: {e}")))?;
        let proven = match &proof {
            Some(p) => {
                let key = p
                    .verify(board, now)
                    .map_err(|e| Denied(format!("key proof: {e}")))?;
                self.take_proof(p, now)?;
                Some(key)
            }
            None => None,
        };
        let pinned = self.owner_of(board);
        if let Some(key) = proven {
            match pinned {
                Some(owner) if owner == key => return Ok(owner_admission(board)),
                Some(_) => {}
                None => {
                    if let Some(salt) = query.get("salt") {
                        let salt = decode_fixed::<16>(salt, "salt")
                            .map_err(|e| Denied(format!("registration: {e}")))?;
                        if !capability::verify_registration(board, &key, &salt) {
                            return Err(Denied(format!(
                                "registration refused: board {board} is not derived from this key \
                                 and salt (only its owner can register it)"
                            )));
                        }
                        self.registrations
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .admit(self.limits, client, key.to_bytes(), Instant::now())
                            .map_err(Denied)?;
                        write(&self.owners).entry(board).or_insert(key);
                        let store = self.store.clone();
                        let bytes = key.to_bytes();
                        tokio::spawn(async move {
                            if let Err(e) = store.pin_owner(board, &bytes).await {
                                tracing::error!(board = %board, error = %e, "cannot persist owner pin");
                            }
                        });
                        self.record(AuthEvent::Registered { board });
                        return Ok(owner_admission(board));
                    }
                }
            }
        }
        let Some(token) = query.get("cap") else {
            return Err(Denied(if pinned.is_none() && proven.is_some() {
                format!("board {board} is not registered here: its owner registers it with a salt")
            } else {
                "no capability: open the board through its share link".into()
            }));
        };
        let Some(owner) = pinned else {
            return Err(Denied(format!(
                "board {board} is not registered on this server yet: its owner must connect first"
            )));
        };
        let presenter = proven.map(|k| k.to_bytes());
        let cap = Capability::verify(token, board, &owner, now, presenter.as_ref())
            .map_err(|e| Denied(e.to_string()))?;
        if read(&self.revoked).contains(&(board, cap.link_id)) {
            return Err(Denied(format!("the link {} was revoked", cap.link_id)));
        }
        Ok(Admission {
            grant: match cap.level {
                Level::View => Grant::ReadOnly,
                Level::Comment => Grant::CommentsOnly,
                Level::Edit => Grant::ReadWrite,
            },
            board: Some(board),
            link: Some(cap.link_id),
            owner: false,
            expires_at: cap.expires_at,
        })
    }
}

fn owner_admission(board: Uuid) -> Admission {
    Admission {
        grant: Grant::ReadWrite,
        board: Some(board),
        link: None,
        owner: true,
        expires_at: None,
    }
}

impl Authorizer for CapabilityAuthorizer {
    fn authorize(
        &self,
        room: &str,
        query: &HashMap<String, String>,
        client: IpAddr,
    ) -> Result<Admission, Denied> {
        self.check(room, query, client)
    }

    fn revoke<'a>(&'a self, signed: &'a [u8]) -> RevokeFuture<'a> {
        Box::pin(async move {
            let (claimed, _) =
                Revocation::decode(signed).map_err(|e| Denied(format!("revocation: {e}")))?;
            let owner = self.owner_of(claimed.board).ok_or_else(|| {
                Denied(format!(
                    "revocation: board {} is not registered here",
                    claimed.board
                ))
            })?;
            let rev = Revocation::verify(signed, &owner).map_err(|_| {
                Denied("revocation refused: not signed by the board's owner".into())
            })?;
            self.store
                .add_revocation(rev.board, rev.link_id, rev.revoked_at, signed)
                .await
                .map_err(|e| Denied(format!("revocation not stored: {e}")))?;
            write(&self.revoked).insert((rev.board, rev.link_id));
            Ok((rev.board, rev.link_id))
        })
    }

    fn record(&self, event: AuthEvent) {
        match &event {
            AuthEvent::Denied {
                room,
                board,
                reason,
            } => tracing::info!(room = %room, ?board, %reason, "auth: connection refused"),
            AuthEvent::Admitted { room, admission } => tracing::debug!(
                room = %room,
                owner = admission.owner,
                link = ?admission.link,
                grant = ?admission.grant,
                "auth: connection admitted"
            ),
            AuthEvent::WriteRefused {
                room,
                admission,
                reason,
                count,
            } => tracing::info!(
                room = %room,
                link = ?admission.link,
                grant = ?admission.grant,
                %reason,
                count,
                "auth: write refused"
            ),
            AuthEvent::Registered { board } => {
                tracing::info!(board = %board, "auth: board registered by its owner")
            }
            AuthEvent::Revoked {
                board,
                link,
                closed,
            } => tracing::info!(board = %board, link = %link, closed, "auth: link revoked"),
        }
        if let Some(sink) = &self.audit {
            sink(event);
        }
    }
}
