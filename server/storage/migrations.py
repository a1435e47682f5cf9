"""The schema, changed only through sqlite-utils ``Migrations``. Append new migrations; never edit old ones.

DDL is plain SQL so that a PostgreSQL backend can follow with the same shapes.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils
from sqlite_utils.migrations import Migrations

from .database import connect

__all__ = ["migrations", "upgrade"]

migrations = Migrations("andian")


def _run(db: sqlite_utils.Database, script: str) -> None:
    """Statements separated by ``;`` at line ends, run one by one inside the migration's transaction."""
    for statement in script.split(";\n"):
        if statement.strip():
            db.execute(statement)


@migrations(name="0001_foundation")
def _foundation(db: sqlite_utils.Database) -> None:
    _run(db, _FOUNDATION)


_FOUNDATION = """
CREATE TABLE companies (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    hotline TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL
);
CREATE TABLE regions (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    parent TEXT REFERENCES regions(code),
    level TEXT NOT NULL,
    path TEXT NOT NULL
);
CREATE INDEX regions_path ON regions(path);
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    display_name TEXT NOT NULL,
    phone TEXT NOT NULL DEFAULT '',
    company_id INTEGER REFERENCES companies(id),
    department TEXT,
    created_at REAL NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE user_regions (
    user_id INTEGER NOT NULL REFERENCES users(id),
    region_code TEXT NOT NULL REFERENCES regions(code),
    PRIMARY KEY (user_id, region_code)
);
CREATE TABLE tokens (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    revoked_at REAL
);
CREATE INDEX tokens_user ON tokens(user_id);
CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL,
    ts REAL NOT NULL
);
CREATE INDEX login_failures_username_ts ON login_failures(username, ts);
CREATE TABLE sites (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions(code),
    venue_type TEXT NOT NULL,
    key_unit INTEGER NOT NULL DEFAULT 0,
    owner_id INTEGER REFERENCES users(id),
    company_id INTEGER REFERENCES companies(id),
    lat REAL,
    lon REAL,
    created_at REAL NOT NULL,
    created_by INTEGER REFERENCES users(id)
);
CREATE INDEX sites_owner ON sites(owner_id);
CREATE INDEX sites_company ON sites(company_id);
CREATE INDEX sites_region ON sites(region_code);
CREATE TABLE devices (
    id INTEGER PRIMARY KEY,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    serial TEXT NOT NULL UNIQUE,
    model TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    circuit TEXT NOT NULL DEFAULT '',
    rated_current_a REAL,
    ble_address TEXT,
    state TEXT NOT NULL DEFAULT 'registered',
    created_at REAL NOT NULL
);
CREATE INDEX devices_site ON devices(site_id);
CREATE TABLE channels (
    id INTEGER PRIMARY KEY,
    device_id INTEGER NOT NULL REFERENCES devices(id),
    key TEXT NOT NULL,
    settings TEXT NOT NULL,
    UNIQUE (device_id, key)
);
CREATE TABLE gateways (
    id INTEGER PRIMARY KEY,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    key_prefix TEXT NOT NULL,
    created_at REAL NOT NULL,
    created_by INTEGER REFERENCES users(id),
    revoked_at REAL,
    last_seen_at REAL
);
CREATE INDEX gateways_site ON gateways(site_id);
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    ts REAL NOT NULL,
    actor_id INTEGER,
    action TEXT NOT NULL,
    object TEXT NOT NULL,
    object_id INTEGER,
    detail TEXT NOT NULL DEFAULT '{}'
)
"""



@migrations(name="0002_readings_alarms")
def _readings_alarms(db: sqlite_utils.Database) -> None:
    aggregates = "".join(_AGGREGATE.format(table=t) for t in ("readings_minute", "readings_hour"))
    _run(db, _READINGS_ALARMS.replace("{AGGREGATES}", aggregates))


# Minute and hour aggregates share one shape: a bucket's count, min, max and sum per channel.
_AGGREGATE = """CREATE TABLE {table} (
    channel_id INTEGER NOT NULL,
    start INTEGER NOT NULL,
    n INTEGER NOT NULL,
    vmin REAL NOT NULL,
    vmax REAL NOT NULL,
    vsum REAL NOT NULL,
    PRIMARY KEY (channel_id, start)
) WITHOUT ROWID;
"""


# Readings are keyed time-first: (10-minute bucket, channel, ts). Inserts land in the current bucket's small,
# cache-resident part of the B-tree instead of all over a channel-first index, and a per-channel range is one
# seek per bucket. bench/ingest.py measures both.
_READINGS_ALARMS = """
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
"""

@migrations(name="0003_bluetooth")
def _bluetooth(db: sqlite_utils.Database) -> None:
    _run(db, _BLUETOOTH)


# A breaker's last known position, and the installer's commissioning records (steps as JSON: the flow's
# order lives in code, server/sitebox/commissioning.py).
_BLUETOOTH = """ALTER TABLE devices ADD COLUMN switch TEXT;
CREATE INDEX devices_ble_address ON devices(ble_address);
CREATE TABLE commissionings (
    id INTEGER PRIMARY KEY,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    address TEXT NOT NULL,
    model TEXT NOT NULL,
    device_id INTEGER REFERENCES devices(id),
    state TEXT NOT NULL DEFAULT 'in_progress',
    steps TEXT NOT NULL,
    answers TEXT,
    signed_by TEXT,
    created_by INTEGER REFERENCES users(id),
    created_at REAL NOT NULL,
    completed_at REAL
);
CREATE INDEX commissionings_site ON commissionings(site_id)
"""


