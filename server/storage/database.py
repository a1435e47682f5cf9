"""One writer thread owns the write connection; readers use their own connections.

The pattern is datasette's ``execute_write_fn``: callers hand the writer a plain synchronous function
that receives the connection and runs inside one transaction. A batch (an HTTP body, a poll cycle, a
sync push) is therefore one transaction and one commit, whatever it touches.

The writer also minds the disk (``space.Space``): below ``reserve_bytes`` of free space, or once a write has found
the disk full, it is in *full mode* until space is back. In full mode only what a person must hear of is
written — durable transactions (alarm transitions, hazards, outbox rows, acknowledgements, logins) and the
notification sender's urgent jobs — using a reserve file kept beside the database, which the first of them
frees; every other job (readings, detector checkpoints, rollups) is rolled back and answered ``StorageFull``.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import queue
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from server.storage.connection import Connection, SqliteConnection
from server.storage.space import DiskState, Space, out_of_space

__all__ = ["Database", "chunks", "commits_durably", "make_durable", "on_rollback", "ping"]


T = TypeVar("T")

# A writer waiting on a reader (or a second process) retries for this long before giving up with
# "database is locked"; WAL readers never block the writer, so this only matters across processes.
BUSY_TIMEOUT_MS = 5000
CACHE_KIB = 65536


def connect(path: Path, *, read_only: bool = False) -> SqliteConnection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, factory=SqliteConnection)
    conn.row_factory = sqlite3.Row
    # PostgreSQL's GREATEST and LEAST (NULLs ignored), so storage SQL is written once (dialect.py).
    conn.create_function("greatest", -1, _greatest, deterministic=True)
    conn.create_function("least", -1, _least, deterministic=True)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    # 64 MiB of page cache per connection (the default is 2 MiB): the newest readings bucket and the indexes
    # of the hot tables stay in memory.
    conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    conn.execute("PRAGMA foreign_keys = ON")
    if read_only:
        conn.execute("PRAGMA query_only = ON")
    else:
        conn.execute("PRAGMA journal_mode = WAL")
        # NORMAL is durable against application crashes in WAL mode; a power cut can roll back the last
        # commits. Transactions that must survive a power cut ask the writer for FULL (see ``write``).
        conn.execute("PRAGMA synchronous = NORMAL")
    return conn


def _greatest(*values: Any) -> Any:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def _least(*values: Any) -> Any:
    present = [v for v in values if v is not None]
    return min(present) if present else None


# Write connections whose current job asked to be durable from inside (see ``make_durable``).
_durable_requests: set[int] = set()
# What to do if the current job of a write connection is rolled back (see ``on_rollback``).
_rollback_hooks: dict[int, list[Callable[[Any], None]]] = {}


def chunks(values: Sequence[T], size: int = 900) -> Iterator[Sequence[T]]:
    """``values`` in slices that fit one ``IN (…)`` under SQLite's limit of bound parameters (999 before 3.32)."""
    for start in range(0, len(values), size):
        yield values[start:start + size]


def ping(conn: Connection) -> None:
    """A query that answers when the database does (the health check)."""
    conn.execute("SELECT 1").fetchone()


def make_durable(conn: Connection) -> None:
    """Inside a write job: make this transaction survive a power cut, like ``write(durable=True)``.

    SQLite refuses to change ``synchronous`` inside a transaction, so the writer instead fsyncs the WAL
    right after the commit and before the caller hears of it — what FULL would have done at the commit.
    PostgreSQL's writer commits it with ``synchronous_commit = on``.
    """
    _durable_requests.add(id(conn))


def commits_durably(conn: Connection) -> bool:
    """Inside a write job: whether its commit will survive a power cut (``write(durable=True)`` or ``make_durable``
    so far) — for storage functions whose callers must be able to rely on that, and their tests."""
    if id(conn) in _durable_requests:
        return True
    if conn.dialect == "postgresql":
        return False  # the writer sets synchronous_commit at the commit, from write(durable=...) or make_durable
    return int(conn.execute("PRAGMA synchronous").fetchone()[0]) >= 2


def on_rollback(conn: Connection, fn: Callable[[Any], None]) -> None:
    """Inside a write job: if this transaction is rolled back (an error, a full disk), call ``fn(conn)`` on the
    writer thread before the next job runs — for state kept in memory that must follow the database."""
    hooks = _rollback_hooks.setdefault(id(conn), [])
    if fn not in hooks:
        hooks.append(fn)


