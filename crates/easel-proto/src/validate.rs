//! Bounded validating parsers for the lib0 v1 encodings that y-websocket carries.
//!
//! These parsers never build the values they read; they only walk the bytes and check them, so
//! their memory use does not depend on the input and their recursion is capped by
//! [`Limits::max_depth`]. They accept exactly what is safe to hand to yrs 0.28 afterwards:
//! every count and length is checked against the bytes that remain, every string is UTF-8,
//! every tag is known, clocks stay far from `u32` overflow, and nothing may follow the value.
//!
//! The layouts follow Yjs' `UpdateEncoderV1`/`UpdateDecoderV1`, lib0's `writeAny`/`readAny`
//! and y-protocols' `awareness.js`, cross-checked against yrs 0.28.1's decoders.

use crate::error::ProtoError;
use crate::reader::Reader;

/// Size and shape limits applied to everything that comes off the network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// The largest whole message accepted, in bytes.
    pub max_message_bytes: usize,
    /// The deepest nesting of `Any` values or JSON accepted.
    pub max_depth: usize,
    /// The most structs (items, GC and skip ranges) one update may hold.
    pub max_structs: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_message_bytes: 1 << 20,
            max_depth: 64,
            max_structs: 250_000,
        }
    }
}

/// The largest clock or length we accept. yrs keeps clocks in `u32` and adds lengths to them
/// (and 1 to origins) with plain arithmetic, which panics on overflow in debug builds and wraps
/// in release; keeping everything below 2^31 leaves room for all of that. Real documents do not
/// get near it: a clock counts characters and elements ever inserted by one client.
pub const MAX_CLOCK: u64 = (1 << 31) - 1;

/// What a validated update contains, enough to decide whether it changes anything.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UpdateSummary {
    /// Number of client sections in the struct part.
    pub clients: usize,
    /// Number of items and GC ranges (skips excluded, since they carry nothing).
    pub structs: usize,
    /// Number of deleted ranges in the delete set.
    pub deleted_ranges: usize,
}

impl UpdateSummary {
    /// True when the update carries no structs and no deletions, like the `[0, 0]` update a
    /// peer with an empty document sends as its sync step 2.
    pub fn is_empty(&self) -> bool {
        self.structs == 0 && self.deleted_ranges == 0
    }
}

/// One entry of an awareness update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwarenessEntry {
    /// The client id the state belongs to.
    pub client_id: u64,
    /// The client's awareness clock; higher clocks win.
    pub clock: u64,
    /// The state as JSON text (already validated), or `None` when the client is gone
    /// (the wire carries the JSON text `null`).
    pub state: Option<String>,
}

// Item info bits, as in Yjs' `Item.write` and yrs' `block.rs`.
const HAS_ORIGIN: u8 = 0b1000_0000;
const HAS_RIGHT_ORIGIN: u8 = 0b0100_0000;
const HAS_PARENT_SUB: u8 = 0b0010_0000;
const REF_MASK: u8 = 0b0001_1111;

pub(crate) const REF_GC: u8 = 0;
const REF_DELETED: u8 = 1;
const REF_JSON: u8 = 2;
const REF_BINARY: u8 = 3;
const REF_STRING: u8 = 4;
const REF_EMBED: u8 = 5;
const REF_FORMAT: u8 = 6;
const REF_TYPE: u8 = 7;
const REF_ANY: u8 = 8;
const REF_DOC: u8 = 9;
pub(crate) const REF_SKIP: u8 = 10;

// Shared type references, as in Yjs' `typeRefs` table.
const TYPE_ARRAY: u8 = 0;
const TYPE_MAP: u8 = 1;
const TYPE_TEXT: u8 = 2;
const TYPE_XML_ELEMENT: u8 = 3;
const TYPE_XML_FRAGMENT: u8 = 4;
const TYPE_XML_HOOK: u8 = 5;
const TYPE_XML_TEXT: u8 = 6;

/// Validates a Yjs update in encoding v1 and summarises it.
pub fn update_v1(bytes: &[u8], limits: &Limits) -> Result<UpdateSummary, ProtoError> {
    check_size(bytes, limits)?;
    update_v1_at(bytes, 0, limits)
}

