-- Raw readings in packed per-channel chunks (issue 21; SQLite's twin says more), partitioned by UTC day: one
-- partition per 144 buckets, named reading_chunks_dYYYYMMDD, made by the writers as needed
-- (server/storage/partitions.py) and dropped whole by retention. No DEFAULT partition.
CREATE TABLE reading_chunks (
    bucket BIGINT NOT NULL,
    channel_id BIGINT NOT NULL,
    t0 DOUBLE PRECISION NOT NULL,
    t1 DOUBLE PRECISION NOT NULL,
    n BIGINT NOT NULL,
    ts BYTEA NOT NULL,
    value BYTEA NOT NULL,
    PRIMARY KEY (bucket, channel_id, t0)
) PARTITION BY RANGE (bucket);
DO $$
DECLARE
    d BIGINT;
BEGIN
    FOR d IN SELECT DISTINCT floor(bucket / 144.0) FROM readings LOOP
        EXECUTE format('CREATE TABLE reading_chunks_d%s PARTITION OF reading_chunks FOR VALUES FROM (%s) TO (%s)',
                       to_char(to_timestamp(d * 86400) AT TIME ZONE 'UTC', 'YYYYMMDD'), d * 144, (d + 1) * 144);
    END LOOP;
END
$$;
INSERT INTO reading_chunks (bucket, channel_id, t0, t1, n, ts, value)
SELECT bucket, channel_id, MIN(ts), MAX(ts), COUNT(*), string_agg(float8send(ts), '' ORDER BY ts),
       string_agg(float8send(value), '' ORDER BY ts)
FROM readings GROUP BY bucket, channel_id;
DROP TABLE readings;
