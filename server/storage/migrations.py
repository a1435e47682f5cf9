"""The schema, changed only through sqlite-utils ``Migrations``. Append new migrations; never edit old ones.

DDL is plain SQL so that a PostgreSQL backend can follow with the same shapes.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import sqlite_utils
from sqlite_utils.migrations import Migrations

from server.storage.chunks import BUCKET_S, group
from server.storage.database import connect

__all__ = ["migrations", "statements", "upgrade"]

migrations = Migrations("andian")
SCHEMA = Path(__file__).parent / "schema"


def _sql(name: str) -> str:
    """A migration's DDL, kept as a file in schema/ (SQL, so a PostgreSQL backend can follow the same shapes)."""
    return (SCHEMA / f"{name}.sql").read_text("utf-8")


def statements(script: str) -> list[str]:
    """The statements of an SQL script, cut where SQLite's own parser says one is complete
    (``sqlite3.complete_statement``: a ``;`` inside a string literal or a trigger body does not end one)."""
    out: list[str] = []
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            out.append(pending.strip())
            pending = ""
    if pending.strip():
        out.append(pending.strip())  # a last statement without its ";"
    return [s for s in out if s.rstrip(";").strip()]


def _run(db: sqlite_utils.Database, script: str) -> None:
    """A script's statements one by one, inside the migration's transaction (``executescript`` would commit)."""
    for statement in statements(script):
        db.execute(statement)


def _plain(name: str) -> None:
    """Register a migration that runs its schema/ file as it is."""

    @migrations(name=name)
    def apply(db: sqlite_utils.Database) -> None:
        _run(db, _sql(name))


_plain("0001_foundation")


@migrations(name="0002_readings_alarms")
def _readings_alarms(db: sqlite_utils.Database) -> None:
    # Minute and hour aggregates share one shape (schema/aggregate.sql).
    aggregates = "".join(_sql("aggregate").format(table=t) for t in ("readings_minute", "readings_hour"))
    _run(db, _sql("0002_readings_alarms").replace("{AGGREGATES}", aggregates))


# In order; append new ones, never edit or reorder.
for _name in ("0003_bluetooth", "0004_notifications", "0005_hazards", "0006_inspections", "0007_sync",
              "0008_hazard_inspection_index", "0009_trustworthy_alarms", "0010_security",
              "0011_device_links", "0012_console", "0013_phone_calls", "0014_channel_labels",
              "0015_inspection_findings", "0016_commissioning_signature",
              "0019_sync_hazard_scope",
              "0020_inspection_unit_signature", "0021_upstream", "0022_mirror", "0023_forward",
              "0024_forward_identity", "0025_gb26875_gateways", "0026_gb26875_receive",
              "0027_gb26875_uplink",
              "0028_gb26875_uplink_fixes", "0029_workers"):
    _plain(_name)


@migrations(name="0030_reading_chunks")
def _reading_chunks(db: sqlite_utils.Database) -> None:
    """Raw readings into packed chunks, one per (bucket, channel), read in key order a block at a time."""
    _run(db, _sql("0030_reading_chunks"))
    cursor = db.execute("SELECT channel_id, ts, value FROM readings ORDER BY bucket, channel_id, ts")
    carry: list[tuple[int, float, float]] = []
    while True:
        block = cursor.fetchmany(100_000)
        rows = carry + block
        if not rows:
            break
        table = np.asarray(rows, dtype=np.float64)
        channel_id, ts = table[:, 0].astype(np.int64), table[:, 1]
        if block:  # the block's last (bucket, channel) may go on in the next block
            bucket = np.floor_divide(ts, BUCKET_S).astype(np.int64)
            last = np.flatnonzero((bucket != bucket[-1]) | (channel_id != channel_id[-1]))
            cut = int(last[-1]) + 1 if last.shape[0] else 0
        else:
            cut = len(rows)
        carry = rows[cut:]
        db.conn.executemany("INSERT INTO reading_chunks (bucket, channel_id, t0, t1, n, ts, value) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?)", group(channel_id[:cut], ts[:cut], table[:cut, 2]))
        if not block:
            break
    db.execute("DROP TABLE readings")


_plain("0031_checklists")


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
