//! y-websocket message framing (y-protocols `sync.js`, `awareness.js`, `auth.js`).
//!
//! Layout: an outer varuint message type, then
//! - `0` sync: an inner varuint (`0` step 1 with a state vector, `1` step 2 with an update,
//!   `2` update) and a var-buffer payload;
//! - `1` awareness: a var-buffer holding an awareness update;
//! - `2` auth: an inner varuint, `0` = permission denied, followed by a var-string reason;
//! - `3` query awareness: nothing.
//!
//! [`decode`] validates the payloads completely before it returns, and the payload types can
//! only be built through validation, so holding one is proof that yrs may be given its bytes.

use crate::error::ProtoError;
use crate::reader::Reader;
use crate::validate::{self, AwarenessEntry, Limits, UpdateSummary};
use crate::write;
use yrs::updates::decoder::Decode;

/// Outer message type for sync messages.
pub const MESSAGE_SYNC: u64 = 0;
/// Outer message type for awareness messages.
pub const MESSAGE_AWARENESS: u64 = 1;
/// Outer message type for auth messages.
pub const MESSAGE_AUTH: u64 = 2;
/// Outer message type for awareness queries.
pub const MESSAGE_QUERY_AWARENESS: u64 = 3;

/// Sync sub-type: state vector.
pub const SYNC_STEP1: u64 = 0;
/// Sync sub-type: the update answering a state vector.
pub const SYNC_STEP2: u64 = 1;
/// Sync sub-type: an incremental update.
pub const SYNC_UPDATE: u64 = 2;

/// Auth sub-type: permission denied.
pub const AUTH_PERMISSION_DENIED: u64 = 0;

/// A decoded y-websocket message whose payload has already been validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// Sync step 1: the sender's state vector; answer with step 2.
    SyncStep1(StateVectorPayload),
    /// Sync step 2: the update the sender computed from our state vector.
    SyncStep2(UpdatePayload),
    /// An incremental document update.
    Update(UpdatePayload),
    /// An awareness update.
    Awareness(AwarenessPayload),
    /// The server refused the connection's write (or read) access.
    PermissionDenied {
        /// Human-readable reason.
        reason: String,
    },
    /// A request for the full awareness state.
    QueryAwareness,
}

/// A validated state vector (v1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateVectorPayload {
    bytes: Vec<u8>,
    entries: Vec<(u64, u32)>,
}

impl StateVectorPayload {
    /// Validates `bytes` as a v1 state vector.
    pub fn new(bytes: Vec<u8>, limits: &Limits) -> Result<Self, ProtoError> {
        let entries = validate::state_vector_v1(&bytes, limits)?;
        Ok(StateVectorPayload { bytes, entries })
    }

    /// The encoded state vector.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The `(client id, clock)` pairs.
    pub fn entries(&self) -> &[(u64, u32)] {
        &self.entries
    }

    /// Decodes into a yrs state vector; safe because the bytes were validated.
    pub fn to_yrs(&self) -> Result<yrs::StateVector, ProtoError> {
        yrs::StateVector::decode_v1(&self.bytes).map_err(|e| ProtoError::Yrs(e.to_string()))
    }
}

/// A validated Yjs update (v1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdatePayload {
    bytes: Vec<u8>,
    summary: UpdateSummary,
}

impl UpdatePayload {
    /// Validates `bytes` as a v1 update.
    pub fn new(bytes: Vec<u8>, limits: &Limits) -> Result<Self, ProtoError> {
        let summary = validate::update_v1(&bytes, limits)?;
        Ok(UpdatePayload { bytes, summary })
    }

    /// The encoded update.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// What the update contains.
    pub fn summary(&self) -> UpdateSummary {
        self.summary
    }

    /// Decodes into a yrs update; safe because the bytes were validated.
    pub fn to_yrs(&self) -> Result<yrs::Update, ProtoError> {
        yrs::Update::decode_v1(&self.bytes).map_err(|e| ProtoError::Yrs(e.to_string()))
    }
}

/// A validated awareness update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwarenessPayload {
    entries: Vec<AwarenessEntry>,
}

impl AwarenessPayload {
    /// Validates `bytes` as an awareness update.
    pub fn new(bytes: &[u8], limits: &Limits) -> Result<Self, ProtoError> {
        Ok(AwarenessPayload {
            entries: validate::awareness_update(bytes, limits)?,
        })
    }

    /// Builds a payload from entries, validating each state's JSON.
    pub fn from_entries(entries: Vec<AwarenessEntry>, limits: &Limits) -> Result<Self, ProtoError> {
        for e in &entries {
            if let Some(state) = &e.state {
                validate::json(state, limits)?;
            }
        }
        Ok(AwarenessPayload { entries })
    }

    /// Builds a payload from entries whose states came out of validation already.
    pub(crate) fn from_trusted(entries: Vec<AwarenessEntry>) -> Self {
        AwarenessPayload { entries }
    }

