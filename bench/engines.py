"""The two database engines as the ingest benchmarks use them: where a database is made, the raw baseline's
append, and how one batch's transaction begins and commits there, as the server's writer does it.

SQLite: files in the benchmark's temporary folder. PostgreSQL: a throwaway cluster of the benchmark's own
(tests/backends.py's ``Cluster``) with a production server's durability settings — fsync and full-page writes on,
``synchronous_commit`` on by default and set per transaction by andian (``postgres.database``): off for a batch of
readings, on for one that carries an alarm transition.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import psycopg

from server.storage import database as common
from server.storage.connection import Connection
from server.storage.database import commits_durably, connect
from server.storage.postgres.connection import PgConnection
from server.storage.postgres.database import connect as pg_connect
from tests.backends import Cluster

__all__ = ["ENGINES", "Engine", "RawBatch", "engines"]

ENGINES = ("sqlite", "postgresql")
# One batch of the raw baseline: per tick, (channel ids, the tick's time, the channels' values).
RawBatch = Sequence[tuple[list[int], float, list[float]]]


class Engine(Protocol):
    name: str
    version: str
    durable_commits: int  # batches whose transaction had to survive a power cut (an alarm transition in it)

    def database(self, name: str) -> Path | str:
        """A new, empty database for andian (what ``--db`` / ``ANDIAN_DB`` names)."""
        ...

    def server_env(self, workdir: Path) -> dict[str, str]: ...

    def raw_open(self) -> None: ...

    def raw_append(self, batch: RawBatch) -> None:
        """The baseline: the batch's rows appended to an unindexed table of (channel_id, ts, value), one
        transaction."""
        ...

    def raw_close(self) -> None: ...

    def writer(self, db: Path | str) -> Connection: ...

    def begin(self, conn: Connection) -> None: ...

    def commit(self, conn: Connection) -> None: ...

    def reader(self, db: Path | str) -> Connection: ...

    def close(self, conn: Connection) -> None: ...


class Sqlite:
    """SQLite as ``database.Database`` runs it: WAL, ``synchronous=NORMAL``, ``BEGIN IMMEDIATE`` per batch."""

    name = "sqlite"
    version = f"SQLite {sqlite3.sqlite_version}"

    def __init__(self, workdir: Path) -> None:
        self.dir = workdir / "sqlite"
        self.dir.mkdir()
        self._raw: sqlite3.Connection | None = None
        self.durable_commits = 0

    def database(self, name: str) -> Path:
        return self.dir / f"{name}.db"

    def server_env(self, workdir: Path) -> dict[str, str]:
        return {}

    def raw_open(self) -> None:
        raw = sqlite3.connect(self.dir / "raw.db", isolation_level=None)
        raw.execute("PRAGMA journal_mode = WAL")
        raw.execute("PRAGMA synchronous = NORMAL")
        raw.execute("CREATE TABLE readings (channel_id INTEGER, ts REAL, value REAL)")
        self._raw = raw

    def raw_append(self, batch: RawBatch) -> None:
        assert self._raw is not None
        self._raw.execute("BEGIN")
        for ids, ts, values in batch:
            self._raw.executemany("INSERT INTO readings VALUES (?, ?, ?)", zip(ids, [ts] * len(ids), values,
                                                                                  strict=True))
        self._raw.execute("COMMIT")

    def raw_close(self) -> None:
        if self._raw is not None:
            self._raw.close()

    def writer(self, db: Path | str) -> Connection:
        return connect(Path(db))

    def begin(self, conn: Connection) -> None:
        conn.execute("BEGIN IMMEDIATE")

    def commit(self, conn: Connection) -> None:
        """Counts a transaction that asked to be durable (the writer would fsync the WAL after it)."""
        conn.execute("COMMIT")
        if id(conn) in common._durable_requests:
            self.durable_commits += 1
            common._durable_requests.discard(id(conn))

    def reader(self, db: Path | str) -> Connection:
        return connect(Path(db), read_only=True)

    def close(self, conn: Connection) -> None:
        assert isinstance(conn, sqlite3.Connection)
        conn.close()


class Postgres:
    """PostgreSQL as ``postgres.database.PostgresDatabase`` runs it: one write connection, a transaction per batch
    committed with ``synchronous_commit`` off unless it must be durable; readers on autocommit connections."""

    name = "postgresql"

    def __init__(self) -> None:
        self.cluster = Cluster(durable=True)
        self._raw: psycopg.Connection[Any] | None = None
        self.durable_commits = 0
        with pg_connect(f"{self.cluster.base}/postgres", autocommit=True) as conn:
            self.version = "PostgreSQL " + str(conn.execute("SHOW server_version").fetchone()[0])

    def database(self, name: str) -> str:
        self.cluster.admin(f"CREATE DATABASE {name}")
        return f"{self.cluster.base}/{name}"

    def server_env(self, workdir: Path) -> dict[str, str]:
        return {"ANDIAN_DATA_DIR": str(workdir)}

    def raw_open(self) -> None:
        raw = self._raw = pg_connect(self.database("raw"))
        raw.execute("CREATE TABLE readings (channel_id BIGINT, ts DOUBLE PRECISION, value DOUBLE PRECISION)")
        raw.commit()

    def raw_append(self, batch: RawBatch) -> None:
        """Binary COPY through psycopg (2–3× the rows/s of text COPY here): the fastest raw path it offers."""
        raw = self._raw
        assert raw is not None
        with raw.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")  # as andian commits a batch of readings
            with cursor.copy("COPY readings (channel_id, ts, value) FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types(["int8", "float8", "float8"])
                for ids, ts, values in batch:
                    for row in zip(ids, [ts] * len(ids), values, strict=True):
                        copy.write_row(row)
        raw.commit()

    def raw_close(self) -> None:
        if self._raw is not None:
            self._raw.close()

    def writer(self, db: Path | str) -> Connection:
        return PgConnection(pg_connect(str(db)))

    def begin(self, conn: Connection) -> None:
        """psycopg opens the transaction with the first statement."""

    def commit(self, conn: Connection) -> None:
        """What ``PostgresDatabase._run_job`` does at the end of a write job."""
        assert isinstance(conn, PgConnection)
        raw = conn.raw
        durable = commits_durably(conn)
        self.durable_commits += durable
        raw.execute(f"SET LOCAL synchronous_commit = {'on' if durable else 'off'}")
        raw.commit()
        common._durable_requests.discard(id(conn))

    def reader(self, db: Path | str) -> Connection:
        return PgConnection(pg_connect(str(db), autocommit=True))

    def close(self, conn: Connection) -> None:
        assert isinstance(conn, PgConnection)
        conn.raw.close()

    def stop(self) -> None:
        self.cluster.stop()


@contextlib.contextmanager
def engines(names: Sequence[str], workdir: Path) -> Iterator[list[Engine]]:
    """The engines asked for, in order; a PostgreSQL cluster runs until the block ends."""
    made: list[Engine] = []
    try:
        for name in names:
            made.append(Sqlite(workdir) if name == "sqlite" else Postgres())
        yield made
    finally:
        for engine in made:
            if isinstance(engine, Postgres):
                engine.stop()


def values_of(rng: np.random.Generator, devices: int) -> np.ndarray[Any, Any]:
    """One tick's values of every channel: residual current about 150 mA, load current about 20 A (no alarms)."""
    return np.tile(np.array([150.0, 20.0]), devices) + rng.normal(0, 5, 2 * devices)
