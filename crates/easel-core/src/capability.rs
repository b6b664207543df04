//! Capabilities and share links: a board owner's signed grant of a level on a board.
//!
//! A capability says "whoever presents this (or only the holder of `subject`'s key) may act on
//! `board` at `level` until `expires_at`", signed with the owner's Ed25519 key. Whoever serves a
//! room (the relay or a hosting peer) checks it against the owner's public key, which it pinned
//! when the owner registered the board; the board's id is derived from that key (a version-8
//! UUID of a hash of the key and a salt), so nobody else can register the room first.
//!
//! Wire form: base64url (no padding) of
//! `version(1) board(16) level(1) link_id(16) issued_at(8, BE secs) flags(1)
//!  [expires_at(8)] [subject(32)] signature(64)`, the signature covering everything before it
//! prefixed with a domain tag. A share link carries it after `#`, which browsers and servers
//! keep out of request lines and logs: `easel://board/<uuid>?relay=<ws-url>#cap=<token>`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::Serialize;
use sha2::Digest;
use uuid::Uuid;

use crate::perm::Level;

const VERSION: u8 = 1;
const SIGN_DOMAIN: &[u8] = b"easel-capability-v1";
const REGISTER_DOMAIN: &[u8] = b"easel-board-registration-v1";
const BOARD_ID_DOMAIN: &[u8] = b"easel-board-id-v1";
const FLAG_EXPIRY: u8 = 1;
const FLAG_SUBJECT: u8 = 2;
/// The longest token accepted, in base64 characters; a real one is about 200.
pub const MAX_TOKEN_LEN: usize = 512;

/// Why a capability or link was refused. Each names what is wrong, for the person holding it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CapError {
    #[error("malformed capability: {0}")]
    Malformed(String),
    #[error("capability version {0} is not supported")]
    Version(u8),
    #[error("the capability's signature does not verify against the board owner's key")]
    BadSignature,
    #[error("the capability expired at {0} (Unix time)")]
    Expired(i64),
    #[error("the capability is for board {0}, not this one")]
    WrongBoard(Uuid),
    #[error("the capability was issued to another user")]
    NotForYou,
    #[error("the capability's link {0} was revoked")]
    Revoked(Uuid),
    #[error("invalid share link: {field}: {message}")]
    Link {
        field: &'static str,
        message: String,
    },
}

/// A signed grant, decoded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Capability {
    pub board: Uuid,
    pub level: Level,
    /// Identifies the link, so the owner can revoke it.
    pub link_id: Uuid,
    /// Unix seconds.
    pub issued_at: i64,
    pub expires_at: Option<i64>,
    /// Only the holder of this public key may use it; `None`: anyone with the link.
    #[serde(serialize_with = "ser_key")]
    pub subject: Option<[u8; 32]>,
}

fn ser_key<S: serde::Serializer>(k: &Option<[u8; 32]>, s: S) -> Result<S::Ok, S::Error> {
    match k {
        Some(k) => s.serialize_some(&URL_SAFE_NO_PAD.encode(k)),
        None => s.serialize_none(),
    }
}

fn level_byte(l: Level) -> u8 {
    match l {
        Level::View => 1,
        Level::Comment => 2,
        Level::Edit => 3,
    }
}

impl Capability {
    fn body(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(120);
        b.push(VERSION);
        b.extend_from_slice(self.board.as_bytes());
        b.push(level_byte(self.level));
        b.extend_from_slice(self.link_id.as_bytes());
        b.extend_from_slice(&self.issued_at.to_be_bytes());
        let mut flags = 0;
        if self.expires_at.is_some() {
            flags |= FLAG_EXPIRY;
        }
        if self.subject.is_some() {
            flags |= FLAG_SUBJECT;
        }
        b.push(flags);
        if let Some(e) = self.expires_at {
            b.extend_from_slice(&e.to_be_bytes());
        }
        if let Some(s) = &self.subject {
            b.extend_from_slice(s);
        }
        b
    }

