-- Offline sync (docs/sync.md). Each push's mutations are remembered by id, so a replayed push changes nothing;
-- records made on a device keep the id the device gave them; scalar fields written through sync keep the stamp
-- (HLC) that set them, for last-writer-wins; checklist answers keep theirs too.
CREATE TABLE sync_mutations (
    mutation_id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id),
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    op TEXT NOT NULL,
    hlc TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT,
    received_at REAL NOT NULL
);
CREATE INDEX sync_mutations_client ON sync_mutations(client_id, hlc);
CREATE TABLE sync_ids (
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    local_id INTEGER NOT NULL,
    PRIMARY KEY (entity, entity_id)
);
CREATE UNIQUE INDEX sync_ids_local ON sync_ids(entity, local_id);
CREATE TABLE sync_stamps (
    entity TEXT NOT NULL,
    local_id INTEGER NOT NULL,
    field TEXT NOT NULL,
    hlc TEXT NOT NULL,
    PRIMARY KEY (entity, local_id, field)
);
ALTER TABLE inspection_answers ADD COLUMN hlc TEXT;
-- What changed, for pull: one row per record, moved to the end of the log by every change (triggers, so no
-- write path can forget it; DELETE then INSERT, because an upsert's conflict policy would override a REPLACE). The row's seq is the record's version and the pull cursor's position.
CREATE TABLE sync_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    entity TEXT NOT NULL,
    local_id INTEGER NOT NULL,
    site_id INTEGER NOT NULL
);
CREATE UNIQUE INDEX sync_log_record ON sync_log(entity, local_id);
CREATE INDEX sync_log_site ON sync_log(site_id);
-- The sites a pull's caller could see, by a hash of their ids: a cursor names one, so the next pull knows which
-- sites left the caller's scope (tombstones) and which joined it (sent again from the start).
CREATE TABLE sync_scopes (
    hash TEXT PRIMARY KEY,
    site_ids TEXT NOT NULL
);
CREATE TRIGGER sync_hazard_insert AFTER INSERT ON hazards BEGIN DELETE FROM sync_log WHERE entity = 'hazard' AND local_id = NEW.id; INSERT INTO sync_log (entity, local_id, site_id) VALUES ('hazard', NEW.id, NEW.site_id); END;
CREATE TRIGGER sync_hazard_update AFTER UPDATE ON hazards BEGIN DELETE FROM sync_log WHERE entity = 'hazard' AND local_id = NEW.id; INSERT INTO sync_log (entity, local_id, site_id) VALUES ('hazard', NEW.id, NEW.site_id); END;
CREATE TRIGGER sync_hazard_event AFTER INSERT ON hazard_events BEGIN DELETE FROM sync_log WHERE entity = 'hazard' AND local_id = NEW.hazard_id; INSERT INTO sync_log (entity, local_id, site_id) SELECT 'hazard', id, site_id FROM hazards WHERE id = NEW.hazard_id; END;
CREATE TRIGGER sync_inspection_insert AFTER INSERT ON inspections BEGIN DELETE FROM sync_log WHERE entity = 'inspection' AND local_id = NEW.id; INSERT INTO sync_log (entity, local_id, site_id) VALUES ('inspection', NEW.id, NEW.site_id); END;
CREATE TRIGGER sync_inspection_update AFTER UPDATE ON inspections BEGIN DELETE FROM sync_log WHERE entity = 'inspection' AND local_id = NEW.id; INSERT INTO sync_log (entity, local_id, site_id) VALUES ('inspection', NEW.id, NEW.site_id); END;
CREATE TRIGGER sync_answer_insert AFTER INSERT ON inspection_answers BEGIN DELETE FROM sync_log WHERE entity = 'inspection' AND local_id = NEW.inspection_id; INSERT INTO sync_log (entity, local_id, site_id) SELECT 'inspection', id, site_id FROM inspections WHERE id = NEW.inspection_id; END;
CREATE TRIGGER sync_answer_update AFTER UPDATE ON inspection_answers BEGIN DELETE FROM sync_log WHERE entity = 'inspection' AND local_id = NEW.inspection_id; INSERT INTO sync_log (entity, local_id, site_id) SELECT 'inspection', id, site_id FROM inspections WHERE id = NEW.inspection_id; END;
INSERT INTO sync_log (entity, local_id, site_id) SELECT 'hazard', id, site_id FROM hazards ORDER BY id;
INSERT INTO sync_log (entity, local_id, site_id) SELECT 'inspection', id, site_id FROM inspections ORDER BY id
