"""Regions table, kept in step with the reference data file at start-up."""

from __future__ import annotations

from server.reference import Region
from server.storage.connection import Connection

__all__ = ["sync_regions"]


def sync_regions(conn: Connection, regions: list[Region]) -> None:
    """Insert or update every region with its materialised path ("/430900/430903/") for descendant queries."""
    by_code = {r.code: r for r in regions}

    def path(region: Region) -> str:
        parts = [region.code]
        while region.parent is not None:
            region = by_code[region.parent]
            parts.append(region.code)
        return "/" + "/".join(reversed(parts)) + "/"

    # Parents first, so the foreign key on ``parent`` holds row by row.
    ordered = sorted(regions, key=lambda r: path(r).count("/"))
    conn.executemany(
        "INSERT INTO regions (code, name, parent, level, path) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (code) DO UPDATE SET name = excluded.name, parent = excluded.parent, "
        "level = excluded.level, path = excluded.path",
        [(r.code, r.name, r.parent, r.level, path(r)) for r in ordered],
    )
