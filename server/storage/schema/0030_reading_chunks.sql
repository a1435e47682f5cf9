-- Raw readings in packed per-channel chunks (issue 21): one row per channel per ingest batch per 10-minute bucket,
-- ts ascending inside, ts and value packed as big-endian float64 (server/storage/chunks.py). A reading costs 16
-- bytes and no row of its own; a channel's range is still one seek per bucket. The migration (migrations.py) packs
-- the old rows, one chunk per (bucket, channel), and drops `readings`.
CREATE TABLE reading_chunks (
    bucket INTEGER NOT NULL,
    channel_id INTEGER NOT NULL,
    t0 REAL NOT NULL,
    t1 REAL NOT NULL,
    n INTEGER NOT NULL,
    ts BLOB NOT NULL,
    value BLOB NOT NULL,
    PRIMARY KEY (bucket, channel_id, t0)
) WITHOUT ROWID;