    /// Signs this capability with the board owner's key and returns the token.
    pub fn sign(&self, owner: &SigningKey) -> String {
        let body = self.body();
        let sig = owner.sign(&[SIGN_DOMAIN, &body].concat());
        URL_SAFE_NO_PAD.encode([body.as_slice(), &sig.to_bytes()].concat())
    }

    /// Decodes a token without checking its signature (to show a link's contents before
    /// joining). Never grant anything on this alone: use [`Capability::verify`].
    pub fn decode_unverified(token: &str) -> Result<(Capability, [u8; 64]), CapError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(CapError::Malformed(format!(
                "longer than {MAX_TOKEN_LEN} characters"
            )));
        }
        let bytes = URL_SAFE_NO_PAD
            .decode(token.trim())
            .map_err(|e| CapError::Malformed(format!("not base64url: {e}")))?;
        let mut r = Reader { b: &bytes, at: 0 };
        let version = r.u8("version")?;
        if version != VERSION {
            return Err(CapError::Version(version));
        }
        let board = Uuid::from_bytes(r.array("board")?);
        let level = match r.u8("level")? {
            1 => Level::View,
            2 => Level::Comment,
            3 => Level::Edit,
            other => return Err(CapError::Malformed(format!("unknown level {other}"))),
        };
        let link_id = Uuid::from_bytes(r.array("link id")?);
        let issued_at = i64::from_be_bytes(r.array("issued at")?);
        let flags = r.u8("flags")?;
        if flags & !(FLAG_EXPIRY | FLAG_SUBJECT) != 0 {
            return Err(CapError::Malformed(format!("unknown flags {flags:#x}")));
        }
        let expires_at = if flags & FLAG_EXPIRY != 0 {
            Some(i64::from_be_bytes(r.array("expiry")?))
        } else {
            None
        };
        let subject = if flags & FLAG_SUBJECT != 0 {
            Some(r.array("subject")?)
        } else {
            None
        };
        let sig: [u8; 64] = r.array("signature")?;
        if r.at != bytes.len() {
            return Err(CapError::Malformed(
                "trailing bytes after the signature".into(),
            ));
        }
        Ok((
            Capability {
                board,
                level,
                link_id,
                issued_at,
                expires_at,
                subject,
            },
            sig,
        ))
    }

    /// Verifies a token for `board` against the owner's key at time `now` (Unix seconds), for
    /// a presenter holding `presenter` (their public key, if they proved it).
    pub fn verify(
        token: &str,
        board: Uuid,
        owner: &VerifyingKey,
        now: i64,
        presenter: Option<&[u8; 32]>,
    ) -> Result<Capability, CapError> {
        let (cap, sig) = Self::decode_unverified(token)?;
        let sig = Signature::from_bytes(&sig);
        owner
            .verify_strict(&[SIGN_DOMAIN, &cap.body()].concat(), &sig)
            .map_err(|_| CapError::BadSignature)?;
        if cap.board != board {
            return Err(CapError::WrongBoard(cap.board));
        }
        if let Some(exp) = cap.expires_at
            && now >= exp
        {
            return Err(CapError::Expired(exp));
        }
        if let Some(subject) = &cap.subject
            && presenter != Some(subject)
        {
            return Err(CapError::NotForYou);
        }
        Ok(cap)
    }
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn u8(&mut self, what: &str) -> Result<u8, CapError> {
        Ok(self.array::<1>(what)?[0])
    }

    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], CapError> {
        let end = self.at + N;
        let s = self
            .b
            .get(self.at..end)
            .ok_or_else(|| CapError::Malformed(format!("truncated at the {what}")))?;
        self.at = end;
        Ok(s.try_into().expect("slice of length N"))
    }
}

/// A new Ed25519 key pair from the OS's random source.
pub fn generate_key() -> SigningKey {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).expect("the OS random source works");
    SigningKey::from_bytes(&seed)
}

/// A board id bound to its owner's key: a version-8 UUID of SHA-256(domain, key, salt). A relay
/// accepts the first registration of a room only with the key and salt that give its id.
pub fn board_id_for(owner: &VerifyingKey, salt: &[u8; 16]) -> Uuid {
    let digest = sha2::Sha256::digest([BOARD_ID_DOMAIN, owner.as_bytes(), salt].concat());
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(b).into_uuid()
}

