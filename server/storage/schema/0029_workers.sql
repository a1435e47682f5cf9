-- Several `andian serve` workers on one PostgreSQL database (server/cluster). Each worker says it is alive every
-- second (seen_at) and which sites its open pages watch; work for a site whose partition another worker owns is
-- handed to that worker through owner_calls and answered there. On SQLite (one process) both stay empty.
CREATE TABLE workers (
    id TEXT PRIMARY KEY,
    started_at REAL NOT NULL,
    seen_at REAL NOT NULL,
    watched TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE owner_calls (
    id INTEGER PRIMARY KEY,
    part INTEGER NOT NULL,
    kind TEXT NOT NULL,
    body BLOB NOT NULL,
    caller TEXT NOT NULL,
    created_at REAL NOT NULL,
    done_at REAL,
    result BLOB
);
CREATE INDEX owner_calls_open ON owner_calls(part, id) WHERE done_at IS NULL;
CREATE INDEX owner_calls_done ON owner_calls(done_at) WHERE done_at IS NOT NULL;
