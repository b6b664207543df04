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

/// Why a link naming `base` would expose its capability, or `None`: a `ws://` relay reached
/// over the internet carries the token (and the board) in clear text, readable and replayable
/// by anyone on the path. Loopback, private and link-local addresses and `.local` names (a LAN
/// host, a relay on this machine) are not warned about; `wss://` never is.
pub fn plaintext_risk(base: &str) -> Option<String> {
    let rest = base.trim().strip_prefix("ws://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    let host = host.to_ascii_lowercase();
    let local = match host.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(ip)) => {
            ip.is_loopback() || ip.is_private() || ip.is_link_local() || ip.is_unspecified()
        }
        Ok(std::net::IpAddr::V6(ip)) => {
            ip.is_loopback()
                || ip.is_unspecified()
                || (ip.segments()[0] & 0xfe00) == 0xfc00 // unique local
                || (ip.segments()[0] & 0xffc0) == 0xfe80 // link-local
        }
        Err(_) => host == "localhost" || host.ends_with(".localhost") || host.ends_with(".local"),
    };
    (!local).then(|| {
        format!(
            "the relay {base} is ws://, not wss://: the link's token and the board travel              unencrypted to {host}, readable and replayable on the way; use a wss:// relay"
        )
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_relays_beyond_the_local_network_are_warned_about() {
        for quiet in [
            "wss://relay.example.com",
            "ws://127.0.0.1:8787",
            "ws://localhost:8787",
            "ws://192.168.1.20:8787",
            "ws://10.0.0.5",
            "ws://[::1]:8787",
            "ws://[fe80::1]:8787",
            "ws://studio.local:8787",
        ] {
            assert_eq!(plaintext_risk(quiet), None, "{quiet}");
        }
        for loud in [
            "ws://relay.example.com",
            "ws://203.0.113.7:8787",
            "ws://[2001:db8::1]:80",
        ] {
            let why = plaintext_risk(loud).unwrap_or_else(|| panic!("{loud} not warned"));
            assert!(why.contains("wss://"), "{why}");
        }
    }
}
