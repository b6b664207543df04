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

use crate::Level;

const VERSION: u8 = 1;
const SIGN_DOMAIN: &[u8] = b"easel-capability-v1";
const PRESENCE_DOMAIN: &[u8] = b"easel-key-presence-v2";
const REVOKE_DOMAIN: &[u8] = b"easel-revocation-v1";
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
    #[error("the key proof's time {0} is too far from the server's clock (more than 5 minutes)")]
    StaleProof(i64),
    #[error("the key proof's signature does not verify")]
    BadProof,
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

/// Checks a registration: the board id derives from the key and salt. Together with a fresh
/// [`KeyProof`] by that key, it proves the registrant owns the board.
pub fn verify_registration(board: Uuid, owner: &VerifyingKey, salt: &[u8; 16]) -> bool {
    board_id_for(owner, salt) == board
}

/// How far a [`KeyProof`]'s timestamp may be from the server's clock, in seconds.
pub const PROOF_WINDOW_SECS: i64 = 300;

/// A fresh proof that the connecting party holds a key: its signature over the board id, the
/// current time and a random nonce. Sent as the query parameters `key`, `ts`, `nonce` and
/// `proof` with every connection, so the server knows the owner (and the subject of a
/// capability issued to one person) without any secret crossing the wire. A server takes each
/// proof once: it remembers the nonces it saw within [`PROOF_WINDOW_SECS`], so a proof copied
/// from a URL (a log, a plain `ws://` connection) cannot be replayed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyProof {
    pub key: [u8; 32],
    pub ts: i64,
    pub nonce: [u8; 16],
    pub sig: [u8; 64],
}

impl KeyProof {
    /// Signs a proof for `board` at time `ts` (Unix seconds) with a fresh random nonce.
    pub fn new(key: &SigningKey, board: Uuid, ts: i64) -> KeyProof {
        let mut nonce = [0u8; 16];
        getrandom::fill(&mut nonce).expect("the OS random source works");
        Self::with_nonce(key, board, ts, nonce)
    }

    /// Signs a proof with the given nonce (tests; everything else uses [`KeyProof::new`]).
    pub fn with_nonce(key: &SigningKey, board: Uuid, ts: i64, nonce: [u8; 16]) -> KeyProof {
        let sig = key.sign(&Self::message(board, ts, &nonce)).to_bytes();
        KeyProof {
            key: key.verifying_key().to_bytes(),
            ts,
            nonce,
            sig,
        }
    }

    fn message(board: Uuid, ts: i64, nonce: &[u8; 16]) -> Vec<u8> {
        [PRESENCE_DOMAIN, board.as_bytes(), &ts.to_be_bytes(), nonce].concat()
    }

    /// The query parameters carrying this proof.
    pub fn to_params(&self) -> Vec<(String, String)> {
        vec![
            ("key".into(), URL_SAFE_NO_PAD.encode(self.key)),
            ("ts".into(), self.ts.to_string()),
            ("nonce".into(), URL_SAFE_NO_PAD.encode(self.nonce)),
            ("proof".into(), URL_SAFE_NO_PAD.encode(self.sig)),
        ]
    }

    /// Reads a proof from query parameters: `None` when there is none, an error naming the
    /// parameter when one is malformed.
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> Result<Option<KeyProof>, CapError> {
        let (Some(key), Some(ts), Some(sig)) = (get("key"), get("ts"), get("proof")) else {
            if get("key").is_some() || get("proof").is_some() {
                return Err(CapError::Malformed(
                    "a key proof needs the parameters key, ts and proof".into(),
                ));
            }
            return Ok(None);
        };
        let key = decode_fixed::<32>(&key, "key")?;
        let sig = decode_fixed::<64>(&sig, "proof")?;
        let ts = ts
            .parse::<i64>()
            .map_err(|_| CapError::Malformed("ts is not a number".into()))?;
        let nonce = get("nonce").ok_or_else(|| {
            CapError::Malformed(
                "a key proof needs a nonce (this Easel is older than the server; update it)".into(),
            )
        })?;
        let nonce = decode_fixed::<16>(&nonce, "nonce")?;
        Ok(Some(KeyProof {
            key,
            ts,
            nonce,
            sig,
        }))
    }

