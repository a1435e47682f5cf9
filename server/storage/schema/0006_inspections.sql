-- An inspection keeps the items it was answered against (a template may change later); answers are one row per
-- item, saved as the inspector goes (or synced from the phone), and the failed ones become hazards when signed.
CREATE TABLE inspections (
    id INTEGER PRIMARY KEY,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    template_id TEXT NOT NULL,
    template_version INTEGER NOT NULL,
    items TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'in_progress',
    inspector_id INTEGER NOT NULL REFERENCES users(id),
    started_at REAL NOT NULL,
    completed_at REAL,
    signed_by TEXT,
    summary TEXT NOT NULL DEFAULT ''
);
CREATE INDEX inspections_site ON inspections(site_id, started_at);
CREATE TABLE inspection_answers (
    inspection_id INTEGER NOT NULL REFERENCES inspections(id),
    key TEXT NOT NULL,
    answer TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    attachments TEXT NOT NULL DEFAULT '[]',
    answered_at REAL NOT NULL,
    answered_by INTEGER REFERENCES users(id),
    PRIMARY KEY (inspection_id, key)
);
ALTER TABLE hazards ADD COLUMN inspection_id INTEGER REFERENCES inspections(id)
