"""Content-addressed attachments (photos of installations and of rectified work): rows plus files named by
their sha256 under ``<database dir>/attachments/ab/abcdef…``. The same bytes are stored once."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from server.errors import StorageFull
from server.storage.connection import Connection
from server.storage.scopes import Scope
from server.storage.space import out_of_space

__all__ = ["add_uploader", "digest", "exists", "insert", "path_of", "readable", "row", "visible", "write_file"]


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def path_of(root: Path, sha256: str) -> Path:
    return root / sha256[:2] / sha256


def write_file(root: Path, sha256: str, data: bytes) -> None:
    """Write atomically (temp file, fsync, rename): a crash leaves the old state or the whole file."""
    target = path_of(root, sha256)
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_suffix(".part")
    try:
        with open(temp, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
    except OSError as exc:
        temp.unlink(missing_ok=True)
        if out_of_space(exc):
            raise StorageFull("the server's disk is full; the photo was not stored — free space on the disk that "
                              "holds the database (ANDIAN_DB), then upload it again") from exc
        raise
    os.replace(temp, target)


def exists(conn: Connection, sha256: str) -> bool:
    return conn.execute("SELECT 1 FROM attachments WHERE sha256 = ?", [sha256]).fetchone() is not None


def row(conn: Connection, sha256: str) -> dict[str, Any] | None:
    found = conn.execute("SELECT * FROM attachments WHERE sha256 = ?", [sha256]).fetchone()
    return dict(found) if found else None


def insert(conn: Connection, sha256: str, size: int, content_type: str, now: float,
           user_id: int | None) -> bool:
    cur = conn.execute("INSERT INTO attachments (sha256, size, content_type, created_at, created_by) "
                       "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", [sha256, size, content_type, now, user_id])
    if user_id is not None:
        add_uploader(conn, sha256, user_id, now)
    return cur.rowcount == 1


def add_uploader(conn: Connection, sha256: str, user_id: int, now: float) -> None:
    """Someone sent these bytes: they hold them, so they may read and cite them (the same bytes are stored once)."""
    conn.execute("INSERT INTO attachment_uploads (sha256, user_id, uploaded_at) VALUES (?, ?, ?) "
                 "ON CONFLICT DO NOTHING", [sha256, user_id, now])


def visible(conn: Connection, sha256: str, user_id: int, scope: Scope, only: Scope | None = None) -> bool:
    return sha256 in readable(conn, [sha256], user_id, scope, only)


def readable(conn: Connection, hashes: list[str], user_id: int, scope: Scope,
             only: Scope | None = None) -> set[str]:
    """The hashes the user may read and cite: the ones they uploaded, and the ones that are evidence on a record of
    a site in their scope (a hazard's timeline, an inspection's answers and the unit's drawn signature on its
    rectification notice, a commissioning's signed acceptance); given
    ``only`` (a condition over the hazard ``h``, scopes.assigned_only), only the timelines of the hazards that meet
    it. A hash alone is not a capability."""
    hazards = scope if only is None else scope.narrowed(only)
    found: set[str] = set()
    for sha256 in dict.fromkeys(hashes):
        if conn.execute(
            "SELECT 1 FROM attachment_uploads WHERE sha256 = ? AND user_id = ? "
            "UNION ALL SELECT 1 FROM hazard_event_attachments x JOIN hazard_events e ON e.id = x.event_id "
            "JOIN hazards h ON h.id = e.hazard_id JOIN sites s ON s.id = h.site_id "
            f"WHERE x.sha256 = ? AND ({hazards.condition}) "
            "UNION ALL SELECT 1 FROM inspection_answers a JOIN inspections i ON i.id = a.inspection_id "
            f"JOIN sites s ON s.id = i.site_id WHERE instr(a.attachments, ?) > 0 AND ({scope.condition}) "
            "UNION ALL SELECT 1 FROM inspections i JOIN sites s ON s.id = i.site_id "
            f"WHERE i.unit_signature = ? AND ({scope.condition}) "
            "UNION ALL SELECT 1 FROM commissionings c JOIN sites s ON s.id = c.site_id "
            f"WHERE (c.signature = ? OR instr(c.answers, ?) > 0) AND ({scope.condition}) LIMIT 1",
            [sha256, user_id, sha256, *hazards.params, f'"{sha256}"', *scope.params, sha256, *scope.params,
             sha256, f'"{sha256}"', *scope.params],
        ).fetchone():
            found.add(sha256)
    return found