    /// The entries, in wire order.
    pub fn entries(&self) -> &[AwarenessEntry] {
        &self.entries
    }

    /// Encodes the awareness update payload (without message framing), as y-protocols'
    /// `encodeAwarenessUpdate` does: a removed client's state is the JSON text `null`.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        write::var_uint(&mut out, self.entries.len() as u64);
        for e in &self.entries {
            write::var_uint(&mut out, e.client_id);
            write::var_uint(&mut out, e.clock);
            write::var_string(&mut out, e.state.as_deref().unwrap_or("null"));
        }
        out
    }
}

/// Decodes and fully validates one y-websocket message.
pub fn decode(bytes: &[u8], limits: &Limits) -> Result<Message, ProtoError> {
    if bytes.len() > limits.max_message_bytes {
        return Err(ProtoError::MessageTooLarge {
            len: bytes.len(),
            limit: limits.max_message_bytes,
        });
    }
    let mut r = Reader::new(bytes);
    let type_offset = r.offset();
    let message = match r.var_uint("message type")? {
        MESSAGE_SYNC => {
            let sub_offset = r.offset();
            let sub = r.var_uint("sync message type")?;
            if sub > SYNC_UPDATE {
                return Err(ProtoError::UnknownTag {
                    offset: sub_offset,
                    what: "sync message type",
                    tag: sub,
                });
            }
            let (payload, base) = payload(&mut r, "sync payload")?;
            match sub {
                SYNC_STEP1 => Message::SyncStep1(StateVectorPayload {
                    entries: validate::state_vector_v1_at(payload, base)?,
                    bytes: payload.to_vec(),
                }),
                _ => {
                    let update = UpdatePayload {
                        summary: validate::update_v1_at(payload, base, limits)?,
                        bytes: payload.to_vec(),
                    };
                    if sub == SYNC_STEP2 {
                        Message::SyncStep2(update)
                    } else {
                        Message::Update(update)
                    }
                }
            }
        }
        MESSAGE_AWARENESS => {
            let (payload, base) = payload(&mut r, "awareness payload")?;
            Message::Awareness(AwarenessPayload {
                entries: validate::awareness_update_at(payload, base, limits)?,
            })
        }
        MESSAGE_AUTH => {
            let sub_offset = r.offset();
            match r.var_uint("auth message type")? {
                AUTH_PERMISSION_DENIED => Message::PermissionDenied {
                    reason: r.var_string("permission denied reason")?.to_owned(),
                },
                tag => {
                    return Err(ProtoError::UnknownTag {
                        offset: sub_offset,
                        what: "auth message type",
                        tag,
                    });
                }
            }
        }
        MESSAGE_QUERY_AWARENESS => Message::QueryAwareness,
        tag => {
            return Err(ProtoError::UnknownTag {
                offset: type_offset,
                what: "message type",
                tag,
            });
        }
    };
    r.finish("message")?;
    Ok(message)
}

/// Reads a var-buffer payload and returns it with its absolute offset.
fn payload<'a>(r: &mut Reader<'a>, what: &'static str) -> Result<(&'a [u8], usize), ProtoError> {
    let mut probe = r.clone();
    probe.var_uint(what)?;
    let base = probe.offset();
    Ok((r.var_buf(what)?, base))
}

impl Message {
    /// Encodes the message exactly as y-protocols would.
    pub fn encode(&self) -> Vec<u8> {
        match self {
            Message::SyncStep1(sv) => encode_sync_step1(sv.bytes()),
            Message::SyncStep2(u) => encode_sync_step2(u.bytes()),
            Message::Update(u) => encode_update(u.bytes()),
            Message::Awareness(a) => encode_awareness(&a.encode()),
            Message::PermissionDenied { reason } => encode_permission_denied(reason),
            Message::QueryAwareness => encode_query_awareness(),
        }
    }
}

fn sync(sub: u64, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + 8);
    write::var_uint(&mut out, MESSAGE_SYNC);
    write::var_uint(&mut out, sub);
    write::var_buf(&mut out, payload);
    out
}

/// Frames an encoded state vector as sync step 1.
pub fn encode_sync_step1(state_vector: &[u8]) -> Vec<u8> {
    sync(SYNC_STEP1, state_vector)
}

/// Frames an encoded v1 update as sync step 2.
pub fn encode_sync_step2(update: &[u8]) -> Vec<u8> {
    sync(SYNC_STEP2, update)
}

/// Frames an encoded v1 update as a sync update.
pub fn encode_update(update: &[u8]) -> Vec<u8> {
    sync(SYNC_UPDATE, update)
}

/// Frames an encoded awareness update.
pub fn encode_awareness(awareness_update: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(awareness_update.len() + 6);
    write::var_uint(&mut out, MESSAGE_AWARENESS);
    write::var_buf(&mut out, awareness_update);
    out
}

