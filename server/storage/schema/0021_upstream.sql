-- Site box and cloud as one system (server/upstream, docs/operations.md "Site box and cloud").
--
-- Cloud side. A forwarded alarm keeps the box's identity: ``origin`` is "gateway:{gateway id}/{box alarm id}" and
-- ``origin_seq`` the last box transition applied to it (a resent transition is recognised and skipped).
ALTER TABLE alarms ADD COLUMN origin TEXT;
ALTER TABLE alarms ADD COLUMN origin_seq INTEGER;
CREATE UNIQUE INDEX alarms_origin ON alarms(origin) WHERE origin IS NOT NULL;
-- A device that a site box reads and judges: the cloud stores what the box forwards and judges nothing itself
-- (no detection, no offline alarm of its own; the box's silence is watched through the box's own device).
ALTER TABLE devices ADD COLUMN gateway_id INTEGER REFERENCES gateways(id);
-- The box itself as a device of its site (kind 'gateway'): its silence raises an ``offline`` alarm like any
-- device's. ``backlog``: what the box said it still holds, JSON {stream: count}, and when it said so.
ALTER TABLE gateways ADD COLUMN device_id INTEGER REFERENCES devices(id);
ALTER TABLE gateways ADD COLUMN backlog TEXT;
ALTER TABLE gateways ADD COLUMN backlog_at REAL;
ALTER TABLE gateways ADD COLUMN box_version TEXT;
-- A commissioning record forwarded by a box: "gateway:{gateway id}/{box commissioning id}".
ALTER TABLE commissionings ADD COLUMN origin TEXT;
CREATE UNIQUE INDEX commissionings_origin ON commissionings(origin) WHERE origin IS NOT NULL;
-- Commands from the cloud's console to a box (trip, close, self-test, identify), taken by the box over the
-- connection it keeps open; ``result`` is the box's answer as JSON (outcome, read-back switch, error).
CREATE TABLE upstream_commands (
    id INTEGER PRIMARY KEY,
    gateway_id INTEGER NOT NULL REFERENCES gateways(id),
    device_id INTEGER NOT NULL REFERENCES devices(id),
    action TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    by_user INTEGER REFERENCES users(id),
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    taken_at REAL,
    done_at REAL,
    result TEXT
);
CREATE INDEX upstream_commands_open ON upstream_commands(gateway_id) WHERE done_at IS NULL;
--
-- Both sides. The last value and hybrid-logical-clock stamp of each mirrored field of a device or channel
-- (entity 'device' keyed by serial, 'channel' by "serial/key"): a change is stamped when it is first seen, and the
-- newer stamp wins per field when box and cloud merge (last writer wins, as in the sync protocol).
CREATE TABLE field_stamps (
    entity TEXT NOT NULL,
    key TEXT NOT NULL,
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    hlc TEXT NOT NULL,
    PRIMARY KEY (entity, key, field)
) WITHOUT ROWID;
-- Sites whose devices or channels changed since their fields were last stamped (triggers below).
CREATE TABLE mirror_dirty (
    site_id INTEGER PRIMARY KEY
);
CREATE TRIGGER mirror_device_insert AFTER INSERT ON devices BEGIN INSERT OR IGNORE INTO mirror_dirty (site_id) VALUES (NEW.site_id); END;
CREATE TRIGGER mirror_device_update AFTER UPDATE OF name, circuit, model, kind, link, ble_address, poll_interval_s, rated_current_a, state, site_id ON devices BEGIN INSERT OR IGNORE INTO mirror_dirty (site_id) VALUES (NEW.site_id); END;
CREATE TRIGGER mirror_channel_insert AFTER INSERT ON channels BEGIN INSERT OR IGNORE INTO mirror_dirty (site_id) SELECT site_id FROM devices WHERE id = NEW.device_id; END;
CREATE TRIGGER mirror_channel_update AFTER UPDATE OF settings, label ON channels BEGIN INSERT OR IGNORE INTO mirror_dirty (site_id) SELECT site_id FROM devices WHERE id = NEW.device_id; END;
--
-- Box side. The pairing (``andian box pair URL KEY``; ANDIAN_UPSTREAM_URL/KEY override it), the key sealed like
-- notification URLs; ``site_id`` is the box's own site that mirrors the cloud's.
CREATE TABLE upstream_link (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    url TEXT NOT NULL,
    key_sealed TEXT NOT NULL,
    site_id INTEGER REFERENCES sites(id),
    paired_at REAL NOT NULL
);
-- How far each stream has been forwarded and acknowledged by the cloud (JSON position), durable across restarts.
CREATE TABLE upstream_cursors (
    stream TEXT PRIMARY KEY,
    position TEXT NOT NULL,
    updated_at REAL NOT NULL
);
-- Buckets of raw readings that arrived behind the readings cursor (a device's own buffered history): sent again.
CREATE TABLE upstream_late (
    bucket INTEGER PRIMARY KEY
);
-- Time ranges whose raw readings the bounded backlog dropped before they were forwarded: their minute rollups go
-- up instead.
CREATE TABLE upstream_dropped (
    id INTEGER PRIMARY KEY,
    start REAL NOT NULL,
    end REAL NOT NULL
);
-- Users mirrored from the cloud (so an installer's cloud login works at the box with no WAN): 1 for those.
ALTER TABLE users ADD COLUMN mirrored INTEGER NOT NULL DEFAULT 0;
