-- What `--auth capabilities` remembers: each board's pinned owner key, and revoked links.

-- The key that registered a board (its id derives from the key and a salt). Pinned: a later
-- registration with another key is refused.
CREATE TABLE board_owners (
    board         TEXT(36) NOT NULL PRIMARY KEY CHECK (length(board) = 36),
    owner_key     BLOB NOT NULL CHECK (length(owner_key) = 32),
    registered_at INTEGER NOT NULL -- Unix milliseconds
) WITHOUT ROWID;

-- Links their owner withdrew, with the signed revocation as received (anyone can re-check it).
CREATE TABLE revoked_links (
    board       TEXT(36) NOT NULL CHECK (length(board) = 36),
    link_id     TEXT(36) NOT NULL CHECK (length(link_id) = 36),
    revoked_at  INTEGER NOT NULL, -- Unix seconds, as signed
    revocation  BLOB NOT NULL,
    received_at INTEGER NOT NULL, -- Unix milliseconds
    PRIMARY KEY (board, link_id)
) WITHOUT ROWID;
