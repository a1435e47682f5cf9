-- Readings are keyed time-first: (10-minute bucket, channel, ts). Inserts land in the current bucket's small,
-- cache-resident part of the B-tree instead of all over a channel-first index, and a per-channel range is one
-- seek per bucket. bench/ingest.py measures both.
ALTER TABLE devices ADD COLUMN poll_interval_s REAL NOT NULL DEFAULT 30;
ALTER TABLE devices ADD COLUMN last_seen_at REAL;
CREATE TABLE readings (
    bucket INTEGER NOT NULL,
    channel_id INTEGER NOT NULL,
    ts REAL NOT NULL,
    value REAL NOT NULL,
    PRIMARY KEY (bucket, channel_id, ts)
) WITHOUT ROWID;
{AGGREGATES}CREATE TABLE rollup_marks (
    name TEXT PRIMARY KEY,
    value REAL NOT NULL
);
CREATE TABLE rollup_dirty (
    minute INTEGER PRIMARY KEY
);
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    device_id INTEGER NOT NULL REFERENCES devices(id),
    kind TEXT NOT NULL,
    ts REAL NOT NULL,
    count INTEGER NOT NULL,
    received_at REAL NOT NULL
);
CREATE INDEX events_device_ts ON events(device_id, ts);
CREATE TABLE ingest_batches (
    batch_id TEXT PRIMARY KEY,
    received_at REAL NOT NULL,
    accepted INTEGER NOT NULL,
    rejected TEXT NOT NULL
);
CREATE INDEX ingest_batches_received ON ingest_batches(received_at);
CREATE TABLE alarms (
    id INTEGER PRIMARY KEY,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    device_id INTEGER NOT NULL REFERENCES devices(id),
    channel_id INTEGER REFERENCES channels(id),
    cause TEXT NOT NULL,
    level TEXT NOT NULL,
    started_at REAL NOT NULL,
    cleared_at REAL,
    peak REAL,
    threshold REAL,
    detail TEXT NOT NULL DEFAULT '{}',
    acknowledged_at REAL,
    acknowledged_by INTEGER REFERENCES users(id),
    ack_note TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX alarms_one_active ON alarms(device_id, IFNULL(channel_id, 0), cause) WHERE cleared_at IS NULL;
CREATE INDEX alarms_site_started ON alarms(site_id, started_at);
CREATE INDEX alarms_active ON alarms(cleared_at) WHERE cleared_at IS NULL;
CREATE TABLE alarm_transitions (
    id INTEGER PRIMARY KEY,
    alarm_id INTEGER NOT NULL REFERENCES alarms(id),
    ts REAL NOT NULL,
    transition TEXT NOT NULL,
    level TEXT NOT NULL,
    value REAL
);
CREATE INDEX alarm_transitions_alarm ON alarm_transitions(alarm_id);
CREATE TABLE detector_state (
    channel_id INTEGER PRIMARY KEY REFERENCES channels(id),
    state BLOB NOT NULL
)
