"""Content-addressed attachments (photos of installations and of rectified work): rows plus files named by
their sha256 under ``<database dir>/attachments/ab/abcdef…``. The same bytes are stored once."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path
from typing import Any

__all__ = ["digest", "exists", "insert", "path_of", "row", "visible", "write_file"]


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def path_of(root: Path, sha256: str) -> Path:
    return root / sha256[:2] / sha256


def write_file(root: Path, sha256: str, data: bytes) -> None:
    """Write atomically (temp file, fsync, rename): a crash leaves the old state or the whole file."""
    target = path_of(root, sha256)
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_suffix(".part")
    with open(temp, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temp, target)


def exists(conn: sqlite3.Connection, sha256: str) -> bool:
    return conn.execute("SELECT 1 FROM attachments WHERE sha256 = ?", [sha256]).fetchone() is not None


def row(conn: sqlite3.Connection, sha256: str) -> dict[str, Any] | None:
    found = conn.execute("SELECT * FROM attachments WHERE sha256 = ?", [sha256]).fetchone()
    return dict(found) if found else None


def insert(conn: sqlite3.Connection, sha256: str, size: int, content_type: str, now: float,
           user_id: int | None) -> bool:
    cur = conn.execute("INSERT OR IGNORE INTO attachments (sha256, size, content_type, created_at, created_by) "
                       "VALUES (?, ?, ?, ?, ?)", [sha256, size, content_type, now, user_id])
    return cur.rowcount == 1


def visible(conn: sqlite3.Connection, sha256: str, user_id: int, scope_sql: str, params: list[Any]) -> bool:
    """The uploader sees their file; others see it once it is evidence on a hazard of a site they see."""
    if conn.execute("SELECT 1 FROM attachments WHERE sha256 = ? AND created_by = ?",
                    [sha256, user_id]).fetchone():
        return True
    return conn.execute(
        "SELECT 1 FROM hazard_event_attachments x JOIN hazard_events e ON e.id = x.event_id "
        f"JOIN hazards h ON h.id = e.hazard_id JOIN sites s ON s.id = h.site_id WHERE x.sha256 = ? AND ({scope_sql})",
        [sha256, *params]).fetchone() is not None
