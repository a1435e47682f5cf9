-- Checklists by reference (issue 21, P6): the items an inspection was started with are kept once per distinct
-- copy (template id, version and items) instead of in every inspection, and an inspection names its copy. A pull
-- sends each copy once (entity `checklist`) and inspections by reference. A template edited later makes a new
-- copy when an inspection starts with it; older inspections keep theirs. The twin of postgresql/0031_checklists.sql.
CREATE TABLE checklists (
    id INTEGER PRIMARY KEY,
    template_id TEXT NOT NULL,
    template_version INTEGER NOT NULL,
    items TEXT NOT NULL
);
CREATE INDEX checklists_template ON checklists(template_id, template_version);
-- Every caller's pull brings every checklist copy, once, in the order they were made: logged at no site (0).
CREATE TRIGGER sync_checklist_insert AFTER INSERT ON checklists BEGIN INSERT INTO sync_log (entity, local_id, site_id) VALUES ('checklist', NEW.id, 0); END;
INSERT INTO checklists (template_id, template_version, items) SELECT template_id, template_version, items FROM inspections GROUP BY template_id, template_version, items ORDER BY MIN(id);
ALTER TABLE inspections ADD COLUMN checklist_id INTEGER REFERENCES checklists(id);
-- Naming the copy changes no inspection as a device sees it: not logged again (phones keep their items).
DROP TRIGGER sync_inspection_update;
UPDATE inspections SET checklist_id = (SELECT c.id FROM checklists c WHERE c.template_id = inspections.template_id AND c.template_version = inspections.template_version AND c.items = inspections.items);
CREATE TRIGGER sync_inspection_update AFTER UPDATE ON inspections BEGIN DELETE FROM sync_log WHERE entity = 'inspection' AND local_id = NEW.id; INSERT INTO sync_log (entity, local_id, site_id) VALUES ('inspection', NEW.id, NEW.site_id); END;
ALTER TABLE inspections DROP COLUMN items;
