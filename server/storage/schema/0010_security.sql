-- Security and resilience (issue 15): idempotency keys belong to their sender, login failures are counted per
-- (account, client), and an attachment remembers everyone who uploaded its bytes (a hash is not a capability).
CREATE TABLE ingest_batches_by_sender (
    sender TEXT NOT NULL,
    batch_id TEXT NOT NULL,
    received_at REAL NOT NULL,
    accepted INTEGER NOT NULL,
    rejected TEXT NOT NULL,
    PRIMARY KEY (sender, batch_id)
);
-- Batches recorded before senders were kept cannot be told apart; they answer no sender any more.
INSERT INTO ingest_batches_by_sender (sender, batch_id, received_at, accepted, rejected)
    SELECT 'unknown', batch_id, received_at, accepted, rejected FROM ingest_batches;
DROP TABLE ingest_batches;
ALTER TABLE ingest_batches_by_sender RENAME TO ingest_batches;
CREATE INDEX ingest_batches_received ON ingest_batches(received_at);
-- The client a failed login came from ('' when unknown); the lock-out counts per (username, client).
ALTER TABLE login_failures ADD COLUMN client TEXT NOT NULL DEFAULT '';
CREATE INDEX login_failures_username_client_ts ON login_failures(username, client, ts);
CREATE TABLE attachment_uploads (
    sha256 TEXT NOT NULL REFERENCES attachments(sha256),
    user_id INTEGER NOT NULL REFERENCES users(id),
    uploaded_at REAL NOT NULL,
    PRIMARY KEY (sha256, user_id)
);
INSERT INTO attachment_uploads (sha256, user_id, uploaded_at)
    SELECT sha256, created_by, created_at FROM attachments WHERE created_by IS NOT NULL
