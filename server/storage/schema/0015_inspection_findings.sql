-- Which checklist item a hazard was found at: one hazard per failed item of an inspection, whether the server made
-- it when the inspection was signed or a phone made it offline and synced it later (never both).
ALTER TABLE hazards ADD COLUMN inspection_item TEXT;
UPDATE hazards SET inspection_item = (
    SELECT json_extract(e.detail, '$.item') FROM hazard_events e
    WHERE e.hazard_id = hazards.id AND e.kind = 'created' ORDER BY e.id LIMIT 1)
WHERE inspection_id IS NOT NULL;
CREATE UNIQUE INDEX hazards_one_per_inspection_item ON hazards(inspection_id, inspection_item)
    WHERE inspection_item IS NOT NULL;
-- The unit's acknowledgement of the rectification notice (整改通知书): who signed for the unit, and when.
ALTER TABLE inspections ADD COLUMN unit_signed_by TEXT;
ALTER TABLE inspections ADD COLUMN unit_signed_at REAL