/// Refuses a Yjs update in encoding v2. y-websocket speaks v1 only, and yrs' v2 decoder
/// indexes without bounds checks, so v2 bytes from the network are never accepted.
pub fn update_v2(_bytes: &[u8], _limits: &Limits) -> Result<UpdateSummary, ProtoError> {
    Err(ProtoError::UpdateV2Unsupported)
}

/// Validates an encoded state vector (v1) and returns its `(client, clock)` pairs.
pub fn state_vector_v1(bytes: &[u8], limits: &Limits) -> Result<Vec<(u64, u32)>, ProtoError> {
    check_size(bytes, limits)?;
    state_vector_v1_at(bytes, 0)
}

/// Validates an awareness update and returns its entries.
pub fn awareness_update(bytes: &[u8], limits: &Limits) -> Result<Vec<AwarenessEntry>, ProtoError> {
    check_size(bytes, limits)?;
    awareness_update_at(bytes, 0, limits)
}

/// Validates exactly one lib0 `Any` value filling `bytes`.
pub fn any(bytes: &[u8], limits: &Limits) -> Result<(), ProtoError> {
    check_size(bytes, limits)?;
    let mut r = Reader::new(bytes);
    any_value(&mut r, limits, 0)?;
    r.finish("any value")
}

/// Validates a JSON text: well-formed per RFC 8259 and nested at most `limits.max_depth` deep.
pub fn json(text: &str, limits: &Limits) -> Result<(), ProtoError> {
    check_size(text.as_bytes(), limits)?;
    json_text(text.as_bytes(), 0, "json", limits)
}

fn check_size(bytes: &[u8], limits: &Limits) -> Result<(), ProtoError> {
    if bytes.len() > limits.max_message_bytes {
        return Err(ProtoError::MessageTooLarge {
            len: bytes.len(),
            limit: limits.max_message_bytes,
        });
    }
    Ok(())
}

pub(crate) fn update_v1_at(
    bytes: &[u8],
    base: usize,
    limits: &Limits,
) -> Result<UpdateSummary, ProtoError> {
    let mut r = Reader::with_base(bytes, base);
    let mut summary = UpdateSummary::default();
    let mut total_structs = 0usize;

    // Struct section: per client, a struct count, the client id and the first clock. Each
    // client section needs at least 3 bytes and each struct at least 2.
    let clients = r.count("client count", 3)?;
    summary.clients = clients;
    // Yjs writes each client's structs once per update. yrs integrates a repeated client's
    // second run below the first and underflows its block list (found by the apply_update fuzz
    // target), so a repeated client is refused here.
    let mut seen = std::collections::HashSet::with_capacity(clients);
    for _ in 0..clients {
        let structs = r.count("struct count", 2)?;
        total_structs = total_structs.saturating_add(structs);
        if total_structs > limits.max_structs {
            return Err(ProtoError::TooManyStructs {
                offset: r.offset(),
                limit: limits.max_structs,
            });
        }
        let client_at = r.offset();
        if !seen.insert(r.var_uint("client id")?) {
            return Err(ProtoError::Invalid {
                offset: client_at,
                what: "a client's structs appear twice in one update",
            });
        }
        let mut clock = r.var_uint_max("clock", MAX_CLOCK)?;
        for _ in 0..structs {
            let offset = r.offset();
            let len = struct_v1(&mut r, limits, &mut summary)?;
            clock += len;
            if clock > MAX_CLOCK {
                return Err(ProtoError::OutOfRange {
                    offset,
                    what: "clock after struct",
                    value: clock,
                    max: MAX_CLOCK,
                });
            }
        }
    }

    // Delete set: per client, the client id and its ranges of (clock, length).
    let ds_clients = r.count("delete set client count", 2)?;
    for _ in 0..ds_clients {
        r.var_uint("delete set client id")?;
        let ranges = r.count("delete set range count", 2)?;
        for _ in 0..ranges {
            let offset = r.offset();
            let clock = r.var_uint_max("deleted clock", MAX_CLOCK)?;
            let len = r.var_uint_max("deleted length", MAX_CLOCK)?;
            if clock + len > MAX_CLOCK {
                return Err(ProtoError::OutOfRange {
                    offset,
                    what: "end of deleted range",
                    value: clock + len,
                    max: MAX_CLOCK,
                });
            }
            summary.deleted_ranges += 1;
        }
    }
    r.finish("update")?;
    Ok(summary)
}

