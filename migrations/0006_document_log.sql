-- Boards' documents move into the document log easel-log keeps (`doc_updates`,
-- `doc_snapshots`, created by the log's own migrations, which run first): one schema keyed by
-- document, the one a relay uses. A board's content is the document named by its id, its
-- comments `<id>/comments`. Every row moves as it is; seqs and snapshot ids are kept.

INSERT INTO doc_updates (doc, seq, data, created_at)
    SELECT board_id, seq, data, created_at FROM board_updates;
INSERT INTO doc_updates (doc, seq, data, created_at)
    SELECT board_id || '/comments', seq, data, created_at FROM comment_updates;

INSERT INTO doc_snapshots (id, doc, upto_seq, state, name, meta, created_at)
    SELECT id, board_id, upto_seq, state, name,
           json_object('elementCount', element_count, 'createdBy', created_by),
           CAST(round((julianday(created_at) - 2440587.5) * 86400000.0) AS INTEGER)
      FROM board_snapshots;
INSERT INTO doc_snapshots (doc, upto_seq, state, name, meta, created_at)
    SELECT board_id || '/comments', upto_seq, state, NULL, NULL,
           CAST(round((julianday(created_at) - 2440587.5) * 86400000.0) AS INTEGER)
      FROM comment_snapshots;

DROP TRIGGER board_updates_touch_board;
DROP TABLE board_updates;
DROP TABLE board_snapshots;
DROP TABLE comment_updates;
DROP TABLE comment_snapshots;

-- A board's list position follows its last edit, as before (its comments do not move it).
CREATE TRIGGER doc_updates_touch_board AFTER INSERT ON doc_updates
BEGIN
    UPDATE boards SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = NEW.doc;
END;

-- What the foreign keys to `boards` guaranteed, kept for the log's tables: a board's documents
-- are written only while the board exists, and go with it when it is deleted (a purge).
CREATE TRIGGER doc_updates_need_board BEFORE INSERT ON doc_updates
WHEN NOT EXISTS (SELECT 1 FROM boards WHERE id = substr(NEW.doc, 1, 36))
BEGIN
    SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: no board holds this document');
END;
CREATE TRIGGER doc_snapshots_need_board BEFORE INSERT ON doc_snapshots
WHEN NOT EXISTS (SELECT 1 FROM boards WHERE id = substr(NEW.doc, 1, 36))
BEGIN
    SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: no board holds this document');
END;
CREATE TRIGGER boards_delete_documents AFTER DELETE ON boards
BEGIN
    DELETE FROM doc_updates WHERE doc IN (OLD.id, OLD.id || '/comments');
    DELETE FROM doc_snapshots WHERE doc IN (OLD.id, OLD.id || '/comments');
END;
