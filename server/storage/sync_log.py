"""The sync's change log (fed by triggers, schema 0007), the scopes cursors name, and the clock stamps of the fields
that merge last-writer-wins."""

from __future__ import annotations

import json
from collections.abc import Iterable

from server.storage.connection import Connection
from server.storage.database import chunks
from server.storage.scopes import Scope

# The site of records that belong to none (checklist copies, schema 0031): logged for every caller.
NO_SITE = 0

__all__ = ["NO_SITE", "changes_after", "hazard_records", "records_of", "remember_scope", "scope_hazards", "scope_known",
           "scope_of", "scope_sites", "set_stamps", "stamps"]


def scope_sites(conn: Connection, scope: Scope) -> list[int]:
    """The sites a scope covers, in order."""
    return [int(r[0]) for r in conn.execute(f"SELECT s.id FROM sites s WHERE ({scope.condition}) ORDER BY s.id",
                                            scope.params)]


def scope_hazards(conn: Connection, scope: Scope, only: Scope) -> list[int]:
    """The hazards at the scope's sites that meet ``only`` (a condition over ``h``), in order."""
    return [int(r[0]) for r in conn.execute(
        f"SELECT h.id FROM hazards h JOIN sites s ON s.id = h.site_id WHERE ({scope.condition}) AND "
        f"({only.condition}) ORDER BY h.id", [*scope.params, *only.params])]


def remember_scope(conn: Connection, scope_hash: str, sites: list[int],
                   hazards: list[int] | None = None) -> None:
    conn.execute("INSERT INTO sync_scopes (hash, site_ids, hazard_ids) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                 [scope_hash, json.dumps(sites), None if hazards is None else json.dumps(hazards)])


def scope_of(conn: Connection, scope_hash: str) -> tuple[list[int], list[int] | None] | None:
    """The sites (and the hazards, when it named them) of a scope a cursor named, or None when this server never
    handed it out."""
    found = conn.execute("SELECT site_ids, hazard_ids FROM sync_scopes WHERE hash = ?", [scope_hash]).fetchone()
    if found is None:
        return None
    hazards = None if found[1] is None else [int(h) for h in json.loads(found[1])]
    return [int(s) for s in json.loads(found[0])], hazards


def scope_known(conn: Connection, scope_hash: str) -> bool:
    return conn.execute("SELECT 1 FROM sync_scopes WHERE hash = ?", [scope_hash]).fetchone() is not None


def records_of(conn: Connection, sites: Iterable[int], hazards: bool = True) -> list[tuple[int, str, int]]:
    """(seq, entity, local id) of every logged record of the sites (without their hazards, given ``hazards=False``)."""
    wanted = sorted(sites)
    if not wanted:
        return []
    marks = ", ".join("?" * len(wanted))
    skip = "" if hazards else " AND entity <> 'hazard'"
    return [(int(r[0]), str(r[1]), int(r[2])) for r in conn.execute(
        f"SELECT seq, entity, local_id FROM sync_log WHERE site_id IN ({marks}){skip} ORDER BY seq", wanted)]


def hazard_records(conn: Connection, hazard_ids: Iterable[int]) -> list[tuple[int, str, int]]:
    """(seq, entity, local id) of the hazards' log rows."""
    out: list[tuple[int, str, int]] = []
    for chunk in chunks(sorted(hazard_ids)):
        out += [(int(r[0]), str(r[1]), int(r[2])) for r in conn.execute(
            f"SELECT seq, entity, local_id FROM sync_log WHERE entity = 'hazard' AND local_id IN "
            f"({', '.join('?' * len(chunk))})", chunk)]
    return sorted(out)


def changes_after(conn: Connection, seq: int, scope: Scope, limit: int,
                  only: Scope | None = None) -> list[tuple[int, str, int]]:
    """(seq, entity, local id) of the changes after ``seq`` at the scope's sites and of no site (checklist
    copies, which every caller gets), at most ``limit``; given ``only`` (a condition over the hazard ``h``), only
    the hazards that meet it."""
    if only is None:
        return [(int(r[0]), str(r[1]), int(r[2])) for r in conn.execute(
            f"SELECT l.seq, l.entity, l.local_id FROM sync_log l LEFT JOIN sites s ON s.id = l.site_id "
            f"WHERE l.seq > ? AND (l.site_id = {NO_SITE} OR ({scope.condition})) ORDER BY l.seq LIMIT ?",
            [seq, *scope.params, limit])]
    return [(int(r[0]), str(r[1]), int(r[2])) for r in conn.execute(
        f"SELECT l.seq, l.entity, l.local_id FROM sync_log l LEFT JOIN sites s ON s.id = l.site_id "
        f"LEFT JOIN hazards h ON l.entity = 'hazard' AND h.id = l.local_id WHERE l.seq > ? "
        f"AND (l.site_id = {NO_SITE} OR ({scope.condition})) AND (l.entity <> 'hazard' OR ({only.condition})) "
        "ORDER BY l.seq LIMIT ?",
        [seq, *scope.params, *only.params, limit])]


def stamps(conn: Connection, entity: str, local_id: int) -> dict[str, str]:
    """field → the clock stamp of its last accepted write."""
    return {str(f): str(h) for f, h in conn.execute(
        "SELECT field, hlc FROM sync_stamps WHERE entity = ? AND local_id = ?", [entity, local_id])}


def set_stamps(conn: Connection, entity: str, local_id: int, fields: Iterable[str], hlc: str) -> None:
    conn.executemany("INSERT INTO sync_stamps (entity, local_id, field, hlc) VALUES (?, ?, ?, ?) "
                     "ON CONFLICT (entity, local_id, field) DO UPDATE SET hlc = excluded.hlc",
                     [(entity, local_id, f, hlc) for f in fields])
