//! A sans-I/O y-websocket peer: bytes in, messages out.
//!
//! [`Peer`] owns a yrs [`Doc`] and an [`Awareness`] map. The same type serves both ends: a
//! client calls [`Peer::start`] on connect and feeds every received message to
//! [`Peer::handle`]; a server keeps one `Peer` per room and feeds each connection's messages
//! to [`Peer::handle_with_policy`] with that connection's [`WritePolicy`], sending
//! [`Outgoing::Reply`] back to the sender and the `broadcast` bytes of the other variants to
//! everyone else in the room.
//!
//! Awareness is kept here rather than in yrs' `Awareness`, because yrs' awareness decoder is
//! one of the paths that aborts on malformed input, and because we only need the JSON text.

use std::collections::BTreeMap;

use yrs::updates::encoder::Encode;
use yrs::{Doc, ReadTxn, Transact};

use crate::error::ProtoError;
use crate::message::{self, AwarenessPayload, Message};
use crate::validate::{AwarenessEntry, Limits};

/// What a connection may do to the document. This is the seam where sharing permissions plug
/// in: the server decides it per connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WritePolicy {
    /// The connection may apply updates.
    #[default]
    ReadWrite,
    /// The connection may sync and receive, and publish awareness, but any update that
    /// carries changes is refused with [`ProtoError::WriteDenied`].
    ReadOnly,
}

/// Something the caller must act on after [`Peer::handle`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outgoing {
    /// Send these bytes back to the connection the message came from.
    Reply(Vec<u8>),
    /// A validated update was applied to the document.
    DocUpdated {
        /// The v1 update that was applied.
        update: Vec<u8>,
        /// The update framed as a sync-update message, ready to broadcast to other peers.
        broadcast: Vec<u8>,
    },
    /// Awareness states changed.
    AwarenessChanged {
        /// The change, by client id.
        change: AwarenessChange,
        /// An awareness message with the changed clients' current states, to broadcast.
        broadcast: Vec<u8>,
    },
    /// The other side refused our access.
    PermissionDenied {
        /// The reason it gave.
        reason: String,
    },
}

/// Which clients an awareness update added, updated or removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AwarenessChange {
    /// Clients seen for the first time with a state.
    pub added: Vec<u64>,
    /// Known clients whose state was refreshed (same or different content).
    pub updated: Vec<u64>,
    /// Clients whose state became `null`.
    pub removed: Vec<u64>,
}

impl AwarenessChange {
    /// True when nothing changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.updated.is_empty() && self.removed.is_empty()
    }

    fn all(&self) -> Vec<u64> {
        let mut v = Vec::with_capacity(self.added.len() + self.updated.len() + self.removed.len());
        v.extend(&self.added);
        v.extend(&self.updated);
        v.extend(&self.removed);
        v
    }
}