    /// Checks the proof for `board` at server time `now`; returns the proven key.
    pub fn verify(&self, board: Uuid, now: i64) -> Result<VerifyingKey, CapError> {
        if (now - self.ts).abs() > PROOF_WINDOW_SECS {
            return Err(CapError::StaleProof(self.ts));
        }
        let key = VerifyingKey::from_bytes(&self.key)
            .map_err(|_| CapError::Malformed("key is not an Ed25519 public key".into()))?;
        key.verify_strict(
            &Self::message(board, self.ts, &self.nonce),
            &Signature::from_bytes(&self.sig),
        )
        .map_err(|_| CapError::BadProof)?;
        Ok(key)
    }
}

/// Decodes base64url of exactly `N` bytes, naming `what` on failure.
pub fn decode_fixed<const N: usize>(s: &str, what: &str) -> Result<[u8; N], CapError> {
    let b = URL_SAFE_NO_PAD
        .decode(s.trim())
        .map_err(|_| CapError::Malformed(format!("{what} is not base64url")))?;
    b.try_into()
        .map_err(|_| CapError::Malformed(format!("{what} is not {N} bytes")))
}

/// The owner's signed withdrawal of a link: relays and hosts that see it close the link's
/// connections and refuse it from then on. Wire form (104 bytes): `board(16) link_id(16)
/// revoked_at(8, BE secs) signature(64)`, the signature over a domain tag and the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Revocation {
    pub board: Uuid,
    pub link_id: Uuid,
    pub revoked_at: i64,
}

/// Length of an encoded [`Revocation`].
pub const REVOCATION_LEN: usize = 104;

impl Revocation {
    fn body(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(40);
        b.extend_from_slice(self.board.as_bytes());
        b.extend_from_slice(self.link_id.as_bytes());
        b.extend_from_slice(&self.revoked_at.to_be_bytes());
        b
    }

    /// Signs and encodes the revocation.
    pub fn sign(&self, owner: &SigningKey) -> Vec<u8> {
        let body = self.body();
        let sig = owner.sign(&[REVOKE_DOMAIN, &body].concat());
        [body.as_slice(), &sig.to_bytes()].concat()
    }

    /// Decodes a revocation without checking the signature.
    pub fn decode(bytes: &[u8]) -> Result<(Revocation, [u8; 64]), CapError> {
        if bytes.len() != REVOCATION_LEN {
            return Err(CapError::Malformed(format!(
                "a revocation is {REVOCATION_LEN} bytes, not {}",
                bytes.len()
            )));
        }
        let mut r = Reader { b: bytes, at: 0 };
        let rev = Revocation {
            board: Uuid::from_bytes(r.array("board")?),
            link_id: Uuid::from_bytes(r.array("link id")?),
            revoked_at: i64::from_be_bytes(r.array("revoked at")?),
        };
        Ok((rev, r.array("signature")?))
    }

    /// Decodes and checks a revocation against the board owner's key.
    pub fn verify(bytes: &[u8], owner: &VerifyingKey) -> Result<Revocation, CapError> {
        let (rev, sig) = Self::decode(bytes)?;
        owner
            .verify_strict(
                &[REVOKE_DOMAIN, &rev.body()].concat(),
                &Signature::from_bytes(&sig),
            )
            .map_err(|_| CapError::BadSignature)?;
        Ok(rev)
    }
}

/// A parsed share link: `easel://board/<uuid>?relay=<ws-url>&owner=<key>&salt=<salt>
/// &by=<name>&title=<title>#cap=<token>`. Everything but the board and the token is optional;
/// `owner` and `salt` (which derive the board id) let the person joining check the link's
/// signature before anything is fetched, and name who issued it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShareLink {
    pub board: Uuid,
    /// The relay (or host) to reach the board through, if the link names one.
    pub relay: Option<String>,
    /// The board owner's public key and the salt that derive the board id from it.
    #[serde(serialize_with = "ser_key")]
    pub owner: Option<[u8; 32]>,
    #[serde(skip)]
    pub salt: Option<[u8; 16]>,
    /// The owner's display name and the board's title when the link was made (informative).
    pub by: Option<String>,
    pub title: Option<String>,
    pub token: String,
}

/// The longest `by` or `title` a link may carry.
const MAX_LINK_TEXT: usize = 200;

