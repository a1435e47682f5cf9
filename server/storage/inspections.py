"""Inspections and their answers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from server.storage import checklists
from server.storage.connection import Connection, Row, plain_rows
from server.storage.database import chunks
from server.storage.scopes import EVERY_SITE, Scope

__all__ = [
    "answer_stamps", "answers", "answers_of", "findings_of", "get_inspection", "get_inspections", "hazard_of_item",
    "hazards_of", "insert_inspection", "list_inspections", "save_answers", "update_inspection",
]

# An inspection without its items (they are its checklist copy's, storage.checklists), then with them.
_BARE = (
    "i.id, i.site_id, s.name AS site_name, s.owner_id, i.template_id, i.template_version, i.checklist_id, i.state, "
    "i.inspector_id, u.display_name AS inspector, i.started_at, i.completed_at, i.signed_by, i.summary, "
    "i.unit_signed_by, i.unit_signed_at, i.unit_signature, "
    "(SELECT COUNT(*) FROM inspection_answers x WHERE x.inspection_id = i.id) AS answered, "
    "(SELECT COUNT(*) FROM inspection_answers x WHERE x.inspection_id = i.id AND x.answer = 'fail') AS failed"
)
_BARE_FROM = "inspections i JOIN sites s ON s.id = i.site_id JOIN users u ON u.id = i.inspector_id"
_COLUMNS = f"{_BARE}, c.items"
_FROM = f"{_BARE_FROM} JOIN checklists c ON c.id = i.checklist_id"


def _row(row: Row) -> dict[str, Any]:
    out = dict(row)
    out["items"] = msgspec.json.decode(out["items"])
    return out


def insert_inspection(conn: Connection, record: dict[str, Any]) -> int:
    """A new inspection; its ``items`` are kept as a checklist copy (storage.checklists) it names."""
    copy_id = checklists.copy_of(conn, record["template_id"], record["template_version"], record["items"])
    cur = conn.execute(
        "INSERT INTO inspections (site_id, template_id, template_version, checklist_id, inspector_id, started_at) "
        "VALUES (:site_id, :template_id, :template_version, :checklist_id, :inspector_id, :started_at) RETURNING id",
        {**{k: v for k, v in record.items() if k != "items"}, "checklist_id": copy_id})
    return int(cur.fetchone()[0])


def update_inspection(conn: Connection, inspection_id: int, fields: dict[str, Any]) -> None:
    sets = ", ".join(f"{k} = :{k}" for k in fields)
    conn.execute(f"UPDATE inspections SET {sets} WHERE id = :id", {**fields, "id": inspection_id})


def get_inspection(conn: Connection, inspection_id: int,
                   scope: Scope = EVERY_SITE) -> dict[str, Any] | None:
    found = conn.execute(f"SELECT {_COLUMNS} FROM {_FROM} WHERE i.id = ? AND ({scope.condition})",
                         [inspection_id, *scope.params]).fetchone()
    return _row(found) if found else None


def list_inspections(conn: Connection, scope: Scope, site_id: int | None,
                     limit: int) -> list[dict[str, Any]]:
    where, args = f"({scope.condition})", list(scope.params)
    if site_id is not None:
        where += " AND i.site_id = ?"
        args.append(site_id)
    rows = conn.execute(f"SELECT {_COLUMNS} FROM {_FROM} WHERE {where} ORDER BY i.started_at DESC, i.id DESC "
                        "LIMIT ?", [*args, limit])
    return [_row(r) for r in rows]


def save_answers(conn: Connection, inspection_id: int, rows: list[dict[str, Any]]) -> None:
    """Insert or replace answers by key: per item the answer with the newest stamp (HLC) stays."""
    conn.executemany(
        "INSERT INTO inspection_answers (inspection_id, key, answer, note, attachments, answered_at, answered_by, "
        "hlc) VALUES (:inspection_id, :key, :answer, :note, :attachments, :answered_at, :answered_by, :hlc) "
        "ON CONFLICT (inspection_id, key) DO UPDATE SET answer = excluded.answer, note = excluded.note, "
        "attachments = excluded.attachments, answered_at = excluded.answered_at, answered_by = excluded.answered_by, "
        "hlc = excluded.hlc WHERE inspection_answers.hlc IS NULL OR excluded.hlc >= inspection_answers.hlc",
        [{**r, "inspection_id": inspection_id, "attachments": msgspec.json.encode(r["attachments"]).decode()}
         for r in rows])


def answer_stamps(conn: Connection, inspection_id: int, keys: list[str]) -> dict[str, str]:
    """These items' stamps, where answered (items answered before sync existed have none)."""
    if not keys:
        return {}
    marks = ", ".join("?" * len(keys))
    return {k: h for k, h in conn.execute(f"SELECT key, hlc FROM inspection_answers WHERE inspection_id = ? AND key "
                                          f"IN ({marks}) AND hlc IS NOT NULL", [inspection_id, *keys])}


