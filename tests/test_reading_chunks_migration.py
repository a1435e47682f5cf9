"""Migration 0030 packs the rows of ``readings`` into chunks, one per (bucket, channel), and drops the table: a
database at 0029 answers the same ranges afterwards, on SQLite (read a block at a time) and on PostgreSQL (packed
in SQL with float8send, into day partitions). Runs on either suite engine: it starts the throwaway cluster itself."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import psycopg
import sqlite_utils

from server.storage import partitions
from server.storage import readings as rsql
from server.storage.backend import transaction
from server.storage.chunks import BUCKET_S
from server.storage.migrations import migrations, upgrade
from server.storage.postgres import migrations as pg_migrations

from . import backends

T0 = 1_796_601_600.0 - 3600.0  # an hour before a UTC midnight
CHANNELS = (2, 5, 9)


def _old_rows() -> list[tuple[int, int, float, float]]:
    """Three channels at 10 Hz over 2.5 hours across midnight: 270,000 rows, more than one block of the SQLite
    migration, a (bucket, channel) group cut by a block's end."""
    ts = T0 + np.arange(90_000) / 10.0
    rows = []
    for channel in CHANNELS:
        values = np.sin(ts / 100.0) * channel
        rows += zip((ts // BUCKET_S).astype(np.int64).tolist(), [channel] * ts.shape[0], ts.tolist(), values.tolist(),
                    strict=True)
    return rows


def _check(target: str, rows: list[tuple[int, int, float, float]]) -> None:
    with transaction(target) as conn:
        for channel in CHANNELS:
            want = sorted((t, v) for _, c, t, v in rows if c == channel)
            ts, value = rsql.range_raw(conn, channel, T0 - 600, T0 + 9000 + 600)
            assert list(zip(ts.tolist(), value.tolist(), strict=True)) == want
        groups = len({(b, c) for b, c, _, _ in rows})
        assert int(conn.execute("SELECT COUNT(*) FROM reading_chunks").fetchone()[0]) == groups
        assert conn.execute("SELECT 1 FROM reading_chunks WHERE n < 1 OR t0 > t1").fetchone() is None


def test_sqlite_readings_become_chunks(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    migrations.apply(sqlite_utils.Database(conn), stop_before="0030_reading_chunks")
    rows = _old_rows()
    conn.executemany("INSERT INTO readings (bucket, channel_id, ts, value) VALUES (?, ?, ?, ?)", rows)
    conn.commit()
    conn.close()
    assert upgrade(path) == ["0030_reading_chunks", "0031_checklists"]
    _check(str(path), rows)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'readings'").fetchone() is None


def test_postgresql_readings_become_chunks_in_day_partitions() -> None:
    url = backends.cluster().new_database()
    rows = _old_rows()
    with psycopg.connect(url) as conn:
        conn.execute("DROP SCHEMA public CASCADE")  # the suite's databases come migrated: start from none
        conn.execute("CREATE SCHEMA public")
        conn.execute("CREATE TABLE andian_migrations (name TEXT PRIMARY KEY, applied_at DOUBLE PRECISION NOT NULL)")
        for name in pg_migrations.MIGRATIONS[:2]:
            conn.execute((pg_migrations.SCHEMA / f"{name}.sql").read_text("utf-8").encode())
            conn.execute("INSERT INTO andian_migrations (name, applied_at) VALUES (%s, 0)", [name])
        with conn.cursor().copy("COPY readings (bucket, channel_id, ts, value) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    assert pg_migrations.upgrade(url) == ["0030_reading_chunks", "0031_checklists"]
    _check(url, rows)
    with psycopg.connect(url) as conn:
        parts = sorted(r[0] for r in conn.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'reading_chunks'::regclass"))
        assert parts == ["reading_chunks_d20261206", "reading_chunks_d20261207"]
        assert conn.execute("SELECT to_regclass('readings')").fetchone() == (None,)


def test_postgresql_day_partitions_are_made_as_needed_and_found_without_the_lock() -> None:
    """A batch's day partition (and the next day's) is made before its rows; a process that does not know yet that a
    partition exists (a restart) finds it without taking the partition lock, so it never waits on it — here held by
    another session all along."""
    url = backends.cluster().new_database()
    with transaction(url) as conn:
        rsql.insert_readings(conn, np.array([1, 1], dtype=np.int64), np.array([T0, T0 + 3600.0]), np.array([1.0, 2.0]))
    with psycopg.connect(url, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", [partitions.PARTITION_LOCK])
        partitions._known.clear()  # as after a restart
        with transaction(url) as conn:
            conn.execute("SET LOCAL lock_timeout = '2s'")
            rsql.insert_readings(conn, np.array([1], dtype=np.int64), np.array([T0 + 60.0]), np.array([3.0]))
    with transaction(url) as conn:
        ts, value = rsql.range_raw(conn, 1, T0 - 1, T0 + 3600)
        assert (ts.tolist(), value.tolist()) == ([T0, T0 + 60.0, T0 + 3600.0], [1.0, 3.0, 2.0])
        parts = sorted(r[0] for r in conn.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = CAST('reading_chunks' AS regclass)"))
    assert parts == ["reading_chunks_d20261206", "reading_chunks_d20261207", "reading_chunks_d20261208"]