impl ShareLink {
    pub fn to_url(&self) -> String {
        use crate::url::percent_encode as enc;
        let mut s = format!("easel://board/{}", self.board);
        let mut params: Vec<(&str, String)> = Vec::new();
        if let Some(r) = &self.relay {
            params.push(("relay", enc(r)));
        }
        if let (Some(k), Some(salt)) = (&self.owner, &self.salt) {
            params.push(("owner", URL_SAFE_NO_PAD.encode(k)));
            params.push(("salt", URL_SAFE_NO_PAD.encode(salt)));
        }
        if let Some(by) = &self.by {
            params.push(("by", enc(by)));
        }
        if let Some(t) = &self.title {
            params.push(("title", enc(t)));
        }
        for (i, (k, v)) in params.iter().enumerate() {
            s.push(if i == 0 { '?' } else { '&' });
            s.push_str(k);
            s.push('=');
            s.push_str(v);
        }
        s.push_str("#cap=");
        s.push_str(&self.token);
        s
    }

    /// The capability the link carries, checked against the owner key the link names (which
    /// must derive the board id) at time `now`. A link without an owner key can only be
    /// checked by the server.
    pub fn verify(&self, now: i64, presenter: Option<&[u8; 32]>) -> Result<Capability, CapError> {
        let Some(owner) = &self.owner else {
            return Ok(Capability::decode_unverified(&self.token)?.0);
        };
        let key = VerifyingKey::from_bytes(owner).map_err(|_| CapError::Link {
            field: "owner",
            message: "not an Ed25519 public key".into(),
        })?;
        Capability::verify(&self.token, self.board, &key, now, presenter)
    }

    /// Parses a share link, naming the first bad field.
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
        let mut out = ShareLink {
            board,
            relay: None,
            owner: None,
            salt: None,
            by: None,
            title: None,
            token: String::new(),
        };
        if let Some(q) = query {
            for pair in q.split('&').filter(|p| !p.is_empty()) {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                match k {
                    "relay" => {
                        let url = crate::url::percent_decode(v)
                            .ok_or_else(|| bad("relay", "bad percent-encoding".into()))?;
                        crate::url::room_url(&url, &board.to_string(), &[])
                            .map_err(|e| bad("relay", e.to_string()))?;
                        out.relay = Some(url);
                    }
                    "owner" => {
                        out.owner = Some(
                            decode_fixed::<32>(v, "owner")
                                .map_err(|e| bad("owner", e.to_string()))?,
                        )
                    }
                    "salt" => {
                        out.salt = Some(
                            decode_fixed::<16>(v, "salt")
                                .map_err(|e| bad("salt", e.to_string()))?,
                        )
                    }
                    "by" | "title" => {
                        let field = if k == "by" { "by" } else { "title" };
                        let text = crate::url::percent_decode(v)
                            .ok_or_else(|| bad(field, "bad percent-encoding".into()))?;
                        if text.chars().count() > MAX_LINK_TEXT
                            || text.chars().any(char::is_control)
                        {
                            return Err(bad(
                                field,
                                format!(
                                    "at most {MAX_LINK_TEXT} characters, no control characters"
                                ),
                            ));
                        }
                        if k == "by" {
                            out.by = Some(text);
                        } else {
                            out.title = Some(text);
                        }
                    }
                    other => return Err(bad("query", format!("unknown parameter {other:?}"))),
                }
            }
        }
        match (&out.owner, &out.salt) {
            (Some(k), Some(salt)) => {
                let key = VerifyingKey::from_bytes(k)
                    .map_err(|_| bad("owner", "not an Ed25519 public key".into()))?;
                if board_id_for(&key, salt) != board {
                    return Err(bad(
                        "owner",
                        "the board id is not derived from this owner key and salt".into(),
                    ));
                }
            }
            (None, None) => {}
            _ => return Err(bad("owner", "owner and salt come together".into())),
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
        out.token = token.to_string();
        if let Some(k) = &out.owner {
            let key = VerifyingKey::from_bytes(k).expect("checked above");
            let sig = Capability::decode_unverified(token)?.1;
            key.verify_strict(
                &[SIGN_DOMAIN, &cap.body()].concat(),
                &Signature::from_bytes(&sig),
            )
            .map_err(|_| {
                bad(
                    "cap",
                    "its signature does not verify against the owner key (forged or altered)"
                        .into(),
                )
            })?;
        }
        Ok(out)
    }
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
    fn registration_and_key_proofs_bind_the_board_id_to_the_owner_key() {
        let owner = generate_key();
        let squatter = generate_key();
        let salt = [1u8; 16];
        let board = board_id_for(&owner.verifying_key(), &salt);
        assert!(verify_registration(board, &owner.verifying_key(), &salt));
        // Someone who learned the id cannot register it with their own key or another salt.
        assert!(!verify_registration(
            board,
            &squatter.verifying_key(),
            &salt
        ));
        assert!(!verify_registration(
            board,
            &owner.verifying_key(),
            &[2u8; 16]
        ));

        let now = 1_800_000_000;
        let proof = KeyProof::new(&owner, board, now);
        let params = proof.to_params();
        let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        let back = KeyProof::from_params(get).unwrap().unwrap();
        assert_eq!(back, proof);
        assert_eq!(back.verify(board, now + 10).unwrap(), owner.verifying_key());
        assert_eq!(
            back.verify(board, now + 301),
            Err(CapError::StaleProof(now))
        );
        assert_eq!(back.verify(Uuid::new_v4(), now), Err(CapError::BadProof));
        let mut forged = back.clone();
        forged.key = squatter.verifying_key().to_bytes();
        assert_eq!(forged.verify(board, now), Err(CapError::BadProof));
        assert_eq!(KeyProof::from_params(|_| None), Ok(None));
        assert!(KeyProof::from_params(|k| (k == "key").then(|| "x".to_string())).is_err());
    }

