-- Rooms' documents move into the document log easel-log keeps (`doc_updates`,
-- `doc_snapshots`, created by the log's own migrations, which run first): the schema the app's
-- store uses, a room's name being its document's. Every row moves as it is.

INSERT INTO doc_updates (doc, seq, data, created_at)
    SELECT room, seq, data, created_at FROM room_updates;
INSERT INTO doc_snapshots (doc, upto_seq, state, name, meta, created_at)
    SELECT room, upto_seq, state, NULL, NULL, created_at FROM room_snapshots WHERE upto_seq > 0;

DROP TABLE room_snapshots;
DROP TABLE room_updates;
DROP TABLE rooms;
