-- The relay's own store: one SQLite file per relay, separate from the app's boards database.

-- Every room the relay has persisted something for.
CREATE TABLE rooms (
    name       TEXT NOT NULL PRIMARY KEY,
    created_at INTEGER NOT NULL, -- Unix milliseconds
    updated_at INTEGER NOT NULL  -- Unix milliseconds
) WITHOUT ROWID;

-- Every update the relay applied to a room, as a Yjs v1 update, in the order it was applied.
CREATE TABLE room_updates (
    room       TEXT NOT NULL REFERENCES rooms (name) ON DELETE CASCADE,
    seq        INTEGER NOT NULL CHECK (seq > 0),
    data       BLOB NOT NULL,
    created_at INTEGER NOT NULL, -- Unix milliseconds
    PRIMARY KEY (room, seq)
) WITHOUT ROWID;

-- The compacted state of a room: a full-state v1 update holding every update with
-- seq <= upto_seq. One per room; a newer compaction replaces it.
CREATE TABLE room_snapshots (
    room       TEXT NOT NULL PRIMARY KEY REFERENCES rooms (name) ON DELETE CASCADE,
    upto_seq   INTEGER NOT NULL,
    state      BLOB NOT NULL,
    created_at INTEGER NOT NULL -- Unix milliseconds
) WITHOUT ROWID;
