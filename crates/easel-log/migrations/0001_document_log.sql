-- The document log: one schema keyed by document, shared by the app's store and the relay's.
-- A document is named by a string: a board's id (`<uuid>`), its comments (`<uuid>/comments`),
-- or on a relay in open mode any room name. Its state is the snapshot with the highest
-- `upto_seq` plus every update after it.

CREATE TABLE doc_updates (
    doc        TEXT NOT NULL CHECK (length(doc) BETWEEN 1 AND 512),
    seq        INTEGER NOT NULL CHECK (seq > 0),
    data       BLOB NOT NULL,
    created_at INTEGER NOT NULL, -- Unix milliseconds
    PRIMARY KEY (doc, seq)
) WITHOUT ROWID;

CREATE TABLE doc_snapshots (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    doc        TEXT NOT NULL CHECK (length(doc) BETWEEN 1 AND 512),
    -- The snapshot holds every update of this document with seq <= upto_seq.
    upto_seq   INTEGER NOT NULL CHECK (upto_seq > 0),
    state      BLOB NOT NULL,
    -- NULL for automatic snapshots (compaction bases); a user-given name otherwise.
    name       TEXT CHECK (name IS NULL OR length(name) BETWEEN 1 AND 200),
    -- What the log's owner records beside the state (the app: JSON with the element count and
    -- who took it); opaque to the log.
    meta       TEXT,
    created_at INTEGER NOT NULL -- Unix milliseconds
);
CREATE INDEX doc_snapshots_doc ON doc_snapshots (doc, upto_seq);
