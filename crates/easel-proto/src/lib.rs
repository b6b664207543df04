//! Easel's y-websocket wire protocol.
//!
//! **Invariant: easel-proto does no I/O and never hands yrs bytes it has not validated.**
//!
//! yrs 0.28 aborts, segfaults or panics on some malformed inputs (see
//! `shared/fixtures/yrs-malformed/README.md`), and aborts cannot be caught. So every byte that
//! comes off the network goes through the bounded validating parsers in [`validate`] first:
//! every count and length is checked against the bytes that remain, nesting is capped, UTF-8 is
//! checked, unknown tags are refused and trailing bytes are refused. Only then does
//! [`protocol::Peer`] decode the bytes with yrs.
//!
//! - [`validate`]: lib0 v1 primitives, `Any`, JSON, Yjs update v1, state vector, awareness.
//! - [`message`]: y-websocket framing; [`message::decode`] returns already validated payloads.
//! - [`protocol`]: a sans-I/O peer / room state machine with a per-connection [`WritePolicy`].

pub mod chunk;
mod error;
pub mod files;
pub mod message;
pub mod protocol;
mod reader;
pub mod validate;
mod write;

pub use error::ProtoError;
pub use message::{Message, decode};
pub use protocol::{Awareness, AwarenessChange, Outgoing, Peer, WritePolicy};
pub use reader::MAX_SAFE_INTEGER;
pub use validate::{AwarenessEntry, Limits, UpdateSummary};

/// The text of a panic's payload (`panic!` with a literal or a formatted message): what the
/// relay and the core report when yrs panics on input.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic without a message".into())
}