/// The clock after `clock`, never past 2^53 - 1 (lib0's largest integer; a peer that sent
/// that clock already gets its state replaced only by a removal at the same clock).
pub fn next_clock(clock: u64) -> u64 {
    clock.saturating_add(1).min(crate::MAX_SAFE_INTEGER)
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct ClientMeta {
    clock: u64,
    state: Option<String>,
}

/// Awareness states per client, as validated JSON text, with y-protocols' clock rules.
#[derive(Debug, Clone)]
pub struct Awareness {
    local_client: u64,
    // Clients stay here after removal (with `state: None`) so that their clock is remembered,
    // as y-protocols keeps `meta` for removed clients.
    clients: BTreeMap<u64, ClientMeta>,
}

impl Awareness {
    /// An empty awareness map for the local client id.
    pub fn new(local_client: u64) -> Self {
        Awareness {
            local_client,
            clients: BTreeMap::new(),
        }
    }

    /// The local client id.
    pub fn local_client(&self) -> u64 {
        self.local_client
    }

    /// The local client's state.
    pub fn local_state(&self) -> Option<&str> {
        self.state(self.local_client)
    }

    /// A client's current state, if it has one.
    pub fn state(&self, client: u64) -> Option<&str> {
        self.clients.get(&client).and_then(|m| m.state.as_deref())
    }

    /// A client's last known clock.
    pub fn clock(&self, client: u64) -> Option<u64> {
        self.clients.get(&client).map(|m| m.clock)
    }

    /// All clients that currently have a state.
    pub fn states(&self) -> impl Iterator<Item = (u64, &str)> {
        self.clients
            .iter()
            .filter_map(|(id, m)| m.state.as_deref().map(|s| (*id, s)))
    }

    /// Sets (or with `None` clears) the local state, bumping the local clock as y-protocols'
    /// `setLocalState` does, and returns the awareness update to send.
    pub fn set_local_state(
        &mut self,
        state: Option<&str>,
        limits: &Limits,
    ) -> Result<AwarenessPayload, ProtoError> {
        let entry = AwarenessEntry {
            client_id: self.local_client,
            // y-protocols' Awareness starts every client at clock 0 with an empty state and
            // peers ignore a new client's clock 0, so the first state we publish is clock 1.
            clock: self.clock(self.local_client).map_or(1, next_clock),
            state: state.map(str::to_owned),
        };
        // Validating first keeps invalid JSON out of the map, so everything we later send is
        // something our own decoder would accept.
        let payload = AwarenessPayload::from_entries(vec![entry.clone()], limits)?;
        self.clients.insert(
            entry.client_id,
            ClientMeta {
                clock: entry.clock,
                state: entry.state,
            },
        );
        Ok(payload)
    }

    /// Merges a validated awareness update with y-protocols' rules: a higher clock wins; an
    /// equal clock wins only to remove a present state; a removal of our own live state is
    /// answered by bumping our clock instead.
    pub fn apply(&mut self, payload: &AwarenessPayload) -> AwarenessChange {
        let mut change = AwarenessChange::default();
        for e in payload.entries() {
            let known = self.clients.get(&e.client_id);
            let curr_clock = known.map_or(0, |m| m.clock);
            let has_state = known.is_some_and(|m| m.state.is_some());
            let newer = curr_clock < e.clock;
            let equal_removal = curr_clock == e.clock && e.state.is_none() && has_state;
            if !(newer || equal_removal) {
                continue;
            }
            let was_known = known.is_some();
            let mut clock = e.clock;
            let state = match &e.state {
                None if e.client_id == self.local_client && has_state => {
                    // Someone declared us gone while we are here: outbid them and keep our
                    // state, as y-protocols does.
                    clock = next_clock(clock);
                    self.state(e.client_id).map(str::to_owned)
                }
                other => other.clone(),
            };
            self.clients
                .insert(e.client_id, ClientMeta { clock, state });
            match (&e.state, was_known) {
                (Some(_), false) => change.added.push(e.client_id),
                (None, true) => change.removed.push(e.client_id),
                (Some(_), true) => change.updated.push(e.client_id),
                (None, false) => {}
            }
        }
        change
    }

    /// Forgets a client entirely, its clock included (a server does this for the ids of a
    /// connection that left, once their removal is out, so it keeps no entry per id it ever
    /// saw).
    pub fn forget(&mut self, client: u64) {
        self.clients.remove(&client);
    }

    /// The update describing the given clients' current clocks and states; a client without a
    /// state is sent as `null`.
    pub fn encode_clients(&self, clients: &[u64]) -> AwarenessPayload {
        let entries = clients
            .iter()
            .filter_map(|id| {
                self.clients.get(id).map(|m| AwarenessEntry {
                    client_id: *id,
                    clock: m.clock,
                    state: m.state.clone(),
                })
            })
            .collect();
        // Every stored state was validated on the way in, so no re-validation is needed.
        AwarenessPayload::from_trusted(entries)
    }

    /// The update describing every client that currently has a state.
    pub fn encode_all(&self) -> AwarenessPayload {
        let ids: Vec<u64> = self.states().map(|(id, _)| id).collect();
        self.encode_clients(&ids)
    }
}

/// One end of a y-websocket connection (or a server room) over a yrs document.
pub struct Peer {
    doc: Doc,
    awareness: Awareness,
    policy: WritePolicy,
    limits: Limits,
}

impl std::fmt::Debug for Peer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Peer")
            .field("client_id", &self.awareness.local_client)
            .field("policy", &self.policy)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl Peer {
    /// A peer over `doc` with default limits and a read-write policy.
    pub fn new(doc: Doc) -> Self {
        Self::with_limits(doc, Limits::default())
    }

    /// A peer over `doc` with the given limits.
    pub fn with_limits(doc: Doc, limits: Limits) -> Self {
        let awareness = Awareness::new(doc.client_id().get());
        Peer {
            doc,
            awareness,
            policy: WritePolicy::ReadWrite,
            limits,
        }
    }

    /// The document.
    pub fn doc(&self) -> &Doc {
        &self.doc
    }

    /// The awareness map.
    pub fn awareness(&self) -> &Awareness {
        &self.awareness
    }

    /// The limits applied to incoming messages.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The policy [`Peer::handle`] applies.
    pub fn write_policy(&self) -> WritePolicy {
        self.policy
    }

    /// Sets the policy [`Peer::handle`] applies.
    pub fn set_write_policy(&mut self, policy: WritePolicy) {
        self.policy = policy;
    }

    /// The messages a peer sends on connect: sync step 1 with our state vector, then our
    /// awareness state if we have one.
    pub fn start(&self) -> Vec<Vec<u8>> {
        let sv = self.doc.transact().state_vector().encode_v1();
        let mut out = vec![message::encode_sync_step1(&sv)];
        if self.awareness.local_state().is_some() {
            let local = self
                .awareness
                .encode_clients(&[self.awareness.local_client]);
            out.push(message::encode_awareness(&local.encode()));
        }
        out
    }

    /// Sets our awareness state and returns the awareness message to send.
    /// Forgets awareness clients entirely (see [`Awareness::forget`]).
    pub fn forget_awareness(&mut self, clients: impl IntoIterator<Item = u64>) {
        for c in clients {
            self.awareness.forget(c);
        }
    }

    pub fn set_local_awareness(&mut self, state: Option<&str>) -> Result<Vec<u8>, ProtoError> {
        let payload = self.awareness.set_local_state(state, &self.limits)?;
        Ok(message::encode_awareness(&payload.encode()))
    }

    /// Handles one message from the other side under the peer's own [`WritePolicy`].
    pub fn handle(&mut self, bytes: &[u8]) -> Result<Vec<Outgoing>, ProtoError> {
        self.handle_with_policy(self.policy, bytes)
    }

    /// Handles one message from a connection with the given policy. The bytes are validated
    /// in full before any of them reach yrs.
    pub fn handle_with_policy(
        &mut self,
        policy: WritePolicy,
        bytes: &[u8],
    ) -> Result<Vec<Outgoing>, ProtoError> {
        let msg = message::decode(bytes, &self.limits)?;
        self.handle_message(policy, msg)
    }

    /// Handles one message already decoded (and so validated) by [`message::decode`], for a
    /// caller that looked inside it first (the relay checks whose awareness ids it names).
    pub fn handle_message(
        &mut self,
        policy: WritePolicy,
        msg: Message,
    ) -> Result<Vec<Outgoing>, ProtoError> {
        match msg {
            Message::SyncStep1(sv) => {
                let sv = sv.to_yrs()?;
                let diff = self.doc.transact().encode_diff_v1(&sv);
                // A large answer goes as several frames of at most 1 MiB, the step 2 last.
                Ok(crate::chunk::sync_step2_frames(&diff)?
                    .into_iter()
                    .map(Outgoing::Reply)
                    .collect())
            }
            Message::SyncStep2(update) | Message::Update(update) => {
                if update.summary().is_empty() {
                    // Nothing to apply; a read-only peer's empty step 2 is not a write.
                    return Ok(Vec::new());
                }
                if policy == WritePolicy::ReadOnly {
                    return Err(ProtoError::WriteDenied);
                }
                let decoded = update.to_yrs()?;
                self.doc
                    .transact_mut()
                    .apply_update(decoded)
                    .map_err(|e| ProtoError::Yrs(e.to_string()))?;
                Ok(vec![Outgoing::DocUpdated {
                    broadcast: message::encode_update(update.bytes()),
                    update: update.bytes().to_vec(),
                }])
            }
            Message::Awareness(payload) => {
                let change = self.awareness.apply(&payload);
                if change.is_empty() {
                    return Ok(Vec::new());
                }
                let changed = self.awareness.encode_clients(&change.all());
                Ok(vec![Outgoing::AwarenessChanged {
                    change,
                    broadcast: message::encode_awareness(&changed.encode()),
                }])
            }
            Message::QueryAwareness => Ok(vec![Outgoing::Reply(message::encode_awareness(
                &self.awareness.encode_all().encode(),
            ))]),
            Message::PermissionDenied { reason } => Ok(vec![Outgoing::PermissionDenied { reason }]),
        }
    }
}
