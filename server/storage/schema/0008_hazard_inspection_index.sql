-- The hazards an inspection made, looked up for every inspection a sync pull sends.
CREATE INDEX hazards_inspection ON hazards(inspection_id) WHERE inspection_id IS NOT NULL
