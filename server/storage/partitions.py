"""PostgreSQL keeps ``reading_chunks`` partitioned by range of bucket, one partition per UTC day (migration 0030):
the partitions a batch needs are made before its insert, and retention drops whole days.

There is no DEFAULT partition: a row without its day's partition is refused, so every writer of chunks calls
``ensure`` first. Two workers making the same day wait for each other on an advisory lock; a per-process set of the
days known to exist (per database) spares the look-up on every batch.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from server.storage.chunks import BUCKETS_PER_DAY, day_name
from server.storage.connection import Connection
from server.storage.database import on_rollback

__all__ = ["drop_before", "ensure"]

# pg_advisory_xact_lock key for making or dropping partitions of reading_chunks: "rchunk" in ASCII.
PARTITION_LOCK = 0x7263_6875_6E6B
_known: dict[tuple[Any, ...], set[int]] = {}


def _database(conn: Connection) -> tuple[Any, ...]:
    info = conn.raw.info  # type: ignore[attr-defined]  # PgConnection: the psycopg connection
    return (info.host, info.port, info.dbname)


def ensure(conn: Connection, buckets: Iterable[int]) -> None:
    """Make the day partitions that rows of ``buckets`` go into, where missing (PostgreSQL; SQLite has none)."""
    if conn.dialect != "postgresql":
        return
    known = _known.setdefault(_database(conn), set())
    days = sorted({b // BUCKETS_PER_DAY for b in buckets} - known)
    if not days:
        return
    # Asked without a lock first: a restarted process must not queue behind a lock for partitions that exist.
    there = conn.execute("SELECT " + ", ".join("to_regclass(?) IS NOT NULL" for _ in days),
                         [day_name(d) for d in days]).fetchone()
    known.update(d for d, found in zip(days, there, strict=True) if found)
    missing = [d for d, found in zip(days, there, strict=True) if not found]
    if not missing:
        return
    # The next day too, so that its partition is made a day ahead, not by the first batch after midnight.
    missing = sorted({*missing, missing[-1] + 1})
    conn.execute("SELECT pg_advisory_xact_lock(?)", [PARTITION_LOCK])
    for day in missing:
        conn.execute(f"CREATE TABLE IF NOT EXISTS {day_name(day)} PARTITION OF reading_chunks "
                     f"FOR VALUES FROM ({day * BUCKETS_PER_DAY}) TO ({(day + 1) * BUCKETS_PER_DAY})")
    known.update(missing)
    # Made in this transaction: if it is rolled back, so are the partitions.
    on_rollback(conn, lambda _: known.difference_update(missing))


def drop_before(conn: Connection, bucket: int) -> None:
    """Retention: drop raw readings of buckets before ``bucket`` — on PostgreSQL the day partitions wholly before it
    (a DROP, no dead rows to vacuum), then the older buckets of the day it cuts through."""
    if conn.dialect == "postgresql":
        conn.execute("SELECT pg_advisory_xact_lock(?)", [PARTITION_LOCK])
        names = [str(r[0]) for r in conn.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = CAST('reading_chunks' AS regclass)")]
        last_whole = bucket // BUCKETS_PER_DAY  # days before this one end at or before ``bucket``
        known = _known.setdefault(_database(conn), set())
        for name in names:
            day = _day_of(name)
            if day is not None and day < last_whole:
                conn.execute(f"DROP TABLE {name}")
                known.discard(day)
    conn.execute("DELETE FROM reading_chunks WHERE bucket < ?", [bucket])


def _day_of(name: str) -> int | None:
    digits = name.removeprefix("reading_chunks_d")
    if len(digits) != 8 or not digits.isdigit():
        return None
    return int(datetime.strptime(digits, "%Y%m%d").replace(tzinfo=UTC).timestamp()) // 86400
