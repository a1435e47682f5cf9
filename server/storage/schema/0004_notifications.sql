-- The transactional outbox and what the notifier makes of it (server/notify). ``notify_outbox`` holds the
-- alarm transitions not yet planned; planning turns each into deliveries, one per (transition, subscription),
-- and deletes the row in the same transaction. A delivery is carried by a message (one alarm, a digest or a
-- rate-limit summary) that is sent, retried and logged per attempt; its ``key`` stays the same across retries
-- and restarts so a receiver can drop a repeat.
ALTER TABLE alarms ADD COLUMN escalated_tier INTEGER NOT NULL DEFAULT 0;
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
