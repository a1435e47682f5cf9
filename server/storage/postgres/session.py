"""A worker's own PostgreSQL session for coordination: advisory locks (leadership, partitions) and LISTEN/NOTIFY.

Session advisory locks belong to this connection: a worker that dies (or loses its connection) drops them at once,
so another worker can take over within its next poll. Notifications are sent with ``pg_notify`` from any
connection and read here.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import psycopg

from server.storage.postgres.database import connect

__all__ = ["Session", "notify"]


def notify(conn: psycopg.Connection[Any], channel: str, payload: str) -> None:
    conn.execute("SELECT pg_notify(%s, %s)", [channel, payload])


class Session:
    """One autocommit connection; its methods are blocking (call them from a thread)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.conn = connect(url, autocommit=True)
        self._lock = threading.Lock()  # the listener thread and the lock calls share the connection

    def try_lock(self, space: int, key: int) -> bool:
        with self._lock:
            row = self.conn.execute("SELECT pg_try_advisory_lock(%s, %s)", [space, key]).fetchone()
        return bool(row and row[0])

    def unlock(self, space: int, key: int) -> None:
        with self._lock:
            self.conn.execute("SELECT pg_advisory_unlock(%s, %s)", [space, key])

    def notify(self, channel: str, payload: str) -> None:
        with self._lock:
            notify(self.conn, channel, payload)

    def close(self) -> None:
        self.conn.close()


class Listener:
    """A second connection that LISTENs; ``events`` yields (channel, payload) until ``close``."""

    def __init__(self, url: str, channels: list[str]) -> None:
        self.conn = connect(url, autocommit=True)
        for channel in channels:
            self.conn.execute(f"LISTEN {channel}")

    def events(self, timeout_s: float) -> Iterator[tuple[str, str]]:
        """Notifications that arrive within ``timeout_s`` (at most that long a wait)."""
        for note in self.conn.notifies(timeout=timeout_s, stop_after=64):
            yield note.channel, note.payload

    def close(self) -> None:
        self.conn.close()