def answers(conn: Connection, inspection_id: int) -> list[dict[str, Any]]:
    return answers_of(conn, [inspection_id]).get(inspection_id, [])


def answers_of(conn: Connection, inspection_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """The answers of many inspections at once, shaped as the API answers them (a first sync pull reads a hundred
    thousand: as tuples, and "[]" not decoded), in the order of their keys (PostgreSQL keeps no order of its own:
    the same record must read the same for every phone)."""
    out: dict[int, list[dict[str, Any]]] = {}
    names: dict[int | None, str | None] = {None: None}
    for chunk in chunks(inspection_ids):
        for inspection_id, key, answer, note, photos, answered_at, user_id in plain_rows(
                conn, "SELECT inspection_id, key, answer, note, attachments, answered_at, answered_by "
                f"FROM inspection_answers WHERE inspection_id IN ({', '.join('?' * len(chunk))}) "
                "ORDER BY inspection_id, key", chunk):
            if user_id not in names:  # a few people answer them all: their names read once each
                found = conn.execute("SELECT display_name FROM users WHERE id = ?", [user_id]).fetchone()
                names[user_id] = found[0] if found else None
            out.setdefault(inspection_id, []).append({
                "key": key, "answer": answer, "note": note,
                "attachments": [] if photos == "[]" else msgspec.json.decode(photos),
                "answered_at": answered_at, "answered_by": names[user_id]})
    return out


def get_inspections(conn: Connection, inspection_ids: list[int]) -> list[dict[str, Any]]:
    """Many inspections by id with their answers and the hazards they made, unscoped (the caller scoped the ids).
    Built for bulk (a sync pull): the items are left out, named by ``checklist_id`` (storage.checklists), with
    their count in ``total``."""
    rows: dict[int, dict[str, Any]] = {}
    for chunk in chunks(inspection_ids):
        for r in conn.execute(f"SELECT {_BARE} FROM {_BARE_FROM} WHERE i.id IN ({', '.join('?' * len(chunk))}) "
                              "ORDER BY i.id", chunk):
            rows[r["id"]] = {**dict(r), "hazard_ids": []}
        for hazard_id, inspection_id in conn.execute(
                f"SELECT id, inspection_id FROM hazards WHERE inspection_id IN ({', '.join('?' * len(chunk))}) "
                "ORDER BY id", chunk):
            rows[inspection_id]["hazard_ids"].append(hazard_id)
    answers = answers_of(conn, list(rows))
    totals = checklists.sizes(conn, (row["checklist_id"] for row in rows.values()))
    return [{**row, "total": totals[row["checklist_id"]], "answers": answers.get(row_id, [])}
            for row_id, row in rows.items()]


def hazards_of(conn: Connection, inspection_id: int) -> list[int]:
    return [r[0] for r in conn.execute("SELECT id FROM hazards WHERE inspection_id = ? ORDER BY id", [inspection_id])]


def hazard_of_item(conn: Connection, inspection_id: int, key: str) -> int | None:
    """The hazard made for a failed item of an inspection, if one was made (by the signature or by a phone)."""
    found = conn.execute("SELECT id FROM hazards WHERE inspection_id = ? AND inspection_item = ?",
                         [inspection_id, key]).fetchone()
    return int(found[0]) if found else None


def findings_of(conn: Connection, inspection_id: int) -> list[dict[str, Any]]:
    """The hazards an inspection made, with the item each was found at, its words, due date and state."""
    rows = conn.execute(
        "SELECT h.id, h.inspection_item, h.title, h.description, h.severity, h.state, h.due_at, "
        "a.display_name AS assignee FROM hazards h LEFT JOIN users a ON a.id = h.assignee_id "
        "WHERE h.inspection_id = ? ORDER BY h.id", [inspection_id])
    return [dict(r) for r in rows]
