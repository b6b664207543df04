//! Who may do what in a room: the seam where capability-based sharing plugs in.
//!
//! The server asks its [`Authorizer`] once per connection, during the WebSocket handshake, with
//! the room path and the query-string parameters (where a capability token will travel). The
//! answer is a [`Grant`]; a [`Denied`] refuses the handshake with HTTP 403 and its reason.

use std::collections::HashMap;

use easel_proto::WritePolicy;

/// What a connection may do in a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Grant {
    /// VIEW: sync and receive, publish awareness, never write.
    ReadOnly,
    /// COMMENT: write only rooms whose name ends in `/comments`; read-only elsewhere.
    CommentsOnly,
    /// EDIT: write any room.
    ReadWrite,
}

impl Grant {
    /// The write policy this grant gives in `room`.
    pub fn policy_for(self, room: &str) -> WritePolicy {
        match self {
            Grant::ReadWrite => WritePolicy::ReadWrite,
            Grant::CommentsOnly if room.ends_with("/comments") => WritePolicy::ReadWrite,
            Grant::CommentsOnly | Grant::ReadOnly => WritePolicy::ReadOnly,
        }
    }
}

/// A refused connection, with a reason that is safe to show the client and to log (it must
/// not quote the capability).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Denied(pub String);

/// Decides each connection's [`Grant`].
pub trait Authorizer: Send + Sync + 'static {
    /// Authorizes a connection to `room` carrying the query parameters `query`.
    fn authorize(&self, room: &str, query: &HashMap<String, String>) -> Result<Grant, Denied>;
}

/// `--auth none`: every room is open to everyone, read-write.
#[derive(Debug, Clone, Copy, Default)]
pub struct OpenAuthorizer;

impl Authorizer for OpenAuthorizer {
    fn authorize(&self, _room: &str, _query: &HashMap<String, String>) -> Result<Grant, Denied> {
        Ok(Grant::ReadWrite)
    }
}

/// The `--auth` modes of the binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum AuthMode {
    /// Open rooms: anyone may read and write.
    #[default]
    None,
    /// Signed capabilities from share links (not available yet).
    Capabilities,
}

impl AuthMode {
    /// The authorizer for this mode, or why it cannot run.
    pub fn authorizer(self) -> Result<std::sync::Arc<dyn Authorizer>, String> {
        match self {
            AuthMode::None => Ok(std::sync::Arc::new(OpenAuthorizer)),
            AuthMode::Capabilities => Err(
                "--auth capabilities is not available yet: capability verification lands with \
                 sharing; run with --auth none for open rooms"
                    .to_owned(),
            ),
        }
    }
}

/// Parses a URL query string (`a=1&b=two%20words`) into a map; later keys win.
pub fn parse_query(query: &str) -> HashMap<String, String> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

/// Checks a room name: 1 to 128 characters of `[A-Za-z0-9_./-]`, no `..`, not starting or ending
/// with `/`, no `//`.
pub fn valid_room(room: &str) -> bool {
    (1..=128).contains(&room.len())
        && room
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b'/'))
        && !room.contains("..")
        && !room.contains("//")
        && !room.starts_with('/')
        && !room.ends_with('/')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rooms() {
        assert!(valid_room("3f2b1c9e-0000-4000-8000-000000000000"));
        assert!(valid_room("3f2b1c9e-0000-4000-8000-000000000000/comments"));
        assert!(valid_room("a"));
        assert!(valid_room(&"a".repeat(128)));
        assert!(!valid_room(&"a".repeat(129)));
        assert!(!valid_room(""));
        assert!(!valid_room("a/../b"));
        assert!(!valid_room(".."));
        assert!(!valid_room("a b"));
        assert!(!valid_room("a%20b"));
        assert!(!valid_room("/a"));
        assert!(!valid_room("a/"));
        assert!(!valid_room("a//b"));
        assert!(!valid_room("é"));
    }

    #[test]
    fn grants() {
        assert_eq!(Grant::ReadOnly.policy_for("b"), WritePolicy::ReadOnly);
        assert_eq!(Grant::CommentsOnly.policy_for("b"), WritePolicy::ReadOnly);
        assert_eq!(
            Grant::CommentsOnly.policy_for("b/comments"),
            WritePolicy::ReadWrite
        );
        assert_eq!(Grant::ReadWrite.policy_for("b"), WritePolicy::ReadWrite);
        assert!(AuthMode::Capabilities.authorizer().is_err());
    }

    #[test]
    fn queries() {
        let q = parse_query("cap=a%2Bb&x=1+2&flag&bad=%zz&end=%4");
        assert_eq!(q["cap"], "a+b");
        assert_eq!(q["x"], "1 2");
        assert_eq!(q["flag"], "");
        assert_eq!(q["bad"], "%zz");
        assert_eq!(q["end"], "%4");
    }
}
