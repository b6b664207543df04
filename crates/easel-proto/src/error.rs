//! The single error type of the crate.
//!
//! Every decoding error carries the byte offset at which the problem was found, so a log line is
//! enough to locate the bad byte in a captured message.

use thiserror::Error;

/// Everything that can go wrong while validating, decoding or handling a message.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ProtoError {
    /// The input ended in the middle of a value.
    #[error("unexpected end of input at byte {offset} while reading {what}")]
    UnexpectedEnd {
        /// Offset at which more bytes were needed.
        offset: usize,
        /// What was being read.
        what: &'static str,
    },

    /// A variable-length integer used more bytes than any value lib0 can encode.
    #[error("variable-length integer at byte {offset} is too long")]
    VarIntTooLong {
        /// Offset of the first byte of the integer.
        offset: usize,
    },

    /// A variable-length integer ended with a zero continuation byte, which no encoder produces.
    #[error("variable-length integer at byte {offset} is overlong (non-canonical)")]
    VarIntOverlong {
        /// Offset of the first byte of the integer.
        offset: usize,
    },

    /// A number was well-formed but outside the range the protocol allows for it.
    #[error("{what} at byte {offset} is out of range: {value} > {max}")]
    OutOfRange {
        /// Offset of the number.
        offset: usize,
        /// What the number means.
        what: &'static str,
        /// The decoded value.
        value: u64,
        /// The largest accepted value.
        max: u64,
    },

    /// A count or length prefix promises more than the bytes that remain.
    #[error("{what} at byte {offset} is {len}, but only {remaining} bytes remain")]
    LengthPastEnd {
        /// Offset of the length prefix.
        offset: usize,
        /// What the length counts.
        what: &'static str,
        /// The declared length or count.
        len: u64,
        /// Bytes left after the prefix.
        remaining: usize,
    },

    /// A string was not valid UTF-8.
    #[error("invalid UTF-8 in {what} at byte {offset}")]
    InvalidUtf8 {
        /// Offset of the first byte of the string.
        offset: usize,
        /// What the string is.
        what: &'static str,
    },

    /// A tag, reference number or message type is not one we know.
    #[error("unknown {what} {tag} at byte {offset}")]
    UnknownTag {
        /// Offset of the tag.
        offset: usize,
        /// Which kind of tag.
        what: &'static str,
        /// The tag value.
        tag: u64,
    },

    /// A value is well-formed but not allowed here.
    #[error("invalid {what} at byte {offset}")]
    Invalid {
        /// Offset of the value.
        offset: usize,
        /// What is wrong.
        what: &'static str,
    },

    /// Nesting went deeper than [`crate::Limits::max_depth`].
    #[error("nesting deeper than {limit} at byte {offset}")]
    TooDeep {
        /// Offset at which the limit was crossed.
        offset: usize,
        /// The configured limit.
        limit: usize,
    },

    /// The message is bigger than [`crate::Limits::max_message_bytes`].
    #[error("message of {len} bytes exceeds the limit of {limit} bytes")]
    MessageTooLarge {
        /// Size of the message.
        len: usize,
        /// The configured limit.
        limit: usize,
    },

    /// An update holds more structs than [`crate::Limits::max_structs`].
    #[error("more than {limit} structs in update at byte {offset}")]
    TooManyStructs {
        /// Offset at which the limit was crossed.
        offset: usize,
        /// The configured limit.
        limit: usize,
    },

    /// A JSON string is malformed or nests too deeply.
    #[error("invalid JSON in {what} at byte {offset}: {reason}")]
    InvalidJson {
        /// Offset of the offending byte inside the message.
        offset: usize,
        /// What the JSON is.
        what: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },

    /// Bytes were left over after a complete value.
    #[error("{count} trailing bytes after {what} at byte {offset}")]
    TrailingBytes {
        /// Offset of the first extra byte.
        offset: usize,
        /// What had been completely read.
        what: &'static str,
        /// How many bytes were left.
        count: usize,
    },

    /// A construct that is valid Yjs but that we refuse on purpose (see the message).
    #[error("unsupported {what} at byte {offset}")]
    Unsupported {
        /// Offset of the construct.
        offset: usize,
        /// What it is and why it is refused.
        what: &'static str,
    },

    /// Yjs update encoding v2 is refused: y-websocket speaks v1 only.
    #[error("update encoding v2 is not accepted; y-websocket uses update v1")]
    UpdateV2Unsupported,

    /// A connection with [`crate::WritePolicy::ReadOnly`] tried to change the document.
    /// A server answers this with [`crate::message::encode_permission_denied`].
    #[error("permission denied: this connection is read-only")]
    WriteDenied,

    /// yrs refused an already validated update (for example a semantic conflict).
    #[error("yrs rejected the update: {0}")]
    Yrs(String),
}