/// Validates one struct and returns how many clock ticks it covers.
pub(crate) fn struct_v1(
    r: &mut Reader<'_>,
    limits: &Limits,
    summary: &mut UpdateSummary,
) -> Result<u64, ProtoError> {
    let offset = r.offset();
    let info = r.u8("struct info")?;
    match info & REF_MASK {
        REF_GC | REF_SKIP => {
            // Yjs writes GC and Skip with a bare ref number. yrs only recognises the bare byte
            // (it would read anything else as an item), so we insist on it to keep both readers
            // in agreement.
            if info & !REF_MASK != 0 {
                return Err(ProtoError::Invalid {
                    offset,
                    what: "GC/skip struct info with item flags",
                });
            }
            let len_offset = r.offset();
            let len = r.var_uint_max("struct length", MAX_CLOCK)?;
            if len == 0 {
                return Err(ProtoError::Invalid {
                    offset: len_offset,
                    what: "zero-length GC/skip struct",
                });
            }
            if info == REF_GC {
                summary.structs += 1;
            }
            Ok(len)
        }
        REF_DELETED..=REF_DOC => {
            if info & HAS_ORIGIN != 0 {
                id(r, "origin")?;
            }
            if info & HAS_RIGHT_ORIGIN != 0 {
                id(r, "right origin")?;
            }
            // Without origins the item must name its parent, since it cannot inherit it.
            if info & (HAS_ORIGIN | HAS_RIGHT_ORIGIN) == 0 {
                let pi_offset = r.offset();
                match r.var_uint("parent info")? {
                    1 => {
                        r.var_string("parent type name")?;
                    }
                    0 => id(r, "parent id")?,
                    tag => {
                        return Err(ProtoError::UnknownTag {
                            offset: pi_offset,
                            what: "parent info",
                            tag,
                        });
                    }
                }
                if info & HAS_PARENT_SUB != 0 {
                    r.var_string("parent sub key")?;
                }
            }
            summary.structs += 1;
            content_v1(r, info & REF_MASK, limits)
        }
        tag => Err(ProtoError::UnknownTag {
            offset,
            what: "struct content ref",
            tag: u64::from(tag),
        }),
    }
}

fn id(r: &mut Reader<'_>, what: &'static str) -> Result<(), ProtoError> {
    r.var_uint(what)?;
    r.var_uint_max(what, MAX_CLOCK)?;
    Ok(())
}

