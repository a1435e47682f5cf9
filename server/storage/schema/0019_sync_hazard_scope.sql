-- Offline sync for electricians (issue 18): a pull's scope may name hazards as well as sites, because an
-- electrician sees only the hazards assigned to them, not every hazard of the sites they see. ``hazard_ids`` is
-- the JSON list of those hazards; NULL (every other role) means every hazard of the scope's sites.
ALTER TABLE sync_scopes ADD COLUMN hazard_ids TEXT;
