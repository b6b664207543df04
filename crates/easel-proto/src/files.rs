//! Image files over the board's socket: Easel control messages (outer type
//! [`crate::message::MESSAGE_EASEL`], sub-type [`EASEL_FILE`]) that move a board's files by
//! the SHA-256 of their bytes, beside the y-websocket messages of the same connection and
//! behind the same capability (reading a file needs what reading the board needs; uploading
//! one needs write access to the board). Stock Yjs clients never send them and are never sent
//! them unasked.
//!
//! Layout: `varuint 100, varuint 1, varuint kind`, then by kind:
//! - `0` have (client → server): `varuint n, n × 32-byte hash`: files I can upload; the server
//!   answers `need` with those it lacks for this board.
//! - `1` need (server → client): the same list shape.
//! - `2` want (client → server): the same list shape: send me these files.
//! - `3` data (both ways): `hash, var-string mime, varuint total, varuint offset, var-buffer
//!   bytes`: one piece of a file, in order (`offset` is where it starts; at most
//!   [`MAX_CHUNK`] bytes). Servers answer `want` with every piece of each file, one file at a
//!   time; clients upload files a `need` named the same way.
//! - `4` stored (server → client): `hash`: an upload was checked against its hash and is
//!   durably stored for this board.
//! - `5` refused (server → client): `hash, var-string reason`: a file that cannot be served
//!   (not this board's, not uploaded yet) or an upload that was refused (no write access, a
//!   hash mismatch, over the board's files quota). The connection stays open.
//! - `6` available (server → clients): `hash`: a file was just stored for this board; whoever
//!   wanted it may ask again.
//!
//! Every frame stays under the 1 MiB frame cap: a list holds at most [`MAX_HASHES`] hashes, a
//! piece at most [`MAX_CHUNK`] bytes.

use crate::error::ProtoError;
use crate::message::MESSAGE_EASEL;
use crate::reader::Reader;
use crate::write;

/// Easel control sub-type: a file message.
pub const EASEL_FILE: u64 = 1;
/// Most hashes in one have, need or want.
pub const MAX_HASHES: usize = 1024;
/// Most bytes of a file in one data message.
pub const MAX_CHUNK: usize = 256 * 1024;
/// The largest file (16 MiB, the core's limit).
pub const MAX_FILE: u64 = 16 * 1024 * 1024;
/// The longest mime type.
const MAX_MIME: usize = 100;
/// The longest refusal reason.
const MAX_REASON: usize = 512;

const HAVE: u64 = 0;
const NEED: u64 = 1;
const WANT: u64 = 2;
const DATA: u64 = 3;
const STORED: u64 = 4;
const REFUSED: u64 = 5;
const AVAILABLE: u64 = 6;

/// A file's name: the SHA-256 of its bytes.
pub type Hash = [u8; 32];

/// One file message, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileMsg {
    Have(Vec<Hash>),
    Need(Vec<Hash>),
    Want(Vec<Hash>),
    Data {
        hash: Hash,
        mime: String,
        total: u64,
        offset: u64,
        bytes: Vec<u8>,
    },
    Stored(Hash),
    Refused {
        hash: Hash,
        reason: String,
    },
    Available(Hash),
}

/// The hash as 64 lower-case hex digits (how the store and the document name files).
pub fn to_hex(hash: &Hash) -> String {
    let mut s = String::with_capacity(64);
    for b in hash {
        s.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
        s.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
    }
    s
}

/// Parses 64 lower-case hex digits.
pub fn from_hex(s: &str) -> Option<Hash> {
    if s.len() != 64 {
        return None;
    }
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    let mut out = [0u8; 32];
    for (i, pair) in s.as_bytes().chunks(2).enumerate() {
        out[i] = (digit(pair[0])? << 4) | digit(pair[1])?;
    }
    Some(out)
}

/// Whether a control message is a file message.
pub fn is_file_message(bytes: &[u8]) -> bool {
    bytes.len() >= 2 && bytes[0] == MESSAGE_EASEL as u8 && u64::from(bytes[1]) == EASEL_FILE
}

