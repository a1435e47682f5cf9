-- Minute and hour aggregates share one shape: a bucket's count, min, max and sum per channel.
CREATE TABLE {table} (
    channel_id INTEGER NOT NULL,
    start INTEGER NOT NULL,
    n INTEGER NOT NULL,
    vmin REAL NOT NULL,
    vmax REAL NOT NULL,
    vsum REAL NOT NULL,
    PRIMARY KEY (channel_id, start)
) WITHOUT ROWID;