/// Validates item content and returns its length in clock ticks (as yrs counts it).
fn content_v1(r: &mut Reader<'_>, content_ref: u8, limits: &Limits) -> Result<u64, ProtoError> {
    let offset = r.offset();
    match content_ref {
        REF_DELETED => r.var_uint_max("deleted content length", MAX_CLOCK),
        REF_JSON => {
            // ContentJSON is legacy (Yjs has written ContentAny since v13), and yrs 0.28 reads
            // one more string than the count says, so an accepted JSON item would leave yrs
            // misaligned and reading unvalidated bytes. Refusing it keeps the invariant.
            Err(ProtoError::Unsupported {
                offset,
                what: "legacy JSON item content (yrs decodes it inconsistently)",
            })
        }
        REF_BINARY => {
            r.var_buf("binary content")?;
            Ok(1)
        }
        REF_STRING => {
            let s = r.var_string("string content")?;
            // yrs and Yjs measure string items in UTF-16 code units.
            Ok(s.chars().map(|c| c.len_utf16() as u64).sum())
        }
        REF_EMBED => {
            json_string(r, "embed content", limits)?;
            Ok(1)
        }
        REF_FORMAT => {
            r.var_string("format key")?;
            json_string(r, "format value", limits)?;
            Ok(1)
        }
        REF_TYPE => {
            let tag_offset = r.offset();
            match r.u8("type ref")? {
                TYPE_ARRAY | TYPE_MAP | TYPE_TEXT | TYPE_XML_FRAGMENT | TYPE_XML_TEXT => {}
                TYPE_XML_ELEMENT => {
                    r.var_string("XML element name")?;
                }
                TYPE_XML_HOOK => {
                    // Yjs writes a hook name after this ref, but yrs 0.28 does not read it and
                    // would decode the rest of the update misaligned, so hooks are refused.
                    return Err(ProtoError::Unsupported {
                        offset: tag_offset,
                        what: "XmlHook type (yrs does not read the hook name)",
                    });
                }
                tag => {
                    return Err(ProtoError::UnknownTag {
                        offset: tag_offset,
                        what: "type ref",
                        tag: u64::from(tag),
                    });
                }
            }
            Ok(1)
        }
        REF_ANY => {
            let n = r.count("any content count", 1)?;
            for _ in 0..n {
                any_value(r, limits, 0)?;
            }
            Ok(n as u64)
        }
        REF_DOC => {
            r.var_string("subdocument guid")?;
            any_value(r, limits, 0)?;
            Ok(1)
        }
        tag => Err(ProtoError::UnknownTag {
            offset,
            what: "content ref",
            tag: u64::from(tag),
        }),
    }
}

/// Validates one lib0 `Any` value (tags from lib0's `writeAny`).
fn any_value(r: &mut Reader<'_>, limits: &Limits, depth: usize) -> Result<(), ProtoError> {
    let offset = r.offset();
    if depth >= limits.max_depth {
        return Err(ProtoError::TooDeep {
            offset,
            limit: limits.max_depth,
        });
    }
    match r.u8("any tag")? {
        // undefined, null, false, true: nothing follows.
        127 | 126 | 121 | 120 => {}
        125 => {
            r.var_int("any integer")?;
        }
        124 => {
            r.take(4, "any float32")?;
        }
        123 => {
            r.take(8, "any float64")?;
        }
        122 => {
            r.take(8, "any bigint")?;
        }
        119 => {
            r.var_string("any string")?;
        }
        118 => {
            // Each entry needs a key length byte and a value tag byte.
            let n = r.count("any object size", 2)?;
            for _ in 0..n {
                r.var_string("any object key")?;
                any_value(r, limits, depth + 1)?;
            }
        }
        117 => {
            let n = r.count("any array length", 1)?;
            for _ in 0..n {
                any_value(r, limits, depth + 1)?;
            }
        }
        116 => {
            r.var_buf("any buffer")?;
        }
        tag => {
            return Err(ProtoError::UnknownTag {
                offset,
                what: "any tag",
                tag: u64::from(tag),
            });
        }
    }
    Ok(())
}

fn json_string(r: &mut Reader<'_>, what: &'static str, limits: &Limits) -> Result<(), ProtoError> {
    // The string's bytes start after its length prefix; find that offset for error reports.
    let before = r.clone();
    let s = r.var_string(what)?;
    let prefix = {
        let mut probe = before;
        probe.var_uint(what)?;
        probe.offset()
    };
    json_text(s.as_bytes(), prefix, what, limits)
}

pub(crate) fn state_vector_v1_at(bytes: &[u8], base: usize) -> Result<Vec<(u64, u32)>, ProtoError> {
    let mut r = Reader::with_base(bytes, base);
    let n = r.count("state vector length", 2)?;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let client = r.var_uint("state vector client id")?;
        let clock = r.var_uint_max("state vector clock", MAX_CLOCK)?;
        // MAX_CLOCK is below u32::MAX, so the conversion cannot fail.
        out.push((client, u32::try_from(clock).unwrap_or(u32::MAX)));
    }
    r.finish("state vector")?;
    Ok(out)
}