/// The owner's proof for registering `board`: a signature over the board id and salt.
pub fn sign_registration(owner: &SigningKey, board: Uuid, salt: &[u8; 16]) -> [u8; 64] {
    owner
        .sign(&[REGISTER_DOMAIN, board.as_bytes(), salt].concat())
        .to_bytes()
}

/// Checks a registration: the id derives from the key and salt, and the key signed it.
pub fn verify_registration(
    board: Uuid,
    owner: &VerifyingKey,
    salt: &[u8; 16],
    signature: &[u8; 64],
) -> bool {
    board_id_for(owner, salt) == board
        && owner
            .verify_strict(
                &[REGISTER_DOMAIN, board.as_bytes(), salt].concat(),
                &Signature::from_bytes(signature),
            )
            .is_ok()
}

/// A parsed share link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShareLink {
    pub board: Uuid,
    /// The relay (or host) to reach the board through, if the link names one.
    pub relay: Option<String>,
    pub token: String,
}

impl ShareLink {
    pub fn to_url(&self) -> String {
        let mut s = format!("easel://board/{}", self.board);
        if let Some(r) = &self.relay {
            s.push_str("?relay=");
            s.push_str(&crate::sync::percent_encode(r));
        }
        s.push_str("#cap=");
        s.push_str(&self.token);
        s
    }

    /// Parses `easel://board/<uuid>?relay=<ws-url>#cap=<token>`, naming the first bad field.
    pub fn parse(link: &str) -> Result<ShareLink, CapError> {
        let bad = |field: &'static str, message: String| CapError::Link { field, message };
        let link = link.trim();
        if link.len() > 4096 {
            return Err(bad("link", "longer than 4096 characters".into()));
        }
        let rest = link
            .strip_prefix("easel://board/")
            .ok_or_else(|| bad("scheme", "a share link starts with easel://board/".into()))?;
        let (before_hash, fragment) = rest
            .split_once('#')
            .ok_or_else(|| bad("cap", "the link has no #cap=… part".into()))?;
        let (path, query) = match before_hash.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (before_hash, None),
        };
        let board = Uuid::parse_str(path.trim_end_matches('/'))
            .map_err(|e| bad("board", format!("{path:?} is not a board id: {e}")))?;
        let mut relay = None;
        if let Some(q) = query {
            for pair in q.split('&').filter(|p| !p.is_empty()) {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                match k {
                    "relay" => {
                        let url = percent_decode(v)
                            .ok_or_else(|| bad("relay", "bad percent-encoding".into()))?;
                        crate::sync::room_url(&url, &board.to_string(), &[])
                            .map_err(|e| bad("relay", e.to_string()))?;
                        relay = Some(url);
                    }
                    other => return Err(bad("query", format!("unknown parameter {other:?}"))),
                }
            }
        }
        let token = fragment
            .strip_prefix("cap=")
            .ok_or_else(|| bad("cap", "the part after # must be cap=<token>".into()))?;
        let (cap, _) =
            Capability::decode_unverified(token).map_err(|e| bad("cap", e.to_string()))?;
        if cap.board != board {
            return Err(bad(
                "cap",
                format!("it grants board {}, not {board}", cap.board),
            ));
        }
        Ok(ShareLink {
            board,
            relay,
            token: token.to_string(),
        })
    }
}

