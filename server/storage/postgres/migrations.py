"""The PostgreSQL schema, kept in step with SQLite's migrations (``storage.migrations``).

This backend began at SQLite's 0028 with one baseline (schema/postgresql/0028_baseline.sql). Every later migration
comes in a pair of the same name: schema/NAME.sql for SQLite and schema/postgresql/NAME.sql here;
tests/test_schema_parity.py checks that both engines end with the same tables, columns, keys and indexes. Several
workers may start at once: an advisory lock lets one of them migrate while the others wait.
"""

from __future__ import annotations

import time
from pathlib import Path

from server.storage.postgres.database import connect

__all__ = ["MIGRATIONS", "upgrade"]

SCHEMA = Path(__file__).resolve().parent.parent / "schema" / "postgresql"
# In order; append new ones (with their SQLite twins), never edit or reorder.
MIGRATIONS = ("0028_baseline", "0029_workers", "0030_reading_chunks", "0031_checklists")
# pg_advisory_xact_lock key: "andian" in ASCII, one lock for every andian process migrating this database.
MIGRATION_LOCK = 0x616E6469616E


def upgrade(url: str) -> list[str]:
    """Apply pending migrations to the database at ``url`` in one transaction; return the names applied."""
    with connect(url) as conn:
        conn.execute("SELECT pg_advisory_xact_lock(%s)", [MIGRATION_LOCK])
        conn.execute("CREATE TABLE IF NOT EXISTS andian_migrations ("
                     "name TEXT PRIMARY KEY, applied_at DOUBLE PRECISION NOT NULL)")
        done = {row[0] for row in conn.execute("SELECT name FROM andian_migrations")}
        applied = []
        for name in MIGRATIONS:
            if name in done:
                continue
            conn.execute((SCHEMA / f"{name}.sql").read_text("utf-8").encode())
            conn.execute("INSERT INTO andian_migrations (name, applied_at) VALUES (%s, %s)", [name, time.time()])
            applied.append(name)
        conn.commit()
        return applied