pub(crate) fn awareness_update_at(
    bytes: &[u8],
    base: usize,
    limits: &Limits,
) -> Result<Vec<AwarenessEntry>, ProtoError> {
    let mut r = Reader::with_base(bytes, base);
    // Each entry is at least a client id, a clock and a string length: 3 bytes.
    let n = r.count("awareness client count", 3)?;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let client_id = r.var_uint("awareness client id")?;
        let clock = r.var_uint("awareness clock")?;
        let before = r.clone();
        let text = r.var_string("awareness state")?;
        let start = {
            let mut probe = before;
            probe.var_uint("awareness state")?;
            probe.offset()
        };
        json_text(text.as_bytes(), start, "awareness state", limits)?;
        let state = if text.trim_matches(is_json_ws) == "null" {
            None
        } else {
            Some(text.to_owned())
        };
        out.push(AwarenessEntry {
            client_id,
            clock,
            state,
        });
    }
    r.finish("awareness update")?;
    Ok(out)
}

fn is_json_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// A depth-limited RFC 8259 JSON checker. It builds nothing, so only the recursion depth
/// matters, and that is capped by `limits.max_depth`.
struct Json<'a> {
    s: &'a [u8],
    pos: usize,
    base: usize,
    what: &'static str,
    max_depth: usize,
}

fn json_text(s: &[u8], base: usize, what: &'static str, limits: &Limits) -> Result<(), ProtoError> {
    let mut p = Json {
        s,
        pos: 0,
        base,
        what,
        max_depth: limits.max_depth,
    };
    p.ws();
    p.value(0)?;
    p.ws();
    if p.pos != s.len() {
        return Err(p.err("trailing characters after JSON value"));
    }
    Ok(())
}

