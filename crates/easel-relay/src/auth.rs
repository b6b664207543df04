//! Who may do what in a room: the seam where capability-based sharing plugs in.
//!
//! The server asks its [`Authorizer`] once per connection, during the WebSocket handshake, with
//! the room path and the query-string parameters (where a capability token will travel). The
//! answer is a [`Grant`]; a [`Denied`] refuses the handshake with HTTP 403 and its reason.

use std::collections::HashMap;

use easel_proto::WritePolicy;
use uuid::Uuid;

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

/// An admitted connection: what it may do, and on whose word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Admission {
    pub grant: Grant,
    /// The board the room belongs to, when the authorizer knows rooms as boards.
    pub board: Option<Uuid>,
    /// The share link whose capability admitted it (revoking the link closes the connection).
    pub link: Option<Uuid>,
    /// The board owner's own connection.
    pub owner: bool,
    /// When the capability expires (Unix seconds): the connection is closed then.
    pub expires_at: Option<i64>,
}

impl From<Grant> for Admission {
    fn from(grant: Grant) -> Self {
        Admission {
            grant,
            board: None,
            link: None,
            owner: false,
            expires_at: None,
        }
    }
}

impl Admission {
    /// Why a write on this connection to `room` is refused, for the client and the audit.
    pub fn write_refusal(&self, room: &str) -> String {
        let what = if room.ends_with("/comments") {
            "comments"
        } else {
            "the board"
        };
        match self.grant {
            Grant::ReadOnly => format!("permission denied: a VIEW link cannot change {what}"),
            Grant::CommentsOnly => {
                "permission denied: a COMMENT link may write comments only, not the board".into()
            }
            Grant::ReadWrite => "permission denied".into(),
        }
    }
}

/// Something an authorizer may want to audit (the relay logs it; a hosting app writes it to the
/// board's audit log).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthEvent {
    /// A connection was refused.
    Denied {
        room: String,
        board: Option<Uuid>,
        reason: String,
    },
    /// A connection was admitted.
    Admitted { room: String, admission: Admission },
    /// Writes beyond the connection's level were refused; nothing was applied. A connection's
    /// refusals are coalesced: the first is recorded at once, later ones at most once a minute
    /// (and when it leaves), `count` saying how many each record stands for, so a peer that
    /// keeps writing cannot flood the audit log.
    WriteRefused {
        room: String,
        admission: Admission,
        reason: String,
        count: u64,
    },
    /// An owner registered a board (pinned its key).
    Registered { board: Uuid },
    /// A link was revoked; `closed` connections on it were closed.
    Revoked {
        board: Uuid,
        link: Uuid,
        closed: usize,
    },
}

/// The future [`Authorizer::revoke`] returns.
pub type RevokeFuture<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<(Uuid, Uuid), Denied>> + Send + 'a>>;

/// Decides each connection's [`Admission`].
pub trait Authorizer: Send + Sync + 'static {
    /// Authorizes a connection to `room` carrying the query parameters `query`, from `client`
    /// (the address the per-address limits count: an IPv6 client by its /64, the client a
    /// trusted proxy names).
    fn authorize(
        &self,
        room: &str,
        query: &HashMap<String, String>,
        client: std::net::IpAddr,
    ) -> Result<Admission, Denied>;

    /// Handles a signed revocation that arrived on a connection: checks it, persists it, and
    /// returns the (board, link) whose connections must now close.
    fn revoke<'a>(&'a self, _signed: &'a [u8]) -> RevokeFuture<'a> {
        Box::pin(async { Err(Denied("this server does not take revocations".into())) })
    }

    /// Records an event for the audit trail. The default does nothing.
    fn record(&self, _event: AuthEvent) {}
}

/// `--auth none`: every room is open to everyone, read-write.
#[derive(Debug, Clone, Copy, Default)]
pub struct OpenAuthorizer;

impl Authorizer for OpenAuthorizer {
    fn authorize(
        &self,
        _room: &str,
        _query: &HashMap<String, String>,
        _client: std::net::IpAddr,
    ) -> Result<Admission, Denied> {
        Ok(Grant::ReadWrite.into())
    }
}

/// The `--auth` modes of the binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum AuthMode {
    /// Signed capabilities from share links: rooms are boards, each registered by its owner.
    #[default]
    Capabilities,
    /// Open rooms: anyone may read and write.
    None,
}

impl AuthMode {
    /// The authorizer for this mode, over the relay's store (where pins and revocations live).
    pub async fn authorizer(
        self,
        store: &crate::store::RelayStore,
    ) -> Result<std::sync::Arc<dyn Authorizer>, crate::store::StoreError> {
        self.authorizer_with(store, crate::capauth::RegistrationLimits::default())
            .await
    }

    /// Like [`Self::authorizer`], with how many boards may be registered per hour.
    pub async fn authorizer_with(
        self,
        store: &crate::store::RelayStore,
        limits: crate::capauth::RegistrationLimits,
    ) -> Result<std::sync::Arc<dyn Authorizer>, crate::store::StoreError> {
        Ok(match self {
            AuthMode::None => std::sync::Arc::new(OpenAuthorizer),
            AuthMode::Capabilities => {
                crate::capauth::CapabilityAuthorizer::load_with(store.clone(), None, limits).await?
            }
        })
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
