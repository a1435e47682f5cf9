"""A site box's pairing with its cloud (server/upstream/link.py): the URL, the sealed gateway key, its own site."""

from __future__ import annotations

from typing import Any

from server.storage.connection import Connection

__all__ = ["get_link", "save_link", "set_site"]


def get_link(conn: Connection) -> dict[str, Any] | None:
    row = conn.execute("SELECT url, key_sealed, site_id, paired_at FROM upstream_link WHERE id = 1").fetchone()
    return dict(row) if row else None


def save_link(conn: Connection, url: str, key_sealed: bytes, now: float) -> None:
    """The sealed key (a Fernet token: URL-safe base64) is kept as the text its TEXT column holds on both engines;
    a box paired before this reads back the bytes SQLite kept, which open as well."""
    conn.execute("INSERT INTO upstream_link (id, url, key_sealed, paired_at) VALUES (1, ?, ?, ?) "
                 "ON CONFLICT (id) DO UPDATE SET url = excluded.url, key_sealed = excluded.key_sealed, "
                 "paired_at = excluded.paired_at", [url, key_sealed.decode("ascii"), now])


def set_site(conn: Connection, site_id: int, url: str, now: float) -> None:
    """The box's site that mirrors the cloud's (a pairing from the environment gets its row here too: the key is
    then not stored, only that this box is paired)."""
    conn.execute("INSERT INTO upstream_link (id, url, key_sealed, site_id, paired_at) VALUES (1, ?, '', ?, ?) "
                 "ON CONFLICT (id) DO UPDATE SET site_id = excluded.site_id", [url, site_id, now])
