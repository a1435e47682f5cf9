-- The operator's alarm console (issue 18): an owner's request to switch a circuit off remotely, answered by the
-- monitoring centre with a trip (the control's audit entry) or declined with a note.
CREATE TABLE power_off_requests (
    id INTEGER PRIMARY KEY,
    alarm_id INTEGER NOT NULL REFERENCES alarms(id),
    site_id INTEGER NOT NULL REFERENCES sites(id),
    device_id INTEGER NOT NULL REFERENCES devices(id),
    requested_by INTEGER NOT NULL REFERENCES users(id),
    requested_at REAL NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    -- pending, tripped (the breaker read back open) or declined
    state TEXT NOT NULL DEFAULT 'pending',
    decided_by INTEGER REFERENCES users(id),
    decided_at REAL,
    decision_note TEXT NOT NULL DEFAULT '',
    -- the audit entry of the remote trip that answered it (and of failed attempts before, the last one)
    control_id INTEGER
);
CREATE INDEX power_off_requests_alarm ON power_off_requests(alarm_id);
CREATE UNIQUE INDEX power_off_requests_one_pending ON power_off_requests(alarm_id) WHERE state = 'pending';
CREATE INDEX power_off_requests_site_state ON power_off_requests(site_id, state);
-- The console's queue across a company's sites, newest first.
CREATE INDEX alarms_started ON alarms(started_at);
