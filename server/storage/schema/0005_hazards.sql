-- Hazards (隐患) and their timeline: every transition and comment is an event, with its photos. Attachments are
-- content-addressed: the bytes live in files named by their sha256 (server/storage/attachments.py).
CREATE TABLE attachments (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    created_at REAL NOT NULL,
    created_by INTEGER REFERENCES users(id)
);
CREATE TABLE hazards (
    id INTEGER PRIMARY KEY,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    severity TEXT NOT NULL,
    source TEXT NOT NULL,
    alarm_id INTEGER REFERENCES alarms(id),
    commissioning_id INTEGER REFERENCES commissionings(id),
    state TEXT NOT NULL DEFAULT 'open',
    assignee_id INTEGER REFERENCES users(id),
    due_at REAL NOT NULL,
    created_by INTEGER REFERENCES users(id),
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    rectified_by INTEGER REFERENCES users(id),
    rectified_at REAL,
    verified_by INTEGER REFERENCES users(id),
    verified_at REAL,
    closed_at REAL,
    overdue_notified_at REAL
);
CREATE INDEX hazards_site ON hazards(site_id, state);
CREATE INDEX hazards_due ON hazards(due_at) WHERE state IN ('open', 'assigned');
CREATE UNIQUE INDEX hazards_one_per_alarm ON hazards(alarm_id) WHERE alarm_id IS NOT NULL;
CREATE TABLE hazard_events (
    id INTEGER PRIMARY KEY,
    hazard_id INTEGER NOT NULL REFERENCES hazards(id),
    ts REAL NOT NULL,
    actor_id INTEGER REFERENCES users(id),
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX hazard_events_hazard ON hazard_events(hazard_id, id);
CREATE TABLE hazard_event_attachments (
    event_id INTEGER NOT NULL REFERENCES hazard_events(id),
    sha256 TEXT NOT NULL REFERENCES attachments(sha256),
    PRIMARY KEY (event_id, sha256)
);
CREATE INDEX hazard_event_attachments_sha ON hazard_event_attachments(sha256);
CREATE TABLE site_hazard_rules (
    site_id INTEGER PRIMARY KEY REFERENCES sites(id),
    rules TEXT NOT NULL
)
