-- GB/T 26875.3 receiving: andian as a monitoring centre (server/gb26875, docs/gb26875.md "Receiving").
--
-- Frames received that are not readings or alarm states (the device's own state, operations, versions, user-defined
-- units, units that do not follow the standard...), kept with their bytes. Bounded: the last 10,000 per gateway.
CREATE TABLE gb26875_events (
    id INTEGER PRIMARY KEY,
    gateway_id INTEGER NOT NULL REFERENCES gateways(id),
    received_at REAL NOT NULL,
    device_time TEXT,            -- the frame's time label as the box wrote it (its local time), ISO 8601, or NULL
    command INTEGER NOT NULL,
    type INTEGER,                -- the data unit's type flag; NULL for an empty unit
    serial INTEGER NOT NULL,
    summary TEXT NOT NULL,       -- JSON: the decoded objects, or why they could not be decoded
    raw BLOB NOT NULL,           -- the whole frame
    digest TEXT NOT NULL         -- sha256 of the frame: a box's resend of the same frame is kept once
);
CREATE UNIQUE INDEX gb26875_events_digest ON gb26875_events(gateway_id, digest);
CREATE INDEX gb26875_events_gateway ON gb26875_events(gateway_id, id);
-- Per gateway: user-defined analogue types (128–255) → a channel key and a scale (value = raw × scale).
CREATE TABLE gb26875_mapping (
    gateway_id INTEGER NOT NULL REFERENCES gateways(id),
    analogue_type INTEGER NOT NULL,
    channel TEXT NOT NULL,
    scale REAL NOT NULL DEFAULT 1,
    PRIMARY KEY (gateway_id, analogue_type)
);
-- Per gateway: counters and the last frame, flushed every few seconds by the receiver (not one write per frame).
CREATE TABLE gb26875_status (
    gateway_id INTEGER PRIMARY KEY REFERENCES gateways(id),
    frames INTEGER NOT NULL DEFAULT 0,
    confirms INTEGER NOT NULL DEFAULT 0,
    denials INTEGER NOT NULL DEFAULT 0,
    rejected INTEGER NOT NULL DEFAULT 0,
    events INTEGER NOT NULL DEFAULT 0,
    takeovers INTEGER NOT NULL DEFAULT 0,
    last_frame_at REAL,
    last_frame TEXT              -- JSON {"command","type","serial","hex"}
);
-- Commands the centre sent to a box (查岗, time sync, initialise) and what became of them.
CREATE TABLE gb26875_commands (
    id INTEGER PRIMARY KEY,
    gateway_id INTEGER NOT NULL REFERENCES gateways(id),
    kind TEXT NOT NULL,
    serial INTEGER NOT NULL,
    sent_at REAL NOT NULL,
    state TEXT NOT NULL,         -- sent, confirmed, denied, answered, no_answer
    answered_at REAL,
    attempts INTEGER NOT NULL DEFAULT 1,
    created_by INTEGER REFERENCES users(id)
);
CREATE INDEX gb26875_commands_gateway ON gb26875_commands(gateway_id, id);