impl FileMsg {
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64);
        write::var_uint(&mut out, MESSAGE_EASEL);
        write::var_uint(&mut out, EASEL_FILE);
        let list = |out: &mut Vec<u8>, kind: u64, hashes: &[Hash]| {
            write::var_uint(out, kind);
            write::var_uint(out, hashes.len() as u64);
            for h in hashes {
                out.extend_from_slice(h);
            }
        };
        match self {
            FileMsg::Have(h) => list(&mut out, HAVE, h),
            FileMsg::Need(h) => list(&mut out, NEED, h),
            FileMsg::Want(h) => list(&mut out, WANT, h),
            FileMsg::Data {
                hash,
                mime,
                total,
                offset,
                bytes,
            } => {
                out.reserve(bytes.len() + mime.len() + 48);
                write::var_uint(&mut out, DATA);
                out.extend_from_slice(hash);
                write::var_string(&mut out, mime);
                write::var_uint(&mut out, *total);
                write::var_uint(&mut out, *offset);
                write::var_buf(&mut out, bytes);
            }
            FileMsg::Stored(hash) => {
                write::var_uint(&mut out, STORED);
                out.extend_from_slice(hash);
            }
            FileMsg::Refused { hash, reason } => {
                write::var_uint(&mut out, REFUSED);
                out.extend_from_slice(hash);
                let mut end = reason.len().min(MAX_REASON);
                while !reason.is_char_boundary(end) {
                    end -= 1;
                }
                write::var_string(&mut out, &reason[..end]);
            }
            FileMsg::Available(hash) => {
                write::var_uint(&mut out, AVAILABLE);
                out.extend_from_slice(hash);
            }
        }
        out
    }

    /// Decodes and validates a file message (the whole frame, outer type included).
    pub fn decode(bytes: &[u8]) -> Result<FileMsg, ProtoError> {
        let mut r = Reader::new(bytes);
        let at = r.offset();
        let tag = r.var_uint("message type")?;
        if tag != MESSAGE_EASEL {
            return Err(ProtoError::UnknownTag {
                offset: at,
                what: "message type",
                tag,
            });
        }
        let at = r.offset();
        let sub = r.var_uint("control message type")?;
        if sub != EASEL_FILE {
            return Err(ProtoError::UnknownTag {
                offset: at,
                what: "control message type",
                tag: sub,
            });
        }
        let at = r.offset();
        let kind = r.var_uint("file message type")?;
        let hash = |r: &mut Reader<'_>| -> Result<Hash, ProtoError> {
            let b = r.take(32, "file hash")?;
            let mut h = [0u8; 32];
            h.copy_from_slice(b);
            Ok(h)
        };
        let list = |r: &mut Reader<'_>| -> Result<Vec<Hash>, ProtoError> {
            let offset = r.offset();
            let n = r.count("file hash count", 32)?;
            if n > MAX_HASHES {
                return Err(ProtoError::OutOfRange {
                    offset,
                    what: "file hash count",
                    value: n as u64,
                    max: MAX_HASHES as u64,
                });
            }
            (0..n).map(|_| hash(r)).collect()
        };
        let msg = match kind {
            HAVE => FileMsg::Have(list(&mut r)?),
            NEED => FileMsg::Need(list(&mut r)?),
            WANT => FileMsg::Want(list(&mut r)?),
            DATA => {
                let h = hash(&mut r)?;
                let mime_at = r.offset();
                let mime = r.var_string("file type")?;
                if mime.is_empty() || mime.len() > MAX_MIME || !mime.starts_with("image/") {
                    return Err(ProtoError::Invalid {
                        offset: mime_at,
                        what: "file type (an image/... type of at most 100 bytes)",
                    });
                }
                let total = r.var_uint_max("file size", MAX_FILE)?;
                let off_at = r.offset();
                let offset = r.var_uint_max("file offset", MAX_FILE)?;
                let buf_at = r.offset();
                let bytes = r.var_buf("file bytes")?;
                if bytes.len() > MAX_CHUNK {
                    return Err(ProtoError::OutOfRange {
                        offset: buf_at,
                        what: "file piece length",
                        value: bytes.len() as u64,
                        max: MAX_CHUNK as u64,
                    });
                }
                if offset + bytes.len() as u64 > total || (bytes.is_empty() && total != 0) {
                    return Err(ProtoError::Invalid {
                        offset: off_at,
                        what: "file piece (past the file's end, or empty)",
                    });
                }
                FileMsg::Data {
                    hash: h,
                    mime: mime.to_string(),
                    total,
                    offset,
                    bytes: bytes.to_vec(),
                }
            }
            STORED => FileMsg::Stored(hash(&mut r)?),
            REFUSED => {
                let h = hash(&mut r)?;
                let reason_at = r.offset();
                let reason = r.var_string("refusal reason")?;
                if reason.len() > MAX_REASON {
                    return Err(ProtoError::Invalid {
                        offset: reason_at,
                        what: "refusal reason (at most 512 bytes)",
                    });
                }
                FileMsg::Refused {
                    hash: h,
                    reason: reason.to_string(),
                }
            }
            AVAILABLE => FileMsg::Available(hash(&mut r)?),
            tag => {
                return Err(ProtoError::UnknownTag {
                    offset: at,
                    what: "file message type",
                    tag,
                });
            }
        };
        r.finish("file message")?;
        Ok(msg)
    }
}

/// The data messages that carry `data` whole, in order.
pub fn data_frames(hash: &Hash, mime: &str, data: &[u8]) -> Vec<Vec<u8>> {
    let total = data.len() as u64;
    if data.is_empty() {
        return vec![
            FileMsg::Data {
                hash: *hash,
                mime: mime.to_string(),
                total: 0,
                offset: 0,
                bytes: Vec::new(),
            }
            .encode(),
        ];
    }
    data.chunks(MAX_CHUNK)
        .enumerate()
        .map(|(i, piece)| {
            FileMsg::Data {
                hash: *hash,
                mime: mime.to_string(),
                total,
                offset: (i * MAX_CHUNK) as u64,
                bytes: piece.to_vec(),
            }
            .encode()
        })
        .collect()
}

