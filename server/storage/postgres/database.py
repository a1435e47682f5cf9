"""The process's PostgreSQL database: one writer thread for batches, a psycopg pool of readers beside it.

The same contract as SQLite's ``database.Database``: ``await db.write(fn)`` runs ``fn(conn)`` in one transaction
on the writer thread, ``await db.read(fn)`` on a reader. A transaction commits with ``synchronous_commit = off``
(an application crash never loses it; a crash of the database server's machine may lose the last moments) unless
it is durable (``write(durable=True)`` or ``make_durable`` inside it), which waits for the WAL flush as anything a
person was told about must. PostgreSQL minds its own disk: there is no reserve file and no full mode here.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import psycopg
from psycopg_pool import ConnectionPool

from server.errors import Unavailable
from server.storage import database as common
from server.storage.connection import Connection
from server.storage.postgres.connection import PgConnection, configure
from server.storage.space import DiskState

__all__ = ["PostgresDatabase", "connect"]

T = TypeVar("T")

log = logging.getLogger("andian.storage")

# After a failed reconnect the writer waits this long before it takes the next job (which tries again).
RECONNECT_WAIT_S = 1.0
# Seconds a statement may take before the server cancels it (a runaway query must not hold the writer forever).
STATEMENT_TIMEOUT_MS = 60_000


# A peer that vanished (a worker's host lost power, a partition) is noticed within about 20 s on both sides, not
# after the system's two hours of TCP keepalive: the server then drops that session's advisory locks (its sites'
# partitions move to the other workers), and a worker stops waiting on a database that is gone.
KEEPALIVE: dict[str, Any] = {"keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 3, "keepalives_count": 3,
             "tcp_user_timeout": 20_000}
OPTIONS = (f"-c statement_timeout={STATEMENT_TIMEOUT_MS} -c tcp_keepalives_idle=10 -c tcp_keepalives_interval=3 "
           "-c tcp_keepalives_count=3")


def connect(url: str, *, autocommit: bool = False) -> psycopg.Connection[Any]:
    conn = psycopg.connect(url, autocommit=autocommit, options=OPTIONS, **KEEPALIVE)
    configure(conn)
    return conn


class PostgresDatabase:
    """``await db.write(fn)`` and ``await db.read(fn)`` on one PostgreSQL database."""

    def __init__(self, url: str, *, readers: int = 3) -> None:
        self.url = url
        self._jobs: queue.PriorityQueue[tuple[int, int, common._WriteJob | object]] = queue.PriorityQueue()
        self._order = itertools.count()
        self._writer: threading.Thread | None = None
        self._reader_count = readers
        self._readers = ThreadPoolExecutor(max_workers=readers, thread_name_prefix="andian-read")
        self._pool: ConnectionPool[psycopg.Connection[Any]] | None = None

    def start(self) -> None:
        """Open the pool and the write connection. Migrations must already have run."""
        if self._writer is not None:
            return
        # Readers are read-only, as SQLite's are (query_only): a write belongs on the writer.
        self._pool = ConnectionPool(self.url, min_size=1, max_size=self._reader_count, open=True,
                                    kwargs={"autocommit": True, **KEEPALIVE,
                                            "options": f"{OPTIONS} -c default_transaction_read_only=on"},
                                    configure=configure, check=ConnectionPool.check_connection, name="andian-read")
        self._pool.wait()
        ready = threading.Event()
        failed: list[BaseException] = []
        self._writer = threading.Thread(target=self._write_loop, args=(ready, failed), name="andian-writer",
                                        daemon=True)
        self._writer.start()
        ready.wait()
        if failed:
            self._writer = None
            raise failed[0]

    def close(self) -> None:
        if self._writer is not None:
            self._jobs.put((common.LAST, next(self._order), common._STOP))
            self._writer.join()
            self._writer = None
        self._readers.shutdown(wait=True)
        if self._pool is not None:
            self._pool.close()
            self._pool = None


    async def write(self, fn: Callable[[Connection], T], *, durable: bool = False, urgent: bool = False) -> T:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        job = common._WriteJob(fn, durable, urgent, future, loop)
        self._jobs.put((common.URGENT if urgent else common.NORMAL, next(self._order), job))
        return await future

    async def read(self, fn: Callable[[Connection], T]) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._readers, self._run_read, fn)

    def disk(self) -> DiskState:
        """The database server minds its own disk: never in andian's full mode."""
        return DiskState(False, -1, "none")

    def _run_read(self, fn: Callable[[Connection], T]) -> T:
        assert self._pool is not None, "the database is not started"
        with self._pool.connection() as conn:
            return fn(PgConnection(conn))

    def _write_loop(self, ready: threading.Event, failed: list[BaseException]) -> None:
        try:
            conn = PgConnection(connect(self.url))
        except BaseException as exc:  # told to start(), which raises it
            failed.append(exc)
            ready.set()
            return
        ready.set()
        # Rollback hooks of a job whose connection broke: they run (in a transaction of their own) before the next
        # job, so in-memory state that follows the database (the alarm book) is never used stale.
        owed: list[Callable[[Any], None]] = []
        try:
            while True:
                _, _, job = self._jobs.get()
                if job is common._STOP:
                    return
                assert isinstance(job, common._WriteJob)
                try:
                    if conn.raw.broken or conn.raw.closed:  # the server restarted or the link dropped: a new one
                        conn.raw.close()
                        conn = PgConnection(connect(self.url))
                    if owed:
                        _catch_up(conn, owed)
                except Exception as exc:  # the database is away: this job fails now, the next one tries again
                    log.warning("the database cannot be reached: %s", exc)
                    error = Unavailable(f"the database cannot be reached ({type(exc).__name__}); send again shortly")
                    error.__cause__ = exc
                    job.loop.call_soon_threadsafe(common._resolve, job.future, None, error)
                    time.sleep(RECONNECT_WAIT_S)
                    continue
                owed += self._run_job(conn, job)
        finally:
            conn.raw.close()

    def _run_job(self, conn: PgConnection, job: common._WriteJob) -> list[Callable[[Any], None]]:
        """Run one job; answers the rollback hooks it owes (its connection broke before they could run)."""
        raw = conn.raw
        key = id(conn)
        owed: list[Callable[[Any], None]] = []
        if job.durable:
            common._durable_requests.add(key)  # commits_durably answers True inside it
        try:
            try:
                result = job.fn(conn)
                durable = job.durable or key in common._durable_requests
                raw.execute(f"SET LOCAL synchronous_commit = {'on' if durable else 'off'}")
                raw.commit()
            except BaseException:
                hooks = common._rollback_hooks.pop(key, [])
                if raw.broken or raw.closed:
                    owed = hooks
                else:
                    raw.rollback()
                    try:
                        for hook in hooks:
                            hook(conn)
                        raw.commit()
                    except Exception:
                        log.exception("undoing in-memory state after a rollback failed; trying again before the "
                                      "next job")
                        owed = hooks
                        if not raw.broken:
                            raw.rollback()
                raise
            finally:
                common._durable_requests.discard(key)
                common._rollback_hooks.pop(key, None)
        except BaseException as exc:  # handed to the awaiting caller, never lost in this thread
            job.loop.call_soon_threadsafe(common._resolve, job.future, None, exc)
            return owed
        job.loop.call_soon_threadsafe(common._resolve, job.future, result, None)
        return owed


def _catch_up(conn: PgConnection, hooks: list[Callable[[Any], None]]) -> None:
    """Run the owed rollback hooks in a transaction of their own; they stay owed if this fails."""
    try:
        for hook in hooks:
            hook(conn)
        conn.raw.commit()
    except BaseException:
        if not conn.raw.broken and not conn.raw.closed:
            conn.raw.rollback()
        raise
    hooks.clear()
