-- Sharing: board ids bound to their owner's key, the links an owner issued, and the
-- capabilities the local user holds on boards others own.

-- The salt that, with the owner's public key, derives the board id (a version-8 UUID); NULL for
-- a board made before identities existed, until it is first shared.
ALTER TABLE boards ADD COLUMN id_salt BLOB CHECK (id_salt IS NULL OR length(id_salt) = 16);
-- A board re-keyed when first shared keeps its old row as an alias of the new id, so old ids
-- still resolve and its audit trail (which has no foreign key) stays reachable.
ALTER TABLE boards ADD COLUMN alias_of TEXT(36) REFERENCES boards (id);

-- Links the local user issued on the boards they own.
CREATE TABLE share_links (
    link_id    TEXT(36) PRIMARY KEY NOT NULL CHECK (length(link_id) = 36),
    board_id   TEXT(36) NOT NULL REFERENCES boards (id) ON DELETE CASCADE,
    level      TEXT NOT NULL CHECK (level IN ('VIEW', 'COMMENT', 'EDIT')),
    -- NULL: anyone with the link; else the only user who may use it.
    subject_id TEXT(36) REFERENCES users (id),
    relay      TEXT,
    token      TEXT NOT NULL,
    issued_at  INTEGER NOT NULL, -- Unix seconds, as signed
    expires_at INTEGER,          -- Unix seconds, as signed
    issued_by  TEXT(36) NOT NULL REFERENCES users (id),
    revoked_at INTEGER,          -- Unix seconds, as signed
    -- The signed revocation, delivered to every relay and host the board syncs with.
    revocation BLOB,
    CHECK ((revoked_at IS NULL) = (revocation IS NULL))
);
CREATE INDEX share_links_board ON share_links (board_id, issued_at);

-- Capabilities the local user joined boards with (one per board: the latest join wins).
CREATE TABLE board_capabilities (
    board_id  TEXT(36) PRIMARY KEY NOT NULL REFERENCES boards (id) ON DELETE CASCADE,
    token     TEXT NOT NULL,
    link_id   TEXT(36) NOT NULL,
    level     TEXT NOT NULL CHECK (level IN ('VIEW', 'COMMENT', 'EDIT')),
    -- The owner's public key (base64url), against which the token verified.
    owner_key TEXT NOT NULL,
    relay     TEXT,
    expires_at INTEGER,
    joined_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) WITHOUT ROWID;