/// A file being received piece by piece; bounded by [`MAX_FILE`].
#[derive(Debug)]
pub struct Assembly {
    pub hash: Hash,
    pub mime: String,
    pub total: u64,
    pub bytes: Vec<u8>,
}

impl Assembly {
    /// Takes the next piece. A piece of another file, out of order, or disagreeing with the
    /// first on the type or size is an error (the assembly should be dropped).
    pub fn push(
        slot: &mut Option<Assembly>,
        hash: Hash,
        mime: &str,
        total: u64,
        offset: u64,
        piece: &[u8],
    ) -> Result<Option<Assembly>, &'static str> {
        if offset == 0 {
            *slot = Some(Assembly {
                hash,
                mime: mime.to_string(),
                total,
                bytes: Vec::with_capacity(total.min(MAX_FILE) as usize),
            });
        }
        let Some(a) = slot.as_mut() else {
            return Err("a file piece that does not start a file, with none in progress");
        };
        if a.hash != hash || a.mime != mime || a.total != total {
            *slot = None;
            return Err("a file piece of another file than the one in progress");
        }
        if a.bytes.len() as u64 != offset {
            *slot = None;
            return Err("a file piece out of order");
        }
        a.bytes.extend_from_slice(piece);
        if a.bytes.len() as u64 == a.total {
            return Ok(slot.take());
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_garbage() {
        let h = [7u8; 32];
        for m in [
            FileMsg::Have(vec![h, [1; 32]]),
            FileMsg::Need(vec![]),
            FileMsg::Want(vec![h]),
            FileMsg::Data {
                hash: h,
                mime: "image/png".into(),
                total: 10,
                offset: 4,
                bytes: vec![1, 2, 3],
            },
            FileMsg::Stored(h),
            FileMsg::Refused {
                hash: h,
                reason: "no".into(),
            },
            FileMsg::Available(h),
        ] {
            let b = m.encode();
            assert!(is_file_message(&b));
            assert_eq!(FileMsg::decode(&b).unwrap(), m);
            // Every strict prefix is refused.
            for n in 0..b.len() {
                assert!(FileMsg::decode(&b[..n]).is_err(), "{m:?} cut at {n}");
            }
            let mut longer = b.clone();
            longer.push(0);
            assert!(FileMsg::decode(&longer).is_err());
        }
        let bad = |m: FileMsg| FileMsg::decode(&m.encode()).is_err();
        let data = |mime: &str, total, offset, bytes: Vec<u8>| FileMsg::Data {
            hash: h,
            mime: mime.into(),
            total,
            offset,
            bytes,
        };
        assert!(bad(data("text/html", 3, 0, vec![1, 2, 3])));
        assert!(bad(data("image/png", 2, 0, vec![1, 2, 3])));
        assert!(bad(data("image/png", 3, 2, vec![1, 2])));
        assert!(bad(data("image/png", 3, 0, vec![])));
        assert!(bad(data("image/png", MAX_FILE + 1, 0, vec![1])));
        assert!(bad(data("image/png", MAX_FILE, 0, vec![0; MAX_CHUNK + 1])));
        assert!(bad(FileMsg::Want(vec![h; MAX_HASHES + 1])));
        // A count that promises more hashes than the bytes hold.
        assert!(FileMsg::decode(&[100, 1, 2, 5, 0]).is_err());
        assert!(FileMsg::decode(&[100, 1, 9]).is_err());
        assert!(FileMsg::decode(&[100, 0, 0]).is_err());
    }

    #[test]
    fn a_file_goes_in_pieces_under_the_frame_cap_and_assembles_in_order_only() {
        let data: Vec<u8> = (0..(MAX_CHUNK * 2 + 17)).map(|i| i as u8).collect();
        let h = [3u8; 32];
        let frames = data_frames(&h, "image/png", &data);
        assert_eq!(frames.len(), 3);
        assert!(frames.iter().all(|f| f.len() < MAX_CHUNK + 128));
        let mut slot = None;
        let mut done = None;
        for f in &frames {
            let FileMsg::Data {
                hash,
                mime,
                total,
                offset,
                bytes,
            } = FileMsg::decode(f).unwrap()
            else {
                panic!()
            };
            done = Assembly::push(&mut slot, hash, &mime, total, offset, &bytes).unwrap();
        }
        assert_eq!(done.unwrap().bytes, data);
        // Out of order: refused, and the assembly is dropped.
        let mut slot = None;
        assert!(
            Assembly::push(&mut slot, h, "image/png", 10, 0, &[1, 2])
                .unwrap()
                .is_none()
        );
        assert!(Assembly::push(&mut slot, h, "image/png", 10, 5, &[1]).is_err());
        assert!(slot.is_none());
        assert!(Assembly::push(&mut slot, h, "image/png", 10, 2, &[1]).is_err());
        assert_eq!(to_hex(&from_hex(&to_hex(&h)).unwrap()), to_hex(&h));
        assert!(from_hex("ABCD").is_none());
        assert!(from_hex(&"g".repeat(64)).is_none());
    }
}