impl Json<'_> {
    fn err(&self, reason: &'static str) -> ProtoError {
        ProtoError::InvalidJson {
            offset: self.base + self.pos,
            what: self.what,
            reason,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn expect_word(&mut self, word: &[u8]) -> Result<(), ProtoError> {
        if self.s[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(self.err("unknown literal"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<(), ProtoError> {
        match self.peek() {
            None => Err(self.err("unexpected end")),
            Some(b'{') => {
                if depth >= self.max_depth {
                    return Err(self.err("nested too deeply"));
                }
                self.pos += 1;
                self.ws();
                if self.peek() == Some(b'}') {
                    self.pos += 1;
                    return Ok(());
                }
                loop {
                    self.ws();
                    if self.peek() != Some(b'"') {
                        return Err(self.err("expected object key"));
                    }
                    self.string()?;
                    self.ws();
                    if self.peek() != Some(b':') {
                        return Err(self.err("expected ':'"));
                    }
                    self.pos += 1;
                    self.ws();
                    self.value(depth + 1)?;
                    self.ws();
                    match self.peek() {
                        Some(b',') => self.pos += 1,
                        Some(b'}') => {
                            self.pos += 1;
                            return Ok(());
                        }
                        _ => return Err(self.err("expected ',' or '}'")),
                    }
                }
            }
            Some(b'[') => {
                if depth >= self.max_depth {
                    return Err(self.err("nested too deeply"));
                }
                self.pos += 1;
                self.ws();
                if self.peek() == Some(b']') {
                    self.pos += 1;
                    return Ok(());
                }
                loop {
                    self.ws();
                    self.value(depth + 1)?;
                    self.ws();
                    match self.peek() {
                        Some(b',') => self.pos += 1,
                        Some(b']') => {
                            self.pos += 1;
                            return Ok(());
                        }
                        _ => return Err(self.err("expected ',' or ']'")),
                    }
                }
            }
            Some(b'"') => self.string(),
            Some(b't') => self.expect_word(b"true"),
            Some(b'f') => self.expect_word(b"false"),
            Some(b'n') => self.expect_word(b"null"),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.err("unexpected character")),
        }
    }

    fn string(&mut self) -> Result<(), ProtoError> {
        // The caller saw the opening quote.
        self.pos += 1;
        loop {
            match self.peek() {
                None => return Err(self.err("unterminated string")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(b'\\') => {
                    self.pos += 1;
                    match self.peek() {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                            self.pos += 1;
                        }
                        Some(b'u') => {
                            self.pos += 1;
                            for _ in 0..4 {
                                match self.peek() {
                                    Some(c) if c.is_ascii_hexdigit() => self.pos += 1,
                                    _ => return Err(self.err("bad \\u escape")),
                                }
                            }
                        }
                        _ => return Err(self.err("bad escape")),
                    }
                }
                Some(c) if c < 0x20 => return Err(self.err("control character in string")),
                // The input is already valid UTF-8, so multi-byte sequences pass byte by byte.
                Some(_) => self.pos += 1,
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Result<(), ProtoError> {
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.err("bad number")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.err("bad fraction"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.err("bad exponent"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits::default()
    }

    #[test]
    fn json_accepts_well_formed() {
        for ok in [
            "null",
            " {\"a\": [1, -2.5e3, true, false, null, \"x\\u00e9\\n\"]} ",
            "[]",
            "{}",
            "\"ü\"",
            "0",
        ] {
            json(ok, &limits()).unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
    }

    #[test]
    fn json_refuses_malformed() {
        for bad in [
            "",
            "{",
            "[1,]",
            "{\"a\"}",
            "01",
            "1.",
            "tru",
            "\"\u{1}\"",
            "[1] x",
            "{'a':1}",
            "\"\\x\"",
        ] {
            assert!(
                matches!(json(bad, &limits()), Err(ProtoError::InvalidJson { .. })),
                "{bad:?} accepted"
            );
        }
    }

    #[test]
    fn json_depth_is_limited() {
        let deep = "[".repeat(65) + &"]".repeat(65);
        assert!(matches!(
            json(&deep, &limits()),
            Err(ProtoError::InvalidJson {
                reason: "nested too deeply",
                ..
            })
        ));
        let ok = "[".repeat(64) + &"]".repeat(64);
        json(&ok, &limits()).unwrap();
    }

    #[test]
    fn any_covers_every_tag() {
        let mut b = vec![117, 12];
        b.extend([127, 126, 121, 120]);
        b.extend([125, 0x81, 0x01]);
        b.extend([124, 0, 0, 0, 0]);
        b.extend([123, 0, 0, 0, 0, 0, 0, 0, 0]);
        b.extend([122, 0, 0, 0, 0, 0, 0, 0, 1]);
        b.extend([119, 1, b'x']);
        b.extend([118, 1, 1, b'k', 126]);
        b.extend([117, 0]);
        b.extend([116, 2, 9, 9]);
        any(&b, &limits()).unwrap();
    }

    #[test]
    fn any_refuses_unknown_tag_and_bad_counts() {
        assert!(matches!(
            any(&[115], &limits()),
            Err(ProtoError::UnknownTag { tag: 115, .. })
        ));
        assert!(matches!(
            any(&[117, 0xff, 0xff, 0x03, 126], &limits()),
            Err(ProtoError::LengthPastEnd { .. })
        ));
        assert!(matches!(
            any(&[126, 126], &limits()),
            Err(ProtoError::TrailingBytes { offset: 1, .. })
        ));
    }

    #[test]
    fn empty_update_is_valid_and_empty() {
        let s = update_v1(&[0, 0], &limits()).unwrap();
        assert!(s.is_empty());
    }

    #[test]
    fn v2_is_refused() {
        assert_eq!(
            update_v2(&[0, 0], &limits()),
            Err(ProtoError::UpdateV2Unsupported)
        );
    }

    #[test]
    fn clock_overflow_is_refused() {
        // One client, one struct, client 1, clock MAX_CLOCK, a GC of length 2.
        let mut b = vec![1, 1, 1];
        crate::write::var_uint(&mut b, MAX_CLOCK);
        b.extend([0, 2, 0]);
        assert!(matches!(
            update_v1(&b, &limits()),
            Err(ProtoError::OutOfRange {
                what: "clock after struct",
                ..
            })
        ));
    }

    #[test]
    fn awareness_null_state_is_removal() {
        let mut b = vec![1, 7, 3];
        crate::write::var_string(&mut b, "null");
        let e = awareness_update(&b, &limits()).unwrap();
        assert_eq!(
            e,
            vec![AwarenessEntry {
                client_id: 7,
                clock: 3,
                state: None
            }]
        );
    }
}
