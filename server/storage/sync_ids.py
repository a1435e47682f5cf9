"""Record names across the wire: a record made on a device keeps the UUID the device gave it; one made on the
server is named by its id as a string ("42")."""

from __future__ import annotations

from collections.abc import Iterable

from server.storage.connection import Connection
from server.storage.database import chunks

__all__ = ["bind", "names", "resolve"]


def resolve(conn: Connection, entity: str, entity_id: str) -> int | None:
    """The server's id of a record, or None when there is no such record (yet)."""
    found = conn.execute("SELECT local_id FROM sync_ids WHERE entity = ? AND entity_id = ?",
                         [entity, entity_id]).fetchone()
    if found is not None:
        return int(found[0])
    return int(entity_id) if entity_id.isdigit() and len(entity_id) < 16 else None


def bind(conn: Connection, entity: str, entity_id: str, local_id: int) -> None:
    conn.execute("INSERT INTO sync_ids (entity, entity_id, local_id) VALUES (?, ?, ?)", [entity, entity_id, local_id])


def names(conn: Connection, entity: str, local_ids: Iterable[int]) -> dict[int, str]:
    """Each record's name on the wire."""
    wanted = list(local_ids)
    out = {i: str(i) for i in wanted}
    for chunk in chunks(wanted):
        marks = ", ".join("?" * len(chunk))
        for local_id, entity_id in conn.execute(
                f"SELECT local_id, entity_id FROM sync_ids WHERE entity = ? AND local_id IN ({marks})",
                [entity, *chunk]):
            out[local_id] = entity_id
    return out
