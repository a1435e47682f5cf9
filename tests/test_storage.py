"""The storage core on the suite's engine: one writer, whole-batch transactions, readers; and on SQLite its own
settings (WAL, the synchronous level per transaction) and migrations."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from server.storage import Backend, Connection, open_backend, upgrade
from server.storage.migrations import migrations

from . import backends


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Backend]:
    database, _ = open_backend(backends.database(tmp_path / "andian.db"))
    database.start()
    yield database
    database.close()


async def test_a_batch_is_one_transaction(db: Backend) -> None:
    def good(conn: Connection) -> int:
        conn.executemany("INSERT INTO companies (name, created_at) VALUES (?, 0)", [("a",), ("b",)])
        return 2

    def bad(conn: Connection) -> None:
        conn.execute("INSERT INTO companies (name, created_at) VALUES ('c', 0)")
        conn.execute("INSERT INTO companies (name, created_at) VALUES ('a', 0)")  # UNIQUE violation

    assert await db.write(good) == 2
    with pytest.raises((sqlite3.IntegrityError, psycopg.IntegrityError)):
        await db.write(bad)
    names = await db.read(lambda c: [r[0] for r in c.execute("SELECT name FROM companies ORDER BY name")])
    assert names == ["a", "b"], "the failed batch left nothing behind"


async def test_writes_are_serialised_and_all_land(db: Backend) -> None:
    async def insert(i: int) -> None:
        await db.write(lambda c: c.execute("INSERT INTO companies (name, created_at) VALUES (?, 0)", (f"c{i}",)))

    await asyncio.gather(*(insert(i) for i in range(200)))
    count = await db.read(lambda c: c.execute("SELECT COUNT(*) FROM companies").fetchone()[0])
    assert count == 200


@pytest.mark.sqlite_only("SQLite's PRAGMA synchronous, switched per transaction by its writer")
async def test_durable_write_switches_to_full_and_back(db: Backend) -> None:
    def level(conn: Connection) -> int:
        return int(conn.execute("PRAGMA synchronous").fetchone()[0])

    assert await db.write(level, durable=True) == 2  # FULL
    assert await db.write(level) == 1  # NORMAL again for readings-only batches


async def test_readers_are_read_only_and_see_commits(db: Backend) -> None:
    await db.write(lambda c: c.execute("INSERT INTO companies (name, created_at) VALUES ('x', 0)"))
    assert await db.read(lambda c: c.execute("SELECT name FROM companies").fetchone()[0]) == "x"
    with pytest.raises((sqlite3.OperationalError, psycopg.errors.ReadOnlySqlTransaction)):
        await db.read(lambda c: c.execute("DELETE FROM companies"))
    assert await db.read(lambda c: c.execute("SELECT COUNT(*) FROM companies").fetchone()[0]) == 1


@pytest.mark.sqlite_only("SQLite's journal mode, its migrations and PRAGMA integrity_check on a file")
def test_wal_mode_and_migrations_are_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    assert upgrade(path) == [m.name for m in migrations._migrations]
    assert upgrade(path) == []
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"users", "sites", "devices", "channels", "gateways", "regions", "tokens"} <= tables
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