    #[test]
    fn revocations_verify_only_with_the_owner_key() {
        let owner = generate_key();
        let rev = Revocation {
            board: Uuid::new_v4(),
            link_id: Uuid::new_v4(),
            revoked_at: 1_800_000_000,
        };
        let bytes = rev.sign(&owner);
        assert_eq!(bytes.len(), REVOCATION_LEN);
        assert_eq!(Revocation::verify(&bytes, &owner.verifying_key()), Ok(rev));
        assert_eq!(
            Revocation::verify(&bytes, &generate_key().verifying_key()),
            Err(CapError::BadSignature)
        );
        let mut altered = bytes.clone();
        altered[20] ^= 1;
        assert_eq!(
            Revocation::verify(&altered, &owner.verifying_key()),
            Err(CapError::BadSignature)
        );
        assert!(matches!(
            Revocation::verify(&bytes[..50], &owner.verifying_key()),
            Err(CapError::Malformed(_))
        ));
    }

    #[test]
    fn share_links_round_trip_and_name_the_bad_field() {
        let owner = generate_key();
        let salt = [9u8; 16];
        let board = board_id_for(&owner.verifying_key(), &salt);
        let link = ShareLink {
            board,
            relay: Some("ws://relay.example:8787".into()),
            owner: Some(owner.verifying_key().to_bytes()),
            salt: Some(salt),
            by: Some("Ada Lovelace".into()),
            title: Some("Sprint & plans".into()),
            token: cap(board).sign(&owner),
        };
        let url = link.to_url();
        assert!(url.starts_with(&format!("easel://board/{board}?relay=ws%3A%2F%2F")));
        assert_eq!(ShareLink::parse(&url).unwrap(), link);
        assert!(link.verify(1_800_000_100, None).is_ok());
        // A relay on the internet, over TLS, round-trips the same way.
        let mut secure = link.clone();
        secure.relay = Some("wss://relay.example".into());
        let url = secure.to_url();
        assert!(url.contains("?relay=wss%3A%2F%2Frelay.example&"), "{url}");
        assert_eq!(ShareLink::parse(&url).unwrap(), secure);
        // A token signed by someone else, under the real owner's key: refused on parse.
        let mut forged = link.clone();
        forged.token = cap(board).sign(&generate_key());
        assert!(matches!(
            ShareLink::parse(&forged.to_url()),
            Err(CapError::Link { field: "cap", .. })
        ));
        // An owner key that does not derive the id (someone else's board id).
        let mut squat = link.clone();
        squat.owner = Some(generate_key().verifying_key().to_bytes());
        assert!(matches!(
            ShareLink::parse(&squat.to_url()),
            Err(CapError::Link { field: "owner", .. })
        ));
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
