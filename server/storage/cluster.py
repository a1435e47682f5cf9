"""Workers sharing one database (server/cluster): who is alive, and calls handed to the owner of a partition."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from server.storage.connection import Connection

__all__ = [
    "clock",
    "fail_call",
    "finish_call",
    "forget_worker",
    "heartbeat",
    "live_workers",
    "notify",
    "prune_calls",
    "put_call",
    "result_of",
    "take_calls",
    "watched_sites",
]


def clock(conn: Connection) -> float:
    """The database server's clock: workers on several machines compare heartbeats on one clock."""
    if conn.dialect == "postgresql":
        return float(conn.execute("SELECT EXTRACT(EPOCH FROM clock_timestamp())").fetchone()[0])
    import time

    return time.time()


def notify(conn: Connection, channel: str, payload: str) -> None:
    """A notification to the other workers, delivered when this transaction commits (PostgreSQL)."""
    conn.execute("SELECT pg_notify(?, ?)", [channel, payload])


def heartbeat(conn: Connection, worker: str, now: float, watched: Iterable[int]) -> None:
    conn.execute("INSERT INTO workers (id, started_at, seen_at, watched) VALUES (?, ?, ?, ?) "
                 "ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at, watched = excluded.watched",
                 [worker, now, now, json.dumps(sorted(watched))])


def forget_worker(conn: Connection, worker: str) -> None:
    conn.execute("DELETE FROM workers WHERE id = ?", [worker])


def live_workers(conn: Connection, since: float) -> list[str]:
    """Workers heard from since ``since`` (and gone ones deleted), in a stable order."""
    conn.execute("DELETE FROM workers WHERE seen_at < ?", [since - 3600])
    return [str(r[0]) for r in conn.execute("SELECT id FROM workers WHERE seen_at >= ? ORDER BY id", [since])]


def watched_sites(conn: Connection, since: float) -> frozenset[int]:
    """Sites that open pages of any live worker watch (their readings go out live)."""
    out: set[int] = set()
    for (watched,) in conn.execute("SELECT watched FROM workers WHERE seen_at >= ?", [since]):
        out.update(int(s) for s in json.loads(watched))
    return frozenset(out)


def put_call(conn: Connection, part: int, kind: str, body: bytes, caller: str, now: float) -> int:
    return int(conn.execute("INSERT INTO owner_calls (part, kind, body, caller, created_at) VALUES (?, ?, ?, ?, ?) "
                            "RETURNING id", [part, kind, body, caller, now]).fetchone()[0])


def take_calls(conn: Connection, parts: Iterable[int], limit: int) -> list[dict[str, Any]]:
    """Open calls for these partitions, oldest first, locked for this transaction (another worker skips them)."""
    parts = list(parts)
    if not parts:
        return []
    marks = ", ".join("?" * len(parts))
    lock = " FOR UPDATE SKIP LOCKED" if conn.dialect == "postgresql" else ""
    return [dict(r) for r in conn.execute(
        f"SELECT id, part, kind, body, caller FROM owner_calls WHERE done_at IS NULL AND part IN ({marks}) "
        f"ORDER BY id LIMIT ?{lock}", [*parts, limit])]


def finish_call(conn: Connection, call_id: int, result: bytes, now: float) -> None:
    conn.execute("UPDATE owner_calls SET done_at = ?, result = ? WHERE id = ?", [now, result, call_id])


def fail_call(conn: Connection, call_id: int, result: bytes, now: float) -> bool:
    """Answer a call that is still open (one already answered keeps its answer)."""
    return conn.execute("UPDATE owner_calls SET done_at = ?, result = ? WHERE id = ? AND done_at IS NULL",
                        [now, result, call_id]).rowcount == 1


def result_of(conn: Connection, call_id: int) -> bytes | None:
    row = conn.execute("SELECT result FROM owner_calls WHERE id = ? AND done_at IS NOT NULL", [call_id]).fetchone()
    return None if row is None else bytes(row[0])


def prune_calls(conn: Connection, before: float) -> int:
    return int(conn.execute("DELETE FROM owner_calls WHERE done_at < ?", [before]).rowcount)
