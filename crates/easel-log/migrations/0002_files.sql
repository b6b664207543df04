-- Image files beside documents, content-addressed: `hash` is the hex SHA-256 of `data`. A file
-- is stored once however many documents (and their snapshots) name it; `doc_files` says which
-- documents hold it (a board's id on the app's file, a room on a relay's). A file no document
-- holds any more is marked `orphaned_at` and deleted a grace period later (undo, offline peers).

CREATE TABLE files (
    hash        TEXT PRIMARY KEY CHECK (length(hash) = 64),
    mime        TEXT NOT NULL CHECK (length(mime) BETWEEN 1 AND 100),
    size        INTEGER NOT NULL CHECK (size >= 0),
    data        BLOB NOT NULL,
    created_at  INTEGER NOT NULL, -- Unix milliseconds
    orphaned_at INTEGER           -- Unix milliseconds; NULL while a document holds it
);
CREATE INDEX files_orphaned ON files (orphaned_at) WHERE orphaned_at IS NOT NULL;

CREATE TABLE doc_files (
    doc      TEXT NOT NULL CHECK (length(doc) BETWEEN 1 AND 512),
    hash     TEXT NOT NULL REFERENCES files (hash),
    added_at INTEGER NOT NULL, -- Unix milliseconds
    PRIMARY KEY (doc, hash)
) WITHOUT ROWID;
CREATE INDEX doc_files_hash ON doc_files (hash);
