//! lib0 v1 primitive writers, byte-identical to lib0's `encoding.js`.

/// Writes a lib0 varuint.
pub(crate) fn var_uint(out: &mut Vec<u8>, mut value: u64) {
    while value > 0x7f {
        out.push(0x80 | (value & 0x7f) as u8);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Writes a lib0 varint (sign in bit 6 of the first byte).
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn var_int(out: &mut Vec<u8>, value: i64) {
    let negative = value < 0;
    let mut magnitude = value.unsigned_abs();
    let more = magnitude > 0x3f;
    out.push(
        if more { 0x80 } else { 0 } | if negative { 0x40 } else { 0 } | (magnitude & 0x3f) as u8,
    );
    magnitude >>= 6;
    while magnitude > 0 {
        let more = magnitude > 0x7f;
        out.push(if more { 0x80 } else { 0 } | (magnitude & 0x7f) as u8);
        magnitude >>= 7;
    }
}

/// Writes a var-buffer: varuint length then the bytes.
pub(crate) fn var_buf(out: &mut Vec<u8>, bytes: &[u8]) {
    var_uint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

/// Writes a var-string: the UTF-8 bytes as a var-buffer.
pub(crate) fn var_string(out: &mut Vec<u8>, s: &str) {
    var_buf(out, s.as_bytes());
}
