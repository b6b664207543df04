-- Relays and hosts a board syncs with, remembered by `easel connect` and used by `easel sync`.

CREATE TABLE board_remotes (
    board_id TEXT(36) NOT NULL REFERENCES boards (id) ON DELETE CASCADE,
    -- The server's base URL, ws://host:port; the board's room is appended when connecting.
    url      TEXT NOT NULL CHECK (length(url) BETWEEN 6 AND 2048),
    kind     TEXT NOT NULL CHECK (kind IN ('relay', 'host')),
    added_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (board_id, url)
) WITHOUT ROWID;
