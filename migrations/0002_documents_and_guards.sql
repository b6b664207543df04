-- The CRDT's storage, and guards that SQL constraints alone do not give. The guards use
-- IF NOT EXISTS because a database adopted from an older build may already have some of them.

-- SQL UNIQUE treats NULLs as distinct, so UNIQUE (board_id, user_id) lets a board have many
-- public rows. A partial unique index allows exactly one.
CREATE UNIQUE INDEX IF NOT EXISTS board_permissions_one_public
    ON board_permissions (board_id) WHERE user_id IS NULL;

-- The audit log is append-only: no statement may change or remove a row.
CREATE TRIGGER IF NOT EXISTS audit_logs_no_update BEFORE UPDATE ON audit_logs
BEGIN
    SELECT RAISE(ABORT, 'audit_logs is append-only');
END;
CREATE TRIGGER IF NOT EXISTS audit_logs_no_delete BEFORE DELETE ON audit_logs
BEGIN
    SELECT RAISE(ABORT, 'audit_logs is append-only');
END;

-- Every acknowledged change to a board's document, as a Yjs v1 update, in commit order.
CREATE TABLE board_updates (
    board_id   TEXT(36) NOT NULL REFERENCES boards (id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL CHECK (seq > 0),
    data       BLOB NOT NULL,
    created_at INTEGER NOT NULL, -- Unix milliseconds
    PRIMARY KEY (board_id, seq)
) WITHOUT ROWID;

-- An edit touches its board, inside SQLite, so the group-commit writer needs no extra statement.
CREATE TRIGGER board_updates_touch_board AFTER INSERT ON board_updates
BEGIN
    UPDATE boards SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = NEW.board_id;
END;

-- Full document states. The newest one plus the updates after its `upto_seq` is the board;
-- older ones (named, or automatic) are the board's history.
CREATE TABLE board_snapshots (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    board_id      TEXT(36) NOT NULL REFERENCES boards (id) ON DELETE CASCADE,
    -- NULL for automatic snapshots; a user-given name otherwise.
    name          TEXT CHECK (name IS NULL OR length(name) BETWEEN 1 AND 200),
    -- The snapshot holds every update of this board with seq <= upto_seq.
    upto_seq      INTEGER NOT NULL,
    state         BLOB NOT NULL,
    state_vector  BLOB NOT NULL,
    element_count INTEGER NOT NULL,
    created_by    TEXT(36),
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX board_snapshots_board ON board_snapshots (board_id, id);
