//! A bounds-checked cursor over lib0 v1 primitives.
//!
//! Every read checks the bytes that remain before it touches them, and no read allocates
//! according to a number taken from the wire, so no input can make it panic or allocate much.

use crate::error::ProtoError;

/// The largest integer lib0 reads (`Number.MAX_SAFE_INTEGER`); yrs also asserts that client ids
/// stay below 2^53, so anything larger must be stopped here.
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// A cursor over a byte slice that reports the offset of every failure.
#[derive(Debug, Clone)]
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    /// Added to every reported offset, so errors inside a nested payload point into the
    /// enclosing message.
    base: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Self::with_base(buf, 0)
    }

    pub(crate) fn with_base(buf: &'a [u8], base: usize) -> Self {
        Reader { buf, pos: 0, base }
    }

    /// The absolute offset of the next byte.
    pub(crate) fn offset(&self) -> usize {
        self.base + self.pos
    }

    pub(crate) fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    pub(crate) fn u8(&mut self, what: &'static str) -> Result<u8, ProtoError> {
        match self.buf.get(self.pos) {
            Some(&b) => {
                self.pos += 1;
                Ok(b)
            }
            None => Err(ProtoError::UnexpectedEnd {
                offset: self.offset(),
                what,
            }),
        }
    }

    pub(crate) fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], ProtoError> {
        if n > self.remaining() {
            return Err(ProtoError::UnexpectedEnd {
                offset: self.offset(),
                what,
            });
        }
        let slice = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(slice)
    }

    /// Reads a lib0 varuint: 7 bits per byte, little-endian, high bit = continue.
    ///
    /// Refuses values above 2^53 - 1 (lib0's limit), encodings longer than 8 bytes (8 bytes
    /// already carry 56 bits) and overlong encodings ending in a zero byte, which no lib0 or yrs
    /// encoder produces and which would let two byte strings mean the same number.
    pub(crate) fn var_uint(&mut self, what: &'static str) -> Result<u64, ProtoError> {
        let start = self.offset();
        let mut value: u64 = 0;
        for i in 0..8u32 {
            let b = self.u8(what)?;
            value |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                if i > 0 && b == 0 {
                    return Err(ProtoError::VarIntOverlong { offset: start });
                }
                if value > MAX_SAFE_INTEGER {
                    return Err(ProtoError::OutOfRange {
                        offset: start,
                        what,
                        value,
                        max: MAX_SAFE_INTEGER,
                    });
                }
                return Ok(value);
            }
        }
        Err(ProtoError::VarIntTooLong { offset: start })
    }

    /// Reads a varuint that must not exceed `max`.
    pub(crate) fn var_uint_max(&mut self, what: &'static str, max: u64) -> Result<u64, ProtoError> {
        let offset = self.offset();
        let value = self.var_uint(what)?;
        if value > max {
            return Err(ProtoError::OutOfRange {
                offset,
                what,
                value,
                max,
            });
        }
        Ok(value)
    }

    /// Reads an element count and checks it against the bytes that remain: every element
    /// takes at least `min_bytes_each` bytes, so a larger count cannot be honest.
    pub(crate) fn count(
        &mut self,
        what: &'static str,
        min_bytes_each: usize,
    ) -> Result<usize, ProtoError> {
        let offset = self.offset();
        let len = self.var_uint(what)?;
        let remaining = self.remaining();
        let fits = usize::try_from(len)
            .ok()
            .and_then(|n| n.checked_mul(min_bytes_each))
            .is_some_and(|need| need <= remaining);
        if !fits {
            return Err(ProtoError::LengthPastEnd {
                offset,
                what,
                len,
                remaining,
            });
        }
        // The check above proved the conversion succeeds.
        Ok(usize::try_from(len).unwrap_or(usize::MAX))
    }

    /// Reads a lib0 varint: the first byte holds continue, sign and 6 value bits; later
    /// bytes hold 7 bits each. Magnitudes above 2^53 - 1 and overlong encodings are refused,
    /// which also keeps yrs' own shift arithmetic far from overflowing.
    pub(crate) fn var_int(&mut self, what: &'static str) -> Result<i64, ProtoError> {
        let start = self.offset();
        let first = self.u8(what)?;
        let negative = first & 0x40 != 0;
        let mut magnitude = u64::from(first & 0x3f);
        let mut more = first & 0x80 != 0;
        let mut shift = 6u32;
        let mut extra = 0;
        while more {
            if extra == 7 {
                return Err(ProtoError::VarIntTooLong { offset: start });
            }
            let b = self.u8(what)?;
            extra += 1;
            magnitude |= u64::from(b & 0x7f) << shift;
            shift += 7;
            more = b & 0x80 != 0;
            if !more && b == 0 {
                return Err(ProtoError::VarIntOverlong { offset: start });
            }
        }
        if magnitude > MAX_SAFE_INTEGER {
            return Err(ProtoError::OutOfRange {
                offset: start,
                what,
                value: magnitude,
                max: MAX_SAFE_INTEGER,
            });
        }
        // The magnitude fits in 53 bits, so it converts and negates without overflow.
        let value = i64::try_from(magnitude).unwrap_or(i64::MAX);
        Ok(if negative { -value } else { value })
    }

    /// Reads a var-buffer: a varuint length, then that many bytes.
    pub(crate) fn var_buf(&mut self, what: &'static str) -> Result<&'a [u8], ProtoError> {
        let offset = self.offset();
        let len = self.var_uint(what)?;
        let remaining = self.remaining();
        match usize::try_from(len) {
            Ok(n) if n <= remaining => self.take(n, what),
            _ => Err(ProtoError::LengthPastEnd {
                offset,
                what,
                len,
                remaining,
            }),
        }
    }

    /// Reads a var-string: a var-buffer that must be valid UTF-8.
    pub(crate) fn var_string(&mut self, what: &'static str) -> Result<&'a str, ProtoError> {
        let offset = self.offset();
        let bytes = self.var_buf(what)?;
        std::str::from_utf8(bytes).map_err(|_| ProtoError::InvalidUtf8 { offset, what })
    }

    /// Fails unless every byte has been consumed.
    pub(crate) fn finish(&self, what: &'static str) -> Result<(), ProtoError> {
        if self.remaining() > 0 {
            return Err(ProtoError::TrailingBytes {
                offset: self.offset(),
                what,
                count: self.remaining(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn var_uint_round_trips_boundaries() {
        for v in [
            0u64,
            1,
            127,
            128,
            16_383,
            16_384,
            u64::from(u32::MAX),
            MAX_SAFE_INTEGER,
        ] {
            let mut buf = Vec::new();
            crate::write::var_uint(&mut buf, v);
            let mut r = Reader::new(&buf);
            assert_eq!(r.var_uint("v").unwrap(), v);
            r.finish("v").unwrap();
        }
    }

    #[test]
    fn var_uint_refuses_bad_encodings() {
        let mut too_big = Vec::new();
        crate::write::var_uint(&mut too_big, MAX_SAFE_INTEGER + 1);
        assert!(matches!(
            Reader::new(&too_big).var_uint("v"),
            Err(ProtoError::OutOfRange { .. })
        ));
        assert!(matches!(
            Reader::new(&[0x80, 0x00]).var_uint("v"),
            Err(ProtoError::VarIntOverlong { offset: 0 })
        ));
        assert!(matches!(
            Reader::new(&[0xff; 12]).var_uint("v"),
            Err(ProtoError::VarIntTooLong { offset: 0 })
        ));
        assert!(matches!(
            Reader::new(&[0xff, 0xff]).var_uint("v"),
            Err(ProtoError::UnexpectedEnd { offset: 2, .. })
        ));
    }

    #[test]
    fn var_int_round_trips_and_refuses() {
        for v in [
            0i64,
            1,
            -1,
            63,
            -63,
            64,
            -64,
            0x7fff_ffff,
            -0x7fff_ffff,
            1 << 52,
        ] {
            let mut buf = Vec::new();
            crate::write::var_int(&mut buf, v);
            let mut r = Reader::new(&buf);
            assert_eq!(r.var_int("v").unwrap(), v);
            r.finish("v").unwrap();
        }
        // Negative zero is what lib0 writes for -0 and must be accepted.
        assert_eq!(Reader::new(&[0x40]).var_int("v").unwrap(), 0);
        assert!(matches!(
            Reader::new(&[0x80, 0x00]).var_int("v"),
            Err(ProtoError::VarIntOverlong { .. })
        ));
        assert!(matches!(
            Reader::new(&[0xff; 12]).var_int("v"),
            Err(ProtoError::VarIntTooLong { .. })
        ));
    }

    #[test]
    fn lengths_past_end_are_refused() {
        assert!(matches!(
            Reader::new(&[5, b'a', b'b']).var_string("s"),
            Err(ProtoError::LengthPastEnd {
                offset: 0,
                len: 5,
                remaining: 2,
                ..
            })
        ));
        assert!(matches!(
            Reader::new(&[2, 0xc3, 0x28]).var_string("s"),
            Err(ProtoError::InvalidUtf8 { offset: 0, .. })
        ));
        assert!(matches!(
            Reader::new(&[3, 1, 1]).count("c", 1),
            Err(ProtoError::LengthPastEnd { .. })
        ));
    }
}
