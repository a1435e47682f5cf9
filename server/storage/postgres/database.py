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
import queue
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import psycopg
from psycopg_pool import ConnectionPool

from server.storage import database as common
from server.storage.connection import Connection
from server.storage.postgres.connection import PgConnection, configure
from server.storage.space import DiskState

__all__ = ["PostgresDatabase", "connect"]

T = TypeVar("T")

# Seconds a statement may take before the server cancels it (a runaway query must not hold the writer forever).
STATEMENT_TIMEOUT_MS = 60_000


def connect(url: str, *, autocommit: bool = False) -> psycopg.Connection[Any]:
    conn = psycopg.connect(url, autocommit=autocommit, options=f"-c statement_timeout={STATEMENT_TIMEOUT_MS}")
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
                                    kwargs={"autocommit": True,
                                            "options": f"-c statement_timeout={STATEMENT_TIMEOUT_MS} "
                                                       "-c default_transaction_read_only=on"},
                                    configure=configure, name="andian-read")
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
            raw = connect(self.url)
        except BaseException as exc:  # told to start(), which raises it
            failed.append(exc)
            ready.set()
            return
        conn = PgConnection(raw)
        ready.set()
        try:
            while True:
                _, _, job = self._jobs.get()
                if job is common._STOP:
                    return
                assert isinstance(job, common._WriteJob)
                if conn.raw.broken or conn.raw.closed:  # the server restarted or the link dropped: a new one
                    conn.raw.close()
                    conn = PgConnection(connect(self.url))
                self._run_job(conn, job)
        finally:
            conn.raw.close()

    def _run_job(self, conn: PgConnection, job: common._WriteJob) -> None:
        raw = conn.raw
        key = id(conn)
        if job.durable:
            common._durable_requests.add(key)  # commits_durably answers True inside it
        try:
            try:
                result = job.fn(conn)
                durable = job.durable or key in common._durable_requests
                raw.execute(f"SET LOCAL synchronous_commit = {'on' if durable else 'off'}")
                raw.commit()
            except BaseException:
                if not raw.closed:
                    raw.rollback()
                for hook in common._rollback_hooks.pop(key, ()):
                    hook(conn)
                raise
            finally:
                common._durable_requests.discard(key)
                common._rollback_hooks.pop(key, None)
        except BaseException as exc:  # handed to the awaiting caller, never lost in this thread
            job.loop.call_soon_threadsafe(common._resolve, job.future, None, exc)
            return
        job.loop.call_soon_threadsafe(common._resolve, job.future, result, None)
