"""Checklist copies (schema 0031): the items inspections were started with, kept once per distinct copy of a
template (its id, version and items). An inspection names its copy; a template edited later makes a new copy when
an inspection starts with it, so an older inspection's items never change. A pull sends each copy once (entity
``checklist``, logged at no site) and inspections by reference."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import msgspec

from server.storage.connection import Connection
from server.storage.database import chunks

__all__ = ["copy_of", "get_checklists", "sizes"]


def copy_of(conn: Connection, template_id: str, version: int, items: list[dict[str, Any]]) -> int:
    """The id of the copy with exactly these items, made when there is none yet. Two writers making the same copy
    at once leave two equal copies, which is harmless: each inspection still reads the items it started with."""
    text = json.dumps(items, ensure_ascii=False)
    for copy_id, stored in conn.execute(
            "SELECT id, items FROM checklists WHERE template_id = ? AND template_version = ? ORDER BY id",
            [template_id, version]):
        if stored == text:
            return int(copy_id)
    return int(conn.execute("INSERT INTO checklists (template_id, template_version, items) VALUES (?, ?, ?) "
                            "RETURNING id", [template_id, version, text]).fetchone()[0])


def sizes(conn: Connection, copy_ids: Iterable[int]) -> dict[int, int]:
    """How many items each copy has."""
    out: dict[int, int] = {}
    for chunk in chunks(sorted(set(copy_ids))):
        out.update((int(i), int(n)) for i, n in conn.execute(
            f"SELECT id, json_array_length(items) FROM checklists WHERE id IN ({', '.join('?' * len(chunk))})",
            chunk))
    return out


def get_checklists(conn: Connection, copy_ids: Iterable[int]) -> list[dict[str, Any]]:
    """Copies by id, in order, their items left as the stored JSON (``msgspec.Raw``, encoded as is)."""
    out = []
    for chunk in chunks(sorted(set(copy_ids))):
        for copy_id, template_id, version, items in conn.execute(
                "SELECT id, template_id, template_version, items FROM checklists "
                f"WHERE id IN ({', '.join('?' * len(chunk))}) ORDER BY id", chunk):
            out.append({"id": int(copy_id), "template_id": template_id, "template_version": int(version),
                        "items": msgspec.Raw(items.encode())})
    return out