/// Encodes an auth "permission denied" message with a reason.
pub fn encode_permission_denied(reason: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(reason.len() + 6);
    write::var_uint(&mut out, MESSAGE_AUTH);
    write::var_uint(&mut out, AUTH_PERMISSION_DENIED);
    write::var_string(&mut out, reason);
    out
}

/// Outer message type of Easel's own control messages, sent only by Easel peers (stock Yjs
/// clients never send it, and servers handle it before the document sees anything).
pub const MESSAGE_EASEL: u64 = 100;
/// Easel control sub-type: a board owner's signed link revocation.
pub const EASEL_REVOCATION: u64 = 0;
// Sub-type 1 is a file message: see [`crate::files`].
/// The longest control payload accepted.
const MAX_CONTROL_PAYLOAD: usize = 1024;

/// Whether `bytes` is an Easel control message (its outer type is [`MESSAGE_EASEL`]).
pub fn is_easel_control(bytes: &[u8]) -> bool {
    bytes.first() == Some(&(MESSAGE_EASEL as u8))
}

/// Encodes a control message carrying a signed revocation.
pub fn encode_revocation(signed: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(signed.len() + 4);
    write::var_uint(&mut out, MESSAGE_EASEL);
    write::var_uint(&mut out, EASEL_REVOCATION);
    write::var_buf(&mut out, signed);
    out
}

/// Decodes a control message, returning the signed revocation it carries (whose signature the
/// caller checks).
pub fn decode_revocation(bytes: &[u8]) -> Result<&[u8], ProtoError> {
    let mut r = Reader::new(bytes);
    let type_offset = r.offset();
    let tag = r.var_uint("message type")?;
    if tag != MESSAGE_EASEL {
        return Err(ProtoError::UnknownTag {
            offset: type_offset,
            what: "message type",
            tag,
        });
    }
    let sub_offset = r.offset();
    let sub = r.var_uint("control message type")?;
    if sub != EASEL_REVOCATION {
        return Err(ProtoError::UnknownTag {
            offset: sub_offset,
            what: "control message type",
            tag: sub,
        });
    }
    let payload = r.var_buf("revocation")?;
    if payload.len() > MAX_CONTROL_PAYLOAD {
        return Err(ProtoError::MessageTooLarge {
            len: payload.len(),
            limit: MAX_CONTROL_PAYLOAD,
        });
    }
    r.finish("control message")?;
    Ok(payload)
}

/// Encodes a query-awareness message.
pub fn encode_query_awareness() -> Vec<u8> {
    vec![MESSAGE_QUERY_AWARENESS as u8]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_messages_round_trip_and_refuse_garbage() {
        let msg = encode_revocation(&[7u8; 104]);
        assert!(is_easel_control(&msg));
        assert_eq!(decode_revocation(&msg).unwrap(), &[7u8; 104][..]);
        assert!(decode_revocation(&msg[..msg.len() - 1]).is_err());
        assert!(decode_revocation(&[100, 1, 0]).is_err());
        assert!(decode_revocation(&[100, 0, 0xff, 0xff, 0xff, 0xff, 0x0f]).is_err());
        assert!(decode_revocation(&encode_permission_denied("x")).is_err());
        assert!(decode_revocation(&encode_revocation(&vec![0; 2000])).is_err());
        assert!(!is_easel_control(&encode_query_awareness()));
    }

    #[test]
    fn known_encodings_match_y_protocols() {
        // Bytes as produced by y-protocols for an empty document and an empty state vector.
        assert_eq!(encode_sync_step1(&[0]), vec![0, 0, 1, 0]);
        assert_eq!(encode_sync_step2(&[0, 0]), vec![0, 1, 2, 0, 0]);
        assert_eq!(encode_update(&[0, 0]), vec![0, 2, 2, 0, 0]);
        assert_eq!(encode_query_awareness(), vec![3]);
        assert_eq!(encode_permission_denied("no"), vec![2, 0, 2, b'n', b'o']);
    }

    #[test]
    fn round_trips() {
        let l = Limits::default();
        for bytes in [
            encode_sync_step1(&[1, 5, 3]),
            encode_sync_step2(&[0, 0]),
            encode_update(&[0, 0]),
            encode_awareness(&[1, 9, 2, 2, b'{', b'}']),
            encode_permission_denied("permission denied"),
            encode_query_awareness(),
        ] {
            let m = decode(&bytes, &l).unwrap();
            assert_eq!(m.encode(), bytes);
        }
    }

    #[test]
    fn nested_offsets_point_into_the_message() {
        // The state vector's clock varint at message byte 5 is overlong.
        let err = decode(&[0, 0, 4, 1, 5, 0x80, 0x00], &Limits::default()).unwrap_err();
        assert_eq!(err, ProtoError::VarIntOverlong { offset: 5 });
    }
}
