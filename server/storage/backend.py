"""The storage seam: what the rest of the server may rely on, whichever database engine is behind it.

Everything outside ``server/storage`` sees a ``Backend`` (``write`` and ``read`` jobs, the disk's state, start and
close), a ``Connection`` handed to those jobs, and the functions of the storage modules that take it. SQLite is
the first implementation (``database.Database`` with ``migrations``); a PostgreSQL backend is a second one behind
the same surface, with its own dialect modules where SQL is not portable.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol, TypeVar

from server.storage.connection import Connection
from server.storage.space import DiskState

__all__ = ["Backend", "Connection", "is_postgres_url", "open_backend", "transaction", "upgrade"]

T = TypeVar("T")

class Backend(Protocol):
    """One database for the whole process: one writer for batches, readers beside it."""

    def start(self) -> None: ...

    def close(self) -> None: ...

    async def write(self, fn: Callable[[Connection], T], *, durable: bool = False, urgent: bool = False) -> T:
        """Run ``fn(conn)`` in one transaction on the writer and return its result (``durable``: survives a power
        cut; ``urgent``: ahead of queued bulk jobs)."""
        ...

    async def read(self, fn: Callable[[Connection], T]) -> T: ...

    def disk(self) -> DiskState: ...


def is_postgres_url(target: str | Path) -> bool:
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


@contextlib.contextmanager
def transaction(target: str | Path) -> Iterator[Connection]:
    """One transaction on the database ``target`` (an SQLite file, or a ``postgresql://`` URL) beside a running
    server's writer — for commands, benchmarks and a test's own look inside; committed when the block ends, rolled
    back on an error."""
    if is_postgres_url(target):
        from server.storage.postgres.connection import PgConnection
        from server.storage.postgres.database import connect as pg_connect

        with pg_connect(str(target)) as raw:  # psycopg commits at the end of the block, rolls back on an error
            yield PgConnection(raw)
        return
    from server.storage.database import connect

    conn = connect(Path(target))
    try:
        conn.execute("BEGIN")
        yield conn
        conn.execute("COMMIT")
    finally:
        conn.close()  # without COMMIT: rolled back


def upgrade(target: str | Path) -> list[str]:
    """Apply the pending migrations of ``target`` (an SQLite file, or a ``postgresql://`` URL); answers their
    names."""
    if is_postgres_url(target):
        from server.storage.postgres import migrations as pg_migrations

        return pg_migrations.upgrade(str(target))
    from server.storage import migrations

    return migrations.upgrade(Path(target))


def open_backend(target: str | Path, *, reserve_bytes: int = 0) -> tuple[Backend, list[str]]:
    """Bring the schema of ``target`` up to date and open it; answers the backend (not started) and the migrations
    applied."""
    applied = upgrade(target)
    if is_postgres_url(target):
        from server.storage.postgres.database import PostgresDatabase

        return PostgresDatabase(str(target)), applied
    from server.storage.database import Database

    return Database(Path(target), reserve_bytes=reserve_bytes), applied