@migrations(name="0004_notifications")
def _notifications(db: sqlite_utils.Database) -> None:
    _run(db, _NOTIFICATIONS)


# The transactional outbox and what the notifier makes of it (server/notify). ``notify_outbox`` holds the
# alarm transitions not yet planned; planning turns each into deliveries, one per (transition, subscription),
# and deletes the row in the same transaction. A delivery is carried by a message (one alarm, a digest or a
# rate-limit summary) that is sent, retried and logged per attempt; its ``key`` stays the same across retries
# and restarts so a receiver can drop a repeat.
_NOTIFICATIONS = """ALTER TABLE alarms ADD COLUMN escalated_tier INTEGER NOT NULL DEFAULT 0;
CREATE TABLE notify_outbox (
    transition_id INTEGER PRIMARY KEY REFERENCES alarm_transitions(id),
    created_at REAL NOT NULL
);
CREATE TABLE subscriptions (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    label TEXT NOT NULL DEFAULT '',
    url_secret BLOB NOT NULL,
    url_masked TEXT NOT NULL,
    scheme TEXT NOT NULL,
    service TEXT NOT NULL,
    site_ids TEXT,
    levels TEXT NOT NULL,
    lang TEXT NOT NULL,
    digest_interval_s REAL NOT NULL,
    quiet_start TEXT,
    quiet_end TEXT,
    created_at REAL NOT NULL,
    deleted_at REAL
);
CREATE INDEX subscriptions_user ON subscriptions(user_id);
CREATE TABLE site_notify_policy (
    site_id INTEGER PRIMARY KEY REFERENCES sites(id),
    escalate_after TEXT NOT NULL
);
CREATE TABLE notify_messages (
    id INTEGER PRIMARY KEY,
    subscription_id INTEGER NOT NULL REFERENCES subscriptions(id),
    kind TEXT NOT NULL,
    key TEXT NOT NULL UNIQUE,
    level TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at REAL NOT NULL,
    created_at REAL NOT NULL,
    sent_at REAL,
    last_error TEXT
);
CREATE INDEX notify_messages_due ON notify_messages(next_at) WHERE state != 'sent';
CREATE INDEX notify_messages_subscription ON notify_messages(subscription_id, created_at);
CREATE TABLE notify_deliveries (
    id INTEGER PRIMARY KEY,
    transition_id INTEGER NOT NULL REFERENCES alarm_transitions(id),
    alarm_id INTEGER NOT NULL REFERENCES alarms(id),
    subscription_id INTEGER NOT NULL REFERENCES subscriptions(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    tier INTEGER NOT NULL,
    mode TEXT NOT NULL,
    due_at REAL NOT NULL,
    after_s REAL,
    message_id INTEGER REFERENCES notify_messages(id),
    created_at REAL NOT NULL,
    UNIQUE (transition_id, subscription_id)
);
CREATE INDEX notify_deliveries_alarm ON notify_deliveries(alarm_id);
CREATE INDEX notify_deliveries_waiting ON notify_deliveries(subscription_id, due_at) WHERE message_id IS NULL;
CREATE INDEX notify_deliveries_message ON notify_deliveries(message_id);
CREATE TABLE notify_attempts (
    id INTEGER PRIMARY KEY,
    message_id INTEGER NOT NULL REFERENCES notify_messages(id),
    ts REAL NOT NULL,
    elapsed_s REAL NOT NULL,
    ok INTEGER NOT NULL,
    results TEXT NOT NULL
);
CREATE INDEX notify_attempts_message ON notify_attempts(message_id);
CREATE TABLE notify_escalations (
    alarm_id INTEGER NOT NULL REFERENCES alarms(id),
    tier INTEGER NOT NULL,
    transition_id INTEGER NOT NULL REFERENCES alarm_transitions(id),
    due_at REAL NOT NULL,
    after_s REAL NOT NULL,
    done_at REAL,
    outcome TEXT,
    PRIMARY KEY (alarm_id, tier)
);
CREATE INDEX notify_escalations_due ON notify_escalations(due_at) WHERE done_at IS NULL
"""


@migrations(name="0005_hazards")
def _hazards(db: sqlite_utils.Database) -> None:
    _run(db, _HAZARDS)


# Hazards (隐患) and their timeline: every transition and comment is an event, with its photos. Attachments are
# content-addressed: the bytes live in files named by their sha256 (server/storage/attachments.py).
_HAZARDS = """CREATE TABLE attachments (
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
"""


@migrations(name="0006_inspections")
def _inspections(db: sqlite_utils.Database) -> None:
    _run(db, _INSPECTIONS)


# An inspection keeps the items it was answered against (a template may change later); answers are one row per
# item, saved as the inspector goes (or synced from the phone), and the failed ones become hazards when signed.
_INSPECTIONS = """CREATE TABLE inspections (
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
"""


def upgrade(path: Path) -> list[str]:
    """Apply pending migrations to the database at ``path``; return the names applied."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn: sqlite3.Connection = connect(path)
    try:
        db = sqlite_utils.Database(conn)
        pending = [m.name for m in migrations.pending(db)]
        migrations.apply(db)
        return pending
    finally:
        conn.close()