fn percent_decode(s: &str) -> Option<String> {
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

    fn cap(board: Uuid) -> Capability {
        Capability {
            board,
            level: Level::Comment,
            link_id: Uuid::new_v4(),
            issued_at: 1_800_000_000,
            expires_at: Some(1_800_086_400),
            subject: None,
        }
    }

    #[test]
    fn a_signed_capability_verifies_and_round_trips() {
        let owner = generate_key();
        let salt = [7u8; 16];
        let board = board_id_for(&owner.verifying_key(), &salt);
        assert_eq!(board.get_version_num(), 8);
        let c = cap(board);
        let token = c.sign(&owner);
        assert!(token.len() < 220, "{}", token.len());
        let got =
            Capability::verify(&token, board, &owner.verifying_key(), 1_800_000_100, None).unwrap();
        assert_eq!(got, c);
    }

    #[test]
    fn forged_expired_misdirected_and_mangled_tokens_are_refused() {
        let owner = generate_key();
        let other = generate_key();
        let board = Uuid::new_v4();
        let now = 1_800_000_100;
        let token = cap(board).sign(&owner);
        let pk = owner.verifying_key();
        assert_eq!(
            Capability::verify(&cap(board).sign(&other), board, &pk, now, None),
            Err(CapError::BadSignature)
        );
        assert_eq!(
            Capability::verify(&token, board, &pk, 1_800_086_400, None),
            Err(CapError::Expired(1_800_086_400))
        );
        assert!(matches!(
            Capability::verify(&token, Uuid::new_v4(), &pk, now, None),
            Err(CapError::WrongBoard(_))
        ));
        // Raising the level in the token breaks the signature.
        let mut raw = URL_SAFE_NO_PAD.decode(&token).unwrap();
        raw[17] = 3;
        let raised = URL_SAFE_NO_PAD.encode(&raw);
        assert_eq!(
            Capability::verify(&raised, board, &pk, now, None),
            Err(CapError::BadSignature)
        );
        for bad in [
            &token[..token.len() - 4],
            "!!!",
            "",
            &format!("{token}AAAA"),
        ] {
            assert!(
                matches!(
                    Capability::verify(bad, board, &pk, now, None),
                    Err(CapError::Malformed(_))
                ),
                "{bad}"
            );
        }
        // A capability for one subject serves nobody else.
        let alice = generate_key().verifying_key().to_bytes();
        let mut c = cap(board);
        c.subject = Some(alice);
        let t = c.sign(&owner);
        assert!(Capability::verify(&t, board, &pk, now, Some(&alice)).is_ok());
        assert_eq!(
            Capability::verify(&t, board, &pk, now, None),
            Err(CapError::NotForYou)
        );
    }

    #[test]
    fn registration_binds_the_board_id_to_the_owner_key() {
        let owner = generate_key();
        let squatter = generate_key();
        let salt = [1u8; 16];
        let board = board_id_for(&owner.verifying_key(), &salt);
        let sig = sign_registration(&owner, board, &salt);
        assert!(verify_registration(
            board,
            &owner.verifying_key(),
            &salt,
            &sig
        ));
        // Someone who learned the id cannot register it with their own key.
        let sig2 = sign_registration(&squatter, board, &salt);
        assert!(!verify_registration(
            board,
            &squatter.verifying_key(),
            &salt,
            &sig2
        ));
        assert!(!verify_registration(
            board,
            &owner.verifying_key(),
            &[2u8; 16],
            &sig
        ));
    }

    #[test]
    fn share_links_round_trip_and_name_the_bad_field() {
        let owner = generate_key();
        let board = Uuid::new_v4();
        let link = ShareLink {
            board,
            relay: Some("ws://relay.example:8787".into()),
            token: cap(board).sign(&owner),
        };
        let url = link.to_url();
        assert!(url.starts_with(&format!("easel://board/{board}?relay=ws%3A%2F%2F")));
        assert_eq!(ShareLink::parse(&url).unwrap(), link);
        let field = |s: &str| match ShareLink::parse(s) {
            Err(CapError::Link { field, .. }) => field,
            other => panic!("{s}: {other:?}"),
        };
        assert_eq!(field("https://x"), "scheme");
        assert_eq!(field(&format!("easel://board/{board}")), "cap");
        assert_eq!(field("easel://board/nope#cap=x"), "board");
        assert_eq!(
            field(&format!(
                "easel://board/{board}?relay=http%3A%2F%2Fx#cap={}",
                link.token
            )),
            "relay"
        );
        assert_eq!(
            field(&format!("easel://board/{board}?evil=1#cap={}", link.token)),
            "query"
        );
        assert_eq!(field(&format!("easel://board/{board}#cap=AAAA")), "cap");
        assert_eq!(
            field(&format!(
                "easel://board/{}#cap={}",
                Uuid::new_v4(),
                link.token
            )),
            "cap"
        );
    }
}
