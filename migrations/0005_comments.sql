-- The comments document of each board (a second yrs doc, synced in the room `<board>/comments`),
-- stored like the board's own: an append-only log of Yjs v1 updates in commit order, and a
-- snapshot that compacts it. Comments have no named history, so one snapshot per board suffices.

CREATE TABLE comment_updates (
    board_id   TEXT(36) NOT NULL REFERENCES boards (id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL CHECK (seq > 0),
    data       BLOB NOT NULL,
    created_at INTEGER NOT NULL, -- Unix milliseconds
    PRIMARY KEY (board_id, seq)
) WITHOUT ROWID;

-- The comments document's state covering every update of its board with seq <= upto_seq.
CREATE TABLE comment_snapshots (
    board_id   TEXT(36) PRIMARY KEY NOT NULL REFERENCES boards (id) ON DELETE CASCADE,
    upto_seq   INTEGER NOT NULL CHECK (upto_seq > 0),
    state      BLOB NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) WITHOUT ROWID;
