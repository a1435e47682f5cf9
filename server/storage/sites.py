"""Sites. Every read is filtered by the caller's scope (``storage.scopes``)."""

from __future__ import annotations

from typing import Any

from server.storage.connection import Connection
from server.storage.scopes import Scope

__all__ = [
    "get_site",
    "insert_site",
    "list_sites",
    "owns_sites_beyond",
    "user_exists_with_role",
    "visible_site_ids",
]

_SITE_COLUMNS = (
    "s.id, s.name, s.address, s.region_code, s.venue_type, s.key_unit, s.owner_id, s.company_id, s.lat, s.lon, "
    "s.created_at, (SELECT COUNT(*) FROM devices d WHERE d.site_id = s.id) AS device_count"
)


def insert_site(conn: Connection, site: dict[str, Any]) -> int:
    cur = conn.execute(
        "INSERT INTO sites (name, address, region_code, venue_type, key_unit, owner_id, company_id, lat, lon, "
        "created_at, created_by) VALUES (:name, :address, :region_code, :venue_type, :key_unit, :owner_id, "
        ":company_id, :lat, :lon, :created_at, :created_by) RETURNING id",
        site,
    )
    return int(cur.fetchone()[0])


def list_sites(conn: Connection, scope: Scope) -> list[dict[str, Any]]:
    rows = conn.execute(f"SELECT {_SITE_COLUMNS} FROM sites s WHERE {scope.condition} ORDER BY s.id", scope.params)
    return [dict(row) for row in rows]


def get_site(conn: Connection, site_id: int, scope: Scope) -> dict[str, Any] | None:
    row = conn.execute(
        f"SELECT {_SITE_COLUMNS} FROM sites s WHERE s.id = ? AND ({scope.condition})", [site_id, *scope.params]
    ).fetchone()
    return dict(row) if row else None


def user_exists_with_role(conn: Connection, user_id: int, role: str) -> bool:
    row = conn.execute("SELECT 1 FROM users WHERE id = ? AND role = ?", (user_id, role)).fetchone()
    return row is not None


def owns_sites_beyond(conn: Connection, user_id: int, company_id: int | None) -> bool:
    """Whether the user owns a site that is not the company's (another company's, or one with none)."""
    return conn.execute("SELECT 1 FROM sites WHERE owner_id = ? AND company_id IS DISTINCT FROM ? LIMIT 1",
                        (user_id, company_id)).fetchone() is not None


def visible_site_ids(conn: Connection, site_ids: list[int], scope: Scope) -> set[int]:
    if not site_ids:
        return set()
    marks = ", ".join("?" * len(site_ids))
    rows = conn.execute(f"SELECT s.id FROM sites s WHERE s.id IN ({marks}) AND ({scope.condition})",
                        [*site_ids, *scope.params])
    return {int(r["id"]) for r in rows}