class _WriteJob:
    __slots__ = ("durable", "fn", "future", "loop", "urgent")

    def __init__(
        self,
        fn: Callable[[Any], Any],
        durable: bool,
        urgent: bool,
        future: asyncio.Future[Any],
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        self.fn = fn
        self.durable = durable
        self.urgent = urgent
        self.future = future
        self.loop = loop


_STOP = object()
# Queue priorities: urgent jobs (the notification sender's, a worker's partition moves) go ahead of queued bulk
# ingest, so an alarm message or a dead worker's sites wait for at most the batch being written, not for every
# batch that gateways have queued.
URGENT, NORMAL, LAST = 0, 1, 2


class Database:
    """The process's SQLite database: ``await db.write(fn)`` and ``await db.read(fn)``."""

    def __init__(self, path: Path, *, readers: int = 3, reserve_bytes: int = 0) -> None:
        self.path = path
        self._space = Space(path, reserve_bytes)
        self._jobs: queue.PriorityQueue[tuple[int, int, _WriteJob | object]] = queue.PriorityQueue()
        self._order = itertools.count()
        self._writer: threading.Thread | None = None
        self._readers = ThreadPoolExecutor(max_workers=readers, thread_name_prefix="andian-read")
        self._local = threading.local()
        self._reader_conns: list[SqliteConnection] = []
        self._lock = threading.Lock()

    def start(self) -> None:
        """Open the write connection in its own thread. Migrations must already have run."""
        if self._writer is not None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        ready = threading.Event()
        self._writer = threading.Thread(target=self._write_loop, args=(ready,), name="andian-writer", daemon=True)
        self._writer.start()
        ready.wait()

    def close(self) -> None:
        if self._writer is not None:
            self._jobs.put((LAST, next(self._order), _STOP))
            self._writer.join()
            self._writer = None
        self._readers.shutdown(wait=True)
        with self._lock:
            for conn in self._reader_conns:
                conn.close()
            self._reader_conns.clear()

    async def write(self, fn: Callable[[Connection], T], *, durable: bool = False,
                    urgent: bool = False) -> T:
        """Run ``fn(conn)`` in one transaction on the writer thread and return its result.

        ``durable=True`` commits with ``synchronous=FULL``: use it for anything a person was told
        happened (an alarm transition, a hazard change, an outbox row, a user or a setting). ``urgent=True``
        jumps the queue of waiting jobs (small jobs only: the notification sender's).
        """
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        job = _WriteJob(fn, durable, urgent, future, loop)
        self._jobs.put((URGENT if urgent else NORMAL, next(self._order), job))
        return await future

    def disk(self) -> DiskState:
        """Whether writes are in full mode, the free space and the reserve (any thread; a snapshot)."""
        return self._space.state()

    async def read(self, fn: Callable[[Connection], T]) -> T:
        """Run ``fn(conn)`` on a reader thread with that thread's own read-only connection."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._readers, self._run_read, fn)

    def _run_read(self, fn: Callable[[Connection], T]) -> T:
        conn: SqliteConnection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect(self.path, read_only=True)
            self._local.conn = conn
            with self._lock:
                self._reader_conns.append(conn)
        return fn(conn)

    def _write_loop(self, ready: threading.Event) -> None:
        conn = connect(self.path)
        self._space.open()
        ready.set()
        try:
            while True:
                _, _, job = self._jobs.get()
                if job is _STOP:
                    return
                assert isinstance(job, _WriteJob)
                self._run_job(conn, job, Path(f"{self.path}-wal"))
        finally:
            conn.close()

    def _run_job(self, conn: SqliteConnection, job: _WriteJob, wal: Path) -> None:
        space = self._space
        space.check()
        asked = False
        try:
            try:
                if job.durable:
                    conn.execute("PRAGMA synchronous = FULL")
                conn.execute("BEGIN IMMEDIATE")
                changes = conn.total_changes
                result = job.fn(conn)
                if space.full_since is not None and conn.total_changes != changes:
                    # Full mode: only what a person must hear of is written (a job that wrote nothing commits).
                    if not (job.durable or job.urgent or id(conn) in _durable_requests):
                        raise space.refusal()
                    space.release()
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:  # SQLite itself rolls back a commit that found the disk full
                    conn.execute("ROLLBACK")
                for hook in _rollback_hooks.pop(id(conn), ()):
                    hook(conn)
                raise
            finally:
                if job.durable:
                    conn.execute("PRAGMA synchronous = NORMAL")
                asked = id(conn) in _durable_requests
                _durable_requests.discard(id(conn))
                _rollback_hooks.pop(id(conn), None)
            if asked and not job.durable:
                _sync_wal(wal)
        except BaseException as exc:  # handed to the awaiting caller, never lost in this thread
            if out_of_space(exc):
                exc = space.failed(exc, job.durable or job.urgent or asked)
            job.loop.call_soon_threadsafe(_resolve, job.future, None, exc)
            return
        job.loop.call_soon_threadsafe(_resolve, job.future, result, None)


def _sync_wal(wal: Path) -> None:
    fd = os.open(wal, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _resolve(future: asyncio.Future[Any], result: Any, exc: BaseException | None) -> None:
    if future.cancelled():
        return
    if exc is not None:
        future.set_exception(exc)
    else:
        future.set_result(result)
