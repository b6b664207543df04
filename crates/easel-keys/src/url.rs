//! The relay URLs share links carry and sync connects to: `ws://host:port/<room>?k=v` (or
//! `wss://`), with percent-encoding of the query.

/// Why a server address was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BadUrl(pub String);

/// The WebSocket URL of a board's room on a server: `ws://host:port/<board>?k=v` (or `wss://`).
pub fn room_url(base: &str, room: &str, params: &[(String, String)]) -> Result<String, BadUrl> {
    let base = base.trim_end_matches('/');
    let Some(rest) = base
        .strip_prefix("ws://")
        .or_else(|| base.strip_prefix("wss://"))
    else {
        return Err(BadUrl(format!("{base:?} is not a ws:// or wss:// URL")));
    };
    if rest.is_empty() || rest.contains(['?', '#', ' ']) {
        return Err(BadUrl(format!("{base:?} is not a server address")));
    }
    let mut url = format!("{base}/{room}");
    for (i, (k, v)) in params.iter().enumerate() {
        url.push(if i == 0 { '?' } else { '&' });
        url.push_str(&percent_encode(k));
        url.push('=');
        url.push_str(&percent_encode(v));
    }
    Ok(url)
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes `%XX` escapes; `None` for a bad escape or bytes that are not UTF-8.
pub fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}
