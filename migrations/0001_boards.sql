-- Users, boards, permissions and audit: the data model of the original design note.
-- Ids are UUIDs stored as TEXT(36). Times are UTC ISO-8601 strings with milliseconds, which sort
-- as text.

CREATE TABLE users (
    id           TEXT(36) PRIMARY KEY NOT NULL CHECK (length(id) = 36),
    display_name TEXT NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
    -- The user's Ed25519 public key (base64url); NULL until identities are set up.
    public_key   TEXT UNIQUE,
    -- 1 for the user of this installation; at most one such row (see the index below).
    is_local     INTEGER NOT NULL DEFAULT 0 CHECK (is_local IN (0, 1)),
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE UNIQUE INDEX users_one_local ON users (is_local) WHERE is_local = 1;

CREATE TABLE boards (
    id         TEXT(36) PRIMARY KEY NOT NULL CHECK (length(id) = 36),
    owner_id   TEXT(36) NOT NULL REFERENCES users (id),
    title      TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 512),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    -- Soft delete: the board and its history stay until purged; the owner can undelete.
    deleted_at TEXT
);
CREATE INDEX boards_owner ON boards (owner_id);

CREATE TABLE board_permissions (
    id         INTEGER PRIMARY KEY,
    board_id   TEXT(36) NOT NULL REFERENCES boards (id) ON DELETE CASCADE,
    -- NULL: public access, for anyone who has the board's link.
    user_id    TEXT(36) REFERENCES users (id) ON DELETE CASCADE,
    level      TEXT NOT NULL CHECK (level IN ('VIEW', 'COMMENT', 'EDIT')),
    granted_by TEXT(36) REFERENCES users (id),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    -- Declared here because SQLite cannot add a constraint to an existing table.
    UNIQUE (board_id, user_id)
);

CREATE TABLE audit_logs (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    -- No foreign key: the audit trail outlives a purged board.
    board_id   TEXT(36) NOT NULL,
    -- NULL: an anonymous actor (someone with a public link).
    actor_id   TEXT(36),
    action     TEXT NOT NULL,
    detail     TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(detail)),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX audit_logs_board_time ON audit_logs (board_id, created_at);
