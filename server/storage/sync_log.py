"""The sync's change log (fed by triggers, schema 0007), the scopes cursors name, and the clock stamps of the fields
that merge last-writer-wins."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable

from server.storage.scopes import Scope

__all__ = ["changes_after", "records_of", "remember_scope", "scope_known", "scope_of", "scope_sites", "set_stamps",
           "stamps"]


def scope_sites(conn: sqlite3.Connection, scope: Scope) -> list[int]:
    """The sites a scope covers, in order."""
    return [int(r[0]) for r in conn.execute(f"SELECT s.id FROM sites s WHERE ({scope.condition}) ORDER BY s.id",
                                            scope.params)]


def remember_scope(conn: sqlite3.Connection, scope_hash: str, sites: list[int]) -> None:
    conn.execute("INSERT OR IGNORE INTO sync_scopes (hash, site_ids) VALUES (?, ?)", [scope_hash, json.dumps(sites)])


def scope_of(conn: sqlite3.Connection, scope_hash: str) -> list[int] | None:
    """The sites of a scope a cursor named, or None when this server never handed it out."""
    found = conn.execute("SELECT site_ids FROM sync_scopes WHERE hash = ?", [scope_hash]).fetchone()
    return None if found is None else [int(s) for s in json.loads(found[0])]


def scope_known(conn: sqlite3.Connection, scope_hash: str) -> bool:
    return conn.execute("SELECT 1 FROM sync_scopes WHERE hash = ?", [scope_hash]).fetchone() is not None


def records_of(conn: sqlite3.Connection, sites: Iterable[int]) -> list[tuple[int, str, int]]:
    """(seq, entity, local id) of every logged record of the sites."""
    wanted = sorted(sites)
    marks = ", ".join("?" * len(wanted))
    return [(int(r[0]), str(r[1]), int(r[2])) for r in conn.execute(
        f"SELECT seq, entity, local_id FROM sync_log WHERE site_id IN ({marks}) ORDER BY seq", wanted)]


def changes_after(conn: sqlite3.Connection, seq: int, scope: Scope, limit: int) -> list[tuple[int, str, int]]:
    """(seq, entity, local id) of the changes after ``seq`` at the scope's sites, at most ``limit``."""
    return [(int(r[0]), str(r[1]), int(r[2])) for r in conn.execute(
        f"SELECT l.seq, l.entity, l.local_id FROM sync_log l JOIN sites s ON s.id = l.site_id WHERE l.seq > ? "
        f"AND ({scope.condition}) ORDER BY l.seq LIMIT ?", [seq, *scope.params, limit])]


def stamps(conn: sqlite3.Connection, entity: str, local_id: int) -> dict[str, str]:
    """field → the clock stamp of its last accepted write."""
    return {str(f): str(h) for f, h in conn.execute(
        "SELECT field, hlc FROM sync_stamps WHERE entity = ? AND local_id = ?", [entity, local_id])}


def set_stamps(conn: sqlite3.Connection, entity: str, local_id: int, fields: Iterable[str], hlc: str) -> None:
    conn.executemany("INSERT INTO sync_stamps (entity, local_id, field, hlc) VALUES (?, ?, ?, ?) "
                     "ON CONFLICT DO UPDATE SET hlc = excluded.hlc", [(entity, local_id, f, hlc) for f in fields])
