-- Forward up (server/upstream/forward_box.py, forward_cloud.py; docs/operations.md "Site box and cloud").
--
-- Both sides. A commissioning record's change marker: its insert and every change of what the cloud keeps of it
-- take the next number, so the box finds the records changed since its cursor with one index seek (a record's
-- steps change several times before its completion time is set, so the times alone would miss changes).
ALTER TABLE commissionings ADD COLUMN change_seq INTEGER;
UPDATE commissionings SET change_seq = id;
CREATE INDEX commissionings_change ON commissionings(change_seq);
CREATE TRIGGER forward_commissioning_insert AFTER INSERT ON commissionings BEGIN UPDATE commissionings SET change_seq = (SELECT IFNULL(MAX(change_seq), 0) + 1 FROM commissionings) WHERE id = NEW.id; END;
CREATE TRIGGER forward_commissioning_update AFTER UPDATE OF address, model, device_id, state, steps, answers, signed_by, signature, created_by, completed_at ON commissionings BEGIN UPDATE commissionings SET change_seq = (SELECT IFNULL(MAX(change_seq), 0) + 1 FROM commissionings) WHERE id = NEW.id; END;
--
-- Box side. The batch sent and not acknowledged yet: sent again as it is (the same batch id and body) until the
-- cloud answers, so a box that dies between sending and moving its cursors doubles nothing. ``advance``: what the
-- answer moves (JSON: cursor positions, held items it carried, the late bucket's progress, attachments it cites);
-- ``readings_to``: the newest reading position it carries (readings that arrive behind it are late).
CREATE TABLE upstream_pending (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    batch_id TEXT NOT NULL,
    body BLOB NOT NULL,
    advance TEXT NOT NULL,
    readings_to TEXT,
    full INTEGER NOT NULL,
    created_at REAL NOT NULL
);
-- Items the cloud could not take yet (a device it does not know before the mirror brought it), sent again in
-- later rounds: the item as msgpack, its size (readings or minutes in it; 1 for others), the cloud's words.
CREATE TABLE upstream_held (
    id INTEGER PRIMARY KEY,
    stream TEXT NOT NULL,
    item BLOB NOT NULL,
    size INTEGER NOT NULL,
    error TEXT NOT NULL,
    held_at REAL NOT NULL,
    tried_at REAL NOT NULL
);
CREATE INDEX upstream_held_stream ON upstream_held(stream, id);
-- How often a late bucket was marked: one marked again while it was being sent is sent whole once more.
ALTER TABLE upstream_late ADD COLUMN marks INTEGER NOT NULL DEFAULT 1;
