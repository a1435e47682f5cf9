"""The storage seam: what the rest of the server may rely on, whichever database engine is behind it.

Everything outside ``server/storage`` sees a ``Backend`` (``write`` and ``read`` jobs, the disk's state, start and
close), a ``Connection`` handed to those jobs, and the functions of the storage modules that take it. SQLite is
the first implementation (``database.Database`` with ``migrations``); a PostgreSQL backend is a second one behind
the same surface, with its own dialect modules where SQL is not portable.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, TypeVar

from server.storage.space import DiskState

__all__ = ["Backend", "Connection", "open_backend"]

T = TypeVar("T")

# The connection a write or read job receives. Only storage modules look inside it.
Connection = sqlite3.Connection


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


def open_backend(path: Path, *, reserve_bytes: int = 0) -> tuple[Backend, list[str]]:
    """Bring the schema at ``path`` up to date and open it; answers the backend (not started) and the migrations
    applied."""
    from server.storage.database import Database
    from server.storage.migrations import upgrade

    applied = upgrade(path)
    return Database(path, reserve_bytes=reserve_bytes), applied
